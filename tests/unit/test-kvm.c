/*
 * The KVM accelerator on the host's /dev/kvm: a tiny 32-bit guest enters
 * at the Linux boot protocol's state, reaches port I/O and MMIO devices
 * through exits, writes RAM through its memory slot, and runs again after
 * a reset. Skipped (saying why) where /dev/kvm cannot run guests.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include "hw/i386/x86-cpu.h"
#include "system/accel.h"
#include "system/kvm.h"
#include "system/memory.h"

#define CODE_ADDR 0x1000
#define GDT_ADDR 0x500
#define RESULT_ADDR 0x201000
#define MMIO_ADDR 0xa0000000ULL
#define PORT_DATA 0xf0
#define PORT_DONE 0xf1

/*
 * 32-bit code: a busy loop (LOOP_COUNT_OFFSET holds its count), out,
 * MMIO write, MMIO read stored to RAM, done.
 */
#define LOOP_COUNT_OFFSET 1
static uint8_t guest_code[] = {
    0xb9, 0x01, 0x00, 0x00, 0x00,           /* mov ecx, count */
    0x49,                                   /* dec ecx */
    0x75, 0xfd,                             /* jnz .-3 */
    0xba, PORT_DATA, 0x00, 0x00, 0x00,      /* mov edx, PORT_DATA */
    0xb0, 0x41,                             /* mov al, 'A' */
    0xee,                                   /* out dx, al */
    0xb8, 0x78, 0x56, 0x34, 0x12,           /* mov eax, 0x12345678 */
    0xa3, 0x00, 0x00, 0x00, 0xa0,           /* mov [MMIO], eax */
    0xa1, 0x04, 0x00, 0x00, 0xa0,           /* mov eax, [MMIO + 4] */
    0xa3, 0x00, 0x10, 0x20, 0x00,           /* mov [RESULT], eax */
    0x89, 0xf0,                             /* mov eax, esi */
    0xa3, 0x04, 0x10, 0x20, 0x00,           /* mov [RESULT + 4], eax */
    0xba, PORT_DONE, 0x00, 0x00, 0x00,      /* mov edx, PORT_DONE */
    0xee,                                   /* out dx, al */
    0xeb, 0xfe,                             /* jmp $ */
};

/* Null, null, then flat code (0x10) and data (0x18), as Linux expects. */
static const uint64_t gdt[] = {
    0, 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL,
};

typedef struct Probe {
    unsigned data_writes;
    uint8_t last_data;
    unsigned done;
    uint32_t mmio_written;
} Probe;

static Probe probe;
static MemoryRegion ram, io_data, io_done, mmio;

static void data_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    probe.data_writes++;
    probe.last_data = v;
}

static void done_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    probe.done++;
    qemu_main_loop_quit(0);
}

static uint64_t ignore_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return addr == 4 ? 0xcafef00d : 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    if (addr == 0 && size == 4) {
        probe.mmio_written = v;
    }
}

static const MemoryRegionOps data_ops = { .read = ignore_read,
                                          .write = data_write };
static const MemoryRegionOps done_ops = { .read = ignore_read,
                                          .write = done_write };
static const MemoryRegionOps mmio_ops = { .read = mmio_read,
                                          .write = mmio_write };

static gboolean too_slow(gpointer opaque)
{
    qemu_main_loop_quit(1);
    return G_SOURCE_REMOVE;
}

/* Run until the guest writes PORT_DONE; 0 on success, 1 after @seconds. */
static int run_guest_within(unsigned seconds)
{
    guint timeout = g_timeout_add_seconds(seconds, too_slow, NULL);
    int status;

    resume_all_vcpus();
    status = qemu_main_loop_run();
    pause_all_vcpus();
    if (status == 0) {
        g_source_remove(timeout);
    }
    return status;
}

static int run_guest(void)
{
    return run_guest_within(20);
}

static void machine_setup(uint32_t loop_count)
{
    X86BootEntry entry = {
        .eip = CODE_ADDR, .esi = 0x7000, .gdt_base = GDT_ADDR,
        .gdt_limit = sizeof(gdt) - 1, .cr0 = 0x11, .eflags = 0x2,
        .cs = { .selector = 0x10, .limit = 0xffffffff, .type = 0xb,
                .present = true, .s = true, .db = true, .g = true },
        .ds = { .selector = 0x18, .limit = 0xffffffff, .type = 0x3,
                .present = true, .s = true, .db = true, .g = true },
    };

    memory_system_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 4 << 20,
                                         &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    memory_region_init_io(&io_data, NULL, &data_ops, NULL, "data", 1);
    memory_region_add_subregion(get_system_io(), PORT_DATA, &io_data);
    memory_region_init_io(&io_done, NULL, &done_ops, NULL, "done", 1);
    memory_region_add_subregion(get_system_io(), PORT_DONE, &io_done);
    memory_region_init_io(&mmio, NULL, &mmio_ops, NULL, "mmio", 0x1000);
    memory_region_add_subregion(get_system_memory(), MMIO_ADDR, &mmio);
    stl_le_p(guest_code + LOOP_COUNT_OFFSET, loop_count);
    address_space_write(&address_space_memory, CODE_ADDR, guest_code,
                        sizeof(guest_code));
    address_space_write(&address_space_memory, GDT_ADDR, gdt, sizeof(gdt));
    x86_set_boot_entry(&entry);
}

