/*
 * Unit tests for direct Linux boot (hw/i386/x86-boot.c): the setup header
 * parser on synthetic bzImages (and on damaged ones), the e820 table, the
 * command-line helpers, and loads into a RAM region read back through
 * address_space_memory. A real Debian kernel is parsed and loaded too
 * when the functional suite has downloaded one.
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "system/memory.h"
#include "hw/i386/x86-boot.h"
#include "fake-bzimage.h"

#define MiB ((uint64_t)1 << 20)
#define RAM_SIZE (128 * MiB)
#define HDR(f) (offsetof(struct boot_params, hdr) + \
                offsetof(struct setup_header, f))
#define HDR_END (offsetof(struct boot_params, hdr) + \
                 sizeof(struct setup_header))
#define PATTERN 0xa5            /* what guest RAM holds before a load */
#define FILE_JUNK FAKE_BZIMAGE_FILE_JUNK
#define PAYLOAD_SIZE (64 * 1024)
#define RSDP_ADDR 0xf0000

static MemoryRegion ram;
static char *tmpdir;

/* Synthetic kernels */

#define payload_byte fake_bzimage_payload_byte
#define fake_kernel fake_bzimage

static GByteArray *default_kernel(void)
{
    return fake_kernel(4, PAYLOAD_SIZE, 0);
}

/* An older header: protocol @protocol, ending after cmdline_size. */
static void make_protocol_206(GByteArray *k, uint16_t protocol)
{
    stw_le_p(k->data + HDR(version), protocol);
    k->data[HDR(jump) + 1] = HDR(cmdline_size) + 4 - HDR(header);
    memset(k->data + HDR(cmdline_size) + 4, FILE_JUNK,
           HDR_END - HDR(cmdline_size) - 4);
}

static bool parse(GByteArray *k, X86BootHeader *hdr, Error **errp)
{
    return x86_boot_parse_header(k->data, k->len, "fake.bzImage", hdr, errp);
}

static char *write_tmp(const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    GError *gerr = NULL;

    g_assert_true(g_file_set_contents(path, data, len, &gerr));
    g_assert_no_error(gerr);
    return path;
}

static char *write_kernel(const char *name, GByteArray *k)
{
    return write_tmp(name, k->data, k->len);
}

static GByteArray *fake_initrd(size_t len, unsigned seed)
{
    GByteArray *b = g_byte_array_sized_new(len);

    g_byte_array_set_size(b, len);
    for (size_t i = 0; i < len; i++) {
        b->data[i] = (i * 13 + seed) & 0xff;
    }
    return b;
}

/* Parser: good kernels */

static void test_parse_debian_like(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    X86BootHeader hdr;

    g_assert_true(parse(k, &hdr, &error_abort));
    g_assert_cmphex(hdr.protocol, ==, 0x020f);
    g_assert_cmpuint(hdr.setup_sects, ==, 4);
    g_assert_cmpuint(hdr.setup_size, ==, 5 * 512);
    g_assert_cmpuint(hdr.kernel_size, ==, PAYLOAD_SIZE);
    g_assert_true(hdr.relocatable);
    g_assert_true(hdr.kernel_64);
    g_assert_cmphex(hdr.kernel_alignment, ==, 0x200000);
    g_assert_cmphex(hdr.pref_address, ==, 16 * MiB);
    g_assert_cmphex(hdr.init_size, ==, 4 * MiB);
    g_assert_cmphex(hdr.initrd_addr_max, ==, 0x7fffffff);
    g_assert_cmpuint(hdr.cmdline_size, ==, 2047);
    /* relocatable: loaded where it runs, pref_address */
    g_assert_cmphex(hdr.load_addr, ==, 16 * MiB);
    g_assert_cmphex(hdr.run_addr, ==, 16 * MiB);
    g_assert_cmphex(hdr.span_start, ==, 16 * MiB);
    g_assert_cmphex(hdr.span_end, ==, 20 * MiB);
    /* the header bytes, as in the file */
    g_assert_cmpmem(&hdr.raw, sizeof(hdr.raw), k->data + HDR(setup_sects),
                    sizeof(hdr.raw));
}

static void test_parse_setup_sects_zero(void)
{
    g_autoptr(GByteArray) k = fake_kernel(4, PAYLOAD_SIZE, 0);
    X86BootHeader hdr;

    k->data[HDR(setup_sects)] = 0;      /* means 4 */
    g_assert_true(parse(k, &hdr, &error_abort));
    g_assert_cmpuint(hdr.setup_sects, ==, 4);
    g_assert_cmpuint(hdr.setup_size, ==, 5 * 512);
}

/* The file may hold more than syssize says (a signature): not loaded. */
static void test_parse_trailing_bytes(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    X86BootHeader hdr;

    g_byte_array_set_size(k, k->len + 1472);
    g_assert_true(parse(k, &hdr, &error_abort));
    g_assert_cmpuint(hdr.kernel_size, ==, PAYLOAD_SIZE);
}

static void test_parse_not_relocatable(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    X86BootHeader hdr;

    k->data[HDR(relocatable_kernel)] = 0;
    stl_le_p(k->data + HDR(kernel_alignment), 3);   /* ignored */
    g_assert_true(parse(k, &hdr, &error_abort));
    g_assert_false(hdr.relocatable);
    /* loaded at 1 MiB, it moves itself to pref_address */
    g_assert_cmphex(hdr.load_addr, ==, MiB);
    g_assert_cmphex(hdr.run_addr, ==, 16 * MiB);
    g_assert_cmphex(hdr.span_start, ==, MiB);
    g_assert_cmphex(hdr.span_end, ==, 20 * MiB);
}

/* A relocatable kernel whose pref_address is not aligned runs above it. */
static void test_parse_unaligned_pref(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    X86BootHeader hdr;

    stq_le_p(k->data + HDR(pref_address), 0x1100000);
    g_assert_true(parse(k, &hdr, &error_abort));
    g_assert_cmphex(hdr.load_addr, ==, 0x1100000);
    g_assert_cmphex(hdr.run_addr, ==, 0x1200000);
    g_assert_cmphex(hdr.span_start, ==, 0x1100000);
    g_assert_cmphex(hdr.span_end, ==, 0x1200000 + 4 * MiB);
}

/* Protocol 2.06: no pref_address or init_size; the header is shorter. */
static void test_parse_protocol_206(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    X86BootHeader hdr;

    make_protocol_206(k, 0x0206);
    g_assert_true(parse(k, &hdr, &error_abort));
    g_assert_cmphex(hdr.protocol, ==, 0x0206);
    g_assert_false(hdr.kernel_64);
    g_assert_cmphex(hdr.pref_address, ==, 0);
    g_assert_cmphex(hdr.init_size, ==, 0);
    g_assert_cmphex(hdr.load_addr, ==, MiB);
    g_assert_cmphex(hdr.run_addr, ==, 2 * MiB);     /* aligned up */
    g_assert_cmphex(hdr.span_end, ==, 2 * MiB + PAYLOAD_SIZE);
    /* bytes past the header's end are not header fields */
    g_assert_cmphex(hdr.raw.hardware_subarch, ==, 0);
    g_assert_cmphex(hdr.raw.pref_address, ==, 0);
}

