/*
 * qtest_process_line without a process: a tiny machine made of one RAM
 * block, one I/O register and one device with GPIO inputs. Also the
 * chardevs the server talks over, driven through the main loop.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "qemu/timer.h"
#include "system/chardev.h"
#include "qom/object.h"
#include "hw/core/qdev.h"
#include "system/memory.h"
#include "system/qtest.h"

#define RAM_BASE 0x100000
#define RAM_SIZE 0x10000
#define PORT_BASE 0x1000

#define TYPE_GPIO_TEST_DEV "qtest-unit-gpio-dev"

static MemoryRegion ram;
static MemoryRegion port_mr;
static uint32_t port_value;
static int gpio_seen[4];

static uint64_t port_read(void *opaque, hwaddr addr, unsigned size)
{
    return port_value >> (addr * 8);
}

static void port_write(void *opaque, hwaddr addr, uint64_t data,
                       unsigned size)
{
    uint32_t mask = (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1)
                    << (addr * 8);

    port_value = (port_value & ~mask) | ((uint32_t)data << (addr * 8) & mask);
}

static const MemoryRegionOps port_ops = {
    .read = port_read,
    .write = port_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static void gpio_handler(void *opaque, int n, int level)
{
    gpio_seen[n] = level;
}

static const TypeInfo gpio_test_dev_info = {
    .name = TYPE_GPIO_TEST_DEV,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(DeviceState),
};

static void machine_init(void)
{
    DeviceState *dev;

    memory_system_init();
    g_assert(memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, NULL));
    memory_region_add_subregion(get_system_memory(), RAM_BASE, &ram);
    memory_region_init_io(&port_mr, NULL, &port_ops, NULL, "port", 4);
    memory_region_add_subregion(get_system_io(), PORT_BASE, &port_mr);

    type_register_static(&gpio_test_dev_info);
    for (int i = 0; i < 2; i++) {
        g_autofree char *name = g_strdup_printf("gpiodev%d", i);

        dev = qdev_new(TYPE_GPIO_TEST_DEV);
        qdev_init_gpio_in(dev, gpio_handler, 4);
        g_assert(object_property_add_child(object_get_root(), name,
                                           OBJECT(dev), NULL));
        object_unref(OBJECT(dev));
    }
}

static void check(const char *req, const char *want)
{
    g_autofree char *reply = qtest_process_line(req);

    g_assert_cmpstr(reply, ==, want);
}

static void check_prefix(const char *req, const char *prefix)
{
    g_autofree char *reply = qtest_process_line(req);

    if (!g_str_has_prefix(reply, prefix)) {
        g_error("'%s': got '%s', want '%s...'", req, reply, prefix);
    }
    g_assert(!strchr(reply, '\n'));
}

static void test_port_io(void)
{
    check("outl 0x1000 0x12345678", "OK");
    g_assert_cmphex(port_value, ==, 0x12345678);
    check("inb 0x1000", "OK 0x0078");
    check("inb 0x1003", "OK 0x0012");
    check("inw 0x1000", "OK 0x5678");
    check("inl 0x1000", "OK 0x12345678");
    check("outb 0x1001 0xab", "OK");
    check("inl 4096", "OK 0x1234ab78");
    check("outw 0x1002 0", "OK");
    check("inl 010000", "OK 0xab78");
}

static void test_memory(void)
{
    check("endianness", "OK little");
    check("writeb 0x100000 0xff", "OK");
    check("readb 0x100000", "OK 0x00000000000000ff");
    check("writew 0x100002 0xbeef", "OK");
    check("readl 0x100000", "OK 0x00000000beef00ff");
    check("writeq 0x100008 0x8877665544332211", "OK");
    check("readq 0x100008", "OK 0x8877665544332211");
    check("readw 0x10000e", "OK 0x0000000000008877");

    check("write 0x100010 0x3 0x010203", "OK");
    check("read 0x100010 0x4", "OK 0x01020300");
    check("write 0x100010 0x4 0xff", "OK");
    check("read 0x100010 0x4", "OK 0xff000000");
    check("write 0x100010 0x4 0XAB", "OK");
    check("read 0x100010 0x1", "OK 0xab");
    check("write 0x100010 0x4 0x", "ERR invalid argument size");
    check("write 0x100010 0x4 ab", "ERR invalid argument size");
    check("b64write 0x100020 0x4 3q2+7w==", "OK");
    check("read 0x100020 0x4", "OK 0xdeadbeef");
    check("b64read 0x100020 0x4", "OK 3q2+7w==");
    check("b64write 0x100020 0x4 AA", "ERR invalid argument size");
    /* Length mismatch: QEMU writes what was decoded. */
    check("b64write 0x100020 0x4 AAAA", "OK");
    check("read 0x100020 0x4", "OK 0x000000ef");
    check("memset 0x100030 0x3 0x7f", "OK");
    check("read 0x10002f 0x5", "OK 0x007f7f7f00");
    check("memset 0x100030 0 0x7f", "OK");
    check("module_load a b", "FAIL");
}

