/*
 * Unit tests for the fake VFIO device (tests/vfio/): spec parsing, config
 * space, regions and mmap, the ROM, SET_IRQS rules, the fake IOMMU and
 * injected faults. They drive the backend ops directly, as the model would.
 */
#include "qemu/osdep.h"
#include <sys/resource.h>
#include "qemu/main-loop.h"
#include "../vfio/fake-vfio.h"
#include <linux/pci_regs.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#define CFG VFIO_PCI_CONFIG_REGION_INDEX
#define ROM VFIO_PCI_ROM_REGION_INDEX
#define INTX VFIO_PCI_INTX_IRQ_INDEX
#define MSI VFIO_PCI_MSI_IRQ_INDEX
#define MSIX VFIO_PCI_MSIX_IRQ_INDEX
#define TRIGGER_EVENTFD \
    (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)

/* Helpers */

static char *ini_path(const char *text)
{
    char *path;
    int fd = g_file_open_tmp("fake-vfio-XXXXXX.ini", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

/* Open PROFILE with @text as its ini (NULL: none). */
static FakeVFIODevice *open_spec(const char *profile, const char *text,
                                 Error **errp)
{
    g_autofree char *path = text ? ini_path(text) : NULL;
    g_autofree char *spec = g_strdup_printf("fake:%s%s%s", profile,
                                            path ? ":" : "", path ? path : "");
    FakeVFIODevice *f = fake_vfio_open(spec, errp);

    if (path) {
        unlink(path);
    }
    return f;
}

static FakeVFIODevice *open_ok(const char *profile, const char *text)
{
    FakeVFIODevice *f = open_spec(profile, text, &error_abort);

    g_assert_nonnull(f);
    g_assert_true(fake_vfio_is_open(f));
    return f;
}

/* The open must fail with a message containing @needle. */
static void open_fails(const char *profile, const char *text,
                       const char *needle)
{
    Error *err = NULL;

    g_assert_null(open_spec(profile, text, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), needle)) {
        g_test_message("'%s' lacks '%s'", error_get_pretty(err), needle);
        g_test_fail();
    }
    error_free(err);
}

static void close_fake(FakeVFIODevice *f)
{
    VFIOBackend *b = fake_vfio_backend(f);

    b->ops->close(b);
    g_assert_false(fake_vfio_is_open(f));
}

static uint32_t rd(FakeVFIODevice *f, uint32_t index, uint64_t off,
                   unsigned size)
{
    VFIOBackend *b = fake_vfio_backend(f);
    uint8_t buf[8] = { 0 };

    g_assert_cmpint(b->ops->region_read(b, index, off, buf, size), ==, size);
    return ldn_le_p(buf, size);
}

static void wr(FakeVFIODevice *f, uint32_t index, uint64_t off,
               unsigned size, uint64_t val)
{
    VFIOBackend *b = fake_vfio_backend(f);
    uint8_t buf[8];

    stn_le_p(buf, size, val);
    g_assert_cmpint(b->ops->region_write(b, index, off, buf, size), ==, size);
}

static VFIORegionInfo region_info(FakeVFIODevice *f, uint32_t index)
{
    VFIOBackend *b = fake_vfio_backend(f);
    VFIORegionInfo info;

    g_assert_true(b->ops->get_region_info(b, index, &info, &error_abort));
    return info;
}

static uint64_t region_size(FakeVFIODevice *f, uint32_t index)
{
    VFIORegionInfo info = region_info(f, index);

    vfio_region_info_clear(&info);
    return info.size;
}

static uint32_t region_flags(FakeVFIODevice *f, uint32_t index)
{
    VFIORegionInfo info = region_info(f, index);

    vfio_region_info_clear(&info);
    return info.flags;
}

static bool region_mappable(FakeVFIODevice *f, uint32_t index)
{
    VFIORegionInfo info = region_info(f, index);

    vfio_region_info_clear(&info);
    return info.msix_mappable;
}

static int set_fds(FakeVFIODevice *f, uint32_t index, uint32_t start,
                   uint32_t count, const int32_t *fds)
{
    VFIOBackend *b = fake_vfio_backend(f);

    return b->ops->set_irqs(b, index, TRIGGER_EVENTFD, start, count, fds);
}

static int disable_index(FakeVFIODevice *f, uint32_t index)
{
    VFIOBackend *b = fake_vfio_backend(f);

    return b->ops->set_irqs(b, index, VFIO_IRQ_SET_DATA_NONE |
                            VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
}

static int new_eventfd(void)
{
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    return fd;
}

/* How many times @fd was signalled since the last call. */
static uint64_t fired(int fd)
{
    eventfd_t v = 0;

    return eventfd_read(fd, &v) == 0 ? v : 0;
}

static unsigned cap_find(const uint8_t *cfg, uint8_t id)
{
    for (unsigned pos = cfg[PCI_CAPABILITY_LIST], n = 0; pos && n < 48; n++) {
        if (cfg[pos] == id) {
            return pos;
        }
        pos = cfg[pos + PCI_CAP_LIST_NEXT];
    }
    return 0;
}

/* Spec and profiles */

static void test_profiles(void)
{
    FakeVFIODevice *f = open_ok("basic", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    VFIODeviceInfo dinfo;
    VFIOIRQInfo iinfo;

    g_assert_true(fake_vfio_from_backend(b) == f);
    g_assert_true(fake_vfio_last() == f);
    g_assert_cmpstr(b->ops->name, ==, "fake");
    g_assert_true(g_str_has_prefix(b->name, "0000:fa:"));
    g_assert_cmpint(b->group_id, ==, 42);
    g_assert_true(b->ops->get_device_info(b, &dinfo, &error_abort));
    g_assert_cmphex(dinfo.flags, ==, VFIO_DEVICE_FLAGS_PCI);
    g_assert_cmpuint(dinfo.num_regions, ==, VFIO_PCI_NUM_REGIONS);
    g_assert_cmpuint(dinfo.num_irqs, ==, VFIO_PCI_NUM_IRQS);
    g_assert_cmphex(rd(f, CFG, PCI_VENDOR_ID, 4), ==, 0x01011b36);
    g_assert_cmpuint(region_size(f, CFG), ==, PCI_CFG_SPACE_SIZE);
    g_assert_cmpuint(region_size(f, 0), ==, 0x1000);
    g_assert_cmpuint(region_size(f, 2), ==, 0x10000);
    g_assert_cmpuint(region_size(f, 3), ==, 0);
    g_assert_cmpuint(region_size(f, ROM), ==, 0);
    g_assert_cmpuint(region_size(f, VFIO_PCI_VGA_REGION_INDEX), ==, 0);
    g_assert_true(b->ops->get_irq_info(b, MSI, &iinfo, &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 1);
    g_assert_true(b->ops->get_irq_info(b, MSIX, &iinfo, &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 0);
    close_fake(f);

    f = open_ok("msix", NULL);
    b = fake_vfio_backend(f);
    g_assert_true(b->ops->get_device_info(b, &dinfo, &error_abort));
    g_assert_true(dinfo.flags & VFIO_DEVICE_FLAGS_RESET);
    g_assert_cmphex(rd(f, CFG, PCI_VENDOR_ID, 4), ==, 0x10d38086);
    g_assert_cmpuint(region_size(f, CFG), ==, PCI_CFG_SPACE_EXP_SIZE);
    g_assert_cmpuint(region_size(f, 0), ==, 128 * 1024);
    g_assert_cmpuint(region_size(f, 1), ==, 32);
    g_assert_cmpuint(region_size(f, 3), ==, 16 * 1024);
    g_assert_cmpuint(region_size(f, ROM), ==, 64 * 1024);
    g_assert_cmphex(region_flags(f, ROM), ==, VFIO_REGION_INFO_FLAG_READ);
    g_assert_true(b->ops->get_irq_info(b, MSIX, &iinfo, &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 5);
    g_assert_cmphex(iinfo.flags, ==, VFIO_IRQ_INFO_EVENTFD);
    close_fake(f);

    f = open_ok("edu", NULL);
    g_assert_cmphex(rd(f, CFG, PCI_VENDOR_ID, 4), ==, 0x11e81234);
    g_assert_cmpuint(region_size(f, 0), ==, 1024 * 1024);
    g_assert_cmpuint(region_size(f, CFG), ==, PCI_CFG_SPACE_SIZE);
    g_assert_cmpuint(rd(f, 0, 0, 4), ==, 0xfa4e0001);
    close_fake(f);

    /* The "fake:" prefix is optional for fake_vfio_open. */
    f = fake_vfio_open("edu", &error_abort);
    g_assert_nonnull(f);
    close_fake(f);
}

static void test_ini_overrides(void)
{
    FakeVFIODevice *f = open_ok("basic",
        "[device]\n"
        "vendor = 0x8086\ndevice = 0x1234\nclass = 0x020000\nrevision = 7\n"
        "subsystem-vendor = 0x1af4\nsubsystem = 0x0042\nexpress = true\n"
        "intx-pin = 2\nflr = yes\nid = 0xcafe0001\naddress = 0001:02:03.4\n"
        "group = 7\nerr-irq = true\nreq-irq = true\n"
        "[bar0]\nsize = 64K\n"
        "[bar2]\ntype = mem32\nsize = 0x2000\nprefetch = false\n"
        "[bar4]\ntype = io\nsize = 64\n"
        "[msi]\nvectors = 3\n64bit = true\nmask = true\n"
        "[msix]\nvectors = 16\ntable-bar = 0\ntable-offset = 0x2000\n"
        "pba-bar = 0\npba-offset = 0x3000\nnoresize = true\n");
    VFIOBackend *b = fake_vfio_backend(f);
    const uint8_t *cfg = fake_vfio_config(f);
    VFIOIRQInfo iinfo;
    unsigned msi, msix;

    g_assert_cmpstr(b->name, ==, "0001:02:03.4");
    g_assert_cmpuint(b->segment, ==, 1);
    g_assert_cmpuint(b->bus, ==, 2);
    g_assert_cmpuint(b->devfn, ==, (3 << 3) | 4);
    g_assert_cmpint(b->group_id, ==, 7);
    g_assert_cmphex(lduw_le_p(cfg + PCI_VENDOR_ID), ==, 0x8086);
    g_assert_cmphex(lduw_le_p(cfg + PCI_DEVICE_ID), ==, 0x1234);
    g_assert_cmphex(ldl_le_p(cfg + PCI_CLASS_REVISION), ==, 0x02000007);
    g_assert_cmphex(lduw_le_p(cfg + PCI_SUBSYSTEM_ID), ==, 0x0042);
    g_assert_cmpuint(cfg[PCI_INTERRUPT_PIN], ==, 2);
    g_assert_cmpuint(region_size(f, CFG), ==, PCI_CFG_SPACE_EXP_SIZE);
    g_assert_cmpuint(region_size(f, 0), ==, 0x10000);
    g_assert_cmpuint(region_size(f, 2), ==, 0x2000);
    g_assert_cmphex(ldl_le_p(cfg + PCI_BASE_ADDRESS_2), ==, 0);
    g_assert_cmphex(ldl_le_p(cfg + PCI_BASE_ADDRESS_4), ==,
                    PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmpuint(rd(f, 0, 0, 4), ==, 0xcafe0001);

    /* 3 MSI vectors round up to what the capability can say: 4. */
    msi = cap_find(cfg, PCI_CAP_ID_MSI);
    g_assert_cmphex(lduw_le_p(cfg + msi + PCI_MSI_FLAGS), ==,
                    (2 << 1) | PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
    g_assert_true(b->ops->get_irq_info(b, MSI, &iinfo, &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 4);
    msix = cap_find(cfg, PCI_CAP_ID_MSIX);
    g_assert_cmphex(lduw_le_p(cfg + msix + PCI_MSIX_FLAGS), ==, 15);
    g_assert_cmphex(ldl_le_p(cfg + msix + PCI_MSIX_TABLE), ==, 0x2000);
    g_assert_cmphex(ldl_le_p(cfg + msix + PCI_MSIX_PBA), ==, 0x3000);
    g_assert_true(b->ops->get_irq_info(b, MSIX, &iinfo, &error_abort));
    g_assert_cmphex(iinfo.flags, ==,
                    VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE);
    g_assert_true(b->ops->get_irq_info(b, INTX, &iinfo, &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 1);
    g_assert_cmphex(iinfo.flags, ==, VFIO_IRQ_INFO_EVENTFD |
                    VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED);
    g_assert_true(b->ops->get_irq_info(b, VFIO_PCI_ERR_IRQ_INDEX, &iinfo,
                                       &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 1);
    close_fake(f);

    f = open_ok("basic", "[device]\nintx-pin = 0\n");
    b = fake_vfio_backend(f);
    g_assert_true(b->ops->get_irq_info(b, INTX, &iinfo, &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 0);
    g_assert_true(b->ops->get_irq_info(b, VFIO_PCI_REQ_IRQ_INDEX, &iinfo,
                                       &error_abort));
    g_assert_cmpuint(iinfo.count, ==, 0);
    close_fake(f);
}

static void test_bad_specs(void)
{
    g_autofree char *missing = g_strdup("/nonexistent/fake-vfio.ini");
    g_autofree char *spec = g_strdup_printf("fake:basic:%s", missing);
    Error *err = NULL;

    g_assert_null(fake_vfio_open(spec, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), missing));
    error_free(err);

    open_fails("nosuch", NULL, "unknown profile 'nosuch'");
    open_fails("basic", "[device\nvendor=1\n", ".ini");
    open_fails("basic", "[gadget]\nx = 1\n", "[gadget]");
    open_fails("basic", "[device]\ncolour = blue\n", "[device] colour");
    open_fails("basic", "[device]\nvendor = ten\n", "[device] vendor");
    open_fails("basic", "[device]\nvendor = 0x10000\n", "out of range");
    open_fails("basic", "[device]\nvendor = -1\n", "[device] vendor");
    open_fails("basic", "[device]\nexpress = maybe\n", "[device] express");
    open_fails("basic", "[device]\nintx-pin = 5\n", "[device] intx-pin");
    open_fails("basic", "[device]\naddress = 00:32.0\n", "[device] address");
    open_fails("basic", "[bar0]\nsize = 0x800\n", "[bar0] size");
    open_fails("basic", "[bar0]\nsize = 0\n", "[bar0] size");
    open_fails("basic", "[bar0]\ntype = io\nsize = 16\n", "[bar0] type");
    open_fails("basic", "[bar1]\nsize = 0x3000\n", "[bar1] size");
    open_fails("basic", "[bar3]\nsize = 0x1000\n", "[bar3] size");
    open_fails("basic", "[bar5]\nsize = 0x1000\ntype = mem64\n",
               "[bar5] type");
    open_fails("basic", "[bar2]\ntype = dram\n", "[bar2] type");
    open_fails("basic", "[bar2]\nsparse = 0x800:0x1000\n", "[bar2] sparse");
    open_fails("basic", "[bar0]\nsize = 0x4000\nmmap = true\n"
               "sparse = 0:0x4000\n", "[bar0] sparse");
    open_fails("basic", "[bar2]\nsparse = 0x1000\n", "[bar2] sparse");
    open_fails("basic", "[msi]\nvectors = 33\n", "[msi] vectors");
    open_fails("basic", "[msix]\nvectors = 8\ntable-bar = 4\n",
               "[msix] table-bar");
    open_fails("basic", "[msix]\nvectors = 8\ntable-bar = 2\n"
               "table-offset = 0xfff8\n", "[msix] table-offset");
    open_fails("basic", "[msix]\nvectors = 8\ntable-bar = 0\n",
               "[msix] table-offset");
    open_fails("basic", "[rom]\nkind = shiny\n", "[rom] kind");
    open_fails("basic", "[rom]\nkind = valid\nsize = 3000\n", "[rom] size");
    open_fails("basic", "[rom]\nkind = valid\nimage-size = 0x20000\n",
               "[rom] image-size");
    open_fails("basic", "[rom]\nfile = /nonexistent/rom.bin\n", "[rom] file");
    open_fails("basic", "[iommu]\nreserved = 0x2000-0x1000\n",
               "[iommu] reserved");
    open_fails("basic", "[iommu]\npgsizes = 0\n", "[iommu] pgsizes");
    open_fails("basic", "[config]\n0x100 = 01\n", "[config] 0x100");
    open_fails("basic", "[config]\n0x40 = zz\n", "[config] 0x40");
    open_fails("basic", "[config]\nfoo = 01\n", "[config] foo");
}

/* Config space */

static void test_config_chain(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    const uint8_t *cfg = fake_vfio_config(f);
    uint8_t copy[PCI_CFG_SPACE_EXP_SIZE];
    VFIOBackend *b = fake_vfio_backend(f);
    unsigned exp;

    g_assert_cmpint(b->ops->region_read(b, CFG, 0, copy, sizeof(copy)), ==,
                    sizeof(copy));
    g_assert_cmpmem(copy, sizeof(copy), cfg, sizeof(copy));
    g_assert_true(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST);
    g_assert_cmphex(cfg[PCI_CAPABILITY_LIST], ==, 0x40);
    g_assert_cmphex(cfg[0x40], ==, PCI_CAP_ID_PM);
    g_assert_cmphex(cfg[0x41], ==, 0x50);
    g_assert_cmphex(cfg[0x50], ==, PCI_CAP_ID_MSI);
    g_assert_cmphex(cfg[0x51], ==, 0x70);
    g_assert_cmphex(cfg[0x70], ==, PCI_CAP_ID_EXP);
    g_assert_cmphex(cfg[0x71], ==, 0xb0);
    g_assert_cmphex(cfg[0xb0], ==, PCI_CAP_ID_MSIX);
    g_assert_cmphex(cfg[0xb1], ==, 0);
    exp = cap_find(cfg, PCI_CAP_ID_EXP);
    g_assert_true(ldl_le_p(cfg + exp + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR);
    g_assert_cmphex(ldl_le_p(cfg + 0xb4), ==, 3);       /* table: BAR3 + 0 */
    g_assert_cmphex(ldl_le_p(cfg + 0xb8), ==, 0x2003);  /* PBA: BAR3 + 0x2000 */
    g_assert_cmphex(PCI_EXT_CAP_ID(ldl_le_p(cfg + 0x100)), ==,
                    PCI_EXT_CAP_ID_ERR);
    g_assert_cmphex(PCI_EXT_CAP_NEXT(ldl_le_p(cfg + 0x100)), ==, 0x150);
    g_assert_cmphex(PCI_EXT_CAP_ID(ldl_le_p(cfg + 0x150)), ==,
                    PCI_EXT_CAP_ID_SRIOV);
    g_assert_cmphex(PCI_EXT_CAP_NEXT(ldl_le_p(cfg + 0x150)), ==, 0);
    close_fake(f);

    /* Basic: PM then MSI, nothing else. */
    f = open_ok("basic", NULL);
    cfg = fake_vfio_config(f);
    g_assert_cmphex(cfg[0x41], ==, 0x50);
    g_assert_cmphex(cfg[0x51], ==, 0);
    g_assert_cmpuint(cap_find(cfg, PCI_CAP_ID_EXP), ==, 0);
    close_fake(f);

    /* Patches land after the chain is built: here a loop and a bad ext cap. */
    f = open_ok("msix", "[config]\n0xb1 = 40\n0x100 = ff ff ff ff\n"
                "0x2c = 34 12 78 56\n");
    cfg = fake_vfio_config(f);
    g_assert_cmphex(cfg[0xb1], ==, 0x40);
    g_assert_cmphex(ldl_le_p(cfg + 0x100), ==, 0xffffffff);
    g_assert_cmphex(rd(f, CFG, PCI_SUBSYSTEM_VENDOR_ID, 4), ==, 0x56781234);
    close_fake(f);
}

static void test_config_bars(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    const uint8_t *cfg = fake_vfio_config(f);
    VFIOBackend *b = fake_vfio_backend(f);

    /* Sizing: all-ones reads back the size mask with the type bits. */
    wr(f, CFG, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_0, 4), ==, 0xfffe0000);
    wr(f, CFG, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_1, 4), ==,
                    0xffffffe0 | PCI_BASE_ADDRESS_SPACE_IO);
    wr(f, CFG, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_2, 4), ==, 0);
    wr(f, CFG, PCI_BASE_ADDRESS_0, 4, 0xfebc1234);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_0, 4), ==, 0xfebc0000);
    /* A byte write merges into the register. */
    wr(f, CFG, PCI_BASE_ADDRESS_3 + 3, 1, 0xfd);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_3, 4), ==, 0xfd000000);

    /* ROM BAR: sized by the ROM, the enable bit is remembered. */
    wr(f, CFG, PCI_ROM_ADDRESS, 4, PCI_ROM_ADDRESS_MASK);
    g_assert_cmphex(rd(f, CFG, PCI_ROM_ADDRESS, 4), ==, 0xffff0000);
    g_assert_false(fake_vfio_rom_enable_was_set(f));
    wr(f, CFG, PCI_ROM_ADDRESS, 4, 0xfeb00001);
    g_assert_cmphex(rd(f, CFG, PCI_ROM_ADDRESS, 4), ==, 0xfeb00001);
    wr(f, CFG, PCI_ROM_ADDRESS, 4, 0xfeb00000);
    g_assert_true(fake_vfio_rom_enable_was_set(f));

    /* Other registers are stored as written. */
    wr(f, CFG, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    wr(f, CFG, PCI_INTERRUPT_LINE, 1, 11);
    g_assert_cmphex(lduw_le_p(cfg + PCI_COMMAND), ==,
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpuint(fake_vfio_counters(f)->config_writes, ==, 10);

    /* A reset restores config space, but not the BARs. */
    g_assert_true(b->ops->reset(b, &error_abort));
    g_assert_cmphex(lduw_le_p(cfg + PCI_COMMAND), ==, 0);
    g_assert_cmpuint(cfg[PCI_INTERRUPT_LINE], ==, 0);
    g_assert_cmphex(ldl_le_p(cfg + PCI_BASE_ADDRESS_0), ==, 0xfebc0000);
    g_assert_cmpuint(fake_vfio_counters(f)->resets, ==, 1);
    close_fake(f);

    /* A 64-bit BAR: both halves size; an absent BAR stays 0. */
    f = open_ok("basic", NULL);
    wr(f, CFG, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
    wr(f, CFG, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_2, 4), ==, 0xffff0000 |
                    PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_3, 4), ==, 0xffffffff);
    wr(f, CFG, PCI_BASE_ADDRESS_4, 4, 0xffffffff);
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_4, 4), ==, 0);
    wr(f, CFG, PCI_ROM_ADDRESS, 4, 0xffffffff);
    g_assert_cmphex(rd(f, CFG, PCI_ROM_ADDRESS, 4), ==, 0);
    /* No FLR: a function reset is refused, a bus reset works. */
    g_assert_false(fake_vfio_backend(f)->ops->reset(fake_vfio_backend(f),
                                                    NULL));
    g_assert_true(fake_vfio_backend(f)->ops->hot_reset(fake_vfio_backend(f),
                                                       &error_abort));
    g_assert_cmphex(rd(f, CFG, PCI_BASE_ADDRESS_3, 4), ==, 0xffffffff);
    close_fake(f);
}

static void test_config_eio(void)
{
    FakeVFIODevice *f = open_ok("basic", "[device]\nconfig-eio = true\n");
    VFIOBackend *b = fake_vfio_backend(f);
    uint32_t v;

    g_assert_cmpint(b->ops->region_read(b, CFG, 0, &v, 4), ==, -EIO);
    wr(f, CFG, PCI_COMMAND, 2, 0);
    close_fake(f);
}

/* Regions */

static void test_region_bounds(void)
{
    FakeVFIODevice *f = open_ok("basic", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    VFIORegionInfo info;
    uint8_t buf[16];
    Error *err = NULL;

    g_assert_cmpint(b->ops->region_read(b, CFG, 254, buf, 4), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, CFG, 256, buf, 1), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, CFG, UINT64_MAX, buf, 2), ==,
                    -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, 2, 0xfff8, buf, 16), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, 1, 0, buf, 1), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, 3, 0, buf, 1), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0, buf, 1), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, 99, 0, buf, 1), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_write(b, 2, 0x10000, buf, 1), ==, -EINVAL);
    g_assert_cmpint(b->ops->region_read(b, 2, 0x10000, buf, 0), ==, 0);
    g_assert_false(b->ops->get_region_info(b, 99, &info, &err));
    error_free_or_abort(&err);
    close_fake(f);
}

