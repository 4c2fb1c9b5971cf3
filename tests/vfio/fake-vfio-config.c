/*
 * The fake device's config space and expansion ROM image. Config space is
 * built from the spec (header, a standard capability chain and, for
 * express devices, extended capabilities), then the spec's raw patches are
 * applied so tests can present broken chains. Accesses behave like the
 * kernel's vfio-pci: BAR and ROM BAR registers are virtualized (sizing
 * works), everything else is stored as written.
 */
#include "qemu/osdep.h"
#include "fake-vfio-int.h"
#include "trace.h"

/* Config space */

static uint32_t bar_type_bits(const FakeBarSpec *b)
{
    if (b->io) {
        return PCI_BASE_ADDRESS_SPACE_IO;
    }
    return (b->mem64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) |
           (b->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
}

/* What a virtualized BAR register holds after @val was written. */
static uint32_t bar_reg_value(const FakeVFIOSpec *s, unsigned i, uint32_t val)
{
    const FakeBarSpec *b = &s->bar[i];

    if (fake_spec_is_mem64_upper(s, i)) {
        return val & (uint32_t)(~(s->bar[i - 1].size - 1) >> 32);
    }
    if (!b->size) {
        return 0;
    }
    if (b->io) {
        return (val & ~(uint32_t)(b->size - 1) & PCI_BASE_ADDRESS_IO_MASK) |
               bar_type_bits(b);
    }
    return (val & (uint32_t)~(b->size - 1) & PCI_BASE_ADDRESS_MEM_MASK) |
           bar_type_bits(b);
}

static uint32_t rom_reg_value(FakeVFIODevice *f, uint32_t val)
{
    if (!f->rom_size) {
        return 0;
    }
    return (val & (uint32_t)~(f->rom_size - 1) & PCI_ROM_ADDRESS_MASK) |
           (val & PCI_ROM_ADDRESS_ENABLE);
}

/* Link a capability at @off after the one whose next pointer is at *@prev. */
static uint8_t *add_cap(FakeVFIODevice *f, uint8_t **prev, uint8_t off,
                        uint8_t id)
{
    uint8_t *cap = f->config + off;

    **prev = off;
    cap[PCI_CAP_LIST_ID] = id;
    *prev = cap + PCI_CAP_LIST_NEXT;
    return cap;
}

static void build_msi(FakeVFIODevice *f, uint8_t *cap)
{
    const FakeVFIOSpec *s = f->spec;
    uint16_t flags = (__builtin_ctz(s->msi_vectors) << 1) & PCI_MSI_FLAGS_QMASK;

    flags |= s->msi_64bit ? PCI_MSI_FLAGS_64BIT : 0;
    flags |= s->msi_mask ? PCI_MSI_FLAGS_MASKBIT : 0;
    stw_le_p(cap + PCI_MSI_FLAGS, flags);
}

static void build_exp(FakeVFIODevice *f, uint8_t *cap)
{
    /* Capability version 2, an endpoint. */
    stw_le_p(cap + PCI_EXP_FLAGS, 2 | (PCI_EXP_TYPE_ENDPOINT << 4));
    stl_le_p(cap + PCI_EXP_DEVCAP, f->spec->flr ? PCI_EXP_DEVCAP_FLR : 0);
    /* Gen1 x1 link, trained. */
    stl_le_p(cap + PCI_EXP_LNKCAP, PCI_EXP_LNKCAP_SLS_2_5GB | (1 << 4));
    stw_le_p(cap + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_CLS_2_5GB |
             PCI_EXP_LNKSTA_NLW_X1);
}

static void build_msix(FakeVFIODevice *f, uint8_t *cap)
{
    const FakeVFIOSpec *s = f->spec;

    stw_le_p(cap + PCI_MSIX_FLAGS, s->msix_vectors - 1);
    stl_le_p(cap + PCI_MSIX_TABLE, s->msix_table_offset | s->msix_table_bar);
    stl_le_p(cap + PCI_MSIX_PBA, s->msix_pba_offset | s->msix_pba_bar);
}

static void build_caps(FakeVFIODevice *f)
{
    const FakeVFIOSpec *s = f->spec;
    uint8_t *prev = f->config + PCI_CAPABILITY_LIST;
    uint8_t *cap;

    cap = add_cap(f, &prev, FAKE_CAP_PM, PCI_CAP_ID_PM);
    stw_le_p(cap + PCI_PM_PMC, 3);      /* version 1.2 */
    stw_le_p(cap + PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RESET);
    if (s->msi_vectors) {
        build_msi(f, add_cap(f, &prev, FAKE_CAP_MSI, PCI_CAP_ID_MSI));
    }
    if (s->express) {
        build_exp(f, add_cap(f, &prev, FAKE_CAP_EXP, PCI_CAP_ID_EXP));
    }
    if (s->msix_vectors) {
        build_msix(f, add_cap(f, &prev, FAKE_CAP_MSIX, PCI_CAP_ID_MSIX));
    }
}

static void build_ext_caps(FakeVFIODevice *f)
{
    /* AER, then an SR-IOV stub (no VFs) that a model is expected to hide. */
    stl_le_p(f->config + FAKE_ECAP_AER, PCI_EXT_CAP_ID_ERR | (2 << 16) |
             (FAKE_ECAP_SRIOV << 20));
    stl_le_p(f->config + FAKE_ECAP_SRIOV, PCI_EXT_CAP_ID_SRIOV | (1 << 16));
    stw_le_p(f->config + FAKE_ECAP_SRIOV + PCI_SRIOV_VF_DID,
             f->spec->device + 1);
}

static void build_header(FakeVFIODevice *f)
{
    const FakeVFIOSpec *s = f->spec;
    uint8_t *c = f->config;

    stw_le_p(c + PCI_VENDOR_ID, s->vendor);
    stw_le_p(c + PCI_DEVICE_ID, s->device);
    stw_le_p(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
    c[PCI_REVISION_ID] = s->revision;
    c[PCI_CLASS_PROG] = s->class_code;
    stw_le_p(c + PCI_CLASS_DEVICE, s->class_code >> 8);
    c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        stl_le_p(c + PCI_BASE_ADDRESS_0 + 4 * i, bar_reg_value(s, i, 0));
    }
    stw_le_p(c + PCI_SUBSYSTEM_VENDOR_ID, s->subsys_vendor);
    stw_le_p(c + PCI_SUBSYSTEM_ID, s->subsys);
    c[PCI_INTERRUPT_PIN] = s->intx_pin;
}

bool fake_config_build(FakeVFIODevice *f, Error **errp)
{
    const FakeVFIOSpec *s = f->spec;

    f->config_size = s->express ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;
    memset(f->config, 0, sizeof(f->config));
    build_header(f);
    build_caps(f);
    if (s->express) {
        build_ext_caps(f);
    }
    /* Patches come last: they may break what was built (the spec checked
     * that each fits the config space). */
    for (guint i = 0; i < s->patches->len; i++) {
        FakeConfigPatch *p = g_ptr_array_index(s->patches, i);
        memcpy(f->config + p->offset, p->bytes->data, p->bytes->len);
    }
    memcpy(f->config_init, f->config, sizeof(f->config));
    return true;
}

void fake_config_read(FakeVFIODevice *f, uint64_t off, void *buf, size_t len)
{
    memcpy(buf, f->config + off, len);
}

static bool touches(uint64_t off, size_t len, unsigned reg)
{
    return ranges_overlap(off, len, reg, 4);
}

void fake_config_write(FakeVFIODevice *f, uint64_t off, const void *buf,
                       size_t len)
{
    uint8_t *c = f->config;

    memcpy(c + off, buf, len);
    trace_fake_vfio_config_write(fake_name(f), off, len);
    /* Re-virtualize the BAR registers the write touched, as the kernel does. */
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        unsigned reg = PCI_BASE_ADDRESS_0 + 4 * i;
        if (touches(off, len, reg)) {
            stl_le_p(c + reg, bar_reg_value(f->spec, i, ldl_le_p(c + reg)));
        }
    }
    if (touches(off, len, PCI_ROM_ADDRESS)) {
        stl_le_p(c + PCI_ROM_ADDRESS,
                 rom_reg_value(f, ldl_le_p(c + PCI_ROM_ADDRESS)));
        if (c[PCI_ROM_ADDRESS] & PCI_ROM_ADDRESS_ENABLE) {
            f->rom_enable_set = true;
        }
    }
}

