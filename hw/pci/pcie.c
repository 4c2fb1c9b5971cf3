/*
 * PCI Express: extended capabilities (the chain at 0x100 in the 4 KiB
 * config space) and the PCIe capability of an endpoint.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"

/* A longer chain must loop: one header per dword of extended space. */
#define PCIE_EXT_CAP_MAX_HOPS \
    ((PCIE_CONFIG_SPACE_SIZE - PCI_CONFIG_SPACE_SIZE) / PCI_CAP_SIZEOF)
#define PCIE_EXT_CAP_HEADER(id, ver, next) \
    ((uint32_t)(id) | ((uint32_t)(ver) << 16) | ((uint32_t)(next) << 20))
#define PCIE_EXT_CAP_NEXT_SHIFT 20

/* The version 2 capability runs up to and including Slot Status 2. */
#define PCIE_CAP_V2_SIZEOF (PCI_EXP_SLTSTA2 + 2)
#define PCIE_CAP_VERSION 2

/* Offset of @cap_id in the chain and the offset of the header before it. */
static uint16_t pcie_find_capability_prev(const PCIDevice *dev,
                                          uint16_t cap_id, uint16_t *prev_p)
{
    uint16_t prev = 0;
    uint16_t pos = PCI_CONFIG_SPACE_SIZE;

    if (dev->config_size <= PCI_CONFIG_SPACE_SIZE) {
        return 0;
    }
    for (int hops = 0; hops < PCIE_EXT_CAP_MAX_HOPS &&
         pos >= PCI_CONFIG_SPACE_SIZE && pos + 4u <= dev->config_size;
         hops++) {
        uint32_t header = pci_get_long(dev->config + pos);

        if (!header) {
            return 0;
        }
        if (PCI_EXT_CAP_ID(header) == cap_id) {
            if (prev_p) {
                *prev_p = prev;
            }
            return pos;
        }
        prev = pos;
        pos = PCI_EXT_CAP_NEXT(header);
    }
    return 0;
}

uint16_t pcie_find_capability(const PCIDevice *dev, uint16_t cap_id)
{
    return pcie_find_capability_prev(dev, cap_id, NULL);
}

/* The last header of a non-empty chain (0 if the chain is broken). */
static uint16_t pcie_last_capability(const PCIDevice *dev)
{
    uint16_t pos = PCI_CONFIG_SPACE_SIZE;

    for (int hops = 0; hops < PCIE_EXT_CAP_MAX_HOPS; hops++) {
        uint16_t next = PCI_EXT_CAP_NEXT(pci_get_long(dev->config + pos));

        if (!next) {
            return pos;
        }
        if (next < PCI_CONFIG_SPACE_SIZE || next + 4u > dev->config_size) {
            return 0;
        }
        pos = next;
    }
    return 0;
}

static int pcie_first_used(const PCIDevice *dev, uint16_t offset,
                           uint16_t size)
{
    for (int i = offset; i < offset + size; i++) {
        if (dev->used[i]) {
            return i;
        }
    }
    return -1;
}

/* The listed capability starting at or before @offset. */
static uint16_t pcie_cap_covering(const PCIDevice *dev, unsigned offset)
{
    uint16_t pos = PCI_CONFIG_SPACE_SIZE;
    uint16_t best = 0;

    for (int hops = 0; hops < PCIE_EXT_CAP_MAX_HOPS &&
         pos >= PCI_CONFIG_SPACE_SIZE && pos + 4u <= dev->config_size;
         hops++) {
        uint32_t header = pci_get_long(dev->config + pos);

        if (!header) {
            break;
        }
        if (pos <= offset && pos > best) {
            best = pos;
        }
        pos = PCI_EXT_CAP_NEXT(header);
    }
    return best;
}

static bool pcie_check_offset(PCIDevice *dev, uint16_t cap_id,
                              uint16_t offset, uint16_t size, Error **errp)
{
    int used;

    if (dev->config_size <= PCI_CONFIG_SPACE_SIZE) {
        error_setg(errp, "%s: failed to add PCIe extended capability 0x%x@0x%x:"
                   " no extended config space (needs a PCIe device on a PCIe "
                   "bus)", dev->name, cap_id, offset);
        return false;
    }
    if (offset < PCI_CONFIG_SPACE_SIZE || (offset & 3) || size < 4 ||
        offset + size > dev->config_size) {
        error_setg(errp, "%s: failed to add PCIe extended capability "
                   "0x%x[0x%x]@0x%x: the offset must be dword-aligned and the "
                   "capability lie within 0x100..0x%x", dev->name, cap_id,
                   size, offset, dev->config_size - 1);
        return false;
    }
    used = pcie_first_used(dev, offset, QEMU_ALIGN_UP(size, 4));
    if (used >= 0) {
        uint16_t other = pcie_cap_covering(dev, used);

        if (other) {
            error_setg(errp, "%s: failed to add PCIe extended capability "
                       "0x%x[0x%x]@0x%x: overlaps with capability 0x%x@0x%x",
                       dev->name, cap_id, size, offset,
                       PCI_EXT_CAP_ID(pci_get_long(dev->config + other)),
                       other);
        } else {
            error_setg(errp, "%s: failed to add PCIe extended capability "
                       "0x%x[0x%x]@0x%x: overlaps with bytes in use at 0x%x",
                       dev->name, cap_id, size, offset, used);
        }
        return false;
    }
    return true;
}

