/*
 * Private to accel/kvm: the VM, its memory slots and its vCPUs.
 *   kvm-all.c   /dev/kvm, the VM, capabilities, GSI routes and irqfds
 *   kvm-mem.c   guest memory as slots, kept in step by a memory listener
 *   kvm-cpus.c  vCPU threads, KVM_RUN and the exits they hand to devices
 *   kvm-x86.c   x86: irqchip and PIT, CPUID, the vCPU's power-on state
 */
#ifndef ACCEL_KVM_INT_H
#define ACCEL_KVM_INT_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include <linux/kvm.h>
#include <pthread.h>

typedef struct KVMSlot {
    uint64_t start;             /* guest-physical */
    uint64_t size;
    void *host;
    bool readonly;
    bool used;
} KVMSlot;

typedef struct KVMState {
    int fd;                     /* /dev/kvm */
    int vm_fd;
    int vcpu_mmap_size;
    bool irqchip;               /* in-kernel LAPIC, I/O APIC, PIC, PIT */

    KVMSlot *slots;
    unsigned nr_slots;

    struct kvm_irq_routing *routes;
    unsigned nr_routes_max;
    bool *used_gsi;             /* [gsi_count] */
    unsigned gsi_count;

    bool coalesced_pio;         /* a zone is registered */
    struct kvm_coalesced_mmio_ring *coalesced_ring;     /* in vCPU 0's map */
    unsigned coalesced_max;     /* entries of the ring */
    struct QEMUTimer *coalesced_timer;
} KVMState;

/* The vCPU state that is the accelerator's (CPUState->accel). */
typedef struct KVMCPU {
    int fd;
    struct kvm_run *run;
    bool io_pending;            /* an exit was handled: KVM_RUN completes it */
    bool thread_started;        /* tid is valid (BQL) */
    pthread_t tid;
    struct KVMX86CPU *arch;
} KVMCPU;

extern KVMState *kvm_state;

int kvm_ioctl(unsigned long req, void *arg);
int kvm_vm_ioctl(unsigned long req, void *arg);
int kvm_vcpu_ioctl(KVMCPU *kc, unsigned long req, void *arg);
/* KVM_CHECK_EXTENSION on the VM: 0 when absent. */
int kvm_check_extension(int cap);
/* Add a route entry (replacing one for the same GSI). */
bool kvm_add_route(const struct kvm_irq_routing_entry *e, Error **errp);

/* kvm-mem.c */
void kvm_memory_init(void);
void kvm_memory_cleanup(void);

/* Replay the queued writes (BQL held). */
void kvm_flush_coalesced(void);
/* Find the coalesced ring in a vCPU's map (the first call does). */
void kvm_coalesced_ring_init(void *vcpu_map);

/* kvm-cpus.c */
bool kvm_vcpus_create(const CpuTopology *smp, const uint32_t *apic_ids,
                      Error **errp);
/*
 * Hand the exit in @run (@run_size bytes mapped) to the device models;
 * BQL held. false: the vCPU cannot go on.
 */
bool kvm_cpu_dispatch_exit(CPUState *cpu, struct kvm_run *run,
                           size_t run_size);

/* kvm-x86.c */
bool kvm_arch_init(KVMState *s, Error **errp);
/* Frees what kvm_arch_init() learnt of the host. */
void kvm_arch_cleanup(void);
bool kvm_arch_vcpu_init(CPUState *cpu, const CpuTopology *smp,
                        Error **errp);
void kvm_arch_vcpu_reset(CPUState *cpu);
void kvm_arch_vcpu_destroy(CPUState *cpu);
/* An exit kvm-cpus.c does not know; false stops the vCPU. */
bool kvm_arch_handle_exit(CPUState *cpu, struct kvm_run *run);
/* Does a write of an MSI to @address reach the in-kernel LAPICs? */
bool kvm_arch_msi_routable(uint64_t address);
/* The interrupt controllers and the PIT back at power-on. */
void kvm_arch_reset_irqchip(void);
/* One CPUID entry as vCPU @apic_id of topology @t sees it (pure). */
struct X86CPUTopo;
void kvm_x86_cpuid_fixup(struct kvm_cpuid_entry2 *e,
                         const struct X86CPUTopo *t, uint32_t apic_id,
                         bool amd, bool tsc_deadline);

#endif
