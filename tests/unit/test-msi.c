/*
 * Unit tests for the MSI capability: layout, Multiple Message Enable,
 * per-vector masking with pending bits, delivery through the bus-master
 * address space, and the vector hooks.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "pci-test-util.h"

#define TYPE_MSI_DEV "test-msi-dev"
#define RAM_SIZE 0x100000
#define DOORBELL 0x2000

static PCIBus *bus;

static void msi_dev_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = 0x1234;
    pc->device_id = 0x0051;
}

static const TypeInfo msi_dev_type = {
    .name = TYPE_MSI_DEV,
    .parent = TYPE_PCI_DEVICE,
    .class_init = msi_dev_class_init,
};

static void msi_dev_register_types(void)
{
    type_register_static(&msi_dev_type);
}

type_init(msi_dev_register_types)

/* A device with an MSI capability of the given shape, bus master on. */
static PCIDevice *create(unsigned nr, bool msi64, bool mask)
{
    PCIDevice *dev = pci_create_simple(bus, -1, TYPE_MSI_DEV);

    g_assert_cmpuint(msi_init(dev, 0, nr, msi64, mask, &error_abort), ==,
                     0x40);
    pci_config_write(dev, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    return dev;
}

static uint32_t cap_read(PCIDevice *dev, int reg, int len)
{
    return pci_config_read(dev, dev->msi_cap + reg, len);
}

static void cap_write(PCIDevice *dev, int reg, uint32_t val, int len)
{
    pci_config_write(dev, dev->msi_cap + reg, val, len);
}

/* Enable with 2^mme vectors (MME field), keeping the rest of flags. */
static void set_flags(PCIDevice *dev, bool enable, unsigned mme)
{
    uint16_t flags = cap_read(dev, PCI_MSI_FLAGS, 2);

    flags &= ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    flags |= (enable ? PCI_MSI_FLAGS_ENABLE : 0) | mme << 4;
    cap_write(dev, PCI_MSI_FLAGS, flags, 2);
}

static void test_layout(void)
{
    static const struct {
        bool msi64, mask;
        uint8_t size;
    } shapes[] = {
        { false, false, 10 }, { true, false, 14 },
        { false, true, 20 }, { true, true, 24 },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(shapes); i++) {
        PCIDevice *dev = create(4, shapes[i].msi64, shapes[i].mask);
        uint16_t flags = cap_read(dev, PCI_MSI_FLAGS, 2);

        g_assert_cmpuint(msi_cap_sizeof(flags), ==, shapes[i].size);
        g_assert_true(msi_present(dev));
        g_assert_false(msi_enabled(dev));
        g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSI), ==, 0x40);
        g_assert_cmpuint(!!(flags & PCI_MSI_FLAGS_64BIT), ==, shapes[i].msi64);
        g_assert_cmpuint(!!(flags & PCI_MSI_FLAGS_MASKBIT), ==,
                         shapes[i].mask);
        /* MMC = log2(4) */
        g_assert_cmpuint((flags & PCI_MSI_FLAGS_QMASK) >> 1, ==, 2);
        /* The next capability goes right after, dword-aligned. */
        g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_VNDR, 0, 4,
                                            &error_abort), ==,
                         0x40 + QEMU_ALIGN_UP(shapes[i].size, 4));
        /* MMC and the 64-bit and mask flags are read-only. */
        cap_write(dev, PCI_MSI_FLAGS, 0, 2);
        g_assert_cmphex(cap_read(dev, PCI_MSI_FLAGS, 2), ==, flags);
        pci_test_destroy(dev);
    }
}

static void test_registers(void)
{
    PCIDevice *dev = create(8, true, true);

    cap_write(dev, PCI_MSI_ADDRESS_LO, 0xffffffff, 4);
    g_assert_cmphex(cap_read(dev, PCI_MSI_ADDRESS_LO, 4), ==, 0xfffffffc);
    cap_write(dev, PCI_MSI_ADDRESS_HI, 0x12345678, 4);
    g_assert_cmphex(cap_read(dev, PCI_MSI_ADDRESS_HI, 4), ==, 0x12345678);
    cap_write(dev, PCI_MSI_DATA_64, 0xffffffff, 4);
    g_assert_cmphex(cap_read(dev, PCI_MSI_DATA_64, 4), ==, 0xffff);
    /* Mask bits for the 8 implemented vectors only */
    cap_write(dev, PCI_MSI_MASK_64, 0xffffffff, 4);
    g_assert_cmphex(cap_read(dev, PCI_MSI_MASK_64, 4), ==, 0xff);
    /* Pending bits are read-only. */
    cap_write(dev, PCI_MSI_PENDING_64, 0xffffffff, 4);
    g_assert_cmphex(cap_read(dev, PCI_MSI_PENDING_64, 4), ==, 0);
    pci_test_destroy(dev);

    /* A 32-bit capability has no upper address. */
    dev = create(1, false, false);
    cap_write(dev, PCI_MSI_ADDRESS_LO, 0xfee00000, 4);
    cap_write(dev, PCI_MSI_DATA_32, 0x4041, 2);
    g_assert_cmphex(msi_get_message(dev, 0).address, ==, 0xfee00000);
    g_assert_cmphex(msi_get_message(dev, 0).data, ==, 0x4041);
    pci_test_destroy(dev);
}

