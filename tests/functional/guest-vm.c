/*
 * A whole VM for the functional suite (guest-vm.h).
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include "guest-vm.h"

#define INNER_MARK "QVFIO-INNER: "
#define CONSOLE_ARGS "console=ttyS0 panic=-1 quiet"

struct GuestVM {
    GPid pid;
    int out_fd;                 /* qvfio's stdout and stderr */
    GString *output;
    GString *partial;           /* the line being read */
    GPtrArray *lines;           /* char *: INNER_MARK lines, mark removed */
    guint next_line;            /* first line not yet taken by wait */
    char *dir;
    char *qmp_path;
    char *trace_path;
    QMPConn *qmp;
    int status;                 /* -1 while running */
    gint64 t_start, t_end;
};

const char *guest_vm_unavailable(void)
{
    if (!g_getenv("QVFIO_INNER_KERNEL") || !g_getenv("QVFIO_INNER_INITRD")) {
        return "not inside the functional suite's guest (no inner kernel)";
    }
    if (access("/dev/kvm", R_OK | W_OK)) {
        return "/dev/kvm is missing in the functional suite's guest";
    }
    return NULL;
}

static unsigned sysfs_hex(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *text = NULL;

    return g_file_get_contents(path, &text, NULL, NULL)
           ? strtoul(text, NULL, 16) : 0;
}

char *guest_vm_host_pci(unsigned vendor, unsigned device)
{
    const char *base = "/sys/bus/pci/devices";
    GDir *dir = g_dir_open(base, 0, NULL);
    const char *name;
    char *found = NULL;

    while (dir && !found && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(base, name, NULL);
        g_autofree char *link = g_build_filename(path, "driver", NULL);
        g_autofree char *driver = g_file_read_link(link, NULL);

        if (sysfs_hex(path, "vendor") == vendor &&
            sysfs_hex(path, "device") == device &&
            driver && g_str_has_suffix(driver, "/vfio-pci")) {
            found = g_strdup(name);
        }
    }
    if (dir) {
        g_dir_close(dir);
    }
    return found;
}

/* -trace for each of @patterns and -D FILE. */
static char *trace_args(GuestVM *vm, const char *patterns)
{
    g_auto(GStrv) p = g_strsplit(patterns ? patterns : "", " ", -1);
    GString *a = g_string_new(NULL);

    if (!patterns) {
        return g_string_free(a, false);
    }
    vm->trace_path = g_build_filename(vm->dir, "trace", NULL);
    for (unsigned i = 0; p[i]; i++) {
        g_string_append_printf(a, " -trace '%s'", p[i]);
    }
    g_string_append_printf(a, " -D %s", vm->trace_path);
    return g_string_free(a, false);
}

unsigned guest_vm_trace_count(GuestVM *vm, const char *needle)
{
    g_autofree char *text = NULL;
    unsigned n = 0;

    g_assert_nonnull(vm->trace_path);
    g_assert_true(g_file_get_contents(vm->trace_path, &text, NULL, NULL));
    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

GuestVM *guest_vm_start(const char *args, const char *append,
                        const char *trace)
{
    GuestVM *vm = g_new0(GuestVM, 1);
    g_autofree char *cmdline = NULL;
    g_autofree char *traces = NULL;
    g_auto(GStrv) argv = NULL;
    GError *err = NULL;
    int fds[2];

    vm->dir = g_dir_make_tmp("guest-vm-XXXXXX", NULL);
    vm->qmp_path = g_build_filename(vm->dir, "qmp.sock", NULL);
    vm->output = g_string_new(NULL);
    vm->partial = g_string_new(NULL);
    vm->lines = g_ptr_array_new_with_free_func(g_free);
    vm->status = -1;
    traces = trace_args(vm, trace);
    cmdline = g_strdup_printf("%s -accel kvm -nographic -kernel %s "
                              "-initrd %s -append '" CONSOLE_ARGS " %s' "
                              "-qmp unix:%s,server=on,wait=off %s%s",
                              qtest_product_binary(),
                              g_getenv("QVFIO_INNER_KERNEL"),
                              g_getenv("QVFIO_INNER_INITRD"),
                              append ? append : "", vm->qmp_path, args,
                              traces);
    g_test_message("starting: %s", cmdline);
    g_assert_true(g_shell_parse_argv(cmdline, NULL, &argv, NULL));
    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    vm->t_start = g_get_monotonic_time();
    if (!g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &vm->pid, -1, fds[1], fds[1],
                                &err)) {
        g_error("cannot start qvfio: %s", err->message);
    }
    close(fds[1]);
    vm->out_fd = fds[0];
    return vm;
}

