/*
 * The fake IOMMU behind a fake device: validates DMA maps the way VFIO's
 * type1 backend does (page-size alignment, usable IOVA ranges, no overlap,
 * the DMA-mapping limit) and translates the device's DMA through the
 * mappings. Each fake has its own, unless the spec asks for the one
 * domain shared by every fake with [iommu] shared=true.
 */
#include "qemu/osdep.h"
#include <sys/resource.h>
#include "fake-vfio-int.h"
#include "trace.h"

static FakeIOMMU *shared_iommu;
/* Bytes pinned by every fake that accounts them, as type1 counts. */
static uint64_t fake_pinned;

static int range_cmp(gconstpointer a, gconstpointer b)
{
    const VFIOIOVARange *ra = a, *rb = b;

    return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* Usable ranges: the complement of the reserved ones in [0, 2^64). */
static GArray *usable_ranges(GArray *reserved)
{
    GArray *usable = g_array_new(false, false, sizeof(VFIOIOVARange));
    g_autoptr(GArray) sorted = g_array_copy(reserved);
    uint64_t next = 0;          /* first address not yet handed out */
    bool done = false;

    g_array_sort(sorted, range_cmp);
    for (guint i = 0; i < sorted->len && !done; i++) {
        VFIOIOVARange *r = &g_array_index(sorted, VFIOIOVARange, i);
        VFIOIOVARange gap = { next, r->start - 1 };

        if (r->end < next) {
            continue;           /* inside an earlier reserved range */
        }
        if (r->start > next) {
            g_array_append_val(usable, gap);
        }
        done = r->end == UINT64_MAX;
        next = r->end + 1;
    }
    if (!done) {
        VFIOIOVARange tail = { next, UINT64_MAX };
        g_array_append_val(usable, tail);
    }
    return usable;
}

static FakeIOMMU *iommu_new(const FakeVFIOSpec *s)
{
    FakeIOMMU *m = g_new0(FakeIOMMU, 1);

    m->pgsizes = s->pgsizes;
    m->usable = usable_ranges(s->reserved);
    m->dma_avail = s->dma_avail;
    m->maps = g_array_new(false, false, sizeof(FakeDMAMap));
    return m;
}

void fake_iommu_attach(FakeVFIODevice *f)
{
    if (!f->spec->iommu_shared) {
        f->iommu = iommu_new(f->spec);
    } else {
        /* The first user's spec shapes the shared domain. */
        if (!shared_iommu) {
            shared_iommu = iommu_new(f->spec);
        }
        f->iommu = shared_iommu;
    }
    f->iommu->refs++;
}

void fake_iommu_detach(FakeVFIODevice *f)
{
    FakeIOMMU *m = f->iommu;

    f->iommu = NULL;
    if (!m || --m->refs) {
        return;
    }
    if (m == shared_iommu) {
        shared_iommu = NULL;
    }
    for (guint i = 0; i < m->maps->len; i++) {
        FakeDMAMap *d = &g_array_index(m->maps, FakeDMAMap, i);

        fake_pinned -= d->accounted ? d->size : 0;
    }
    g_array_free(m->usable, true);
    g_array_free(m->maps, true);
    g_free(m);
}

bool fake_get_iommu_info(VFIOBackend *b, VFIOIOMMUInfo *info, Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    FakeIOMMU *m;

    memset(info, 0, sizeof(*info));
    if (!fake_check_open(f, errp)) {
        return false;
    }
    m = f->iommu;
    info->pgsizes = m->pgsizes;
    info->nr_iova_ranges = m->usable->len;
    info->iova_ranges = g_memdup2(m->usable->data,
                                  m->usable->len * sizeof(VFIOIOVARange));
    info->dma_avail = m->dma_avail - MIN(m->dma_avail, m->maps->len);
    return true;
}

const void *fake_dma_domain(VFIOBackend *b)
{
    return fake_vfio_from_backend(b)->iommu;
}

static uint64_t min_page(FakeIOMMU *m)
{
    return m->pgsizes & -m->pgsizes;
}

/* [iova, iova+size) inside one usable range (size > 0, no overflow). */
static bool iova_usable(FakeIOMMU *m, uint64_t iova, uint64_t size)
{
    uint64_t last = iova + size - 1;

    for (guint i = 0; i < m->usable->len; i++) {
        VFIOIOVARange *r = &g_array_index(m->usable, VFIOIOVARange, i);
        if (iova >= r->start && last <= r->end) {
            return true;
        }
    }
    return false;
}

static bool map_overlaps(FakeIOMMU *m, uint64_t iova, uint64_t size)
{
    for (guint i = 0; i < m->maps->len; i++) {
        FakeDMAMap *d = &g_array_index(m->maps, FakeDMAMap, i);
        if (ranges_overlap(d->iova, d->size, iova, size)) {
            return true;
        }
    }
    return false;
}

static bool range_ok(FakeIOMMU *m, uint64_t iova, uint64_t size)
{
    uint64_t mask = min_page(m) - 1;

    return size && !(iova & mask) && !(size & mask) &&
           iova + size - 1 >= iova;
}

/* Would pinning @size more go over RLIMIT_MEMLOCK? */
static bool over_memlock(uint64_t size)
{
    struct rlimit rl;

    return !getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY &&
           fake_pinned + size > rl.rlim_cur;
}

static int dma_map_check(FakeVFIODevice *f, uint64_t iova, uint64_t size,
                         void *vaddr)
{
    FakeIOMMU *m = f->iommu;

    if (f->fault_dma_map) {
        f->fault_dma_map--;
        return -ENOMEM;
    }
    if (f->fault_dma_map_nospc) {
        f->fault_dma_map_nospc--;
        return -ENOSPC;
    }
    if (!range_ok(m, iova, size) || !vaddr ||
        ((uintptr_t)vaddr & (min_page(m) - 1)) || !iova_usable(m, iova, size)) {
        return -EINVAL;
    }
    if (map_overlaps(m, iova, size)) {
        return -EEXIST;
    }
    if (m->maps->len >= m->dma_avail) {
        return -ENOSPC;
    }
    if (f->spec->account_locked && over_memlock(size)) {
        return -ENOMEM;
    }
    return 0;
}

bool fake_dma_map(VFIOBackend *b, uint64_t iova, uint64_t size, void *vaddr,
                  bool readonly, Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    FakeDMAMap map = { iova, size, vaddr, readonly };
    int ret;

    trace_fake_vfio_dma_map(iova, size);
    if (!fake_check_open(f, errp)) {
        return false;
    }
    ret = dma_map_check(f, iova, size, vaddr);
    if (ret) {
        /* worded as the kernel backend words it */
        vfio_dma_map_error(iova, size, -ret, fake_pinned, errp);
        return false;
    }
    if (f->spec->account_locked) {
        fake_pinned += size;
        map.accounted = true;
    }
    g_array_append_val(f->iommu->maps, map);
    f->counters.dma_maps++;
    return true;
}

static bool unmap_splits(FakeIOMMU *m, uint64_t iova, uint64_t size)
{
    for (guint i = 0; i < m->maps->len; i++) {
        FakeDMAMap *d = &g_array_index(m->maps, FakeDMAMap, i);
        if (ranges_overlap(d->iova, d->size, iova, size) &&
            (d->iova < iova || d->iova + d->size - 1 > iova + size - 1)) {
            return true;
        }
    }
    return false;
}

/* type1 v2: unmapping may not split a mapping; it removes whole ones. */
bool fake_dma_unmap(VFIOBackend *b, uint64_t iova, uint64_t size,
                    Error **errp)
{
    FakeVFIODevice *f = fake_vfio_from_backend(b);
    FakeIOMMU *m;

    trace_fake_vfio_dma_unmap(iova, size);
    if (!fake_check_open(f, errp)) {
        return false;
    }
    m = f->iommu;
    if (!range_ok(m, iova, size) || unmap_splits(m, iova, size)) {
        error_setg_errno(errp, EINVAL, "fake-vfio %s: DMA unmap of IOVA 0x%"
                         PRIx64 " size 0x%" PRIx64 " is unaligned or splits "
                         "a mapping", fake_name(f), iova, size);
        return false;
    }
    for (guint i = m->maps->len; i-- > 0;) {
        FakeDMAMap *d = &g_array_index(m->maps, FakeDMAMap, i);
        if (ranges_overlap(d->iova, d->size, iova, size)) {
            fake_pinned -= d->accounted ? d->size : 0;
            g_array_remove_index(m->maps, i);
        }
    }
    f->counters.dma_unmaps++;
    return true;
}

static FakeDMAMap *map_find(FakeIOMMU *m, uint64_t iova)
{
    for (guint i = 0; i < m->maps->len; i++) {
        FakeDMAMap *d = &g_array_index(m->maps, FakeDMAMap, i);
        if (iova >= d->iova && iova - d->iova < d->size) {
            return d;
        }
    }
    return NULL;
}

/* Walk [iova, iova+len) through the mappings; copy only when @copy. */
static bool dma_walk(FakeIOMMU *m, uint64_t iova, uint8_t *buf, size_t len,
                     bool to_guest, bool copy)
{
    while (len) {
        FakeDMAMap *d = map_find(m, iova);
        uint64_t chunk;
        uint8_t *host;

        if (!d || (to_guest && d->readonly)) {
            return false;
        }
        chunk = MIN(len, d->size - (iova - d->iova));
        host = (uint8_t *)d->vaddr + (iova - d->iova);
        if (copy) {
            memcpy(to_guest ? host : buf, to_guest ? buf : host, chunk);
        }
        iova += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

bool fake_vfio_dma(FakeVFIODevice *f, uint64_t iova, void *buf, size_t len,
                   bool to_guest)
{
    if (!f || !f->open || (len && iova + len - 1 < iova)) {
        return false;
    }
    /* All or nothing: check the whole range first. */
    return dma_walk(f->iommu, iova, buf, len, to_guest, false) &&
           dma_walk(f->iommu, iova, buf, len, to_guest, true);
}

unsigned fake_vfio_dma_mapping_count(FakeVFIODevice *f)
{
    return f && f->iommu ? f->iommu->maps->len : 0;
}
