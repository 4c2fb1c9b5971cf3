/*
 * The kernel's VFIO through the legacy container/group interface and the
 * type1 IOMMU (v2 where the kernel has it).
 *
 * Groups and containers are shared across the devices of this process:
 * two functions of one group use one group fd, and every group joins the
 * first container whose IOMMU will take it, so guest RAM is mapped once.
 * Each is released when its last user goes.
 */
#include "qemu/osdep.h"
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "qemu/error.h"
#include "qom/object.h"
#include "hw/core/qdev.h"
#include "hw/vfio/kernel.h"
#include "trace.h"


/* Info replies grow to what the kernel asks for, within reason. */
#define VFIO_KERNEL_INFO_MAX (1u << 20)
#define VFIO_KERNEL_INFO_TRIES 4

#define REGION_OFFSET_UNKNOWN UINT64_MAX

typedef struct VFIOKernelContainer {
    int fd;
    int iommu_type;             /* VFIO_TYPE1v2_IOMMU or VFIO_TYPE1_IOMMU */
    unsigned nr_groups;
    uint64_t mapped;            /* bytes mapped, for the memlock message */
} VFIOKernelContainer;

typedef struct VFIOKernelGroup {
    int id;
    int fd;
    unsigned nr_devices;
    VFIOKernelContainer *container;
} VFIOKernelGroup;

typedef struct VFIOKernelDevice {
    VFIOBackend base;
    int fd;
    VFIOKernelGroup *group;
    VFIODeviceInfo info;
    uint64_t *region_offsets;   /* per index, filled on first use */
} VFIOKernelDevice;

static GList *containers;       /* VFIOKernelContainer * */
static GList *groups;           /* VFIOKernelGroup * */
static GList *devices;          /* VFIOKernelDevice * */

static const VFIOBackendOps vfio_kernel_ops;

static VFIOKernelDevice *kdev(VFIOBackend *b)
{
    return container_of(b, VFIOKernelDevice, base);
}

/* Roots */

static char *sysfs_root;
static char *dev_root;

void vfio_kernel_set_roots(const char *sysfs, const char *dev)
{
    g_free(sysfs_root);
    g_free(dev_root);
    sysfs_root = g_strdup(sysfs);
    dev_root = g_strdup(dev);
}

static const char *vfio_sysfs(void)
{
    return sysfs_root ? sysfs_root : "/sys";
}

static const char *vfio_dev(void)
{
    return dev_root ? dev_root : "/dev";
}

static char *vfio_group_node(int group_id)
{
    g_autofree char *nr = g_strdup_printf("%d", group_id);

    return g_build_filename(vfio_dev(), "vfio", nr, NULL);
}

/* Sizes in messages: exact where possible, in the largest fitting unit. */
/* Finding the device */

/* One hex field of at most @max digits, followed by @end. */
static bool vfio_parse_hex_field(const char **p, unsigned max, char end,
                                 unsigned *val)
{
    const char *s = *p;
    unsigned v = 0, n = 0;

    while (n < max && g_ascii_isxdigit(*s)) {
        v = v * 16 + g_ascii_xdigit_value(*s++);
        n++;
    }
    if (!n || *s != end) {
        return false;
    }
    *val = v;
    *p = end ? s + 1 : s;
    return true;
}

/* [DDDD:]BB:DD.F, hex, nothing before or after. */
static bool vfio_parse_pci_addr(const char *str, uint16_t *segment,
                                uint8_t *bus, uint8_t *devfn)
{
    const char *p = str;
    unsigned dom = 0, b, slot, fn;

    if (strchr(str, ':') != strrchr(str, ':') &&
        !vfio_parse_hex_field(&p, 4, ':', &dom)) {
        return false;
    }
    if (!vfio_parse_hex_field(&p, 2, ':', &b) ||
        !vfio_parse_hex_field(&p, 2, '.', &slot) ||
        !vfio_parse_hex_field(&p, 1, '\0', &fn) ||
        slot > 0x1f || fn > 7) {
        return false;
    }
    *segment = dom;
    *bus = b;
    *devfn = slot << 3 | fn;
    return true;
}

/*
 * The device's name (as the kernel knows it) and sysfs directory. The
 * address fields stay 0 for a sysfsdev that is not named like a PCI one.
 */
static bool vfio_kernel_locate(const char *host, const char *sysfsdev,
                               VFIOBackend *b, char **path, Error **errp)
{
    if (sysfsdev) {
        b->name = g_path_get_basename(sysfsdev);
        *path = g_strdup(sysfsdev);
        vfio_parse_pci_addr(b->name, &b->segment, &b->bus, &b->devfn);
        return true;
    }
    if (!host) {
        error_setg(errp, "vfio-pci: host= or sysfsdev= is required");
        return false;
    }
    if (!vfio_parse_pci_addr(host, &b->segment, &b->bus, &b->devfn)) {
        error_setg(errp, "vfio-pci: host address '%s' is not "
                   "[domain:]bus:slot.function", host);
        return false;
    }
    b->name = g_strdup_printf("%04x:%02x:%02x.%x", b->segment, b->bus,
                              b->devfn >> 3, b->devfn & 7);
    *path = g_build_filename(vfio_sysfs(), "bus", "pci", "devices", b->name,
                             NULL);
    return true;
}

/* The last component of symlink @dir/@link's target; NULL with errno. */
static char *vfio_link_basename(const char *dir, const char *link)
{
    g_autofree char *path = g_build_filename(dir, link, NULL);
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof(target) - 1);

    if (n < 0) {
        return NULL;
    }
    target[n] = '\0';
    return g_path_get_basename(target);
}

