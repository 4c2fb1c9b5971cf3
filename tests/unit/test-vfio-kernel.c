/*
 * The kernel backend on a fake sysfs and /dev tree: every refusal that
 * can be reached without the kernel's VFIO, and the parsing of the
 * kernel's info replies. Regular files cannot answer ioctls, so nothing
 * past opening the group node is exercised here (the functional suite
 * does that in a guest).
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "hw/vfio/kernel.h"

typedef struct Tree {
    char *root;
    char *sys;
    char *dev;
} Tree;

static void mkdirs(const char *path)
{
    g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
}

static void touch(const char *path)
{
    g_assert_true(g_file_set_contents(path, "", 0, NULL));
}

static void link_to(const char *target, const char *path)
{
    g_assert_cmpint(symlink(target, path), ==, 0);
}

static Tree *tree_new(void)
{
    Tree *t = g_new0(Tree, 1);

    t->root = g_dir_make_tmp("test-vfio-kernel-XXXXXX", NULL);
    g_assert_nonnull(t->root);
    t->sys = g_build_filename(t->root, "sys", NULL);
    t->dev = g_build_filename(t->root, "dev", NULL);
    mkdirs(t->sys);
    mkdirs(t->dev);
    vfio_kernel_set_roots(t->sys, t->dev);
    return t;
}

static void rm_rf(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
            !g_file_test(child, G_FILE_TEST_IS_SYMLINK)) {
            rm_rf(child);
        } else {
            unlink(child);
        }
    }
    if (dir) {
        g_dir_close(dir);
    }
    rmdir(path);
}

static void tree_free(Tree *t)
{
    vfio_kernel_set_roots(NULL, NULL);
    rm_rf(t->root);
    g_free(t->root);
    g_free(t->sys);
    g_free(t->dev);
    g_free(t);
}

/* sys/devices/.../NAME with iommu_group and driver links, as sysfs has. */
static char *add_device(Tree *t, const char *name, int group,
                        const char *driver)
{
    g_autofree char *real = g_build_filename(t->sys, "devices", "pci0000:00",
                                             name, NULL);
    g_autofree char *bus_devs = g_build_filename(t->sys, "bus", "pci",
                                                 "devices", NULL);
    g_autofree char *alias = g_build_filename(bus_devs, name, NULL);

    mkdirs(real);
    mkdirs(bus_devs);
    link_to(real, alias);
    if (group >= 0) {
        g_autofree char *nr = g_strdup_printf("%d", group);
        g_autofree char *gdir = g_build_filename(t->sys, "kernel",
                                                 "iommu_groups", nr, NULL);
        g_autofree char *gdevs = g_build_filename(gdir, "devices", NULL);
        g_autofree char *member = g_build_filename(gdevs, name, NULL);
        g_autofree char *link = g_build_filename(real, "iommu_group", NULL);

        mkdirs(gdevs);
        link_to(gdir, link);
        link_to(real, member);
    }
    if (driver) {
        g_autofree char *ddir = g_build_filename(t->sys, "bus", "pci",
                                                 "drivers", driver, NULL);
        g_autofree char *link = g_build_filename(real, "driver", NULL);

        mkdirs(ddir);
        link_to(ddir, link);
    }
    return g_strdup(real);
}

static void add_dev_node(Tree *t, const char *node)
{
    g_autofree char *dir = g_build_filename(t->dev, "vfio", NULL);
    g_autofree char *path = g_build_filename(dir, node, NULL);

    mkdirs(dir);
    touch(path);
}

/* Open must fail with exactly @want (after substituting the tree roots). */
static void expect_open_error(const char *host, const char *sysfsdev,
                              const char *want)
{
    Error *err = NULL;
    VFIOBackend *b = vfio_kernel_open(host, sysfsdev, &err);

    g_assert_null(b);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    error_free(err);
}

