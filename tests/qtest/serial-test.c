/*
 * The 16550A UART end to end, driven with outb/inb on q35 under qtest:
 * -serial file:, socket input with its interrupt, a second port from
 * -device, the pty backend as libvirt uses it, -nographic on a real
 * terminal (raw mode, Ctrl-A commands, restore), and the command-line
 * errors.
 */
#include "qemu/osdep.h"
#include <linux/serial_reg.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include "libqtest.h"
#include "fd-test-util.h"

#define COM1 0x3f8
#define COM2 0x2f8
#define WAIT_S 20
#define WAIT_US (WAIT_S * G_USEC_PER_SEC)

static void outs(QTestState *qts, uint16_t base, const char *text)
{
    for (const char *p = text; *p; p++) {
        qtest_outb(qts, base + UART_TX, *p);
    }
}

/* Wait for the guest to see data in RBR (input arrives asynchronously). */
static void wait_rx_ready(QTestState *qts, uint16_t base)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_US;

    while (!(qtest_inb(qts, base + UART_LSR) & UART_LSR_DR)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
}

static char *read_rx(QTestState *qts, uint16_t base, size_t len)
{
    GString *s = g_string_new(NULL);

    while (s->len < len) {
        wait_rx_ready(qts, base);
        g_string_append_c(s, qtest_inb(qts, base + UART_RX));
    }
    return g_string_free(s, FALSE);
}

static void assert_nothing_to_read(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    g_assert_cmpint(poll(&pfd, 1, 100), ==, 0);
}

static char *tmpdir_new(void)
{
    char *dir = g_dir_make_tmp("qvfio-serial-XXXXXX", NULL);

    g_assert_nonnull(dir);
    return dir;
}

/* -serial file: what the guest writes is in the file at once. */
static void test_file_output(void)
{
    g_autofree char *dir = tmpdir_new();
    g_autofree char *path = g_build_filename(dir, "console.log", NULL);
    g_autofree char *text = NULL;
    QTestState *qts = qtest_initf("-machine q35 -serial file:%s", path);

    g_assert_cmphex(qtest_inb(qts, COM1 + UART_LSR), ==,
                    UART_LSR_THRE | UART_LSR_TEMT);
    outs(qts, COM1, "Linux version 6.1\r\n");
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "Linux version 6.1\r\n");
    /* Only port 0 exists: nothing answers at COM2. */
    g_assert_cmphex(qtest_inb(qts, COM2 + UART_LSR), ==, 0xff);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    qtest_remove_tmpdir(dir);
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    int fd;

    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    for (;;) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
            return fd;
        }
        close(fd);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(5000);
    }
}

static bool log_contains(QTestState *qts, const char *text)
{
    g_autofree char *log = NULL;

    return g_file_get_contents(qtest_log_path(qts), &log, NULL, NULL) &&
           strstr(log, text);
}

