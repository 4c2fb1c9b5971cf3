/*
 * libqtest: a qtest client for qvfio's tests (see libqtest.h).
 *
 * Like QEMU's libqtest, the test listens and the emulator connects out,
 * so there is no race on the socket path (the QMP channel too, when
 * asked for); everything fails with a message that names the request and
 * shows qvfio's stderr.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/pci_regs.h>
#include "libqtest.h"

#define QTEST_MAX_IRQ 256
/* Timeouts, longer by qtest_slow_factor() under valgrind. */
#define QTEST_CONNECT_TIMEOUT_MS (50 * 1000 * qtest_slow_factor())
#define QTEST_REPLY_TIMEOUT_MS (120 * 1000 * qtest_slow_factor())
#define QTEST_QUIT_TIMEOUT_MS (10 * 1000 * qtest_slow_factor())
#define QTEST_RUN_TIMEOUT_MS (30 * 1000 * qtest_slow_factor())
#define VALGRIND_SLOWDOWN 10
/* What memcheck prints around each error, so that none goes unseen. */
#define VALGRIND_ERROR_BEGIN "QVFIO-VALGRIND-ERROR-BEGIN"
/* Bytes of data per buffer request: keeps lines far below the limit. */
#define QTEST_CHUNK (512 * 1024)
/* Cap for captured output of qtest_run_binary. */
#define QTEST_RUN_MAX_OUTPUT (16 * 1024 * 1024)

struct QTestState {
    pid_t pid;
    int fd;                     /* connected qtest socket */
    char *tmpdir;
    char *log_path;
    char *stderr_path;          /* NULL if stderr is not captured */
    GString *rxbuf;
    bool irq_level[QTEST_MAX_IRQ];
    char *last_request;         /* for error messages */
    QMPConn *qmp;               /* qtest_init_with_qmp() */
};

/* Valgrind */

unsigned qtest_slow_factor(void)
{
    const char *v = getenv("QTEST_VALGRIND");

    return v && *v ? VALGRIND_SLOWDOWN : 1;
}

/*
 * With QTEST_VALGRIND set (to 1, or to more valgrind options), qvfio runs
 * in memcheck, one report per process in @dir (empty when all is well).
 */
static char *valgrind_prefix(const char *dir)
{
    const char *opts = getenv("QTEST_VALGRIND");

    if (!opts || !*opts) {
        return g_strdup("");
    }
    return g_strdup_printf("valgrind --tool=memcheck --quiet "
                           "--leak-check=full --show-leak-kinds=definite "
                           "--errors-for-leak-kinds=definite "
                           "--error-markers=" VALGRIND_ERROR_BEGIN ", "
                           "--log-file=%s/valgrind.%%p.log %s ", dir,
                           strcmp(opts, "1") ? opts : "");
}

/* The reports in @dir that hold an error, concatenated ("" if none). */
static char *valgrind_errors(const char *dir)
{
    GString *all = g_string_new(NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *text = NULL;

        if (g_str_has_prefix(name, "valgrind.") &&
            g_file_get_contents(path, &text, NULL, NULL) &&
            strstr(text, VALGRIND_ERROR_BEGIN)) {
            g_string_append_printf(all, "%s:\n%s", name, text);
        }
    }
    return g_string_free(all, FALSE);
}

/* Failure reporting */

static char *read_file_or_empty(const char *path)
{
    char *text = NULL;

    if (!path || !g_file_get_contents(path, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return text;
}

static void G_GNUC_PRINTF(2, 3) G_GNUC_NORETURN
qtest_fatal(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *err = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    err = s ? read_file_or_empty(s->stderr_path) : g_strdup("");
    fprintf(stderr, "libqtest: %s\n", msg);
    if (*err) {
        fprintf(stderr, "libqtest: qvfio stderr:\n%s", err);
    }
    if (s && s->pid > 0) {
        kill(s->pid, SIGKILL);
    }
    g_error("libqtest: %s", msg);
}

const char *qtest_binary(void)
{
    const char *bin = getenv("QTEST_QEMU_BINARY");

    if (!bin || !*bin) {
        qtest_fatal(NULL, "QTEST_QEMU_BINARY is not set (run the tests "
                    "through 'meson test')");
    }
    return bin;
}

const char *qtest_product_binary(void)
{
    const char *bin = getenv("QVFIO_PRODUCT_BINARY");

    if (!bin || !*bin) {
        qtest_fatal(NULL, "QVFIO_PRODUCT_BINARY is not set (run the tests "
                    "through 'meson test')");
    }
    return bin;
}

/* Process management */

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

/* waitpid with a timeout; true if it exited (status in *status). */
static bool wait_timeout(pid_t pid, int *status, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;

    for (;;) {
        pid_t ret = waitpid(pid, status, WNOHANG);

        if (ret == pid) {
            return true;
        }
        if (ret < 0 && errno != EINTR) {
            return false;
        }
        if (now_ms() >= deadline) {
            return false;
        }
        g_usleep(2000);
    }
}

/* In the child: die with the test, then run @cmdline through the shell. */
static void G_GNUC_NORETURN exec_shell(const char *cmdline)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
    _exit(127);
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert(fd >= 0);
    g_assert(strlen(path) < sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, 1) < 0) {
        qtest_fatal(NULL, "cannot listen on %s: %s", path, strerror(errno));
    }
    return fd;
}

/* Wait for qvfio to connect, watching that it does not die first. */
static int accept_client(QTestState *s, int listen_fd)
{
    int64_t deadline = now_ms() + QTEST_CONNECT_TIMEOUT_MS;

    while (now_ms() < deadline) {
        struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
        int status;

        if (poll(&pfd, 1, 50) > 0) {
            int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

            if (fd >= 0) {
                return fd;
            }
        }
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            qtest_fatal(s, "qvfio exited before connecting (%s %d)",
                        WIFEXITED(status) ? "exit status" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status)
                                          : WTERMSIG(status));
        }
    }
    qtest_fatal(s, "qvfio did not connect within %d s",
                QTEST_CONNECT_TIMEOUT_MS / 1000);
}

