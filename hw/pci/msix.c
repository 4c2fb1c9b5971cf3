/*
 * MSI-X: the capability in config space, the vector table and the pending
 * bit array (PBA) as MMIO inside BARs. Every table or control write
 * re-derives the affected vectors' states.
 */
#include "qemu/osdep.h"
#include "hw/pci/msix.h"
#include "hw/pci/msi.h"
#include "trace.h"

#define MSIX_VECTORS_MAX (PCI_MSIX_FLAGS_QSIZE + 1)
#define MSIX_PAGE_SIZE 4096

static unsigned msix_pba_size(unsigned nentries)
{
    return QEMU_ALIGN_UP(nentries, 64) / 8;
}

static uint16_t msix_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_present(const PCIDevice *dev)
{
    return dev->cap_present & QEMU_PCI_CAP_MSIX;
}

bool msix_enabled(const PCIDevice *dev)
{
    return msix_present(dev) && (msix_flags(dev) & PCI_MSIX_FLAGS_ENABLE);
}

unsigned msix_nr_vectors(const PCIDevice *dev)
{
    return msix_present(dev) ? dev->msix_entries_nr : 0;
}

static uint8_t *msix_entry(const PCIDevice *dev, unsigned vector)
{
    return dev->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(const PCIDevice *dev, unsigned vector)
{
    return pci_get_long(msix_entry(dev, vector) + PCI_MSIX_ENTRY_VECTOR_CTRL) &
           PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

/* Masked by its own bit, the function mask, or MSI-X being off. */
bool msix_is_masked(const PCIDevice *dev, unsigned vector)
{
    return dev->msix_function_masked || msix_vector_masked(dev, vector);
}

MSIMessage msix_get_message(const PCIDevice *dev, unsigned vector)
{
    const uint8_t *entry = msix_entry(dev, vector);

    return (MSIMessage) {
        .address = pci_get_quad(entry + PCI_MSIX_ENTRY_LOWER_ADDR),
        .data = pci_get_long(entry + PCI_MSIX_ENTRY_DATA),
    };
}

bool msix_is_pending(const PCIDevice *dev, unsigned vector)
{
    return dev->msix_pba[vector / 8] & (1u << (vector % 8));
}

void msix_set_pending(PCIDevice *dev, unsigned vector)
{
    dev->msix_pba[vector / 8] |= 1u << (vector % 8);
}

void msix_clr_pending(PCIDevice *dev, unsigned vector)
{
    dev->msix_pba[vector / 8] &= ~(1u << (vector % 8));
}

/* Bring vector @v's state in line with the table and control register. */
static void msix_vector_update(PCIDevice *dev, unsigned v)
{
    bool enabled = msix_enabled(dev);
    bool masked = msix_is_masked(dev, v);

    /* While MSI is on, the shared vector states are MSI's. */
    if (!enabled && msi_enabled(dev)) {
        return;
    }
    pci_vector_update(dev, v, enabled, masked, msix_get_message(dev, v));
    if (enabled && !masked && msix_is_pending(dev, v)) {
        trace_msix_deliver_pending(dev->name, v);
        msix_clr_pending(dev, v);
        pci_deliver_msi(dev, msix_get_message(dev, v));
    }
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    if (!msix_enabled(dev) || vector >= dev->msix_entries_nr) {
        return;
    }
    if (msix_is_masked(dev, vector)) {
        trace_msix_set_pending(dev->name, vector);
        msix_set_pending(dev, vector);
        return;
    }
    pci_deliver_msi(dev, msix_get_message(dev, vector));
}

void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    uint16_t flags;
    bool enabled;

    if (!msix_present(dev) ||
        !ranges_overlap(addr, len, dev->msix_cap + PCI_MSIX_FLAGS, 2)) {
        return;
    }
    flags = msix_flags(dev);
    enabled = flags & PCI_MSIX_FLAGS_ENABLE;
    dev->msix_function_masked = !enabled || (flags & PCI_MSIX_FLAGS_MASKALL);
    trace_msix_write_config(dev->name, enabled,
                            !!(flags & PCI_MSIX_FLAGS_MASKALL));
    for (unsigned v = 0; v < dev->msix_entries_nr; v++) {
        msix_vector_update(dev, v);
    }
}

/* Table and PBA MMIO */

static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;

    return pci_get_long(dev->msix_table + addr);
}

static void msix_table_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PCIDevice *dev = opaque;
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;
    uint8_t *reg = dev->msix_table + addr;

    /* Only the mask bit of Vector Control is writable. */
    if (addr % PCI_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_VECTOR_CTRL) {
        val = (pci_get_long(reg) & ~PCI_MSIX_ENTRY_CTRL_MASKBIT) |
              (val & PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
    pci_set_long(reg, val);
    msix_vector_update(dev, vector);
}

static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;
    const PCIVectorHooks *hooks = dev->vector_hooks;

    if (hooks && hooks->poll) {
        unsigned start = addr * 8;
        unsigned end = MIN((addr + size) * 8, dev->msix_entries_nr);

        if (start < end) {
            hooks->poll(dev, start, end);
        }
    }
    return ldn_le_p(dev->msix_pba + addr, size);
}