/* Bytes into a socket chardev reach RBR and raise ISA IRQ 4. */
static void test_socket_input_irq(void)
{
    g_autofree char *dir = tmpdir_new();
    g_autofree char *sock = g_build_filename(dir, "serial.sock", NULL);
    g_autofree char *got = NULL;
    g_autofree char *out = NULL;
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    QTestState *qts;
    int fd;

    qts = qtest_initf("-machine q35 -chardev socket,id=s0,path=%s,server=on,"
                      "wait=off -serial chardev:s0", sock);
    fd = connect_unix(sock);
    qtest_irq_intercept_in(qts, "ioapic");
    qtest_outb(qts, COM1 + UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR |
               UART_MCR_RTS);
    qtest_outb(qts, COM1 + UART_IER, UART_IER_RDI);
    g_assert_false(qtest_get_irq(qts, 4));

    g_assert_cmpint(write(fd, "k", 1), ==, 1);
    while (!qtest_get_irq(qts, 4)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
    g_assert_true(log_contains(qts, "IRQ raise 4"));
    g_assert_cmphex(qtest_inb(qts, COM1 + UART_IIR), ==, UART_IIR_RDI);
    g_assert_cmphex(qtest_inb(qts, COM1 + UART_RX), ==, 'k');
    g_assert_false(qtest_get_irq(qts, 4));
    g_assert_true(log_contains(qts, "IRQ lower 4"));

    /* More than the FIFO holds, FIFO on: all of it, in order. */
    qtest_outb(qts, COM1 + UART_FCR, UART_FCR_ENABLE_FIFO |
               UART_FCR_TRIGGER_1);
    g_assert_cmpint(write(fd, "0123456789abcdefghijklmnopqrstuvwxyz", 36),
                    ==, 36);
    got = read_rx(qts, COM1, 36);
    g_assert_cmpstr(got, ==, "0123456789abcdefghijklmnopqrstuvwxyz");

    /* And the other way. */
    outs(qts, COM1, "login: ");
    out = test_read_fd(fd, 7, WAIT_S);
    g_assert_cmpstr(out, ==, "login: ");
    close(fd);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    qtest_remove_tmpdir(dir);
}

/* -device isa-serial,index=1: COM2's ports and IRQ 3. */
static void test_second_port(void)
{
    g_autofree char *dir = tmpdir_new();
    g_autofree char *path = g_build_filename(dir, "com2.log", NULL);
    g_autofree char *text = NULL;
    QTestState *qts = qtest_initf("-machine q35 -chardev file,id=c1,path=%s "
                                  "-device isa-serial,chardev=c1,index=1,"
                                  "id=com2", path);

    qtest_irq_intercept_in(qts, "ioapic");
    outs(qts, COM2, "ttyS1");
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "ttyS1");
    g_assert_cmphex(qtest_inb(qts, COM1 + UART_LSR), ==, 0xff);
    qtest_outb(qts, COM2 + UART_MCR, UART_MCR_OUT2);
    qtest_outb(qts, COM2 + UART_IER, UART_IER_THRI);
    g_assert_true(qtest_get_irq(qts, 3));
    g_assert_false(qtest_get_irq(qts, 4));
    g_assert_cmphex(qtest_inb(qts, COM2 + UART_IIR), ==, UART_IIR_THRI);
    g_assert_false(qtest_get_irq(qts, 3));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    qtest_remove_tmpdir(dir);
}

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

/* query-chardev's filename for @label. */
static char *chardev_filename(QTestState *qts, const char *label)
{
    JsonObject *r = qtest_qmp(qts, "{\"execute\":\"query-chardev\"}");
    JsonArray *arr = json_node_get_array(qmp_return(r));
    char *filename = NULL;

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *info = json_array_get_object_element(arr, i);

        if (!strcmp(json_object_get_string_member(info, "label"), label)) {
            filename = g_strdup(json_object_get_string_member(info,
                                                              "filename"));
        }
    }
    json_object_unref(r);
    g_assert_nonnull(filename);
    return filename;
}

static void pty_roundtrip(QTestState *qts, const char *label)
{
    g_autofree char *filename = chardev_filename(qts, label);
    g_autofree char *err = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *got = NULL;
    const char *path;
    int fd;

    g_assert_true(g_str_has_prefix(filename, "pty:/dev/pts/"));
    path = filename + 4;
    err = qtest_get_stderr(qts);
    msg = g_strdup_printf("char device redirected to %s (label %s)", path,
                          label);
    g_assert_nonnull(strstr(err, msg));

    fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    /* Keys typed on the pty reach RBR unchanged (raw: CR stays CR). */
    g_assert_cmpint(write(fd, "root\r", 5), ==, 5);
    got = read_rx(qts, COM1, 5);
    g_assert_cmpstr(got, ==, "root\r");
    /* What the guest writes appears on the pty, and is not echoed back. */
    outs(qts, COM1, "# \n");
    g_free(got);
    got = test_read_fd(fd, 3, WAIT_S);
    g_assert_cmpstr(got, ==, "# \n");
    g_usleep(50 * 1000);
    g_assert_false(qtest_inb(qts, COM1 + UART_LSR) & UART_LSR_DR);
    close(fd);
}

