/*
 * vfio-pci MSI against the fake device: enabling N vectors costs one
 * SET_IRQS, a device interrupt lands as the guest's own message in guest
 * RAM, per-vector masks keep a pending bit that unmask delivers, a count
 * change re-enables, disabling tears down and brings INTx back, and
 * nothing is delivered without bus mastering.
 */
#include "vfio-test-util.h"

#define MSI_INDEX VFIO_PCI_MSI_IRQ_INDEX
#define INTX_INDEX VFIO_PCI_INTX_IRQ_INDEX
#define MSI_DATA 0x4560             /* low bits carry the vector */
#define SPEC_MSI4 "[msi]\nvectors=4\nmask=true\n64bit=true\n"

typedef struct MsiTest {
    VfioTest t;
    uint8_t cap;
    uint64_t db;
} MsiTest;

static void msi_start(MsiTest *m, const char *ini)
{
    vt_start(&m->t, "basic", ini, NULL);
    m->cap = qpci_find_capability(m->t.dev, PCI_CAP_ID_MSI, 0);
    g_assert_cmphex(m->cap, !=, 0);
    m->db = vt_doorbell(&m->t);
}

static uint16_t msi_flags(MsiTest *m)
{
    return qpci_config_readw(m->t.dev, m->cap + PCI_MSI_FLAGS);
}

/* Program address and data, then enable 1 << @log2 vectors. */
static void msi_enable(MsiTest *m, unsigned log2)
{
    QPCIDevice *dev = m->t.dev;
    uint16_t flags = msi_flags(m);

    qpci_config_writel(dev, m->cap + PCI_MSI_ADDRESS_LO, (uint32_t)m->db);
    if (flags & PCI_MSI_FLAGS_64BIT) {
        qpci_config_writel(dev, m->cap + PCI_MSI_ADDRESS_HI, m->db >> 32);
        qpci_config_writew(dev, m->cap + PCI_MSI_DATA_64, MSI_DATA);
    } else {
        qpci_config_writew(dev, m->cap + PCI_MSI_DATA_32, MSI_DATA);
    }
    flags &= ~PCI_MSI_FLAGS_QSIZE;
    flags |= log2 << __builtin_ctz(PCI_MSI_FLAGS_QSIZE);
    qpci_config_writew(dev, m->cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
}

static void msi_disable(MsiTest *m)
{
    qpci_config_writew(m->t.dev, m->cap + PCI_MSI_FLAGS,
                       msi_flags(m) & ~PCI_MSI_FLAGS_ENABLE);
}

static void msi_set_mask(MsiTest *m, uint32_t mask)
{
    qpci_config_writel(m->t.dev, m->cap + PCI_MSI_MASK_64, mask);
}

static uint32_t msi_pending(MsiTest *m)
{
    return qpci_config_readl(m->t.dev, m->cap + PCI_MSI_PENDING_64);
}

/* Fire @v and wait until we have handled it (delivered or not). */
static void msi_fire_handled(MsiTest *m, unsigned v)
{
    vt_fire_handled(&m->t, "vfio_msi_interrupt", v);
}

static void test_msi_capability(void)
{
    MsiTest m;
    uint16_t flags;

    msi_start(&m, SPEC_MSI4);
    /* Where the device has it, with the device's abilities. */
    g_assert_cmphex(m.cap, ==, 0x50);
    flags = msi_flags(&m);
    g_assert_cmphex(flags & PCI_MSI_FLAGS_QMASK, ==, 2 << 1);
    g_assert(flags & PCI_MSI_FLAGS_64BIT);
    g_assert(flags & PCI_MSI_FLAGS_MASKBIT);
    g_assert(!(flags & PCI_MSI_FLAGS_ENABLE));
    vt_stop(&m.t);
}

static void test_msi_enable_deliver(void)
{
    MsiTest m;
    unsigned before, intx_before;
    VtSetIrqs last;

    msi_start(&m, SPEC_MSI4);
    before = vt_nr_set_irqs(&m.t, MSI_INDEX);
    intx_before = vt_nr_set_irqs(&m.t, INTX_INDEX);
    msi_enable(&m, 2);
    /* One call for all four vectors, and INTx off at the host first. */
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSI_INDEX), ==, before + 1);
    last = vt_last_set_irqs(&m.t, MSI_INDEX);
    g_assert_cmpuint(last.start, ==, 0);
    g_assert_cmpuint(last.count, ==, 4);
    g_assert_cmphex(last.flags, ==, VFIO_IRQ_SET_DATA_EVENTFD |
                                    VFIO_IRQ_SET_ACTION_TRIGGER);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, INTX_INDEX), ==, intx_before + 1);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, INTX_INDEX).count, ==, 0);

    /* Each vector lands as the guest's message. */
    for (unsigned v = 0; v < 4; v++) {
        qtest_writel(m.t.qts, m.db, 0);
        vt_fire(&m.t, v);
        g_assert(vt_wait_readl(&m.t, m.db, MSI_DATA | v));
    }
    /* Again, to see it is delivered every time. */
    qtest_writel(m.t.qts, m.db, 0);
    vt_fire(&m.t, 2);
    g_assert(vt_wait_readl(&m.t, m.db, MSI_DATA | 2));
    vt_stop(&m.t);
}

