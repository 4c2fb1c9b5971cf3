/*
 * The fake device's spec: a built-in profile, then an optional ini file
 * (GKeyFile) whose keys override it. Every key is optional. A bad spec is
 * refused with the file, group and key at fault, so that a test author
 * can fix it without reading this file.
 */
#include "qemu/osdep.h"
#include "fake-vfio-int.h"

#define FAKE_MAX_BAR_SIZE   (64ULL << 30)
#define FAKE_MAX_ROM_SIZE   (16ULL << 20)
#define FAKE_MAX_MSIX       2048
#define FAKE_MAX_IO_BAR     256

typedef enum FakeKeyType {
    KEY_UINT,
    KEY_BOOL,
    KEY_STR,
    KEY_FUNC,
} FakeKeyType;

typedef struct FakeIni {
    FakeVFIOSpec *spec;
    GKeyFile *kf;
    const char *group;
    const char *key;
} FakeIni;

typedef bool FakeKeyParser(FakeIni *ini, void *base, const char *value,
                           Error **errp);

typedef struct FakeKey {
    const char *name;
    FakeKeyType type;
    size_t offset;              /* of the field in the section's struct */
    size_t width;
    uint64_t min, max;
    FakeKeyParser *parse;
} FakeKey;

#define KEY_U(n, st, f, lo, hi) \
    { n, KEY_UINT, offsetof(st, f), sizeof(((st *)0)->f), lo, hi, NULL }
#define KEY_B(n, st, f) \
    { n, KEY_BOOL, offsetof(st, f), sizeof(bool), 0, 0, NULL }
#define KEY_S(n, st, f) \
    { n, KEY_STR, offsetof(st, f), sizeof(char *), 0, 0, NULL }
#define KEY_F(n, fn) \
    { n, KEY_FUNC, 0, 0, 0, 0, fn }

static void G_GNUC_PRINTF(5, 6)
spec_error(const FakeVFIOSpec *s, Error **errp, const char *group,
           const char *key, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_autofree char *where = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    where = s->path ? g_strdup(s->path)
                    : g_strdup_printf("profile '%s'", s->profile);
    if (key) {
        error_setg(errp, "fake-vfio: %s: [%s] %s: %s", where, group, key, msg);
    } else {
        error_setg(errp, "fake-vfio: %s: [%s]: %s", where, group, msg);
    }
}

#define ini_error(ini, errp, ...) \
    spec_error((ini)->spec, errp, (ini)->group, (ini)->key, __VA_ARGS__)

/* Values */

/* Decimal or 0x-hex, optionally followed by K, M or G (binary units). */
static bool parse_u64(const char *str, uint64_t *val)
{
    const char *p = str;
    uint64_t v, mult = 1;
    char *end;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (!g_ascii_isdigit(*p)) {
        return false;
    }
    errno = 0;
    v = g_ascii_strtoull(p, &end, 0);
    if (errno) {
        return false;
    }
    switch (*end) {
    case 'k': case 'K': mult = 1ULL << 10; end++; break;
    case 'm': case 'M': mult = 1ULL << 20; end++; break;
    case 'g': case 'G': mult = 1ULL << 30; end++; break;
    }
    while (g_ascii_isspace(*end)) {
        end++;
    }
    if (*end || v > UINT64_MAX / mult) {
        return false;
    }
    *val = v * mult;
    return true;
}

static bool parse_bool(const char *str, bool *val)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    g_autofree char *s = g_strstrip(g_strdup(str));

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!g_ascii_strcasecmp(s, yes[i])) {
            *val = true;
            return true;
        }
        if (!g_ascii_strcasecmp(s, no[i])) {
            *val = false;
            return true;
        }
    }
    return false;
}

static void store_uint(void *field, size_t width, uint64_t v)
{
    switch (width) {
    case 1: *(uint8_t *)field = v; break;
    case 2: *(uint16_t *)field = v; break;
    case 4: *(uint32_t *)field = v; break;
    default: *(uint64_t *)field = v; break;
    }
}