/* libvirt's command line for <serial type='pty'>, and -serial pty. */
static void test_pty(void)
{
    QTestState *qts;

    if (!have_ptys()) {
        return;
    }
    qts = qtest_init_with_qmp("-machine q35 -chardev pty,id=charserial0 "
                              "-device '{\"driver\":\"isa-serial\","
                              "\"chardev\":\"charserial0\",\"id\":\"serial0\","
                              "\"index\":0}'");
    pty_roundtrip(qts, "charserial0");
    g_assert_cmpint(qtest_quit(qts), ==, 0);

    qts = qtest_init_with_qmp("-machine q35 -serial pty");
    pty_roundtrip(qts, "serial0");
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* A pty nobody reads: the guest writes on and qvfio stays responsive. */
static void test_pty_unread(void)
{
    g_autofree char *filename = NULL;
    QTestState *qts;
    int fd;

    if (!have_ptys()) {
        return;
    }
    qts = qtest_init_with_qmp("-machine q35 -serial pty");
    filename = chardev_filename(qts, "serial0");
    fd = open(filename + 4, O_RDWR | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    /* Connected once the first byte comes through. */
    g_assert_cmpint(write(fd, "x", 1), ==, 1);
    g_free(read_rx(qts, COM1, 1));
    /* More than the pty buffers: the rest waits or is dropped. */
    for (int i = 0; i < 24; i++) {
        g_autofree char *line = g_strnfill(1023, 'a' + i % 26);

        outs(qts, COM1, line);
    }
    json_object_unref(qtest_qmp(qts, "{\"execute\":\"query-status\"}"));
    close(fd);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* -nographic without -serial: serial port 0 on stdio. */
static void test_nographic_default(void)
{
    g_autofree char *dir = tmpdir_new();
    g_autofree char *path = g_build_filename(dir, "stdout", NULL);
    g_autofree char *text = NULL;
    QTestState *qts = qtest_initf("-machine q35 -nographic </dev/null >%s",
                                  path);

    outs(qts, COM1, "console");
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "console");

    /* -nodefaults, or a -device isa-serial, and there is no default. */
    qts = qtest_initf("-machine q35 -nographic -nodefaults </dev/null >%s",
                      path);
    g_assert_cmphex(qtest_inb(qts, COM1 + UART_LSR), ==, 0xff);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    qts = qtest_initf("-machine q35 -nographic -device isa-serial "
                      "</dev/null >%s", path);
    g_assert_cmphex(qtest_inb(qts, COM1 + UART_LSR), ==,
                    UART_LSR_THRE | UART_LSR_TEMT);
    outs(qts, COM1, "nowhere");
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    g_free(text);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "");
    /* -serial none: no UART at all. */
    qts = qtest_init("-machine q35 -nographic -serial none");
    g_assert_cmphex(qtest_inb(qts, COM1 + UART_LSR), ==, 0xff);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    qtest_remove_tmpdir(dir);
}

/* "-serial none -serial file:" puts the file on index 1 (COM2). */
static void test_serial_none_keeps_index(void)
{
    g_autofree char *dir = tmpdir_new();
    g_autofree char *path = g_build_filename(dir, "com2", NULL);
    g_autofree char *text = NULL;
    QTestState *qts = qtest_initf("-machine q35 -serial none -serial file:%s",
                                  path);

    g_assert_cmphex(qtest_inb(qts, COM1 + UART_LSR), ==, 0xff);
    outs(qts, COM2, "two");
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "two");
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    qtest_remove_tmpdir(dir);
}