/* Parser: every rejection, one clear message naming the file */

typedef struct BadKernel {
    const char *name;
    void (*damage)(GByteArray *k);
    const char *message;
} BadKernel;

static void damage_elf(GByteArray *k)
{
    memcpy(k->data, "\x7f" "ELF", 4);
}

static void damage_short(GByteArray *k)
{
    g_byte_array_set_size(k, 0x200);
}

static void damage_empty(GByteArray *k)
{
    g_byte_array_set_size(k, 0);
}

static void damage_boot_flag(GByteArray *k)
{
    stw_le_p(k->data + HDR(boot_flag), 0x1234);
}

static void damage_hdrs(GByteArray *k)
{
    memcpy(k->data + HDR(header), "HdrZ", 4);
}

static void damage_protocol_205(GByteArray *k)
{
    make_protocol_206(k, 0x0205);
}

static void damage_jump_opcode(GByteArray *k)
{
    k->data[HDR(jump)] = 0x90;
}

static void damage_header_too_short(GByteArray *k)
{
    /* 2.15 promises init_size; this header stops after cmdline_size */
    k->data[HDR(jump) + 1] = HDR(cmdline_size) + 4 - HDR(header);
}

static void damage_header_negative(GByteArray *k)
{
    k->data[HDR(jump) + 1] = 0x80;
}

static void damage_cut_in_header(GByteArray *k)
{
    g_byte_array_set_size(k, HDR(init_size));
}

static void damage_zimage(GByteArray *k)
{
    k->data[HDR(loadflags)] = 0;
}

static void damage_cut_in_setup(GByteArray *k)
{
    k->data[HDR(setup_sects)] = 30;
    g_byte_array_set_size(k, 20 * 512);
}

static void damage_syssize_zero(GByteArray *k)
{
    stl_le_p(k->data + HDR(syssize), 0);
}

static void damage_syssize_big(GByteArray *k)
{
    stl_le_p(k->data + HDR(syssize), PAYLOAD_SIZE / 16 + 1);
}

static void damage_syssize_huge(GByteArray *k)
{
    stl_le_p(k->data + HDR(syssize), 0xffffffff);
}

static void damage_alignment(GByteArray *k)
{
    stl_le_p(k->data + HDR(kernel_alignment), 0x300000);
}

static void damage_alignment_zero(GByteArray *k)
{
    stl_le_p(k->data + HDR(kernel_alignment), 0);
}

static void damage_init_size(GByteArray *k)
{
    stl_le_p(k->data + HDR(init_size), 0);
}

static void damage_pref_high(GByteArray *k)
{
    stq_le_p(k->data + HDR(pref_address), 0xffffffffffe00000ULL);
}

static void damage_runs_low(GByteArray *k)
{
    k->data[HDR(relocatable_kernel)] = 0;
    stq_le_p(k->data + HDR(pref_address), 0x10000);
}

static void damage_span_4g(GByteArray *k)
{
    stq_le_p(k->data + HDR(pref_address), 0xf0000000);
    stl_le_p(k->data + HDR(init_size), 0x20000000);
}

static const BadKernel bad_kernels[] = {
    { "elf", damage_elf, "is an ELF file" },
    { "short", damage_short, "too short (512 bytes)" },
    { "empty", damage_empty, "too short (0 bytes)" },
    { "boot-flag", damage_boot_flag, "no 0xAA55 boot-sector signature" },
    { "hdrs", damage_hdrs, "not a Linux bzImage (no HdrS signature): qvfio "
      "boots bzImage kernels directly" },
    { "protocol-2.05", damage_protocol_205, "boot protocol 2.05: qvfio "
      "boots kernels with protocol 2.06 or newer" },
    { "jump", damage_jump_opcode, "no jump over the setup header" },
    { "header-short", damage_header_too_short, "the setup header ends at "
      "0x23c, before the fields protocol 2.15 defines (up to 0x264)" },
    { "header-negative", damage_header_negative, "the setup header ends at "
      "0x182" },
    { "cut-in-header", damage_cut_in_header, "inside its setup header" },
    { "zimage", damage_zimage, "is a zImage" },
    { "cut-in-setup", damage_cut_in_setup, "inside its real-mode setup "
      "(30 sectors)" },
    { "syssize-zero", damage_syssize_zero, "syssize 0" },
    { "syssize-big", damage_syssize_big, "syssize says the protected-mode "
      "kernel has 65552 bytes, the file holds 65536" },
    { "syssize-huge", damage_syssize_huge, "has 68719476720 bytes" },
    { "alignment", damage_alignment, "kernel_alignment 0x300000 is not a "
      "power of two" },
    { "alignment-zero", damage_alignment_zero, "kernel_alignment 0x0" },
    { "init-size", damage_init_size, "init_size is 0" },
    { "pref-high", damage_pref_high, "pref_address 0xffffffffffe00000 is "
      "above 4 GiB" },
    { "runs-low", damage_runs_low, "runs at 0x10000, below 1 MiB" },
    { "span-4g", damage_span_4g, "needs RAM up to 0x110000000, above 4 GiB" },
};

static void test_parse_bad(gconstpointer data)
{
    const BadKernel *c = data;
    g_autoptr(GByteArray) k = default_kernel();
    X86BootHeader hdr;
    Error *err = NULL;

    c->damage(k);
    g_assert_false(parse(k, &hdr, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), c->message)) {
        g_test_message("got: %s", error_get_pretty(err));
    }
    g_assert_nonnull(strstr(error_get_pretty(err), c->message));
    g_assert_nonnull(strstr(error_get_pretty(err), "'fake.bzImage'"));
    g_assert_null(strchr(error_get_pretty(err), '\n'));
    error_free(err);
}

/*
 * Any bytes are safe: every prefix of a good kernel, and good kernels
 * with header bytes replaced at random (a fixed seed: reproducible). The
 * buffers are exactly as long as the data, so that ASan sees any overread.
 */