static void test_bad_host(void)
{
    static const char *const bad[] = {
        "", "01:00", "01:00.", "1:0.8", "01:20.0", "0000:01:00.0:0",
        "00000:01:00.0", "0000:001:00.0", "0000:01:000.0", "0000:01:00.00",
        "0x01:00.0", " 01:00.0", "01:00.0 ", "g1:00.0", "0000:01:00.-1",
        "::.", "0000::00.0", "01.00.0", "0000:01:00:0",
    };
    Tree *t = tree_new();

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *want = g_strdup_printf(
            "vfio-pci: host address '%s' is not [domain:]bus:slot.function",
            bad[i]);

        expect_open_error(bad[i], NULL, want);
    }
    tree_free(t);
}

/* Good addresses are normalised: default domain, lower case, widths. */
static void test_host_forms(void)
{
    static const char *const good[][2] = {
        { "01:00.0", "0000:01:00.0" },
        { "0000:01:00.0", "0000:01:00.0" },
        { "1:0.0", "0000:01:00.0" },
        { "ABCD:Ef:1f.7", "abcd:ef:1f.7" },
    };
    Tree *t = tree_new();

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        g_autofree char *path = g_build_filename(t->sys, "bus", "pci",
                                                 "devices", good[i][1], NULL);
        g_autofree char *want = g_strdup_printf(
            "vfio %s: no such host device (%s)", good[i][1], path);

        expect_open_error(good[i][0], NULL, want);
    }
    tree_free(t);
}

static void test_missing_device(void)
{
    Tree *t = tree_new();
    g_autofree char *sysfsdev = g_build_filename(t->sys, "devices", "nowhere",
                                                 "0000:02:00.0", NULL);
    g_autofree char *want = g_strdup_printf(
        "vfio 0000:02:00.0: no such host device (%s)", sysfsdev);

    expect_open_error(NULL, sysfsdev, want);
    expect_open_error(NULL, NULL,
                      "vfio-pci: host= or sysfsdev= is required");
    tree_free(t);
}

static void test_no_iommu_group(void)
{
    Tree *t = tree_new();
    g_autofree char *path = add_device(t, "0000:01:00.0", -1, "vfio-pci");
    const char *want = "vfio 0000:01:00.0: no IOMMU group: is the IOMMU "
        "enabled (intel_iommu=on / amd_iommu=on) and the device's driver "
        "vfio-pci?";

    expect_open_error("01:00.0", NULL, want);
    expect_open_error(NULL, path, want);
    tree_free(t);
}

static void test_wrong_driver(void)
{
    Tree *t = tree_new();
    g_autofree char *path = add_device(t, "0000:01:00.0", 7, "e1000e");
    g_autofree char *alias = g_build_filename(t->sys, "bus", "pci", "devices",
                                              "0000:01:00.0", NULL);
    g_autofree char *want = g_strdup_printf(
        "vfio 0000:01:00.0: device is bound to e1000e, not vfio-pci: "
        "echo vfio-pci > %s/driver_override; "
        "echo 0000:01:00.0 > %s/bus/pci/drivers/e1000e/unbind; "
        "echo 0000:01:00.0 > %s/bus/pci/drivers/vfio-pci/bind",
        alias, t->sys, t->sys);
    g_autofree char *want_sysfsdev = g_strdup_printf(
        "vfio 0000:01:00.0: device is bound to e1000e, not vfio-pci: "
        "echo vfio-pci > %s/driver_override; "
        "echo 0000:01:00.0 > %s/bus/pci/drivers/e1000e/unbind; "
        "echo 0000:01:00.0 > %s/bus/pci/drivers/vfio-pci/bind",
        path, t->sys, t->sys);

    expect_open_error("0000:01:00.0", NULL, want);
    expect_open_error(NULL, path, want_sysfsdev);
    tree_free(t);
}

static void test_unbound(void)
{
    Tree *t = tree_new();
    g_autofree char *path = add_device(t, "0000:03:00.1", 9, NULL);
    g_autofree char *alias = g_build_filename(t->sys, "bus", "pci", "devices",
                                              "0000:03:00.1", NULL);
    g_autofree char *want = g_strdup_printf(
        "vfio 0000:03:00.1: device is not bound to any driver, not vfio-pci: "
        "echo vfio-pci > %s/driver_override; "
        "echo 0000:03:00.1 > %s/bus/pci/drivers/vfio-pci/bind",
        alias, t->sys);

    expect_open_error("3:0.1", NULL, want);
    tree_free(t);
}

