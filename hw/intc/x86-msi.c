/*
 * The x86 MSI window: a 32-bit write to 0xFEExxxxx is an interrupt
 * message for the local APICs. Under KVM the in-kernel LAPICs take it;
 * without CPUs to deliver to, we decode the message, trace it and keep a
 * bounded record that tests can inspect.
 */
#include "qemu/osdep.h"
#include "hw/intc/x86-msi.h"
#include "system/kvm.h"
#include "trace.h"

/* Oldest messages are dropped past this, so a storm cannot grow memory. */
#define X86_MSI_RECORD_MAX 4096

#define MSI_ADDR_DEST_ID_SHIFT  12
#define MSI_ADDR_REDIR_HINT     (1u << 3)
#define MSI_ADDR_DEST_LOGICAL   (1u << 2)
#define MSI_DATA_VECTOR_MASK    0xffu
#define MSI_DATA_DM_SHIFT       8
#define MSI_DATA_LEVEL_ASSERT   (1u << 14)
#define MSI_DATA_TRIGGER_LEVEL  (1u << 15)

static MemoryRegion msi_window;
/* Up to twice the cap, trimmed lazily so that dropping stays cheap. */
static GArray *msi_record;

X86MSIMessage x86_msi_decode(uint64_t address, uint32_t data)
{
    X86MSIMessage msg = {
        .address = address,
        .data = data,
        .dest_id = (address >> MSI_ADDR_DEST_ID_SHIFT) & 0xff,
        .redirection_hint = address & MSI_ADDR_REDIR_HINT,
        .dest_logical = address & MSI_ADDR_DEST_LOGICAL,
        .vector = data & MSI_DATA_VECTOR_MASK,
        .delivery_mode = (data >> MSI_DATA_DM_SHIFT) & 0x7,
        .level_assert = data & MSI_DATA_LEVEL_ASSERT,
        .trigger_level = data & MSI_DATA_TRIGGER_LEVEL,
    };

    msg.valid = address >= X86_MSI_BASE &&
                address < X86_MSI_BASE + X86_MSI_SIZE &&
                !(data >> 16);
    return msg;
}

const char *x86_msi_delivery_mode_name(uint8_t mode)
{
    switch (mode) {
    case X86_MSI_DM_FIXED:
        return "fixed";
    case X86_MSI_DM_LOWPRI:
        return "lowpri";
    case X86_MSI_DM_SMI:
        return "smi";
    case X86_MSI_DM_NMI:
        return "nmi";
    case X86_MSI_DM_INIT:
        return "init";
    case X86_MSI_DM_EXTINT:
        return "extint";
    default:
        return "reserved";
    }
}

static GArray *record_get(void)
{
    if (!msi_record) {
        msi_record = g_array_new(false, false, sizeof(X86MSIMessage));
    }
    return msi_record;
}

static void record_trim(guint keep)
{
    GArray *rec = record_get();

    if (rec->len > keep) {
        g_array_remove_range(rec, 0, rec->len - keep);
    }
}

static void record_message(const X86MSIMessage *msg)
{
    GArray *rec = record_get();

    g_array_append_val(rec, *msg);
    if (rec->len >= 2 * X86_MSI_RECORD_MAX) {
        record_trim(X86_MSI_RECORD_MAX);
    }
}

static uint64_t x86_msi_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void x86_msi_write(void *opaque, hwaddr addr, uint64_t value,
                          unsigned size)
{
    X86MSIMessage msg;

    if (size != 4) {
        trace_x86_msi_bad_access(X86_MSI_BASE + addr, value, size);
        return;
    }
    msg = x86_msi_decode(X86_MSI_BASE + addr, value);
    trace_x86_msi_deliver(msg.address, msg.data, msg.dest_id, msg.vector,
                          x86_msi_delivery_mode_name(msg.delivery_mode),
                          msg.trigger_level ? "level" : "edge");
    if (kvm_irqchip_in_kernel()) {
        kvm_send_msi(msg.address, msg.data);
        return;
    }
    record_message(&msg);
}

/*
 * Any size reaches the callbacks (valid 1..8) so that a wrong-sized
 * write is traced here rather than refused silently; only 32-bit writes
 * are messages.
 */
static const MemoryRegionOps x86_msi_ops = {
    .read = x86_msi_read,
    .write = x86_msi_write,
    .valid.min_access_size = 1,
    .valid.max_access_size = 8,
    .impl.min_access_size = 1,
    .impl.max_access_size = 8,
};

void x86_msi_window_init(MemoryRegion *sysmem, Object *owner)
{
    /* A new machine (or test) takes the window over from the last one */
    memory_region_finalize(&msi_window);
    memory_region_init_io(&msi_window, owner, &x86_msi_ops, NULL,
                          "msi-window", X86_MSI_SIZE);
    memory_region_add_subregion_overlap(sysmem, X86_MSI_BASE, &msi_window,
                                        1000);
}

const GArray *x86_msi_deliveries(void)
{
    record_trim(X86_MSI_RECORD_MAX);
    return record_get();
}

void x86_msi_deliveries_clear(void)
{
    g_array_set_size(record_get(), 0);
}