static QTestState *qtest_spawn(const char *extra_args, bool with_qmp)
{
    QTestState *s = g_new0(QTestState, 1);
    g_autofree char *sock_path = NULL;
    g_autofree char *qmp_path = NULL;
    g_autofree char *qmp_args = NULL;
    g_autofree char *cmdline = NULL;
    g_autofree char *valgrind = NULL;
    bool log_to_stderr = getenv("QTEST_LOG") != NULL;
    int listen_fd, qmp_listen_fd = -1;

    s->tmpdir = g_dir_make_tmp("qvfio-qtest-XXXXXX", NULL);
    g_assert(s->tmpdir);
    sock_path = g_build_filename(s->tmpdir, "qtest.sock", NULL);
    s->log_path = g_build_filename(s->tmpdir, "qtest.log", NULL);
    if (!log_to_stderr) {
        s->stderr_path = g_build_filename(s->tmpdir, "stderr", NULL);
    }
    s->rxbuf = g_string_new(NULL);
    listen_fd = listen_unix(sock_path);
    if (with_qmp) {
        qmp_path = g_build_filename(s->tmpdir, "qmp.sock", NULL);
        qmp_listen_fd = listen_unix(qmp_path);
        qmp_args = g_strdup_printf("-chardev socket,path=%s,id=qmp0 "
                                   "-mon chardev=qmp0,mode=control ",
                                   qmp_path);
    }

    valgrind = valgrind_prefix(s->tmpdir);
    cmdline = g_strdup_printf("exec %s%s -qtest unix:%s -qtest-log %s "
                              "%s-display none -accel qtest %s",
                              valgrind, qtest_binary(), sock_path,
                              log_to_stderr ? "/dev/fd/2" : s->log_path,
                              qmp_args ? qmp_args : "",
                              extra_args ? extra_args : "");
    s->pid = fork();
    g_assert(s->pid >= 0);
    if (s->pid == 0) {
        if (s->stderr_path) {
            int fd = open(s->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

            if (fd >= 0) {
                dup2(fd, STDERR_FILENO);
            }
        }
        exec_shell(cmdline);
    }
    s->fd = accept_client(s, listen_fd);
    close(listen_fd);
    unlink(sock_path);
    if (with_qmp) {
        s->qmp = qmp_conn_new(accept_client(s, qmp_listen_fd));
        close(qmp_listen_fd);
        unlink(qmp_path);
    }
    g_free(qtest_cmd(s, "endianness"));
    if (s->qmp) {
        json_object_unref(qmp_conn_negotiate(s->qmp));
    }
    return s;
}

QTestState *qtest_init(const char *extra_args)
{
    return qtest_spawn(extra_args, false);
}

QTestState *qtest_init_with_qmp(const char *extra_args)
{
    return qtest_spawn(extra_args, true);
}

QTestState *qtest_init_with_qmpf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init_with_qmp(args);
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

void qtest_remove_tmpdir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        unlink(path);
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(dir);
}

int qtest_quit(QTestState *s)
{
    int status = 0, ret;
    int killed_by = 0;
    g_autofree char *err = NULL;

    if (s->qmp) {
        qmp_conn_free(s->qmp);
        s->qmp = NULL;
    }
    close(s->fd);
    /* Closing the qtest connection makes qvfio quit by itself. */
    if (!wait_timeout(s->pid, &status, QTEST_QUIT_TIMEOUT_MS)) {
        kill(s->pid, SIGTERM);
        killed_by = SIGTERM;
        if (!wait_timeout(s->pid, &status, QTEST_QUIT_TIMEOUT_MS)) {
            kill(s->pid, SIGKILL);
            killed_by = SIGKILL;
            waitpid(s->pid, &status, 0);
        }
    }
    s->pid = 0;
    err = read_file_or_empty(s->stderr_path);
    if (*err) {
        g_test_message("qvfio stderr: %s", err);
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) != killed_by) {
        qtest_fatal(s, "qvfio crashed: killed by signal %d (%s)%s",
                    WTERMSIG(status), strsignal(WTERMSIG(status)),
                    WCOREDUMP(status) ? ", core dumped" : "");
    }
    /* Sanitizer builds: a report is a failure even if qvfio went on. */
    if (strstr(err, "runtime error:") || strstr(err, "Sanitizer")) {
        qtest_fatal(s, "qvfio reported a sanitizer error (see its stderr)");
    }
    {
        g_autofree char *vg = valgrind_errors(s->tmpdir);

        if (*vg) {
            qtest_fatal(s, "valgrind found errors in qvfio:\n%s", vg);
        }
    }
    ret = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    if (!getenv("QTEST_KEEP_TMPDIR")) {
        qtest_remove_tmpdir(s->tmpdir);
    }
    g_string_free(s->rxbuf, TRUE);
    g_free(s->tmpdir);
    g_free(s->log_path);
    g_free(s->stderr_path);
    g_free(s->last_request);
    g_free(s);
    return ret;
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

bool qtest_alive(QTestState *s)
{
    siginfo_t info = { 0 };

    if (s->pid <= 0 ||
        waitid(P_PID, s->pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
        return false;
    }
    return info.si_pid == 0;
}

const char *qtest_log_path(QTestState *s)
{
    return s->log_path;
}

char *qtest_get_stderr(QTestState *s)
{
    return read_file_or_empty(s->stderr_path);
}

/* Wire */

void qtest_send_raw(QTestState *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            qtest_fatal(s, "sending to qvfio failed: %s", strerror(errno));
        }
        p += n;
        len -= n;
    }
}