static void test_no_control_node(void)
{
    Tree *t = tree_new();
    g_autofree char *path = add_device(t, "0000:01:00.0", 7, "vfio-pci");
    g_autofree char *want = g_strdup_printf(
        "vfio 0000:01:00.0: no %s/vfio/vfio: load the vfio-pci module",
        t->dev);

    /* The group node alone does not help: the control node is checked first. */
    add_dev_node(t, "7");
    expect_open_error("01:00.0", NULL, want);
    expect_open_error(NULL, path, want);
    tree_free(t);
}

static void test_no_group_node(void)
{
    Tree *t = tree_new();
    g_autofree char *path = add_device(t, "0000:01:00.0", 7, "vfio-pci");
    g_autofree char *want = g_strdup_printf(
        "vfio 0000:01:00.0: no %s/vfio/7: is the vfio-pci module loaded "
        "and, inside a container, was the node passed in?", t->dev);

    add_dev_node(t, "vfio");
    expect_open_error("01:00.0", NULL, want);
    tree_free(t);
}

/* Only reachable without root: root opens a mode-000 file anyway. */
static void test_group_node_permission(void)
{
    Tree *t;
    g_autofree char *node = NULL;
    g_autofree char *want = NULL;
    g_autofree char *path = NULL;

    /* root ignores file modes: check as an unprivileged user instead */
    if (geteuid() == 0 && !g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        return;
    }
    if (geteuid() == 0) {
        g_assert_cmpint(setgid(65534), ==, 0);
        g_assert_cmpint(setuid(65534), ==, 0);
    }
    t = tree_new();
    path = add_device(t, "0000:01:00.0", 7, "vfio-pci");
    add_dev_node(t, "vfio");
    add_dev_node(t, "7");
    node = g_build_filename(t->dev, "vfio", "7", NULL);
    g_assert_cmpint(chmod(node, 0), ==, 0);
    want = g_strdup_printf("vfio 0000:01:00.0: permission denied opening %s: "
                           "run as root or give this user the device (chown)",
                           node);
    expect_open_error("01:00.0", NULL, want);
    tree_free(t);
}

/* Reply buffers for the parsers, built the way the kernel lays them out. */

typedef struct RegionReply {
    struct vfio_region_info info;
    struct vfio_region_info_cap_sparse_mmap sparse;
    struct vfio_region_sparse_mmap_area areas[2];
    struct vfio_region_info_cap_type type;
    struct vfio_info_cap_header msix;
} RegionReply;

static void region_reply_init(RegionReply *r)
{
    memset(r, 0, sizeof(*r));
    r->info.argsz = sizeof(*r);
    r->info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
                    VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
    r->info.index = VFIO_PCI_BAR0_REGION_INDEX;
    r->info.size = 0x4000;
    r->info.cap_offset = offsetof(RegionReply, sparse);
    r->sparse.header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
    r->sparse.header.version = 1;
    r->sparse.header.next = offsetof(RegionReply, type);
    r->sparse.nr_areas = 2;
    r->areas[0].offset = 0;
    r->areas[0].size = 0x2000;
    r->areas[1].offset = 0x3000;
    r->areas[1].size = 0x1000;
    r->type.header.id = VFIO_REGION_INFO_CAP_TYPE;
    r->type.header.version = 1;
    r->type.header.next = offsetof(RegionReply, msix);
    r->type.type = VFIO_REGION_TYPE_GFX;
    r->type.subtype = VFIO_REGION_SUBTYPE_GFX_EDID;
    r->msix.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE;
    r->msix.version = 1;
}

