/*
 * Unit tests for PCI-to-PCI bridging in the core: the type 1 header,
 * config routing by bus number (CF8/CFC and ECAM), BAR decoding only
 * inside the bridge's windows, INTx swizzling, bus-master gating of DMA
 * and MSI, secondary bus reset, slot power, and taking a bridge away.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/pci_bridge.h"
#include "hw/pci/pci_host.h"
#include "pci-test-util.h"

#define TYPE_TEST_BRIDGE "test-pci-bridge"
#define TYPE_TEST_PCIE_BRIDGE "test-pcie-bridge"
#define TYPE_TESTDEV "qvfio-test-pci"       /* tests/devices/pci-testdev.c */
#define TESTDEV_ID 0x7e57de70
#define TESTDEV_VENDOR_DEVICE 0x00ff1b36u
#define BRIDGE_ID 0xb41d1234u
#define RAM_SIZE (16 << 20)
#define ECAM_BASE 0xb0000000ULL
#define ECAM_SIZE 0x10000000ULL
#define WIN_BASE 0xe0000000ULL

/* testdev BAR0 registers */
#define REG_ID 0x00
#define REG_SCRATCH 0x04
#define REG_RAISE 0x08
#define REG_INTX 0x0c
#define REG_DMA_LO 0x10
#define REG_DMA_HI 0x14
#define REG_DMA_LEN 0x18
#define REG_DMA_CMD 0x1c
#define REG_BUF 0x800

static PCIBus *root;
static PCIHostConfig host;
static int irq_level[PCI_NUM_PINS];

/* Bridges for the tests: conventional and PCIe secondary buses. */

static void test_bridge_realize(PCIDevice *dev, Error **errp)
{
    dev->config[PCI_INTERRUPT_PIN] = 1;
    pci_bridge_realize(dev, TYPE_PCI_BUS, false, errp);
}

static void test_pcie_bridge_realize(PCIDevice *dev, Error **errp)
{
    pci_bridge_realize(dev, TYPE_PCIE_BUS, false, errp);
}

static void test_bridge_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = 0x1234;
    pc->device_id = 0xb41d;
    pc->realize = data ? test_pcie_bridge_realize : test_bridge_realize;
    pc->is_express = data;
}

static const TypeInfo test_bridge_types[] = {
    {
        .name = TYPE_TEST_BRIDGE,
        .parent = TYPE_PCI_BRIDGE,
        .class_init = test_bridge_class_init,
    },
    {
        .name = TYPE_TEST_PCIE_BRIDGE,
        .parent = TYPE_PCI_BRIDGE,
        .class_init = test_bridge_class_init,
        .class_data = (void *)1,
    },
};

static void test_bridge_register_types(void)
{
    type_register_static_array(test_bridge_types,
                               ARRAY_SIZE(test_bridge_types));
}

type_init(test_bridge_register_types)

/* The machine: q35's INTx map on the root bus, recorded. */

static int map_irq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin) % PCI_NUM_PINS;
}

static void set_irq(void *opaque, int irq, int level)
{
    irq_level[irq] = level;
}

static uint32_t cf8(unsigned busnr, unsigned devfn, unsigned reg)
{
    return (1u << 31) | busnr << 16 | devfn << 8 | (reg & 0xfc);
}

static uint32_t cfg_readl_cf8(unsigned busnr, unsigned devfn, unsigned reg)
{
    pci_test_io_write(0xcf8, 4, cf8(busnr, devfn, reg));
    return pci_test_io_read(0xcfc, 4);
}

static uint32_t cfg_readl_ecam(unsigned busnr, unsigned devfn, unsigned reg)
{
    return pci_test_readl(ECAM_BASE + ((hwaddr)busnr << 20) +
                          ((hwaddr)devfn << 12) + reg);
}

/* What both mechanisms read; they must agree. */
static uint32_t cfg_readl(unsigned busnr, unsigned devfn, unsigned reg)
{
    uint32_t v = cfg_readl_cf8(busnr, devfn, reg);

    g_assert_cmphex(cfg_readl_ecam(busnr, devfn, reg), ==, v);
    return v;
}

static void cfg_writel(unsigned busnr, unsigned devfn, unsigned reg,
                       uint32_t val)
{
    pci_test_io_write(0xcf8, 4, cf8(busnr, devfn, reg));
    pci_test_io_write(0xcfc, 4, val);
}

static void cfg_write(PCIDevice *dev, unsigned reg, uint32_t val, int len)
{
    pci_config_write(dev, reg, val, len);
}

static PCIDevice *new_bridge(PCIBus *on, const char *type, const char *id,
                             const char *addr)
{
    return pci_test_new_on(on, type, &error_abort, "id", id, "addr", addr,
                           NULL);
}

