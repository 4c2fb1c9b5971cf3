/*
 * KVM vCPUs: one thread each runs KVM_RUN without the BQL and takes it to
 * hand an exit (port or MMIO access) to the memory API, where the device
 * models live. A kick (SIGUSR1) makes KVM_RUN return through the
 * kvm_run's immediate_exit flag, so that the vCPU can park.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "kvm-int.h"
#include "trace.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <pthread.h>

#define SIG_KICK SIGUSR1

/* Exits */

/* Port I/O exit: @count accesses of @size bytes at @port. */
static void kvm_handle_io(struct kvm_run *run, size_t run_size)
{
    /* Read once: an IN's data may overlap run->io itself. */
    unsigned size = run->io.size;
    uint32_t count = run->io.count;
    bool out = run->io.direction == KVM_EXIT_IO_OUT;
    uint16_t port = run->io.port;
    uint64_t bytes = (uint64_t)size * count;
    uint8_t *data;

    if ((size != 1 && size != 2 && size != 4) ||
        run->io.data_offset > run_size ||
        bytes > run_size - run->io.data_offset) {
        warn_report("kvm: malformed port I/O exit (port 0x%x, size %u, count "
                    "%u) ignored", run->io.port, size, run->io.count);
        return;
    }
    /* Only now: an offset past the page must not even form a pointer. */
    data = (uint8_t *)run + run->io.data_offset;
    for (uint32_t i = 0; i < count; i++, data += size) {
        uint64_t value;

        if (out) {
            value = ldn_le_p(data, size);
            address_space_write_sized(&address_space_io, port, size, value);
        } else {
            address_space_read_sized(&address_space_io, port, size, &value);
            stn_le_p(data, size, value);
        }
    }
}

static void kvm_handle_mmio(struct kvm_run *run)
{
    unsigned len = run->mmio.len;
    uint64_t addr = run->mmio.phys_addr;
    uint64_t value = 0;

    if (len != 1 && len != 2 && len != 4 && len != 8) {
        /* KVM splits wider accesses; anything else is a byte stream. */
        len = MIN(len, sizeof(run->mmio.data));
        address_space_rw(&address_space_memory, addr, run->mmio.data, len,
                         run->mmio.is_write);
        return;
    }
    if (run->mmio.is_write) {
        value = ldn_le_p(run->mmio.data, len);
        address_space_write_sized(&address_space_memory, addr, len, value);
    } else {
        address_space_read_sized(&address_space_memory, addr, len, &value);
        stn_le_p(run->mmio.data, len, value);
    }
}

static bool kvm_handle_system_event(CPUState *cpu, struct kvm_run *run)
{
    trace_kvm_exit_system_event(cpu->index, run->system_event.type);
    switch (run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        qemu_system_shutdown_request_cause(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        break;
    case KVM_SYSTEM_EVENT_RESET:
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case KVM_SYSTEM_EVENT_CRASH:
        error_report("the guest crashed (vCPU %d)", cpu->index);
        qemu_system_shutdown_request_cause(SHUTDOWN_CAUSE_GUEST_PANIC);
        break;
    default:
        return true;
    }
    /* The machine is going down or being reset: do not run on. */
    cpu_stop_current();
    return true;
}

bool kvm_cpu_dispatch_exit(CPUState *cpu, struct kvm_run *run,
                           size_t run_size)
{
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        trace_kvm_exit_io(cpu->index, run->io.port, run->io.size,
                          run->io.direction, run->io.count);
        kvm_handle_io(run, run_size);
        return true;
    case KVM_EXIT_MMIO:
        trace_kvm_exit_mmio(cpu->index, run->mmio.phys_addr, run->mmio.len,
                            run->mmio.is_write);
        kvm_handle_mmio(run);
        return true;
    case KVM_EXIT_INTR:
        return true;
    case KVM_EXIT_SYSTEM_EVENT:
        return kvm_handle_system_event(cpu, run);
    default:
        return kvm_arch_handle_exit(cpu, run);
    }
}

/* The vCPU thread */

static void kvm_kick_signal(int sig)
{
    CPUState *cpu = current_cpu;

    if (cpu) {
        ((KVMCPU *)cpu->accel)->run->immediate_exit = 1;
    }
}

static void kvm_cpu_kick(CPUState *cpu)
{
    KVMCPU *kc = cpu->accel;

    if (kc->thread_started) {
        pthread_kill(kc->tid, SIG_KICK);
    }
}

