/*
 * vfio-pci: the vectors MSI and MSI-X share.
 *
 * Each host vector signals an eventfd. Its route (hw/pci/msi-route.h)
 * takes it straight to the guest where the machine can (KVM: an MSI route
 * and an irqfd, while the guest's vector is unmasked); otherwise the main
 * loop relays a fire as the guest's own message through the PCI core
 * (msi_notify or msix_notify), so the guest's masks and pending bits hold.
 * Either way the device is programmed by the host kernel and never sees
 * the guest's address/data.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vectors.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/msi-route.h"
#include "trace.h"

void vfio_vector_notify(VFIOPCIDevice *vdev, unsigned nr)
{
    PCIDevice *pdev = &vdev->pdev;
    MSIMessage msg;

    if (vdev->interrupt == VFIO_INT_MSIX) {
        msg = msix_get_message(pdev, nr);
        trace_vfio_msix_interrupt(vdev->name, nr, msg.address, msg.data);
        msix_notify(pdev, nr);
    } else if (vdev->interrupt == VFIO_INT_MSI) {
        msg = msi_get_message(pdev, nr);
        trace_vfio_msi_interrupt(vdev->name, nr, msg.address, msg.data);
        msi_notify(pdev, nr);
    }
}

static void vfio_vector_interrupt(EventNotifier *e)
{
    VFIOVector *v = container_of(e, VFIOVector, interrupt);

    if (!event_notifier_test_and_clear(e)) {
        trace_vfio_spurious_wakeup(v->vdev->name, "vector", v->nr);
        return;
    }
    vfio_vector_notify(v->vdev, v->nr);
}

bool vfio_vectors_alloc(VFIOPCIDevice *vdev, unsigned nr, Error **errp)
{
    vfio_vectors_free(vdev);
    vdev->vectors = g_new0(VFIOVector, nr);
    for (unsigned i = 0; i < nr; i++) {
        vdev->vectors[i].vdev = vdev;
        vdev->vectors[i].nr = i;
        vdev->vectors[i].interrupt.fd = -1;
    }
    vdev->nr_vectors = nr;
    vdev->host_vectors = 0;
    return true;
}

void vfio_vectors_free(VFIOPCIDevice *vdev)
{
    for (unsigned i = 0; i < vdev->nr_vectors; i++) {
        g_clear_pointer(&vdev->vectors[i].route, msi_vector_route_free);
        event_notifier_cleanup(&vdev->vectors[i].interrupt);
    }
    g_clear_pointer(&vdev->vectors, g_free);
    vdev->nr_vectors = 0;
    vdev->host_vectors = 0;
}

bool vfio_vector_ensure_eventfd(VFIOVector *v, Error **errp)
{
    if (v->interrupt.fd >= 0) {
        return true;
    }
    if (!event_notifier_init(&v->interrupt, errp)) {
        v->interrupt.fd = -1;
        error_prepend(errp, "vfio %s: vector %u: ", v->vdev->name, v->nr);
        return false;
    }
    v->route = msi_vector_route_new(&v->interrupt, vfio_vector_interrupt);
    vfio_vector_route_sync(v->vdev, v->nr);
    return true;
}

void vfio_vector_route_sync(VFIOPCIDevice *vdev, unsigned nr)
{
    PCIDevice *pdev = &vdev->pdev;
    VFIOVector *v;

    if ((vdev->interrupt != VFIO_INT_MSI && vdev->interrupt != VFIO_INT_MSIX) ||
        nr >= vdev->nr_vectors || nr >= pdev->vector_nr) {
        return;
    }
    v = &vdev->vectors[nr];
    if (v->route) {
        msi_vector_route_update(v->route, pdev->vector_msg[nr],
                                pdev->vector_state[nr] != PCI_VECTOR_LIVE);
    }
}
