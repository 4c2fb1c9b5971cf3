/*
 * vfio-pci INTx against the fake device (profile "basic": INTA, register
 * page in BAR0, 64 KiB of mmap'able RAM in BAR2). An interrupt raises the
 * machine's line and traps every BAR; the guest's next BAR access is its
 * EOI (line down, host unmasked); the fast path comes back after
 * x-intx-mmap-timeout-ms of virtual time (never with 0); MSI takes INTx
 * off at the host and gives it back.
 */
#include "vfio-test-util.h"

#define INTX_INDEX VFIO_PCI_INTX_IRQ_INDEX
#define Q35_PIRQ_GSI_BASE 16
/* INTA of slot 3, swizzled as q35 does */
#define INTX_GSI (Q35_PIRQ_GSI_BASE + (VT_SLOT + 0) % 4)
#define BAR2_TRAPPED "BAR 2 "

typedef struct IntxTest {
    VfioTest t;
    QPCIBar bar2;
} IntxTest;

static void intx_start(IntxTest *x, const char *devopts)
{
    vt_start(&x->t, "basic", NULL, devopts);
    x->bar2 = qpci_iomap(x->t.dev, 2, NULL);
    qpci_device_enable(x->t.dev);
    qtest_irq_intercept_in(x->t.qts, "ioapic");
}

static void intx_assert(IntxTest *x)
{
    qpci_io_writel(x->t.dev, x->t.bar0, VT_REG_INTX, 1);
    g_assert(vt_wait_irq(&x->t, INTX_GSI, true));
}

/* A read of BAR2; true if it trapped (went through the slow path). */
static bool intx_bar2_read_trapped(IntxTest *x)
{
    unsigned n = vt_log_count(&x->t, "vfio_region_read", BAR2_TRAPPED);

    qpci_io_readl(x->t.dev, x->bar2, 0x100);
    return vt_log_count(&x->t, "vfio_region_read", BAR2_TRAPPED) > n;
}

static void test_intx_assert_eoi(void)
{
    IntxTest x;
    unsigned unmasks;

    intx_start(&x, NULL);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_enable", NULL), ==, 1);
    /* Trigger and unmask eventfds. */
    g_assert_cmpuint(vt_nr_set_irqs(&x.t, INTX_INDEX), ==, 2);
    g_assert(!qtest_get_irq(x.t.qts, INTX_GSI));
    /* With nothing pending the fast path is on. */
    g_assert(!intx_bar2_read_trapped(&x));

    intx_assert(&x);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_bar_mmaps_enabled",
                                  "enabled 0"), >, 0);
    /* The guest's first BAR access is the EOI: line down, host unmasked. */
    unmasks = vt_log_count(&x.t, "fake_vfio_intx_unmask", NULL);
    g_assert(intx_bar2_read_trapped(&x));
    g_assert(vt_wait_irq(&x.t, INTX_GSI, false));
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_eoi", NULL), ==, 1);
    g_assert(vt_wait_log(&x.t, "fake_vfio_intx_unmask", NULL, unmasks + 1));

    /* It fires again once unmasked; any BAR access acknowledges it. */
    intx_assert(&x);
    qpci_io_readl(x.t.dev, x.t.bar0, VT_REG_ID);
    g_assert(vt_wait_irq(&x.t, INTX_GSI, false));
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_eoi", NULL), ==, 2);
    /* No SET_IRQS per interrupt: the unmask went through the eventfd. */
    g_assert_cmpuint(vt_nr_set_irqs(&x.t, INTX_INDEX), ==, 2);
    vt_stop(&x.t);
}

