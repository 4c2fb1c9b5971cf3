/*
 * vfio-pci: INTx.
 *
 * The host masks the line when it fires (VFIO's INTx is AUTOMASKED). We
 * assert the guest's pin and trap every BAR access (mmaps off), taking
 * the guest's next access to the device as its acknowledgement (EOI):
 * deassert, and let the host unmask through the unmask eventfd. Without
 * an in-kernel irqchip there is no better EOI signal.
 *
 * The fast path returns x-intx-mmap-timeout-ms of virtual time after the
 * last EOI, unless another interrupt came in meanwhile. As in QEMU, a
 * timeout of 0 never re-enables the mmaps: once INTx fired, BAR accesses
 * stay trapped until INTx is disabled (MSI/MSI-X, reset, unplug).
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vectors.h"
#include "hw/pci/msi-route.h"
#include "trace.h"

/* The device has a pin, the host offers INTx, and the user did not refuse. */
static bool vfio_intx_available(VFIOPCIDevice *vdev)
{
    VFIOBackend *b = vdev->backend;
    VFIOIRQInfo info = { 0 };
    Error *err = NULL;

    if (!vdev->intx.pin || vdev->no_intx) {
        return false;
    }
    if (!b->ops->get_irq_info(b, VFIO_PCI_INTX_IRQ_INDEX, &info, &err)) {
        warn_report_err(err);
        return false;
    }
    return info.count >= 1;
}

static void vfio_intx_interrupt(EventNotifier *e)
{
    VFIOPCIDevice *vdev = container_of(e, VFIOPCIDevice, intx.interrupt);

    if (!event_notifier_test_and_clear(e)) {
        trace_vfio_spurious_wakeup(vdev->name, "INTx", 0);
        return;
    }
    if (!vdev->intx.enabled) {
        return;
    }
    trace_vfio_intx_interrupt(vdev->name, vdev->intx.pin);
    vdev->intx.pending = true;
    pci_irq_assert(&vdev->pdev);
    timer_del(vdev->intx.mmap_timer);
    vfio_bars_set_mmaps_enabled(vdev, false);
}

static void vfio_intx_unmask(VFIOPCIDevice *vdev)
{
    VFIOBackend *b = vdev->backend;
    int ret;

    if (vdev->intx.unmask.fd >= 0) {
        event_notifier_set(&vdev->intx.unmask);
        return;
    }
    ret = b->ops->set_irqs(b, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
                           VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL);
    if (ret < 0) {
        warn_report("vfio %s: cannot unmask INTx at the host: %s",
                    vdev->name, strerror(-ret));
    }
}

void vfio_intx_eoi(VFIOPCIDevice *vdev)
{
    if (!vdev->intx.pending) {
        return;
    }
    trace_vfio_intx_eoi(vdev->name);
    vdev->intx.pending = false;
    pci_irq_deassert(&vdev->pdev);
    vfio_intx_unmask(vdev);
    if (vdev->intx_mmap_timeout_ms) {
        timer_mod(vdev->intx.mmap_timer,
                  qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                  vdev->intx_mmap_timeout_ms);
    }
}

static void vfio_intx_mmap_timer(void *opaque)
{
    VFIOPCIDevice *vdev = opaque;

    /* A new interrupt is waiting for its EOI, which re-arms us. */
    if (vdev->intx.pending) {
        return;
    }
    trace_vfio_intx_mmap_enable(vdev->name);
    vfio_bars_set_mmaps_enabled(vdev, true);
}

