/*
 * Unit tests for vfio-pci BARs: carving the MSI-X table and PBA pages out
 * of a BAR's mmap areas (vfio_mmap_areas_carve), and a vfio-pci device
 * realized in-process over the fake backend for what the slow path does
 * when the device fails, and the fast path when mmap fails.
 */
#include "qemu/osdep.h"
#include "qemu/trace.h"
#include "hw/vfio/vfio-pci.h"
#include "fake-vfio.h"
#include "pci-test-util.h"

#define PAGE_4K 0x1000
#define PAGE_64K 0x10000

static unsigned carve(const VFIOMmapArea *areas, unsigned nr_areas,
                      const VFIOMmapArea *holes, unsigned nr_holes,
                      uint64_t page, VFIOMmapArea **out)
{
    return vfio_mmap_areas_carve(areas, nr_areas, holes, nr_holes, page, out);
}

static void assert_area(const VFIOMmapArea *a, uint64_t offset, uint64_t size)
{
    g_assert_cmphex(a->offset, ==, offset);
    g_assert_cmphex(a->size, ==, size);
}

static void test_no_holes(void)
{
    VFIOMmapArea areas[] = { { 0, 0x4000 }, { 0x8000, 0x8000 } };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(areas, 2, NULL, 0, PAGE_4K, &out), ==, 2);
    assert_area(&out[0], 0, 0x4000);
    assert_area(&out[1], 0x8000, 0x8000);
}

/* A table in the middle splits the area around its page */
static void test_table_middle(void)
{
    VFIOMmapArea area = { 0, 0x10000 };
    VFIOMmapArea table = { 0x2000, 8 * PCI_MSIX_ENTRY_SIZE };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(&area, 1, &table, 1, PAGE_4K, &out), ==, 2);
    assert_area(&out[0], 0, 0x2000);
    assert_area(&out[1], 0x3000, 0xd000);
}

/* An unaligned table that crosses a page boundary takes both pages */
static void test_table_unaligned(void)
{
    VFIOMmapArea area = { 0, 0x10000 };
    VFIOMmapArea table = { 0x2f80, 0x100 };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(&area, 1, &table, 1, PAGE_4K, &out), ==, 2);
    assert_area(&out[0], 0, 0x2000);
    assert_area(&out[1], 0x4000, 0xc000);
}

/* Table and PBA sharing the first page: one hole, one piece left */
static void test_table_pba_same_page(void)
{
    VFIOMmapArea area = { 0, 0x4000 };
    VFIOMmapArea holes[] = { { 0, 0x100 }, { 0x800, 8 } };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(&area, 1, holes, 2, PAGE_4K, &out), ==, 1);
    assert_area(&out[0], 0x1000, 0x3000);
}

/* Table and PBA on different pages: three pieces */
static void test_table_pba_apart(void)
{
    VFIOMmapArea area = { 0, 0x8000 };
    VFIOMmapArea holes[] = { { 0x6000, 8 }, { 0x2000, 0x200 } };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(&area, 1, holes, 2, PAGE_4K, &out), ==, 3);
    assert_area(&out[0], 0, 0x2000);
    assert_area(&out[1], 0x3000, 0x3000);
    assert_area(&out[2], 0x7000, 0x1000);
}

/* A hole at the end of the area, and one covering an area whole */
static void test_hole_at_end_and_whole(void)
{
    VFIOMmapArea areas[] = { { 0, 0x4000 }, { 0x4000, 0x1000 } };
    VFIOMmapArea holes[] = { { 0x3ff0, 0x10 }, { 0x4000, 0x1000 } };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(areas, 2, holes, 2, PAGE_4K, &out), ==, 1);
    assert_area(&out[0], 0, 0x3000);
}

/* A table that is the whole single-page area leaves nothing to map */
static void test_nothing_left(void)
{
    VFIOMmapArea area = { 0, 0x1000 };
    VFIOMmapArea table = { 0, 0x800 };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(&area, 1, &table, 1, PAGE_4K, &out), ==, 0);
}

/* Sparse areas: only the ones the hole touches change */
static void test_sparse_areas(void)
{
    VFIOMmapArea areas[] = { { 0, 0x2000 }, { 0x3000, 0x3000 },
                             { 0x8000, 0x8000 } };
    VFIOMmapArea table = { 0x4000, 0x40 };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(areas, 3, &table, 1, PAGE_4K, &out), ==, 4);
    assert_area(&out[0], 0, 0x2000);
    assert_area(&out[1], 0x3000, 0x1000);
    assert_area(&out[2], 0x5000, 0x1000);
    assert_area(&out[3], 0x8000, 0x8000);
}