static void test_errors(void)
{
    static const char *const bad[] = {
        "", " ", "outb", "outb 0x1000", "outb 0x10000 1", "outb 0x1000 0x100",
        "outw 0x1000 0x10000", "outl 0x1000 0x100000000", "inb", "inb x",
        "inb -1", "inb +1", "inb 0x", "inb 09", "inb 1 2", "inb  1",
        "readb", "readq 0xfffffffffffffff9", "writeq 0 0x10000000000000000",
        "read 0x100000 0", "read 0x100000 0x4000001", "read 0x100000",
        "read 0xffffffffffffffff 2", "write 0x100000 0x2 0x123",
        "write 0x100000 0x2 0xgg", "write 0x100000 0x1 0x1234",
        "write 0x100000 0x2 1x12", "write 0x100000 0x4000001 0x00",
        "b64write 0x100000 0x4 ab!c", "b64read 0x100000 0x0",
        "memset 0x100000 1 256", "memset 0x100000 0x4000001 0",
        "memset 0x100000 1", "irq_intercept_in", "set_irq_in a b c",
        "endianness x", "nonsense", "Inb 0x1000", "clock_step",
        "clock_set 1", "module_load",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        check_prefix(bad[i], "FAIL");
    }
    check("nonsense 1 2", "FAIL Unknown command 'nonsense'");
    check("\x01\x7f\xff", "FAIL Unknown command '\\x01\\x7f\\xff'");
    check("inb 0x10000", "FAIL ADDR 0x10000 out of range (max 0xffff)");
    check("read 0x100000 0", "FAIL SIZE must not be 0");
    check("outb", "FAIL missing arguments (usage: outb ADDR VALUE)");
    check("inb 1 2", "FAIL too many arguments (usage: inb ADDR)");
    check("inb zz", "FAIL invalid ADDR 'zz': not a number");
    /* Carriage returns of CRLF lines are dropped. */
    check("endianness\r", "OK little");
}

static int timer_fired;

static void timer_cb(void *opaque)
{
    timer_fired++;
}

static void test_clock(void)
{
    QEMUTimer *t;
    int64_t now;
    g_autofree char *req = NULL;
    g_autofree char *want = NULL;

    qtest_set_enabled(false);
    check("clock_step 10", "FAIL Unknown command 'clock_step'");
    check("clock_set 10", "FAIL Unknown command 'clock_set'");

    qtest_set_enabled(true);
    g_assert(qtest_enabled());
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    check("clock_step", "FAIL cannot advance clock to the next deadline "
          "because there is no pending deadline");
    check("clock_step 0", "FAIL could not advance time");
    check("clock_step -1", "FAIL could not advance time");
    check_prefix("clock_step abc", "FAIL invalid NS");

    t = timer_new_ns(QEMU_CLOCK_VIRTUAL, timer_cb, NULL);
    timer_mod(t, now + 1000);
    want = g_strdup_printf("OK %" PRIi64, now + 1000);
    check("clock_step", want);
    g_assert_cmpint(timer_fired, ==, 1);

    timer_mod(t, now + 5000);
    g_free(want);
    want = g_strdup_printf("OK %" PRIi64, now + 1100);
    check("clock_step 100", want);
    g_assert_cmpint(timer_fired, ==, 1);
    req = g_strdup_printf("clock_set %" PRIi64, now + 6000);
    g_free(want);
    want = g_strdup_printf("OK %" PRIi64, now + 6000);
    check(req, want);
    g_assert_cmpint(timer_fired, ==, 2);
    g_free(req);
    req = g_strdup_printf("clock_set %" PRIi64, now);
    g_free(want);
    want = g_strdup_printf("FAIL %" PRIi64, now + 6000);
    check(req, want);
    timer_free(t);
}

