/*
 * Unit tests for pcie-root-port: identity and capabilities, reset values,
 * the RW/RO/W1C masks of the slot and link registers, Command Completed,
 * the hot-plug interrupt (MSI on the rising edge of the enabled-event
 * condition, INTx as its level), and the hotplug state machine as
 * Linux's pciehp drives it, down to a vfio-pci device on the fake backend
 * releasing everything when the guest powers its slot off.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "hw/pci/msi.h"
#include "hw/pci/pcie_port.h"
#include "system/qdev-monitor.h"
#include "fake-vfio.h"
#include "pci-test-util.h"

#define TYPE_TESTDEV "qvfio-test-pci"
#define RAM_SIZE (16 << 20)
#define RP_SLOT 1                   /* the port sits at 00:01.0 */
#define SEC_BUS 1
#define DOORBELL 0x4000
#define MSI_DATA 0x4a5a
#define RP_MSI 0x48
#define RP_EXP 0x60

/* Slot control as Linux's pciehp leaves it (pcie_enable_notification). */
#define LINUX_ENABLES (PCI_EXP_SLTCTL_DLLSCE | PCI_EXP_SLTCTL_ABPE | \
                       PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_CCIE)
#define EMPTY_CTL (PCI_EXP_SLTCTL_ATTN_IND_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF | \
                   PCI_EXP_SLTCTL_PWR_OFF)
#define POPULATED_CTL (PCI_EXP_SLTCTL_ATTN_IND_OFF | \
                       PCI_EXP_SLTCTL_PWR_IND_ON | PCI_EXP_SLTCTL_PWR_ON)

static PCIBus *root;
static int irq_level[PCI_NUM_PINS];

static int map_irq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin) % PCI_NUM_PINS;
}

static void set_irq(void *opaque, int irq, int level)
{
    irq_level[irq] = level;
}

/* The port and its registers */

static PCIDevice *new_port(Error **errp, ...) G_GNUC_NULL_TERMINATED;

static PCIDevice *new_port(Error **errp, ...)
{
    DeviceState *qdev = qdev_new(TYPE_PCIE_ROOT_PORT);
    const char *prop;
    va_list ap;

    qdev->id = g_strdup("rp1");
    qdev_prop_set(qdev, "addr", "1.0", &error_abort);
    va_start(ap, errp);
    while ((prop = va_arg(ap, const char *))) {
        qdev_prop_set(qdev, prop, va_arg(ap, const char *), &error_abort);
    }
    va_end(ap);
    return pci_test_realize(qdev, errp);
}

static PCIERootPort *RP(PCIDevice *dev)
{
    return PCIE_ROOT_PORT(dev);
}

static PCIBus *sec_bus(PCIDevice *rp)
{
    return pci_bridge_get_sec_bus(rp);
}

static uint16_t exp_word(PCIDevice *rp, unsigned reg)
{
    return pci_config_read(rp, RP(rp)->exp_cap + reg, 2);
}

static uint32_t exp_long(PCIDevice *rp, unsigned reg)
{
    return pci_config_read(rp, RP(rp)->exp_cap + reg, 4);
}

static void exp_write(PCIDevice *rp, unsigned reg, uint32_t val, int len)
{
    pci_config_write(rp, RP(rp)->exp_cap + reg, val, len);
}

static uint16_t sltctl(PCIDevice *rp)
{
    return exp_word(rp, PCI_EXP_SLTCTL);
}

static uint16_t sltsta(PCIDevice *rp)
{
    return exp_word(rp, PCI_EXP_SLTSTA);
}

