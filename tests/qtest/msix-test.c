/*
 * MSI-X and MSI delivery of the test PCI device: messages land in guest
 * RAM as 32-bit stores, masked vectors set their pending bit and are
 * delivered on unmask, bus mastering gates everything, and a message to
 * the x86 MSI window reaches the interrupt decoder.
 */
#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "libqtest.h"

#define REG_RAISE 0x08
#define MSI_DATA 0x12345678

typedef struct TestDev {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0;
    QGuestAllocator alloc;
} TestDev;

static void testdev_start(TestDev *t, const char *devopts,
                          const char *extra)
{
    t->qts = qtest_initf("-m 256 -device qvfio-test-pci,addr=3.0%s %s",
                         devopts, extra);
    pc_alloc_init(&t->alloc, t->qts);
    t->bus = qpci_new_pc(t->qts);
    t->dev = qpci_device_find(t->bus, QPCI_DEVFN(3, 0));
    g_assert(t->dev);
    t->bar0 = qpci_iomap(t->dev, 0, NULL);
    qpci_device_enable(t->dev);
}

static void testdev_stop(TestDev *t)
{
    qpci_device_free(t->dev);
    qpci_free(t->bus);
    g_assert_cmpint(qtest_quit(t->qts), ==, 0);
}

static void raise_vector(TestDev *t, int vector)
{
    qpci_io_writel(t->dev, t->bar0, REG_RAISE, vector);
}

/* A fresh, zeroed 4-byte doorbell in guest RAM. */
static uint64_t doorbell_new(TestDev *t)
{
    uint64_t addr = guest_alloc(&t->alloc, 4);

    qtest_writel(t->qts, addr, 0);
    return addr;
}