/* Comma-separated number pairs "A<sep>B": "0x1000:0x2000,0x8000:0x1000". */
static bool parse_pairs(FakeIni *ini, const char *value, char sep,
                        GArray **out, Error **errp)
{
    g_auto(GStrv) items = g_strsplit(value, ",", -1);
    GArray *pairs = g_array_new(false, false, sizeof(uint64_t[2]));

    for (char **it = items; *it; it++) {
        g_auto(GStrv) ab = NULL;
        uint64_t pair[2];

        if (!*g_strstrip(*it)) {
            continue;
        }
        ab = g_strsplit(*it, (char[]){ sep, 0 }, 2);
        if (!ab[0] || !ab[1] || !parse_u64(ab[0], &pair[0]) ||
            !parse_u64(ab[1], &pair[1])) {
            ini_error(ini, errp, "'%s' is not a number pair 'A%cB'", *it, sep);
            g_array_free(pairs, true);
            return false;
        }
        g_array_append_vals(pairs, pair, 1);
    }
    *out = pairs;
    return true;
}

/* Key parsers */

static bool key_bar_type(FakeIni *ini, void *base, const char *value,
                         Error **errp)
{
    FakeBarSpec *b = base;
    g_autofree char *v = g_strstrip(g_strdup(value));

    if (!strcmp(v, "mem32") || !strcmp(v, "mem64")) {
        b->io = false;
        b->mem64 = !strcmp(v, "mem64");
    } else if (!strcmp(v, "io")) {
        b->io = true;
        b->mem64 = b->prefetch = b->mmap = false;
    } else {
        ini_error(ini, errp, "'%s' is not one of mem32, mem64, io", v);
        return false;
    }
    return true;
}

static bool key_bar_sparse(FakeIni *ini, void *base, const char *value,
                           Error **errp)
{
    FakeBarSpec *b = base;
    GArray *pairs;

    if (!parse_pairs(ini, value, ':', &pairs, errp)) {
        return false;
    }
    if (b->sparse) {
        g_array_free(b->sparse, true);
    }
    /* uint64_t[2] {offset, size} has VFIOMmapArea's layout. */
    G_STATIC_ASSERT(sizeof(VFIOMmapArea) == sizeof(uint64_t[2]));
    b->sparse = pairs;
    return true;
}

static bool key_iommu_reserved(FakeIni *ini, void *base, const char *value,
                               Error **errp)
{
    FakeVFIOSpec *s = base;
    GArray *pairs;

    if (!parse_pairs(ini, value, '-', &pairs, errp)) {
        return false;
    }
    for (guint i = 0; i < pairs->len; i++) {
        VFIOIOVARange *r = &g_array_index(pairs, VFIOIOVARange, i);
        if (r->start > r->end) {
            ini_error(ini, errp, "range 0x%" PRIx64 "-0x%" PRIx64
                      " ends before it starts", r->start, r->end);
            g_array_free(pairs, true);
            return false;
        }
    }
    G_STATIC_ASSERT(sizeof(VFIOIOVARange) == sizeof(uint64_t[2]));
    g_array_free(s->reserved, true);
    s->reserved = pairs;
    return true;
}

static const char *const rom_kinds[] = {
    [FAKE_ROM_ABSENT] = "absent",
    [FAKE_ROM_VALID] = "valid",
    [FAKE_ROM_BAD_SIGNATURE] = "bad-signature",
    [FAKE_ROM_BAD_PCIR_POINTER] = "bad-pcir-pointer",
    [FAKE_ROM_BAD_PCIR_SIGNATURE] = "bad-pcir-signature",
    [FAKE_ROM_WRONG_IDS] = "wrong-ids",
    [FAKE_ROM_TOO_LONG] = "too-long",
    [FAKE_ROM_UNREADABLE] = "unreadable",
};

static bool key_rom_kind(FakeIni *ini, void *base, const char *value,
                         Error **errp)
{
    FakeVFIOSpec *s = base;
    g_autofree char *v = g_strstrip(g_strdup(value));

    for (size_t i = 0; i < ARRAY_SIZE(rom_kinds); i++) {
        if (!strcmp(v, rom_kinds[i])) {
            s->rom_kind = i;
            return true;
        }
    }
    ini_error(ini, errp, "'%s' is not a ROM kind (valid, absent, "
              "bad-signature, bad-pcir-pointer, bad-pcir-signature, "
              "wrong-ids, too-long, unreadable)", v);
    return false;
}

