/*
 * Interrupt routes: how a device model's eventfd becomes an interrupt in
 * the guest without the device model. The model owns an eventfd per
 * vector (the host device signals it) and a handler that delivers through
 * the PCI core (msix_notify/msi_notify: masks and pending bits hold).
 * Where the machine can deliver by itself (KVM: an MSI route and an irqfd;
 * for INTx an irqfd with a resample eventfd on the interrupt line), the
 * eventfd goes straight to the guest and the handler sleeps; otherwise
 * (qtest, a masked vector, a message that is not an interrupt) the
 * handler relays. The accelerator registers the in-kernel side.
 */
#ifndef HW_PCI_MSI_ROUTE_H
#define HW_PCI_MSI_ROUTE_H

#include "hw/pci/pci.h"
#include "qemu/main-loop.h"

/* What an accelerator provides; every call may refuse (NULL/false). */
typedef struct IrqRouteOps {
    /* Signalling @fd delivers the MSI (@msg); an opaque handle or NULL. */
    void *(*msi_attach)(MSIMessage msg, int fd);
    /* The guest changed the message: true if the handle now delivers it. */
    bool (*msi_update)(void *handle, MSIMessage msg);
    void (*msi_detach)(void *handle, int fd);
    /*
     * Signalling @fd asserts the machine's interrupt line @irq until the
     * guest's EOI, which signals @resample_fd.
     */
    void *(*intx_attach)(int irq, int fd, int resample_fd);
    void (*intx_detach)(void *handle, int fd);
} IrqRouteOps;

void irq_route_register_ops(const IrqRouteOps *ops);

typedef struct MSIVectorRoute MSIVectorRoute;

/*
 * @e: the vector's eventfd; @relay: its handler through the PCI core.
 * The route starts masked (the relay handler is installed).
 */
MSIVectorRoute *msi_vector_route_new(EventNotifier *e,
                                     EventNotifierHandler *relay);
/*
 * The guest's view of the vector: its message and whether it is masked
 * (vector or function mask). Unmasked with an in-kernel route, the eventfd
 * goes to the guest directly.
 */
void msi_vector_route_update(MSIVectorRoute *r, MSIMessage msg, bool masked);
/* True while the eventfd goes to the guest without the relay. */
bool msi_vector_route_is_direct(const MSIVectorRoute *r);
/* Detach; the eventfd is left without a handler. */
void msi_vector_route_free(MSIVectorRoute *r);

/*
 * INTx: @e fires, @resample is signalled at the guest's EOI. NULL when
 * the machine cannot route the line by itself (the model then relays).
 */
typedef struct INTxRoute INTxRoute;
INTxRoute *intx_route_new(PCIDevice *dev, EventNotifier *e,
                          EventNotifier *resample);
void intx_route_free(INTxRoute *r);

#endif
