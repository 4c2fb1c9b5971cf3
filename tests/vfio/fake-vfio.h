/*
 * An in-process fake of a VFIO PCI device behind the VFIOBackend
 * interface, for tests on machines without VFIO. Linked only into test
 * programs (the test binary and unit tests), never into the product.
 *
 * A vfio-pci device selects it with host=fake:PROFILE or
 * host=fake:PROFILE:/path/to/spec.ini (the ini overrides the profile). The
 * fake registers its provider at start-up (constructor), and the QMP
 * commands x-fake-vfio-inject-fault, x-fake-vfio-raise-irq and
 * x-fake-vfio-query with which qtests reach it in a running qvfio-test
 * (fake-vfio-qmp.c).
 *
 * The device it plays: config space from the spec (any bytes, including
 * broken capability chains), BARs, MSI/MSI-X capabilities, an optional ROM
 * image, INTx/MSI/MSI-X/ERR/REQ irqs, and behaviour on BAR0 registers
 * (a 4 KiB page that is never mmappable):
 *   0x00 ID (RO, "fake.id", default 0xfa4e0001)   0x04 scratch (RW)
 *   0x08 write N: fire vector N of the active irq type (MSI-X, MSI, or
 *        INTx when N == 0 and neither is on) through its eventfd
 *   0x0c write 1: assert INTx (fires the INTx eventfd, auto-masks as the
 *        kernel does until unmasked); read: 1 while masked/asserted
 *   0x10/0x14 DMA IOVA lo/hi, 0x18 length, 0x1c command: 1 device buffer
 *        -> IOVA, 2 IOVA -> buffer; translated through the fake IOMMU's
 *        current mappings (a missing mapping fails the DMA: 0x20 reads 1)
 *   0x20 last DMA error (0 ok, 1 IOVA not mapped)
 *   0x800..0xfff device buffer (RW)
 * Other BARs are plain memory (memfd-backed so that mmap shares it).
 */
#ifndef TESTS_FAKE_VFIO_H
#define TESTS_FAKE_VFIO_H

#include "hw/vfio/backend.h"

typedef struct FakeVFIODevice FakeVFIODevice;

typedef struct FakeVFIOCounters {
    unsigned set_irqs[VFIO_PCI_NUM_IRQS];   /* calls per irq index */
    unsigned set_irqs_failed;
    unsigned config_reads;
    unsigned config_writes;
    unsigned rom_reads;                     /* region_read calls on the ROM */
    uint64_t rom_bytes;
    unsigned rom_mmaps;                     /* must stay 0 */
    unsigned region_mmaps;
    unsigned msix_table_accesses;           /* device table touched: must stay 0 */
    unsigned resets;
    unsigned hot_resets;
    unsigned dma_maps;
    unsigned dma_unmaps;
    unsigned bar_reads;                     /* region_read on BARs (slow path) */
    unsigned bar_writes;
} FakeVFIOCounters;

/* For the counted faults, @arg is how many of the next calls fail (0 ends). */
typedef enum FakeVFIOFault {
    FAKE_FAULT_REGION_EIO,      /* region_read/write of region @arg return
                                 * -EIO from now on (UINT32_MAX: none do) */
    FAKE_FAULT_SET_IRQS,        /* the next @arg SET_IRQS calls fail -EINVAL */
    FAKE_FAULT_RESET,           /* the next @arg resets (and hot resets) fail */
    FAKE_FAULT_DMA_MAP,         /* the next @arg dma_maps fail with -ENOMEM */
    FAKE_FAULT_MMAP,            /* the next @arg region_mmaps fail */
    FAKE_FAULT_DMA_MAP_NOSPC,   /* the next @arg dma_maps fail with -ENOSPC */
    /*
     * The next @arg interrupts the device signals are taken back before
     * the model reads its eventfd: its handler wakes up and reads nothing.
     */
    FAKE_FAULT_EVENTFD_READ,
} FakeVFIOFault;

/* "region-eio", "set-irqs", ... as the spec's [faults] and QMP name them. */
bool fake_vfio_fault_parse(const char *name, FakeVFIOFault *fault);

/* Open directly (unit tests), same names as host=fake:... */
FakeVFIODevice *fake_vfio_open(const char *spec, Error **errp);
VFIOBackend *fake_vfio_backend(FakeVFIODevice *f);
FakeVFIODevice *fake_vfio_from_backend(VFIOBackend *b);
/* The most recently opened fake (tests that go through -device). */
FakeVFIODevice *fake_vfio_last(void);

const FakeVFIOCounters *fake_vfio_counters(FakeVFIODevice *f);
void fake_vfio_inject_fault(FakeVFIODevice *f, FakeVFIOFault fault,
                            uint32_t arg);
/* Fire an irq the way the device would (eventfd if bound, else latched). */
void fake_vfio_raise_irq(FakeVFIODevice *f, uint32_t index, uint32_t vector);
/* Device DMA through the fake IOMMU (false: IOVA not mapped). */
bool fake_vfio_dma(FakeVFIODevice *f, uint64_t iova, void *buf, size_t len,
                   bool to_guest);
/* State the tests inspect. */
bool fake_vfio_irq_enabled(FakeVFIODevice *f, uint32_t index,
                           uint32_t vector);  /* has an eventfd */
unsigned fake_vfio_irq_count_enabled(FakeVFIODevice *f, uint32_t index);
const uint8_t *fake_vfio_config(FakeVFIODevice *f);  /* device's own copy */
/* The ROM BAR's enable bit was left set by some config write. */
bool fake_vfio_rom_enable_was_set(FakeVFIODevice *f);
unsigned fake_vfio_dma_mapping_count(FakeVFIODevice *f);
bool fake_vfio_is_open(FakeVFIODevice *f);

#endif
