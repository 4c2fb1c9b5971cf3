/*
 * Unit tests for the q35 ACPI tables (hw/i386/acpi-build.c).
 *
 * For a few machines the tables are built, walked from the RSDP with every
 * length, checksum and pointer checked, then handed to ACPICA's own tools
 * (Debian's acpica-tools, which the build needs anyway): `iasl -d` must
 * disassemble each table and show the expected fields, and `acpiexec`
 * evaluates the patched DSDT's _CRS, _PRT and _OSC as an OS would.
 * iasl 20200925 cannot disassemble an RSDP on its own (a header check
 * meant for tables rejects it), so the RSDP is checked here in C.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "hw/acpi/pm.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/q35.h"

#define BASE ACPI_BUILD_LEGACY_BASE
#define HEADER_SIZE 36
#define GiB ((uint64_t)1 << 30)
#define MiB ((uint64_t)1 << 20)

/* Independent of acpi_checksum(): a valid table sums to zero. */
static uint8_t sum_bytes(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    while (len--) {
        sum += *p++;
    }
    return sum;
}

/* Walking the blob */

typedef struct Tables {
    AcpiBuildConfig cfg;
    GByteArray *blob;
    hwaddr rsdp;
    const uint8_t *xsdt, *fadt, *facs, *dsdt, *madt, *mcfg;
    char *dir;                  /* the tables as files, for the tools */
} Tables;

/* The table at guest address @addr: inside the blob, length and checksum. */
static const uint8_t *table_at(Tables *t, uint64_t addr, const char *sig)
{
    const uint8_t *p;
    uint32_t len;

    g_assert_cmphex(addr, >=, BASE);
    g_assert_cmphex(addr + HEADER_SIZE, <=, BASE + t->blob->len);
    p = t->blob->data + (addr - BASE);
    g_assert_cmpmem(p, 4, sig, 4);
    len = ldl_le_p(p + 4);
    g_assert_cmpuint(len, >=, HEADER_SIZE);
    g_assert_cmphex(addr + len, <=, BASE + t->blob->len);
    g_assert_cmpuint(sum_bytes(p, len), ==, 0);
    g_assert_cmpmem(p + 10, 14, "QVFIO QVFIOQ35", 14);  /* OEM, table IDs */
    return p;
}

static void check_rsdp(Tables *t)
{
    const uint8_t *r = t->blob->data;

    g_assert_cmphex(t->rsdp, ==, BASE);
    g_assert_cmpmem(r, 8, "RSD PTR ", 8);
    g_assert_cmpuint(sum_bytes(r, 20), ==, 0);
    g_assert_cmpuint(sum_bytes(r, 36), ==, 0);
    g_assert_cmpuint(r[15], ==, 2);                 /* revision */
    g_assert_cmphex(ldl_le_p(r + 16), ==, 0);       /* no RSDT */
    g_assert_cmpuint(ldl_le_p(r + 20), ==, 36);
    t->xsdt = table_at(t, ldq_le_p(r + 24), "XSDT");
}

static void walk_tables(Tables *t)
{
    uint32_t xsdt_len;
    uint64_t facs_addr, dsdt_addr;

    check_rsdp(t);
    xsdt_len = ldl_le_p(t->xsdt + 4);
    g_assert_cmpuint(xsdt_len, ==, HEADER_SIZE + 3 * 8);
    t->fadt = table_at(t, ldq_le_p(t->xsdt + 36), "FACP");
    t->madt = table_at(t, ldq_le_p(t->xsdt + 44), "APIC");
    t->mcfg = table_at(t, ldq_le_p(t->xsdt + 52), "MCFG");
    g_assert_cmpuint(ldl_le_p(t->fadt + 4), ==, 276);
    g_assert_cmpuint(t->fadt[8], ==, 6);

    /* the FACS and the DSDT, by 32-bit and 64-bit pointer alike */
    facs_addr = ldq_le_p(t->fadt + 132);
    dsdt_addr = ldq_le_p(t->fadt + 140);
    g_assert_cmphex(ldl_le_p(t->fadt + 36), ==, facs_addr);
    g_assert_cmphex(ldl_le_p(t->fadt + 40), ==, dsdt_addr);
    g_assert_cmphex(facs_addr % 64, ==, 0);
    g_assert_cmphex(facs_addr + 64, <=, BASE + t->blob->len);
    t->facs = t->blob->data + (facs_addr - BASE);
    g_assert_cmpmem(t->facs, 4, "FACS", 4);
    g_assert_cmpuint(ldl_le_p(t->facs + 4), ==, 64);
    t->dsdt = table_at(t, dsdt_addr, "DSDT");
}

/* No placeholder ("QVFIO", 0, 0 in the top bytes of a QWord) is left. */
static void check_no_placeholder(Tables *t)
{
    static const uint8_t tail[] = { 0, 0, 'O', 'I', 'F', 'V', 'Q' };

    g_assert_null(memmem(t->blob->data, t->blob->len, tail, sizeof(tail)));
}

