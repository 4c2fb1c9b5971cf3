/*
 * The MSI-X capability with its table and PBA as MMIO inside BARs.
 * Table entries: +0 address low, +4 address high, +8 data, +12 control.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

#define PCI_MSIX_ENTRY_SIZE 16

/*
 * Adds the capability (cap_pos 0: anywhere) and maps the table and PBA
 * as subregions of the given BAR regions (higher priority than the rest of
 * the BAR). Errors: 0 or >2048 entries, table/PBA outside the BAR or
 * overlapping each other. Returns the capability offset or 0.
 */
uint8_t msix_init(PCIDevice *dev, unsigned nentries,
                  MemoryRegion *table_bar, uint8_t table_bar_nr,
                  uint32_t table_offset, MemoryRegion *pba_bar,
                  uint8_t pba_bar_nr, uint32_t pba_offset, uint8_t cap_pos,
                  Error **errp);
/*
 * Where a table of @nentries and its PBA may sit: 1..2048 entries, BARs 0
 * to 5 of the given (non-zero) sizes, 8-byte aligned, inside their BARs,
 * not overlapping. @who starts each message (the device's name). Device
 * models that take a layout from hardware check it with this too.
 */
bool msix_layout_check(const char *who, unsigned nentries,
                       uint8_t table_bar_nr, uint32_t table_offset,
                       uint64_t table_bar_size, uint8_t pba_bar_nr,
                       uint32_t pba_offset, uint64_t pba_bar_size,
                       Error **errp);
/* A BAR holding only the table and the PBA, registered by this call. */
uint8_t msix_init_exclusive_bar(PCIDevice *dev, unsigned nentries,
                                uint8_t bar_nr, Error **errp);
void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar,
                 MemoryRegion *pba_bar);
void msix_uninit_exclusive_bar(PCIDevice *dev);
void msix_reset(PCIDevice *dev);

bool msix_present(const PCIDevice *dev);
bool msix_enabled(const PCIDevice *dev);
unsigned msix_nr_vectors(const PCIDevice *dev);
bool msix_is_masked(const PCIDevice *dev, unsigned vector);
MSIMessage msix_get_message(const PCIDevice *dev, unsigned vector);
/* Deliver, or set the pending bit while masked (unmask delivers it). */
void msix_notify(PCIDevice *dev, unsigned vector);
bool msix_is_pending(const PCIDevice *dev, unsigned vector);
void msix_set_pending(PCIDevice *dev, unsigned vector);
void msix_clr_pending(PCIDevice *dev, unsigned vector);
/* Called by pci_default_write_config after a write touching the capability. */
void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);

#endif