static void test_parse_any_bytes(void)
{
    g_autoptr(GByteArray) k = fake_kernel(2, 256, 0);
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x5eed);
    unsigned accepted = 0;

    for (size_t len = 0; len <= k->len; len++) {
        g_autofree uint8_t *copy = g_memdup2(k->data, len ? len : 1);
        X86BootHeader hdr;
        Error *err = NULL;

        if (x86_boot_parse_header(copy, len, "prefix", &hdr, &err)) {
            accepted++;
            g_assert_cmpuint(hdr.setup_size + hdr.kernel_size, <=, len);
        } else {
            error_free(err);
        }
    }
    g_assert_cmpuint(accepted, ==, 1);      /* only the whole file */
    for (int i = 0; i < 20000; i++) {
        g_autofree uint8_t *copy = g_memdup2(k->data, k->len);
        X86BootHeader hdr;
        Error *err = NULL;

        for (int n = g_rand_int_range(rand, 1, 8); n > 0; n--) {
            copy[g_rand_int_range(rand, HDR(setup_sects), HDR_END)] =
                g_rand_int_range(rand, 0, 256);
        }
        if (x86_boot_parse_header(copy, k->len, "random", &hdr, &err)) {
            g_assert_cmpuint(hdr.setup_size + hdr.kernel_size, <=, k->len);
            g_assert_cmpuint(hdr.span_end, <=, 1ULL << 32);
            g_assert_cmpuint(hdr.run_addr, >=, MiB);
        } else {
            g_assert_nonnull(err);
            error_free(err);
        }
    }
}

/* Command-line helpers */

static void test_cmdline_vid_mode(void)
{
    g_assert_cmphex(x86_boot_cmdline_vid_mode(""), ==, 0xffff);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("console=ttyS0"), ==, 0xffff);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("vga=ext"), ==, 0xfffe);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("quiet vga=ask"), ==, 0xfffd);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("vga=791"), ==, 791);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("vga=0x317 ro"), ==, 0x317);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("vga=ext vga=normal"), ==,
                    0xffff);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("vga=bogus"), ==, 0xffff);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("vga=70000"), ==, 0xffff);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("xvga=ext"), ==, 0xffff);
    /* quoted, or after "--" (for init): not ours */
    g_assert_cmphex(x86_boot_cmdline_vid_mode("a=\"x vga=ext\""), ==, 0xffff);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("ro -- vga=ext"), ==, 0xffff);
    g_assert_cmphex(x86_boot_cmdline_vid_mode("vga=\"ext\""), ==, 0xfffe);
}

static void test_cmdline_mem_limit(void)
{
    g_assert_cmpuint(x86_boot_cmdline_mem_limit(""), ==, 0);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("console=ttyS0"), ==, 0);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem=256M"), ==, 256 * MiB);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem=1g ro"), ==, 1024 * MiB);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem=512K"), ==, 512 * 1024);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem=0x2000000"), ==,
                     32 * MiB);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem=64M mem=32M"), ==,
                     32 * MiB);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem=nopentium"), ==, 0);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem=99999999999E"), ==, 0);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("mem="), ==, 0);
    g_assert_cmpuint(x86_boot_cmdline_mem_limit("-- mem=32M"), ==, 0);
}

/* GDT descriptors */

static void test_gdt_descriptor(void)
{
    X86BootSegment code = {
        .limit = 0xffffffff, .type = 0xb, .present = true, .s = true,
        .db = true, .g = true,
    };
    X86BootSegment data = code;
    X86BootSegment tss = {
        .base = 0x12345678, .limit = 0x67, .type = 0xb, .present = true,
    };

    data.type = 0x3;
    g_assert_cmphex(x86_boot_gdt_descriptor(&code), ==, 0x00cf9b000000ffffULL);
    g_assert_cmphex(x86_boot_gdt_descriptor(&data), ==, 0x00cf93000000ffffULL);
    g_assert_cmphex(x86_boot_gdt_descriptor(&tss), ==, 0x12008b3456780067ULL);
}

/* The e820 table */

static void assert_e820(const X86E820Table *t, unsigned i, uint64_t addr,
                        uint64_t size, uint32_t type)
{
    g_assert_cmpuint(i, <, t->count);
    g_assert_cmphex(t->entries[i].addr, ==, addr);
    g_assert_cmphex(t->entries[i].size, ==, size);
    g_assert_cmpuint(t->entries[i].type, ==, type);
}

/* The map the q35 machine gives a guest with @ram bytes of RAM. */
static void q35_like_e820(X86E820Table *t, uint64_t low_end, uint64_t high)
{
    x86_e820_init(t);
    g_assert_true(x86_e820_add(t, 0, 0x9fc00, X86_E820_RAM, &error_abort));
    g_assert_true(x86_e820_add(t, 0x9fc00, 0x400, X86_E820_RESERVED,
                               &error_abort));
    g_assert_true(x86_e820_add(t, 0xe0000, 0x20000, X86_E820_RESERVED,
                               &error_abort));
    g_assert_true(x86_e820_add(t, MiB, low_end - MiB, X86_E820_RAM,
                               &error_abort));
    g_assert_true(x86_e820_add(t, 0xb0000000, 256 * MiB, X86_E820_RESERVED,
                               &error_abort));
    if (high) {
        g_assert_true(x86_e820_add(t, 1ULL << 32, high, X86_E820_RAM,
                                   &error_abort));
    }
}

static void test_e820_machine_map(void)
{
    X86E820Table t;

    q35_like_e820(&t, 2048 * MiB, 2048 * MiB);
    g_assert_cmpuint(t.count, ==, 6);
    assert_e820(&t, 0, 0, 0x9fc00, X86_E820_RAM);
    assert_e820(&t, 1, 0x9fc00, 0x400, X86_E820_RESERVED);
    assert_e820(&t, 2, 0xe0000, 0x20000, X86_E820_RESERVED);
    assert_e820(&t, 3, MiB, 2047 * MiB, X86_E820_RAM);
    assert_e820(&t, 4, 0xb0000000, 256 * MiB, X86_E820_RESERVED);
    assert_e820(&t, 5, 1ULL << 32, 2048 * MiB, X86_E820_RAM);
    g_assert_true(x86_e820_find(&t, 0x7000, 0x1000) == &t.entries[0]);
    g_assert_true(x86_e820_find(&t, 0x9fc00, 0x400) == &t.entries[1]);
    g_assert_null(x86_e820_find(&t, 0x9f000, 0x1000));   /* straddles */
    g_assert_null(x86_e820_find(&t, 0xa0000, 1));        /* a hole */
    g_assert_true(x86_e820_find(&t, 2048 * MiB - 1, 1) == &t.entries[3]);
    g_assert_null(x86_e820_find(&t, 2048 * MiB - 1, 2));
}