/* A hole in a gap between areas changes nothing */
static void test_hole_in_gap(void)
{
    VFIOMmapArea areas[] = { { 0, 0x2000 }, { 0x3000, 0x1000 } };
    VFIOMmapArea table = { 0x2000, 0x100 };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(areas, 2, &table, 1, PAGE_4K, &out), ==, 2);
    assert_area(&out[0], 0, 0x2000);
    assert_area(&out[1], 0x3000, 0x1000);
}

/* With 64 KiB host pages the hole grows to the whole 64 KiB page */
static void test_large_page(void)
{
    VFIOMmapArea area = { 0, 0x40000 };
    VFIOMmapArea holes[] = { { 0x12000, 0x100 }, { 0x13000, 8 } };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(&area, 1, holes, 2, PAGE_64K, &out), ==, 2);
    assert_area(&out[0], 0, 0x10000);
    assert_area(&out[1], 0x20000, 0x20000);
}

/* Empty areas and empty holes are ignored */
static void test_empty(void)
{
    VFIOMmapArea areas[] = { { 0, 0 }, { 0x1000, 0x1000 } };
    VFIOMmapArea holes[] = { { 0x1000, 0 } };
    g_autofree VFIOMmapArea *out = NULL;

    g_assert_cmpuint(carve(areas, 2, holes, 1, PAGE_4K, &out), ==, 1);
    assert_area(&out[0], 0x1000, 0x1000);
}

/*
 * A vfio-pci device over the fake's "basic" profile (fake-vfio.h): BAR0
 * its 4 KiB register page, never mmap'd, BAR2 64 KiB of mmap'd memory.
 */

#define FAKE_HOST "fake:basic"
#define FAKE_ID 0xfa4e0001          /* BAR0 register 0x00 */
#define FAKE_REG_SCRATCH 0x04
#define FAKE_BUF 0x800              /* BAR0's device buffer: plain memory */
#define BAR0_ADDR 0xe0000000ULL
#define BAR2_ADDR 0xe0100000ULL

/*
 * The fake is opened inside realize, which maps the BARs right away: too
 * early for fake_vfio_inject_fault(fake_vfio_last(), ...). This provider
 * opens the fake for host=fake-mmap-fails:PROFILE with its next mmap
 * failing; everything else is the fake's.
 */
#define MMAP_FAILS_PREFIX "fake-mmap-fails:"

static bool mmap_fails_claims(const char *host, const char *sysfsdev)
{
    return host && g_str_has_prefix(host, MMAP_FAILS_PREFIX);
}

static VFIOBackend *mmap_fails_open(const char *host, const char *sysfsdev,
                                    Error **errp)
{
    FakeVFIODevice *f = fake_vfio_open(host + strlen(MMAP_FAILS_PREFIX),
                                       errp);

    if (!f) {
        return NULL;
    }
    fake_vfio_inject_fault(f, FAKE_FAULT_MMAP, 1);
    return fake_vfio_backend(f);
}

static const VFIOBackendProvider mmap_fails_provider = {
    .name = "fake-mmap-fails",
    .claims = mmap_fails_claims,
    .open = mmap_fails_open,
};