static bool link_active(PCIDevice *rp)
{
    return exp_word(rp, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA;
}

/* A Slot Control command: the bits in @mask take @val. */
static void slot_command(PCIDevice *rp, uint16_t val, uint16_t mask)
{
    exp_write(rp, PCI_EXP_SLTCTL, (sltctl(rp) & ~mask) | (val & mask), 2);
}

static void clear_events(PCIDevice *rp, uint16_t events)
{
    exp_write(rp, PCI_EXP_SLTSTA, events, 2);
}

/* The guest's side: bus numbers, MSI to a doorbell in RAM, MASTER. */
static void guest_setup(PCIDevice *rp)
{
    pci_config_write(rp, PCI_PRIMARY_BUS, 0 | SEC_BUS << 8 | SEC_BUS << 16,
                     4);
    pci_config_write(rp, RP_MSI + PCI_MSI_ADDRESS_LO, DOORBELL, 4);
    pci_config_write(rp, RP_MSI + PCI_MSI_ADDRESS_HI, 0, 4);
    pci_config_write(rp, RP_MSI + PCI_MSI_DATA_64, MSI_DATA, 2);
    pci_config_write(rp, RP_MSI + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
    pci_config_write(rp, PCI_COMMAND, PCI_COMMAND_MEMORY |
                     PCI_COMMAND_MASTER, 2);
    pci_test_writel(DOORBELL, 0);
}

/* Did the port send its MSI since the last look? */
static bool took_msi(void)
{
    uint32_t v = pci_test_readl(DOORBELL);

    pci_test_writel(DOORBELL, 0);
    g_assert_true(v == 0 || v == MSI_DATA);
    return v == MSI_DATA;
}

/* pciehp_probe: enable notifications, take the CC interrupt, clear. */
static void guest_enable_notification(PCIDevice *rp)
{
    slot_command(rp, LINUX_ENABLES, LINUX_ENABLES | PCI_EXP_SLTCTL_PDCE |
                 PCI_EXP_SLTCTL_PFDE);
    g_assert_true(took_msi());
    clear_events(rp, sltsta(rp) & 0x11f);
}

/* Devices in the slot */

static PCIDevice *plug(PCIDevice *rp, const char *type, const char *id,
                       bool hotplugged, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;

static PCIDevice *plug(PCIDevice *rp, const char *type, const char *id,
                       bool hotplugged, Error **errp, ...)
{
    DeviceState *qdev = qdev_new(type);
    const char *prop;
    va_list ap;

    qdev->id = g_strdup(id);
    qdev->hotplugged = hotplugged;
    va_start(ap, errp);
    while ((prop = va_arg(ap, const char *))) {
        qdev_prop_set(qdev, prop, va_arg(ap, const char *), &error_abort);
    }
    va_end(ap);
    return pci_test_realize_on(sec_bus(rp), qdev, errp);
}

static bool visible(unsigned devfn)
{
    return pci_find_device(root, SEC_BUS, devfn);
}

static void unplug_request(PCIDevice *dev)
{
    g_assert_true(qdev_unplug_request(DEVICE(dev), &error_abort));
}

/* The pure rule */

static void test_enabled_events(void)
{
    uint16_t all = PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD |
                   PCI_EXP_SLTSTA_MRLSC | PCI_EXP_SLTSTA_PDC |
                   PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC;
    static const struct {
        uint16_t enable, event;
    } pairs[] = {
        { PCI_EXP_SLTCTL_ABPE, PCI_EXP_SLTSTA_ABP },
        { PCI_EXP_SLTCTL_PFDE, PCI_EXP_SLTSTA_PFD },
        { PCI_EXP_SLTCTL_MRLSCE, PCI_EXP_SLTSTA_MRLSC },
        { PCI_EXP_SLTCTL_PDCE, PCI_EXP_SLTSTA_PDC },
        { PCI_EXP_SLTCTL_CCIE, PCI_EXP_SLTSTA_CC },
        { PCI_EXP_SLTCTL_DLLSCE, PCI_EXP_SLTSTA_DLLSC },
    };

    for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
        uint16_t hpie = PCI_EXP_SLTCTL_HPIE;

        g_assert_cmphex(pcie_slot_enabled_events(hpie | pairs[i].enable,
                                                 all), ==, pairs[i].event);
        /* Enabled but not set; set but not enabled; no HPIE. */
        g_assert_cmphex(pcie_slot_enabled_events(hpie | pairs[i].enable,
                                                 all & ~pairs[i].event), ==,
                        0);
        g_assert_cmphex(pcie_slot_enabled_events(hpie | (0x17ff &
                                                 ~pairs[i].enable),
                                                 pairs[i].event), ==, 0);
        g_assert_cmphex(pcie_slot_enabled_events(pairs[i].enable, all), ==, 0);
    }
    /* Presence and link states are not events. */
    g_assert_cmphex(pcie_slot_enabled_events(0xffff, PCI_EXP_SLTSTA_PDS |
                                             PCI_EXP_SLTSTA_MRLSS |
                                             PCI_EXP_SLTSTA_EIS), ==, 0);
}

/* Identity and capabilities */

static void test_identity(void)
{
    PCIDevice *rp = new_port(&error_abort, "port", "9", "chassis", "3",
                             "slot", "5", NULL);
    uint8_t *c = rp->config;
    uint32_t sltcap, lnkcap;

    g_assert_cmphex(pci_get_word(c + PCI_VENDOR_ID), ==, 0x1b36);
    g_assert_cmphex(pci_get_word(c + PCI_DEVICE_ID), ==, 0x000c);
    g_assert_cmphex(pci_get_word(c + PCI_CLASS_DEVICE), ==, 0x0604);
    g_assert_cmphex(c[PCI_HEADER_TYPE], ==, PCI_HEADER_TYPE_BRIDGE);
    g_assert_cmphex(c[PCI_INTERRUPT_PIN], ==, 1);
    g_assert_cmphex(pci_find_capability(rp, PCI_CAP_ID_SSVID), ==, 0x40);
    g_assert_cmphex(pci_get_word(c + 0x40 + PCI_SSVID_VENDOR_ID), ==, 0x1b36);
    g_assert_cmphex(pci_find_capability(rp, PCI_CAP_ID_MSI), ==, RP_MSI);
    g_assert_cmphex(pci_get_word(c + RP_MSI + PCI_MSI_FLAGS), ==,
                    PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
    g_assert_cmphex(pci_find_capability(rp, PCI_CAP_ID_EXP), ==, RP_EXP);
    g_assert_cmphex(pci_find_capability(rp, PCI_CAP_ID_VNDR), ==, 0);
    g_assert_cmphex(pci_find_capability(rp, PCI_CAP_ID_PM), ==, 0);
    g_assert_cmpuint(rp->config_size, ==, PCIE_CONFIG_SPACE_SIZE);

    /* Version 2, root port, slot implemented, interrupt message 0. */
    g_assert_cmphex(exp_word(rp, PCI_EXP_FLAGS), ==,
                    2 | PCI_EXP_TYPE_ROOT_PORT << 4 | PCI_EXP_FLAGS_SLOT);
    lnkcap = exp_long(rp, PCI_EXP_LNKCAP);
    g_assert_cmphex(lnkcap & PCI_EXP_LNKCAP_SLS, ==,
                    PCI_EXP_LNKCAP_SLS_16_0GB);
    g_assert_cmphex((lnkcap & PCI_EXP_LNKCAP_MLW) >> 4, ==, 32);
    g_assert_true(lnkcap & PCI_EXP_LNKCAP_DLLLARC);
    g_assert_cmphex(lnkcap >> 24, ==, 9);
    g_assert_cmphex(exp_long(rp, PCI_EXP_LNKCAP2), ==, 0x1e);

    sltcap = exp_long(rp, PCI_EXP_SLTCAP);
    g_assert_cmphex(sltcap, ==, PCI_EXP_SLTCAP_ABP | PCI_EXP_SLTCAP_PCP |
                    PCI_EXP_SLTCAP_AIP | PCI_EXP_SLTCAP_PIP |
                    PCI_EXP_SLTCAP_HPC | 5 << 19);
    /* Command completion is supported: NCCS clear; no surprise removal. */
    g_assert_false(sltcap & PCI_EXP_SLTCAP_NCCS);
    g_assert_false(sltcap & PCI_EXP_SLTCAP_HPS);
    /* Read-only */
    exp_write(rp, PCI_EXP_SLTCAP, 0, 4);
    exp_write(rp, PCI_EXP_LNKCAP, 0, 4);
    exp_write(rp, PCI_EXP_FLAGS, 0, 2);
    g_assert_cmphex(exp_long(rp, PCI_EXP_SLTCAP), ==, sltcap);
    g_assert_cmphex(exp_long(rp, PCI_EXP_LNKCAP), ==, lnkcap);
    pci_test_destroy(rp);

    rp = new_port(&error_abort, "hotplug", "off", "x-speed", "8", "x-width",
                  "4", NULL);
    g_assert_false(exp_long(rp, PCI_EXP_SLTCAP) & PCI_EXP_SLTCAP_HPC);
    g_assert_cmphex(exp_long(rp, PCI_EXP_LNKCAP) & 0x3ff, ==,
                    PCI_EXP_LNKCAP_SLS_8_0GB | 4 << 4);
    g_assert_cmphex(exp_long(rp, PCI_EXP_LNKCAP2), ==, 0xe);
    pci_test_destroy(rp);
}

static void test_realize_errors(void)
{
    PCIDevice *rp = new_port(&error_abort, "chassis", "1", NULL);
    DeviceState *qdev;
    Error *err = NULL;

    qdev = qdev_new(TYPE_PCIE_ROOT_PORT);
    qdev->id = g_strdup("rp2");
    qdev_prop_set(qdev, "chassis", "1", &error_abort);
    g_assert_null(pci_test_realize(qdev, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "rp2: chassis 1 slot 0 is "
                    "already taken by rp1; give each root port its own "
                    "chassis= or slot=");
    error_free_or_abort(&err);
    /* Another slot number in the same chassis is fine. */
    qdev = qdev_new(TYPE_PCIE_ROOT_PORT);
    qdev->id = g_strdup("rp2");
    qdev_prop_set(qdev, "chassis", "1", &error_abort);
    qdev_prop_set(qdev, "slot", "2", &error_abort);
    g_assert_nonnull(pci_test_realize(qdev, &error_abort));
    /* Not below another port. */
    g_assert_null(plug(rp, TYPE_PCIE_ROOT_PORT, "rp3", false, &err, "chassis",
                       "7", NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, "rp3: a root port belongs on "
                    "the PCI Express root bus (pcie.0), not on 'rp1'");
    error_free_or_abort(&err);
    g_assert_null(sec_bus(rp)->devices[0]);
    pci_test_destroy(PCI_DEVICE(qdev));
    pci_test_destroy(rp);
}

/* Reset values */

static void test_reset_values(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *dev;

    g_assert_cmphex(sltctl(rp), ==, EMPTY_CTL);
    g_assert_cmphex(sltsta(rp), ==, 0);
    g_assert_false(link_active(rp));
    g_assert_cmphex(exp_word(rp, PCI_EXP_LNKCTL), ==, 0);
    g_assert_cmphex(rp->config[PCI_IO_BASE], >, rp->config[PCI_IO_LIMIT]);

    /* A device there from the start: powered, link up, no event. */
    dev = plug(rp, TYPE_TESTDEV, "d0", false, &error_abort, NULL);
    g_assert_cmphex(sltctl(rp), ==, POPULATED_CTL);
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_PDS);
    /* Trained to what the device has (2.5 GT/s x1). */
    g_assert_cmphex(exp_word(rp, PCI_EXP_LNKSTA), ==,
                    PCI_EXP_LNKSTA_DLLLA | PCI_EXP_LNKSTA_CLS_2_5GB |
                    PCI_EXP_LNKSTA_NLW_X1);
    g_assert_true(dev->has_power);

    /* Whatever the guest did, a reset brings the same values back. */
    guest_setup(rp);
    slot_command(rp, 0xffff & ~PCI_EXP_SLTCTL_PCC, 0xffff);
    exp_write(rp, PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_CCC, 2);
    device_cold_reset(DEVICE(rp));
    g_assert_cmphex(sltctl(rp), ==, POPULATED_CTL);
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_PDS);
    g_assert_cmphex(exp_word(rp, PCI_EXP_LNKCTL), ==, 0);
    g_assert_cmphex(rp->config[PCI_SECONDARY_BUS], ==, 0);
    g_assert_false(msi_enabled(rp));
    g_assert_true(link_active(rp));
    pci_test_destroy(dev);
    g_assert_cmphex(sltsta(rp) & PCI_EXP_SLTSTA_PDS, ==, 0);
    device_cold_reset(DEVICE(rp));
    g_assert_cmphex(sltctl(rp), ==, EMPTY_CTL);
    g_assert_false(link_active(rp));
    pci_test_destroy(rp);
}

/* Masks */

static void test_masks(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    uint8_t *sta = rp->config + RP(rp)->exp_cap + PCI_EXP_SLTSTA;

    /* Slot Control: no MRL sensor, no interlock. */
    exp_write(rp, PCI_EXP_SLTCTL, 0xffff, 2);
    g_assert_cmphex(sltctl(rp), ==, 0x17fb);
    exp_write(rp, PCI_EXP_SLTCTL, 0, 2);
    g_assert_cmphex(sltctl(rp), ==, 0);

    /* Slot Status: events are RW1C, states read-only. */
    pci_set_word(sta, 0x011f | PCI_EXP_SLTSTA_PDS);
    exp_write(rp, PCI_EXP_SLTSTA, 0, 2);
    g_assert_cmphex(sltsta(rp), ==, 0x011f | PCI_EXP_SLTSTA_PDS);
    exp_write(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PDS,
              2);
    g_assert_cmphex(sltsta(rp), ==, 0x011e | PCI_EXP_SLTSTA_PDS);
    exp_write(rp, PCI_EXP_SLTSTA, 0xffff, 2);
    /* MRLSC cannot happen here, so it is not clearable either. */
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_MRLSC |
                    PCI_EXP_SLTSTA_PDS);
    pci_set_word(sta, 0);
    exp_write(rp, PCI_EXP_SLTSTA, 0, 2);

    /* Link Control: disable, common clock, extended synch; RL reads 0. */
    exp_write(rp, PCI_EXP_LNKCTL, 0xffff, 2);
    g_assert_cmphex(exp_word(rp, PCI_EXP_LNKCTL), ==, PCI_EXP_LNKCTL_LD |
                    PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);
    exp_write(rp, PCI_EXP_LNKCTL, 0, 2);
    exp_write(rp, PCI_EXP_LNKSTA, 0xffff, 2);
    g_assert_cmphex(exp_word(rp, PCI_EXP_LNKSTA), ==,
                    PCI_EXP_LNKSTA_CLS_2_5GB | PCI_EXP_LNKSTA_NLW_X1);
    /* Root Control: system error enables only (no PME). */
    exp_write(rp, PCI_EXP_RTCTL, 0xffff, 2);
    g_assert_cmphex(exp_word(rp, PCI_EXP_RTCTL), ==, 0x7);
    exp_write(rp, PCI_EXP_RTCTL, 0, 2);
    /* Device Control of a port */
    exp_write(rp, PCI_EXP_DEVCTL, 0xffff, 2);
    g_assert_cmphex(exp_word(rp, PCI_EXP_DEVCTL), ==, 0x00ef);
    exp_write(rp, PCI_EXP_DEVCTL2, 0xffff, 2);
    g_assert_cmphex(exp_word(rp, PCI_EXP_DEVCTL2), ==, 0);
    pci_test_destroy(rp);
}

/* Command Completed */

static void test_command_completed(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);

    guest_setup(rp);
    g_assert_cmphex(sltsta(rp), ==, 0);
    /* Any write to Slot Control is a command; it completes at once. */
    slot_command(rp, 0, 0);
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_CC);
    g_assert_false(took_msi());                 /* not enabled */
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    /* A byte write to the upper half is a command too. */
    exp_write(rp, PCI_EXP_SLTCTL + 1, sltctl(rp) >> 8, 1);
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_CC);
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    /* Slot Status writes are not commands. */
    clear_events(rp, 0xffff);
    g_assert_cmphex(sltsta(rp), ==, 0);

    /* The command that enables CCIE and HPIE completes with an MSI. */
    slot_command(rp, PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_HPIE,
                 PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_HPIE);
    g_assert_true(took_msi());
    /* While CC stays set, further commands send nothing more... */
    slot_command(rp, PCI_EXP_SLTCTL_PWR_IND_BLINK, PCI_EXP_SLTCTL_PIC);
    g_assert_false(took_msi());
    /* ...once cleared, the next one does. */
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    g_assert_false(took_msi());
    slot_command(rp, PCI_EXP_SLTCTL_PWR_IND_ON, PCI_EXP_SLTCTL_PIC);
    g_assert_true(took_msi());
    /* The command was carried out before completion was reported. */
    g_assert_cmphex(sltctl(rp) & PCI_EXP_SLTCTL_PIC, ==,
                    PCI_EXP_SLTCTL_PWR_IND_ON);
    clear_events(rp, PCI_EXP_SLTSTA_CC);

    /* HPIE off: no interrupt whatever is enabled. */
    slot_command(rp, 0, PCI_EXP_SLTCTL_HPIE);
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    slot_command(rp, 0, 0);
    g_assert_false(took_msi());
    /* Turning HPIE on with CC pending: the condition rises, MSI. */
    slot_command(rp, PCI_EXP_SLTCTL_HPIE, PCI_EXP_SLTCTL_HPIE);
    g_assert_true(took_msi());

    /* A masked vector keeps it pending; unmask delivers it. */
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    pci_config_write(rp, RP_MSI + PCI_MSI_MASK_64, 1, 4);
    slot_command(rp, 0, 0);
    g_assert_false(took_msi());
    g_assert_cmphex(pci_config_read(rp, RP_MSI + PCI_MSI_PENDING_64, 4), ==,
                    1);
    pci_config_write(rp, RP_MSI + PCI_MSI_MASK_64, 0, 4);
    g_assert_true(took_msi());
    /* Without bus mastering the message goes nowhere. */
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    pci_config_write(rp, PCI_COMMAND, 0, 2);
    slot_command(rp, 0, 0);
    g_assert_false(took_msi());
    pci_test_destroy(rp);
}

