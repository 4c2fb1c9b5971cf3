/*
 * PCI/PCIe core: config space with writable and write-1-to-clear masks,
 * capability lists, BARs mapped by COMMAND and BAR writes, the expansion
 * ROM BAR, INTx, and the bus-master address space that gates DMA and MSI.
 */
#ifndef HW_PCI_H
#define HW_PCI_H

#include "qemu/osdep.h"
#include <linux/pci_regs.h>
#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_PCI_DEVICE "pci-device"
#define TYPE_PCI_BUS "PCI"
#define TYPE_PCIE_BUS "PCIE"        /* a PCIE bus is also a PCI bus */

#define PCI_DEVFN(slot, func) ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 0x07)
#define PCI_CONFIG_SPACE_SIZE 0x100
#define PCIE_CONFIG_SPACE_SIZE 0x1000
#define PCI_NUM_REGIONS 7
#define PCI_ROM_SLOT 6
#define PCI_NUM_PINS 4
#define PCI_BAR_UNMAPPED (~(pcibus_t)0)
#define PCI_ANY_ID 0xffffffffu
#define PCI_IO_SPACE_SIZE 0x10000ULL    /* what I/O BARs and windows reach */

typedef uint64_t pcibus_t;
typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;
typedef struct PCIDeviceClass PCIDeviceClass;

typedef struct MSIMessage {
    uint64_t address;
    uint32_t data;
} MSIMessage;

/*
 * Vector life cycle hooks for MSI and MSI-X (a device model such as
 * vfio-pci backs guest vectors with host resources). Per vector:
 *   UNUSED --use--> LIVE --mask--> MASKED --unmask--> LIVE
 *   LIVE|MASKED --release--> UNUSED   (capability disabled, or reset)
 * A vector is LIVE when the capability is enabled and neither the vector
 * nor (MSI-X) the function is masked; a vector masked from the start
 * stays UNUSED until first unmasked. unmask is also called, with the new
 * message, when a LIVE vector's message changes.
 */
typedef struct PCIVectorHooks {
    void (*use)(PCIDevice *dev, unsigned vector, MSIMessage msg);
    void (*mask)(PCIDevice *dev, unsigned vector);
    void (*unmask)(PCIDevice *dev, unsigned vector, MSIMessage msg);
    void (*release)(PCIDevice *dev, unsigned vector);
    /* The guest is about to read MSI-X PBA bits [start, end). */
    void (*poll)(PCIDevice *dev, unsigned start, unsigned end);
} PCIVectorHooks;

typedef enum PCIVectorState {
    PCI_VECTOR_UNUSED,
    PCI_VECTOR_LIVE,
    PCI_VECTOR_MASKED,
} PCIVectorState;

typedef struct PCIIORegion {
    pcibus_t addr;              /* where mapped, PCI_BAR_UNMAPPED if not */
    pcibus_t size;              /* 0: BAR not implemented */
    uint8_t type;               /* PCI_BASE_ADDRESS_SPACE_IO | _MEM_TYPE_64 | _MEM_PREFETCH */
    MemoryRegion *memory;
    MemoryRegion *address_space;
} PCIIORegion;

/* cap_present bits */
#define QEMU_PCI_CAP_MSI         (1u << 0)
#define QEMU_PCI_CAP_MSIX        (1u << 1)
#define QEMU_PCI_CAP_EXPRESS     (1u << 2)
#define QEMU_PCI_CAP_MULTIFUNCTION (1u << 3)

struct PCIDevice {
    DeviceState qdev;

    uint8_t *config;
    uint8_t *wmask;             /* bits the guest may write */
    uint8_t *w1cmask;           /* bits cleared by writing 1 */
    uint8_t *used;              /* bytes claimed by capabilities */
    uint32_t config_size;

    PCIBus *bus;
    int32_t devfn;              /* property "addr"; -1 = first free slot */
    /*
     * Off while the slot that holds the device is powered off: config
     * space reads all-ones, BARs and bus mastering are off.
     */
    bool has_power;
    char name[64];
    PCIIORegion io_regions[PCI_NUM_REGIONS];

    AddressSpace bus_master_as;
    MemoryRegion bus_master_container_region;
    MemoryRegion bus_master_enable_region;  /* alias, enabled by MASTER */

    int irq_state;              /* INTx level driven by the device */
    uint32_t cap_present;
    bool multifunction;         /* property */

    /* MSI (hw/pci/msi.c) */
    uint8_t msi_cap;
    uint32_t msi_pending;       /* per-vector pending bits (emulated) */

    /* MSI-X (hw/pci/msix.c) */
    uint8_t msix_cap;
    uint16_t msix_entries_nr;
    uint8_t *msix_table;        /* 16 bytes per entry */
    uint8_t *msix_pba;
    MemoryRegion msix_table_mmio;
    MemoryRegion msix_pba_mmio;
    MemoryRegion msix_exclusive_bar;
    bool msix_function_masked;

