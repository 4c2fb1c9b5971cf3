/*
 * vfio-pci expansion ROM: a shadow read once from the device's ROM region
 * (or loaded from romfile=) and served to the guest from memory.
 *
 * The ROM region is never mmap'd and the device's own ROM decoder stays
 * off: some devices share one decoder between the ROM and their BARs, so
 * an enabled ROM BAR can make BAR accesses return ROM bytes.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "qemu/file.h"
#include "trace.h"

#define ROM_SIGNATURE       0xaa55      /* bytes 0x55 0xAA */
#define ROM_PCIR_PTR        0x18
#define PCIR_VENDOR         0x04
#define PCIR_DEVICE         0x06
#define PCIR_IMAGE_LENGTH   0x10        /* in 512-byte units */
#define PCIR_MIN_SIZE       0x18
#define ROM_UNIT            512
#define ROM_READ_CHUNK      (64 * 1024)
/* Real option ROMs are far smaller; a region beyond this is not read. */
#define ROM_MAX_SIZE        (16 * 1024 * 1024)

#define ROM_ADVICE "use romfile= to supply an image or rombar=0 to hide it"

/* Validation */

static VFIORomCheck rom_invalid(char **msg, const char *fmt, ...)
    QEMU_PRINTF_FN(2, 3);

static VFIORomCheck rom_invalid(char **msg, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return VFIO_ROM_INVALID;
}

VFIORomCheck vfio_rom_validate(const uint8_t *rom, uint64_t size,
                               uint16_t vendor_id, uint16_t device_id,
                               char **msg)
{
    uint64_t pcir, len;
    uint16_t vid, did;

    *msg = NULL;
    if (size < 2) {
        return rom_invalid(msg, "image of %" PRIu64 " bytes is too short "
                           "for the 0x55AA signature", size);
    }
    if (lduw_le_p(rom) != ROM_SIGNATURE) {
        return rom_invalid(msg, "no 0x55AA signature at offset 0 (found "
                           "0x%02X%02X)", rom[0], rom[1]);
    }
    if (size < ROM_PCIR_PTR + 2) {
        return rom_invalid(msg, "image of %" PRIu64 " bytes is too short to "
                           "hold the PCI data structure pointer at 0x18",
                           size);
    }
    pcir = lduw_le_p(rom + ROM_PCIR_PTR);
    if (pcir + PCIR_MIN_SIZE > size) {
        return rom_invalid(msg, "PCI data structure pointer 0x%" PRIx64
                           " points past the end of the %" PRIu64
                           "-byte image", pcir, size);
    }
    if (pcir & 3) {
        return rom_invalid(msg, "PCI data structure pointer 0x%" PRIx64
                           " is not dword aligned", pcir);
    }
    if (memcmp(rom + pcir, "PCIR", 4)) {
        return rom_invalid(msg, "no \"PCIR\" signature at 0x%" PRIx64, pcir);
    }
    len = (uint64_t)lduw_le_p(rom + pcir + PCIR_IMAGE_LENGTH) * ROM_UNIT;
    if (!len) {
        return rom_invalid(msg, "PCI data structure gives an image length "
                           "of 0");
    }
    if (len > size) {
        return rom_invalid(msg, "image length %" PRIu64 " bytes (PCI data "
                           "structure) exceeds the %" PRIu64 "-byte ROM",
                           len, size);
    }
    vid = lduw_le_p(rom + pcir + PCIR_VENDOR);
    did = lduw_le_p(rom + pcir + PCIR_DEVICE);
    if (vid != vendor_id || did != device_id) {
        *msg = g_strdup_printf("image is for %04x:%04x, the device is "
                               "%04x:%04x", vid, did, vendor_id, device_id);
        return VFIO_ROM_ID_MISMATCH;
    }
    return VFIO_ROM_VALID;
}

/* The shadow the guest reads */

static uint64_t vfio_rom_read(void *opaque, hwaddr addr, unsigned size)
{
    VFIOPCIDevice *vdev = opaque;
    uint8_t buf[8];

    /* Past the image the ROM BAR reads as erased flash */
    for (unsigned i = 0; i < size; i++) {
        buf[i] = addr + i < vdev->rom_size ? vdev->rom[addr + i] : 0xff;
    }
    return ldn_le_p(buf, size);
}