/* INTx while MSI is off */

static void test_intx(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    int irq = map_irq(rp, 0);

    slot_command(rp, PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_HPIE,
                 PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_HPIE);
    g_assert_cmpint(irq_level[irq], ==, 1);
    g_assert_true(pci_get_word(rp->config + PCI_STATUS) &
                  PCI_STATUS_INTERRUPT);
    /* Level: stays while the event is set, drops when cleared. */
    slot_command(rp, 0, 0);
    g_assert_cmpint(irq_level[irq], ==, 1);
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    g_assert_cmpint(irq_level[irq], ==, 0);
    /* Disabling the enable drops it too. */
    slot_command(rp, 0, 0);
    g_assert_cmpint(irq_level[irq], ==, 1);
    slot_command(rp, 0, PCI_EXP_SLTCTL_CCIE);
    g_assert_cmpint(irq_level[irq], ==, 0);
    /* Interrupt Disable masks the pin. */
    slot_command(rp, PCI_EXP_SLTCTL_CCIE, PCI_EXP_SLTCTL_CCIE);
    g_assert_cmpint(irq_level[irq], ==, 1);
    pci_config_write(rp, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(irq_level[irq], ==, 0);
    pci_config_write(rp, PCI_COMMAND, 0, 2);
    g_assert_cmpint(irq_level[irq], ==, 1);
    /* Switching to MSI withdraws the level. */
    guest_setup(rp);
    g_assert_cmpint(irq_level[irq], ==, 0);
    pci_test_destroy(rp);
}

/* Hotplug, as pciehp sees it */

static void test_hotplug_cycle(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *dev;
    Error *err = NULL;

    guest_setup(rp);
    guest_enable_notification(rp);

    /* device_add while the guest runs */
    dev = plug(rp, TYPE_TESTDEV, "d0", true, &error_abort, NULL);
    g_assert_true(took_msi());
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    g_assert_true(link_active(rp));
    /* Present but unpowered: the guest cannot see it yet. */
    g_assert_cmphex(sltctl(rp) & PCI_EXP_SLTCTL_PCC, ==,
                    PCI_EXP_SLTCTL_PWR_OFF);
    g_assert_false(visible(0));
    g_assert_false(dev->has_power);
    clear_events(rp, PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
    g_assert_false(took_msi());

    /* board_added: power on, indicator on; the device answers. */
    slot_command(rp, PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC);
    g_assert_true(took_msi());
    g_assert_true(visible(0));
    g_assert_cmphex(pci_config_read(dev, PCI_VENDOR_ID, 2), ==, 0x1b36);
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_IND_ON, PCI_EXP_SLTCTL_PIC);
    g_assert_true(took_msi());
    clear_events(rp, PCI_EXP_SLTSTA_CC);

    /* device_del: the attention button is pressed; nothing is removed. */
    unplug_request(dev);
    g_assert_true(took_msi());
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_ABP);
    g_assert_true(qdev_unplug_pending(DEVICE(dev)));
    g_assert_true(qdev_find_by_id("d0") == DEVICE(dev));
    clear_events(rp, PCI_EXP_SLTSTA_ABP);

    /* pciehp_handle_button_press: blink for 5 s. Another request now
     * would cancel the guest's countdown, so it is refused. */
    slot_command(rp, PCI_EXP_SLTCTL_PWR_IND_BLINK |
                 PCI_EXP_SLTCTL_ATTN_IND_OFF,
                 PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC);
    g_assert_true(took_msi());
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    g_assert_false(qdev_unplug_request(DEVICE(dev), &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Hot-unplug failed: guest is "
                    "busy (power indicator blinking)");
    error_free_or_abort(&err);
    g_assert_false(sltsta(rp) & PCI_EXP_SLTSTA_ABP);

    /* remove_board: power off. The device goes before CC is reported. */
    slot_command(rp, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC);
    g_assert_null(qdev_find_by_id("d0"));
    g_assert_null(sec_bus(rp)->devices[0]);
    g_assert_true(took_msi());
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    g_assert_false(link_active(rp));
    g_assert_false(visible(0));
    clear_events(rp, 0xffff);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_IND_OFF, PCI_EXP_SLTCTL_PIC);
    clear_events(rp, PCI_EXP_SLTSTA_CC);

    /* The slot takes a new device. */
    dev = plug(rp, TYPE_TESTDEV, "d1", true, &error_abort, NULL);
    g_assert_true(took_msi());
    g_assert_true(sltsta(rp) & PCI_EXP_SLTSTA_PDS);
    pci_test_destroy(dev);
    pci_test_destroy(rp);
}

