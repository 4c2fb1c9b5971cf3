/*
 * The hot-plug slot of a PCIe root port: Slot Capabilities/Control/Status,
 * the link's Data Link Layer Link Active state, slot power, the hot-plug
 * interrupt, and the plug/unplug state machine behind device_add and
 * device_del (pcie_port.h).
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "hw/pci/msi.h"
#include "hw/pci/pcie_port.h"
#include "system/qdev-monitor.h"
#include "trace.h"

/* The events this slot can report (no MRL sensor). */
#define PCIE_SLOT_EVENTS (PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD | \
                          PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC | \
                          PCI_EXP_SLTSTA_DLLSC)
#define PCIE_SLOT_CTL_WMASK (PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PFDE | \
                             PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_CCIE | \
                             PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_AIC | \
                             PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_PCC | \
                             PCI_EXP_SLTCTL_DLLSCE)
#define PCIE_SLOT_PSN_SHIFT 19

/* Register access */

static uint16_t rp_word(PCIERootPort *rp, unsigned reg)
{
    return pci_get_word(PCI_DEVICE(rp)->config + rp->exp_cap + reg);
}

static void rp_set_word(PCIERootPort *rp, unsigned reg, uint16_t val)
{
    pci_set_word(PCI_DEVICE(rp)->config + rp->exp_cap + reg, val);
}

static void rp_update_word(PCIERootPort *rp, unsigned reg, uint16_t clear,
                           uint16_t set)
{
    rp_set_word(rp, reg, (rp_word(rp, reg) & ~clear) | set);
}

static PCIBus *slot_bus(PCIERootPort *rp)
{
    return PCI_BRIDGE(rp)->sec_bus;
}

static const char *rp_name(PCIERootPort *rp)
{
    return PCI_DEVICE(rp)->name;
}

/* Function 0 is what the guest finds in the slot. */
static bool slot_present(PCIERootPort *rp)
{
    return slot_bus(rp)->devices[0];
}

static bool slot_powered(uint16_t sltctl)
{
    return (sltctl & PCI_EXP_SLTCTL_PCC) == PCI_EXP_SLTCTL_PWR_ON;
}

static bool link_enabled(PCIERootPort *rp)
{
    return !(rp_word(rp, PCI_EXP_LNKCTL) & PCI_EXP_LNKCTL_LD);
}

/* Interrupt */

uint16_t pcie_slot_enabled_events(uint16_t sltctl, uint16_t sltsta)
{
    uint16_t enabled = 0;

    if (!(sltctl & PCI_EXP_SLTCTL_HPIE)) {
        return 0;
    }
    enabled |= sltctl & PCI_EXP_SLTCTL_ABPE ? PCI_EXP_SLTSTA_ABP : 0;
    enabled |= sltctl & PCI_EXP_SLTCTL_PFDE ? PCI_EXP_SLTSTA_PFD : 0;
    enabled |= sltctl & PCI_EXP_SLTCTL_MRLSCE ? PCI_EXP_SLTSTA_MRLSC : 0;
    enabled |= sltctl & PCI_EXP_SLTCTL_PDCE ? PCI_EXP_SLTSTA_PDC : 0;
    enabled |= sltctl & PCI_EXP_SLTCTL_CCIE ? PCI_EXP_SLTSTA_CC : 0;
    enabled |= sltctl & PCI_EXP_SLTCTL_DLLSCE ? PCI_EXP_SLTSTA_DLLSC : 0;
    return sltsta & enabled;
}

/*
 * With MSI, a message each time the condition becomes true (the guest
 * must clear every enabled event before the next one can send another);
 * without, INTx follows the condition.
 */
