/*
 * The memory API: the region tree, flat views, dispatch and listeners.
 *
 * Rules chosen here (the header is the contract; these fill its gaps):
 *  - Overlapping subregions: the higher priority wins; among equal
 *    priorities the one added last wins, as in QEMU. Moving a region with
 *    memory_region_set_address keeps its place among its equals.
 *  - Unassigned addresses read as all ones and give MEMTX_DECODE_ERROR in
 *    every address space; writes there are dropped.
 *  - An access refused by MemoryRegionOps.valid gives MEMTX_ERROR; a
 *    refused read returns all ones, a refused write is dropped.
 *  - A narrow write to a region whose callbacks only take wider accesses
 *    is widened with zero bytes around the data (no read-modify-write,
 *    which could have side effects on device registers), as in QEMU.
 *  - Writes to a read-only range (RAM or I/O) are dropped and succeed.
 *  - A region of size UINT64_MAX spans the whole 64-bit space (2^64).
 *  - A NULL read callback reads 0; a NULL write callback drops the write.
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "qemu/error.h"
#include "system/memory.h"
#include "trace.h"

/*
 * Addresses during rendering: signed and wider than 64 bits, since an
 * alias may place its target's offset 0 below address 0, and a range may
 * end exactly at 2^64.
 */
__extension__ typedef __int128 Addr128;

#define SPACE_END ((Addr128)1 << 64)
/* Bound on nesting while rendering, so an alias cycle cannot recurse forever */
#define RENDER_MAX_DEPTH 64

typedef struct FlatRange {
    hwaddr addr;
    Addr128 size;
    MemoryRegion *mr;           /* terminal: IO, RAM or RAM_PTR */
    hwaddr offset_in_region;
    bool readonly;
} FlatRange;

struct FlatView {
    GArray *ranges;             /* FlatRange, sorted by addr, disjoint */
};

AddressSpace address_space_memory;
AddressSpace address_space_io;

static MemoryRegion system_memory;
static MemoryRegion system_io;

static unsigned transaction_depth;
static bool update_pending;
static GPtrArray *address_spaces;   /* AddressSpace *, in init order */
static GHashTable *ram_map_lengths; /* ram_ptr -> length we mmap'd */

static Addr128 region_size(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? SPACE_END : (Addr128)mr->size;
}

static uint64_t clamp_u64(Addr128 v)
{
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

static uint64_t all_ones(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static size_t host_page_size(void)
{
    static size_t page_size;

    if (!page_size) {
        page_size = sysconf(_SC_PAGESIZE);
    }
    return page_size;
}

/* Initialisation and teardown */

static void region_init_common(MemoryRegion *mr, Object *owner,
                               const char *name, uint64_t size,
                               MemoryRegionKind kind)
{
    memset(mr, 0, sizeof(*mr));
    mr->owner = owner;
    mr->name = g_strdup(name ? name : "anonymous");
    mr->kind = kind;
    mr->size = size;
    mr->enabled = true;
    mr->terminates = kind == MR_IO || kind == MR_RAM || kind == MR_RAM_PTR;
    mr->subregions = g_ptr_array_new();
    mr->initialised = true;
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size)
{
    region_init_common(mr, owner, name, size, MR_CONTAINER);
}

void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    region_init_common(mr, owner, name, size, MR_IO);
    mr->ops = ops;
    mr->opaque = opaque;
}

/*
 * Guest RAM is aligned to 2 MiB in host memory when it is that large, so
 * that an IOMMU (or KVM) can map it with huge pages: guest-physical and
 * host-virtual addresses then agree in their low 21 bits. NORESERVE: RAM
 * is committed page by page as the guest uses it.
 */
#define RAM_HUGE_ALIGN (2 * 1024 * 1024)

static void *ram_mmap_aligned(size_t len, int fd, bool shared)
{
    size_t align = len >= RAM_HUGE_ALIGN ? RAM_HUGE_ALIGN : host_page_size();
    size_t total = len + align - host_page_size();
    uint8_t *raw, *ptr;

    raw = mmap(NULL, total, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED) {
        return MAP_FAILED;
    }
    ptr = (uint8_t *)QEMU_ALIGN_UP((uintptr_t)raw, align);
    /* give back the slack on both sides */
    if (ptr > raw) {
        munmap(raw, ptr - raw);
    }
    if (raw + total > ptr + len) {
        munmap(ptr + len, raw + total - (ptr + len));
    }
    /* A file's pages replace the anonymous ones, at the same address. */
    if (fd >= 0 &&
        mmap(ptr, len, PROT_READ | PROT_WRITE,
             (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED, fd, 0)
        == MAP_FAILED) {
        int err = errno;

        munmap(ptr, len);
        errno = err;
        return MAP_FAILED;
    }
    return ptr;
}

static bool init_ram_common(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, int fd, bool shared, Error **errp)
{
    void *ptr = NULL;

    if (size >= SIZE_MAX - host_page_size()) {
        error_setg(errp, "RAM region '%s': size 0x%" PRIx64 " is too large "
                   "for this host; use a smaller memory size",
                   name ? name : "anonymous", size);
        return false;
    }
    if (size) {
        size_t len = QEMU_ALIGN_UP(size, host_page_size());

        ptr = ram_mmap_aligned(len, fd, shared);
        if (ptr == MAP_FAILED && fd >= 0) {
            error_setg_errno(errp, errno, "cannot map the backing file of "
                             "RAM '%s' (%" PRIu64 " MiB)",
                             name ? name : "anonymous", size >> 20);
            return false;
        }
        if (ptr == MAP_FAILED) {
            error_setg_errno(errp, errno, "cannot allocate %" PRIu64
                             " MiB of RAM for '%s' (use a smaller memory "
                             "size)", size >> 20, name ? name : "anonymous");
            return false;
        }
        if (!ram_map_lengths) {
            ram_map_lengths = g_hash_table_new(NULL, NULL);
        }
        g_hash_table_insert(ram_map_lengths, ptr, GSIZE_TO_POINTER(len));
    }
    region_init_common(mr, owner, name, size, MR_RAM);
    mr->ram_ptr = ptr;
    return true;
}

/* On failure @mr is left untouched (not initialised). */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp)
{
    return init_ram_common(mr, owner, name, size, -1, false, errp);
}

bool memory_region_init_ram_from_fd(MemoryRegion *mr, Object *owner,
                                    const char *name, uint64_t size, int fd,
                                    bool shared, Error **errp)
{
    return init_ram_common(mr, owner, name, size, fd, shared, errp);
}

void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner,
                                const char *name, uint64_t size, void *ptr)
{
    region_init_common(mr, owner, name, size, MR_RAM_PTR);
    mr->ram_ptr = ptr;
}

