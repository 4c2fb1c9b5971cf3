/*
 * The q35 machine's ACPI tables (see include/hw/i386/acpi-build.h).
 *
 * Layout from the base: RSDP, FACS (64-byte aligned), DSDT, FADT, MADT,
 * MCFG, XSDT, each table 8-byte aligned. Multi-byte fields are
 * little-endian whatever the host.
 */
#include "qemu/osdep.h"
#include "hw/acpi/pm.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/q35.h"
#include "hw/i386/q35-dsdt.h"
#include "q35-dsdt-aml.h"           /* generated: q35_dsdt_aml[] */
#include "trace.h"

#define ACPI_OEM_ID "QVFIO "
#define ACPI_OEM_TABLE_ID "QVFIOQ35"
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_ID "QVFO"
#define ACPI_CREATOR_REVISION 1
#define ACPI_HEADER_SIZE 36
#define ACPI_CHECKSUM_OFFSET 9
#define ACPI_LENGTH_OFFSET 4

#define RSDP_SIZE 36
#define RSDP_V1_SIZE 20             /* what the first checksum covers */
#define FACS_SIZE 64
#define FADT_REVISION 6             /* ACPI 6.3 */
#define FADT_MINOR_REVISION 3
#define FADT_SIZE 276

/* Generic Address Structure */
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* FADT flags */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_SLP_BUTTON (1u << 5)   /* no fixed-feature sleep button */
#define FADT_FIX_RTC (1u << 6)      /* no RTC wake status */
#define FADT_TMR_VAL_EXT (1u << 8)  /* 32-bit PM timer */
#define FADT_RESET_REG_SUP (1u << 10)
/* IA-PC boot architecture flags: no 8042 (bit 1 clear), no VGA, no RTC */
#define IAPC_BOOT_NO_VGA (1u << 2)
#define IAPC_BOOT_NO_CMOS_RTC (1u << 5)
/* C2/C3 latencies above 100/1000 us say the state is not supported. */
#define FADT_NO_C2_LATENCY 0x0fff
#define FADT_NO_C3_LATENCY 0x0fff

/* MADT */
#define MADT_REVISION 5
#define MADT_PCAT_COMPAT (1u << 0)
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_INT_SRC_OVERRIDE 2
#define MADT_LOCAL_APIC_NMI 4
#define MADT_LAPIC_ENABLED (1u << 0)
#define MADT_ALL_PROCESSORS 0xff
#define MPS_INTI_POLARITY_HIGH 0x1
#define MPS_INTI_TRIGGER_LEVEL (0x3 << 2)
/* The PIT (ISA IRQ 0) reaches the I/O APIC's input 2. */
#define PIT_ISA_IRQ 0
#define PIT_GSI 2

#define AML_NAME_OP 0x08
#define AML_QWORD_PREFIX 0x0e
#define AML_NAME_SEG_SIZE 4

#define ECAM_BUS_SIZE (1ULL << 20)
#define ECAM_MAX_BUSES 256

/* Appending little-endian fields */

static void append_u8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

static void append_u16(GByteArray *b, uint16_t v)
{
    uint8_t buf[2];

    stw_le_p(buf, v);
    g_byte_array_append(b, buf, sizeof(buf));
}

static void append_u32(GByteArray *b, uint32_t v)
{
    uint8_t buf[4];

    stl_le_p(buf, v);
    g_byte_array_append(b, buf, sizeof(buf));
}

static void append_u64(GByteArray *b, uint64_t v)
{
    uint8_t buf[8];

    stq_le_p(buf, v);
    g_byte_array_append(b, buf, sizeof(buf));
}

/* @len bytes of @s, padded with spaces (signatures, OEM IDs). */
static void append_str(GByteArray *b, const char *s, size_t len)
{
    g_assert(strlen(s) <= len);
    g_byte_array_append(b, (const uint8_t *)s, strlen(s));
    for (size_t i = strlen(s); i < len; i++) {
        append_u8(b, ' ');
    }
}

static void append_zeros(GByteArray *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        append_u8(b, 0);
    }
}

static void pad_to(GByteArray *b, size_t align)
{
    append_zeros(b, QEMU_ALIGN_UP(b->len, align) - b->len);
}