bool fake_parse_address(const char *str, uint16_t *segment, uint8_t *bus,
                        uint8_t *devfn)
{
    unsigned seg = 0, b, d, fn;
    int n = -1;

    if (sscanf(str, "%x:%x:%x.%x%n", &seg, &b, &d, &fn, &n) != 4 ||
        str[n]) {
        seg = 0;
        n = -1;
        if (sscanf(str, "%x:%x.%x%n", &b, &d, &fn, &n) != 3 || str[n]) {
            return false;
        }
    }
    if (seg > 0xffff || b > 0xff || d > 0x1f || fn > 7) {
        return false;
    }
    *segment = seg;
    *bus = b;
    *devfn = PCI_DEVFN(d, fn);
    return true;
}

static bool key_address(FakeIni *ini, void *base, const char *value,
                        Error **errp)
{
    FakeVFIOSpec *s = base;
    g_autofree char *v = g_strstrip(g_strdup(value));
    uint16_t seg;
    uint8_t bus, devfn;

    if (!fake_parse_address(v, &seg, &bus, &devfn)) {
        ini_error(ini, errp, "'%s' is not a PCI address (SSSS:BB:DD.F)", v);
        return false;
    }
    g_free(s->address);
    s->address = g_strdup_printf("%04x:%02x:%02x.%x", seg, bus,
                                 PCI_SLOT(devfn), PCI_FUNC(devfn));
    return true;
}

/* Sections */

static const FakeKey device_keys[] = {
    KEY_U("vendor", FakeVFIOSpec, vendor, 0, 0xffff),
    KEY_U("device", FakeVFIOSpec, device, 0, 0xffff),
    KEY_U("class", FakeVFIOSpec, class_code, 0, 0xffffff),
    KEY_U("revision", FakeVFIOSpec, revision, 0, 0xff),
    KEY_U("subsystem-vendor", FakeVFIOSpec, subsys_vendor, 0, 0xffff),
    KEY_U("subsystem", FakeVFIOSpec, subsys, 0, 0xffff),
    KEY_B("express", FakeVFIOSpec, express),
    KEY_U("intx-pin", FakeVFIOSpec, intx_pin, 0, 4),
    KEY_B("flr", FakeVFIOSpec, flr),
    KEY_U("id", FakeVFIOSpec, id, 0, UINT32_MAX),
    KEY_F("address", key_address),
    KEY_U("group", FakeVFIOSpec, group, 0, INT32_MAX),
    KEY_B("err-irq", FakeVFIOSpec, err_irq),
    KEY_B("req-irq", FakeVFIOSpec, req_irq),
    KEY_B("config-eio", FakeVFIOSpec, config_eio),
    { NULL },
};

static const FakeKey bar_keys[] = {
    KEY_U("size", FakeBarSpec, size, 0, FAKE_MAX_BAR_SIZE),
    KEY_F("type", key_bar_type),
    KEY_B("prefetch", FakeBarSpec, prefetch),
    KEY_B("mmap", FakeBarSpec, mmap),
    KEY_F("sparse", key_bar_sparse),
    KEY_U("claimed-size", FakeBarSpec, claimed_size, 0, UINT64_MAX),
    KEY_B("readonly", FakeBarSpec, readonly),
    { NULL },
};

static const FakeKey msi_keys[] = {
    KEY_U("vectors", FakeVFIOSpec, msi_vectors, 0, 32),
    KEY_B("64bit", FakeVFIOSpec, msi_64bit),
    KEY_B("mask", FakeVFIOSpec, msi_mask),
    { NULL },
};