void memory_region_init_ram_device_ptr(MemoryRegion *mr, Object *owner,
                                       const char *name, uint64_t size,
                                       void *ptr)
{
    memory_region_init_ram_ptr(mr, owner, name, size, ptr);
    mr->ram_device = true;
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size)
{
    g_assert(orig && orig->initialised);
    region_init_common(mr, owner, name, size, MR_ALIAS);
    mr->alias = orig;
    mr->alias_offset = offset;
}

static bool view_references(const FlatView *view, const MemoryRegion *mr)
{
    for (guint i = 0; view && i < view->ranges->len; i++) {
        if (g_array_index(view->ranges, FlatRange, i).mr == mr) {
            return true;
        }
    }
    return false;
}

static bool any_view_references(const MemoryRegion *mr)
{
    for (guint i = 0; address_spaces && i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);

        if (view_references(as->current_map, mr)) {
            return true;
        }
    }
    return false;
}

static void update_all_address_spaces(void);

void memory_region_finalize(MemoryRegion *mr)
{
    if (!mr->initialised) {
        return;
    }
    memory_region_transaction_begin();
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    while (mr->subregions->len) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions,
                                              mr->subregions->len - 1);
        memory_region_del_subregion(mr, sub);
    }
    memory_region_transaction_commit();
    /*
     * Inside an outer transaction the views still point at @mr: apply the
     * change now, so that no view (and no listener's region_del) touches
     * a freed region later.
     */
    if (transaction_depth && any_view_references(mr)) {
        update_pending = false;
        update_all_address_spaces();
    }

    if (mr->kind == MR_RAM && mr->ram_ptr) {
        gpointer len = g_hash_table_lookup(ram_map_lengths, mr->ram_ptr);

        g_hash_table_remove(ram_map_lengths, mr->ram_ptr);
        munmap(mr->ram_ptr, GPOINTER_TO_SIZE(len));
    }
    g_ptr_array_free(mr->subregions, true);
    g_free(mr->name);
    memset(mr, 0, sizeof(*mr));
}

/* Tree changes */

static void mark_changed(void)
{
    update_pending = true;
}