static void test_init_errors(void)
{
    PCIDevice *dev = pci_create_simple(bus, -1, TYPE_MSI_DEV);
    Error *err = NULL;

    g_assert_cmpuint(msi_init(dev, 0, 3, true, true, &err), ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "not 3"));
    error_free_or_abort(&err);
    g_assert_cmpuint(msi_init(dev, 0, 64, true, true, &err), ==, 0);
    error_free_or_abort(&err);
    g_assert_cmpuint(msi_init(dev, 0, 0, true, true, &err), ==, 0);
    error_free_or_abort(&err);
    g_assert_cmpuint(msi_init(dev, 0x3c, 1, true, true, &err), ==, 0);
    error_free_or_abort(&err);
    g_assert_false(msi_present(dev));

    g_assert_cmpuint(msi_init(dev, 0x80, 32, true, true, &error_abort), ==,
                     0x80);
    g_assert_cmpuint(msi_init(dev, 0, 1, true, true, &err), ==, 0);
    error_free_or_abort(&err);
    msi_uninit(dev);
    g_assert_false(msi_present(dev));
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSI), ==, 0);
    pci_test_destroy(dev);
}

static void test_mme_clamp(void)
{
    PCIDevice *dev = create(4, true, true);

    set_flags(dev, true, 5);
    g_assert_cmpuint((cap_read(dev, PCI_MSI_FLAGS, 2) &
                      PCI_MSI_FLAGS_QSIZE) >> 4, ==, 2);
    g_assert_cmpuint(msi_nr_vectors_allocated(dev), ==, 4);
    set_flags(dev, true, 1);
    g_assert_cmpuint(msi_nr_vectors_allocated(dev), ==, 2);
    set_flags(dev, false, 0);
    g_assert_cmpuint(msi_nr_vectors_allocated(dev), ==, 1);
    pci_test_destroy(dev);
}

static void test_message_per_vector(void)
{
    PCIDevice *dev = create(8, true, false);
    MSIMessage msg;

    cap_write(dev, PCI_MSI_ADDRESS_LO, 0xfee01000, 4);
    cap_write(dev, PCI_MSI_ADDRESS_HI, 0x1, 4);
    cap_write(dev, PCI_MSI_DATA_64, 0x4321, 2);
    set_flags(dev, true, 2);
    /* 4 vectors: the low 2 data bits are the vector number. */
    msg = msi_get_message(dev, 2);
    g_assert_cmphex(msg.address, ==, 0x1fee01000ULL);
    g_assert_cmphex(msg.data, ==, 0x4322);
    g_assert_cmphex(msi_get_message(dev, 3).data, ==, 0x4323);
    g_assert_cmphex(msi_get_message(dev, 0).data, ==, 0x4320);
    set_flags(dev, true, 0);
    g_assert_cmphex(msi_get_message(dev, 0).data, ==, 0x4321);
    set_flags(dev, true, 3);
    g_assert_cmphex(msi_get_message(dev, 5).data, ==, 0x4325);
    pci_test_destroy(dev);
}

static void test_delivery(void)
{
    PCIDevice *dev = create(2, false, true);

    cap_write(dev, PCI_MSI_ADDRESS_LO, DOORBELL, 4);
    cap_write(dev, PCI_MSI_DATA_32, 0xbee0, 2);
    pci_test_writel(DOORBELL, 0xffffffff);

    /* Disabled: nothing. */
    msi_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0xffffffff);

    set_flags(dev, true, 1);
    g_assert_true(msi_enabled(dev));
    msi_notify(dev, 1);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0xbee1);
    msi_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0xbee0);
    /* Beyond the allocated vectors: nothing. */
    pci_test_writel(DOORBELL, 0);
    msi_notify(dev, 2);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0);

    /* Masked: pending, visible in config space; unmask delivers. */
    cap_write(dev, PCI_MSI_MASK_32, 0x2, 4);
    g_assert_true(msi_is_masked(dev, 1));
    msi_notify(dev, 1);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0);
    g_assert_true(msi_is_pending(dev, 1));
    g_assert_cmphex(cap_read(dev, PCI_MSI_PENDING_32, 4), ==, 0x2);
    cap_write(dev, PCI_MSI_MASK_32, 0, 4);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0xbee1);
    g_assert_false(msi_is_pending(dev, 1));
    g_assert_cmphex(cap_read(dev, PCI_MSI_PENDING_32, 4), ==, 0);

    /* Bus master off: dropped, not pending. */
    pci_test_writel(DOORBELL, 0);
    pci_config_write(dev, PCI_COMMAND, 0, 2);
    msi_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0);
    g_assert_false(msi_is_pending(dev, 0));
    pci_config_write(dev, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    msi_notify(dev, 0);
    g_assert_cmphex(pci_test_readl(DOORBELL), ==, 0xbee0);

    /* Reset clears everything. */
    cap_write(dev, PCI_MSI_MASK_32, 0x1, 4);
    msi_notify(dev, 0);
    g_assert_true(msi_is_pending(dev, 0));
    msi_reset(dev);
    g_assert_false(msi_enabled(dev));
    g_assert_false(msi_is_pending(dev, 0));
    g_assert_false(msi_is_masked(dev, 0));
    g_assert_cmphex(cap_read(dev, PCI_MSI_ADDRESS_LO, 4), ==, 0);
    g_assert_cmphex(cap_read(dev, PCI_MSI_PENDING_32, 4), ==, 0);
    pci_test_destroy(dev);
}