/* The 5 s window: a repeat is refused, then allowed (QEMU's rule). */
static void test_unplug_repeat(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *dev = plug(rp, TYPE_TESTDEV, "d0", false, &error_abort, NULL);
    int64_t now;

    guest_setup(rp);
    guest_enable_notification(rp);
    qemu_clock_set_virtual_manual(true);
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    unplug_request(dev);
    g_assert_true(took_msi());
    g_assert_true(qdev_unplug_pending(DEVICE(dev)));
    qemu_clock_advance_virtual(now + 4999 * SCALE_MS);
    g_assert_true(qdev_unplug_pending(DEVICE(dev)));
    qemu_clock_advance_virtual(now + 5000 * SCALE_MS);
    g_assert_false(qdev_unplug_pending(DEVICE(dev)));
    /* A guest that never answered: pressing again changes nothing... */
    unplug_request(dev);
    g_assert_false(took_msi());
    g_assert_true(sltsta(rp) & PCI_EXP_SLTSTA_ABP);
    /* ...until it clears the event; then the press is news again. */
    clear_events(rp, PCI_EXP_SLTSTA_ABP);
    qemu_clock_advance_virtual(now + 10001 * SCALE_MS);
    unplug_request(dev);
    g_assert_true(took_msi());
    g_assert_true(qdev_find_by_id("d0") == DEVICE(dev));
    qemu_clock_set_virtual_manual(false);
    pci_test_destroy(dev);
    pci_test_destroy(rp);
}

