/*
 * Unit tests for vfio-pci BARs: carving the MSI-X table and PBA pages out
 * of a BAR's mmap areas (vfio_mmap_areas_carve), and a vfio-pci device
 * realized in-process over a stub backend for what the slow path does
 * when the device fails, and the fast path when mmap fails.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"

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

/* A stub backend: BAR0 4 KiB registers, BAR2 64 KiB mmappable memory */

#define STUB_NAME "0000:00:0f.0"
#define STUB_BAR0_SIZE 0x1000
#define STUB_BAR2_SIZE 0x10000
#define BAR0_ADDR 0xe0000000ULL
#define BAR2_ADDR 0xe0100000ULL

typedef struct StubDevice {
    VFIOBackend backend;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t bar0[STUB_BAR0_SIZE];
    uint8_t *bar2;
    bool eio;                   /* BAR0 accesses fail */
    bool mmap_fails;
    unsigned bar_reads, bar_writes, mmaps, munmaps;
    unsigned last_size;
    uint64_t last_offset;
} StubDevice;

static StubDevice stub;
static PCIBus *bus;
static MemoryRegion ram;

static bool stub_device_info(VFIOBackend *b, VFIODeviceInfo *info,
                             Error **errp)
{
    info->flags = VFIO_DEVICE_FLAGS_PCI;
    info->num_regions = VFIO_PCI_NUM_REGIONS;
    info->num_irqs = VFIO_PCI_NUM_IRQS;
    return true;
}

static uint64_t stub_region_size(uint32_t index)
{
    switch (index) {
    case VFIO_PCI_CONFIG_REGION_INDEX:
        return PCI_CONFIG_SPACE_SIZE;
    case VFIO_PCI_BAR0_REGION_INDEX:
        return STUB_BAR0_SIZE;
    case VFIO_PCI_BAR2_REGION_INDEX:
        return STUB_BAR2_SIZE;
    default:
        return 0;
    }
}

static bool stub_region_info(VFIOBackend *b, uint32_t index,
                             VFIORegionInfo *info, Error **errp)
{
    memset(info, 0, sizeof(*info));
    info->index = index;
    info->size = stub_region_size(index);
    if (info->size) {
        info->flags = VFIO_REGION_INFO_FLAG_READ |
                      VFIO_REGION_INFO_FLAG_WRITE;
    }
    if (index == VFIO_PCI_BAR2_REGION_INDEX) {
        info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
        info->nr_mmap_areas = 1;
        info->mmap_areas = g_new0(VFIOMmapArea, 1);
        info->mmap_areas[0].size = info->size;
    }
    return true;
}

static uint8_t *stub_region_ptr(uint32_t index)
{
    switch (index) {
    case VFIO_PCI_CONFIG_REGION_INDEX:
        return stub.config;
    case VFIO_PCI_BAR0_REGION_INDEX:
        return stub.bar0;
    default:
        return stub.bar2;
    }
}

static ssize_t stub_region_rw(uint32_t index, uint64_t offset, void *buf,
                              size_t len, bool write)
{
    uint8_t *p = stub_region_ptr(index);

    if (offset + len > stub_region_size(index)) {
        return -EINVAL;
    }
    if (index != VFIO_PCI_CONFIG_REGION_INDEX) {
        write ? stub.bar_writes++ : stub.bar_reads++;
        stub.last_size = len;
        stub.last_offset = offset;
        if (index == VFIO_PCI_BAR0_REGION_INDEX && stub.eio) {
            return -EIO;
        }
    }
    if (write) {
        memcpy(p + offset, buf, len);
    } else {
        memcpy(buf, p + offset, len);
    }
    return len;
}

static ssize_t stub_region_read(VFIOBackend *b, uint32_t index,
                                uint64_t offset, void *buf, size_t len)
{
    return stub_region_rw(index, offset, buf, len, false);
}

static ssize_t stub_region_write(VFIOBackend *b, uint32_t index,
                                 uint64_t offset, const void *buf, size_t len)
{
    return stub_region_rw(index, offset, (void *)buf, len, true);
}

static void *stub_region_mmap(VFIOBackend *b, uint32_t index, uint64_t offset,
                              uint64_t size, int prot, Error **errp)
{
    if (stub.mmap_fails) {
        error_setg(errp, "stub: mmap refused");
        return NULL;
    }
    stub.mmaps++;
    return stub_region_ptr(index) + offset;
}

static void stub_region_munmap(VFIOBackend *b, void *ptr, uint64_t size)
{
    stub.munmaps++;
}