/* Highest priority first; a newcomer goes before its equals (it wins). */
static void subregion_insert(MemoryRegion *mr, MemoryRegion *sub)
{
    guint i;

    for (i = 0; i < mr->subregions->len; i++) {
        MemoryRegion *other = g_ptr_array_index(mr->subregions, i);

        if (sub->priority >= other->priority) {
            break;
        }
    }
    g_ptr_array_insert(mr->subregions, i, sub);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority)
{
    g_assert(mr->initialised && subregion->initialised);
    g_assert(!subregion->container);
    g_assert(mr != subregion);

    memory_region_transaction_begin();
    subregion->container = mr;
    subregion->addr = offset;
    subregion->priority = priority;
    subregion_insert(mr, subregion);
    mark_changed();
    memory_region_transaction_commit();
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    memory_region_add_subregion_overlap(mr, offset, subregion, 0);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    g_assert(subregion->container == mr);

    memory_region_transaction_begin();
    g_ptr_array_remove(mr->subregions, subregion);
    subregion->container = NULL;
    mark_changed();
    memory_region_transaction_commit();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    memory_region_transaction_begin();
    mr->enabled = enabled;
    mark_changed();
    memory_region_transaction_commit();
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    if (mr->addr == addr) {
        return;
    }
    memory_region_transaction_begin();
    mr->addr = addr;
    mark_changed();
    memory_region_transaction_commit();
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    g_assert(mr->kind == MR_ALIAS);
    if (mr->alias_offset == offset) {
        return;
    }
    memory_region_transaction_begin();
    mr->alias_offset = offset;
    mark_changed();
    memory_region_transaction_commit();
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    if (mr->size == size) {
        return;
    }
    /* RAM we allocated cannot grow past its mapping */
    if (mr->kind == MR_RAM) {
        g_assert(mr->ram_ptr && size <= GPOINTER_TO_SIZE(
                     g_hash_table_lookup(ram_map_lengths, mr->ram_ptr)));
    }
    memory_region_transaction_begin();
    mr->size = size;
    mark_changed();
    memory_region_transaction_commit();
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly == readonly) {
        return;
    }
    memory_region_transaction_begin();
    mr->readonly = readonly;
    mark_changed();
    memory_region_transaction_commit();
}

/* Accessors */

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM || mr->kind == MR_RAM_PTR;
}

bool memory_region_is_ram_device(const MemoryRegion *mr)
{
    return mr->ram_device;
}

bool memory_region_is_mapped(const MemoryRegion *mr)
{
    return mr->container != NULL;
}

bool memory_region_is_enabled(const MemoryRegion *mr)
{
    return mr->enabled;
}

/* Through aliases too: the host address of the alias's first byte. */
void *memory_region_get_ram_ptr(const MemoryRegion *mr)
{
    hwaddr offset = 0;

    for (int depth = 0; mr->kind == MR_ALIAS; depth++) {
        if (depth == RENDER_MAX_DEPTH) {
            return NULL;
        }
        offset += mr->alias_offset;
        mr = mr->alias;
    }
    if (!memory_region_is_ram(mr) || !mr->ram_ptr) {
        return NULL;
    }
    return (uint8_t *)mr->ram_ptr + offset;
}

Object *memory_region_owner(const MemoryRegion *mr)
{
    return mr->owner;
}

hwaddr memory_region_get_address(const MemoryRegion *mr)
{
    return mr->addr;
}

/* Rendering the tree into a flat view */

static FlatView *flatview_new(void)
{
    FlatView *view = g_new0(FlatView, 1);

    view->ranges = g_array_new(false, false, sizeof(FlatRange));
    return view;
}

static void flatview_free(FlatView *view)
{
    if (view) {
        g_array_free(view->ranges, true);
        g_free(view);
    }
}

static FlatRange *flatview_range(const FlatView *view, guint i)
{
    return &g_array_index(view->ranges, FlatRange, i);
}

static Addr128 range_end(const FlatRange *fr)
{
    return (Addr128)fr->addr + fr->size;
}

static void flatview_insert(FlatView *view, guint i, MemoryRegion *mr,
                            Addr128 base, Addr128 start, Addr128 end,
                            bool readonly)
{
    FlatRange fr = {
        .addr = start,
        .size = end - start,
        .mr = mr,
        .offset_in_region = start - base,
        .readonly = readonly,
    };

    g_array_insert_val(view->ranges, i, fr);
}

/*
 * Put the terminal region @mr (offset 0 at @base) into the holes that
 * regions rendered earlier (higher priority) left in [start, end).
 */
static void flatview_fill_holes(FlatView *view, MemoryRegion *mr,
                                Addr128 base, Addr128 start, Addr128 end,
                                bool readonly)
{
    Addr128 pos = start;
    guint i = 0;

    while (i < view->ranges->len && range_end(flatview_range(view, i)) <= pos) {
        i++;
    }
    for (; i < view->ranges->len && pos < end; i++) {
        FlatRange *fr = flatview_range(view, i);

        if (fr->addr > pos) {
            Addr128 hole_end = MIN((Addr128)fr->addr, end);

            flatview_insert(view, i, mr, base, pos, hole_end, readonly);
            i++;
            fr = flatview_range(view, i);
        }
        pos = MAX(pos, range_end(fr));
    }
    if (pos < end) {
        flatview_insert(view, view->ranges->len, mr, base, pos, end,
                        readonly);
    }
}

static void render_region(FlatView *view, MemoryRegion *mr, Addr128 base,
                          Addr128 clip_start, Addr128 clip_end,
                          bool readonly, int depth);

