/*
 * vfio-pci DMA: a memory listener on the system address space maps guest
 * RAM through the device's IOMMU at IOVA = guest physical address.
 *
 * Devices behind the same IOMMU (equal backend dma_domain) share one
 * VFIODMASpace and one listener. Each RAM section becomes one mapping, as
 * large as the IOMMU allows: trimmed inward to the mapping unit (the
 * smallest IOMMU page, or the host page when larger: the unit of pinning).
 * Guest RAM must fit the usable IOVA ranges and the mapping limit; at
 * realize a failure fails the device. Other devices' mmap'd BARs
 * (ram_device sections, for peer-to-peer) are mapped on a best-effort basis.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "trace.h"

typedef struct VFIODMAExtent {
    uint64_t iova;
    uint64_t size;
} VFIODMAExtent;

typedef struct VFIODMASpace {
    const void *domain;
    GPtrArray *devices;         /* VFIOPCIDevice *; [0] maps and is named */
    MemoryListener listener;
    VFIOIOMMUInfo iommu;
    uint64_t align;
    GArray *extents;            /* VFIODMAExtent we mapped */
    bool realizing;             /* replay at register: errors fail realize */
    Error *err;                 /* first such error */
} VFIODMASpace;

static GPtrArray *dma_spaces;

/* Pure rules */

uint64_t vfio_dma_alignment(uint64_t pgsizes, uint64_t host_page)
{
    uint64_t min_page = pgsizes & -pgsizes;   /* lowest set bit */

    return MAX(min_page, host_page);
}

bool vfio_dma_section_extent(const MemoryRegionSection *s, uint64_t align,
                             uint64_t *iova, uint64_t *size)
{
    uint64_t start = s->offset_within_address_space;
    uint64_t first, end;

    if (!s->size || start + s->size < start) {
        return false;
    }
    first = QEMU_ALIGN_UP(start, align);
    end = QEMU_ALIGN_DOWN(start + s->size, align);
    if (first < start || end <= first) {
        return false;
    }
    *iova = first;
    *size = end - first;
    return true;
}

/* The usable range holding @addr, or NULL. */
static const VFIOIOVARange *usable_range_at(const VFIOIOVARange *ranges,
                                            unsigned nr, uint64_t addr)
{
    for (unsigned i = 0; i < nr; i++) {
        if (ranges[i].start <= addr && addr <= ranges[i].end) {
            return &ranges[i];
        }
    }
    return NULL;
}

/* The reserved gap around @addr: between the usable ranges beside it. */
static VFIOIOVARange reserved_gap_at(const VFIOIOVARange *ranges,
                                     unsigned nr, uint64_t addr)
{
    VFIOIOVARange gap = { 0, UINT64_MAX };

    for (unsigned i = 0; i < nr; i++) {
        if (ranges[i].end < addr) {
            gap.start = MAX(gap.start, ranges[i].end + 1);
        } else if (ranges[i].start > addr) {
            gap.end = MIN(gap.end, ranges[i].start - 1);
        }
    }
    return gap;
}

bool vfio_dma_range_usable(const VFIOIOVARange *ranges, unsigned nr,
                           uint64_t iova, uint64_t size,
                           VFIOIOVARange *reserved)
{
    uint64_t last = iova + size - 1;
    uint64_t pos = iova;

    if (!nr || !size) {
        return true;
    }
    for (;;) {
        const VFIOIOVARange *r = usable_range_at(ranges, nr, pos);

        if (!r) {
            *reserved = reserved_gap_at(ranges, nr, pos);
            return false;
        }
        if (r->end >= last) {
            return true;
        }
        pos = r->end + 1;
    }
}

bool vfio_dma_limit_ok(unsigned used, uint32_t avail)
{
    return !avail || used < avail;
}

/* Mapping */

static VFIOPCIDevice *dma_space_device(VFIODMASpace *space)
{
    return g_ptr_array_index(space->devices, 0);
}

/*
 * A problem with @s: fails realize for guest RAM during the first replay,
 * is reported for guest RAM later, and is only traced for device memory.
 */
static void vfio_dma_problem(VFIODMASpace *space, MemoryRegionSection *s,
                             char *msg)
{
    VFIOPCIDevice *vdev = dma_space_device(space);

    trace_vfio_dma_problem(vdev->name, memory_region_name(s->mr), msg);
    if (memory_region_is_ram_device(s->mr)) {
        /* peer-to-peer is a bonus: the guest works without it */
    } else if (space->realizing) {
        if (!space->err) {
            error_setg(&space->err, "vfio %s: %s", vdev->name, msg);
        }
    } else {
        error_report("vfio %s: %s", vdev->name, msg);
    }
    g_free(msg);
}