static bool vfio_kernel_check_exists(const char *name, const char *path,
                                     Error **errp)
{
    struct stat st;

    if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
        error_setg(errp, "vfio %s: no such host device (%s)", name, path);
        return false;
    }
    return true;
}

static int vfio_kernel_group_id(const char *name, const char *path,
                                Error **errp)
{
    g_autofree char *group = vfio_link_basename(path, "iommu_group");
    guint64 id;

    if (!group && errno == ENOENT) {
        error_setg(errp, "vfio %s: no IOMMU group: is the IOMMU enabled "
                   "(intel_iommu=on / amd_iommu=on) and the device's driver "
                   "vfio-pci?", name);
        return -1;
    }
    if (!group) {
        error_setg_errno(errp, errno, "vfio %s: cannot read %s/iommu_group",
                         name, path);
        return -1;
    }
    if (!g_ascii_string_to_unsigned(group, 10, 0, INT_MAX, &id, NULL)) {
        error_setg(errp, "vfio %s: IOMMU group '%s' is not a number",
                   name, group);
        return -1;
    }
    return id;
}

/* vfio-pci itself or one of its variant drivers (mlx5_vfio_pci ...). */
static bool vfio_is_vfio_driver(const char *drv)
{
    return g_str_has_suffix(drv, "vfio-pci") ||
           g_str_has_suffix(drv, "vfio_pci");
}

/* Drivers that leave a group viable: they never let the device DMA. */
static bool vfio_driver_keeps_viable(const char *drv)
{
    return vfio_is_vfio_driver(drv) || !strcmp(drv, "pci-stub") ||
           !strcmp(drv, "pcieport");
}

/* One line the user can paste to hand the device to vfio-pci. */
static bool vfio_kernel_check_driver(const char *name, const char *path,
                                     Error **errp)
{
    g_autofree char *drv = vfio_link_basename(path, "driver");
    g_autofree char *drivers = NULL;

    if (drv && vfio_is_vfio_driver(drv)) {
        return true;
    }
    if (!drv && errno != ENOENT) {
        error_setg_errno(errp, errno, "vfio %s: cannot read %s/driver",
                         name, path);
        return false;
    }
    drivers = g_build_filename(vfio_sysfs(), "bus", "pci", "drivers", NULL);
    if (drv) {
        error_setg(errp, "vfio %s: device is bound to %s, not vfio-pci: "
                   "echo vfio-pci > %s/driver_override; "
                   "echo %s > %s/%s/unbind; echo %s > %s/vfio-pci/bind",
                   name, drv, path, name, drivers, drv, name, drivers);
    } else {
        error_setg(errp, "vfio %s: device is not bound to any driver, not "
                   "vfio-pci: echo vfio-pci > %s/driver_override; "
                   "echo %s > %s/vfio-pci/bind",
                   name, path, name, drivers);
    }
    return false;
}

/* "0000:01:00.1 (driver e1000e), ..." for the devices that spoil a group. */
static char *vfio_group_offenders(int group_id)
{
    g_autofree char *nr = g_strdup_printf("%d", group_id);
    g_autofree char *dir_path = g_build_filename(vfio_sysfs(), "kernel",
                                                 "iommu_groups", nr,
                                                 "devices", NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GString *out = g_string_new(NULL);
    GDir *dir = g_dir_open(dir_path, 0, NULL);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_ptr_array_add(names, g_strdup(entry));
    }
    if (dir) {
        g_dir_close(dir);
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        const char *dev = *(char **)g_ptr_array_index(names, i);
        g_autofree char *dev_path = g_build_filename(dir_path, dev, NULL);
        g_autofree char *drv = vfio_link_basename(dev_path, "driver");

        if (drv && !vfio_driver_keeps_viable(drv)) {
            g_string_append_printf(out, "%s%s (driver %s)",
                                   out->len ? ", " : "", dev, drv);
        }
    }
    return g_string_free(out, FALSE);
}

static bool vfio_kernel_check_unassigned(const char *name, Error **errp)
{
    for (GList *l = devices; l; l = l->next) {
        VFIOKernelDevice *dev = l->data;

        if (!strcmp(dev->base.name, name)) {
            error_setg(errp, "vfio %s: device is already assigned to this "
                       "VM; each host device can be assigned once", name);
            return false;
        }
    }
    return true;
}

/* Containers and groups */

static void vfio_open_error(const char *name, const char *path, int err,
                            Error **errp)
{
    if (err == EACCES || err == EPERM) {
        error_setg(errp, "vfio %s: permission denied opening %s: run as "
                   "root or give this user the device (chown)", name, path);
    } else {
        error_setg_errno(errp, err, "vfio %s: cannot open %s", name, path);
    }
}

static int vfio_kernel_open_control(const char *name, Error **errp)
{
    g_autofree char *path = g_build_filename(vfio_dev(), "vfio", "vfio",
                                             NULL);
    int fd = open(path, O_RDWR | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT) {
        error_setg(errp, "vfio %s: no %s: load the vfio-pci module",
                   name, path);
    } else if (fd < 0) {
        vfio_open_error(name, path, errno, errp);
    }
    return fd;
}

