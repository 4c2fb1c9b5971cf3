/*
 * The vfio-pci device: properties, the order in which the rooms are set
 * up and torn down, reset, and the error/request notifiers.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/vfio/vfio-pci.h"
#include "system/qdev-monitor.h"
#include "system/runstate.h"
#include "trace.h"

static bool vfio_open_backend(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOBackend *b;

    if (!vdev->host && !vdev->sysfsdev) {
        error_setg(errp, "vfio-pci: no host device given: use -device "
                   "vfio-pci,host=DDDD:BB:DD.F or -device "
                   "vfio-pci,sysfsdev=PATH_TO_DEVICE");
        return false;
    }
    if (vdev->host && vdev->sysfsdev) {
        error_setg(errp, "vfio-pci: give host= or sysfsdev=, not both");
        return false;
    }
    b = vfio_backend_open(vdev->host, vdev->sysfsdev, errp);
    if (!b) {
        return false;
    }
    vdev->backend = b;
    vdev->name = b->name;
    if (!b->ops->get_device_info(b, &vdev->dev_info, errp)) {
        return false;
    }
    if (!(vdev->dev_info.flags & VFIO_DEVICE_FLAGS_PCI) ||
        vdev->dev_info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
        error_setg(errp, "vfio %s: not a PCI device (flags 0x%x, %u regions)",
                   vdev->name, vdev->dev_info.flags,
                   vdev->dev_info.num_regions);
        return false;
    }
    trace_vfio_pci_open(vdev->name, vdev->dev_info.flags,
                        vdev->dev_info.num_regions, vdev->dev_info.num_irqs);
    return true;
}

/*
 * Stop decoding and DMA. The kernel saves and restores config state
 * around a function reset, so this is what makes the reset leave the
 * device quiet rather than as its previous owner left it.
 */
static void vfio_quiesce_device(VFIOPCIDevice *vdev)
{
    uint16_t cmd;

    if (vfio_config_read_raw(vdev, PCI_COMMAND, &cmd, sizeof(cmd))) {
        cmd &= ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_INTX_DISABLE);
        vfio_config_write_raw(vdev, PCI_COMMAND, &cmd, sizeof(cmd));
    }
}

/* Reset at open and at close, so that no state passes between owners. */
static void vfio_reset_device_quietly(VFIOPCIDevice *vdev, const char *when)
{
    Error *err = NULL;

    vfio_quiesce_device(vdev);
    if (!(vdev->dev_info.flags & VFIO_DEVICE_FLAGS_RESET)) {
        trace_vfio_pci_reset_skipped(vdev->name, when);
        return;
    }
    if (!vdev->backend->ops->reset(vdev->backend, &err)) {
        warn_report("vfio %s: device reset at %s failed: %s", vdev->name,
                    when, error_get_pretty(err));
        error_free(err);
        return;
    }
    trace_vfio_pci_reset(vdev->name, when);
}

/* Error and request notifiers */

static void vfio_err_notifier_handler(EventNotifier *e)
{
    VFIOPCIDevice *vdev = container_of(e, VFIOPCIDevice, err_notifier);

    if (!event_notifier_test_and_clear(e)) {
        trace_vfio_spurious_wakeup(vdev->name, "error notifier", 0);
        return;
    }
    error_report("vfio %s: the device reported an unrecoverable error; the "
                 "guest is stopped: collect what you need, then quit",
                 vdev->name);
    vm_stop(RUN_STATE_INTERNAL_ERROR);
}

static gboolean vfio_release_device(gpointer opaque)
{
    VFIOPCIDevice *vdev = opaque;
    DeviceState *dev = DEVICE(vdev);

    if (dev->realized) {
        qdev_unplug(dev);
    }
    object_unref(OBJECT(dev));
    return G_SOURCE_REMOVE;
}

static void vfio_req_notifier_handler(EventNotifier *e)
{
    VFIOPCIDevice *vdev = container_of(e, VFIOPCIDevice, req_notifier);

    if (!event_notifier_test_and_clear(e)) {
        trace_vfio_spurious_wakeup(vdev->name, "request notifier", 0);
        return;
    }
    if (vdev->release_requested) {
        return;
    }
    vdev->release_requested = true;
    warn_report("vfio %s: the host asks for the device back; stopping the "
                "guest and releasing it", vdev->name);
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_PAUSED);
    }
    /* not from inside our own handler: the device goes away with it */
    g_idle_add(vfio_release_device, object_ref(OBJECT(vdev)));
}

