/*
 * Unit tests for MSI-X: the capability, the table and PBA through MMIO,
 * masking and pending bits, delivery, the vector hooks and msix_init's
 * checks.
 */
#include "qemu/osdep.h"
#include "hw/pci/msix.h"
#include "hw/pci/msi.h"
#include "pci-test-util.h"

#define TYPE_MSIX_DEV "test-msix-dev"
#define TYPE_MSIX_EXCL_DEV "test-msix-exclusive-dev"
#define RAM_SIZE 0x100000
#define DOORBELL 0x3000
#define BAR_ADDR 0xe0000000ULL
#define BAR_SIZE 0x4000
#define NVEC 8
#define TABLE_OFF 0x0
#define PBA_OFF 0x2000

typedef struct MsixDev {
    PCIDevice parent_obj;
    MemoryRegion bar;
} MsixDev;

static PCIBus *bus;
static unsigned poll_start, poll_end, poll_calls;

static void msix_dev_realize(PCIDevice *pdev, Error **errp)
{
    MsixDev *d = (MsixDev *)pdev;

    memory_region_init(&d->bar, OBJECT(d), "msix-dev-bar0", BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &d->bar);
    if (!msix_init(pdev, NVEC, &d->bar, 0, TABLE_OFF, &d->bar, 0, PBA_OFF, 0,
                   errp)) {
        return;
    }
    msi_init(pdev, 0, 1, true, false, errp);
}

static void msix_dev_exit(PCIDevice *pdev)
{
    MsixDev *d = (MsixDev *)pdev;

    msix_uninit(pdev, &d->bar, &d->bar);
    msi_uninit(pdev);
}

static void msix_dev_finalize(Object *obj)
{
    memory_region_finalize(&((MsixDev *)obj)->bar);
}

static void msix_dev_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = 0x1234;
    pc->device_id = 0x0011;
    pc->realize = msix_dev_realize;
    pc->exit = msix_dev_exit;
}

static void msix_excl_realize(PCIDevice *pdev, Error **errp)
{
    msix_init_exclusive_bar(pdev, 3, 1, errp);
}

static void msix_excl_exit(PCIDevice *pdev)
{
    msix_uninit_exclusive_bar(pdev);
}

static void msix_excl_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = 0x1234;
    pc->device_id = 0x0012;
    pc->realize = msix_excl_realize;
    pc->exit = msix_excl_exit;
}

static const TypeInfo msix_dev_types[] = {
    {
        .name = TYPE_MSIX_DEV,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(MsixDev),
        .class_init = msix_dev_class_init,
        .instance_finalize = msix_dev_finalize,
    },
    {
        .name = TYPE_MSIX_EXCL_DEV,
        .parent = TYPE_PCI_DEVICE,
        .class_init = msix_excl_class_init,
    },
};

static void msix_dev_register_types(void)
{
    type_register_static_array(msix_dev_types, ARRAY_SIZE(msix_dev_types));
}

type_init(msix_dev_register_types)

/* Helpers: BAR0 at BAR_ADDR, memory decoding and bus mastering on. */