static void test_hooks(void)
{
    PCIDevice *dev = create(4, true, true);

    pci_test_log_begin(dev, NULL);
    cap_write(dev, PCI_MSI_ADDRESS_LO, DOORBELL, 4);
    cap_write(dev, PCI_MSI_DATA_64, 0x10, 2);
    cap_write(dev, PCI_MSI_MASK_64, 0x2, 4);
    pci_test_assert_log("");

    /* Vector 1 is masked from the start: it stays unused. */
    set_flags(dev, true, 1);
    pci_test_assert_log("use0:2000:10 ");
    g_assert_cmpint(dev->vector_state[0], ==, PCI_VECTOR_LIVE);
    g_assert_cmpint(dev->vector_state[1], ==, PCI_VECTOR_UNUSED);
    g_assert_cmpint(dev->vector_state[2], ==, PCI_VECTOR_UNUSED);

    cap_write(dev, PCI_MSI_MASK_64, 0x3, 4);
    pci_test_assert_log("mask0 ");
    g_assert_cmpint(dev->vector_state[0], ==, PCI_VECTOR_MASKED);
    cap_write(dev, PCI_MSI_MASK_64, 0x2, 4);
    pci_test_assert_log("unmask0:2000:10 ");
    cap_write(dev, PCI_MSI_MASK_64, 0x0, 4);
    pci_test_assert_log("use1:2000:11 ");
    /* Rewriting the same values changes nothing. */
    cap_write(dev, PCI_MSI_DATA_64, 0x10, 2);
    pci_test_assert_log("");
    /* A new message while live: unmask with it. */
    cap_write(dev, PCI_MSI_DATA_64, 0x20, 2);
    pci_test_assert_log("unmask0:2000:20 unmask1:2000:21 ");
    cap_write(dev, PCI_MSI_ADDRESS_HI, 0x1, 4);
    pci_test_assert_log("unmask0:100002000:20 unmask1:100002000:21 ");
    /* Going to 4 vectors brings 2 and 3 in; the data bits shift too. */
    set_flags(dev, true, 2);
    pci_test_assert_log("use2:100002000:22 use3:100002000:23 ");
    set_flags(dev, true, 0);
    pci_test_assert_log("release1 release2 release3 ");
    set_flags(dev, false, 0);
    pci_test_assert_log("release0 ");
    g_assert_cmpint(dev->vector_state[0], ==, PCI_VECTOR_UNUSED);

    /* Reset and unrealize release live vectors. */
    set_flags(dev, true, 1);
    pci_test_assert_log("use0:100002000:20 use1:100002000:21 ");
    cap_write(dev, PCI_MSI_MASK_64, 0x2, 4);
    pci_test_assert_log("mask1 ");
    device_cold_reset(DEVICE(dev));
    pci_test_assert_log("release0 release1 ");
    set_flags(dev, true, 0);
    pci_test_assert_log("use0:0:0 ");
    pci_test_destroy(dev);
    pci_test_assert_log("release0 ");
    pci_test_log_end();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bus = pci_test_machine_init(RAM_SIZE);

    g_test_add_func("/pci/msi/layout", test_layout);
    g_test_add_func("/pci/msi/registers", test_registers);
    g_test_add_func("/pci/msi/init-errors", test_init_errors);
    g_test_add_func("/pci/msi/mme-clamp", test_mme_clamp);
    g_test_add_func("/pci/msi/message-per-vector", test_message_per_vector);
    g_test_add_func("/pci/msi/delivery", test_delivery);
    g_test_add_func("/pci/msi/hooks", test_hooks);
    return g_test_run();
}