static void test_e820_sorted_and_merged(void)
{
    X86E820Table t;

    x86_e820_init(&t);
    g_assert_true(x86_e820_add(&t, 0x3000, 0x1000, X86_E820_RAM,
                               &error_abort));
    g_assert_true(x86_e820_add(&t, 0x1000, 0x1000, X86_E820_RAM,
                               &error_abort));
    g_assert_true(x86_e820_add(&t, 0x8000, 0x1000, X86_E820_ACPI,
                               &error_abort));
    g_assert_cmpuint(t.count, ==, 3);
    assert_e820(&t, 0, 0x1000, 0x1000, X86_E820_RAM);
    assert_e820(&t, 1, 0x3000, 0x1000, X86_E820_RAM);
    /* fills the gap: the three RAM ranges become one */
    g_assert_true(x86_e820_add(&t, 0x2000, 0x1000, X86_E820_RAM,
                               &error_abort));
    g_assert_cmpuint(t.count, ==, 2);
    assert_e820(&t, 0, 0x1000, 0x3000, X86_E820_RAM);
    /* joins the next range of its type, not one of another type */
    g_assert_true(x86_e820_add(&t, 0x7000, 0x1000, X86_E820_ACPI,
                               &error_abort));
    g_assert_true(x86_e820_add(&t, 0x4000, 0x1000, X86_E820_NVS,
                               &error_abort));
    g_assert_cmpuint(t.count, ==, 3);
    assert_e820(&t, 1, 0x4000, 0x1000, X86_E820_NVS);
    assert_e820(&t, 2, 0x7000, 0x2000, X86_E820_ACPI);
    g_assert_true(x86_e820_add(&t, 0, 0x1000, X86_E820_RESERVED,
                               &error_abort));
    assert_e820(&t, 0, 0, 0x1000, X86_E820_RESERVED);
    assert_e820(&t, 1, 0x1000, 0x3000, X86_E820_RAM);
}

