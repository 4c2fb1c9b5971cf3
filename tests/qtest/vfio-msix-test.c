/*
 * vfio-pci MSI-X against the fake device (profile "msix": five vectors,
 * table and PBA in BAR3). The guest never reaches the device's table;
 * host vectors follow the vectors the guest uses: one SET_IRQS each where
 * the host can grow (no NORESIZE), a re-enable with the full count where
 * it cannot, losing no interrupt; masked vectors keep a pending bit that
 * unmask delivers; disabling MSI-X turns the index off once.
 */
#include "vfio-test-util.h"

#define MSIX_INDEX VFIO_PCI_MSIX_IRQ_INDEX
#define INTX_INDEX VFIO_PCI_INTX_IRQ_INDEX
#define NVEC 5
#define MSIX_DATA 0xab00
#define SPEC_NORESIZE "[msix]\nnoresize=true\n"

typedef struct MsixTest {
    VfioTest t;
    uint8_t cap;
    uint64_t db[NVEC];
} MsixTest;

static void msix_start(MsixTest *m, const char *ini)
{
    vt_start(&m->t, "msix", ini, NULL);
    m->cap = qpci_find_capability(m->t.dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmphex(m->cap, !=, 0);
    for (int i = 0; i < NVEC; i++) {
        m->db[i] = vt_doorbell(&m->t);
    }
}

static void msix_stop(MsixTest *m)
{
    /* Nothing in all of this reached the device's own table. */
    g_assert_cmpuint(vt_log_count(&m->t, "fake_vfio_msix_table_access",
                                  NULL), ==, 0);
    vt_stop(&m->t);
}

static void msix_set_vector_mask(MsixTest *m, int v, bool masked)
{
    QPCIDevice *dev = m->t.dev;

    qpci_io_writel(dev, dev->msix_table_bar, dev->msix_table_off +
                   v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

static void msix_use(MsixTest *m, int v)
{
    qpci_msix_set_entry(m->t.dev, v, m->db[v], MSIX_DATA + v, false);
}

static void msix_expect(MsixTest *m, int v)
{
    g_assert(vt_wait_readl(&m->t, m->db[v], MSIX_DATA + v));
    qtest_writel(m->t.qts, m->db[v], 0);
}

/* Fire @v and wait until we have handled it (delivered or not). */
static void msix_fire_handled(MsixTest *m, unsigned v)
{
    vt_fire_handled(&m->t, "vfio_msix_interrupt", v);
}

static void test_msix_virtual_table(void)
{
    MsixTest m;
    QPCIDevice *dev;

    msix_start(&m, NULL);
    dev = m.t.dev;
    g_assert_cmphex(m.cap, ==, 0xb0);
    g_assert_cmpuint(qpci_msix_table_size(dev), ==, NVEC);
    g_assert_cmphex(qpci_config_readl(dev, m.cap + PCI_MSIX_TABLE), ==, 3);
    g_assert_cmphex(qpci_config_readl(dev, m.cap + PCI_MSIX_PBA), ==,
                    0x2000 | 3);
    qpci_msix_enable(dev);
    for (int v = 0; v < NVEC; v++) {
        g_assert(qpci_msix_masked(dev, v));
        g_assert(!qpci_msix_pending(dev, v));
        qpci_msix_set_entry(dev, v, 0x12345678abcULL + v, 0x5a5a0000 + v,
                            true);
        g_assert_cmphex(qpci_io_readq(dev, dev->msix_table_bar,
                                      v * PCI_MSIX_ENTRY_SIZE), ==,
                        0x12345678abcULL + v);
        g_assert_cmphex(qpci_io_readl(dev, dev->msix_table_bar,
                                      v * PCI_MSIX_ENTRY_SIZE +
                                      PCI_MSIX_ENTRY_DATA), ==,
                        0x5a5a0000 + v);
    }
    /* The guest's messages never reach the host: no vector is in use. */
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 1);
    msix_stop(&m);
}

static void test_msix_dynamic_one_by_one(void)
{
    MsixTest m;
    g_autoptr(GArray) calls = NULL;
    unsigned intx_before;

    msix_start(&m, NULL);
    intx_before = vt_nr_set_irqs(&m.t, INTX_INDEX);
    qpci_msix_enable(m.t.dev);
    /* On at the host with no vector, INTx off. */
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 1);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).start, ==, 0);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).count, ==, 1);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, INTX_INDEX), ==, intx_before + 1);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, INTX_INDEX).count, ==, 0);

    /* Then one SET_IRQS per vector, and only that vector. */
    for (int v = 0; v < NVEC; v++) {
        msix_use(&m, v);
        g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 2 + v);
        g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).start, ==, v);
        g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).count, ==, 1);
    }
    calls = vt_set_irqs(&m.t, MSIX_INDEX);
    for (guint i = 0; i < calls->len; i++) {
        g_assert_cmpuint(g_array_index(calls, VtSetIrqs, i).count, !=, 0);
    }
    for (int v = NVEC - 1; v >= 0; v--) {
        vt_fire(&m.t, v);
        msix_expect(&m, v);
    }
    /* Mask and unmask cost the host nothing. */
    msix_set_vector_mask(&m, 2, true);
    msix_set_vector_mask(&m, 2, false);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 1 + NVEC);
    msix_stop(&m);
}

