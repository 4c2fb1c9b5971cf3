/*
 * pcie-root-port: QEMU's generic PCI Express root port (1b36:000c), a
 * bridge on the root bus with one hot-plug slot (pcie_port.h). The slot
 * itself lives in pcie-slot.c; this file holds the device: properties,
 * capabilities, config writes and reset.
 *
 * Capabilities: bridge subsystem IDs at 0x40, MSI (one vector, 64-bit,
 * maskable) at 0x48, PCI Express (root port, slot implemented) at 0x60,
 * and QEMU's resource-reserve hint for firmware when a *-reserve
 * property is given. No PM capability: Linux's port driver and pciehp
 * do not use one on a root port (QEMU's generic root port has none
 * either), and without it the guest never puts the port in D3.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/pcie_port.h"
#include "trace.h"

#define RP_SSVID_OFFSET 0x40
#define RP_SSVID_SIZEOF 8
#define RP_MSI_OFFSET 0x48
#define RP_EXP_OFFSET 0x60
#define RP_EXP_SIZEOF (PCI_EXP_SLTSTA2 + 2)         /* version 2 */
#define RP_EXP_VERSION 2
#define RP_MSI_VECTORS 1

/* QEMU's vendor capability with resource reservations (Red Hat type 1). */
#define RP_RESERVE_TYPE 1
#define RP_RESERVE_LEN 0x20
#define RP_RESERVE_LEN_OFF 2
#define RP_RESERVE_TYPE_OFF 3
#define RP_RESERVE_BUS 4
#define RP_RESERVE_IO 8
#define RP_RESERVE_MEM 16
#define RP_RESERVE_PREF32 20
#define RP_RESERVE_PREF64 24

#define RP_4G (1ULL << 32)

/* Link speed and width properties, with QEMU's names for the values. */

static const char *const rp_speed_names[] = {
    [PCI_EXP_LNKCAP_SLS_2_5GB] = "2_5",
    [PCI_EXP_LNKCAP_SLS_5_0GB] = "5",
    [PCI_EXP_LNKCAP_SLS_8_0GB] = "8",
    [PCI_EXP_LNKCAP_SLS_16_0GB] = "16",
    [PCI_EXP_LNKCAP_SLS_32_0GB] = "32",
    [PCI_EXP_LNKCAP_SLS_64_0GB] = "64",
};
static const uint8_t rp_widths[] = { 1, 2, 4, 8, 12, 16, 32 };