static void test_bar0_registers(void)
{
    FakeVFIODevice *f = open_ok("edu", NULL);

    g_assert_cmphex(rd(f, 0, 0, 4), ==, 0xfa4e0001);
    g_assert_cmphex(rd(f, 0, 2, 2), ==, 0xfa4e);
    wr(f, 0, 0, 4, 0);                                  /* read-only */
    g_assert_cmphex(rd(f, 0, 0, 4), ==, 0xfa4e0001);
    wr(f, 0, 4, 4, 0x12345678);
    g_assert_cmphex(rd(f, 0, 4, 4), ==, 0x12345678);
    wr(f, 0, 5, 1, 0xab);
    g_assert_cmphex(rd(f, 0, 4, 4), ==, 0x1234ab78);
    wr(f, 0, 0x800, 8, 0x1122334455667788ULL);
    g_assert_cmphex(rd(f, 0, 0x804, 4), ==, 0x11223344);
    /* An access straddling the registers and the buffer. */
    wr(f, 0, 0x7fc, 8, 0xaabbccdd00000000ULL);
    g_assert_cmphex(rd(f, 0, 0x800, 4), ==, 0xaabbccdd);
    /* Past the register page, BAR0 is memory. */
    wr(f, 0, 0x1000, 4, 0xdeadbeef);
    g_assert_cmphex(rd(f, 0, 0x1000, 4), ==, 0xdeadbeef);
    g_assert_cmpuint(fake_vfio_counters(f)->bar_reads, ==, 8);
    g_assert_cmpuint(fake_vfio_counters(f)->bar_writes, ==, 6);
    close_fake(f);
}

