/*
 * vfio-pci config space: one per-byte emulated-bits mask over the whole
 * space. Reads merge the virtual copy (emulated bits) with the device
 * (the rest); writes update the virtual copy and give the device only
 * its own bits, never an emulated one. BARs, the ROM BAR, the interrupt
 * line, capability pointers and the MSI/MSI-X capabilities are fully
 * virtual.
 *
 * The device's capability chains are walked once, with loop, bounds and
 * overlap checks; a broken link is cut with a warning, never followed.
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/vfio/vfio-pci.h"
#include "trace.h"

#define VFIO_STD_CAP_MAX 48         /* (256 - 64) / 4 */
#define VFIO_EXT_CAP_MAX 960        /* (4096 - 256) / 4 */

bool vfio_config_read_raw(VFIOPCIDevice *vdev, uint32_t addr, void *buf,
                          size_t len)
{
    VFIOBackend *b = vdev->backend;

    return b->ops->region_read(b, VFIO_PCI_CONFIG_REGION_INDEX, addr, buf,
                               len) == (ssize_t)len;
}

bool vfio_config_write_raw(VFIOPCIDevice *vdev, uint32_t addr,
                           const void *buf, size_t len)
{
    VFIOBackend *b = vdev->backend;

    return b->ops->region_write(b, VFIO_PCI_CONFIG_REGION_INDEX, addr, buf,
                                len) == (ssize_t)len;
}

void vfio_add_emulated_bits(VFIOPCIDevice *vdev, uint32_t addr, int len,
                            uint8_t mask)
{
    for (int i = 0; i < len && addr + i < pci_config_size(&vdev->pdev); i++) {
        vdev->emulated_config_bits[addr + i] |= mask;
    }
}

/*
 * A guest config access the device failed: traced each time, warned
 * about once per device, so that a broken device cannot flood the log.
 */
static void vfio_config_access_failed(VFIOPCIDevice *vdev, uint32_t addr,
                                      int len, bool is_write)
{
    if (is_write) {
        trace_vfio_config_write_failed(vdev->name, addr, len);
    } else {
        trace_vfio_config_read_failed(vdev->name, addr, len);
    }
    if (!vdev->config_error_reported) {
        vdev->config_error_reported = true;
        warn_report("vfio %s: config space %s of %d bytes at 0x%x failed; "
                    "the device's bits read as all ones and writes to them "
                    "are dropped (further failures are only traced)",
                    vdev->name, is_write ? "write" : "read", len, addr);
    }
}

/* Emulate a read-only register with a value of our choosing. */
static void vfio_emulate_ro(VFIOPCIDevice *vdev, uint32_t addr, int len,
                            uint64_t value)
{
    PCIDevice *pdev = &vdev->pdev;

    stn_le_p(pdev->config + addr, len, value);
    memset(pdev->wmask + addr, 0, len);
    vfio_add_emulated_bits(vdev, addr, len, 0xff);
}

static uint64_t emulated_mask(VFIOPCIDevice *vdev, uint32_t addr, int len)
{
    return ldn_le_p(vdev->emulated_config_bits + addr, len);
}

static uint64_t len_mask(int len)
{
    return len == 8 ? UINT64_MAX : (1ULL << (len * 8)) - 1;
}

uint32_t vfio_pci_read_config(PCIDevice *pdev, uint32_t addr, int len)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);
    uint64_t emu_bits, emu = 0, phys = 0;
    uint8_t buf[8] = { 0 };
    uint32_t val;

    if (addr + len > vdev->config_size) {
        /* beyond what the device has: the virtual copy (zeros) answers */
        return pci_default_read_config(pdev, addr, len);
    }
    emu_bits = emulated_mask(vdev, addr, len);
    if (emu_bits) {
        emu = pci_default_read_config(pdev, addr, len);
    }
    if (~emu_bits & len_mask(len)) {
        if (vfio_config_read_raw(vdev, addr, buf, len)) {
            phys = ldn_le_p(buf, len);
        } else {
            vfio_config_access_failed(vdev, addr, len, false);
            phys = len_mask(len);
        }
    }
    val = (emu & emu_bits) | (phys & ~emu_bits);
    trace_vfio_pci_read_config(vdev->name, addr, len, val);
    return val;
}

