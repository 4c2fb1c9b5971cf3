/*
 * PCI Express root ports with a hot-plug slot (QEMU's pcie-root-port).
 *
 * The port is a PCI-to-PCI bridge (pci_bridge.h) on a root bus whose
 * secondary bus is the link to one slot (device 0, functions 0-7). Its
 * PCIe capability reports the slot: attention button, power controller,
 * attention and power indicators, hot-plug capable, command completion,
 * and data-link-layer link active reporting. Slot events (attention
 * button pressed, presence detect changed, command completed, link state
 * changed, ...) raise the port's MSI, or INTx while MSI is off, when
 * enabled in Slot Control (PCIe r6 sec 6.7.3.4: an MSI each time the set
 * of enabled pending events becomes non-empty).
 *
 * Hotplug follows QEMU: device_add into an empty slot while the guest
 * runs sets presence and link state and sends PDC + DLLSC, so that the
 * guest's pciehp powers the slot on and enumerates it; device_del presses
 * the attention button and the devices go away (DEVICE_DELETED) when the
 * guest turns the slot's power off. A slot the guest never powered is
 * emptied at once. Before the guest first runs a device is simply there.
 */
#ifndef HW_PCIE_PORT_H
#define HW_PCIE_PORT_H

#include "hw/pci/pci_bridge.h"

#define TYPE_PCIE_ROOT_PORT "pcie-root-port"
#define PCIE_ROOT_PORT_VENDOR 0x1b36        /* Red Hat, as QEMU's */
#define PCIE_ROOT_PORT_DEVICE 0x000c
#define PCIE_SLOT_PSN_MAX 8191              /* 13-bit physical slot number */
/* How long device_del waits before it may press the button again. */
#define PCIE_SLOT_UNPLUG_REPEAT_MS 5000

/* Resources firmware should leave for hotplug (QEMU's reserve cap). */
typedef struct PCIEResReserve {
    uint32_t bus;               /* UINT32_MAX: not given */
    uint64_t io;                /* UINT64_MAX: not given (same below) */
    uint64_t mem;
    uint64_t pref32;
    uint64_t pref64;
} PCIEResReserve;

typedef struct PCIERootPort {
    PCIBridge parent_obj;

    /* properties */
    uint8_t port;               /* Link Capabilities port number */
    uint8_t chassis;
    uint16_t slot;              /* physical slot number */
    bool hotplug;
    uint8_t speed;              /* max link speed, PCI_EXP_LNKCAP_SLS_* */
    uint8_t width;              /* max link width, lanes */
    PCIEResReserve reserve;

    /* state */
    uint8_t exp_cap;            /* offset of the PCI Express capability */
    bool hp_pending;            /* an enabled slot event is set */
} PCIERootPort;

#define PCIE_ROOT_PORT(obj) \
    OBJECT_CHECK(PCIERootPort, (obj), TYPE_PCIE_ROOT_PORT)

/* The slot (hw/pci/pcie-slot.c) */

/* The secondary bus's hotplug handler (device_add, device_del). */
extern const BusHotplugOps pcie_slot_hotplug_ops;

/* Slot and link registers of the capability at rp->exp_cap. */
void pcie_slot_init(PCIERootPort *rp);
/*
 * After a reset of the port: a populated slot is powered, events clear.
 * An unplug still waiting for the guest completes (its devices go).
 */
void pcie_slot_reset(PCIERootPort *rp);
/*
 * After pci_default_write_config: a Slot Control write is a command
 * (carried out, then Command Completed); a Link Control write may take
 * the link down or up; W1C writes may end the interrupt condition.
 */
void pcie_slot_write_config(PCIERootPort *rp, uint16_t old_sltctl,
                            uint16_t old_lnkctl, uint32_t addr, int len);
/* Remove every device behind the port now (DEVICE_DELETED for each). */
void pcie_slot_empty(PCIERootPort *rp);
/* Is a device_del waiting for the guest? */
bool pcie_slot_unplug_pending(PCIERootPort *rp);
/* Re-evaluate the interrupt condition (after MSI or INTx changes). */
void pcie_slot_update_irq(PCIERootPort *rp);

/*
 * Slot Status event bits that are set and enabled in Slot Control (0
 * unless Hot-Plug Interrupt Enable is set): the interrupt condition.
 */
uint16_t pcie_slot_enabled_events(uint16_t sltctl, uint16_t sltsta);

#endif
