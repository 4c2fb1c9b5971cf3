/*
 * PCI and PCIe buses: 256 device/function slots, where BARs and DMA go,
 * how INTx pins reach the interrupt controller, and how configuration
 * requests find a function by bus number through bridges.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bridge.h"

PCIBus *pci_root_bus_new(DeviceState *parent, const char *name,
                         MemoryRegion *mem, MemoryRegion *io,
                         MemoryRegion *dma_root, bool is_express)
{
    BusState *qbus = qbus_new(is_express ? TYPE_PCIE_BUS : TYPE_PCI_BUS,
                              parent, name);
    PCIBus *bus = PCI_BUS(qbus);

    bus->is_express = is_express;
    bus->address_space_mem = mem;
    bus->address_space_io = io;
    bus->dma_root = dma_root;
    return bus;
}

PCIBus *pci_secondary_bus_new(PCIDevice *bridge, const char *type,
                              const char *name, MemoryRegion *mem,
                              MemoryRegion *io, bool is_link)
{
    PCIBus *bus = PCI_BUS(qbus_new(type, DEVICE(bridge), name));

    bus->is_express = object_dynamic_cast(OBJECT(bus), TYPE_PCIE_BUS);
    bus->parent_dev = bridge;
    bus->is_link = is_link;
    bus->address_space_mem = mem;
    bus->address_space_io = io;
    bus->dma_root = &bridge->bus_master_container_region;
    return bus;
}

bool pci_bus_is_root(const PCIBus *bus)
{
    return !bus->parent_dev;
}

uint8_t pci_bus_num(const PCIBus *bus)
{
    return bus->parent_dev ? bus->parent_dev->config[PCI_SECONDARY_BUS] : 0;
}

void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq, pci_map_irq_fn map_irq,
                  void *opaque, int nirq)
{
    g_assert(nirq >= 0);
    bus->set_irq = set_irq;
    bus->map_irq = map_irq;
    bus->irq_opaque = opaque;
    bus->nirq = nirq;
    g_free(bus->irq_count);
    bus->irq_count = g_new0(int, nirq);
}

void pci_bus_set_route_irq_fn(PCIBus *bus, pci_route_irq_fn route_irq)
{
    bus->route_irq = route_irq;
}

PCIDevice *pci_bus_get_device(PCIBus *bus, int devfn)
{
    if (devfn < 0 || devfn >= (int)ARRAY_SIZE(bus->devices)) {
        return NULL;
    }
    return bus->devices[devfn];
}

static bool pci_bus_slot_free(PCIBus *bus, int slot)
{
    for (int fn = 0; fn < 8; fn++) {
        if (bus->devices[PCI_DEVFN(slot, fn)]) {
            return false;
        }
    }
    return true;
}

/*
 * A function added at run time behind a hotplug slot stays hidden until
 * function 0 is there: the guest scans a slot when function 0 arrives.
 */
static bool pci_function_visible(PCIBus *bus, PCIDevice *dev)
{
    return !PCI_FUNC(dev->devfn) || !DEVICE(dev)->hotplugged ||
           !bus->qbus.hotplug_ops ||
           bus->devices[PCI_DEVFN(PCI_SLOT(dev->devfn), 0)];
}

/* A type 0 request on @bus. */
static PCIDevice *pci_bus_config_target(PCIBus *bus, unsigned devfn)
{
    PCIDevice *dev;

    if (bus->is_link && PCI_SLOT(devfn)) {
        return NULL;
    }
    dev = pci_bus_get_device(bus, devfn);
    if (!dev || !dev->has_power || !pci_function_visible(bus, dev)) {
        return NULL;
    }
    return dev;
}

/*
 * A type 1 request arriving on @bus: which bridge claims it, if any.
 * Only devices with a bus of their own are looked at: a guest's scan
 * of 256 buses, or a wide MMCONFIG read, routes every dword.
 */
static PCIDevice *pci_bus_route(PCIBus *bus, unsigned busnr, unsigned devfn)
{
    GPtrArray *children = bus->qbus.children;

    for (guint i = 0; children && i < children->len; i++) {
        DeviceState *child = g_ptr_array_index(children, i);
        PCIDevice *br;
        PCIBus *sec;
        uint8_t secondary, subordinate;

        if (!child->child_buses) {
            continue;
        }
        br = PCI_DEVICE(child);
        sec = pci_bridge_get_sec_bus(br);
        if (!sec || !br->has_power) {
            continue;
        }
        secondary = br->config[PCI_SECONDARY_BUS];
        subordinate = br->config[PCI_SUBORDINATE_BUS];
        if (busnr == secondary) {
            return pci_bus_config_target(sec, devfn);
        }
        if (busnr > secondary && busnr <= subordinate) {
            return pci_bus_route(sec, busnr, devfn);
        }
    }
    return NULL;
}

PCIDevice *pci_find_device(PCIBus *root, unsigned busnr, unsigned devfn)
{
    if (busnr == pci_bus_num(root)) {
        return pci_bus_config_target(root, devfn);
    }
    return pci_bus_route(root, busnr, devfn);
}

int pci_bus_find_free_devfn(PCIBus *bus)
{
    int slots = bus->is_link ? 1 : 32;

    for (int slot = 0; slot < slots; slot++) {
        if (pci_bus_slot_free(bus, slot)) {
            return PCI_DEVFN(slot, 0);
        }
    }
    return -1;
}

void pci_for_each_device(PCIBus *bus, PCIBusWalkFunc *fn, void *opaque)
{
    for (int devfn = 0; devfn < (int)ARRAY_SIZE(bus->devices); devfn++) {
        PCIDevice *dev = bus->devices[devfn];

        if (dev) {
            fn(bus, dev, opaque);
        }
    }
}

void pci_bus_reset(PCIBus *bus)
{
    for (int devfn = 0; devfn < (int)ARRAY_SIZE(bus->devices); devfn++) {
        PCIDevice *dev = bus->devices[devfn];
        PCIBus *sec;

        if (!dev) {
            continue;
        }
        device_cold_reset(DEVICE(dev));
        sec = pci_bridge_get_sec_bus(dev);
        if (sec) {
            pci_bus_reset(sec);
        }
    }
}

static void pci_bus_finalize(Object *obj)
{
    PCIBus *bus = PCI_BUS(obj);

    g_free(bus->irq_count);
}

static const TypeInfo pci_bus_types[] = {
    {
        .name = TYPE_PCI_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(PCIBus),
        .instance_finalize = pci_bus_finalize,
    },
    {
        .name = TYPE_PCIE_BUS,
        .parent = TYPE_PCI_BUS,
    },
};

static void pci_bus_register_types(void)
{
    type_register_static_array(pci_bus_types, ARRAY_SIZE(pci_bus_types));
}

type_init(pci_bus_register_types)