static void test_region_caps(void)
{
    RegionReply r;
    VFIORegionInfo info;

    region_reply_init(&r);
    vfio_kernel_region_info_parse("t", &r.info, sizeof(r), &info);
    g_assert_cmpuint(info.index, ==, VFIO_PCI_BAR0_REGION_INDEX);
    g_assert_cmphex(info.size, ==, 0x4000);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 2);
    g_assert_cmphex(info.mmap_areas[0].offset, ==, 0);
    g_assert_cmphex(info.mmap_areas[0].size, ==, 0x2000);
    g_assert_cmphex(info.mmap_areas[1].offset, ==, 0x3000);
    g_assert_cmphex(info.mmap_areas[1].size, ==, 0x1000);
    g_assert_true(info.has_type);
    g_assert_cmpuint(info.type, ==, VFIO_REGION_TYPE_GFX);
    g_assert_cmpuint(info.subtype, ==, VFIO_REGION_SUBTYPE_GFX_EDID);
    g_assert_true(info.msix_mappable);
    g_free(info.mmap_areas);

    /* No caps: one area over the region; no MMAP flag: none. */
    r.info.flags &= ~VFIO_REGION_INFO_FLAG_CAPS;
    vfio_kernel_region_info_parse("t", &r.info, sizeof(r), &info);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 1);
    g_assert_cmphex(info.mmap_areas[0].size, ==, 0x4000);
    g_assert_false(info.msix_mappable || info.has_type);
    g_free(info.mmap_areas);
    r.info.flags &= ~VFIO_REGION_INFO_FLAG_MMAP;
    vfio_kernel_region_info_parse("t", &r.info, sizeof(r), &info);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 0);
    g_assert_null(info.mmap_areas);

    /* An area past the region's end is dropped, the rest kept. */
    region_reply_init(&r);
    r.areas[1].offset = 0x3800;
    vfio_kernel_region_info_parse("t", &r.info, sizeof(r), &info);
    g_assert_cmpuint(info.nr_mmap_areas, ==, 1);
    g_free(info.mmap_areas);
}

/* Each corruption must leave a region with no capabilities and a warning. */
static void expect_no_caps(RegionReply *r, size_t len)
{
    g_autoptr(GString) log = g_string_new(NULL);
    VFIORegionInfo info;

    error_capture_begin(log);
    vfio_kernel_region_info_parse("0000:01:00.0", &r->info, len, &info);
    error_capture_end();
    g_assert_nonnull(strstr(log->str, "vfio 0000:01:00.0: region 0: the "
                            "kernel's capability chain is malformed"));
    g_assert_false(info.msix_mappable || info.has_type);
    /* Back to the whole region, as without the sparse capability. */
    g_assert_cmpuint(info.nr_mmap_areas, ==, 1);
    g_assert_cmphex(info.mmap_areas[0].size, ==, r->info.size);
    g_free(info.mmap_areas);
}

static void test_region_caps_malformed(void)
{
    RegionReply r;

    region_reply_init(&r);
    r.info.cap_offset = sizeof(r);                  /* past the end */
    expect_no_caps(&r, sizeof(r));

    region_reply_init(&r);
    r.info.cap_offset = 4;                          /* inside the header */
    expect_no_caps(&r, sizeof(r));

    region_reply_init(&r);
    r.info.cap_offset = 0xfffffff0;                 /* wraps */
    expect_no_caps(&r, sizeof(r));

    region_reply_init(&r);
    r.msix.next = offsetof(RegionReply, sparse);    /* loops */
    expect_no_caps(&r, sizeof(r));

    region_reply_init(&r);
    r.type.header.next = offsetof(RegionReply, type); /* points at itself */
    expect_no_caps(&r, sizeof(r));

    region_reply_init(&r);
    r.sparse.nr_areas = 0x10000000;                 /* array past the end */
    expect_no_caps(&r, sizeof(r));

    /* The buffer ends before the type capability's body. */
    region_reply_init(&r);
    r.type.header.next = 0;
    expect_no_caps(&r, offsetof(RegionReply, type) + sizeof(r.type.header));

    /* The kernel's argsz is smaller than the chain claims. */
    region_reply_init(&r);
    r.info.argsz = offsetof(RegionReply, msix) + 2;
    expect_no_caps(&r, sizeof(r));
}

typedef struct IOMMUReply {
    struct vfio_iommu_type1_info info;
    struct vfio_iommu_type1_info_cap_iova_range ranges;
    struct vfio_iova_range r[2];
    struct vfio_iommu_type1_info_dma_avail avail;
} IOMMUReply;

