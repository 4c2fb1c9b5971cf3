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
#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "libqtest.h"

#define DEVFN QPCI_DEVFN(3, 0)
#define FAKE_ID 0xfa4e0001
#define REG_ID 0x00
#define REG_SCRATCH 0x04

typedef struct BarsTest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    char *dir;
    char *log;
} BarsTest;

static char *write_ini(const char *dir, const char *text)
{
    char *path = g_build_filename(dir, "spec.ini", NULL);

    g_assert(g_file_set_contents(path, text, -1, NULL));
    return path;
}

/* @host: "fake:PROFILE"; @ini: spec text or NULL; @opts: more properties. */
static void bars_start(BarsTest *t, const char *host, const char *ini,
                       const char *opts)
{
    g_autofree char *spec = NULL;

    t->dir = g_dir_make_tmp("vfio-bars-XXXXXX", NULL);
    t->log = g_build_filename(t->dir, "trace.log", NULL);
    if (ini) {
        g_autofree char *path = write_ini(t->dir, ini);
        spec = g_strdup_printf("%s:%s", host, path);
    } else {
        spec = g_strdup(host);
    }
    t->qts = qtest_initf("-m 256 -device vfio-pci,host=%s,addr=3.0%s "
                         "-trace 'vfio_region_*' -trace 'fake_vfio_region_*' "
                         "-trace 'vfio_bar_*' -D %s", spec, opts ? opts : "",
                         t->log);
    t->bus = qpci_new_pc(t->qts);
    t->dev = qpci_device_find(t->bus, DEVFN);
    g_assert(t->dev);
}

static void bars_stop(BarsTest *t)
{
    g_autofree char *ini = g_build_filename(t->dir, "spec.ini", NULL);

    qpci_device_free(t->dev);
    qpci_free(t->bus);
    g_assert_cmpint(qtest_quit(t->qts), ==, 0);
    unlink(t->log);
    unlink(ini);
    rmdir(t->dir);
    g_free(t->log);
    g_free(t->dir);
}

/* Trace lines of @event whose arguments contain @needle (NULL: any). */
static unsigned trace_count(BarsTest *t, const char *event,
                            const char *needle)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *tag = g_strdup_printf(":%s ", event);
    unsigned n = 0;

    if (!g_file_get_contents(t->log, &text, NULL, NULL)) {
        return 0;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *p = strstr(*l, tag);

        if (p && (!needle || strstr(p + strlen(tag), needle))) {
            n++;
        }
    }
    return n;
}

/* Slow-path accesses to BAR @nr (reads and writes) so far. */
static unsigned traps(BarsTest *t, int nr)
{
    g_autofree char *needle = g_strdup_printf(" BAR %d ", nr);

    return trace_count(t, "vfio_region_read", needle) +
           trace_count(t, "vfio_region_write", needle);
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
    BarsTest t;
    uint64_t size;

    /* basic: BAR0 4 KiB mem32, BAR2/3 a 64 KiB prefetchable mem64 */
    bars_start(&t, "fake:basic", NULL, NULL);
    g_assert_cmphex(bar_probe(t.dev, 0), ==, 0xfffff000);
    g_assert_cmphex(bar_probe(t.dev, 1), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 2), ==,
                    0xffff0000 | PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(bar_probe(t.dev, 3), ==, 0xffffffff);   /* upper half */
    g_assert_cmphex(bar_probe(t.dev, 4), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 5), ==, 0);
    bars_stop(&t);

    /* msix (e1000e-like): BAR0 128 KiB, BAR1 32-byte I/O, BAR3 16 KiB */
    bars_start(&t, "fake:msix", NULL, NULL);
    g_assert_cmphex(bar_probe(t.dev, 0), ==, 0xfffe0000);
    g_assert_cmphex(bar_probe(t.dev, 1), ==, 0xffffffe0 |
                    PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(bar_probe(t.dev, 2), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 3), ==, 0xffffc000);
    qpci_iomap(t.dev, 1, &size);
    g_assert_cmpuint(size, ==, 32);
    bars_stop(&t);

    /* A 32-bit BAR2 frees BAR3; a 4-byte I/O BAR */
    bars_start(&t, "fake:basic",
               "[bar2]\nsize=0x4000\ntype=mem32\nprefetch=false\n"
               "[bar4]\nsize=4\ntype=io\n", NULL);
    g_assert_cmphex(bar_probe(t.dev, 2), ==, 0xffffc000);
    g_assert_cmphex(bar_probe(t.dev, 3), ==, 0);
    g_assert_cmphex(bar_probe(t.dev, 4), ==, 0xfffffffc |
                    PCI_BASE_ADDRESS_SPACE_IO);
    bars_stop(&t);
}