void pcie_slot_update_irq(PCIERootPort *rp)
{
    PCIDevice *dev = PCI_DEVICE(rp);
    bool pending = pcie_slot_enabled_events(rp_word(rp, PCI_EXP_SLTCTL),
                                            rp_word(rp, PCI_EXP_SLTSTA));
    bool rising = pending && !rp->hp_pending;
    unsigned vector = (rp_word(rp, PCI_EXP_FLAGS) & PCI_EXP_FLAGS_IRQ) >>
                      __builtin_ctz(PCI_EXP_FLAGS_IRQ);

    rp->hp_pending = pending;
    if (msi_enabled(dev)) {
        pci_irq_deassert(dev);
        if (rising) {
            trace_pcie_slot_msi(rp_name(rp), rp_word(rp, PCI_EXP_SLTSTA));
            msi_notify(dev, vector);
        }
    } else {
        pci_set_irq(dev, pending);
    }
}

static void pcie_slot_set_events(PCIERootPort *rp, uint16_t events)
{
    trace_pcie_slot_event(rp_name(rp), events);
    rp_update_word(rp, PCI_EXP_SLTSTA, 0, events);
}

/* Link and power */

/* Speed code and width the link trains to with @dev in the slot. */
static void pcie_slot_negotiate(PCIERootPort *rp, PCIDevice *dev,
                                uint16_t *speed, uint16_t *width)
{
    uint8_t cap = dev ? pci_find_capability(dev, PCI_CAP_ID_EXP) : 0;
    uint32_t lnkcap;

    *speed = PCI_EXP_LNKSTA_CLS_2_5GB;
    *width = 1;
    if (!cap) {
        return;
    }
    lnkcap = pci_config_read(dev, cap + PCI_EXP_LNKCAP, 4);
    if (lnkcap == UINT32_MAX) {
        return;
    }
    *speed = MAX(1, MIN(rp->speed, lnkcap & PCI_EXP_LNKCAP_SLS));
    *width = MAX(1, MIN(rp->width, (lnkcap & PCI_EXP_LNKCAP_MLW) >>
                                   __builtin_ctz(PCI_EXP_LNKCAP_MLW)));
}

/*
 * The link is up while a device is in the slot and the guest has not
 * disabled it; a change is a Data Link Layer State Changed event when
 * @notify.
 */