static void test_irq(void)
{
    check("irq_intercept_in /nowhere", "FAIL Unknown device");
    check("irq_intercept_in /gpiodev0 name",
          "FAIL Interception of named in-GPIOs not yet supported");
    check("set_irq_in /nowhere unnamed-gpio-in 0 1", "FAIL Unknown device");

    /* Not intercepted yet: the device's own handler runs. */
    check("set_irq_in /gpiodev0 unnamed-gpio-in 3 1", "OK");
    g_assert_cmpint(gpio_seen[3], ==, 1);
    check("set_irq_in /gpiodev0 unnamed-gpio-in 3 0", "OK");
    g_assert_cmpint(gpio_seen[3], ==, 0);
    check_prefix("set_irq_in /gpiodev0 unnamed-gpio-in 4 1", "FAIL");
    check_prefix("set_irq_in /gpiodev0 other-gpio 0 1", "FAIL");

    check("irq_intercept_in gpiodev0", "OK");
    check("irq_intercept_in /gpiodev0", "OK");
    check("irq_intercept_in /gpiodev1", "FAIL IRQ intercept already enabled");
    check("irq_intercept_out /gpiodev1", "FAIL IRQ intercept already enabled");

    check("set_irq_in /gpiodev0 unnamed-gpio-in 2 1", "IRQ raise 2\nOK");
    check("set_irq_in /gpiodev0 unnamed-gpio-in 2 5", "OK");
    check("set_irq_in /gpiodev0 unnamed-gpio-in 2 0", "IRQ lower 2\nOK");
    check("set_irq_in /gpiodev0 unnamed-gpio-in 2 0", "OK");
    check("set_irq_in /gpiodev0 unnamed-gpio-in 1 -1", "IRQ raise 1\nOK");
    g_assert_cmpint(gpio_seen[2], ==, 0);
    g_assert_cmpint(gpio_seen[1], ==, 0);

    /* A fresh server forgets the interception. */
    qtest_server_cleanup();
    check("irq_intercept_out /no/such", "FAIL Unknown device");
    check("irq_intercept_out /gpiodev1", "OK");
    check("irq_intercept_in /gpiodev0", "FAIL IRQ intercept already enabled");
    qtest_server_cleanup();
}

/* Chardevs */

typedef struct ChrProbe {
    GString *data;
    int opened;
    int closed;
    int taken_fd;               /* first fd taken in the read handler */
    bool take_fds;
    bool close_in_handler;
    bool disconnect_in_handler;
    Chardev *chr;
} ChrProbe;

static void probe_read(void *opaque, const uint8_t *buf, size_t len)
{
    ChrProbe *p = opaque;

    g_string_append_len(p->data, (const char *)buf, len);
    if (p->take_fds && p->taken_fd < 0) {
        p->taken_fd = qemu_chr_take_fd(p->chr);
    }
    if (p->disconnect_in_handler) {
        qemu_chr_disconnect(p->chr);
    }
    if (p->close_in_handler) {
        qemu_chr_close(p->chr);
        p->chr = NULL;
    }
}

static void probe_event(void *opaque, ChardevEvent event)
{
    ChrProbe *p = opaque;

    if (event == CHR_EVENT_OPENED) {
        p->opened++;
    } else {
        p->closed++;
    }
}

static void probe_init(ChrProbe *p, Chardev *chr)
{
    memset(p, 0, sizeof(*p));
    p->data = g_string_new(NULL);
    p->taken_fd = -1;
    p->chr = chr;
    qemu_chr_set_handlers(chr, probe_read, probe_event, p);
}