/* Realize over @host, BAR0 and BAR2 placed, memory decoding on. */
static VFIOPCIDevice *fake_realize(const char *host)
{
    PCIDevice *pdev = pci_test_new(TYPE_VFIO_PCI, &error_abort,
                                   "host", host, NULL);

    pci_config_write(pdev, PCI_BASE_ADDRESS_0, BAR0_ADDR, 4);
    pci_config_write(pdev, PCI_BASE_ADDRESS_2, BAR2_ADDR, 4);
    pci_config_write(pdev, PCI_BASE_ADDRESS_3, 0, 4);
    pci_config_write(pdev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    return VFIO_PCI(pdev);
}

/*
 * The fake counts the model's calls but not their size: the model traces
 * each one (vfio_region_read/write) with the offset and size it passes.
 */
static void last_access(const char *name, const char *args, void *opaque)
{
    g_string_assign(opaque, args);
}

/* Mappings of the fake's BAR2 memory in this process. */
static unsigned bar2_mappings(void)
{
    g_autofree char *maps = NULL;
    unsigned n = 0;

    g_assert_true(g_file_get_contents("/proc/self/maps", &maps, NULL, NULL));
    for (const char *p = maps; (p = strstr(p, "memfd:fake-vfio-bar2")); p++) {
        n++;
    }
    return n;
}

/* Each access reaches the device whole, at the guest's size */
static void test_slow_path_sizes(void)
{
    VFIOPCIDevice *vdev = fake_realize(FAKE_HOST);
    const FakeVFIOCounters *c = fake_vfio_counters(fake_vfio_last());
    g_autoptr(GString) last = g_string_new(NULL);
    MemTxResult res;

    g_assert_true(trace_enable_pattern("vfio_region_read", true));
    g_assert_true(trace_enable_pattern("vfio_region_write", true));
    trace_set_observer(last_access, last);
    for (unsigned size = 1; size <= 8; size *= 2) {
        g_autofree char *at = g_strdup_printf(" BAR 0 +0x%x size %u ",
                                              FAKE_BUF + 0x10, size);
        unsigned reads = c->bar_reads, writes = c->bar_writes;

        pci_test_write(BAR0_ADDR + FAKE_BUF + 0x10, size, 0x1122334455667788ULL);
        g_assert_cmpuint(c->bar_writes, ==, writes + 1);
        g_assert_nonnull(strstr(last->str, at));
        g_assert_cmphex(pci_test_read(BAR0_ADDR + FAKE_BUF + 0x10, size, &res), ==,
                        0x1122334455667788ULL & (~0ULL >> (64 - 8 * size)));
        g_assert_cmpint(res, ==, MEMTX_OK);
        g_assert_cmpuint(c->bar_reads, ==, reads + 1);
        g_assert_nonnull(strstr(last->str, at));
    }
    trace_set_observer(NULL, NULL);
    trace_enable_pattern("vfio_region_*", false);
    g_assert_cmphex(pci_test_read(BAR0_ADDR, 4, &res), ==, FAKE_ID);
    /* Unaligned accesses are refused, not split */
    pci_test_read(BAR0_ADDR + 2, 4, &res);
    g_assert_cmpint(res, ==, MEMTX_ERROR);
    pci_test_destroy(&vdev->pdev);
}

/* A failing device: all ones, writes dropped, one warning naming the BAR */
static void test_slow_path_errors(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    g_autofree char *warning = NULL;
    VFIOPCIDevice *vdev;
    FakeVFIODevice *f;
    const FakeVFIOCounters *c;
    unsigned reads, writes;
    MemTxResult res;

    error_capture_begin(log);
    vdev = fake_realize(FAKE_HOST);
    f = fake_vfio_last();
    c = fake_vfio_counters(f);
    reads = c->bar_reads;
    writes = c->bar_writes;
    fake_vfio_inject_fault(f, FAKE_FAULT_REGION_EIO,
                           VFIO_PCI_BAR0_REGION_INDEX);
    g_assert_cmphex(pci_test_read(BAR0_ADDR, 4, &res), ==, 0xffffffff);
    g_assert_cmphex(pci_test_read(BAR0_ADDR + 8, 8, &res), ==, UINT64_MAX);
    g_assert_cmphex(pci_test_read(BAR0_ADDR + 1, 1, &res), ==, 0xff);
    pci_test_write(BAR0_ADDR + FAKE_REG_SCRATCH, 4, 0x1234);
    error_capture_end();
    g_assert_cmpuint(c->bar_reads, ==, reads + 3);
    g_assert_cmpuint(c->bar_writes, ==, writes + 1);
    /* The device works again: the write never reached it */
    fake_vfio_inject_fault(f, FAKE_FAULT_REGION_EIO, UINT32_MAX);
    g_assert_cmphex(pci_test_read(BAR0_ADDR + FAKE_REG_SCRATCH, 4, &res), ==, 0);
    warning = g_strdup_printf("vfio %s: BAR 0 read", vdev->name);
    g_assert_nonnull(strstr(log->str, warning));
    g_assert_cmpuint(strchr(log->str, '\n') - log->str + 1, ==, log->len);
    pci_test_destroy(&vdev->pdev);
}

/* mmap fails: one warning, and the slow path serves the whole BAR */
static void test_mmap_fails(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    g_autofree char *warning = NULL;
    VFIOPCIDevice *vdev;
    const FakeVFIOCounters *c;
    MemTxResult res;

    error_capture_begin(log);
    vdev = fake_realize(MMAP_FAILS_PREFIX "basic");
    error_capture_end();
    c = fake_vfio_counters(fake_vfio_last());
    warning = g_strdup_printf("vfio %s: BAR 2 mmap failed (fake-vfio %s: "
                              "mmap of region 2 failed (injected)",
                              vdev->name, vdev->name);
    g_assert_nonnull(strstr(log->str, warning));
    g_assert_nonnull(strstr(log->str, "), performance may be slow"));
    g_assert_cmpuint(vdev->bars[2].nr_mmaps, ==, 0);
    pci_test_write(BAR2_ADDR + 0x100, 4, 0xcafe);
    g_assert_cmphex(pci_test_read(BAR2_ADDR + 0x100, 4, &res), ==, 0xcafe);
    g_assert_cmpuint(c->bar_reads, ==, 1);
    g_assert_cmpuint(c->bar_writes, ==, 1);
    pci_test_destroy(&vdev->pdev);
}

/* The fast path can be turned off (INTx) and on again */
static void test_mmaps_enabled(void)
{
    unsigned mapped = bar2_mappings();
    VFIOPCIDevice *vdev = fake_realize(FAKE_HOST);
    const FakeVFIOCounters *c = fake_vfio_counters(fake_vfio_last());
    MemTxResult res;

    g_assert_cmpuint(c->region_mmaps, ==, 1);
    g_assert_cmpuint(vdev->bars[2].nr_mmaps, ==, 1);
    g_assert_cmpuint(bar2_mappings(), ==, mapped + 1);
    pci_test_write(BAR2_ADDR + 0x200, 4, 0xbeef);
    g_assert_cmphex(pci_test_read(BAR2_ADDR + 0x200, 4, &res), ==, 0xbeef);
    g_assert_cmpuint(c->bar_reads + c->bar_writes, ==, 0);

    vfio_bars_set_mmaps_enabled(vdev, false);
    g_assert_false(vdev->bars[2].mmaps_enabled);
    g_assert_cmphex(pci_test_read(BAR2_ADDR + 0x200, 4, &res), ==, 0xbeef);
    g_assert_cmpuint(c->bar_reads, ==, 1);

    vfio_bars_set_mmaps_enabled(vdev, true);
    g_assert_cmphex(pci_test_read(BAR2_ADDR + 0x200, 4, &res), ==, 0xbeef);
    g_assert_cmpuint(c->bar_reads, ==, 1);
    /* Unmapped at exit */
    pci_test_destroy(&vdev->pdev);
    g_assert_cmpuint(bar2_mappings(), ==, mapped);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    pci_test_machine_init(0x100000);
    vfio_backend_register_provider(&mmap_fails_provider);

    g_test_add_func("/vfio/bars/carve/no-holes", test_no_holes);
    g_test_add_func("/vfio/bars/carve/table-middle", test_table_middle);
    g_test_add_func("/vfio/bars/carve/table-unaligned", test_table_unaligned);
    g_test_add_func("/vfio/bars/carve/table-pba-same-page",
                    test_table_pba_same_page);
    g_test_add_func("/vfio/bars/carve/table-pba-apart", test_table_pba_apart);
    g_test_add_func("/vfio/bars/carve/end-and-whole",
                    test_hole_at_end_and_whole);
    g_test_add_func("/vfio/bars/carve/nothing-left", test_nothing_left);
    g_test_add_func("/vfio/bars/carve/sparse", test_sparse_areas);
    g_test_add_func("/vfio/bars/carve/hole-in-gap", test_hole_in_gap);
    g_test_add_func("/vfio/bars/carve/large-page", test_large_page);
    g_test_add_func("/vfio/bars/carve/empty", test_empty);
    g_test_add_func("/vfio/bars/slow-path/sizes", test_slow_path_sizes);
    g_test_add_func("/vfio/bars/slow-path/errors", test_slow_path_errors);
    g_test_add_func("/vfio/bars/mmap-fails", test_mmap_fails);
    g_test_add_func("/vfio/bars/mmaps-enabled", test_mmaps_enabled);
    return g_test_run();
}
