/*
 * The kernel backend: VFIO through the legacy container and group nodes
 * (/dev/vfio/vfio, /dev/vfio/N) with the type1 IOMMU. It registers the
 * catch-all "kernel" provider; these entry points are for tests.
 */
#ifndef HW_VFIO_KERNEL_H
#define HW_VFIO_KERNEL_H

#include "hw/vfio/backend.h"

/*
 * Where sysfs and /dev live ("/sys" and "/dev"); tests point them at a
 * fake tree. NULL restores the default.
 */
void vfio_kernel_set_roots(const char *sysfs_root, const char *dev_root);

/* What the provider's open does: host=[DDDD:]BB:DD.F or sysfsdev=PATH. */
VFIOBackend *vfio_kernel_open(const char *host, const char *sysfsdev,
                              Error **errp);

/*
 * Turn the kernel's replies into ours. @len is the size of the buffer the
 * reply lies in; every capability header is checked against it, and a
 * malformed chain is dropped with a warning.
 */
void vfio_kernel_region_info_parse(const char *name,
                                   const struct vfio_region_info *kinfo,
                                   size_t len, VFIORegionInfo *info);
void vfio_kernel_iommu_info_parse(const struct vfio_iommu_type1_info *kinfo,
                                  size_t len, VFIOIOMMUInfo *info);

#endif