static void test_region_mmap(void)
{
    FakeVFIODevice *f = open_ok("basic", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    VFIORegionInfo info = region_info(f, 2);
    Error *err = NULL;
    uint32_t *map;

    g_assert_true(info.flags & VFIO_REGION_INFO_FLAG_MMAP);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 1);
    g_assert_cmphex(info.mmap_areas[0].offset, ==, 0);
    g_assert_cmphex(info.mmap_areas[0].size, ==, 0x10000);
    g_assert_false(info.msix_mappable);
    vfio_region_info_clear(&info);

    map = b->ops->region_mmap(b, 2, 0, 0x10000, PROT_READ | PROT_WRITE,
                              &error_abort);
    g_assert_nonnull(map);
    wr(f, 2, 0x100, 4, 0xfeedf00d);
    g_assert_cmphex(map[0x100 / 4], ==, 0xfeedf00d);
    map[0x200 / 4] = 0x600dcafe;
    g_assert_cmphex(rd(f, 2, 0x200, 4), ==, 0x600dcafe);
    b->ops->region_munmap(b, map, 0x10000);
    g_assert_cmpuint(fake_vfio_counters(f)->region_mmaps, ==, 1);

    /* Unaligned, outside an area, BAR0's register page, the ROM. */
    g_assert_null(b->ops->region_mmap(b, 2, 0x800, 0x1000, PROT_READ, &err));
    error_free_or_abort(&err);
    g_assert_null(b->ops->region_mmap(b, 2, 0x1000, 0x10000, PROT_READ,
                                      &err));
    error_free_or_abort(&err);
    g_assert_null(b->ops->region_mmap(b, 0, 0, 0x1000, PROT_READ, &err));
    error_free_or_abort(&err);
    g_assert_false(region_flags(f, 0) & VFIO_REGION_INFO_FLAG_MMAP);
    g_assert_null(b->ops->region_mmap(b, ROM, 0, 0x1000, PROT_READ, &err));
    error_free_or_abort(&err);
    g_assert_cmpuint(fake_vfio_counters(f)->rom_mmaps, ==, 1);
    g_assert_cmpuint(fake_vfio_counters(f)->region_mmaps, ==, 1);
    close_fake(f);
}