static void probe_free(ChrProbe *p)
{
    g_string_free(p->data, TRUE);
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

static char *chr_error(const char *spec)
{
    Error *err = NULL;
    char *msg;

    g_assert(!qemu_chr_new(NULL, spec, &err));
    g_assert(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

static char *chr_opts_error(const char *optstr)
{
    Error *err = NULL;
    QemuOpts *opts = qemu_opts_parse(optstr, "backend", &error_abort);
    char *msg;

    g_assert(!qemu_chr_new_from_opts(opts, &err));
    qemu_opts_free(opts);
    g_assert(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

#define ASSERT_CONTAINS(msg, part) do {                                 \
        g_autofree char *m_ = (msg);                                    \
        if (!strstr(m_, (part))) {                                      \
            g_error("'%s' does not contain '%s'", m_, (part));          \
        }                                                               \
    } while (0)

static void test_chr_errors(void)
{
    g_autofree char *longpath = g_strnfill(200, 'x');
    g_autofree char *spec = g_strdup_printf("unix:/tmp/%s", longpath);
    Chardev *chr;
    QemuOpts *opts;

    ASSERT_CONTAINS(chr_error("bogus"), "'bogus' is not a valid char driver");
    ASSERT_CONTAINS(chr_error("unix:"), "empty path");
    ASSERT_CONTAINS(chr_error("unix:/nonexistent-dir/sock"),
                    "Failed to connect to '/nonexistent-dir/sock': "
                    "No such file or directory");
    ASSERT_CONTAINS(chr_error("unix:/tmp/x,wait=off"),
                    "'wait' option is incompatible");
    ASSERT_CONTAINS(chr_error("unix:/tmp/x,foo=bar"), "foo");
    ASSERT_CONTAINS(chr_error("unix:/tmp/x,server=maybe"), "server");
    ASSERT_CONTAINS(chr_error(spec), "too long");
    ASSERT_CONTAINS(chr_error("tcp:localhost"), "HOST:PORT");
    ASSERT_CONTAINS(chr_error("tcp:127.0.0.1:"), "no port");
    ASSERT_CONTAINS(chr_error("file:"), "no filename");
    ASSERT_CONTAINS(chr_error("file:/nonexistent-dir/f"), "/nonexistent-dir/f");

    ASSERT_CONTAINS(chr_opts_error("socket,path=/tmp/x"),
                    "chardev: no id specified");
    ASSERT_CONTAINS(chr_opts_error("nosuch,id=a"),
                    "'nosuch' is not a valid char driver name");
    ASSERT_CONTAINS(chr_opts_error("socket,id=a"), "no path, host or fd");
    ASSERT_CONTAINS(chr_opts_error("socket,id=a,path=/x,host=y,port=1"),
                    "only one of");
    ASSERT_CONTAINS(chr_opts_error("null,id=a,mux=maybe"), "mux");
    ASSERT_CONTAINS(chr_opts_error("null,id=a,path=/x"), "path");
    ASSERT_CONTAINS(chr_opts_error("socket,id=a,fd=999"), "fd=999");
    ASSERT_CONTAINS(chr_opts_error("socket,id=a,fd=x"), "fd");

    /* Duplicate ids are refused; the first one stays usable. */
    chr = qemu_chr_new("dup", "null", &error_abort);
    ASSERT_CONTAINS(chr_opts_error("null,id=dup"),
                    "Chardev 'dup' already exists");
    g_assert(qemu_chr_find("dup") == chr);
    g_assert_cmpstr(qemu_chr_id(chr), ==, "dup");
    qemu_chr_close(chr);
    g_assert(!qemu_chr_find("dup"));

    opts = qemu_opts_parse("null,id=n1", "backend", &error_abort);
    chr = qemu_chr_new_from_opts(opts, &error_abort);
    qemu_opts_free(opts);
    g_assert(qemu_chr_write_all(chr, "x", 1));
    g_assert(qemu_chr_is_connected(chr));
    qemu_chr_close(chr);
}

static void test_chr_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "out,txt", NULL);
    g_autofree char *spec = g_strdup_printf("file:%s", path);
    g_autofree char *text = NULL;
    Chardev *chr = qemu_chr_new("f", spec, &error_abort);

    g_assert(qemu_chr_write_all(chr, "hello ", 6));
    g_assert(qemu_chr_write_all(chr, "file\n", 5));
    qemu_chr_close(chr);
    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "hello file\n");
    unlink(path);
    rmdir(dir);
}

static void server_client_roundtrip(const char *srv_spec,
                                    const char *cli_spec)
{
    Chardev *srv = qemu_chr_new("srv", srv_spec, &error_abort);
    Chardev *cli;
    ChrProbe ps, pc;

    probe_init(&ps, srv);
    g_assert(!qemu_chr_is_connected(srv));
    g_assert_cmpint(ps.opened, ==, 0);

    for (int round = 0; round < 2; round++) {
        cli = qemu_chr_new("cli", cli_spec, &error_abort);
        probe_init(&pc, cli);
        /* A connected client reports OPENED when handlers are set. */
        g_assert_cmpint(pc.opened, ==, 1);
        POLL_UNTIL(ps.opened == round + 1);
        g_assert(qemu_chr_is_connected(srv));

        g_assert(qemu_chr_write_all(cli, "hello\n", 6));
        POLL_UNTIL(ps.data->len == 6);
        g_assert_cmpstr(ps.data->str, ==, "hello\n");
        g_assert(qemu_chr_write_all(srv, "world", 5));
        POLL_UNTIL(pc.data->len == 5);
        g_assert_cmpstr(pc.data->str, ==, "world");
        g_string_truncate(ps.data, 0);

        /* The client goes; the server hears it and takes the next one. */
        qemu_chr_close(cli);
        POLL_UNTIL(ps.closed == round + 1);
        g_assert(!qemu_chr_is_connected(srv));
        g_assert(!qemu_chr_write_all(srv, "x", 1));
        probe_free(&pc);
    }
    qemu_chr_close(srv);
    probe_free(&ps);
}

static void test_chr_unix(void)
{
    g_autofree char *dir = g_dir_make_tmp("chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autofree char *srv = g_strdup_printf("unix:%s,server=on,wait=off",
                                           path);
    g_autofree char *legacy = g_strdup_printf("unix:%s,server,nowait", path);
    g_autofree char *cli = g_strdup_printf("unix:%s", path);

    server_client_roundtrip(srv, cli);
    /* The server removes its socket file. */
    g_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
    server_client_roundtrip(legacy, cli);
    g_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

static int free_tcp_port(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
    g_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
    port = ntohs(sin.sin_port);
    close(fd);
    return port;
}

static void test_chr_tcp(void)
{
    int port = free_tcp_port();
    g_autofree char *srv = g_strdup_printf("tcp:127.0.0.1:%d,server=on,"
                                           "wait=off", port);
    g_autofree char *cli = g_strdup_printf("tcp:127.0.0.1:%d", port);
    g_autofree char *srv6 = NULL;
    g_autofree char *cli6 = NULL;
    int fd6 = socket(AF_INET6, SOCK_STREAM, 0);

    server_client_roundtrip(srv, cli);
    ASSERT_CONTAINS(chr_error(cli), "Failed to connect to '127.0.0.1:");

    if (fd6 >= 0) {
        struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
                                     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
        bool have_v6 = bind(fd6, (struct sockaddr *)&sin6,
                            sizeof(sin6)) == 0;

        close(fd6);
        if (have_v6) {
            port = free_tcp_port();
            srv6 = g_strdup_printf("tcp:[::1]:%d,server=on,wait=off", port);
            cli6 = g_strdup_printf("tcp:[::1]:%d", port);
            server_client_roundtrip(srv6, cli6);
        }
    }
}

static Chardev *chr_from_fd(const char *id, int fd, const char *extra)
{
    g_autofree char *optstr = g_strdup_printf("socket,id=%s,fd=%d%s", id, fd,
                                              extra);
    QemuOpts *opts = qemu_opts_parse(optstr, "backend", &error_abort);
    Chardev *chr = qemu_chr_new_from_opts(opts, &error_abort);

    qemu_opts_free(opts);
    return chr;
}

static void send_with_fds(int sock, const char *text, const int *fds, int n)
{
    char ctl[CMSG_SPACE(sizeof(int) * 4)] = { 0 };
    struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
    g_assert_cmpint(sendmsg(sock, &msg, 0), ==, (ssize_t)strlen(text));
}

/* Is the last writer of @pipe_r gone (EOF rather than EAGAIN)? */
static bool pipe_writers_gone(int pipe_r)
{
    char c;

    return read(pipe_r, &c, 1) == 0;
}

static void test_chr_fd(void)
{
    int sv[2], p1[2], p2[2], lsock;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    g_autofree char *dir = g_dir_make_tmp("chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "l", NULL);
    g_autofree char *cspec = g_strdup_printf("unix:%s", path);
    Chardev *chr, *cli;
    ChrProbe p, pcli;
    int fds[2];

    /* A connected socket: data and SCM_RIGHTS fds. */
    g_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    g_assert(pipe2(p1, O_NONBLOCK) == 0 && pipe2(p2, O_NONBLOCK) == 0);
    chr = chr_from_fd("fdc", sv[0], "");
    probe_init(&p, chr);
    g_assert_cmpint(p.opened, ==, 1);
    p.take_fds = true;
    fds[0] = p1[1];
    fds[1] = p2[1];
    send_with_fds(sv[1], "ab", fds, 2);
    close(p1[1]);
    close(p2[1]);
    POLL_UNTIL(p.data->len == 2);
    g_assert_cmpint(p.taken_fd, >=, 0);
    /* The first fd was taken and is ours; the untaken one was closed. */
    g_assert(!pipe_writers_gone(p1[0]));
    g_assert(pipe_writers_gone(p2[0]));
    close(p.taken_fd);
    g_assert(pipe_writers_gone(p1[0]));
    /* Without fds, there is nothing to take. */
    g_assert_cmpint(qemu_chr_take_fd(chr), ==, -1);

    /* The peer going away is a CLOSED event. */
    close(sv[1]);
    POLL_UNTIL(p.closed == 1);
    qemu_chr_close(chr);
    probe_free(&p);
    close(p1[0]);
    close(p2[0]);

    /* A listening socket: we accept on it. */
    lsock = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(sun.sun_path, path);
    g_assert(bind(lsock, (struct sockaddr *)&sun, sizeof(sun)) == 0);
    g_assert(listen(lsock, 1) == 0);
    chr = chr_from_fd("fdl", lsock, ",server=on,wait=off");
    probe_init(&p, chr);
    g_assert_cmpint(p.opened, ==, 0);
    cli = qemu_chr_new("fdcli", cspec, &error_abort);
    probe_init(&pcli, cli);
    POLL_UNTIL(p.opened == 1);
    g_assert(qemu_chr_write_all(chr, "hi", 2));
    POLL_UNTIL(pcli.data->len == 2);
    qemu_chr_close(cli);
    POLL_UNTIL(p.closed == 1);
    qemu_chr_close(chr);
    /* Not our path to remove: we did not create it. */
    g_assert(g_file_test(path, G_FILE_TEST_EXISTS));
    unlink(path);
    rmdir(dir);
    probe_free(&p);
    probe_free(&pcli);

    /* A pipe is not a socket. */
    g_assert(pipe(p1) == 0);
    {
        g_autofree char *o = g_strdup_printf("socket,id=x,fd=%d", p1[0]);

        ASSERT_CONTAINS(chr_opts_error(o), "not a stream socket");
    }
    close(p1[0]);
    close(p1[1]);
}

/* Handlers may disconnect or close their own chardev. */
static void test_chr_handler_reentrancy(void)
{
    int sv[2];
    Chardev *chr;
    ChrProbe p;

    g_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    chr = chr_from_fd("re1", sv[0], "");
    probe_init(&p, chr);
    p.disconnect_in_handler = true;
    g_assert(write(sv[1], "x", 1) == 1);
    POLL_UNTIL(p.closed == 1);
    g_assert(!qemu_chr_is_connected(chr));
    qemu_chr_close(chr);
    probe_free(&p);
    close(sv[1]);

    g_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    chr = chr_from_fd("re2", sv[0], "");
    probe_init(&p, chr);
    p.close_in_handler = true;
    g_assert(write(sv[1], "y", 1) == 1);
    POLL_UNTIL(p.chr == NULL);
    g_assert(!qemu_chr_find("re2"));
    /* Closed means the peer sees EOF. */
    {
        char c;

        g_assert_cmpint(read(sv[1], &c, 1), ==, 0);
    }
    close(sv[1]);
    probe_free(&p);
}

static gpointer drain_thread(gpointer opaque)
{
    int fd = GPOINTER_TO_INT(opaque);
    char buf[65536];
    size_t total = 0;
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        total += n;
    }
    return GSIZE_TO_POINTER(total);
}

/* Big writes block until the peer has read everything. */
static void test_chr_large_write(void)
{
    size_t len = 8 * 1024 * 1024;
    g_autofree char *buf = g_malloc0(len);
    int sv[2];
    GThread *th;
    Chardev *chr;

    g_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);      /* EAGAIN paths too */
    chr = chr_from_fd("big", sv[0], "");
    th = g_thread_new("drain", drain_thread, GINT_TO_POINTER(sv[1]));
    g_assert(qemu_chr_write_all(chr, buf, len));
    qemu_chr_close(chr);
    g_assert_cmpuint(GPOINTER_TO_SIZE(g_thread_join(th)), ==, len);
    close(sv[1]);
}

/* The qtest server end to end over a socket, in this process. */
static void test_qtest_server_socket(void)
{
    g_autofree char *dir = g_dir_make_tmp("chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qtest", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off",
                                            path);
    g_autofree char *cspec = g_strdup_printf("unix:%s", path);
    static const char *const pieces[] = {
        "endi", "anness\nreadb 0x1", "0fff0\r\n", "bogus\n\nwriteb 0x100000",
        " 0x7\nreadb 0x100000\n",
    };
    static const char want[] = "OK little\nOK 0x0000000000000000\n"
        "FAIL Unknown command 'bogus'\nFAIL empty command\nOK\n"
        "OK 0x0000000000000007\n";
    Chardev *cli;
    ChrProbe p;

    qtest_server_cleanup();
    g_assert(qtest_server_init(spec, "none", &error_abort));
    cli = qemu_chr_new("qcli", cspec, &error_abort);
    probe_init(&p, cli);
    for (size_t i = 0; i < ARRAY_SIZE(pieces); i++) {
        g_assert(qemu_chr_write_all(cli, pieces[i], strlen(pieces[i])));
        qemu_main_loop_poll_once(false);
    }
    POLL_UNTIL(p.data->len >= strlen(want));
    g_assert_cmpstr(p.data->str, ==, want);

    /* The client leaving asks the main loop to quit. */
    qemu_chr_close(cli);
    POLL_UNTIL(qemu_main_loop_should_quit());
    qtest_server_cleanup();
    g_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
    probe_free(&p);

    /* A spec that cannot work is an error naming qtest. */
    {
        Error *err = NULL;

        g_assert(!qtest_server_init("bogus", NULL, &err));
        ASSERT_CONTAINS(g_strdup(error_get_pretty(err)), "qtest: ");
        error_free_or_abort(&err);
        g_assert(!qtest_server_init("null", "/nonexistent-dir/log", &err));
        ASSERT_CONTAINS(g_strdup(error_get_pretty(err)),
                        "/nonexistent-dir/log");
        error_free_or_abort(&err);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    machine_init();
    g_test_add_func("/qtest-protocol/port-io", test_port_io);
    g_test_add_func("/qtest-protocol/memory", test_memory);
    g_test_add_func("/qtest-protocol/errors", test_errors);
    g_test_add_func("/qtest-protocol/clock", test_clock);
    g_test_add_func("/qtest-protocol/irq", test_irq);
    g_test_add_func("/chardev/errors", test_chr_errors);
    g_test_add_func("/chardev/file", test_chr_file);
    g_test_add_func("/chardev/unix", test_chr_unix);
    g_test_add_func("/chardev/tcp", test_chr_tcp);
    g_test_add_func("/chardev/fd", test_chr_fd);
    g_test_add_func("/chardev/handler-reentrancy",
                    test_chr_handler_reentrancy);
    g_test_add_func("/chardev/large-write", test_chr_large_write);
    g_test_add_func("/qtest-protocol/server-socket", test_qtest_server_socket);
    return g_test_run();
}