    /* Vector state for MSI (up to 32) or MSI-X, and the device's hooks. */
    const PCIVectorHooks *vector_hooks;
    PCIVectorState *vector_state;
    MSIMessage *vector_msg;     /* message given with use/unmask */
    unsigned vector_nr;

    /* Expansion ROM (PCI core: romfile/rombar properties) */
    char *romfile;
    uint32_t romsize;
    int32_t rombar;             /* -1 auto, 0 no ROM BAR, 1 force */
    MemoryRegion rom;
    bool has_rom;
};

struct PCIDeviceClass {
    DeviceClass parent_class;
    /* After the header is built; a failure undoes the core's work. */
    void (*realize)(PCIDevice *dev, Error **errp);
    /*
     * At unrealize, after the core released live vectors (through the
     * hooks, while the device is still whole) and unmapped the BARs.
     */
    void (*exit)(PCIDevice *dev);
    uint32_t (*config_read)(PCIDevice *dev, uint32_t address, int len);
    void (*config_write)(PCIDevice *dev, uint32_t address, uint32_t data,
                         int len);
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    bool is_express;            /* 4 KiB config space on a PCIe bus */
    const char *romfile;        /* default image, if any */
};

#define PCI_DEVICE(obj) OBJECT_CHECK(PCIDevice, (obj), TYPE_PCI_DEVICE)
#define PCI_DEVICE_CLASS(oc) \
    OBJECT_CLASS_CHECK(PCIDeviceClass, (oc), TYPE_PCI_DEVICE)
#define PCI_DEVICE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(PCIDeviceClass, (obj), TYPE_PCI_DEVICE)

typedef void (*pci_set_irq_fn)(void *opaque, int irq_num, int level);
typedef int (*pci_map_irq_fn)(PCIDevice *dev, int pin);
/* The machine's interrupt line (e.g. the GSI) of the bus's line @irq_num. */
typedef int (*pci_route_irq_fn)(void *opaque, int irq_num);

struct PCIBus {
    BusState qbus;
    bool is_express;
    /* A secondary bus: the bridge above it (NULL on a root bus). */
    PCIDevice *parent_dev;
    /* The link below a PCIe downstream port: device 0 only. */
    bool is_link;
    PCIDevice *devices[256];
    MemoryRegion *address_space_mem;    /* where memory BARs go */
    MemoryRegion *address_space_io;     /* where I/O BARs go */
    /*
     * What bus masters see: on a secondary bus, the bridge's own
     * bus-master region, so that its MASTER bit gates what is below.
     */
    MemoryRegion *dma_root;
    /* Root bus only: the interrupt controller's inputs. */
    pci_set_irq_fn set_irq;
    pci_map_irq_fn map_irq;
    pci_route_irq_fn route_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count;
};

#define PCI_BUS(obj) OBJECT_CHECK(PCIBus, (obj), TYPE_PCI_BUS)

/* Config space accessors (little-endian). */
static inline uint8_t pci_get_byte(const uint8_t *c) { return *c; }
static inline void pci_set_byte(uint8_t *c, uint8_t v) { *c = v; }
static inline uint16_t pci_get_word(const uint8_t *c) { return lduw_le_p(c); }
static inline void pci_set_word(uint8_t *c, uint16_t v) { stw_le_p(c, v); }
static inline uint32_t pci_get_long(const uint8_t *c) { return ldl_le_p(c); }
static inline void pci_set_long(uint8_t *c, uint32_t v) { stl_le_p(c, v); }
static inline uint64_t pci_get_quad(const uint8_t *c) { return ldq_le_p(c); }
static inline void pci_set_quad(uint8_t *c, uint64_t v) { stq_le_p(c, v); }

/* Buses */
PCIBus *pci_root_bus_new(DeviceState *parent, const char *name,
                         MemoryRegion *mem, MemoryRegion *io,
                         MemoryRegion *dma_root, bool is_express);
void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq, pci_map_irq_fn map_irq,
                  void *opaque, int nirq);
void pci_bus_set_route_irq_fn(PCIBus *bus, pci_route_irq_fn route_irq);
/*
 * The secondary bus of @bridge, named @name, whose devices decode into
 * @mem and @io (the bridge maps windows of them upstream).
 */
PCIBus *pci_secondary_bus_new(PCIDevice *bridge, const char *type,
                              const char *name, MemoryRegion *mem,
                              MemoryRegion *io, bool is_link);
bool pci_bus_is_root(const PCIBus *bus);
/* 0 for a root bus, else the bridge's secondary bus number register. */
uint8_t pci_bus_num(const PCIBus *bus);
PCIDevice *pci_bus_get_device(PCIBus *bus, int devfn);
/*
 * The function a configuration request for @busnr:@devfn reaches from
 * root bus @root: type 1 requests go down through bridges whose
 * secondary..subordinate range holds @busnr, type 0 on the secondary bus
 * (device 0 only below a PCIe link). NULL if none answers (absent, not
 * powered, behind a powered-off bridge, or a hotplugged function whose
 * function 0 is not there yet).
 */