/* A Generic Address Structure for @bytes bytes of I/O ports at @port. */
static void append_gas_io(GByteArray *b, uint16_t port, unsigned bytes,
                          uint8_t access_size)
{
    append_u8(b, port ? GAS_SYSTEM_IO : 0);
    append_u8(b, bytes * 8);                /* register bit width */
    append_u8(b, 0);                        /* register bit offset */
    append_u8(b, port ? access_size : 0);
    append_u64(b, port);
}

uint8_t acpi_checksum(const uint8_t *data, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum += data[i];
    }
    return sum;
}

/* Make the bytes [@start, @start + @len) of @b sum to zero. */
static void set_checksum(GByteArray *b, size_t start, size_t len,
                         size_t field)
{
    b->data[field] = 0;
    b->data[field] = -acpi_checksum(b->data + start, len);
}

/* Tables: a standard header, then the body; the end fixes both up. */

static size_t table_begin(GByteArray *b, const char *signature,
                          uint8_t revision)
{
    size_t start;

    pad_to(b, 8);
    start = b->len;
    append_str(b, signature, 4);
    append_u32(b, 0);                       /* length, set at the end */
    append_u8(b, revision);
    append_u8(b, 0);                        /* checksum, set at the end */
    append_str(b, ACPI_OEM_ID, 6);
    append_str(b, ACPI_OEM_TABLE_ID, 8);
    append_u32(b, ACPI_OEM_REVISION);
    append_str(b, ACPI_CREATOR_ID, 4);
    append_u32(b, ACPI_CREATOR_REVISION);
    return start;
}

static void table_end(GByteArray *b, size_t start)
{
    size_t len = b->len - start;

    stl_le_p(b->data + start + ACPI_LENGTH_OFFSET, len);
    set_checksum(b, start, len, start + ACPI_CHECKSUM_OFFSET);
}

/* The configuration */

void acpi_build_q35_config(AcpiBuildConfig *cfg, unsigned cpus,
                           uint64_t ram_size)
{
    uint64_t below = MIN(ram_size, Q35_LOWMEM_MAX);
    uint64_t above = ram_size - below;

    *cfg = (AcpiBuildConfig) {
        .cpus = cpus,
        .lapic_addr = Q35_LAPIC_BASE,
        .ioapic_addr = Q35_IOAPIC_BASE,
        .ioapic_id = 0,
        .pci_hole_start = below,
        .pci_hole_end = Q35_PCI_HOLE_END,
        .pci_hole64_start = QEMU_ALIGN_UP((1ULL << 32) + above, 1ULL << 30),
        .pci_hole64_size = Q35_PCI_HOLE64_SIZE,
        .ecam_base = Q35_ECAM_BASE,
        .ecam_size = Q35_ECAM_SIZE,
        .pm_io_base = ACPI_PM_IO_BASE,
        .sci_irq = ACPI_PM_SCI_IRQ,
    };
}

static uint32_t acpi_build_apic_id(const AcpiBuildConfig *cfg,
                                   unsigned cpu)
{
    return cfg->apic_ids ? cfg->apic_ids[cpu] : cpu;
}

/* xAPIC IDs are 8 bits, 0xFF is the broadcast ID, and no two CPUs share. */
static bool acpi_build_check_apic_ids(const AcpiBuildConfig *cfg,
                                      Error **errp)
{
    uint8_t used[256] = { 0 };

    for (unsigned cpu = 0; cpu < cfg->cpus; cpu++) {
        uint32_t id = acpi_build_apic_id(cfg, cpu);

        if (id >= 0xff) {
            error_setg(errp, "ACPI tables: CPU %u has APIC ID %" PRIu32
                       ", but xAPIC IDs stop at 254; use fewer CPUs or a "
                       "smaller topology", cpu, id);
            return false;
        }
        if (used[id]++) {
            error_setg(errp, "ACPI tables: APIC ID %" PRIu32 " is given to "
                       "two CPUs", id);
            return false;
        }
    }
    return true;
}

