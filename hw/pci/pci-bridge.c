/*
 * PCI-to-PCI bridges: the type 1 header, the secondary bus and the
 * windows through which the primary side reaches it (pci_bridge.h).
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_bridge.h"
#include "trace.h"

#define PCI_SEC_STATUS_W1C (PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
                            PCI_STATUS_REC_TARGET_ABORT | \
                            PCI_STATUS_REC_MASTER_ABORT | \
                            PCI_STATUS_SIG_SYSTEM_ERROR | \
                            PCI_STATUS_DETECTED_PARITY)
/*
 * ISA and VGA forwarding are not modelled: those bits read 0, as the
 * bridge architecture allows for VGA and as PCIe ports commonly do.
 */
#define PCI_BRIDGE_CTL_WMASK (PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR | \
                              PCI_BRIDGE_CTL_MASTER_ABORT | \
                              PCI_BRIDGE_CTL_BUS_RESET)
/* The registers whose change moves a window. */
#define PCI_BRIDGE_WINDOW_REGS_END (PCI_IO_LIMIT_UPPER16 + 2)

int pci_swizzle(int devfn, int pin)
{
    return (pin + PCI_SLOT(devfn)) % PCI_NUM_PINS;
}

PCIBus *pci_bridge_get_sec_bus(const PCIDevice *dev)
{
    PCIBridge *br = (PCIBridge *)object_dynamic_cast(OBJECT(dev),
                                                     TYPE_PCI_BRIDGE);

    return br ? br->sec_bus : NULL;
}

/* Registers */

pcibus_t pci_bridge_io_base(const PCIDevice *dev)
{
    return (pcibus_t)(dev->config[PCI_IO_BASE] & PCI_IO_RANGE_MASK) << 8;
}

pcibus_t pci_bridge_io_limit(const PCIDevice *dev)
{
    return ((pcibus_t)(dev->config[PCI_IO_LIMIT] & PCI_IO_RANGE_MASK) << 8) |
           (PCI_BRIDGE_IO_GRANULE - 1);
}

pcibus_t pci_bridge_mem_base(const PCIDevice *dev)
{
    return (pcibus_t)(pci_get_word(dev->config + PCI_MEMORY_BASE) &
                      PCI_MEMORY_RANGE_MASK) << 16;
}

pcibus_t pci_bridge_mem_limit(const PCIDevice *dev)
{
    return ((pcibus_t)(pci_get_word(dev->config + PCI_MEMORY_LIMIT) &
                       PCI_MEMORY_RANGE_MASK) << 16) |
           (PCI_BRIDGE_MEM_GRANULE - 1);
}

/* A 64-bit window: the upper 32 bits come from their own register. */
static pcibus_t pci_bridge_pref(const PCIDevice *dev, int reg, int upper)
{
    return ((pcibus_t)(pci_get_word(dev->config + reg) &
                       PCI_PREF_RANGE_MASK) << 16) |
           ((pcibus_t)pci_get_long(dev->config + upper) << 32);
}

pcibus_t pci_bridge_pref_base(const PCIDevice *dev)
{
    return pci_bridge_pref(dev, PCI_PREF_MEMORY_BASE, PCI_PREF_BASE_UPPER32);
}

pcibus_t pci_bridge_pref_limit(const PCIDevice *dev)
{
    return pci_bridge_pref(dev, PCI_PREF_MEMORY_LIMIT,
                           PCI_PREF_LIMIT_UPPER32) |
           (PCI_BRIDGE_MEM_GRANULE - 1);
}

/* Windows */

static void pci_bridge_close_window(PCIBridgeWindow *w)
{
    if (w->mapped) {
        memory_region_finalize(&w->alias);
        w->mapped = false;
    }
}

/*
 * Map [base, limit] of the secondary space @space at the same addresses
 * in @upstream while @open (priority 1, as device BARs).
 */