static void test_e820_bad_ranges(void)
{
    X86E820Table t;
    Error *err = NULL;

    x86_e820_init(&t);
    g_assert_true(x86_e820_add(&t, 0x1000, 0x2000, X86_E820_RAM,
                               &error_abort));
    g_assert_true(x86_e820_add(&t, 0x8000, 0x1000, X86_E820_RAM,
                               &error_abort));
    g_assert_false(x86_e820_add(&t, 0x2fff, 0x10, X86_E820_RESERVED, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "e820: [0x2fff, 0x300f) type "
                    "2 overlaps [0x1000, 0x3000) type 1");
    error_free_or_abort(&err);
    g_assert_false(x86_e820_add(&t, 0x7000, 0x1001, X86_E820_RAM, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "overlaps [0x8000, "
                            "0x9000) type 1"));
    error_free_or_abort(&err);
    g_assert_false(x86_e820_add(&t, 0, 0x10000, X86_E820_RAM, &err));
    error_free_or_abort(&err);
    g_assert_false(x86_e820_add(&t, 0x4000, 0, X86_E820_RAM, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "invalid range"));
    error_free_or_abort(&err);
    g_assert_false(x86_e820_add(&t, UINT64_MAX - 0xfff, 0x2000,
                                X86_E820_RAM, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "invalid range"));
    error_free_or_abort(&err);
    /* nothing changed */
    g_assert_cmpuint(t.count, ==, 2);
    assert_e820(&t, 0, 0x1000, 0x2000, X86_E820_RAM);
    assert_e820(&t, 1, 0x8000, 0x1000, X86_E820_RAM);
}

static void test_e820_full(void)
{
    X86E820Table t;
    Error *err = NULL;

    x86_e820_init(&t);
    for (unsigned i = 0; i < E820_MAX_ENTRIES_ZEROPAGE; i++) {
        g_assert_true(x86_e820_add(&t, i * 0x2000ULL, 0x1000, X86_E820_RAM,
                                   &error_abort));
    }
    g_assert_cmpuint(t.count, ==, E820_MAX_ENTRIES_ZEROPAGE);
    g_assert_false(x86_e820_add(&t, 0x1000000, 0x1000, X86_E820_RAM, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "e820: table full, it holds "
                    "at most 128 ranges");
    error_free_or_abort(&err);
    /* merging needs no new slot */
    g_assert_true(x86_e820_add(&t, 0x1000, 0x1000, X86_E820_RAM,
                               &error_abort));
    g_assert_cmpuint(t.count, ==, E820_MAX_ENTRIES_ZEROPAGE - 1);
    assert_e820(&t, 0, 0, 0x3000, X86_E820_RAM);
    assert_e820(&t, E820_MAX_ENTRIES_ZEROPAGE - 2, 0xfe000, 0x1000,
                X86_E820_RAM);
}

/* Loading into guest RAM */

static uint8_t *ram_ptr(void)
{
    return memory_region_get_ram_ptr(&ram);
}

static void ram_fill(void)
{
    memset(ram_ptr(), PATTERN, RAM_SIZE);
}

static void read_guest(uint64_t addr, void *buf, size_t len)
{
    g_assert_cmpint(address_space_read(&address_space_memory, addr, buf, len),
                    ==, MEMTX_OK);
}

static void assert_guest_bytes(uint64_t addr, const void *expect, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    read_guest(addr, buf, len);
    g_assert_cmpmem(buf, len, expect, len);
}

/* A load of @k (+ @initrd) with @cmdline into the q35-like map. */
typedef struct LoadCase {
    X86BootImage *img;
    X86E820Table e820;
    X86BootConfig cfg;
    X86BootEntry entry;
    GByteArray *kernel;
    GByteArray *initrd;
} LoadCase;

static void load_case_init(LoadCase *lc, GByteArray *k, GByteArray *initrd,
                           const char *cmdline, uint64_t low_end)
{
    g_autofree char *kpath = write_kernel("vmlinuz", k);
    g_autofree char *ipath = initrd ? write_tmp("initrd", initrd->data,
                                                initrd->len) : NULL;

    memset(lc, 0, sizeof(*lc));
    lc->kernel = k;
    lc->initrd = initrd;
    lc->img = x86_boot_image_new(kpath, ipath, cmdline, &error_abort);
    q35_like_e820(&lc->e820, low_end, 0);
    lc->cfg.e820 = &lc->e820;
    lc->cfg.acpi_rsdp_addr = RSDP_ADDR;
}

static void load_case_clear(LoadCase *lc)
{
    x86_boot_image_free(lc->img);
    g_byte_array_unref(lc->kernel);
    if (lc->initrd) {
        g_byte_array_unref(lc->initrd);
    }
}

static void read_zero_page(struct boot_params *bp)
{
    read_guest(X86_BOOT_ZERO_PAGE_ADDR, bp, sizeof(*bp));
}

static void assert_zero_page(const LoadCase *lc, const char *cmdline,
                             uint16_t vid_mode)
{
    g_autofree struct boot_params *bp = g_new(struct boot_params, 1);
    const X86BootLayout *l = &lc->entry.layout;
    const uint8_t *file_hdr = lc->kernel->data + HDR(setup_sects);
    struct setup_header expect;

    read_zero_page(bp);
    /* the file's header, with the fields a loader writes */
    memcpy(&expect, file_hdr, sizeof(expect));
    expect.type_of_loader = 0xff;
    expect.vid_mode = vid_mode;
    expect.code32_start = l->kernel_addr;
    expect.cmd_line_ptr = X86_BOOT_CMDLINE_ADDR;
    expect.ramdisk_image = l->initrd_addr;
    expect.ramdisk_size = l->initrd_size;
    expect.hardware_subarch = 0;
    expect.setup_data = 0;
    g_assert_cmpmem(&bp->hdr, sizeof(bp->hdr), &expect, sizeof(expect));
    g_assert_cmphex(bp->ext_cmd_line_ptr, ==, 0);
    g_assert_cmphex(bp->ext_ramdisk_image, ==, 0);
    g_assert_cmphex(bp->ext_ramdisk_size, ==, 0);
    g_assert_cmphex(bp->acpi_rsdp_addr, ==, RSDP_ADDR);
    g_assert_cmpuint(bp->sentinel, ==, 0);
    g_assert_cmpuint(bp->e820_entries, ==, lc->e820.count);
    g_assert_cmpmem(bp->e820_table, lc->e820.count * sizeof(bp->e820_table[0]),
                    lc->e820.entries,
                    lc->e820.count * sizeof(lc->e820.entries[0]));
    /* the command line, NUL-terminated */
    g_assert_cmphex(l->cmdline_addr, ==, X86_BOOT_CMDLINE_ADDR);
    g_assert_cmpuint(l->cmdline_size, ==, strlen(cmdline) + 1);
    assert_guest_bytes(X86_BOOT_CMDLINE_ADDR, cmdline, strlen(cmdline) + 1);
}

static void assert_entry(const X86BootEntry *e, uint64_t kernel_addr)
{
    uint64_t gdt[X86_BOOT_GDT_ENTRIES];

    g_assert_cmphex(e->eip, ==, kernel_addr);
    g_assert_cmphex(e->esi, ==, X86_BOOT_ZERO_PAGE_ADDR);
    g_assert_cmphex(e->cr0 & 0x80000001, ==, 1);    /* PE, not PG */
    g_assert_cmphex(e->eflags, ==, 0x2);            /* IF clear */
    g_assert_cmphex(e->gdt_base, ==, X86_BOOT_GDT_ADDR);
    g_assert_cmpuint(e->gdt_limit, ==, sizeof(gdt) - 1);
    g_assert_cmphex(e->cs.selector, ==, 0x10);
    g_assert_cmphex(e->ds.selector, ==, 0x18);
    g_assert_cmphex(e->cs.base, ==, 0);
    g_assert_cmphex(e->cs.limit, ==, 0xffffffff);
    g_assert_cmphex(e->ds.limit, ==, 0xffffffff);
    /* the GDT in guest memory describes the segments the vCPU loads */
    read_guest(e->gdt_base, gdt, sizeof(gdt));
    g_assert_cmphex(gdt[0], ==, 0);
    g_assert_cmphex(gdt[1], ==, 0);
    g_assert_cmphex(gdt[2], ==, 0x00cf9b000000ffffULL);
    g_assert_cmphex(gdt[3], ==, 0x00cf93000000ffffULL);
    g_assert_cmphex(gdt[e->cs.selector / 8], ==,
                    x86_boot_gdt_descriptor(&e->cs));
    g_assert_cmphex(gdt[e->ds.selector / 8], ==,
                    x86_boot_gdt_descriptor(&e->ds));
}

/*
 * Nothing but the placements changed: RAM is what it was (PATTERN) with
 * the kernel, initrd, command line, GDT and zero page laid over it.
 */
static void assert_only_placements_written(const LoadCase *lc)
{
    const X86BootLayout *l = &lc->entry.layout;
    const X86BootHeader *hdr = x86_boot_image_header(lc->img);
    g_autofree uint8_t *expect = g_malloc(RAM_SIZE);

    memset(expect, PATTERN, RAM_SIZE);
    memcpy(expect + l->kernel_addr, lc->kernel->data + hdr->setup_size,
           l->kernel_size);
    if (lc->initrd) {
        memcpy(expect + l->initrd_addr, lc->initrd->data, lc->initrd->len);
    }
    memcpy(expect + l->cmdline_addr, ram_ptr() + l->cmdline_addr,
           l->cmdline_size);
    memcpy(expect + X86_BOOT_GDT_ADDR, ram_ptr() + X86_BOOT_GDT_ADDR,
           X86_BOOT_GDT_ENTRIES * 8);
    memcpy(expect + X86_BOOT_ZERO_PAGE_ADDR,
           ram_ptr() + X86_BOOT_ZERO_PAGE_ADDR, sizeof(struct boot_params));
    g_assert_true(memcmp(expect, ram_ptr(), RAM_SIZE) == 0);
}

static void test_load_kernel_initrd(void)
{
    const char *cmdline = "console=ttyS0 root=/dev/vda";
    g_autoptr(GByteArray) initrd = fake_initrd(300001, 1);
    LoadCase lc;

    load_case_init(&lc, default_kernel(), g_byte_array_ref(initrd), cmdline,
                   64 * MiB);
    ram_fill();
    g_assert_true(x86_boot_image_load(lc.img, &lc.cfg, &lc.entry,
                                      &error_abort));
    /* kernel at pref_address, initrd page-aligned at the top of RAM */
    g_assert_cmphex(lc.entry.layout.kernel_addr, ==, 16 * MiB);
    g_assert_cmpuint(lc.entry.layout.kernel_size, ==, PAYLOAD_SIZE);
    g_assert_cmphex(lc.entry.layout.kernel_span_end, ==, 20 * MiB);
    g_assert_cmphex(lc.entry.layout.initrd_addr, ==,
                    (64 * MiB - 300001) & ~0xfffULL);
    g_assert_cmpuint(lc.entry.layout.initrd_size, ==, 300001);
    assert_guest_bytes(16 * MiB, lc.kernel->data + 5 * 512, PAYLOAD_SIZE);
    assert_guest_bytes(lc.entry.layout.initrd_addr, initrd->data,
                       initrd->len);
    assert_zero_page(&lc, cmdline, 0xffff);
    assert_entry(&lc.entry, 16 * MiB);
    assert_only_placements_written(&lc);
    load_case_clear(&lc);
}

/* No initrd, no command line: an empty string, as the protocol asks. */
static void test_load_kernel_only(void)
{
    LoadCase lc;

    load_case_init(&lc, default_kernel(), NULL, NULL, 64 * MiB);
    ram_fill();
    g_assert_true(x86_boot_image_load(lc.img, &lc.cfg, &lc.entry,
                                      &error_abort));
    g_assert_cmphex(lc.entry.layout.initrd_addr, ==, 0);
    g_assert_cmpuint(lc.entry.layout.initrd_size, ==, 0);
    assert_zero_page(&lc, "", 0xffff);
    assert_entry(&lc.entry, 16 * MiB);
    assert_only_placements_written(&lc);
    load_case_clear(&lc);
}

/* An old protocol-2.06 kernel at 1 MiB; vga= reaches vid_mode. */
static void test_load_protocol_206(void)
{
    const char *cmdline = "vga=ext";
    g_autoptr(GByteArray) k = default_kernel();
    g_autofree struct boot_params *bp = g_new(struct boot_params, 1);
    LoadCase lc;

    make_protocol_206(k, 0x0206);
    load_case_init(&lc, g_byte_array_ref(k), fake_initrd(4096, 2), cmdline,
                   32 * MiB);
    ram_fill();
    g_assert_true(x86_boot_image_load(lc.img, &lc.cfg, &lc.entry,
                                      &error_abort));
    g_assert_cmphex(lc.entry.layout.kernel_addr, ==, MiB);
    g_assert_cmphex(lc.entry.layout.initrd_addr, ==, 32 * MiB - 4096);
    assert_entry(&lc.entry, MiB);
    read_zero_page(bp);
    g_assert_cmphex(bp->hdr.vid_mode, ==, 0xfffe);
    g_assert_cmphex(bp->hdr.version, ==, 0x0206);
    /* the file's bytes after its header's end are not copied */
    g_assert_cmphex(bp->hdr.pref_address, ==, 0);
    g_assert_cmphex(bp->hdr.init_size, ==, 0);
    /* and no acpi_rsdp_addr before protocol 2.14 */
    g_assert_cmphex(bp->acpi_rsdp_addr, ==, 0);
    assert_only_placements_written(&lc);
    load_case_clear(&lc);
}

/* initrd_addr_max and mem= keep the initrd lower. */
static void test_load_initrd_limits(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    LoadCase lc;

    stl_le_p(k->data + HDR(initrd_addr_max), 48 * MiB - 1);
    load_case_init(&lc, g_byte_array_ref(k), fake_initrd(8192, 3), "ro",
                   64 * MiB);
    g_assert_true(x86_boot_image_load(lc.img, &lc.cfg, &lc.entry,
                                      &error_abort));
    g_assert_cmphex(lc.entry.layout.initrd_addr, ==, 48 * MiB - 8192);
    load_case_clear(&lc);

    load_case_init(&lc, g_byte_array_ref(k), fake_initrd(8192, 3),
                   "mem=32M ro", 64 * MiB);
    g_assert_true(x86_boot_image_load(lc.img, &lc.cfg, &lc.entry,
                                      &error_abort));
    g_assert_cmphex(lc.entry.layout.initrd_addr, ==, 32 * MiB - 8192);
    load_case_clear(&lc);
}

/* A reboot writes the bytes read at start-up, whatever the files hold. */
static void test_load_reboot_same_bytes(void)
{
    g_autofree char *kpath = NULL;
    g_autofree char *ipath = NULL;
    g_autoptr(GByteArray) k = default_kernel();
    g_autoptr(GByteArray) initrd = fake_initrd(50000, 4);
    g_autoptr(GByteArray) k2 = fake_kernel(4, PAYLOAD_SIZE * 2, 9);
    g_autoptr(GByteArray) initrd2 = fake_initrd(70000, 5);
    g_autoptr(X86BootImage) img = NULL;
    g_autofree uint8_t *first = g_malloc(RAM_SIZE);
    X86BootEntry e1, e2;
    X86E820Table t;
    X86BootConfig cfg = { .e820 = &t };

    kpath = write_kernel("reboot-vmlinuz", k);
    ipath = write_tmp("reboot-initrd", initrd->data, initrd->len);
    img = x86_boot_image_new(kpath, ipath, "console=ttyS0", &error_abort);
    q35_like_e820(&t, 64 * MiB, 0);
    ram_fill();
    g_assert_true(x86_boot_image_load(img, &cfg, &e1, &error_abort));
    memcpy(first, ram_ptr(), RAM_SIZE);
    /* the files change, the guest scribbles over its RAM, then reboots */
    g_free(write_kernel("reboot-vmlinuz", k2));
    g_free(write_tmp("reboot-initrd", initrd2->data, initrd2->len));
    memset(ram_ptr(), PATTERN, RAM_SIZE);
    g_assert_true(x86_boot_image_load(img, &cfg, &e2, &error_abort));
    g_assert_cmphex(e1.eip, ==, e2.eip);
    g_assert_true(memcmp(&e1.layout, &e2.layout, sizeof(e1.layout)) == 0);
    g_assert_true(memcmp(first, ram_ptr(), RAM_SIZE) == 0);
    /* and the files did change: a new image would load other bytes */
    x86_boot_image_free(img);
    img = x86_boot_image_new(kpath, ipath, "console=ttyS0", &error_abort);
    g_assert_true(x86_boot_image_load(img, &cfg, &e2, &error_abort));
    g_assert_false(memcmp(first, ram_ptr(), RAM_SIZE) == 0);
}

/* Load errors: each one clear, and a failed load writes nothing */

static void assert_ram_untouched(void)
{
    static uint8_t pattern[MiB];

    memset(pattern, PATTERN, sizeof(pattern));
    for (uint64_t off = 0; off < RAM_SIZE; off += sizeof(pattern)) {
        if (memcmp(ram_ptr() + off, pattern, sizeof(pattern))) {
            g_error("a failed load wrote into [0x%" PRIx64 ", +1 MiB)", off);
        }
    }
}

/* A file rewritten in place to another size is refused, RAM untouched. */
static void test_load_changed_in_place(void)
{
    g_autofree char *kpath = NULL;
    g_autoptr(GByteArray) k = default_kernel();
    g_autoptr(X86BootImage) img = NULL;
    X86BootEntry e;
    X86E820Table t;
    X86BootConfig cfg = { .e820 = &t };
    Error *err = NULL;
    int fd;

    kpath = write_kernel("inplace-vmlinuz", k);
    img = x86_boot_image_new(kpath, NULL, "", &error_abort);
    q35_like_e820(&t, 64 * MiB, 0);
    fd = open(kpath, O_WRONLY | O_TRUNC);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, k->data, 4096), ==, 4096);
    close(fd);
    ram_fill();
    g_assert_false(x86_boot_image_load(img, &cfg, &e, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "changed in place"));
    g_assert_nonnull(strstr(error_get_pretty(err), kpath));
    error_free(err);
    assert_ram_untouched();
}

