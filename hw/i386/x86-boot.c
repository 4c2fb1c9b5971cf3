/*
 * Direct Linux boot on x86 (see include/hw/i386/x86-boot.h for the
 * placements): the setup header parser, the e820 table, and the loaded
 * image that is written into guest RAM at every reset.
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include <asm/processor-flags.h>
#include "hw/i386/x86-boot.h"
#include "system/memory.h"
#include "trace.h"

#define MiB ((uint64_t)1 << 20)
#define MIB_ROUND_UP(n) (((n) + MiB - 1) / MiB)

/* The e820 table */

void x86_e820_init(X86E820Table *t)
{
    memset(t, 0, sizeof(*t));
}

static uint64_t e820_end(const struct boot_e820_entry *e)
{
    return e->addr + e->size;
}

static void e820_remove(X86E820Table *t, unsigned i)
{
    memmove(&t->entries[i], &t->entries[i + 1],
            (t->count - i - 1) * sizeof(t->entries[0]));
    t->count--;
}

bool x86_e820_add(X86E820Table *t, uint64_t addr, uint64_t size,
                  uint32_t type, Error **errp)
{
    struct boot_e820_entry *prev, *next;
    unsigned i = 0;

    if (!size || size > UINT64_MAX - addr) {
        error_setg(errp, "e820: invalid range at 0x%" PRIx64 " size 0x%"
                   PRIx64, addr, size);
        return false;
    }
    while (i < t->count && t->entries[i].addr < addr) {
        i++;
    }
    prev = i ? &t->entries[i - 1] : NULL;
    next = i < t->count ? &t->entries[i] : NULL;
    if ((prev && e820_end(prev) > addr) || (next && addr + size > next->addr)) {
        const struct boot_e820_entry *o = prev && e820_end(prev) > addr
                                          ? prev : next;

        error_setg(errp, "e820: [0x%" PRIx64 ", 0x%" PRIx64 ") type %u "
                   "overlaps [0x%" PRIx64 ", 0x%" PRIx64 ") type %u",
                   addr, addr + size, type, (uint64_t)o->addr, e820_end(o),
                   (unsigned)o->type);
        return false;
    }
    trace_x86_e820_add(addr, size, type);
    if (prev && prev->type == type && e820_end(prev) == addr) {
        prev->size += size;
        if (next && next->type == type && e820_end(prev) == next->addr) {
            prev->size += next->size;
            e820_remove(t, i);
        }
        return true;
    }
    if (next && next->type == type && addr + size == next->addr) {
        next->addr = addr;
        next->size += size;
        return true;
    }
    if (t->count == ARRAY_SIZE(t->entries)) {
        error_setg(errp, "e820: table full, it holds at most %zu ranges",
                   ARRAY_SIZE(t->entries));
        return false;
    }
    memmove(&t->entries[i + 1], &t->entries[i],
            (t->count - i) * sizeof(t->entries[0]));
    t->entries[i] = (struct boot_e820_entry) {
        .addr = addr, .size = size, .type = type,
    };
    t->count++;
    return true;
}

const struct boot_e820_entry *x86_e820_find(const X86E820Table *t,
                                            uint64_t addr, uint64_t size)
{
    for (unsigned i = 0; i < t->count; i++) {
        const struct boot_e820_entry *e = &t->entries[i];

        if (addr >= e->addr && addr - e->addr < e->size &&
            size <= e->size - (addr - e->addr)) {
            return e;
        }
    }
    return NULL;
}

/* The setup header */

#define SETUP_HEADER_OFFSET offsetof(struct boot_params, hdr)
#define HDR_FIELD_OFFSET(f) \
    (SETUP_HEADER_OFFSET + offsetof(struct setup_header, f))
#define HDR_FIELD_END(f) \
    (HDR_FIELD_OFFSET(f) + sizeof(((struct setup_header *)0)->f))
#define BOOT_FLAG_MAGIC 0xAA55
#define HDRS_MAGIC 0x53726448           /* "HdrS" */
#define JUMP_OPCODE 0xEB                /* jmp rel8, over the header */
#define SECTOR_SIZE 512
#define DEFAULT_SETUP_SECTS 4

/*
 * The end of the setup header in the file: the jump at 0x200 skips it.
 * It must hold every field the loader reads for this protocol.
 */
