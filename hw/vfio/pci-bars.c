/*
 * vfio-pci BARs: sizing from the device's regions, the slow path (every
 * access trapped and forwarded to the backend) and the fast path (the
 * region's mmap areas as ram_device subregions above it).
 *
 * Each BAR is a container of its pow2 size holding:
 *   slow   I/O region over the device region, priority VFIO_BAR_PRIO_SLOW
 *   mmaps  ram_device regions for the mmap areas, VFIO_BAR_PRIO_MMAP
 *   (msix.c adds the virtual MSI-X table/PBA at priority 1 on top)
 * so whatever is not mmap'd, or is disabled, falls through to the trap.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "hw/vfio/vfio-pci.h"
#include "trace.h"

/* Carving */

static void carve_one(GArray *out, VFIOMmapArea a, uint64_t hs, uint64_t he)
{
    uint64_t end = a.offset + a.size;

    if (he <= a.offset || hs >= end) {
        g_array_append_val(out, a);
        return;
    }
    if (hs > a.offset) {
        VFIOMmapArea lo = { a.offset, hs - a.offset };
        g_array_append_val(out, lo);
    }
    if (he < end) {
        VFIOMmapArea hi = { he, end - he };
        g_array_append_val(out, hi);
    }
}

unsigned vfio_mmap_areas_carve(const VFIOMmapArea *areas, unsigned nr_areas,
                               const VFIOMmapArea *holes, unsigned nr_holes,
                               uint64_t page_size, VFIOMmapArea **out)
{
    GArray *cur = g_array_new(false, false, sizeof(VFIOMmapArea));
    unsigned n;

    for (unsigned i = 0; i < nr_areas; i++) {
        if (areas[i].size) {
            g_array_append_val(cur, areas[i]);
        }
    }
    for (unsigned h = 0; h < nr_holes; h++) {
        GArray *next;
        uint64_t hs, he;

        if (!holes[h].size) {
            continue;
        }
        /* The MMU maps whole pages: the hole takes every page it touches */
        hs = QEMU_ALIGN_DOWN(holes[h].offset, page_size);
        he = QEMU_ALIGN_UP(holes[h].offset + holes[h].size, page_size);
        next = g_array_new(false, false, sizeof(VFIOMmapArea));
        for (guint i = 0; i < cur->len; i++) {
            carve_one(next, g_array_index(cur, VFIOMmapArea, i), hs, he);
        }
        g_array_free(cur, true);
        cur = next;
    }
    n = cur->len;
    *out = (VFIOMmapArea *)g_array_free(cur, false);
    return n;
}

/* Slow path */

