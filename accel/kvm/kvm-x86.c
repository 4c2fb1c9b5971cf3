/*
 * KVM on x86: the in-kernel interrupt controllers and PIT with QEMU's GSI
 * routing, the CPUID each vCPU sees (what the host's KVM supports, with
 * the -smp topology), and the power-on state every reset restores.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/core/machine.h"
#include "hw/i386/x86-cpu.h"
#include "hw/intc/x86-msi.h"
#include "system/runstate.h"
#include "system/kvm.h"
#include "kvm-int.h"
#include "trace.h"
#include <asm/kvm_para.h>
#include <asm/processor-flags.h>

/* Below the I/O APIC, where QEMU puts them; reserved in the e820 map. */
#define KVM_IDENTITY_MAP_ADDR 0xfeffc000ULL
#define KVM_TSS_ADDR 0xfeffd000ULL

#define IOAPIC_PINS 24
#define IRQCHIP_NR 3                    /* PIC master, PIC slave, I/O APIC */

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_8000_0001_ECX_CMP_LEGACY (1u << 1)
#define CPUID_8000_0001_ECX_SVM (1u << 2)
#define CPUID_VENDOR_AMD_EBX 0x68747541     /* "Auth" */
#define CPUID_VENDOR_HYGON_EBX 0x6f677948   /* "Hygo" */

#define MSR_IA32_TSC 0x10
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MTRR_DEF_TYPE_ENABLE (1u << 11)
#define MTRR_TYPE_WRBACK 6

#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_DM_NMI 0x400
#define APIC_DM_EXTINT 0x700

typedef struct KVMX86CPU {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_lapic_state lapic;
    struct kvm_vcpu_events events;
    struct kvm_xcrs xcrs;
    bool has_xcrs;
    struct kvm_msrs *msrs;              /* every MSR KVM let us read */
} KVMX86CPU;

static struct kvm_cpuid2 *supported_cpuid;
static struct kvm_msr_list *msr_list;
static struct kvm_irqchip irqchip_reset_state[IRQCHIP_NR];
static struct kvm_pit_state2 pit_reset_state;
static bool tsc_deadline;

/* VM set-up */

static bool route_irqchip(unsigned gsi, unsigned chip, unsigned pin,
                          Error **errp)
{
    struct kvm_irq_routing_entry e = {
        .gsi = gsi,
        .type = KVM_IRQ_ROUTING_IRQCHIP,
        .u.irqchip = { .irqchip = chip, .pin = pin },
    };

    return kvm_add_route(&e, errp);
}

/*
 * ISA IRQs 0-15 reach the PIC and the I/O APIC; PCI INTx lines 16-23 the
 * I/O APIC. The PIT's IRQ 0 drives I/O APIC pin 2, as the MADT's
 * interrupt source override tells the guest.
 */
static bool kvm_x86_init_routes(Error **errp)
{
    for (unsigned gsi = 0; gsi < 16; gsi++) {
        if (gsi != 2 &&
            !route_irqchip(gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
                                        : KVM_IRQCHIP_PIC_SLAVE,
                           gsi % 8, errp)) {
            return false;
        }
    }
    for (unsigned gsi = 0; gsi < IOAPIC_PINS; gsi++) {
        if (gsi != 2 &&
            !route_irqchip(gsi, KVM_IRQCHIP_IOAPIC, gsi ? gsi : 2, errp)) {
            return false;
        }
    }
    return kvm_irqchip_commit_routes(errp);
}

static struct kvm_cpuid2 *get_supported_cpuid(Error **errp)
{
    for (unsigned n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + n * sizeof(c->entries[0]));
        int ret;

        c->nent = n;
        ret = kvm_ioctl(KVM_GET_SUPPORTED_CPUID, c);
        if (ret >= 0) {
            return c;
        }
        g_free(c);
        if (ret != -E2BIG) {
            error_setg_errno(errp, -ret, "kvm: KVM_GET_SUPPORTED_CPUID failed");
            return NULL;
        }
    }
    error_setg(errp, "kvm: KVM_GET_SUPPORTED_CPUID returns too many entries");
    return NULL;
}

