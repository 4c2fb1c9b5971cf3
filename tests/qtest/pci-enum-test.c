/*
 * PCI enumeration on q35 through ports 0xcf8/0xcfc and through ECAM:
 * both see the same functions; BARs size, place and decode as a guest's
 * firmware expects.
 */
#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "libqtest.h"

#define TESTDEV_VENDOR 0x1b36
#define TESTDEV_DEVICE 0x00ff
#define TESTDEV_ID_VALUE 0x7e57de70
#define TESTDEV_ARGS \
    "-device qvfio-test-pci,addr=3.0 " \
    "-device qvfio-test-pci,addr=4.0,multifunction=on " \
    "-device qvfio-test-pci,addr=4.1"

typedef struct FoundFn {
    int devfn;
    uint32_t id;                /* device << 16 | vendor */
    uint32_t class_rev;
    uint8_t header_type;
} FoundFn;

static void collect_fn(QPCIDevice *dev, int devfn, void *data)
{
    GArray *found = data;
    FoundFn fn = {
        .devfn = devfn,
        .id = qpci_config_readl(dev, PCI_VENDOR_ID),
        .class_rev = qpci_config_readl(dev, PCI_CLASS_REVISION),
        .header_type = qpci_config_readb(dev, PCI_HEADER_TYPE),
    };

    g_array_append_val(found, fn);
    qpci_device_free(dev);
}

static GArray *enumerate(QPCIBus *bus)
{
    GArray *found = g_array_new(FALSE, TRUE, sizeof(FoundFn));

    qpci_device_foreach(bus, -1, -1, collect_fn, found);
    return found;
}

static const FoundFn *find_fn(GArray *found, int devfn)
{
    for (guint i = 0; i < found->len; i++) {
        if (g_array_index(found, FoundFn, i).devfn == devfn) {
            return &g_array_index(found, FoundFn, i);
        }
    }
    return NULL;
}

static void check_testdev(GArray *found, int devfn, bool multifunction)
{
    const FoundFn *fn = find_fn(found, devfn);

    g_assert(fn);
    g_assert_cmphex(fn->id, ==, TESTDEV_DEVICE << 16 | TESTDEV_VENDOR);
    g_assert_cmphex(fn->class_rev >> 16, ==, 0x00ff);
    g_assert_cmphex(fn->header_type & 0x7f, ==, PCI_HEADER_TYPE_NORMAL);
    g_assert_cmpint(!!(fn->header_type & 0x80), ==, multifunction);
}

