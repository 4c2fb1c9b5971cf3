/*
 * vfio-pci: MSI, and the vectors MSI and MSI-X share.
 *
 * Each host vector signals an eventfd watched by the main loop. A fire
 * replays the guest's own message through the PCI core (msi_notify or
 * msix_notify), so the guest's masks and pending bits hold; the device is
 * programmed by the host kernel and never sees the guest's address/data.
 *
 * MSI's capability is fully virtual. The host only needs to know how many
 * vectors the guest enabled: vfio_msi_update compares that count with
 * what the host was last told and issues only the calls that differ.
 * Per-vector masks need nothing from the host (the core keeps pending
 * bits), so the vector hooks ignore MSI.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vectors.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "trace.h"

#define VFIO_MSI_VECTORS_MAX 32

/* Vectors */

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
    event_notifier_set_handler(&v->interrupt, vfio_vector_interrupt);
    return true;
}

/* MSI */

unsigned vfio_msi_retry_count(unsigned count, int ret)
{
    return ret > 0 && (unsigned)ret < count ? ret : 0;
}

bool vfio_msi_setup(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = &vdev->pdev;
    uint8_t raw[2];
    uint16_t flags;
    unsigned mmc, nr;
    uint8_t pos;

    if (!vdev->msi_pos) {
        return true;
    }
    if (!vfio_config_read_raw(vdev, vdev->msi_pos + PCI_MSI_FLAGS, raw,
                              sizeof(raw))) {
        error_setg(errp, "vfio %s: cannot read the MSI capability at 0x%x",
                   vdev->name, vdev->msi_pos);
        return false;
    }
    flags = pci_get_word(raw);
    mmc = (flags & PCI_MSI_FLAGS_QMASK) >> __builtin_ctz(PCI_MSI_FLAGS_QMASK);
    nr = MIN(1u << mmc, VFIO_MSI_VECTORS_MAX);    /* 6 and 7 are reserved */
    pos = msi_init(pdev, vdev->msi_pos, nr, flags & PCI_MSI_FLAGS_64BIT,
                   flags & PCI_MSI_FLAGS_MASKBIT, errp);
    if (!pos) {
        error_prepend(errp, "vfio %s: ", vdev->name);
        return false;
    }
    flags = pci_get_word(pdev->config + pos + PCI_MSI_FLAGS);
    vfio_add_emulated_bits(vdev, pos, msi_cap_sizeof(flags), 0xff);
    trace_vfio_msi_setup(vdev->name, pos, nr, !!(flags & PCI_MSI_FLAGS_64BIT),
                         !!(flags & PCI_MSI_FLAGS_MASKBIT));
    return true;
}

void vfio_msi_disable(VFIOPCIDevice *vdev)
{
    int ret;

    if (vdev->interrupt != VFIO_INT_MSI) {
        return;
    }
    trace_vfio_msi_disable(vdev->name);
    ret = vfio_disable_irq_index(vdev->backend, VFIO_PCI_MSI_IRQ_INDEX);
    if (ret < 0) {
        warn_report("vfio %s: cannot disable MSI at the host: %s",
                    vdev->name, strerror(-ret));
    }
    vfio_vectors_free(vdev);
    vdev->interrupt = VFIO_INT_NONE;
}

void vfio_msi_exit(VFIOPCIDevice *vdev)
{
    vfio_msi_disable(vdev);
    msi_uninit(&vdev->pdev);
}

/* Give the host eventfds for vectors [0, @count): 0, -errno or an offer. */
static int vfio_msi_set_host(VFIOPCIDevice *vdev, unsigned count)
{
    g_autofree int32_t *fds = g_new(int32_t, count);
    Error *err = NULL;

    for (unsigned i = 0; i < count; i++) {
        if (!vfio_vector_ensure_eventfd(&vdev->vectors[i], &err)) {
            warn_report_err(err);
            return -EMFILE;
        }
        fds[i] = event_notifier_get_fd(&vdev->vectors[i].interrupt);
    }
    return vfio_set_irq_eventfds(vdev->backend, VFIO_PCI_MSI_IRQ_INDEX, 0,
                                 count, fds);
}

/*
 * One SET_IRQS for all @nr vectors; a smaller offer from the kernel is
 * taken (the guest's vectors above it never fire). On failure INTx is
 * back on; the next guest write to the capability tries again.
 */
static void vfio_msi_enable(VFIOPCIDevice *vdev, unsigned nr)
{
    unsigned count = nr, next;
    int ret;

    vfio_msix_disable(vdev);        /* a guest may switch without disabling */
    vfio_intx_disable(vdev);
    vfio_vectors_alloc(vdev, nr, NULL);
    vdev->interrupt = VFIO_INT_MSI;
    for (;;) {
        ret = vfio_msi_set_host(vdev, count);
        if (!ret) {
            vdev->host_vectors = count;
            trace_vfio_msi_enable(vdev->name, nr, count);
            return;
        }
        next = vfio_msi_retry_count(count, ret);
        if (!next) {
            break;
        }
        trace_vfio_msi_retry(vdev->name, count, next);
        count = next;
    }
    if (ret < 0) {
        warn_report("vfio %s: cannot enable %u MSI vector(s) at the host: "
                    "%s; falling back to INTx", vdev->name, nr,
                    strerror(-ret));
    } else {
        warn_report("vfio %s: cannot enable %u MSI vector(s) at the host "
                    "(it offers %d); falling back to INTx", vdev->name, count,
                    ret);
    }
    vfio_vectors_free(vdev);
    vdev->interrupt = VFIO_INT_NONE;
    vfio_intx_restore(vdev);
}

void vfio_msi_update(VFIOPCIDevice *vdev)
{
    PCIDevice *pdev = &vdev->pdev;
    unsigned want, have;

    if (!msi_present(pdev)) {
        return;
    }
    want = msi_enabled(pdev) ? msi_nr_vectors_allocated(pdev) : 0;
    have = vdev->interrupt == VFIO_INT_MSI ? vdev->nr_vectors : 0;
    if (want == have) {
        return;
    }
    trace_vfio_msi_update(vdev->name, have, want);
    vfio_msi_disable(vdev);
    if (want) {
        vfio_msi_enable(vdev, want);
    } else if (vdev->interrupt == VFIO_INT_NONE) {
        vfio_intx_restore(vdev);
    }
}