/* After a reset the device reads as built, but the kernel restores BARs. */
void fake_config_reset(FakeVFIODevice *f)
{
    uint8_t bars[PCI_CARDBUS_CIS - PCI_BASE_ADDRESS_0];
    uint32_t rom = ldl_le_p(f->config + PCI_ROM_ADDRESS);

    memcpy(bars, f->config + PCI_BASE_ADDRESS_0, sizeof(bars));
    memcpy(f->config, f->config_init, sizeof(f->config));
    memcpy(f->config + PCI_BASE_ADDRESS_0, bars, sizeof(bars));
    stl_le_p(f->config + PCI_ROM_ADDRESS, rom);
}

/* Expansion ROM */

#define ROM_PCIR_PTR        0x18    /* in the ROM header */
#define ROM_PCIR_OFFSET     0x1c
#define PCIR_VENDOR         0x04
#define PCIR_DEVICE         0x06
#define PCIR_LENGTH         0x0a
#define PCIR_REVISION       0x0c
#define PCIR_CLASS          0x0d
#define PCIR_IMAGE_LENGTH   0x10
#define PCIR_INDICATOR      0x15
#define PCIR_SIZEOF         0x18
#define PCIR_LAST_IMAGE     0x80

/* A legacy x86 option ROM image with a PCI data structure; sums to 0. */
static void rom_build_image(FakeVFIODevice *f, uint8_t *img, uint64_t len)
{
    const FakeVFIOSpec *s = f->spec;
    uint8_t *pcir = img + ROM_PCIR_OFFSET;
    uint8_t sum = 0;

    for (uint64_t i = 0; i < len; i++) {
        img[i] = i * 7 + 3;         /* recognizable filler */
    }
    img[0] = 0x55;
    img[1] = 0xaa;
    img[2] = MIN(len / 512, 0xff);
    img[3] = 0xcb;                  /* entry point: retf */
    stw_le_p(img + ROM_PCIR_PTR, ROM_PCIR_OFFSET);
    memset(pcir, 0, PCIR_SIZEOF);
    memcpy(pcir, "PCIR", 4);
    stw_le_p(pcir + PCIR_VENDOR, s->vendor);
    stw_le_p(pcir + PCIR_DEVICE, s->device);
    stw_le_p(pcir + PCIR_LENGTH, PCIR_SIZEOF);
    pcir[PCIR_REVISION] = 3;
    pcir[PCIR_CLASS] = s->class_code;
    stw_le_p(pcir + PCIR_CLASS + 1, s->class_code >> 8);
    stw_le_p(pcir + PCIR_IMAGE_LENGTH, len / 512);
    pcir[PCIR_INDICATOR] = PCIR_LAST_IMAGE;
    img[len - 1] = 0;
    for (uint64_t i = 0; i < len; i++) {
        sum += img[i];
    }
    img[len - 1] = -sum;
}

