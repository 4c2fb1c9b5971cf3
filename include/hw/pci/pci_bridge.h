/*
 * PCI-to-PCI bridges: the type 1 header (bus numbers, I/O, memory and
 * prefetchable windows, bridge control, secondary status) and the
 * secondary bus behind it.
 *
 * Devices on the secondary bus decode into the bridge's own memory and
 * I/O spaces; the bridge maps each enabled window of them into its
 * primary bus's spaces (COMMAND.MEM for the memory windows, COMMAND.IO
 * for the I/O window), so a BAR answers only inside a window, as real
 * bridges forward. Bus masters below reach the primary side through the
 * bridge's bus-master region (its COMMAND.MASTER). INTx pins are
 * swizzled on the way up: device D pin P leaves as pin (P + D) % 4.
 *
 * A concrete bridge type calls pci_bridge_realize() from its realize
 * (after which its capabilities may be added), pci_bridge_exit() from its
 * exit, and routes config writes through pci_bridge_write_config().
 */
#ifndef HW_PCI_BRIDGE_H
#define HW_PCI_BRIDGE_H

#include "hw/pci/pci.h"

#define TYPE_PCI_BRIDGE "base-pci-bridge"
#define PCI_CLASS_BRIDGE_PCI 0x0604     /* class code: PCI-to-PCI bridge */

typedef struct PCIBridgeWindow {
    MemoryRegion alias;         /* of the secondary space, upstream */
    bool mapped;
    pcibus_t base;
    pcibus_t limit;
} PCIBridgeWindow;

typedef struct PCIBridge {
    PCIDevice parent_obj;
    PCIBus *sec_bus;
    MemoryRegion sec_mem;       /* what memory BARs below decode into */
    MemoryRegion sec_io;        /* ... and I/O BARs */
    PCIBridgeWindow win_io;
    PCIBridgeWindow win_mem;
    PCIBridgeWindow win_pref;
} PCIBridge;

#define PCI_BRIDGE(obj) OBJECT_CHECK(PCIBridge, (obj), TYPE_PCI_BRIDGE)

/* Window granularity and the I/O space a 16-bit I/O window reaches. */
#define PCI_BRIDGE_IO_GRANULE 0x1000ULL
#define PCI_BRIDGE_MEM_GRANULE 0x100000ULL

/*
 * Make @dev a bridge with a secondary bus of @bus_type (TYPE_PCI_BUS or
 * TYPE_PCIE_BUS) named after the device's id, or "pci.N"/"pcie.N" if it
 * has none; @is_link: a PCIe downstream port's link (device 0 only).
 * Errors: the bus name is taken.
 */
bool pci_bridge_realize(PCIDevice *dev, const char *bus_type, bool is_link,
                        Error **errp);
void pci_bridge_exit(PCIDevice *dev);
/* pci_default_write_config plus windows and secondary bus reset. */
void pci_bridge_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                             int len);
/* Bus numbers, windows (disabled: base above limit), bridge control. */
void pci_bridge_reset(PCIDevice *dev);
/* Re-derive the windows from config (COMMAND, base/limit, power). */
void pci_bridge_update_windows(PCIDevice *dev);

/* NULL unless @dev is a bridge. */
PCIBus *pci_bridge_get_sec_bus(const PCIDevice *dev);

/* What the registers say; limit < base means the window is closed. */
pcibus_t pci_bridge_io_base(const PCIDevice *dev);
pcibus_t pci_bridge_io_limit(const PCIDevice *dev);
pcibus_t pci_bridge_mem_base(const PCIDevice *dev);
pcibus_t pci_bridge_mem_limit(const PCIDevice *dev);
pcibus_t pci_bridge_pref_base(const PCIDevice *dev);
pcibus_t pci_bridge_pref_limit(const PCIDevice *dev);

/* The pin a device's pin @pin (0 = INTA) leaves its secondary bus on. */
int pci_swizzle(int devfn, int pin);

#endif