static bool header_end(const uint8_t *buf, size_t len, const char *name,
                       uint16_t protocol, size_t *end, Error **errp)
{
    size_t need = protocol >= 0x020a ? HDR_FIELD_END(init_size)
                                     : HDR_FIELD_END(cmdline_size);

    if (buf[HDR_FIELD_OFFSET(jump)] != JUMP_OPCODE) {
        error_setg(errp, "kernel '%s': no jump over the setup header at "
                   "0x200: the file is not a bzImage or is damaged", name);
        return false;
    }
    *end = HDR_FIELD_OFFSET(header) +
           (int8_t)buf[HDR_FIELD_OFFSET(jump) + 1];
    if (*end < need) {
        error_setg(errp, "kernel '%s': the setup header ends at 0x%zx, "
                   "before the fields protocol %u.%02u defines (up to 0x%zx)",
                   name, *end, protocol >> 8, protocol & 0xff, need);
        return false;
    }
    if (*end > len) {
        error_setg(errp, "kernel '%s' is truncated: it ends (%zu bytes) "
                   "inside its setup header", name, len);
        return false;
    }
    return true;
}

/* Signatures and version: is this a bzImage we can boot at all? */
static bool check_signatures(const uint8_t *buf, size_t len, const char *name,
                             Error **errp)
{
    uint16_t protocol;

    if (len >= 4 && !memcmp(buf, "\x7f" "ELF", 4)) {
        error_setg(errp, "kernel '%s' is an ELF file (a vmlinux?): qvfio "
                   "boots bzImage kernels directly (arch/x86/boot/bzImage, "
                   "/boot/vmlinuz-*)", name);
        return false;
    }
    if (len < HDR_FIELD_END(version)) {
        error_setg(errp, "kernel '%s' is too short (%zu bytes) to be a "
                   "Linux bzImage", name, len);
        return false;
    }
    if (lduw_le_p(buf + HDR_FIELD_OFFSET(boot_flag)) != BOOT_FLAG_MAGIC) {
        error_setg(errp, "kernel '%s' is not a Linux bzImage (no 0xAA55 "
                   "boot-sector signature): qvfio boots bzImage kernels "
                   "directly", name);
        return false;
    }
    if (ldl_le_p(buf + HDR_FIELD_OFFSET(header)) != HDRS_MAGIC) {
        error_setg(errp, "kernel '%s' is not a Linux bzImage (no HdrS "
                   "signature): qvfio boots bzImage kernels directly", name);
        return false;
    }
    protocol = lduw_le_p(buf + HDR_FIELD_OFFSET(version));
    if (protocol < X86_BOOT_MIN_PROTOCOL) {
        error_setg(errp, "kernel '%s' uses boot protocol %u.%02u: qvfio "
                   "boots kernels with protocol %u.%02u or newer (Linux "
                   "2.6.22 and later)", name, protocol >> 8, protocol & 0xff,
                   X86_BOOT_MIN_PROTOCOL >> 8, X86_BOOT_MIN_PROTOCOL & 0xff);
        return false;
    }
    return true;
}

/* The real-mode setup and the protected-mode kernel after it. */
static bool check_sizes(X86BootHeader *hdr, size_t len, const char *name,
                        Error **errp)
{
    const struct setup_header *raw = &hdr->raw;

    if (!(raw->loadflags & LOADED_HIGH)) {
        error_setg(errp, "kernel '%s' is a zImage (LOADED_HIGH clear): qvfio "
                   "boots bzImage kernels only", name);
        return false;
    }
    hdr->setup_sects = raw->setup_sects ? raw->setup_sects
                                        : DEFAULT_SETUP_SECTS;
    hdr->setup_size = (hdr->setup_sects + 1) * SECTOR_SIZE;
    hdr->kernel_size = (uint64_t)GUINT32_FROM_LE(raw->syssize) * 16;
    if (len < hdr->setup_size) {
        error_setg(errp, "kernel '%s' is truncated: it ends (%zu bytes) "
                   "inside its real-mode setup (%u sectors)", name, len,
                   hdr->setup_sects);
        return false;
    }
    if (!hdr->kernel_size) {
        error_setg(errp, "kernel '%s': the protected-mode kernel is empty "
                   "(syssize 0)", name);
        return false;
    }
    if (hdr->kernel_size > len - hdr->setup_size) {
        error_setg(errp, "kernel '%s' is truncated: syssize says the "
                   "protected-mode kernel has %" PRIu64 " bytes, the file "
                   "holds %zu after the setup", name, hdr->kernel_size,
                   len - hdr->setup_size);
        return false;
    }
    return true;
}

