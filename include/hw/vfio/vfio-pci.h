/*
 * The vfio-pci device model. One room per concern (hw/vfio/):
 *   pci.c         the type, properties, realize/unrealize, reset order
 *   pci-config.c  the emulated-bits mask and the capability chains
 *   pci-bars.c    BAR sizing/placement, slow path (trap) and fast path (mmap)
 *   msi.c msix.c intx.c   host vectors, delivery, masking, replay
 *   rom.c         the ROM shadow and its validation
 *   dma.c         the memory listener that maps guest RAM through the IOMMU
 *   backend.c     backend providers; kernel.c the kernel's VFIO
 * Each room keeps what the guest asked for and what the device was last
 * told, and one function reconciles them.
 */
#ifndef HW_VFIO_VFIO_PCI_H
#define HW_VFIO_VFIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/vfio/backend.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"

#define TYPE_VFIO_PCI "vfio-pci"
#define VFIO_PCI(obj) OBJECT_CHECK(VFIOPCIDevice, (obj), TYPE_VFIO_PCI)

/* Priorities inside a BAR container: trap < mmap < MSI-X table/PBA (1). */
#define VFIO_BAR_PRIO_SLOW (-1)
#define VFIO_BAR_PRIO_MMAP 0

typedef struct VFIOPCIDevice VFIOPCIDevice;

typedef struct VFIOMmap {
    uint64_t offset;            /* within the BAR */
    uint64_t size;
    void *ptr;
    MemoryRegion mr;            /* ram_device region, priority MMAP */
} VFIOMmap;

typedef struct VFIOBAR {
    VFIOPCIDevice *vdev;
    uint8_t nr;
    VFIORegionInfo info;
    uint64_t size;              /* BAR size (power of 2 >= region size) */
    uint8_t type;               /* PCI_BASE_ADDRESS_* type bits */
    bool ioport;
    bool mem64;
    MemoryRegion container;     /* what the PCI core maps */
    MemoryRegion slow;          /* traps, forwards to the backend */
    unsigned nr_mmaps;
    VFIOMmap *mmaps;
    bool mmaps_enabled;         /* guest-visible fast path (INTx may trap) */
    bool error_reported;        /* slow-path failure already warned about */
} VFIOBAR;

typedef struct VFIOMSIXInfo {
    uint8_t table_bar;
    uint8_t pba_bar;
    uint16_t entries;
    uint32_t table_offset;
    uint32_t pba_offset;
    uint8_t cap;                /* offset in config space */
} VFIOMSIXInfo;

typedef enum VFIOIntMode {
    VFIO_INT_NONE,
    VFIO_INT_INTX,
    VFIO_INT_MSI,
    VFIO_INT_MSIX,
} VFIOIntMode;

typedef struct VFIOVector {
    VFIOPCIDevice *vdev;
    unsigned nr;
    EventNotifier interrupt;    /* fd -1 when no host vector */
    struct MSIVectorRoute *route;   /* with the eventfd */
    bool in_host;               /* the device was given our eventfd */
} VFIOVector;

typedef struct VFIOINTx {
    uint8_t pin;                /* 0: none, 1..4 */
    bool enabled;               /* host INTx trigger set up */
    bool pending;               /* asserted, waiting for the guest's EOI */
    EventNotifier interrupt;
    EventNotifier unmask;
    struct INTxRoute *route;    /* the machine delivers, EOI included */
    QEMUTimer *mmap_timer;      /* virtual clock: back to the fast path */
} VFIOINTx;

struct VFIOPCIDevice {
    PCIDevice pdev;

    /* properties */
    char *host;
    char *sysfsdev;
    bool no_mmap;
    uint32_t vendor_id;         /* PCI_ANY_ID: keep the device's */
    uint32_t device_id;
    uint32_t sub_vendor_id;
    uint32_t sub_device_id;
    uint32_t intx_mmap_timeout_ms;
    bool req_enabled;
    bool no_intx;               /* x-no-intx (tests, debugging) */

    VFIOBackend *backend;
    const char *name;           /* backend->name, for messages */
    VFIODeviceInfo dev_info;

    /* config space (pci-config.c) */
    VFIORegionInfo config_info;
    uint32_t config_size;       /* device config bytes we expose */
    uint8_t *emulated_config_bits;
    uint8_t *phys_config;       /* the device's config as read at realize */
    bool config_error_reported; /* a failed config access was warned about */

    VFIOBAR bars[PCI_ROM_SLOT];

    /* ROM (rom.c) */
    uint8_t *rom;
    uint64_t rom_size;          /* image bytes (BAR is pow2ceil) */
    MemoryRegion rom_mr;

    /* interrupts (msi.c, msix.c, intx.c) */
    uint8_t msi_pos;            /* device's MSI capability, 0 if none */
    VFIOIntMode interrupt;
    VFIOVector *vectors;
    unsigned nr_vectors;        /* allocated entries of vectors[] */
    unsigned host_vectors;      /* vectors the host was last told about */
    VFIOMSIXInfo *msix;
    bool msix_mappable;
    bool msix_noresize;
    VFIOINTx intx;
    EventNotifier err_notifier;
    EventNotifier req_notifier;

    /* DMA (dma.c) */
    struct VFIODMASpace *dma;

    bool has_flr;
    bool has_pm_reset;
    bool release_requested;
};

/* pci-config.c */
typedef struct VFIOCapEntry {
    uint16_t id;
    uint16_t pos;
    uint16_t size;
} VFIOCapEntry;

/* Header (before BARs). */
bool vfio_config_setup(VFIOPCIDevice *vdev, Error **errp);
/* Capability chains (after BARs): calls vfio_msi_setup/vfio_msix_setup. */
bool vfio_caps_setup(VFIOPCIDevice *vdev, Error **errp);
void vfio_config_exit(VFIOPCIDevice *vdev);
/*
 * Walk the device's chains in @config with loop, bounds and overlap
 * checks; returns the capabilities kept, in chain order, and appends a
 * message to @warnings for each cut.
 */
