/*
 * Guest memory as KVM memory slots. A listener on the system address space
 * hears every RAM-backed section (guest RAM, mmap'd device BARs) appear and
 * go, and gives each one a slot, so that the guest reaches it without an
 * exit. What a slot cannot hold (bytes outside whole host pages, read-only
 * memory on a kernel without read-only slots) stays reachable through
 * MMIO exits, which the memory API serves from the same memory.
 */
#include "qemu/osdep.h"
#include "system/memory.h"
#include "kvm-int.h"
#include "trace.h"

static MemoryListener kvm_listener;
static bool kvm_readonly_mem;

/* [start, size) of @s in whole host pages, with its host address. */
static bool section_pages(const MemoryRegionSection *s, uint64_t *start,
                          uint64_t *size, uint8_t **host)
{
    uint64_t page = getpagesize();
    uint64_t first = QEMU_ALIGN_UP(s->offset_within_address_space, page);
    uint64_t end = QEMU_ALIGN_DOWN(s->offset_within_address_space + s->size,
                                   page);
    uint8_t *ptr = memory_region_get_ram_ptr(s->mr);

    if (!ptr || end <= first) {
        return false;
    }
    *start = first;
    *size = end - first;
    *host = ptr + s->offset_within_region +
            (first - s->offset_within_address_space);
    return QEMU_PTR_IS_ALIGNED(*host, page);
}

static int slot_set(unsigned id, const KVMSlot *slot)
{
    struct kvm_userspace_memory_region mem = {
        .slot = id,
        .flags = slot->readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = slot->start,
        .memory_size = slot->used ? slot->size : 0,
        .userspace_addr = (uintptr_t)slot->host,
    };

    return kvm_vm_ioctl(KVM_SET_USER_MEMORY_REGION, &mem);
}

static void kvm_region_add(MemoryListener *l, MemoryRegionSection *s)
{
    KVMState *kvm = kvm_state;
    uint64_t start, size;
    uint8_t *host;
    int ret;

    if (!section_pages(s, &start, &size, &host)) {
        trace_kvm_slot_skip(s->offset_within_address_space, s->size,
                            "not whole host pages");
        return;
    }
    if (s->readonly && !kvm_readonly_mem) {
        trace_kvm_slot_skip(start, size, "read-only");
        return;
    }
    for (unsigned i = 0; i < kvm->nr_slots; i++) {
        KVMSlot *slot = &kvm->slots[i];

        if (slot->used) {
            continue;
        }
        *slot = (KVMSlot) { .start = start, .size = size, .host = host,
                            .readonly = s->readonly, .used = true };
        ret = slot_set(i, slot);
        trace_kvm_slot_add(i, start, size, s->readonly, ret);
        if (ret < 0) {
            warn_report("kvm: cannot map %s at 0x%" PRIx64 " (+0x%" PRIx64
                        ") into the guest: %s; its accesses will trap",
                        memory_region_name(s->mr), start, size,
                        strerror(-ret));
            slot->used = false;
        }
        return;
    }
    warn_report("kvm: all %u memory slots are in use; %s at 0x%" PRIx64
                " will trap", kvm->nr_slots, memory_region_name(s->mr), start);
}

static void kvm_region_del(MemoryListener *l, MemoryRegionSection *s)
{
    KVMState *kvm = kvm_state;
    uint64_t start, size;
    uint8_t *host;

    if (!section_pages(s, &start, &size, &host)) {
        return;
    }
    for (unsigned i = 0; i < kvm->nr_slots; i++) {
        KVMSlot *slot = &kvm->slots[i];

        if (slot->used && slot->start == start && slot->size == size &&
            slot->host == host) {
            slot->used = false;
            trace_kvm_slot_del(i, start, size, slot_set(i, slot));
            return;
        }
    }
}

void kvm_memory_init(void)
{
    kvm_readonly_mem = kvm_check_extension(KVM_CAP_READONLY_MEM) > 0;
    kvm_listener = (MemoryListener) {
        .region_add = kvm_region_add,
        .region_del = kvm_region_del,
        .name = "kvm",
    };
    memory_listener_register(&kvm_listener, &address_space_memory);
}

void kvm_memory_cleanup(void)
{
    if (kvm_listener.as) {
        memory_listener_unregister(&kvm_listener);
    }
}
