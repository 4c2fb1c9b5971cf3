/*
 * The q35-style machine: QEMU's q35 memory map with a PCIe root bus.
 *   RAM: min(ram, 2 GiB) at 0, the rest at 4 GiB
 *   PCI hole: end of low RAM .. 0xFEC00000, and 32 GiB above high RAM
 *   ECAM: 0xB0000000, 256 MiB (buses 0-255)
 *   MSI window: 0xFEE00000, 1 MiB
 *   I/O: 0xCF8/0xCFC config, fw_cfg 0x510/0x511
 * INTx of a device in slot S, pin P (INTA = 1) drives ioapic input
 * 16 + (S + P - 1) % 4.
 */
#ifndef HW_I386_Q35_H
#define HW_I386_Q35_H

#include "hw/core/machine.h"
#include "hw/pci/pci_host.h"

#define Q35_LOWMEM_MAX 0x80000000ULL
#define Q35_EBDA_BASE 0x9fc00ULL
#define Q35_BIOS_AREA_BASE 0xe0000ULL     /* to 1 MiB: ACPI tables, RSDP */
/* KVM's identity map and TSS pages (accel/kvm/kvm-x86.c) */
#define Q35_KVM_PAGES_BASE 0xfeffc000ULL
#define Q35_KVM_PAGES_SIZE 0x4000ULL
#define Q35_PCI_HOLE_END 0xFEC00000ULL
#define Q35_ECAM_BASE 0xB0000000ULL
#define Q35_ECAM_SIZE 0x10000000ULL
#define Q35_PCI_HOLE64_SIZE (32ULL << 30)
#define Q35_IOAPIC_BASE 0xFEC00000ULL
#define Q35_LAPIC_BASE 0xFEE00000ULL
#define Q35_HOST_VENDOR 0x8086
#define Q35_HOST_DEVICE 0x29c0
#define IOAPIC_NUM_PINS 24
#define Q35_PIRQ_GSI_BASE 16

#define TYPE_IOAPIC "ioapic"
#define TYPE_Q35_MCH "mch"

#endif
