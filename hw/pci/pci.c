/*
 * PCI device core: the abstract pci-device type, config space with
 * writable and write-1-to-clear masks, BAR mapping, capabilities, INTx,
 * the bus-master address space, the expansion ROM and the vector state
 * machine shared by MSI and MSI-X.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_bridge.h"
#include "qemu/file.h"
#include "trace.h"

/* A capability list longer than this must loop (48 dwords after the header). */
#define PCI_CAP_MAX_HOPS \
    ((PCI_CONFIG_SPACE_SIZE - PCI_STD_HEADER_SIZEOF) / PCI_CAP_SIZEOF)

#define PCI_COMMAND_WMASK (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
                           PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | \
                           PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define PCI_STATUS_W1CMASK (PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
                            PCI_STATUS_REC_TARGET_ABORT | \
                            PCI_STATUS_REC_MASTER_ABORT | \
                            PCI_STATUS_SIG_SYSTEM_ERROR | \
                            PCI_STATUS_DETECTED_PARITY)
#define PCI_NUM_BARS PCI_ROM_SLOT
#define PCI_BRIDGE_NUM_BARS 2       /* a type 1 header has BAR0 and BAR1 */
/* Far beyond any option ROM: a larger romfile= is a mistake. */
#define PCI_ROMFILE_MAX (16 * 1024 * 1024)
#define PCI_IO_SPACE_LIMIT 0x10000ULL

static uint32_t pci_all_ones(int len)
{
    return len >= 4 ? UINT32_MAX : (1u << (8 * len)) - 1;
}

static bool pci_access_ok(const PCIDevice *dev, uint32_t addr, int len)
{
    return (len == 1 || len == 2 || len == 4) && addr < dev->config_size &&
           (uint32_t)len <= dev->config_size - addr;
}

bool pci_is_bridge(const PCIDevice *dev)
{
    return (dev->config[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) ==
           PCI_HEADER_TYPE_BRIDGE;
}

/* The ROM BAR sits at 0x38 in a type 1 header, 0x30 in a type 0. */
static int pci_rom_reg(const PCIDevice *dev)
{
    return pci_is_bridge(dev) ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
}

static int pci_bar_reg(const PCIDevice *dev, int region_num)
{
    return region_num == PCI_ROM_SLOT ? pci_rom_reg(dev)
                                      : PCI_BASE_ADDRESS_0 + 4 * region_num;
}

static uint16_t pci_command(const PCIDevice *dev)
{
    return pci_get_word(dev->config + PCI_COMMAND);
}

bool pci_is_express(const PCIDevice *dev)
{
    return dev->cap_present & QEMU_PCI_CAP_EXPRESS;
}

/* Config space access */

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, int len)
{
    if (!pci_access_ok(dev, addr, len)) {
        return pci_all_ones(len);
    }
    return ldn_le_p(dev->config + addr, len);
}

static void pci_update_master(PCIDevice *dev)
{
    bool enable = (pci_command(dev) & PCI_COMMAND_MASTER) && dev->has_power;

    if (memory_region_is_enabled(&dev->bus_master_enable_region) != enable) {
        trace_pci_bus_master(dev->name, enable);
        memory_region_set_enabled(&dev->bus_master_enable_region, enable);
    }
}

PCIDevice *pci_intx_root(PCIDevice *dev, int *pin)
{
    while (dev->bus && dev->bus->parent_dev) {
        *pin = pci_swizzle(dev->devfn, *pin);
        dev = dev->bus->parent_dev;
    }
    return dev;
}

static void pci_bus_change_irq(PCIDevice *dev, int change)
{
    int pin = pci_intx_pin(dev) - 1;
    PCIBus *bus;
    int irq;

    dev = pci_intx_root(dev, &pin);
    bus = dev->bus;
    if (!bus || !bus->set_irq || !bus->map_irq || !bus->irq_count) {
        return;
    }
    irq = bus->map_irq(dev, pin);
    g_assert(irq >= 0 && irq < bus->nirq);
    bus->irq_count[irq] += change;
    g_assert(bus->irq_count[irq] >= 0);
    bus->set_irq(bus->irq_opaque, irq, bus->irq_count[irq] != 0);
}

int pci_device_route_intx_to_irq(PCIDevice *dev)
{
    int pin = pci_intx_pin(dev) - 1;
    PCIBus *bus;

    if (pin < 0) {
        return -1;
    }
    dev = pci_intx_root(dev, &pin);
    bus = dev->bus;
    if (!bus || !bus->map_irq || !bus->route_irq) {
        return -1;
    }
    return bus->route_irq(bus->irq_opaque, bus->map_irq(dev, pin));
}

