/*
 * Unit tests for the x86 MSI window: decoding and delivery through the
 * system address space.
 */
#include "qemu/osdep.h"
#include "qemu/trace.h"
#include "system/memory.h"
#include "hw/intc/x86-msi.h"

/* x86-msi.c keeps this many messages; older ones are dropped. */
#define RECORD_MAX 4096

static void test_decode_fixed_physical_edge(void)
{
    /* dest 0x12, physical, no RH; vector 0x41, fixed, edge */
    X86MSIMessage m = x86_msi_decode(0xfee12000, 0x0041);

    g_assert_true(m.valid);
    g_assert_cmphex(m.address, ==, 0xfee12000);
    g_assert_cmphex(m.data, ==, 0x41);
    g_assert_cmpuint(m.dest_id, ==, 0x12);
    g_assert_false(m.redirection_hint);
    g_assert_false(m.dest_logical);
    g_assert_cmpuint(m.vector, ==, 0x41);
    g_assert_cmpuint(m.delivery_mode, ==, X86_MSI_DM_FIXED);
    g_assert_false(m.level_assert);
    g_assert_false(m.trigger_level);
}

static void test_decode_lowpri_logical_level(void)
{
    /* dest 0xff, RH + logical; vector 0xec, lowpri, level asserted */
    X86MSIMessage m = x86_msi_decode(0xfeeff00c, 0xc1ec);

    g_assert_true(m.valid);
    g_assert_cmpuint(m.dest_id, ==, 0xff);
    g_assert_true(m.redirection_hint);
    g_assert_true(m.dest_logical);
    g_assert_cmpuint(m.vector, ==, 0xec);
    g_assert_cmpuint(m.delivery_mode, ==, X86_MSI_DM_LOWPRI);
    g_assert_true(m.level_assert);
    g_assert_true(m.trigger_level);
}

