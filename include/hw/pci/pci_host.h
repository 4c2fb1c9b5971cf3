/*
 * Host-bridge config access: the CF8/CFC mechanism and ECAM (MMCONFIG).
 */
#ifndef HW_PCI_HOST_H
#define HW_PCI_HOST_H

#include "hw/pci/pci.h"

/*
 * CF8-style address: bit 31 enable, bits 23..16 bus, 15..8 devfn, 7..2
 * register, 1..0 byte offset (bits 27..24 extend the register on PCIe, as
 * on AMD). Returns all-ones for an absent function, a disabled address,
 * or an access crossing a dword.
 */
uint32_t pci_data_read(PCIBus *bus, uint32_t cf8, unsigned len);
void pci_data_write(PCIBus *bus, uint32_t cf8, uint32_t val, unsigned len);

/* ECAM: offset within the window = bus << 20 | devfn << 12 | register. */
uint32_t pcie_mmcfg_read(PCIBus *bus, uint32_t offset, unsigned len);
void pcie_mmcfg_write(PCIBus *bus, uint32_t offset, uint32_t val,
                      unsigned len);

/*
 * Build the CF8/CFC ports (0xCF8 address, 0xCFC-0xCFF data) in @io and an
 * ECAM window of @ecam_size bytes at @ecam_base in @mem, both for @bus.
 */
typedef struct PCIHostConfig {
    PCIBus *bus;
    uint32_t config_reg;        /* last value written to 0xCF8 */
    MemoryRegion conf_mem;      /* 0xCF8, 4 bytes */
    MemoryRegion data_mem;      /* 0xCFC, 4 bytes */
    MemoryRegion mmcfg;
} PCIHostConfig;

void pci_host_config_init(PCIHostConfig *s, Object *owner, PCIBus *bus,
                          MemoryRegion *io, MemoryRegion *mem,
                          hwaddr ecam_base, uint64_t ecam_size);

#endif