static void vfio_rom_write(void *opaque, hwaddr addr, uint64_t data,
                           unsigned size)
{
    VFIOPCIDevice *vdev = opaque;

    trace_vfio_rom_write_ignored(vdev->name, addr, size, data);
}

static const MemoryRegionOps vfio_rom_ops = {
    .read = vfio_rom_read,
    .write = vfio_rom_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static void vfio_rom_register(VFIOPCIDevice *vdev, uint64_t bar_size)
{
    g_autofree char *name = g_strdup_printf("vfio %s ROM", vdev->name);

    memory_region_init_io(&vdev->rom_mr, OBJECT(vdev), &vfio_rom_ops, vdev,
                          name, bar_size);
    /* Registering the slot also keeps the PCI core's romfile loader away */
    pci_register_bar(&vdev->pdev, PCI_ROM_SLOT, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &vdev->rom_mr);
    trace_vfio_rom_register(vdev->name, vdev->rom_size, bar_size);
}

/* Sources of the image */

static bool vfio_rom_load_file(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = &vdev->pdev;
    Error *err = NULL;
    char *data;
    size_t len;
    uint64_t bar_size;

    if (!qemu_read_user_file(pdev->romfile, ROM_MAX_SIZE, &data, &len,
                             &err)) {
        error_setg(errp, "vfio %s: cannot read romfile \"%s\": %s; give a "
                   "readable romfile= of at most %d MiB or use rombar=0",
                   vdev->name, pdev->romfile, error_get_pretty(err),
                   ROM_MAX_SIZE >> 20);
        error_free(err);
        return false;
    }
    if (!len) {
        error_setg(errp, "vfio %s: romfile \"%s\" is empty; give an image "
                   "or use rombar=0", vdev->name, pdev->romfile);
        g_free(data);
        return false;
    }
    bar_size = pow2ceil(MAX(len, 16));
    if (pdev->romsize != UINT32_MAX) {
        if (!is_power_of_2(pdev->romsize) || pdev->romsize < len) {
            error_setg(errp, "vfio %s: romsize 0x%x must be a power of 2 no "
                       "smaller than romfile \"%s\" (%zu bytes)", vdev->name,
                       pdev->romsize, pdev->romfile, (size_t)len);
            g_free(data);
            return false;
        }
        bar_size = MAX(pdev->romsize, 16);
    }
    vdev->rom = (uint8_t *)data;
    vdev->rom_size = len;
    trace_vfio_rom_file(vdev->name, pdev->romfile, len);
    vfio_rom_register(vdev, bar_size);
    return true;
}

/* The whole region, once, in order; a negative errno on failure. */
static int vfio_rom_read_region(VFIOPCIDevice *vdev, uint64_t size,
                                uint8_t *buf)
{
    VFIOBackend *b = vdev->backend;
    uint64_t off = 0;

    while (off < size) {
        ssize_t ret = b->ops->region_read(b, VFIO_PCI_ROM_REGION_INDEX, off,
                                          buf + off,
                                          MIN(size - off, ROM_READ_CHUNK));
        if (ret < 0) {
            return ret;
        }
        if (!ret) {
            return -EIO;    /* shorter than it said: treat as unreadable */
        }
        off += ret;
    }
    return 0;
}

/*
 * The kernel serves ROM reads only while the device decodes memory; at
 * realize nobody has enabled that yet, so do it for the one pass.
 */
static int vfio_rom_read_with_decoding(VFIOPCIDevice *vdev, uint64_t size,
                                       uint8_t *buf)
{
    uint16_t cmd, on;
    bool toggled = false;
    int ret;

    if (vfio_config_read_raw(vdev, PCI_COMMAND, &cmd, sizeof(cmd)) &&
        !(cmd & PCI_COMMAND_MEMORY)) {
        on = cmd | PCI_COMMAND_MEMORY;
        toggled = vfio_config_write_raw(vdev, PCI_COMMAND, &on, sizeof(on));
    }
    ret = vfio_rom_read_region(vdev, size, buf);
    if (toggled) {
        vfio_config_write_raw(vdev, PCI_COMMAND, &cmd, sizeof(cmd));
    }
    return ret;
}

/* The device's own IDs, which its ROM names (not any override). */
static void vfio_rom_device_ids(VFIOPCIDevice *vdev, uint16_t *vid,
                                uint16_t *did)
{
    uint8_t ids[4];

    if (vfio_config_read_raw(vdev, PCI_VENDOR_ID, ids, sizeof(ids))) {
        *vid = lduw_le_p(ids);
        *did = lduw_le_p(ids + 2);
    } else {
        *vid = pci_get_word(vdev->pdev.config + PCI_VENDOR_ID);
        *did = pci_get_word(vdev->pdev.config + PCI_DEVICE_ID);
    }
}

/* An image we can serve? Warns (once) and returns false when we cannot. */
static bool vfio_rom_check(VFIOPCIDevice *vdev)
{
    g_autofree char *msg = NULL;
    uint16_t vid, did;

    vfio_rom_device_ids(vdev, &vid, &did);
    switch (vfio_rom_validate(vdev->rom, vdev->rom_size, vid, did, &msg)) {
    case VFIO_ROM_VALID:
        return true;
    case VFIO_ROM_ID_MISMATCH:
        warn_report("vfio %s: device ROM %s; exposing it anyway",
                    vdev->name, msg);
        return true;
    default:
        break;
    }
    trace_vfio_rom_invalid(vdev->name, msg);
    if (vdev->pdev.rombar == 1) {
        warn_report("vfio %s: device ROM is invalid (%s); exposing it anyway "
                    "because rombar=1", vdev->name, msg);
        return true;
    }
    warn_report("vfio %s: device ROM is invalid (%s), hiding it; "
                ROM_ADVICE, vdev->name, msg);
    return false;
}

static bool vfio_rom_load_device(VFIOPCIDevice *vdev)
{
    VFIOBackend *b = vdev->backend;
    VFIORegionInfo info = { 0 };
    Error *err = NULL;
    uint64_t size;
    int ret;

    if (!b->ops->get_region_info(b, VFIO_PCI_ROM_REGION_INDEX, &info, &err)) {
        warn_report("vfio %s: cannot query the device ROM (%s), hiding it; "
                    ROM_ADVICE, vdev->name, error_get_pretty(err));
        error_free(err);
        return false;
    }
    size = info.size;
    vfio_region_info_clear(&info);
    trace_vfio_rom_region(vdev->name, size);
    if (!size) {
        return false;
    }
    if (size > ROM_MAX_SIZE) {
        warn_report("vfio %s: the device's ROM region claims %" PRIu64
                    " bytes, more than the %d MiB a ROM is read up to, "
                    "hiding it; " ROM_ADVICE, vdev->name, size,
                    ROM_MAX_SIZE >> 20);
        return false;
    }
    vdev->rom = g_malloc(size);
    ret = vfio_rom_read_with_decoding(vdev, size, vdev->rom);
    if (ret < 0) {
        warn_report("vfio %s: cannot read the device ROM (%s), hiding it; "
                    ROM_ADVICE, vdev->name, g_strerror(-ret));
        g_clear_pointer(&vdev->rom, g_free);
        return false;
    }
    vdev->rom_size = size;
    if (!vfio_rom_check(vdev)) {
        g_clear_pointer(&vdev->rom, g_free);
        vdev->rom_size = 0;
        return false;
    }
    vfio_rom_register(vdev, pow2ceil(MAX(size, 16)));
    return true;
}

/* Setup */

void vfio_rom_decoder_off(VFIOPCIDevice *vdev)
{
    static const uint8_t zero[4];

    if (!vfio_config_write_raw(vdev, PCI_ROM_ADDRESS, zero, sizeof(zero))) {
        trace_vfio_rom_decoder_off_failed(vdev->name);
    }
}

bool vfio_rom_setup(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = &vdev->pdev;

    vfio_rom_decoder_off(vdev);
    if (pdev->rombar == 0) {
        trace_vfio_rom_hidden(vdev->name, "rombar=0");
    } else if (pdev->romfile && *pdev->romfile) {
        return vfio_rom_load_file(vdev, errp);
    } else if (vfio_rom_load_device(vdev)) {
        return true;
    }
    /* No ROM BAR: the register reads 0 and sizes to 0 */
    pci_set_long(pdev->config + PCI_ROM_ADDRESS, 0);
    pci_set_long(pdev->wmask + PCI_ROM_ADDRESS, 0);
    return true;
}

void vfio_rom_exit(VFIOPCIDevice *vdev)
{
    memory_region_finalize(&vdev->rom_mr);
    g_clear_pointer(&vdev->rom, g_free);
    vdev->rom_size = 0;
}