static void qtest_sendf(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static void qtest_sendf(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    g_free(s->last_request);
    va_start(ap, fmt);
    s->last_request = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send_raw(s, s->last_request, strlen(s->last_request));
}

/* Record "IRQ raise N" / "IRQ lower N"; false if @line is not one. */
static bool qtest_handle_irq_line(QTestState *s, const char *line)
{
    g_auto(GStrv) words = NULL;
    int64_t num;

    if (!g_str_has_prefix(line, "IRQ ")) {
        return false;
    }
    words = g_strsplit(line, " ", 0);
    if (g_strv_length(words) != 3 ||
        (strcmp(words[1], "raise") && strcmp(words[1], "lower"))) {
        qtest_fatal(s, "malformed IRQ line '%s'", line);
    }
    num = g_ascii_strtoll(words[2], NULL, 0);
    if (num < 0 || num >= QTEST_MAX_IRQ) {
        qtest_fatal(s, "IRQ number out of range in '%s'", line);
    }
    s->irq_level[num] = !strcmp(words[1], "raise");
    return true;
}

/* Remove the first line from the buffer; IRQ lines are recorded. */
static char *qtest_take_line(QTestState *s, size_t len)
{
    char *line = g_strndup(s->rxbuf->str, len);

    g_string_erase(s->rxbuf, 0, len + 1);
    qtest_handle_irq_line(s, line);
    return line;
}

char *qtest_recv_line(QTestState *s)
{
    int64_t deadline = now_ms() + QTEST_REPLY_TIMEOUT_MS;
    char *nl;

    while (!(nl = memchr(s->rxbuf->str, '\n', s->rxbuf->len))) {
        struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
        char buf[65536];
        int64_t left = deadline - now_ms();
        ssize_t n;

        if (left <= 0) {
            qtest_fatal(s, "no reply from qvfio within %d s (request: %.200s)",
                        QTEST_REPLY_TIMEOUT_MS / 1000,
                        s->last_request ? s->last_request : "");
        }
        if (poll(&pfd, 1, left) <= 0) {
            continue;
        }
        n = recv(s->fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            int status;

            if (wait_timeout(s->pid, &status, 2000)) {
                s->pid = 0;
                qtest_fatal(s, "qvfio went away (%s %d) after: %.200s",
                            WIFEXITED(status) ? "exit status" : "signal",
                            WIFEXITED(status) ? WEXITSTATUS(status)
                                              : WTERMSIG(status),
                            s->last_request ? s->last_request : "");
            }
            qtest_fatal(s, "qvfio closed the connection after: %.200s",
                        s->last_request ? s->last_request : "");
        }
        g_string_append_len(s->rxbuf, buf, n);
    }
    return qtest_take_line(s, nl - s->rxbuf->str);
}

static char *qtest_reply(QTestState *s)
{
    for (;;) {
        char *line = qtest_recv_line(s);

        if (!g_str_has_prefix(line, "IRQ ")) {
            return line;
        }
        g_free(line);
    }
}

char *qtest_raw_len(QTestState *s, const void *line, size_t len)
{
    g_free(s->last_request);
    s->last_request = g_strndup(line, MIN(len, 200));
    qtest_send_raw(s, line, len);
    qtest_send_raw(s, "\n", 1);
    return qtest_reply(s);
}

char *qtest_raw(QTestState *s, const char *line)
{
    return qtest_raw_len(s, line, strlen(line));
}

static char *qtest_expect_ok(QTestState *s)
{
    char *reply = qtest_reply(s);

    if (strcmp(reply, "OK") && !g_str_has_prefix(reply, "OK ")) {
        qtest_fatal(s, "request '%.200s' failed: %.200s",
                    g_strchomp(s->last_request), reply);
    }
    return reply;
}

char *qtest_cmd(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_sendf(s, "%s\n", line);
    return qtest_expect_ok(s);
}

/* "OK 0x1234" -> 0x1234 */
static uint64_t qtest_cmd_u64(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static uint64_t qtest_cmd_u64(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;
    g_autofree char *reply = NULL;
    char *end;
    uint64_t value;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtest_cmd(s, "%s", line);
    value = g_ascii_strtoull(reply + 2, &end, 0);
    if (reply[2] != ' ' || end == reply + 3 || *end) {
        qtest_fatal(s, "request '%s': malformed reply '%s'", line, reply);
    }
    return value;
}

/* Port I/O and memory */

void qtest_outb(QTestState *s, uint16_t addr, uint8_t value)
{
    g_free(qtest_cmd(s, "outb 0x%x 0x%x", addr, value));
}

void qtest_outw(QTestState *s, uint16_t addr, uint16_t value)
{
    g_free(qtest_cmd(s, "outw 0x%x 0x%x", addr, value));
}

void qtest_outl(QTestState *s, uint16_t addr, uint32_t value)
{
    g_free(qtest_cmd(s, "outl 0x%x 0x%x", addr, value));
}

uint8_t qtest_inb(QTestState *s, uint16_t addr)
{
    return qtest_cmd_u64(s, "inb 0x%x", addr);
}

uint16_t qtest_inw(QTestState *s, uint16_t addr)
{
    return qtest_cmd_u64(s, "inw 0x%x", addr);
}

uint32_t qtest_inl(QTestState *s, uint16_t addr)
{
    return qtest_cmd_u64(s, "inl 0x%x", addr);
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value)
{
    g_free(qtest_cmd(s, "writeb 0x%" PRIx64 " 0x%x", addr, value));
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t value)
{
    g_free(qtest_cmd(s, "writew 0x%" PRIx64 " 0x%x", addr, value));
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t value)
{
    g_free(qtest_cmd(s, "writel 0x%" PRIx64 " 0x%x", addr, value));
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value)
{
    g_free(qtest_cmd(s, "writeq 0x%" PRIx64 " 0x%" PRIx64, addr, value));
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return qtest_cmd_u64(s, "readb 0x%" PRIx64, addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return qtest_cmd_u64(s, "readw 0x%" PRIx64, addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return qtest_cmd_u64(s, "readl 0x%" PRIx64, addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return qtest_cmd_u64(s, "readq 0x%" PRIx64, addr);
}

static void memread_chunk(QTestState *s, uint64_t addr, uint8_t *data,
                          size_t size)
{
    g_autofree char *reply = qtest_cmd(s, "read 0x%" PRIx64 " 0x%zx",
                                       addr, size);
    const char *hex = reply + 3;

    if (!g_str_has_prefix(hex, "0x") || strlen(hex + 2) != size * 2) {
        qtest_fatal(s, "read: malformed reply '%.200s'", reply);
    }
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(hex[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(hex[3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            qtest_fatal(s, "read: bad hex in reply '%.200s'", reply);
        }
        data[i] = hi << 4 | lo;
    }
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    for (size_t off = 0; off < size; off += QTEST_CHUNK) {
        memread_chunk(s, addr + off, (uint8_t *)data + off,
                      MIN(QTEST_CHUNK, size - off));
    }
}

static void memwrite_chunk(QTestState *s, uint64_t addr, const uint8_t *data,
                           size_t size)
{
    static const char hex[] = "0123456789abcdef";
    GString *line = g_string_sized_new(size * 2 + 64);

    g_string_append_printf(line, "write 0x%" PRIx64 " 0x%zx 0x", addr, size);
    for (size_t i = 0; i < size; i++) {
        g_string_append_c(line, hex[data[i] >> 4]);
        g_string_append_c(line, hex[data[i] & 0xf]);
    }
    g_free(qtest_cmd(s, "%s", line->str));
    g_string_free(line, TRUE);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    for (size_t off = 0; off < size; off += QTEST_CHUNK) {
        memwrite_chunk(s, addr + off, (const uint8_t *)data + off,
                       MIN(QTEST_CHUNK, size - off));
    }
}

static void bufread_chunk(QTestState *s, uint64_t addr, uint8_t *data,
                          size_t size)
{
    g_autofree char *reply = qtest_cmd(s, "b64read 0x%" PRIx64 " 0x%zx",
                                       addr, size);
    g_autofree guchar *bytes = NULL;
    gsize len = 0;

    bytes = g_base64_decode(reply + 3, &len);
    if (len != size) {
        qtest_fatal(s, "b64read: got %zu bytes, expected %zu", (size_t)len,
                    size);
    }
    memcpy(data, bytes, size);
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    for (size_t off = 0; off < size; off += QTEST_CHUNK) {
        bufread_chunk(s, addr + off, (uint8_t *)data + off,
                      MIN(QTEST_CHUNK, size - off));
    }
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    for (size_t off = 0; off < size; off += QTEST_CHUNK) {
        size_t n = MIN(QTEST_CHUNK, size - off);
        g_autofree char *b64 = g_base64_encode((const guchar *)data + off, n);

        g_free(qtest_cmd(s, "b64write 0x%" PRIx64 " 0x%zx %s", addr + off,
                         n, b64));
    }
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    g_free(qtest_cmd(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x", addr, size,
                     pattern));
}

/* Clock */

static int64_t qtest_clock_reply(QTestState *s, char *reply)
{
    char *end;
    int64_t ns = g_ascii_strtoll(reply + 3, &end, 10);

    if (*end || end == reply + 3) {
        qtest_fatal(s, "malformed clock reply '%s'", reply);
    }
    g_free(reply);
    return ns;
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    return qtest_clock_reply(s, qtest_cmd(s, "clock_step %" PRIi64, step));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return qtest_clock_reply(s, qtest_cmd(s, "clock_step"));
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    return qtest_clock_reply(s, qtest_cmd(s, "clock_set %" PRIi64, val));
}

/* Interrupts */

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    g_free(qtest_cmd(s, "irq_intercept_in %s", qom_path));
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    g_free(qtest_cmd(s, "irq_intercept_out %s", qom_path));
}

bool qtest_get_irq(QTestState *s, int num)
{
    g_assert(num >= 0 && num < QTEST_MAX_IRQ);
    /* Any IRQ line already sent arrives before this reply. */
    qtest_inb(s, 0);
    return s->irq_level[num];
}

void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level)
{
    g_free(qtest_cmd(s, "set_irq_in %s %s %d %d", qom_path,
                     name ? name : "unnamed-gpio-in", num, level));
}

/* Running the binary to completion */

typedef struct RunPipe {
    int fd;
    GString *buf;
} RunPipe;

static void run_pipe_read(RunPipe *p)
{
    char buf[65536];
    ssize_t n = read(p->fd, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        close(p->fd);
        p->fd = -1;
        return;
    }
    if (p->buf->len < QTEST_RUN_MAX_OUTPUT) {
        g_string_append_len(p->buf, buf, n);
    }
}

bool qtest_run_binary_timeout(const char *binary, const char *args,
                              const char *stdin_text, char **out, char **err,
                              int *status, int timeout_ms)
{
    int in_pipe[2], out_pipe[2], err_pipe[2];
    g_autofree char *vg_dir = g_dir_make_tmp("qvfio-run-XXXXXX", NULL);
    g_autofree char *valgrind = valgrind_prefix(vg_dir);
    g_autofree char *vg_errors = NULL;
    g_autofree char *cmdline = g_strdup_printf("exec %s%s %s", valgrind,
                                               binary, args ? args : "");
    const char *in_ptr = stdin_text ? stdin_text : "";
    size_t in_left = strlen(in_ptr);
    RunPipe pipes[2];
    int64_t deadline = now_ms() + timeout_ms;
    bool finished = true;
    int wstatus = 0;
    pid_t pid;

    g_assert(pipe2(in_pipe, O_CLOEXEC) == 0);
    g_assert(pipe2(out_pipe, O_CLOEXEC) == 0);
    g_assert(pipe2(err_pipe, O_CLOEXEC) == 0);
    pid = fork();
    g_assert(pid >= 0);
    if (pid == 0) {
        dup2(in_pipe[0], STDIN_FILENO);
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        exec_shell(cmdline);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    pipes[0] = (RunPipe){ out_pipe[0], g_string_new(NULL) };
    pipes[1] = (RunPipe){ err_pipe[0], g_string_new(NULL) };
    if (!in_left) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
    }

    while (pipes[0].fd >= 0 || pipes[1].fd >= 0) {
        struct pollfd pfd[3] = {
            { .fd = pipes[0].fd, .events = POLLIN },
            { .fd = pipes[1].fd, .events = POLLIN },
            { .fd = in_pipe[1], .events = POLLOUT },
        };
        int64_t left = deadline - now_ms();

        if (left <= 0) {
            finished = false;
            break;
        }
        if (poll(pfd, 3, left) <= 0) {
            continue;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].revents) {
                run_pipe_read(&pipes[i]);
            }
        }
        if (pfd[2].revents) {
            ssize_t n = write(in_pipe[1], in_ptr, in_left);

            if (n > 0) {
                in_ptr += n;
                in_left -= n;
            }
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || !in_left) {
                close(in_pipe[1]);
                in_pipe[1] = -1;
            }
        }
    }
    if (finished) {
        finished = wait_timeout(pid, &wstatus,
                                MAX(deadline - now_ms(), 0) + 100);
    }
    if (!finished) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
    }
    for (int i = 0; i < 2; i++) {
        if (pipes[i].fd >= 0) {
            close(pipes[i].fd);
        }
    }
    if (in_pipe[1] >= 0) {
        close(in_pipe[1]);
    }
    if (out) {
        *out = g_string_free(pipes[0].buf, FALSE);
    } else {
        g_string_free(pipes[0].buf, TRUE);
    }
    if (err) {
        *err = g_string_free(pipes[1].buf, FALSE);
    } else {
        g_string_free(pipes[1].buf, TRUE);
    }
    if (status) {
        *status = wstatus;
    }
    vg_errors = valgrind_errors(vg_dir);
    if (*vg_errors) {
        qtest_fatal(NULL, "valgrind found errors in %s %s:\n%s", binary,
                    args ? args : "", vg_errors);
    }
    qtest_remove_tmpdir(vg_dir);
    return finished;
}

bool qtest_run_binary(const char *binary, const char *args,
                      const char *stdin_text, char **out, char **err,
                      int *status)
{
    return qtest_run_binary_timeout(binary, args, stdin_text, out, err,
                                    status, QTEST_RUN_TIMEOUT_MS);
}

/* Process inspection */

int qtest_count_fds(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    int n = 0;

    g_assert_nonnull(dir);
    while (g_dir_read_name(dir)) {
        n++;
    }
    g_dir_close(dir);
    return n;
}

long qtest_vmrss_kb(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    const char *line;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    line = strstr(text, "VmRSS:");
    g_assert_nonnull(line);
    return strtol(line + strlen("VmRSS:"), NULL, 10);
}

static bool pid_gone(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    const char *end;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return true;
    }
    end = strrchr(text, ')');       /* "pid (comm) S ..." */
    return end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

bool qtest_wait_pid_gone(pid_t pid, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;

    while (!pid_gone(pid)) {
        if (now_ms() >= deadline) {
            return false;
        }
        g_usleep(2000);
    }
    return true;
}

/* fw_cfg and guest memory */

uint64_t qtest_fw_cfg_get_u64(QTestState *s, uint16_t key)
{
    uint64_t value = 0;

    qtest_outw(s, 0x510, key);
    for (int i = 0; i < 8; i++) {
        value |= (uint64_t)qtest_inb(s, 0x511) << (i * 8);
    }
    return value;
}

void pc_alloc_init(QGuestAllocator *alloc, QTestState *qts)
{
    uint64_t ram = qtest_fw_cfg_get_u64(qts, 0x03 /* FW_CFG_RAM_SIZE */);

    alloc->qts = qts;
    alloc->start = alloc->next = 1 * 1024 * 1024;
    alloc->end = MIN(ram, 0xE0000000ULL);
    g_assert_cmpuint(alloc->end, >, alloc->start);
}

uint64_t guest_alloc(QGuestAllocator *alloc, size_t size)
{
    uint64_t addr = alloc->next;
    uint64_t len = QEMU_ALIGN_UP(MAX(size, 1), 4096);

    if (len > alloc->end - addr) {
        qtest_fatal(alloc->qts, "guest_alloc: out of guest memory "
                    "(%zu bytes wanted)", size);
    }
    alloc->next += len;
    return addr;
}

/* PCI config space */

static QPCIBus *qpci_new(QTestState *qts, uint64_t ecam_base)
{
    QPCIBus *bus = g_new0(QPCIBus, 1);

    bus->qts = qts;
    bus->ecam_base = ecam_base;
    bus->pio_alloc_ptr = QPCI_PIO_BASE;
    bus->pio_limit = QPCI_PIO_LIMIT;
    bus->mmio_alloc_ptr = QPCI_MMIO_BASE;
    bus->mmio_limit = QPCI_MMIO_LIMIT;
    return bus;
}

QPCIBus *qpci_new_pc(QTestState *qts)
{
    return qpci_new(qts, 0);
}

QPCIBus *qpci_new_ecam(QTestState *qts, uint64_t ecam_base)
{
    g_assert(ecam_base);
    return qpci_new(qts, ecam_base);
}

void qpci_free(QPCIBus *bus)
{
    g_free(bus);
}

/*
 * CF8 selects the dword, the byte lanes of 0xcfc..0xcff the bytes within
 * it: the standard mechanism #1, which any host bridge decodes.
 */
static uint16_t qpci_cf8_select(QPCIDevice *dev, uint16_t offset)
{
    g_assert(offset < 0x100);
    qtest_outl(dev->bus->qts, 0xcf8,
               (1u << 31) | (dev->devfn << 8) | (offset & 0xfc));
    return 0xcfc + (offset & 3);
}

static uint64_t qpci_ecam_addr(QPCIDevice *dev, uint16_t offset)
{
    g_assert(offset < 0x1000);
    return dev->bus->ecam_base + ((uint64_t)dev->devfn << 12) + offset;
}

uint8_t qpci_config_readb(QPCIDevice *dev, uint16_t offset)
{
    if (dev->bus->ecam_base) {
        return qtest_readb(dev->bus->qts, qpci_ecam_addr(dev, offset));
    }
    return qtest_inb(dev->bus->qts, qpci_cf8_select(dev, offset));
}

uint16_t qpci_config_readw(QPCIDevice *dev, uint16_t offset)
{
    if (dev->bus->ecam_base) {
        return qtest_readw(dev->bus->qts, qpci_ecam_addr(dev, offset));
    }
    return qtest_inw(dev->bus->qts, qpci_cf8_select(dev, offset));
}

uint32_t qpci_config_readl(QPCIDevice *dev, uint16_t offset)
{
    if (dev->bus->ecam_base) {
        return qtest_readl(dev->bus->qts, qpci_ecam_addr(dev, offset));
    }
    return qtest_inl(dev->bus->qts, qpci_cf8_select(dev, offset));
}

void qpci_config_writeb(QPCIDevice *dev, uint16_t offset, uint8_t value)
{
    if (dev->bus->ecam_base) {
        qtest_writeb(dev->bus->qts, qpci_ecam_addr(dev, offset), value);
    } else {
        qtest_outb(dev->bus->qts, qpci_cf8_select(dev, offset), value);
    }
}

void qpci_config_writew(QPCIDevice *dev, uint16_t offset, uint16_t value)
{
    if (dev->bus->ecam_base) {
        qtest_writew(dev->bus->qts, qpci_ecam_addr(dev, offset), value);
    } else {
        qtest_outw(dev->bus->qts, qpci_cf8_select(dev, offset), value);
    }
}

void qpci_config_writel(QPCIDevice *dev, uint16_t offset, uint32_t value)
{
    if (dev->bus->ecam_base) {
        qtest_writel(dev->bus->qts, qpci_ecam_addr(dev, offset), value);
    } else {
        qtest_outl(dev->bus->qts, qpci_cf8_select(dev, offset), value);
    }
}

/* Devices */

QPCIDevice *qpci_device_find(QPCIBus *bus, int devfn)
{
    QPCIDevice *dev = g_new0(QPCIDevice, 1);

    dev->bus = bus;
    dev->devfn = devfn;
    if (qpci_config_readw(dev, PCI_VENDOR_ID) == 0xffff) {
        g_free(dev);
        return NULL;
    }
    return dev;
}

void qpci_device_free(QPCIDevice *dev)
{
    g_free(dev);
}

void qpci_device_foreach(QPCIBus *bus, int vendor_id, int device_id,
                         void (*func)(QPCIDevice *dev, int devfn, void *data),
                         void *data)
{
    for (int slot = 0; slot < 32; slot++) {
        for (int fn = 0; fn < 8; fn++) {
            QPCIDevice *dev = qpci_device_find(bus, QPCI_DEVFN(slot, fn));

            if (!dev) {
                continue;
            }
            if ((vendor_id != -1 &&
                 qpci_config_readw(dev, PCI_VENDOR_ID) != vendor_id) ||
                (device_id != -1 &&
                 qpci_config_readw(dev, PCI_DEVICE_ID) != device_id)) {
                g_free(dev);
                continue;
            }
            func(dev, QPCI_DEVFN(slot, fn), data);
        }
    }
}

void qpci_device_enable(QPCIDevice *dev)
{
    uint16_t want = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    uint16_t cmd = qpci_config_readw(dev, PCI_COMMAND);

    qpci_config_writew(dev, PCI_COMMAND, cmd | want);
    cmd = qpci_config_readw(dev, PCI_COMMAND);
    g_assert_cmphex(cmd & want, ==, want);
}

uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id, uint8_t start)
{
    uint8_t addr = start ? qpci_config_readb(dev, start + PCI_CAP_LIST_NEXT)
                         : qpci_config_readb(dev, PCI_CAPABILITY_LIST);

    /* At most 48 capabilities fit: a longer chain is a loop. */
    for (int i = 0; addr && i < 48; i++) {
        if (qpci_config_readb(dev, addr + PCI_CAP_LIST_ID) == id) {
            return addr;
        }
        addr = qpci_config_readb(dev, addr + PCI_CAP_LIST_NEXT);
    }
    return 0;
}