/*
 * Render @mr's contents, its offset 0 at @base, within the clip. The
 * caller has checked that @mr is enabled (an alias's target is rendered
 * whether or not it is enabled where it is mapped itself, as in QEMU).
 */
static void render_contents(FlatView *view, MemoryRegion *mr, Addr128 base,
                            Addr128 clip_start, Addr128 clip_end,
                            bool readonly, int depth)
{
    Addr128 start = MAX(base, clip_start);
    Addr128 end = MIN(base + region_size(mr), clip_end);

    if (start >= end || depth > RENDER_MAX_DEPTH) {
        return;
    }
    readonly |= mr->readonly;

    if (mr->kind == MR_ALIAS) {
        render_contents(view, mr->alias, base - (Addr128)mr->alias_offset,
                        start, end, readonly, depth + 1);
        return;
    }
    /* Subregions hide what is under them, the highest priority first */
    for (guint i = 0; i < mr->subregions->len; i++) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);

        render_region(view, sub, base + sub->addr, start, end, readonly,
                      depth + 1);
    }
    if (mr->terminates) {
        flatview_fill_holes(view, mr, base, start, end, readonly);
    }
}

static void render_region(FlatView *view, MemoryRegion *mr, Addr128 base,
                          Addr128 clip_start, Addr128 clip_end,
                          bool readonly, int depth)
{
    if (mr->enabled) {
        render_contents(view, mr, base, clip_start, clip_end, readonly,
                        depth);
    }
}

static bool flatrange_can_merge(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->readonly == b->readonly &&
           range_end(a) == b->addr &&
           (Addr128)a->offset_in_region + a->size == b->offset_in_region;
}

/* Join neighbours that continue each other, so listeners see big extents */
static void flatview_simplify(FlatView *view)
{
    guint out = 0;

    for (guint i = 0; i < view->ranges->len; i++) {
        FlatRange *fr = flatview_range(view, i);

        if (out && flatrange_can_merge(flatview_range(view, out - 1), fr)) {
            flatview_range(view, out - 1)->size += fr->size;
        } else {
            *flatview_range(view, out++) = *fr;
        }
    }
    g_array_set_size(view->ranges, out);
}

static FlatView *generate_view(MemoryRegion *root)
{
    FlatView *view = flatview_new();

    render_region(view, root, 0, 0, SPACE_END, false, 0);
    flatview_simplify(view);
    return view;
}

/* Listener notification */

static bool flatrange_equal(const FlatRange *a, const FlatRange *b)
{
    return a->addr == b->addr && a->size == b->size && a->mr == b->mr &&
           a->offset_in_region == b->offset_in_region &&
           a->readonly == b->readonly;
}

static bool flatrange_is_ram(const FlatRange *fr)
{
    return memory_region_is_ram(fr->mr);
}

static MemoryRegionSection section_from_range(AddressSpace *as,
                                              const FlatRange *fr)
{
    return (MemoryRegionSection) {
        .mr = fr->mr,
        .as = as,
        .offset_within_region = fr->offset_in_region,
        .offset_within_address_space = fr->addr,
        .size = clamp_u64(fr->size),
        .readonly = fr->readonly,
    };
}

static void listener_begin(MemoryListener *l)
{
    if (l->begin) {
        l->begin(l);
    }
}

static void listener_commit(MemoryListener *l)
{
    if (l->commit) {
        l->commit(l);
    }
}

static void listener_add(MemoryListener *l, MemoryRegionSection *s)
{
    trace_memory_listener_region_add(l->name ? l->name : "",
                                     s->offset_within_address_space,
                                     s->size, memory_region_name(s->mr));
    if (l->region_add) {
        l->region_add(l, s);
    }
}

static void listener_del(MemoryListener *l, MemoryRegionSection *s)
{
    trace_memory_listener_region_del(l->name ? l->name : "",
                                     s->offset_within_address_space,
                                     s->size, memory_region_name(s->mr));
    if (l->region_del) {
        l->region_del(l, s);
    }
}

/* RAM-backed ranges of @old missing from @new go to @gone, and vice versa. */
static void flatview_diff(AddressSpace *as, const FlatView *old,
                          const FlatView *new, GArray *gone, GArray *added)
{
    guint i = 0, j = 0;
    guint n_old = old ? old->ranges->len : 0;

    while (i < n_old || j < new->ranges->len) {
        FlatRange *o = i < n_old ? flatview_range(old, i) : NULL;
        FlatRange *n = j < new->ranges->len ? flatview_range(new, j) : NULL;
        MemoryRegionSection s;

        if (o && n && flatrange_equal(o, n)) {
            i++;
            j++;
        } else if (o && (!n || o->addr <= n->addr)) {
            if (flatrange_is_ram(o)) {
                s = section_from_range(as, o);
                g_array_append_val(gone, s);
            }
            i++;
        } else {
            if (flatrange_is_ram(n)) {
                s = section_from_range(as, n);
                g_array_append_val(added, s);
            }
            j++;
        }
    }
}

