/*
 * The ISA interrupt lines of the machine (IRQ 0-15): legacy devices such
 * as the 16550A UART and the ACPI SCI raise them. The machine connects
 * them (q35: the I/O APIC's inputs 0-15, and with KVM the in-kernel
 * PIC and I/O APIC); a machine without an ISA bridge leaves them unset.
 */
#ifndef HW_ISA_ISA_H
#define HW_ISA_ISA_H

#include "hw/irq.h"

#define ISA_NUM_IRQS 16

/* Called by the machine; @irqs has ISA_NUM_IRQS lines (NULL disconnects). */
void isa_bus_set_irqs(qemu_irq *irqs);
/* The line for ISA IRQ @isairq, or NULL when the machine has none. */
qemu_irq isa_get_irq(int isairq);

#endif