static struct kvm_msr_list *get_msr_list(Error **errp)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    struct kvm_msr_list *list;
    int ret = kvm_ioctl(KVM_GET_MSR_INDEX_LIST, &probe);

    if (ret < 0 && ret != -E2BIG) {
        error_setg_errno(errp, -ret, "kvm: KVM_GET_MSR_INDEX_LIST failed");
        return NULL;
    }
    list = g_malloc0(sizeof(*list) + probe.nmsrs * sizeof(list->indices[0]));
    list->nmsrs = probe.nmsrs;
    ret = kvm_ioctl(KVM_GET_MSR_INDEX_LIST, list);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: KVM_GET_MSR_INDEX_LIST failed");
        g_free(list);
        return NULL;
    }
    return list;
}

static bool kvm_x86_save_irqchip(Error **errp)
{
    int ret;

    for (unsigned i = 0; i < IRQCHIP_NR; i++) {
        irqchip_reset_state[i].chip_id = i;
        ret = kvm_vm_ioctl(KVM_GET_IRQCHIP, &irqchip_reset_state[i]);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "kvm: KVM_GET_IRQCHIP failed");
            return false;
        }
    }
    ret = kvm_vm_ioctl(KVM_GET_PIT2, &pit_reset_state);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: KVM_GET_PIT2 failed");
        return false;
    }
    return true;
}

bool kvm_arch_init(KVMState *s, Error **errp)
{
    uint64_t identity = KVM_IDENTITY_MAP_ADDR;
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    int ret;

    if (kvm_check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR) &&
        (ret = kvm_vm_ioctl(KVM_SET_IDENTITY_MAP_ADDR, &identity)) < 0) {
        error_setg_errno(errp, -ret, "kvm: KVM_SET_IDENTITY_MAP_ADDR failed");
        return false;
    }
    ret = kvm_vm_ioctl(KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: KVM_SET_TSS_ADDR failed");
        return false;
    }
    ret = kvm_vm_ioctl(KVM_CREATE_IRQCHIP, NULL);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: cannot create the in-kernel "
                         "interrupt controllers");
        return false;
    }
    if (!kvm_x86_init_routes(errp)) {
        return false;
    }
    ret = kvm_vm_ioctl(KVM_CREATE_PIT2, &pit);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: cannot create the in-kernel PIT");
        return false;
    }
    tsc_deadline = kvm_check_extension(KVM_CAP_TSC_DEADLINE_TIMER) > 0;
    supported_cpuid = get_supported_cpuid(errp);
    msr_list = supported_cpuid ? get_msr_list(errp) : NULL;
    return msr_list && kvm_x86_save_irqchip(errp);
}

void kvm_arch_cleanup(void)
{
    g_clear_pointer(&supported_cpuid, g_free);
    g_clear_pointer(&msr_list, g_free);
}

bool kvm_arch_msi_routable(uint64_t address)
{
    return address >= X86_MSI_BASE && address < X86_MSI_BASE + X86_MSI_SIZE;
}

void kvm_arch_reset_irqchip(void)
{
    for (unsigned i = 0; i < IRQCHIP_NR; i++) {
        if (kvm_vm_ioctl(KVM_SET_IRQCHIP, &irqchip_reset_state[i]) < 0) {
            warn_report("kvm: cannot reset interrupt controller %u", i);
        }
    }
    if (kvm_vm_ioctl(KVM_SET_PIT2, &pit_reset_state) < 0) {
        warn_report("kvm: cannot reset the PIT");
    }
}

/* CPUID */

static bool vendor_is_amd(const struct kvm_cpuid2 *c)
{
    for (unsigned i = 0; i < c->nent; i++) {
        if (c->entries[i].function == 0) {
            return c->entries[i].ebx == CPUID_VENDOR_AMD_EBX ||
                   c->entries[i].ebx == CPUID_VENDOR_HYGON_EBX;
        }
    }
    return false;
}

/* Leaves 0xB and 0x1F: one level of threads, one of cores per package. */
static void cpuid_fix_extended_topology(struct kvm_cpuid_entry2 *e,
                                        const X86CPUTopo *t, uint32_t apic_id)
{
    unsigned smt = x86_topo_smt_bits(t), core = x86_topo_core_bits(t);

    e->edx = apic_id;
    switch (e->index) {
    case 0:
        e->eax = smt;
        e->ebx = t->threads;
        e->ecx = (1 << 8) | e->index;
        break;
    case 1:
        e->eax = smt + core;
        e->ebx = t->threads * t->cores;
        e->ecx = (2 << 8) | e->index;
        break;
    default:
        e->eax = e->ebx = 0;
        e->ecx = e->index;
        break;
    }
}