static void test_msix_noresize(void)
{
    MsixTest m;
    g_autoptr(GArray) calls = NULL;
    g_autofree char *pipelined = NULL;
    unsigned n, delivered0, delivered3;

    msix_start(&m, SPEC_NORESIZE);
    qpci_msix_enable(m.t.dev);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 1);
    /* Vector 0 is inside the host's range: set in place. */
    msix_use(&m, 0);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 2);
    vt_fire(&m.t, 0);
    msix_expect(&m, 0);

    /* Vector 3 is not: off, then on with four vectors at once. */
    msix_use(&m, 3);
    calls = vt_set_irqs(&m.t, MSIX_INDEX);
    g_assert_cmpuint(calls->len, ==, 4);
    g_assert_cmpuint(g_array_index(calls, VtSetIrqs, 2).count, ==, 0);
    g_assert_cmpuint(g_array_index(calls, VtSetIrqs, 3).start, ==, 0);
    g_assert_cmpuint(g_array_index(calls, VtSetIrqs, 3).count, ==, 4);
    g_assert_cmpuint(vt_log_count(&m.t, "fake_vfio_set_irqs_fail", NULL), ==,
                     0);
    /* Vector 0 was live: replayed once (spurious at worst). */
    g_assert_cmpuint(vt_log_count(&m.t, "vfio_msix_replay", "vector 0 "), ==,
                     1);
    msix_expect(&m, 0);
    vt_fire(&m.t, 3);
    msix_expect(&m, 3);

    /*
     * Interrupts raised just before the switch are not lost, nor doubled:
     * both commands in one go, so that the eventfds fired but were not
     * handled yet when the index went off (they are drained and replayed).
     */
    qpci_io_writel(m.t.dev, m.t.dev->msix_table_bar, 4 * PCI_MSIX_ENTRY_SIZE,
                   m.db[4]);
    qpci_io_writel(m.t.dev, m.t.dev->msix_table_bar,
                   4 * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_DATA,
                   MSIX_DATA + 4);
    n = vt_nr_set_irqs(&m.t, MSIX_INDEX);
    delivered0 = vt_log_count(&m.t, "vfio_msix_interrupt", "vector 0 ");
    delivered3 = vt_log_count(&m.t, "vfio_msix_interrupt", "vector 3 ");
    pipelined = g_strdup_printf("writel 0x%" PRIx64 " 0\n"
                                "writel 0x%" PRIx64 " 3\n"
                                "writel 0x%" PRIx64 " 0\n",
                                m.t.bar0.addr + VT_REG_FIRE,
                                m.t.bar0.addr + VT_REG_FIRE,
                                m.t.dev->msix_table_bar.addr +
                                4 * PCI_MSIX_ENTRY_SIZE +
                                PCI_MSIX_ENTRY_VECTOR_CTRL);
    qtest_send_raw(m.t.qts, pipelined, strlen(pipelined));
    for (int i = 0; i < 3; i++) {
        g_autofree char *reply = qtest_recv_line(m.t.qts);

        g_assert_cmpstr(reply, ==, "OK");
    }
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, n + 2);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).count, ==, 5);
    msix_expect(&m, 0);
    msix_expect(&m, 3);
    g_assert_cmpuint(vt_log_count(&m.t, "vfio_msix_interrupt", "vector 0 "),
                     ==, delivered0 + 1);
    g_assert_cmpuint(vt_log_count(&m.t, "vfio_msix_interrupt", "vector 3 "),
                     ==, delivered3 + 1);
    /* Everything still works afterwards. */
    for (int v = 0; v < NVEC; v++) {
        if (v == 0 || v >= 3) {
            vt_fire(&m.t, v);
            msix_expect(&m, v);
        }
    }
    /* Within the range again: in place. */
    msix_use(&m, 1);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, n + 3);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).start, ==, 1);
    msix_stop(&m);
}