static void assert_load_fails(const LoadCase *lc, const char *message)
{
    X86BootEntry e;
    Error *err = NULL;

    ram_fill();
    g_assert_false(x86_boot_image_load(lc->img, &lc->cfg, &e, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), message)) {
        g_test_message("got: %s", error_get_pretty(err));
    }
    g_assert_nonnull(strstr(error_get_pretty(err), message));
    error_free(err);
    assert_ram_untouched();
}

static void test_load_kernel_too_big(void)
{
    LoadCase lc;

    /* 16 MiB + 4 MiB of init_size does not fit in 18 MiB */
    load_case_init(&lc, default_kernel(), NULL, "", 18 * MiB);
    assert_load_fails(&lc, "needs guest RAM up to 20 MiB (it runs at 16 MiB "
                      "and needs 4 MiB there), but RAM below 4 GiB ends at "
                      "18 MiB: give the guest more memory with -m");
    load_case_clear(&lc);
}

static void test_load_initrd_too_big(void)
{
    LoadCase lc;

    load_case_init(&lc, default_kernel(), fake_initrd(4 * MiB + 1, 6), "",
                   24 * MiB);
    assert_load_fails(&lc, "initrd '");
    assert_load_fails(&lc, "(5 MiB) does not fit between the kernel's end "
                      "(20 MiB) and 24 MiB (the end of guest RAM below 4 GiB)"
                      ": give the guest more memory with -m");
    load_case_clear(&lc);

    /* it would fit in RAM, but not below mem= */
    load_case_init(&lc, default_kernel(), fake_initrd(MiB, 6), "mem=20M",
                   64 * MiB);
    assert_load_fails(&lc, "and 20 MiB (mem= on the kernel command line)");
    load_case_clear(&lc);
}