static void notify_listeners(AddressSpace *as, const FlatView *old,
                             const FlatView *new)
{
    GArray *gone, *added;
    GPtrArray *ls = as->listeners;

    if (!ls->len) {
        return;
    }
    gone = g_array_new(false, false, sizeof(MemoryRegionSection));
    added = g_array_new(false, false, sizeof(MemoryRegionSection));
    flatview_diff(as, old, new, gone, added);

    if (gone->len || added->len) {
        for (guint k = 0; k < ls->len; k++) {
            listener_begin(g_ptr_array_index(ls, k));
        }
        /* Removals first, so a moved range never overlaps its old self */
        for (guint k = ls->len; k-- > 0;) {
            for (guint i = 0; i < gone->len; i++) {
                listener_del(g_ptr_array_index(ls, k),
                             &g_array_index(gone, MemoryRegionSection, i));
            }
        }
        for (guint k = 0; k < ls->len; k++) {
            for (guint i = 0; i < added->len; i++) {
                listener_add(g_ptr_array_index(ls, k),
                             &g_array_index(added, MemoryRegionSection, i));
            }
        }
        for (guint k = 0; k < ls->len; k++) {
            listener_commit(g_ptr_array_index(ls, k));
        }
    }
    g_array_free(gone, true);
    g_array_free(added, true);
}

static void address_space_update_topology(AddressSpace *as)
{
    FlatView *old = as->current_map;
    FlatView *new = generate_view(as->root);

    as->current_map = new;
    trace_address_space_update_topology(as->name, new->ranges->len);
    notify_listeners(as, old, new);
    flatview_free(old);
}

static void update_all_address_spaces(void)
{
    for (guint i = 0; address_spaces && i < address_spaces->len; i++) {
        address_space_update_topology(g_ptr_array_index(address_spaces, i));
    }
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    g_assert(transaction_depth > 0);
    if (--transaction_depth) {
        return;
    }
    /* A listener may change the tree again: repeat until it settles */
    while (update_pending) {
        update_pending = false;
        transaction_depth++;
        update_all_address_spaces();
        transaction_depth--;
    }
}

/* Address spaces */

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    g_assert(root && root->initialised);

    as->name = g_strdup(name ? name : "anonymous");
    as->root = root;
    as->listeners = g_ptr_array_new();
    as->current_map = generate_view(root);
    if (!address_spaces) {
        address_spaces = g_ptr_array_new();
    }
    g_ptr_array_add(address_spaces, as);
}

/* Listeners still registered are unregistered (they hear region_del). */
void address_space_destroy(AddressSpace *as)
{
    while (as->listeners->len) {
        memory_listener_unregister(g_ptr_array_index(as->listeners,
                                                     as->listeners->len - 1));
    }
    g_ptr_array_remove(address_spaces, as);
    g_ptr_array_free(as->listeners, true);
    flatview_free(as->current_map);
    g_free(as->name);
    memset(as, 0, sizeof(*as));
}

size_t address_space_flat_range_count(AddressSpace *as)
{
    return as->current_map->ranges->len;
}

/*
 * Find @addr in @as's view. Returns true and a copy of the range (a copy,
 * because a device callback may rebuild the view) when something is
 * mapped there; false for a hole. *avail gets the bytes from @addr to the
 * end of the range, or of the hole.
 */
static bool address_space_lookup(AddressSpace *as, hwaddr addr,
                                 FlatRange *out, Addr128 *avail)
{
    GArray *ranges = as->current_map->ranges;
    guint lo = 0, hi = ranges->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        FlatRange *fr = &g_array_index(ranges, FlatRange, mid);

        if (addr < fr->addr) {
            hi = mid;
        } else if (addr >= range_end(fr)) {
            lo = mid + 1;
        } else {
            *out = *fr;
            *avail = range_end(fr) - addr;
            return true;
        }
    }
    if (lo < ranges->len) {
        *avail = g_array_index(ranges, FlatRange, lo).addr - addr;
    } else {
        *avail = SPACE_END - addr;
    }
    return false;
}

MemoryRegionSection address_space_find_section(AddressSpace *as, hwaddr addr)
{
    MemoryRegionSection s = { .as = as, .offset_within_address_space = addr };
    FlatRange fr;
    Addr128 avail;

    if (address_space_lookup(as, addr, &fr, &avail)) {
        s.mr = fr.mr;
        s.offset_within_region = fr.offset_in_region + (addr - fr.addr);
        s.readonly = fr.readonly;
    }
    s.size = clamp_u64(avail);
    return s;
}

/* Dispatch: RAM */