/* The fields that decide where the kernel goes. */
static bool check_placement_fields(X86BootHeader *hdr, const char *name,
                                   Error **errp)
{
    const struct setup_header *raw = &hdr->raw;

    hdr->relocatable = raw->relocatable_kernel;
    hdr->kernel_alignment = GUINT32_FROM_LE(raw->kernel_alignment);
    hdr->kernel_64 = hdr->protocol >= 0x020c &&
                     (GUINT16_FROM_LE(raw->xloadflags) & XLF_KERNEL_64);
    hdr->initrd_addr_max = GUINT32_FROM_LE(raw->initrd_addr_max);
    hdr->cmdline_size = GUINT32_FROM_LE(raw->cmdline_size);
    if (hdr->protocol >= 0x020a) {
        hdr->pref_address = GUINT64_FROM_LE(raw->pref_address);
        hdr->init_size = GUINT32_FROM_LE(raw->init_size);
    }
    if (hdr->relocatable && !is_power_of_2(hdr->kernel_alignment)) {
        error_setg(errp, "kernel '%s': kernel_alignment 0x%x is not a power "
                   "of two", name, hdr->kernel_alignment);
        return false;
    }
    if (hdr->protocol >= 0x020a && !hdr->init_size) {
        error_setg(errp, "kernel '%s': init_size is 0 (protocol %u.%02u "
                   "must say how much memory the kernel needs)", name,
                   hdr->protocol >> 8, hdr->protocol & 0xff);
        return false;
    }
    if (hdr->pref_address >= (1ULL << 32)) {
        error_setg(errp, "kernel '%s': pref_address 0x%" PRIx64 " is above "
                   "4 GiB, out of reach of the 32-bit entry", name,
                   hdr->pref_address);
        return false;
    }
    return true;
}

/*
 * A relocatable kernel goes to pref_address: its decompressor never runs
 * it below that (LOAD_PHYSICAL_ADDR), so loading it there keeps all it
 * needs in one span. Other kernels load at 1 MiB and move themselves to
 * pref_address. Inputs are below 2^38 here: nothing overflows.
 */
static bool place_kernel(X86BootHeader *hdr, const char *name, Error **errp)
{
    uint64_t need = MAX(hdr->init_size, hdr->kernel_size);

    if (hdr->relocatable) {
        hdr->load_addr = MAX(hdr->pref_address, X86_BOOT_KERNEL_LOW_ADDR);
        hdr->run_addr = MAX(QEMU_ALIGN_UP(hdr->load_addr,
                                          (uint64_t)hdr->kernel_alignment),
                            hdr->pref_address);
    } else {
        hdr->load_addr = X86_BOOT_KERNEL_LOW_ADDR;
        hdr->run_addr = hdr->pref_address ? hdr->pref_address
                                          : X86_BOOT_KERNEL_LOW_ADDR;
    }
    if (hdr->run_addr < X86_BOOT_KERNEL_LOW_ADDR) {
        error_setg(errp, "kernel '%s' runs at 0x%" PRIx64 ", below 1 MiB: "
                   "qvfio boots bzImage kernels that run above 1 MiB", name,
                   hdr->run_addr);
        return false;
    }
    hdr->span_start = MIN(hdr->load_addr, hdr->run_addr);
    hdr->span_end = MAX(hdr->load_addr + hdr->kernel_size,
                        hdr->run_addr + need);
    if (hdr->span_end > (1ULL << 32)) {
        error_setg(errp, "kernel '%s' needs RAM up to 0x%" PRIx64 ", above "
                   "4 GiB, out of reach of the 32-bit entry", name,
                   hdr->span_end);
        return false;
    }
    return true;
}

/*
 * @buf holds the first @buf_len bytes of a file of @file_len bytes: the
 * header must be in @buf, the sizes are checked against the file.
 */
static bool parse_header(const uint8_t *p, size_t buf_len, uint64_t file_len,
                         const char *name, X86BootHeader *hdr, Error **errp)
{
    size_t len = MIN(file_len, SIZE_MAX);
    size_t end;

    memset(hdr, 0, sizeof(*hdr));
    if (!check_signatures(p, buf_len, name, errp)) {
        return false;
    }
    hdr->protocol = lduw_le_p(p + HDR_FIELD_OFFSET(version));
    if (!header_end(p, buf_len, name, hdr->protocol, &end, errp)) {
        return false;
    }
    memcpy(&hdr->raw, p + SETUP_HEADER_OFFSET,
           MIN(end, SETUP_HEADER_OFFSET + sizeof(hdr->raw)) -
           SETUP_HEADER_OFFSET);
    if (!check_sizes(hdr, len, name, errp) ||
        !check_placement_fields(hdr, name, errp) ||
        !place_kernel(hdr, name, errp)) {
        return false;
    }
    trace_x86_boot_header(name, hdr->protocol, hdr->setup_sects,
                          hdr->kernel_size, hdr->init_size, hdr->pref_address,
                          hdr->kernel_alignment, hdr->relocatable,
                          hdr->kernel_64);
    return true;
}

