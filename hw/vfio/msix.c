/*
 * vfio-pci: MSI-X.
 *
 * The guest programs a virtual table and PBA (the PCI core's, mapped over
 * the BAR at a higher priority), so it never reaches the device's table.
 * The host gets a vector only for what the guest uses: a vector the core
 * calls LIVE or MASKED has our eventfd at the host, others have none.
 * vfio_msix_sync compares that with what the host was last told and
 * issues only the calls that differ (vfio_msix_plan decides which):
 *
 * - The guest brings vectors up in a batch: it enables MSI-X with the
 *   function masked, programs the entries it allocated, then unmasks the
 *   function and, later, each vector. At the function unmask every entry
 *   it programmed gets a host vector at once (masked ones too: a fire
 *   becomes a pending bit), so that the vectors it unmasks afterwards cost
 *   the host nothing: one SET_IRQS for all of a driver's vectors, even
 *   with NORESIZE.
 * - Without NORESIZE (dynamic MSI-X), one SET_IRQS per vector used later.
 *   When the guest enables MSI-X unmasked with nothing in use, the host is
 *   switched on with one vector and no eventfd, so the device's mode
 *   follows the guest's view; while the function stays masked it waits.
 * - With NORESIZE, the host's range cannot grow in place: using a vector
 *   beyond it disables the index and re-enables it with the larger count
 *   and every in-use vector's eventfd. A device interrupt raised while the
 *   index was off is lost at the host, so afterwards every vector the host
 *   had before is delivered once (replay). Eventfds that fired before the
 *   switch are drained first and folded into that replay: no interrupt is
 *   lost, and at most one spurious interrupt per vector is seen, which
 *   MSI-X drivers must tolerate anyway.
 *
 * Masking a vector keeps its eventfd bound: a fire while masked becomes a
 * pending bit through msix_notify, and unmasking delivers it. The whole
 * index is disabled once when the guest turns MSI-X off.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "hw/vfio/vectors.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "trace.h"

/* Decisions (pure) */

static void vfio_msix_plan_add(VFIOMSIXPlan *plan, uint32_t start,
                               uint32_t count)
{
    plan->ranges[plan->nr_ranges++] = (VFIOIrqRange) { start, count };
}

void vfio_msix_plan(bool noresize, unsigned host_vectors, const bool *want,
                    const bool *have, unsigned nr, VFIOMSIXPlan *plan)
{
    unsigned top = 0;

    for (unsigned v = 0; v < nr; v++) {
        if (want[v]) {
            top = v + 1;
        }
    }
    *plan = (VFIOMSIXPlan) {
        .host_vectors = host_vectors,
        .ranges = g_new(VFIOIrqRange, nr / 2 + 1),
    };
    if (!host_vectors || (noresize && top > host_vectors)) {
        /* One enable covering every wanted vector (at least one). */
        plan->reenable = host_vectors != 0;
        plan->host_vectors = MAX(top, 1);
        vfio_msix_plan_add(plan, 0, plan->host_vectors);
        return;
    }
    /* Only the vectors that differ: a vector set again could lose a fire. */
    for (unsigned v = 0; v < nr; v++) {
        if (want[v] == have[v]) {
            continue;
        }
        if (plan->nr_ranges) {
            VFIOIrqRange *last = &plan->ranges[plan->nr_ranges - 1];

            if (last->start + last->count == v) {
                last->count++;
                continue;
            }
        }
        vfio_msix_plan_add(plan, v, 1);
    }
    plan->host_vectors = MAX(host_vectors, top);
}

void vfio_msix_plan_clear(VFIOMSIXPlan *plan)
{
    g_clear_pointer(&plan->ranges, g_free);
    plan->nr_ranges = 0;
}

bool vfio_msix_layout_check(const char *name, const VFIOMSIXInfo *msix,
                            uint64_t table_region_size,
                            uint64_t pba_region_size, Error **errp)
{
    g_autofree char *who = g_strdup_printf("vfio %s", name);

    return msix_layout_check(who, msix->entries, msix->table_bar,
                             msix->table_offset, table_region_size,
                             msix->pba_bar, msix->pba_offset, pba_region_size,
                             errp);
}

/* Setup */

static void vfio_msix_hide(VFIOPCIDevice *vdev, Error *err)
{
    warn_report("%s; MSI-X is hidden from the guest", error_get_pretty(err));
    error_free(err);
    g_clear_pointer(&vdev->msix, g_free);
}

