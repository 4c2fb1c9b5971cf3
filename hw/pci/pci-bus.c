/*
 * PCI and PCIe buses: 256 device/function slots, where BARs and DMA go,
 * and how INTx pins reach the interrupt controller.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"

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

int pci_bus_find_free_devfn(PCIBus *bus)
{
    for (int slot = 0; slot < 32; slot++) {
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
