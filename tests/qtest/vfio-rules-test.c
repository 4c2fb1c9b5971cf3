/*
 * The safety rules of device assignment, each as a test that fails when
 * the rule is broken (docs/security.md names them). A guest does what it
 * can to break each rule; the device is the fake (tests/vfio), whose
 * counters, trace events and own config space (x-fake-vfio-query) show
 * what reached it.
 *
 *  1. The guest never reaches the device's MSI-X table or PBA unless the
 *     region is MSIX_MAPPABLE: no access, no mapping of their pages.
 *  2. The ROM is never mmap'd, and its decoder is never left on.
 *  3. No guest RAM is mapped over a reserved IOVA range.
 *  4. No DMA extent breaks the IOMMU's page-size bitmap.
 *  5. The guest's writes to virtualised config bits never reach the
 *     device.
 *  6. Capability loops and overlaps are refused: the chains the guest
 *     sees end, and no capability is seen twice.
 */
#include "vfio-test-util.h"

#define DEV_ID "dev0"

/* An mmap'd area or a DMA mapping. */
typedef struct Span {
    uint64_t start;
    uint64_t size;
} Span;

/* Start qvfio with the fake (@profile, @ini) at 00:03.0 and a monitor. */
static void rules_start(VfioTest *t, const char *profile, const char *ini,
                        const char *args)
{
    g_autofree char *host = NULL;

    vt_init(t);
    host = vt_host(t, profile, ini);
    t->qts = qtest_init_with_qmpf("-m 256 %s -D %s -trace 'fake_vfio_*' "
                                  "-device vfio-pci,host=%s,id=" DEV_ID
                                  ",addr=%d.0", args ? args : "", t->log,
                                  host, VT_SLOT);
    t->bus = qpci_new_pc(t->qts);
    t->dev = qpci_device_find(t->bus, QPCI_DEVFN(VT_SLOT, 0));
    g_assert(t->dev);
}

/* What the fake says about itself (the device last opened if @id is NULL). */
static JsonObject *fake_state(VfioTest *t, const char *id)
{
    JsonObject *r = id ? qtest_qmp(t->qts, "{\"execute\":\"x-fake-vfio-query\","
                                   "\"arguments\":{\"id\":\"%s\"}}", id)
                       : qtest_qmp(t->qts, "{\"execute\":"
                                   "\"x-fake-vfio-query\"}");
    JsonObject *state = json_node_dup_object(qmp_return(r));

    json_object_unref(r);
    return state;
}

static int64_t fake_counter(VfioTest *t, const char *name)
{
    g_autoptr(JsonObject) s = fake_state(t, DEV_ID);

    return json_object_get_int_member(
               json_object_get_object_member(s, "counters"), name);
}

/* The device's own config space. */
static void fake_config(VfioTest *t, uint8_t *cfg)
{
    g_autoptr(JsonObject) s = fake_state(t, DEV_ID);
    const char *hex = json_object_get_string_member(s, "config");

    for (unsigned i = 0; i < PCI_CFG_SPACE_EXP_SIZE; i++) {
        cfg[i] = g_ascii_xdigit_value(hex[2 * i]) << 4 |
                 g_ascii_xdigit_value(hex[2 * i + 1]);
    }
}

/* Each region @index mmap the fake saw: offset and size. */
static GArray *mmaps_of(VfioTest *t, unsigned index)
{
    g_autofree char *filter = g_strdup_printf("region %u ", index);
    g_autoptr(GPtrArray) lines = vt_log_lines(t, "fake_vfio_region_mmap",
                                              filter);
    GArray *out = g_array_new(false, false, sizeof(Span));

    for (guint i = 0; i < lines->len; i++) {
        const char *l = g_ptr_array_index(lines, i);
        Span area;

        g_assert(sscanf(strstr(l, "offset"), "offset 0x%" SCNx64
                        " size 0x%" SCNx64, &area.start, &area.size) == 2);
        g_array_append_val(out, area);
    }
    return out;
}

/* 1. MSI-X table and PBA */

static const unsigned widths[] = { 1, 2, 4, 8 };

