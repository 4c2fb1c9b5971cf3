/*
 * The qtest protocol as the server speaks it: exact reply formats of
 * every command, FAIL replies for malformed requests (the server stays
 * up), IRQ interception and the log.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include <linux/pci_regs.h>
#include "libqtest.h"

#define RAM_ADDR 0x100000
#define TESTDEV_SLOT 3
/* INTA of slot 3: ioapic input 16 + (3 + 1 - 1) % 4 */
#define TESTDEV_GSI 19
#define TESTDEV_ARGS "-device qvfio-test-pci,addr=3.0,id=tdev"

static void assert_reply(QTestState *s, const char *req, const char *want)
{
    g_autofree char *reply = qtest_raw(s, req);

    g_assert_cmpstr(reply, ==, want);
}

static void assert_fail(QTestState *s, const char *req)
{
    g_autofree char *reply = qtest_raw(s, req);

    if (!g_str_has_prefix(reply, "FAIL")) {
        g_error("'%s' should fail, got '%s'", req, reply);
    }
    /* The server is still there and in sync. */
    assert_reply(s, "endianness", "OK little");
}

/* Enable the test device and place its BARs; returns BAR0 and BAR1. */
static QPCIDevice *testdev_setup(QTestState *s, QPCIBus **busp,
                                 QPCIBar *bar0, QPCIBar *bar1)
{
    QPCIBus *bus = qpci_new_pc(s);
    QPCIDevice *dev = qpci_device_find(bus, QPCI_DEVFN(TESTDEV_SLOT, 0));

    g_assert(dev);
    *bar0 = qpci_iomap(dev, 0, NULL);
    *bar1 = qpci_iomap(dev, 1, NULL);
    g_assert(!bar0->is_io && bar1->is_io);
    qpci_device_enable(dev);
    *busp = bus;
    return dev;
}