static int vfio_kernel_open_group_node(const char *name, int group_id,
                                       Error **errp)
{
    g_autofree char *path = vfio_group_node(group_id);
    int fd = open(path, O_RDWR | O_CLOEXEC);

    if (fd >= 0) {
        return fd;
    }
    if (errno == EBUSY) {
        error_setg(errp, "vfio %s: group %d is busy: another process (or "
                   "another qvfio) owns it", name, group_id);
    } else if (errno == ENOENT) {
        error_setg(errp, "vfio %s: no %s: is the vfio-pci module loaded "
                   "and, inside a container, was the node passed in?",
                   name, path);
    } else {
        vfio_open_error(name, path, errno, errp);
    }
    return -1;
}

static bool vfio_kernel_check_viable(VFIOKernelGroup *g, const char *name,
                                     Error **errp)
{
    struct vfio_group_status status = { .argsz = sizeof(status) };
    g_autofree char *offenders = NULL;

    if (ioctl(g->fd, VFIO_GROUP_GET_STATUS, &status)) {
        error_setg_errno(errp, errno, "vfio %s: VFIO_GROUP_GET_STATUS of "
                         "group %d failed", name, g->id);
        return false;
    }
    if (status.flags & VFIO_GROUP_FLAGS_VIABLE) {
        return true;
    }
    offenders = vfio_group_offenders(g->id);
    error_setg(errp, "vfio %s: group %d is not viable: every device in it "
               "must be bound to vfio-pci (or no driver)%s%s", name, g->id,
               *offenders ? ": " : "", offenders);
    return false;
}

/* The best type1 flavour the kernel has, or 0. */
static int vfio_kernel_iommu_type(int fd)
{
    if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
        return VFIO_TYPE1v2_IOMMU;
    }
    if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0) {
        return VFIO_TYPE1_IOMMU;
    }
    return 0;
}

/* A new container for @g, on @fd (ours to close on failure). */
static bool vfio_kernel_container_new(VFIOKernelGroup *g, int fd,
                                      const char *name, Error **errp)
{
    VFIOKernelContainer *c;
    int version = ioctl(fd, VFIO_GET_API_VERSION);
    int type = 0;

    if (version != VFIO_API_VERSION) {
        error_setg(errp, "vfio %s: the kernel's VFIO API is version %d, "
                   "this qvfio speaks %d", name, version, VFIO_API_VERSION);
        goto fail;
    }
    type = vfio_kernel_iommu_type(fd);
    if (!type) {
        error_setg(errp, "vfio %s: the kernel has no type1 IOMMU for VFIO: "
                   "load the vfio_iommu_type1 module", name);
        goto fail;
    }
    if (ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &fd)) {
        error_setg_errno(errp, errno, "vfio %s: cannot put group %d in a "
                         "container", name, g->id);
        goto fail;
    }
    if (ioctl(fd, VFIO_SET_IOMMU, type)) {
        error_setg_errno(errp, errno, "vfio %s: cannot set the type1 IOMMU "
                         "for group %d", name, g->id);
        ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
        goto fail;
    }
    c = g_new0(VFIOKernelContainer, 1);
    c->fd = fd;
    c->iommu_type = type;
    c->nr_groups = 1;
    containers = g_list_append(containers, c);
    g->container = c;
    trace_vfio_kernel_container_new(g->id, fd, type);
    return true;

fail:
    close(fd);
    return false;
}

/*
 * Join an existing container when its IOMMU takes the group (one DMA
 * space for all devices), else start one on @ctl_fd, which is consumed.
 */
static bool vfio_kernel_container_attach(VFIOKernelGroup *g, int *ctl_fd,
                                         const char *name, Error **errp)
{
    int fd;

    for (GList *l = containers; l; l = l->next) {
        VFIOKernelContainer *c = l->data;

        if (!ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd)) {
            c->nr_groups++;
            g->container = c;
            trace_vfio_kernel_container_attach(g->id, c->fd);
            return true;
        }
    }
    fd = *ctl_fd >= 0 ? *ctl_fd : vfio_kernel_open_control(name, errp);
    *ctl_fd = -1;
    return fd >= 0 && vfio_kernel_container_new(g, fd, name, errp);
}

static void vfio_kernel_container_put(VFIOKernelContainer *c)
{
    if (--c->nr_groups) {
        return;
    }
    containers = g_list_remove(containers, c);
    close(c->fd);
    g_free(c);
}

static VFIOKernelGroup *vfio_kernel_group_find(int id)
{
    for (GList *l = groups; l; l = l->next) {
        VFIOKernelGroup *g = l->data;

        if (g->id == id) {
            return g;
        }
    }
    return NULL;
}

static VFIOKernelGroup *vfio_kernel_group_get(int id, const char *name,
                                              Error **errp)
{
    VFIOKernelGroup *g = vfio_kernel_group_find(id);
    int ctl_fd = -1;

    if (g) {
        g->nr_devices++;
        return g;
    }
    /* Without the control node nothing works: say so before the group. */
    if (!containers) {
        ctl_fd = vfio_kernel_open_control(name, errp);
        if (ctl_fd < 0) {
            return NULL;
        }
    }
    g = g_new0(VFIOKernelGroup, 1);
    g->id = id;
    g->fd = vfio_kernel_open_group_node(name, id, errp);
    if (g->fd < 0) {
        goto fail;
    }
    trace_vfio_kernel_open_group(name, id, g->fd);
    if (!vfio_kernel_check_viable(g, name, errp) ||
        !vfio_kernel_container_attach(g, &ctl_fd, name, errp)) {
        goto fail;
    }
    g->nr_devices = 1;
    groups = g_list_append(groups, g);
    return g;

fail:
    if (ctl_fd >= 0) {
        close(ctl_fd);
    }
    if (g->fd >= 0) {
        close(g->fd);
    }
    g_free(g);
    return NULL;
}