/* A slot the guest never powered on is emptied at once. */
static void test_unplug_unpowered(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *dev;

    guest_setup(rp);
    guest_enable_notification(rp);
    dev = plug(rp, TYPE_TESTDEV, "d0", true, &error_abort, NULL);
    g_assert_true(took_msi());
    clear_events(rp, 0xffff);
    unplug_request(dev);
    g_assert_null(qdev_find_by_id("d0"));
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    g_assert_true(took_msi());
    g_assert_false(link_active(rp));
    pci_test_destroy(rp);
}

/* A reset ends the wait: the guest that was asked is gone. */
static void test_unplug_then_reset(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *dev = plug(rp, TYPE_TESTDEV, "d0", false, &error_abort, NULL);
    PCIDevice *other;

    unplug_request(dev);
    g_assert_true(qdev_find_by_id("d0") == DEVICE(dev));
    qdev_reset_all();
    g_assert_null(qdev_find_by_id("d0"));
    g_assert_cmphex(sltctl(rp), ==, EMPTY_CTL);
    g_assert_cmphex(sltsta(rp), ==, 0);
    /* Without a pending request a reset keeps the device, powered. */
    other = plug(rp, TYPE_TESTDEV, "d1", false, &error_abort, NULL);
    qdev_reset_all();
    g_assert_true(qdev_find_by_id("d1") == DEVICE(other));
    g_assert_cmphex(sltctl(rp), ==, POPULATED_CTL);
    pci_test_destroy(other);
    pci_test_destroy(rp);
}