/* BAR0's registers are never mmap'd: each access reaches the device */
static void test_slow_path(void)
{
    BarsTest t;
    QPCIBar bar0;
    unsigned before;

    bars_start(&t, "fake:basic", NULL, NULL);
    bar0 = qpci_iomap(t.dev, 0, NULL);
    qpci_device_enable(t.dev);
    before = traps(&t, 0);
    g_assert_cmphex(qpci_io_readl(t.dev, bar0, REG_ID), ==, FAKE_ID);
    qpci_io_writel(t.dev, bar0, REG_SCRATCH, 0x12345678);
    g_assert_cmphex(qpci_io_readl(t.dev, bar0, REG_SCRATCH), ==, 0x12345678);
    g_assert_cmpuint(traps(&t, 0), ==, before + 3);
    /* The guest's access size reaches the device */
    g_assert_cmpuint(trace_count(&t, "vfio_region_read", " size 4 "), >=, 2);
    qpci_io_readw(t.dev, bar0, REG_SCRATCH + 2);
    g_assert_cmpuint(trace_count(&t, "vfio_region_read", "+0x6 size 2 "),
                     ==, 1);
    bars_stop(&t);
}

/* Write a pattern through @bar at @off and read it back. */
static void pattern_roundtrip(BarsTest *t, QPCIBar bar, uint64_t off)
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
    BarsTest t;
    QPCIBar bar2;

    bars_start(&t, "fake:basic", NULL, NULL);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap", "region 2 "),
                     ==, 1);
    bar2 = qpci_iomap(t.dev, 2, NULL);
    qpci_device_enable(t.dev);
    pattern_roundtrip(&t, bar2, 0x100);
    pattern_roundtrip(&t, bar2, 0xffc0);
    g_assert_cmpuint(traps(&t, 2), ==, 0);
    bars_stop(&t);

    bars_start(&t, "fake:basic", NULL, ",x-no-mmap=on");
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap", NULL), ==, 0);
    bar2 = qpci_iomap(t.dev, 2, NULL);
    qpci_device_enable(t.dev);
    pattern_roundtrip(&t, bar2, 0x100);
    g_assert_cmpuint(traps(&t, 2), ==, 16 + 16 + 1);
    /* A 64-bit access stays one access */
    g_assert_cmpuint(trace_count(&t, "vfio_region_read", "size 8 "), ==, 1);
    bars_stop(&t);
}

/* Sparse areas: only what the region allows is mapped, the rest traps */
static void test_sparse(void)
{
    BarsTest t;
    QPCIBar bar2;
    unsigned before;

    bars_start(&t, "fake:basic",
               "[bar2]\nsparse=0x1000:0x2000,0x8000:0x8000\n", NULL);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap", "region 2 "),
                     ==, 2);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap",
                                 "region 2 offset 0x1000 size 0x2000"), ==, 1);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap",
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
    bars_stop(&t);
}

/* MSI-X in BAR3 (table at 0, PBA at 0x2000): those pages stay trapped */
static void test_msix_pages(void)
{
    BarsTest t;
    QPCIBar bar3;
    unsigned before;

    bars_start(&t, "fake:msix", NULL, NULL);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap", "region 3 "),
                     ==, 2);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap",
                                 "region 3 offset 0x1000 size 0x1000"), ==, 1);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap",
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
    g_assert_cmpuint(trace_count(&t, "fake_vfio_msix_table_access", NULL),
                     ==, 0);
    bars_stop(&t);

    /* MSIX_MAPPABLE: the whole BAR is mapped, the table still emulated */
    bars_start(&t, "fake:msix", "[msix]\nmappable=true\n", NULL);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap", "region 3 "),
                     ==, 1);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap",
                                 "region 3 offset 0x0 size 0x4000"), ==, 1);
    bar3 = qpci_iomap(t.dev, 3, NULL);
    qpci_device_enable(t.dev);
    pattern_roundtrip(&t, bar3, 0x2800);
    qpci_io_writel(t.dev, bar3, 0, 0xfee00000);
    g_assert_cmphex(qpci_io_readl(t.dev, bar3, 0), ==, 0xfee00000);
    g_assert_cmpuint(traps(&t, 3), ==, 0);
    bars_stop(&t);
}

/* The fake's msix profile keeps BAR0's register page out of its areas */
static void test_sparse_bar0(void)
{
    BarsTest t;
    QPCIBar bar0;
    unsigned before;

    bars_start(&t, "fake:msix", NULL, NULL);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap",
                                 "region 0 offset 0x1000 size 0x1f000"), ==, 1);
    bar0 = qpci_iomap(t.dev, 0, NULL);
    qpci_device_enable(t.dev);
    before = traps(&t, 0);
    g_assert_cmphex(qpci_io_readl(t.dev, bar0, REG_ID), ==, FAKE_ID);
    g_assert_cmpuint(traps(&t, 0), ==, before + 1);
    pattern_roundtrip(&t, bar0, 0x10000);
    g_assert_cmpuint(traps(&t, 0), ==, before + 1);
    bars_stop(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/bars/sizes-and-types", test_sizes_and_types);
    g_test_add_func("/vfio/bars/slow-path", test_slow_path);
    g_test_add_func("/vfio/bars/fast-path", test_fast_path);
    g_test_add_func("/vfio/bars/sparse", test_sparse);
    g_test_add_func("/vfio/bars/sparse-bar0", test_sparse_bar0);
    g_test_add_func("/vfio/bars/msix-pages", test_msix_pages);
    return g_test_run();
}