bool x86_boot_parse_header(const void *buf, size_t len, const char *name,
                           X86BootHeader *hdr, Error **errp)
{
    return parse_header(buf, len, len, name, hdr, errp);
}

/* The command line, as far as a boot loader reads it */

/*
 * Calls @fn for each "key=value" parameter before "--", with quotes
 * removed from the value, as the kernel splits its command line.
 */
static void cmdline_foreach(const char *cmdline,
                            void (*fn)(const char *key, const char *value,
                                       void *opaque),
                            void *opaque)
{
    const char *p = cmdline;

    while (*p) {
        g_autoptr(GString) key = g_string_new(NULL);
        g_autoptr(GString) value = NULL;
        bool quoted = false;

        while (g_ascii_isspace(*p)) {
            p++;
        }
        for (; *p && (quoted || !g_ascii_isspace(*p)); p++) {
            if (*p == '"') {
                quoted = !quoted;
            } else if (*p == '=' && !value) {
                value = g_string_new(NULL);
            } else {
                g_string_append_c(value ? value : key, *p);
            }
        }
        if (!strcmp(key->str, "--") && !value) {
            return;             /* the rest is for init */
        }
        if (value) {
            fn(key->str, value->str, opaque);
        }
    }
}

static void find_vga(const char *key, const char *value, void *opaque)
{
    uint16_t *mode = opaque;
    guint64 n;

    if (strcmp(key, "vga")) {
        return;
    }
    if (!strcmp(value, "normal")) {
        *mode = 0xffff;
    } else if (!strcmp(value, "ext")) {
        *mode = 0xfffe;
    } else if (!strcmp(value, "ask")) {
        *mode = 0xfffd;
    } else if (g_ascii_string_to_unsigned(value, 10, 0, 0xffff, &n, NULL) ||
               ((g_str_has_prefix(value, "0x") ||
                 g_str_has_prefix(value, "0X")) &&
                g_ascii_string_to_unsigned(value + 2, 16, 0, 0xffff, &n,
                                           NULL))) {
        *mode = n;
    }
}

uint16_t x86_boot_cmdline_vid_mode(const char *cmdline)
{
    uint16_t mode = 0xffff;     /* "normal" */

    cmdline_foreach(cmdline, find_vga, &mode);
    return mode;
}

/* The kernel's memparse: a C number with an optional K/M/G/T/P/E suffix. */
static void find_mem(const char *key, const char *value, void *opaque)
{
    static const char suffixes[] = "kmgtpe";
    uint64_t *limit = opaque;
    const char *s;
    char *rest;
    guint64 n;

    if (strcmp(key, "mem") || !g_ascii_isdigit(value[0])) {
        return;                 /* mem=nopentium and the like */
    }
    errno = 0;
    n = g_ascii_strtoull(value, &rest, 0);
    if (errno) {
        return;
    }
    s = *rest ? strchr(suffixes, g_ascii_tolower(*rest)) : NULL;
    if (s) {
        unsigned shift = 10 * (s - suffixes + 1);

        n = n > (UINT64_MAX >> shift) ? 0 : n << shift;
    }
    *limit = n;
}

uint64_t x86_boot_cmdline_mem_limit(const char *cmdline)
{
    uint64_t limit = 0;

    cmdline_foreach(cmdline, find_mem, &limit);
    return limit;
}

/* The GDT of the 32-bit entry */

static const X86BootSegment boot_cs = {
    .selector = X86_BOOT_CS, .base = 0, .limit = 0xffffffff, .type = 0xb,
    .present = true, .s = true, .db = true, .g = true,
};

static const X86BootSegment boot_ds = {
    .selector = X86_BOOT_DS, .base = 0, .limit = 0xffffffff, .type = 0x3,
    .present = true, .s = true, .db = true, .g = true,
};

