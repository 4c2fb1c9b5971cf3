/*
 * vfio-pci DMA against the fake device's DMA engine (BAR0): guest RAM is
 * mapped through the fake IOMMU, so a copy RAM -> device -> other RAM
 * returns the pattern; realize fails with one clear line when guest RAM
 * overlaps a reserved IOVA range or needs more mappings than allowed; a
 * 2M-only IOMMU gets 2M-aligned extents.
 */
#include "vfio-test-util.h"

#define REG_DMA_LO 0x10
#define REG_DMA_HI 0x14
#define REG_DMA_LEN 0x18
#define REG_DMA_CMD 0x1c
#define REG_DMA_ERR 0x20
#define REG_BUF 0x800
#define DMA_TO_IOVA 1
#define DMA_FROM_IOVA 2
#define PATTERN_LEN 1024

/* The fake's basic profile with @ini, @mem of guest RAM, BAR0 mapped. */
static void dma_start(VfioTest *t, const char *mem, const char *ini)
{
    g_autofree char *args = g_strdup_printf("-m %s -trace 'fake_vfio_dma_*' "
                                            "-trace 'vfio_dma_*'", mem);

    vt_launch(t, "basic", ini, NULL, args);
    t->bar0 = qpci_iomap(t->dev, 0, NULL);
    qpci_device_enable(t->dev);
}

/* Let the device copy @len bytes between its buffer and @iova. */
static uint32_t device_dma(VfioTest *t, uint64_t iova, uint32_t len, int cmd)
{
    qpci_io_writel(t->dev, t->bar0, REG_DMA_LO, iova);
    qpci_io_writel(t->dev, t->bar0, REG_DMA_HI, iova >> 32);
    qpci_io_writel(t->dev, t->bar0, REG_DMA_LEN, len);
    qpci_io_writel(t->dev, t->bar0, REG_DMA_CMD, cmd);
    return qpci_io_readl(t->dev, t->bar0, REG_DMA_ERR);
}

/* RAM -> device buffer -> other RAM returns the pattern */
static void roundtrip(VfioTest *t, uint64_t src, uint64_t dst)
{
    uint8_t pattern[PATTERN_LEN], seen[PATTERN_LEN];

    for (int i = 0; i < PATTERN_LEN; i++) {
        pattern[i] = i * 31 + 7;
    }
    qtest_memwrite(t->qts, src, pattern, PATTERN_LEN);
    qtest_memset(t->qts, dst, 0, PATTERN_LEN);
    g_assert_cmpuint(device_dma(t, src, PATTERN_LEN, DMA_FROM_IOVA), ==, 0);
    /* The device really holds it */
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar0, REG_BUF),
                    ==, ldl_le_p(pattern));
    g_assert_cmpuint(device_dma(t, dst, PATTERN_LEN, DMA_TO_IOVA), ==, 0);
    qtest_memread(t->qts, dst, seen, PATTERN_LEN);
    g_assert_cmpmem(seen, PATTERN_LEN, pattern, PATTERN_LEN);
}

static void test_roundtrip(void)
{
    VfioTest t;

    vt_init(&t);
    dma_start(&t, "256", NULL);
    /* All of guest RAM in one mapping */
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_dma_map",
                                  "iova 0x0 size 0x10000000"), ==, 1);
    roundtrip(&t, 0x100000, 0x200000);
    roundtrip(&t, 0xff00000, 0x1000);
    /* Nothing is mapped outside guest RAM */
    g_assert_cmpuint(device_dma(&t, 0x10000000, 16, DMA_TO_IOVA), ==, 1);
    vt_stop(&t);
}

/* RAM above 4 GiB is a second extent, mapped at its guest address */
static void test_high_ram(void)
{
    VfioTest t;

    vt_init(&t);
    dma_start(&t, "2112M", NULL);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_dma_map",
                                  "iova 0x0 size 0x80000000"), ==, 1);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_dma_map",
                                  "iova 0x100000000 size 0x4000000"), ==, 1);
    roundtrip(&t, 0x100000000ULL, 0x1000);
    vt_stop(&t);
}

