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
#include <linux/vfio.h>
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

/* The next @event has @reason; guest-initiated unless it starts "host-". */
static void check_event_reason(QMPConn *qmp, const char *event,
                               const char *reason)
{
    JsonObject *e = qmp_conn_event(qmp, event);
    JsonObject *data = json_object_get_object_member(e, "data");

    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, reason);
    g_assert_cmpint(json_object_get_boolean_member(data, "guest"), ==,
                    !g_str_has_prefix(reason, "host-"));
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
    vm = guest_vm_start(args, NULL, NULL);
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
    vm = guest_vm_start("-m 256 -smp 2", "qvfio.action=reboot", NULL);
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
    vm = guest_vm_start("-m 256 -no-reboot", "qvfio.action=reboot", NULL);
    guest_vm_qmp(vm);
    g_free(expect(vm, "done"));
    check_event_reason(guest_vm_qmp(vm), "SHUTDOWN", "guest-reset");
    expect_exit(vm, 0);
    guest_vm_free(vm);
}

static const char *query_status(GuestVM *vm)
{
    static char status[32];
    JsonObject *r = qmp_conn_cmd(guest_vm_qmp(vm),
                                 "{'execute':'query-status'}");
    JsonObject *ret = json_node_get_object(qmp_return(r));

    g_strlcpy(status, json_object_get_string_member(ret, "status"),
              sizeof(status));
    json_object_unref(r);
    return status;
}

static void qmp_ok(GuestVM *vm, const char *cmd)
{
    JsonObject *r = qmp_conn_cmd(guest_vm_qmp(vm), "%s", cmd);

    g_assert_nonnull(qmp_return(r));
    json_object_unref(r);
}

/* A vCPU's qom-path is an object of its model's type (-cpu max). */
static void check_vcpu_object(GuestVM *vm, const char *qom_path)
{
    JsonObject *r;

    g_assert_nonnull(qom_path);
    r = qmp_conn_cmd(guest_vm_qmp(vm), "{'execute':'qom-get','arguments':"
                     "{'path':'%s','property':'type'}}", qom_path);
    g_assert_cmpstr(json_node_get_string(qmp_return(r)), ==,
                    "max-x86_64-cpu");
    json_object_unref(r);
}

/* query-cpus-fast names each vCPU's own thread ("CPU N/KVM"). */
static void check_vcpu_threads(GuestVM *vm, unsigned nr)
{
    JsonObject *r = qmp_conn_cmd(guest_vm_qmp(vm),
                                 "{'execute':'query-cpus-fast'}");
    JsonArray *cpus = json_node_get_array(qmp_return(r));

    g_assert_cmpuint(json_array_get_length(cpus), ==, nr);
    for (unsigned i = 0; i < nr; i++) {
        JsonObject *c = json_array_get_object_element(cpus, i);
        gint64 tid = json_object_get_int_member(c, "thread-id");
        g_autofree char *path = g_strdup_printf("/proc/%" G_GINT64_FORMAT
                                                "/comm", tid);
        g_autofree char *comm = NULL;
        g_autofree char *want = g_strdup_printf("CPU %u/KVM\n", i);

        g_assert_cmpint(json_object_get_int_member(c, "cpu-index"), ==, i);
        g_assert_cmpstr(json_object_get_string_member(c, "target"), ==,
                        "x86_64");
        g_assert_true(g_file_get_contents(path, &comm, NULL, NULL));
        g_assert_cmpstr(comm, ==, want);
        check_vcpu_object(vm, json_object_get_string_member(c, "qom-path"));
    }
    json_object_unref(r);
}

/*
 * The life cycle over QMP with vCPUs: -S holds them until cont; stop and
 * cont pause and resume a running guest; system_reset reboots it (both
 * vCPUs come back); quit ends qvfio.
 */