QPCIBar qpci_iomap(QPCIDevice *dev, int barno, uint64_t *sizeptr)
{
    QPCIBus *bus = dev->bus;
    uint16_t reg = PCI_BASE_ADDRESS_0 + 4 * barno;
    QPCIBar bar = { 0 };
    uint32_t mask;
    uint64_t size, loc;

    g_assert(barno >= 0 && barno <= 5);
    qpci_config_writel(dev, reg, 0xFFFFFFFF);
    mask = qpci_config_readl(dev, reg);
    bar.is_io = mask & PCI_BASE_ADDRESS_SPACE_IO;
    mask &= bar.is_io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK;
    g_assert(mask);             /* an implemented BAR has size bits */
    size = 1ULL << __builtin_ctz(mask);
    if (sizeptr) {
        *sizeptr = size;
    }
    if (bar.is_io) {
        loc = QEMU_ALIGN_UP(bus->pio_alloc_ptr, size);
        g_assert_cmpuint(loc + size, <=, bus->pio_limit);
        bus->pio_alloc_ptr = loc + size;
        qpci_config_writel(dev, reg, loc | PCI_BASE_ADDRESS_SPACE_IO);
    } else {
        loc = QEMU_ALIGN_UP(bus->mmio_alloc_ptr, size);
        g_assert_cmpuint(loc + size, <=, bus->mmio_limit);
        bus->mmio_alloc_ptr = loc + size;
        qpci_config_writel(dev, reg, loc);
    }
    bar.addr = loc;
    return bar;
}

