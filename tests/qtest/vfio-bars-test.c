/*
 * vfio-pci BARs against the fake device: sizes and types as the device
 * has them, the slow path (BAR0 registers reach the device), the fast
 * path (mmap'd BARs never trap, x-no-mmap=on traps them, same data),
 * sparse mmap areas, and the MSI-X table page kept out of the mmap unless
 * the region is MSIX_MAPPABLE.
 *
 * Traps are seen in the trace log: vfio_region_read/write for each access
 * the slow path forwards, fake_vfio_region_mmap for each area mapped.
 */
#include "vfio-test-util.h"

#define BARS_TRACE "-m 256 -trace 'vfio_region_*' " \
                   "-trace 'fake_vfio_region_*' -trace 'vfio_bar_*'"

/* @profile: the fake's; @ini: spec text or NULL; @opts: more properties. */
static void bars_start(VfioTest *t, const char *profile, const char *ini,
                       const char *opts)
{
    vt_init(t);
    vt_launch(t, profile, ini, opts, BARS_TRACE);
}

/* Slow-path accesses to BAR @nr (reads and writes) so far. */
static unsigned traps(VfioTest *t, int nr)
{
    g_autofree char *needle = g_strdup_printf(" BAR %d ", nr);

    return vt_log_count(t, "vfio_region_read", needle) +
           vt_log_count(t, "vfio_region_write", needle);
}

/* Write all ones to a BAR register and read it back. */
static uint32_t bar_probe(QPCIDevice *dev, int nr)
{
    uint16_t reg = PCI_BASE_ADDRESS_0 + 4 * nr;
    uint32_t old = qpci_config_readl(dev, reg);
    uint32_t val;

    qpci_config_writel(dev, reg, 0xffffffff);
    val = qpci_config_readl(dev, reg);
    qpci_config_writel(dev, reg, old);
    return val;
}

static void test_sizes_and_types(void)
{
    VfioTest t;
    uint64_t size;

    /* basic: BAR0 4 KiB mem32, BAR2/3 a 64 KiB prefetchable mem64 */
    bars_start(&t, "basic", NULL, NULL);
    g_assert_cmphex(bar_probe(t.dev, 0), ==, 0xfffff000);
    g_assert_cmphex(bar_probe(t.dev, 1), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 2), ==,
                    0xffff0000 | PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(bar_probe(t.dev, 3), ==, 0xffffffff);   /* upper half */
    g_assert_cmphex(bar_probe(t.dev, 4), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 5), ==, 0);
    vt_stop(&t);

    /* msix (e1000e-like): BAR0 128 KiB, BAR1 32-byte I/O, BAR3 16 KiB */
    bars_start(&t, "msix", NULL, NULL);
    g_assert_cmphex(bar_probe(t.dev, 0), ==, 0xfffe0000);
    g_assert_cmphex(bar_probe(t.dev, 1), ==, 0xffffffe0 |
                    PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(bar_probe(t.dev, 2), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 3), ==, 0xffffc000);
    qpci_iomap(t.dev, 1, &size);
    g_assert_cmpuint(size, ==, 32);
    vt_stop(&t);

    /* A 32-bit BAR2 frees BAR3; a 4-byte I/O BAR */
    bars_start(&t, "basic",
               "[bar2]\nsize=0x4000\ntype=mem32\nprefetch=false\n"
               "[bar4]\nsize=4\ntype=io\n", NULL);
    g_assert_cmphex(bar_probe(t.dev, 2), ==, 0xffffc000);
    g_assert_cmphex(bar_probe(t.dev, 3), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 4), ==, 0xfffffffc |
                    PCI_BASE_ADDRESS_SPACE_IO);
    vt_stop(&t);
}

/*
 * A BAR of a type that does not exist, or a region larger than its kind
 * of BAR can be (a lying host or a broken device): realize fails, naming
 * the BAR and what is wrong with it.
 */