/* Running ACPICA's tools */

static bool have_tools(void)
{
    g_autofree char *iasl = g_find_program_in_path("iasl");
    g_autofree char *acpiexec = g_find_program_in_path("acpiexec");

    if (iasl && acpiexec) {
        return true;
    }
    g_printerr("\n*** test-acpi-build: iasl or acpiexec NOT FOUND: the tables "
               "are NOT checked by ACPICA. Install acpica-tools "
               "(scripts/install-deps). ***\n");
    g_test_skip("iasl/acpiexec not found: install acpica-tools");
    return false;
}

/* Run @argv in @dir; its exit status must be 0. Returns stdout + stderr. */
static char *run_tool(const char *dir, const char *const *argv)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status;

    g_assert_true(g_spawn_sync(dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &out, &err, &status, &error));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_test_message("%s failed:\n%s%s", argv[0], out, err);
        g_assert_not_reached();
    }
    return g_strconcat(out, err, NULL);
}

static void write_table(Tables *t, const char *name, const uint8_t *p,
                        size_t len)
{
    g_autofree char *path = g_strdup_printf("%s/%s.dat", t->dir, name);

    g_assert_true(g_file_set_contents(path, (const char *)p, len, NULL));
}

/* `iasl -d NAME.dat`: the disassembly, checked for complaints. */
static char *disassemble(Tables *t, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.dat", name);
    g_autofree char *dsl_path = g_strdup_printf("%s/%s.dsl", t->dir, name);
    const char *argv[] = { "iasl", "-vs", "-d", file, NULL };
    g_autofree char *log = run_tool(t->dir, argv);
    char *dsl;

    g_assert_true(g_file_get_contents(dsl_path, &dsl, NULL, NULL));
    for (const char *const *bad = (const char *const[]){
             "Warning", "Error", "terminates", "Invalid", NULL }; *bad;
         bad++) {
        if (strstr(log, *bad) || strstr(dsl, *bad)) {
            g_test_message("iasl on %s:\n%s\n%s", name, log, dsl);
            g_assert_not_reached();
        }
    }
    return dsl;
}

/* A disassembled data table: its "Field : Value" lines, in order. */
typedef struct Dsl {
    GPtrArray *fields;
    GPtrArray *values;
    guint pos;
} Dsl;