/* BAR access: I/O BARs through in/out, memory BARs through read/write */

static uint64_t qpci_bar_read(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                              unsigned size)
{
    QTestState *s = dev->bus->qts;
    uint64_t addr = bar.addr + off;

    if (bar.is_io) {
        switch (size) {
        case 1: return qtest_inb(s, addr);
        case 2: return qtest_inw(s, addr);
        case 4: return qtest_inl(s, addr);
        default:
            return qtest_inl(s, addr) | (uint64_t)qtest_inl(s, addr + 4) << 32;
        }
    }
    switch (size) {
    case 1: return qtest_readb(s, addr);
    case 2: return qtest_readw(s, addr);
    case 4: return qtest_readl(s, addr);
    default: return qtest_readq(s, addr);
    }
}

static void qpci_bar_write(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                           unsigned size, uint64_t v)
{
    QTestState *s = dev->bus->qts;
    uint64_t addr = bar.addr + off;

    if (bar.is_io) {
        switch (size) {
        case 1: qtest_outb(s, addr, v); break;
        case 2: qtest_outw(s, addr, v); break;
        case 4: qtest_outl(s, addr, v); break;
        default:
            qtest_outl(s, addr, v);
            qtest_outl(s, addr + 4, v >> 32);
        }
        return;
    }
    switch (size) {
    case 1: qtest_writeb(s, addr, v); break;
    case 2: qtest_writew(s, addr, v); break;
    case 4: qtest_writel(s, addr, v); break;
    default: qtest_writeq(s, addr, v);
    }
}