static void test_impossible_sizes(void)
{
    static const struct { const char *ini, *want; } cases[] = {
        /* a memory BAR of the reserved type 11b (its register's bits 2:1) */
        { "[bar5]\nsize=0x1000\n[config]\n0x24 = 06\n",
          "BAR 5 has the reserved memory type 3" },
        { "[bar4]\nsize=0x1000\n[config]\n0x20 = 0e\n",
          "BAR 4 has the reserved memory type 3" },
        { "[bar2]\nclaimed-size=0x8000000000000001\n",
          "BAR 2 region is 9223372036854775809 bytes" },
        { "[bar2]\nsize=0x4000\ntype=mem32\nclaimed-size=0x100000000\n",
          "BAR 2 region is 4294967296 bytes" },
        { "[bar4]\nsize=4\ntype=io\nclaimed-size=0x20000\n",
          "BAR 4 region is 131072 bytes" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        VfioTest t;
        g_autofree char *host = NULL;
        g_autofree char *args = NULL;
        g_autofree char *err = NULL;

        vt_init(&t);
        host = vt_host(&t, "basic", cases[i].ini);
        args = g_strdup_printf("-display none -accel qtest "
                               "-device vfio-pci,host=%s", host);
        g_assert_cmpint(vt_run(args, &err), ==, 1);
        if (!strstr(err, cases[i].want)) {
            g_error("case %zu: '%s' not in: %s", i, cases[i].want, err);
        }
        g_assert_cmpuint(vt_newlines(err), ==, 1);
        vt_cleanup(&t);
    }
}

/* BAR0's registers are never mmap'd: each access reaches the device */
static void test_slow_path(void)
{
    VfioTest t;
    QPCIBar bar0;
    unsigned before;

    bars_start(&t, "basic", NULL, NULL);
    bar0 = qpci_iomap(t.dev, 0, NULL);
    qpci_device_enable(t.dev);
    before = traps(&t, 0);
    g_assert_cmphex(qpci_io_readl(t.dev, bar0, VT_REG_ID), ==, VT_FAKE_ID);
    qpci_io_writel(t.dev, bar0, VT_REG_SCRATCH, 0x12345678);
    g_assert_cmphex(qpci_io_readl(t.dev, bar0, VT_REG_SCRATCH), ==,
                    0x12345678);
    g_assert_cmpuint(traps(&t, 0), ==, before + 3);
    /* The guest's access size reaches the device */
    g_assert_cmpuint(vt_log_count(&t, "vfio_region_read", " size 4 "), >=, 2);
    qpci_io_readw(t.dev, bar0, VT_REG_SCRATCH + 2);
    g_assert_cmpuint(vt_log_count(&t, "vfio_region_read", "+0x6 size 2 "),
                     ==, 1);
    vt_stop(&t);
}

/* Write a pattern through @bar at @off and read it back. */
static void pattern_roundtrip(VfioTest *t, QPCIBar bar, uint64_t off)
{
    for (unsigned i = 0; i < 16; i++) {
        qpci_io_writel(t->dev, bar, off + i * 4, 0xa5000000 | i);
    }
    for (unsigned i = 0; i < 16; i++) {
        g_assert_cmphex(qpci_io_readl(t->dev, bar, off + i * 4), ==,
                        0xa5000000 | i);
    }
    g_assert_cmphex(qpci_io_readq(t->dev, bar, off), ==,
                    0xa5000001a5000000ULL);
}

/* BAR2 is mmap'd: accesses do not trap, but do with x-no-mmap=on */
static void test_fast_path(void)
{
    VfioTest t;
    QPCIBar bar2;

    bars_start(&t, "basic", NULL, NULL);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", "region 2 "),
                     ==, 1);
    bar2 = qpci_iomap(t.dev, 2, NULL);
    qpci_device_enable(t.dev);
    pattern_roundtrip(&t, bar2, 0x100);
    pattern_roundtrip(&t, bar2, 0xffc0);
    g_assert_cmpuint(traps(&t, 2), ==, 0);
    vt_stop(&t);

    bars_start(&t, "basic", NULL, ",x-no-mmap=on");
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", NULL), ==, 0);
    bar2 = qpci_iomap(t.dev, 2, NULL);
    qpci_device_enable(t.dev);
    pattern_roundtrip(&t, bar2, 0x100);
    g_assert_cmpuint(traps(&t, 2), ==, 16 + 16 + 1);
    /* A 64-bit access stays one access */
    g_assert_cmpuint(vt_log_count(&t, "vfio_region_read", "size 8 "), ==, 1);
    vt_stop(&t);
}

/*
 * A BAR the host allows to be read but not written: never mmap'd (a
 * guest store into a read-only mapping would take qvfio down), so every
 * access traps; reads work, writes fail (one warning) and are dropped.
 */
static void test_readonly_bar(void)
{
    VfioTest t;
    QPCIBar bar2;
    g_autofree char *err = NULL;

    bars_start(&t, "basic", "[bar2]\nreadonly=true\n", NULL);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", "region 2 "),
                     ==, 0);
    bar2 = qpci_iomap(t.dev, 2, NULL);
    qpci_device_enable(t.dev);
    g_assert_cmphex(qpci_io_readl(t.dev, bar2, 0x100), ==, 0);
    for (int i = 0; i < 8; i++) {
        qpci_io_writel(t.dev, bar2, 0x100 + 4 * i, 0xdeadbeef);
    }
    g_assert_cmphex(qpci_io_readl(t.dev, bar2, 0x100), ==, 0);
    g_assert_cmpuint(traps(&t, 2), ==, 10);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(vt_count_lines(err, "BAR 2 write"), ==, 1);
    vt_stop(&t);
}