static bool acpi_build_check(const AcpiBuildConfig *cfg, hwaddr base,
                             Error **errp)
{
    uint64_t ecam_end = cfg->ecam_base + cfg->ecam_size;

    if (cfg->cpus < 1 || cfg->cpus > ACPI_BUILD_MAX_CPUS) {
        error_setg(errp, "ACPI tables: %u CPUs cannot be described: xAPIC "
                   "IDs allow 1 to %d; use fewer CPUs", cfg->cpus,
                   ACPI_BUILD_MAX_CPUS);
        return false;
    }
    if (!acpi_build_check_apic_ids(cfg, errp)) {
        return false;
    }
    if (!QEMU_IS_ALIGNED(base, 16)) {
        error_setg(errp, "ACPI tables: base 0x%" HWADDR_PRIx " is not "
                   "16-byte aligned, as the RSDP must be", base);
        return false;
    }
    if (!cfg->ecam_size || cfg->ecam_size % ECAM_BUS_SIZE ||
        cfg->ecam_size > ECAM_MAX_BUSES * ECAM_BUS_SIZE ||
        cfg->ecam_base % ECAM_BUS_SIZE) {
        error_setg(errp, "ACPI tables: ECAM at 0x%" HWADDR_PRIx " size 0x%"
                   PRIx64 " must span 1 to 256 whole MiB (a bus each) from a "
                   "MiB boundary", cfg->ecam_base, cfg->ecam_size);
        return false;
    }
    if (cfg->pci_hole_end > (1ULL << 32) ||
        cfg->ecam_base <= cfg->pci_hole_start ||
        cfg->ecam_base >= cfg->pci_hole_end ||
        ecam_end >= cfg->pci_hole_end) {
        error_setg(errp, "ACPI tables: ECAM [0x%" HWADDR_PRIx ", 0x%" PRIx64
                   ") must lie inside the 32-bit PCI hole [0x%" HWADDR_PRIx
                   ", 0x%" HWADDR_PRIx ") with room on both sides",
                   cfg->ecam_base, ecam_end, cfg->pci_hole_start,
                   cfg->pci_hole_end);
        return false;
    }
    if (cfg->pci_hole64_start < (1ULL << 32) || !cfg->pci_hole64_size ||
        cfg->pci_hole64_start + cfg->pci_hole64_size - 1 <
        cfg->pci_hole64_start) {
        error_setg(errp, "ACPI tables: the 64-bit PCI hole at 0x%"
                   HWADDR_PRIx " size 0x%" PRIx64 " must be above 4 GiB, "
                   "not empty, and end below 2^64", cfg->pci_hole64_start,
                   cfg->pci_hole64_size);
        return false;
    }
    if (cfg->lapic_addr >= (1ULL << 32) || cfg->ioapic_addr >= (1ULL << 32)) {
        error_setg(errp, "ACPI tables: the Local APIC at 0x%" HWADDR_PRIx
                   " and the I/O APIC at 0x%" HWADDR_PRIx " must be below "
                   "4 GiB", cfg->lapic_addr, cfg->ioapic_addr);
        return false;
    }
    if (!cfg->pm_io_base ||
        cfg->pm_io_base + ACPI_PM_IO_SIZE > 0x10000 || cfg->sci_irq >= 16) {
        error_setg(errp, "ACPI tables: PM block at port 0x%x or SCI IRQ %u "
                   "out of range (ports up to 0xffff, ISA IRQs 0-15)",
                   cfg->pm_io_base, cfg->sci_irq);
        return false;
    }
    return true;
}

/* The DSDT: iasl's AML with the machine's values over the placeholders */

bool acpi_aml_patch_name(uint8_t *aml, size_t len, const char *name,
                         uint64_t placeholder, uint64_t value, Error **errp)
{
    uint8_t needle[9] = { AML_QWORD_PREFIX };
    uint8_t *hit = NULL;
    unsigned count = 0;

    g_assert(strlen(name) == AML_NAME_SEG_SIZE);
    stq_le_p(needle + 1, placeholder);
    for (uint8_t *p = aml; p < aml + len;) {
        uint8_t *found = memmem(p, aml + len - p, needle, sizeof(needle));

        if (!found) {
            break;
        }
        hit = found;
        count++;
        p = found + 1;
    }
    if (count != 1) {
        error_setg(errp, "DSDT: placeholder 0x%016" PRIx64 " of Name %s "
                   "occurs %u times in the AML, not once: q35-dsdt.asl and "
                   "q35-dsdt.h disagree", placeholder, name, count);
        return false;
    }
    if (hit - aml < 1 + AML_NAME_SEG_SIZE ||
        hit[-1 - AML_NAME_SEG_SIZE] != AML_NAME_OP ||
        memcmp(hit - AML_NAME_SEG_SIZE, name, AML_NAME_SEG_SIZE)) {
        error_setg(errp, "DSDT: placeholder 0x%016" PRIx64 " is not the "
                   "value of Name %s: q35-dsdt.asl and q35-dsdt.h disagree",
                   placeholder, name);
        return false;
    }
    stq_le_p(hit + 1, value);
    return true;
}