/*
 * Linux's bring-up: MSI-X enabled with the function masked, the entries it
 * allocated programmed (masked), the function unmasked, then each vector
 * unmasked when its handler is requested. At the function unmask every
 * programmed entry gets its host vector in one SET_IRQS, even where the
 * host has NORESIZE; the per-vector unmasks cost the host nothing, and a
 * fire before a vector's unmask is a pending bit that the unmask delivers.
 */
static void test_msix_linux_bring_up(gconstpointer data)
{
    const char *spec = data;
    QPCIDevice *dev;
    MsixTest m;
    uint16_t ctrl;

    msix_start(&m, spec);
    dev = m.t.dev;
    ctrl = qpci_config_readw(dev, m.cap + PCI_MSIX_FLAGS);
    qpci_config_writew(dev, m.cap + PCI_MSIX_FLAGS, ctrl |
                       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    qpci_msix_enable(dev);              /* maps the table: ENABLE again */
    for (int v = 0; v < 3; v++) {
        qpci_msix_set_entry(dev, v, m.db[v], MSIX_DATA + v, true);
    }
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 0);
    ctrl = qpci_config_readw(dev, m.cap + PCI_MSIX_FLAGS);
    qpci_config_writew(dev, m.cap + PCI_MSIX_FLAGS,
                       ctrl & ~PCI_MSIX_FLAGS_MASKALL);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 1);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).start, ==, 0);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).count, ==, 3);

    /* Vector 2 fires while still masked: pending, delivered on unmask. */
    msix_fire_handled(&m, 2);
    g_assert_true(qpci_msix_pending(dev, 2));
    for (int v = 0; v < 3; v++) {
        msix_set_vector_mask(&m, v, false);
    }
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, 1);
    msix_expect(&m, 2);
    for (int v = 0; v < 3; v++) {
        vt_fire(&m.t, v);
        msix_expect(&m, v);
    }
    g_test_message("report: 3 vectors brought up with %u SET_IRQS",
                   vt_nr_set_irqs(&m.t, MSIX_INDEX));
    msix_stop(&m);
}

static void test_msix_masked_pending(void)
{
    MsixTest m;
    QPCIDevice *dev;

    msix_start(&m, NULL);
    dev = m.t.dev;
    qpci_msix_enable(dev);
    msix_use(&m, 1);
    msix_set_vector_mask(&m, 1, true);
    msix_fire_handled(&m, 1);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db[1]), ==, 0);
    g_assert(qpci_msix_pending(dev, 1));
    g_assert(!qpci_msix_pending(dev, 0));
    msix_set_vector_mask(&m, 1, false);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db[1]), ==, MSIX_DATA + 1);
    g_assert(!qpci_msix_pending(dev, 1));

    /* The function mask holds every vector the same way. */
    qtest_writel(m.t.qts, m.db[1], 0);
    qpci_config_writew(dev, m.cap + PCI_MSIX_FLAGS,
                       qpci_config_readw(dev, m.cap + PCI_MSIX_FLAGS) |
                       PCI_MSIX_FLAGS_MASKALL);
    msix_fire_handled(&m, 1);
    g_assert(qpci_msix_pending(dev, 1));
    qpci_config_writew(dev, m.cap + PCI_MSIX_FLAGS,
                       qpci_config_readw(dev, m.cap + PCI_MSIX_FLAGS) &
                       ~PCI_MSIX_FLAGS_MASKALL);
    g_assert_cmphex(qtest_readl(m.t.qts, m.db[1]), ==, MSIX_DATA + 1);
    msix_stop(&m);
}