static bool stub_irq_info(VFIOBackend *b, uint32_t index, VFIOIRQInfo *info,
                          Error **errp)
{
    info->index = index;
    info->flags = VFIO_IRQ_INFO_EVENTFD;
    info->count = 0;
    return true;
}

static int stub_set_irqs(VFIOBackend *b, uint32_t index, uint32_t flags,
                         uint32_t start, uint32_t count, const void *data)
{
    return 0;
}

static bool stub_iommu_info(VFIOBackend *b, VFIOIOMMUInfo *info, Error **errp)
{
    memset(info, 0, sizeof(*info));
    info->pgsizes = 0x1000;
    return true;
}

static bool stub_dma_map(VFIOBackend *b, uint64_t iova, uint64_t size,
                         void *vaddr, bool readonly, Error **errp)
{
    return true;
}

static bool stub_dma_unmap(VFIOBackend *b, uint64_t iova, uint64_t size,
                           Error **errp)
{
    return true;
}

static void stub_close(VFIOBackend *b)
{
}

static const VFIOBackendOps stub_ops = {
    .name = "stub",
    .get_device_info = stub_device_info,
    .get_region_info = stub_region_info,
    .region_read = stub_region_read,
    .region_write = stub_region_write,
    .region_mmap = stub_region_mmap,
    .region_munmap = stub_region_munmap,
    .get_irq_info = stub_irq_info,
    .set_irqs = stub_set_irqs,
    .get_iommu_info = stub_iommu_info,
    .dma_map = stub_dma_map,
    .dma_unmap = stub_dma_unmap,
    .close = stub_close,
};

static bool stub_claims(const char *host, const char *sysfsdev)
{
    return host && !strcmp(host, "stub");
}

static VFIOBackend *stub_open(const char *host, const char *sysfsdev,
                              Error **errp)
{
    return &stub.backend;
}

static const VFIOBackendProvider stub_provider = {
    .name = "stub",
    .claims = stub_claims,
    .open = stub_open,
};

