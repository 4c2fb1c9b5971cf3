/*
 * Plumbing shared by the PCI and vfio-pci unit tests: a machine of system
 * memory with RAM at 0 and a PCIe root bus, devices realized on that bus
 * and destroyed, guest memory and I/O port accessors, and vector hooks
 * that log each call into a string.
 */
#ifndef PCI_TEST_UTIL_H
#define PCI_TEST_UTIL_H

#include "hw/pci/pci.h"

/*
 * memory_system_init(), @ram_size bytes of RAM at address 0 (0: no RAM)
 * and the root bus "pcie.0" over system memory and I/O.
 */
PCIBus *pci_test_machine_init(uint64_t ram_size);

/* Realize @qdev on the root bus, dropping the caller's reference. */
PCIDevice *pci_test_realize(DeviceState *qdev, Error **errp);
/*
 * A new @type realized on the root bus, with the properties given as
 * name/value string pairs up to a NULL name ("id" sets the device's id).
 * NULL if realize fails.
 */
PCIDevice *pci_test_new(const char *type, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;
/* The same on another bus (a bridge's secondary bus). */
PCIDevice *pci_test_realize_on(PCIBus *on, DeviceState *qdev, Error **errp);
PCIDevice *pci_test_new_on(PCIBus *on, const char *type, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;
void pci_test_destroy(PCIDevice *dev);

/* Accesses as the CPU makes them. @res may be NULL. */
uint64_t pci_test_read(hwaddr addr, unsigned size, MemTxResult *res);
MemTxResult pci_test_write(hwaddr addr, unsigned size, uint64_t val);
uint32_t pci_test_readl(hwaddr addr);
MemTxResult pci_test_writel(hwaddr addr, uint32_t val);
uint64_t pci_test_io_read(hwaddr addr, unsigned size);
void pci_test_io_write(hwaddr addr, unsigned size, uint64_t val);

/*
 * Vector hooks that log "use<V>:<addr>:<data> ", "mask<V> ",
 * "unmask<V>:<addr>:<data> " and "release<V> " (address and data in hex).
 * PCI_TEST_LOG_HOOKS fills a PCIVectorHooks with them, for tests that
 * add a poll hook of their own.
 */
void pci_test_log_use(PCIDevice *dev, unsigned v, MSIMessage msg);
void pci_test_log_mask(PCIDevice *dev, unsigned v);
void pci_test_log_unmask(PCIDevice *dev, unsigned v, MSIMessage msg);
void pci_test_log_release(PCIDevice *dev, unsigned v);
#define PCI_TEST_LOG_HOOKS                  \
    .use = pci_test_log_use,                \
    .mask = pci_test_log_mask,              \
    .unmask = pci_test_log_unmask,          \
    .release = pci_test_log_release
extern const PCIVectorHooks pci_test_log_hooks;

/* Start an empty log and give @dev @hooks (NULL: pci_test_log_hooks). */
void pci_test_log_begin(PCIDevice *dev, const PCIVectorHooks *hooks);
/* The log since the last check is @expected; it starts again empty. */
void pci_test_assert_log(const char *expected);
void pci_test_log_end(void);

#endif
