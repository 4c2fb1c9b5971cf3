/*
 * Unit tests for vfio-pci DMA mapping rules: the mapping unit from the
 * IOMMU page sizes and the host page, a section trimmed to whole units,
 * the usable IOVA ranges, and the mapping limit.
 */
#include "qemu/osdep.h"
#include <sys/resource.h>
#include "hw/vfio/vfio-pci.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

static void test_alignment(void)
{
    /* Intel/AMD type1: 4K|2M|1G on 4K host pages */
    g_assert_cmphex(vfio_dma_alignment(4 * KiB | 2 * MiB | 1 * GiB, 4 * KiB),
                    ==, 4 * KiB);
    /* SMMU with a 64K granule */
    g_assert_cmphex(vfio_dma_alignment(64 * KiB | 512 * MiB, 4 * KiB),
                    ==, 64 * KiB);
    g_assert_cmphex(vfio_dma_alignment(2 * MiB, 4 * KiB), ==, 2 * MiB);
    /* The host page is the pinning unit when larger than the IOMMU's */
    g_assert_cmphex(vfio_dma_alignment(4 * KiB | 2 * MiB, 64 * KiB),
                    ==, 64 * KiB);
    /* Every size from 4K up (kernel's ~(PAGE_SIZE - 1) style bitmap) */
    g_assert_cmphex(vfio_dma_alignment(~(4 * KiB - 1), 4 * KiB), ==, 4 * KiB);
    /* Not reported: the host page */
    g_assert_cmphex(vfio_dma_alignment(0, 4 * KiB), ==, 4 * KiB);
}

static bool extent(uint64_t start, uint64_t size, uint64_t align,
                   uint64_t *iova, uint64_t *len)
{
    MemoryRegionSection s = {
        .offset_within_address_space = start,
        .offset_within_region = start,
        .size = size,
    };

    return vfio_dma_section_extent(&s, align, iova, len);
}

static void test_extent_aligned(void)
{
    uint64_t iova, len;

    /* One large extent for the whole section, whatever the unit */
    g_assert_true(extent(0, 2 * GiB, 4 * KiB, &iova, &len));
    g_assert_cmphex(iova, ==, 0);
    g_assert_cmphex(len, ==, 2 * GiB);
    g_assert_true(extent(4 * GiB, 6 * GiB, 2 * MiB, &iova, &len));
    g_assert_cmphex(iova, ==, 4 * GiB);
    g_assert_cmphex(len, ==, 6 * GiB);
}

static void test_extent_trimmed(void)
{
    uint64_t iova, len;

    /* 2M-only IOMMU: both ends move inward to 2M boundaries */
    g_assert_true(extent(0x1000, 0x5fe000, 2 * MiB, &iova, &len));
    g_assert_cmphex(iova, ==, 2 * MiB);
    g_assert_cmphex(len, ==, 2 * MiB);
    /* 64K-only IOMMU */
    g_assert_true(extent(0x10800, 0x20000, 64 * KiB, &iova, &len));
    g_assert_cmphex(iova, ==, 0x20000);
    g_assert_cmphex(len, ==, 0x10000);
    /* 4K|2M|1G: 4K pages of a section that starts off a 2M boundary */
    g_assert_true(extent(0xa0000 + 0x1000, 0x100000, 4 * KiB, &iova, &len));
    g_assert_cmphex(iova, ==, 0xa1000);
    g_assert_cmphex(len, ==, 0x100000);
}

static void test_extent_none(void)
{
    uint64_t iova, len;

    /* Smaller than one unit, or no whole unit inside */
    g_assert_false(extent(0, 0x1000, 64 * KiB, &iova, &len));
    g_assert_false(extent(0x1f000, 0x2000, 64 * KiB, &iova, &len));
    g_assert_false(extent(2 * MiB + 0x1000, 2 * MiB, 2 * MiB, &iova, &len));
    g_assert_false(extent(0x1000, 0, 4 * KiB, &iova, &len));
    /* Wrapping past the top of the address space */
    g_assert_false(extent(UINT64_MAX - 0xfff, 0x2000, 4 * KiB, &iova, &len));
}

/* x86 style: usable everywhere but the MSI window at 0xfee00000 */
static const VFIOIOVARange x86_ranges[] = {
    { 0, 0xfedfffff },
    { 0xfef00000, UINT64_MAX },
};

static void test_usable(void)
{
    VFIOIOVARange gap = { 0, 0 };

    g_assert_true(vfio_dma_range_usable(x86_ranges, 2, 0, 2 * GiB, &gap));
    g_assert_true(vfio_dma_range_usable(x86_ranges, 2, 4 * GiB, 4 * GiB,
                                        &gap));
    /* Right up to the window, and right after it */
    g_assert_true(vfio_dma_range_usable(x86_ranges, 2, 0xfed00000,
                                        0x100000, &gap));
    g_assert_true(vfio_dma_range_usable(x86_ranges, 2, 0xfef00000,
                                        0x100000, &gap));
    /* No ranges reported: everything is usable */
    g_assert_true(vfio_dma_range_usable(NULL, 0, 0xfee00000, 4 * KiB, &gap));
}