void kvm_x86_cpuid_fixup(struct kvm_cpuid_entry2 *e, const X86CPUTopo *t,
                         uint32_t apic_id, bool amd, bool deadline)
{
    unsigned per_pkg = MIN(t->cores * t->threads, 255);
    unsigned smt = x86_topo_smt_bits(t), core = x86_topo_core_bits(t);

    switch (e->function) {
    case 1:
        e->ebx = (e->ebx & 0xffff) | (per_pkg << 16) | (apic_id << 24);
        e->edx = per_pkg > 1 ? e->edx | CPUID_1_EDX_HTT
                             : e->edx & ~CPUID_1_EDX_HTT;
        e->ecx |= CPUID_1_ECX_HYPERVISOR;
        e->ecx &= ~CPUID_1_ECX_VMX;         /* no nested virtualisation */
        if (deadline) {
            e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
        }
        break;
    case 4:
        if (e->eax & 0x1f) {                /* a cache: who shares it */
            unsigned level = (e->eax >> 5) & 7;
            unsigned sharing = level >= 3 ? per_pkg : t->threads;

            e->eax = (e->eax & 0x3fff) | ((sharing - 1) << 14) |
                     ((MIN(t->cores, 64) - 1) << 26);
        }
        break;
    case 0xb:
    case 0x1f:
        cpuid_fix_extended_topology(e, t, apic_id);
        break;
    case 0x80000001:
        e->ecx &= ~CPUID_8000_0001_ECX_SVM;
        if (amd && per_pkg > 1) {
            e->ecx |= CPUID_8000_0001_ECX_CMP_LEGACY;
        }
        break;
    case 0x80000008:
        if (amd) {
            e->ecx = (e->ecx & ~0xf0ffu) | ((smt + core) << 12) |
                     (per_pkg - 1);
        }
        break;
    case 0x8000001e:
        e->eax = apic_id;
        e->ebx = ((t->threads - 1) << 8) |
                 ((apic_id >> smt) & ((1u << core) - 1));
        e->ecx = apic_id >> (smt + core);   /* one node per socket */
        break;
    }
}

static bool kvm_x86_set_cpuid(CPUState *cpu, const X86CPUTopo *t,
                              Error **errp)
{
    size_t size = sizeof(*supported_cpuid) +
                  supported_cpuid->nent * sizeof(supported_cpuid->entries[0]);
    g_autofree struct kvm_cpuid2 *c = g_memdup2(supported_cpuid, size);
    bool amd = vendor_is_amd(c);
    int ret;

    for (unsigned i = 0; i < c->nent; i++) {
        kvm_x86_cpuid_fixup(&c->entries[i], t, cpu->apic_id, amd,
                            tsc_deadline);
    }
    ret = kvm_vcpu_ioctl(cpu->accel, KVM_SET_CPUID2, c);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm: KVM_SET_CPUID2 failed for vCPU %d",
                         cpu->index);
        return false;
    }
    return true;
}

/* MSRs: KVM_GET/SET_MSRS stop at the first MSR they refuse; skip it. */

static struct kvm_msrs *msrs_new(unsigned n)
{
    struct kvm_msrs *m = g_malloc0(sizeof(*m) + n * sizeof(m->entries[0]));

    m->nmsrs = n;
    return m;
}

static struct kvm_msrs *msrs_read_all(KVMCPU *kc)
{
    struct kvm_msrs *out = msrs_new(msr_list->nmsrs);
    unsigned pos = 0, got = 0;

    while (pos < msr_list->nmsrs) {
        g_autofree struct kvm_msrs *m = msrs_new(msr_list->nmsrs - pos);
        int ret;

        for (unsigned i = 0; i < m->nmsrs; i++) {
            m->entries[i].index = msr_list->indices[pos + i];
        }
        ret = kvm_vcpu_ioctl(kc, KVM_GET_MSRS, m);
        if (ret < 0) {
            break;
        }
        memcpy(&out->entries[got], m->entries, ret * sizeof(m->entries[0]));
        got += ret;
        pos += ret + 1;                 /* skip the refused one */
    }
    out->nmsrs = got;
    return out;
}

/* Write @msrs; with @accepted, keep there those KVM took. */
static void msrs_write_all(KVMCPU *kc, const struct kvm_msrs *msrs,
                           struct kvm_msrs *accepted)
{
    unsigned pos = 0;