static bool rp_set_speed(DeviceState *dev, const Property *prop,
                         const char *value, Error **errp)
{
    for (unsigned i = 1; i < ARRAY_SIZE(rp_speed_names); i++) {
        if (!strcmp(value, rp_speed_names[i])) {
            *(uint8_t *)((char *)dev + prop->offset) = i;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s' (expects "
               "2_5, 5, 8, 16, 32 or 64, in GT/s)", prop->name, value);
    return false;
}

static char *rp_print_speed(DeviceState *dev, const Property *prop)
{
    return g_strdup(rp_speed_names[*(uint8_t *)((char *)dev + prop->offset)]);
}

static bool rp_set_width(DeviceState *dev, const Property *prop,
                         const char *value, Error **errp)
{
    for (unsigned i = 0; i < ARRAY_SIZE(rp_widths); i++) {
        g_autofree char *name = g_strdup_printf("%u", rp_widths[i]);

        if (!strcmp(value, name)) {
            *(uint8_t *)((char *)dev + prop->offset) = rp_widths[i];
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s' (expects "
               "1, 2, 4, 8, 12, 16 or 32 lanes)", prop->name, value);
    return false;
}

static char *rp_print_width(DeviceState *dev, const Property *prop)
{
    return g_strdup_printf("%u", *(uint8_t *)((char *)dev + prop->offset));
}

static void rp_default_u8(DeviceState *dev, const Property *prop)
{
    *(uint8_t *)((char *)dev + prop->offset) = prop->defval;
}

static const PropertyInfo rp_prop_speed = {
    .type = "PCIELinkSpeed",
    .description = "2_5/5/8/16/32/64",
    .set = rp_set_speed,
    .print = rp_print_speed,
    .set_default = rp_default_u8,
};

static const PropertyInfo rp_prop_width = {
    .type = "PCIELinkWidth",
    .description = "1/2/4/8/12/16/32",
    .set = rp_set_width,
    .print = rp_print_width,
    .set_default = rp_default_u8,
};

/* Checks before anything is built */

typedef struct RpSlotOwner {
    PCIERootPort *self;
    PCIERootPort *owner;
} RpSlotOwner;

static int rp_find_slot_owner(DeviceState *dev, void *opaque)
{
    RpSlotOwner *s = opaque;
    PCIERootPort *rp = (PCIERootPort *)object_dynamic_cast(
                           OBJECT(dev), TYPE_PCIE_ROOT_PORT);

    if (rp && rp != s->self && rp->chassis == s->self->chassis &&
        rp->slot == s->self->slot) {
        s->owner = rp;
        return 1;
    }
    return 0;
}

static bool rp_check_reserve(PCIDevice *dev, const PCIEResReserve *r,
                             Error **errp)
{
    if (r->pref32 != UINT64_MAX && r->pref64 != UINT64_MAX) {
        error_setg(errp, "%s: pref32-reserve and pref64-reserve conflict; "
                   "give one of them", dev->name);
        return false;
    }
    if (r->mem != UINT64_MAX && r->mem >= RP_4G) {
        error_setg(errp, "%s: mem-reserve must be less than 4G", dev->name);
        return false;
    }
    if (r->pref32 != UINT64_MAX && r->pref32 >= RP_4G) {
        error_setg(errp, "%s: pref32-reserve must be less than 4G",
                   dev->name);
        return false;
    }
    return true;
}

static bool rp_check(PCIERootPort *rp, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(rp);
    RpSlotOwner owner = { .self = rp };

    if (!pci_bus_is_root(dev->bus) || !dev->bus->is_express) {
        error_setg(errp, "%s: a root port belongs on the PCI Express root "
                   "bus (pcie.0), not on '%s'", dev->name,
                   dev->bus->qbus.name);
        return false;
    }
    if (rp->slot > PCIE_SLOT_PSN_MAX) {
        error_setg(errp, "%s: slot %u does not fit the physical slot number "
                   "(0-%u)", dev->name, rp->slot, PCIE_SLOT_PSN_MAX);
        return false;
    }
    qdev_walk_all(rp_find_slot_owner, &owner);
    if (owner.owner) {
        error_setg(errp, "%s: chassis %u slot %u is already taken by %s; give "
                   "each root port its own chassis= or slot=", dev->name,
                   rp->chassis, rp->slot, PCI_DEVICE(owner.owner)->name);
        return false;
    }
    return rp_check_reserve(dev, &rp->reserve, errp);
}

/* Capabilities */

static bool rp_add_ssvid(PCIDevice *dev, Error **errp)
{
    uint8_t pos = pci_add_capability(dev, PCI_CAP_ID_SSVID, RP_SSVID_OFFSET,
                                     RP_SSVID_SIZEOF, errp);

    if (!pos) {
        return false;
    }
    pci_set_word(dev->config + pos + PCI_SSVID_VENDOR_ID,
                 PCIE_ROOT_PORT_VENDOR);
    return true;
}

static bool rp_add_reserve(PCIERootPort *rp, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(rp);
    const PCIEResReserve *r = &rp->reserve;
    uint8_t *c;
    uint8_t pos;

    if (r->bus == UINT32_MAX && r->io == UINT64_MAX &&
        r->mem == UINT64_MAX && r->pref32 == UINT64_MAX &&
        r->pref64 == UINT64_MAX) {
        return true;
    }
    pos = pci_add_capability(dev, PCI_CAP_ID_VNDR, 0, RP_RESERVE_LEN, errp);
    if (!pos) {
        return false;
    }
    c = dev->config + pos;
    c[RP_RESERVE_LEN_OFF] = RP_RESERVE_LEN;
    c[RP_RESERVE_TYPE_OFF] = RP_RESERVE_TYPE;
    pci_set_long(c + RP_RESERVE_BUS, r->bus);
    pci_set_quad(c + RP_RESERVE_IO, r->io);
    pci_set_long(c + RP_RESERVE_MEM, r->mem);
    pci_set_long(c + RP_RESERVE_PREF32, r->pref32);
    pci_set_quad(c + RP_RESERVE_PREF64, r->pref64);
    return true;
}

/* The PCI Express capability of a root port; the slot adds its part. */
static bool rp_add_exp(PCIERootPort *rp, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(rp);
    uint8_t pos = pci_add_capability(dev, PCI_CAP_ID_EXP, RP_EXP_OFFSET,
                                     RP_EXP_SIZEOF, errp);
    uint8_t *exp, *wmask, *w1c;

    if (!pos) {
        return false;
    }
    rp->exp_cap = pos;
    exp = dev->config + pos;
    wmask = dev->wmask + pos;
    w1c = dev->w1cmask + pos;
    pci_set_word(exp + PCI_EXP_FLAGS, RP_EXP_VERSION |
                 (PCI_EXP_TYPE_ROOT_PORT << __builtin_ctz(PCI_EXP_FLAGS_TYPE)));
    pci_set_long(exp + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER);
    pci_set_word(wmask + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_CERE |
                 PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE |
                 PCI_EXP_DEVCTL_URRE | PCI_EXP_DEVCTL_PAYLOAD);
    pci_set_word(w1c + PCI_EXP_DEVSTA, PCI_EXP_DEVSTA_CED |
                 PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |
                 PCI_EXP_DEVSTA_URD);
    pci_set_long(exp + PCI_EXP_LNKCAP, rp->speed |
                 ((uint32_t)rp->width << __builtin_ctz(PCI_EXP_LNKCAP_MLW)) |
                 PCI_EXP_LNKCAP_DLLLARC |
                 ((uint32_t)rp->port << __builtin_ctz(PCI_EXP_LNKCAP_PN)));
    /* Link Disable takes the link down; Retrain Link completes at once. */
    pci_set_word(wmask + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_LD |
                 PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);
    pci_set_word(wmask + PCI_EXP_RTCTL, PCI_EXP_RTCTL_SECEE |
                 PCI_EXP_RTCTL_SENFEE | PCI_EXP_RTCTL_SEFEE);
    pci_set_long(exp + PCI_EXP_LNKCAP2, ((1u << rp->speed) - 1) << 1);
    pci_set_word(exp + PCI_EXP_LNKCTL2, rp->speed);
    pcie_slot_init(rp);
    return true;
}

static bool rp_add_capabilities(PCIERootPort *rp, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(rp);

    return rp_add_ssvid(dev, errp) &&
           msi_init(dev, RP_MSI_OFFSET, RP_MSI_VECTORS, true, true, errp) &&
           rp_add_exp(rp, errp) && rp_add_reserve(rp, errp);
}

/* io-reserve=0: the port forwards no I/O (QEMU's meaning). */
static bool rp_io_disabled(PCIERootPort *rp)
{
    return rp->reserve.io == 0;
}

static void rp_disable_io(PCIERootPort *rp)
{
    PCIDevice *dev = PCI_DEVICE(rp);

    pci_set_word(dev->wmask + PCI_COMMAND,
                 pci_get_word(dev->wmask + PCI_COMMAND) & ~PCI_COMMAND_IO);
    dev->wmask[PCI_IO_BASE] = 0;
    dev->wmask[PCI_IO_LIMIT] = 0;
}

/* Device */

static void rp_reset_registers(PCIERootPort *rp)
{
    PCIDevice *dev = PCI_DEVICE(rp);
    uint8_t *exp = dev->config + rp->exp_cap;

    pci_bridge_reset(dev);
    if (rp_io_disabled(rp)) {
        /* Reads as "no I/O window" to software that probes for one. */
        dev->config[PCI_IO_BASE] = 0;
        dev->config[PCI_IO_LIMIT] = 0;
    }
    pci_set_word(exp + PCI_EXP_DEVCTL, 0);
    pci_set_word(exp + PCI_EXP_DEVSTA, 0);
    pci_set_word(exp + PCI_EXP_LNKCTL, 0);
    pci_set_word(exp + PCI_EXP_RTCTL, 0);
    pcie_slot_reset(rp);
}

static void rp_realize(PCIDevice *dev, Error **errp)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(dev);

    if (!rp_check(rp, errp)) {
        return;
    }
    dev->config[PCI_INTERRUPT_PIN] = 1;
    if (!pci_bridge_realize(dev, TYPE_PCIE_BUS, true, errp)) {
        return;
    }
    if (!rp_add_capabilities(rp, errp)) {
        pci_bridge_exit(dev);
        return;
    }
    if (rp_io_disabled(rp)) {
        rp_disable_io(rp);
    }
    qbus_set_hotplug_ops(&PCI_BRIDGE(rp)->sec_bus->qbus,
                         &pcie_slot_hotplug_ops, rp);
    rp_reset_registers(rp);
}

static void rp_exit(PCIDevice *dev)
{
    msi_uninit(dev);
    pci_bridge_exit(dev);
}

static void rp_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                            int len)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(dev);
    uint8_t *exp = dev->config + rp->exp_cap;
    uint16_t sltctl = pci_get_word(exp + PCI_EXP_SLTCTL);
    uint16_t lnkctl = pci_get_word(exp + PCI_EXP_LNKCTL);

    pci_bridge_write_config(dev, addr, val, len);
    pcie_slot_write_config(rp, sltctl, lnkctl, addr, len);
}