/* INTX_DISABLE masks the output: withdraw or restore an asserted level. */
static void pci_update_intx_disable(PCIDevice *dev, uint16_t old_cmd)
{
    bool was = old_cmd & PCI_COMMAND_INTX_DISABLE;
    bool now = pci_command(dev) & PCI_COMMAND_INTX_DISABLE;

    if (was != now && dev->irq_state) {
        pci_bus_change_irq(dev, now ? -1 : 1);
    }
}

static void pci_write_masked(PCIDevice *dev, uint32_t addr, uint32_t val,
                             int len)
{
    for (int i = 0; i < len; i++) {
        uint8_t wmask = dev->wmask[addr + i];
        uint8_t w1c = dev->w1cmask[addr + i];
        uint8_t byte = val >> (8 * i);
        uint8_t *c = &dev->config[addr + i];

        *c = (*c & ~wmask) | (byte & wmask);
        *c &= ~(byte & w1c);
    }
}

void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              int len)
{
    uint16_t old_cmd = pci_command(dev);
    bool cmd = ranges_overlap(addr, len, PCI_COMMAND, 2);

    if (!pci_access_ok(dev, addr, len)) {
        return;
    }
    pci_write_masked(dev, addr, val, len);

    if (cmd ||
        ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS) ||
        ranges_overlap(addr, len, pci_rom_reg(dev), 4)) {
        pci_update_mappings(dev);
    }
    if (cmd) {
        pci_update_master(dev);
        pci_update_intx_disable(dev, old_cmd);
    }
    if (msi_present(dev)) {
        uint16_t flags = pci_get_word(dev->config + dev->msi_cap +
                                      PCI_MSI_FLAGS);

        if (ranges_overlap(addr, len, dev->msi_cap, msi_cap_sizeof(flags))) {
            msi_write_config(dev, addr, val, len);
        }
    }
    if (msix_present(dev) &&
        ranges_overlap(addr, len, dev->msix_cap, PCI_CAP_MSIX_SIZEOF)) {
        msix_write_config(dev, addr, val, len);
    }
}

uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, int len)
{
    if (!pci_access_ok(dev, addr, len)) {
        return pci_all_ones(len);
    }
    return PCI_DEVICE_GET_CLASS(dev)->config_read(dev, addr, len);
}

void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    if (!pci_access_ok(dev, addr, len)) {
        return;
    }
    PCI_DEVICE_GET_CLASS(dev)->config_write(dev, addr, val, len);
}

/* BARs */

void pci_register_bar(PCIDevice *dev, int region_num, uint8_t type,
                      MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    uint64_t wmask = ~(size - 1);
    PCIIORegion *r;
    int reg;

    g_assert(region_num >= 0 && region_num < PCI_NUM_REGIONS);
    g_assert(!pci_is_bridge(dev) || region_num < PCI_BRIDGE_NUM_BARS ||
             region_num == PCI_ROM_SLOT);
    r = &dev->io_regions[region_num];
    reg = pci_bar_reg(dev, region_num);
    g_assert(!r->size);
    g_assert(is_power_of_2(size));
    if (region_num == PCI_ROM_SLOT) {
        type = PCI_BASE_ADDRESS_SPACE_MEMORY;
        g_assert(size >= 16);
        wmask = (wmask & PCI_ROM_ADDRESS_MASK) | PCI_ROM_ADDRESS_ENABLE;
    } else if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        g_assert(size >= 4);
        type &= PCI_BASE_ADDRESS_SPACE_IO;
        wmask &= PCI_BASE_ADDRESS_IO_MASK;
    } else {
        g_assert(size >= 16);
        g_assert(!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) ||
                 region_num < PCI_NUM_BARS - 1);
        wmask &= PCI_BASE_ADDRESS_MEM_MASK;
    }

    r->size = size;
    r->type = type;
    r->memory = mr;
    r->addr = PCI_BAR_UNMAPPED;
    r->address_space = (type & PCI_BASE_ADDRESS_SPACE_IO)
                       ? dev->bus->address_space_io
                       : dev->bus->address_space_mem;
    if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        pci_set_quad(dev->config + reg, type);
        pci_set_quad(dev->wmask + reg, wmask);
    } else {
        pci_set_long(dev->config + reg, type);
        pci_set_long(dev->wmask + reg, wmask);
    }
}

static void pci_unmap_bar(PCIDevice *dev, int region_num)
{
    PCIIORegion *r = &dev->io_regions[region_num];

    if (r->addr == PCI_BAR_UNMAPPED) {
        return;
    }
    trace_pci_bar_unmap(dev->name, region_num, r->addr, r->size);
    memory_region_del_subregion(r->address_space, r->memory);
    r->addr = PCI_BAR_UNMAPPED;
}