/* The user's terminal, played by a pty pair. */
typedef struct Term {
    int master;
    char *slave_path;
    int slave;                  /* ours, to look at the settings */
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
    t->slave_path = g_strdup(name);
    t->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint(t->slave, >=, 0);
    g_assert_cmpint(tcgetattr(t->slave, &t->orig), ==, 0);
    g_assert_true(t->orig.c_lflag & ECHO);
    return true;
}

static void term_close(Term *t)
{
    close(t->slave);
    close(t->master);
    g_free(t->slave_path);
}

static void assert_term_restored(Term *t)
{
    struct termios now;

    g_assert_cmpint(tcgetattr(t->slave, &now), ==, 0);
    g_assert_cmphex(now.c_iflag, ==, t->orig.c_iflag);
    g_assert_cmphex(now.c_oflag, ==, t->orig.c_oflag);
    g_assert_cmphex(now.c_lflag, ==, t->orig.c_lflag);
}

/* qvfio on the terminal: raw while it runs (and its Ctrl-C for us). */
static QTestState *start_on_term(Term *t, const char *args)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    QTestState *qts = qtest_initf("-machine q35 %s <%s >%s", args,
                                  t->slave_path, t->slave_path);
    struct termios now;

    do {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_assert_cmpint(tcgetattr(t->slave, &now), ==, 0);
    } while (now.c_lflag & ECHO);
    g_assert_false(now.c_lflag & ICANON);
    return qts;
}

static void test_nographic_terminal(void)
{
    g_autofree char *got = NULL;
    g_autofree char *out = NULL;
    struct termios now;
    QTestState *qts;
    Term t;

    if (!term_open(&t)) {
        return;
    }
    qts = start_on_term(&t, "-nographic");
    g_assert_cmpint(tcgetattr(t.slave, &now), ==, 0);
    g_assert_false(now.c_lflag & ISIG);

    /* Ctrl-C and CR go to the guest; C-a C-a is one C-a. */
    g_assert_cmpint(write(t.master, "a\x03\r\x01\x01z", 6), ==, 6);
    got = read_rx(qts, COM1, 5);
    g_assert_cmpstr(got, ==, "a\x03\r\x01z");
    assert_nothing_to_read(t.master);       /* no echo */
    outs(qts, COM1, "guest");
    out = test_read_fd(t.master, 5, WAIT_S);
    g_assert_cmpstr(out, ==, "guest");

    /* C-a x ends qvfio, which says so; the terminal is as before. */
    g_assert_cmpint(write(t.master, "\x01x", 2), ==, 2);
    g_free(out);
    out = test_read_fd(t.master, 16, WAIT_S);
    g_assert_cmpstr(out, ==, "QEMU: Terminated");
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    assert_term_restored(&t);
    term_close(&t);
}

/* -serial stdio keeps Ctrl-C a signal; any way out restores the terminal. */
static void test_stdio_terminal_signals(void)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
    struct termios now;
    Term t;

    if (!term_open(&t)) {
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        QTestState *qts = start_on_term(&t, "-serial stdio");

        g_assert_cmpint(tcgetattr(t.slave, &now), ==, 0);
        g_assert_true(now.c_lflag & ISIG);
        kill(qtest_pid(qts), sigs[i]);
        g_assert_true(qtest_wait_pid_gone(qtest_pid(qts), 20000));
        qtest_quit(qts);
        assert_term_restored(&t);
    }
    term_close(&t);
}

/* A monitor or qtest on the terminal is no console: it stays cooked. */
static void test_stdio_monitor_stays_cooked(void)
{
    QTestState *qts;
    Term t;

    if (!term_open(&t)) {
        return;
    }
    qts = qtest_initf("-machine q35 -qmp stdio <%s >%s", t.slave_path,
                      t.slave_path);
    g_free(test_read_fd(t.master, 5, WAIT_S));      /* the greeting is out */
    assert_term_restored(&t);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    term_close(&t);
}

