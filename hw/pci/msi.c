/*
 * MSI: the capability's registers live in config space (written through
 * the wmask), and each write re-derives every vector's state.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "trace.h"

#define MSI_VECTORS_MAX 32

static uint16_t msi_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_64bit(uint16_t flags)
{
    return flags & PCI_MSI_FLAGS_64BIT;
}

static bool msi_maskbit(uint16_t flags)
{
    return flags & PCI_MSI_FLAGS_MASKBIT;
}

static unsigned msi_data_off(uint16_t flags)
{
    return msi_64bit(flags) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
}

static unsigned msi_mask_off(uint16_t flags)
{
    return msi_64bit(flags) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
}

static unsigned msi_pending_off(uint16_t flags)
{
    return msi_64bit(flags) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32;
}

/* log2 of Multiple Message Capable and Multiple Message Enable. */
static unsigned msi_mmc(uint16_t flags)
{
    return (flags & PCI_MSI_FLAGS_QMASK) >> __builtin_ctz(PCI_MSI_FLAGS_QMASK);
}

static unsigned msi_mme(uint16_t flags)
{
    return (flags & PCI_MSI_FLAGS_QSIZE) >> __builtin_ctz(PCI_MSI_FLAGS_QSIZE);
}

static uint32_t msi_vector_bits(unsigned nr)
{
    return nr >= 32 ? UINT32_MAX : (1u << nr) - 1;
}

uint8_t msi_cap_sizeof(uint16_t flags)
{
    unsigned size = msi_64bit(flags) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;

    if (msi_maskbit(flags)) {
        return size + 12;       /* data (padded to a dword), mask, pending */
    }
    return size + 2;
}

bool msi_present(const PCIDevice *dev)
{
    return dev->cap_present & QEMU_PCI_CAP_MSI;
}

bool msi_enabled(const PCIDevice *dev)
{
    return msi_present(dev) && (msi_flags(dev) & PCI_MSI_FLAGS_ENABLE);
}

static unsigned msi_nr_vectors(const PCIDevice *dev)
{
    return 1u << msi_mmc(msi_flags(dev));
}

unsigned msi_nr_vectors_allocated(const PCIDevice *dev)
{
    uint16_t flags = msi_flags(dev);

    return 1u << MIN(msi_mme(flags), msi_mmc(flags));
}