void pci_unregister_bar(PCIDevice *dev, int region_num)
{
    PCIIORegion *r = &dev->io_regions[region_num];
    int reg = pci_bar_reg(dev, region_num);
    int width = (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) ? 8 : 4;

    if (!r->size) {
        return;
    }
    pci_unmap_bar(dev, region_num);
    memset(dev->config + reg, 0, width);
    memset(dev->wmask + reg, 0, width);
    memset(r, 0, sizeof(*r));
    r->addr = PCI_BAR_UNMAPPED;
}

pcibus_t pci_get_bar_addr(const PCIDevice *dev, int region_num)
{
    g_assert(region_num >= 0 && region_num < PCI_NUM_REGIONS);
    return dev->io_regions[region_num].addr;
}

/* Where the guest's programming puts a BAR, or PCI_BAR_UNMAPPED. */
static pcibus_t pci_bar_address(PCIDevice *dev, int region_num)
{
    PCIIORegion *r = &dev->io_regions[region_num];
    uint16_t cmd = pci_command(dev);
    uint8_t *reg = dev->config + pci_bar_reg(dev, region_num);
    pcibus_t addr, last;

    if (!dev->has_power) {
        return PCI_BAR_UNMAPPED;
    }
    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(reg) & ~(r->size - 1);
        last = addr + r->size - 1;
        if (!addr || last <= addr || last >= PCI_IO_SPACE_SIZE) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }

    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        addr = pci_get_quad(reg);
    } else {
        addr = pci_get_long(reg);
    }
    if (region_num == PCI_ROM_SLOT && !(addr & PCI_ROM_ADDRESS_ENABLE)) {
        return PCI_BAR_UNMAPPED;
    }
    addr &= ~(r->size - 1);
    last = addr + r->size - 1;
    /* Address 0, wrap-around, or a 32-bit BAR reaching 4 GiB (sizing). */
    if (!addr || last <= addr || last == PCI_BAR_UNMAPPED) {
        return PCI_BAR_UNMAPPED;
    }
    if (!(r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

void pci_update_mappings(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        pcibus_t addr;

        if (!r->size || !r->address_space) {
            continue;
        }
        addr = pci_bar_address(dev, i);
        if (addr == r->addr) {
            continue;
        }
        pci_unmap_bar(dev, i);
        if (addr != PCI_BAR_UNMAPPED) {
            trace_pci_bar_map(dev->name, i, addr, r->size);
            memory_region_add_subregion_overlap(r->address_space, addr,
                                                r->memory, 1);
            r->addr = addr;
        }
    }
    memory_region_transaction_commit();
}

/* Capabilities */

/* Offset of @cap_id in the list, with the offset of the pointer to it. */
static uint8_t pci_find_capability_prev(const PCIDevice *dev, uint8_t cap_id,
                                        uint8_t *prev_p)
{
    uint8_t prev = PCI_CAPABILITY_LIST;
    uint8_t pos;

    if (!(pci_get_word(dev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    pos = dev->config[PCI_CAPABILITY_LIST] & ~3;
    for (int hops = 0; pos >= PCI_STD_HEADER_SIZEOF &&
         hops < PCI_CAP_MAX_HOPS; hops++) {
        if (dev->config[pos + PCI_CAP_LIST_ID] == cap_id) {
            if (prev_p) {
                *prev_p = prev;
            }
            return pos;
        }
        prev = pos + PCI_CAP_LIST_NEXT;
        pos = dev->config[prev] & ~3;
    }
    return 0;
}

uint8_t pci_find_capability(const PCIDevice *dev, uint8_t cap_id)
{
    return pci_find_capability_prev(dev, cap_id, NULL);
}

static bool pci_bytes_free(const PCIDevice *dev, unsigned offset,
                           unsigned size)
{
    for (unsigned i = offset; i < offset + size; i++) {
        if (dev->used[i]) {
            return false;
        }
    }
    return true;
}

static uint8_t pci_find_space(const PCIDevice *dev, unsigned size)
{
    for (unsigned off = PCI_STD_HEADER_SIZEOF;
         off + size <= PCI_CONFIG_SPACE_SIZE; off += 4) {
        if (pci_bytes_free(dev, off, size)) {
            return off;
        }
    }
    return 0;
}

/* The listed capability starting at or before @offset (the overlap culprit). */
static uint8_t pci_cap_covering(const PCIDevice *dev, unsigned offset)
{
    uint8_t best = 0;
    uint8_t pos = dev->config[PCI_CAPABILITY_LIST] & ~3;

    for (int hops = 0; pos >= PCI_STD_HEADER_SIZEOF &&
         hops < PCI_CAP_MAX_HOPS; hops++) {
        if (pos <= offset && pos > best) {
            best = pos;
        }
        pos = dev->config[pos + PCI_CAP_LIST_NEXT] & ~3;
    }
    return best;
}

static void pci_report_overlap(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                               uint8_t size, Error **errp)
{
    unsigned first = offset;
    uint8_t other;

    while (!dev->used[first]) {
        first++;
    }
    other = pci_cap_covering(dev, first);
    if (other) {
        error_setg(errp, "%s: failed to add PCI capability 0x%x[0x%x]@0x%x: "
                   "overlaps with capability 0x%x@0x%x", dev->name, cap_id,
                   size, offset, dev->config[other], other);
    } else {
        error_setg(errp, "%s: failed to add PCI capability 0x%x[0x%x]@0x%x: "
                   "overlaps with bytes in use at 0x%x", dev->name, cap_id,
                   size, offset, first);
    }
}

uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                           uint8_t size, Error **errp)
{
    unsigned span = QEMU_ALIGN_UP(size, 4);

    if (size < PCI_CAP_LIST_NEXT + 1) {
        error_setg(errp, "%s: failed to add PCI capability 0x%x: size %u is "
                   "too small", dev->name, cap_id, size);
        return 0;
    }
    if (!offset) {
        offset = pci_find_space(dev, span);
        if (!offset) {
            error_setg(errp, "%s: failed to add PCI capability 0x%x[0x%x]: no "
                       "room left in config space", dev->name, cap_id, size);
            return 0;
        }
    } else if (offset < PCI_STD_HEADER_SIZEOF || (offset & 3) ||
               offset + span > PCI_CONFIG_SPACE_SIZE) {
        error_setg(errp, "%s: failed to add PCI capability 0x%x[0x%x]@0x%x: "
                   "the offset must be dword-aligned and the capability lie "
                   "within 0x40..0xff", dev->name, cap_id, size, offset);
        return 0;
    } else if (!pci_bytes_free(dev, offset, span)) {
        pci_report_overlap(dev, cap_id, offset, size, errp);
        return 0;
    }

    dev->config[offset + PCI_CAP_LIST_ID] = cap_id;
    dev->config[offset + PCI_CAP_LIST_NEXT] = dev->config[PCI_CAPABILITY_LIST];
    dev->config[PCI_CAPABILITY_LIST] = offset;
    memset(dev->used + offset, 0xff, span);
    /* Read-only until the capability's owner opens bits up. */
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    return offset;
}

void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size)
{
    uint8_t prev = 0;
    uint8_t offset = pci_find_capability_prev(dev, cap_id, &prev);

    if (!offset) {
        return;
    }
    dev->config[prev] = dev->config[offset + PCI_CAP_LIST_NEXT];
    memset(dev->config + offset, 0, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    memset(dev->used + offset, 0, QEMU_ALIGN_UP(size, 4));
    if (!dev->config[PCI_CAPABILITY_LIST]) {
        pci_set_word(dev->config + PCI_STATUS,
                     pci_get_word(dev->config + PCI_STATUS) &
                     ~PCI_STATUS_CAP_LIST);
    }
}

/* INTx */

uint8_t pci_intx_pin(const PCIDevice *dev)
{
    return dev->config[PCI_INTERRUPT_PIN];
}

void pci_set_irq(PCIDevice *dev, int level)
{
    uint8_t pin = pci_intx_pin(dev);
    uint16_t status;

    level = !!level;
    if (!pin || pin > PCI_NUM_PINS || level == dev->irq_state) {
        return;
    }
    trace_pci_intx(dev->name, pin, level);
    dev->irq_state = level;
    status = pci_get_word(dev->config + PCI_STATUS);
    status = level ? status | PCI_STATUS_INTERRUPT
                   : status & ~PCI_STATUS_INTERRUPT;
    pci_set_word(dev->config + PCI_STATUS, status);
    if (!(pci_command(dev) & PCI_COMMAND_INTX_DISABLE)) {
        pci_bus_change_irq(dev, level ? 1 : -1);
    }
}

/* Bus mastering */

AddressSpace *pci_get_address_space(PCIDevice *dev)
{
    return &dev->bus_master_as;
}

MemTxResult pci_dma_read(PCIDevice *dev, hwaddr addr, void *buf, hwaddr len)
{
    return address_space_read(&dev->bus_master_as, addr, buf, len);
}

MemTxResult pci_dma_write(PCIDevice *dev, hwaddr addr, const void *buf,
                          hwaddr len)
{
    return address_space_write(&dev->bus_master_as, addr, buf, len);
}

bool pci_bus_master_enabled(const PCIDevice *dev)
{
    for (; dev; dev = dev->bus ? dev->bus->parent_dev : NULL) {
        if (!(pci_command(dev) & PCI_COMMAND_MASTER) || !dev->has_power) {
            return false;
        }
    }
    return true;
}

void pci_deliver_msi(PCIDevice *dev, MSIMessage msg)
{
    MemTxResult res = MEMTX_OK;

    if (!pci_bus_master_enabled(dev)) {
        trace_pci_msi_drop(dev->name, msg.address, msg.data);
        return;
    }
    trace_pci_msi_deliver(dev->name, msg.address, msg.data);
    address_space_stl_le(&dev->bus_master_as, msg.address, msg.data, &res);
    if (res != MEMTX_OK) {
        trace_pci_msi_deliver_failed(dev->name, msg.address, res);
    }
}

/* Vector state machine (see PCIVectorHooks) */

static const char *const pci_vector_state_names[] = {
    [PCI_VECTOR_UNUSED] = "unused",
    [PCI_VECTOR_LIVE] = "live",
    [PCI_VECTOR_MASKED] = "masked",
};

void pci_set_vector_hooks(PCIDevice *dev, const PCIVectorHooks *hooks)
{
    dev->vector_hooks = hooks;
}

void pci_vectors_reserve(PCIDevice *dev, unsigned nr)
{
    if (nr <= dev->vector_nr) {
        return;
    }
    dev->vector_state = g_renew(PCIVectorState, dev->vector_state, nr);
    dev->vector_msg = g_renew(MSIMessage, dev->vector_msg, nr);
    for (unsigned v = dev->vector_nr; v < nr; v++) {
        dev->vector_state[v] = PCI_VECTOR_UNUSED;
        dev->vector_msg[v] = (MSIMessage) { 0 };
    }
    dev->vector_nr = nr;
}

/* The state changes before the hook runs: a hook may notify at once. */
static void pci_vector_set_state(PCIDevice *dev, unsigned v,
                                 PCIVectorState state)
{
    trace_pci_vector_state(dev->name, v,
                           pci_vector_state_names[dev->vector_state[v]],
                           pci_vector_state_names[state]);
    dev->vector_state[v] = state;
}

static void pci_vector_release(PCIDevice *dev, unsigned v)
{
    const PCIVectorHooks *hooks = dev->vector_hooks;

    pci_vector_set_state(dev, v, PCI_VECTOR_UNUSED);
    if (hooks && hooks->release) {
        hooks->release(dev, v);
    }
}

static void pci_vector_mask(PCIDevice *dev, unsigned v)
{
    const PCIVectorHooks *hooks = dev->vector_hooks;

    pci_vector_set_state(dev, v, PCI_VECTOR_MASKED);
    if (hooks && hooks->mask) {
        hooks->mask(dev, v);
    }
}

static void pci_vector_go_live(PCIDevice *dev, unsigned v, MSIMessage msg)
{
    const PCIVectorHooks *hooks = dev->vector_hooks;
    PCIVectorState old = dev->vector_state[v];

    dev->vector_msg[v] = msg;
    if (old == PCI_VECTOR_LIVE) {
        trace_pci_vector_msg(dev->name, v, msg.address, msg.data);
    } else {
        pci_vector_set_state(dev, v, PCI_VECTOR_LIVE);
    }
    if (!hooks) {
        return;
    }
    if (old == PCI_VECTOR_UNUSED) {
        if (hooks->use) {
            hooks->use(dev, v, msg);
        }
    } else if (hooks->unmask) {
        hooks->unmask(dev, v, msg);
    }
}

void pci_vector_update(PCIDevice *dev, unsigned v, bool enabled, bool masked,
                       MSIMessage msg)
{
    PCIVectorState old;

    g_assert(v < dev->vector_nr);
    old = dev->vector_state[v];
    if (!enabled) {
        if (old != PCI_VECTOR_UNUSED) {
            pci_vector_release(dev, v);
        }
    } else if (masked) {
        if (old == PCI_VECTOR_LIVE) {
            pci_vector_mask(dev, v);
        }
    } else if (old != PCI_VECTOR_LIVE ||
               dev->vector_msg[v].address != msg.address ||
               dev->vector_msg[v].data != msg.data) {
        pci_vector_go_live(dev, v, msg);
    }
}

void pci_vectors_release_all(PCIDevice *dev)
{
    for (unsigned v = 0; v < dev->vector_nr; v++) {
        if (dev->vector_state[v] != PCI_VECTOR_UNUSED) {
            pci_vector_release(dev, v);
        }
    }
}

/* Reset */

void pci_device_reset(PCIDevice *dev)
{
    uint8_t *c = dev->config;

    pci_irq_deassert(dev);
    pci_set_word(c + PCI_COMMAND, pci_command(dev) &
                 ~(pci_get_word(dev->wmask + PCI_COMMAND) |
                   pci_get_word(dev->w1cmask + PCI_COMMAND)));
    pci_set_word(c + PCI_STATUS, pci_get_word(c + PCI_STATUS) &
                 ~(pci_get_word(dev->wmask + PCI_STATUS) |
                   pci_get_word(dev->w1cmask + PCI_STATUS)));
    c[PCI_CACHE_LINE_SIZE] = 0;
    c[PCI_LATENCY_TIMER] = 0;
    c[PCI_INTERRUPT_LINE] = 0;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        uint8_t *reg = c + pci_bar_reg(dev, i);

        if (!r->size) {
            continue;
        }
        if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            pci_set_quad(reg, r->type);
        } else {
            pci_set_long(reg, r->type);
        }
    }
    pci_update_mappings(dev);
    pci_update_master(dev);
    msi_reset(dev);
    msix_reset(dev);
}

void pci_set_power(PCIDevice *dev, bool on)
{
    if (dev->has_power == on) {
        return;
    }
    trace_pci_power(dev->name, on);
    dev->has_power = on;
    pci_update_mappings(dev);
    pci_update_master(dev);
    if (pci_is_bridge(dev)) {
        pci_bridge_update_windows(dev);
    }
}

static void pci_qdev_reset(DeviceState *qdev)
{
    pci_device_reset(PCI_DEVICE(qdev));
}

/* Realize and unrealize */

static bool pci_claim_devfn(PCIDevice *dev, PCIBus *bus, Error **errp)
{
    int devfn = dev->devfn;
    int slot;

    if (devfn < 0) {
        devfn = pci_bus_find_free_devfn(bus);
        if (devfn < 0) {
            error_setg(errp, "PCI: no free slot on bus %s for %s",
                       bus->qbus.name, dev->name);
            return false;
        }
    } else if (devfn >= (int)ARRAY_SIZE(bus->devices)) {
        error_setg(errp, "PCI: devfn 0x%x out of range for %s", devfn,
                   dev->name);
        return false;
    }
    slot = PCI_SLOT(devfn);
    if (bus->is_link && slot) {
        error_setg(errp, "PCI: slot %d not available for %s: bus %s is the "
                   "link of a PCIe port, which has device 0 only; use "
                   "addr=0 (or 0.F for function F)", slot, dev->name,
                   bus->qbus.name);
        return false;
    }
    if (bus->devices[devfn]) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, "
                   "in use by %s", slot, PCI_FUNC(devfn), dev->name,
                   bus->devices[devfn]->name);
        return false;
    }
    if (PCI_FUNC(devfn)) {
        PCIDevice *fn0 = bus->devices[PCI_DEVFN(slot, 0)];

        /* The guest scanned the slot when function 0 arrived. */
        if (fn0 && DEVICE(dev)->hotplugged && bus->qbus.hotplug_ops) {
            error_setg(errp, "PCI: slot %d function 0 already occupied by "
                       "%s, new func %s cannot be exposed to guest.", slot,
                       fn0->name, dev->name);
            return false;
        }
        if (fn0 && !fn0->multifunction) {
            error_setg(errp, "PCI: slot %d function %d not available for %s: "
                       "function 0 (%s) is single-function; set "
                       "multifunction=on on it", slot, PCI_FUNC(devfn),
                       dev->name, fn0->name);
            return false;
        }
    } else if (!dev->multifunction) {
        for (int fn = 1; fn < 8; fn++) {
            PCIDevice *other = bus->devices[PCI_DEVFN(slot, fn)];

            if (other) {
                error_setg(errp, "PCI: slot %d function 0 for %s needs "
                           "multifunction=on: function %d is in use by %s",
                           slot, dev->name, fn, other->name);
                return false;
            }
        }
    }
    dev->devfn = devfn;
    dev->bus = bus;
    bus->devices[devfn] = dev;
    return true;
}