static const FakeKey msix_keys[] = {
    KEY_U("vectors", FakeVFIOSpec, msix_vectors, 0, FAKE_MAX_MSIX),
    KEY_U("table-bar", FakeVFIOSpec, msix_table_bar, 0, PCI_STD_NUM_BARS - 1),
    KEY_U("table-offset", FakeVFIOSpec, msix_table_offset, 0, UINT32_MAX),
    KEY_U("pba-bar", FakeVFIOSpec, msix_pba_bar, 0, PCI_STD_NUM_BARS - 1),
    KEY_U("pba-offset", FakeVFIOSpec, msix_pba_offset, 0, UINT32_MAX),
    KEY_B("mappable", FakeVFIOSpec, msix_mappable),
    KEY_B("noresize", FakeVFIOSpec, msix_noresize),
    { NULL },
};

static const FakeKey rom_keys[] = {
    KEY_F("kind", key_rom_kind),
    KEY_U("size", FakeVFIOSpec, rom_size, 0, FAKE_MAX_ROM_SIZE),
    KEY_U("image-size", FakeVFIOSpec, rom_image_size, 0, FAKE_MAX_ROM_SIZE),
    KEY_S("file", FakeVFIOSpec, rom_file),
    KEY_U("claimed-size", FakeVFIOSpec, rom_claimed_size, 0, INT64_MAX),
    KEY_U("readable", FakeVFIOSpec, rom_readable, 0, FAKE_MAX_ROM_SIZE),
    KEY_B("short-reads", FakeVFIOSpec, rom_short_reads),
    { NULL },
};

static const FakeKey iommu_keys[] = {
    KEY_U("pgsizes", FakeVFIOSpec, pgsizes, 1, UINT64_MAX),
    KEY_F("reserved", key_iommu_reserved),
    KEY_U("dma-avail", FakeVFIOSpec, dma_avail, 0, UINT32_MAX),
    KEY_B("shared", FakeVFIOSpec, iommu_shared),
    KEY_B("account-locked", FakeVFIOSpec, account_locked),
    { NULL },
};

/* "[faults] set-irqs = 2": the fault, armed when the device opens. */
static bool ini_apply_faults(FakeIni *ini, Error **errp)
{
    g_auto(GStrv) names = g_key_file_get_keys(ini->kf, ini->group, NULL,
                                              NULL);

    for (char **n = names; n && *n; n++) {
        g_autofree char *value = g_key_file_get_string(ini->kf, ini->group,
                                                       *n, NULL);
        FakeVFIOFault fault;
        uint64_t v;

        ini->key = *n;
        if (!fake_vfio_fault_parse(*n, &fault)) {
            ini_error(ini, errp, "unknown fault (expected region-eio, "
                      "set-irqs, reset, dma-map, dma-map-nospace, mmap or "
                      "eventfd-read)");
            return false;
        }
        if (!value || !parse_u64(value, &v) || v >= UINT32_MAX ||
            (fault == FAKE_FAULT_REGION_EIO && v >= VFIO_PCI_NUM_REGIONS)) {
            ini_error(ini, errp, "'%s' is not a count (a region index for "
                      "region-eio)", value ? value : "");
            return false;
        }
        ini->spec->faults[fault] = v;
    }
    return true;
}

static bool ini_apply_key(FakeIni *ini, const FakeKey *k, void *base,
                          const char *value, Error **errp)
{
    void *field = (char *)base + k->offset;
    uint64_t u;
    bool b;

    switch (k->type) {
    case KEY_UINT:
        if (!parse_u64(value, &u)) {
            ini_error(ini, errp, "'%s' is not a number", value);
            return false;
        }
        if (u < k->min || u > k->max) {
            ini_error(ini, errp, "%s is out of range [0x%" PRIx64
                      ", 0x%" PRIx64 "]", value, k->min, k->max);
            return false;
        }
        store_uint(field, k->width, u);
        return true;
    case KEY_BOOL:
        if (!parse_bool(value, &b)) {
            ini_error(ini, errp, "'%s' is not a boolean (true/false)", value);
            return false;
        }
        *(bool *)field = b;
        return true;
    case KEY_STR:
        g_free(*(char **)field);
        *(char **)field = g_strdup(value);
        return true;
    default:
        return k->parse(ini, base, value, errp);
    }
}