/* An unmask eventfd saves an ioctl per EOI; without one we use the ioctl. */
static void vfio_intx_setup_unmask(VFIOPCIDevice *vdev)
{
    VFIOINTx *intx = &vdev->intx;
    Error *err = NULL;
    int32_t fd;
    int ret;

    if (!event_notifier_init(&intx->unmask, &err)) {
        intx->unmask.fd = -1;
        warn_report_err(err);
        return;
    }
    fd = event_notifier_get_fd(&intx->unmask);
    ret = vdev->backend->ops->set_irqs(vdev->backend, VFIO_PCI_INTX_IRQ_INDEX,
                                       VFIO_IRQ_SET_DATA_EVENTFD |
                                       VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &fd);
    if (ret) {
        trace_vfio_intx_unmask_eventfd_failed(vdev->name, ret);
        event_notifier_cleanup(&intx->unmask);
    }
}

bool vfio_intx_enable(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOINTx *intx = &vdev->intx;
    int32_t fd;
    int ret;

    /* The host cannot do INTx alongside MSI or MSI-X. */
    if (intx->enabled || vdev->interrupt == VFIO_INT_MSI ||
        vdev->interrupt == VFIO_INT_MSIX || !vfio_intx_available(vdev)) {
        return true;
    }
    if (!intx->mmap_timer) {
        intx->mmap_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL,
                                        vfio_intx_mmap_timer, vdev);
    }
    if (!event_notifier_init(&intx->interrupt, errp)) {
        intx->interrupt.fd = -1;
        error_prepend(errp, "vfio %s: INTx: ", vdev->name);
        return false;
    }
    fd = event_notifier_get_fd(&intx->interrupt);
    ret = vfio_set_irq_eventfds(vdev->backend, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                                &fd);
    if (ret) {
        error_setg_errno(errp, ret < 0 ? -ret : EINVAL,
                         "vfio %s: cannot set up INTx at the host", vdev->name);
        event_notifier_cleanup(&intx->interrupt);
        return false;
    }
    vfio_intx_setup_unmask(vdev);
    /* With KVM the line and its EOI never visit us: no BAR trapping. */
    if (intx->unmask.fd >= 0) {
        intx->route = intx_route_new(&vdev->pdev, &intx->interrupt,
                                     &intx->unmask);
    }
    if (!intx->route) {
        event_notifier_set_handler(&intx->interrupt, vfio_intx_interrupt);
    }
    intx->enabled = true;
    intx->pending = false;
    vdev->interrupt = VFIO_INT_INTX;
    trace_vfio_intx_enable(vdev->name, intx->pin, intx->unmask.fd >= 0,
                           intx->route != NULL);
    return true;
}

void vfio_intx_disable(VFIOPCIDevice *vdev)
{
    VFIOINTx *intx = &vdev->intx;
    int ret;

    if (!intx->enabled) {
        return;
    }
    trace_vfio_intx_disable(vdev->name);
    timer_del(intx->mmap_timer);
    ret = vfio_disable_irq_index(vdev->backend, VFIO_PCI_INTX_IRQ_INDEX);
    if (ret < 0) {
        warn_report("vfio %s: cannot disable INTx at the host: %s",
                    vdev->name, strerror(-ret));
    }
    intx->pending = false;
    pci_irq_deassert(&vdev->pdev);
    g_clear_pointer(&intx->route, intx_route_free);
    event_notifier_cleanup(&intx->interrupt);
    event_notifier_cleanup(&intx->unmask);
    intx->enabled = false;
    if (vdev->interrupt == VFIO_INT_INTX) {
        vdev->interrupt = VFIO_INT_NONE;
    }
    vfio_bars_set_mmaps_enabled(vdev, true);
}

void vfio_intx_restore(VFIOPCIDevice *vdev)
{
    Error *err = NULL;

    if (!vfio_intx_enable(vdev, &err)) {
        warn_report_err(err);
    }
}

bool vfio_intx_setup(VFIOPCIDevice *vdev, Error **errp)
{
    vdev->intx.interrupt.fd = -1;
    vdev->intx.unmask.fd = -1;
    return vfio_intx_enable(vdev, errp);
}

void vfio_intx_exit(VFIOPCIDevice *vdev)
{
    vfio_intx_disable(vdev);
    g_clear_pointer(&vdev->intx.mmap_timer, timer_free);
}