/* Read-only to the guest (libqos even writes read values back). */
static void msix_pba_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    PCIDevice *dev = opaque;

    trace_msix_pba_write_ignored(dev->name, addr, size);
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* Setup */

static bool msix_check_nentries(const char *who, unsigned nentries,
                                Error **errp)
{
    if (nentries < 1 || nentries > MSIX_VECTORS_MAX) {
        error_setg(errp, "%s: MSI-X supports 1 to %u vectors (table "
                   "entries), not %u", who, MSIX_VECTORS_MAX, nentries);
        return false;
    }
    return true;
}

bool msix_layout_check(const char *who, unsigned nentries,
                       uint8_t table_bar_nr, uint32_t table_offset,
                       uint64_t table_bar_size, uint8_t pba_bar_nr,
                       uint32_t pba_offset, uint64_t pba_bar_size,
                       Error **errp)
{
    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t pba_size = msix_pba_size(nentries);

    if (!msix_check_nentries(who, nentries, errp)) {
        return false;
    }
    if (table_bar_nr >= PCI_ROM_SLOT || pba_bar_nr >= PCI_ROM_SLOT) {
        error_setg(errp, "%s: MSI-X table (BAR %u) and PBA (BAR %u) must be in "
                   "BARs 0 to 5", who, table_bar_nr, pba_bar_nr);
        return false;
    }
    if (!table_bar_size || !pba_bar_size) {
        error_setg(errp, "%s: MSI-X table (BAR %u) or PBA (BAR %u) is in a "
                   "BAR the device does not implement", who, table_bar_nr,
                   pba_bar_nr);
        return false;
    }
    if ((table_offset | pba_offset) & ~PCI_MSIX_TABLE_OFFSET) {
        error_setg(errp, "%s: MSI-X table offset 0x%x and PBA offset 0x%x "
                   "must be 8-byte aligned", who, table_offset, pba_offset);
        return false;
    }
    if (table_offset + table_size > table_bar_size) {
        error_setg(errp, "%s: MSI-X table (0x%" PRIx64 " bytes at 0x%x) does "
                   "not fit in BAR %u (0x%" PRIx64 " bytes)", who, table_size,
                   table_offset, table_bar_nr, table_bar_size);
        return false;
    }
    if (pba_offset + pba_size > pba_bar_size) {
        error_setg(errp, "%s: MSI-X PBA (0x%" PRIx64 " bytes at 0x%x) does "
                   "not fit in BAR %u (0x%" PRIx64 " bytes)", who, pba_size,
                   pba_offset, pba_bar_nr, pba_bar_size);
        return false;
    }
    if (table_bar_nr == pba_bar_nr &&
        ranges_overlap(table_offset, table_size, pba_offset, pba_size)) {
        error_setg(errp, "%s: MSI-X table (0x%x..0x%" PRIx64 ") and PBA "
                   "(0x%x..0x%" PRIx64 ") overlap in BAR %u", who,
                   table_offset, table_offset + table_size - 1, pba_offset,
                   pba_offset + pba_size - 1, table_bar_nr);
        return false;
    }
    return true;
}