static void test_msix_disable(void)
{
    MsixTest m;
    unsigned n, intx;
    VtSetIrqs last;

    msix_start(&m, NULL);
    qpci_msix_enable(m.t.dev);
    msix_use(&m, 0);
    msix_use(&m, 2);
    n = vt_nr_set_irqs(&m.t, MSIX_INDEX);
    intx = vt_nr_set_irqs(&m.t, INTX_INDEX);
    qpci_msix_disable(m.t.dev);
    /* The index goes off once, INTx comes back. */
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, n + 1);
    last = vt_last_set_irqs(&m.t, MSIX_INDEX);
    g_assert_cmpuint(last.count, ==, 0);
    g_assert_cmphex(last.flags, ==, VFIO_IRQ_SET_DATA_NONE |
                                    VFIO_IRQ_SET_ACTION_TRIGGER);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, INTX_INDEX), >, intx);
    vt_fire(&m.t, 2);
    g_assert_cmpuint(vt_log_count(&m.t, "vfio_msix_interrupt", NULL), ==, 0);

    /* Enabled again, the vectors the guest left unmasked are back at once. */
    n = vt_nr_set_irqs(&m.t, MSIX_INDEX);
    qpci_msix_enable(m.t.dev);
    g_assert_cmpuint(vt_nr_set_irqs(&m.t, MSIX_INDEX), ==, n + 1);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).count, ==, 3);
    vt_fire(&m.t, 2);
    msix_expect(&m, 2);
    msix_stop(&m);
}

/*
 * The table has eight entries, the host only five vectors: using vector 6
 * fails at the host with a warning, the guest keeps its vector (masks and
 * pending bits still work) and the other vectors are unaffected.
 */
static void test_msix_host_refuses_vector(void)
{
    MsixTest m;
    g_autofree char *err = NULL;
    QPCIDevice *dev;

    msix_start(&m, "[config]\n0xb2=07 00\n");
    dev = m.t.dev;
    g_assert_cmpuint(qpci_msix_table_size(dev), ==, 8);
    qpci_msix_enable(dev);
    msix_use(&m, 1);
    qpci_msix_set_entry(dev, 6, m.db[0], MSIX_DATA + 6, false);
    g_assert_cmpuint(vt_log_count(&m.t, "fake_vfio_set_irqs_fail", "index 2:"),
                     ==, 1);
    err = qtest_get_stderr(m.t.qts);
    g_assert_nonnull(strstr(err, "cannot set MSI-X vectors 6 to 6"));
    g_assert(!qpci_msix_masked(dev, 6));
    vt_fire(&m.t, 1);
    msix_expect(&m, 1);
    /* Masking and unmasking it again retries, and fails the same way. */
    msix_set_vector_mask(&m, 6, true);
    msix_set_vector_mask(&m, 6, false);
    g_assert_cmpuint(vt_log_count(&m.t, "fake_vfio_set_irqs_fail", "index 2:"),
                     ==, 2);
    qpci_msix_disable(dev);
    g_assert_cmpuint(vt_last_set_irqs(&m.t, MSIX_INDEX).count, ==, 0);
    msix_stop(&m);
}

/* A layout the device cannot have hides MSI-X instead of failing. */
static void test_msix_bad_layout_hidden(void)
{
    VfioTest t;
    g_autofree char *err = NULL;

    /* The table says BAR 5, which the device does not have. */
    vt_start(&t, "msix", "[config]\n0xb4=05 00 00 00\n", NULL);
    g_assert_cmphex(qpci_find_capability(t.dev, PCI_CAP_ID_MSIX, 0), ==, 0);
    g_assert_cmphex(qpci_find_capability(t.dev, PCI_CAP_ID_MSI, 0), !=, 0);
    err = qtest_get_stderr(t.qts);
    g_assert_nonnull(strstr(err, "MSI-X is hidden"));
    vt_stop(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/msix/virtual-table", test_msix_virtual_table);
    g_test_add_func("/vfio/msix/dynamic-one-by-one",
                    test_msix_dynamic_one_by_one);
    g_test_add_func("/vfio/msix/noresize", test_msix_noresize);
    g_test_add_data_func("/vfio/msix/linux-bring-up/dynamic", "",
                         test_msix_linux_bring_up);
    g_test_add_data_func("/vfio/msix/linux-bring-up/noresize",
                         SPEC_NORESIZE, test_msix_linux_bring_up);
    g_test_add_func("/vfio/msix/masked-pending", test_msix_masked_pending);
    g_test_add_func("/vfio/msix/disable", test_msix_disable);
    g_test_add_func("/vfio/msix/host-refuses-vector",
                    test_msix_host_refuses_vector);
    g_test_add_func("/vfio/msix/bad-layout-hidden",
                    test_msix_bad_layout_hidden);
    return g_test_run();
}
