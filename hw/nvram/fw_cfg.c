/*
 * fw_cfg over port I/O, as QEMU's "comb" interface: one 2-byte region at
 * the base. A 16-bit write selects an item and rewinds it; 8-bit reads
 * stream the item's bytes and give 0 past its end or for a missing key.
 * 8-bit writes were the legacy data-write channel: ignored, as in QEMU.
 */
#include "qemu/osdep.h"
#include "hw/nvram/fw_cfg.h"
#include "trace.h"

#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ID_TRADITIONAL 0x1   /* bit 0: the I/O port interface */

struct FWCfgState {
    MemoryRegion iomem;
    GHashTable *items;          /* key -> GBytes */
    uint16_t cur_key;
    uint32_t cur_offset;
};

/* 0 for an unknown key or past the end of the item. */
static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    GBytes *item = g_hash_table_lookup(s->items,
                                       GUINT_TO_POINTER(s->cur_key));
    const uint8_t *data;
    gsize len = 0;
    uint8_t value = 0;

    if (item) {
        data = g_bytes_get_data(item, &len);
        if (s->cur_offset < len) {
            value = data[s->cur_offset++];
        }
    }
    trace_fw_cfg_read(s->cur_key, s->cur_offset, value);
    return value;
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    /* The write-channel bit is not part of the item's name */
    s->cur_key = key & ~FW_CFG_WRITE_CHANNEL;
    s->cur_offset = 0;
    trace_fw_cfg_select(s->cur_key,
                        g_hash_table_contains(s->items,
                                              GUINT_TO_POINTER(s->cur_key)));
}

static uint64_t fw_cfg_io_read(void *opaque, hwaddr addr, unsigned size)
{
    if (size != 1) {
        /* the selector is write-only */
        trace_fw_cfg_bad_access(addr, size, false);
        return UINT64_MAX;
    }
    return fw_cfg_read_byte(opaque);
}

static void fw_cfg_io_write(void *opaque, hwaddr addr, uint64_t value,
                            unsigned size)
{
    if (size == 2) {
        fw_cfg_select(opaque, value);
    } else {
        trace_fw_cfg_bad_access(addr, size, true);
    }
}

static const MemoryRegionOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
    .valid.min_access_size = 1,
    .valid.max_access_size = 2,
    .impl.min_access_size = 1,
    .impl.max_access_size = 2,
};

FWCfgState *fw_cfg_init_io(MemoryRegion *io, hwaddr base, Object *owner)
{
    FWCfgState *s = g_new0(FWCfgState, 1);

    s->items = g_hash_table_new_full(NULL, NULL, NULL,
                                     (GDestroyNotify)g_bytes_unref);
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_ID_TRADITIONAL);

    memory_region_init_io(&s->iomem, owner, &fw_cfg_io_ops, s, "fwcfg", 2);
    memory_region_add_subregion(io, base, &s->iomem);
    return s;
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data,
                      size_t len)
{
    trace_fw_cfg_add(key, len);
    g_hash_table_replace(s->items, GUINT_TO_POINTER(key),
                         g_bytes_new(data, len));
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint8_t buf[2];

    stw_le_p(buf, value);
    fw_cfg_add_bytes(s, key, buf, sizeof(buf));
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint8_t buf[4];

    stl_le_p(buf, value);
    fw_cfg_add_bytes(s, key, buf, sizeof(buf));
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint8_t buf[8];

    stq_le_p(buf, value);
    fw_cfg_add_bytes(s, key, buf, sizeof(buf));
}

void fw_cfg_free(FWCfgState *s)
{
    if (!s) {
        return;
    }
    memory_region_finalize(&s->iomem);
    g_hash_table_destroy(s->items);
    g_free(s);
}
