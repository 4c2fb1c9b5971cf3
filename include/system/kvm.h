/*
 * The KVM accelerator as the rest of qvfio sees it (accel/kvm/): whether
 * KVM runs the machine, the in-kernel interrupt controllers, and MSI
 * routes with irqfds, so that an interrupt from a device reaches the guest
 * without passing through qvfio.
 */
#ifndef SYSTEM_KVM_H
#define SYSTEM_KVM_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* KVM runs guest CPUs with the in-kernel LAPIC, I/O APIC and PIC. */
bool kvm_irqchip_in_kernel(void);

/* Drive GSI @gsi (an I/O APIC input; below 16 also the PIC) to @level. */
void kvm_set_irq(int gsi, int level);

/* Deliver one MSI (address/data as the guest programmed them) now. */
bool kvm_send_msi(uint64_t address, uint32_t data);

/*
 * MSI routes: a virtual GSI that delivers the message (@address, @data).
 * Changes take effect at kvm_irqchip_commit_routes(). -1 / false on error.
 */
int kvm_irqchip_add_msi_route(uint64_t address, uint32_t data, Error **errp);
bool kvm_irqchip_update_msi_route(int virq, uint64_t address, uint32_t data,
                                  Error **errp);
void kvm_irqchip_release_virq(int virq);
bool kvm_irqchip_commit_routes(Error **errp);

/*
 * irqfds: signalling @fd raises GSI @virq in the kernel. With a
 * @resample_fd (>= 0; level-triggered GSIs), the line is lowered and
 * @resample_fd signalled when the guest acknowledges the interrupt.
 */
bool kvm_irqchip_add_irqfd(int fd, int resample_fd, int virq, Error **errp);
void kvm_irqchip_remove_irqfd(int fd, int virq);

/* Queue port writes to [@port, +@size) in the coalesced ring. */
void kvm_coalesce_pio(uint16_t port, unsigned size);

/* For accel/accel.c: the VM (with irqchip and vCPUs if @with_cpus). */
bool kvm_accel_init(bool with_cpus, Error **errp);
bool kvm_accel_active(void);
void kvm_accel_cleanup(void);
/* Memory slots for the guest's memory map, then the vCPUs. */
typedef struct CpuTopology CpuTopology;
bool kvm_start_vcpus(const CpuTopology *smp, const uint32_t *apic_ids,
                     Error **errp);
void kvm_reset_vm(void);

#endif