static void test_mmap_areas(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    VFIORegionInfo info = region_info(f, 0);
    void *map;

    /* BAR0: everything but the register page. */
    g_assert_cmpuint(info.nr_mmap_areas, ==, 1);
    g_assert_cmphex(info.mmap_areas[0].offset, ==, 0x1000);
    g_assert_cmphex(info.mmap_areas[0].size, ==, 0x1f000);
    vfio_region_info_clear(&info);
    /* BAR3: everything but the MSI-X table's page; the I/O BAR: nothing. */
    info = region_info(f, 3);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 1);
    g_assert_cmphex(info.mmap_areas[0].offset, ==, 0x1000);
    g_assert_cmphex(info.mmap_areas[0].size, ==, 0x3000);
    g_assert_false(info.msix_mappable);
    vfio_region_info_clear(&info);
    g_assert_false(region_flags(f, 1) & VFIO_REGION_INFO_FLAG_MMAP);
    map = b->ops->region_mmap(b, 3, 0x1000, 0x3000, PROT_READ, &error_abort);
    b->ops->region_munmap(b, map, 0x3000);
    close_fake(f);

    /* MSIX_MAPPABLE: the whole table BAR can be mapped. */
    f = open_ok("msix", "[msix]\nmappable = true\n");
    info = region_info(f, 3);
    g_assert_true(info.msix_mappable);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 1);
    g_assert_cmphex(info.mmap_areas[0].offset, ==, 0);
    g_assert_cmphex(info.mmap_areas[0].size, ==, 0x4000);
    vfio_region_info_clear(&info);
    g_assert_false(region_mappable(f, 0));
    close_fake(f);

    /* Explicit sparse areas. */
    f = open_ok("edu", "[bar0]\nsparse = 0x2000:0x1000, 0x8000:0x8000\n");
    info = region_info(f, 0);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 2);
    g_assert_cmphex(info.mmap_areas[1].offset, ==, 0x8000);
    g_assert_cmphex(info.mmap_areas[1].size, ==, 0x8000);
    vfio_region_info_clear(&info);
    close_fake(f);
}

static void test_msix_table_access(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    const FakeVFIOCounters *c = fake_vfio_counters(f);

    wr(f, 3, 0x1000, 4, 1);
    rd(f, 3, 0x1ffc, 4);
    g_assert_cmpuint(c->msix_table_accesses, ==, 0);
    rd(f, 3, 0x40, 4);                  /* table entry 4 */
    g_assert_cmpuint(c->msix_table_accesses, ==, 1);
    rd(f, 3, 0x50, 4);                  /* past 5 entries */
    g_assert_cmpuint(c->msix_table_accesses, ==, 1);
    wr(f, 3, 0x2000, 8, 0);             /* the PBA */
    g_assert_cmpuint(c->msix_table_accesses, ==, 2);
    close_fake(f);
}

/* ROM */