unsigned vfio_walk_std_caps(const uint8_t *config, VFIOCapEntry *caps,
                            unsigned max, GPtrArray *warnings);
unsigned vfio_walk_ext_caps(const uint8_t *config, uint32_t config_size,
                            VFIOCapEntry *caps, unsigned max,
                            GPtrArray *warnings);
uint32_t vfio_pci_read_config(PCIDevice *pdev, uint32_t addr, int len);
void vfio_pci_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                           int len);
/* Mark bytes [addr, addr+len) as emulated with @mask per byte. */
void vfio_add_emulated_bits(VFIOPCIDevice *vdev, uint32_t addr, int len,
                            uint8_t mask);
/* Raw device config access (through the backend); false on error. */
bool vfio_config_read_raw(VFIOPCIDevice *vdev, uint32_t addr, void *buf,
                          size_t len);
bool vfio_config_write_raw(VFIOPCIDevice *vdev, uint32_t addr,
                           const void *buf, size_t len);

/* pci-bars.c */
bool vfio_bars_setup(VFIOPCIDevice *vdev, Error **errp);
void vfio_bars_exit(VFIOPCIDevice *vdev);
/* Fast path on/off for every BAR (INTx traps accesses to see the EOI). */
void vfio_bars_set_mmaps_enabled(VFIOPCIDevice *vdev, bool enabled);
/* Called on every trapped BAR access (INTx EOI detection). */
void vfio_bar_access_hook(VFIOPCIDevice *vdev);
/*
 * @areas minus @holes widened to @page_size boundaries; returns the number
 * of areas left in *@out (g_free it).
 */
unsigned vfio_mmap_areas_carve(const VFIOMmapArea *areas, unsigned nr_areas,
                               const VFIOMmapArea *holes, unsigned nr_holes,
                               uint64_t page_size, VFIOMmapArea **out);

/* msi.c */
bool vfio_msi_setup(VFIOPCIDevice *vdev, Error **errp);     /* msi_init at msi_pos */
void vfio_msi_exit(VFIOPCIDevice *vdev);
/* Called after a config write touched the MSI capability. */
void vfio_msi_update(VFIOPCIDevice *vdev);
void vfio_msi_disable(VFIOPCIDevice *vdev);

/* msix.c */
bool vfio_msix_early_setup(VFIOPCIDevice *vdev, Error **errp);   /* before BARs */
bool vfio_msix_setup(VFIOPCIDevice *vdev, Error **errp);         /* after BARs */
void vfio_msix_exit(VFIOPCIDevice *vdev);
/* Called after a config write touched the MSI-X capability. */
void vfio_msix_update(VFIOPCIDevice *vdev);
void vfio_msix_disable(VFIOPCIDevice *vdev);
extern const PCIVectorHooks vfio_vector_hooks;   /* MSI and MSI-X */

/* intx.c (intx.pin is read by pci-config.c from the device) */
bool vfio_intx_setup(VFIOPCIDevice *vdev, Error **errp);    /* realize */
void vfio_intx_exit(VFIOPCIDevice *vdev);
bool vfio_intx_enable(VFIOPCIDevice *vdev, Error **errp);
void vfio_intx_disable(VFIOPCIDevice *vdev);
void vfio_intx_eoi(VFIOPCIDevice *vdev);

/* Error and request notifiers (pci.c) */
void vfio_notifiers_setup(VFIOPCIDevice *vdev);
void vfio_notifiers_exit(VFIOPCIDevice *vdev);

/* rom.c */
bool vfio_rom_setup(VFIOPCIDevice *vdev, Error **errp);
void vfio_rom_exit(VFIOPCIDevice *vdev);
/* The device's ROM decoder may share its BAR decoder: keep it off. */
void vfio_rom_decoder_off(VFIOPCIDevice *vdev);
typedef enum VFIORomCheck {
    VFIO_ROM_VALID,
    VFIO_ROM_ID_MISMATCH,       /* usable; *msg says which IDs differ */
    VFIO_ROM_INVALID,           /* *msg says what is wrong */
} VFIORomCheck;
VFIORomCheck vfio_rom_validate(const uint8_t *rom, uint64_t size,
                               uint16_t vendor_id, uint16_t device_id,
                               char **msg);

/* dma.c */
bool vfio_dma_attach(VFIOPCIDevice *vdev, Error **errp);
void vfio_dma_detach(VFIOPCIDevice *vdev);
/* Mapping unit: max(smallest IOMMU page in @pgsizes, @host_page). */
uint64_t vfio_dma_alignment(uint64_t pgsizes, uint64_t host_page);
/* [*iova, +*size): @s trimmed inward to @align; false if nothing is left. */
bool vfio_dma_section_extent(const MemoryRegionSection *s, uint64_t align,
                             uint64_t *iova, uint64_t *size);
/* Inside the usable ranges? If not, *reserved is the gap it touches. */
bool vfio_dma_range_usable(const VFIOIOVARange *ranges, unsigned nr,
                           uint64_t iova, uint64_t size,
                           VFIOIOVARange *reserved);
/* One more mapping allowed with @used made and @avail reported (0: none)? */
bool vfio_dma_limit_ok(unsigned used, uint32_t avail);

/* Shared vector helpers (vectors.c): an eventfd and a route per vector. */
bool vfio_vectors_alloc(VFIOPCIDevice *vdev, unsigned nr, Error **errp);
void vfio_vectors_free(VFIOPCIDevice *vdev);
bool vfio_vector_ensure_eventfd(VFIOVector *v, Error **errp);

#endif