    while (pos < msrs->nmsrs) {
        g_autofree struct kvm_msrs *m = msrs_new(msrs->nmsrs - pos);
        int ret;

        memcpy(m->entries, &msrs->entries[pos],
               m->nmsrs * sizeof(m->entries[0]));
        ret = kvm_vcpu_ioctl(kc, KVM_SET_MSRS, m);
        if (ret < 0) {
            return;
        }
        if (accepted) {
            memcpy(&accepted->entries[accepted->nmsrs], m->entries,
                   ret * sizeof(m->entries[0]));
            accepted->nmsrs += ret;
        }
        if ((unsigned)ret < m->nmsrs) {
            trace_kvm_msr_refused(m->entries[ret].index);
        }
        pos += ret + 1;
    }
}

static void msr_set(KVMCPU *kc, uint32_t index, uint64_t value)
{
    g_autofree struct kvm_msrs *m = msrs_new(1);

    m->entries[0].index = index;
    m->entries[0].data = value;
    if (kvm_vcpu_ioctl(kc, KVM_SET_MSRS, m) != 1) {
        trace_kvm_msr_refused(index);
    }
}

/*
 * The MSRs a reset writes back: what KVM reads and lets us write (a reset
 * must not try the others again), but for the TSC, which every reset sets
 * to 0 on all vCPUs at once so that KVM keeps them in step.
 */
static struct kvm_msrs *msrs_reset_values(KVMCPU *kc)
{
    g_autofree struct kvm_msrs *read = msrs_read_all(kc);
    struct kvm_msrs *keep = msrs_new(read->nmsrs);

    for (unsigned i = 0; i < read->nmsrs; i++) {
        if (read->entries[i].index == MSR_IA32_TSC) {
            read->entries[i] = read->entries[--read->nmsrs];
            break;
        }
    }
    keep->nmsrs = 0;
    msrs_write_all(kc, read, keep);
    return keep;
}

/* The power-on state */

static bool save_power_on_state(CPUState *cpu, Error **errp)
{
    KVMCPU *kc = cpu->accel;
    KVMX86CPU *x = kc->arch;
    int ret;

    if ((ret = kvm_vcpu_ioctl(kc, KVM_GET_REGS, &x->regs)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_GET_SREGS, &x->sregs)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_GET_FPU, &x->fpu)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_GET_LAPIC, &x->lapic)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_GET_VCPU_EVENTS, &x->events)) < 0) {
        error_setg_errno(errp, -ret, "kvm: cannot read the state of vCPU %d",
                         cpu->index);
        return false;
    }
    x->has_xcrs = kvm_check_extension(KVM_CAP_XCRS) &&
                  kvm_vcpu_ioctl(kc, KVM_GET_XCRS, &x->xcrs) >= 0;
    x->msrs = msrs_reset_values(kc);
    return true;
}

bool kvm_arch_vcpu_init(CPUState *cpu, const CpuTopology *smp,
                        Error **errp)
{
    KVMCPU *kc = cpu->accel;
    X86CPUTopo topo = {
        .cpus = smp->cpus, .sockets = smp->sockets,
        .cores = smp->cores, .threads = smp->threads,
    };

    kc->arch = g_new0(KVMX86CPU, 1);
    if (!kvm_x86_set_cpuid(cpu, &topo, errp) ||
        !save_power_on_state(cpu, errp)) {
        return false;
    }
    kvm_arch_vcpu_reset(cpu);
    return true;
}

void kvm_arch_vcpu_destroy(CPUState *cpu)
{
    KVMCPU *kc = cpu->accel;

    if (kc->arch) {
        g_free(kc->arch->msrs);
        g_clear_pointer(&kc->arch, g_free);
    }
}

static void kvm_segment_from(struct kvm_segment *seg,
                             const X86BootSegment *s)
{
    *seg = (struct kvm_segment) {
        .base = s->base, .limit = s->limit, .selector = s->selector,
        .type = s->type, .present = s->present, .dpl = s->dpl, .db = s->db,
        .s = s->s, .g = s->g,
    };
}

/* The Linux 32-bit boot protocol: flat segments, paging off, ESI. */
static void boot_entry_state(const X86BootEntry *e, struct kvm_regs *regs,
                             struct kvm_sregs *sregs)
{
    kvm_segment_from(&sregs->cs, &e->cs);
    kvm_segment_from(&sregs->ds, &e->ds);
    sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
    sregs->gdt.base = e->gdt_base;
    sregs->gdt.limit = e->gdt_limit;
    sregs->cr0 = e->cr0;
    sregs->cr4 = 0;
    sregs->efer = 0;
    memset(regs, 0, sizeof(*regs));
    regs->rip = e->eip;
    regs->rsi = e->esi;
    regs->rflags = e->eflags;
}