uint8_t qpci_io_readb(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return qpci_bar_read(dev, bar, off, 1);
}

uint16_t qpci_io_readw(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return qpci_bar_read(dev, bar, off, 2);
}

uint32_t qpci_io_readl(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return qpci_bar_read(dev, bar, off, 4);
}

uint64_t qpci_io_readq(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return qpci_bar_read(dev, bar, off, 8);
}

void qpci_io_writeb(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint8_t v)
{
    qpci_bar_write(dev, bar, off, 1, v);
}

void qpci_io_writew(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint16_t v)
{
    qpci_bar_write(dev, bar, off, 2, v);
}

void qpci_io_writel(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint32_t v)
{
    qpci_bar_write(dev, bar, off, 4, v);
}

void qpci_io_writeq(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint64_t v)
{
    qpci_bar_write(dev, bar, off, 8, v);
}

/* MSI-X */

static uint8_t qpci_msix_cap(QPCIDevice *dev)
{
    uint8_t cap = qpci_find_capability(dev, PCI_CAP_ID_MSIX, 0);

    g_assert_cmphex(cap, !=, 0);
    return cap;
}

void qpci_msix_enable(QPCIDevice *dev)
{
    uint8_t cap = qpci_msix_cap(dev);
    uint16_t ctrl = qpci_config_readw(dev, cap + PCI_MSIX_FLAGS);
    uint32_t table = qpci_config_readl(dev, cap + PCI_MSIX_TABLE);
    uint32_t pba = qpci_config_readl(dev, cap + PCI_MSIX_PBA);
    int table_bir = table & PCI_MSIX_TABLE_BIR;
    int pba_bir = pba & PCI_MSIX_PBA_BIR;

    qpci_config_writew(dev, cap + PCI_MSIX_FLAGS,
                       ctrl | PCI_MSIX_FLAGS_ENABLE);
    dev->msix_table_bar = qpci_iomap(dev, table_bir, NULL);
    dev->msix_table_off = table & PCI_MSIX_TABLE_OFFSET;
    dev->msix_pba_bar = pba_bir == table_bir ? dev->msix_table_bar
                                             : qpci_iomap(dev, pba_bir, NULL);
    dev->msix_pba_off = pba & PCI_MSIX_PBA_OFFSET;
    dev->msix_enabled = true;
}

