/*
 * Private to the interrupt rooms (msi.c, msix.c, intx.c): the pure
 * decisions that turn the guest's vector state into host SET_IRQS calls,
 * kept apart from the device so that unit tests can check them, and the
 * few helpers the rooms share.
 */
#ifndef HW_VFIO_VECTORS_H
#define HW_VFIO_VECTORS_H

#include "hw/vfio/vfio-pci.h"

/* One VFIO_DEVICE_SET_IRQS range: vectors [start, start + count). */
typedef struct VFIOIrqRange {
    uint32_t start;
    uint32_t count;
} VFIOIrqRange;

/*
 * How to bring the host's MSI-X vectors in line with the guest's:
 * optionally disable the whole index first (growth on a NORESIZE host;
 * every vector the host had must then be replayed), then one SET_IRQS
 * per range, each giving our eventfd to wanted vectors and -1 to others.
 */
typedef struct VFIOMSIXPlan {
    bool reenable;
    unsigned host_vectors;      /* the host's enabled range afterwards */
    unsigned nr_ranges;
    VFIOIrqRange *ranges;       /* g_free'd by vfio_msix_plan_clear */
} VFIOMSIXPlan;

/*
 * @want[v]: the guest uses vector v (it needs a host vector); @have[v]:
 * the host has our eventfd for it; @host_vectors: the host's enabled
 * range, 0 when MSI-X is off at the host. With nothing wanted, a host
 * that is off is still switched on (one vector, no eventfd), so that the
 * device is in MSI-X mode whenever the guest's view is.
 */
void vfio_msix_plan(bool noresize, unsigned host_vectors, const bool *want,
                    const bool *have, unsigned nr, VFIOMSIXPlan *plan);
void vfio_msix_plan_clear(VFIOMSIXPlan *plan);

/*
 * The host answered @ret to a request for @count MSI vectors: how many to
 * ask for next (a positive answer below @count is the kernel's offer), or
 * 0 to give up.
 */
unsigned vfio_msi_retry_count(unsigned count, int ret);

/*
 * Check an MSI-X layout against the sizes of the regions holding the
 * table and the PBA (@name for messages). Fills nothing; errp says what
 * is wrong.
 */
bool vfio_msix_layout_check(const char *name, const VFIOMSIXInfo *msix,
                            uint64_t table_region_size,
                            uint64_t pba_region_size, Error **errp);

/* vectors.c: the eventfd and route per vector that MSI and MSI-X share. */
/* Deliver vector @nr of the current mode (MSI or MSI-X) to the guest. */
void vfio_vector_notify(VFIOPCIDevice *vdev, unsigned nr);
/* Bring vector @nr's route in line with the guest's (message, mask). */
void vfio_vector_route_sync(VFIOPCIDevice *vdev, unsigned nr);

/* INTx back on after MSI/MSI-X went off; failures are warnings. */
void vfio_intx_restore(VFIOPCIDevice *vdev);

#endif
