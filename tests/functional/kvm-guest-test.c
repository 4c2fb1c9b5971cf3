/*
 * The functional suite's KVM cases: qvfio -accel kvm boots Linux.
 *
 * Runs inside the throwaway guest that scripts/functional/run-guest boots
 * with -cpu max, where kvm.ko and kvm-amd.ko give /dev/kvm. Each case
 * starts qvfio with the same Debian kernel and a busybox initramfs whose
 * /init reports what Linux found (CPUs, memory, clock source, ECAM, PCI
 * devices) and then powers off or reboots. Outside such a guest every
 * case skips, saying why.
 */
#include "qemu/osdep.h"
#include "guest-vm.h"

#define BOOT_MS 120000          /* nested KVM under TCG: give it time */
#define EXIT_MS 30000

static bool skip_unless_kvm(void)
{
    const char *why = guest_vm_unavailable();

    if (why) {
        g_test_skip(why);
        return true;
    }
    return false;
}

/* The whole report must be there: a line missing fails with the output. */
static char *expect(GuestVM *vm, const char *word)
{
    char *rest = guest_vm_wait(vm, word, BOOT_MS);

    if (!rest) {
        g_test_message("qvfio output:\n%s", guest_vm_output(vm));
        g_error("the guest never reported \"%s\"", word);
    }
    return rest;
}

static void expect_exit(GuestVM *vm, int status)
{
    int got = guest_vm_wait_exit(vm, EXIT_MS);

    if (got != status) {
        g_test_message("qvfio output:\n%s", guest_vm_output(vm));
    }
    g_assert_cmpint(got, ==, status);
}

static void check_event_reason(QMPConn *qmp, const char *event,
                               const char *reason)
{
    JsonObject *e = qmp_conn_event(qmp, event);
    JsonObject *data = json_object_get_object_member(e, "data");

    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, reason);
    g_assert_true(json_object_get_boolean_member(data, "guest"));
    json_object_unref(e);
}

/* What Linux found: CPUs, RAM, kvmclock, ECAM and the host bridge. */
static void check_report(GuestVM *vm, unsigned cpus, const char *online)
{
    g_autofree char *cpu_line = expect(vm, "cpus");
    g_autofree char *want_cpus = g_strdup_printf("%u online %s", cpus, online);
    g_autofree char *mem = expect(vm, "mem");
    g_autofree char *clock = expect(vm, "clocksource");
    g_autofree char *ecam = expect(vm, "ecam");
    g_autofree char *done = expect(vm, "done");
    g_auto(GStrv) pci = guest_vm_seen(vm, "pci");
    bool host_bridge = false;

    g_assert_cmpstr(cpu_line, ==, want_cpus);
    g_assert_cmpuint(g_ascii_strtoull(mem, NULL, 10), >, 200 * 1024);
    g_assert_cmpstr(clock, ==, "kvm-clock");
    g_assert_cmpstr(ecam, ==, "b0000000-bfffffff");
    for (unsigned i = 0; pci[i]; i++) {
        host_bridge |= g_str_has_prefix(pci[i], "0000:00:00.0 0x8086 0x29c0");
    }
    g_assert_true(host_bridge);
    g_test_message("report: %u vCPU(s) online %s, %s RAM, %s, ECAM %s, %u "
                   "PCI function(s), /init done at %s s", cpus, online, mem,
                   clock, ecam, g_strv_length(pci), done);
}

static void test_boot(gconstpointer data)
{
    unsigned cpus = GPOINTER_TO_UINT(data);
    g_autofree char *args = g_strdup_printf("-m 256 -smp %u -cpu host", cpus);
    GuestVM *vm;

    if (skip_unless_kvm()) {
        return;
    }
    vm = guest_vm_start(args, NULL);
    guest_vm_qmp(vm);
    g_free(expect(vm, "up"));
    check_report(vm, cpus, cpus == 1 ? "0" : "0-1");
    check_event_reason(guest_vm_qmp(vm), "SHUTDOWN", "guest-shutdown");
    expect_exit(vm, 0);
    g_test_message("report: exec to exit %.2f s", guest_vm_seconds(vm));
    guest_vm_free(vm);
}

/* A guest reboot resets the machine: Linux boots again, both CPUs too. */
static void test_reboot(void)
{
    GuestVM *vm;
    JsonObject *r;

    if (skip_unless_kvm()) {
        return;
    }
    vm = guest_vm_start("-m 256 -smp 2", "qvfio.action=reboot");
    guest_vm_qmp(vm);
    check_report(vm, 2, "0-1");
    check_event_reason(guest_vm_qmp(vm), "RESET", "guest-reset");
    g_free(expect(vm, "up"));
    check_report(vm, 2, "0-1");
    r = qmp_conn_cmd(guest_vm_qmp(vm), "{'execute':'quit'}");
    json_object_unref(r);
    expect_exit(vm, 0);
    guest_vm_free(vm);
}

/* -no-reboot: the guest's reboot ends qvfio (status 0, reason guest-reset). */
static void test_no_reboot(void)
{
    GuestVM *vm;

    if (skip_unless_kvm()) {
        return;
    }
    vm = guest_vm_start("-m 256 -no-reboot", "qvfio.action=reboot");
    guest_vm_qmp(vm);
    g_free(expect(vm, "done"));
    check_event_reason(guest_vm_qmp(vm), "SHUTDOWN", "guest-reset");
    expect_exit(vm, 0);
    guest_vm_free(vm);
}

/* Bad input gets one clear line and status 1. */
static void test_errors(void)
{
    g_autofree char *qemu64 = g_strdup_printf("-accel kvm -m 256 -cpu qemu64 "
                                              "-kernel %s",
                                              g_getenv("QVFIO_INNER_KERNEL"));
    const struct {
        const char *args;
        const char *message;
    } cases[] = {
        { "-accel kvm -m 256", "-kernel" },
        { qemu64, "use -cpu host or -cpu max" },
        { "-accel kvm -m 256 -kernel /nonexistent", "/nonexistent" },
        { "-accel kvm -m 256 -kernel /etc/passwd", "/etc/passwd" },
    };

    if (skip_unless_kvm()) {
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *out = NULL, *err = NULL;
        g_auto(GStrv) lines = NULL;
        int status;

        g_assert_true(qtest_run_binary_timeout(qtest_product_binary(),
                                               cases[i].args, NULL, &out,
                                               &err, &status, 60000));
        g_test_message("%s -> %s", cases[i].args, err);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(strstr(err, cases[i].message));
        lines = g_strsplit(g_strchomp(err), "\n", -1);
        g_assert_cmpuint(g_strv_length(lines), ==, 1);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/kvm/boot/1cpu", GUINT_TO_POINTER(1), test_boot);
    g_test_add_data_func("/kvm/boot/smp2", GUINT_TO_POINTER(2), test_boot);
    g_test_add_func("/kvm/reboot", test_reboot);
    g_test_add_func("/kvm/no-reboot", test_no_reboot);
    g_test_add_func("/kvm/errors", test_errors);
    return g_test_run();
}