static void pci_init_header(PCIDevice *dev)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    uint8_t *c = dev->config;
    uint8_t header_type = PCI_HEADER_TYPE_NORMAL;

    pci_set_word(c + PCI_VENDOR_ID, pc->vendor_id);
    pci_set_word(c + PCI_DEVICE_ID, pc->device_id);
    c[PCI_REVISION_ID] = pc->revision;
    pci_set_word(c + PCI_CLASS_DEVICE, pc->class_id);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, pc->subsystem_vendor_id);
    pci_set_word(c + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    if (dev->multifunction) {
        header_type |= (uint8_t)~PCI_HEADER_TYPE_MASK;
        dev->cap_present |= QEMU_PCI_CAP_MULTIFUNCTION;
    }
    c[PCI_HEADER_TYPE] = header_type;

    pci_set_word(dev->wmask + PCI_COMMAND, PCI_COMMAND_WMASK);
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_LATENCY_TIMER] = 0xff;
    dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_word(dev->w1cmask + PCI_STATUS, PCI_STATUS_W1CMASK);
}

/* DMA goes through an alias of the bus's DMA root, enabled by MASTER. */
static void pci_init_bus_master(PCIDevice *dev)
{
    PCIBus *bus = dev->bus;
    MemoryRegion *root = &dev->bus_master_container_region;
    MemoryRegion *alias = &dev->bus_master_enable_region;

    memory_region_init(root, OBJECT(dev), "bus master container", UINT64_MAX);
    if (bus->dma_root) {
        memory_region_init_alias(alias, OBJECT(dev), "bus master",
                                 bus->dma_root, 0,
                                 memory_region_size(bus->dma_root));
    } else {
        memory_region_init(alias, OBJECT(dev), "bus master", UINT64_MAX);
    }
    memory_region_set_enabled(alias, false);
    memory_region_add_subregion(root, 0, alias);
    address_space_init(&dev->bus_master_as, root, dev->name);
}