typedef struct DsdtValue {
    char name[AML_NAME_SEG_SIZE + 1];
    uint64_t placeholder;
    uint64_t value;
} DsdtValue;

static bool build_dsdt(GByteArray *b, const AcpiBuildConfig *cfg,
                       size_t *offset, Error **errp)
{
    uint64_t ecam_end = cfg->ecam_base + cfg->ecam_size;
    const DsdtValue values[] = {
        { "BUSL", Q35_DSDT_BUS_LAST, cfg->ecam_size / ECAM_BUS_SIZE - 1 },
        { "W1MN", Q35_DSDT_WIN1_MIN, cfg->pci_hole_start },
        { "W1MX", Q35_DSDT_WIN1_MAX, cfg->ecam_base - 1 },
        { "W2MN", Q35_DSDT_WIN2_MIN, ecam_end },
        { "W2MX", Q35_DSDT_WIN2_MAX, cfg->pci_hole_end - 1 },
        { "W3MN", Q35_DSDT_WIN3_MIN, cfg->pci_hole64_start },
        { "W3MX", Q35_DSDT_WIN3_MAX,
          cfg->pci_hole64_start + cfg->pci_hole64_size - 1 },
        { "ECMB", Q35_DSDT_ECAM_BASE, cfg->ecam_base },
        { "ECML", Q35_DSDT_ECAM_SIZE, cfg->ecam_size },
        { "PMBA", Q35_DSDT_PM_BASE, cfg->pm_io_base },
    };
    size_t start;
    uint8_t *aml;

    pad_to(b, 8);
    start = b->len;
    g_byte_array_append(b, q35_dsdt_aml, sizeof(q35_dsdt_aml));
    aml = b->data + start;
    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        if (!acpi_aml_patch_name(aml, sizeof(q35_dsdt_aml), values[i].name,
                                 values[i].placeholder, values[i].value,
                                 errp)) {
            return false;
        }
    }
    set_checksum(b, start, sizeof(q35_dsdt_aml), start + ACPI_CHECKSUM_OFFSET);
    *offset = start;
    return true;
}

/* The other tables */

/* Each build_*() appends its table and returns the table's offset. */

static size_t build_facs(GByteArray *b)
{
    size_t start;

    pad_to(b, 64);                      /* the FACS must be 64-byte aligned */
    start = b->len;
    append_str(b, "FACS", 4);
    append_u32(b, FACS_SIZE);
    append_u32(b, 0);                   /* hardware signature */
    append_u32(b, 0);                   /* firmware waking vector */
    append_u32(b, 0);                   /* global lock */
    append_u32(b, 0);                   /* flags: no S4BIOS, no 64-bit wake */
    append_u64(b, 0);                   /* X firmware waking vector */
    append_u8(b, 2);                    /* version */
    append_zeros(b, 3);
    append_u32(b, 0);                   /* OSPM flags */
    append_zeros(b, 24);
    return start;
}