static PCIDevice *create(const char *type)
{
    PCIDevice *dev = pci_create_simple(bus, -1, type);

    pci_config_write(dev, PCI_BASE_ADDRESS_0, BAR_ADDR, 4);
    pci_config_write(dev, PCI_BASE_ADDRESS_1, BAR_ADDR, 4);
    pci_config_write(dev, PCI_COMMAND,
                     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    return dev;
}

static hwaddr entry_addr(unsigned v, unsigned reg)
{
    return BAR_ADDR + TABLE_OFF + v * PCI_MSIX_ENTRY_SIZE + reg;
}

static uint32_t pba_readl(unsigned dword)
{
    return pci_test_readl(BAR_ADDR + PBA_OFF + 4 * dword);
}

static void set_entry(unsigned v, uint64_t addr, uint32_t data, bool masked)
{
    pci_test_writel(entry_addr(v, PCI_MSIX_ENTRY_LOWER_ADDR), addr);
    pci_test_writel(entry_addr(v, PCI_MSIX_ENTRY_UPPER_ADDR), addr >> 32);
    pci_test_writel(entry_addr(v, PCI_MSIX_ENTRY_DATA), data);
    pci_test_writel(entry_addr(v, PCI_MSIX_ENTRY_VECTOR_CTRL), masked);
}

static void set_ctrl(PCIDevice *dev, uint16_t ctrl)
{
    pci_config_write(dev, dev->msix_cap + PCI_MSIX_FLAGS, ctrl, 2);
}

static uint16_t get_ctrl(PCIDevice *dev)
{
    return pci_config_read(dev, dev->msix_cap + PCI_MSIX_FLAGS, 2);
}

static void test_capability(void)
{
    PCIDevice *dev = create(TYPE_MSIX_DEV);
    uint8_t cap = pci_find_capability(dev, PCI_CAP_ID_MSIX);

    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmpuint(cap, ==, dev->msix_cap);
    g_assert_true(msix_present(dev));
    g_assert_cmpuint(msix_nr_vectors(dev), ==, NVEC);
    g_assert_cmphex(get_ctrl(dev), ==, NVEC - 1);
    g_assert_cmphex(pci_config_read(dev, cap + PCI_MSIX_TABLE, 4), ==,
                    TABLE_OFF | 0);
    g_assert_cmphex(pci_config_read(dev, cap + PCI_MSIX_PBA, 4), ==,
                    PBA_OFF | 0);
    /* Only enable and function mask are writable. */
    set_ctrl(dev, 0xffff);
    g_assert_cmphex(get_ctrl(dev), ==, PCI_MSIX_FLAGS_ENABLE |
                    PCI_MSIX_FLAGS_MASKALL | (NVEC - 1));
    pci_config_write(dev, cap + PCI_MSIX_TABLE, 0xffffffff, 4);
    pci_config_write(dev, cap + PCI_MSIX_PBA, 0, 4);
    g_assert_cmphex(pci_config_read(dev, cap + PCI_MSIX_PBA, 4), ==, PBA_OFF);
    set_ctrl(dev, 0);
    g_assert_false(msix_enabled(dev));
    pci_test_destroy(dev);
}

static void test_table_mmio(void)
{
    PCIDevice *dev = create(TYPE_MSIX_DEV);
    uint64_t val;

    /* Reset state: every vector masked, message zero. */
    for (unsigned v = 0; v < NVEC; v++) {
        g_assert_cmphex(pci_test_readl(entry_addr(v, 0)), ==, 0);
        g_assert_cmphex(pci_test_readl(entry_addr(v, 4)), ==, 0);
        g_assert_cmphex(pci_test_readl(entry_addr(v, 8)), ==, 0);
        g_assert_cmphex(pci_test_readl(entry_addr(v, 12)), ==,
                        PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
    set_entry(3, 0x123456789aULL, 0xdeadbeef, true);
    g_assert_cmphex(pci_test_readl(entry_addr(3, 0)), ==, 0x3456789a);
    g_assert_cmphex(pci_test_readl(entry_addr(3, 4)), ==, 0x12);
    g_assert_cmphex(pci_test_readl(entry_addr(3, 8)), ==, 0xdeadbeef);
    g_assert_cmphex(msix_get_message(dev, 3).address, ==, 0x123456789aULL);
    g_assert_cmphex(msix_get_message(dev, 3).data, ==, 0xdeadbeef);

    /* 8-byte accesses work (split into dwords). */
    g_assert_cmpint(address_space_write_sized(&address_space_memory,
                                              entry_addr(2, 0), 8,
                                              0x1122334455667788ULL), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_read_sized(&address_space_memory,
                                             entry_addr(2, 0), 8, &val), ==,
                    MEMTX_OK);
    g_assert_cmphex(val, ==, 0x1122334455667788ULL);
    /* Byte accesses are not allowed. */
    g_assert_cmpint(address_space_read_sized(&address_space_memory,
                                             entry_addr(2, 0), 1, &val), ==,
                    MEMTX_ERROR);

    /* Vector control: only the mask bit is writable. */
    pci_test_writel(entry_addr(3, 12), 0xfffffffe);
    g_assert_cmphex(pci_test_readl(entry_addr(3, 12)), ==, 0);
    pci_test_writel(entry_addr(3, 12), 0xffffffff);
    g_assert_cmphex(pci_test_readl(entry_addr(3, 12)), ==, 1);

    /* The rest of the BAR is not the table. */
    g_assert_cmphex(pci_test_readl(BAR_ADDR + 0x1000), ==, 0xffffffff);
    pci_test_destroy(dev);
}

static void test_delivery(void)
{
    PCIDevice *dev = create(TYPE_MSIX_DEV);

    pci_test_writel(DOORBELL, 0);
    set_entry(0, DOORBELL, 0x12345678, false);
    /* Disabled: nothing, not even a pending bit. */
    msix_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0);
    g_assert_false(msix_is_pending(dev, 0));

    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE);
    g_assert_true(msix_enabled(dev));
    msix_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0x12345678);
    pci_test_writel(DOORBELL, 0);

    /* Vector mask: pending bit in the PBA; unmask delivers and clears. */
    pci_test_writel(entry_addr(0, 12), 1);
    msix_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0);
    g_assert_true(msix_is_pending(dev, 0));
    g_assert_cmphex(pba_readl(0), ==, 0x1);
    /* libqos writes the PBA back with the bit cleared: ignored. */
    pci_test_writel(BAR_ADDR + PBA_OFF, 0);
    g_assert_cmphex(pba_readl(0), ==, 0x1);
    pci_test_writel(entry_addr(0, 12), 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0x12345678);
    g_assert_cmphex(pba_readl(0), ==, 0);
    pci_test_writel(BAR_ADDR + PBA_OFF, 0xffffffff);
    g_assert_cmphex(pba_readl(0), ==, 0);
    pci_test_writel(DOORBELL, 0);

    /* Function mask: pending; function unmask delivers. */
    set_entry(7, DOORBELL + 4, 0x77, false);
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    g_assert_true(msix_is_masked(dev, 7));
    msix_notify(dev, 7);
    msix_notify(dev, 0);
    g_assert_cmphex(pba_readl(0), ==, 0x81);
    g_assert_cmphex(pci_test_readl(DOORBELL + 4), ==, 0);
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmphex(pci_test_readl(DOORBELL + 4), ==, 0x77);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0x12345678);
    g_assert_cmphex(pba_readl(0), ==, 0);

    /* A pending bit survives disable and is delivered on enable. */
    pci_test_writel(entry_addr(7, 12), 1);
    msix_notify(dev, 7);
    pci_test_writel(DOORBELL + 4, 0);
    set_ctrl(dev, 0);
    pci_test_writel(entry_addr(7, 12), 0);
    g_assert_cmphex(pci_test_readl(DOORBELL + 4), ==, 0);
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmphex(pci_test_readl(DOORBELL + 4), ==, 0x77);

    /* Bus master off: dropped. */
    pci_test_writel(DOORBELL, 0);
    pci_config_write(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    msix_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0);
    g_assert_false(msix_is_pending(dev, 0));

    /* Out of range vectors are ignored. */
    msix_notify(dev, NVEC);
    pci_test_destroy(dev);
}