static void vfio_kernel_group_put(VFIOKernelGroup *g)
{
    if (--g->nr_devices) {
        return;
    }
    groups = g_list_remove(groups, g);
    ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
    close(g->fd);
    vfio_kernel_container_put(g->container);
    g_free(g);
}

/* Opening and closing */

static bool vfio_kernel_open_device(VFIOKernelDevice *dev, Error **errp)
{
    struct vfio_device_info info = { .argsz = sizeof(info) };
    const char *name = dev->base.name;

    dev->fd = ioctl(dev->group->fd, VFIO_GROUP_GET_DEVICE_FD, name);
    if (dev->fd < 0) {
        error_setg_errno(errp, errno, "vfio %s: cannot get the device from "
                         "group %d", name, dev->group->id);
        return false;
    }
    if (ioctl(dev->fd, VFIO_DEVICE_GET_INFO, &info)) {
        error_setg_errno(errp, errno, "vfio %s: VFIO_DEVICE_GET_INFO failed",
                         name);
        return false;
    }
    if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
        error_setg(errp, "vfio %s: not a PCI device (VFIO flags 0x%x)",
                   name, info.flags);
        return false;
    }
    dev->info.flags = info.flags;
    dev->info.num_regions = info.num_regions;
    dev->info.num_irqs = info.num_irqs;
    dev->region_offsets = g_new(uint64_t, info.num_regions);
    for (uint32_t i = 0; i < info.num_regions; i++) {
        dev->region_offsets[i] = REGION_OFFSET_UNKNOWN;
    }
    return true;
}

/* Everything sysfs can tell before we touch /dev: each with its remedy. */
static bool vfio_kernel_check_host(VFIOBackend *b, const char *path,
                                   Error **errp)
{
    if (!vfio_kernel_check_exists(b->name, path, errp)) {
        return false;
    }
    b->group_id = vfio_kernel_group_id(b->name, path, errp);
    return b->group_id >= 0 &&
           vfio_kernel_check_driver(b->name, path, errp) &&
           vfio_kernel_check_unassigned(b->name, errp);
}

static void vfio_kernel_free(VFIOKernelDevice *dev)
{
    if (dev->fd >= 0) {
        close(dev->fd);
    }
    if (dev->group) {
        vfio_kernel_group_put(dev->group);
    }
    g_free(dev->region_offsets);
    g_free(dev->base.name);
    g_free(dev);
}

VFIOBackend *vfio_kernel_open(const char *host, const char *sysfsdev,
                              Error **errp)
{
    VFIOKernelDevice *dev = g_new0(VFIOKernelDevice, 1);
    VFIOBackend *b = &dev->base;
    g_autofree char *path = NULL;

    b->ops = &vfio_kernel_ops;
    b->group_id = -1;
    dev->fd = -1;
    if (!vfio_kernel_locate(host, sysfsdev, b, &path, errp) ||
        !vfio_kernel_check_host(b, path, errp)) {
        goto fail;
    }
    dev->group = vfio_kernel_group_get(b->group_id, b->name, errp);
    if (!dev->group || !vfio_kernel_open_device(dev, errp)) {
        goto fail;
    }
    devices = g_list_append(devices, dev);
    trace_vfio_kernel_open_device(b->name, b->group_id, dev->fd,
                                  dev->info.num_regions, dev->info.num_irqs);
    return b;

fail:
    vfio_kernel_free(dev);
    return NULL;
}

static void vfio_kernel_close(VFIOBackend *b)
{
    VFIOKernelDevice *dev = kdev(b);

    trace_vfio_kernel_close(b->name);
    devices = g_list_remove(devices, dev);
    vfio_kernel_free(dev);
}

/* Capability chains */

/*
 * Every header inside [base, len), each one after the last (so the walk
 * ends): the kernel's reply is trusted for nothing else.
 */
static bool vfio_caps_valid(const void *buf, size_t len, size_t base,
                            uint32_t off)
{
    struct vfio_info_cap_header hdr;

    while (off) {
        if (off < base || len < sizeof(hdr) || off > len - sizeof(hdr)) {
            return false;
        }
        memcpy(&hdr, (const uint8_t *)buf + off, sizeof(hdr));
        if (hdr.next && hdr.next <= off) {
            return false;
        }
        off = hdr.next;
    }
    return true;
}

/*
 * Offset of capability @id in a validated chain with at least @size bytes
 * in the buffer; 0 when absent. *bad is set when it is cut short.
 */
static uint32_t vfio_cap_find(const void *buf, size_t len, uint32_t off,
                              uint16_t id, size_t size, bool *bad)
{
    struct vfio_info_cap_header hdr;

    for (; off; off = hdr.next) {
        memcpy(&hdr, (const uint8_t *)buf + off, sizeof(hdr));
        if (hdr.id != id) {
            continue;
        }
        if (size > len - off) {
            *bad = true;
            return 0;
        }
        return off;
    }
    return 0;
}

/* Region info */