static void test_decode_modes(void)
{
    static const struct {
        uint32_t data;
        uint8_t mode;
        const char *name;
    } cases[] = {
        { 0x000, X86_MSI_DM_FIXED, "fixed" },
        { 0x100, X86_MSI_DM_LOWPRI, "lowpri" },
        { 0x200, X86_MSI_DM_SMI, "smi" },
        { 0x300, 3, "reserved" },
        { 0x400, X86_MSI_DM_NMI, "nmi" },
        { 0x500, X86_MSI_DM_INIT, "init" },
        { 0x600, 6, "reserved" },
        { 0x700, X86_MSI_DM_EXTINT, "extint" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        X86MSIMessage m = x86_msi_decode(X86_MSI_BASE, cases[i].data | 2);

        g_assert_cmpuint(m.delivery_mode, ==, cases[i].mode);
        g_assert_cmpuint(m.vector, ==, 2);
        g_assert_cmpstr(x86_msi_delivery_mode_name(m.delivery_mode), ==,
                        cases[i].name);
    }
    g_assert_cmpstr(x86_msi_delivery_mode_name(8), ==, "reserved");
    g_assert_cmpstr(x86_msi_delivery_mode_name(0xff), ==, "reserved");
}

static void test_decode_nmi(void)
{
    X86MSIMessage m = x86_msi_decode(0xfee01000, 0x0400);

    g_assert_true(m.valid);
    g_assert_cmpuint(m.dest_id, ==, 1);
    g_assert_cmpuint(m.delivery_mode, ==, X86_MSI_DM_NMI);
    g_assert_cmpuint(m.vector, ==, 0);
}

static void test_decode_invalid(void)
{
    X86MSIMessage m;

    /* data bits 31:16 must be clear */
    m = x86_msi_decode(0xfee00000, 0x10041);
    g_assert_false(m.valid);
    g_assert_cmpuint(m.vector, ==, 0x41);       /* still decoded */
    g_assert_false(x86_msi_decode(0xfee00000, 0x80000000).valid);
    /* outside the window, just below, just above, and in the high half */
    g_assert_false(x86_msi_decode(0xfed00000, 0x41).valid);
    g_assert_false(x86_msi_decode(0xfedfffff, 0x41).valid);
    g_assert_false(x86_msi_decode(0xfef00000, 0x41).valid);
    g_assert_false(x86_msi_decode(0x1fee00000ULL, 0x41).valid);
    g_assert_false(x86_msi_decode(0, 0).valid);
    /* the window's edges are in */
    g_assert_true(x86_msi_decode(0xfee00000, 0).valid);
    g_assert_true(x86_msi_decode(0xfeeffffc, 0).valid);
}

/* Trace observer: collects x86_msi_deliver lines */
static void observe(const char *name, const char *args, void *opaque)
{
    GPtrArray *seen = opaque;

    if (!strcmp(name, "x86_msi_deliver")) {
        g_ptr_array_add(seen, g_strdup(args));
    }
}

static void setup_window(void)
{
    memory_system_init();
    x86_msi_window_init(get_system_memory(), NULL);
    x86_msi_deliveries_clear();
}

static void test_window_delivery(void)
{
    const GArray *rec;
    const X86MSIMessage *m;
    GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);
    uint64_t v = 0x1234;

    setup_window();
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 0);
    g_assert_true(trace_enable_pattern("x86_msi_deliver", true));
    trace_set_observer(observe, seen);

    address_space_stl_le(&address_space_memory, 0xfee03008, 0x4161, NULL);
    g_assert_cmpint(address_space_write_sized(&address_space_memory,
                                              0xfee00000, 4, 0x8422),
                    ==, MEMTX_OK);

    trace_set_observer(NULL, NULL);
    trace_enable_pattern("x86_msi_deliver", false);

    rec = x86_msi_deliveries();
    g_assert_cmpuint(rec->len, ==, 2);
    m = &g_array_index(rec, X86MSIMessage, 0);
    g_assert_cmphex(m->address, ==, 0xfee03008);
    g_assert_cmphex(m->data, ==, 0x4161);
    g_assert_cmpuint(m->dest_id, ==, 3);
    g_assert_true(m->redirection_hint);
    g_assert_false(m->dest_logical);
    g_assert_cmpuint(m->vector, ==, 0x61);
    g_assert_cmpuint(m->delivery_mode, ==, X86_MSI_DM_LOWPRI);
    g_assert_true(m->level_assert);
    g_assert_false(m->trigger_level);
    g_assert_true(m->valid);
    m = &g_array_index(rec, X86MSIMessage, 1);
    g_assert_cmphex(m->address, ==, 0xfee00000);
    g_assert_cmpuint(m->delivery_mode, ==, X86_MSI_DM_NMI);
    g_assert_true(m->trigger_level);

    g_assert_cmpuint(seen->len, ==, 2);
    g_assert_nonnull(strstr(g_ptr_array_index(seen, 0), "0xfee03008"));
    g_assert_nonnull(strstr(g_ptr_array_index(seen, 0), "lowpri"));
    g_assert_nonnull(strstr(g_ptr_array_index(seen, 0), "edge"));
    g_assert_nonnull(strstr(g_ptr_array_index(seen, 1), "nmi"));
    g_assert_nonnull(strstr(g_ptr_array_index(seen, 1), "level"));

    /* reads of the window give 0 and record nothing */
    g_assert_cmpint(address_space_read_sized(&address_space_memory,
                                             0xfee00000, 4, &v), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0xfeefff00,
                                         NULL), ==, 0);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 2);

    /* other sizes are ignored */
    address_space_write_sized(&address_space_memory, 0xfee00000, 1, 0x41);
    address_space_write_sized(&address_space_memory, 0xfee00000, 2, 0x41);
    address_space_write_sized(&address_space_memory, 0xfee00000, 8, 0x41);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 2);

    /* just outside the window: nothing there */
    g_assert_cmpint(address_space_write_sized(&address_space_memory,
                                              0xfef00000, 4, 0x41), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 2);

    x86_msi_deliveries_clear();
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 0);
    g_ptr_array_free(seen, true);
}

