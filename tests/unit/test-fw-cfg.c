/*
 * Unit tests for fw_cfg over port I/O, driven the way firmware does:
 * 16-bit selector writes at 0x510, byte reads at 0x511.
 */
#include "qemu/osdep.h"
#include "system/memory.h"
#include "hw/nvram/fw_cfg.h"

#define CTL_PORT FW_CFG_IO_BASE
#define DATA_PORT (FW_CFG_IO_BASE + 1)

static FWCfgState *fw_cfg_setup(void)
{
    memory_system_init();
    return fw_cfg_init_io(get_system_io(), FW_CFG_IO_BASE, NULL);
}

static void fw_cfg_select_key(uint16_t key)
{
    g_assert_cmpint(address_space_write_sized(&address_space_io, CTL_PORT, 2,
                                              key), ==, MEMTX_OK);
}

static uint8_t fw_cfg_read_data(void)
{
    uint64_t v = 0xdead;

    g_assert_cmpint(address_space_read_sized(&address_space_io, DATA_PORT, 1,
                                             &v), ==, MEMTX_OK);
    g_assert_cmphex(v, <=, 0xff);
    return v;
}

static void fw_cfg_read_item(uint16_t key, uint8_t *buf, size_t len)
{
    fw_cfg_select_key(key);
    for (size_t i = 0; i < len; i++) {
        buf[i] = fw_cfg_read_data();
    }
}

static void test_signature(void)
{
    FWCfgState *s = fw_cfg_setup();
    uint8_t buf[6];

    fw_cfg_read_item(FW_CFG_SIGNATURE, buf, sizeof(buf));
    g_assert_cmpmem(buf, 4, "QEMU", 4);
    /* past the end: zeros */
    g_assert_cmphex(buf[4], ==, 0);
    g_assert_cmphex(buf[5], ==, 0);
    fw_cfg_free(s);
}

static void test_id(void)
{
    FWCfgState *s = fw_cfg_setup();
    uint8_t buf[4];

    fw_cfg_read_item(FW_CFG_ID, buf, sizeof(buf));
    g_assert_cmphex(ldl_le_p(buf), ==, 1);      /* traditional interface */
    fw_cfg_free(s);
}

static void test_ram_size(void)
{
    FWCfgState *s = fw_cfg_setup();
    uint8_t buf[8];
    const uint64_t ram = 0x123456789aULL;

    fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, ram);
    fw_cfg_read_item(FW_CFG_RAM_SIZE, buf, sizeof(buf));
    g_assert_cmphex(buf[0], ==, 0x9a);          /* little-endian */
    g_assert_cmphex(ldq_le_p(buf), ==, ram);
    g_assert_cmphex(fw_cfg_read_data(), ==, 0);

    /* reselecting rewinds */
    fw_cfg_read_item(FW_CFG_RAM_SIZE, buf, 2);
    g_assert_cmphex(lduw_le_p(buf), ==, 0x789a);
    fw_cfg_read_item(FW_CFG_RAM_SIZE, buf, 1);
    g_assert_cmphex(buf[0], ==, 0x9a);

    /* replacing an item */
    fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, 1ULL << 30);
    fw_cfg_read_item(FW_CFG_RAM_SIZE, buf, sizeof(buf));
    g_assert_cmphex(ldq_le_p(buf), ==, 1ULL << 30);
    fw_cfg_free(s);
}

static void test_small_items(void)
{
    FWCfgState *s = fw_cfg_setup();
    uint8_t buf[5];
    static const uint8_t blob[] = { 0xde, 0xad, 0xbe };

    fw_cfg_add_i16(s, FW_CFG_NB_CPUS, 0x0102);
    fw_cfg_add_i32(s, FW_CFG_MAX_CPUS, 0x0a0b0c0d);
    fw_cfg_add_bytes(s, 0x20, blob, sizeof(blob));

    fw_cfg_read_item(FW_CFG_NB_CPUS, buf, 3);
    g_assert_cmphex(buf[0], ==, 0x02);
    g_assert_cmphex(buf[1], ==, 0x01);
    g_assert_cmphex(buf[2], ==, 0);
    fw_cfg_read_item(FW_CFG_MAX_CPUS, buf, 5);
    g_assert_cmphex(ldl_le_p(buf), ==, 0x0a0b0c0d);
    g_assert_cmphex(buf[4], ==, 0);
    fw_cfg_read_item(0x20, buf, 4);
    g_assert_cmpmem(buf, 3, blob, 3);
    g_assert_cmphex(buf[3], ==, 0);
    /* the write-channel bit does not change which item is read */
    fw_cfg_read_item(0x4000 | 0x20, buf, 1);
    g_assert_cmphex(buf[0], ==, 0xde);
    fw_cfg_free(s);
}

static void test_unknown_key(void)
{
    FWCfgState *s = fw_cfg_setup();
    uint8_t buf[4] = { 1, 1, 1, 1 };

    fw_cfg_read_item(0x1234, buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0);
    }
    fw_cfg_free(s);
}

static void test_bad_accesses(void)
{
    FWCfgState *s = fw_cfg_setup();
    uint64_t v;

    fw_cfg_select_key(FW_CFG_SIGNATURE);
    /* a byte write is the legacy data write: ignored, selection kept */
    g_assert_cmpint(address_space_write_sized(&address_space_io, CTL_PORT, 1,
                                              FW_CFG_ID), ==, MEMTX_OK);
    g_assert_cmpint(address_space_write_sized(&address_space_io, DATA_PORT,
                                              1, 0x55), ==, MEMTX_OK);
    g_assert_cmphex(fw_cfg_read_data(), ==, 'Q');
    /*
     * A 16-bit write to the data port runs past the device: a byte to the
     * data port (ignored), a byte to nothing. It selects nothing.
     */
    g_assert_cmpint(address_space_write_sized(&address_space_io, DATA_PORT,
                                              2, FW_CFG_ID), ==,
                    MEMTX_DECODE_ERROR);
    /* the selector is write-only; reading it does not consume data */
    g_assert_cmpint(address_space_read_sized(&address_space_io, CTL_PORT, 2,
                                             &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xffff);
    g_assert_cmphex(fw_cfg_read_data(), ==, 'E');
    /* a byte read of the selector port reads data, as in QEMU */
    g_assert_cmpint(address_space_read_sized(&address_space_io, CTL_PORT, 1,
                                             &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 'M');
    /*
     * 32 bits at 0x510 run past the 2-byte device: the low half reaches
     * the selector (as an outl does in QEMU), the high half nothing.
     */
    g_assert_cmpint(address_space_write_sized(&address_space_io, CTL_PORT, 4,
                                              FW_CFG_ID), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(fw_cfg_read_data(), ==, 1);
    g_assert_cmpint(address_space_read_sized(&address_space_io, CTL_PORT, 4,
                                             &v), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0xffffffff);
    fw_cfg_free(s);

    /* once freed, the ports are gone */
    g_assert_cmpint(address_space_read_sized(&address_space_io, DATA_PORT, 1,
                                             &v), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0xff);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw_cfg/signature", test_signature);
    g_test_add_func("/fw_cfg/id", test_id);
    g_test_add_func("/fw_cfg/ram-size", test_ram_size);
    g_test_add_func("/fw_cfg/small-items", test_small_items);
    g_test_add_func("/fw_cfg/unknown-key", test_unknown_key);
    g_test_add_func("/fw_cfg/bad-accesses", test_bad_accesses);
    return g_test_run();
}