static void pci_set_name(PCIDevice *dev)
{
    DeviceState *qdev = DEVICE(dev);

    g_strlcpy(dev->name, qdev->id ? qdev->id : object_get_typename(OBJECT(dev)),
              sizeof(dev->name));
}

static bool pci_register_device(PCIDevice *dev, Error **errp)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    BusState *qbus = DEVICE(dev)->parent_bus;
    PCIBus *bus;

    if (!qbus || !object_dynamic_cast(OBJECT(qbus), TYPE_PCI_BUS)) {
        error_setg(errp, "%s: needs a PCI bus; give bus= a PCI bus name",
                   dev->name);
        return false;
    }
    bus = PCI_BUS(qbus);
    if (!pci_claim_devfn(dev, bus, errp)) {
        return false;
    }
    if (pc->is_express && bus->is_express) {
        dev->cap_present |= QEMU_PCI_CAP_EXPRESS;
        dev->config_size = PCIE_CONFIG_SPACE_SIZE;
    } else {
        dev->config_size = PCI_CONFIG_SPACE_SIZE;
    }
    dev->config = g_malloc0(dev->config_size);
    dev->wmask = g_malloc0(dev->config_size);
    dev->w1cmask = g_malloc0(dev->config_size);
    dev->used = g_malloc0(dev->config_size);
    pci_init_header(dev);
    pci_init_bus_master(dev);
    return true;
}