static void pcie_slot_update_link(PCIERootPort *rp, bool notify)
{
    bool up = slot_present(rp) && link_enabled(rp);
    bool was_up = rp_word(rp, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA;
    uint16_t speed, width;

    pcie_slot_negotiate(rp, up ? slot_bus(rp)->devices[0] : NULL, &speed,
                        &width);
    rp_update_word(rp, PCI_EXP_LNKSTA,
                   PCI_EXP_LNKSTA_DLLLA | PCI_EXP_LNKSTA_CLS |
                   PCI_EXP_LNKSTA_NLW,
                   (up ? PCI_EXP_LNKSTA_DLLLA : 0) | speed |
                   (width << PCI_EXP_LNKSTA_NLW_SHIFT));
    if (up != was_up) {
        trace_pcie_slot_link(rp_name(rp), up);
        if (notify) {
            pcie_slot_set_events(rp, PCI_EXP_SLTSTA_DLLSC);
        }
    }
}

/* Presence Detect State; a change is a PDC event when @notify. */
static void pcie_slot_update_presence(PCIERootPort *rp, bool notify)
{
    bool present = slot_present(rp);
    bool was = rp_word(rp, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS;

    rp_update_word(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS,
                   present ? PCI_EXP_SLTSTA_PDS : 0);
    if (present != was && notify) {
        pcie_slot_set_events(rp, PCI_EXP_SLTSTA_PDC);
    }
}

/* Devices answer while the slot is powered and its link enabled. */
static void pcie_slot_apply_power(PCIERootPort *rp)
{
    PCIBus *bus = slot_bus(rp);
    bool on = slot_powered(rp_word(rp, PCI_EXP_SLTCTL)) && link_enabled(rp);

    for (int devfn = 0; devfn < (int)ARRAY_SIZE(bus->devices); devfn++) {
        if (bus->devices[devfn]) {
            pci_set_power(bus->devices[devfn], on);
        }
    }
}

/* Presence and link follow each departure (pcie_slot_unplugged). */
void pcie_slot_empty(PCIERootPort *rp)
{
    PCIBus *bus = slot_bus(rp);

    trace_pcie_slot_empty(rp_name(rp));
    for (int devfn = 0; devfn < (int)ARRAY_SIZE(bus->devices); devfn++) {
        if (bus->devices[devfn]) {
            qdev_unplug(DEVICE(bus->devices[devfn]));
        }
    }
}

bool pcie_slot_unplug_pending(PCIERootPort *rp)
{
    PCIBus *bus = slot_bus(rp);

    for (int devfn = 0; devfn < (int)ARRAY_SIZE(bus->devices); devfn++) {
        if (bus->devices[devfn] &&
            DEVICE(bus->devices[devfn])->pending_deleted_event) {
            return true;
        }
    }
    return false;
}

/* Registers */

void pcie_slot_init(PCIERootPort *rp)
{
    PCIDevice *dev = PCI_DEVICE(rp);
    uint8_t pos = rp->exp_cap;
    uint32_t sltcap = PCI_EXP_SLTCAP_ABP | PCI_EXP_SLTCAP_PCP |
                      PCI_EXP_SLTCAP_AIP | PCI_EXP_SLTCAP_PIP |
                      ((uint32_t)rp->slot << PCIE_SLOT_PSN_SHIFT);

    if (rp->hotplug) {
        sltcap |= PCI_EXP_SLTCAP_HPC;
    }
    pci_set_word(dev->config + pos + PCI_EXP_FLAGS,
                 pci_get_word(dev->config + pos + PCI_EXP_FLAGS) |
                 PCI_EXP_FLAGS_SLOT);
    pci_set_long(dev->config + pos + PCI_EXP_SLTCAP, sltcap);
    pci_set_word(dev->wmask + pos + PCI_EXP_SLTCTL, PCIE_SLOT_CTL_WMASK);
    pci_set_word(dev->w1cmask + pos + PCI_EXP_SLTSTA, PCIE_SLOT_EVENTS);
}

void pcie_slot_reset(PCIERootPort *rp)
{
    bool populated;

    /* Events the reset causes interrupt nobody. */
    rp_set_word(rp, PCI_EXP_SLTCTL, 0);
    /* The guest asked to act on device_del is gone: finish the removal. */
    if (pcie_slot_unplug_pending(rp)) {
        pcie_slot_empty(rp);
    }
    populated = slot_present(rp);

    rp_set_word(rp, PCI_EXP_SLTCTL, PCI_EXP_SLTCTL_ATTN_IND_OFF |
                (populated ? PCI_EXP_SLTCTL_PWR_IND_ON | PCI_EXP_SLTCTL_PWR_ON
                           : PCI_EXP_SLTCTL_PWR_IND_OFF |
                             PCI_EXP_SLTCTL_PWR_OFF));
    rp_set_word(rp, PCI_EXP_SLTSTA, 0);
    pcie_slot_update_presence(rp, false);
    pcie_slot_update_link(rp, false);
    pcie_slot_apply_power(rp);
    rp->hp_pending = false;
    pcie_slot_update_irq(rp);
}

/*
 * A write to Slot Control is one command: carry it out, then report
 * Command Completed. Turning a populated slot's power off removes what
 * is in it (the guest's answer to device_del, or its own eject).
 */
static void pcie_slot_command(PCIERootPort *rp, uint16_t old_ctl)
{
    uint16_t ctl = rp_word(rp, PCI_EXP_SLTCTL);

    trace_pcie_slot_command(rp_name(rp), old_ctl, ctl);
    if (slot_powered(old_ctl) && !slot_powered(ctl) && slot_present(rp)) {
        pcie_slot_empty(rp);
    }
    pcie_slot_apply_power(rp);
    pcie_slot_set_events(rp, PCI_EXP_SLTSTA_CC);
}

void pcie_slot_write_config(PCIERootPort *rp, uint16_t old_sltctl,
                            uint16_t old_lnkctl, uint32_t addr, int len)
{
    uint8_t pos = rp->exp_cap;

    if (ranges_overlap(addr, len, pos + PCI_EXP_LNKCTL, 2) &&
        ((old_lnkctl ^ rp_word(rp, PCI_EXP_LNKCTL)) & PCI_EXP_LNKCTL_LD)) {
        pcie_slot_update_link(rp, true);
        pcie_slot_apply_power(rp);
    }
    if (ranges_overlap(addr, len, pos + PCI_EXP_SLTCTL, 2)) {
        pcie_slot_command(rp, old_sltctl);
    }
    pcie_slot_update_irq(rp);
}

/* Hotplug */

static bool pcie_slot_pre_plug(BusState *bus, DeviceState *dev, Error **errp)
{
    PCIERootPort *rp = bus->hotplug_opaque;

    if (dev->hotplugged && !rp->hotplug) {
        error_setg(errp, "Hot-plug failed: unsupported by the port device "
                   "'%s'", rp_name(rp));
        return false;
    }
    return true;
}

static void pcie_slot_plug(BusState *bus, DeviceState *qdev)
{
    PCIERootPort *rp = bus->hotplug_opaque;
    PCIDevice *dev = PCI_DEVICE(qdev);

    trace_pcie_slot_plug(rp_name(rp), dev->name, qdev->hotplugged);
    if (!qdev->hotplugged) {
        /* Present from the start: powered, as a reset leaves it. */
        if (!(rp_word(rp, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS) &&
            slot_present(rp)) {
            rp_update_word(rp, PCI_EXP_SLTCTL,
                           PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC,
                           PCI_EXP_SLTCTL_PWR_ON | PCI_EXP_SLTCTL_PWR_IND_ON);
        }
        pcie_slot_update_presence(rp, false);
        pcie_slot_update_link(rp, false);
        pcie_slot_apply_power(rp);
        return;
    }
    pcie_slot_apply_power(rp);
    /* Functions arrive first, function 0 last: the guest looks then. */
    if (PCI_FUNC(dev->devfn)) {
        return;
    }
    pcie_slot_update_presence(rp, true);
    pcie_slot_update_link(rp, true);
    pcie_slot_update_irq(rp);
}

static bool pcie_slot_unplug_request(BusState *bus, DeviceState *qdev,
                                     Error **errp)
{
    PCIERootPort *rp = bus->hotplug_opaque;
    PCIDevice *dev = PCI_DEVICE(qdev);
    uint16_t ctl = rp_word(rp, PCI_EXP_SLTCTL);

    if (!rp->hotplug) {
        error_setg(errp, "Hot-unplug failed: unsupported by the port device "
                   "'%s'", rp_name(rp));
        return false;
    }
    /* The guest is counting down to act on an earlier press. */
    if ((ctl & PCI_EXP_SLTCTL_PIC) == PCI_EXP_SLTCTL_PWR_IND_BLINK) {
        error_setg(errp, "Hot-unplug failed: guest is busy (power indicator "
                   "blinking)");
        return false;
    }
    qdev->pending_deleted_event = true;
    qdev->pending_deleted_expires_ms = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                                       PCIE_SLOT_UNPLUG_REPEAT_MS;
    trace_pcie_slot_unplug_request(rp_name(rp), dev->name);
    if (PCI_FUNC(dev->devfn) && !slot_present(rp)) {
        /* A function the guest never saw. */
        qdev_unplug(qdev);
    } else if (!slot_powered(ctl)) {
        /* The guest never turned the slot on (or turned it off). */
        pcie_slot_empty(rp);
    } else {
        pcie_slot_set_events(rp, PCI_EXP_SLTSTA_ABP);
        pcie_slot_update_irq(rp);
    }
    return true;
}

/*
 * However a device left (the guest powered the slot off, device_del of a
 * slot never powered, a device the host took back): the slot shows it.
 */
static void pcie_slot_unplugged(BusState *bus, DeviceState *qdev)
{
    PCIERootPort *rp = bus->hotplug_opaque;

    pcie_slot_update_presence(rp, true);
    pcie_slot_update_link(rp, true);
    pcie_slot_update_irq(rp);
}

const BusHotplugOps pcie_slot_hotplug_ops = {
    .pre_plug = pcie_slot_pre_plug,
    .plug = pcie_slot_plug,
    .unplug_request = pcie_slot_unplug_request,
    .unplugged = pcie_slot_unplugged,
};