static void check_rom(const char *kind, bool signature, bool pcir_ok,
                      bool ids_ok)
{
    g_autofree char *ini = g_strdup_printf("[rom]\nkind = %s\n", kind);
    FakeVFIODevice *f = open_ok("edu", ini);
    VFIOBackend *b = fake_vfio_backend(f);
    g_autofree uint8_t *rom = g_malloc(64 * 1024);
    const uint8_t *pcir;
    uint16_t ptr;

    g_assert_cmpint(b->ops->region_read(b, ROM, 0, rom, 64 * 1024), ==,
                    64 * 1024);
    g_assert_cmpuint(fake_vfio_counters(f)->rom_reads, ==, 1);
    g_assert_cmpuint(fake_vfio_counters(f)->rom_bytes, ==, 64 * 1024);
    g_assert_cmpint(rom[0] == 0x55 && rom[1] == 0xaa, ==, signature);
    ptr = lduw_le_p(rom + 0x18);
    g_assert_cmpint(ptr + 0x18 <= 32 * 1024 &&
                    !memcmp(rom + ptr, "PCIR", 4), ==, pcir_ok);
    if (pcir_ok) {
        pcir = rom + ptr;
        g_assert_cmpint(lduw_le_p(pcir + 4) == 0x1234 &&
                        lduw_le_p(pcir + 6) == 0x11e8, ==, ids_ok);
    }
    close_fake(f);
}

static void test_rom_kinds(void)
{
    FakeVFIODevice *f;
    VFIOBackend *b;
    g_autofree uint8_t *rom = g_malloc(64 * 1024);
    uint8_t sum = 0;
    char *path;
    uint8_t buf[4];

    check_rom("valid", true, true, true);
    check_rom("bad-signature", false, true, true);
    check_rom("bad-pcir-pointer", true, false, false);
    check_rom("bad-pcir-signature", true, false, false);
    check_rom("wrong-ids", true, true, false);

    /* A valid image sums to zero over its declared length. */
    f = open_ok("msix", NULL);
    b = fake_vfio_backend(f);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0, rom, 64 * 1024), ==,
                    64 * 1024);
    g_assert_cmpuint(rom[2], ==, 64);
    for (unsigned i = 0; i < rom[2] * 512; i++) {
        sum += rom[i];
    }
    g_assert_cmpuint(sum, ==, 0);
    g_assert_cmpint(b->ops->region_write(b, ROM, 0, rom, 4), ==, -EINVAL);
    close_fake(f);

    /* Too long: the image claims more than the ROM holds. */
    f = open_ok("edu", "[rom]\nkind = too-long\nsize = 0x8000\n"
                "image-size = 0x8000\n");
    b = fake_vfio_backend(f);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0, rom, 0x8000), ==, 0x8000);
    g_assert_cmpuint(lduw_le_p(rom + 0x1c + 0x10) * 512, >, 0x8000);
    close_fake(f);

    f = open_ok("edu", "[rom]\nkind = unreadable\n");
    b = fake_vfio_backend(f);
    g_assert_cmpuint(region_size(f, ROM), ==, 64 * 1024);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0, buf, 4), ==, -EIO);
    close_fake(f);

    f = open_ok("msix", "[rom]\nkind = absent\n");
    g_assert_cmpuint(region_size(f, ROM), ==, 0);
    close_fake(f);

    /* A ROM from a file: its bytes, in a power-of-2 region. */
    path = ini_path("0123456789");
    {
        g_autofree char *ini = g_strdup_printf("[rom]\nfile = %s\nsize = 4K\n",
                                               path);
        f = open_ok("edu", ini);
    }
    unlink(path);
    g_free(path);
    g_assert_cmpuint(region_size(f, ROM), ==, 4096);
    g_assert_cmphex(rd(f, ROM, 0, 4), ==, ldl_le_p("0123"));
    close_fake(f);
}

/* ROM regions that misbehave: lying about their size, short reads, EOF. */
static void test_rom_faults(void)
{
    FakeVFIODevice *f;
    VFIOBackend *b;
    uint8_t buf[64];

    f = open_ok("msix", "[rom]\nclaimed-size = 0x10000000000\n");
    b = fake_vfio_backend(f);
    g_assert_cmpuint(region_size(f, ROM), ==, 0x10000000000ULL);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0, buf, 4), ==, 4);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0x10000, buf, 4), ==,
                    -EINVAL);
    close_fake(f);

    f = open_ok("msix", "[rom]\nreadable = 0x100\nshort-reads = true\n");
    b = fake_vfio_backend(f);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0, buf, 64), ==, 32);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0xf0, buf, 64), ==, 8);
    g_assert_cmpint(b->ops->region_read(b, ROM, 0x100, buf, 64), ==, 0);
    close_fake(f);
}

/* Interrupts */

static void test_msix_noresize(void)
{
    FakeVFIODevice *f = open_ok("msix", "[msix]\nnoresize = true\n");
    int32_t fds[5];

    for (int i = 0; i < 5; i++) {
        fds[i] = new_eventfd();
    }
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, fds), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 1);
    /* Growing an enabled index is refused: disable, then re-enable. */
    g_assert_cmpint(set_fds(f, MSIX, 1, 1, &fds[1]), ==, -EINVAL);
    g_assert_cmpuint(fake_vfio_counters(f)->set_irqs_failed, ==, 1);
    g_assert_cmpint(disable_index(f, MSIX), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 0);
    g_assert_cmpint(set_fds(f, MSIX, 0, 2, fds), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 2);
    g_assert_true(fake_vfio_irq_enabled(f, MSIX, 1));
    /* Beyond the device's vectors. */
    g_assert_cmpint(set_fds(f, MSIX, 4, 2, fds), ==, -EINVAL);
    g_assert_cmpuint(fake_vfio_counters(f)->set_irqs[MSIX], ==, 5);

    /* BAR0 FIRE register: vector 1 of MSI-X. */
    wr(f, 0, 8, 4, 1);
    g_assert_cmpuint(fired(fds[1]), ==, 1);
    g_assert_cmpuint(fired(fds[0]), ==, 0);
    close_fake(f);
    for (int i = 0; i < 5; i++) {
        close(fds[i]);
    }
}

static void test_msix_dynamic(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    int32_t none = -1, fd = new_eventfd();

    /* Enable with no vector, then add them one at a time. */
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &none), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 1);
    g_assert_false(fake_vfio_irq_enabled(f, MSIX, 0));
    g_assert_cmpint(set_fds(f, MSIX, 3, 1, &fd), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 4);
    g_assert_true(fake_vfio_irq_enabled(f, MSIX, 3));
    fake_vfio_raise_irq(f, MSIX, 3);
    g_assert_cmpuint(fired(fd), ==, 1);
    /* A vector fired while unbound is pending until bound. */
    fake_vfio_raise_irq(f, MSIX, 2);
    g_assert_cmpint(set_fds(f, MSIX, 2, 1, &fd), ==, 0);
    g_assert_cmpuint(fired(fd), ==, 1);
    /* The caller may close its fd: the device holds its own reference. */
    close(fd);
    g_assert_true(fake_vfio_irq_enabled(f, MSIX, 2));
    g_assert_cmpint(set_fds(f, MSIX, 2, 1, &none), ==, 0);
    g_assert_false(fake_vfio_irq_enabled(f, MSIX, 2));
    /* Not an eventfd, not an fd. */
    fd = open("/dev/null", O_RDONLY);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, -EINVAL);
    close(fd);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, -EBADF);
    g_assert_cmpuint(fake_vfio_counters(f)->set_irqs_failed, ==, 2);
    close_fake(f);
}

