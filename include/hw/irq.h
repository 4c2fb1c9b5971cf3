/* Interrupt lines between devices (INTx pins, interrupt controller inputs). */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include "qemu/osdep.h"

typedef struct IRQState *qemu_irq;
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int nr);
void qemu_free_irq(qemu_irq irq);
void qemu_free_irqs(qemu_irq *irqs, int nr);
void qemu_set_irq(qemu_irq irq, int level);     /* NULL irq is ignored */
static inline void qemu_irq_raise(qemu_irq irq) { qemu_set_irq(irq, 1); }
static inline void qemu_irq_lower(qemu_irq irq) { qemu_set_irq(irq, 0); }
/* Redirect an existing line to a new handler (qtest interception). */
void qemu_irq_intercept(qemu_irq irq, qemu_irq_handler handler, void *opaque);
int qemu_irq_get_n(qemu_irq irq);

#endif