/* What firmware leaves in the LAPIC: PIC interrupts on LINT0, NMI on LINT1. */
static void lapic_virtual_wire(struct kvm_lapic_state *lapic, bool bsp)
{
    uint32_t *lvt0 = (uint32_t *)&lapic->regs[APIC_LVT0];
    uint32_t *lvt1 = (uint32_t *)&lapic->regs[APIC_LVT1];

    *lvt0 = bsp ? APIC_DM_EXTINT : *lvt0;
    *lvt1 = APIC_DM_NMI;
}

void kvm_arch_vcpu_reset(CPUState *cpu)
{
    KVMCPU *kc = cpu->accel;
    KVMX86CPU *x = kc->arch;
    const X86BootEntry *entry = x86_get_boot_entry();
    struct kvm_regs regs = x->regs;
    struct kvm_sregs sregs = x->sregs;
    struct kvm_lapic_state lapic = x->lapic;
    struct kvm_vcpu_events events = x->events;
    struct kvm_mp_state mp = {
        .mp_state = cpu->index ? KVM_MP_STATE_UNINITIALIZED
                               : KVM_MP_STATE_RUNNABLE,
    };
    int ret = 0;

    /* kvmclock, async PF and steal time go back off with these. */
    msrs_write_all(kc, x->msrs, NULL);
    msr_set(kc, MSR_IA32_TSC, 0);
    msr_set(kc, MSR_MTRR_DEF_TYPE, MTRR_DEF_TYPE_ENABLE | MTRR_TYPE_WRBACK);
    if (cpu->index == 0 && entry) {
        boot_entry_state(entry, &regs, &sregs);
    }
    lapic_virtual_wire(&lapic, cpu->index == 0);
    if ((ret = kvm_vcpu_ioctl(kc, KVM_SET_SREGS, &sregs)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_SET_REGS, &regs)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_SET_FPU, &x->fpu)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_SET_LAPIC, &lapic)) < 0 ||
        (ret = kvm_vcpu_ioctl(kc, KVM_SET_VCPU_EVENTS, &events)) < 0 ||
        (x->has_xcrs && (ret = kvm_vcpu_ioctl(kc, KVM_SET_XCRS,
                                              &x->xcrs)) < 0) ||
        (ret = kvm_vcpu_ioctl(kc, KVM_SET_MP_STATE, &mp)) < 0) {
        error_report("kvm: cannot reset vCPU %d: %s", cpu->index,
                     strerror(-ret));
    }
    trace_kvm_vcpu_reset(cpu->index, regs.rip);
}

/* Exits */

static void dump_vcpu(CPUState *cpu)
{
    KVMCPU *kc = cpu->accel;
    struct kvm_regs r;
    struct kvm_sregs s;

    if (kvm_vcpu_ioctl(kc, KVM_GET_REGS, &r) < 0 ||
        kvm_vcpu_ioctl(kc, KVM_GET_SREGS, &s) < 0) {
        return;
    }
    error_report("vCPU %d: RIP=%016llx RSP=%016llx RFLAGS=%08llx "
                 "CS=%04x(base %llx) CR0=%08llx CR3=%08llx CR4=%08llx "
                 "EFER=%llx", cpu->index, r.rip, r.rsp, r.rflags,
                 s.cs.selector, s.cs.base, s.cr0, s.cr3, s.cr4, s.efer);
}

bool kvm_arch_handle_exit(CPUState *cpu, struct kvm_run *run)
{
    switch (run->exit_reason) {
    case KVM_EXIT_SHUTDOWN:
        /* A triple fault: a PC resets. */
        trace_kvm_exit_shutdown(cpu->index);
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        cpu_stop_current();
        return true;
    case KVM_EXIT_FAIL_ENTRY:
        error_report("kvm: vCPU %d cannot enter the guest (hardware reason "
                     "0x%llx)", cpu->index,
                     run->fail_entry.hardware_entry_failure_reason);
        dump_vcpu(cpu);
        return false;
    case KVM_EXIT_INTERNAL_ERROR:
        error_report("kvm: internal error on vCPU %d (suberror %u)",
                     cpu->index, run->internal.suberror);
        dump_vcpu(cpu);
        return false;
    default:
        error_report("kvm: vCPU %d: unexpected exit reason %u", cpu->index,
                     run->exit_reason);
        dump_vcpu(cpu);
        return false;
    }
}