static bool ini_apply_keys(FakeIni *ini, const FakeKey *keys, void *base,
                           Error **errp)
{
    g_auto(GStrv) names = g_key_file_get_keys(ini->kf, ini->group, NULL,
                                              NULL);

    for (char **n = names; n && *n; n++) {
        g_autofree char *value = NULL;
        const FakeKey *k = keys;

        ini->key = *n;
        while (k->name && strcmp(k->name, *n)) {
            k++;
        }
        if (!k->name) {
            ini_error(ini, errp, "unknown key");
            return false;
        }
        value = g_key_file_get_string(ini->kf, ini->group, *n, NULL);
        if (!value) {
            ini_error(ini, errp, "unreadable value");
            return false;
        }
        if (!ini_apply_key(ini, k, base, value, errp)) {
            return false;
        }
    }
    return true;
}

/* "[config] 0x50 = 05 60 81 00": raw bytes patched over the built space. */
static bool ini_apply_config(FakeIni *ini, Error **errp)
{
    g_auto(GStrv) names = g_key_file_get_keys(ini->kf, ini->group, NULL,
                                              NULL);

    for (char **n = names; n && *n; n++) {
        g_autofree char *value = g_key_file_get_string(ini->kf, ini->group,
                                                       *n, NULL);
        g_auto(GStrv) tokens = NULL;
        FakeConfigPatch *p;
        uint64_t off;

        ini->key = *n;
        if (!parse_u64(*n, &off) || off >= PCI_CFG_SPACE_EXP_SIZE) {
            ini_error(ini, errp, "not a config space offset (0..0xfff)");
            return false;
        }
        p = g_new0(FakeConfigPatch, 1);
        p->offset = off;
        p->bytes = g_byte_array_new();
        g_ptr_array_add(ini->spec->patches, p);
        tokens = g_strsplit_set(value ? value : "", " \t,", -1);
        for (char **t = tokens; *t; t++) {
            char *end;
            unsigned long byte;

            if (!**t) {
                continue;
            }
            byte = strtoul(*t, &end, 16);
            if (*end || strlen(*t) > 2 || !g_ascii_isxdigit(**t)) {
                ini_error(ini, errp, "'%s' is not a hex byte", *t);
                return false;
            }
            g_byte_array_append(p->bytes, (guint8[]){ byte }, 1);
        }
        if (!p->bytes->len || off + p->bytes->len > PCI_CFG_SPACE_EXP_SIZE) {
            ini_error(ini, errp, "expected 1..%u hex bytes",
                      (unsigned)(PCI_CFG_SPACE_EXP_SIZE - off));
            return false;
        }
    }
    return true;
}

static bool ini_apply_group(FakeIni *ini, Error **errp)
{
    const char *g = ini->group;
    FakeVFIOSpec *s = ini->spec;

    ini->key = NULL;
    if (!strcmp(g, "device")) {
        return ini_apply_keys(ini, device_keys, s, errp);
    }
    if (strlen(g) == 4 && g_str_has_prefix(g, "bar") &&
        g[3] >= '0' && g[3] < '0' + PCI_STD_NUM_BARS) {
        return ini_apply_keys(ini, bar_keys, &s->bar[g[3] - '0'], errp);
    }
    if (!strcmp(g, "msi")) {
        return ini_apply_keys(ini, msi_keys, s, errp);
    }
    if (!strcmp(g, "msix")) {
        return ini_apply_keys(ini, msix_keys, s, errp);
    }
    if (!strcmp(g, "rom")) {
        return ini_apply_keys(ini, rom_keys, s, errp);
    }
    if (!strcmp(g, "iommu")) {
        return ini_apply_keys(ini, iommu_keys, s, errp);
    }
    if (!strcmp(g, "config")) {
        return ini_apply_config(ini, errp);
    }
    if (!strcmp(g, "faults")) {
        return ini_apply_faults(ini, errp);
    }
    spec_error(s, errp, g, NULL, "unknown group (expected device, bar0..bar5,"
               " msi, msix, rom, iommu, config or faults)");
    return false;
}