uint8_t msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors,
                 bool msi64bit, bool per_vector_mask, Error **errp)
{
    uint16_t flags = 0;
    uint8_t *wmask;
    uint8_t pos;

    if (msi_present(dev)) {
        error_setg(errp, "%s: MSI capability already present at 0x%x",
                   dev->name, dev->msi_cap);
        return 0;
    }
    if (!is_power_of_2(nr_vectors) || nr_vectors > MSI_VECTORS_MAX) {
        error_setg(errp, "%s: MSI supports 1, 2, 4, 8, 16 or 32 vectors, "
                   "not %u", dev->name, nr_vectors);
        return 0;
    }
    flags |= __builtin_ctz(nr_vectors) << __builtin_ctz(PCI_MSI_FLAGS_QMASK);
    flags |= msi64bit ? PCI_MSI_FLAGS_64BIT : 0;
    flags |= per_vector_mask ? PCI_MSI_FLAGS_MASKBIT : 0;
    pos = pci_add_capability(dev, PCI_CAP_ID_MSI, offset,
                             msi_cap_sizeof(flags), errp);
    if (!pos) {
        return 0;
    }
    dev->msi_cap = pos;
    dev->msi_pending = 0;
    dev->cap_present |= QEMU_PCI_CAP_MSI;
    pci_set_word(dev->config + pos + PCI_MSI_FLAGS, flags);

    wmask = dev->wmask + pos;
    pci_set_word(wmask + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(wmask + PCI_MSI_ADDRESS_LO, ~3u);
    if (msi64bit) {
        pci_set_long(wmask + PCI_MSI_ADDRESS_HI, UINT32_MAX);
    }
    pci_set_word(wmask + msi_data_off(flags), UINT16_MAX);
    if (per_vector_mask) {
        pci_set_long(wmask + msi_mask_off(flags),
                     msi_vector_bits(nr_vectors));
    }
    pci_vectors_reserve(dev, nr_vectors);
    return pos;
}

void msi_uninit(PCIDevice *dev)
{
    uint16_t flags;

    if (!msi_present(dev)) {
        return;
    }
    flags = msi_flags(dev);
    if (flags & PCI_MSI_FLAGS_ENABLE) {
        pci_vectors_release_all(dev);
    }
    pci_del_capability(dev, PCI_CAP_ID_MSI, msi_cap_sizeof(flags));
    dev->cap_present &= ~QEMU_PCI_CAP_MSI;
    dev->msi_cap = 0;
    dev->msi_pending = 0;
}

MSIMessage msi_get_message(const PCIDevice *dev, unsigned vector)
{
    const uint8_t *cap = dev->config + dev->msi_cap;
    uint16_t flags = msi_flags(dev);
    unsigned nr = msi_nr_vectors_allocated(dev);
    MSIMessage msg;

    msg.address = pci_get_long(cap + PCI_MSI_ADDRESS_LO);
    if (msi_64bit(flags)) {
        msg.address |= (uint64_t)pci_get_long(cap + PCI_MSI_ADDRESS_HI) << 32;
    }
    /* Multiple messages: the low data bits carry the vector number. */
    msg.data = pci_get_word(cap + msi_data_off(flags));
    msg.data = (msg.data & ~(nr - 1)) | (vector & (nr - 1));
    return msg;
}

bool msi_is_masked(const PCIDevice *dev, unsigned vector)
{
    uint16_t flags = msi_flags(dev);

    if (!msi_maskbit(flags)) {
        return false;
    }
    return pci_get_long(dev->config + dev->msi_cap + msi_mask_off(flags)) &
           (1u << vector);
}

bool msi_is_pending(const PCIDevice *dev, unsigned vector)
{
    return vector < MSI_VECTORS_MAX && (dev->msi_pending & (1u << vector));
}

/* The guest reads the pending bits from config space: keep them in sync. */
static void msi_set_pending_bits(PCIDevice *dev, uint32_t pending)
{
    uint16_t flags = msi_flags(dev);

    dev->msi_pending = pending;
    if (msi_maskbit(flags)) {
        pci_set_long(dev->config + dev->msi_cap + msi_pending_off(flags),
                     pending);
    }
}

void msi_notify(PCIDevice *dev, unsigned vector)
{
    if (!msi_enabled(dev) || vector >= msi_nr_vectors_allocated(dev)) {
        return;
    }
    if (msi_is_masked(dev, vector)) {
        trace_msi_set_pending(dev->name, vector);
        msi_set_pending_bits(dev, dev->msi_pending | (1u << vector));
        return;
    }
    pci_deliver_msi(dev, msi_get_message(dev, vector));
}

/* MME above MMC is not a valid programming: hold it at MMC. */
static void msi_clamp_mme(PCIDevice *dev)
{
    uint16_t flags = msi_flags(dev);

    if (msi_mme(flags) > msi_mmc(flags)) {
        flags &= ~PCI_MSI_FLAGS_QSIZE;
        flags |= msi_mmc(flags) << __builtin_ctz(PCI_MSI_FLAGS_QSIZE);
        pci_set_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS, flags);
    }
}

void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    bool enabled;
    unsigned allocated;

    if (!msi_present(dev) ||
        !ranges_overlap(addr, len, dev->msi_cap,
                        msi_cap_sizeof(msi_flags(dev)))) {
        return;
    }
    msi_clamp_mme(dev);
    enabled = msi_enabled(dev);
    allocated = msi_nr_vectors_allocated(dev);
    if (ranges_overlap(addr, len, dev->msi_cap + PCI_MSI_FLAGS, 2)) {
        trace_msi_write_config(dev->name, enabled, allocated);
    }
    /* While MSI-X is on, the shared vector states are MSI-X's. */
    if (!enabled && msix_enabled(dev)) {
        return;
    }
    for (unsigned v = 0; v < msi_nr_vectors(dev); v++) {
        bool live = enabled && v < allocated;
        bool masked = msi_is_masked(dev, v);

        pci_vector_update(dev, v, live, masked, msi_get_message(dev, v));
        if (live && !masked && msi_is_pending(dev, v)) {
            trace_msi_deliver_pending(dev->name, v);
            msi_set_pending_bits(dev, dev->msi_pending & ~(1u << v));
            pci_deliver_msi(dev, msi_get_message(dev, v));
        }
    }
}

void msi_reset(PCIDevice *dev)
{
    uint8_t *cap;
    uint16_t flags;

    if (!msi_present(dev)) {
        return;
    }
    cap = dev->config + dev->msi_cap;
    flags = msi_flags(dev) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_word(cap + PCI_MSI_FLAGS, flags);
    pci_set_long(cap + PCI_MSI_ADDRESS_LO, 0);
    if (msi_64bit(flags)) {
        pci_set_long(cap + PCI_MSI_ADDRESS_HI, 0);
    }
    pci_set_word(cap + msi_data_off(flags), 0);
    if (msi_maskbit(flags)) {
        pci_set_long(cap + msi_mask_off(flags), 0);
    }
    msi_set_pending_bits(dev, 0);
    pci_vectors_release_all(dev);
}