static void machine_teardown(void);

/* Each vCPU runs on a thread of its own, known once cpus_start() returns. */
static void check_thread_ids(unsigned nr_cpus)
{
    for (unsigned i = 0; i < nr_cpus; i++) {
        int tid = cpu_get(i)->thread_id;
        g_autofree char *task = g_strdup_printf("/proc/self/task/%d", tid);

        g_assert_cmpint(tid, >, 0);
        g_assert_cmpint(tid, !=, gettid());
        g_assert_true(g_file_test(task, G_FILE_TEST_IS_DIR));
        for (unsigned j = 0; j < i; j++) {
            g_assert_cmpint(cpu_get(j)->thread_id, !=, tid);
        }
    }
}

static void test_kvm_guest_runs(gconstpointer data)
{
    unsigned nr_cpus = GPOINTER_TO_UINT(data);
    CpuTopology smp = { .cpus = nr_cpus, .sockets = 1, .cores = nr_cpus,
                        .threads = 1, .max_cpus = nr_cpus };
    uint32_t apic_ids[4] = { 0, 1, 2, 3 };
    uint32_t result[2];
    Error *err = NULL;

    if (!kvm_accel_init(true, &err)) {
        g_autofree char *why = g_strdup_printf("no usable KVM here: %s",
                                               error_get_pretty(err));

        error_free(err);
        g_test_skip(why);
        return;
    }
    machine_setup(1);
    memset(&probe, 0, sizeof(probe));
    g_assert_true(accel_create_vcpus(&smp, apic_ids, &error_abort));
    g_assert_true(cpus_start(&error_abort));
    check_thread_ids(nr_cpus);

    g_assert_cmpint(run_guest(), ==, 0);
    g_assert_cmpuint(probe.data_writes, ==, 1);
    g_assert_cmphex(probe.last_data, ==, 'A');
    g_assert_cmphex(probe.mmio_written, ==, 0x12345678);
    address_space_read(&address_space_memory, RESULT_ADDR, result,
                       sizeof(result));
    g_assert_cmphex(result[0], ==, 0xcafef00d);
    g_assert_cmphex(result[1], ==, 0x7000);         /* ESI: the zero page */

    /* A reset starts the boot CPU at the entry again. */
    accel_reset();
    g_assert_cmpint(run_guest(), ==, 0);
    g_assert_cmpuint(probe.data_writes, ==, 2);
    g_assert_cmpuint(probe.done, ==, 2);

    machine_teardown();
}

/*
 * --probe: can this host's KVM run guests at hardware speed? A loop of
 * PROBE_LOOPS iterations takes milliseconds with hardware virtualization;
 * an emulated or crippled nested KVM needs seconds, and a Linux boot on it
 * would take many minutes. Prints "usable ..." (exit 0) or "unusable: ..."
 * (exit 1).
 */
#define PROBE_LOOPS 10000000
#define PROBE_SECONDS 2

static int probe_kvm(void)
{
    CpuTopology smp = { .cpus = 1, .sockets = 1, .cores = 1, .threads = 1,
                        .max_cpus = 1 };
    uint32_t apic_id = 0;
    Error *err = NULL;
    gint64 start;
    int status;

    if (!kvm_accel_init(true, &err)) {
        printf("unusable: %s\n", error_get_pretty(err));
        error_free(err);
        return 1;
    }
    machine_setup(PROBE_LOOPS);
    if (!accel_create_vcpus(&smp, &apic_id, &err) || !cpus_start(&err)) {
        printf("unusable: %s\n", error_get_pretty(err));
        error_free(err);
        return 1;
    }
    start = g_get_monotonic_time();
    status = run_guest_within(PROBE_SECONDS);
    machine_teardown();
    if (status) {
        printf("unusable: this host's KVM did not run %d guest loop "
               "iterations within %d s (hardware virtualization takes "
               "milliseconds): it is emulated or nested without hardware "
               "support, too slow to boot Linux\n", PROBE_LOOPS,
               PROBE_SECONDS);
        return 1;
    }
    printf("usable: %d guest loop iterations in %.3f s\n", PROBE_LOOPS,
           (g_get_monotonic_time() - start) / 1e6);
    return 0;
}

static void machine_teardown(void)
{
    cpus_destroy_all();
    kvm_accel_cleanup();
    memory_region_del_subregion(get_system_memory(), &mmio);
    memory_region_del_subregion(get_system_io(), &io_done);
    memory_region_del_subregion(get_system_io(), &io_data);
    memory_region_del_subregion(get_system_memory(), &ram);
    memory_region_finalize(&mmio);
    memory_region_finalize(&io_done);
    memory_region_finalize(&io_data);
    memory_region_finalize(&ram);
}

int main(int argc, char **argv)
{
    qemu_main_loop_init();
    if (argc == 2 && !strcmp(argv[1], "--probe")) {
        return probe_kvm();
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/kvm/guest-runs/1cpu", GUINT_TO_POINTER(1),
                         test_kvm_guest_runs);
    g_test_add_data_func("/kvm/guest-runs/2cpus", GUINT_TO_POINTER(2),
                         test_kvm_guest_runs);
    return g_test_run();
}
