/*
 * The exits a KVM vCPU hands to qvfio (accel/kvm/kvm-cpus.c): a guest
 * chooses every port, address, size and count of its accesses, and a
 * kvm_run page with broken fields must be refused, never followed. The
 * input is a list of exits, each decoded into a kvm_run of the size KVM
 * maps (one to three pages, allocated to the byte so that ASan sees any
 * read past it) and dispatched on fuzz_pci_machine_init's machine (q35,
 * vfio-pci on the fake backend, the test PCI device). No /dev/kvm is
 * involved: the vCPU fd is -1, so the exits that dump registers find
 * none. The machine is reset after each input.
 */
#include "qemu/osdep.h"
#include "../../accel/kvm/kvm-int.h"
#include "fuzz-util.h"

#define FUZZ_MAX_EXITS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_pci_machine_init();
    return 0;
}

/* A port near something that decodes it, mostly. */
static uint16_t fuzz_port(FuzzInput *in)
{
    static const uint16_t bases[] = {
        0xcf8, 0xcfc, FUZZ_PIO_BASE, 0x3f8, 0x600, 0x20, 0x40, 0xcf9,
    };
    uint8_t sel = fuzz_u8(in);
    uint16_t off = fuzz_u8(in);

    return sel < ARRAY_SIZE(bases) ? bases[sel] + off
                                   : (uint16_t)((sel << 8) | off);
}

/* An address in the ECAM window, the BARs, the I/O APIC, RAM or anywhere. */
static uint64_t fuzz_address(FuzzInput *in)
{
    static const uint64_t bases[] = {
        FUZZ_ECAM_BASE, FUZZ_MMIO_BASE, 0xfec00000, 0xfee00000, 0,
    };
    uint8_t sel = fuzz_u8(in);
    uint32_t off = fuzz_u32(in);

    return sel < ARRAY_SIZE(bases) ? bases[sel] + (off & 0x3fffff)
                                   : ((uint64_t)fuzz_u32(in) << 32) | off;
}

static void fuzz_io_exit(FuzzInput *in, struct kvm_run *run, size_t run_size)
{
    uint32_t offset = fuzz_u8(in) & 1 ? fuzz_u32(in) : sizeof(*run);

    run->exit_reason = KVM_EXIT_IO;
    run->io.port = fuzz_port(in);
    run->io.size = fuzz_u8(in);
    run->io.direction = fuzz_u8(in) & 1;
    run->io.count = fuzz_u8(in) & 0x80 ? fuzz_u32(in) : fuzz_u8(in) & 7;
    run->io.data_offset = offset;
    if (offset < run_size) {
        fuzz_bytes(in, (uint8_t *)run + offset, MIN(run_size - offset, 32));
    }
}

static void fuzz_mmio_exit(FuzzInput *in, struct kvm_run *run)
{
    run->exit_reason = KVM_EXIT_MMIO;
    run->mmio.phys_addr = fuzz_address(in);
    run->mmio.len = fuzz_u8(in) & 0x80 ? fuzz_u32(in) : fuzz_u8(in) & 0xf;
    run->mmio.is_write = fuzz_u8(in) & 1;
    fuzz_bytes(in, run->mmio.data, sizeof(run->mmio.data));
}

/* One exit; false when the vCPU would have stopped for good. */
static bool fuzz_one_exit(FuzzInput *in, CPUState *cpu, size_t run_size)
{
    g_autofree struct kvm_run *run = g_malloc0(run_size);
    uint8_t kind = fuzz_u8(in);

    switch (kind % 5) {
    case 0:
        fuzz_io_exit(in, run, run_size);
        break;
    case 1:
        fuzz_mmio_exit(in, run);
        break;
    case 2:
        run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
        run->system_event.type = fuzz_u32(in);
        break;
    case 3:
        run->exit_reason = KVM_EXIT_INTR;
        break;
    default:
        /* Anything KVM might say, the whole page as it comes. */
        fuzz_bytes(in, run, run_size);
        break;
    }
    return kvm_cpu_dispatch_exit(cpu, run, run_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = fuzz_input(data, size);
    size_t run_size = (1 + fuzz_u8(&in) % 3) * (size_t)getpagesize();
    KVMCPU kc = { .fd = -1 };
    CPUState cpu = { .index = 0, .accel = &kc };

    g_assert(run_size >= sizeof(struct kvm_run));
    current_cpu = &cpu;
    for (int i = 0; i < FUZZ_MAX_EXITS && !fuzz_input_done(&in); i++) {
        bool went_on;

        fuzz_reports_reset();
        went_on = fuzz_one_exit(&in, &cpu, run_size);
        if (!went_on && !*fuzz_reports() && !getenv("FUZZ_VERBOSE")) {
            fuzz_fail("an exit stopped the vCPU without saying why");
        }
        /* As between the exits of a vCPU: the main loop runs. */
        fuzz_main_loop_drain();
    }
    current_cpu = NULL;
    /* Back to the machine of the next input's expectations. */
    fuzz_pci_machine_reset("after a run of KVM exits");
    return 0;
}