static void iommu_reply_init(IOMMUReply *r)
{
    memset(r, 0, sizeof(*r));
    r->info.argsz = sizeof(*r);
    r->info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
    r->info.iova_pgsizes = 0x40201000;
    r->info.cap_offset = offsetof(IOMMUReply, ranges);
    r->ranges.header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
    r->ranges.header.version = 1;
    r->ranges.header.next = offsetof(IOMMUReply, avail);
    r->ranges.nr_iovas = 2;
    r->r[0].start = 0;
    r->r[0].end = 0xfedfffff;
    r->r[1].start = 0xfef00000;
    r->r[1].end = 0xffffffffffffULL;
    r->avail.header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
    r->avail.header.version = 1;
    r->avail.avail = 65535;
}

static void test_iommu_caps(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    IOMMUReply r;
    VFIOIOMMUInfo info;

    iommu_reply_init(&r);
    vfio_kernel_iommu_info_parse(&r.info, sizeof(r), &info);
    g_assert_cmphex(info.pgsizes, ==, 0x40201000);
    g_assert_cmpuint(info.nr_iova_ranges, ==, 2);
    g_assert_cmphex(info.iova_ranges[0].end, ==, 0xfedfffff);
    g_assert_cmphex(info.iova_ranges[1].start, ==, 0xfef00000);
    g_assert_cmphex(info.iova_ranges[1].end, ==, 0xffffffffffffULL);
    g_assert_cmpuint(info.dma_avail, ==, 65535);
    g_free(info.iova_ranges);

    /* Neither capability: whole space, no limit reported. */
    r.info.flags = 0;
    vfio_kernel_iommu_info_parse(&r.info, sizeof(r), &info);
    g_assert_cmpuint(info.nr_iova_ranges, ==, 0);
    g_assert_cmpuint(info.dma_avail, ==, 0);
    g_assert_cmphex(info.pgsizes, ==, getpagesize());

    /* Malformed: dropped with a warning. */
    iommu_reply_init(&r);
    r.avail.header.next = offsetof(IOMMUReply, ranges);
    error_capture_begin(log);
    vfio_kernel_iommu_info_parse(&r.info, sizeof(r), &info);
    error_capture_end();
    g_assert_nonnull(strstr(log->str, "capability chain is malformed"));
    g_assert_cmpuint(info.nr_iova_ranges, ==, 0);
    g_assert_null(info.iova_ranges);
    g_assert_cmpuint(info.dma_avail, ==, 0);

    iommu_reply_init(&r);
    r.r[1].end = 0;                                 /* end before start */
    error_capture_begin(log);
    vfio_kernel_iommu_info_parse(&r.info, sizeof(r), &info);
    g_assert_cmpuint(info.nr_iova_ranges, ==, 0);

    iommu_reply_init(&r);
    r.ranges.header.next = 0;
    r.ranges.nr_iovas = 3;                          /* array past the end */
    vfio_kernel_iommu_info_parse(&r.info, offsetof(IOMMUReply, avail), &info);
    error_capture_end();
    g_assert_cmpuint(info.nr_iova_ranges, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-kernel/host/bad", test_bad_host);
    g_test_add_func("/vfio-kernel/host/forms", test_host_forms);
    g_test_add_func("/vfio-kernel/missing-device", test_missing_device);
    g_test_add_func("/vfio-kernel/no-iommu-group", test_no_iommu_group);
    g_test_add_func("/vfio-kernel/driver/wrong", test_wrong_driver);
    g_test_add_func("/vfio-kernel/driver/unbound", test_unbound);
    g_test_add_func("/vfio-kernel/dev/no-control", test_no_control_node);
    g_test_add_func("/vfio-kernel/dev/no-group", test_no_group_node);
    g_test_add_func("/vfio-kernel/dev/group-permission",
                    test_group_node_permission);
    g_test_add_func("/vfio-kernel/region-caps", test_region_caps);
    g_test_add_func("/vfio-kernel/region-caps/malformed",
                    test_region_caps_malformed);
    g_test_add_func("/vfio-kernel/iommu-caps", test_iommu_caps);
    return g_test_run();
}