static void test_enumerate(void)
{
    QTestState *s = qtest_init(TESTDEV_ARGS);
    QPCIBus *cf8 = qpci_new_pc(s);
    QPCIBus *ecam = qpci_new_ecam(s, Q35_ECAM_BASE);
    g_autoptr(GArray) by_cf8 = enumerate(cf8);
    g_autoptr(GArray) by_ecam = enumerate(ecam);
    const FoundFn *host;

    /* The host bridge */
    host = find_fn(by_cf8, QPCI_DEVFN(0, 0));
    g_assert(host);
    g_assert_cmphex(host->id, ==, 0x29c0 << 16 | 0x8086);
    g_assert_cmphex(host->class_rev >> 16, ==, 0x0600);

    check_testdev(by_cf8, QPCI_DEVFN(3, 0), false);
    check_testdev(by_cf8, QPCI_DEVFN(4, 0), true);
    check_testdev(by_cf8, QPCI_DEVFN(4, 1), false);
    g_assert(!find_fn(by_cf8, QPCI_DEVFN(3, 1)));
    g_assert(!find_fn(by_cf8, QPCI_DEVFN(4, 2)));
    g_assert(!find_fn(by_cf8, QPCI_DEVFN(5, 0)));

    /* ECAM sees exactly the same functions. */
    g_assert_cmpuint(by_ecam->len, ==, by_cf8->len);
    for (guint i = 0; i < by_cf8->len; i++) {
        const FoundFn *a = &g_array_index(by_cf8, FoundFn, i);
        const FoundFn *b = &g_array_index(by_ecam, FoundFn, i);

        g_assert_cmpint(a->devfn, ==, b->devfn);
        g_assert_cmphex(a->id, ==, b->id);
        g_assert_cmphex(a->class_rev, ==, b->class_rev);
        g_assert_cmphex(a->header_type, ==, b->header_type);
    }
    qpci_free(cf8);
    qpci_free(ecam);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/*
 * libqos puts the byte offset into CF8's low bits and always uses data
 * port 0xcfc; QEMU's host bridge honours that, and so must ours.
 */
static void test_libqos_cf8_offset(void)
{
    QTestState *s = qtest_init(TESTDEV_ARGS);
    uint32_t sel = (1u << 31) | (QPCI_DEVFN(3, 0) << 8);

    qtest_outl(s, 0xcf8, sel | PCI_DEVICE_ID);
    g_assert_cmphex(qtest_inw(s, 0xcfc), ==, TESTDEV_DEVICE);
    qtest_outl(s, 0xcf8, sel | PCI_CLASS_DEVICE);
    g_assert_cmphex(qtest_inw(s, 0xcfc), ==, 0x00ff);
    qtest_outl(s, 0xcf8, sel | PCI_HEADER_TYPE);
    g_assert_cmphex(qtest_inb(s, 0xcfc), ==, PCI_HEADER_TYPE_NORMAL);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_bars(void)
{
    QTestState *s = qtest_init(TESTDEV_ARGS);
    QPCIBus *bus = qpci_new_pc(s);
    QPCIDevice *dev = qpci_device_find(bus, QPCI_DEVFN(3, 0));
    uint64_t size0, size1, size2;
    QPCIBar bar0, bar1, bar2;
    uint32_t raw2;
    uint16_t cmd;

    g_assert(dev);
    bar0 = qpci_iomap(dev, 0, &size0);
    bar1 = qpci_iomap(dev, 1, &size1);
    raw2 = qpci_config_readl(dev, PCI_BASE_ADDRESS_2);
    bar2 = qpci_iomap(dev, 2, &size2);

    g_assert(!bar0.is_io);
    g_assert_cmpuint(size0, ==, 4096);
    g_assert_cmphex(bar0.addr, ==, QPCI_MMIO_BASE);
    g_assert(bar1.is_io);
    g_assert_cmpuint(size1, ==, 32);
    g_assert_cmphex(bar1.addr, ==, QPCI_PIO_BASE);
    g_assert(!bar2.is_io);
    g_assert_cmpuint(size2, ==, 64 * 1024);
    g_assert_cmphex(bar2.addr, ==, QPCI_MMIO_BASE + 64 * 1024);
    g_assert_cmphex(raw2 & PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64);
    g_assert(raw2 & PCI_BASE_ADDRESS_MEM_PREFETCH);

    /* The BAR registers hold what we wrote, plus their type bits. */
    g_assert_cmphex(qpci_config_readl(dev, PCI_BASE_ADDRESS_0), ==,
                    bar0.addr);
    g_assert_cmphex(qpci_config_readl(dev, PCI_BASE_ADDRESS_1), ==,
                    bar1.addr | PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(qpci_config_readl(dev, PCI_BASE_ADDRESS_2), ==,
                    bar2.addr | PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(qpci_config_readl(dev, PCI_BASE_ADDRESS_3), ==, 0);

    /* Nothing decodes before the command register says so. */
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0), ==, 0xffffffff);
    qpci_device_enable(dev);

    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x00), ==, TESTDEV_ID_VALUE);
    qpci_io_writel(dev, bar0, 0x00, 0);             /* read-only */
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x00), ==, TESTDEV_ID_VALUE);
    qpci_io_writel(dev, bar0, 0x04, 0xa5a5f00d);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x04), ==, 0xa5a5f00d);
    /* The device buffer, at both of its ends (0x800..0xfff). */
    qpci_io_writel(dev, bar0, 0x800, 0x600dcafe);
    qpci_io_writel(dev, bar0, 0xffc, 0xfeedf00d);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x800), ==, 0x600dcafe);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0xffc), ==, 0xfeedf00d);

    qpci_io_writel(dev, bar1, 0, 0x01020304);
    g_assert_cmphex(qpci_io_readl(dev, bar1, 0), ==, 0x01020304);
    qpci_io_writeb(dev, bar1, 0, 0xee);
    g_assert_cmphex(qpci_io_readw(dev, bar1, 0), ==, 0x03ee);
    qpci_io_writew(dev, bar1, 2, 0xbeef);
    g_assert_cmphex(qpci_io_readl(dev, bar1, 0), ==, 0xbeef03ee);

    qpci_io_writeq(dev, bar2, 0x100, 0x1122334455667788ULL);
    g_assert_cmphex(qpci_io_readq(dev, bar2, 0x100), ==,
                    0x1122334455667788ULL);
    g_assert_cmphex(qpci_io_readl(dev, bar2, 0x104), ==, 0x11223344);
    qpci_io_writeb(dev, bar2, 0xffff, 0x5a);
    g_assert_cmphex(qpci_io_readb(dev, bar2, 0xffff), ==, 0x5a);

    /* COMMAND.MEMORY off: the memory BARs vanish, the I/O BAR stays. */
    cmd = qpci_config_readw(dev, PCI_COMMAND);
    qpci_config_writew(dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x00), ==, 0xffffffff);
    g_assert_cmphex(qpci_io_readq(dev, bar2, 0x100), ==, UINT64_MAX);
    g_assert_cmphex(qpci_io_readl(dev, bar1, 0), ==, 0xbeef03ee);
    qpci_config_writew(dev, PCI_COMMAND, cmd);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x04), ==, 0xa5a5f00d);
    g_assert_cmphex(qpci_io_readq(dev, bar2, 0x100), ==,
                    0x1122334455667788ULL);

    /* COMMAND.IO off: the I/O BAR vanishes. */
    qpci_config_writew(dev, PCI_COMMAND, cmd & ~PCI_COMMAND_IO);
    g_assert_cmphex(qpci_io_readl(dev, bar1, 0), ==, 0xffffffff);
    qpci_config_writew(dev, PCI_COMMAND, cmd);
    g_assert_cmphex(qpci_io_readl(dev, bar1, 0), ==, 0xbeef03ee);

    /* Moving a BAR moves the registers. */
    qpci_config_writel(dev, PCI_BASE_ADDRESS_0, bar0.addr + 0x100000);
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x00), ==, 0xffffffff);
    bar0.addr += 0x100000;
    g_assert_cmphex(qpci_io_readl(dev, bar0, 0x00), ==, TESTDEV_ID_VALUE);

    qpci_device_free(dev);
    qpci_free(bus);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_ecam_extended(void)
{
    QTestState *s = qtest_init(TESTDEV_ARGS);
    QPCIBus *cf8 = qpci_new_pc(s);
    QPCIBus *ecam = qpci_new_ecam(s, Q35_ECAM_BASE);
    QPCIDevice *d_cf8 = qpci_device_find(cf8, QPCI_DEVFN(3, 0));
    QPCIDevice *d_ecam = qpci_device_find(ecam, QPCI_DEVFN(3, 0));
    QPCIDevice absent = { .bus = ecam, .devfn = QPCI_DEVFN(9, 0) };

    g_assert(d_cf8 && d_ecam);
    /* The first 256 bytes are the same through both mechanisms. */
    for (int off = 0; off < 0x100; off += 4) {
        g_assert_cmphex(qpci_config_readl(d_cf8, off), ==,
                        qpci_config_readl(d_ecam, off));
    }
    /* A PCIe function on pcie.0 has the PCI Express capability... */
    g_assert_cmphex(qpci_find_capability(d_ecam, PCI_CAP_ID_EXP, 0), !=, 0);
    /* ...and 4 KiB of config space, which only ECAM reaches. */
    g_assert_cmphex(qpci_config_readl(d_ecam, 0x100), !=, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(d_ecam, 0xffc), !=, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(&absent, 0x100), ==, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(&absent, 0), ==, 0xffffffff);

    /* Config writes through ECAM are seen through CF8. */
    qpci_config_writeb(d_ecam, PCI_LATENCY_TIMER, 0x40);
    g_assert_cmphex(qpci_config_readb(d_cf8, PCI_LATENCY_TIMER), ==,
                    qpci_config_readb(d_ecam, PCI_LATENCY_TIMER));
    qpci_config_writel(d_ecam, PCI_BASE_ADDRESS_0, 0xE1000000);
    g_assert_cmphex(qpci_config_readl(d_cf8, PCI_BASE_ADDRESS_0), ==,
                    0xE1000000);

    qpci_device_free(d_cf8);
    qpci_device_free(d_ecam);
    qpci_free(cf8);
    qpci_free(ecam);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_binary();
    g_test_add_func("/pci-enum/enumerate", test_enumerate);
    g_test_add_func("/pci-enum/libqos-cf8-offset", test_libqos_cf8_offset);
    g_test_add_func("/pci-enum/bars", test_bars);
    g_test_add_func("/pci-enum/ecam-extended", test_ecam_extended);
    return g_test_run();
}