/* -chardev help lists the backends, without a machine to build. */
static void test_chardev_help(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary(qtest_product_binary(), "-chardev help",
                                   NULL, &out, &err, &status));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_cmpstr(err, ==, "");
    for (const char *const *b = (const char *const[]) {
             "  pty\n", "  null\n", "  file\n", "  stdio\n", "  socket\n",
             NULL }; *b; b++) {
        g_assert_nonnull(strstr(out, *b));
    }
}

typedef struct BadCase {
    const char *args;
    const char *message;        /* expected in the single stderr line */
} BadCase;

static const BadCase bad_cases[] = {
    { "-accel qtest -serial vc", "-serial vc: 'vc' is not a serial port" },
    { "-accel qtest -serial tcp:nohostport", "HOST:PORT" },
    { "-accel qtest -serial file:/nonexistent/dir/f", "/nonexistent/dir/f" },
    { "-accel qtest -serial chardev:nope", "chardev 'nope' not found" },
    { "-accel qtest -serial null -serial null -serial null -serial null "
      "-serial null", "too many serial ports: at most 4" },
    { "-accel qtest -qtest stdio -serial stdio",
      "cannot use stdio by multiple character devices" },
    { "-accel qtest -qmp stdio -nographic", "-nographic: cannot use stdio "
      "by multiple character devices" },
    { "-machine none -serial null",
      "-serial null: isa-serial needs a machine with ISA interrupts" },
    { "-machine none -device isa-serial",
      "isa-serial needs a machine with ISA interrupts, such as q35" },
    { "-accel qtest -serial null -device isa-serial,index=0",
      "I/O port 0x3f8 is already used by the isa-serial with index 0" },
    { "-accel qtest -device isa-serial,index=4", "index 4 is out of range" },
    { "-accel qtest -device isa-serial,irq=99", "irq 99 is out of range" },
    { "-accel qtest -device isa-serial,iobase=0x510",
      "already used by 'fwcfg'" },
    { "-accel qtest -device isa-serial,chardev=nope",
      "Property 'isa-serial.chardev' can't find value 'nope'" },
    { "-accel qtest -chardev null,id=c -serial chardev:c -serial chardev:c",
      "can't take value 'c', it's in use" },
    { "-accel qtest -serial mon:stdio -daemonize",
      "cannot use stdio with -daemonize" },
    { "-accel qtest -nographic -daemonize",
      "-nographic: cannot be used with -daemonize" },
};

static void test_bad_cmdline(gconstpointer data)
{
    const BadCase *c = data;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_auto(GStrv) lines = NULL;
    int status;

    g_assert_true(qtest_run_binary(qtest_binary(), c->args, NULL, &out, &err,
                                   &status));
    lines = g_strsplit(g_strchomp(err), "\n", -1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 ||
        g_strv_length(lines) != 1 || !strstr(err, c->message)) {
        g_error("'%s': status 0x%x, stderr: %s", c->args, status, err);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_binary();
    g_test_add_func("/serial/file-output", test_file_output);
    g_test_add_func("/serial/socket-input-irq", test_socket_input_irq);
    g_test_add_func("/serial/second-port", test_second_port);
    g_test_add_func("/serial/pty", test_pty);
    g_test_add_func("/serial/pty-unread", test_pty_unread);
    g_test_add_func("/serial/nographic-default", test_nographic_default);
    g_test_add_func("/serial/none-keeps-index", test_serial_none_keeps_index);
    g_test_add_func("/serial/nographic-terminal", test_nographic_terminal);
    g_test_add_func("/serial/stdio-terminal-signals",
                    test_stdio_terminal_signals);
    g_test_add_func("/serial/chardev-help", test_chardev_help);
    g_test_add_func("/serial/stdio-monitor-stays-cooked",
                    test_stdio_monitor_stays_cooked);
    for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
        g_autofree char *name = g_strdup_printf("/serial/bad-cmdline/%zu", i);

        g_test_add_data_func(name, &bad_cases[i], test_bad_cmdline);
    }
    return g_test_run();
}