static bool vfio_msix_read_cap(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOMSIXInfo *msix = vdev->msix;
    uint8_t cap[PCI_CAP_MSIX_SIZEOF];
    uint32_t table, pba;

    if (!vfio_config_read_raw(vdev, msix->cap, cap, sizeof(cap))) {
        error_setg(errp, "vfio %s: cannot read the MSI-X capability at 0x%x",
                   vdev->name, msix->cap);
        return false;
    }
    table = pci_get_long(cap + PCI_MSIX_TABLE);
    pba = pci_get_long(cap + PCI_MSIX_PBA);
    msix->entries = (pci_get_word(cap + PCI_MSIX_FLAGS) &
                     PCI_MSIX_FLAGS_QSIZE) + 1;
    msix->table_bar = table & PCI_MSIX_TABLE_BIR;
    msix->table_offset = table & PCI_MSIX_TABLE_OFFSET;
    msix->pba_bar = pba & PCI_MSIX_PBA_BIR;
    msix->pba_offset = pba & PCI_MSIX_PBA_OFFSET;
    return true;
}

static bool vfio_msix_region_size(VFIOPCIDevice *vdev, uint8_t bar,
                                  VFIORegionInfo *info, Error **errp)
{
    VFIOBackend *b = vdev->backend;

    *info = (VFIORegionInfo) { 0 };
    return bar >= PCI_ROM_SLOT ||
           b->ops->get_region_info(b, VFIO_PCI_BAR0_REGION_INDEX + bar, info,
                                   errp);
}

/* Layout, host support and mappability, decided once here. */
static bool vfio_msix_probe(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOMSIXInfo *msix = vdev->msix;
    VFIOBackend *b = vdev->backend;
    VFIORegionInfo table = { 0 }, pba = { 0 };
    VFIOIRQInfo irq = { 0 };
    bool ok;

    ok = vfio_msix_region_size(vdev, msix->table_bar, &table, errp) &&
         vfio_msix_region_size(vdev, msix->pba_bar, &pba, errp) &&
         vfio_msix_layout_check(vdev->name, msix, table.size, pba.size, errp);
    vdev->msix_mappable = ok && table.msix_mappable;
    vfio_region_info_clear(&table);
    vfio_region_info_clear(&pba);
    if (!ok) {
        return false;
    }
    if (!b->ops->get_irq_info(b, VFIO_PCI_MSIX_IRQ_INDEX, &irq, errp)) {
        return false;
    }
    if (!irq.count || !(irq.flags & VFIO_IRQ_INFO_EVENTFD)) {
        error_setg(errp, "vfio %s: the host offers no MSI-X interrupts",
                   vdev->name);
        return false;
    }
    vdev->msix_noresize = irq.flags & VFIO_IRQ_INFO_NORESIZE;
    return true;
}

/*
 * Where the device has its MSI-X capability, by the same checked walk
 * that builds the guest's chain (a capability cut from it is not found).
 */
static uint8_t vfio_msix_find_cap(VFIOPCIDevice *vdev)
{
    VFIOCapEntry caps[(PCI_CONFIG_SPACE_SIZE - PCI_STD_HEADER_SIZEOF) / 4];
    unsigned n;

    if (!vdev->phys_config) {
        return 0;
    }
    n = vfio_walk_std_caps(vdev->phys_config, caps, ARRAY_SIZE(caps), NULL);
    for (unsigned i = 0; i < n; i++) {
        if (caps[i].id == PCI_CAP_ID_MSIX) {
            return caps[i].pos;
        }
    }
    return 0;
}

bool vfio_msix_early_setup(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOMSIXInfo *msix;
    Error *err = NULL;
    uint8_t cap;

    if (!vdev->msix) {
        cap = vfio_msix_find_cap(vdev);
        if (!cap) {
            return true;
        }
        vdev->msix = g_new0(VFIOMSIXInfo, 1);
        vdev->msix->cap = cap;
    }
    msix = vdev->msix;
    if (!vfio_msix_read_cap(vdev, errp)) {
        g_clear_pointer(&vdev->msix, g_free);
        return false;
    }
    if (!vfio_msix_probe(vdev, &err)) {
        vfio_msix_hide(vdev, err);
        return true;
    }
    trace_vfio_msix_early_setup(vdev->name, msix->cap, msix->entries,
                                msix->table_bar, msix->table_offset,
                                msix->pba_bar, msix->pba_offset,
                                vdev->msix_noresize, vdev->msix_mappable);
    return true;
}