static void test_load_no_ram_in_map(void)
{
    LoadCase lc;

    load_case_init(&lc, default_kernel(), NULL, "", 64 * MiB);
    x86_e820_init(&lc.e820);
    assert_load_fails(&lc, "the guest memory map has no RAM at 1 MiB");
    /* RAM from 1 MiB only: no room for the low placements */
    g_assert_true(x86_e820_add(&lc.e820, MiB, 63 * MiB, X86_E820_RAM,
                               &error_abort));
    assert_load_fails(&lc, "the kernel command line (0x20000-0x20000) is not "
                      "in a RAM range of the guest memory map");
    load_case_clear(&lc);
}

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t data,
                       unsigned size)
{
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

/* The map says RAM, the address space does not: nothing is written. */
static void test_load_not_guest_ram(void)
{
    MemoryRegion mmio;
    LoadCase lc;

    /* RAM ends at 128 MiB; the map claims 130 */
    load_case_init(&lc, default_kernel(), fake_initrd(3 * MiB, 7), "",
                   130 * MiB);
    assert_load_fails(&lc, "the initrd (0x7f00000-0x81fffff) would not land "
                      "in guest RAM: 0x8000000 is unassigned");
    load_case_clear(&lc);

    /* a device's MMIO over the kernel's span */
    memory_region_init_io(&mmio, NULL, &mmio_ops, NULL, "test.mmio", 0x1000);
    memory_region_add_subregion_overlap(get_system_memory(), 18 * MiB, &mmio,
                                        1);
    load_case_init(&lc, default_kernel(), NULL, "", 64 * MiB);
    assert_load_fails(&lc, "the kernel (0x1000000-0x13fffff) would not land "
                      "in guest RAM: 0x1200000 is 'test.mmio'");
    load_case_clear(&lc);
    memory_region_del_subregion(get_system_memory(), &mmio);
    memory_region_finalize(&mmio);
}

/* Reading the files */

static void assert_image_fails(const char *kpath, const char *ipath,
                               const char *cmdline, const char *message)
{
    Error *err = NULL;

    g_assert_null(x86_boot_image_new(kpath, ipath, cmdline, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), message)) {
        g_test_message("got: %s", error_get_pretty(err));
    }
    g_assert_nonnull(strstr(error_get_pretty(err), message));
    error_free(err);
}

static void test_image_file_errors(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    g_autofree char *kpath = write_kernel("files-vmlinuz", k);
    g_autofree char *missing = g_build_filename(tmpdir, "nosuch", NULL);
    g_autofree char *empty = write_tmp("files-empty", "", 0);
    g_autofree char *bad = write_tmp("files-bad", "hello", 5);
    g_autofree char *big = write_tmp("files-big", "", 0);

    /* sparse: costs no disk */
    g_assert_cmpint(truncate(big, 4ULL << 30), ==, 0);

    assert_image_fails(NULL, NULL, NULL, "no kernel to boot: give one with "
                       "-kernel");
    assert_image_fails(missing, NULL, NULL, "could not open kernel '");
    assert_image_fails(missing, NULL, NULL, "nosuch': No such file or "
                       "directory");
    assert_image_fails(tmpdir, NULL, NULL, "' is not a regular file");
    assert_image_fails("/dev/zero", NULL, NULL, "kernel '/dev/zero' is not a "
                       "regular file");
    assert_image_fails(bad, NULL, NULL, "files-bad' is too short (5 bytes) "
                       "to be a Linux bzImage");
    assert_image_fails(big, NULL, NULL, "files-big' is too big (4096 MiB): "
                       "it must fit in guest RAM below 4 GiB");
    assert_image_fails(kpath, missing, NULL, "could not open initrd '");
    assert_image_fails(kpath, "/dev/zero", NULL, "initrd '/dev/zero' is not a "
                       "regular file");
    assert_image_fails(kpath, empty, NULL, "files-empty' is empty");
}

static void test_image_cmdline_too_long(void)
{
    g_autoptr(GByteArray) k = default_kernel();
    g_autofree char *kpath = write_kernel("cmdline-vmlinuz", k);
    g_autofree char *max = g_strnfill(2047, 'x');
    g_autofree char *over = g_strnfill(2048, 'x');
    g_autofree char *huge = g_strnfill(X86_BOOT_CMDLINE_END -
                                       X86_BOOT_CMDLINE_ADDR, 'x');
    X86BootImage *img;

    img = x86_boot_image_new(kpath, NULL, max, &error_abort);
    x86_boot_image_free(img);
    assert_image_fails(kpath, NULL, over, "the kernel command line is 2048 "
                       "bytes long; kernel '");
    assert_image_fails(kpath, NULL, over, "' accepts at most 2047 (its "
                       "cmdline_size)");
    /* a kernel that accepts anything still gets what fits below 0x80000 */
    stl_le_p(k->data + HDR(cmdline_size), 0xffffffff);
    g_free(write_kernel("cmdline-vmlinuz", k));
    assert_image_fails(kpath, NULL, huge, "qvfio passes at most 393215");
}

/* A real Debian kernel, when the functional suite has fetched one */

static GPtrArray *find_real_kernels(void)
{
    g_autofree char *dir = g_build_filename(g_get_home_dir(), ".cache",
                                            "qvfio-functional", "kernels",
                                            NULL);
    GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, "vmlinuz", NULL);

        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            g_ptr_array_add(found, path);
        } else {
            g_free(path);
        }
    }
    if (d) {
        g_dir_close(d);
    }
    return found;
}