/* Sparse areas: only what the region allows is mapped, the rest traps */
static void test_sparse(void)
{
    VfioTest t;
    QPCIBar bar2;
    unsigned before;

    bars_start(&t, "basic",
               "[bar2]\nsparse=0x1000:0x2000,0x8000:0x8000\n", NULL);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", "region 2 "),
                     ==, 2);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap",
                                  "region 2 offset 0x1000 size 0x2000"), ==, 1);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap",
                                  "region 2 offset 0x8000 size 0x8000"), ==, 1);
    bar2 = qpci_iomap(t.dev, 2, NULL);
    qpci_device_enable(t.dev);
    before = traps(&t, 2);
    pattern_roundtrip(&t, bar2, 0x1000);
    pattern_roundtrip(&t, bar2, 0x9000);
    g_assert_cmpuint(traps(&t, 2), ==, before);
    /* Outside the areas it traps and still reaches the same memory */
    pattern_roundtrip(&t, bar2, 0x4000);
    g_assert_cmpuint(traps(&t, 2), ==, before + 33);
    vt_stop(&t);
}

/* MSI-X in BAR3 (table at 0, PBA at 0x2000): those pages stay trapped */
static void test_msix_pages(void)
{
    VfioTest t;
    QPCIBar bar3;
    unsigned before;

    bars_start(&t, "msix", NULL, NULL);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", "region 3 "),
                     ==, 2);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap",
                                  "region 3 offset 0x1000 size 0x1000"), ==, 1);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap",
                                  "region 3 offset 0x3000 size 0x1000"), ==, 1);
    bar3 = qpci_iomap(t.dev, 3, NULL);
    qpci_device_enable(t.dev);
    before = traps(&t, 3);
    pattern_roundtrip(&t, bar3, 0x1000);
    g_assert_cmpuint(traps(&t, 3), ==, before);
    /* The rest of the PBA's page traps to the device */
    pattern_roundtrip(&t, bar3, 0x2800);
    g_assert_cmpuint(traps(&t, 3), ==, before + 33);
    /* The table itself is emulated: the device's never sees the guest */
    qpci_io_writel(t.dev, bar3, 0, 0xfee00000);
    g_assert_cmphex(qpci_io_readl(t.dev, bar3, 0), ==, 0xfee00000);
    g_assert_cmpuint(traps(&t, 3), ==, before + 33);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_msix_table_access", NULL),
                     ==, 0);
    vt_stop(&t);

    /* MSIX_MAPPABLE: the whole BAR is mapped, the table still emulated */
    bars_start(&t, "msix", "[msix]\nmappable=true\n", NULL);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", "region 3 "),
                     ==, 1);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap",
                                  "region 3 offset 0x0 size 0x4000"), ==, 1);
    bar3 = qpci_iomap(t.dev, 3, NULL);
    qpci_device_enable(t.dev);
    pattern_roundtrip(&t, bar3, 0x2800);
    qpci_io_writel(t.dev, bar3, 0, 0xfee00000);
    g_assert_cmphex(qpci_io_readl(t.dev, bar3, 0), ==, 0xfee00000);
    g_assert_cmpuint(traps(&t, 3), ==, 0);
    vt_stop(&t);
}

/* The fake's msix profile keeps BAR0's register page out of its areas */
static void test_sparse_bar0(void)
{
    VfioTest t;
    QPCIBar bar0;
    unsigned before;

    bars_start(&t, "msix", NULL, NULL);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap",
                                  "region 0 offset 0x1000 size 0x1f000"),
                     ==, 1);
    bar0 = qpci_iomap(t.dev, 0, NULL);
    qpci_device_enable(t.dev);
    before = traps(&t, 0);
    g_assert_cmphex(qpci_io_readl(t.dev, bar0, VT_REG_ID), ==, VT_FAKE_ID);
    g_assert_cmpuint(traps(&t, 0), ==, before + 1);
    pattern_roundtrip(&t, bar0, 0x10000);
    g_assert_cmpuint(traps(&t, 0), ==, before + 1);
    vt_stop(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/bars/sizes-and-types", test_sizes_and_types);
    g_test_add_func("/vfio/bars/impossible-sizes", test_impossible_sizes);
    g_test_add_func("/vfio/bars/readonly", test_readonly_bar);
    g_test_add_func("/vfio/bars/slow-path", test_slow_path);
    g_test_add_func("/vfio/bars/fast-path", test_fast_path);
    g_test_add_func("/vfio/bars/sparse", test_sparse);
    g_test_add_func("/vfio/bars/sparse-bar0", test_sparse_bar0);
    g_test_add_func("/vfio/bars/msix-pages", test_msix_pages);
    return g_test_run();
}
