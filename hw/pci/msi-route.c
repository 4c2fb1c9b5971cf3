/*
 * Interrupt routes (include/hw/pci/msi-route.h).
 *
 * A masked MSI vector is never direct: its fires must become pending bits,
 * which only the PCI core keeps. So masking detaches the in-kernel route
 * and installs the relay handler; an interrupt that arrived in between is
 * still in the eventfd's counter, and the relay sees it. Unmasking removes
 * the handler and attaches the route; a count left in the eventfd is
 * delivered by the kernel as the route attaches.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi-route.h"
#include "trace.h"

static const IrqRouteOps *route_ops;

struct MSIVectorRoute {
    EventNotifier *e;
    EventNotifierHandler *relay;
    void *handle;               /* the in-kernel route, NULL when relaying */
};

struct INTxRoute {
    EventNotifier *e;
    void *handle;
};

void irq_route_register_ops(const IrqRouteOps *ops)
{
    route_ops = ops;
}

MSIVectorRoute *msi_vector_route_new(EventNotifier *e,
                                     EventNotifierHandler *relay)
{
    MSIVectorRoute *r = g_new0(MSIVectorRoute, 1);

    r->e = e;
    r->relay = relay;
    event_notifier_set_handler(e, relay);
    return r;
}

static void route_to_relay(MSIVectorRoute *r)
{
    if (r->handle) {
        route_ops->msi_detach(r->handle, event_notifier_get_fd(r->e));
        r->handle = NULL;
    }
    if (r->e->handler != r->relay) {
        event_notifier_set_handler(r->e, r->relay);
    }
}

static bool route_to_kernel(MSIVectorRoute *r, MSIMessage msg)
{
    if (r->handle) {
        if (route_ops->msi_update(r->handle, msg)) {
            return true;
        }
        route_to_relay(r);
        return false;
    }
    r->handle = route_ops->msi_attach(msg, event_notifier_get_fd(r->e));
    if (!r->handle) {
        return false;
    }
    event_notifier_set_handler(r->e, NULL);
    return true;
}

void msi_vector_route_update(MSIVectorRoute *r, MSIMessage msg, bool masked)
{
    bool direct = !masked && route_ops && route_to_kernel(r, msg);

    if (!direct) {
        route_to_relay(r);
    }
    trace_msi_vector_route_update(event_notifier_get_fd(r->e), msg.address,
                                  msg.data, masked, direct);
}

bool msi_vector_route_is_direct(const MSIVectorRoute *r)
{
    return r->handle != NULL;
}

void msi_vector_route_free(MSIVectorRoute *r)
{
    if (!r) {
        return;
    }
    if (r->handle) {
        route_ops->msi_detach(r->handle, event_notifier_get_fd(r->e));
    }
    event_notifier_set_handler(r->e, NULL);
    g_free(r);
}

INTxRoute *intx_route_new(PCIDevice *dev, EventNotifier *e,
                          EventNotifier *resample)
{
    int irq = pci_device_route_intx_to_irq(dev);
    INTxRoute *r;
    void *handle;

    if (!route_ops || !route_ops->intx_attach || irq < 0) {
        return NULL;
    }
    handle = route_ops->intx_attach(irq, event_notifier_get_fd(e),
                                    event_notifier_get_fd(resample));
    trace_intx_route_new(dev->name, irq, handle != NULL);
    if (!handle) {
        return NULL;
    }
    r = g_new0(INTxRoute, 1);
    r->e = e;
    r->handle = handle;
    return r;
}

void intx_route_free(INTxRoute *r)
{
    if (r) {
        route_ops->intx_detach(r->handle, event_notifier_get_fd(r->e));
        g_free(r);
    }
}