static void guest_rw(QPCIDevice *dev, QPCIBar bar, uint64_t off,
                     unsigned width, bool write)
{
    switch (width) {
    case 1:
        write ? qpci_io_writeb(dev, bar, off, 0xa5)
              : (void)qpci_io_readb(dev, bar, off);
        break;
    case 2:
        write ? qpci_io_writew(dev, bar, off, 0xa5a5)
              : (void)qpci_io_readw(dev, bar, off);
        break;
    case 4:
        write ? qpci_io_writel(dev, bar, off, 0xfee0a5a5)
              : (void)qpci_io_readl(dev, bar, off);
        break;
    default:
        write ? qpci_io_writeq(dev, bar, off, 0x00000000fee0a5a5ULL)
              : (void)qpci_io_readq(dev, bar, off);
    }
}

/*
 * The msix profile: 5 vectors, table at BAR3 +0 and PBA at +0x2000. Even
 * a host that offers the whole BAR for mmap (sparse=0:0x4000) does not
 * get the table's or the PBA's page mapped.
 */
static void test_msix_table_unreachable(void)
{
    VfioTest t;
    QPCIBar bar3;
    g_autoptr(GArray) maps = NULL;

    rules_start(&t, "msix", "[bar3]\nsparse=0x0:0x4000\n", NULL);
    bar3 = qpci_iomap(t.dev, 3, NULL);
    qpci_device_enable(t.dev);
    for (int round = 0; round < 2; round++) {
        /* (enabling MSI-X placed the BAR again) */
        bar3 = round ? t.dev->msix_table_bar : bar3;
        for (size_t w = 0; w < G_N_ELEMENTS(widths); w++) {
            for (uint64_t off = 0; off < 5 * PCI_MSIX_ENTRY_SIZE;
                 off += widths[w]) {
                guest_rw(t.dev, bar3, off, widths[w], true);
                guest_rw(t.dev, bar3, off, widths[w], false);
            }
            for (uint64_t off = 0x2000; off < 0x2008; off += widths[w]) {
                guest_rw(t.dev, bar3, off, widths[w], true);
                guest_rw(t.dev, bar3, off, widths[w], false);
            }
        }
        qpci_msix_enable(t.dev);     /* and again with MSI-X on */
    }
    qtest_qmp_assert_success(t.qts, "{\"execute\":\"system_reset\"}");
    g_assert_cmpint(fake_counter(&t, "msix-table-accesses"), ==, 0);
    maps = mmaps_of(&t, 3);
    g_assert_cmpuint(maps->len, >, 0);
    for (guint i = 0; i < maps->len; i++) {
        Span *a = &g_array_index(maps, Span, i);

        g_assert_false(ranges_overlap(a->start, a->size, 0, 0x1000));
        g_assert_false(ranges_overlap(a->start, a->size, 0x2000, 0x1000));
    }
    vt_stop(&t);

    /* The exception: MSIX_MAPPABLE lets the table's page be mapped. */
    rules_start(&t, "msix", "[msix]\nmappable=true\n", NULL);
    g_array_unref(maps);
    maps = mmaps_of(&t, 3);
    g_assert_cmpuint(maps->len, ==, 1);
    g_assert_cmphex(g_array_index(maps, Span, 0).start, ==, 0);
    vt_stop(&t);
}

/* 2. The ROM */

static void test_rom_not_mmapped_decoder_off(void)
{
    VfioTest t;
    uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
    g_autoptr(JsonObject) s = NULL;
    static const uint32_t rombars[] = {
        0xe8000000 | PCI_ROM_ADDRESS_ENABLE, 0xffffffff, PCI_ROM_ADDRESS_ENABLE,
    };

    /* the device comes with its ROM decoder on (its last owner left it) */
    rules_start(&t, "msix", "[config]\n0x30 = 01\n", NULL);
    fake_config(&t, cfg);
    g_assert_cmphex(cfg[PCI_ROM_ADDRESS] & PCI_ROM_ADDRESS_ENABLE, ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(rombars); i++) {
        qpci_config_writel(t.dev, PCI_ROM_ADDRESS, rombars[i]);
        qpci_config_writeb(t.dev, PCI_ROM_ADDRESS, rombars[i]);
        qpci_config_writew(t.dev, PCI_ROM_ADDRESS, rombars[i]);
    }
    qpci_config_writel(t.dev, PCI_ROM_ADDRESS,
                       0xe8000000 | PCI_ROM_ADDRESS_ENABLE);
    qpci_config_writew(t.dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qtest_readw(t.qts, 0xe8000000), ==, 0xaa55);
    for (uint64_t off = 0; off < 0x10000; off += 0x1000) {
        qtest_readq(t.qts, 0xe8000000 + off);
        qtest_writeq(t.qts, 0xe8000000 + off, 0);
    }
    qpci_config_writew(t.dev, PCI_COMMAND, 0);
    qtest_qmp_assert_success(t.qts, "{\"execute\":\"system_reset\"}");
    s = fake_state(&t, DEV_ID);
    g_assert_false(json_object_get_boolean_member(s, "rom-enable-set"));
    g_assert_cmpint(json_object_get_int_member(
                        json_object_get_object_member(s, "counters"),
                        "rom-mmaps"), ==, 0);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", "region 6 "),
                     ==, 0);
    fake_config(&t, cfg);
    g_assert_cmphex(cfg[PCI_ROM_ADDRESS] & PCI_ROM_ADDRESS_ENABLE, ==, 0);
    vt_stop(&t);
}