/* Sparse-mmap areas inside the region; false when the array is cut short. */
static bool vfio_region_sparse(const void *buf, size_t len, uint32_t off,
                               VFIORegionInfo *info)
{
    struct vfio_region_info_cap_sparse_mmap cap;
    struct vfio_region_sparse_mmap_area area;
    const uint8_t *areas = (const uint8_t *)buf + off + sizeof(cap);

    memcpy(&cap, (const uint8_t *)buf + off, sizeof(cap));
    if (cap.nr_areas > (len - off - sizeof(cap)) / sizeof(area)) {
        return false;
    }
    info->mmap_areas = g_new0(VFIOMmapArea, cap.nr_areas);
    for (uint32_t i = 0; i < cap.nr_areas; i++) {
        memcpy(&area, areas + i * sizeof(area), sizeof(area));
        if (!area.size || area.offset > info->size ||
            area.size > info->size - area.offset) {
            continue;
        }
        info->mmap_areas[info->nr_mmap_areas].offset = area.offset;
        info->mmap_areas[info->nr_mmap_areas++].size = area.size;
    }
    return true;
}

/* The capabilities we use; false when the chain is malformed. */
static bool vfio_region_caps(const struct vfio_region_info *ri, size_t len,
                             VFIORegionInfo *info, bool *sparse)
{
    struct vfio_region_info_cap_type type;
    uint32_t first = ri->cap_offset;
    bool bad = false;
    uint32_t off;

    if (!(ri->flags & VFIO_REGION_INFO_FLAG_CAPS) || !first) {
        return true;
    }
    if (!vfio_caps_valid(ri, len, sizeof(*ri), first)) {
        return false;
    }
    off = vfio_cap_find(ri, len, first, VFIO_REGION_INFO_CAP_SPARSE_MMAP,
                        sizeof(struct vfio_region_info_cap_sparse_mmap), &bad);
    if (off) {
        *sparse = true;
        if (!vfio_region_sparse(ri, len, off, info)) {
            return false;
        }
    }
    off = vfio_cap_find(ri, len, first, VFIO_REGION_INFO_CAP_TYPE,
                        sizeof(type), &bad);
    if (off) {
        memcpy(&type, (const uint8_t *)ri + off, sizeof(type));
        info->has_type = true;
        info->type = type.type;
        info->subtype = type.subtype;
    }
    info->msix_mappable =
        vfio_cap_find(ri, len, first, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
                      sizeof(struct vfio_info_cap_header), &bad) != 0;
    return !bad;
}

void vfio_kernel_region_info_parse(const char *name,
                                   const struct vfio_region_info *ri,
                                   size_t len, VFIORegionInfo *info)
{
    bool sparse = false;

    memset(info, 0, sizeof(*info));
    info->index = ri->index;
    info->flags = ri->flags;
    info->size = ri->size;
    len = MIN(len, ri->argsz);
    if (!vfio_region_caps(ri, len, info, &sparse)) {
        warn_report("vfio %s: region %u: the kernel's capability chain is "
                    "malformed; ignoring its capabilities", name, ri->index);
        g_clear_pointer(&info->mmap_areas, g_free);
        info->nr_mmap_areas = 0;
        info->msix_mappable = info->has_type = false;
        info->type = info->subtype = 0;
        sparse = false;
    }
    if (!(ri->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
        g_clear_pointer(&info->mmap_areas, g_free);
        info->nr_mmap_areas = 0;
    } else if (!sparse && ri->size) {
        info->mmap_areas = g_new0(VFIOMmapArea, 1);
        info->mmap_areas[0].size = ri->size;
        info->nr_mmap_areas = 1;
    }
}

/*
 * An INFO ioctl whose reply may not fit: the kernel then raises argsz to
 * what it needs, and we ask again with that much room. @hdr (argsz first)
 * seeds each query. Returns the reply (g_free) and its buffer size, or
 * NULL with errno.
 */
static void *vfio_info_ioctl(int fd, unsigned long req, const void *hdr,
                             size_t minsz, size_t *len)
{
    uint32_t size = minsz, want;
    void *buf = NULL;

    for (int i = 0; i < VFIO_KERNEL_INFO_TRIES; i++) {
        buf = g_realloc(buf, size);
        memset(buf, 0, size);
        memcpy(buf, hdr, minsz);
        memcpy(buf, &size, sizeof(size));
        if (ioctl(fd, req, buf)) {
            int err = errno;

            g_free(buf);
            errno = err;
            return NULL;
        }
        memcpy(&want, buf, sizeof(want));
        if (want <= size || want > VFIO_KERNEL_INFO_MAX) {
            break;
        }
        size = want;
    }
    *len = size;
    return buf;
}

static int vfio_region_query(VFIOKernelDevice *dev, uint32_t index,
                             struct vfio_region_info **ri, size_t *len)
{
    struct vfio_region_info hdr = { .index = index };

    *ri = vfio_info_ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &hdr,
                          sizeof(hdr), len);
    if (!*ri) {
        return -errno;
    }
    if (index < dev->info.num_regions) {
        dev->region_offsets[index] = (*ri)->offset;
    }
    return 0;
}

static bool vfio_kernel_get_region_info(VFIOBackend *b, uint32_t index,
                                        VFIORegionInfo *info, Error **errp)
{
    g_autofree struct vfio_region_info *ri = NULL;
    size_t len;
    int ret = vfio_region_query(kdev(b), index, &ri, &len);

    if (ret) {
        error_setg_errno(errp, -ret, "vfio %s: VFIO_DEVICE_GET_REGION_INFO "
                         "of region %u failed", b->name, index);
        return false;
    }
    vfio_kernel_region_info_parse(b->name, ri, len, info);
    trace_vfio_kernel_region_info(b->name, index, info->flags, info->size,
                                  info->nr_mmap_areas, info->msix_mappable);
    return true;
}