bool pcie_add_capability(PCIDevice *dev, uint16_t cap_id, uint8_t cap_ver,
                         uint16_t offset, uint16_t size, Error **errp)
{
    if (!pcie_check_offset(dev, cap_id, offset, size, errp)) {
        return false;
    }
    if (offset != PCI_CONFIG_SPACE_SIZE) {
        uint16_t last;

        if (!pci_get_long(dev->config + PCI_CONFIG_SPACE_SIZE)) {
            error_setg(errp, "%s: failed to add PCIe extended capability "
                       "0x%x@0x%x: the first extended capability must be at "
                       "0x100", dev->name, cap_id, offset);
            return false;
        }
        last = pcie_last_capability(dev);
        if (!last) {
            error_setg(errp, "%s: failed to add PCIe extended capability "
                       "0x%x@0x%x: the extended capability chain is broken",
                       dev->name, cap_id, offset);
            return false;
        }
        pci_set_long(dev->config + last,
                     (pci_get_long(dev->config + last) &
                      ((1u << PCIE_EXT_CAP_NEXT_SHIFT) - 1)) |
                     ((uint32_t)offset << PCIE_EXT_CAP_NEXT_SHIFT));
    }
    pci_set_long(dev->config + offset, PCIE_EXT_CAP_HEADER(cap_id, cap_ver, 0));
    memset(dev->used + offset, 0xff, QEMU_ALIGN_UP(size, 4));
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    return true;
}

void pcie_del_capability(PCIDevice *dev, uint16_t cap_id, uint16_t size)
{
    uint16_t prev = 0;
    uint16_t pos = pcie_find_capability_prev(dev, cap_id, &prev);
    uint16_t next;
    uint16_t keep = 0;

    if (!pos) {
        return;
    }
    next = PCI_EXT_CAP_NEXT(pci_get_long(dev->config + pos));
    if (prev) {
        uint32_t header = pci_get_long(dev->config + prev);

        header &= (1u << PCIE_EXT_CAP_NEXT_SHIFT) - 1;
        pci_set_long(dev->config + prev,
                     header | ((uint32_t)next << PCIE_EXT_CAP_NEXT_SHIFT));
    } else if (next) {
        /* The chain must start at 0x100: leave a null header there. */
        pci_set_long(dev->config + pos, PCIE_EXT_CAP_HEADER(0, 0, next));
        keep = 4;
    }
    memset(dev->config + pos + keep, 0, size - keep);
    memset(dev->wmask + pos, 0, size);
    memset(dev->w1cmask + pos, 0, size);
    memset(dev->used + pos + keep, 0, QEMU_ALIGN_UP(size, 4) - keep);
}

uint8_t pcie_endpoint_cap_init(PCIDevice *dev, uint8_t offset, Error **errp)
{
    uint8_t pos = pci_add_capability(dev, PCI_CAP_ID_EXP, offset,
                                     PCIE_CAP_V2_SIZEOF, errp);
    uint8_t *exp, *wmask, *w1c;

    if (!pos) {
        return 0;
    }
    exp = dev->config + pos;
    wmask = dev->wmask + pos;
    w1c = dev->w1cmask + pos;

    pci_set_word(exp + PCI_EXP_FLAGS, PCIE_CAP_VERSION |
                 (PCI_EXP_TYPE_ENDPOINT << __builtin_ctz(PCI_EXP_FLAGS_TYPE)));
    /* 128-byte max payload, role-based error reporting. */
    pci_set_long(exp + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER);
    pci_set_word(exp + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_RELAX_EN |
                 PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ_512B);
    pci_set_word(wmask + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_CERE |
                 PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE |
                 PCI_EXP_DEVCTL_URRE | PCI_EXP_DEVCTL_RELAX_EN |
                 PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_NOSNOOP_EN |
                 PCI_EXP_DEVCTL_READRQ);
    pci_set_word(w1c + PCI_EXP_DEVSTA, PCI_EXP_DEVSTA_CED |
                 PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |
                 PCI_EXP_DEVSTA_URD);
    /* A trained x1 link at 2.5 GT/s. */
    pci_set_long(exp + PCI_EXP_LNKCAP, PCI_EXP_LNKCAP_SLS_2_5GB |
                 (1u << __builtin_ctz(PCI_EXP_LNKCAP_MLW)));
    pci_set_word(wmask + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_ASPMC |
                 PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);
    pci_set_word(exp + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_CLS_2_5GB |
                 PCI_EXP_LNKSTA_NLW_X1);
    pci_set_long(exp + PCI_EXP_LNKCAP2, PCI_EXP_LNKCAP2_SLS_2_5GB);
    pci_set_word(exp + PCI_EXP_LNKCTL2, PCI_EXP_LNKCTL2_TLS_2_5GT);

    dev->cap_present |= QEMU_PCI_CAP_EXPRESS;
    return pos;
}