static void test_reset(void)
{
    PCIDevice *dev = create(TYPE_MSIX_DEV);

    set_entry(1, DOORBELL, 0x11, true);
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    msix_notify(dev, 1);
    g_assert_true(msix_is_pending(dev, 1));
    device_cold_reset(DEVICE(dev));
    g_assert_false(msix_enabled(dev));
    g_assert_cmphex(get_ctrl(dev), ==, NVEC - 1);
    g_assert_false(msix_is_pending(dev, 1));
    g_assert_cmphex(msix_get_message(dev, 1).address, ==, 0);
    g_assert_true(msix_is_masked(dev, 1));
    g_assert_cmphex(pci_get_long(dev->msix_table + PCI_MSIX_ENTRY_SIZE +
                                 PCI_MSIX_ENTRY_VECTOR_CTRL), ==, 1);
    pci_test_destroy(dev);
}

static void log_poll(PCIDevice *dev, unsigned start, unsigned end)
{
    poll_start = start;
    poll_end = end;
    poll_calls++;
    /* The device may set pending bits while polled. */
    msix_set_pending(dev, 5);
}

static const PCIVectorHooks log_hooks = {
    PCI_TEST_LOG_HOOKS,
    .poll = log_poll,
};

static void test_hooks(void)
{
    PCIDevice *dev = create(TYPE_MSIX_DEV);

    pci_test_log_begin(dev, &log_hooks);

    /* Enabled with everything masked: nothing in use. */
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE);
    pci_test_assert_log("");
    set_entry(0, DOORBELL, 0xa0, true);
    pci_test_assert_log("");
    pci_test_writel(entry_addr(0, 12), 0);
    pci_test_assert_log("use0:3000:a0 ");
    g_assert_cmpint(dev->vector_state[0], ==, PCI_VECTOR_LIVE);
    pci_test_writel(entry_addr(0, 12), 1);
    pci_test_assert_log("mask0 ");
    pci_test_writel(entry_addr(0, 12), 0);
    pci_test_assert_log("unmask0:3000:a0 ");

    /* Message change while live: unmask with the new message. */
    pci_test_writel(entry_addr(0, 8), 0xa1);
    pci_test_assert_log("unmask0:3000:a1 ");
    pci_test_writel(entry_addr(0, 8), 0xa1);
    pci_test_assert_log("");
    pci_test_writel(entry_addr(0, 4), 0x1);
    pci_test_assert_log("unmask0:100003000:a1 ");
    pci_test_writel(entry_addr(0, 4), 0);
    pci_test_assert_log("unmask0:3000:a1 ");

    /* Message change while masked: no call until unmask. */
    pci_test_writel(entry_addr(0, 12), 1);
    pci_test_writel(entry_addr(0, 8), 0xa2);
    pci_test_assert_log("mask0 ");
    pci_test_writel(entry_addr(0, 12), 0);
    pci_test_assert_log("unmask0:3000:a2 ");

    /* Function mask and unmask */
    set_entry(2, DOORBELL, 0xc0, false);
    pci_test_assert_log("use2:3000:c0 ");
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    pci_test_assert_log("mask0 mask2 ");
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE);
    pci_test_assert_log("unmask0:3000:a2 unmask2:3000:c0 ");

    /* MSI is off: writing its capability leaves MSI-X vectors alone. */
    pci_config_write(dev, dev->msi_cap + PCI_MSI_DATA_64, 0x55, 2);
    pci_test_assert_log("");

    /* Disable releases what is in use. */
    set_ctrl(dev, 0);
    pci_test_assert_log("release0 release2 ");
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    pci_test_assert_log("");
    set_ctrl(dev, 0);
    pci_test_assert_log("");

    /* Poll before a PBA read, over the vectors that dword covers. */
    poll_calls = 0;
    g_assert_cmphex(pba_readl(0), ==, 1u << 5);
    g_assert_cmpuint(poll_calls, ==, 1);
    g_assert_cmpuint(poll_start, ==, 0);
    g_assert_cmpuint(poll_end, ==, NVEC);
    msix_clr_pending(dev, 5);

    /* Unrealize releases live vectors. */
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE);
    pci_test_assert_log("use0:3000:a2 use2:3000:c0 ");
    pci_test_destroy(dev);
    pci_test_assert_log("release0 release2 ");
    pci_test_log_end();
}

