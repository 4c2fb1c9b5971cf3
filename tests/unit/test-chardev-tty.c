/*
 * The terminal side of the chardevs: the pty backend (label, client
 * detection, raw mode, output that never blocks), mux=on's Ctrl-A
 * commands, and system/terminal.c's raw mode with its restore on exit
 * and on signals. Ptys come from /dev/ptmx; a host without one skips
 * with a message.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <glib-unix.h>
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "system/chardev.h"
#include "system/runstate.h"
#include "system/terminal.h"
#include "fd-test-util.h"

typedef struct Probe {
    GString *data;
    int opened;
    int closed;
} Probe;

static void probe_read(void *opaque, const uint8_t *buf, size_t len)
{
    Probe *p = opaque;

    g_string_append_len(p->data, (const char *)buf, len);
}

static void probe_event(void *opaque, ChardevEvent event)
{
    Probe *p = opaque;

    if (event == CHR_EVENT_OPENED) {
        p->opened++;
    } else {
        p->closed++;
    }
}

static void probe_init(Probe *p, Chardev *chr)
{
    memset(p, 0, sizeof(*p));
    p->data = g_string_new(NULL);
    qemu_chr_set_handlers(chr, probe_read, probe_event, p);
}

/* Run the main loop until @cond holds (or fail after 10 s). */
#define POLL_UNTIL(cond) do {                                           \
        gint64 deadline_ = g_get_monotonic_time() + 10 * G_USEC_PER_SEC; \
        while (!(cond)) {                                               \
            g_assert_cmpint(g_get_monotonic_time(), <, deadline_);      \
            qemu_main_loop_poll_once(false);                            \
            g_usleep(1000);                                             \
        }                                                               \
    } while (0)

static bool have_ptys(void)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);

    if (fd < 0) {
        g_test_skip("no pseudo-terminals on this host (/dev/ptmx)");
        return false;
    }
    close(fd);
    return true;
}

static Chardev *new_chr(const char *optstr)
{
    QemuOpts *opts = qemu_opts_parse(optstr, "backend", &error_abort);
    Chardev *chr = qemu_chr_new_from_opts(opts, &error_abort);

    qemu_opts_free(opts);
    return chr;
}

/* Everything readable from @fd now (non-blocking). */
static char *drain(int fd)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        g_string_append_len(s, buf, n);
    }
    return g_string_free(s, FALSE);
}

static const char *pty_path(Chardev *chr)
{
    const char *label = qemu_chr_label(chr);

    g_assert_true(g_str_has_prefix(label, "pty:/dev/pts/"));
    return label + 4;
}

static void test_pty_basics(void)
{
    g_autoptr(GString) msgs = g_string_new(NULL);
    g_autofree char *expect = NULL;
    g_autofree char *got = NULL;
    Chardev *chr;
    Probe p;
    int client;

    if (!have_ptys()) {
        return;
    }
    error_capture_begin(msgs);
    chr = new_chr("pty,id=p0");
    error_capture_end();
    expect = g_strdup_printf("char device redirected to %s (label p0)",
                             pty_path(chr));
    g_assert_nonnull(strstr(msgs->str, expect));
    probe_init(&p, chr);
    g_assert_false(qemu_chr_is_connected(chr));
    g_assert_true(qemu_chr_has_frontend(chr));

    /* Without a client, output is dropped: none of it arrives later. */
    g_assert_true(qemu_chr_write_all(chr, "stale", 5));
    g_assert_cmpint(qemu_chr_write_nonblock(chr, "stale", 5), ==, 5);

    client = open(pty_path(chr), O_RDWR | O_NOCTTY | O_NONBLOCK);
    g_assert_cmpint(client, >=, 0);
    POLL_UNTIL(p.opened == 1);
    g_assert_true(qemu_chr_is_connected(chr));
    got = drain(client);
    g_assert_cmpstr(got, ==, "");
    g_clear_pointer(&got, g_free);

    /* Raw both ways: CR and LF unchanged, nothing echoed back to us. */
    g_assert_true(qemu_chr_write_all(chr, "out\r\n", 5));
    got = test_read_fd(client, 5, 10);
    g_assert_cmpstr(got, ==, "out\r\n");
    g_assert_cmpint(write(client, "in\r\n\x03", 5), ==, 5);
    POLL_UNTIL(p.data->len >= 5);
    g_assert_cmpstr(p.data->str, ==, "in\r\n\x03");

    /* The client goes and comes back. */
    close(client);
    POLL_UNTIL(p.closed == 1);
    g_assert_false(qemu_chr_is_connected(chr));
    g_assert_true(qemu_chr_write_all(chr, "lost", 4));
    client = open(pty_path(chr), O_RDWR | O_NOCTTY | O_NONBLOCK);
    POLL_UNTIL(p.opened == 2);
    g_assert_true(qemu_chr_write_all(chr, "new", 3));
    g_free(got);
    got = test_read_fd(client, 3, 10);
    g_assert_cmpstr(got, ==, "new");
    close(client);
    qemu_chr_set_handlers(chr, NULL, NULL, NULL);
    g_assert_false(qemu_chr_has_frontend(chr));
    qemu_chr_close(chr);
    g_string_free(p.data, TRUE);
}

