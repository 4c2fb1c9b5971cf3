/*
 * The q35 machine's ACPI tables, for a guest booted without firmware.
 *
 * acpi_build_tables() lays out RSDP (revision 2), XSDT, FADT, FACS, DSDT,
 * MADT and MCFG for a given guest-physical base in one blob; the machine
 * copies it to guest RAM at that base (ACPI_BUILD_LEGACY_BASE, where
 * Linux scans for the RSDP, and passes the RSDP's address in boot_params
 * too). The DSDT is compiled from hw/i386/q35-dsdt.asl by iasl at build
 * time; its machine-dependent values are patched in here.
 */
#ifndef HW_I386_ACPI_BUILD_H
#define HW_I386_ACPI_BUILD_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* The legacy BIOS area, where the OS scans for the RSDP. */
#define ACPI_BUILD_LEGACY_BASE 0xe0000
#define ACPI_BUILD_LEGACY_SIZE 0x20000

/* xAPIC IDs are 8 bits and 0xFF is the broadcast ID. */
#define ACPI_BUILD_MAX_CPUS 255

typedef struct AcpiBuildConfig {
    unsigned cpus;              /* ACPI processor UIDs 0..N-1 */
    const uint32_t *apic_ids;   /* cpus entries, each below 255 and
                                   unique; NULL: APIC IDs 0..N-1 */
    hwaddr lapic_addr;
    hwaddr ioapic_addr;
    uint8_t ioapic_id;
    hwaddr pci_hole_start;      /* the 32-bit PCI hole [start, end) */
    hwaddr pci_hole_end;
    hwaddr pci_hole64_start;    /* the 64-bit PCI hole */
    uint64_t pci_hole64_size;
    hwaddr ecam_base;           /* inside the 32-bit hole; bus 0 at base */
    uint64_t ecam_size;         /* 1 MiB per bus, 1 to 256 buses */
    uint16_t pm_io_base;        /* the PM block (hw/acpi/pm.h) */
    uint8_t sci_irq;            /* ISA IRQ of the SCI */
} AcpiBuildConfig;

/*
 * The configuration of the q35 machine (include/hw/i386/q35.h and
 * hw/acpi/pm.h) with @cpus vCPUs and @ram_size bytes of RAM.
 */
void acpi_build_q35_config(AcpiBuildConfig *cfg, unsigned cpus,
                           uint64_t ram_size);

/*
 * Every table for @cfg, laid out to be copied to guest-physical @base
 * (16-byte aligned, the blob below 4 GiB), RSDP first. *@rsdp_addr gets
 * the RSDP's guest-physical address. Fails (NULL, @errp set) on an
 * inconsistent configuration or if the tables would not fit in
 * @max_size bytes.
 */
GByteArray *acpi_build_tables(const AcpiBuildConfig *cfg, hwaddr base,
                              size_t max_size, hwaddr *rsdp_addr,
                              Error **errp);

/*
 * In the AML @aml of @len bytes, the 64-bit @placeholder that initialises
 * Name @name (a NameOp, the 4-character NameSeg, a QWord constant) is
 * replaced by @value. Fails unless the placeholder occurs exactly once,
 * as that Name's value. The caller fixes the table's checksum.
 */
bool acpi_aml_patch_name(uint8_t *aml, size_t len, const char *name,
                         uint64_t placeholder, uint64_t value, Error **errp);

/* The sum of the bytes modulo 256: a table is valid when it is 0. */
uint8_t acpi_checksum(const uint8_t *data, size_t len);

#endif