static void test_reserved(void)
{
    VFIOIOVARange gap = { 0, 0 };

    /* 4 GiB of RAM at 0 runs over the window */
    g_assert_false(vfio_dma_range_usable(x86_ranges, 2, 0, 4 * GiB, &gap));
    g_assert_cmphex(gap.start, ==, 0xfee00000);
    g_assert_cmphex(gap.end, ==, 0xfeefffff);
    /* Starting inside it */
    g_assert_false(vfio_dma_range_usable(x86_ranges, 2, 0xfee01000, 0x1000,
                                         &gap));
    g_assert_cmphex(gap.start, ==, 0xfee00000);
    g_assert_cmphex(gap.end, ==, 0xfeefffff);
}

/* ARM ITS style, ranges unsorted; a hole below the first range too */
static void test_reserved_arm(void)
{
    static const VFIOIOVARange ranges[] = {
        { 0x8100000, 0xffffffffffULL },
        { 0x1000, 0x7ffffff },
    };
    VFIOIOVARange gap = { 0, 0 };

    g_assert_true(vfio_dma_range_usable(ranges, 2, 0x40000000, GiB, &gap));
    g_assert_false(vfio_dma_range_usable(ranges, 2, 0, 0x2000, &gap));
    g_assert_cmphex(gap.start, ==, 0);
    g_assert_cmphex(gap.end, ==, 0xfff);
    g_assert_false(vfio_dma_range_usable(ranges, 2, 0x4000000, 0x8000000,
                                         &gap));
    g_assert_cmphex(gap.start, ==, 0x8000000);
    g_assert_cmphex(gap.end, ==, 0x80fffff);
    /* Above the top of the IOMMU's address width */
    g_assert_false(vfio_dma_range_usable(ranges, 2, 0xff00000000ULL,
                                         0x200000000ULL, &gap));
    g_assert_cmphex(gap.start, ==, 0x10000000000ULL);
    g_assert_cmphex(gap.end, ==, UINT64_MAX);
}

/* Adjacent usable ranges join up */
static void test_usable_adjacent(void)
{
    static const VFIOIOVARange ranges[] = {
        { 0, 0xfffff },
        { 0x100000, 0x1fffff },
    };
    VFIOIOVARange gap;

    g_assert_true(vfio_dma_range_usable(ranges, 2, 0x80000, 0x100000, &gap));
    g_assert_false(vfio_dma_range_usable(ranges, 2, 0x80000, 0x200000, &gap));
    g_assert_cmphex(gap.start, ==, 0x200000);
}

static void test_limit(void)
{
    /* Not reported: no limit */
    g_assert_true(vfio_dma_limit_ok(0, 0));
    g_assert_true(vfio_dma_limit_ok(100000, 0));
    g_assert_true(vfio_dma_limit_ok(0, 1));
    g_assert_true(vfio_dma_limit_ok(2, 3));
    g_assert_false(vfio_dma_limit_ok(3, 3));
    g_assert_false(vfio_dma_limit_ok(1, 1));
    g_assert_true(vfio_dma_limit_ok(65534, 65535));
}

/* The message of a failed DMA map says which limit and what to do. */
static void test_map_error_message(void)
{
    struct rlimit old, low;
    Error *err = NULL;

    g_assert_cmpint(getrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    low = old;
    low.rlim_cur = 16 << 20;
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < low.rlim_cur) {
        low.rlim_cur = old.rlim_max;
    }
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &low), ==, 0);
    vfio_dma_map_error(0x100000, 64 << 20, ENOMEM, 8 << 20, &err);
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    if (low.rlim_cur == 16 << 20) {
        g_assert_cmpstr(error_get_pretty(err), ==, "vfio: VFIO_MAP_DMA of 64 "
                        "MiB failed: the locked-memory limit (RLIMIT_MEMLOCK, "
                        "now 16 MiB) is too low; guest RAM needs at least 72 "
                        "MiB: raise it (ulimit -l / LimitMEMLOCK=) or run "
                        "with CAP_IPC_LOCK");
    }
    error_free(err);
    err = NULL;

    vfio_dma_map_error(0, 0x3000, ENOSPC, 0, &err);
    g_assert_nonnull(strstr(error_get_pretty(err), "12 KiB"));
    g_assert_nonnull(strstr(error_get_pretty(err), "dma_entry_limit"));
    error_free(err);
    err = NULL;

    vfio_dma_map_error(0x4000, 100, EINVAL, 0, &err);
    g_assert_cmpstr(error_get_pretty(err), ==, "vfio: VFIO_MAP_DMA of 100 "
                    "bytes at IOVA 0x4000 failed: Invalid argument");
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/dma/alignment", test_alignment);
    g_test_add_func("/vfio/dma/extent/aligned", test_extent_aligned);
    g_test_add_func("/vfio/dma/extent/trimmed", test_extent_trimmed);
    g_test_add_func("/vfio/dma/extent/none", test_extent_none);
    g_test_add_func("/vfio/dma/iova/usable", test_usable);
    g_test_add_func("/vfio/dma/iova/reserved", test_reserved);
    g_test_add_func("/vfio/dma/iova/reserved-arm", test_reserved_arm);
    g_test_add_func("/vfio/dma/iova/adjacent", test_usable_adjacent);
    g_test_add_func("/vfio/dma/limit", test_limit);
    g_test_add_func("/vfio/dma/map-error-message", test_map_error_message);
    return g_test_run();
}