static bool ranges_touch_cap(uint32_t addr, int len, uint8_t cap,
                             unsigned size)
{
    return cap && ranges_overlap(addr, len, cap, size);
}

/*
 * Bytes [start, end) of a guest write, for the device: its virtual bits
 * are what the device has there already (read back first; they are
 * read-only on hardware, STATUS.CAP_LIST or HEADER_TYPE's multifunction
 * bit), so the guest's value of them never reaches it.
 */
static void vfio_config_write_run(VFIOPCIDevice *vdev, uint32_t addr,
                                  uint8_t *buf, int start, int end)
{
    const uint8_t *emu = vdev->emulated_config_bits + addr;
    uint8_t cur[4];
    bool partial = false;

    for (int i = start; i < end; i++) {
        partial |= emu[i] != 0;
    }
    if (partial) {
        if (!vfio_config_read_raw(vdev, addr + start, cur, end - start)) {
            vfio_config_access_failed(vdev, addr + start, end - start, true);
            return;
        }
        for (int i = start; i < end; i++) {
            buf[i] = (buf[i] & ~emu[i]) | (cur[i - start] & emu[i]);
        }
    }
    if (!vfio_config_write_raw(vdev, addr + start, buf + start,
                               end - start)) {
        vfio_config_access_failed(vdev, addr + start, end - start, true);
    }
}

/* The device's part of a guest write: wholly virtual bytes are left out. */
static void vfio_config_write_device(VFIOPCIDevice *vdev, uint32_t addr,
                                     uint32_t val, int len)
{
    const uint8_t *emu = vdev->emulated_config_bits + addr;
    uint8_t buf[8];
    int start = -1;

    stn_le_p(buf, len, val);
    for (int i = 0; i <= len; i++) {
        if (i < len && emu[i] != 0xff) {
            start = start < 0 ? i : start;
        } else if (start >= 0) {
            vfio_config_write_run(vdev, addr, buf, start, i);
            start = -1;
        }
    }
}

void vfio_pci_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                           int len)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);

    trace_vfio_pci_write_config(vdev->name, addr, val, len);
    if (addr + len > vdev->config_size) {
        pci_default_write_config(pdev, addr, val, len);
        return;
    }
    vfio_config_write_device(vdev, addr, val, len);
    pci_default_write_config(pdev, addr, val, len);
    if (pdev->msi_cap && ranges_touch_cap(addr, len, pdev->msi_cap,
                                          msi_cap_sizeof(pci_get_word(
                                              pdev->config + pdev->msi_cap +
                                              PCI_MSI_FLAGS)))) {
        vfio_msi_update(vdev);
    }
    if (ranges_touch_cap(addr, len, pdev->msix_cap, PCI_CAP_MSIX_SIZEOF)) {
        vfio_msix_update(vdev);
    }
}

/* Capability walks (pure functions over a copy of the device's config) */

static void cap_warn(GPtrArray *warnings, const char *fmt, ...)
    QEMU_PRINTF_FN(2, 3);

static void cap_warn(GPtrArray *warnings, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (warnings) {
        g_ptr_array_add(warnings, g_strdup_vprintf(fmt, ap));
    }
    va_end(ap);
}

/* Size of a standard capability as its registers say, 0 if unknown. */
static unsigned std_cap_known_size(const uint8_t *config, uint8_t id,
                                   uint8_t pos)
{
    switch (id) {
    case PCI_CAP_ID_PM:
        return PCI_PM_SIZEOF;
    case PCI_CAP_ID_VPD:
        return PCI_CAP_VPD_SIZEOF;
    case PCI_CAP_ID_MSI:
        return msi_cap_sizeof(pci_get_word(config + pos + PCI_MSI_FLAGS));
    case PCI_CAP_ID_MSIX:
        return PCI_CAP_MSIX_SIZEOF;
    case PCI_CAP_ID_AF:
        return PCI_CAP_AF_SIZEOF;
    case PCI_CAP_ID_VNDR:
        return MAX(config[pos + PCI_CAP_FLAGS], 3);
    case PCI_CAP_ID_EXP:
        /* v1 capabilities are shorter; hardware of either kind exists */
        return (config[pos + PCI_EXP_FLAGS] & PCI_EXP_FLAGS_VERS) >= 2
               ? PCI_CAP_EXP_ENDPOINT_SIZEOF_V2 : PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
    default:
        return 0;
    }
}

