/*
 * What the vfio-pci model needs of a device, and nothing of how it is
 * reached. The kernel backend (hw/vfio/kernel.c) implements it with the
 * VFIO container/group ioctls; tests implement it with an in-process fake
 * (tests/vfio/, never linked into the product). Constants (region and irq
 * indexes, VFIO_REGION_INFO_FLAG_*, VFIO_IRQ_INFO_*, VFIO_IRQ_SET_*) are the
 * kernel's, from <linux/vfio.h>.
 */
#ifndef HW_VFIO_BACKEND_H
#define HW_VFIO_BACKEND_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include <linux/vfio.h>

typedef struct VFIOBackend VFIOBackend;

typedef struct VFIODeviceInfo {
    uint32_t flags;             /* VFIO_DEVICE_FLAGS_RESET | _PCI */
    uint32_t num_regions;
    uint32_t num_irqs;
} VFIODeviceInfo;

typedef struct VFIOMmapArea {
    uint64_t offset;            /* within the region */
    uint64_t size;
} VFIOMmapArea;

typedef struct VFIORegionInfo {
    uint32_t index;
    uint32_t flags;             /* VFIO_REGION_INFO_FLAG_READ | _WRITE | _MMAP */
    uint64_t size;
    /*
     * Where the region may be mmap'd: the sparse-mmap capability's areas,
     * or one area covering the region when it is mmappable without it.
     * Empty when FLAG_MMAP is clear.
     */
    unsigned nr_mmap_areas;
    VFIOMmapArea *mmap_areas;   /* g_free'd by vfio_region_info_clear */
    bool msix_mappable;         /* VFIO_REGION_INFO_CAP_MSIX_MAPPABLE */
    bool has_type;              /* VFIO_REGION_INFO_CAP_TYPE */
    uint32_t type;
    uint32_t subtype;
} VFIORegionInfo;

typedef struct VFIOIRQInfo {
    uint32_t index;
    uint32_t flags;             /* VFIO_IRQ_INFO_EVENTFD | MASKABLE | AUTOMASKED | NORESIZE */
    uint32_t count;
} VFIOIRQInfo;

typedef struct VFIOIOVARange {
    uint64_t start;
    uint64_t end;               /* inclusive */
} VFIOIOVARange;

typedef struct VFIOIOMMUInfo {
    uint64_t pgsizes;           /* supported IOMMU page sizes (bitmap) */
    unsigned nr_iova_ranges;    /* 0: the whole 64-bit space is usable */
    VFIOIOVARange *iova_ranges; /* g_free'd by vfio_iommu_info_clear */
    uint32_t dma_avail;         /* mappings left; 0 when not reported */
} VFIOIOMMUInfo;

/* One device a hot reset would affect. */
typedef struct VFIOHotResetDevice {
    uint16_t segment;
    uint8_t bus;
    uint8_t devfn;
    int group_id;
} VFIOHotResetDevice;

