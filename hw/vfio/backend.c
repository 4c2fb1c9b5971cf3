/* Backend providers and small helpers shared by every backend user. */
#include "qemu/osdep.h"
#include <sys/resource.h>
#include "hw/vfio/backend.h"
#include "trace.h"

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)

static GPtrArray *providers;

void vfio_backend_register_provider(const VFIOBackendProvider *provider)
{
    if (!providers) {
        providers = g_ptr_array_new();
    }
    /* Specific providers (tests) first, the catch-all kernel one last. */
    if (!strcmp(provider->name, "kernel")) {
        g_ptr_array_add(providers, (gpointer)provider);
    } else {
        g_ptr_array_insert(providers, 0, (gpointer)provider);
    }
}

VFIOBackend *vfio_backend_open(const char *host, const char *sysfsdev,
                               Error **errp)
{
    for (guint i = 0; providers && i < providers->len; i++) {
        const VFIOBackendProvider *p = g_ptr_array_index(providers, i);

        if (p->claims(host, sysfsdev)) {
            trace_vfio_backend_open(p->name, host ? host : sysfsdev);
            return p->open(host, sysfsdev, errp);
        }
    }
    error_setg(errp, "vfio: no backend can open '%s'",
               host ? host : sysfsdev);
    return NULL;
}

void vfio_backend_close(VFIOBackend *b)
{
    if (b) {
        b->ops->close(b);
    }
}

void vfio_region_info_clear(VFIORegionInfo *info)
{
    g_clear_pointer(&info->mmap_areas, g_free);
    info->nr_mmap_areas = 0;
}

void vfio_iommu_info_clear(VFIOIOMMUInfo *info)
{
    g_clear_pointer(&info->iova_ranges, g_free);
    info->nr_iova_ranges = 0;
}

int vfio_set_irq_eventfds(VFIOBackend *b, uint32_t index, uint32_t start,
                          uint32_t count, const int32_t *fds)
{
    return b->ops->set_irqs(b, index, VFIO_IRQ_SET_DATA_EVENTFD |
                            VFIO_IRQ_SET_ACTION_TRIGGER, start, count, fds);
}

int vfio_disable_irq_index(VFIOBackend *b, uint32_t index)
{
    return b->ops->set_irqs(b, index, VFIO_IRQ_SET_DATA_NONE |
                            VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
}

char *vfio_size_str(uint64_t bytes)
{
    if (bytes && !(bytes % MiB)) {
        return g_strdup_printf("%" PRIu64 " MiB", bytes / MiB);
    }
    if (bytes && !(bytes % KiB)) {
        return g_strdup_printf("%" PRIu64 " KiB", bytes / KiB);
    }
    return g_strdup_printf("%" PRIu64 " bytes", bytes);
}

void vfio_dma_map_error(uint64_t iova, uint64_t size, int err,
                        uint64_t pinned, Error **errp)
{
    g_autofree char *sz = vfio_size_str(size);
    g_autofree char *now = NULL;
    g_autofree char *need = NULL;
    struct rlimit rl;

    if (err == ENOMEM && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
        rl.rlim_cur != RLIM_INFINITY) {
        now = vfio_size_str(rl.rlim_cur);
        need = vfio_size_str(QEMU_ALIGN_UP(pinned + size, MiB));
        error_setg(errp, "vfio: VFIO_MAP_DMA of %s failed: the locked-memory "
                   "limit (RLIMIT_MEMLOCK, now %s) is too low; guest RAM "
                   "needs at least %s: raise it (ulimit -l / LimitMEMLOCK=) "
                   "or run with CAP_IPC_LOCK", sz, now, need);
    } else if (err == ENOSPC) {
        error_setg(errp, "vfio: VFIO_MAP_DMA of %s failed: the IOMMU's "
                   "limit of DMA mappings is reached: raise the "
                   "vfio_iommu_type1 module's dma_entry_limit", sz);
    } else {
        error_setg_errno(errp, err, "vfio: VFIO_MAP_DMA of %s at IOVA 0x%"
                         PRIx64 " failed", sz, iova);
    }
}