/* Device memory takes accesses of the exact width; plain RAM any way. */
static uint64_t ram_load(const MemoryRegion *mr, const uint8_t *p,
                         unsigned size)
{
    if (mr->ram_device && QEMU_PTR_IS_ALIGNED(p, size)) {
        switch (size) {
        case 1:
            return *(volatile const uint8_t *)p;
        case 2:
            return GUINT16_FROM_LE(*(volatile const uint16_t *)p);
        case 4:
            return GUINT32_FROM_LE(*(volatile const uint32_t *)p);
        default:
            return GUINT64_FROM_LE(*(volatile const uint64_t *)p);
        }
    }
    return ldn_le_p(p, size);
}

static void ram_store(const MemoryRegion *mr, uint8_t *p, unsigned size,
                      uint64_t value)
{
    if (mr->ram_device && QEMU_PTR_IS_ALIGNED(p, size)) {
        switch (size) {
        case 1:
            *(volatile uint8_t *)p = value;
            return;
        case 2:
            *(volatile uint16_t *)p = GUINT16_TO_LE(value);
            return;
        case 4:
            *(volatile uint32_t *)p = GUINT32_TO_LE(value);
            return;
        default:
            *(volatile uint64_t *)p = GUINT64_TO_LE(value);
            return;
        }
    }
    stn_le_p(p, size, value);
}

/* Largest of 1, 2, 4, 8 that is <= @len and divides @align (if nonzero). */
static unsigned widest_piece(uint64_t len, unsigned max, uint64_t align)
{
    unsigned size = 8;

    while (size > 1 && (size > len || size > max ||
                        (align & (size - 1)))) {
        size >>= 1;
    }
    return size;
}

static void ram_rw(const FlatRange *fr, hwaddr off, uint8_t *buf,
                   uint64_t len, bool is_write)
{
    uint8_t *p = (uint8_t *)fr->mr->ram_ptr + off;

    if (is_write && fr->readonly) {
        return;
    }
    if (!fr->mr->ram_device) {
        if (is_write) {
            memcpy(p, buf, len);
        } else {
            memcpy(buf, p, len);
        }
        return;
    }
    while (len) {
        unsigned l = widest_piece(len, 8, (uintptr_t)p);

        if (is_write) {
            ram_store(fr->mr, p, l, ldn_le_p(buf, l));
        } else {
            stn_le_p(buf, l, ram_load(fr->mr, p, l));
        }
        p += l;
        buf += l;
        len -= l;
    }
}

/* Dispatch: I/O callbacks */

static unsigned ops_valid_min(const MemoryRegionOps *ops)
{
    return ops->valid.min_access_size ? ops->valid.min_access_size : 1;
}