/* The guest's own eject (power off without device_del) removes it too. */
static void test_guest_eject(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);

    plug(rp, TYPE_TESTDEV, "d0", false, &error_abort, NULL);
    guest_setup(rp);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC);
    g_assert_null(qdev_find_by_id("d0"));
    /* Writing "off" to an already empty, unpowered slot is harmless. */
    slot_command(rp, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC);
    g_assert_false(sltsta(rp) & PCI_EXP_SLTSTA_PDS);
    pci_test_destroy(rp);
}

static void test_hotplug_disabled(void)
{
    PCIDevice *rp = new_port(&error_abort, "hotplug", "off", NULL);
    PCIDevice *dev;
    Error *err = NULL;

    g_assert_null(plug(rp, TYPE_TESTDEV, "d0", true, &err, NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, "Hot-plug failed: "
                    "unsupported by the port device 'rp1'");
    error_free_or_abort(&err);
    g_assert_null(sec_bus(rp)->devices[0]);
    /* Cold plug is fine; device_del is refused. */
    dev = plug(rp, TYPE_TESTDEV, "d0", false, &error_abort, NULL);
    g_assert_false(qdev_unplug_request(DEVICE(dev), &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Hot-unplug failed: "
                    "unsupported by the port device 'rp1'");
    error_free_or_abort(&err);
    g_assert_false(DEVICE(dev)->pending_deleted_event);
    pci_test_destroy(dev);
    pci_test_destroy(rp);
}

/* Functions come first, function 0 last: events then. */
static void test_multifunction(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *f1, *f0;
    Error *err = NULL;

    guest_setup(rp);
    guest_enable_notification(rp);
    f1 = plug(rp, TYPE_TESTDEV, "f1", true, &error_abort, "addr", "0.1",
              NULL);
    g_assert_false(took_msi());
    g_assert_cmphex(sltsta(rp), ==, 0);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC);
    clear_events(rp, PCI_EXP_SLTSTA_CC);
    took_msi();
    /* Powered, but hidden while function 0 is missing. */
    g_assert_true(f1->has_power);
    g_assert_false(visible(PCI_DEVFN(0, 1)));
    f0 = plug(rp, TYPE_TESTDEV, "f0", true, &error_abort, "addr", "0.0",
              "multifunction", "on", NULL);
    g_assert_true(took_msi());
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    g_assert_true(pci_find_device(root, SEC_BUS, PCI_DEVFN(0, 0)) == f0);
    g_assert_true(visible(PCI_DEVFN(0, 1)));
    /* Too late for another function: the guest has scanned the slot. */
    g_assert_null(plug(rp, TYPE_TESTDEV, "f2", true, &err, "addr", "0.2",
                       NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: slot 0 function 0 "
                    "already occupied by f0, new func f2 cannot be exposed "
                    "to guest.");
    error_free_or_abort(&err);
    /* Power off takes every function. */
    clear_events(rp, 0xffff);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC);
    g_assert_null(qdev_find_by_id("f0"));
    g_assert_null(qdev_find_by_id("f1"));
    pci_test_destroy(rp);
}

/* A function the guest never saw goes at once on device_del. */
static void test_unplug_hidden_function(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *f1;

    slot_command(rp, PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC);
    f1 = plug(rp, TYPE_TESTDEV, "f1", true, &error_abort, "addr", "0.1",
              NULL);
    unplug_request(f1);
    g_assert_null(qdev_find_by_id("f1"));
    g_assert_false(sltsta(rp) & (PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PDC));
    pci_test_destroy(rp);
}

static void test_link_disable(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *dev = plug(rp, TYPE_TESTDEV, "d0", false, &error_abort, NULL);

    guest_setup(rp);
    guest_enable_notification(rp);
    g_assert_true(visible(0));
    exp_write(rp, PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_LD, 2);
    g_assert_false(link_active(rp));
    g_assert_true(took_msi());
    g_assert_cmphex(sltsta(rp), ==, PCI_EXP_SLTSTA_PDS |
                    PCI_EXP_SLTSTA_DLLSC);
    g_assert_false(visible(0));
    clear_events(rp, PCI_EXP_SLTSTA_DLLSC);
    /* pciehp_link_enable */
    exp_write(rp, PCI_EXP_LNKCTL, 0, 2);
    g_assert_true(link_active(rp));
    g_assert_true(took_msi());
    g_assert_true(visible(0));
    g_assert_true(qdev_find_by_id("d0") == DEVICE(dev));
    pci_test_destroy(dev);
    pci_test_destroy(rp);
}

static void test_reserve(void)
{
    PCIDevice *rp = new_port(&error_abort, "bus-reserve", "3", "mem-reserve",
                             "2M", "pref64-reserve", "1G", NULL);
    uint8_t cap = pci_find_capability(rp, PCI_CAP_ID_VNDR);
    uint8_t *c = rp->config + cap;

    g_assert_cmphex(cap, !=, 0);
    g_assert_cmphex(c[2], ==, 0x20);                /* length */
    g_assert_cmphex(c[3], ==, 1);                   /* Red Hat: reserve */
    g_assert_cmphex(pci_get_long(c + 4), ==, 3);
    g_assert_cmphex(pci_get_quad(c + 8), ==, UINT64_MAX);
    g_assert_cmphex(pci_get_long(c + 16), ==, 2 << 20);
    g_assert_cmphex(pci_get_long(c + 20), ==, UINT32_MAX);
    g_assert_cmphex(pci_get_quad(c + 24), ==, 1ULL << 30);
    pci_test_destroy(rp);

    /* io-reserve=0: no I/O forwarding at all. */
    rp = new_port(&error_abort, "io-reserve", "0", NULL);
    pci_config_write(rp, PCI_COMMAND, 0xffff, 2);
    g_assert_false(pci_get_word(rp->config + PCI_COMMAND) & PCI_COMMAND_IO);
    pci_config_write(rp, PCI_IO_BASE, 0xe0f0, 2);
    g_assert_cmphex(pci_get_word(rp->config + PCI_IO_BASE), ==, 0);
    pci_test_destroy(rp);
}

/* vfio-pci in a root port: unplug releases the device and all it held. */
static void test_vfio_release(void)
{
    PCIDevice *rp = new_port(&error_abort, NULL);
    PCIDevice *dev;
    FakeVFIODevice *f;
    uint8_t msi;

    guest_setup(rp);
    guest_enable_notification(rp);
    dev = plug(rp, "vfio-pci", "hostdev0", true, &error_abort, "host",
               "fake:basic", NULL);
    f = fake_vfio_last();
    g_assert_true(fake_vfio_is_open(f));
    g_assert_cmpuint(fake_vfio_dma_mapping_count(f), >, 0);
    g_assert_true(took_msi());
    clear_events(rp, 0xffff);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_ON | PCI_EXP_SLTCTL_PWR_IND_ON,
                 PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC);
    clear_events(rp, 0xffff);
    took_msi();
    g_assert_true(visible(0));
    /* The guest's driver turns MSI on: a host vector is taken. */
    msi = pci_find_capability(dev, PCI_CAP_ID_MSI);
    g_assert_cmphex(msi, !=, 0);
    pci_config_write(dev, msi + PCI_MSI_ADDRESS_LO, 0x5000, 4);
    pci_config_write(dev, msi + PCI_MSI_FLAGS,
                     pci_config_read(dev, msi + PCI_MSI_FLAGS, 2) |
                     PCI_MSI_FLAGS_ENABLE, 2);
    pci_config_write(dev, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, VFIO_PCI_MSI_IRQ_INDEX),
                     ==, 1);

    unplug_request(dev);
    g_assert_true(took_msi());
    g_assert_true(fake_vfio_is_open(f));
    clear_events(rp, 0xffff);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_IND_BLINK, PCI_EXP_SLTCTL_PIC);
    slot_command(rp, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC);
    g_assert_null(qdev_find_by_id("hostdev0"));
    g_assert_false(fake_vfio_is_open(f));
    g_assert_cmpuint(fake_vfio_dma_mapping_count(f), ==, 0);
    g_assert_cmpuint(fake_vfio_counters(f)->dma_unmaps, >=,
                     fake_vfio_counters(f)->dma_maps);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, VFIO_PCI_MSI_IRQ_INDEX),
                     ==, 0);
    pci_test_destroy(rp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = pci_test_machine_init(RAM_SIZE);
    pci_bus_irqs(root, set_irq, map_irq, NULL, PCI_NUM_PINS);

    g_test_add_func("/pcie-root-port/enabled-events", test_enabled_events);
    g_test_add_func("/pcie-root-port/identity", test_identity);
    g_test_add_func("/pcie-root-port/realize-errors", test_realize_errors);
    g_test_add_func("/pcie-root-port/reset-values", test_reset_values);
    g_test_add_func("/pcie-root-port/masks", test_masks);
    g_test_add_func("/pcie-root-port/command-completed",
                    test_command_completed);
    g_test_add_func("/pcie-root-port/intx", test_intx);
    g_test_add_func("/pcie-root-port/hotplug-cycle", test_hotplug_cycle);
    g_test_add_func("/pcie-root-port/unplug-repeat", test_unplug_repeat);
    g_test_add_func("/pcie-root-port/unplug-unpowered",
                    test_unplug_unpowered);
    g_test_add_func("/pcie-root-port/unplug-then-reset",
                    test_unplug_then_reset);
    g_test_add_func("/pcie-root-port/guest-eject", test_guest_eject);
    g_test_add_func("/pcie-root-port/hotplug-disabled",
                    test_hotplug_disabled);
    g_test_add_func("/pcie-root-port/multifunction", test_multifunction);
    g_test_add_func("/pcie-root-port/unplug-hidden-function",
                    test_unplug_hidden_function);
    g_test_add_func("/pcie-root-port/link-disable", test_link_disable);
    g_test_add_func("/pcie-root-port/reserve", test_reserve);
    g_test_add_func("/pcie-root-port/vfio-release", test_vfio_release);
    return g_test_run();
}