static void take_line(GuestVM *vm, const char *line)
{
    const char *mark = strstr(line, INNER_MARK);

    if (mark) {
        g_ptr_array_add(vm->lines, g_strdup(mark + strlen(INNER_MARK)));
    }
}

/* Read what is there; false at end of file. */
static bool read_output(GuestVM *vm, int timeout_ms)
{
    struct pollfd p = { .fd = vm->out_fd, .events = POLLIN };
    char buf[4096];
    ssize_t n;

    if (vm->out_fd < 0) {
        return false;
    }
    if (poll(&p, 1, timeout_ms) <= 0) {
        return true;
    }
    n = read(vm->out_fd, buf, sizeof(buf));
    if (n <= 0) {
        close(vm->out_fd);
        vm->out_fd = -1;
        return false;
    }
    g_string_append_len(vm->output, buf, n);
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            g_strchomp(vm->partial->str);
            take_line(vm, vm->partial->str);
            g_string_truncate(vm->partial, 0);
        } else {
            g_string_append_c(vm->partial, buf[i]);
        }
    }
    return true;
}

static bool deadline_left(gint64 deadline, int *ms)
{
    gint64 now = g_get_monotonic_time();

    *ms = now >= deadline ? 0 : (int)MIN((deadline - now) / 1000 + 1, 1000);
    return now < deadline;
}

char *guest_vm_wait(GuestVM *vm, const char *word, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;
    size_t len = strlen(word);
    int ms;

    for (;;) {
        while (vm->next_line < vm->lines->len) {
            const char *l = g_ptr_array_index(vm->lines, vm->next_line++);

            if (!strncmp(l, word, len) && (l[len] == ' ' || !l[len])) {
                return g_strdup(l[len] ? l + len + 1 : "");
            }
        }
        if (!deadline_left(deadline, &ms) || !read_output(vm, ms)) {
            if (vm->out_fd < 0 && vm->next_line < vm->lines->len) {
                continue;
            }
            return NULL;
        }
    }
}

GStrv guest_vm_seen(GuestVM *vm, const char *word)
{
    GPtrArray *seen = g_ptr_array_new();
    size_t len = strlen(word);

    for (guint i = 0; i < vm->lines->len; i++) {
        const char *l = g_ptr_array_index(vm->lines, i);

        if (!strncmp(l, word, len) && (l[len] == ' ' || !l[len])) {
            g_ptr_array_add(seen, g_strdup(l[len] ? l + len + 1 : ""));
        }
    }
    g_ptr_array_add(seen, NULL);
    return (GStrv)g_ptr_array_free(seen, false);
}

QMPConn *guest_vm_qmp(GuestVM *vm)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!vm->qmp) {
        int ms;

        if (g_file_test(vm->qmp_path, G_FILE_TEST_EXISTS)) {
            vm->qmp = qmp_conn_connect_unix(vm->qmp_path);
            qmp_conn_set_timeout(vm->qmp, 60000);
            json_object_unref(qmp_conn_negotiate(vm->qmp));
            break;
        }
        g_assert_true(deadline_left(deadline, &ms));
        read_output(vm, 10);
    }
    return vm->qmp;
}

int guest_vm_wait_exit(GuestVM *vm, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;
    int ms, wstatus;

    while (vm->status < 0) {
        pid_t r = waitpid(vm->pid, &wstatus, WNOHANG);

        if (r == vm->pid) {
            vm->t_end = g_get_monotonic_time();
            vm->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                                            : 128 + WTERMSIG(wstatus);
            while (read_output(vm, 0) && vm->out_fd >= 0) {
                /* drain */
            }
            break;
        }
        if (!deadline_left(deadline, &ms)) {
            return -1;
        }
        if (!read_output(vm, MIN(ms, 50))) {
            g_usleep(10000);
        }
    }
    return vm->status;
}

double guest_vm_seconds(GuestVM *vm)
{
    return (vm->t_end - vm->t_start) / 1e6;
}

const char *guest_vm_output(GuestVM *vm)
{
    return vm->output->str;
}

void guest_vm_free(GuestVM *vm)
{
    if (vm->status < 0) {
        kill(vm->pid, SIGKILL);
        guest_vm_wait_exit(vm, 10000);
    }
    if (vm->qmp) {
        qmp_conn_free(vm->qmp);
    }
    if (vm->out_fd >= 0) {
        close(vm->out_fd);
    }
    g_spawn_close_pid(vm->pid);
    unlink(vm->qmp_path);
    if (vm->trace_path) {
        unlink(vm->trace_path);
    }
    rmdir(vm->dir);
    g_free(vm->qmp_path);
    g_free(vm->trace_path);
    g_free(vm->dir);
    g_string_free(vm->output, true);
    g_string_free(vm->partial, true);
    g_ptr_array_free(vm->lines, true);
    g_free(vm);
}