static char *vfio_dma_reserved_msg(const MemoryRegionSection *s,
                                   uint64_t iova, uint64_t size,
                                   const VFIOIOVARange *gap)
{
    return g_strdup_printf("guest RAM at 0x%" PRIx64 "-0x%" PRIx64
                           " overlaps IOVA range 0x%" PRIx64 "-0x%" PRIx64
                           " that the IOMMU reserves (e.g. an MSI window); "
                           "give the guest less memory (-m) or a memory map "
                           "that avoids the range", iova, iova + size - 1,
                           gap->start, gap->end);
}

static char *vfio_dma_limit_msg(VFIODMASpace *space, uint64_t iova,
                                uint64_t size)
{
    return g_strdup_printf("cannot map guest RAM at 0x%" PRIx64 "-0x%" PRIx64
                           ": the IOMMU allows only %u DMA mappings and all "
                           "are in use; raise the vfio_iommu_type1 module's "
                           "dma_entry_limit or use fewer memory regions",
                           iova, iova + size - 1, space->iommu.dma_avail);
}

static bool vfio_dma_check(VFIODMASpace *space, MemoryRegionSection *s,
                           uint64_t iova, uint64_t size)
{
    VFIOIOVARange gap;

    if (!vfio_dma_range_usable(space->iommu.iova_ranges,
                               space->iommu.nr_iova_ranges, iova, size,
                               &gap)) {
        vfio_dma_problem(space, s, vfio_dma_reserved_msg(s, iova, size, &gap));
        return false;
    }
    if (!vfio_dma_limit_ok(space->extents->len, space->iommu.dma_avail)) {
        vfio_dma_problem(space, s, vfio_dma_limit_msg(space, iova, size));
        return false;
    }
    return true;
}

static void vfio_dma_region_add(MemoryListener *l, MemoryRegionSection *s)
{
    VFIODMASpace *space = container_of(l, VFIODMASpace, listener);
    VFIOPCIDevice *vdev = dma_space_device(space);
    VFIOBackend *b = vdev->backend;
    uint64_t iova, size, offset;
    Error *err = NULL;
    void *vaddr;

    if (space->err) {
        return;     /* realize is failing already: leave the rest alone */
    }
    if (!vfio_dma_section_extent(s, space->align, &iova, &size)) {
        trace_vfio_dma_skip(vdev->name, s->offset_within_address_space,
                            s->size, "smaller than one IOMMU page");
        return;
    }
    offset = s->offset_within_region + (iova - s->offset_within_address_space);
    vaddr = (uint8_t *)memory_region_get_ram_ptr(s->mr) + offset;
    /* The IOMMU maps whole pages: host and guest addresses align alike */
    if (!QEMU_PTR_IS_ALIGNED(vaddr, space->align)) {
        vfio_dma_problem(space, s, g_strdup_printf(
            "cannot map %s at 0x%" PRIx64 " for DMA: its host memory at %p "
            "is not aligned to the IOMMU's 0x%" PRIx64 "-byte pages",
            memory_region_name(s->mr), iova, vaddr, space->align));
        return;
    }
    if (!vfio_dma_check(space, s, iova, size)) {
        return;
    }
    trace_vfio_dma_map(vdev->name, iova, size, s->readonly,
                       memory_region_name(s->mr));
    if (!b->ops->dma_map(b, iova, size, vaddr, s->readonly, &err)) {
        const char *msg = error_get_pretty(err);

        /* Pinning counts against RLIMIT_MEMLOCK: ENOMEM is the usual sign */
        vfio_dma_problem(space, s, g_strdup_printf(
            "cannot map %s at 0x%" PRIx64 "-0x%" PRIx64 " for DMA: %s%s",
            memory_region_name(s->mr), iova, iova + size - 1, msg,
            strstr(msg, g_strerror(ENOMEM)) ? "; guest RAM is pinned for "
            "DMA: raise the locked-memory limit (ulimit -l) to cover it" : ""));
        error_free(err);
        return;
    }
    g_array_append_val(space->extents, ((VFIODMAExtent){ iova, size }));
}