static void test_irq_exclusion(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    int32_t fd = new_eventfd();
    uint8_t one = 1;

    /* Disabling what is not enabled is refused, as by the kernel. */
    g_assert_cmpint(disable_index(f, MSI), ==, -EINVAL);
    g_assert_cmpint(set_fds(f, MSI, 0, 1, &fd), ==, 0);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, -EINVAL);
    g_assert_cmpint(set_fds(f, INTX, 0, 1, &fd), ==, -EINVAL);
    g_assert_cmpint(disable_index(f, MSIX), ==, -EINVAL);
    /* MSI cannot grow either (one vector), and has no mask action. */
    g_assert_cmpint(set_fds(f, MSI, 0, 2, &fd), ==, -EINVAL);
    g_assert_cmpint(b->ops->set_irqs(b, MSI, VFIO_IRQ_SET_DATA_NONE |
                                     VFIO_IRQ_SET_ACTION_MASK, 0, 1, NULL),
                    ==, -ENOTTY);
    /* Loopback trigger. */
    g_assert_cmpint(b->ops->set_irqs(b, MSI, VFIO_IRQ_SET_DATA_BOOL |
                                     VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &one),
                    ==, 0);
    g_assert_cmpuint(fired(fd), ==, 1);
    /* Bad flags. */
    g_assert_cmpint(b->ops->set_irqs(b, MSI, VFIO_IRQ_SET_DATA_BOOL |
                                     VFIO_IRQ_SET_DATA_NONE |
                                     VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &one),
                    ==, -EINVAL);
    g_assert_cmpint(b->ops->set_irqs(b, 7, TRIGGER_EVENTFD, 0, 1, &fd), ==,
                    -EINVAL);
    g_assert_cmpint(disable_index(f, MSI), ==, 0);
    g_assert_cmpint(set_fds(f, MSIX, 0, 5, (int32_t[]){ fd, fd, fd, fd, fd }),
                    ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 5);
    /* A function reset turns the interrupt off. */
    g_assert_true(b->ops->reset(b, &error_abort));
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 0);
    close_fake(f);
    close(fd);
}

static void test_intx(void)
{
    FakeVFIODevice *f = open_ok("basic", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    int32_t fd = new_eventfd(), ufd = new_eventfd();
    const uint32_t unmask = VFIO_IRQ_SET_DATA_NONE |
                            VFIO_IRQ_SET_ACTION_UNMASK;

    /* Masking needs INTx on. */
    g_assert_cmpint(b->ops->set_irqs(b, INTX, unmask, 0, 1, NULL), ==,
                    -EINVAL);
    g_assert_cmpint(set_fds(f, INTX, 0, 1, &fd), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, INTX), ==, 1);
    g_assert_cmpuint(rd(f, 0, 0xc, 4), ==, 0);

    /* Fires once, then automasked: the next assertion is latched. */
    wr(f, 0, 0xc, 4, 1);
    g_assert_cmpuint(fired(fd), ==, 1);
    g_assert_cmpuint(rd(f, 0, 0xc, 4), ==, 1);
    fake_vfio_raise_irq(f, INTX, 0);
    g_assert_cmpuint(fired(fd), ==, 0);
    g_assert_cmpint(b->ops->set_irqs(b, INTX, unmask, 0, 1, NULL), ==, 0);
    g_assert_cmpuint(fired(fd), ==, 1);             /* the latched one */
    g_assert_cmpint(b->ops->set_irqs(b, INTX, unmask, 0, 1, NULL), ==, 0);
    g_assert_cmpuint(rd(f, 0, 0xc, 4), ==, 0);

    /* Unmask through an eventfd, watched by the main loop. */
    g_assert_cmpint(b->ops->set_irqs(b, INTX, VFIO_IRQ_SET_DATA_EVENTFD |
                                     VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &ufd),
                    ==, 0);
    wr(f, 0, 8, 4, 0);                              /* FIRE 0: INTx */
    g_assert_cmpuint(fired(fd), ==, 1);
    g_assert_cmpuint(rd(f, 0, 0xc, 4), ==, 1);
    eventfd_write(ufd, 1);
    for (int i = 0; i < 100 && rd(f, 0, 0xc, 4); i++) {
        qemu_main_loop_poll_once(true);
    }
    g_assert_cmpuint(rd(f, 0, 0xc, 4), ==, 0);

    /* Mask, then disable. */
    g_assert_cmpint(b->ops->set_irqs(b, INTX, VFIO_IRQ_SET_DATA_NONE |
                                     VFIO_IRQ_SET_ACTION_MASK, 0, 1, NULL),
                    ==, 0);
    fake_vfio_raise_irq(f, INTX, 0);
    g_assert_cmpuint(fired(fd), ==, 0);
    g_assert_cmpint(disable_index(f, INTX), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, INTX), ==, 0);
    g_assert_cmpuint(fake_vfio_counters(f)->set_irqs[INTX], ==, 7);
    close_fake(f);
    close(fd);
    close(ufd);
}

static void test_err_req(void)
{
    FakeVFIODevice *f = open_ok("basic", "[device]\nreq-irq = true\n");
    int32_t fd = new_eventfd();

    g_assert_cmpint(set_fds(f, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &fd), ==,
                    -EINVAL);
    g_assert_cmpint(set_fds(f, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &fd), ==, 0);
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, VFIO_PCI_REQ_IRQ_INDEX),
                     ==, 1);
    fake_vfio_raise_irq(f, VFIO_PCI_REQ_IRQ_INDEX, 0);
    g_assert_cmpuint(fired(fd), ==, 1);
    g_assert_cmpint(disable_index(f, VFIO_PCI_REQ_IRQ_INDEX), ==, 0);
    g_assert_false(fake_vfio_irq_enabled(f, VFIO_PCI_REQ_IRQ_INDEX, 0));
    close_fake(f);
    close(fd);
}

/* IOMMU */

static void test_iommu_info(void)
{
    FakeVFIODevice *f = open_ok("basic", "[iommu]\n"
                                "reserved = 0xfee00000-0xfeefffff, "
                                "0x8000000-0x80fffff\n"
                                "dma-avail = 3\n");
    VFIOBackend *b = fake_vfio_backend(f);
    VFIOIOMMUInfo info;

    g_assert_true(b->ops->get_iommu_info(b, &info, &error_abort));
    g_assert_cmphex(info.pgsizes, ==, 0x1000 | 0x200000 | 0x40000000);
    g_assert_cmpuint(info.nr_iova_ranges, ==, 3);
    g_assert_cmphex(info.iova_ranges[0].start, ==, 0);
    g_assert_cmphex(info.iova_ranges[0].end, ==, 0x7ffffff);
    g_assert_cmphex(info.iova_ranges[1].start, ==, 0x8100000);
    g_assert_cmphex(info.iova_ranges[1].end, ==, 0xfedfffff);
    g_assert_cmphex(info.iova_ranges[2].start, ==, 0xfef00000);
    g_assert_cmphex(info.iova_ranges[2].end, ==, UINT64_MAX);
    g_assert_cmpuint(info.dma_avail, ==, 3);
    vfio_iommu_info_clear(&info);
    close_fake(f);

    f = open_ok("basic", NULL);
    b = fake_vfio_backend(f);
    g_assert_true(b->ops->get_iommu_info(b, &info, &error_abort));
    g_assert_cmpuint(info.nr_iova_ranges, ==, 1);
    g_assert_cmphex(info.iova_ranges[0].end, ==, UINT64_MAX);
    g_assert_cmpuint(info.dma_avail, ==, 65535);
    vfio_iommu_info_clear(&info);
    close_fake(f);
}