static void test_qmp_life_cycle(void)
{
    GuestVM *vm;

    if (skip_unless_kvm()) {
        return;
    }
    vm = guest_vm_start("-m 256 -smp 2 -S", "qvfio.action=stay", NULL);
    g_assert_cmpstr(query_status(vm), ==, "prelaunch");
    check_vcpu_threads(vm, 2);
    g_assert_null(guest_vm_wait(vm, "up", 2000));      /* nothing runs */
    qmp_ok(vm, "{'execute':'cont'}");
    g_assert_cmpstr(query_status(vm), ==, "running");
    check_report(vm, 2, "0-1");
    qmp_ok(vm, "{'execute':'stop'}");
    g_assert_cmpstr(query_status(vm), ==, "paused");
    json_object_unref(qmp_conn_event(guest_vm_qmp(vm), "STOP"));
    qmp_ok(vm, "{'execute':'cont'}");
    json_object_unref(qmp_conn_event(guest_vm_qmp(vm), "RESUME"));
    qmp_ok(vm, "{'execute':'system_reset'}");
    check_event_reason(guest_vm_qmp(vm), "RESET", "host-qmp-system-reset");
    g_free(expect(vm, "up"));
    check_report(vm, 2, "0-1");
    qmp_ok(vm, "{'execute':'quit'}");
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

/* Assigned devices: the outer guest's nvme (backed by a disk image), edu, e1000e */

#define NVME_VENDOR 0x1b36
#define NVME_DEVICE 0x0010
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define E1000E_VENDOR 0x8086
#define E1000E_DEVICE 0x10d3
#define NVME_GUEST_BDF "0000:00:03.0"
#define NVME_VS 0x08            /* the NVMe version register in BAR0 */

static char *host_pci_or_skip(unsigned vendor, unsigned device,
                              const char *what)
{
    char *addr = guest_vm_host_pci(vendor, device);

    if (!addr) {
        g_autofree char *why = g_strdup_printf("no %s bound to vfio-pci here",
                                               what);
        g_test_skip(why);
    }
    return addr;
}

/* One line of /proc/interrupts as the inner guest reported it. */
typedef struct IrqLine {
    char *name;                 /* nvme0q1 */
    uint64_t count[4];          /* per CPU */
} IrqLine;

static GArray *irq_lines(GuestVM *vm, const char *word, unsigned cpus)
{
    g_auto(GStrv) seen = guest_vm_seen(vm, word);
    GArray *lines = g_array_new(false, true, sizeof(IrqLine));

    for (unsigned i = 0; seen[i]; i++) {
        g_auto(GStrv) w = g_strsplit_set(seen[i], " ", -1);
        IrqLine l = { 0 };
        unsigned n = g_strv_length(w);

        g_assert_cmpuint(n, >=, cpus + 2);
        for (unsigned c = 0; c < cpus && c < 4; c++) {
            l.count[c] = g_ascii_strtoull(w[1 + c], NULL, 10);
        }
        l.name = g_strdup(w[n - 1]);
        g_array_append_val(lines, l);
    }
    return lines;
}

static void irq_lines_free(GArray *lines)
{
    for (guint i = 0; i < lines->len; i++) {
        g_free(g_array_index(lines, IrqLine, i).name);
    }
    g_array_free(lines, true);
}

static uint64_t irq_total(const IrqLine *l, unsigned cpus)
{
    uint64_t t = 0;

    for (unsigned c = 0; c < cpus; c++) {
        t += l->count[c];
    }
    return t;
}

static bool pci_seen(GuestVM *vm, unsigned vendor, unsigned device)
{
    g_auto(GStrv) pci = guest_vm_seen(vm, "pci");
    g_autofree char *ids = g_strdup_printf(" 0x%04x 0x%04x ", vendor, device);

    for (unsigned i = 0; pci[i]; i++) {
        if (strstr(pci[i], ids)) {
            return true;
        }
    }
    return false;
}

#define SET_IRQS_TRACE "vfio_kernel_set_irqs vfio_msix_replay"

/*
 * The guest's nvme driver enables MSI-X twice (the admin queue's vector
 * alone, then all of them): each bring-up takes one SET_IRQS at the
 * function unmask, on the 6.1 host (NORESIZE) too, so its N vectors cost
 * at most N + 1 calls on the MSI-X index in all, and none is replayed.
 * Counted until /init is done (before the shutdown turns them off).
 */
static void check_set_irqs(GuestVM *vm, const char *nvme, unsigned cpus,
                           unsigned vectors)
{
    g_autofree char *msix = g_strdup_printf("vfio_kernel_set_irqs %s index "
                                            "%u ", nvme,
                                            VFIO_PCI_MSIX_IRQ_INDEX);
    g_autofree char *intx = g_strdup_printf("vfio_kernel_set_irqs %s index "
                                            "%u ", nvme,
                                            VFIO_PCI_INTX_IRQ_INDEX);
    unsigned n = guest_vm_trace_count(vm, msix);

    g_assert_cmpuint(vectors, ==, cpus + 1);    /* admin + a queue per CPU */
    g_assert_cmpuint(n, <=, vectors + 1);
    g_assert_cmpuint(guest_vm_trace_count(vm, "vfio_msix_replay"), ==, 0);
    g_test_message("report: %u MSI-X vectors brought up with %u SET_IRQS on "
                   "the MSI-X index (goal <= %u), %u on INTx's (off at the "
                   "first MSI-X enable, back on and off between the driver's "
                   "two enables), none replayed", vectors, n, vectors + 1,
                   guest_vm_trace_count(vm, intx));
}

static void quit(GuestVM *vm)
{
    json_object_unref(qmp_conn_cmd(guest_vm_qmp(vm), "{'execute':'quit'}"));
    expect_exit(vm, 0);
}

/*
 * The guest's own nvme driver reads the disk pattern run-guest wrote
 * (DMA and MSI-X through real VFIO under KVM); its vectors count, and
 * came up with few SET_IRQS; edu and e1000e beside it show their host IDs.
 */
static void test_nvme_pattern(void)
{
    g_autofree char *nvme = NULL, *edu = NULL, *e1000e = NULL;
    g_autofree char *args = NULL, *disk = NULL, *up = NULL;
    GArray *irqs;
    GuestVM *vm;
    uint64_t total = 0;

    if (skip_unless_kvm() ||
        !(nvme = host_pci_or_skip(NVME_VENDOR, NVME_DEVICE, "nvme")) ||
        !(edu = host_pci_or_skip(EDU_VENDOR, EDU_DEVICE, "edu")) ||
        !(e1000e = host_pci_or_skip(E1000E_VENDOR, E1000E_DEVICE, "e1000e"))) {
        return;
    }
    args = g_strdup_printf("-m 256 -smp 1 -device vfio-pci,host=%s,addr=3 "
                           "-device vfio-pci,host=%s,addr=4 -device "
                           "vfio-pci,host=%s,addr=5", nvme, edu, e1000e);
    vm = guest_vm_start(args, "qvfio.nvme=1 qvfio.action=stay",
                        SET_IRQS_TRACE);
    up = expect(vm, "up");
    disk = expect(vm, "disk");
    g_free(expect(vm, "done"));
    g_assert_cmpstr(disk, ==, g_getenv("QVFIO_NVME_PATTERN"));
    irqs = irq_lines(vm, "irqs-before", 1);
    for (guint i = 0; i < irqs->len; i++) {
        total += irq_total(&g_array_index(irqs, IrqLine, i), 1);
    }
    g_assert_cmpuint(total, >, 0);
    g_assert_true(pci_seen(vm, NVME_VENDOR, NVME_DEVICE));
    g_assert_true(pci_seen(vm, EDU_VENDOR, EDU_DEVICE));
    g_assert_true(pci_seen(vm, E1000E_VENDOR, E1000E_DEVICE));
    g_test_message("report: the VM sees nvme 1b36:0010 (host %s), edu "
                   "1234:11e8 (host %s), e1000e 8086:10d3 (host %s)", nvme,
                   edu, e1000e);
    g_test_message("report: its nvme driver read \"%s\" from the disk "
                   "image; %" PRIu64 " interrupts on %u MSI-X vectors, /init "
                   "at %s s of guest uptime", disk, total, irqs->len, up);
    check_set_irqs(vm, nvme, 1, irqs->len);
    quit(vm);
    irq_lines_free(irqs);
    guest_vm_free(vm);
}

typedef struct BarRead {
    char *value;
    double ns;
    unsigned exits;
} BarRead;

#define BAR_READS 10000

static BarRead bar_read(const char *nvme, const char *props)
{
    g_autofree char *args = g_strdup_printf(
        "-m 256 -device vfio-pci,host=%s,addr=3%s", nvme, props);
    g_autofree char *append = g_strdup_printf(
        "qvfio.bar=" NVME_GUEST_BDF ",0,8,%d", BAR_READS);
    g_autofree char *bar = NULL;
    g_auto(GStrv) w = NULL;
    BarRead r;
    GuestVM *vm = guest_vm_start(args, append, "kvm_exit_mmio");

    bar = expect(vm, "bar");
    g_free(expect(vm, "done"));
    expect_exit(vm, 0);
    w = g_strsplit(bar, " ", 2);
    if (g_strv_length(w) != 2 || !g_str_has_prefix(w[0], "0x")) {
        g_error("bar-read in the guest said: %s", bar);
    }
    r.value = g_strdup(w[0]);
    r.ns = g_ascii_strtod(w[1], NULL);
    r.exits = guest_vm_trace_count(vm, "kvm_exit_mmio");
    guest_vm_free(vm);
    return r;
}

/*
 * A BAR register read in the guest gives the device's value through the
 * memory slot (no exit) and through the trap (x-no-mmap=on, an exit each).
 */
static void test_nvme_bar_slot_vs_trap(void)
{
    g_autofree char *nvme = NULL;
    BarRead slot, trap;

    if (skip_unless_kvm() ||
        !(nvme = host_pci_or_skip(NVME_VENDOR, NVME_DEVICE, "nvme"))) {
        return;
    }
    slot = bar_read(nvme, "");
    trap = bar_read(nvme, ",x-no-mmap=on");
    g_assert_cmpstr(slot.value, ==, trap.value);
    g_assert_cmpstr(slot.value, !=, "0xffffffff");
    g_assert_cmpuint(trap.exits, >=, BAR_READS);
    g_assert_cmpuint(slot.exits, <, BAR_READS);
    g_test_message("report: nvme VS register %s: through the memory slot "
                   "%.0f ns per read (%u MMIO exits in the whole run), "
                   "through the trap %.0f ns (%u exits)", slot.value, slot.ns,
                   slot.exits, trap.ns, trap.exits);
    g_free(slot.value);
    g_free(trap.value);
}

/*
 * With two vCPUs, I/O issued from CPU 1 completes on the queue bound to
 * CPU 1, whose MSI-X vector the guest aimed at CPU 1: the route follows.
 */
static void test_nvme_irq_follows_cpu(void)
{
    g_autofree char *nvme = NULL, *args = NULL;
    GArray *before, *after;
    GuestVM *vm;
    bool on_cpu1 = false;

    if (skip_unless_kvm() ||
        !(nvme = host_pci_or_skip(NVME_VENDOR, NVME_DEVICE, "nvme"))) {
        return;
    }
    args = g_strdup_printf("-m 256 -smp 2 -device vfio-pci,host=%s,addr=3",
                           nvme);
    vm = guest_vm_start(args, "qvfio.nvme=1 qvfio.io=1 qvfio.action=stay",
                        SET_IRQS_TRACE);
    g_free(expect(vm, "io-done"));
    g_free(expect(vm, "done"));
    before = irq_lines(vm, "irqs-before", 2);
    after = irq_lines(vm, "irqs-after", 2);
    g_assert_cmpuint(before->len, ==, after->len);
    for (guint i = 0; i < after->len; i++) {
        IrqLine *a = &g_array_index(after, IrqLine, i);
        IrqLine *b = &g_array_index(before, IrqLine, i);
        uint64_t d0 = a->count[0] - b->count[0], d1 = a->count[1] - b->count[1];

        g_test_message("%s: CPU0 +%" PRIu64 ", CPU1 +%" PRIu64, a->name, d0,
                       d1);
        if (d1 >= 100 && d0 == 0) {
            on_cpu1 = true;
            g_test_message("report: 512 reads issued on CPU 1 completed on "
                           "%s: +%" PRIu64 " interrupts on CPU 1, none on "
                           "CPU 0", a->name, d1);
        }
    }
    g_assert_true(on_cpu1);
    check_set_irqs(vm, nvme, 2, after->len);
    quit(vm);
    irq_lines_free(before);
    irq_lines_free(after);
    guest_vm_free(vm);
}

/*
 * INTx under KVM: with MSI off in the guest (pci=nomsi) its nvme driver
 * takes the pin; the line is an irqfd with a resample eventfd, never
 * relayed by qvfio.
 */
static void test_nvme_intx(void)
{
    g_autofree char *nvme = NULL, *args = NULL, *disk = NULL;
    GArray *irqs;
    GuestVM *vm;

    if (skip_unless_kvm() ||
        !(nvme = host_pci_or_skip(NVME_VENDOR, NVME_DEVICE, "nvme"))) {
        return;
    }
    args = g_strdup_printf("-m 256 -device vfio-pci,host=%s,addr=3", nvme);
    vm = guest_vm_start(args, "pci=nomsi qvfio.nvme=1", "vfio_intx_*");
    disk = expect(vm, "disk");
    g_free(expect(vm, "done"));
    expect_exit(vm, 0);
    g_assert_cmpstr(disk, ==, g_getenv("QVFIO_NVME_PATTERN"));
    irqs = irq_lines(vm, "irqs-before", 1);
    g_assert_cmpuint(irqs->len, >=, 1);
    g_assert_cmpuint(irq_total(&g_array_index(irqs, IrqLine, 0), 1), >, 0);
    g_assert_cmpuint(guest_vm_trace_count(vm, "routed by the machine 1"), >,
                     0);
    g_assert_cmpuint(guest_vm_trace_count(vm, "vfio_intx_interrupt"), ==, 0);
    g_test_message("report: nvme on INTx (pci=nomsi): the disk read, %"
                   PRIu64 " interrupts through an irqfd with resample, none "
                   "relayed by qvfio",
                   irq_total(&g_array_index(irqs, IrqLine, 0), 1));
    irq_lines_free(irqs);
    guest_vm_free(vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/kvm/boot/1cpu", GUINT_TO_POINTER(1), test_boot);
    g_test_add_data_func("/kvm/boot/smp2", GUINT_TO_POINTER(2), test_boot);
    g_test_add_func("/kvm/reboot", test_reboot);
    g_test_add_func("/kvm/no-reboot", test_no_reboot);
    g_test_add_func("/kvm/errors", test_errors);
    g_test_add_func("/kvm/qmp-life-cycle", test_qmp_life_cycle);
    g_test_add_func("/kvm/nvme/pattern", test_nvme_pattern);
    g_test_add_func("/kvm/nvme/bar-slot-vs-trap", test_nvme_bar_slot_vs_trap);
    g_test_add_func("/kvm/nvme/irq-follows-cpu", test_nvme_irq_follows_cpu);
    g_test_add_func("/kvm/nvme/intx", test_nvme_intx);
    return g_test_run();
}