static void test_intx_mmap_timeout(void)
{
    IntxTest x;

    intx_start(&x, ",x-intx-mmap-timeout-ms=100");
    intx_assert(&x);
    g_assert(intx_bar2_read_trapped(&x));           /* the EOI */
    g_assert(vt_wait_irq(&x.t, INTX_GSI, false));
    /* Still trapped until the guest has been quiet for 100 ms. */
    g_assert(intx_bar2_read_trapped(&x));
    qtest_clock_step(x.t.qts, 90 * 1000 * 1000);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_mmap_enable", NULL), ==, 0);
    g_assert(intx_bar2_read_trapped(&x));
    qtest_clock_step(x.t.qts, 20 * 1000 * 1000);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_mmap_enable", NULL), ==, 1);
    g_assert(!intx_bar2_read_trapped(&x));

    /* An interrupt before the timeout keeps the BARs trapped. */
    intx_assert(&x);
    g_assert(intx_bar2_read_trapped(&x));
    g_assert(vt_wait_irq(&x.t, INTX_GSI, false));
    qtest_clock_step(x.t.qts, 50 * 1000 * 1000);
    intx_assert(&x);
    qtest_clock_step(x.t.qts, 200 * 1000 * 1000);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_mmap_enable", NULL), ==, 1);
    g_assert(intx_bar2_read_trapped(&x));            /* EOI, re-arms */
    qtest_clock_step(x.t.qts, 110 * 1000 * 1000);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_mmap_enable", NULL), ==, 2);
    g_assert(!intx_bar2_read_trapped(&x));
    vt_stop(&x.t);
}

/* 0, as in QEMU: once INTx fired, BARs stay trapped while INTx is on. */
static void test_intx_mmap_timeout_zero(void)
{
    IntxTest x;

    intx_start(&x, ",x-intx-mmap-timeout-ms=0");
    intx_assert(&x);
    g_assert(intx_bar2_read_trapped(&x));
    g_assert(vt_wait_irq(&x.t, INTX_GSI, false));
    qtest_clock_step(x.t.qts, 10LL * 1000 * 1000 * 1000);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_mmap_enable", NULL), ==, 0);
    g_assert(intx_bar2_read_trapped(&x));
    vt_stop(&x.t);
}

static void test_intx_off_with_msi(void)
{
    IntxTest x;
    QPCIDevice *dev;
    uint64_t db;
    uint8_t cap;
    uint16_t flags;

    intx_start(&x, NULL);
    dev = x.t.dev;
    /* Pending when MSI comes: the line goes down, the fast path returns. */
    intx_assert(&x);
    cap = qpci_find_capability(dev, PCI_CAP_ID_MSI, 0);
    g_assert_cmphex(cap, !=, 0);
    db = vt_doorbell(&x.t);
    flags = qpci_config_readw(dev, cap + PCI_MSI_FLAGS);
    qpci_config_writel(dev, cap + PCI_MSI_ADDRESS_LO, db);
    qpci_config_writew(dev, cap + (flags & PCI_MSI_FLAGS_64BIT ?
                                   PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 0x77);
    qpci_config_writew(dev, cap + PCI_MSI_FLAGS, flags | PCI_MSI_FLAGS_ENABLE);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_disable", NULL), ==, 1);
    g_assert_cmpuint(vt_last_set_irqs(&x.t, INTX_INDEX).count, ==, 0);
    g_assert(vt_wait_irq(&x.t, INTX_GSI, false));
    g_assert(!intx_bar2_read_trapped(&x));
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_eoi", NULL), ==, 0);

    /* INTx from the device goes nowhere, MSI works. */
    qpci_io_writel(dev, x.t.bar0, VT_REG_INTX, 1);
    vt_fire(&x.t, 0);
    g_assert(vt_wait_readl(&x.t, db, 0x77));
    g_assert(!qtest_get_irq(x.t.qts, INTX_GSI));

    /* MSI off: INTx is back (and the device's level shows again). */
    qpci_config_writew(dev, cap + PCI_MSI_FLAGS, flags);
    g_assert_cmpuint(vt_log_count(&x.t, "vfio_intx_enable", NULL), ==, 2);
    qpci_io_writel(dev, x.t.bar0, VT_REG_INTX, 1);
    g_assert(vt_wait_irq(&x.t, INTX_GSI, true));
    vt_stop(&x.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/intx/assert-eoi", test_intx_assert_eoi);
    g_test_add_func("/vfio/intx/mmap-timeout", test_intx_mmap_timeout);
    g_test_add_func("/vfio/intx/mmap-timeout-zero",
                    test_intx_mmap_timeout_zero);
    g_test_add_func("/vfio/intx/off-with-msi", test_intx_off_with_msi);
    return g_test_run();
}