static void test_msi_mask_pending(void)
{
    MsiTest m;

    msi_start(&m, SPEC_MSI4);
    msi_enable(&m, 2);
    msi_set_mask(&m, 1u << 1);
    msi_fire_handled(&m, 1);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db), ==, 0);
    g_assert_cmphex(msi_pending(&m), ==, 1u << 1);

    /* Other vectors are not held back. */
    msi_fire_handled(&m, 3);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db), ==, MSI_DATA | 3);
    qtest_writel(m.t.qts, m.db, 0);

    /* Unmask delivers the pending message, once. */
    msi_set_mask(&m, 0);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db), ==, MSI_DATA | 1);
    g_assert_cmphex(msi_pending(&m), ==, 0);
    qtest_writel(m.t.qts, m.db, 0);
    msi_set_mask(&m, 1u << 1);
    msi_set_mask(&m, 0);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db), ==, 0);
    vt_stop(&m.t);
}

static void test_msi_count_change(void)
{
    MsiTest m;
    g_autoptr(GArray) calls = NULL;
    unsigned before;

    msi_start(&m, SPEC_MSI4);
    msi_enable(&m, 0);
    before = vt_nr_set_irqs(&m.t, MSI_INDEX);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSI_INDEX).count, ==, 1);
    /* Only MME changes: the host is told nothing about data or masks. */
    msi_set_mask(&m, 0);
    qpci_config_writew(m.t.dev, m.cap + PCI_MSI_DATA_64, MSI_DATA);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSI_INDEX), ==, before);
    /* Two to four vectors while enabled: off, then on with four. */
    qpci_config_writew(m.t.dev, m.cap + PCI_MSI_FLAGS,
                       (msi_flags(&m) & ~PCI_MSI_FLAGS_QSIZE) | (2 << 4));
    calls = vt_set_irqs(&m.t, MSI_INDEX);
    g_assert_cmpuint(calls->len, ==, before + 2);
    g_assert_cmpuint(g_array_index(calls, VtSetIrqs, before).count, ==, 0);
    g_assert_cmpuint(g_array_index(calls, VtSetIrqs, before + 1).count, ==, 4);
    vt_fire(&m.t, 3);
    g_assert(vt_wait_readl(&m.t, m.db, MSI_DATA | 3));
    vt_stop(&m.t);
}