static size_t build_fadt(GByteArray *b, const AcpiBuildConfig *cfg,
                         hwaddr facs, hwaddr dsdt)
{
    uint16_t pm = cfg->pm_io_base;
    size_t start = table_begin(b, "FACP", FADT_REVISION);

    append_u32(b, facs);                /* FIRMWARE_CTRL */
    append_u32(b, dsdt);
    append_u8(b, 0);                    /* reserved (INT_MODEL) */
    append_u8(b, 0);                    /* preferred PM profile: unspecified */
    append_u16(b, cfg->sci_irq);
    append_u32(b, 0);                   /* SMI_CMD: ACPI mode always on */
    append_u8(b, 0);                    /* ACPI_ENABLE */
    append_u8(b, 0);                    /* ACPI_DISABLE */
    append_u8(b, 0);                    /* S4BIOS_REQ */
    append_u8(b, 0);                    /* PSTATE_CNT */
    append_u32(b, pm + ACPI_PM1_STS);   /* PM1a_EVT_BLK */
    append_u32(b, 0);                   /* PM1b_EVT_BLK */
    append_u32(b, pm + ACPI_PM1_CNT);   /* PM1a_CNT_BLK */
    append_u32(b, 0);                   /* PM1b_CNT_BLK */
    append_u32(b, 0);                   /* PM2_CNT_BLK */
    append_u32(b, pm + ACPI_PM_TMR);    /* PM_TMR_BLK */
    append_u32(b, pm + ACPI_GPE0_BLK);  /* GPE0_BLK */
    append_u32(b, 0);                   /* GPE1_BLK */
    append_u8(b, ACPI_PM1_EVT_LEN);
    append_u8(b, ACPI_PM1_CNT_LEN);
    append_u8(b, 0);                    /* PM2_CNT_LEN */
    append_u8(b, ACPI_PM_TMR_LEN);
    append_u8(b, ACPI_GPE0_BLK_LEN);
    append_u8(b, 0);                    /* GPE1_BLK_LEN */
    append_u8(b, 0);                    /* GPE1_BASE */
    append_u8(b, 0);                    /* CST_CNT */
    append_u16(b, FADT_NO_C2_LATENCY);
    append_u16(b, FADT_NO_C3_LATENCY);
    append_u16(b, 0);                   /* FLUSH_SIZE */
    append_u16(b, 0);                   /* FLUSH_STRIDE */
    append_u8(b, 0);                    /* DUTY_OFFSET */
    append_u8(b, 0);                    /* DUTY_WIDTH */
    append_u8(b, 0);                    /* DAY_ALRM */
    append_u8(b, 0);                    /* MON_ALRM */
    append_u8(b, 0);                    /* CENTURY: no RTC */
    append_u16(b, IAPC_BOOT_NO_VGA | IAPC_BOOT_NO_CMOS_RTC);
    append_u8(b, 0);                    /* reserved */
    append_u32(b, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON |
               FADT_FIX_RTC | FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP);
    append_gas_io(b, ICH9_RST_CNT_IOPORT, 1, GAS_ACCESS_BYTE);
    append_u8(b, ICH9_RST_CNT_RESET_VALUE);
    append_u16(b, 0);                   /* ARM_BOOT_ARCH */
    append_u8(b, FADT_MINOR_REVISION);
    append_u64(b, facs);                /* X_FIRMWARE_CTRL */
    append_u64(b, dsdt);                /* X_DSDT */
    append_gas_io(b, pm + ACPI_PM1_STS, ACPI_PM1_EVT_LEN, GAS_ACCESS_WORD);
    append_gas_io(b, 0, 0, 0);          /* X_PM1b_EVT_BLK */
    append_gas_io(b, pm + ACPI_PM1_CNT, ACPI_PM1_CNT_LEN, GAS_ACCESS_WORD);
    append_gas_io(b, 0, 0, 0);          /* X_PM1b_CNT_BLK */
    append_gas_io(b, 0, 0, 0);          /* X_PM2_CNT_BLK */
    append_gas_io(b, pm + ACPI_PM_TMR, ACPI_PM_TMR_LEN, GAS_ACCESS_DWORD);
    append_gas_io(b, pm + ACPI_GPE0_BLK, ACPI_GPE0_BLK_LEN, GAS_ACCESS_BYTE);
    append_gas_io(b, 0, 0, 0);          /* X_GPE1_BLK */
    append_gas_io(b, 0, 0, 0);          /* SLEEP_CONTROL_REG (HW-reduced) */
    append_gas_io(b, 0, 0, 0);          /* SLEEP_STATUS_REG (HW-reduced) */
    append_u64(b, 0);                   /* hypervisor vendor identity */
    g_assert(b->len - start == FADT_SIZE);
    table_end(b, start);
    return start;
}

static void append_madt_override(GByteArray *b, uint8_t isa_irq, uint32_t gsi,
                                 uint16_t flags)
{
    append_u8(b, MADT_INT_SRC_OVERRIDE);
    append_u8(b, 10);
    append_u8(b, 0);                    /* bus: ISA */
    append_u8(b, isa_irq);
    append_u32(b, gsi);
    append_u16(b, flags);
}

