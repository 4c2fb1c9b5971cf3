/* The ISA interrupt lines (see include/hw/isa/isa.h). */
#include "qemu/osdep.h"
#include "hw/isa/isa.h"

static qemu_irq *isa_irqs;

void isa_bus_set_irqs(qemu_irq *irqs)
{
    isa_irqs = irqs;
}

qemu_irq isa_get_irq(int isairq)
{
    if (!isa_irqs || isairq < 0 || isairq >= ISA_NUM_IRQS) {
        return NULL;
    }
    return isa_irqs[isairq];
}