static void test_real_kernel(void)
{
    g_autoptr(GPtrArray) kernels = find_real_kernels();
    g_autoptr(GByteArray) initrd = fake_initrd(2 * MiB + 5, 8);
    g_autofree char *ipath = write_tmp("real-initrd", initrd->data,
                                       initrd->len);

    if (!kernels->len) {
        g_test_skip("no Debian kernel in ~/.cache/qvfio-functional/kernels "
                    "(the functional suite downloads one)");
        return;
    }
    for (guint i = 0; i < kernels->len; i++) {
        const char *path = g_ptr_array_index(kernels, i);
        g_autoptr(X86BootImage) img = NULL;
        g_autofree char *file = NULL;
        g_autofree struct boot_params *bp = g_new(struct boot_params, 1);
        const X86BootHeader *hdr;
        X86E820Table t;
        X86BootConfig cfg = { .e820 = &t, .acpi_rsdp_addr = RSDP_ADDR };
        X86BootEntry e;
        gsize len;

        g_test_message("kernel %s", path);
        g_assert_true(g_file_get_contents(path, &file, &len, NULL));
        img = x86_boot_image_new(path, ipath, "console=ttyS0", &error_abort);
        hdr = x86_boot_image_header(img);
        g_assert_cmphex(hdr->protocol, >=, 0x020f);
        g_assert_true(hdr->relocatable);
        g_assert_true(hdr->kernel_64);
        g_assert_cmphex(hdr->load_addr, ==, hdr->pref_address);
        g_assert_cmpuint(hdr->setup_size + hdr->kernel_size, <=, len);
        g_assert_cmphex(hdr->span_end, ==, hdr->run_addr + hdr->init_size);
        g_test_message("protocol 0x%x, %" PRIu64 " bytes at 0x%" PRIx64
                       ", RAM up to 0x%" PRIx64, hdr->protocol,
                       hdr->kernel_size, hdr->load_addr, hdr->span_end);
        g_assert_cmpuint(hdr->span_end + initrd->len, <, RAM_SIZE);
        q35_like_e820(&t, RAM_SIZE, 0);
        ram_fill();
        g_assert_true(x86_boot_image_load(img, &cfg, &e, &error_abort));
        g_assert_cmphex(e.eip, ==, hdr->pref_address);
        assert_guest_bytes(e.layout.kernel_addr, file + hdr->setup_size,
                           hdr->kernel_size);
        assert_guest_bytes(e.layout.initrd_addr, initrd->data, initrd->len);
        g_assert_cmphex(e.layout.initrd_addr, >=, hdr->span_end);
        read_zero_page(bp);
        g_assert_cmphex(bp->hdr.header, ==, 0x53726448);
        g_assert_cmphex(bp->hdr.init_size, ==, hdr->init_size);
        g_assert_cmphex(bp->hdr.kernel_alignment, ==, hdr->kernel_alignment);
        g_assert_cmphex(bp->hdr.ramdisk_image, ==, e.layout.initrd_addr);
        g_assert_cmphex(bp->hdr.cmd_line_ptr, ==, X86_BOOT_CMDLINE_ADDR);
        g_assert_cmpuint(bp->e820_entries, ==, t.count);
        g_assert_cmphex(bp->acpi_rsdp_addr, ==, RSDP_ADDR);
    }
}

static void remove_tmpdir(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(tmpdir, name, NULL);

        unlink(path);
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(tmpdir);
    g_free(tmpdir);
}

static void ram_init(void)
{
    memory_system_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "test.ram", RAM_SIZE,
                                         &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
}

int main(int argc, char **argv)
{
    GError *gerr = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-x86-boot-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    ram_init();
    g_test_add_func("/x86-boot/parse/debian-like", test_parse_debian_like);
    g_test_add_func("/x86-boot/parse/setup-sects-zero",
                    test_parse_setup_sects_zero);
    g_test_add_func("/x86-boot/parse/trailing-bytes",
                    test_parse_trailing_bytes);
    g_test_add_func("/x86-boot/parse/not-relocatable",
                    test_parse_not_relocatable);
    g_test_add_func("/x86-boot/parse/unaligned-pref",
                    test_parse_unaligned_pref);
    g_test_add_func("/x86-boot/parse/protocol-2.06", test_parse_protocol_206);
    for (size_t i = 0; i < ARRAY_SIZE(bad_kernels); i++) {
        g_autofree char *name = g_strdup_printf("/x86-boot/parse/bad/%s",
                                                bad_kernels[i].name);

        g_test_add_data_func(name, &bad_kernels[i], test_parse_bad);
    }
    g_test_add_func("/x86-boot/parse/any-bytes", test_parse_any_bytes);
    g_test_add_func("/x86-boot/cmdline/vid-mode", test_cmdline_vid_mode);
    g_test_add_func("/x86-boot/cmdline/mem-limit", test_cmdline_mem_limit);
    g_test_add_func("/x86-boot/gdt-descriptor", test_gdt_descriptor);
    g_test_add_func("/x86-boot/e820/machine-map", test_e820_machine_map);
    g_test_add_func("/x86-boot/e820/sorted-and-merged",
                    test_e820_sorted_and_merged);
    g_test_add_func("/x86-boot/e820/bad-ranges", test_e820_bad_ranges);
    g_test_add_func("/x86-boot/e820/full", test_e820_full);
    g_test_add_func("/x86-boot/load/kernel-initrd", test_load_kernel_initrd);
    g_test_add_func("/x86-boot/load/kernel-only", test_load_kernel_only);
    g_test_add_func("/x86-boot/load/protocol-2.06", test_load_protocol_206);
    g_test_add_func("/x86-boot/load/initrd-limits", test_load_initrd_limits);
    g_test_add_func("/x86-boot/load/changed-in-place",
                    test_load_changed_in_place);
    g_test_add_func("/x86-boot/load/reboot-same-bytes",
                    test_load_reboot_same_bytes);
    g_test_add_func("/x86-boot/load/kernel-too-big", test_load_kernel_too_big);
    g_test_add_func("/x86-boot/load/initrd-too-big", test_load_initrd_too_big);
    g_test_add_func("/x86-boot/load/no-ram-in-map", test_load_no_ram_in_map);
    g_test_add_func("/x86-boot/load/not-guest-ram", test_load_not_guest_ram);
    g_test_add_func("/x86-boot/image/file-errors", test_image_file_errors);
    g_test_add_func("/x86-boot/image/cmdline-too-long",
                    test_image_cmdline_too_long);
    g_test_add_func("/x86-boot/real-kernel", test_real_kernel);
    ret = g_test_run();
    remove_tmpdir();
    return ret;
}