void qpci_msix_disable(QPCIDevice *dev)
{
    uint8_t cap = qpci_msix_cap(dev);
    uint16_t ctrl = qpci_config_readw(dev, cap + PCI_MSIX_FLAGS);

    qpci_config_writew(dev, cap + PCI_MSIX_FLAGS,
                       ctrl & ~PCI_MSIX_FLAGS_ENABLE);
    dev->msix_enabled = false;
}

uint16_t qpci_msix_table_size(QPCIDevice *dev)
{
    uint8_t cap = qpci_msix_cap(dev);

    return (qpci_config_readw(dev, cap + PCI_MSIX_FLAGS) &
            PCI_MSIX_FLAGS_QSIZE) + 1;
}

bool qpci_msix_masked(QPCIDevice *dev, uint16_t entry)
{
    uint8_t cap = qpci_msix_cap(dev);
    uint64_t vctrl;

    g_assert(dev->msix_enabled);
    if (qpci_config_readw(dev, cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_MASKALL) {
        return true;
    }
    vctrl = dev->msix_table_off + entry * PCI_MSIX_ENTRY_SIZE +
            PCI_MSIX_ENTRY_VECTOR_CTRL;
    return qpci_io_readl(dev, dev->msix_table_bar, vctrl) &
           PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool qpci_msix_pending(QPCIDevice *dev, uint16_t entry)
{
    uint64_t off = dev->msix_pba_off + (entry / 32) * 4;
    uint32_t bit = 1u << (entry % 32);
    uint32_t pba;

    g_assert(dev->msix_enabled);
    pba = qpci_io_readl(dev, dev->msix_pba_bar, off);
    /* As libqos does: the device must ignore writes to its PBA. */
    qpci_io_writel(dev, dev->msix_pba_bar, off, pba & ~bit);
    return pba & bit;
}

void qpci_msix_set_entry(QPCIDevice *dev, uint16_t entry, uint64_t addr,
                         uint32_t data, bool masked)
{
    uint64_t base = dev->msix_table_off + entry * PCI_MSIX_ENTRY_SIZE;

    g_assert(dev->msix_enabled);
    qpci_io_writel(dev, dev->msix_table_bar, base + PCI_MSIX_ENTRY_LOWER_ADDR,
                   addr);
    qpci_io_writel(dev, dev->msix_table_bar, base + PCI_MSIX_ENTRY_UPPER_ADDR,
                   addr >> 32);
    qpci_io_writel(dev, dev->msix_table_bar, base + PCI_MSIX_ENTRY_DATA, data);
    qpci_io_writel(dev, dev->msix_table_bar, base + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

/* QMP client */

#define QMP_CONNECT_TIMEOUT_MS (20 * 1000)

struct QMPConn {
    int fd;
    GString *rx;
    GQueue events;              /* JsonObject *, not yet asked for */
    char *last_raw;
    int timeout_ms;
};

QMPConn *qmp_conn_new(int fd)
{
    QMPConn *c = g_new0(QMPConn, 1);

    c->fd = fd;
    c->rx = g_string_new(NULL);
    g_queue_init(&c->events);
    c->timeout_ms = QTEST_REPLY_TIMEOUT_MS;
    return c;
}

static int connect_retry(const struct sockaddr *sa, socklen_t len)
{
    int64_t deadline = now_ms() + QMP_CONNECT_TIMEOUT_MS;

    do {
        int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert(fd >= 0);
        if (connect(fd, sa, len) == 0) {
            return fd;
        }
        close(fd);
        g_usleep(5000);
    } while (now_ms() < deadline);
    g_error("libqtest: could not connect to qvfio's QMP socket");
}

QMPConn *qmp_conn_connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    g_assert(strlen(path) < sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    return qmp_conn_new(connect_retry((struct sockaddr *)&sun, sizeof(sun)));
}

QMPConn *qmp_conn_connect_tcp(const char *host, int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };

    sin.sin_port = htons(port);
    g_assert(inet_pton(AF_INET, host, &sin.sin_addr) == 1);
    return qmp_conn_new(connect_retry((struct sockaddr *)&sin, sizeof(sin)));
}

void qmp_conn_free(QMPConn *c)
{
    JsonObject *ev;

    if (!c) {
        return;
    }
    while ((ev = g_queue_pop_head(&c->events))) {
        json_object_unref(ev);
    }
    close(c->fd);
    g_string_free(c->rx, TRUE);
    g_free(c->last_raw);
    g_free(c);
}

int qmp_conn_fd(QMPConn *c)
{
    return c->fd;
}

void qmp_conn_set_timeout(QMPConn *c, int timeout_ms)
{
    c->timeout_ms = timeout_ms;
}

static void qmp_send_all(QMPConn *c, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
            return;     /* qvfio is gone: the next receive tells */
        }
        if (n < 0) {
            g_error("libqtest: QMP send failed: %s", strerror(errno));
        }
        buf += n;
        len -= n;
    }
}

void qmp_conn_send(QMPConn *c, const char *text)
{
    g_autofree char *line = g_strconcat(text, "\r\n", NULL);

    /* One write: a command that ends qvfio must not fail our CRLF. */
    qmp_send_all(c, line, strlen(line));
}

void qmp_conn_sendf(QMPConn *c, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_conn_send(c, text);
}

void qmp_conn_send_fds(QMPConn *c, const char *text, const int *fds,
                       int nfds)
{
    g_autofree char *line = g_strdup_printf("%s\r\n", text);
    size_t ctl_len = CMSG_SPACE(sizeof(int) * nfds);
    g_autofree char *ctl = g_malloc0(ctl_len);
    struct iovec iov = { .iov_base = line, .iov_len = strlen(line) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl, .msg_controllen = ctl_len,
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    ssize_t n;

    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
    do {
        n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    g_assert_cmpint(n, ==, (ssize_t)strlen(line));
}

/*
 * Length of the first complete message in @rx (its CRLF included), 0 if
 * more data is needed. Every line end inside must be CRLF.
 */
static size_t qmp_message_length(const GString *rx)
{
    int depth = 0;
    bool in_str = false, esc = false, started = false;

    for (size_t i = 0; i < rx->len; i++) {
        char ch = rx->str[i];

        if (ch == '\n') {
            g_assert_true(i > 0 && rx->str[i - 1] == '\r');
        }
        if (in_str) {
            if (esc) {
                esc = false;
            } else if (ch == '\\') {
                esc = true;
            } else if (ch == '"') {
                in_str = false;
            }
            continue;
        }
        if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
            started = true;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
        if (started && depth == 0) {
            if (i + 2 >= rx->len) {
                return 0;
            }
            g_assert_cmpint(rx->str[i + 1], ==, '\r');
            g_assert_cmpint(rx->str[i + 2], ==, '\n');
            return i + 3;
        }
    }
    return 0;
}

/* Read more; false on EOF. Fails the test on a timeout. */
static bool qmp_fill(QMPConn *c, int64_t deadline)
{
    struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
    char buf[65536];
    ssize_t n;

    for (;;) {
        int64_t left = deadline - now_ms();

        if (left <= 0) {
            g_error("libqtest: no QMP message within %d ms (have %zu bytes: "
                    "%.200s)", c->timeout_ms, c->rx->len, c->rx->str);
        }
        if (poll(&pfd, 1, left) <= 0) {
            continue;
        }
        n = recv(c->fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        g_string_append_len(c->rx, buf, n);
        return true;
    }
}

JsonObject *qmp_conn_recv_any(QMPConn *c)
{
    int64_t deadline = now_ms() + c->timeout_ms;
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *gerr = NULL;
    JsonNode *root;
    size_t len;

    while (!(len = qmp_message_length(c->rx))) {
        if (!qmp_fill(c, deadline)) {
            g_assert_cmpuint(c->rx->len, ==, 0);    /* no half message */
            return NULL;
        }
    }
    g_free(c->last_raw);
    c->last_raw = g_strndup(c->rx->str, len - 2);
    g_string_erase(c->rx, 0, len);
    if (!json_parser_load_from_data(parser, c->last_raw, -1, &gerr)) {
        g_error("libqtest: bad JSON from qvfio (%s): %s", gerr->message,
                c->last_raw);
    }
    root = json_parser_get_root(parser);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
    return json_object_ref(json_node_get_object(root));
}

const char *qmp_conn_last_raw(QMPConn *c)
{
    return c->last_raw;
}

JsonObject *qmp_conn_reply(QMPConn *c)
{
    for (;;) {
        JsonObject *msg = qmp_conn_recv_any(c);

        if (!msg) {
            g_error("libqtest: qvfio closed QMP while a reply was awaited");
        }
        if (!json_object_has_member(msg, "event")) {
            return msg;
        }
        g_queue_push_tail(&c->events, msg);
    }
}

JsonObject *qmp_conn_cmd(QMPConn *c, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_conn_send(c, text);
    return qmp_conn_reply(c);
}

JsonObject *qmp_conn_take_event(QMPConn *c, const char *name)
{
    for (GList *l = c->events.head; l; l = l->next) {
        JsonObject *ev = l->data;

        if (!strcmp(json_object_get_string_member(ev, "event"), name)) {
            g_queue_delete_link(&c->events, l);
            return ev;
        }
    }
    return NULL;
}

JsonObject *qmp_conn_event(QMPConn *c, const char *name)
{
    JsonObject *ev = qmp_conn_take_event(c, name);

    while (!ev) {
        JsonObject *msg = qmp_conn_recv_any(c);

        if (!msg) {
            g_error("libqtest: qvfio closed QMP while event %s was awaited",
                    name);
        }
        if (!json_object_has_member(msg, "event")) {
            g_error("libqtest: unexpected reply while waiting for %s: %s",
                    name, c->last_raw);
        }
        if (!strcmp(json_object_get_string_member(msg, "event"), name)) {
            ev = msg;
        } else {
            g_queue_push_tail(&c->events, msg);
        }
    }
    return ev;
}

JsonObject *qmp_conn_negotiate(QMPConn *c)
{
    JsonObject *greeting = qmp_conn_recv_any(c);
    JsonObject *reply;

    g_assert_nonnull(greeting);
    g_assert_true(json_object_has_member(greeting, "QMP"));
    reply = qmp_conn_cmd(c, "{\"execute\": \"qmp_capabilities\"}");
    qmp_return(reply);
    json_object_unref(reply);
    return greeting;
}

JsonNode *qmp_return(JsonObject *reply)
{
    if (!json_object_has_member(reply, "return")) {
        g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(),
                                                         reply);
        g_autofree char *text = json_to_string(node, FALSE);

        g_error("libqtest: QMP command failed: %s", text);
    }
    return json_object_get_member(reply, "return");
}

void qmp_assert_error(JsonObject *reply, const char *cls, const char *desc)
{
    JsonObject *err;

    if (!json_object_has_member(reply, "error")) {
        g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(),
                                                         reply);
        g_autofree char *text = json_to_string(node, FALSE);

        g_error("libqtest: expected a QMP error %s, got %s", cls, text);
    }
    err = json_object_get_object_member(reply, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, cls);
    g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==, desc);
}

QMPConn *qtest_qmp_conn(QTestState *s)
{
    g_assert_nonnull(s->qmp);
    return s->qmp;
}

JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_conn_send(qtest_qmp_conn(s), text);
    return qmp_conn_reply(s->qmp);
}

void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;
    JsonObject *reply;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_conn_send(qtest_qmp_conn(s), text);
    reply = qmp_conn_reply(s->qmp);
    qmp_return(reply);
    json_object_unref(reply);
}

JsonObject *qtest_qmp_eventwait(QTestState *s, const char *name)
{
    return qmp_conn_event(qtest_qmp_conn(s), name);
}

char *qtest_hmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmdline = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) req = NULL;
    g_autofree char *text = NULL;
    JsonObject *reply;
    char *out;

    va_start(ap, fmt);
    cmdline = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, "human-monitor-command");
    json_builder_set_member_name(b, "arguments");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command-line");
    json_builder_add_string_value(b, cmdline);
    json_builder_end_object(b);
    json_builder_end_object(b);
    req = json_builder_get_root(b);
    text = json_to_string(req, FALSE);
    qmp_conn_send(qtest_qmp_conn(s), text);
    reply = qmp_conn_reply(s->qmp);
    out = g_strdup(json_node_get_string(qmp_return(reply)));
    json_object_unref(reply);
    return out;
}