static void test_msi_disable(void)
{
    MsiTest m;
    unsigned before, intx_before;
    VtSetIrqs last;

    msi_start(&m, SPEC_MSI4);
    msi_enable(&m, 2);
    before = vt_nr_set_irqs(&m.t, MSI_INDEX);
    intx_before = vt_nr_set_irqs(&m.t, INTX_INDEX);
    msi_disable(&m);
    /* The index goes off once; INTx is back with its eventfds. */
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSI_INDEX), ==, before + 1);
    last = vt_last_set_irqs(&m.t, MSI_INDEX);
    g_assert_cmpuint(last.count, ==, 0);
    g_assert_cmphex(last.flags, ==, VFIO_IRQ_SET_DATA_NONE |
                                    VFIO_IRQ_SET_ACTION_TRIGGER);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, INTX_INDEX), >, intx_before);
    g_assert_cmpuint(vt_log_count(&m.t, "vfio_intx_enable", NULL), ==, 2);
    /* Disabling again costs nothing. */
    msi_disable(&m);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSI_INDEX), ==, before + 1);
    /* Nothing can fire MSI now. */
    vt_fire(&m.t, 1);
    g_assert_cmpuint(vt_log_count(&m.t, "vfio_msi_interrupt", NULL), ==, 0);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db), ==, 0);
    /* And it comes back. */
    msi_enable(&m, 1);
    vt_fire(&m.t, 1);
    g_assert(vt_wait_readl(&m.t, m.db, MSI_DATA | 1));
    vt_stop(&m.t);
}

static void test_msi_bus_master_off(void)
{
    MsiTest m;
    uint16_t cmd;

    msi_start(&m, NULL);            /* the profile's single vector */
    msi_enable(&m, 0);
    cmd = qpci_config_readw(m.t.dev, PCI_COMMAND);
    qpci_config_writew(m.t.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    msi_fire_handled(&m, 0);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db), ==, 0);
    g_assert_cmpuint(vt_log_count(&m.t, "pci_msi_drop", NULL), ==, 1);
    /* A dropped message stays dropped (there is no pending bit). */
    qpci_config_writew(m.t.dev, PCI_COMMAND, cmd);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db), ==, 0);
    vt_fire(&m.t, 0);
    g_assert(vt_wait_readl(&m.t, m.db, MSI_DATA));
    vt_stop(&m.t);
}

/*
 * The capability claims four vectors, the host offers one: the enable
 * fails, the user is told which device, and INTx carries on.
 */
static void test_msi_host_refuses(void)
{
    MsiTest m;
    g_autofree char *err = NULL;

    msi_start(&m, "[config]\n0x52=04 00\n");
    g_assert_cmphex(msi_flags(&m) & PCI_MSI_FLAGS_QMASK, ==, 2 << 1);
    msi_enable(&m, 2);
    g_assert_cmpuint(vt_log_count(&m.t, "fake_vfio_set_irqs_fail", "index 1:"),
                     ==, 1);
    err = qtest_get_stderr(m.t.qts);
    g_assert_nonnull(strstr(err, "cannot enable 4 MSI vector(s)"));
    g_assert_nonnull(strstr(err, "falling back to INTx"));
    g_assert_cmpuint(vt_log_count(&m.t, "vfio_intx_enable", NULL), ==, 2);
    qtest_irq_intercept_in(m.t.qts, "ioapic");
    qpci_io_writel(m.t.dev, m.t.bar0, VT_REG_INTX, 1);
    g_assert(vt_wait_log(&m.t, "vfio_intx_interrupt", NULL, 1));
    vt_stop(&m.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/msi/capability", test_msi_capability);
    g_test_add_func("/vfio/msi/enable-deliver", test_msi_enable_deliver);
    g_test_add_func("/vfio/msi/mask-pending", test_msi_mask_pending);
    g_test_add_func("/vfio/msi/count-change", test_msi_count_change);
    g_test_add_func("/vfio/msi/disable", test_msi_disable);
    g_test_add_func("/vfio/msi/bus-master-off", test_msi_bus_master_off);
    g_test_add_func("/vfio/msi/host-refuses", test_msi_host_refuses);
    return g_test_run();
}