static void vfio_notifier_init(VFIOPCIDevice *vdev, EventNotifier *e,
                               uint32_t index, EventNotifierHandler *handler)
{
    VFIOBackend *b = vdev->backend;
    VFIOIRQInfo info = { 0 };
    Error *err = NULL;
    int32_t fd;

    e->fd = -1;
    if (vdev->dev_info.num_irqs <= index ||
        !b->ops->get_irq_info(b, index, &info, NULL) || info.count < 1) {
        return;
    }
    if (!event_notifier_init(e, &err)) {
        warn_report_err(err);
        return;
    }
    fd = event_notifier_get_fd(e);
    if (vfio_set_irq_eventfds(b, index, 0, 1, &fd) < 0) {
        warn_report("vfio %s: cannot enable the %s notifier", vdev->name,
                    index == VFIO_PCI_ERR_IRQ_INDEX ? "error" : "request");
        event_notifier_cleanup(e);
        return;
    }
    event_notifier_set_handler(e, handler);
    trace_vfio_notifier_enabled(vdev->name, index);
}

static void vfio_notifier_exit(VFIOPCIDevice *vdev, EventNotifier *e,
                               uint32_t index)
{
    if (e->fd < 0) {
        return;
    }
    vfio_disable_irq_index(vdev->backend, index);
    event_notifier_cleanup(e);
}

void vfio_notifiers_setup(VFIOPCIDevice *vdev)
{
    vfio_notifier_init(vdev, &vdev->err_notifier, VFIO_PCI_ERR_IRQ_INDEX,
                       vfio_err_notifier_handler);
    if (vdev->req_enabled) {
        vfio_notifier_init(vdev, &vdev->req_notifier, VFIO_PCI_REQ_IRQ_INDEX,
                           vfio_req_notifier_handler);
    }
}

void vfio_notifiers_exit(VFIOPCIDevice *vdev)
{
    vfio_notifier_exit(vdev, &vdev->req_notifier, VFIO_PCI_REQ_IRQ_INDEX);
    vfio_notifier_exit(vdev, &vdev->err_notifier, VFIO_PCI_ERR_IRQ_INDEX);
}

/* Realize and unrealize */

/* Undo whatever part of realize got done; each room tolerates partial setup. */
static void vfio_teardown(VFIOPCIDevice *vdev)
{
    if (!vdev->backend) {
        return;
    }
    vfio_notifiers_exit(vdev);
    vfio_intx_exit(vdev);
    vfio_msix_exit(vdev);
    vfio_msi_exit(vdev);
    vfio_rom_exit(vdev);
    vfio_bars_exit(vdev);
    vfio_dma_detach(vdev);
    vfio_config_exit(vdev);
    vfio_reset_device_quietly(vdev, "release");
    vfio_backend_close(vdev->backend);
    vdev->backend = NULL;
    vdev->name = NULL;
}

static bool vfio_realize_rooms(VFIOPCIDevice *vdev, Error **errp)
{
    if (!vfio_open_backend(vdev, errp)) {
        return false;
    }
    vfio_reset_device_quietly(vdev, "open");
    return vfio_dma_attach(vdev, errp) &&
           vfio_config_setup(vdev, errp) &&
           vfio_msix_early_setup(vdev, errp) &&
           vfio_bars_setup(vdev, errp) &&
           vfio_caps_setup(vdev, errp) &&
           vfio_rom_setup(vdev, errp) &&
           vfio_intx_setup(vdev, errp);
}

static void vfio_realize(PCIDevice *pdev, Error **errp)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);

    vdev->err_notifier.fd = -1;
    vdev->req_notifier.fd = -1;
    if (!vfio_realize_rooms(vdev, errp)) {
        vfio_teardown(vdev);
        return;
    }
    pci_set_vector_hooks(pdev, &vfio_vector_hooks);
    vfio_notifiers_setup(vdev);
    g_clear_pointer(&vdev->phys_config, g_free);
    trace_vfio_pci_realized(vdev->name);
}

static void vfio_exit(PCIDevice *pdev)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);

    trace_vfio_pci_exit(vdev->name);
    vfio_teardown(vdev);
}

/* System reset */

typedef struct VFIOHostAddress {
    uint16_t segment;
    uint8_t bus;
    uint8_t devfn;
    bool found;
} VFIOHostAddress;

static int vfio_match_assigned(DeviceState *dev, void *opaque)
{
    VFIOHostAddress *a = opaque;
    Object *obj = object_dynamic_cast(OBJECT(dev), TYPE_VFIO_PCI);
    VFIOBackend *b = obj ? VFIO_PCI(obj)->backend : NULL;

    if (b && b->segment == a->segment && b->bus == a->bus &&
        b->devfn == a->devfn) {
        a->found = true;
        return 1;
    }
    return 0;
}