static uint64_t bar_all_ones(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

/* Trace every failure; warn once per BAR so a broken device cannot flood. */
static void vfio_bar_access_failed(VFIOBAR *bar, hwaddr addr, unsigned size,
                                   bool is_write, ssize_t ret)
{
    VFIOPCIDevice *vdev = bar->vdev;
    int err = ret < 0 ? (int)-ret : EIO;

    trace_vfio_region_access_failed(vdev->name, bar->nr, addr, size,
                                    is_write, err);
    if (!bar->error_reported) {
        bar->error_reported = true;
        warn_report("vfio %s: BAR %d %s of %u bytes at 0x%" HWADDR_PRIx
                    " failed (%s); reads return all ones and writes are "
                    "dropped (further failures are only traced)",
                    vdev->name, bar->nr, is_write ? "write" : "read", size,
                    addr, g_strerror(err));
    }
}

static uint64_t vfio_bar_read(void *opaque, hwaddr addr, unsigned size)
{
    VFIOBAR *bar = opaque;
    VFIOBackend *b = bar->vdev->backend;
    uint8_t buf[8];
    uint64_t data = bar_all_ones(size);
    ssize_t ret;

    ret = b->ops->region_read(b, bar->info.index, addr, buf, size);
    if (ret == size) {
        data = ldn_le_p(buf, size);
    } else {
        vfio_bar_access_failed(bar, addr, size, false, ret);
    }
    trace_vfio_region_read(bar->vdev->name, bar->nr, addr, size, data);
    vfio_bar_access_hook(bar->vdev);
    return data;
}

static void vfio_bar_write(void *opaque, hwaddr addr, uint64_t data,
                           unsigned size)
{
    VFIOBAR *bar = opaque;
    VFIOBackend *b = bar->vdev->backend;
    uint8_t buf[8];
    ssize_t ret;

    stn_le_p(buf, size, data);
    trace_vfio_region_write(bar->vdev->name, bar->nr, addr, size, data);
    ret = b->ops->region_write(b, bar->info.index, addr, buf, size);
    if (ret != size) {
        vfio_bar_access_failed(bar, addr, size, true, ret);
    }
    vfio_bar_access_hook(bar->vdev);
}

/* The guest's access size reaches the device unchanged. */
static const MemoryRegionOps vfio_bar_ops = {
    .read = vfio_bar_read,
    .write = vfio_bar_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

void vfio_bar_access_hook(VFIOPCIDevice *vdev)
{
    if (vdev->intx.pending) {
        vfio_intx_eoi(vdev);
    }
}

/* Fast path */

/* The MSI-X table and PBA inside @bar, as holes for the mmap areas. */
static unsigned vfio_bar_msix_holes(VFIOBAR *bar, VFIOMmapArea holes[2])
{
    VFIOPCIDevice *vdev = bar->vdev;
    VFIOMSIXInfo *msix = vdev->msix;
    unsigned n = 0;

    if (!msix || vdev->msix_mappable) {
        return 0;
    }
    if (msix->table_bar == bar->nr) {
        holes[n].offset = msix->table_offset;
        holes[n++].size = (uint64_t)msix->entries * PCI_MSIX_ENTRY_SIZE;
    }
    if (msix->pba_bar == bar->nr) {
        holes[n].offset = msix->pba_offset;
        holes[n++].size = QEMU_ALIGN_UP(msix->entries, 64) / 8;
    }
    return n;
}

/* Map one area; on failure the slow path keeps serving that range. */
static bool vfio_bar_mmap_area(VFIOBAR *bar, const VFIOMmapArea *area)
{
    VFIOPCIDevice *vdev = bar->vdev;
    VFIOBackend *b = vdev->backend;
    VFIOMmap *m = &bar->mmaps[bar->nr_mmaps];
    g_autofree char *name = NULL;
    Error *err = NULL;

    if (area->offset + area->size > bar->info.size ||
        area->offset + area->size < area->offset) {
        warn_report("vfio %s: BAR %d mmap area 0x%" PRIx64 "+0x%" PRIx64
                    " lies outside the region, performance may be slow",
                    vdev->name, bar->nr, area->offset, area->size);
        return false;
    }
    m->ptr = b->ops->region_mmap(b, bar->info.index, area->offset,
                                 area->size, PROT_READ | PROT_WRITE, &err);
    if (!m->ptr) {
        warn_report("vfio %s: BAR %d mmap failed (%s), performance may be "
                    "slow", vdev->name, bar->nr,
                    err ? error_get_pretty(err) : "unknown error");
        error_free(err);
        return false;
    }
    m->offset = area->offset;
    m->size = area->size;
    name = g_strdup_printf("vfio %s BAR %d mmaps[%u]", vdev->name, bar->nr,
                           bar->nr_mmaps);
    memory_region_init_ram_device_ptr(&m->mr, OBJECT(vdev), name, m->size,
                                      m->ptr);
    memory_region_add_subregion_overlap(&bar->container, m->offset, &m->mr,
                                        VFIO_BAR_PRIO_MMAP);
    trace_vfio_bar_mmap(vdev->name, bar->nr, m->offset, m->size);
    bar->nr_mmaps++;
    return true;
}

static void vfio_bar_mmaps_setup(VFIOBAR *bar)
{
    VFIOMmapArea holes[2], *areas;
    unsigned nr_holes = vfio_bar_msix_holes(bar, holes);
    unsigned nr;

    nr = vfio_mmap_areas_carve(bar->info.mmap_areas, bar->info.nr_mmap_areas,
                               holes, nr_holes, sysconf(_SC_PAGESIZE),
                               &areas);
    bar->mmaps = g_new0(VFIOMmap, MAX(nr, 1));
    for (unsigned i = 0; i < nr; i++) {
        vfio_bar_mmap_area(bar, &areas[i]);
    }
    bar->mmaps_enabled = true;
    g_free(areas);
}

/* Setup */

/* Type bits from the device's own BAR register: only sizes come from VFIO. */
static bool vfio_bar_read_type(VFIOBAR *bar, Error **errp)
{
    VFIOPCIDevice *vdev = bar->vdev;
    uint8_t buf[4];
    uint32_t reg;

    if (!vfio_config_read_raw(vdev, PCI_BASE_ADDRESS_0 + 4 * bar->nr, buf,
                              sizeof(buf))) {
        error_setg(errp, "vfio %s: cannot read BAR %d from config space",
                   vdev->name, bar->nr);
        return false;
    }
    reg = ldl_le_p(buf);
    bar->ioport = reg & PCI_BASE_ADDRESS_SPACE_IO;
    if (bar->ioport) {
        bar->type = PCI_BASE_ADDRESS_SPACE_IO;
        return true;
    }
    bar->type = reg & ~PCI_BASE_ADDRESS_MEM_MASK;
    bar->mem64 = (reg & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
                 PCI_BASE_ADDRESS_MEM_TYPE_64;
    /* 11b is reserved: neither a 32-bit nor a 64-bit BAR */
    if ((reg & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
        PCI_BASE_ADDRESS_MEM_TYPE_MASK) {
        error_setg(errp, "vfio %s: BAR %d has the reserved memory type 3 "
                   "(register 0x%08x); the device is broken or not what it "
                   "seems: check it with lspci -vv", vdev->name, bar->nr,
                   reg);
        return false;
    }
    if (bar->mem64 && bar->nr == PCI_ROM_SLOT - 1) {
        error_setg(errp, "vfio %s: BAR %d claims to be 64-bit but has no "
                   "upper half", vdev->name, bar->nr);
        return false;
    }
    return true;
}

/* No BAR of this kind can be this large: the host's report is broken. */
static bool vfio_bar_size_ok(VFIOBAR *bar, Error **errp)
{
    uint64_t max = bar->ioport ? 1ULL << 16 : bar->mem64 ? 1ULL << 63
                                                        : 1ULL << 31;

    if (bar->info.size <= max) {
        return true;
    }
    error_setg(errp, "vfio %s: BAR %d region is %" PRIu64 " bytes, more "
               "than a%s BAR can decode (%" PRIu64 "); the host reports a "
               "broken device: check its BARs with lspci -vv", bar->vdev->name,
               bar->nr, bar->info.size, bar->ioport ? "n I/O" :
               bar->mem64 ? " 64-bit" : " 32-bit", max);
    return false;
}

/*
 * The guest's accesses to a mapping are plain loads and stores: a region
 * the host does not let us both read and write is trapped instead, so a
 * refused access fails in the backend rather than faulting qvfio.
 */
static bool vfio_bar_mmap_allowed(VFIOBAR *bar)
{
    uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

    if (bar->vdev->no_mmap || bar->ioport || !bar->info.nr_mmap_areas) {
        return false;
    }
    if ((bar->info.flags & rw) != rw) {
        trace_vfio_bar_mmap_refused(bar->vdev->name, bar->nr,
                                    bar->info.flags);
        return false;
    }
    return true;
}

static void vfio_bar_register(VFIOBAR *bar)
{
    VFIOPCIDevice *vdev = bar->vdev;
    g_autofree char *name = g_strdup_printf("vfio %s BAR %d", vdev->name,
                                            bar->nr);
    g_autofree char *slow = g_strdup_printf("vfio %s BAR %d slow", vdev->name,
                                            bar->nr);

    bar->size = pow2ceil(MAX(bar->info.size, bar->ioport ? 4 : 16));
    memory_region_init(&bar->container, OBJECT(vdev), name, bar->size);
    memory_region_init_io(&bar->slow, OBJECT(vdev), &vfio_bar_ops, bar, slow,
                          bar->info.size);
    memory_region_add_subregion_overlap(&bar->container, 0, &bar->slow,
                                        VFIO_BAR_PRIO_SLOW);
    if (vfio_bar_mmap_allowed(bar)) {
        vfio_bar_mmaps_setup(bar);
    }
    pci_register_bar(&vdev->pdev, bar->nr, bar->type, &bar->container);
    trace_vfio_bar_register(vdev->name, bar->nr, bar->size, bar->type,
                            bar->nr_mmaps);
}

/* Returns how many BAR slots it used (2 for a 64-bit BAR), 0 on error. */
static int vfio_bar_setup(VFIOPCIDevice *vdev, int nr, Error **errp)
{
    VFIOBackend *b = vdev->backend;
    VFIOBAR *bar = &vdev->bars[nr];

    bar->vdev = vdev;
    bar->nr = nr;
    if (!b->ops->get_region_info(b, VFIO_PCI_BAR0_REGION_INDEX + nr,
                                 &bar->info, errp)) {
        error_prepend(errp, "vfio %s: BAR %d: ", vdev->name, nr);
        return 0;
    }
    trace_vfio_bar_region_info(vdev->name, nr, bar->info.size,
                               bar->info.flags, bar->info.nr_mmap_areas);
    for (unsigned i = 0; i < bar->info.nr_mmap_areas; i++) {
        VFIOMmapArea *a = &bar->info.mmap_areas[i];

        trace_vfio_bar_mmap_area(vdev->name, nr, a->offset, a->size);
    }
    if (!bar->info.size) {
        return 1;
    }
    if (!vfio_bar_read_type(bar, errp) || !vfio_bar_size_ok(bar, errp)) {
        return 0;
    }
    vfio_bar_register(bar);
    return bar->mem64 ? 2 : 1;
}

bool vfio_bars_setup(VFIOPCIDevice *vdev, Error **errp)
{
    for (int nr = 0; nr < PCI_ROM_SLOT;) {
        int used = vfio_bar_setup(vdev, nr, errp);

        if (!used) {
            return false;
        }
        nr += used;
    }
    return true;
}

void vfio_bars_set_mmaps_enabled(VFIOPCIDevice *vdev, bool enabled)
{
    memory_region_transaction_begin();
    for (int nr = 0; nr < PCI_ROM_SLOT; nr++) {
        VFIOBAR *bar = &vdev->bars[nr];

        if (!bar->nr_mmaps || bar->mmaps_enabled == enabled) {
            continue;
        }
        for (unsigned i = 0; i < bar->nr_mmaps; i++) {
            memory_region_set_enabled(&bar->mmaps[i].mr, enabled);
        }
        bar->mmaps_enabled = enabled;
        trace_vfio_bar_mmaps_enabled(vdev->name, nr, enabled);
    }
    memory_region_transaction_commit();
}

static void vfio_bar_exit(VFIOBAR *bar)
{
    VFIOBackend *b = bar->vdev ? bar->vdev->backend : NULL;

    /* Regions go first so no view points into memory we unmap */
    for (unsigned i = 0; i < bar->nr_mmaps; i++) {
        memory_region_finalize(&bar->mmaps[i].mr);
    }
    for (unsigned i = 0; i < bar->nr_mmaps; i++) {
        b->ops->region_munmap(b, bar->mmaps[i].ptr, bar->mmaps[i].size);
    }
    g_clear_pointer(&bar->mmaps, g_free);
    bar->nr_mmaps = 0;
    memory_region_finalize(&bar->slow);
    memory_region_finalize(&bar->container);
    vfio_region_info_clear(&bar->info);
}

void vfio_bars_exit(VFIOPCIDevice *vdev)
{
    memory_region_transaction_begin();
    for (int nr = 0; nr < PCI_ROM_SLOT; nr++) {
        vfio_bar_exit(&vdev->bars[nr]);
    }
    memory_region_transaction_commit();
}
