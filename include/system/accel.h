/*
 * Accelerators. qvfio has no CPU emulator: "qtest" runs no CPU and lets a
 * test client drive the machine; "kvm" runs the guest's CPUs on KVM (for
 * machines without CPUs it only creates the VM); "tcg" is refused.
 * Machines that need no CPU ("none") may also run without an accelerator.
 */
#ifndef SYSTEM_ACCEL_H
#define SYSTEM_ACCEL_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/*
 * Pick the first usable accelerator from a ':'-separated list (NULL: none
 * requested). When nothing usable is named, a machine that needs no
 * accelerator runs with "none"; otherwise that is an error naming what
 * was tried.
 */
bool accel_init(const char *list, bool machine_needs_accel,
                const char *machine_name, Error **errp);
const char *accel_name(void);           /* "qtest", "kvm", "none" */
bool kvm_enabled(void);                 /* the kvm accelerator is in use */
bool kvm_available(void);               /* /dev/kvm can be opened */
/*
 * The machine's @smp->cpus vCPUs (@apic_ids[i] for CPU i), parked until
 * the machine runs; nothing under qtest, where no CPU runs.
 */
typedef struct CpuTopology CpuTopology;
bool accel_create_vcpus(const CpuTopology *smp, const uint32_t *apic_ids,
                        Error **errp);
/*
 * Port writes to [@port, +@size) may be queued and replayed, in order,
 * before the next access that leaves the guest (no effect without KVM).
 * For registers whose writes have no immediate effect.
 */
void accel_coalesce_pio(uint16_t port, unsigned size);
/* Interrupt controllers and vCPUs back at power-on (vCPUs paused). */
void accel_reset(void);
void accel_cleanup(void);

#endif