static bool pci_add_option_rom(PCIDevice *dev, Error **errp)
{
    const char *file = dev->romfile ? dev->romfile
                                    : PCI_DEVICE_GET_CLASS(dev)->romfile;
    g_autofree char *data = NULL;
    g_autofree char *name = NULL;
    Error *err = NULL;
    size_t len;
    uint64_t size;

    if (dev->io_regions[PCI_ROM_SLOT].size || !file || !*file ||
        dev->rombar == 0) {
        return true;
    }
    if (!qemu_read_user_file(file, PCI_ROMFILE_MAX, &data, &len, &err)) {
        error_setg(errp, "%s: cannot read romfile \"%s\": %s; give a readable "
                   "romfile= of at most %d MiB or use rombar=0", dev->name,
                   file, error_get_pretty(err), PCI_ROMFILE_MAX >> 20);
        error_free(err);
        return false;
    }
    if (!len) {
        error_setg(errp, "%s: romfile \"%s\" is empty", dev->name, file);
        return false;
    }
    size = pow2ceil(MAX(len, 16));
    if (dev->romsize != UINT32_MAX) {
        if (!is_power_of_2(dev->romsize) || dev->romsize < len) {
            error_setg(errp, "%s: romsize 0x%x must be a power of 2 no "
                       "smaller than romfile \"%s\" (%zu bytes)", dev->name,
                       dev->romsize, file, (size_t)len);
            return false;
        }
        size = MAX(dev->romsize, 16);
    }
    name = g_strdup_printf("%s.rom", dev->name);
    if (!memory_region_init_ram(&dev->rom, OBJECT(dev), name, size, errp)) {
        return false;
    }
    memcpy(memory_region_get_ram_ptr(&dev->rom), data, len);
    memory_region_set_readonly(&dev->rom, true);
    dev->has_rom = true;
    pci_register_bar(dev, PCI_ROM_SLOT, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &dev->rom);
    return true;
}