static PCIDevice *new_testdev(PCIBus *on, const char *addr)
{
    return pci_test_new_on(on, TYPE_TESTDEV, &error_abort, "addr", addr,
                           NULL);
}

/* Primary/secondary/subordinate as firmware programs them. */
static void set_bus_numbers(PCIDevice *br, uint8_t pri, uint8_t sec,
                            uint8_t sub)
{
    cfg_write(br, PCI_PRIMARY_BUS, pri | sec << 8 | sub << 16, 4);
}

static void set_mem_window(PCIDevice *br, pcibus_t base, pcibus_t limit)
{
    cfg_write(br, PCI_MEMORY_BASE, base >> 16, 2);
    cfg_write(br, PCI_MEMORY_LIMIT, limit >> 16, 2);
}

static void set_pref_window(PCIDevice *br, pcibus_t base, pcibus_t limit)
{
    cfg_write(br, PCI_PREF_MEMORY_BASE, base >> 16, 2);
    cfg_write(br, PCI_PREF_MEMORY_LIMIT, limit >> 16, 2);
    cfg_write(br, PCI_PREF_BASE_UPPER32, base >> 32, 4);
    cfg_write(br, PCI_PREF_LIMIT_UPPER32, limit >> 32, 4);
}

static void set_io_window(PCIDevice *br, uint16_t base, uint16_t limit)
{
    cfg_write(br, PCI_IO_BASE, base >> 8, 1);
    cfg_write(br, PCI_IO_LIMIT, limit >> 8, 1);
}

static void set_command(PCIDevice *dev, uint16_t cmd)
{
    cfg_write(dev, PCI_COMMAND, cmd, 2);
}