static void stub_reset(bool eio, bool mmap_fails)
{
    g_free(stub.bar2);
    memset(&stub, 0, sizeof(stub));
    stub.backend.ops = &stub_ops;
    stub.backend.name = (char *)STUB_NAME;
    stub.backend.group_id = -1;
    stub.bar2 = g_malloc0(STUB_BAR2_SIZE);
    stub.eio = eio;
    stub.mmap_fails = mmap_fails;
    pci_set_word(stub.config + PCI_VENDOR_ID, 0x1234);
    pci_set_word(stub.config + PCI_DEVICE_ID, 0x5678);
    pci_set_long(stub.config + PCI_BASE_ADDRESS_2,
                 PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    stl_le_p(stub.bar0, 0xfa4e0001);
}

static VFIOPCIDevice *stub_realize(bool eio, bool mmap_fails)
{
    DeviceState *qdev = qdev_new(TYPE_VFIO_PCI);
    PCIDevice *pdev = PCI_DEVICE(qdev);

    stub_reset(eio, mmap_fails);
    qdev_prop_set(qdev, "host", "stub", &error_abort);
    qdev_realize(qdev, &bus->qbus, &error_abort);
    object_unref(OBJECT(qdev));
    pci_config_write(pdev, PCI_BASE_ADDRESS_0, BAR0_ADDR, 4);
    pci_config_write(pdev, PCI_BASE_ADDRESS_2, BAR2_ADDR, 4);
    pci_config_write(pdev, PCI_BASE_ADDRESS_3, 0, 4);
    pci_config_write(pdev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    return VFIO_PCI(qdev);
}

static void stub_destroy(VFIOPCIDevice *vdev)
{
    qdev_unrealize(DEVICE(vdev));
    object_unparent(OBJECT(vdev));
}

static uint64_t bar_read(hwaddr addr, unsigned size, MemTxResult *res)
{
    uint64_t val = 0;

    *res = address_space_read_sized(&address_space_memory, addr, size, &val);
    return val;
}

static MemTxResult bar_write(hwaddr addr, unsigned size, uint64_t val)
{
    return address_space_write_sized(&address_space_memory, addr, size, val);
}

/* Each access reaches the device whole, at the guest's size */
static void test_slow_path_sizes(void)
{
    VFIOPCIDevice *vdev = stub_realize(false, false);
    MemTxResult res;

    for (unsigned size = 1; size <= 8; size *= 2) {
        unsigned reads = stub.bar_reads;

        bar_write(BAR0_ADDR + 0x10, size, 0x1122334455667788ULL);
        g_assert_cmpuint(stub.last_size, ==, size);
        g_assert_cmphex(bar_read(BAR0_ADDR + 0x10, size, &res), ==,
                        0x1122334455667788ULL & (~0ULL >> (64 - 8 * size)));
        g_assert_cmpint(res, ==, MEMTX_OK);
        g_assert_cmpuint(stub.bar_reads, ==, reads + 1);
        g_assert_cmpuint(stub.last_size, ==, size);
        g_assert_cmphex(stub.last_offset, ==, 0x10);
    }
    g_assert_cmphex(bar_read(BAR0_ADDR, 4, &res), ==, 0xfa4e0001);
    /* Unaligned accesses are refused, not split */
    bar_read(BAR0_ADDR + 2, 4, &res);
    g_assert_cmpint(res, ==, MEMTX_ERROR);
    stub_destroy(vdev);
}

/* A failing device: all ones, writes dropped, one warning naming the BAR */
static void test_slow_path_errors(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    VFIOPCIDevice *vdev;
    MemTxResult res;

    error_capture_begin(log);
    vdev = stub_realize(true, false);
    g_assert_cmphex(bar_read(BAR0_ADDR, 4, &res), ==, 0xffffffff);
    g_assert_cmphex(bar_read(BAR0_ADDR + 8, 8, &res), ==, UINT64_MAX);
    g_assert_cmphex(bar_read(BAR0_ADDR + 1, 1, &res), ==, 0xff);
    bar_write(BAR0_ADDR + 4, 4, 0x1234);
    error_capture_end();
    g_assert_cmpuint(stub.bar_reads, ==, 3);
    g_assert_cmpuint(stub.bar_writes, ==, 1);
    g_assert_cmphex(ldl_le_p(stub.bar0 + 4), ==, 0);
    g_assert_nonnull(strstr(log->str, "vfio " STUB_NAME ": BAR 0 read"));
    g_assert_cmpuint(strchr(log->str, '\n') - log->str + 1, ==, log->len);
    stub_destroy(vdev);
}

/* mmap fails: one warning, and the slow path serves the whole BAR */
static void test_mmap_fails(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    VFIOPCIDevice *vdev;
    MemTxResult res;

    error_capture_begin(log);
    vdev = stub_realize(false, true);
    error_capture_end();
    g_assert_nonnull(strstr(log->str, "vfio " STUB_NAME ": BAR 2 mmap failed "
                            "(stub: mmap refused), performance may be slow"));
    g_assert_cmpuint(vdev->bars[2].nr_mmaps, ==, 0);
    bar_write(BAR2_ADDR + 0x100, 4, 0xcafe);
    g_assert_cmphex(bar_read(BAR2_ADDR + 0x100, 4, &res), ==, 0xcafe);
    g_assert_cmpuint(stub.bar_reads, ==, 1);
    g_assert_cmpuint(stub.bar_writes, ==, 1);
    stub_destroy(vdev);
}

/* The fast path can be turned off (INTx) and on again */
static void test_mmaps_enabled(void)
{
    VFIOPCIDevice *vdev = stub_realize(false, false);
    MemTxResult res;

    g_assert_cmpuint(stub.mmaps, ==, 1);
    g_assert_cmpuint(vdev->bars[2].nr_mmaps, ==, 1);
    bar_write(BAR2_ADDR + 0x200, 4, 0xbeef);
    g_assert_cmphex(bar_read(BAR2_ADDR + 0x200, 4, &res), ==, 0xbeef);
    g_assert_cmpuint(stub.bar_reads + stub.bar_writes, ==, 0);

    vfio_bars_set_mmaps_enabled(vdev, false);
    g_assert_false(vdev->bars[2].mmaps_enabled);
    g_assert_cmphex(bar_read(BAR2_ADDR + 0x200, 4, &res), ==, 0xbeef);
    g_assert_cmpuint(stub.bar_reads, ==, 1);

    vfio_bars_set_mmaps_enabled(vdev, true);
    g_assert_cmphex(bar_read(BAR2_ADDR + 0x200, 4, &res), ==, 0xbeef);
    g_assert_cmpuint(stub.bar_reads, ==, 1);
    stub_destroy(vdev);
    g_assert_cmpuint(stub.munmaps, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_system_init();
    memory_region_init_ram(&ram, NULL, "ram", 0x100000, &error_abort);
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    bus = pci_root_bus_new(NULL, "pcie.0", get_system_memory(),
                           get_system_io(), get_system_memory(), true);
    vfio_backend_register_provider(&stub_provider);

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