static void dsl_parse(Dsl *d, const char *text)
{
    g_autoptr(GRegex) re = g_regex_new(
        "^(?:\\[[0-9A-F]+h [0-9]+ +[0-9]+\\])? +(\\S.*?) : (.*?)\\s*$",
        G_REGEX_MULTILINE, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;

    d->fields = g_ptr_array_new_with_free_func(g_free);
    d->values = g_ptr_array_new_with_free_func(g_free);
    d->pos = 0;
    for (g_regex_match(re, text, 0, &m); g_match_info_matches(m);
         g_match_info_next(m, NULL)) {
        g_ptr_array_add(d->fields, g_match_info_fetch(m, 1));
        g_ptr_array_add(d->values, g_match_info_fetch(m, 2));
    }
    g_assert_cmpuint(d->fields->len, >, 0);
}

static void dsl_free(Dsl *d)
{
    g_ptr_array_free(d->fields, true);
    g_ptr_array_free(d->values, true);
}

/* The next field called @field must have the value @value. */
static void dsl_expect(Dsl *d, const char *field, const char *value)
{
    for (; d->pos < d->fields->len; d->pos++) {
        if (!strcmp(g_ptr_array_index(d->fields, d->pos), field)) {
            g_assert_cmpstr(g_ptr_array_index(d->values, d->pos++), ==,
                            value);
            return;
        }
    }
    g_test_message("no field '%s' left in the disassembly", field);
    g_assert_not_reached();
}

static void dsl_expectf(Dsl *d, const char *field, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static void dsl_expectf(Dsl *d, const char *field, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *value = NULL;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    dsl_expect(d, field, value);
}

static guint dsl_count(Dsl *d, const char *field)
{
    guint n = 0;

    for (guint i = 0; i < d->fields->len; i++) {
        n += !strcmp(g_ptr_array_index(d->fields, i), field);
    }
    return n;
}

/* The disassembled tables */

/* A Generic Address Structure: space 0 (memory, unused) or 1 (I/O). */
static void expect_gas(Dsl *d, const char *name, unsigned space,
                       unsigned bits, uint64_t addr)
{
    dsl_expect(d, name, "[Generic Address Structure]");
    dsl_expect(d, "Space ID", space ? "01 [SystemIO]" : "00 [SystemMemory]");
    dsl_expectf(d, "Bit Width", "%02X", bits);
    dsl_expect(d, "Bit Offset", "00");
    dsl_expectf(d, "Address", "%016" PRIX64, addr);
}

static void check_fadt_dsl(Tables *t)
{
    g_autofree char *text = disassemble(t, "facp");
    uint64_t facs = BASE + (t->facs - t->blob->data);
    uint64_t dsdt = BASE + (t->dsdt - t->blob->data);
    uint16_t pm = t->cfg.pm_io_base;
    Dsl d;

    dsl_parse(&d, text);
    dsl_expect(&d, "Revision", "06");
    dsl_expectf(&d, "FACS Address", "%08" PRIX64, facs);
    dsl_expectf(&d, "DSDT Address", "%08" PRIX64, dsdt);
    dsl_expectf(&d, "SCI Interrupt", "%04X", t->cfg.sci_irq);
    dsl_expect(&d, "SMI Command Port", "00000000");
    dsl_expectf(&d, "PM1A Event Block Address", "%08X", pm);
    dsl_expect(&d, "PM1B Event Block Address", "00000000");
    dsl_expectf(&d, "PM1A Control Block Address", "%08X", pm + 4);
    dsl_expectf(&d, "PM Timer Block Address", "%08X", pm + 8);
    dsl_expectf(&d, "GPE0 Block Address", "%08X", pm + 0x20);
    dsl_expect(&d, "PM1 Event Block Length", "04");
    dsl_expect(&d, "PM1 Control Block Length", "02");
    dsl_expect(&d, "PM Timer Block Length", "04");
    dsl_expect(&d, "GPE0 Block Length", "10");
    dsl_expect(&d, "8042 Present on ports 60/64 (V2)", "0");
    dsl_expect(&d, "VGA Not Present (V4)", "1");
    dsl_expect(&d, "CMOS RTC Not Present (V5)", "1");
    dsl_expect(&d, "Control Method Power Button (V1)", "0");
    dsl_expect(&d, "32-bit PM Timer (V1)", "1");
    dsl_expect(&d, "Reset Register Supported (V2)", "1");
    dsl_expect(&d, "Hardware Reduced (V5)", "0");
    expect_gas(&d, "Reset Register", 1, 8, ICH9_RST_CNT_IOPORT);
    dsl_expect(&d, "Value to cause reset", "06");
    dsl_expect(&d, "FADT Minor Revision", "03");
    dsl_expectf(&d, "FACS Address", "%016" PRIX64, facs);
    dsl_expectf(&d, "DSDT Address", "%016" PRIX64, dsdt);
    expect_gas(&d, "PM1A Event Block", 1, 32, pm);
    expect_gas(&d, "PM1B Event Block", 0, 0, 0);
    expect_gas(&d, "PM1A Control Block", 1, 16, pm + 4);
    expect_gas(&d, "PM1B Control Block", 0, 0, 0);
    expect_gas(&d, "PM2 Control Block", 0, 0, 0);
    expect_gas(&d, "PM Timer Block", 1, 32, pm + 8);
    expect_gas(&d, "GPE0 Block", 1, 128, pm + 0x20);
    expect_gas(&d, "GPE1 Block", 0, 0, 0);
    expect_gas(&d, "Sleep Control Register", 0, 0, 0);
    expect_gas(&d, "Sleep Status Register", 0, 0, 0);
    dsl_free(&d);
}

static void check_madt_dsl(Tables *t)
{
    g_autofree char *text = disassemble(t, "apic");
    Dsl d;

    dsl_parse(&d, text);
    dsl_expect(&d, "Local Apic Address", "FEE00000");
    dsl_expect(&d, "PC-AT Compatibility", "1");
    g_assert_cmpuint(dsl_count(&d, "Subtable Type"), ==, t->cfg.cpus + 4);
    for (unsigned cpu = 0; cpu < t->cfg.cpus; cpu++) {
        dsl_expect(&d, "Subtable Type", "00 [Processor Local APIC]");
        dsl_expectf(&d, "Processor ID", "%02X", cpu);
        dsl_expectf(&d, "Local Apic ID", "%02X",
                    t->cfg.apic_ids ? t->cfg.apic_ids[cpu] : cpu);
        dsl_expect(&d, "Processor Enabled", "1");
    }
    dsl_expect(&d, "Subtable Type", "01 [I/O APIC]");
    dsl_expect(&d, "I/O Apic ID", "00");
    dsl_expect(&d, "Address", "FEC00000");
    dsl_expect(&d, "Interrupt", "00000000");
    dsl_expect(&d, "Subtable Type", "02 [Interrupt Source Override]");
    dsl_expect(&d, "Bus", "00");
    dsl_expect(&d, "Source", "00");
    dsl_expect(&d, "Interrupt", "00000002");
    dsl_expect(&d, "Flags (decoded below)", "0000");
    dsl_expect(&d, "Subtable Type", "02 [Interrupt Source Override]");
    dsl_expect(&d, "Source", "09");
    dsl_expect(&d, "Interrupt", "00000009");
    dsl_expect(&d, "Polarity", "1");            /* active high */
    dsl_expect(&d, "Trigger Mode", "3");        /* level */
    dsl_expect(&d, "Subtable Type", "04 [Local APIC NMI]");
    dsl_expect(&d, "Processor ID", "FF");
    dsl_expect(&d, "Interrupt Input LINT", "01");
    dsl_free(&d);
}

static void check_mcfg_dsl(Tables *t)
{
    g_autofree char *text = disassemble(t, "mcfg");
    Dsl d;

    dsl_parse(&d, text);
    dsl_expectf(&d, "Base Address", "%016" PRIX64, t->cfg.ecam_base);
    dsl_expect(&d, "Segment Group Number", "0000");
    dsl_expect(&d, "Start Bus Number", "00");
    dsl_expect(&d, "End Bus Number", "FF");
    dsl_free(&d);
}

static void check_xsdt_facs_dsl(Tables *t)
{
    g_autofree char *xsdt = disassemble(t, "xsdt");
    g_autofree char *facs = disassemble(t, "facs");
    Dsl d;

    dsl_parse(&d, xsdt);
    g_assert_cmpuint(dsl_count(&d, "ACPI Table Address   0") +
                     dsl_count(&d, "ACPI Table Address   1") +
                     dsl_count(&d, "ACPI Table Address   2"), ==, 3);
    dsl_free(&d);
    dsl_parse(&d, facs);
    dsl_expect(&d, "Length", "00000040");
    dsl_expect(&d, "Version", "02");
    dsl_free(&d);
}

/* iasl's ASL with the comments and all white space taken out. */
static char *squeeze_asl(const char *dsl)
{
    g_autoptr(GRegex) comments = g_regex_new("//[^\n]*|/\\*.*?\\*/",
                                             G_REGEX_DOTALL, 0, NULL);
    g_autoptr(GRegex) space = g_regex_new("\\s+", 0, 0, NULL);
    g_autofree char *bare = g_regex_replace_literal(comments, dsl, -1, 0, "",
                                                    0, NULL);

    return g_regex_replace_literal(space, bare, -1, 0, "", 0, NULL);
}

static void expect_asl(const char *asl, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static void expect_asl(const char *asl, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *want = NULL;

    va_start(ap, fmt);
    want = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!strstr(asl, want)) {
        g_test_message("not in the DSDT: %s", want);
        g_assert_not_reached();
    }
}

static void check_dsdt_dsl(Tables *t)
{
    g_autofree char *dsl = disassemble(t, "dsdt");
    g_autofree char *asl = squeeze_asl(dsl);
    const AcpiBuildConfig *c = &t->cfg;
    uint64_t ecam_end = c->ecam_base + c->ecam_size;

    expect_asl(asl, "Name(_S5,Package(0x04){Zero,Zero,Zero,Zero})");
    expect_asl(asl, "Device(PCI0){Name(_HID,EisaId(\"PNP0A08\"))"
               "Name(_CID,EisaId(\"PNP0A03\"))Name(_SEG,Zero)"
               "Name(_BBN,Zero)Name(_UID,Zero)");
    expect_asl(asl, "Name(BUSL,0x%016" PRIX64 ")",
               c->ecam_size / MiB - 1);
    expect_asl(asl, "Name(W1MN,0x%016" PRIX64 ")", c->pci_hole_start);
    expect_asl(asl, "Name(W1MX,0x%016" PRIX64 ")", c->ecam_base - 1);
    expect_asl(asl, "Name(W2MN,0x%016" PRIX64 ")", ecam_end);
    expect_asl(asl, "Name(W2MX,0x%016" PRIX64 ")", c->pci_hole_end - 1);
    expect_asl(asl, "Name(W3MN,0x%016" PRIX64 ")", c->pci_hole64_start);
    expect_asl(asl, "Name(W3MX,0x%016" PRIX64 ")",
               c->pci_hole64_start + c->pci_hole64_size - 1);
    expect_asl(asl, "Name(ECMB,0x%016" PRIX64 ")", c->ecam_base);
    expect_asl(asl, "Name(ECML,0x%016" PRIX64 ")", c->ecam_size);
    expect_asl(asl, "Name(PMBA,0x%016X)", c->pm_io_base);
    expect_asl(asl, "Name(_PRT,Package(0x80)");
    expect_asl(asl, "Method(_OSC,4,Serialized)");
    expect_asl(asl, "Device(MRES){Name(_HID,EisaId(\"PNP0C02\"))");
    expect_asl(asl, "IO(Decode16,0x0000,0x0000,0x01,0x%02X,", ACPI_PM_IO_SIZE);
    expect_asl(asl, "Device(COM1){Name(_HID,EisaId(\"PNP0501\"))");
}

/* Evaluating the DSDT with acpiexec */

/* "Evaluating PATH" ... up to the next evaluation. */
static char *evaluation(const char *out, const char *path)
{
    g_autofree char *head = g_strdup_printf("Evaluation of %s returned", path);
    const char *start = strstr(out, head);
    const char *end;

    if (!start) {
        g_test_message("acpiexec did not evaluate %s:\n%s", path, out);
        g_assert_not_reached();
    }
    end = strstr(start, "\nEvaluating ");
    return g_strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* The bytes of a returned buffer, from acpiexec's hex dump. */
static GByteArray *buffer_bytes(const char *text)
{
    g_autoptr(GRegex) line = g_regex_new(
        "(?:^|=)\\s+[0-9A-F]{4}: ((?:[0-9A-F]{2} )+)", G_REGEX_MULTILINE, 0,
        NULL);
    g_autoptr(GMatchInfo) m = NULL;
    GByteArray *b = g_byte_array_new();

    for (g_regex_match(line, text, 0, &m); g_match_info_matches(m);
         g_match_info_next(m, NULL)) {
        g_autofree char *hex = g_match_info_fetch(m, 1);

        for (char *p = hex; *p; p += 3) {
            uint8_t v = strtoul(p, NULL, 16);

            g_byte_array_append(b, &v, 1);
        }
    }
    return b;
}

/* The integers of a returned package, in order. */
static GArray *package_integers(const char *text)
{
    g_autoptr(GRegex) re = g_regex_new("\\[Integer\\] = ([0-9A-F]+)", 0, 0,
                                       NULL);
    g_autoptr(GMatchInfo) m = NULL;
    GArray *ints = g_array_new(false, false, sizeof(uint64_t));

    for (g_regex_match(re, text, 0, &m); g_match_info_matches(m);
         g_match_info_next(m, NULL)) {
        g_autofree char *hex = g_match_info_fetch(m, 1);
        uint64_t v = g_ascii_strtoull(hex, NULL, 16);

        g_array_append_val(ints, v);
    }
    return ints;
}

/* A decoded resource: 'B'us numbers, 'I'/O ports, 'M'emory, I'R'Q. */
typedef struct Res {
    char kind;
    uint64_t min, max, len;
} Res;

static uint64_t field(const uint8_t *p, unsigned size)
{
    return ldn_le_p(p, size);
}

/* Decode an address space descriptor with @size-byte fields. */
static Res address_space(const uint8_t *d, unsigned size)
{
    static const char kinds[] = { 'M', 'I', 'B' };
    const uint8_t *f = d + 6;               /* granularity */

    g_assert_cmpuint(d[3], <, 3);
    return (Res) { kinds[d[3]], field(f + size, size),
                   field(f + 2 * size, size), field(f + 4 * size, size) };
}

/* A resource template as the OS parses it, ending at its End Tag. */
static GArray *parse_resources(const GByteArray *b)
{
    GArray *res = g_array_new(false, false, sizeof(Res));
    size_t off = 0;

    for (;;) {
        const uint8_t *d = b->data + off;
        Res r = { 0 };
        size_t len;

        g_assert_cmpuint(off, <, b->len);
        if (!(d[0] & 0x80)) {                           /* small */
            len = 1 + (d[0] & 7);
            g_assert_cmpuint(off + len, <=, b->len);
            switch (d[0] >> 3) {
            case 0x0f:                                  /* End Tag */
                g_assert_cmpuint(off + len, ==, b->len);
                return res;
            case 0x04:                                  /* IRQ */
                g_assert_cmphex(lduw_le_p(d + 1), !=, 0);
                r = (Res) { 'R', __builtin_ctz(lduw_le_p(d + 1)), 0, 1 };
                r.max = r.min;
                break;
            case 0x08:                                  /* I/O port */
                r = (Res) { 'I', lduw_le_p(d + 2), lduw_le_p(d + 4), d[7] };
                break;
            default:
                g_assert_not_reached();
            }
        } else {                                        /* large */
            len = 3 + lduw_le_p(d + 1);
            g_assert_cmpuint(off + len, <=, b->len);
            switch (d[0] & 0x7f) {
            case 0x06:                                  /* Memory32Fixed */
                r = (Res) { 'M', ldl_le_p(d + 4),
                            ldl_le_p(d + 4) + ldl_le_p(d + 8) - 1,
                            ldl_le_p(d + 8) };
                break;
            case 0x07:
                r = address_space(d, 4);
                break;
            case 0x08:
                r = address_space(d, 2);
                break;
            case 0x0a:
                r = address_space(d, 8);
                break;
            default:
                g_assert_not_reached();
            }
        }
        g_array_append_val(res, r);
        off += len;
    }
}

static void expect_resources(const char *out, const char *path,
                             const Res *want, size_t n)
{
    g_autofree char *text = evaluation(out, path);
    g_autoptr(GByteArray) b = buffer_bytes(text);
    g_autoptr(GArray) res = parse_resources(b);

    g_assert_cmpuint(res->len, ==, n);
    for (size_t i = 0; i < n; i++) {
        Res *r = &g_array_index(res, Res, i);

        g_test_message("%s resource %zu: %c 0x%" PRIx64 "-0x%" PRIx64
                       " len 0x%" PRIx64, path, i, r->kind, r->min, r->max,
                       r->len);
        g_assert_cmpint(r->kind, ==, want[i].kind);
        g_assert_cmphex(r->min, ==, want[i].min);
        g_assert_cmphex(r->max, ==, want[i].max);
        g_assert_cmphex(r->len, ==, want[i].len);
    }
}

static void check_prt(const char *out)
{
    g_autofree char *text = evaluation(out, "\\_SB.PCI0._PRT");
    g_autoptr(GArray) ints = package_integers(text);

    g_assert_cmpuint(ints->len, ==, 32 * 4 * 4);
    for (unsigned slot = 0; slot < 32; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            uint64_t *e = &g_array_index(ints, uint64_t, (slot * 4 + pin) * 4);

            g_assert_cmphex(e[0], ==, (uint64_t)slot << 16 | 0xffff);
            g_assert_cmpuint(e[1], ==, pin);
            g_assert_cmpuint(e[2], ==, 0);              /* a GSI, no link */
            g_assert_cmpuint(e[3], ==, Q35_PIRQ_GSI_BASE + (slot + pin) % 4);
        }
    }
}

/* _OSC as Linux calls it: query, then ask for everything. */
static void check_osc(const char *out)
{
    g_autofree char *query = evaluation(out, "\\_SB.PCI0._OSC");
    g_autoptr(GByteArray) b = buffer_bytes(query);

    g_assert_cmpuint(b->len, ==, 12);
    /* CDW1: query flag kept, "capabilities masked"; CDW3: what is granted */
    g_assert_cmphex(ldl_le_p(b->data), ==, 0x11);
    g_assert_cmphex(ldl_le_p(b->data + 8), ==, 0x1d);
}

static void check_dsdt_acpiexec(Tables *t)
{
    const AcpiBuildConfig *c = &t->cfg;
    uint64_t ecam_end = c->ecam_base + c->ecam_size;
    uint64_t hole64_end = c->pci_hole64_start + c->pci_hole64_size;
    unsigned buses = c->ecam_size / MiB;
    /* the PCI firmware spec's UUID, as ToUUID lays it out */
    const char *evals =
        "evaluate \\_SB.PCI0._CRS; evaluate \\_SB.MRES._CRS; "
        "evaluate \\_SB.COM1._CRS; evaluate \\_SB.PCI0._PRT; "
        "evaluate \\_SB.PCI0._OSC (5b 4d db 33 f7 1f 1c 40 96 57 74 41 c0 3d "
        "d7 66) 1 3 (01 00 00 00 1f 00 00 00 3f 00 00 00)";
    const char *argv[] = { "acpiexec", "-b", evals, "dsdt.dat", NULL };
    g_autofree char *out = run_tool(t->dir, argv);
    const Res pci0[] = {
        { 'B', 0, buses - 1, buses },
        { 'I', 0, 0xcf7, 0xcf8 },
        { 'I', 0xd00, 0xffff, 0xf300 },
        { 'M', c->pci_hole_start, c->ecam_base - 1,
          c->ecam_base - c->pci_hole_start },
        { 'M', ecam_end, c->pci_hole_end - 1, c->pci_hole_end - ecam_end },
        { 'M', c->pci_hole64_start, hole64_end - 1, c->pci_hole64_size },
    };
    const Res mres[] = {
        { 'M', c->ecam_base, ecam_end - 1, c->ecam_size },
        { 'I', c->pm_io_base, c->pm_io_base, ACPI_PM_IO_SIZE },
        { 'I', ICH9_RST_CNT_IOPORT, ICH9_RST_CNT_IOPORT, 1 },
    };
    const Res com1[] = {
        { 'I', 0x3f8, 0x3f8, 8 },
        { 'R', 4, 4, 1 },
    };

    g_assert_null(strstr(out, "Error"));
    g_assert_null(strstr(out, "Exception"));
    expect_resources(out, "\\_SB.PCI0._CRS", pci0, ARRAY_SIZE(pci0));
    expect_resources(out, "\\_SB.MRES._CRS", mres, ARRAY_SIZE(mres));
    expect_resources(out, "\\_SB.COM1._CRS", com1, ARRAY_SIZE(com1));
    check_prt(out);
    check_osc(out);
}

/* The whole check of one machine */

static void check_machine(unsigned cpus, uint64_t ram,
                          const uint32_t *apic_ids)
{
    Tables t = { 0 };
    g_autoptr(GError) err = NULL;

    acpi_build_q35_config(&t.cfg, cpus, ram);
    t.cfg.apic_ids = apic_ids;
    t.blob = acpi_build_tables(&t.cfg, BASE, ACPI_BUILD_LEGACY_SIZE, &t.rsdp,
                               &error_abort);
    g_test_message("%u CPUs, %" PRIu64 " MiB: %u bytes of tables", cpus,
                   ram / MiB, t.blob->len);
    g_assert_cmpuint(t.blob->len, <=, ACPI_BUILD_LEGACY_SIZE);
    walk_tables(&t);
    check_no_placeholder(&t);
    if (!have_tools()) {
        g_byte_array_unref(t.blob);
        return;
    }
    t.dir = g_dir_make_tmp("acpi-build-XXXXXX", &err);
    g_assert_no_error(err);
    write_table(&t, "xsdt", t.xsdt, ldl_le_p(t.xsdt + 4));
    write_table(&t, "facp", t.fadt, ldl_le_p(t.fadt + 4));
    write_table(&t, "facs", t.facs, 64);
    write_table(&t, "dsdt", t.dsdt, ldl_le_p(t.dsdt + 4));
    write_table(&t, "apic", t.madt, ldl_le_p(t.madt + 4));
    write_table(&t, "mcfg", t.mcfg, ldl_le_p(t.mcfg + 4));
    check_xsdt_facs_dsl(&t);
    check_fadt_dsl(&t);
    check_madt_dsl(&t);
    check_mcfg_dsl(&t);
    check_dsdt_dsl(&t);
    check_dsdt_acpiexec(&t);
    if (!getenv("ACPI_TEST_KEEP")) {
        g_autoptr(GDir) dir = g_dir_open(t.dir, 0, NULL);
        const char *name;

        while ((name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(t.dir, name, NULL);

            g_unlink(path);
        }
        g_rmdir(t.dir);
    }
    g_free(t.dir);
    g_byte_array_unref(t.blob);
}

static void test_one_cpu_128m(void)
{
    check_machine(1, 128 * MiB, NULL);
}

static void test_four_cpus_3g(void)
{
    check_machine(4, 3 * GiB, NULL);
}

/* High RAM that ends off a GiB boundary: the 64-bit hole rounds up. */
static void test_max_cpus(void)
{
    check_machine(ACPI_BUILD_MAX_CPUS, 10 * GiB + 512 * MiB, NULL);
}

/* A topology leaves holes in the APIC IDs (2 sockets of 3 cores). */
static void test_sparse_apic_ids(void)
{
    static const uint32_t ids[] = { 0, 1, 2, 4, 5, 6 };

    check_machine(ARRAY_SIZE(ids), 1 * GiB, ids);
}

/* The q35 map */

static void test_q35_config(void)
{
    AcpiBuildConfig c;

    acpi_build_q35_config(&c, 2, 128 * MiB);
    g_assert_cmpuint(c.cpus, ==, 2);
    g_assert_cmphex(c.pci_hole_start, ==, 128 * MiB);
    g_assert_cmphex(c.pci_hole_end, ==, 0xfec00000);
    g_assert_cmphex(c.pci_hole64_start, ==, 4 * GiB);
    g_assert_cmphex(c.pci_hole64_size, ==, 32 * GiB);
    g_assert_cmphex(c.ecam_base, ==, 0xb0000000);
    g_assert_cmphex(c.ecam_size, ==, 256 * MiB);
    g_assert_cmphex(c.ioapic_addr, ==, 0xfec00000);
    g_assert_cmphex(c.lapic_addr, ==, 0xfee00000);
    g_assert_cmpuint(c.ioapic_id, ==, 0);
    g_assert_cmphex(c.pm_io_base, ==, 0x600);
    g_assert_cmpuint(c.sci_irq, ==, 9);
    acpi_build_q35_config(&c, 1, 2 * GiB);
    g_assert_cmphex(c.pci_hole_start, ==, 2 * GiB);
    g_assert_cmphex(c.pci_hole64_start, ==, 4 * GiB);
    acpi_build_q35_config(&c, 1, 2 * GiB + 1);
    g_assert_cmphex(c.pci_hole_start, ==, 2 * GiB);
    g_assert_cmphex(c.pci_hole64_start, ==, 5 * GiB);
}

/* Configurations that cannot be described */

static void expect_build_error(const AcpiBuildConfig *c, hwaddr base,
                               size_t max, const char *needle)
{
    Error *err = NULL;
    hwaddr rsdp = 0x1234;

    g_assert_null(acpi_build_tables(c, base, max, &rsdp, &err));
    g_assert_nonnull(err);
    g_test_message("%s", error_get_pretty(err));
    g_assert_nonnull(strstr(error_get_pretty(err), needle));
    g_assert_cmphex(rsdp, ==, 0x1234);
    error_free(err);
}

static void test_bad_configs(void)
{
    AcpiBuildConfig good, c;

    acpi_build_q35_config(&good, 4, 1 * GiB);
    c = good;
    c.cpus = 0;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "0 CPUs");
    c.cpus = ACPI_BUILD_MAX_CPUS + 1;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "256 CPUs");
    c = good;
    c.apic_ids = (const uint32_t[]){ 0, 1, 255, 3 };
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "APIC ID 255");
    c.apic_ids = (const uint32_t[]){ 0, 7, 3, 7 };
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "APIC ID 7 is given");
    expect_build_error(&good, BASE + 8, ACPI_BUILD_LEGACY_SIZE,
                       "16-byte aligned");
    c = good;
    c.ecam_size = 0;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "ECAM");
    c.ecam_size = 512 * MiB;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "ECAM");
    c.ecam_size = MiB + 4096;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "ECAM");
    c = good;
    c.pci_hole_start = 0xc0000000;          /* ECAM below the hole */
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "inside the 32-bit");
    c = good;
    c.pci_hole_end = 0xc0000000;            /* nothing above ECAM */
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "inside the 32-bit");
    c = good;
    c.ecam_base = 0xfffffffff0000000ULL;    /* its end wraps to 0 */
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "inside the 32-bit");
    c = good;
    c.ioapic_addr = 4 * GiB;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "below 4 GiB");
    c = good;
    c.pci_hole64_start = 3 * GiB;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "64-bit PCI hole");
    c = good;
    c.pci_hole64_start = UINT64_MAX - GiB;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "64-bit PCI hole");
    c = good;
    c.sci_irq = 16;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "SCI IRQ 16");
    c = good;
    c.pm_io_base = 0xffc0;
    expect_build_error(&c, BASE, ACPI_BUILD_LEGACY_SIZE, "PM block");
    /* too little room, and room that would reach above 4 GiB */
    c = good;
    c.cpus = ACPI_BUILD_MAX_CPUS;
    expect_build_error(&c, BASE, 4096, "do not fit");
    expect_build_error(&good, 0xfffffff0, ACPI_BUILD_LEGACY_SIZE, "4 GiB");
}

