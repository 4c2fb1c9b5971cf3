/*
 * Internals of the fake VFIO device, shared by tests/vfio/fake-vfio*.c.
 * The spec (what the device is) is parsed once at open; the device state
 * (what it currently does) lives in FakeVFIODevice.
 */
#ifndef TESTS_FAKE_VFIO_INT_H
#define TESTS_FAKE_VFIO_INT_H

#include "fake-vfio.h"
#include "qemu/main-loop.h"
#include <linux/pci.h>

#define FAKE_KIB (1ULL << 10)
#define FAKE_MIB (1ULL << 20)
#define FAKE_GIB (1ULL << 30)
#define FAKE_PAGE_SIZE 0x1000ULL
#define FAKE_IRQ_NONE VFIO_PCI_NUM_IRQS     /* no INTx/MSI/MSI-X active */

/* BAR0 register page (see fake-vfio.h). */
#define FAKE_REG_ID         0x00
#define FAKE_REG_SCRATCH    0x04
#define FAKE_REG_FIRE       0x08
#define FAKE_REG_INTX       0x0c
#define FAKE_REG_DMA_LO     0x10
#define FAKE_REG_DMA_HI     0x14
#define FAKE_REG_DMA_LEN    0x18
#define FAKE_REG_DMA_CMD    0x1c
#define FAKE_REG_DMA_ERR    0x20
#define FAKE_REG_BUF        0x800
#define FAKE_REG_BUF_SIZE   0x800

#define FAKE_DMA_TO_IOVA    1
#define FAKE_DMA_FROM_IOVA  2

/* Capability layout of the built config space. */
#define FAKE_CAP_PM         0x40
#define FAKE_CAP_MSI        0x50
#define FAKE_CAP_EXP        0x70
#define FAKE_CAP_MSIX       0xb0
#define FAKE_ECAP_AER       0x100
#define FAKE_ECAP_SRIOV     0x150
#define FAKE_AER_SIZEOF     0x48

typedef enum FakeRomKind {
    FAKE_ROM_ABSENT,
    FAKE_ROM_VALID,
    FAKE_ROM_BAD_SIGNATURE,
    FAKE_ROM_BAD_PCIR_POINTER,
    FAKE_ROM_BAD_PCIR_SIGNATURE,
    FAKE_ROM_WRONG_IDS,
    FAKE_ROM_TOO_LONG,
    FAKE_ROM_UNREADABLE,
} FakeRomKind;

typedef struct FakeBarSpec {
    uint64_t size;              /* 0: absent */
    bool io;
    bool mem64;
    bool prefetch;
    bool mmap;
    GArray *sparse;             /* VFIOMmapArea; NULL: derived from the BAR */
    uint64_t claimed_size;      /* region info's size, 0: the real one */
    bool readonly;              /* no FLAG_WRITE: writes fail, mmaps are RO */
} FakeBarSpec;

typedef struct FakeConfigPatch {
    uint32_t offset;
    GByteArray *bytes;
} FakeConfigPatch;

typedef struct FakeVFIOSpec {
    char *profile;
    char *path;                 /* the ini, or NULL */
    /* [device] */
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys;
    uint32_t class_code;
    uint8_t revision;
    uint8_t intx_pin;
    bool express, flr, err_irq, req_irq, config_eio;
    uint32_t id;
    char *address;
    int group;
    FakeBarSpec bar[PCI_STD_NUM_BARS];
    /* [msi] */
    unsigned msi_vectors;       /* a power of two, 0: no capability */
    bool msi_64bit, msi_mask;
    /* [msix] */
    unsigned msix_vectors;
    unsigned msix_table_bar, msix_pba_bar;
    uint32_t msix_table_offset, msix_pba_offset;
    bool msix_mappable, msix_noresize;
    /* [rom] */
    FakeRomKind rom_kind;
    uint64_t rom_size;
    uint64_t rom_image_size;
    char *rom_file;
    uint64_t rom_claimed_size;  /* region info's size, 0: the real one */
    uint64_t rom_readable;      /* reads from here on get 0 (EOF); 0: none */
    bool rom_short_reads;       /* each read returns at most half of it */
    /* [iommu] */
    uint64_t pgsizes;
    GArray *reserved;           /* VFIOIOVARange, end inclusive */
    uint32_t dma_avail;
    bool iommu_shared;
    bool account_locked;        /* pin against RLIMIT_MEMLOCK, as type1 */
    /* [faults]: armed at open, as fake_vfio_inject_fault would */
    uint32_t faults[FAKE_FAULT_EVENTFD_READ + 1];
    /* [config] */
    GPtrArray *patches;         /* FakeConfigPatch, in file order */
} FakeVFIOSpec;

typedef struct FakeIRQ {
    uint32_t count;             /* what the device can do */
    uint32_t flags;             /* VFIO_IRQ_INFO_* */
    uint32_t enabled;           /* vectors allocated while the index is on */
    int *fds;                   /* [count], our dup of the eventfd or -1 */
    bool *pending;              /* [count], fired while it could not signal */
} FakeIRQ;

typedef struct FakeDMAMap {
    uint64_t iova;
    uint64_t size;
    void *vaddr;
    bool readonly;
    bool accounted;             /* counted in the process's pinned bytes */
} FakeDMAMap;