static unsigned ops_valid_max(const MemoryRegionOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static bool io_access_valid(const MemoryRegion *mr, hwaddr off,
                            unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;

    if (size < ops_valid_min(ops) || size > ops_valid_max(ops)) {
        return false;
    }
    return ops->valid.unaligned || !(off & (size - 1));
}

static uint64_t io_call_read(MemoryRegion *mr, hwaddr off, unsigned size)
{
    uint64_t value = 0;

    if (mr->ops->read) {
        value = mr->ops->read(mr->opaque, off, size) & all_ones(size);
    }
    trace_memory_region_ops_read(mr->name, off, value, size);
    return value;
}

static void io_call_write(MemoryRegion *mr, hwaddr off, uint64_t value,
                          unsigned size)
{
    trace_memory_region_ops_write(mr->name, off, value, size);
    if (mr->ops->write) {
        mr->ops->write(mr->opaque, off, value, size);
    }
}

/*
 * Issue a valid access of @size bytes at @off as the callbacks can take
 * it: in impl-sized chunks covering [off, off + size), aligned unless
 * impl.unaligned. Narrow reads extract their bytes from a wider read;
 * narrow writes are widened with zero bytes; wide ones split in
 * little-endian order.
 */
static void io_access_adjusted(MemoryRegion *mr, hwaddr off, unsigned size,
                               uint64_t *value, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops->impl.min_access_size ? ops->impl.min_access_size : 1;
    unsigned imax = ops->impl.max_access_size ? ops->impl.max_access_size : 4;
    unsigned chunk = MIN(MAX(size, imin), imax);
    hwaddr start = ops->impl.unaligned ? off : QEMU_ALIGN_DOWN(off, chunk);
    uint64_t data = *value & all_ones(size);
    uint64_t result = 0;

    for (hwaddr c = start; c < off + size; c += chunk) {
        /* bytes of chunk c before the access's first byte, or after it */
        unsigned lead = c < off ? (off - c) * 8 : 0;
        unsigned skip = c > off ? (c - off) * 8 : 0;

        if (is_write) {
            io_call_write(mr, c, ((data >> skip) << lead) & all_ones(chunk),
                          chunk);
        } else {
            result |= (io_call_read(mr, c, chunk) >> lead) << skip;
        }
    }
    if (!is_write) {
        *value = result & all_ones(size);
    }
}

/* One access inside the range @fr. Offsets are relative to the region. */
static MemTxResult range_access(const FlatRange *fr, hwaddr addr,
                                unsigned size, uint64_t *value, bool is_write)
{
    MemoryRegion *mr = fr->mr;
    hwaddr off = fr->offset_in_region + (addr - fr->addr);

    if (memory_region_is_ram(mr)) {
        uint8_t *p = (uint8_t *)mr->ram_ptr + off;

        if (!is_write) {
            *value = ram_load(mr, p, size);
        } else if (!fr->readonly) {
            ram_store(mr, p, size, *value);
        }
        return MEMTX_OK;
    }
    if (!io_access_valid(mr, off, size)) {
        trace_memory_region_access_invalid(mr->name, off, size, is_write);
        if (!is_write) {
            *value = all_ones(size);
        }
        return MEMTX_ERROR;
    }
    if (is_write && fr->readonly) {
        return MEMTX_OK;
    }
    io_access_adjusted(mr, off, size, value, is_write);
    return MEMTX_OK;
}

/*
 * Part of a byte-buffer access that falls in @fr: RAM in one go, I/O as
 * the widest access its ops.valid allows at that alignment. Returns the
 * bytes consumed through *len.
 */
static MemTxResult range_rw(const FlatRange *fr, hwaddr addr, uint8_t *buf,
                            uint64_t *len, bool is_write)
{
    hwaddr off = fr->offset_in_region + (addr - fr->addr);
    const MemoryRegionOps *ops = fr->mr->ops;
    uint64_t value = 0;
    unsigned size;
    MemTxResult res;

    if (memory_region_is_ram(fr->mr)) {
        ram_rw(fr, off, buf, *len, is_write);
        return MEMTX_OK;
    }
    size = widest_piece(*len, ops_valid_max(ops),
                        ops->valid.unaligned ? 0 : off);
    *len = size;
    if (is_write) {
        value = ldn_le_p(buf, size);
    }
    res = range_access(fr, addr, size, &value, is_write);
    if (!is_write) {
        stn_le_p(buf, size, value);
    }
    return res;
}

/* Address space access */

static void unassigned_access(AddressSpace *as, hwaddr addr, uint8_t *buf,
                              uint64_t len, bool is_write)
{
    trace_address_space_unassigned(as->name, addr, len, is_write);
    if (!is_write) {
        memset(buf, 0xff, len);
    }
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf,
                             hwaddr len, bool is_write)
{
    MemTxResult res = MEMTX_OK;
    Addr128 pos = addr;
    uint8_t *p = buf;

    while (len && pos < SPACE_END) {
        FlatRange fr;
        Addr128 avail;
        uint64_t l;
        MemTxResult r;

        if (address_space_lookup(as, pos, &fr, &avail)) {
            l = MIN((Addr128)len, avail);
            r = range_rw(&fr, pos, p, &l, is_write);
        } else {
            l = MIN((Addr128)len, avail);
            unassigned_access(as, pos, p, l, is_write);
            r = MEMTX_DECODE_ERROR;
        }
        if (res == MEMTX_OK) {
            res = r;
        }
        pos += l;
        p += l;
        len -= l;
    }
    if (len) {
        /* wrapped past the top of the address space */
        unassigned_access(as, 0, p, len, is_write);
        if (res == MEMTX_OK) {
            res = MEMTX_DECODE_ERROR;
        }
    }
    return res;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len)
{
    return address_space_rw(as, addr, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len)
{
    return address_space_rw(as, addr, (void *)buf, len, true);
}

/*
 * As in QEMU, a register decodes an access by its first byte: an access
 * that fits in the I/O region holding its first byte goes there whole,
 * even where a higher-priority region covers a later byte. The PC's
 * 0xCF8 dword (CONFIG_ADDRESS) is overlaid by the byte at 0xCF9 (reset
 * control): a dword access at 0xCF8 is still CONFIG_ADDRESS.
 */
static bool io_decodes_whole(const FlatRange *fr, hwaddr addr, unsigned size)
{
    hwaddr off = fr->offset_in_region + (addr - fr->addr);

    return !memory_region_is_ram(fr->mr) &&
           (Addr128)off + size <= region_size(fr->mr);
}

static MemTxResult access_sized(AddressSpace *as, hwaddr addr, unsigned size,
                                uint64_t *value, bool is_write)
{
    FlatRange fr;
    Addr128 avail;
    uint8_t buf[8];
    MemTxResult res;

    if (size != 1 && size != 2 && size != 4 && size != 8) {
        if (!is_write) {
            *value = UINT64_MAX;
        }
        return MEMTX_ERROR;
    }
    if (address_space_lookup(as, addr, &fr, &avail)) {
        if (avail >= size || io_decodes_whole(&fr, addr, size)) {
            return range_access(&fr, addr, size, value, is_write);
        }
    } else if (avail >= size) {
        unassigned_access(as, addr, buf, size, is_write);
        if (!is_write) {
            *value = all_ones(size);
        }
        return MEMTX_DECODE_ERROR;
    }
    /* Straddles two ranges (or a range and a hole): piece by piece */
    if (is_write) {
        stn_le_p(buf, size, *value);
    }
    res = address_space_rw(as, addr, buf, size, is_write);
    if (!is_write) {
        *value = ldn_le_p(buf, size);
    }
    return res;
}

MemTxResult address_space_read_sized(AddressSpace *as, hwaddr addr,
                                     unsigned size, uint64_t *value)
{
    return access_sized(as, addr, size, value, false);
}

MemTxResult address_space_write_sized(AddressSpace *as, hwaddr addr,
                                      unsigned size, uint64_t value)
{
    return access_sized(as, addr, size, &value, true);
}

MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len)
{
    uint8_t fill[512];
    MemTxResult res = MEMTX_OK;

    memset(fill, c, sizeof(fill));
    while (len) {
        hwaddr l = MIN(len, sizeof(fill));
        MemTxResult r = address_space_write(as, addr, fill, l);

        if (res == MEMTX_OK) {
            res = r;
        }
        addr += l;
        len -= l;
    }
    return res;
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr,
                              MemTxResult *result)
{
    uint64_t value;
    MemTxResult r = address_space_read_sized(as, addr, 4, &value);

    if (result) {
        *result = r;
    }
    return value;
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxResult *result)
{
    MemTxResult r = address_space_write_sized(as, addr, 4, val);

    if (result) {
        *result = r;
    }
}

/* Listeners */

static void listener_replay(MemoryListener *l, bool add)
{
    AddressSpace *as = l->as;
    FlatView *view = as->current_map;

    listener_begin(l);
    for (guint i = 0; i < view->ranges->len; i++) {
        FlatRange *fr = flatview_range(view, i);
        MemoryRegionSection s;

        if (!flatrange_is_ram(fr)) {
            continue;
        }
        s = section_from_range(as, fr);
        if (add) {
            listener_add(l, &s);
        } else {
            listener_del(l, &s);
        }
    }
    listener_commit(l);
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
    g_assert(!listener->as);

    listener->as = as;
    g_ptr_array_add(as->listeners, listener);
    listener_replay(listener, true);
}

void memory_listener_unregister(MemoryListener *listener)
{
    AddressSpace *as = listener->as;

    if (!as) {
        return;
    }
    listener_replay(listener, false);
    g_ptr_array_remove(as->listeners, listener);
    listener->as = NULL;
}

/* The machine's address spaces */

MemoryRegion *get_system_memory(void)
{
    memory_system_init();
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    memory_system_init();
    return &system_io;
}

void memory_system_init(void)
{
    if (system_memory.initialised) {
        return;
    }
    memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
    memory_region_init(&system_io, NULL, "io", 65536);
    address_space_init(&address_space_memory, &system_memory, "memory");
    address_space_init(&address_space_io, &system_io, "I/O");
}

/* info mtree */

static const char *region_type_name(const MemoryRegion *mr)
{
    for (int depth = 0; mr->kind == MR_ALIAS && depth < RENDER_MAX_DEPTH;
         depth++) {
        mr = mr->alias;
    }
    if (mr->ram_device) {
        return "ramd";
    }
    if (memory_region_is_ram(mr)) {
        return mr->readonly ? "rom" : "ram";
    }
    return "i/o";
}

/* Last byte of [start, start + size); size 0 shows as a single address. */
static uint64_t last_byte(uint64_t start, const MemoryRegion *mr)
{
    Addr128 size = region_size(mr);

    return size ? (uint64_t)(start + size - 1) : start;
}

static void dump_region(GString *out, const MemoryRegion *mr, hwaddr base,
                        int level)
{
    hwaddr start = base + mr->addr;

    g_string_append_printf(out, "%*s%016" PRIx64 "-%016" PRIx64
                           " (prio %d, %s): ", level * 2, "", start,
                           last_byte(start, mr), mr->priority,
                           region_type_name(mr));
    if (mr->kind == MR_ALIAS) {
        g_string_append_printf(out, "alias %s @%s %016" PRIx64 "-%016"
                               PRIx64, mr->name, mr->alias->name,
                               mr->alias_offset,
                               last_byte(mr->alias_offset, mr));
    } else {
        g_string_append(out, mr->name);
    }
    g_string_append(out, mr->enabled ? "\n" : " [disabled]\n");

    for (guint i = 0; i < mr->subregions->len; i++) {
        dump_region(out, g_ptr_array_index(mr->subregions, i), start,
                    level + 1);
    }
}

void memory_region_dump_tree(GString *out, const MemoryRegion *mr)
{
    dump_region(out, mr, 0, 1);
}