static void test_exclusive_bar(void)
{
    PCIDevice *dev = pci_create_simple(bus, -1, TYPE_MSIX_EXCL_DEV);
    uint8_t cap = dev->msix_cap;

    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmphex(pci_config_read(dev, cap + PCI_MSIX_TABLE, 4), ==, 1);
    g_assert_cmphex(pci_config_read(dev, cap + PCI_MSIX_PBA, 4), ==,
                    0x800 | 1);
    pci_config_write(dev, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
    g_assert_cmphex(pci_config_read(dev, PCI_BASE_ADDRESS_1, 4), ==,
                    0xfffff000);
    pci_config_write(dev, PCI_BASE_ADDRESS_1, BAR_ADDR, 4);
    pci_config_write(dev, PCI_COMMAND,
                     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, BAR_ADDR);
    set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE);
    set_entry(2, DOORBELL, 0x2222, false);
    pci_test_writel(DOORBELL, 0);
    msix_notify(dev, 2);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0x2222);
    pci_test_writel(entry_addr(2, 12), 1);
    msix_notify(dev, 2);
    g_assert_cmphex(pci_test_readl(BAR_ADDR + 0x800), ==, 1u << 2);
    pci_test_destroy(dev);
    g_assert_cmphex(pci_test_readl(BAR_ADDR), ==, 0xffffffff);
}

/* Bigger tables: the PBA follows the table, the BAR grows. */
static void test_exclusive_bar_large(void)
{
    PCIDevice *dev = pci_create_simple(bus, -1, TYPE_MSIX_DEV);
    Error *err = NULL;

    msix_uninit(dev, &((MsixDev *)dev)->bar, &((MsixDev *)dev)->bar);
    g_assert_cmpuint(msix_init_exclusive_bar(dev, 300, 3, &error_abort), !=,
                     0);
    g_assert_cmphex(pci_config_read(dev, dev->msix_cap + PCI_MSIX_PBA, 4), ==,
                    (300 * PCI_MSIX_ENTRY_SIZE) | 3);
    pci_config_write(dev, PCI_BASE_ADDRESS_3, 0xffffffff, 4);
    g_assert_cmphex(pci_config_read(dev, PCI_BASE_ADDRESS_3, 4), ==,
                    0xffffe000);
    msix_uninit_exclusive_bar(dev);
    g_assert_cmphex(pci_config_read(dev, PCI_BASE_ADDRESS_3, 4), ==, 0);
    g_assert_cmpuint(msix_init_exclusive_bar(dev, 4096, 3, &err), ==, 0);
    error_free_or_abort(&err);
    pci_test_destroy(dev);
}