/* What msix_uninit would free, for devices that left it to us. */
static void pci_free_msix(PCIDevice *dev)
{
    if (!dev->msix_table) {
        return;
    }
    memory_region_finalize(&dev->msix_table_mmio);
    memory_region_finalize(&dev->msix_pba_mmio);
    g_clear_pointer(&dev->msix_table, g_free);
    g_clear_pointer(&dev->msix_pba, g_free);
}

static void pci_unregister_device(PCIDevice *dev, bool call_exit)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    bool exclusive_bar = false;

    pci_irq_deassert(dev);
    pci_vectors_release_all(dev);
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        pci_unmap_bar(dev, i);
    }
    memory_region_transaction_commit();
    if (call_exit && pc->exit) {
        pc->exit(dev);
    }

    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        if (dev->io_regions[i].memory == &dev->msix_exclusive_bar) {
            exclusive_bar = true;
        }
    }
    pci_free_msix(dev);
    if (exclusive_bar) {
        memory_region_finalize(&dev->msix_exclusive_bar);
    }
    if (dev->has_rom) {
        memory_region_finalize(&dev->rom);
        dev->has_rom = false;
    }
    address_space_destroy(&dev->bus_master_as);
    memory_region_finalize(&dev->bus_master_enable_region);
    memory_region_finalize(&dev->bus_master_container_region);

    g_clear_pointer(&dev->config, g_free);
    g_clear_pointer(&dev->wmask, g_free);
    g_clear_pointer(&dev->w1cmask, g_free);
    g_clear_pointer(&dev->used, g_free);
    g_clear_pointer(&dev->vector_state, g_free);
    g_clear_pointer(&dev->vector_msg, g_free);
    dev->vector_nr = 0;
    dev->msi_cap = dev->msix_cap = 0;
    dev->msix_entries_nr = 0;
    dev->cap_present = 0;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        memset(&dev->io_regions[i], 0, sizeof(dev->io_regions[i]));
        dev->io_regions[i].addr = PCI_BAR_UNMAPPED;
    }
    dev->bus->devices[dev->devfn] = NULL;
    dev->bus = NULL;
}