static void vfio_dma_region_del(MemoryListener *l, MemoryRegionSection *s)
{
    VFIODMASpace *space = container_of(l, VFIODMASpace, listener);
    VFIOPCIDevice *vdev = dma_space_device(space);
    VFIOBackend *b = vdev->backend;
    uint64_t iova, size;
    Error *err = NULL;

    if (!vfio_dma_section_extent(s, space->align, &iova, &size)) {
        return;
    }
    for (guint i = 0; i < space->extents->len; i++) {
        VFIODMAExtent *e = &g_array_index(space->extents, VFIODMAExtent, i);

        if (e->iova != iova || e->size != size) {
            continue;
        }
        trace_vfio_dma_unmap(vdev->name, iova, size);
        if (!b->ops->dma_unmap(b, iova, size, &err)) {
            error_report("vfio %s: cannot unmap 0x%" PRIx64 "-0x%" PRIx64
                         " from the IOMMU: %s", vdev->name, iova,
                         iova + size - 1, error_get_pretty(err));
            error_free(err);
        }
        g_array_remove_index(space->extents, i);
        return;
    }
}

/* Spaces */

static VFIODMASpace *vfio_dma_space_find(const void *domain)
{
    for (guint i = 0; dma_spaces && i < dma_spaces->len; i++) {
        VFIODMASpace *space = g_ptr_array_index(dma_spaces, i);

        if (space->domain == domain) {
            return space;
        }
    }
    return NULL;
}

static void vfio_dma_space_free(VFIODMASpace *space)
{
    g_ptr_array_remove(dma_spaces, space);
    vfio_iommu_info_clear(&space->iommu);
    g_array_free(space->extents, true);
    g_ptr_array_free(space->devices, true);
    g_free(space);
}

static VFIODMASpace *vfio_dma_space_new(VFIOPCIDevice *vdev,
                                        const void *domain, Error **errp)
{
    VFIOBackend *b = vdev->backend;
    VFIODMASpace *space = g_new0(VFIODMASpace, 1);

    if (!b->ops->get_iommu_info(b, &space->iommu, errp)) {
        error_prepend(errp, "vfio %s: cannot query the IOMMU: ", vdev->name);
        g_free(space);
        return NULL;
    }
    space->domain = domain;
    space->align = vfio_dma_alignment(space->iommu.pgsizes,
                                      sysconf(_SC_PAGESIZE));
    space->devices = g_ptr_array_new();
    space->extents = g_array_new(false, false, sizeof(VFIODMAExtent));
    space->listener.region_add = vfio_dma_region_add;
    space->listener.region_del = vfio_dma_region_del;
    space->listener.name = "vfio-dma";
    g_ptr_array_add(space->devices, vdev);
    if (!dma_spaces) {
        dma_spaces = g_ptr_array_new();
    }
    g_ptr_array_add(dma_spaces, space);
    trace_vfio_dma_space(vdev->name, space->iommu.pgsizes,
                         space->iommu.nr_iova_ranges,
                         space->iommu.dma_avail, space->align);

    /* The replay maps what exists now; its first error fails realize */
    space->realizing = true;
    memory_listener_register(&space->listener, &address_space_memory);
    space->realizing = false;
    if (space->err) {
        error_propagate(errp, space->err);
        space->err = NULL;
        memory_listener_unregister(&space->listener);
        vfio_dma_space_free(space);
        return NULL;
    }
    return space;
}

bool vfio_dma_attach(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOBackend *b = vdev->backend;
    const void *domain;
    VFIODMASpace *space;

    if (!b->ops->dma_map || !b->ops->get_iommu_info) {
        return true;    /* a backend without an IOMMU does its own DMA */
    }
    domain = b->ops->dma_domain ? b->ops->dma_domain(b) : NULL;
    domain = domain ? domain : b;
    space = vfio_dma_space_find(domain);
    if (space) {
        g_ptr_array_add(space->devices, vdev);
    } else {
        space = vfio_dma_space_new(vdev, domain, errp);
        if (!space) {
            return false;
        }
    }
    vdev->dma = space;
    trace_vfio_dma_attach(vdev->name, space->devices->len);
    return true;
}

void vfio_dma_detach(VFIOPCIDevice *vdev)
{
    VFIODMASpace *space = vdev->dma;

    if (!space) {
        return;
    }
    vdev->dma = NULL;
    trace_vfio_dma_detach(vdev->name, space->devices->len - 1);
    if (space->devices->len > 1) {
        /* Another device of the domain keeps the mappings (and maps) */
        g_ptr_array_remove(space->devices, vdev);
        return;
    }
    /* The last one: unregistering unmaps everything, through this device */
    memory_listener_unregister(&space->listener);
    vfio_dma_space_free(space);
}