static void test_init_errors(void)
{
    PCIDevice *dev = pci_create_simple(bus, -1, TYPE_MSIX_EXCL_DEV);
    MemoryRegion bar, small;
    Error *err = NULL;

    /* The exclusive BAR device already has MSI-X: take it away first. */
    msix_uninit_exclusive_bar(dev);
    g_assert_false(msix_present(dev));
    memory_region_init(&bar, NULL, "test-bar", 0x4000);
    memory_region_init(&small, NULL, "test-small-bar", 0x100);

    g_assert_cmpuint(msix_init(dev, 0, &bar, 0, 0, &bar, 0, 0x2000, 0, &err),
                     ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "not 0"));
    error_free_or_abort(&err);
    g_assert_cmpuint(msix_init(dev, 2049, &bar, 0, 0, &bar, 0, 0x2000, 0,
                               &err), ==, 0);
    error_free_or_abort(&err);
    /* Table outside its BAR */
    g_assert_cmpuint(msix_init(dev, 16, &bar, 0, 0x3f80, &bar, 0, 0x2000, 0,
                               &err), ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "table"));
    g_assert_nonnull(strstr(error_get_pretty(err), "does not fit"));
    error_free_or_abort(&err);
    /* PBA outside its BAR */
    g_assert_cmpuint(msix_init(dev, 16, &bar, 0, 0, &small, 2, 0x100, 0,
                               &err), ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "PBA"));
    error_free_or_abort(&err);
    /* Table and PBA overlap in one BAR */
    g_assert_cmpuint(msix_init(dev, 8, &bar, 0, 0, &bar, 0, 0x40, 0, &err),
                     ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "overlap"));
    error_free_or_abort(&err);
    /* Misaligned offset, bad BAR number, capability position */
    g_assert_cmpuint(msix_init(dev, 8, &bar, 0, 4, &bar, 0, 0x2000, 0, &err),
                     ==, 0);
    error_free_or_abort(&err);
    g_assert_cmpuint(msix_init(dev, 8, &bar, 6, 0, &bar, 6, 0x2000, 0, &err),
                     ==, 0);
    error_free_or_abort(&err);
    g_assert_cmpuint(msix_init(dev, 8, &bar, 0, 0, &bar, 0, 0x2000, 0x30,
                               &err), ==, 0);
    error_free_or_abort(&err);
    g_assert_false(msix_present(dev));
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSIX), ==, 0);

    /* A valid layout, with table and PBA in different BARs; 2048 vectors */
    g_assert_cmpuint(msix_init(dev, 2048, &bar, 0, 0x0, &small, 2, 0, 0x80,
                               &err), ==, 0);
    error_free_or_abort(&err);
    g_assert_cmpuint(msix_init(dev, 1024, &bar, 0, 0, &small, 2, 0, 0x80,
                               &error_abort), ==, 0x80);
    g_assert_cmphex(pci_config_read(dev, 0x80 + PCI_MSIX_FLAGS, 2), ==, 1023);
    g_assert_cmphex(pci_config_read(dev, 0x80 + PCI_MSIX_PBA, 4), ==, 2);
    g_assert_cmpuint(msix_init(dev, 1, &bar, 0, 0, &small, 2, 0, 0, &err),
                     ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "already"));
    error_free_or_abort(&err);
    msix_uninit(dev, &bar, &small);
    g_assert_false(msix_present(dev));
    memory_region_finalize(&bar);
    memory_region_finalize(&small);
    pci_test_destroy(dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bus = pci_test_machine_init(RAM_SIZE);

    g_test_add_func("/pci/msix/capability", test_capability);
    g_test_add_func("/pci/msix/table-mmio", test_table_mmio);
    g_test_add_func("/pci/msix/delivery", test_delivery);
    g_test_add_func("/pci/msix/reset", test_reset);
    g_test_add_func("/pci/msix/hooks", test_hooks);
    g_test_add_func("/pci/msix/exclusive-bar", test_exclusive_bar);
    g_test_add_func("/pci/msix/exclusive-bar-large", test_exclusive_bar_large);
    g_test_add_func("/pci/msix/init-errors", test_init_errors);
    return g_test_run();
}