static void pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    Error *local_err = NULL;

    pci_set_name(dev);
    if (!pci_register_device(dev, errp)) {
        return;
    }
    if (pc->realize) {
        pc->realize(dev, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            pci_unregister_device(dev, false);
            return;
        }
    }
    if (!pci_add_option_rom(dev, errp)) {
        pci_unregister_device(dev, true);
    }
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    pci_unregister_device(PCI_DEVICE(qdev), true);
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *name)
{
    DeviceState *qdev = qdev_new(name);

    PCI_DEVICE(qdev)->devfn = devfn;
    qdev_realize_and_unref(qdev, &bus->qbus, &error_fatal);
    return PCI_DEVICE(qdev);
}

/* Type */

static const Property pci_props[] = {
    DEFINE_PROP_PCI_DEVFN("addr", PCIDevice, devfn, -1),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_UINT32("romsize", PCIDevice, romsize, UINT32_MAX),
    DEFINE_PROP_INT32("rombar", PCIDevice, rombar, -1),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void pci_device_instance_init(Object *obj)
{
    PCIDevice *dev = PCI_DEVICE(obj);

    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        dev->io_regions[i].addr = PCI_BAR_UNMAPPED;
    }
    dev->has_power = true;
}

/* Our string property; cleared so a generic release finds nothing. */
static void pci_device_instance_finalize(Object *obj)
{
    g_clear_pointer(&PCI_DEVICE(obj)->romfile, g_free);
}

static void pci_device_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->realize = pci_qdev_realize;
    dc->unrealize = pci_qdev_unrealize;
    dc->reset = pci_qdev_reset;
    dc->bus_type = TYPE_PCI_BUS;
    device_class_set_props(dc, pci_props);
    pc->config_read = pci_default_read_config;
    pc->config_write = pci_default_write_config;
}

static const TypeInfo pci_device_type_info = {
    .name = TYPE_PCI_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(PCIDevice),
    .class_size = sizeof(PCIDeviceClass),
    .abstract = true,
    .class_init = pci_device_class_init,
    .instance_init = pci_device_instance_init,
    .instance_finalize = pci_device_instance_finalize,
};

static void pci_register_types(void)
{
    type_register_static(&pci_device_type_info);
}

type_init(pci_register_types)