/*
 * Can guest RAM be mapped with 2M IOMMU pages at all? Only if the host
 * memory behind it is 2M aligned too, as the IOMMU maps whole pages.
 */
static bool ram_2m_aligned(const char *spec)
{
    g_autofree char *args = g_strdup_printf("-display none -accel qtest "
                                            "-qtest stdio -m 255M -device "
                                            "vfio-pci,host=%s", spec);
    g_autofree char *err = NULL;
    int status;

    g_assert(qtest_run_binary(qtest_binary(), args, "", NULL, &err,
                              &status));
    return !strstr(err, "is not aligned to the IOMMU's 0x200000-byte pages");
}

/* A 2M-only IOMMU: extents trimmed to 2M boundaries */
static void test_pgsizes_2m(void)
{
    const char *ini = "[iommu]\npgsizes=0x200000\n";
    g_autofree char *spec = NULL;
    VfioTest t;

    vt_init(&t);
    spec = vt_host(&t, "basic", ini);
    if (!ram_2m_aligned(spec)) {
        g_test_incomplete("guest RAM is not 2 MiB aligned in host memory, "
                          "so a 2M-only IOMMU cannot map it");
        vt_cleanup(&t);
        return;
    }
    dma_start(&t, "255M", ini);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_dma_map",
                                  "iova 0x0 size 0xfe00000"), ==, 1);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_dma_map", NULL), ==, 1);
    roundtrip(&t, 0x100000, 0xfd00000);
    /* The tail that is no whole 2M page stays unmapped */
    g_assert_cmpuint(device_dma(&t, 0xfe00000, 16, DMA_TO_IOVA), ==, 1);
    vt_stop(&t);
}

/* Run qvfio to its exit; returns the status, *err its stderr. */
static int run_failing(VfioTest *t, const char *mem, const char *ini,
                       char **err)
{
    g_autofree char *host = vt_host(t, "basic", ini);
    g_autofree char *args = g_strdup_printf("-display none -accel qtest -m %s "
                                            "-device vfio-pci,host=%s", mem,
                                            host);

    return vt_run(args, err);
}

/* Guest RAM over a reserved IOVA range (an MSI window): realize fails */
static void test_reserved(void)
{
    VfioTest t;
    g_autofree char *err = NULL;

    vt_init(&t);
    g_assert_cmpint(run_failing(&t, "256", "[iommu]\n"
                                "reserved=0x8000000-0x80fffff\n", &err), ==, 1);
    g_assert_cmpuint(vt_newlines(err), ==, 1);
    g_assert_nonnull(strstr(err, "guest RAM at 0x0-0xfffffff overlaps IOVA "
                            "range 0x8000000-0x80fffff"));
    g_assert_nonnull(strstr(err, "reserves"));
    vt_cleanup(&t);
}

/* More RAM extents than the IOMMU allows mappings: realize fails */
static void test_dma_avail(void)
{
    VfioTest t;
    g_autofree char *err = NULL;

    vt_init(&t);
    g_assert_cmpint(run_failing(&t, "2112M", "[iommu]\ndma-avail=1\n", &err),
                    ==, 1);
    g_assert_cmpuint(vt_newlines(err), ==, 1);
    g_assert_nonnull(strstr(err, "only 1 DMA mappings"));
    g_assert_nonnull(strstr(err, "0x100000000-0x103ffffff"));
    vt_cleanup(&t);

    /* One extent fits one mapping */
    vt_init(&t);
    dma_start(&t, "256", "[iommu]\ndma-avail=1\n");
    roundtrip(&t, 0x100000, 0x200000);
    vt_stop(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/dma/roundtrip", test_roundtrip);
    g_test_add_func("/vfio/dma/high-ram", test_high_ram);
    g_test_add_func("/vfio/dma/pgsizes-2m", test_pgsizes_2m);
    g_test_add_func("/vfio/dma/reserved", test_reserved);
    g_test_add_func("/vfio/dma/dma-avail", test_dma_avail);
    return g_test_run();
}
