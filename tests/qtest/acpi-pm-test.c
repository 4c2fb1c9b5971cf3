/*
 * The q35 machine's ACPI PM registers, power button and reset control
 * register, driven as a guest OS would: reset values, write-1-to-clear,
 * the PM timer on the virtual clock, the SCI on ioapic input 9, S5 power
 * off, QMP system_powerdown, and the 0xCF9 reset.
 */
#include "qemu/osdep.h"
#include "libqtest.h"

#define PM_BASE 0x600
#define PM1_STS (PM_BASE + 0x00)
#define PM1_EN (PM_BASE + 0x02)
#define PM1_CNT (PM_BASE + 0x04)
#define PM_TMR (PM_BASE + 0x08)
#define GPE0_STS (PM_BASE + 0x20)
#define GPE0_EN (PM_BASE + 0x28)
#define RST_CNT 0xcf9

#define TMR_STS 0x0001
#define PWRBTN_STS 0x0100
#define TMR_EN 0x0001
#define GBL_EN 0x0020
#define PWRBTN_EN 0x0100
#define SCI_EN 0x0001
#define BM_RLD 0x0002
#define SLP_TYP(n) ((n) << 10)
#define SLP_EN 0x2000
#define SCI_GSI 9

#define PM_TIMER_HZ 3579545ULL
#define NS_PER_SEC 1000000000ULL

/* The PM timer's count at virtual time @ns, as the ACPI spec defines it. */
static uint32_t pm_ticks(uint64_t ns)
{
    return (unsigned __int128)ns * PM_TIMER_HZ / NS_PER_SEC;
}

/* The virtual time of the @n-th flip of the count's top bit (n >= 1). */
static int64_t flip_ns(unsigned n)
{
    unsigned __int128 scaled = (unsigned __int128)n * (1ULL << 31) *
                               NS_PER_SEC;

    return (scaled + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
}

static QTestState *start(const char *extra)
{
    QTestState *s = qtest_init_with_qmpf("-machine q35 %s", extra);

    /* an awaited event that never comes fails in seconds, not minutes */
    qmp_conn_set_timeout(qtest_qmp_conn(s), 20000);
    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

static void powerdown(QTestState *s)
{
    qtest_qmp_assert_success(s, "{\"execute\":\"system_powerdown\"}");
    json_object_unref(qtest_qmp_eventwait(s, "POWERDOWN"));
}

static void expect_event(QTestState *s, const char *name, bool guest,
                         const char *reason)
{
    JsonObject *ev = qtest_qmp_eventwait(s, name);
    JsonObject *data = json_object_get_object_member(ev, "data");

    g_assert_cmpint(json_object_get_boolean_member(data, "guest"), ==, guest);
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, reason);
    json_object_unref(ev);
}

static void test_reset_values(void)
{
    QTestState *s = start("");

    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, 0);
    g_assert_cmphex(qtest_inl(s, PM1_STS), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN);
    g_assert_cmphex(qtest_inl(s, PM1_CNT), ==, SCI_EN);
    for (int i = 0; i < 16; i += 4) {
        g_assert_cmphex(qtest_inl(s, GPE0_STS + i), ==, 0);
    }
    g_assert_cmphex(qtest_inl(s, PM_BASE + 0x10), ==, 0);   /* reserved */
    g_assert_cmphex(qtest_inl(s, PM_BASE + 0x7c), ==, 0);
    g_assert_cmphex(qtest_inb(s, RST_CNT), ==, 0);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_quit(s);
}

static void test_enable_and_control(void)
{
    QTestState *s = start("");
    int64_t now;

    /* only the enable bits of events we have stick */
    qtest_outw(s, PM1_EN, 0xffff);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, TMR_EN | GBL_EN | PWRBTN_EN);
    qtest_outb(s, PM1_EN + 1, 0);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, TMR_EN | GBL_EN);
    qtest_outw(s, PM1_EN, 0);

    /* SCI_EN stays set (no SMI port to leave ACPI mode); SLP_EN reads 0 */
    qtest_outw(s, PM1_CNT, BM_RLD | SLP_TYP(5));
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN | BM_RLD | SLP_TYP(5));
    qtest_outw(s, PM1_CNT, 0);
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN);

    /* the timer, reserved registers and GPE status ignore stray writes */
    qtest_outl(s, PM_TMR, 0x12345678);
    now = qtest_clock_step(s, 1000);
    g_assert_cmphex(qtest_inl(s, PM_TMR), ==, pm_ticks(now));
    qtest_outl(s, PM_BASE + 0x10, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, PM_BASE + 0x10), ==, 0);
    qtest_outl(s, GPE0_STS, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, GPE0_STS), ==, 0);

    /* GPE0 enable: every byte lane of both dwords */
    qtest_outl(s, GPE0_EN, 0x89abcdef);
    qtest_outb(s, GPE0_EN + 5, 0x5a);
    g_assert_cmphex(qtest_inl(s, GPE0_EN), ==, 0x89abcdef);
    g_assert_cmphex(qtest_inl(s, GPE0_EN + 4), ==, 0x00005a00);
    g_assert_cmphex(qtest_inw(s, GPE0_EN + 2), ==, 0x89ab);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_quit(s);
}