static bool spec_load_ini(FakeVFIOSpec *s, Error **errp)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_auto(GStrv) groups = NULL;
    GError *gerr = NULL;
    FakeIni ini = { .spec = s, .kf = kf };

    if (!g_key_file_load_from_file(kf, s->path, G_KEY_FILE_NONE, &gerr)) {
        error_setg(errp, "fake-vfio: %s: %s", s->path, gerr->message);
        g_error_free(gerr);
        return false;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (char **g = groups; *g; g++) {
        ini.group = *g;
        if (!ini_apply_group(&ini, errp)) {
            return false;
        }
    }
    return true;
}

/* Profiles */

static void profile_common(FakeVFIOSpec *s)
{
    s->subsys_vendor = 0x1af4;
    s->subsys = 0x1100;
    s->class_code = 0xff0000;
    s->intx_pin = 1;
    s->id = 0xfa4e0001;
    s->group = 42;
    s->bar[0].size = FAKE_PAGE_SIZE;
    s->msix_pba_offset = 0x800;
    s->rom_size = 64 * FAKE_KIB;
    s->rom_image_size = 32 * FAKE_KIB;
    s->pgsizes = 0x1000 | 0x200000 | 0x40000000;
    s->dma_avail = 65535;
}

static void profile_basic(FakeVFIOSpec *s)
{
    s->vendor = 0x1b36;
    s->device = 0x0101;
    s->bar[2] = (FakeBarSpec){ .size = 64 * FAKE_KIB, .mem64 = true,
                               .prefetch = true, .mmap = true };
    s->msi_vectors = 1;
}

/* Shaped like e1000e: registers in BAR0, MSI-X in BAR3, a boot ROM. */
static void profile_msix(FakeVFIOSpec *s)
{
    static const VFIOMmapArea bar0_sparse = { FAKE_PAGE_SIZE,
                                              128 * FAKE_KIB - FAKE_PAGE_SIZE };

    s->vendor = 0x8086;
    s->device = 0x10d3;
    s->class_code = 0x020000;
    s->subsys_vendor = 0x8086;
    s->subsys = 0x0000;
    s->express = true;
    s->flr = true;
    s->bar[0] = (FakeBarSpec){ .size = 128 * FAKE_KIB, .mmap = true };
    s->bar[0].sparse = g_array_new(false, false, sizeof(VFIOMmapArea));
    g_array_append_val(s->bar[0].sparse, bar0_sparse);
    s->bar[1] = (FakeBarSpec){ .size = 32, .io = true };
    s->bar[3] = (FakeBarSpec){ .size = 16 * FAKE_KIB, .mmap = true };
    s->msi_vectors = 1;
    s->msi_64bit = true;
    s->msix_vectors = 5;
    s->msix_table_bar = 3;
    s->msix_table_offset = 0;
    s->msix_pba_bar = 3;
    s->msix_pba_offset = 0x2000;
    s->rom_kind = FAKE_ROM_VALID;
}

static void profile_edu(FakeVFIOSpec *s)
{
    s->vendor = 0x1234;
    s->device = 0x11e8;
    s->revision = 0x10;
    s->class_code = 0x00ff00;
    s->bar[0] = (FakeBarSpec){ .size = 1 * FAKE_MIB, .mmap = true };
    s->msi_vectors = 1;
}

static const struct {
    const char *name;
    void (*init)(FakeVFIOSpec *s);
} fake_profiles[] = {
    { "basic", profile_basic },
    { "msix", profile_msix },
    { "edu", profile_edu },
};

/* Checks once the profile and the ini are merged */

bool fake_spec_is_mem64_upper(const FakeVFIOSpec *s, unsigned bar)
{
    return bar > 0 && bar < PCI_STD_NUM_BARS && s->bar[bar - 1].size &&
           s->bar[bar - 1].mem64 && !fake_spec_is_mem64_upper(s, bar - 1);
}