/* A client that never reads: output is dropped, we never block. */
static void test_pty_full(void)
{
    g_autofree char *chunk = g_strnfill(4096, 'z');
    Chardev *chr;
    Probe p;
    int client;
    size_t total = 0;
    ssize_t n;

    if (!have_ptys()) {
        return;
    }
    chr = new_chr("pty,id=p1");
    probe_init(&p, chr);
    client = open(pty_path(chr), O_RDWR | O_NOCTTY);
    POLL_UNTIL(p.opened == 1);
    do {
        n = qemu_chr_write_nonblock(chr, chunk, 4096);
        g_assert_cmpint(n, >=, 0);
        total += n;
        g_assert_cmpuint(total, <, 64 << 20);
    } while (n > 0);
    /* Full now: write_all returns at once, having dropped the bytes. */
    for (int i = 0; i < 256; i++) {
        g_assert_true(qemu_chr_write_all(chr, chunk, 4096));
    }
    /* The client still gets what fitted, in order. */
    g_assert_cmpint(read(client, chunk, 16), ==, 16);
    g_assert_cmpint(chunk[0], ==, 'z');
    close(client);
    qemu_chr_close(chr);
    g_string_free(p.data, TRUE);
}

/* mux=on on a socket: Ctrl-A commands are taken out of the input. */
static void test_mux_escapes(void)
{
    g_autofree char *opts = NULL;
    g_autofree char *reply = NULL;
    Chardev *chr;
    Probe p;
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    g_assert_true(g_unix_set_fd_nonblocking(sv[1], TRUE, NULL));
    opts = g_strdup_printf("socket,id=m0,fd=%d,mux=on", sv[0]);
    chr = new_chr(opts);
    probe_init(&p, chr);

    /* C-a C-a is one C-a; unknown commands vanish; C-a h answers. */
    g_assert_cmpint(write(sv[1], "a\x01\x01" "b\x01zc\x01h", 9), ==, 9);
    POLL_UNTIL(p.data->len >= 3);
    g_assert_cmpstr(p.data->str, ==, "a\x01" "bc");
    reply = test_read_fd(sv[1], 10, 10);
    g_assert_true(g_str_has_prefix(reply, "\r\nC-a h"));
    g_free(drain(sv[1]));

    /* A command split over two reads still works. */
    g_assert_cmpint(write(sv[1], "d\x01", 2), ==, 2);
    POLL_UNTIL(p.data->len == 4);
    g_assert_cmpint(qemu_system_shutdown_cause(), ==, SHUTDOWN_CAUSE_NONE);
    g_assert_cmpint(write(sv[1], "x", 1), ==, 1);
    POLL_UNTIL(qemu_system_shutdown_cause() == SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    g_assert_cmpstr(p.data->str, ==, "a\x01" "bcd");
    g_free(reply);
    reply = test_read_fd(sv[1], 18, 10);
    g_assert_cmpstr(reply, ==, "QEMU: Terminated\r\n");
    qemu_chr_close(chr);
    close(sv[1]);
    g_string_free(p.data, TRUE);
}

static void test_short_forms(void)
{
    Error *err = NULL;
    Chardev *chr;

    /* "mon:" is mux=on; on stdio it also passes Ctrl-C on. */
    chr = qemu_chr_new("n0", "mon:null", &error_abort);
    g_assert_cmpstr(qemu_chr_label(chr), ==, "null");
    qemu_chr_close(chr);
    g_assert_null(qemu_chr_new("n1", "mon:bogus", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'bogus'"));
    error_free(err);
    err = NULL;
    g_assert_null(qemu_chr_new("n2", "null,mux=maybe", &err));
    error_free(err);
    if (have_ptys()) {
        chr = qemu_chr_new("p2", "pty", &error_abort);
        g_assert_true(g_str_has_prefix(qemu_chr_label(chr), "pty:/dev/"));
        qemu_chr_close(chr);
    }
}

/* A pty pair standing in for the user's terminal. */
typedef struct Term {
    int master;
    int slave;
    struct termios orig;
} Term;

static bool term_open(Term *t)
{
    char name[PATH_MAX];

    if (!have_ptys()) {
        return false;
    }
    t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint(grantpt(t->master), ==, 0);
    g_assert_cmpint(unlockpt(t->master), ==, 0);
    g_assert_cmpint(ptsname_r(t->master, name, sizeof(name)), ==, 0);
    t->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint(t->slave, >=, 0);
    g_assert_cmpint(tcgetattr(t->slave, &t->orig), ==, 0);
    /* A cooked terminal, as a shell leaves it. */
    g_assert_true(t->orig.c_lflag & ECHO);
    g_assert_true(t->orig.c_lflag & ICANON);
    g_assert_true(t->orig.c_lflag & ISIG);
    return true;
}

static void term_close(Term *t)
{
    close(t->slave);
    close(t->master);
}

static void assert_same_termios(const struct termios *a,
                                const struct termios *b)
{
    g_assert_cmphex(a->c_iflag, ==, b->c_iflag);
    g_assert_cmphex(a->c_oflag, ==, b->c_oflag);
    g_assert_cmphex(a->c_lflag, ==, b->c_lflag);
    g_assert_cmphex(a->c_cflag, ==, b->c_cflag);
}

static void test_terminal_raw(void)
{
    struct termios now;
    Term t;
    int null_fd;

    if (!term_open(&t)) {
        return;
    }
    g_assert_true(terminal_set_raw(t.slave, false));
    g_assert_cmpint(tcgetattr(t.slave, &now), ==, 0);
    g_assert_false(now.c_lflag & (ECHO | ICANON | ISIG | IEXTEN));
    g_assert_false(now.c_iflag & (ICRNL | IXON));
    g_assert_true(now.c_oflag & OPOST);
    g_assert_cmpint(now.c_cc[VMIN], ==, 1);

    /* signal=on keeps Ctrl-C a signal; settings come from the original. */
    g_assert_true(terminal_set_raw(t.slave, true));
    g_assert_cmpint(tcgetattr(t.slave, &now), ==, 0);
    g_assert_true(now.c_lflag & ISIG);
    g_assert_false(now.c_lflag & ECHO);

    terminal_restore();
    g_assert_cmpint(tcgetattr(t.slave, &now), ==, 0);
    assert_same_termios(&now, &t.orig);
    terminal_restore();

    /* Not a terminal: nothing to do. */
    null_fd = open("/dev/null", O_RDWR);
    g_assert_true(terminal_set_raw(null_fd, false));
    terminal_restore();
    close(null_fd);
    term_close(&t);
}

typedef enum ExitWay {
    EXIT_CALL,
    EXIT_SIGTERM,
    EXIT_SIGQUIT,
    EXIT_ABORT,
    EXIT_FAULT,
} ExitWay;

/* A child goes raw and leaves by @way; the terminal is as before. */
static void test_terminal_exit(gconstpointer data)
{
    ExitWay way = GPOINTER_TO_INT(data);
    struct termios now;
    int status;
    pid_t pid;
    Term t;

    if (!term_open(&t)) {
        return;
    }
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        struct rlimit no_core = { 0, 0 };
        int null_fd = open("/dev/null", O_WRONLY);

        /* No core files, and no sanitizer report in the test log. */
        setrlimit(RLIMIT_CORE, &no_core);
        dup2(null_fd, STDERR_FILENO);
        /*
         * A shell's background job starts with SIGINT and SIGQUIT ignored,
         * and an ignored signal ends nothing (terminal.c leaves it so).
         */
        signal(SIGQUIT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (!terminal_set_raw(t.slave, false)) {
            _exit(99);
        }
        switch (way) {
        case EXIT_CALL:
            exit(3);
        case EXIT_SIGTERM:
            kill(getpid(), SIGTERM);
            break;
        case EXIT_SIGQUIT:
            raise(SIGQUIT);
            break;
        case EXIT_ABORT:
            abort();
        case EXIT_FAULT: {
            volatile uintptr_t unmapped = 8;

            *(volatile int *)unmapped = 1;
            break;
        }
        }
        _exit(98);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_false(WIFEXITED(status) &&
                   (WEXITSTATUS(status) == 98 || WEXITSTATUS(status) == 99));
    switch (way) {
    case EXIT_CALL:
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 3);
        break;
    case EXIT_SIGTERM:
        g_assert_true(WIFSIGNALED(status));
        g_assert_cmpint(WTERMSIG(status), ==, SIGTERM);
        break;
    case EXIT_SIGQUIT:
        g_assert_true(WIFSIGNALED(status));
        g_assert_cmpint(WTERMSIG(status), ==, SIGQUIT);
        break;
    default:
        /* Died of the signal, or a sanitizer reported it and exited. */
        g_assert_true(WIFSIGNALED(status) || WEXITSTATUS(status) != 0);
        break;
    }
    g_assert_cmpint(tcgetattr(t.slave, &now), ==, 0);
    assert_same_termios(&now, &t.orig);
    term_close(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/chardev/pty/basics", test_pty_basics);
    g_test_add_func("/chardev/pty/full", test_pty_full);
    g_test_add_func("/chardev/mux-escapes", test_mux_escapes);
    g_test_add_func("/chardev/short-forms", test_short_forms);
    g_test_add_func("/terminal/raw", test_terminal_raw);
    g_test_add_data_func("/terminal/exit/exit-call",
                         GINT_TO_POINTER(EXIT_CALL), test_terminal_exit);
    g_test_add_data_func("/terminal/exit/sigterm",
                         GINT_TO_POINTER(EXIT_SIGTERM), test_terminal_exit);
    g_test_add_data_func("/terminal/exit/sigquit",
                         GINT_TO_POINTER(EXIT_SIGQUIT), test_terminal_exit);
    g_test_add_data_func("/terminal/exit/abort",
                         GINT_TO_POINTER(EXIT_ABORT), test_terminal_exit);
    g_test_add_data_func("/terminal/exit/fault",
                         GINT_TO_POINTER(EXIT_FAULT), test_terminal_exit);
    return g_test_run();
}