static size_t build_madt(GByteArray *b, const AcpiBuildConfig *cfg)
{
    size_t start = table_begin(b, "APIC", MADT_REVISION);

    append_u32(b, cfg->lapic_addr);
    append_u32(b, MADT_PCAT_COMPAT);
    for (unsigned cpu = 0; cpu < cfg->cpus; cpu++) {
        append_u8(b, MADT_LOCAL_APIC);
        append_u8(b, 8);
        append_u8(b, cpu);              /* ACPI processor UID */
        append_u8(b, acpi_build_apic_id(cfg, cpu));
        append_u32(b, MADT_LAPIC_ENABLED);
    }
    append_u8(b, MADT_IO_APIC);
    append_u8(b, 12);
    append_u8(b, cfg->ioapic_id);
    append_u8(b, 0);                    /* reserved */
    append_u32(b, cfg->ioapic_addr);
    append_u32(b, 0);                   /* GSI base */
    append_madt_override(b, PIT_ISA_IRQ, PIT_GSI, 0);
    append_madt_override(b, cfg->sci_irq, cfg->sci_irq,
                         MPS_INTI_POLARITY_HIGH | MPS_INTI_TRIGGER_LEVEL);
    append_u8(b, MADT_LOCAL_APIC_NMI);
    append_u8(b, 6);
    append_u8(b, MADT_ALL_PROCESSORS);
    append_u16(b, 0);                   /* flags: as the bus conforms */
    append_u8(b, 1);                    /* LINT1 */
    table_end(b, start);
    return start;
}

static size_t build_mcfg(GByteArray *b, const AcpiBuildConfig *cfg)
{
    size_t start = table_begin(b, "MCFG", 1);

    append_zeros(b, 8);                 /* reserved */
    append_u64(b, cfg->ecam_base);
    append_u16(b, 0);                   /* PCI segment */
    append_u8(b, 0);                    /* first bus */
    append_u8(b, cfg->ecam_size / ECAM_BUS_SIZE - 1);
    append_u32(b, 0);                   /* reserved */
    table_end(b, start);
    return start;
}

static size_t build_xsdt(GByteArray *b, const hwaddr *tables, size_t n)
{
    size_t start = table_begin(b, "XSDT", 1);

    for (size_t i = 0; i < n; i++) {
        append_u64(b, tables[i]);
    }
    table_end(b, start);
    return start;
}

/* The RSDP, at offset 0, once the XSDT's address is known. */
static void build_rsdp(GByteArray *b, hwaddr xsdt)
{
    g_autoptr(GByteArray) rsdp = g_byte_array_new();

    append_str(rsdp, "RSD PTR ", 8);
    append_u8(rsdp, 0);                 /* checksum of the first 20 bytes */
    append_str(rsdp, ACPI_OEM_ID, 6);
    append_u8(rsdp, 2);                 /* revision: ACPI 2.0+, XSDT */
    append_u32(rsdp, 0);                /* no RSDT */
    append_u32(rsdp, RSDP_SIZE);
    append_u64(rsdp, xsdt);
    append_u8(rsdp, 0);                 /* extended checksum */
    append_zeros(rsdp, 3);
    set_checksum(rsdp, 0, RSDP_V1_SIZE, 8);
    set_checksum(rsdp, 0, RSDP_SIZE, 32);
    memcpy(b->data, rsdp->data, RSDP_SIZE);
}

GByteArray *acpi_build_tables(const AcpiBuildConfig *cfg, hwaddr base,
                              size_t max_size, hwaddr *rsdp_addr,
                              Error **errp)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    hwaddr facs, xsdt, tables[3];
    size_t dsdt;

    if (!acpi_build_check(cfg, base, errp)) {
        return NULL;
    }
    append_zeros(b, RSDP_SIZE);
    facs = base + build_facs(b);
    if (!build_dsdt(b, cfg, &dsdt, errp)) {
        return NULL;
    }
    tables[0] = base + build_fadt(b, cfg, facs, base + dsdt);
    tables[1] = base + build_madt(b, cfg);
    tables[2] = base + build_mcfg(b, cfg);
    xsdt = base + build_xsdt(b, tables, ARRAY_SIZE(tables));
    build_rsdp(b, xsdt);

    if (b->len > max_size) {
        error_setg(errp, "ACPI tables: %u bytes for %u CPUs do not fit in "
                   "the %zu bytes at 0x%" HWADDR_PRIx "; use fewer CPUs",
                   b->len, cfg->cpus, max_size, base);
        return NULL;
    }
    if (base + b->len > (1ULL << 32)) {
        error_setg(errp, "ACPI tables: at 0x%" HWADDR_PRIx " they would "
                   "reach above 4 GiB; place them lower", base);
        return NULL;
    }
    trace_acpi_build_tables(cfg->cpus, b->len, base);
    *rsdp_addr = base;
    return g_steal_pointer(&b);
}