/* Placeholder patching on hand-made AML */

#define PH 0x515646494f0000abULL

/* NameOp, @name, QWordPrefix, @value: the way iasl writes the Name. */
static void append_name(GByteArray *b, const char *name, uint64_t value)
{
    uint8_t q[8];

    g_byte_array_append(b, (const uint8_t *)"\x08", 1);
    g_byte_array_append(b, (const uint8_t *)name, 4);
    g_byte_array_append(b, (const uint8_t *)"\x0e", 1);
    stq_le_p(q, value);
    g_byte_array_append(b, q, 8);
}

static void expect_patch_error(GByteArray *b, const char *name,
                               const char *needle)
{
    g_autofree uint8_t *before = g_malloc(b->len);
    Error *err = NULL;

    memcpy(before, b->data, b->len);
    g_assert_false(acpi_aml_patch_name(b->data, b->len, name, PH, 7, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), needle));
    g_assert_cmpmem(b->data, b->len, before, b->len);   /* untouched */
    error_free(err);
}

static void test_patch_name(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    append_name(b, "AAAA", 1);
    append_name(b, "W1MN", PH);
    append_name(b, "BBBB", 2);
    g_assert_true(acpi_aml_patch_name(b->data, b->len, "W1MN", PH,
                                      0x0123456789abcdefULL, &error_abort));
    g_assert_cmphex(ldq_le_p(b->data + 14 + 6), ==, 0x0123456789abcdefULL);
    g_assert_cmphex(ldq_le_p(b->data + 6), ==, 1);
    g_assert_cmphex(ldq_le_p(b->data + 28 + 6), ==, 2);
    /* patched: the placeholder is gone */
    expect_patch_error(b, "W1MN", "occurs 0 times");
}