static void test_dma_map(void)
{
    FakeVFIODevice *f = open_ok("basic", "[iommu]\n"
                                "reserved = 0x100000-0x1fffff\n"
                                "dma-avail = 3\n");
    VFIOBackend *b = fake_vfio_backend(f);
    const FakeVFIOCounters *c = fake_vfio_counters(f);
    uint8_t *ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    VFIOIOMMUInfo info;
    Error *err = NULL;
    char buf[8];

    g_assert_true(ram != MAP_FAILED);
    /* Alignment to the smallest page, reserved ranges, wrap-around. */
    g_assert_false(b->ops->dma_map(b, 0x800, 0x1000, ram, false, &err));
    error_free_or_abort(&err);
    g_assert_false(b->ops->dma_map(b, 0, 0x1800, ram, false, &err));
    error_free_or_abort(&err);
    g_assert_false(b->ops->dma_map(b, 0, 0x1000, ram + 1, false, &err));
    error_free_or_abort(&err);
    g_assert_false(b->ops->dma_map(b, 0, 0x1000, NULL, false, &err));
    error_free_or_abort(&err);
    g_assert_false(b->ops->dma_map(b, 0xff000, 0x2000, ram, false, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "Invalid argument"));
    error_free_or_abort(&err);
    g_assert_false(b->ops->dma_map(b, -0x1000ULL, 0x2000, ram, false, &err));
    error_free_or_abort(&err);
    g_assert_false(b->ops->dma_map(b, 0, 0, ram, false, &err));
    error_free_or_abort(&err);

    g_assert_true(b->ops->dma_map(b, 0, 0x4000, ram, false, &error_abort));
    g_assert_true(b->ops->dma_map(b, 0x4000, 0x4000, ram + 0x4000, false,
                                  &error_abort));
    g_assert_false(b->ops->dma_map(b, 0x2000, 0x1000, ram, false, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "File exists"));
    error_free_or_abort(&err);
    g_assert_true(b->ops->dma_map(b, 0x200000, 0x1000, ram + 0x8000, true,
                                  &error_abort));
    g_assert_true(b->ops->get_iommu_info(b, &info, &error_abort));
    g_assert_cmpuint(info.dma_avail, ==, 0);
    vfio_iommu_info_clear(&info);
    g_assert_false(b->ops->dma_map(b, 0x300000, 0x1000, ram, false, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "dma_entry_limit"));
    error_free_or_abort(&err);
    g_assert_cmpuint(fake_vfio_dma_mapping_count(f), ==, 3);
    g_assert_cmpuint(c->dma_maps, ==, 3);

    /* Device DMA across two mappings; a read-only one refuses writes. */
    g_assert_true(fake_vfio_dma(f, 0x3ffc, "abcdefgh", 8, true));
    g_assert_cmpmem(ram + 0x3ffc, 8, "abcdefgh", 8);
    g_assert_true(fake_vfio_dma(f, 0x3ffc, buf, 8, false));
    g_assert_cmpmem(buf, 8, "abcdefgh", 8);
    g_assert_false(fake_vfio_dma(f, 0x7ffc, buf, 8, false));
    g_assert_false(fake_vfio_dma(f, 0x200000, buf, 8, true));
    g_assert_true(fake_vfio_dma(f, 0x200000, buf, 8, false));

    /* The device's DMA engine in BAR0. */
    wr(f, 0, 0x800, 8, 0x0807060504030201ULL);
    wr(f, 0, 0x10, 4, 0x100);
    wr(f, 0, 0x14, 4, 0);
    wr(f, 0, 0x18, 4, 8);
    wr(f, 0, 0x1c, 4, 1);
    g_assert_cmpuint(rd(f, 0, 0x20, 4), ==, 0);
    g_assert_cmphex(ldq_le_p(ram + 0x100), ==, 0x0807060504030201ULL);
    stq_le_p(ram + 0x200, 0x1122334455667788ULL);
    wr(f, 0, 0x10, 4, 0x200);
    wr(f, 0, 0x1c, 4, 2);
    g_assert_cmphex(rd(f, 0, 0x800, 4), ==, 0x55667788);
    wr(f, 0, 0x14, 4, 1);                               /* unmapped */
    wr(f, 0, 0x1c, 4, 2);
    g_assert_cmpuint(rd(f, 0, 0x20, 4), ==, 1);

    /* Unmap: whole mappings only. */
    g_assert_false(b->ops->dma_unmap(b, 0x2000, 0x4000, &err));
    error_free_or_abort(&err);
    g_assert_true(b->ops->dma_unmap(b, 0, 0x8000, &error_abort));
    g_assert_cmpuint(fake_vfio_dma_mapping_count(f), ==, 1);
    g_assert_true(b->ops->dma_unmap(b, 0x10000000, 0x1000, &error_abort));
    g_assert_cmpuint(c->dma_unmaps, ==, 2);
    g_assert_false(fake_vfio_dma(f, 0x100, buf, 8, false));
    close_fake(f);
    munmap(ram, 0x10000);
}

static void test_dma_domain(void)
{
    FakeVFIODevice *a = open_ok("basic", NULL);
    FakeVFIODevice *b = open_ok("edu", NULL);
    FakeVFIODevice *c = open_ok("basic", "[iommu]\nshared = true\n");
    FakeVFIODevice *d = open_ok("edu", "[iommu]\nshared = true\n");
    VFIOBackend *bc = fake_vfio_backend(c);
    static uint8_t page[0x1000] __attribute__((aligned(0x1000)));

    g_assert_true(fake_vfio_backend(a)->ops->dma_domain(fake_vfio_backend(a))
                  != fake_vfio_backend(b)->ops->dma_domain(
                         fake_vfio_backend(b)));
    g_assert_true(bc->ops->dma_domain(bc) ==
                  bc->ops->dma_domain(fake_vfio_backend(d)));
    /* One domain, one set of mappings. */
    g_assert_true(bc->ops->dma_map(bc, 0x1000, 0x1000, page, false,
                                   &error_abort));
    g_assert_cmpuint(fake_vfio_dma_mapping_count(d), ==, 1);
    g_assert_true(fake_vfio_dma(d, 0x1000, "x", 1, true));
    g_assert_cmpuint(page[0], ==, 'x');
    close_fake(c);
    g_assert_cmpuint(fake_vfio_dma_mapping_count(d), ==, 1);
    close_fake(d);
    close_fake(a);
    close_fake(b);
}

/* Faults, reset, close, provider */

static void test_faults(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    int32_t fd = new_eventfd();
    static uint8_t page[0x1000] __attribute__((aligned(0x1000)));
    Error *err = NULL;
    uint32_t v;

    fake_vfio_inject_fault(f, FAKE_FAULT_REGION_EIO, 3);
    g_assert_cmpint(b->ops->region_read(b, 3, 0x1000, &v, 4), ==, -EIO);
    g_assert_cmpint(b->ops->region_write(b, 3, 0x1000, &v, 4), ==, -EIO);
    rd(f, 0, 0, 4);
    fake_vfio_inject_fault(f, FAKE_FAULT_REGION_EIO, UINT32_MAX);
    rd(f, 3, 0x1000, 4);

    fake_vfio_inject_fault(f, FAKE_FAULT_SET_IRQS, 2);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, -EINVAL);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, -EINVAL);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, 0);
    g_assert_cmpuint(fake_vfio_counters(f)->set_irqs_failed, ==, 2);
    g_assert_cmpuint(fake_vfio_counters(f)->set_irqs[MSIX], ==, 3);

    fake_vfio_inject_fault(f, FAKE_FAULT_RESET, 1);
    g_assert_false(b->ops->reset(b, &err));
    error_free_or_abort(&err);
    g_assert_true(b->ops->reset(b, &error_abort));
    g_assert_cmpuint(fake_vfio_counters(f)->resets, ==, 2);

    /* Worded as the kernel backend words them (vfio_dma_map_error). */
    fake_vfio_inject_fault(f, FAKE_FAULT_DMA_MAP, 1);
    g_assert_false(b->ops->dma_map(b, 0, 0x1000, page, false, &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "vfio: VFIO_MAP_DMA of 4 KiB "));
    error_free_or_abort(&err);
    fake_vfio_inject_fault(f, FAKE_FAULT_DMA_MAP_NOSPC, 1);
    g_assert_false(b->ops->dma_map(b, 0, 0x1000, page, false, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "dma_entry_limit"));
    error_free_or_abort(&err);
    g_assert_true(b->ops->dma_map(b, 0, 0x1000, page, false, &error_abort));

    fake_vfio_inject_fault(f, FAKE_FAULT_MMAP, 1);
    g_assert_null(b->ops->region_mmap(b, 0, 0x1000, 0x1000, PROT_READ, &err));
    error_free_or_abort(&err);
    b->ops->region_munmap(b, b->ops->region_mmap(b, 0, 0x1000, 0x1000,
                                                 PROT_READ, &error_abort),
                          0x1000);
    close_fake(f);
    close(fd);
}