uint64_t x86_boot_gdt_descriptor(const X86BootSegment *seg)
{
    uint32_t limit = seg->g ? seg->limit >> 12 : seg->limit;

    return (limit & 0xffffULL) |
           ((uint64_t)(seg->base & 0xffffff) << 16) |
           ((uint64_t)(seg->type & 0xf) << 40) |
           ((uint64_t)seg->s << 44) |
           ((uint64_t)(seg->dpl & 3) << 45) |
           ((uint64_t)seg->present << 47) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) |
           ((uint64_t)seg->db << 54) |
           ((uint64_t)seg->g << 55) |
           ((uint64_t)(seg->base >> 24) << 56);
}

/* The loaded image */

/* Nothing larger fits in guest RAM below 4 GiB. */
#define BOOT_FILE_MAX (4ULL << 30)

/*
 * The files stay open: a reboot reads the same files, even if they were
 * replaced (renamed over) meanwhile; they are read straight into guest RAM
 * each time, so their bytes are never held in qvfio's own memory.
 */
struct X86BootImage {
    char *kernel_path;
    char *initrd_path;
    char *cmdline;
    int kernel_fd;
    int initrd_fd;              /* -1 without -initrd */
    uint64_t kernel_file_size;
    uint64_t initrd_size;
    X86BootHeader hdr;
};

/* The header lies in the first sectors: this much is read to parse it. */
#define HEADER_READ_SIZE 4096

static bool pread_all(int fd, void *buf, size_t size, uint64_t offset,
                      const char *what, const char *path, Error **errp)
{
    size_t got = 0;

    while (got < size) {
        ssize_t n = pread(fd, (uint8_t *)buf + got, size - got, offset + got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error_setg_errno(errp, errno, "could not read %s '%s'", what,
                             path);
            return false;
        }
        if (n == 0) {
            error_setg(errp, "%s '%s' shrank while it was read", what, path);
            return false;
        }
        got += n;
    }
    return true;
}

/* A regular file of a size that fits below 4 GiB: its fd and size. */
static int open_boot_file(const char *what, const char *path, uint64_t *size,
                          Error **errp)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open %s '%s'", what, path);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "could not read %s '%s'", what, path);
    } else if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "%s '%s' is not a regular file", what, path);
    } else if ((uint64_t)st.st_size >= BOOT_FILE_MAX) {
        error_setg(errp, "%s '%s' is too big (%" PRIu64 " MiB): it must fit "
                   "in guest RAM below 4 GiB", what, path,
                   (uint64_t)st.st_size / MiB);
    } else {
        trace_x86_boot_file_read(what, path, st.st_size);
        *size = st.st_size;
        return fd;
    }
    close(fd);
    return -1;
}

void x86_boot_image_free(X86BootImage *img)
{
    if (!img) {
        return;
    }
    g_free(img->kernel_path);
    g_free(img->initrd_path);
    g_free(img->cmdline);
    if (img->kernel_fd >= 0) {
        close(img->kernel_fd);
    }
    if (img->initrd_fd >= 0) {
        close(img->initrd_fd);
    }
    g_free(img);
}

static bool check_cmdline(const X86BootImage *img, Error **errp)
{
    size_t len = strlen(img->cmdline);

    if (len > img->hdr.cmdline_size) {
        error_setg(errp, "the kernel command line is %zu bytes long; kernel "
                   "'%s' accepts at most %u (its cmdline_size)", len,
                   img->kernel_path, img->hdr.cmdline_size);
        return false;
    }
    if (len >= X86_BOOT_CMDLINE_END - X86_BOOT_CMDLINE_ADDR) {
        error_setg(errp, "the kernel command line is %zu bytes long; qvfio "
                   "passes at most %d", len,
                   X86_BOOT_CMDLINE_END - X86_BOOT_CMDLINE_ADDR - 1);
        return false;
    }
    return true;
}

static bool read_kernel_header(X86BootImage *img, Error **errp)
{
    uint8_t head[HEADER_READ_SIZE];
    size_t n = MIN(img->kernel_file_size, sizeof(head));

    return pread_all(img->kernel_fd, head, n, 0, "kernel", img->kernel_path,
                     errp) &&
           parse_header(head, n, img->kernel_file_size, img->kernel_path,
                        &img->hdr, errp);
}