static void test_endianness(void)
{
    QTestState *s = qtest_init("");

    assert_reply(s, "endianness", "OK little");
    assert_reply(s, "module_load foo bar", "FAIL");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_port_io(void)
{
    QTestState *s = qtest_init(TESTDEV_ARGS);
    QPCIBus *bus;
    QPCIBar bar0, bar1;
    QPCIDevice *dev = testdev_setup(s, &bus, &bar0, &bar1);
    g_autofree char *port = g_strdup_printf("0x%" PRIx64, bar1.addr);
    g_autofree char *req = NULL;

    req = g_strdup_printf("outl %s 0x12345678", port);
    assert_reply(s, req, "OK");
    g_free(req);
    req = g_strdup_printf("inb %s", port);
    assert_reply(s, req, "OK 0x0078");
    g_free(req);
    req = g_strdup_printf("inw %s", port);
    assert_reply(s, req, "OK 0x5678");
    g_free(req);
    req = g_strdup_printf("inl %s", port);
    assert_reply(s, req, "OK 0x12345678");
    g_free(req);
    /* Decimal and octal numbers are accepted, as with strtoul base 0. */
    req = g_strdup_printf("outb %" PRIu64 " 0377", bar1.addr);
    assert_reply(s, req, "OK");
    g_free(req);
    req = g_strdup_printf("inl %s", port);
    assert_reply(s, req, "OK 0x123456ff");
    g_free(req);
    req = g_strdup_printf("outw %s 0x7", port);
    assert_reply(s, req, "OK");
    g_free(req);
    req = g_strdup_printf("inw %s", port);
    assert_reply(s, req, "OK 0x0007");

    qpci_device_free(dev);
    qpci_free(bus);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_sized_memory(void)
{
    QTestState *s = qtest_init("");

    assert_reply(s, "writeb 0x100000 0xff", "OK");
    assert_reply(s, "readb 0x100000", "OK 0x00000000000000ff");
    assert_reply(s, "writew 0x100000 0x1234", "OK");
    assert_reply(s, "readw 0x100000", "OK 0x0000000000001234");
    assert_reply(s, "readb 0x100000", "OK 0x0000000000000034");
    assert_reply(s, "writel 0x100000 0x11223344", "OK");
    assert_reply(s, "readl 0x100000", "OK 0x0000000011223344");
    assert_reply(s, "readb 0x100003", "OK 0x0000000000000011");
    assert_reply(s, "writeq 0x100008 0x0123456789abcdef", "OK");
    assert_reply(s, "readq 0x100008", "OK 0x0123456789abcdef");
    assert_reply(s, "readl 0x10000c", "OK 0x0000000001234567");
    /* The library agrees. */
    qtest_writel(s, RAM_ADDR + 16, 0xcafef00d);
    g_assert_cmphex(qtest_readl(s, RAM_ADDR + 16), ==, 0xcafef00d);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_buffers(void)
{
    QTestState *s = qtest_init("");
    uint8_t big[100000], back[sizeof(big)];

    assert_reply(s, "write 0x100000 0x4 0xdeadbeef", "OK");
    assert_reply(s, "read 0x100000 0x4", "OK 0xdeadbeef");
    assert_reply(s, "readl 0x100000", "OK 0x00000000efbeadde");
    /* Short data is zero-filled up to SIZE. */
    assert_reply(s, "write 0x100000 0x4 0xab", "OK");
    assert_reply(s, "read 0x100000 0x4", "OK 0xab000000");
    assert_reply(s, "write 0x100000 0x4 0x", "ERR invalid argument size");
    assert_reply(s, "write 0x100000 0x4 0", "ERR invalid argument size");
    assert_reply(s, "write 0x100000 0x0 0x00", "FAIL DATA is longer than SIZE");

    assert_reply(s, "b64write 0x100000 0x3 AQID", "OK");
    assert_reply(s, "b64read 0x100000 0x3", "OK AQID");
    assert_reply(s, "read 0x100000 0x4", "OK 0x01020300");
    assert_reply(s, "b64write 0x100000 0x3 AQ", "ERR invalid argument size");

    assert_reply(s, "memset 0x100000 0x4 0x5a", "OK");
    assert_reply(s, "read 0x100000 0x5", "OK 0x5a5a5a5a00");
    assert_reply(s, "memset 0x100000 0x0 0x1", "OK");
    assert_reply(s, "read 0x100000 0x1", "OK 0x5a");

    /* Bigger than one request chunk of the library. */
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = i * 7 + (i >> 8);
    }
    qtest_memwrite(s, RAM_ADDR, big, sizeof(big));
    qtest_bufread(s, RAM_ADDR, back, sizeof(back));
    g_assert(!memcmp(big, back, sizeof(big)));
    qtest_memset(s, RAM_ADDR, 0, sizeof(big));
    qtest_bufwrite(s, RAM_ADDR + 1, big, sizeof(big) - 1);
    qtest_memread(s, RAM_ADDR + 1, back, sizeof(big) - 1);
    g_assert(!memcmp(big, back, sizeof(big) - 1));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_clock(void)
{
    QTestState *s = qtest_init("");
    g_autofree char *reply = NULL;
    g_autofree char *req = NULL;
    g_autofree char *want = NULL;
    int64_t t0, t1;

    /* No device of this machine arms a virtual-clock timer. */
    assert_reply(s, "clock_step", "FAIL cannot advance clock to the next "
                 "deadline because there is no pending deadline");
    t0 = qtest_clock_step(s, 100);
    t1 = qtest_clock_step(s, 50);
    g_assert_cmpint(t1, ==, t0 + 50);
    assert_reply(s, "clock_step 0", "FAIL could not advance time");
    assert_reply(s, "clock_step -5", "FAIL could not advance time");

    req = g_strdup_printf("clock_set %" PRIi64, t1 + 1000);
    want = g_strdup_printf("OK %" PRIi64, t1 + 1000);
    assert_reply(s, req, want);
    g_free(req);
    g_free(want);
    /* Backwards: the clock stays and the reply says where it is. */
    req = g_strdup_printf("clock_set %" PRIi64, t1);
    want = g_strdup_printf("FAIL %" PRIi64, t1 + 1000);
    assert_reply(s, req, want);
    g_assert_cmpint(qtest_clock_set(s, t1 + 1000), ==, t1 + 1000);
    g_assert_cmpint(qtest_clock_step(s, 1), ==, t1 + 1001);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "", " ", "outb", "outb 0x10", "outb 0x10000 0x1", "outb zz 0x1",
        "outb 0x10 0x100", "outw 0x10 0x10000", "outb 0x10 1 2",
        "inb -1", "inb 0x", "inb 0x10000", "inl 08", "inb +1", "inb  0x10",
        "readl", "readl 0xfffffffffffffffff", "readq 0xfffffffffffffffc",
        "writeb 0x0 0x100", "writel 0x100000", "writeq x y",
        "read 0x100000 0x0", "read 0x100000 0x10000000", "read 0x100000",
        "read 0xffffffffffffffff 0x2", "write 0x100000 0x2 0xzz",
        "write 0x100000 0x2 0xabc", "write 0x100000 0x2 1234", "write 0x0",
        "write 0x100000 0x100000000 0x00", "b64write 0x100000 0x3 ****",
        "b64read 0x100000 0", "memset 0x100000 0x1 0x100",
        "memset 0x100000 0x10000000 0x1", "clock_set abc", "clock_set",
        "clock_step 1x",
        "clock_step 99999999999999999999", "irq_intercept_in",
        "irq_intercept_in /no/such/device", "set_irq_in ioapic",
        "set_irq_in ioapic unnamed-gpio-in 99 1",
        "set_irq_in ioapic unnamed-gpio-in -1 1",
        "set_irq_in ioapic some-name 0 1", "set_irq_in ioapic x 0 zz",
        "endianness big", "OUTB 0x80 0x1", "foo", "IRQ raise 1", "OK",
    };
    QTestState *s = qtest_init("");
    g_autofree char *huge = NULL;
    g_autofree char *reply = NULL;
    static const char junk[] = "\x01\xff\x00\x7f outb \x00\x80 \xfe\r";

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_fail(s, bad[i]);
    }
    assert_reply(s, "foo bar", "FAIL Unknown command 'foo'");
    assert_reply(s, "\x01junk", "FAIL Unknown command '\\x01junk'");
    assert_reply(s, "outb 0x10", "FAIL missing arguments (usage: outb "
                 "ADDR VALUE)");

    /* Binary junk, NUL bytes included. */
    reply = qtest_raw_len(s, junk, sizeof(junk) - 1);
    g_assert(g_str_has_prefix(reply, "FAIL"));
    g_free(reply);

    /* Longer than the 16 MiB line limit: one FAIL, then back in sync. */
    huge = g_malloc(17 * 1024 * 1024 + 1);
    memset(huge, 'a', 17 * 1024 * 1024);
    huge[17 * 1024 * 1024] = '\0';
    reply = qtest_raw(s, huge);
    g_assert_cmpstr(reply, ==, "FAIL line too long");
    assert_reply(s, "endianness", "OK little");
    /* Just below the limit is a line like any other. */
    memcpy(huge, "endianness ", 11);
    huge[1024 * 1024] = '\0';
    g_free(reply);
    reply = qtest_raw(s, huge);
    g_assert(g_str_has_prefix(reply, "FAIL too many arguments"));

    /* CRLF line endings work too. */
    assert_reply(s, "endianness\r", "OK little");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* "writel" to the INTx register, reading the raw lines that follow. */
static void intx_write(QTestState *s, QPCIBar bar0, uint32_t level,
                       const char *irq_line)
{
    g_autofree char *req = g_strdup_printf("writel 0x%" PRIx64 " 0x%x\n",
                                           bar0.addr + 0x0c, level);
    g_autofree char *line = NULL;

    qtest_send_raw(s, req, strlen(req));
    line = qtest_recv_line(s);
    if (irq_line) {
        g_assert_cmpstr(line, ==, irq_line);
        g_free(line);
        line = qtest_recv_line(s);
    }
    g_assert_cmpstr(line, ==, "OK");
}

static void test_irq_intercept(void)
{
    QTestState *s = qtest_init(TESTDEV_ARGS);
    QPCIBus *bus;
    QPCIBar bar0, bar1;
    QPCIDevice *dev = testdev_setup(s, &bus, &bar0, &bar1);
    g_autofree char *raise = g_strdup_printf("IRQ raise %d", TESTDEV_GSI);
    g_autofree char *lower = g_strdup_printf("IRQ lower %d", TESTDEV_GSI);
    g_autofree char *line = NULL;

    assert_reply(s, "irq_intercept_in no-such-device", "FAIL Unknown device");
    assert_reply(s, "irq_intercept_in ioapic some-name",
                 "FAIL Interception of named in-GPIOs not yet supported");
    assert_reply(s, "set_irq_in no-such-device unnamed-gpio-in 0 1",
                 "FAIL Unknown device");
    assert_reply(s, "irq_intercept_in ioapic", "OK");
    assert_reply(s, "irq_intercept_in /machine/ioapic", "OK");
    assert_reply(s, "irq_intercept_in /machine/peripheral/tdev",
                 "FAIL IRQ intercept already enabled");

    /* An IRQ line comes before the OK, and only on a level change. */
    intx_write(s, bar0, 1, raise);
    intx_write(s, bar0, 1, NULL);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x0c), ==, 1);
    g_assert(qtest_get_irq(s, TESTDEV_GSI));
    intx_write(s, bar0, 0, lower);
    intx_write(s, bar0, 0, NULL);
    g_assert(!qtest_get_irq(s, TESTDEV_GSI));

    /* The INTx line follows COMMAND.INTX_DISABLE. */
    intx_write(s, bar0, 1, raise);
    qpci_config_writew(dev, PCI_COMMAND, qpci_config_readw(dev, PCI_COMMAND) |
                       PCI_COMMAND_INTX_DISABLE);
    g_assert(!qtest_get_irq(s, TESTDEV_GSI));
    qpci_config_writew(dev, PCI_COMMAND, qpci_config_readw(dev, PCI_COMMAND) &
                       ~PCI_COMMAND_INTX_DISABLE);
    g_assert(qtest_get_irq(s, TESTDEV_GSI));
    intx_write(s, bar0, 0, lower);

    /* set_irq_in drives an intercepted input directly. */
    qtest_send_raw(s, "set_irq_in ioapic unnamed-gpio-in 5 1\n", 38);
    line = qtest_recv_line(s);
    g_assert_cmpstr(line, ==, "IRQ raise 5");
    g_free(line);
    line = qtest_recv_line(s);
    g_assert_cmpstr(line, ==, "OK");
    qtest_set_irq_in(s, "ioapic", NULL, 5, 0);
    g_assert(!qtest_get_irq(s, 5));

    qpci_device_free(dev);
    qpci_free(bus);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_irq_intercept_out(void)
{
    QTestState *s = qtest_init(TESTDEV_ARGS);

    assert_reply(s, "irq_intercept_out /no/such", "FAIL Unknown device");
    assert_reply(s, "irq_intercept_out /machine/peripheral/tdev", "OK");
    assert_reply(s, "irq_intercept_in ioapic",
                 "FAIL IRQ intercept already enabled");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_log(void)
{
    QTestState *s = qtest_init("");
    g_autofree char *log = NULL;
    g_autofree char *logpath = g_strdup(qtest_log_path(s));
    g_autofree char *copy = NULL;

    assert_reply(s, "readb 0x100000", "OK 0x0000000000000000");
    g_assert(g_file_get_contents(logpath, &log, NULL, NULL));
    g_assert(g_regex_match_simple("^\\[I [0-9]+\\.[0-9]{6}\\] OPENED$", log,
                                  G_REGEX_MULTILINE, 0));
    g_assert(g_regex_match_simple("^\\[R \\+[0-9]+\\.[0-9]{6}\\] "
                                  "endianness$", log, G_REGEX_MULTILINE, 0));
    g_assert(g_regex_match_simple("^\\[S \\+[0-9]+\\.[0-9]{6}\\] OK little$",
                                  log, G_REGEX_MULTILINE, 0));
    g_assert(g_regex_match_simple("^\\[R \\+[0-9.]+\\] readb 0x100000$", log,
                                  G_REGEX_MULTILINE, 0));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* -qtest stdio: a script on stdin, replies on stdout, exit at EOF. */
static void test_stdio(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *args = NULL;
    int status;

    args = g_strdup("-qtest stdio -qtest-log none -display none -accel qtest");
    g_assert(qtest_run_binary(qtest_binary(), args,
                              "endianness\nwriteb 0x100000 0x42\n"
                              "readb 0x100000\nbogus\n",
                              &out, &err, &status));
    g_assert_cmpstr(err, ==, "");
    g_assert(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpstr(out, ==, "OK little\nOK\nOK 0x0000000000000042\n"
                    "FAIL Unknown command 'bogus'\n");
    g_free(out);
    g_free(err);

    /* Without -qtest-log the log goes to stderr; no trailing newline. */
    g_assert(qtest_run_binary(qtest_binary(), "-qtest stdio -display none "
                              "-accel qtest", "endianness", &out, &err,
                              &status));
    g_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_cmpstr(out, ==, "");
    g_assert(strstr(err, "] OPENED\n"));
    g_assert(strstr(err, "] CLOSED\n"));
}

/* Without the qtest accelerator the clock commands do not exist. */
static void test_no_qtest_accel(void)
{
    g_autofree char *out = NULL;
    int status;

    g_assert(qtest_run_binary(qtest_binary(), "-machine none -qtest stdio "
                              "-qtest-log none -display none",
                              "clock_step 10\nclock_set 10\nendianness\n",
                              &out, NULL, &status));
    g_assert(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpstr(out, ==, "FAIL Unknown command 'clock_step'\n"
                    "FAIL Unknown command 'clock_set'\nOK little\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_binary();
    g_test_add_func("/qtest-protocol/endianness", test_endianness);
    g_test_add_func("/qtest-protocol/port-io", test_port_io);
    g_test_add_func("/qtest-protocol/sized-memory", test_sized_memory);
    g_test_add_func("/qtest-protocol/buffers", test_buffers);
    g_test_add_func("/qtest-protocol/clock", test_clock);
    g_test_add_func("/qtest-protocol/malformed", test_malformed);
    g_test_add_func("/qtest-protocol/irq-intercept", test_irq_intercept);
    g_test_add_func("/qtest-protocol/irq-intercept-out",
                    test_irq_intercept_out);
    g_test_add_func("/qtest-protocol/log", test_log);
    g_test_add_func("/qtest-protocol/stdio", test_stdio);
    g_test_add_func("/qtest-protocol/no-qtest-accel", test_no_qtest_accel);
    return g_test_run();
}