static void test_patch_name_errors(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    uint8_t dword[] = { 0x08, 'W', '1', 'M', 'N', 0x0c, 0xab, 0, 0x4f, 0x49 };

    /* twice */
    append_name(b, "W1MN", PH);
    append_name(b, "W1MX", PH);
    expect_patch_error(b, "W1MN", "occurs 2 times");
    /* once, but the value of another Name */
    g_byte_array_set_size(b, 0);
    append_name(b, "W1MX", PH);
    expect_patch_error(b, "W1MN", "is not the value of Name W1MN");
    /* once, but not after a NameOp */
    b->data[0] = 0x10;
    expect_patch_error(b, "W1MX", "is not the value of Name W1MX");
    /* at the very start: no room for a Name before it */
    g_byte_array_remove_range(b, 0, 5);
    expect_patch_error(b, "W1MX", "is not the value of Name W1MX");
    /* encoded narrower than a QWord: not found */
    g_byte_array_set_size(b, 0);
    g_byte_array_append(b, dword, sizeof(dword));
    expect_patch_error(b, "W1MN", "occurs 0 times");
    /* truncated placeholder at the end of the AML */
    g_byte_array_set_size(b, 0);
    append_name(b, "W1MN", PH);
    g_byte_array_set_size(b, b->len - 1);
    expect_patch_error(b, "W1MN", "occurs 0 times");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-build/q35-config", test_q35_config);
    g_test_add_func("/acpi-build/tables/1cpu-128M", test_one_cpu_128m);
    g_test_add_func("/acpi-build/tables/4cpus-3G", test_four_cpus_3g);
    g_test_add_func("/acpi-build/tables/max-cpus", test_max_cpus);
    g_test_add_func("/acpi-build/tables/sparse-apic-ids",
                    test_sparse_apic_ids);
    g_test_add_func("/acpi-build/bad-configs", test_bad_configs);
    g_test_add_func("/acpi-build/patch-name", test_patch_name);
    g_test_add_func("/acpi-build/patch-name-errors", test_patch_name_errors);
    return g_test_run();
}