/* 3. Reserved IOVA ranges */

/* The IOVAs of every DMA map the fake saw. */
static GArray *dma_maps(VfioTest *t)
{
    g_autoptr(GPtrArray) lines = vt_log_lines(t, "fake_vfio_dma_map", NULL);
    GArray *out = g_array_new(false, false, sizeof(Span));

    for (guint i = 0; i < lines->len; i++) {
        Span m;

        g_assert(sscanf(strstr(g_ptr_array_index(lines, i), "iova"),
                        "iova 0x%" SCNx64 " size 0x%" SCNx64, &m.start,
                        &m.size) == 2);
        g_array_append_val(out, m);
    }
    return out;
}

static void test_reserved_iova(void)
{
    /* ranges inside and at the edges of the guest's 256 MiB of RAM */
    static const char *const inside[] = {
        "0x8000000-0x80fffff", "0x0-0xfff", "0xffff000-0xfffffff",
        "0xfffffff-0x10000fff",
    };
    VfioTest t;
    g_autoptr(GArray) maps = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(inside); i++) {
        g_autofree char *ini = g_strdup_printf("[iommu]\nreserved=%s\n",
                                               inside[i]);
        g_autofree char *host = NULL;
        g_autofree char *args = NULL;
        g_autofree char *err = NULL;

        vt_init(&t);
        host = vt_host(&t, "basic", ini);
        args = g_strdup_printf("-display none -accel qtest -m 256 -D %s "
                               "-trace fake_vfio_dma_map "
                               "-device vfio-pci,host=%s", t.log, host);
        g_assert_cmpint(vt_run(args, &err), ==, 1);
        g_assert_nonnull(strstr(err, "that the IOMMU reserves"));
        maps = dma_maps(&t);
        g_assert_cmpuint(maps->len, ==, 0);
        g_clear_pointer(&maps, g_array_unref);
        vt_cleanup(&t);
    }

    /* Reserved ranges beside RAM: everything mapped avoids them. */
    rules_start(&t, "basic", "[iommu]\nreserved=0x10000000-0x1fffffff,"
                "0xfee00000-0xfeefffff\n", NULL);
    maps = dma_maps(&t);
    g_assert_cmpuint(maps->len, >, 0);
    for (guint i = 0; i < maps->len; i++) {
        Span *m = &g_array_index(maps, Span, i);

        g_assert_false(ranges_overlap(m->start, m->size, 0x10000000,
                                      0x10000000));
        g_assert_false(ranges_overlap(m->start, m->size, 0xfee00000,
                                      0x100000));
    }
    vt_stop(&t);
}

/* 4. The IOMMU's page sizes */