static void pci_bridge_set_window(PCIBridge *br, PCIBridgeWindow *w,
                                  const char *what, MemoryRegion *space,
                                  MemoryRegion *upstream, bool open,
                                  pcibus_t base, pcibus_t limit)
{
    PCIDevice *dev = PCI_DEVICE(br);
    g_autofree char *name = NULL;
    uint64_t size;

    open = open && upstream && base <= limit;
    if (w->mapped == open &&
        (!open || (w->base == base && w->limit == limit))) {
        return;
    }
    pci_bridge_close_window(w);
    if (!open) {
        trace_pci_bridge_window(dev->name, what, 0, 0, 0);
        return;
    }
    /* The whole 64-bit space is one byte more than a uint64_t holds. */
    size = limit - base == UINT64_MAX ? UINT64_MAX : limit - base + 1;
    name = g_strdup_printf("%s.%s-window", dev->name, what);
    memory_region_init_alias(&w->alias, OBJECT(br), name, space, base, size);
    memory_region_add_subregion_overlap(upstream, base, &w->alias, 1);
    w->mapped = true;
    w->base = base;
    w->limit = limit;
    trace_pci_bridge_window(dev->name, what, 1, base, limit);
}

void pci_bridge_update_windows(PCIDevice *dev)
{
    PCIBridge *br = PCI_BRIDGE(dev);
    uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
    bool io = dev->has_power && (cmd & PCI_COMMAND_IO);
    bool mem = dev->has_power && (cmd & PCI_COMMAND_MEMORY);
    MemoryRegion *up_mem = dev->bus->address_space_mem;
    MemoryRegion *up_io = dev->bus->address_space_io;

    memory_region_transaction_begin();
    pci_bridge_set_window(br, &br->win_io, "io", &br->sec_io, up_io, io,
                          pci_bridge_io_base(dev), pci_bridge_io_limit(dev));
    pci_bridge_set_window(br, &br->win_mem, "mem", &br->sec_mem, up_mem, mem,
                          pci_bridge_mem_base(dev),
                          pci_bridge_mem_limit(dev));
    pci_bridge_set_window(br, &br->win_pref, "pref", &br->sec_mem, up_mem,
                          mem, pci_bridge_pref_base(dev),
                          pci_bridge_pref_limit(dev));
    memory_region_transaction_commit();
}

/* Config space */

void pci_bridge_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                             int len)
{
    PCIBridge *br = PCI_BRIDGE(dev);
    uint16_t old_ctl = pci_get_word(dev->config + PCI_BRIDGE_CONTROL);
    uint16_t new_ctl;

    pci_default_write_config(dev, addr, val, len);
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
        ranges_overlap(addr, len, PCI_IO_BASE, 2) ||
        ranges_overlap(addr, len, PCI_MEMORY_BASE,
                       PCI_BRIDGE_WINDOW_REGS_END - PCI_MEMORY_BASE)) {
        pci_bridge_update_windows(dev);
    }
    new_ctl = pci_get_word(dev->config + PCI_BRIDGE_CONTROL);
    if (~old_ctl & new_ctl & PCI_BRIDGE_CTL_BUS_RESET) {
        trace_pci_bridge_bus_reset(dev->name);
        pci_bus_reset(br->sec_bus);
    }
}