/* Where region @index starts in the device fd. */
static int vfio_region_offset(VFIOKernelDevice *dev, uint32_t index,
                              uint64_t *offset)
{
    g_autofree struct vfio_region_info *ri = NULL;
    size_t len;
    int ret;

    if (index >= dev->info.num_regions) {
        return -EINVAL;
    }
    if (dev->region_offsets[index] == REGION_OFFSET_UNKNOWN) {
        ret = vfio_region_query(dev, index, &ri, &len);
        if (ret) {
            return ret;
        }
    }
    *offset = dev->region_offsets[index];
    return 0;
}

/* Regions */

static ssize_t vfio_region_rw(VFIOBackend *b, uint32_t index,
                              uint64_t offset, void *buf, size_t len,
                              bool write)
{
    VFIOKernelDevice *dev = kdev(b);
    uint64_t base;
    size_t done = 0;
    int ret = vfio_region_offset(dev, index, &base);

    if (ret) {
        return ret;
    }
    while (done < len) {
        uint8_t *p = (uint8_t *)buf + done;
        off_t pos = base + offset + done;
        ssize_t n = write ? pwrite(dev->fd, p, len - done, pos)
                          : pread(dev->fd, p, len - done, pos);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -errno;
        }
        if (!n) {
            break;          /* the end of the region */
        }
        done += n;
    }
    return done;
}

static ssize_t vfio_kernel_region_read(VFIOBackend *b, uint32_t index,
                                       uint64_t offset, void *buf, size_t len)
{
    return vfio_region_rw(b, index, offset, buf, len, false);
}

static ssize_t vfio_kernel_region_write(VFIOBackend *b, uint32_t index,
                                        uint64_t offset, const void *buf,
                                        size_t len)
{
    return vfio_region_rw(b, index, offset, (void *)buf, len, true);
}

static void *vfio_kernel_region_mmap(VFIOBackend *b, uint32_t index,
                                     uint64_t offset, uint64_t size, int prot,
                                     Error **errp)
{
    VFIOKernelDevice *dev = kdev(b);
    uint64_t base;
    int ret = vfio_region_offset(dev, index, &base);
    void *p;

    if (ret) {
        error_setg_errno(errp, -ret, "vfio %s: no offset for region %u",
                         b->name, index);
        return NULL;
    }
    p = mmap(NULL, size, prot, MAP_SHARED, dev->fd, base + offset);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "vfio %s: cannot mmap region %u "
                         "[0x%" PRIx64 ", +0x%" PRIx64 ")", b->name, index,
                         offset, size);
        return NULL;
    }
    return p;
}

static void vfio_kernel_region_munmap(VFIOBackend *b, void *ptr,
                                      uint64_t size)
{
    munmap(ptr, size);
}

/* Interrupts */

static bool vfio_kernel_get_device_info(VFIOBackend *b, VFIODeviceInfo *info,
                                        Error **errp)
{
    *info = kdev(b)->info;
    return true;
}

static bool vfio_kernel_get_irq_info(VFIOBackend *b, uint32_t index,
                                     VFIOIRQInfo *info, Error **errp)
{
    struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = index };

    if (ioctl(kdev(b)->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii)) {
        error_setg_errno(errp, errno, "vfio %s: VFIO_DEVICE_GET_IRQ_INFO of "
                         "index %u failed", b->name, index);
        return false;
    }
    info->index = ii.index;
    info->flags = ii.flags;
    info->count = ii.count;
    return true;
}

/* Bytes of trailing data VFIO_DEVICE_SET_IRQS takes for @flags. */
static size_t vfio_irq_data_size(uint32_t flags, uint32_t count)
{
    switch (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
    case VFIO_IRQ_SET_DATA_EVENTFD:
        return count * sizeof(int32_t);
    case VFIO_IRQ_SET_DATA_BOOL:
        return count * sizeof(uint8_t);
    default:
        return 0;
    }
}