/* One KVM_RUN and its exit. Called and returns with the BQL held. */
static void kvm_cpu_exec(CPUState *cpu)
{
    KVMCPU *kc = cpu->accel;
    struct kvm_run *run = kc->run;
    int ret, err;

    /* Parking: complete a pending access first, without entering the guest. */
    if (g_atomic_int_get(&cpu->exit_request) || !cpu_can_run(cpu)) {
        run->immediate_exit = 1;
    }
    bql_unlock();
    ret = ioctl(kc->fd, KVM_RUN, 0);
    err = errno;
    run->immediate_exit = 0;
    bql_lock();
    kvm_flush_coalesced();
    g_atomic_int_set(&cpu->exit_request, 0);
    kc->io_pending = false;
    if (ret < 0) {
        if (err == EINTR || err == EAGAIN) {
            return;
        }
        error_report("kvm: KVM_RUN failed on vCPU %d: %s", cpu->index,
                     strerror(err));
        cpu_stop_current();
        qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
        return;
    }
    kc->io_pending = run->exit_reason == KVM_EXIT_IO ||
                     run->exit_reason == KVM_EXIT_MMIO;
    if (!kvm_cpu_dispatch_exit(cpu, run, kvm_state->vcpu_mmap_size)) {
        cpu_stop_current();
        qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
    }
}

static gpointer kvm_vcpu_thread(gpointer opaque)
{
    CPUState *cpu = opaque;
    KVMCPU *kc = cpu->accel;
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIG_KICK);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    current_cpu = cpu;
    bql_lock();
    kc->tid = pthread_self();
    kc->thread_started = true;
    while (!cpu->unplug) {
        if (!cpu_can_run(cpu) && !kc->io_pending) {
            cpu_thread_wait(cpu);
            continue;
        }
        kvm_cpu_exec(cpu);
    }
    kc->thread_started = false;
    cpu_thread_exit(cpu);
    bql_unlock();
    current_cpu = NULL;
    return NULL;
}

/* Creation */

static void kvm_cpu_reset(CPUState *cpu)
{
    kvm_arch_vcpu_reset(cpu);
}

static void kvm_cpu_destroy(CPUState *cpu)
{
    KVMCPU *kc = cpu->accel;

    kvm_arch_vcpu_destroy(cpu);
    if (kc->run) {
        munmap(kc->run, kvm_state->vcpu_mmap_size);
    }
    if (kc->fd >= 0) {
        close(kc->fd);
    }
    g_free(kc);
}

static const CpusAccelOps kvm_cpus_ops = {
    .thread_fn = kvm_vcpu_thread,
    .kick = kvm_cpu_kick,
    .reset = kvm_cpu_reset,
    .destroy = kvm_cpu_destroy,
};

static void kvm_kick_init(void)
{
    struct sigaction sa = { .sa_handler = kvm_kick_signal };

    sigemptyset(&sa.sa_mask);
    sigaction(SIG_KICK, &sa, NULL);
}

static KVMCPU *kvm_vcpu_open(uint32_t apic_id, Error **errp)
{
    KVMCPU *kc = g_new0(KVMCPU, 1);
    int fd = kvm_vm_ioctl(KVM_CREATE_VCPU, (void *)(uintptr_t)apic_id);

    if (fd < 0) {
        error_setg_errno(errp, -fd, "kvm: cannot create the vCPU with APIC ID "
                         "%u", apic_id);
        g_free(kc);
        return NULL;
    }
    kc->fd = fd;
    kc->run = mmap(NULL, kvm_state->vcpu_mmap_size, PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
    if (kc->run == MAP_FAILED) {
        error_setg_errno(errp, errno, "kvm: cannot map the run area of the "
                         "vCPU with APIC ID %u", apic_id);
        close(fd);
        g_free(kc);
        return NULL;
    }
    return kc;
}

bool kvm_vcpus_create(const CpuTopology *smp, const uint32_t *apic_ids,
                      Error **errp)
{
    cpus_register_accel(&kvm_cpus_ops);
    kvm_kick_init();
    for (unsigned i = 0; i < smp->cpus; i++) {
        KVMCPU *kc = kvm_vcpu_open(apic_ids[i], errp);
        CPUState *cpu;

        if (!kc) {
            return false;
        }
        kvm_coalesced_ring_init(kc->run);
        cpu = cpu_create(i, apic_ids[i], kc);
        if (!kvm_arch_vcpu_init(cpu, smp, errp)) {
            return false;
        }
        trace_kvm_vcpu_create(i, apic_ids[i]);
    }
    return true;
}