X86BootImage *x86_boot_image_new(const char *kernel_path,
                                 const char *initrd_path,
                                 const char *cmdline, Error **errp)
{
    g_autoptr(X86BootImage) img = g_new0(X86BootImage, 1);

    img->kernel_fd = img->initrd_fd = -1;
    if (!kernel_path) {
        error_setg(errp, "no kernel to boot: give one with -kernel");
        return NULL;
    }
    img->kernel_path = g_strdup(kernel_path);
    img->initrd_path = g_strdup(initrd_path);
    img->cmdline = g_strdup(cmdline ? cmdline : "");
    img->kernel_fd = open_boot_file("kernel", kernel_path,
                                    &img->kernel_file_size, errp);
    if (img->kernel_fd < 0 || !read_kernel_header(img, errp) ||
        !check_cmdline(img, errp)) {
        return NULL;
    }
    if (initrd_path) {
        img->initrd_fd = open_boot_file("initrd", initrd_path,
                                        &img->initrd_size, errp);
        if (img->initrd_fd < 0) {
            return NULL;
        }
        if (!img->initrd_size) {
            error_setg(errp, "initrd '%s' is empty", initrd_path);
            return NULL;
        }
    }
    return g_steal_pointer(&img);
}

const X86BootHeader *x86_boot_image_header(const X86BootImage *img)
{
    return &img->hdr;
}

/* Loading */

/* The end of the RAM range that holds 1 MiB: kernel and initrd go below. */
static bool low_ram_end(const X86BootConfig *cfg, uint64_t *end,
                        Error **errp)
{
    const struct boot_e820_entry *e = x86_e820_find(cfg->e820,
                                                    X86_BOOT_KERNEL_LOW_ADDR,
                                                    1);

    if (!e || e->type != X86_E820_RAM) {
        error_setg(errp, "the guest memory map has no RAM at 1 MiB to load "
                   "a kernel into");
        return false;
    }
    *end = MIN(e820_end(e), 1ULL << 32);
    return true;
}

static bool place_initrd(const X86BootImage *img, uint64_t ram_end,
                         X86BootLayout *layout, Error **errp)
{
    const X86BootHeader *hdr = &img->hdr;
    uint64_t mem = x86_boot_cmdline_mem_limit(img->cmdline);
    uint64_t limit = ram_end;
    const char *why = "the end of guest RAM below 4 GiB";
    uint64_t size;

    if (img->initrd_fd < 0) {
        return true;
    }
    size = img->initrd_size;
    if ((uint64_t)hdr->initrd_addr_max + 1 < limit) {
        limit = (uint64_t)hdr->initrd_addr_max + 1;
        why = "the kernel's initrd_addr_max";
    }
    if (mem && mem < limit) {
        limit = mem;
        why = "mem= on the kernel command line";
    }
    if (limit < layout->kernel_span_end ||
        size > limit - layout->kernel_span_end ||
        QEMU_ALIGN_DOWN(limit - size, 4096) < layout->kernel_span_end) {
        error_setg(errp, "initrd '%s' (%" PRIu64 " MiB) does not fit between "
                   "the kernel's end (%" PRIu64 " MiB) and %" PRIu64 " MiB "
                   "(%s): give the guest more memory with -m",
                   img->initrd_path, MIB_ROUND_UP(size),
                   MIB_ROUND_UP(layout->kernel_span_end), limit / MiB,
                   why);
        return false;
    }
    layout->initrd_addr = QEMU_ALIGN_DOWN(limit - size, 4096);
    layout->initrd_size = size;
    return true;
}

static bool place_all(const X86BootImage *img, const X86BootConfig *cfg,
                      X86BootLayout *layout, Error **errp)
{
    const X86BootHeader *hdr = &img->hdr;
    uint64_t ram_end;

    if (!low_ram_end(cfg, &ram_end, errp)) {
        return false;
    }
    *layout = (X86BootLayout) {
        .kernel_addr = hdr->load_addr,
        .kernel_size = hdr->kernel_size,
        .kernel_span_end = hdr->span_end,
        .cmdline_addr = X86_BOOT_CMDLINE_ADDR,
        .cmdline_size = strlen(img->cmdline) + 1,
    };
    if (hdr->span_end > ram_end) {
        error_setg(errp, "kernel '%s' needs guest RAM up to %" PRIu64 " MiB "
                   "(it runs at %" PRIu64 " MiB and needs %" PRIu64 " MiB "
                   "there), but RAM below 4 GiB ends at %" PRIu64 " MiB: give "
                   "the guest more memory with -m", img->kernel_path,
                   MIB_ROUND_UP(hdr->span_end), hdr->run_addr / MiB,
                   MIB_ROUND_UP(hdr->span_end - hdr->run_addr),
                   ram_end / MiB);
        return false;
    }
    return place_initrd(img, ram_end, layout, errp);
}