static bool spec_check_sparse(FakeVFIOSpec *s, unsigned i, const char *grp,
                              Error **errp)
{
    FakeBarSpec *b = &s->bar[i];

    for (guint j = 0; b->mmap && b->sparse && j < b->sparse->len; j++) {
        VFIOMmapArea *a = &g_array_index(b->sparse, VFIOMmapArea, j);

        if (!a->size || !QEMU_IS_ALIGNED(a->offset | a->size, FAKE_PAGE_SIZE)
            || a->offset >= b->size || a->size > b->size - a->offset) {
            spec_error(s, errp, grp, "sparse", "area 0x%" PRIx64 ":0x%" PRIx64
                       " is not page-aligned inside the 0x%" PRIx64
                       "-byte BAR", a->offset, a->size, b->size);
            return false;
        }
        if (i == 0 && a->offset < FAKE_PAGE_SIZE) {
            spec_error(s, errp, grp, "sparse", "BAR0's first page holds the "
                       "registers and is never mmappable");
            return false;
        }
    }
    return true;
}

static bool spec_check_bar(FakeVFIOSpec *s, unsigned i, Error **errp)
{
    FakeBarSpec *b = &s->bar[i];
    char grp[8];

    snprintf(grp, sizeof(grp), "bar%u", i);
    if (fake_spec_is_mem64_upper(s, i)) {
        if (b->size) {
            spec_error(s, errp, grp, "size", "BAR%u is the upper half of "
                       "64-bit BAR%u", i, i - 1);
            return false;
        }
        return true;
    }
    if (!b->size) {
        return true;
    }
    if (!is_power_of_2(b->size)) {
        spec_error(s, errp, grp, "size", "0x%" PRIx64 " is not a power of 2",
                   b->size);
        return false;
    }
    if (b->io) {
        if (b->size < 4 || b->size > FAKE_MAX_IO_BAR || i == 0) {
            spec_error(s, errp, grp, "type", "an I/O BAR is 4..%u bytes and "
                       "not BAR0", FAKE_MAX_IO_BAR);
            return false;
        }
        if (b->prefetch || b->mmap) {
            spec_error(s, errp, grp, b->mmap ? "mmap" : "prefetch",
                       "not possible on an I/O BAR");
            return false;
        }
        return true;
    }
    if (b->size < 16 || (!b->mem64 && b->size > 2 * FAKE_GIB) ||
        (i == 0 && b->size < FAKE_PAGE_SIZE)) {
        spec_error(s, errp, grp, "size", "0x%" PRIx64 " is out of range "
                   "(%s)", b->size, i == 0 ? "BAR0 holds a 4 KiB register page"
                   : "16 bytes..2 GiB, more only for mem64");
        return false;
    }
    if (b->mem64 && i == PCI_STD_NUM_BARS - 1) {
        spec_error(s, errp, grp, "type", "a 64-bit BAR needs the next BAR "
                   "as its upper half");
        return false;
    }
    return spec_check_sparse(s, i, grp, errp);
}

static bool spec_check_bars(FakeVFIOSpec *s, Error **errp)
{
    if (!s->bar[0].size) {
        spec_error(s, errp, "bar0", "size", "BAR0 always exists (it holds "
                   "the register page)");
        return false;
    }
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        if (!spec_check_bar(s, i, errp)) {
            return false;
        }
    }
    return true;
}

static bool spec_check_msix_range(FakeVFIOSpec *s, const char *what,
                                  unsigned bar, uint64_t off, uint64_t len,
                                  Error **errp)
{
    g_autofree char *bar_key = g_strdup_printf("%s-bar", what);
    g_autofree char *off_key = g_strdup_printf("%s-offset", what);
    FakeBarSpec *b = &s->bar[bar];

    if (!b->size || b->io || fake_spec_is_mem64_upper(s, bar)) {
        spec_error(s, errp, "msix", bar_key, "BAR%u is not a memory BAR",
                   bar);
        return false;
    }
    if (!QEMU_IS_ALIGNED(off, 8) || off > b->size || len > b->size - off) {
        spec_error(s, errp, "msix", off_key, "0x%" PRIx64 " (0x%" PRIx64
                   " bytes) is not 8-byte aligned inside BAR%u", off, len,
                   bar);
        return false;
    }
    if (bar == 0 && off < FAKE_PAGE_SIZE) {
        spec_error(s, errp, "msix", off_key, "BAR0's first page holds the "
                   "registers");
        return false;
    }
    return true;
}