/* Break a valid image the way @kind says. */
static void rom_break_image(FakeVFIODevice *f, uint8_t *img, uint64_t len)
{
    uint8_t *pcir = img + ROM_PCIR_OFFSET;
    uint64_t claim;

    switch (f->spec->rom_kind) {
    case FAKE_ROM_BAD_SIGNATURE:
        img[0] = img[1] = 0;
        break;
    case FAKE_ROM_BAD_PCIR_POINTER:
        /* Past the image (or, for huge images, into the ROM header). */
        stw_le_p(img + ROM_PCIR_PTR, len <= 0xfff0 ? 0xfff0 : 0x0001);
        break;
    case FAKE_ROM_BAD_PCIR_SIGNATURE:
        memcpy(pcir, "PCIX", 4);
        break;
    case FAKE_ROM_WRONG_IDS:
        stw_le_p(pcir + PCIR_VENDOR, f->spec->vendor ^ 0x5a5a);
        stw_le_p(pcir + PCIR_DEVICE, f->spec->device ^ 0xa5a5);
        break;
    case FAKE_ROM_TOO_LONG:
        claim = MIN(f->rom_size * 2 / 512, 0xffff);
        img[2] = MIN(claim, 0xff);
        stw_le_p(pcir + PCIR_IMAGE_LENGTH, claim);
        break;
    default:
        break;
    }
}

static bool rom_load_file(FakeVFIODevice *f, Error **errp)
{
    const FakeVFIOSpec *s = f->spec;
    g_autofree char *data = NULL;
    GError *gerr = NULL;
    gsize len;

    if (!g_file_get_contents(s->rom_file, &data, &len, &gerr)) {
        error_setg(errp, "fake-vfio: [rom] file: %s", gerr->message);
        g_error_free(gerr);
        return false;
    }
    if (!len || len > 16 * FAKE_MIB) {
        error_setg(errp, "fake-vfio: [rom] file: '%s' is empty or larger "
                   "than 16 MiB", s->rom_file);
        return false;
    }
    f->rom_size = MAX(s->rom_size, pow2ceil(len));
    f->rom = g_malloc(f->rom_size);
    memset(f->rom, 0xff, f->rom_size);
    memcpy(f->rom, data, len);
    return true;
}

bool fake_rom_build(FakeVFIODevice *f, Error **errp)
{
    const FakeVFIOSpec *s = f->spec;

    if (s->rom_file) {
        return rom_load_file(f, errp);
    }
    if (s->rom_kind == FAKE_ROM_ABSENT) {
        return true;
    }
    f->rom_size = s->rom_size;
    f->rom = g_malloc(f->rom_size);
    /* Past the image the ROM reads as erased flash. */
    memset(f->rom, 0xff, f->rom_size);
    rom_build_image(f, f->rom, s->rom_image_size);
    rom_break_image(f, f->rom, s->rom_image_size);
    return true;
}