/* A range the loader uses, for checks and messages. */
typedef struct BootRange {
    const char *what;
    uint64_t addr;
    uint64_t size;
} BootRange;

/*
 * The memory map must call @r RAM (or the kernel would not use it), and
 * every byte of it must be guest RAM in address_space_memory.
 */
static bool check_range(const X86E820Table *t, const BootRange *r,
                        Error **errp)
{
    const struct boot_e820_entry *e = x86_e820_find(t, r->addr, r->size);
    uint64_t pos = r->addr, end = r->addr + r->size;

    if (!e || e->type != X86_E820_RAM) {
        error_setg(errp, "the %s (0x%" PRIx64 "-0x%" PRIx64 ") is not in a "
                   "RAM range of the guest memory map", r->what, r->addr,
                   end - 1);
        return false;
    }
    while (pos < end) {
        MemoryRegionSection s = address_space_find_section(
                                    &address_space_memory, pos);

        if (!s.mr || !memory_region_is_ram(s.mr) ||
            memory_region_is_ram_device(s.mr) || s.readonly) {
            error_setg(errp, "the %s (0x%" PRIx64 "-0x%" PRIx64 ") would not "
                       "land in guest RAM: 0x%" PRIx64 " is %s%s%s", r->what,
                       r->addr, end - 1, pos, s.mr ? "'" : "unassigned",
                       s.mr ? memory_region_name(s.mr) : "",
                       s.mr ? "'" : "");
            return false;
        }
        pos += MIN(s.size, end - pos);
    }
    return true;
}

/* Read @r->size bytes of @fd at @offset into guest RAM (checked) at @r. */
static bool read_guest(const BootRange *r, int fd, uint64_t offset,
                       const char *path, Error **errp)
{
    uint64_t done = 0;

    while (done < r->size) {
        MemoryRegionSection s = address_space_find_section(
                                    &address_space_memory, r->addr + done);
        uint8_t *host = (uint8_t *)memory_region_get_ram_ptr(s.mr) +
                        s.offset_within_region;
        uint64_t n = MIN(s.size, r->size - done);

        if (!pread_all(fd, host, n, offset + done, r->what, path, errp)) {
            return false;
        }
        done += n;
    }
    trace_x86_boot_write(r->what, r->addr, r->size);
    return true;
}

/* The files must still be what was checked at start: same sizes. */
static bool check_files_unchanged(const X86BootImage *img, Error **errp)
{
    struct stat st;

    if (fstat(img->kernel_fd, &st) < 0 ||
        (uint64_t)st.st_size != img->kernel_file_size) {
        error_setg(errp, "kernel '%s' was changed in place since qvfio "
                   "started; restart qvfio to boot the new one",
                   img->kernel_path);
        return false;
    }
    if (img->initrd_fd >= 0 &&
        (fstat(img->initrd_fd, &st) < 0 ||
         (uint64_t)st.st_size != img->initrd_size)) {
        error_setg(errp, "initrd '%s' was changed in place since qvfio "
                   "started; restart qvfio to boot the new one",
                   img->initrd_path);
        return false;
    }
    return true;
}

static bool write_guest(const BootRange *r, const void *buf, Error **errp)
{
    MemTxResult res = address_space_write(&address_space_memory, r->addr, buf,
                                          r->size);

    if (res != MEMTX_OK) {
        error_setg(errp, "writing the %s at 0x%" PRIx64 " failed (memory "
                   "transaction error %d)", r->what, r->addr, res);
        return false;
    }
    trace_x86_boot_write(r->what, r->addr, r->size);
    return true;
}

/* A clean zero page with the kernel's setup header, as a loader fills it. */
static void build_zero_page(const X86BootImage *img, const X86BootConfig *cfg,
                            const X86BootLayout *layout,
                            struct boot_params *bp)
{
    const X86E820Table *t = cfg->e820;
    struct setup_header *h = &bp->hdr;