bool vfio_msix_setup(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOMSIXInfo *msix = vdev->msix;
    VFIOBAR *table, *pba;
    uint8_t pos;

    if (!msix) {
        return true;
    }
    table = &vdev->bars[msix->table_bar];
    pba = &vdev->bars[msix->pba_bar];
    if (!table->size || !pba->size) {
        Error *err = NULL;

        error_setg(&err, "vfio %s: the MSI-X table (BAR %u) or PBA (BAR %u) "
                   "is in a BAR that is not implemented", vdev->name,
                   msix->table_bar, msix->pba_bar);
        vfio_msix_hide(vdev, err);
        return true;
    }
    pos = msix_init(&vdev->pdev, msix->entries, &table->container,
                    msix->table_bar, msix->table_offset, &pba->container,
                    msix->pba_bar, msix->pba_offset, msix->cap, errp);
    if (!pos) {
        error_prepend(errp, "vfio %s: ", vdev->name);
        return false;
    }
    vfio_add_emulated_bits(vdev, pos, PCI_CAP_MSIX_SIZEOF, 0xff);
    return true;
}

/* Host state */

static void vfio_msix_claim(VFIOPCIDevice *vdev)
{
    trace_vfio_msix_claim(vdev->name, vdev->msix->entries);
    vfio_msi_disable(vdev);
    vfio_intx_disable(vdev);
    vfio_vectors_alloc(vdev, vdev->msix->entries, NULL);
    vdev->interrupt = VFIO_INT_MSIX;
}

void vfio_msix_disable(VFIOPCIDevice *vdev)
{
    int ret;

    if (vdev->interrupt != VFIO_INT_MSIX) {
        return;
    }
    trace_vfio_msix_disable(vdev->name);
    if (vdev->host_vectors) {
        ret = vfio_disable_irq_index(vdev->backend, VFIO_PCI_MSIX_IRQ_INDEX);
        if (ret < 0) {
            warn_report("vfio %s: cannot disable MSI-X at the host: %s",
                        vdev->name, strerror(-ret));
        }
    }
    vfio_vectors_free(vdev);
    vdev->interrupt = VFIO_INT_NONE;
}

void vfio_msix_exit(VFIOPCIDevice *vdev)
{
    VFIOMSIXInfo *msix = vdev->msix;

    vfio_msix_disable(vdev);
    if (!msix) {
        return;
    }
    msix_uninit(&vdev->pdev, &vdev->bars[msix->table_bar].container,
                &vdev->bars[msix->pba_bar].container);
    g_clear_pointer(&vdev->msix, g_free);
}

/*
 * A vector the guest uses, or has programmed while its function is
 * unmasked (it will use it), with an eventfd ready for the host.
 */
static bool vfio_msix_wanted(VFIOPCIDevice *vdev, unsigned v)
{
    PCIDevice *pdev = &vdev->pdev;
    Error *err = NULL;

    if (pdev->vector_state[v] == PCI_VECTOR_UNUSED &&
        (pdev->msix_function_masked || !msix_get_message(pdev, v).address)) {
        return false;
    }
    if (!vfio_vector_ensure_eventfd(&vdev->vectors[v], &err)) {
        warn_report_err(err);
        return false;
    }
    return true;
}

/* SET_IRQS for one range; the vectors stay without host vector on error. */
static bool vfio_msix_set_range(VFIOPCIDevice *vdev, const VFIOIrqRange *r,
                                const bool *want)
{
    g_autofree int32_t *fds = g_new(int32_t, r->count);
    int ret;

    for (unsigned i = 0; i < r->count; i++) {
        unsigned v = r->start + i;

        fds[i] = want[v] ? event_notifier_get_fd(&vdev->vectors[v].interrupt)
                         : -1;
    }
    trace_vfio_msix_set_irqs(vdev->name, r->start, r->count);
    ret = vfio_set_irq_eventfds(vdev->backend, VFIO_PCI_MSIX_IRQ_INDEX,
                                r->start, r->count, fds);
    if (ret) {
        warn_report("vfio %s: cannot set MSI-X vectors %u to %u at the host: "
                    "%s; they stay without a host vector", vdev->name,
                    r->start, r->start + r->count - 1,
                    strerror(ret < 0 ? -ret : EINVAL));
        return false;
    }
    for (unsigned i = 0; i < r->count; i++) {
        vdev->vectors[r->start + i].in_host = want[r->start + i];
    }
    vdev->host_vectors = MAX(vdev->host_vectors, r->start + r->count);
    return true;
}