PCIDevice *pci_find_device(PCIBus *root, unsigned busnr, unsigned devfn);
/* First free devfn on @bus (function 0 of a free slot), or -1. */
int pci_bus_find_free_devfn(PCIBus *bus);
typedef void PCIBusWalkFunc(PCIBus *bus, PCIDevice *dev, void *opaque);
void pci_for_each_device(PCIBus *bus, PCIBusWalkFunc *fn, void *opaque);
/* Reset every device on @bus and below (a secondary bus reset). */
void pci_bus_reset(PCIBus *bus);

/* Config space: dispatch through the class hooks (host bridges call these). */
uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, int len);
void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val, int len);
/* Default behaviour: masks, BAR/ROM/COMMAND mapping, MSI and MSI-X. */
uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, int len);
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              int len);
static inline uint32_t pci_config_size(const PCIDevice *dev)
{
    return dev->config_size;
}
bool pci_is_express(const PCIDevice *dev);

/* BARs. @type as PCIIORegion.type; size = memory_region_size(mr), a power of 2. */
void pci_register_bar(PCIDevice *dev, int region_num, uint8_t type,
                      MemoryRegion *mr);
pcibus_t pci_get_bar_addr(const PCIDevice *dev, int region_num);
/* Unmap a BAR and forget it (its register reads 0 and is read-only). */
void pci_unregister_bar(PCIDevice *dev, int region_num);
/* Re-derive BAR mappings from config (after an emulated config change). */
void pci_update_mappings(PCIDevice *dev);

/*
 * Capabilities. offset 0 picks the first free, dword-aligned gap after the
 * header. Errors: no room, overlap with another capability, bad offset.
 * Returns the offset, or 0 with errp set.
 */
uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                           uint8_t size, Error **errp);
void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size);
uint8_t pci_find_capability(const PCIDevice *dev, uint8_t cap_id);
/* Extended (PCIe) capabilities at 0x100.. ; offset must be given. */
bool pcie_add_capability(PCIDevice *dev, uint16_t cap_id, uint8_t cap_ver,
                         uint16_t offset, uint16_t size, Error **errp);
void pcie_del_capability(PCIDevice *dev, uint16_t cap_id, uint16_t size);
uint16_t pcie_find_capability(const PCIDevice *dev, uint16_t cap_id);
/* A PCIe capability (version 2) for an endpoint at @offset. */
uint8_t pcie_endpoint_cap_init(PCIDevice *dev, uint8_t offset, Error **errp);

/* INTx: the device's level on its interrupt pin. */
void pci_set_irq(PCIDevice *dev, int level);
/* The machine's interrupt line for @dev's INTx pin, or -1. */
int pci_device_route_intx_to_irq(PCIDevice *dev);
static inline void pci_irq_assert(PCIDevice *dev) { pci_set_irq(dev, 1); }
static inline void pci_irq_deassert(PCIDevice *dev) { pci_set_irq(dev, 0); }
uint8_t pci_intx_pin(const PCIDevice *dev);     /* 0 none, 1..4 = INTA..D */
/*
 * Where pin *@pin (0 = INTA) of @dev enters the root bus: the device on
 * the root bus (@dev, or the bridge above it), *@pin swizzled at each
 * bridge on the way. The root bus's map_irq applies to that pair.
 */
PCIDevice *pci_intx_root(PCIDevice *dev, int *pin);

/*
 * Bus-master DMA: goes nowhere unless COMMAND.MASTER is set on the device
 * and on every bridge above it.
 */
AddressSpace *pci_get_address_space(PCIDevice *dev);
bool pci_bus_master_enabled(const PCIDevice *dev);
MemTxResult pci_dma_read(PCIDevice *dev, hwaddr addr, void *buf, hwaddr len);
MemTxResult pci_dma_write(PCIDevice *dev, hwaddr addr, const void *buf,
                          hwaddr len);

/* Deliver an MSI/MSI-X message: 32-bit LE store of data to address. */
void pci_deliver_msi(PCIDevice *dev, MSIMessage msg);

/* Vector hooks (MSI and MSI-X share them; see PCIVectorHooks). */
void pci_set_vector_hooks(PCIDevice *dev, const PCIVectorHooks *hooks);
/* Move vector @v to the state implied by (enabled, masked), calling hooks. */
void pci_vector_update(PCIDevice *dev, unsigned v, bool enabled, bool masked,
                       MSIMessage msg);
/* Release every vector (disable or reset). */
void pci_vectors_release_all(PCIDevice *dev);
/* Make room for @nr vectors, all UNUSED (msi_init and msix_init). */
void pci_vectors_reserve(PCIDevice *dev, unsigned nr);

/* Create and realize a device on @bus at @devfn (board code). */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *name);

/* Reset the standard header state (COMMAND, STATUS, BARs) and capabilities. */
void pci_device_reset(PCIDevice *dev);

/* Slot power (see has_power); a bridge also opens or closes its windows. */
void pci_set_power(PCIDevice *dev, bool on);
/* Type 1 header (a PCI-to-PCI bridge, see pci_bridge.h)? */
bool pci_is_bridge(const PCIDevice *dev);

#endif