    memset(bp, 0, sizeof(*bp));
    *h = img->hdr.raw;
    h->type_of_loader = 0xff;           /* no assigned boot loader id */
    h->vid_mode = GUINT16_TO_LE(x86_boot_cmdline_vid_mode(img->cmdline));
    h->code32_start = GUINT32_TO_LE(layout->kernel_addr);
    h->cmd_line_ptr = GUINT32_TO_LE((uint32_t)layout->cmdline_addr);
    bp->ext_cmd_line_ptr = GUINT32_TO_LE(layout->cmdline_addr >> 32);
    h->ramdisk_image = GUINT32_TO_LE((uint32_t)layout->initrd_addr);
    h->ramdisk_size = GUINT32_TO_LE((uint32_t)layout->initrd_size);
    bp->ext_ramdisk_image = GUINT32_TO_LE(layout->initrd_addr >> 32);
    bp->ext_ramdisk_size = GUINT32_TO_LE(layout->initrd_size >> 32);
    /* Fields a loader writes: none of the file's values are ours. */
    h->hardware_subarch = GUINT32_TO_LE(X86_SUBARCH_PC);
    h->hardware_subarch_data = 0;
    h->setup_data = 0;
    /* boot_params.acpi_rsdp_addr: protocol 2.14 (Linux 5.0) on */
    if (img->hdr.protocol >= 0x020e) {
        bp->acpi_rsdp_addr = GUINT64_TO_LE(cfg->acpi_rsdp_addr);
    }
    bp->e820_entries = t->count;
    for (unsigned i = 0; i < t->count; i++) {
        bp->e820_table[i].addr = GUINT64_TO_LE(t->entries[i].addr);
        bp->e820_table[i].size = GUINT64_TO_LE(t->entries[i].size);
        bp->e820_table[i].type = GUINT32_TO_LE(t->entries[i].type);
    }
}

static void fill_entry(const X86BootLayout *layout, X86BootEntry *entry)
{
    *entry = (X86BootEntry) {
        .eip = layout->kernel_addr,
        .esi = X86_BOOT_ZERO_PAGE_ADDR,
        .cr0 = X86_CR0_PE | X86_CR0_ET,
        .eflags = X86_EFLAGS_FIXED,
        .gdt_base = X86_BOOT_GDT_ADDR,
        .gdt_limit = X86_BOOT_GDT_ENTRIES * 8 - 1,
        .cs = boot_cs,
        .ds = boot_ds,
        .layout = *layout,
    };
}

bool x86_boot_image_load(const X86BootImage *img, const X86BootConfig *cfg,
                         X86BootEntry *entry, Error **errp)
{
    g_autofree struct boot_params *bp = g_new(struct boot_params, 1);
    uint64_t gdt[X86_BOOT_GDT_ENTRIES] = {
        [X86_BOOT_CS / 8] = GUINT64_TO_LE(x86_boot_gdt_descriptor(&boot_cs)),
        [X86_BOOT_DS / 8] = GUINT64_TO_LE(x86_boot_gdt_descriptor(&boot_ds)),
    };
    const X86BootHeader *hdr = &img->hdr;
    X86BootLayout layout;
    BootRange span = {
        "kernel", hdr->span_start, hdr->span_end - hdr->span_start
    };
    BootRange kernel = { "kernel", hdr->load_addr, hdr->kernel_size };
    BootRange initrd = { "initrd" };
    struct {
        BootRange r;
        const void *data;
    } writes[] = {
        { { "kernel command line" }, img->cmdline },
        { { "GDT", X86_BOOT_GDT_ADDR, sizeof(gdt) }, gdt },
        { { "zero page", X86_BOOT_ZERO_PAGE_ADDR, sizeof(*bp) }, bp },
    };

    if (!place_all(img, cfg, &layout, errp)) {
        return false;
    }
    initrd.addr = layout.initrd_addr;
    initrd.size = layout.initrd_size;
    writes[0].r.addr = layout.cmdline_addr;
    writes[0].r.size = layout.cmdline_size;
    /* Check everything first: a load that fails writes nothing. */
    if (!check_files_unchanged(img, errp) ||
        !check_range(cfg->e820, &span, errp) ||
        !check_range(cfg->e820, &kernel, errp) ||
        (initrd.size && !check_range(cfg->e820, &initrd, errp))) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(writes); i++) {
        if (writes[i].r.size && !check_range(cfg->e820, &writes[i].r, errp)) {
            return false;
        }
    }
    build_zero_page(img, cfg, &layout, bp);
    if (!read_guest(&kernel, img->kernel_fd, hdr->setup_size,
                    img->kernel_path, errp) ||
        (initrd.size && !read_guest(&initrd, img->initrd_fd, 0,
                                    img->initrd_path, errp))) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(writes); i++) {
        if (writes[i].r.size &&
            !write_guest(&writes[i].r, writes[i].data, errp)) {
            return false;
        }
    }
    fill_entry(&layout, entry);
    trace_x86_boot_entry(entry->eip, entry->esi);
    return true;
}
