/*
 * The POSIX process life cycle: -daemonize (fork, report, detach),
 * -pidfile, -overcommit mem-lock (mlockall) and the signals that end the
 * main loop.
 */
#include "qemu/osdep.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <glib-unix.h>
#include "qemu/error.h"
#include "system/os-posix.h"
#include "system/runstate.h"

static int daemon_pipe = -1;
static int pidfile_fd = -1;
static char *pidfile_written;

bool os_lock_memory(const char *mode, Error **errp)
{
    int flags = MCL_CURRENT | MCL_FUTURE;

    if (!mode || !strcmp(mode, "off")) {
        return true;
    }
    if (!strcmp(mode, "on-fault")) {
        flags |= MCL_ONFAULT;
    }
    if (mlockall(flags) < 0) {
        error_setg_errno(errp, errno, "-overcommit mem-lock=%s: locking "
                         "memory failed", mode);
        return false;
    }
    return true;
}

static gboolean on_terminate_signal(gpointer opaque)
{
    info_report("terminating on signal %d", GPOINTER_TO_INT(opaque));
    qemu_system_shutdown_request_cause(SHUTDOWN_CAUSE_HOST_SIGNAL);
    return G_SOURCE_CONTINUE;
}

void os_setup_early_signal_handling(void)
{
    /* a peer that goes away is an error to handle, not a reason to die */
    signal(SIGPIPE, SIG_IGN);
}

void os_setup_signal_handling(void)
{
    g_unix_signal_add(SIGTERM, on_terminate_signal, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGINT, on_terminate_signal, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGHUP, on_terminate_signal, GINT_TO_POINTER(SIGHUP));
}

/*
 * -daemonize: fork now; the parent waits until the daemon reports whether
 * setup (sockets, pidfile) succeeded, and exits with that status, so
 * whoever started us finds the monitor sockets in place.
 */
void os_daemonize_start(void)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
        error_report("-daemonize: %s", g_strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        uint8_t status = 1;
        ssize_t n;

        close(fds[1]);
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        _exit(n == 1 ? status : 1);
    }
    close(fds[0]);
    setsid();
    /* Not a session leader: the daemon can never get a terminal. */
    pid = fork();
    if (pid < 0) {
        error_report("-daemonize: %s", g_strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        _exit(0);
    }
    umask(027);
    daemon_pipe = fds[1];
}

/* Tell a -daemonize parent how setup went: it exits with @status. */
void os_daemonize_report(uint8_t status)
{
    ssize_t n;

    if (daemon_pipe < 0) {
        return;
    }
    do {
        n = write(daemon_pipe, &status, 1);
    } while (n < 0 && errno == EINTR);
    close(daemon_pipe);
    daemon_pipe = -1;
}

void os_daemonize_finish(void)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    os_daemonize_report(0);
}

/* Written once set up; locked so that two instances cannot share it. */
bool os_write_pidfile(const char *path, Error **errp)
{
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create PID file '%s'", path);
        return false;
    }
    if (fcntl(fd, F_SETLK, &lock) < 0) {
        error_setg_errno(errp, errno, "cannot create PID file '%s': cannot "
                         "lock it", path);
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0 ||
        write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
        error_setg_errno(errp, errno, "cannot write PID file '%s'", path);
        close(fd);
        unlink(path);
        return false;
    }
    pidfile_fd = fd;
    pidfile_written = g_strdup(path);
    return true;
}

void os_remove_pidfile(void)
{
    if (pidfile_written) {
        unlink(pidfile_written);
        close(pidfile_fd);
        g_clear_pointer(&pidfile_written, g_free);
        pidfile_fd = -1;
    }
}