/* An interrupt taken back: signalled, then drained before we read it. */
static void test_eventfd_read_fault(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    int32_t fd = new_eventfd();
    eventfd_t value;

    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, 0);
    fake_vfio_inject_fault(f, FAKE_FAULT_EVENTFD_READ, 1);
    fake_vfio_raise_irq(f, MSIX, 0);
    qemu_main_loop_poll_once(false);
    g_assert_cmpint(eventfd_read(fd, &value), <, 0);
    g_assert_cmpint(errno, ==, EAGAIN);
    /* only the next one was taken */
    fake_vfio_raise_irq(f, MSIX, 0);
    qemu_main_loop_poll_once(false);
    g_assert_cmpint(eventfd_read(fd, &value), ==, 0);
    close_fake(f);
    close(fd);
}

/* [faults] arms faults at open; [iommu] account-locked pins as type1. */
static void test_spec_faults(void)
{
    FakeVFIODevice *f = open_ok("msix", "[faults]\nset-irqs = 1\n"
                                "region-eio = 0\n");
    int32_t fd = new_eventfd();
    static uint8_t page[0x2000] __attribute__((aligned(0x1000)));
    VFIOBackend *b;
    struct rlimit old, low;
    Error *err = NULL;
    uint32_t v;

    b = fake_vfio_backend(f);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, -EINVAL);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, 0);
    g_assert_cmpint(b->ops->region_read(b, 0, 0, &v, 4), ==, -EIO);
    close_fake(f);
    close(fd);
    open_fails("msix", "[faults]\nwobble = 1\n", "[faults] wobble");
    open_fails("msix", "[faults]\nregion-eio = 9\n", "[faults] region-eio");

    f = open_ok("msix", "[iommu]\naccount-locked = true\n");
    b = fake_vfio_backend(f);
    g_assert_cmpint(getrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    low = old;
    low.rlim_cur = 0x1000;
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &low), ==, 0);
    g_assert_true(b->ops->dma_map(b, 0, 0x1000, page, false, &error_abort));
    g_assert_false(b->ops->dma_map(b, 0x1000, 0x1000, page + 0x1000, false,
                                   &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "RLIMIT_MEMLOCK, now 4 "
                            "KiB"));
    error_free_or_abort(&err);
    /* what was unmapped is no longer pinned */
    g_assert_true(b->ops->dma_unmap(b, 0, 0x1000, &error_abort));
    g_assert_true(b->ops->dma_map(b, 0x1000, 0x1000, page + 0x1000, false,
                                  &error_abort));
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &old), ==, 0);
    close_fake(f);
}

static void test_hot_reset_info(void)
{
    FakeVFIODevice *f = open_ok("edu", "[device]\naddress = 0000:05:00.1\n"
                                "group = 9\n");
    VFIOBackend *b = fake_vfio_backend(f);
    VFIOHotResetDevice *devs;
    unsigned nr;

    g_assert_true(b->ops->get_hot_reset_info(b, &devs, &nr, &error_abort));
    g_assert_cmpuint(nr, ==, 1);
    g_assert_cmpuint(devs[0].bus, ==, 5);
    g_assert_cmpuint(devs[0].devfn, ==, 1);
    g_assert_cmpint(devs[0].group_id, ==, 9);
    g_free(devs);
    g_assert_true(b->ops->hot_reset(b, &error_abort));
    g_assert_cmpuint(fake_vfio_counters(f)->hot_resets, ==, 1);
    close_fake(f);
}

static void test_close(void)
{
    FakeVFIODevice *f = open_ok("msix", NULL);
    VFIOBackend *b = fake_vfio_backend(f);
    int32_t fd = new_eventfd();
    VFIORegionInfo info;
    Error *err = NULL;
    uint32_t v;

    g_assert_cmpint(set_fds(f, MSIX, 0, 2, (int32_t[]){ fd, fd }), ==, 0);
    rd(f, 0, 0, 4);
    close_fake(f);
    /* Everything is refused, nothing crashes, the counters stay. */
    g_assert_cmpint(b->ops->region_read(b, 0, 0, &v, 4), ==, -ENODEV);
    g_assert_cmpint(set_fds(f, MSIX, 0, 1, &fd), ==, -ENODEV);
    g_assert_false(b->ops->get_region_info(b, 0, &info, &err));
    error_free_or_abort(&err);
    g_assert_false(b->ops->reset(b, &err));
    error_free_or_abort(&err);
    g_assert_false(fake_vfio_irq_enabled(f, MSIX, 0));
    g_assert_cmpuint(fake_vfio_irq_count_enabled(f, MSIX), ==, 0);
    g_assert_cmpuint(fake_vfio_dma_mapping_count(f), ==, 0);
    g_assert_false(fake_vfio_dma(f, 0, &v, 4, false));
    fake_vfio_raise_irq(f, MSIX, 0);
    g_assert_cmpuint(fake_vfio_counters(f)->bar_reads, ==, 1);
    g_assert_cmpuint(fake_vfio_counters(f)->set_irqs[MSIX], ==, 1);
    b->ops->close(b);
    close(fd);
}

static void test_provider(void)
{
    VFIOBackend *b = vfio_backend_open("fake:edu", NULL, &error_abort);
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    Error *err = NULL;

    g_assert_nonnull(f);
    g_assert_true(fake_vfio_last() == f);
    g_assert_cmpstr(b->ops->name, ==, "fake");
    vfio_backend_close(b);
    g_assert_false(fake_vfio_is_open(f));
    g_assert_null(vfio_backend_open("fake:nosuch", NULL, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "nosuch"));
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fake-vfio/spec/profiles", test_profiles);
    g_test_add_func("/fake-vfio/spec/ini-overrides", test_ini_overrides);
    g_test_add_func("/fake-vfio/spec/bad", test_bad_specs);
    g_test_add_func("/fake-vfio/config/chain", test_config_chain);
    g_test_add_func("/fake-vfio/config/bars", test_config_bars);
    g_test_add_func("/fake-vfio/config/eio", test_config_eio);
    g_test_add_func("/fake-vfio/region/bounds", test_region_bounds);
    g_test_add_func("/fake-vfio/region/bar0-registers", test_bar0_registers);
    g_test_add_func("/fake-vfio/region/mmap", test_region_mmap);
    g_test_add_func("/fake-vfio/region/mmap-areas", test_mmap_areas);
    g_test_add_func("/fake-vfio/region/msix-table", test_msix_table_access);
    g_test_add_func("/fake-vfio/rom/kinds", test_rom_kinds);
    g_test_add_func("/fake-vfio/rom/faults", test_rom_faults);
    g_test_add_func("/fake-vfio/faults/eventfd-read",
                    test_eventfd_read_fault);
    g_test_add_func("/fake-vfio/faults/spec", test_spec_faults);
    g_test_add_func("/fake-vfio/irq/msix-noresize", test_msix_noresize);
    g_test_add_func("/fake-vfio/irq/msix-dynamic", test_msix_dynamic);
    g_test_add_func("/fake-vfio/irq/exclusion", test_irq_exclusion);
    g_test_add_func("/fake-vfio/irq/intx", test_intx);
    g_test_add_func("/fake-vfio/irq/err-req", test_err_req);
    g_test_add_func("/fake-vfio/iommu/info", test_iommu_info);
    g_test_add_func("/fake-vfio/iommu/map", test_dma_map);
    g_test_add_func("/fake-vfio/iommu/domain", test_dma_domain);
    g_test_add_func("/fake-vfio/faults", test_faults);
    g_test_add_func("/fake-vfio/hot-reset", test_hot_reset_info);
    g_test_add_func("/fake-vfio/close", test_close);
    g_test_add_func("/fake-vfio/provider", test_provider);
    return g_test_run();
}