static void set_vector_mask(TestDev *t, int entry, bool masked)
{
    uint64_t off = t->dev->msix_table_off + entry * PCI_MSIX_ENTRY_SIZE +
                   PCI_MSIX_ENTRY_VECTOR_CTRL;

    qpci_io_writel(t->dev, t->dev->msix_table_bar, off,
                   masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

static void set_function_mask(TestDev *t, bool masked)
{
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSIX, 0);
    uint16_t ctrl = qpci_config_readw(t->dev, cap + PCI_MSIX_FLAGS);

    ctrl = masked ? ctrl | PCI_MSIX_FLAGS_MASKALL
                  : ctrl & ~PCI_MSIX_FLAGS_MASKALL;
    qpci_config_writew(t->dev, cap + PCI_MSIX_FLAGS, ctrl);
}

static void test_msix_layout(void)
{
    TestDev t;
    uint8_t cap;

    testdev_start(&t, "", "");
    cap = qpci_find_capability(t.dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmphex(cap, !=, 0);
    g_assert_cmpint(qpci_msix_table_size(t.dev), ==, 4);
    g_assert_cmphex(qpci_config_readl(t.dev, cap + PCI_MSIX_TABLE), ==, 4);
    g_assert_cmphex(qpci_config_readl(t.dev, cap + PCI_MSIX_PBA), ==,
                    0x800 | 4);
    qpci_msix_enable(t.dev);
    g_assert(qpci_config_readw(t.dev, cap + PCI_MSIX_FLAGS) &
             PCI_MSIX_FLAGS_ENABLE);
    /* Vectors come out of reset masked, nothing pending. */
    for (int i = 0; i < 4; i++) {
        g_assert(qpci_msix_masked(t.dev, i));
        g_assert(!qpci_msix_pending(t.dev, i));
    }
    qpci_msix_disable(t.dev);
    g_assert(!(qpci_config_readw(t.dev, cap + PCI_MSIX_FLAGS) &
               PCI_MSIX_FLAGS_ENABLE));
    testdev_stop(&t);
}

static void test_msix_deliver(void)
{
    TestDev t;
    uint64_t db1, db2;

    testdev_start(&t, "", "");
    qpci_msix_enable(t.dev);
    db1 = doorbell_new(&t);
    db2 = doorbell_new(&t);
    qpci_msix_set_entry(t.dev, 1, db1, MSI_DATA, false);
    qpci_msix_set_entry(t.dev, 2, db2, MSI_DATA + 2, false);
    g_assert(!qpci_msix_masked(t.dev, 1));

    raise_vector(&t, 1);
    g_assert_cmphex(qtest_readl(t.qts, db1), ==, MSI_DATA);
    g_assert_cmphex(qtest_readl(t.qts, db2), ==, 0);
    g_assert(!qpci_msix_pending(t.dev, 1));

    /* Again, to see that it is delivered every time. */
    qtest_writel(t.qts, db1, 0);
    raise_vector(&t, 1);
    g_assert_cmphex(qtest_readl(t.qts, db1), ==, MSI_DATA);
    raise_vector(&t, 2);
    g_assert_cmphex(qtest_readl(t.qts, db2), ==, MSI_DATA + 2);

    /* A 64-bit address above 4 GiB has no RAM; nothing may break. */
    qpci_msix_set_entry(t.dev, 3, 0x1234500000ULL, MSI_DATA, false);
    raise_vector(&t, 3);
    /* Vectors beyond the table are ignored. */
    raise_vector(&t, 4);
    raise_vector(&t, 0xffffffff);
    g_assert(!qpci_msix_pending(t.dev, 3));
    testdev_stop(&t);
}

static void test_msix_masked_pending(void)
{
    TestDev t;
    uint64_t db;

    testdev_start(&t, "", "");
    qpci_msix_enable(t.dev);
    db = doorbell_new(&t);
    qpci_msix_set_entry(t.dev, 2, db, MSI_DATA, true);
    g_assert(qpci_msix_masked(t.dev, 2));

    raise_vector(&t, 2);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0);
    g_assert(qpci_msix_pending(t.dev, 2));
    /* qpci_msix_pending wrote the bit back as 0: the PBA ignores that. */
    g_assert(qpci_msix_pending(t.dev, 2));
    g_assert(!qpci_msix_pending(t.dev, 1));

    set_vector_mask(&t, 2, false);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, MSI_DATA);
    g_assert(!qpci_msix_pending(t.dev, 2));

    /* Masking again does not deliver anything new. */
    qtest_writel(t.qts, db, 0);
    set_vector_mask(&t, 2, true);
    set_vector_mask(&t, 2, false);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0);
    testdev_stop(&t);
}

static void test_msix_function_mask(void)
{
    TestDev t;
    uint64_t db;

    testdev_start(&t, "", "");
    qpci_msix_enable(t.dev);
    db = doorbell_new(&t);
    qpci_msix_set_entry(t.dev, 1, db, MSI_DATA, false);

    set_function_mask(&t, true);
    g_assert(qpci_msix_masked(t.dev, 1));
    raise_vector(&t, 1);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0);
    g_assert(qpci_msix_pending(t.dev, 1));

    set_function_mask(&t, false);
    g_assert(!qpci_msix_masked(t.dev, 1));
    g_assert_cmphex(qtest_readl(t.qts, db), ==, MSI_DATA);
    g_assert(!qpci_msix_pending(t.dev, 1));
    testdev_stop(&t);
}

static void test_msix_bus_master_off(void)
{
    TestDev t;
    uint64_t db;
    uint16_t cmd;

    testdev_start(&t, "", "");
    qpci_msix_enable(t.dev);
    db = doorbell_new(&t);
    qpci_msix_set_entry(t.dev, 1, db, MSI_DATA, false);

    cmd = qpci_config_readw(t.dev, PCI_COMMAND);
    qpci_config_writew(t.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    raise_vector(&t, 1);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0);

    qpci_config_writew(t.dev, PCI_COMMAND, cmd);
    raise_vector(&t, 1);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, MSI_DATA);
    testdev_stop(&t);
}