static void test_write_1_to_clear(void)
{
    QTestState *s = start("");

    powerdown(s);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, PWRBTN_STS);
    qtest_outw(s, PM1_STS, 0);
    qtest_outw(s, PM1_STS, (uint16_t)~PWRBTN_STS);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, PWRBTN_STS);
    /* the enable half of the dword is not touched by a status write */
    qtest_outw(s, PM1_EN, GBL_EN);
    qtest_outb(s, PM1_STS + 1, PWRBTN_STS >> 8);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, GBL_EN);

    /* a dword write clears status and sets enable at once */
    powerdown(s);
    qtest_outl(s, PM1_STS, PWRBTN_STS | (uint32_t)PWRBTN_EN << 16);
    g_assert_cmphex(qtest_inl(s, PM1_STS), ==, (uint32_t)PWRBTN_EN << 16);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_quit(s);
}

static void test_timer(void)
{
    QTestState *s = start("");
    int64_t now = qtest_clock_step(s, 1000);
    uint32_t t0 = qtest_inl(s, PM_TMR);

    g_assert_cmphex(t0, ==, pm_ticks(now));
    now = qtest_clock_step(s, NS_PER_SEC);
    g_assert_cmpuint(qtest_inl(s, PM_TMR) - t0, ==, PM_TIMER_HZ);
    now = qtest_clock_step(s, 12345);
    g_assert_cmphex(qtest_inl(s, PM_TMR), ==, pm_ticks(now));
    /* narrower reads see the same count */
    g_assert_cmphex(qtest_inw(s, PM_TMR + 2), ==, pm_ticks(now) >> 16);
    g_assert_cmphex(qtest_inb(s, PM_TMR + 1), ==, (pm_ticks(now) >> 8) & 0xff);

    /* TMR_STS at the flip of the top bit, without an SCI while TMR_EN is 0 */
    qtest_clock_set(s, flip_ns(1) - 1);
    g_assert_cmphex(qtest_inl(s, PM_TMR), ==, 0x7fffffff);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, 0);
    qtest_clock_step(s, 1);
    g_assert_cmphex(qtest_inl(s, PM_TMR), ==, 0x80000000);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, TMR_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_outw(s, PM1_STS, TMR_STS);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, 0);

    /* with TMR_EN the next flip (count wraps to 0) raises the SCI */
    qtest_outw(s, PM1_EN, TMR_EN);
    now = qtest_clock_step_next(s);
    g_assert_cmpint(now, ==, flip_ns(2));
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    g_assert_cmphex(qtest_inl(s, PM_TMR), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, TMR_STS);
    qtest_outw(s, PM1_STS, TMR_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_quit(s);
}

static void test_sci(void)
{
    QTestState *s = start("");

    /* raised while status & enable, lowered when either goes */
    qtest_outw(s, PM1_EN, PWRBTN_EN);
    powerdown(s);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    qtest_outw(s, PM1_EN, 0);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_outw(s, PM1_EN, PWRBTN_EN);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    qtest_outw(s, PM1_STS, PWRBTN_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, 0);
    qtest_quit(s);
}

static void test_powerdown(void)
{
    QTestState *s = start("");
    JsonObject *r;
    g_autofree char *out = NULL;

    /* QEMU's shape: an empty return, then POWERDOWN */
    r = qtest_qmp(s, "{\"execute\":\"system_powerdown\"}");
    g_assert_cmpuint(json_object_get_size(json_object_get_object_member(
                         r, "return")), ==, 0);
    json_object_unref(r);
    r = qtest_qmp_eventwait(s, "POWERDOWN");
    g_assert_false(json_object_has_member(r, "data"));
    json_object_unref(r);
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, PWRBTN_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_outw(s, PM1_STS, PWRBTN_STS);

    /* the human monitor forwards to it */
    qtest_outw(s, PM1_EN, PWRBTN_EN);
    out = qtest_hmp(s, "system_powerdown");
    g_assert_cmpstr(out, ==, "");
    json_object_unref(qtest_qmp_eventwait(s, "POWERDOWN"));
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, PWRBTN_STS);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    /* the machine is still running: the guest decides */
    g_assert_true(qtest_alive(s));
    qtest_quit(s);
}

static bool list_has_name(JsonObject *reply, const char *name)
{
    JsonArray *arr = json_node_get_array(qmp_return(reply));

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        if (!g_strcmp0(json_object_get_string_member(o, "name"), name)) {
            return true;
        }
    }
    return false;
}