static void test_dma_page_sizes(void)
{
    /* the smallest page of each bitmap */
    static const struct { const char *pgsizes; uint64_t page; } cases[] = {
        { "0x40201000", 0x1000 }, { "0x10000", 0x10000 },
        { "0x200000", 0x200000 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *ini = g_strdup_printf("[iommu]\npgsizes=%s\n",
                                               cases[i].pgsizes);
        g_autofree char *host = NULL;
        g_autofree char *args = NULL;
        g_autofree char *err = NULL;
        g_autoptr(GArray) maps = NULL;
        VfioTest t;

        /* Mapped or refused (host memory may not be aligned enough): */
        vt_init(&t);
        host = vt_host(&t, "basic", ini);
        args = g_strdup_printf("-display none -accel qtest -m 255M -D %s "
                               "-trace fake_vfio_dma_map -S "
                               "-device vfio-pci,host=%s -qmp stdio",
                               t.log, host);
        qtest_run_binary(qtest_binary(), args, "{\"execute\":"
                         "\"qmp_capabilities\"}{\"execute\":\"quit\"}",
                         NULL, &err, NULL);
        /* either way, nothing mapped breaks the bitmap */
        maps = dma_maps(&t);
        for (guint j = 0; j < maps->len; j++) {
            Span *m = &g_array_index(maps, Span, j);

            g_assert_cmphex((m->start | m->size) & (cases[i].page - 1), ==,
                            0);
        }
        if (!maps->len) {
            g_assert_nonnull(strstr(err, "aligned"));
        }
        vt_cleanup(&t);
    }
}

/* 5. Virtual config bits */

/* The msix profile's virtual bytes: (offset, mask) */
static const struct { uint16_t off; uint8_t mask; } virtual_bits[] = {
    { PCI_VENDOR_ID, 0xff }, { PCI_VENDOR_ID + 1, 0xff },   /* override */
    { PCI_STATUS, PCI_STATUS_CAP_LIST }, { PCI_HEADER_TYPE, 0x80 },
    { PCI_CAPABILITY_LIST, 0xff }, { PCI_INTERRUPT_LINE, 0xff },
    { PCI_INTERRUPT_PIN, 0xff },
    { 0x41, 0xff }, { 0x51, 0xff }, { 0x71, 0xff }, { 0xb1, 0xff },
};

static bool is_virtual_range(unsigned off, uint8_t *mask)
{
    /* BARs, the ROM BAR, MSI (0x50, 14 bytes), MSI-X (0xb0, 12 bytes),
     * the extended header the guest sees at 0x100 */
    if ((off >= PCI_BASE_ADDRESS_0 && off < PCI_CARDBUS_CIS) ||
        (off >= PCI_ROM_ADDRESS && off < PCI_ROM_ADDRESS + 4) ||
        (off >= 0x50 && off < 0x5e) || (off >= 0xb0 && off < 0xbc) ||
        (off >= 0x100 && off < 0x104)) {
        *mask = 0xff;
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(virtual_bits); i++) {
        if (virtual_bits[i].off == off) {
            *mask = virtual_bits[i].mask;
            return true;
        }
    }
    return false;
}

static void test_virtual_config_bits(void)
{
    static const uint32_t values[] = { 0xffffffff, 0 };
    uint8_t before[PCI_CFG_SPACE_EXP_SIZE], after[PCI_CFG_SPACE_EXP_SIZE];
    VfioTest t;

    /* with an identity override, so that the vendor ID is virtual too */
    vt_init(&t);
    {
        g_autofree char *host = vt_host(&t, "msix", NULL);

        t.qts = qtest_init_with_qmpf("-m 256 -device vfio-pci,host=%s,id="
                                     DEV_ID ",addr=%d.0,x-pci-vendor-id="
                                     "0x1af4", host, VT_SLOT);
    }
    t.bus = qpci_new_ecam(t.qts, Q35_ECAM_BASE);
    t.dev = qpci_device_find(t.bus, QPCI_DEVFN(VT_SLOT, 0));
    fake_config(&t, before);
    for (size_t v = 0; v < G_N_ELEMENTS(values); v++) {
        for (unsigned off = 0; off < 0x160; off++) {
            qpci_config_writeb(t.dev, off, values[v]);
            if (!(off & 1)) {
                qpci_config_writew(t.dev, off, values[v]);
            }
            if (!(off & 3)) {
                qpci_config_writel(t.dev, off, values[v]);
            }
        }
    }
    fake_config(&t, after);
    for (unsigned off = 0; off < 0x160; off++) {
        uint8_t mask;

        if (is_virtual_range(off, &mask) &&
            ((before[off] ^ after[off]) & mask)) {
            g_error("virtual bits 0x%02x of config byte 0x%x reached the "
                    "device (0x%02x -> 0x%02x)", mask, off, before[off],
                    after[off]);
        }
    }
    vt_stop(&t);
}

/* 6. Capability loops and overlaps */

/* The chain the guest walks: positions, each seen once, at most 48. */
static unsigned guest_std_chain(QPCIDevice *dev, uint8_t *pos)
{
    bool seen[256] = { false };
    unsigned n = 0;
    uint8_t p = 0;

    if (qpci_config_readw(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST) {
        p = qpci_config_readb(dev, PCI_CAPABILITY_LIST);
    }
    for (; p; p = qpci_config_readb(dev, p + PCI_CAP_LIST_NEXT)) {
        g_assert_cmpuint(p, >=, PCI_STD_HEADER_SIZEOF);
        g_assert_false(seen[p]);
        g_assert_cmpuint(n, <, 48);
        seen[p] = true;
        pos[n++] = p;
    }
    return n;
}

static unsigned guest_ext_chain(QPCIDevice *dev)
{
    bool seen[PCI_CFG_SPACE_EXP_SIZE / 4] = { false };
    unsigned n = 0;

    for (uint16_t p = PCI_CFG_SPACE_SIZE; p;) {
        uint32_t header = qpci_config_readl(dev, p);

        if (!header) {
            break;
        }
        g_assert_false(seen[p / 4]);
        g_assert_cmpuint(n, <, 960);
        seen[p / 4] = true;
        n++;
        p = PCI_EXT_CAP_NEXT(header);
    }
    return n;
}

static void test_capability_chains(void)
{
    static const struct {
        const char *config;     /* [config] patches of the msix profile */
        const char *warning;
        unsigned std, ext;      /* capabilities the guest sees */
    } cases[] = {
        /* MSI-X (0xb0) points back at PM */
        { "0xb1 = 40", "loops back or overlaps", 4, 1 },
        /* PM points at itself */
        { "0x41 = 40", "loops back or overlaps", 1, 1 },
        /* MSI at 0x44 overlaps PM (0x40, 8 bytes) */
        { "0x41 = 44\n0x44 = 05 70", "loops back or overlaps", 1, 1 },
        /* the list starts in the header, and the extended one loops */
        { "0x34 = 20\n0x152 = 01 10", "points into the header", 0, 1 },
        /* SR-IOV (0x150, hidden) points back at AER */
        { "0x152 = 01 10", "loops back or overlaps", 4, 1 },
        /* AER points into its own middle, where a header seems to be */
        { "0x102 = 02 12\n0x120 = 0b 00 01 00", "loops back or overlaps", 4,
          1 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *ini = g_strdup_printf("[config]\n%s\n",
                                               cases[i].config);
        g_autofree char *err = NULL;
        uint8_t pos[48];
        VfioTest t;

        vt_init(&t);
        {
            g_autofree char *host = vt_host(&t, "msix", ini);

            t.qts = qtest_initf("-m 256 -device vfio-pci,host=%s,addr=%d.0",
                                host, VT_SLOT);
        }
        t.bus = qpci_new_ecam(t.qts, Q35_ECAM_BASE);
        t.dev = qpci_device_find(t.bus, QPCI_DEVFN(VT_SLOT, 0));
        if (guest_std_chain(t.dev, pos) != cases[i].std) {
            g_error("case %zu: the guest sees %u capabilities, not %u", i,
                    guest_std_chain(t.dev, pos), cases[i].std);
        }
        if (guest_ext_chain(t.dev) != cases[i].ext) {
            g_error("case %zu: the guest sees %u extended capabilities, "
                    "not %u", i, guest_ext_chain(t.dev), cases[i].ext);
        }
        err = qtest_get_stderr(t.qts);
        if (vt_count_lines(err, cases[i].warning) != 1) {
            g_error("case %zu: want one '%s' warning, got: %s", i,
                    cases[i].warning, err);
        }
        vt_stop(&t);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-rules/1-msix-table-unreachable",
                    test_msix_table_unreachable);
    g_test_add_func("/vfio-rules/2-rom-not-mmapped-decoder-off",
                    test_rom_not_mmapped_decoder_off);
    g_test_add_func("/vfio-rules/3-reserved-iova", test_reserved_iova);
    g_test_add_func("/vfio-rules/4-dma-page-sizes", test_dma_page_sizes);
    g_test_add_func("/vfio-rules/5-virtual-config-bits",
                    test_virtual_config_bits);
    g_test_add_func("/vfio-rules/6-capability-chains",
                    test_capability_chains);
    return g_test_run();
}