/* MSI with 64-bit address and per-vector masking (the defaults). */
static uint8_t msi_setup(TestDev *t, uint64_t addr, uint16_t data)
{
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0);
    uint16_t flags;

    g_assert_cmphex(cap, !=, 0);
    g_assert_cmphex(qpci_find_capability(t->dev, PCI_CAP_ID_MSIX, 0), ==, 0);
    flags = qpci_config_readw(t->dev, cap + PCI_MSI_FLAGS);
    g_assert(flags & PCI_MSI_FLAGS_64BIT);
    g_assert(flags & PCI_MSI_FLAGS_MASKBIT);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_LO, addr);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_HI, addr >> 32);
    qpci_config_writew(t->dev, cap + PCI_MSI_DATA_64, data);
    qpci_config_writew(t->dev, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
    return cap;
}

static void test_msi_deliver(void)
{
    TestDev t;
    uint64_t db;
    uint8_t cap;

    testdev_start(&t, ",msix-vectors=0", "");
    db = doorbell_new(&t);
    cap = msi_setup(&t, db, 0x4321);

    raise_vector(&t, 0);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0x4321);

    /* Masked: pending instead, delivered on unmask. */
    qtest_writel(t.qts, db, 0);
    qpci_config_writel(t.dev, cap + PCI_MSI_MASK_64, 1);
    raise_vector(&t, 0);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0);
    g_assert_cmphex(qpci_config_readl(t.dev, cap + PCI_MSI_PENDING_64) & 1,
                    ==, 1);
    qpci_config_writel(t.dev, cap + PCI_MSI_MASK_64, 0);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0x4321);
    g_assert_cmphex(qpci_config_readl(t.dev, cap + PCI_MSI_PENDING_64) & 1,
                    ==, 0);

    /* MSI disabled: nothing. */
    qtest_writel(t.qts, db, 0);
    qpci_config_writew(t.dev, cap + PCI_MSI_FLAGS,
                       qpci_config_readw(t.dev, cap + PCI_MSI_FLAGS) &
                       ~PCI_MSI_FLAGS_ENABLE);
    raise_vector(&t, 0);
    g_assert_cmphex(qtest_readl(t.qts, db), ==, 0);
    testdev_stop(&t);
}

/* A message to 0xFEE00000 is decoded by the x86 MSI window and traced. */
static void test_msi_x86_window(void)
{
    g_autofree char *dir = g_dir_make_tmp("qvfio-msix-XXXXXX", NULL);
    g_autofree char *logfile = g_build_filename(dir, "trace.log", NULL);
    g_autofree char *extra = g_strdup_printf("-trace x86_msi_deliver -D %s",
                                             logfile);
    g_autofree char *log = NULL;
    g_auto(GStrv) lines = NULL;
    int hits = 0;
    TestDev t;

    testdev_start(&t, ",msix-vectors=0", extra);
    msi_setup(&t, 0xFEE00000, 0x0030);
    raise_vector(&t, 0);
    testdev_stop(&t);

    g_assert(g_file_get_contents(logfile, &log, NULL, NULL));
    lines = g_strsplit(log, "\n", 0);
    for (int i = 0; lines[i]; i++) {
        if (strstr(lines[i], "x86_msi_deliver")) {
            g_test_message("trace: %s", lines[i]);
            /* vector 0x30 = 48, destination 0 */
            g_assert(strstr(lines[i], "0x30") || strstr(lines[i], "48"));
            hits++;
        }
    }
    g_assert_cmpint(hits, ==, 1);
    unlink(logfile);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_binary();
    g_test_add_func("/msix/layout", test_msix_layout);
    g_test_add_func("/msix/deliver", test_msix_deliver);
    g_test_add_func("/msix/masked-pending", test_msix_masked_pending);
    g_test_add_func("/msix/function-mask", test_msix_function_mask);
    g_test_add_func("/msix/bus-master-off", test_msix_bus_master_off);
    g_test_add_func("/msi/deliver", test_msi_deliver);
    g_test_add_func("/msi/x86-window", test_msi_x86_window);
    return g_test_run();
}
