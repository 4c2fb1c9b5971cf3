/*
 * The memory API: a tree of regions (RAM, MMIO, containers, aliases) under
 * the root of each address space. A change to the tree rebuilds the
 * address space's flat view, a sorted array of ranges, so that dispatch is
 * a binary search. Listeners hear which RAM-backed sections (guest RAM and
 * mmap'd device memory) appear and disappear.
 *
 * All accesses are little-endian.
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qom/object.h"

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct MemoryListener MemoryListener;

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,            /* device refused the access */
    MEMTX_DECODE_ERROR = 2,     /* nothing at that address */
} MemTxResult;

typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    /* What the guest may do; other accesses are refused (MEMTX_ERROR). */
    struct {
        unsigned min_access_size;   /* 0 means 1 */
        unsigned max_access_size;   /* 0 means 4 */
        bool unaligned;
    } valid;
    /*
     * What the callbacks implement; dispatch splits wider accesses into
     * several and widens narrower ones (read-modify for reads only; a
     * narrow write to a wider-only region is widened with zero bytes, as
     * QEMU does).
     */
    struct {
        unsigned min_access_size;   /* 0 means 1 */
        unsigned max_access_size;   /* 0 means 4 */
        bool unaligned;
    } impl;
} MemoryRegionOps;

typedef enum MemoryRegionKind {
    MR_CONTAINER,
    MR_IO,                  /* MMIO or port I/O callbacks */
    MR_RAM,                 /* memory we allocated */
    MR_RAM_PTR,             /* memory owned elsewhere (e.g. mmap'd BAR) */
    MR_ALIAS,
} MemoryRegionKind;

struct MemoryRegion {
    /* all fields private to system/memory.c, read through accessors */
    Object *owner;
    char *name;
    MemoryRegionKind kind;
    uint64_t size;
    const MemoryRegionOps *ops;
    void *opaque;
    void *ram_ptr;
    bool ram_device;            /* device memory: DMA-mappable but not RAM */
    bool readonly;
    bool enabled;
    bool terminates;
    MemoryRegion *alias;
    hwaddr alias_offset;
    MemoryRegion *container;
    hwaddr addr;                /* offset within container */
    int priority;
    GPtrArray *subregions;      /* MemoryRegion *, highest priority first */
    bool initialised;
};

typedef struct MemoryRegionSection {
    MemoryRegion *mr;           /* the terminal region (never an alias) */
    AddressSpace *as;
    hwaddr offset_within_region;
    hwaddr offset_within_address_space;
    uint64_t size;
    bool readonly;
} MemoryRegionSection;

struct MemoryListener {
    /* RAM-backed sections only (kinds MR_RAM and MR_RAM_PTR). */
    void (*region_add)(MemoryListener *l, MemoryRegionSection *section);
    void (*region_del)(MemoryListener *l, MemoryRegionSection *section);
    /* Around each batch of add/del calls (optional). */
    void (*begin)(MemoryListener *l);
    void (*commit)(MemoryListener *l);
    const char *name;
    /* private */
    AddressSpace *as;
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;
    GPtrArray *listeners;       /* MemoryListener * */
};

/* Initialisation. @owner may be NULL. Names are copied. */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
/*
 * RAM backed by the file @fd (its first @size bytes, which must exist):
 * MAP_SHARED if @shared (guest writes reach the file), else MAP_PRIVATE.
 * The mapping keeps the file; the caller may close @fd.
 */
bool memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
                                    const char *name, uint64_t size, int fd,
                                    bool shared, Error **errp);
/* @ptr stays owned by the caller; ram_device marks mmap'd device memory. */
void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
                                const char *name, uint64_t size, void *ptr);
void memory_region_init_ram_device_ptr(MemoryRegion *mr, Object *owner,
                                       const char *name, uint64_t size,
                                       void *ptr);
void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);
/* Detaches from its container and frees what init allocated. */
void memory_region_finalize(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);

uint64_t memory_region_size(const MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
bool memory_region_is_ram(const MemoryRegion *mr);          /* RAM or RAM_PTR */
bool memory_region_is_ram_device(const MemoryRegion *mr);
bool memory_region_is_mapped(const MemoryRegion *mr);      /* has a container */
bool memory_region_is_enabled(const MemoryRegion *mr);
void *memory_region_get_ram_ptr(const MemoryRegion *mr);
Object *memory_region_owner(const MemoryRegion *mr);
hwaddr memory_region_get_address(const MemoryRegion *mr);

/*
 * Batch changes: flat views are rebuilt and listeners told once, at the
 * outermost commit. Every mutator above opens its own transaction.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* Address spaces */
void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void address_space_destroy(AddressSpace *as);

/* Byte-granular access (split at range boundaries, widest legal pieces). */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len);
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf,
                             hwaddr len, bool is_write);
/* One access of 1, 2, 4 or 8 bytes as a CPU would issue it. */
MemTxResult address_space_read_sized(AddressSpace *as, hwaddr addr,
                                     unsigned size, uint64_t *value);
MemTxResult address_space_write_sized(AddressSpace *as, hwaddr addr,
                                      unsigned size, uint64_t value);
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr,
                              MemTxResult *result);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxResult *result);

/* The section covering @addr (size clipped to that flat range); mr NULL if none. */
MemoryRegionSection address_space_find_section(AddressSpace *as, hwaddr addr);
/* Number of flat ranges (tests and `info mtree`). */
size_t address_space_flat_range_count(AddressSpace *as);
/* Print the region tree (human monitor "info mtree"). */
void memory_region_dump_tree(GString *out, const MemoryRegion *mr);

/*
 * Listeners: on register, region_add is called for every RAM-backed
 * section already present; on unregister, region_del for each.
 */
void memory_listener_register(MemoryListener *listener, AddressSpace *as);
void memory_listener_unregister(MemoryListener *listener);

/* Machine-wide address spaces, set up by the machine. */
extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);
/* Creates the two roots (64-bit memory, 64 KiB I/O) if not yet made. */
void memory_system_init(void);

#endif