static bool cap_overlaps(const VFIOCapEntry *caps, unsigned n, unsigned pos,
                         unsigned size)
{
    for (unsigned i = 0; i < n; i++) {
        if (ranges_overlap(caps[i].pos, caps[i].size, pos, size)) {
            return true;
        }
    }
    return false;
}

/* Distance from @pos to the next capability start in address order. */
static unsigned std_cap_room(const uint8_t *config, unsigned pos)
{
    unsigned room = PCI_CONFIG_SPACE_SIZE - pos;
    unsigned hops = 0;

    for (uint8_t p = config[PCI_CAPABILITY_LIST] & ~3;
         p && hops < VFIO_STD_CAP_MAX; p = config[p + PCI_CAP_LIST_NEXT] & ~3,
         hops++) {
        if (p > pos && p - pos < room) {
            room = p - pos;
        }
    }
    return room;
}

unsigned vfio_walk_std_caps(const uint8_t *config, VFIOCapEntry *caps,
                            unsigned max, GPtrArray *warnings)
{
    unsigned n = 0;
    uint8_t pos;

    if (!(pci_get_word(config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    for (pos = config[PCI_CAPABILITY_LIST]; pos && n < max;
         pos = config[pos + PCI_CAP_LIST_NEXT]) {
        unsigned known, room, size;
        uint8_t id;

        if (pos & 3) {
            cap_warn(warnings, "capability pointer 0x%x is not dword-aligned",
                     pos);
            break;
        }
        if (pos < PCI_STD_HEADER_SIZEOF) {
            cap_warn(warnings, "capability pointer 0x%x points into the "
                     "header", pos);
            break;
        }
        if (cap_overlaps(caps, n, pos, 2)) {
            cap_warn(warnings, "capability at 0x%x loops back or overlaps "
                     "another one", pos);
            break;
        }
        id = config[pos + PCI_CAP_LIST_ID];
        known = std_cap_known_size(config, id, pos);
        room = std_cap_room(config, pos);
        /* a capability of unknown size owns the bytes up to the next one */
        size = known ? known : room;
        if (pos + size > PCI_CONFIG_SPACE_SIZE) {
            cap_warn(warnings, "capability 0x%x at 0x%x (%u bytes) runs past "
                     "the end of config space", id, pos, size);
            break;
        }
        caps[n++] = (VFIOCapEntry) { .id = id, .pos = pos, .size = size };
    }
    if (pos && n == max) {
        cap_warn(warnings, "capability chain longer than %u entries", max);
    }
    return n;
}

static unsigned ext_cap_known_size(uint16_t id)
{
    switch (id) {
    case PCI_EXT_CAP_ID_ERR:
        return PCI_ERR_ROOT_ERR_SRC + 4;
    case PCI_EXT_CAP_ID_DSN:
        return PCI_EXT_CAP_DSN_SIZEOF;
    case PCI_EXT_CAP_ID_ARI:
        return PCI_EXT_CAP_ARI_SIZEOF;
    case PCI_EXT_CAP_ID_ATS:
        return PCI_EXT_CAP_ATS_SIZEOF;
    case PCI_EXT_CAP_ID_SRIOV:
        return PCI_EXT_CAP_SRIOV_SIZEOF;
    case PCI_EXT_CAP_ID_LTR:
        return PCI_EXT_CAP_LTR_SIZEOF;
    case PCI_EXT_CAP_ID_PASID:
        return PCI_EXT_CAP_PASID_SIZEOF;
    case PCI_EXT_CAP_ID_PRI:
        return PCI_EXT_CAP_PRI_SIZEOF;
    default:
        return 4;                   /* at least the header */
    }
}

unsigned vfio_walk_ext_caps(const uint8_t *config, uint32_t config_size,
                            VFIOCapEntry *caps, unsigned max,
                            GPtrArray *warnings)
{
    unsigned n = 0;
    unsigned pos = PCI_CFG_SPACE_SIZE;

    if (config_size < PCI_CFG_SPACE_SIZE + 4) {
        return 0;
    }
    while (pos && n < max) {
        uint32_t header;
        uint16_t id;
        unsigned size;

        /* the space may end anywhere: no header is read past it */
        if (pos + 4 > config_size) {
            cap_warn(warnings, "extended capability pointer 0x%x points past "
                     "the end of config space", pos);
            break;
        }
        header = pci_get_long(config + pos);
        id = PCI_EXT_CAP_ID(header);
        size = ext_cap_known_size(id);
        if (!header || (header == 0xffffffff && pos == PCI_CFG_SPACE_SIZE)) {
            break;                  /* no extended capabilities */
        }
        if (pos + size > config_size) {
            cap_warn(warnings, "extended capability 0x%x at 0x%x runs past "
                     "the end of config space", id, pos);
            break;
        }
        if (cap_overlaps(caps, n, pos, size)) {
            cap_warn(warnings, "extended capability at 0x%x loops back or "
                     "overlaps another one", pos);
            break;
        }
        caps[n++] = (VFIOCapEntry) { .id = id, .pos = pos, .size = size };
        pos = PCI_EXT_CAP_NEXT(header);
        if (pos && (pos < PCI_CFG_SPACE_SIZE || (pos & 3))) {
            cap_warn(warnings, "extended capability pointer 0x%x is invalid",
                     pos);
            break;
        }
    }
    return n;
}

/* Header */

static void vfio_emulate_identity(VFIOPCIDevice *vdev)
{
    if (vdev->vendor_id != PCI_ANY_ID) {
        vfio_emulate_ro(vdev, PCI_VENDOR_ID, 2, vdev->vendor_id);
    }
    if (vdev->device_id != PCI_ANY_ID) {
        vfio_emulate_ro(vdev, PCI_DEVICE_ID, 2, vdev->device_id);
    }
    if (vdev->sub_vendor_id != PCI_ANY_ID) {
        vfio_emulate_ro(vdev, PCI_SUBSYSTEM_VENDOR_ID, 2, vdev->sub_vendor_id);
    }
    if (vdev->sub_device_id != PCI_ANY_ID) {
        vfio_emulate_ro(vdev, PCI_SUBSYSTEM_ID, 2, vdev->sub_device_id);
    }
}

static bool check_id_props(VFIOPCIDevice *vdev, Error **errp)
{
    const struct { const char *name; uint32_t value; } ids[] = {
        { "x-pci-vendor-id", vdev->vendor_id },
        { "x-pci-device-id", vdev->device_id },
        { "x-pci-sub-vendor-id", vdev->sub_vendor_id },
        { "x-pci-sub-device-id", vdev->sub_device_id },
    };

    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        if (ids[i].value != PCI_ANY_ID && ids[i].value > 0xffff) {
            error_setg(errp, "vfio %s: %s=0x%x does not fit 16 bits",
                       vdev->name, ids[i].name, ids[i].value);
            return false;
        }
    }
    return true;
}

/*
 * The header as the guest sees it: the device's registers, except the
 * BARs and ROM BAR (registered later by the BAR and ROM rooms), the
 * interrupt line, the multifunction bit and the capability pointer,
 * which are ours.
 */
static void vfio_header_setup(VFIOPCIDevice *vdev, const uint8_t *phys)
{
    PCIDevice *pdev = &vdev->pdev;
    uint8_t header_type = pdev->config[PCI_HEADER_TYPE];

    memcpy(pdev->config, phys, vdev->config_size);
    vfio_emulate_identity(vdev);
    memset(pdev->config + PCI_BASE_ADDRESS_0, 0, 6 * 4);
    vfio_add_emulated_bits(vdev, PCI_BASE_ADDRESS_0, 6 * 4, 0xff);
    pci_set_long(pdev->config + PCI_ROM_ADDRESS, 0);
    vfio_add_emulated_bits(vdev, PCI_ROM_ADDRESS, 4, 0xff);
    pdev->config[PCI_INTERRUPT_LINE] = 0;
    vfio_add_emulated_bits(vdev, PCI_INTERRUPT_LINE, 1, 0xff);
    vdev->intx.pin = phys[PCI_INTERRUPT_PIN] <= 4 ? phys[PCI_INTERRUPT_PIN]
                                                  : 0;
    vfio_emulate_ro(vdev, PCI_INTERRUPT_PIN, 1, vdev->intx.pin);
    /* multifunction is the slot's business, not the device's */
    pdev->config[PCI_HEADER_TYPE] = (phys[PCI_HEADER_TYPE] & 0x7f) |
                                    (header_type & 0x80);
    vfio_add_emulated_bits(vdev, PCI_HEADER_TYPE, 1, 0x80);
    /* the chain is rebuilt by vfio_caps_setup */
    pdev->config[PCI_CAPABILITY_LIST] = 0;
    vfio_add_emulated_bits(vdev, PCI_CAPABILITY_LIST, 1, 0xff);
    pci_set_word(pdev->config + PCI_STATUS,
                 pci_get_word(pdev->config + PCI_STATUS) &
                 ~PCI_STATUS_CAP_LIST);
    vfio_add_emulated_bits(vdev, PCI_STATUS, 1, PCI_STATUS_CAP_LIST);
    /* the virtual copy starts clean: the core tracks COMMAND itself */
    pci_set_word(pdev->config + PCI_COMMAND, 0);
    memset(pdev->config + PCI_STD_HEADER_SIZEOF, 0,
           vdev->config_size - PCI_STD_HEADER_SIZEOF);
}

bool vfio_config_setup(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = &vdev->pdev;
    VFIOBackend *b = vdev->backend;

    if (!check_id_props(vdev, errp) ||
        !b->ops->get_region_info(b, VFIO_PCI_CONFIG_REGION_INDEX,
                                 &vdev->config_info, errp)) {
        return false;
    }
    if (vdev->config_info.size < PCI_CONFIG_SPACE_SIZE) {
        error_setg(errp, "vfio %s: config space is only %" PRIu64 " bytes",
                   vdev->name, vdev->config_info.size);
        return false;
    }
    vdev->config_size = MIN(vdev->config_info.size, pci_config_size(pdev));
    vdev->emulated_config_bits = g_malloc0(pci_config_size(pdev));
    /* kept until the capabilities are set up; vfio_config_exit frees it */
    vdev->phys_config = g_malloc0(vdev->config_size);
    if (!vfio_config_read_raw(vdev, 0, vdev->phys_config, vdev->config_size)) {
        error_setg(errp, "vfio %s: cannot read the device's config space",
                   vdev->name);
        return false;
    }
    /* The kernel's vfio-pci binds only type 0 functions; a bridge's header
     * would put its registers where the model keeps BARs 2-5. */
    if ((vdev->phys_config[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) !=
        PCI_HEADER_TYPE_NORMAL) {
        error_setg(errp, "vfio %s: the device has config header type %u; "
                   "only type 0 functions (not bridges or CardBus) can be "
                   "assigned", vdev->name,
                   vdev->phys_config[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK);
        return false;
    }
    vfio_header_setup(vdev, vdev->phys_config);
    trace_vfio_config_setup(vdev->name, vdev->config_size, vdev->intx.pin);
    return true;
}

/* Standard capabilities */

static void report_cap_warnings(VFIOPCIDevice *vdev, GPtrArray *warnings)
{
    for (guint i = 0; i < warnings->len; i++) {
        warn_report("vfio %s: %s; capabilities from there on are hidden",
                    vdev->name, (char *)g_ptr_array_index(warnings, i));
    }
}

/* Add one passed-through capability at its device offset. */
static bool vfio_add_std_cap(VFIOPCIDevice *vdev, const VFIOCapEntry *cap,
                             Error **errp)
{
    PCIDevice *pdev = &vdev->pdev;
    const uint8_t *phys = vdev->phys_config;

    switch (cap->id) {
    case PCI_CAP_ID_MSI:
        vdev->msi_pos = cap->pos;
        return vfio_msi_setup(vdev, errp);
    case PCI_CAP_ID_MSIX:
        return !vdev->msix || vfio_msix_setup(vdev, errp);
    default:
        break;
    }
    if (!pci_add_capability(pdev, cap->id, cap->pos, cap->size, errp)) {
        return false;
    }
    /* contents come from the device; the next pointer is ours */
    memcpy(pdev->config + cap->pos + 2, phys + cap->pos + 2, cap->size - 2);
    vfio_add_emulated_bits(vdev, cap->pos + PCI_CAP_LIST_NEXT, 1, 0xff);
    if (cap->id == PCI_CAP_ID_EXP) {
        pdev->cap_present |= QEMU_PCI_CAP_EXPRESS;
    }
    return true;
}

/*
 * The core links each new capability at the head of the list, so adding
 * them from the tail keeps the device's order.
 */
static bool vfio_std_caps_setup(VFIOPCIDevice *vdev, Error **errp)
{
    VFIOCapEntry caps[VFIO_STD_CAP_MAX];
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    unsigned n = vfio_walk_std_caps(vdev->phys_config, caps, ARRAY_SIZE(caps),
                                    warnings);

    report_cap_warnings(vdev, warnings);
    for (unsigned i = n; i-- > 0;) {
        trace_vfio_add_std_cap(vdev->name, caps[i].id, caps[i].pos,
                               caps[i].size);
        if (!vfio_add_std_cap(vdev, &caps[i], errp)) {
            return false;
        }
    }
    return true;
}

/* Extended capabilities */

static bool ext_cap_hidden(uint16_t id)
{
    /* VF BARs and ARI numbering mean nothing inside the guest */
    return id == 0 || id == PCI_EXT_CAP_ID_SRIOV || id == PCI_EXT_CAP_ID_ARI;
}

static void vfio_ext_caps_setup(VFIOPCIDevice *vdev)
{
    PCIDevice *pdev = &vdev->pdev;
    VFIOCapEntry caps[64];
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    unsigned n, prev = PCI_CFG_SPACE_SIZE;
    bool first = true;

    if (vdev->config_size <= PCI_CFG_SPACE_SIZE ||
        !(pdev->cap_present & QEMU_PCI_CAP_EXPRESS)) {
        return;
    }
    n = vfio_walk_ext_caps(vdev->phys_config, vdev->config_size, caps,
                           ARRAY_SIZE(caps), warnings);
    report_cap_warnings(vdev, warnings);
    /* 0x100 always holds a header: a null one if the first cap is hidden */
    pci_set_long(pdev->config + PCI_CFG_SPACE_SIZE, 0);
    vfio_add_emulated_bits(vdev, PCI_CFG_SPACE_SIZE, 4, 0xff);
    for (unsigned i = 0; i < n; i++) {
        uint32_t header = pci_get_long(vdev->phys_config + caps[i].pos);

        if (ext_cap_hidden(caps[i].id)) {
            trace_vfio_hide_ext_cap(vdev->name, caps[i].id, caps[i].pos);
            continue;
        }
        memcpy(pdev->config + caps[i].pos, vdev->phys_config + caps[i].pos,
               caps[i].size);
        vfio_add_emulated_bits(vdev, caps[i].pos, 4, 0xff);
        if (!first || caps[i].pos != PCI_CFG_SPACE_SIZE) {
            /* link the previous kept header (or the null one) to us */
            pci_set_long(pdev->config + prev,
                         (pci_get_long(pdev->config + prev) & 0xfffff) |
                         ((uint32_t)caps[i].pos << 20));
        }
        pci_set_long(pdev->config + caps[i].pos, header & 0xfffff);
        prev = caps[i].pos;
        first = false;
        trace_vfio_add_ext_cap(vdev->name, caps[i].id, caps[i].pos);
    }
}

bool vfio_caps_setup(VFIOPCIDevice *vdev, Error **errp)
{
    bool ok = vfio_std_caps_setup(vdev, errp);

    if (ok) {
        vfio_ext_caps_setup(vdev);
    }
    return ok;
}

void vfio_config_exit(VFIOPCIDevice *vdev)
{
    g_clear_pointer(&vdev->emulated_config_bits, g_free);
    g_clear_pointer(&vdev->phys_config, g_free);
    vfio_region_info_clear(&vdev->config_info);
}