/* testdev BAR0 at @addr with memory decoding on. */
static void place_bar0(PCIDevice *dev, hwaddr addr)
{
    cfg_write(dev, PCI_BASE_ADDRESS_0, addr, 4);
    set_command(dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static bool bar0_answers(hwaddr addr)
{
    MemTxResult res;
    uint64_t v = pci_test_read(addr + REG_ID, 4, &res);

    return res == MEMTX_OK && v == TESTDEV_ID;
}

/* Header */

static void test_header(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIDevice *pe = new_bridge(root, TYPE_TEST_PCIE_BRIDGE, "br1", "3.0");
    uint8_t *c = br->config;

    g_assert_cmphex(c[PCI_HEADER_TYPE], ==, PCI_HEADER_TYPE_BRIDGE);
    g_assert_cmphex(pci_get_word(c + PCI_CLASS_DEVICE), ==,
                    PCI_CLASS_BRIDGE_PCI);
    g_assert_true(pci_is_bridge(br));
    /* Out of reset: bus numbers 0, every window closed. */
    g_assert_cmphex(pci_get_long(c + PCI_PRIMARY_BUS), ==, 0);
    g_assert_cmpuint(pci_bridge_io_base(br), >, pci_bridge_io_limit(br));
    g_assert_cmpuint(pci_bridge_mem_base(br), >, pci_bridge_mem_limit(br));
    g_assert_cmpuint(pci_bridge_pref_base(br), >, pci_bridge_pref_limit(br));
    /* 16-bit I/O decoding, 64-bit prefetchable. */
    g_assert_cmphex(c[PCI_IO_BASE] & PCI_IO_RANGE_TYPE_MASK, ==,
                    PCI_IO_RANGE_TYPE_16);
    g_assert_cmphex(pci_get_word(c + PCI_PREF_MEMORY_BASE) &
                    PCI_PREF_RANGE_TYPE_MASK, ==, PCI_PREF_RANGE_TYPE_64);

    /* Writable bits */
    cfg_write(br, PCI_PRIMARY_BUS, 0xffffffff, 4);
    g_assert_cmphex(pci_get_long(c + PCI_PRIMARY_BUS), ==, 0xffffffff);
    cfg_write(pe, PCI_PRIMARY_BUS, 0xffffffff, 4);
    /* No latency timer on a PCIe secondary side. */
    g_assert_cmphex(pci_get_long(pe->config + PCI_PRIMARY_BUS), ==,
                    0x00ffffff);
    cfg_write(br, PCI_IO_BASE, 0xffff, 2);
    g_assert_cmphex(pci_get_word(c + PCI_IO_BASE), ==, 0xf0f0);
    cfg_write(br, PCI_IO_BASE_UPPER16, 0xffffffff, 4);
    g_assert_cmphex(pci_get_long(c + PCI_IO_BASE_UPPER16), ==, 0);
    cfg_write(br, PCI_MEMORY_BASE, 0xffffffff, 4);
    g_assert_cmphex(pci_get_long(c + PCI_MEMORY_BASE), ==, 0xfff0fff0);
    cfg_write(br, PCI_PREF_MEMORY_BASE, 0, 4);
    g_assert_cmphex(pci_get_long(c + PCI_PREF_MEMORY_BASE), ==, 0x00010001);
    cfg_write(br, PCI_PREF_BASE_UPPER32, 0xffffffff, 4);
    g_assert_cmphex(pci_get_long(c + PCI_PREF_BASE_UPPER32), ==, 0xffffffff);
    /* ISA and VGA forwarding are not modelled: read 0. */
    cfg_write(br, PCI_BRIDGE_CONTROL, 0xffff & ~PCI_BRIDGE_CTL_BUS_RESET, 2);
    g_assert_cmphex(pci_get_word(c + PCI_BRIDGE_CONTROL), ==,
                    PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |
                    PCI_BRIDGE_CTL_MASTER_ABORT);
    /* Secondary status: error bits are write-1-to-clear. */
    pci_set_word(c + PCI_SEC_STATUS, PCI_STATUS_REC_MASTER_ABORT |
                 PCI_STATUS_DETECTED_PARITY);
    cfg_write(br, PCI_SEC_STATUS, PCI_STATUS_REC_MASTER_ABORT, 2);
    g_assert_cmphex(pci_get_word(c + PCI_SEC_STATUS), ==,
                    PCI_STATUS_DETECTED_PARITY);
    cfg_write(br, PCI_SEC_STATUS, 0, 2);
    g_assert_cmphex(pci_get_word(c + PCI_SEC_STATUS), ==,
                    PCI_STATUS_DETECTED_PARITY);

    /* Reset brings it all back. */
    device_cold_reset(DEVICE(br));
    g_assert_cmphex(pci_get_long(c + PCI_PRIMARY_BUS), ==, 0);
    g_assert_cmphex(pci_get_word(c + PCI_BRIDGE_CONTROL), ==, 0);
    g_assert_cmphex(pci_get_word(c + PCI_SEC_STATUS), ==, 0);
    g_assert_cmpuint(pci_bridge_mem_base(br), >, pci_bridge_mem_limit(br));
    pci_test_destroy(pe);
    pci_test_destroy(br);
}

static void test_bus_names(void)
{
    PCIDevice *a = new_bridge(root, TYPE_TEST_BRIDGE, "pci.7", "2.0");
    PCIDevice *anon, *anon2, *pe;
    Error *err = NULL;

    g_assert_true(qbus_find("pci.7") == &pci_bridge_get_sec_bus(a)->qbus);
    g_assert_true(object_dynamic_cast(OBJECT(qbus_find("pci.7")),
                                      TYPE_PCI_BUS));
    g_assert_false(object_dynamic_cast(OBJECT(qbus_find("pci.7")),
                                       TYPE_PCIE_BUS));
    /* Without an id: the first free pci.N (pcie.N for PCIe). */
    anon = pci_test_new(TYPE_TEST_BRIDGE, &error_abort, "addr", "3.0", NULL);
    g_assert_cmpstr(pci_bridge_get_sec_bus(anon)->qbus.name, ==, "pci.1");
    anon2 = pci_test_new(TYPE_TEST_BRIDGE, &error_abort, "addr", "4.0", NULL);
    g_assert_cmpstr(pci_bridge_get_sec_bus(anon2)->qbus.name, ==, "pci.2");
    pe = pci_test_new(TYPE_TEST_PCIE_BRIDGE, &error_abort, "addr", "5.0",
                      NULL);
    g_assert_cmpstr(pci_bridge_get_sec_bus(pe)->qbus.name, ==, "pcie.1");
    g_assert_true(pci_bridge_get_sec_bus(pe)->is_express);
    /* An id that names an existing bus is refused; nothing is left. */
    g_assert_null(pci_test_new(TYPE_TEST_BRIDGE, &err, "id", "pcie.0",
                               "addr", "6.0", NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, "pcie.0: a bus named 'pcie.0' "
                    "already exists; give the bridge another id (its "
                    "secondary bus takes that name)");
    error_free_or_abort(&err);
    g_assert_null(pci_bus_get_device(root, PCI_DEVFN(6, 0)));
    /* The bus goes with its bridge. */
    pci_test_destroy(a);
    g_assert_null(qbus_find("pci.7"));
    pci_test_destroy(pe);
    pci_test_destroy(anon2);
    pci_test_destroy(anon);
    g_assert_null(qbus_find("pci.1"));
}

/* Config routing */

static void test_bus_numbers(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIBus *sec = pci_bridge_get_sec_bus(br);
    PCIDevice *inner = new_bridge(sec, TYPE_TEST_BRIDGE, "br1", "1.0");
    PCIBus *sec2 = pci_bridge_get_sec_bus(inner);
    PCIDevice *a = new_testdev(sec, "5.0");
    PCIDevice *b = new_testdev(sec2, "3.0");
    uint32_t id = TESTDEV_VENDOR_DEVICE;

    /* Unprogrammed: nothing below bus 0 answers. */
    g_assert_cmphex(cfg_readl(0, PCI_DEVFN(2, 0), 0), ==,
                    BRIDGE_ID);
    g_assert_cmphex(cfg_readl(1, PCI_DEVFN(5, 0), 0), ==, 0xffffffff);
    g_assert_null(pci_find_device(root, 1, PCI_DEVFN(5, 0)));

    /* Bus 1 behind br0, bus 2 behind br1, bus 3 claimed but empty. */
    set_bus_numbers(br, 0, 1, 3);
    g_assert_cmphex(cfg_readl(1, PCI_DEVFN(5, 0), 0), ==, id);
    g_assert_true(pci_find_device(root, 1, PCI_DEVFN(5, 0)) == a);
    g_assert_cmphex(cfg_readl(1, PCI_DEVFN(1, 0), 0), ==,
                    BRIDGE_ID);
    g_assert_cmpuint(pci_bus_num(sec), ==, 1);
    /* Type 1 through br1 needs br1's numbers too. */
    g_assert_cmphex(cfg_readl(2, PCI_DEVFN(3, 0), 0), ==, 0xffffffff);
    cfg_writel(1, PCI_DEVFN(1, 0), PCI_PRIMARY_BUS, 1 | 2 << 8 | 2 << 16);
    g_assert_cmphex(inner->config[PCI_SECONDARY_BUS], ==, 2);
    g_assert_cmphex(cfg_readl(2, PCI_DEVFN(3, 0), 0), ==, id);
    g_assert_true(pci_find_device(root, 2, PCI_DEVFN(3, 0)) == b);
    g_assert_cmphex(cfg_readl(3, PCI_DEVFN(3, 0), 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(4, PCI_DEVFN(3, 0), 0), ==, 0xffffffff);
    /* Absent function and device on a reached bus. */
    g_assert_cmphex(cfg_readl(2, PCI_DEVFN(3, 1), 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(1, PCI_DEVFN(6, 0), 0), ==, 0xffffffff);

    /* Writes reach the device behind two bridges, through ECAM too. */
    cfg_writel(2, PCI_DEVFN(3, 0), PCI_INTERRUPT_LINE, 0x0b);
    g_assert_cmphex(b->config[PCI_INTERRUPT_LINE], ==, 0x0b);
    pci_test_write(ECAM_BASE + (2 << 20) + (PCI_DEVFN(3, 0) << 12) +
                   PCI_INTERRUPT_LINE, 1, 0x0c);
    g_assert_cmphex(b->config[PCI_INTERRUPT_LINE], ==, 0x0c);
    /* A conventional bus gives its functions 256 bytes. */
    g_assert_cmphex(cfg_readl_ecam(2, PCI_DEVFN(3, 0), 0x100), ==,
                    0xffffffff);

    /* Subordinate below 2: bus 2 is no longer reached. */
    set_bus_numbers(br, 0, 1, 1);
    g_assert_cmphex(cfg_readl(2, PCI_DEVFN(3, 0), 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(1, PCI_DEVFN(5, 0), 0), ==, id);
    pci_test_destroy(b);
    pci_test_destroy(a);
    pci_test_destroy(inner);
    pci_test_destroy(br);
}

/* A PCIe link below a downstream port carries device 0 only. */
static void test_link_bus(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_PCIE_BRIDGE, "br0", "2.0");
    PCIBus *sec = pci_bridge_get_sec_bus(br);
    PCIDevice *f0, *f1;
    Error *err = NULL;

    sec->is_link = true;
    g_assert_null(pci_test_new_on(sec, TYPE_TESTDEV, &err, "addr", "1.0",
                                  NULL));
    g_assert_nonnull(strstr(error_get_pretty(err), "bus br0 is the link of "
                            "a PCIe port, which has device 0 only"));
    error_free_or_abort(&err);
    f0 = pci_test_new_on(sec, TYPE_TESTDEV, &error_abort, "addr", "0.0",
                         "multifunction", "on", NULL);
    f1 = new_testdev(sec, "0.1");
    /* Full: no other slot to pick. */
    g_assert_cmpint(pci_bus_find_free_devfn(sec), ==, -1);
    set_bus_numbers(br, 0, 5, 5);
    g_assert_cmphex(cfg_readl(5, PCI_DEVFN(0, 1), 0) & 0xffff, ==, 0x1b36);
    /* Device numbers other than 0 read as absent. */
    g_assert_cmphex(cfg_readl(5, PCI_DEVFN(1, 0), 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(5, PCI_DEVFN(31, 7), 0), ==, 0xffffffff);
    pci_test_destroy(f1);
    pci_test_destroy(f0);
    pci_test_destroy(br);
}

/* Windows */

static void test_mem_window(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIDevice *dev = new_testdev(pci_bridge_get_sec_bus(br), "0.0");

    place_bar0(dev, WIN_BASE);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, WIN_BASE);
    /* Decoded below the bridge, but no window forwards to it. */
    g_assert_false(bar0_answers(WIN_BASE));
    set_mem_window(br, WIN_BASE, WIN_BASE + 0xfffff);
    g_assert_false(bar0_answers(WIN_BASE));         /* COMMAND.MEM off */
    set_command(br, PCI_COMMAND_MEMORY);
    g_assert_true(bar0_answers(WIN_BASE));
    g_assert_cmphex(pci_bridge_mem_base(br), ==, WIN_BASE);
    g_assert_cmphex(pci_bridge_mem_limit(br), ==, WIN_BASE + 0xfffff);

    /* A BAR outside the window is not reached; moved inside, it is. */
    place_bar0(dev, WIN_BASE + 0x100000);
    g_assert_false(bar0_answers(WIN_BASE + 0x100000));
    g_assert_false(bar0_answers(WIN_BASE));
    set_mem_window(br, WIN_BASE, WIN_BASE + 0x1fffff);
    g_assert_true(bar0_answers(WIN_BASE + 0x100000));
    /* Writes go through too. */
    g_assert_cmpint(pci_test_writel(WIN_BASE + 0x100000 + REG_SCRATCH,
                                    0x5a5a), ==, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(WIN_BASE + 0x100000 + REG_SCRATCH), ==,
                    0x5a5a);

    /* Limit below base closes it. */
    set_mem_window(br, WIN_BASE + 0x200000, WIN_BASE);
    g_assert_false(bar0_answers(WIN_BASE + 0x100000));
    set_mem_window(br, WIN_BASE, WIN_BASE + 0x1fffff);
    g_assert_true(bar0_answers(WIN_BASE + 0x100000));
    set_command(br, 0);
    g_assert_false(bar0_answers(WIN_BASE + 0x100000));
    pci_test_destroy(dev);
    pci_test_destroy(br);
}

static void test_pref_window(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIDevice *dev = new_testdev(pci_bridge_get_sec_bus(br), "0.0");
    hwaddr high = 0x800000000ULL;
    uint8_t *ram;

    /* BAR2: 64-bit prefetchable RAM, placed above 4 GiB. */
    cfg_write(dev, PCI_BASE_ADDRESS_2, (uint32_t)high, 4);
    cfg_write(dev, PCI_BASE_ADDRESS_3, high >> 32, 4);
    set_command(dev, PCI_COMMAND_MEMORY);
    set_command(br, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_get_bar_addr(dev, 2), ==, high);
    g_assert_cmpint(pci_test_writel(high, 0x1234), !=, MEMTX_OK);
    /* The non-prefetchable window cannot reach above 4 GiB. */
    set_mem_window(br, WIN_BASE, WIN_BASE + 0xfffff);
    g_assert_cmpint(pci_test_writel(high, 0x1234), !=, MEMTX_OK);
    set_pref_window(br, high, high + 0xfffff);
    g_assert_cmphex(pci_bridge_pref_base(br), ==, high);
    g_assert_cmphex(pci_bridge_pref_limit(br), ==, high + 0xfffff);
    g_assert_cmpint(pci_test_writel(high + 8, 0x1234), ==, MEMTX_OK);
    ram = memory_region_get_ram_ptr(dev->io_regions[2].memory);
    g_assert_cmphex(ldl_le_p(ram + 8), ==, 0x1234);
    /* The upper half counts: the same low bits 4 GiB lower miss. */
    set_pref_window(br, high - (1ULL << 32), high - (1ULL << 32) + 0xfffff);
    g_assert_cmpint(pci_test_writel(high + 8, 0x4321), !=, MEMTX_OK);
    g_assert_cmphex(ldl_le_p(ram + 8), ==, 0x1234);
    /* The whole 64-bit space is a legal (if odd) window. */
    set_pref_window(br, 0, UINT64_MAX);
    g_assert_cmpint(pci_test_writel(high + 8, 0x4321), ==, MEMTX_OK);
    g_assert_cmphex(ldl_le_p(ram + 8), ==, 0x4321);
    /* RAM at 0 is still there: a window hides only what it decodes. */
    g_assert_cmpint(pci_test_writel(0x1000, 0x77), ==, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(0x1000), ==, 0x77);
    pci_test_destroy(dev);
    pci_test_destroy(br);
}

static void test_io_window(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIDevice *dev = new_testdev(pci_bridge_get_sec_bus(br), "0.0");

    /* BAR1: 32 bytes of I/O with a scratch register. */
    cfg_write(dev, PCI_BASE_ADDRESS_1, 0x2020, 4);
    set_command(dev, PCI_COMMAND_IO);
    pci_test_io_write(0x2020, 4, 0xabcd);
    g_assert_cmphex(pci_test_io_read(0x2020, 4), !=, 0xabcd);
    set_io_window(br, 0x2000, 0x2fff);
    set_command(br, PCI_COMMAND_MEMORY);
    pci_test_io_write(0x2020, 4, 0xabcd);
    g_assert_cmphex(pci_test_io_read(0x2020, 4), !=, 0xabcd);  /* IO off */
    set_command(br, PCI_COMMAND_IO);
    g_assert_cmphex(pci_bridge_io_base(br), ==, 0x2000);
    g_assert_cmphex(pci_bridge_io_limit(br), ==, 0x2fff);
    pci_test_io_write(0x2020, 4, 0xabcd);
    g_assert_cmphex(pci_test_io_read(0x2020, 4), ==, 0xabcd);
    /* Config ports stay the host bridge's, window or not. */
    set_io_window(br, 0x0000, 0x0fff);
    g_assert_cmphex(cfg_readl(0, PCI_DEVFN(2, 0), 0), ==,
                    BRIDGE_ID);
    g_assert_cmphex(pci_test_io_read(0x2020, 4), !=, 0xabcd);
    pci_test_destroy(dev);
    pci_test_destroy(br);
}

/* INTx: device D pin P leaves a bridge as pin (P + D) % 4. */

static void test_swizzle(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIBus *sec = pci_bridge_get_sec_bus(br);
    PCIDevice *inner = new_bridge(sec, TYPE_TEST_BRIDGE, "br1", "3.0");
    PCIDevice *d1 = new_testdev(sec, "1.0");
    PCIDevice *d2 = new_testdev(pci_bridge_get_sec_bus(inner), "2.0");
    int irq_d1, irq_d2, pin;

    g_assert_cmpint(pci_swizzle(PCI_DEVFN(1, 0), 0), ==, 1);
    g_assert_cmpint(pci_swizzle(PCI_DEVFN(3, 0), 2), ==, 1);
    g_assert_cmpint(pci_swizzle(PCI_DEVFN(31, 0), 3), ==, 2);

    /* Where each pin enters the root bus. */
    pin = 0;
    g_assert_true(pci_intx_root(d2, &pin) == br);
    g_assert_cmpint(pin, ==, 1);
    pin = 3;
    g_assert_true(pci_intx_root(br, &pin) == br);
    g_assert_cmpint(pin, ==, 3);

    /* d1: INTA -> INTB at br0 (slot 2): root irq (2 + 1) % 4. */
    irq_d1 = (2 + pci_swizzle(d1->devfn, 0)) % 4;
    g_assert_cmpint(irq_d1, ==, 3);
    /* d2: INTA -> INTC at br1 (slot 3) -> INTB at br0 -> irq 3 too. */
    irq_d2 = (2 + pci_swizzle(inner->devfn, pci_swizzle(d2->devfn, 0))) % 4;
    g_assert_cmpint(irq_d2, ==, 3);

    pci_set_irq(d1, 1);
    g_assert_cmpint(irq_level[3], ==, 1);
    pci_set_irq(d2, 1);
    pci_set_irq(d1, 0);
    /* Shared: still up while d2 asserts. */
    g_assert_cmpint(irq_level[3], ==, 1);
    /* A bridge's own INTx disable does not mask what it forwards. */
    set_command(br, PCI_COMMAND_INTX_DISABLE);
    set_command(inner, PCI_COMMAND_INTX_DISABLE);
    g_assert_cmpint(irq_level[3], ==, 1);
    pci_set_irq(d2, 0);
    g_assert_cmpint(irq_level[3], ==, 0);
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        g_assert_cmpint(irq_level[i], ==, 0);
    }
    /* The bridge's own pin goes straight to the root bus. */
    set_command(br, 0);
    pci_set_irq(br, 1);
    g_assert_cmpint(irq_level[(2 + 0) % 4], ==, 1);
    pci_set_irq(br, 0);
    /* Unplugging an asserting device withdraws its level. */
    pci_set_irq(d1, 1);
    g_assert_cmpint(irq_level[3], ==, 1);
    pci_test_destroy(d1);
    g_assert_cmpint(irq_level[3], ==, 0);
    pci_test_destroy(d2);
    pci_test_destroy(inner);
    pci_test_destroy(br);
}

/* Bus mastering */

static void test_bus_master(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIDevice *dev = new_testdev(pci_bridge_get_sec_bus(br), "0.0");
    uint8_t msi = pci_find_capability(dev, PCI_CAP_ID_MSI);

    set_bus_numbers(br, 0, 1, 1);
    set_mem_window(br, WIN_BASE, WIN_BASE + 0xfffff);
    set_command(br, PCI_COMMAND_MEMORY);
    place_bar0(dev, WIN_BASE);
    g_assert_true(bar0_answers(WIN_BASE));

    /* DMA: the device's buffer to RAM at 0x2000. */
    pci_test_writel(WIN_BASE + REG_BUF, 0xfeedf00d);
    pci_test_writel(WIN_BASE + REG_DMA_LO, 0x2000);
    pci_test_writel(WIN_BASE + REG_DMA_HI, 0);
    pci_test_writel(WIN_BASE + REG_DMA_LEN, 4);
    pci_test_writel(0x2000, 0);
    g_assert_false(pci_bus_master_enabled(dev));
    pci_test_writel(WIN_BASE + REG_DMA_CMD, 1);
    g_assert_cmphex(pci_test_readl(0x2000), ==, 0);
    set_command(br, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_true(pci_bus_master_enabled(dev));
    pci_test_writel(WIN_BASE + REG_DMA_CMD, 1);
    g_assert_cmphex(pci_test_readl(0x2000), ==, 0xfeedf00d);

    /* MSI (testdev has msix-vectors=4 by default: turn MSI-X off). */
    g_assert_cmphex(msi, !=, 0);
    cfg_write(dev, msi + PCI_MSI_ADDRESS_LO, 0x3000, 4);
    cfg_write(dev, msi + PCI_MSI_ADDRESS_HI, 0, 4);
    cfg_write(dev, msi + PCI_MSI_DATA_64, 0x4321, 2);
    cfg_write(dev, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
    pci_test_writel(0x3000, 0);
    pci_test_writel(WIN_BASE + REG_RAISE, 0);
    g_assert_cmphex(pci_test_readl(0x3000), ==, 0x4321);
    pci_test_writel(0x3000, 0);
    set_command(br, PCI_COMMAND_MEMORY);
    pci_test_writel(WIN_BASE + REG_RAISE, 0);
    g_assert_cmphex(pci_test_readl(0x3000), ==, 0);
    /* The device's own MASTER still matters. */
    set_command(br, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    set_command(dev, PCI_COMMAND_MEMORY);
    pci_test_writel(WIN_BASE + REG_RAISE, 0);
    g_assert_cmphex(pci_test_readl(0x3000), ==, 0);
    set_command(dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    pci_test_writel(WIN_BASE + REG_RAISE, 0);
    g_assert_cmphex(pci_test_readl(0x3000), ==, 0x4321);
    pci_test_destroy(dev);
    pci_test_destroy(br);
}

/* Secondary bus reset: 0 -> 1 of the bridge control bit. */
static void test_secondary_bus_reset(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIBus *sec = pci_bridge_get_sec_bus(br);
    PCIDevice *inner = new_bridge(sec, TYPE_TEST_BRIDGE, "br1", "1.0");
    PCIDevice *dev = new_testdev(sec, "0.0");
    PCIDevice *deep = new_testdev(pci_bridge_get_sec_bus(inner), "0.0");

    place_bar0(dev, WIN_BASE);
    place_bar0(deep, WIN_BASE + 0x100000);
    set_bus_numbers(inner, 1, 2, 2);
    set_bus_numbers(br, 0, 1, 2);
    cfg_write(br, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET, 2);
    g_assert_cmphex(pci_get_word(dev->config + PCI_COMMAND), ==, 0);
    g_assert_cmphex(pci_get_word(deep->config + PCI_COMMAND), ==, 0);
    g_assert_cmphex(inner->config[PCI_SECONDARY_BUS], ==, 0);
    g_assert_cmphex(pci_get_long(dev->config + PCI_BASE_ADDRESS_0), ==, 0);
    /* The bridge itself keeps its state. */
    g_assert_cmphex(br->config[PCI_SECONDARY_BUS], ==, 1);
    /* Holding the bit does nothing more; only a new 0 -> 1 resets. */
    place_bar0(dev, WIN_BASE);
    cfg_write(br, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET, 2);
    g_assert_cmphex(pci_get_word(dev->config + PCI_COMMAND), !=, 0);
    cfg_write(br, PCI_BRIDGE_CONTROL, 0, 2);
    cfg_write(br, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET, 2);
    g_assert_cmphex(pci_get_word(dev->config + PCI_COMMAND), ==, 0);
    pci_test_destroy(deep);
    pci_test_destroy(dev);
    pci_test_destroy(inner);
    pci_test_destroy(br);
}

/* Slot power: an unpowered function is invisible and decodes nothing. */
static void test_power(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIBus *sec = pci_bridge_get_sec_bus(br);
    PCIDevice *dev = new_testdev(sec, "0.0");

    set_bus_numbers(br, 0, 1, 1);
    set_mem_window(br, WIN_BASE, WIN_BASE + 0xfffff);
    set_command(br, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    place_bar0(dev, WIN_BASE);
    g_assert_true(bar0_answers(WIN_BASE));
    pci_set_power(dev, false);
    g_assert_false(bar0_answers(WIN_BASE));
    g_assert_false(pci_bus_master_enabled(dev));
    g_assert_cmphex(cfg_readl(1, 0, 0), ==, 0xffffffff);
    g_assert_null(pci_find_device(root, 1, 0));
    pci_set_power(dev, true);
    g_assert_true(bar0_answers(WIN_BASE));
    g_assert_cmphex(cfg_readl(1, 0, 0) & 0xffff, ==, 0x1b36);
    /* An unpowered bridge forwards nothing. */
    pci_set_power(br, false);
    g_assert_false(bar0_answers(WIN_BASE));
    g_assert_cmphex(cfg_readl(1, 0, 0), ==, 0xffffffff);
    g_assert_false(pci_bus_master_enabled(dev));
    pci_set_power(br, true);
    g_assert_true(bar0_answers(WIN_BASE));
    pci_test_destroy(dev);
    pci_test_destroy(br);
}

/* Taking a bridge away takes its devices, windows and bus with it. */
static void test_unrealize(void)
{
    PCIDevice *br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    PCIDevice *dev = new_testdev(pci_bridge_get_sec_bus(br), "0.0");
    size_t before;

    set_mem_window(br, WIN_BASE, WIN_BASE + 0xfffff);
    set_command(br, PCI_COMMAND_MEMORY);
    place_bar0(dev, WIN_BASE);
    g_assert_true(bar0_answers(WIN_BASE));
    before = address_space_flat_range_count(&address_space_memory);
    pci_test_destroy(br);
    g_assert_false(bar0_answers(WIN_BASE));
    g_assert_cmpuint(address_space_flat_range_count(&address_space_memory),
                     <, before);
    g_assert_null(qbus_find("br0"));
    g_assert_null(pci_bus_get_device(root, PCI_DEVFN(2, 0)));
    /* The slot is free again. */
    br = new_bridge(root, TYPE_TEST_BRIDGE, "br0", "2.0");
    pci_test_destroy(br);
}

/* A ROM BAR of a type 1 header lives at 0x38. */
static void test_bridge_rom(void)
{
    g_autofree char *path = NULL;
    GError *gerr = NULL;
    int fd = g_file_open_tmp("bridge-rom-XXXXXX", &path, &gerr);
    static const uint8_t image[512] = { 0x55, 0xaa };
    PCIDevice *br;

    g_assert_no_error(gerr);
    g_assert_cmpint(write(fd, image, sizeof(image)), ==, sizeof(image));
    close(fd);
    br = pci_test_new(TYPE_TEST_BRIDGE, &error_abort, "id", "br0", "addr",
                      "2.0", "romfile", path, NULL);
    cfg_write(br, PCI_ROM_ADDRESS1, 0xffffffff, 4);
    g_assert_cmphex(pci_get_long(br->config + PCI_ROM_ADDRESS1), ==,
                    0xfffff801);   /* 2 KiB granule */
    /* The I/O upper halves at 0x30 are untouched. */
    g_assert_cmphex(pci_get_long(br->config + PCI_IO_BASE_UPPER16), ==, 0);
    cfg_write(br, PCI_ROM_ADDRESS1, WIN_BASE | PCI_ROM_ADDRESS_ENABLE, 4);
    set_command(br, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_test_readl(WIN_BASE) & 0xffff, ==, 0xaa55);
    pci_test_destroy(br);
    unlink(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = pci_test_machine_init(RAM_SIZE);
    pci_bus_irqs(root, set_irq, map_irq, NULL, PCI_NUM_PINS);
    pci_host_config_init(&host, NULL, root, get_system_io(),
                         get_system_memory(), ECAM_BASE, ECAM_SIZE);

    g_test_add_func("/pci/bridge/header", test_header);
    g_test_add_func("/pci/bridge/bus-names", test_bus_names);
    g_test_add_func("/pci/bridge/bus-numbers", test_bus_numbers);
    g_test_add_func("/pci/bridge/link-bus", test_link_bus);
    g_test_add_func("/pci/bridge/mem-window", test_mem_window);
    g_test_add_func("/pci/bridge/pref-window", test_pref_window);
    g_test_add_func("/pci/bridge/io-window", test_io_window);
    g_test_add_func("/pci/bridge/swizzle", test_swizzle);
    g_test_add_func("/pci/bridge/bus-master", test_bus_master);
    g_test_add_func("/pci/bridge/secondary-bus-reset",
                    test_secondary_bus_reset);
    g_test_add_func("/pci/bridge/power", test_power);
    g_test_add_func("/pci/bridge/unrealize", test_unrealize);
    g_test_add_func("/pci/bridge/rom", test_bridge_rom);
    return g_test_run();
}