typedef struct FakeIOMMU {
    unsigned refs;
    uint64_t pgsizes;
    GArray *usable;             /* VFIOIOVARange, sorted */
    uint32_t dma_avail;
    GArray *maps;               /* FakeDMAMap, sorted by iova */
} FakeIOMMU;

struct FakeVFIODevice {
    VFIOBackend backend;
    FakeVFIOSpec *spec;         /* NULL once closed */
    bool open;
    FakeVFIOCounters counters;

    uint32_t config_size;
    uint8_t config[PCI_CFG_SPACE_EXP_SIZE];
    uint8_t config_init[PCI_CFG_SPACE_EXP_SIZE];
    bool rom_enable_set;        /* the ROM BAR enable bit was ever left set */

    int bar_fd[PCI_STD_NUM_BARS];   /* memfd, -1 when absent */
    uint8_t *rom;
    uint64_t rom_size;

    uint32_t scratch;
    uint32_t dma_lo, dma_hi, dma_len, dma_err;

    uint32_t irq_type;          /* INTx/MSI/MSI-X index, or FAKE_IRQ_NONE */
    FakeIRQ irqs[VFIO_PCI_NUM_IRQS];
    bool intx_masked;
    int unmask_fd;
    guint unmask_watch;

    FakeIOMMU *iommu;

    uint32_t fault_region_mask;
    uint32_t fault_set_irqs;
    uint32_t fault_reset;
    uint32_t fault_dma_map;
    uint32_t fault_dma_map_nospc;
    uint32_t fault_mmap;
    uint32_t fault_eventfd_read;
    /* eventfds to take back before the model reads them (dup'd fds) */
    GArray *stolen;
    EventNotifier steal;        /* its handler runs ahead of the model's */
};

/* fake-vfio-spec.c */
FakeVFIOSpec *fake_spec_new(const char *profile, const char *path,
                            Error **errp);
void fake_spec_free(FakeVFIOSpec *s);
bool fake_spec_is_mem64_upper(const FakeVFIOSpec *s, unsigned bar);
bool fake_parse_address(const char *str, uint16_t *segment, uint8_t *bus,
                        uint8_t *devfn);

/* fake-vfio-config.c */
bool fake_config_build(FakeVFIODevice *f, Error **errp);
void fake_config_read(FakeVFIODevice *f, uint64_t off, void *buf,
                      size_t len);
void fake_config_write(FakeVFIODevice *f, uint64_t off, const void *buf,
                       size_t len);
void fake_config_reset(FakeVFIODevice *f);
bool fake_rom_build(FakeVFIODevice *f, Error **errp);

/* fake-vfio-region.c */
bool fake_bars_create(FakeVFIODevice *f, Error **errp);
void fake_bars_destroy(FakeVFIODevice *f);
uint64_t fake_region_size(FakeVFIODevice *f, uint32_t index);
bool fake_get_region_info(VFIOBackend *b, uint32_t index,
                          VFIORegionInfo *info, Error **errp);
ssize_t fake_region_read(VFIOBackend *b, uint32_t index, uint64_t offset,
                         void *buf, size_t len);
ssize_t fake_region_write(VFIOBackend *b, uint32_t index, uint64_t offset,
                          const void *buf, size_t len);
void *fake_region_mmap(VFIOBackend *b, uint32_t index, uint64_t offset,
                       uint64_t size, int prot, Error **errp);
void fake_region_munmap(VFIOBackend *b, void *ptr, uint64_t size);
void fake_bar0_regs_reset(FakeVFIODevice *f);

/* fake-vfio-irq.c */
void fake_irqs_init(FakeVFIODevice *f);
void fake_steal_init(FakeVFIODevice *f);
void fake_steal_destroy(FakeVFIODevice *f);
void fake_irqs_disable(FakeVFIODevice *f);
void fake_irqs_destroy(FakeVFIODevice *f);
bool fake_get_irq_info(VFIOBackend *b, uint32_t index, VFIOIRQInfo *info,
                       Error **errp);
int fake_set_irqs(VFIOBackend *b, uint32_t index, uint32_t flags,
                  uint32_t start, uint32_t count, const void *data);
bool fake_intx_asserted(FakeVFIODevice *f);
void fake_fire_vector(FakeVFIODevice *f, uint32_t vector);

/* fake-vfio-dma.c */
void fake_iommu_attach(FakeVFIODevice *f);
void fake_iommu_detach(FakeVFIODevice *f);
bool fake_get_iommu_info(VFIOBackend *b, VFIOIOMMUInfo *info, Error **errp);
const void *fake_dma_domain(VFIOBackend *b);
bool fake_dma_map(VFIOBackend *b, uint64_t iova, uint64_t size, void *vaddr,
                  bool readonly, Error **errp);
bool fake_dma_unmap(VFIOBackend *b, uint64_t iova, uint64_t size,
                    Error **errp);

/* fake-vfio.c */
extern const VFIOBackendOps fake_vfio_ops;
const char *fake_name(FakeVFIODevice *f);
bool fake_check_open(FakeVFIODevice *f, Error **errp);

#endif