static void test_window_priority(void)
{
    MemoryRegion ram;

    /* RAM (or a BAR) placed over the window does not hide it */
    setup_window();
    g_assert_true(memory_region_init_ram(&ram, NULL, "big", 0x100000,
                                         &error_abort));
    memory_region_add_subregion_overlap(get_system_memory(), 0xfee80000,
                                        &ram, 10);
    address_space_stl_le(&address_space_memory, 0xfee80000, 0x31, NULL);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 1);
    g_assert_cmphex(((uint8_t *)memory_region_get_ram_ptr(&ram))[0], ==, 0);
    /* above the window, the RAM shows */
    address_space_stl_le(&address_space_memory, 0xfef00000, 0x31, NULL);
    g_assert_cmphex(((uint8_t *)memory_region_get_ram_ptr(&ram))[0x80000],
                    ==, 0x31);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 1);
    memory_region_finalize(&ram);
    x86_msi_deliveries_clear();
}

static void test_window_reinit(void)
{
    MemoryRegion root;
    AddressSpace as;

    /* a second machine takes the window over: the first loses it */
    setup_window();
    memory_region_init(&root, NULL, "other", UINT64_MAX);
    address_space_init(&as, &root, "other");
    x86_msi_window_init(&root, NULL);
    address_space_stl_le(&as, 0xfee00000, 0x22, NULL);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 1);
    g_assert_cmpint(address_space_write_sized(&address_space_memory,
                                              0xfee00000, 4, 0x22), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 1);
    address_space_destroy(&as);
    memory_region_finalize(&root);      /* detaches the window */
    setup_window();
    address_space_stl_le(&address_space_memory, 0xfee00000, 0x22, NULL);
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 1);
    x86_msi_deliveries_clear();
}

static void test_record_cap(void)
{
    const GArray *rec;
    const unsigned total = 3 * RECORD_MAX + 17;

    setup_window();
    for (unsigned i = 0; i < total; i++) {
        address_space_stl_le(&address_space_memory, 0xfee00000,
                             i & 0xffff, NULL);
    }
    rec = x86_msi_deliveries();
    g_assert_cmpuint(rec->len, ==, RECORD_MAX);
    /* oldest first, and the newest is kept */
    g_assert_cmphex(g_array_index(rec, X86MSIMessage, 0).data, ==,
                    (total - RECORD_MAX) & 0xffff);
    g_assert_cmphex(g_array_index(rec, X86MSIMessage, RECORD_MAX - 1).data,
                    ==, (total - 1) & 0xffff);
    for (unsigned i = 1; i < rec->len; i++) {
        g_assert_cmphex(g_array_index(rec, X86MSIMessage, i).data, ==,
                        (g_array_index(rec, X86MSIMessage, i - 1).data + 1)
                        & 0xffff);
    }
    x86_msi_deliveries_clear();
    g_assert_cmpuint(x86_msi_deliveries()->len, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86-msi/decode/fixed-physical-edge",
                    test_decode_fixed_physical_edge);
    g_test_add_func("/x86-msi/decode/lowpri-logical-level",
                    test_decode_lowpri_logical_level);
    g_test_add_func("/x86-msi/decode/modes", test_decode_modes);
    g_test_add_func("/x86-msi/decode/nmi", test_decode_nmi);
    g_test_add_func("/x86-msi/decode/invalid", test_decode_invalid);
    g_test_add_func("/x86-msi/window/delivery", test_window_delivery);
    g_test_add_func("/x86-msi/window/priority", test_window_priority);
    g_test_add_func("/x86-msi/window/reinit", test_window_reinit);
    g_test_add_func("/x86-msi/window/record-cap", test_record_cap);
    return g_test_run();
}
