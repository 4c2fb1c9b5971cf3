/* The MSI capability: 32/64-bit, multiple messages, per-vector masks. */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

/* @offset 0 picks a free place. Returns the offset, 0 with errp on error. */
uint8_t msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors,
                 bool msi64bit, bool per_vector_mask, Error **errp);
void msi_uninit(PCIDevice *dev);
void msi_reset(PCIDevice *dev);
bool msi_present(const PCIDevice *dev);
bool msi_enabled(const PCIDevice *dev);
/* Vectors enabled by Multiple Message Enable (1, 2, 4 ... 32). */
unsigned msi_nr_vectors_allocated(const PCIDevice *dev);
MSIMessage msi_get_message(const PCIDevice *dev, unsigned vector);
bool msi_is_masked(const PCIDevice *dev, unsigned vector);
bool msi_is_pending(const PCIDevice *dev, unsigned vector);
/* Deliver, or latch the pending bit if masked. */
void msi_notify(PCIDevice *dev, unsigned vector);
/* Called by pci_default_write_config after a write touching the capability. */
void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);
/* Capability size for the given flags (10, 14, 20 or 24). */
uint8_t msi_cap_sizeof(uint16_t flags);

#endif