/* A bus reset is ours to do only if every device it touches is assigned here. */
static bool vfio_hot_reset_affects_only_ours(VFIOPCIDevice *vdev,
                                             GString *others)
{
    VFIOBackend *b = vdev->backend;
    VFIOHotResetDevice *devs = NULL;
    unsigned nr = 0;
    bool ours = true;

    if (!b->ops->get_hot_reset_info ||
        !b->ops->get_hot_reset_info(b, &devs, &nr, NULL)) {
        g_string_append(others, "(no bus reset information)");
        return false;
    }
    for (unsigned i = 0; i < nr; i++) {
        VFIOHostAddress a = { devs[i].segment, devs[i].bus, devs[i].devfn };

        qdev_walk_all(vfio_match_assigned, &a);
        if (!a.found) {
            g_string_append_printf(others, "%s%04x:%02x:%02x.%x",
                                   others->len ? ", " : "", a.segment, a.bus,
                                   PCI_SLOT(a.devfn), PCI_FUNC(a.devfn));
            ours = false;
        }
    }
    g_free(devs);
    return ours;
}

static void vfio_reset_for_system(VFIOPCIDevice *vdev)
{
    VFIOBackend *b = vdev->backend;
    g_autoptr(GString) others = g_string_new(NULL);
    Error *err = NULL;

    if (vdev->dev_info.flags & VFIO_DEVICE_FLAGS_RESET) {
        vfio_reset_device_quietly(vdev, "system reset");
        return;
    }
    if (!vfio_hot_reset_affects_only_ours(vdev, others)) {
        warn_report("vfio %s: cannot reset the device: it has no function "
                    "reset and a bus reset would also reset %s, which %s not "
                    "assigned to this VM", vdev->name, others->str,
                    strchr(others->str, ',') ? "are" : "is");
        return;
    }
    if (!b->ops->hot_reset(b, &err)) {
        warn_report("vfio %s: bus reset failed: %s", vdev->name,
                    error_get_pretty(err));
        error_free(err);
        return;
    }
    trace_vfio_pci_reset(vdev->name, "bus reset");
}

static void vfio_pci_reset(DeviceState *dev)
{
    VFIOPCIDevice *vdev = VFIO_PCI(dev);

    if (!vdev->backend) {
        return;
    }
    trace_vfio_pci_system_reset(vdev->name);
    vfio_msix_disable(vdev);
    vfio_msi_disable(vdev);
    vfio_intx_disable(vdev);
    vfio_quiesce_device(vdev);
    vfio_reset_for_system(vdev);
    pci_device_reset(&vdev->pdev);
    vfio_rom_decoder_off(vdev);
    if (vdev->intx.pin) {
        Error *err = NULL;

        if (!vfio_intx_enable(vdev, &err)) {
            warn_report_err(err);
        }
    }
}

static const Property vfio_pci_props[] = {
    DEFINE_PROP_STRING("host", VFIOPCIDevice, host),
    DEFINE_PROP_STRING("sysfsdev", VFIOPCIDevice, sysfsdev),
    DEFINE_PROP_BOOL("x-no-mmap", VFIOPCIDevice, no_mmap, false),
    DEFINE_PROP_UINT32("x-pci-vendor-id", VFIOPCIDevice, vendor_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-pci-device-id", VFIOPCIDevice, device_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-pci-sub-vendor-id", VFIOPCIDevice, sub_vendor_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-pci-sub-device-id", VFIOPCIDevice, sub_device_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-intx-mmap-timeout-ms", VFIOPCIDevice,
                       intx_mmap_timeout_ms, 1100),
    DEFINE_PROP_BOOL("x-req", VFIOPCIDevice, req_enabled, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void vfio_pci_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = vfio_realize;
    k->exit = vfio_exit;
    k->config_read = vfio_pci_read_config;
    k->config_write = vfio_pci_write_config;
    k->is_express = true;
    dc->desc = "VFIO-based PCI device assignment";
    dc->user_creatable = true;
    dc->hotpluggable = true;
    dc->reset = vfio_pci_reset;
    device_class_set_props(dc, vfio_pci_props);
}

static const TypeInfo vfio_pci_type = {
    .name = TYPE_VFIO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VFIOPCIDevice),
    .class_init = vfio_pci_class_init,
};

static void vfio_pci_register_types(void)
{
    type_register_static(&vfio_pci_type);
}
type_init(vfio_pci_register_types)