void pci_bridge_reset(PCIDevice *dev)
{
    uint8_t *c = dev->config;

    c[PCI_PRIMARY_BUS] = 0;
    c[PCI_SECONDARY_BUS] = 0;
    c[PCI_SUBORDINATE_BUS] = 0;
    c[PCI_SEC_LATENCY_TIMER] = 0;
    /* Windows closed: each base above its limit. */
    c[PCI_IO_BASE] = PCI_IO_RANGE_MASK & 0xff;
    c[PCI_IO_LIMIT] = 0;
    pci_set_word(c + PCI_MEMORY_BASE, PCI_MEMORY_RANGE_MASK & 0xffff);
    pci_set_word(c + PCI_MEMORY_LIMIT, 0);
    pci_set_word(c + PCI_PREF_MEMORY_BASE,
                 (PCI_PREF_RANGE_MASK & 0xffff) | PCI_PREF_RANGE_TYPE_64);
    pci_set_word(c + PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
    pci_set_long(c + PCI_PREF_BASE_UPPER32, 0);
    pci_set_long(c + PCI_PREF_LIMIT_UPPER32, 0);
    pci_set_word(c + PCI_SEC_STATUS, 0);
    pci_set_word(c + PCI_BRIDGE_CONTROL, 0);
    pci_bridge_update_windows(dev);
}

static void pci_bridge_init_masks(PCIDevice *dev, bool express)
{
    uint8_t *w = dev->wmask;

    w[PCI_PRIMARY_BUS] = 0xff;
    w[PCI_SECONDARY_BUS] = 0xff;
    w[PCI_SUBORDINATE_BUS] = 0xff;
    /* A PCIe secondary side has no latency timer. */
    w[PCI_SEC_LATENCY_TIMER] = express ? 0 : 0xff;
    /* 16-bit I/O decoding: the upper 16 bits of the I/O window read 0. */
    w[PCI_IO_BASE] = PCI_IO_RANGE_MASK & 0xff;
    w[PCI_IO_LIMIT] = PCI_IO_RANGE_MASK & 0xff;
    pci_set_word(w + PCI_MEMORY_BASE, PCI_MEMORY_RANGE_MASK & 0xffff);
    pci_set_word(w + PCI_MEMORY_LIMIT, PCI_MEMORY_RANGE_MASK & 0xffff);
    pci_set_word(w + PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_MASK & 0xffff);
    pci_set_word(w + PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_MASK & 0xffff);
    pci_set_long(w + PCI_PREF_BASE_UPPER32, UINT32_MAX);
    pci_set_long(w + PCI_PREF_LIMIT_UPPER32, UINT32_MAX);
    pci_set_word(w + PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_WMASK);
    pci_set_word(dev->w1cmask + PCI_SEC_STATUS, PCI_SEC_STATUS_W1C);
}

/* The device's id, else the first free "pci.N" or "pcie.N". */
static char *pci_bridge_bus_name(PCIDevice *dev, bool express)
{
    const char *id = DEVICE(dev)->id;
    const char *prefix = express ? "pcie" : "pci";

    if (id && *id) {
        return g_strdup(id);
    }
    for (unsigned n = 1;; n++) {
        char *name = g_strdup_printf("%s.%u", prefix, n);

        if (!qbus_find(name)) {
            return name;
        }
        g_free(name);
    }
}

bool pci_bridge_realize(PCIDevice *dev, const char *bus_type, bool is_link,
                        Error **errp)
{
    PCIBridge *br = PCI_BRIDGE(dev);
    bool express = !strcmp(bus_type, TYPE_PCIE_BUS);
    g_autofree char *name = pci_bridge_bus_name(dev, express);
    g_autofree char *mem_name = g_strdup_printf("%s-mem", name);
    g_autofree char *io_name = g_strdup_printf("%s-io", name);

    if (qbus_find(name)) {
        error_setg(errp, "%s: a bus named '%s' already exists; give the "
                   "bridge another id (its secondary bus takes that name)",
                   dev->name, name);
        return false;
    }
    dev->config[PCI_HEADER_TYPE] =
        (dev->config[PCI_HEADER_TYPE] & ~PCI_HEADER_TYPE_MASK) |
        PCI_HEADER_TYPE_BRIDGE;
    pci_bridge_init_masks(dev, express);
    memory_region_init(&br->sec_mem, OBJECT(dev), mem_name, UINT64_MAX);
    memory_region_init(&br->sec_io, OBJECT(dev), io_name, PCI_IO_SPACE_SIZE);
    br->sec_bus = pci_secondary_bus_new(dev, bus_type, name, &br->sec_mem,
                                        &br->sec_io, is_link);
    pci_bridge_reset(dev);
    return true;
}

void pci_bridge_exit(PCIDevice *dev)
{
    PCIBridge *br = PCI_BRIDGE(dev);

    if (!br->sec_bus) {
        return;
    }
    memory_region_transaction_begin();
    pci_bridge_close_window(&br->win_io);
    pci_bridge_close_window(&br->win_mem);
    pci_bridge_close_window(&br->win_pref);
    memory_region_transaction_commit();
    qbus_unparent(&br->sec_bus->qbus);
    br->sec_bus = NULL;
    memory_region_finalize(&br->sec_mem);
    memory_region_finalize(&br->sec_io);
}

/* Type */

static void pci_bridge_qdev_reset(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);

    pci_device_reset(dev);
    pci_bridge_reset(dev);
}

static void pci_bridge_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->class_id = PCI_CLASS_BRIDGE_PCI;
    pc->config_write = pci_bridge_write_config;
    pc->exit = pci_bridge_exit;
    dc->reset = pci_bridge_qdev_reset;
}

static const TypeInfo pci_bridge_type_info = {
    .name = TYPE_PCI_BRIDGE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIBridge),
    .abstract = true,
    .class_init = pci_bridge_class_init,
};

static void pci_bridge_register_types(void)
{
    type_register_static(&pci_bridge_type_info);
}

type_init(pci_bridge_register_types)