/* The command and its event are introspectable, as libvirt expects. */
static void test_powerdown_introspection(void)
{
    QTestState *s = qtest_init_with_qmp("-machine none");
    JsonObject *r;

    r = qtest_qmp(s, "{\"execute\":\"query-commands\"}");
    g_assert_true(list_has_name(r, "system_powerdown"));
    json_object_unref(r);
    r = qtest_qmp(s, "{\"execute\":\"query-events\"}");
    g_assert_true(list_has_name(r, "POWERDOWN"));
    json_object_unref(r);
    /* the schema names commands and events as they are */
    r = qtest_qmp(s, "{\"execute\":\"query-qmp-schema\"}");
    g_assert_true(list_has_name(r, "system_powerdown"));
    g_assert_true(list_has_name(r, "POWERDOWN"));
    json_object_unref(r);
    /* it takes no arguments */
    r = qtest_qmp(s, "{\"execute\":\"system_powerdown\","
                  "\"arguments\":{\"force\":true}}");
    qmp_assert_error(r, "GenericError", "Parameter 'force' is unexpected");
    json_object_unref(r);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* A machine without the PM device: the event, and nothing else. */
static void test_powerdown_machine_none(void)
{
    QTestState *s = qtest_init_with_qmp("-machine none");

    qtest_qmp_assert_success(s, "{\"execute\":\"system_powerdown\"}");
    json_object_unref(qtest_qmp_eventwait(s, "POWERDOWN"));
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, 0xffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_sleep_s5(void)
{
    QTestState *s = start("");

    qtest_outw(s, PM1_CNT, SCI_EN | SLP_TYP(0));
    g_assert_true(qtest_alive(s));
    qtest_outw(s, PM1_CNT, SCI_EN | SLP_TYP(0) | SLP_EN);
    expect_event(s, "SHUTDOWN", true, "guest-shutdown");
    g_assert_true(qtest_wait_pid_gone(qtest_pid(s), 10000));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* libvirt runs guests with -no-shutdown: the machine stops instead. */
static void test_sleep_s5_no_shutdown(void)
{
    QTestState *s = start("-no-shutdown");
    JsonObject *r;

    qtest_outw(s, PM1_CNT, SLP_TYP(0) | SLP_EN);
    expect_event(s, "SHUTDOWN", true, "guest-shutdown");
    r = qtest_qmp(s, "{\"execute\":\"query-status\"}");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(r, "return"), "status"),
                    ==, "shutdown");
    json_object_unref(r);
    g_assert_true(qtest_alive(s));
    qtest_quit(s);
}

/* Other sleep states are not supported: the write changes nothing. */
static void test_sleep_other(void)
{
    QTestState *s = start("");

    for (int typ = 1; typ < 8; typ++) {
        qtest_outw(s, PM1_CNT, SLP_TYP(typ) | SLP_EN);
    }
    qtest_qmp_assert_success(s, "{\"execute\":\"query-status\"}");
    g_assert_null(qmp_conn_take_event(qtest_qmp_conn(s), "SHUTDOWN"));
    g_assert_true(qtest_alive(s));
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN | SLP_TYP(7));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_reset_control(void)
{
    QTestState *s = start("");

    /* without RST_CPU nothing happens; reads give the last value */
    qtest_outb(s, RST_CNT, 0x02);
    g_assert_cmphex(qtest_inb(s, RST_CNT), ==, 0x02);
    /* a dword at 0xCF8 is still CONFIG_ADDRESS, not the reset register */
    qtest_outl(s, 0xcf8, 0x80000004);
    g_assert_cmphex(qtest_inl(s, 0xcf8), ==, 0x80000004);
    g_assert_cmphex(qtest_inb(s, RST_CNT), ==, 0x02);
    qtest_qmp_assert_success(s, "{\"execute\":\"query-status\"}");
    g_assert_null(qmp_conn_take_event(qtest_qmp_conn(s), "RESET"));

    /* the reset, and the PM registers back at their reset values */
    qtest_outw(s, PM1_EN, PWRBTN_EN);
    powerdown(s);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    qtest_outb(s, RST_CNT, 0x06);
    expect_event(s, "RESET", true, "guest-reset");
    g_assert_cmphex(qtest_inb(s, RST_CNT), ==, 0);
    g_assert_cmphex(qtest_inl(s, PM1_STS), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    g_assert_true(qtest_alive(s));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-pm/reset-values", test_reset_values);
    g_test_add_func("/acpi-pm/enable-and-control", test_enable_and_control);
    g_test_add_func("/acpi-pm/write-1-to-clear", test_write_1_to_clear);
    g_test_add_func("/acpi-pm/timer", test_timer);
    g_test_add_func("/acpi-pm/sci", test_sci);
    g_test_add_func("/acpi-pm/powerdown", test_powerdown);
    g_test_add_func("/acpi-pm/powerdown-introspection",
                    test_powerdown_introspection);
    g_test_add_func("/acpi-pm/powerdown-machine-none",
                    test_powerdown_machine_none);
    g_test_add_func("/acpi-pm/sleep/s5", test_sleep_s5);
    g_test_add_func("/acpi-pm/sleep/s5-no-shutdown", test_sleep_s5_no_shutdown);
    g_test_add_func("/acpi-pm/sleep/other", test_sleep_other);
    g_test_add_func("/acpi-pm/reset-control", test_reset_control);
    return g_test_run();
}