static int vfio_kernel_set_irqs(VFIOBackend *b, uint32_t index,
                                uint32_t flags, uint32_t start,
                                uint32_t count, const void *data)
{
    size_t data_size = vfio_irq_data_size(flags, count);
    g_autofree struct vfio_irq_set *set = NULL;

    if (data_size && !data) {
        return -EINVAL;
    }
    set = g_malloc0(sizeof(*set) + data_size);
    set->argsz = sizeof(*set) + data_size;
    set->flags = flags;
    set->index = index;
    set->start = start;
    set->count = count;
    if (data_size) {
        memcpy(set->data, data, data_size);
    }
    trace_vfio_kernel_set_irqs(b->name, index, flags, start, count);
    return ioctl(kdev(b)->fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}

/* Reset */

static bool vfio_kernel_reset(VFIOBackend *b, Error **errp)
{
    VFIOKernelDevice *dev = kdev(b);

    if (!(dev->info.flags & VFIO_DEVICE_FLAGS_RESET)) {
        error_setg(errp, "vfio %s: the device has no function reset (FLR "
                   "or PM); a bus reset may still work", b->name);
        return false;
    }
    trace_vfio_kernel_reset(b->name);
    if (ioctl(dev->fd, VFIO_DEVICE_RESET)) {
        error_setg_errno(errp, errno, "vfio %s: VFIO_DEVICE_RESET failed",
                         b->name);
        return false;
    }
    return true;
}

/* The devices a bus reset touches; ENOSPC tells how many there are. */
static struct vfio_pci_hot_reset_info *vfio_hot_reset_query(
    VFIOKernelDevice *dev, Error **errp)
{
    const size_t elem = sizeof(struct vfio_pci_dependent_device);
    struct vfio_pci_hot_reset_info *hri = NULL;
    size_t len = sizeof(*hri);

    for (int i = 0; i < VFIO_KERNEL_INFO_TRIES; i++) {
        hri = g_realloc(hri, len);
        memset(hri, 0, len);
        hri->argsz = len;
        if (!ioctl(dev->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hri)) {
            hri->count = MIN(hri->count, (len - sizeof(*hri)) / elem);
            return hri;
        }
        if (errno != ENOSPC || hri->count > VFIO_KERNEL_INFO_MAX / elem) {
            break;
        }
        len = sizeof(*hri) + hri->count * elem;
    }
    if (errno == ENODEV) {
        error_setg(errp, "vfio %s: the device cannot be reset through its "
                   "bus", dev->base.name);
    } else {
        error_setg_errno(errp, errno, "vfio %s: "
                         "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO failed",
                         dev->base.name);
    }
    g_free(hri);
    return NULL;
}

static bool vfio_kernel_get_hot_reset_info(VFIOBackend *b,
                                           VFIOHotResetDevice **devs,
                                           unsigned *nr, Error **errp)
{
    struct vfio_pci_hot_reset_info *hri = vfio_hot_reset_query(kdev(b), errp);

    if (!hri) {
        return false;
    }
    *nr = hri->count;
    *devs = g_new0(VFIOHotResetDevice, hri->count);
    for (uint32_t i = 0; i < hri->count; i++) {
        (*devs)[i].segment = hri->devices[i].segment;
        (*devs)[i].bus = hri->devices[i].bus;
        (*devs)[i].devfn = hri->devices[i].devfn;
        (*devs)[i].group_id = hri->devices[i].group_id;
    }
    g_free(hri);
    return true;
}

/*
 * The group fds a bus reset needs: one per group it touches, each of
 * which this process must own (the kernel insists).
 */
static GArray *vfio_hot_reset_fds(VFIOBackend *b,
                                  struct vfio_pci_hot_reset_info *hri,
                                  Error **errp)
{
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int32_t));
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

    for (uint32_t i = 0; i < hri->count; i++) {
        struct vfio_pci_dependent_device *d = &hri->devices[i];
        VFIOKernelGroup *g = vfio_kernel_group_find(d->group_id);
        int32_t fd;

        if (!g) {
            error_setg(errp, "vfio %s: a bus reset would also reset "
                       "%04x:%02x:%02x.%x in group %u, which this process "
                       "does not own: assign that group's devices here too, "
                       "or rely on the device's own reset", b->name,
                       d->segment, d->bus, d->devfn >> 3, d->devfn & 7,
                       d->group_id);
            return NULL;
        }
        if (g_hash_table_add(seen, g)) {
            fd = g->fd;
            g_array_append_val(fds, fd);
        }
    }
    return g_steal_pointer(&fds);
}

static bool vfio_kernel_hot_reset(VFIOBackend *b, Error **errp)
{
    g_autofree struct vfio_pci_hot_reset_info *hri =
        vfio_hot_reset_query(kdev(b), errp);
    g_autoptr(GArray) fds = NULL;
    g_autofree struct vfio_pci_hot_reset *reset = NULL;
    size_t len;

    if (!hri || !(fds = vfio_hot_reset_fds(b, hri, errp))) {
        return false;
    }
    len = sizeof(*reset) + fds->len * sizeof(int32_t);
    reset = g_malloc0(len);
    reset->argsz = len;
    reset->count = fds->len;
    memcpy(reset->group_fds, fds->data, fds->len * sizeof(int32_t));
    trace_vfio_kernel_hot_reset(b->name, hri->count, fds->len);
    if (ioctl(kdev(b)->fd, VFIO_DEVICE_PCI_HOT_RESET, reset)) {
        error_setg_errno(errp, errno, "vfio %s: VFIO_DEVICE_PCI_HOT_RESET "
                         "failed", b->name);
        return false;
    }
    return true;
}

/* IOMMU */

static bool vfio_iommu_caps(const struct vfio_iommu_type1_info *ii,
                            size_t len, VFIOIOMMUInfo *info)
{
    struct vfio_iommu_type1_info_cap_iova_range ranges;
    struct vfio_iommu_type1_info_dma_avail avail;
    struct vfio_iova_range r;
    uint32_t first = ii->cap_offset;
    bool bad = false;
    uint32_t off;

    if (!(ii->flags & VFIO_IOMMU_INFO_CAPS) || !first) {
        return true;
    }
    if (!vfio_caps_valid(ii, len, sizeof(*ii), first)) {
        return false;
    }
    off = vfio_cap_find(ii, len, first, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
                        sizeof(ranges), &bad);
    if (off) {
        const uint8_t *p = (const uint8_t *)ii + off + sizeof(ranges);

        memcpy(&ranges, (const uint8_t *)ii + off, sizeof(ranges));
        if (ranges.nr_iovas > (len - off - sizeof(ranges)) / sizeof(r)) {
            return false;
        }
        info->iova_ranges = g_new0(VFIOIOVARange, ranges.nr_iovas);
        for (uint32_t i = 0; i < ranges.nr_iovas; i++) {
            memcpy(&r, p + i * sizeof(r), sizeof(r));
            if (r.start > r.end) {
                return false;
            }
            info->iova_ranges[i].start = r.start;
            info->iova_ranges[i].end = r.end;
            info->nr_iova_ranges++;
        }
    }
    off = vfio_cap_find(ii, len, first, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
                        sizeof(avail), &bad);
    if (off) {
        memcpy(&avail, (const uint8_t *)ii + off, sizeof(avail));
        info->dma_avail = avail.avail;
    }
    return !bad;
}