/* NORESIZE growth: off, on with the larger count, then replay (see top). */
static void vfio_msix_reenable(VFIOPCIDevice *vdev, const VFIOMSIXPlan *plan,
                               const bool *want)
{
    g_autofree bool *replay = g_new0(bool, vdev->nr_vectors);
    int ret;

    trace_vfio_msix_reenable(vdev->name, vdev->host_vectors,
                             plan->host_vectors);
    for (unsigned v = 0; v < vdev->nr_vectors; v++) {
        VFIOVector *vec = &vdev->vectors[v];

        if (vec->in_host) {
            replay[v] = true;
            event_notifier_test_and_clear(&vec->interrupt);
            vec->in_host = false;
        }
    }
    ret = vfio_disable_irq_index(vdev->backend, VFIO_PCI_MSIX_IRQ_INDEX);
    if (ret < 0) {
        warn_report("vfio %s: cannot disable MSI-X at the host to resize it: "
                    "%s", vdev->name, strerror(-ret));
    }
    vdev->host_vectors = 0;
    for (unsigned i = 0; i < plan->nr_ranges; i++) {
        vfio_msix_set_range(vdev, &plan->ranges[i], want);
    }
    for (unsigned v = 0; v < vdev->nr_vectors; v++) {
        if (replay[v]) {
            trace_vfio_msix_replay(vdev->name, v);
            vfio_vector_notify(vdev, v);
        }
    }
}

static void vfio_msix_sync(VFIOPCIDevice *vdev)
{
    unsigned nr = vdev->nr_vectors;
    g_autofree bool *want = g_new(bool, nr);
    g_autofree bool *have = g_new(bool, nr);
    VFIOMSIXPlan plan;
    bool any = false;

    for (unsigned v = 0; v < nr; v++) {
        want[v] = vfio_msix_wanted(vdev, v);
        have[v] = vdev->vectors[v].in_host;
        any |= want[v];
    }
    /* Enabled but masked as a whole: the batch comes at the unmask. */
    if (!any && !vdev->host_vectors && vdev->pdev.msix_function_masked) {
        return;
    }
    vfio_msix_plan(vdev->msix_noresize, vdev->host_vectors, want, have, nr,
                   &plan);
    if (plan.reenable) {
        vfio_msix_reenable(vdev, &plan, want);
    } else {
        for (unsigned i = 0; i < plan.nr_ranges; i++) {
            vfio_msix_set_range(vdev, &plan.ranges[i], want);
        }
    }
    vfio_msix_plan_clear(&plan);
}

void vfio_msix_update(VFIOPCIDevice *vdev)
{
    PCIDevice *pdev = &vdev->pdev;

    if (!vdev->msix || !msix_present(pdev)) {
        return;
    }
    if (msix_enabled(pdev)) {
        if (vdev->interrupt != VFIO_INT_MSIX) {
            vfio_msix_claim(vdev);
        }
        vfio_msix_sync(vdev);
    } else if (vdev->interrupt == VFIO_INT_MSIX) {
        vfio_msix_disable(vdev);
        vfio_intx_restore(vdev);
    }
}

/*
 * Vector hooks, shared by MSI and MSI-X. They act on MSI-X vectors once
 * the host is in MSI-X mode; the write that enables MSI-X runs them before
 * vfio_msix_update switches the host, which then syncs every vector at
 * once. MSI vectors are the business of vfio_msi_update.
 */

static VFIOPCIDevice *vfio_msix_hook_device(PCIDevice *pdev, unsigned nr)
{
    VFIOPCIDevice *vdev = container_of(pdev, VFIOPCIDevice, pdev);

    if (vdev->interrupt != VFIO_INT_MSIX || nr >= vdev->nr_vectors) {
        return NULL;
    }
    return vdev;
}

static void vfio_vector_use(PCIDevice *pdev, unsigned nr, MSIMessage msg)
{
    VFIOPCIDevice *vdev = vfio_msix_hook_device(pdev, nr);

    /* Masked vectors keep theirs: unmask costs the host nothing. */
    if (vdev && !vdev->vectors[nr].in_host) {
        vfio_msix_sync(vdev);
    }
    vfio_vector_route_sync(container_of(pdev, VFIOPCIDevice, pdev), nr);
}

static void vfio_vector_mask(PCIDevice *pdev, unsigned nr)
{
    /*
     * The eventfd stays bound at the host; its route goes back to the
     * relay, so that a fire becomes a pending bit (msix_notify).
     */
    vfio_vector_route_sync(container_of(pdev, VFIOPCIDevice, pdev), nr);
}

static void vfio_vector_release(PCIDevice *pdev, unsigned nr)
{
    /* Releases come with MSI-X off: the index goes off once, as a whole. */
}

const PCIVectorHooks vfio_vector_hooks = {
    .use = vfio_vector_use,
    .mask = vfio_vector_mask,
    .unmask = vfio_vector_use,
    .release = vfio_vector_release,
    /* .poll: the core keeps the pending bits, the device's PBA is unused */
};