static bool spec_check_irqs(FakeVFIOSpec *s, Error **errp)
{
    unsigned n = s->msix_vectors;

    /* The MSI capability can only express powers of two. */
    s->msi_vectors = pow2ceil(s->msi_vectors);
    if (!n) {
        return true;
    }
    return spec_check_msix_range(s, "table", s->msix_table_bar,
                                 s->msix_table_offset,
                                 n * PCI_MSIX_ENTRY_SIZE, errp) &&
           spec_check_msix_range(s, "pba", s->msix_pba_bar,
                                 s->msix_pba_offset,
                                 (n + 63) / 64 * 8, errp);
}

static bool spec_check_rom(FakeVFIOSpec *s, Error **errp)
{
    if (s->rom_kind == FAKE_ROM_ABSENT && !s->rom_file) {
        return true;
    }
    if (!is_power_of_2(s->rom_size) || s->rom_size < 2 * FAKE_KIB) {
        spec_error(s, errp, "rom", "size", "0x%" PRIx64 " is not a power of "
                   "2 of at least 2 KiB", s->rom_size);
        return false;
    }
    if (s->rom_file) {
        return true;
    }
    if (s->rom_image_size < 512 || s->rom_image_size % 512 ||
        s->rom_image_size > s->rom_size) {
        spec_error(s, errp, "rom", "image-size", "0x%" PRIx64 " is not a "
                   "multiple of 512 within the 0x%" PRIx64 "-byte ROM",
                   s->rom_image_size, s->rom_size);
        return false;
    }
    return true;
}

static bool spec_check_config(FakeVFIOSpec *s, Error **errp)
{
    uint32_t size = s->express ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;

    for (guint i = 0; i < s->patches->len; i++) {
        FakeConfigPatch *p = g_ptr_array_index(s->patches, i);
        g_autofree char *key = g_strdup_printf("0x%x", p->offset);

        if (p->offset + p->bytes->len > size) {
            spec_error(s, errp, "config", key, "beyond the %u-byte config "
                       "space%s", size, s->express ? "" : " (express=false)");
            return false;
        }
    }
    return true;
}

static bool spec_check(FakeVFIOSpec *s, Error **errp)
{
    return spec_check_bars(s, errp) && spec_check_irqs(s, errp) &&
           spec_check_rom(s, errp) && spec_check_config(s, errp);
}

FakeVFIOSpec *fake_spec_new(const char *profile, const char *path,
                            Error **errp)
{
    FakeVFIOSpec *s = g_new0(FakeVFIOSpec, 1);
    size_t i;

    s->profile = g_strdup(profile && *profile ? profile : "basic");
    s->path = path && *path ? g_strdup(path) : NULL;
    s->reserved = g_array_new(false, false, sizeof(VFIOIOVARange));
    s->patches = g_ptr_array_new();
    s->faults[FAKE_FAULT_REGION_EIO] = UINT32_MAX;      /* no region */
    profile_common(s);
    for (i = 0; i < ARRAY_SIZE(fake_profiles); i++) {
        if (!strcmp(fake_profiles[i].name, s->profile)) {
            fake_profiles[i].init(s);
            break;
        }
    }
    if (i == ARRAY_SIZE(fake_profiles)) {
        error_setg(errp, "fake-vfio: unknown profile '%s' (expected basic, "
                   "msix or edu)", s->profile);
        goto fail;
    }
    if ((s->path && !spec_load_ini(s, errp)) || !spec_check(s, errp)) {
        goto fail;
    }
    return s;

fail:
    fake_spec_free(s);
    return NULL;
}

void fake_spec_free(FakeVFIOSpec *s)
{
    if (!s) {
        return;
    }
    for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
        if (s->bar[i].sparse) {
            g_array_free(s->bar[i].sparse, true);
        }
    }
    for (guint i = 0; i < s->patches->len; i++) {
        FakeConfigPatch *p = g_ptr_array_index(s->patches, i);
        g_byte_array_free(p->bytes, true);
        g_free(p);
    }
    g_ptr_array_free(s->patches, true);
    g_array_free(s->reserved, true);
    g_free(s->profile);
    g_free(s->path);
    g_free(s->address);
    g_free(s->rom_file);
    g_free(s);
}