void vfio_kernel_iommu_info_parse(const struct vfio_iommu_type1_info *ii,
                                  size_t len, VFIOIOMMUInfo *info)
{
    memset(info, 0, sizeof(*info));
    /* Without a bitmap, the host page is the only size we know works. */
    info->pgsizes = (ii->flags & VFIO_IOMMU_INFO_PGSIZES) ?
                    ii->iova_pgsizes : (uint64_t)getpagesize();
    len = MIN(len, ii->argsz);
    if (!vfio_iommu_caps(ii, len, info)) {
        warn_report("vfio: the kernel's IOMMU info capability chain is "
                    "malformed; ignoring its capabilities");
        g_clear_pointer(&info->iova_ranges, g_free);
        info->nr_iova_ranges = 0;
        info->dma_avail = 0;
    }
}

static VFIOKernelContainer *vfio_container(VFIOBackend *b)
{
    return kdev(b)->group->container;
}

static bool vfio_kernel_get_iommu_info(VFIOBackend *b, VFIOIOMMUInfo *info,
                                       Error **errp)
{
    struct vfio_iommu_type1_info hdr = { 0 };
    g_autofree struct vfio_iommu_type1_info *ii = NULL;
    size_t len;

    ii = vfio_info_ioctl(vfio_container(b)->fd, VFIO_IOMMU_GET_INFO, &hdr,
                         sizeof(hdr), &len);
    if (!ii) {
        error_setg_errno(errp, errno, "vfio %s: VFIO_IOMMU_GET_INFO failed",
                         b->name);
        return false;
    }
    vfio_kernel_iommu_info_parse(ii, len, info);
    return true;
}

static const void *vfio_kernel_dma_domain(VFIOBackend *b)
{
    return vfio_container(b);
}

/* What type1 has pinned for this process: every container counts. */
static uint64_t vfio_mapped_total(void)
{
    uint64_t total = 0;

    for (GList *l = containers; l; l = l->next) {
        total += ((VFIOKernelContainer *)l->data)->mapped;
    }
    return total;
}

static bool vfio_kernel_dma_map(VFIOBackend *b, uint64_t iova, uint64_t size,
                                void *vaddr, bool readonly, Error **errp)
{
    VFIOKernelContainer *c = vfio_container(b);
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map),
        .flags = VFIO_DMA_MAP_FLAG_READ |
                 (readonly ? 0 : VFIO_DMA_MAP_FLAG_WRITE),
        .vaddr = (uintptr_t)vaddr,
        .iova = iova,
        .size = size,
    };

    trace_vfio_kernel_dma_map(c->fd, iova, size, (uintptr_t)vaddr, readonly);
    if (ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map)) {
        vfio_dma_map_error(iova, size, errno, vfio_mapped_total(), errp);
        return false;
    }
    c->mapped += size;
    return true;
}

static bool vfio_kernel_dma_unmap(VFIOBackend *b, uint64_t iova,
                                  uint64_t size, Error **errp)
{
    VFIOKernelContainer *c = vfio_container(b);
    struct vfio_iommu_type1_dma_unmap unmap = {
        .argsz = sizeof(unmap),
        .iova = iova,
        .size = size,
    };

    trace_vfio_kernel_dma_unmap(c->fd, iova, size);
    if (ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
        error_setg_errno(errp, errno, "vfio: VFIO_UNMAP_DMA at IOVA 0x%"
                         PRIx64 " size 0x%" PRIx64 " failed", iova, size);
        return false;
    }
    /* The kernel says how much it really unmapped. */
    c->mapped -= MIN(c->mapped, unmap.size);
    return true;
}

static const VFIOBackendOps vfio_kernel_ops = {
    .name = "kernel",
    .get_device_info = vfio_kernel_get_device_info,
    .get_region_info = vfio_kernel_get_region_info,
    .region_read = vfio_kernel_region_read,
    .region_write = vfio_kernel_region_write,
    .region_mmap = vfio_kernel_region_mmap,
    .region_munmap = vfio_kernel_region_munmap,
    .get_irq_info = vfio_kernel_get_irq_info,
    .set_irqs = vfio_kernel_set_irqs,
    .reset = vfio_kernel_reset,
    .get_hot_reset_info = vfio_kernel_get_hot_reset_info,
    .hot_reset = vfio_kernel_hot_reset,
    .get_iommu_info = vfio_kernel_get_iommu_info,
    .dma_domain = vfio_kernel_dma_domain,
    .dma_map = vfio_kernel_dma_map,
    .dma_unmap = vfio_kernel_dma_unmap,
    .close = vfio_kernel_close,
};

/* The catch-all: whatever no other provider took is a host device. */
static bool vfio_kernel_claims(const char *host, const char *sysfsdev)
{
    return host || sysfsdev;
}

static const VFIOBackendProvider vfio_kernel_provider = {
    .name = "kernel",
    .claims = vfio_kernel_claims,
    .open = vfio_kernel_open,
};

static void vfio_kernel_register(void)
{
    vfio_backend_register_provider(&vfio_kernel_provider);
}

type_init(vfio_kernel_register)