static void msix_mask_all_entries(PCIDevice *dev)
{
    for (unsigned v = 0; v < dev->msix_entries_nr; v++) {
        pci_set_long(msix_entry(dev, v) + PCI_MSIX_ENTRY_VECTOR_CTRL,
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
}

uint8_t msix_init(PCIDevice *dev, unsigned nentries,
                  MemoryRegion *table_bar, uint8_t table_bar_nr,
                  uint32_t table_offset, MemoryRegion *pba_bar,
                  uint8_t pba_bar_nr, uint32_t pba_offset, uint8_t cap_pos,
                  Error **errp)
{
    unsigned table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    uint8_t *cap;
    uint8_t pos;

    if (msix_present(dev)) {
        error_setg(errp, "%s: MSI-X capability already present at 0x%x",
                   dev->name, dev->msix_cap);
        return 0;
    }
    if (!msix_layout_check(dev->name, nentries, table_bar_nr, table_offset,
                           memory_region_size(table_bar), pba_bar_nr,
                           pba_offset, memory_region_size(pba_bar), errp)) {
        return 0;
    }
    pos = pci_add_capability(dev, PCI_CAP_ID_MSIX, cap_pos,
                             PCI_CAP_MSIX_SIZEOF, errp);
    if (!pos) {
        return 0;
    }
    cap = dev->config + pos;
    pci_set_word(cap + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(cap + PCI_MSIX_TABLE, table_offset | table_bar_nr);
    pci_set_long(cap + PCI_MSIX_PBA, pba_offset | pba_bar_nr);
    pci_set_word(dev->wmask + pos + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

    dev->msix_cap = pos;
    dev->msix_entries_nr = nentries;
    dev->msix_table = g_malloc0(table_size);
    dev->msix_pba = g_malloc0(msix_pba_size(nentries));
    dev->msix_function_masked = true;
    dev->cap_present |= QEMU_PCI_CAP_MSIX;
    msix_mask_all_entries(dev);
    pci_vectors_reserve(dev, nentries);

    memory_region_init_io(&dev->msix_table_mmio, OBJECT(dev), &msix_table_ops,
                          dev, "msix-table", table_size);
    memory_region_add_subregion_overlap(table_bar, table_offset,
                                        &dev->msix_table_mmio, 1);
    memory_region_init_io(&dev->msix_pba_mmio, OBJECT(dev), &msix_pba_ops,
                          dev, "msix-pba", msix_pba_size(nentries));
    memory_region_add_subregion_overlap(pba_bar, pba_offset,
                                        &dev->msix_pba_mmio, 1);
    return pos;
}

uint8_t msix_init_exclusive_bar(PCIDevice *dev, unsigned nentries,
                                uint8_t bar_nr, Error **errp)
{
    uint32_t table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    uint32_t pba_offset = MSIX_PAGE_SIZE / 2;
    uint64_t bar_size;
    uint8_t pos;

    if (!msix_check_nentries(dev->name, nentries, errp)) {
        return 0;
    }
    /*
     * QEMU's layout, which guests and tests know: a 4 KiB BAR, table in
     * the lower half, PBA in the upper; a bigger table pushes the PBA
     * right behind it and the BAR to the next power of 2.
     */
    pba_offset = MAX(pba_offset, table_size);
    bar_size = pow2ceil(MAX(MSIX_PAGE_SIZE,
                            pba_offset + msix_pba_size(nentries)));
    memory_region_init(&dev->msix_exclusive_bar, OBJECT(dev), "msix-bar",
                       bar_size);
    pos = msix_init(dev, nentries, &dev->msix_exclusive_bar, bar_nr, 0,
                    &dev->msix_exclusive_bar, bar_nr, pba_offset, 0, errp);
    if (!pos) {
        memory_region_finalize(&dev->msix_exclusive_bar);
        return 0;
    }
    pci_register_bar(dev, bar_nr, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &dev->msix_exclusive_bar);
    return pos;
}

void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar,
                 MemoryRegion *pba_bar)
{
    if (!msix_present(dev)) {
        return;
    }
    if (msix_enabled(dev)) {
        pci_vectors_release_all(dev);
    }
    pci_del_capability(dev, PCI_CAP_ID_MSIX, PCI_CAP_MSIX_SIZEOF);
    memory_region_del_subregion(table_bar, &dev->msix_table_mmio);
    memory_region_finalize(&dev->msix_table_mmio);
    memory_region_del_subregion(pba_bar, &dev->msix_pba_mmio);
    memory_region_finalize(&dev->msix_pba_mmio);
    g_clear_pointer(&dev->msix_table, g_free);
    g_clear_pointer(&dev->msix_pba, g_free);
    dev->cap_present &= ~QEMU_PCI_CAP_MSIX;
    dev->msix_cap = 0;
    dev->msix_entries_nr = 0;
    dev->msix_function_masked = true;
}

void msix_uninit_exclusive_bar(PCIDevice *dev)
{
    int bar_nr;

    if (!msix_present(dev)) {
        return;
    }
    bar_nr = pci_get_long(dev->config + dev->msix_cap + PCI_MSIX_TABLE) &
             PCI_MSIX_TABLE_BIR;
    pci_unregister_bar(dev, bar_nr);
    msix_uninit(dev, &dev->msix_exclusive_bar, &dev->msix_exclusive_bar);
    memory_region_finalize(&dev->msix_exclusive_bar);
}

void msix_reset(PCIDevice *dev)
{
    uint8_t *flags;

    if (!msix_present(dev)) {
        return;
    }
    flags = dev->config + dev->msix_cap + PCI_MSIX_FLAGS;
    pci_set_word(flags, pci_get_word(flags) &
                 ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
    dev->msix_function_masked = true;
    memset(dev->msix_table, 0, dev->msix_entries_nr * PCI_MSIX_ENTRY_SIZE);
    msix_mask_all_entries(dev);
    memset(dev->msix_pba, 0, msix_pba_size(dev->msix_entries_nr));
    pci_vectors_release_all(dev);
}