static void rp_reset(DeviceState *qdev)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(qdev);

    pci_device_reset(PCI_DEVICE(rp));
    rp_reset_registers(rp);
}

static const Property rp_props[] = {
    DEFINE_PROP_UINT8("port", PCIERootPort, port, 0),
    DEFINE_PROP_UINT8("chassis", PCIERootPort, chassis, 0),
    DEFINE_PROP_UINT16("slot", PCIERootPort, slot, 0),
    DEFINE_PROP_BOOL("hotplug", PCIERootPort, hotplug, true),
    DEFINE_PROP("x-speed", PCIERootPort, speed, rp_prop_speed, uint8_t,
                .defval = PCI_EXP_LNKCAP_SLS_16_0GB, .has_default = true),
    DEFINE_PROP("x-width", PCIERootPort, width, rp_prop_width, uint8_t,
                .defval = 32, .has_default = true),
    DEFINE_PROP_UINT32("bus-reserve", PCIERootPort, reserve.bus, UINT32_MAX),
    DEFINE_PROP_SIZE("io-reserve", PCIERootPort, reserve.io, -1),
    DEFINE_PROP_SIZE("mem-reserve", PCIERootPort, reserve.mem, -1),
    DEFINE_PROP_SIZE("pref32-reserve", PCIERootPort, reserve.pref32, -1),
    DEFINE_PROP_SIZE("pref64-reserve", PCIERootPort, reserve.pref64, -1),
    DEFINE_PROP_END_OF_LIST(),
};

static void rp_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = PCIE_ROOT_PORT_VENDOR;
    pc->device_id = PCIE_ROOT_PORT_DEVICE;
    pc->is_express = true;
    pc->realize = rp_realize;
    pc->exit = rp_exit;
    pc->config_write = rp_write_config;
    dc->desc = "PCI Express Root Port";
    dc->category = "bridge";
    dc->user_creatable = true;
    dc->hotpluggable = false;
    dc->reset = rp_reset;
    device_class_set_props(dc, rp_props);
}

static const TypeInfo rp_type_info = {
    .name = TYPE_PCIE_ROOT_PORT,
    .parent = TYPE_PCI_BRIDGE,
    .instance_size = sizeof(PCIERootPort),
    .class_init = rp_class_init,
};

static void rp_register_types(void)
{
    type_register_static(&rp_type_info);
}

type_init(rp_register_types)