typedef struct VFIOBackendOps {
    const char *name;           /* "kernel", "fake" */
    bool (*get_device_info)(VFIOBackend *b, VFIODeviceInfo *info,
                            Error **errp);
    bool (*get_region_info)(VFIOBackend *b, uint32_t index,
                            VFIORegionInfo *info, Error **errp);
    /* Bytes transferred, or -errno. */
    ssize_t (*region_read)(VFIOBackend *b, uint32_t index, uint64_t offset,
                           void *buf, size_t len);
    ssize_t (*region_write)(VFIOBackend *b, uint32_t index, uint64_t offset,
                            const void *buf, size_t len);
    /* Map [offset, offset+size) of a region; NULL with errp on failure. */
    void *(*region_mmap)(VFIOBackend *b, uint32_t index, uint64_t offset,
                         uint64_t size, int prot, Error **errp);
    void (*region_munmap)(VFIOBackend *b, void *ptr, uint64_t size);
    bool (*get_irq_info)(VFIOBackend *b, uint32_t index, VFIOIRQInfo *info,
                         Error **errp);
    /*
     * VFIO_DEVICE_SET_IRQS: @flags is VFIO_IRQ_SET_DATA_* | VFIO_IRQ_SET_ACTION_*;
     * @data holds @count int32 eventfds (-1: none) for DATA_EVENTFD, @count
     * uint8 for DATA_BOOL, nothing for DATA_NONE. Returns 0 or -errno (a
     * positive value is a vector count the device could do instead, for MSI).
     */
    int (*set_irqs)(VFIOBackend *b, uint32_t index, uint32_t flags,
                    uint32_t start, uint32_t count, const void *data);
    bool (*reset)(VFIOBackend *b, Error **errp);
    /* Devices a bus reset would touch (g_free the array). */
    bool (*get_hot_reset_info)(VFIOBackend *b, VFIOHotResetDevice **devs,
                               unsigned *nr, Error **errp);
    bool (*hot_reset)(VFIOBackend *b, Error **errp);
    /* The IOMMU (container) behind the device, shared by its devices. */
    bool (*get_iommu_info)(VFIOBackend *b, VFIOIOMMUInfo *info, Error **errp);
    /* Identity of the DMA address space: devices with equal keys share it. */
    const void *(*dma_domain)(VFIOBackend *b);
    bool (*dma_map)(VFIOBackend *b, uint64_t iova, uint64_t size, void *vaddr,
                    bool readonly, Error **errp);
    bool (*dma_unmap)(VFIOBackend *b, uint64_t iova, uint64_t size,
                      Error **errp);
    /* Release the device (and its group/container when last). */
    void (*close)(VFIOBackend *b);
} VFIOBackendOps;

struct VFIOBackend {
    const VFIOBackendOps *ops;
    char *name;                 /* for messages: "0000:01:00.0" */
    uint16_t segment;           /* host address, where known */
    uint8_t bus;
    uint8_t devfn;
    int group_id;               /* -1 where there is no group */
};

/*
 * Providers open backends for a device given by host= or sysfsdev=. The
 * kernel provider is always there; tests register theirs at start-up.
 * A provider claims the names it understands (e.g. "fake:..." for tests).
 */
typedef struct VFIOBackendProvider {
    const char *name;
    bool (*claims)(const char *host, const char *sysfsdev);
    VFIOBackend *(*open)(const char *host, const char *sysfsdev, Error **errp);
} VFIOBackendProvider;

void vfio_backend_register_provider(const VFIOBackendProvider *provider);
VFIOBackend *vfio_backend_open(const char *host, const char *sysfsdev,
                               Error **errp);
void vfio_backend_close(VFIOBackend *b);

void vfio_region_info_clear(VFIORegionInfo *info);
void vfio_iommu_info_clear(VFIOIOMMUInfo *info);

/* Set one irq range to eventfds (or -1s); wraps set_irqs with DATA_EVENTFD|ACTION_TRIGGER. */
int vfio_set_irq_eventfds(VFIOBackend *b, uint32_t index, uint32_t start,
                          uint32_t count, const int32_t *fds);
/* Disable every trigger of an index: DATA_NONE|ACTION_TRIGGER, count 0. */
int vfio_disable_irq_index(VFIOBackend *b, uint32_t index);

/* A size for messages: "64 MiB", "12 KiB", "100 bytes" (g_free it). */
char *vfio_size_str(uint64_t bytes);
/*
 * What a failed DMA map (errno @err) means, in words a user can act on,
 * as every backend reports it: ENOMEM under a finite RLIMIT_MEMLOCK names
 * the limit and what guest RAM needs (@pinned bytes already locked by
 * this process plus @size), ENOSPC the IOMMU's limit of mappings.
 */
void vfio_dma_map_error(uint64_t iova, uint64_t size, int err,
                        uint64_t pinned, Error **errp);

#endif
