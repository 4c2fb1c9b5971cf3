/*
 * vfio-pci expansion ROM against the fake device: the guest reads the
 * device's image from a shadow filled by one pass over the ROM region
 * (never mmap'd); romfile= replaces it, rombar=0 hides the BAR, and an
 * invalid or unreadable ROM is hidden with one warning while qvfio runs on.
 */
#include <sys/stat.h>
#include "vfio-test-util.h"

#define ROM_ADDR 0xe8000000ULL
#define FAKE_VENDOR 0x8086          /* the fake's msix profile */
#define FAKE_DEVICE 0x10d3
#define FAKE_ROM_REGION (64 * 1024)

/* Start with the fake's msix profile, an optional ini, more properties. */
static void rom_start(VfioTest *t, const char *ini, const char *opts)
{
    vt_launch(t, "msix", ini, opts,
              "-trace 'fake_vfio_rom_*' -trace 'fake_vfio_region_mmap' "
              "-trace 'fake_vfio_config_write'");
}

/* The sum of the "len N" arguments of the trace lines of @event. */
static uint64_t log_len_sum(VfioTest *t, const char *event)
{
    g_autoptr(GPtrArray) lines = vt_log_lines(t, event, NULL);
    uint64_t sum = 0;

    for (guint i = 0; i < lines->len; i++) {
        const char *len = strstr(g_ptr_array_index(lines, i), " len ");

        if (len) {
            sum += g_ascii_strtoull(len + 5, NULL, 0);
        }
    }
    return sum;
}

/* The ROM BAR's size as sizing firmware sees it (0: no ROM BAR). */
static uint32_t rom_bar_size(QPCIDevice *dev)
{
    uint32_t mask;

    qpci_config_writel(dev, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS_MASK);
    mask = qpci_config_readl(dev, PCI_ROM_ADDRESS) & PCI_ROM_ADDRESS_MASK;
    qpci_config_writel(dev, PCI_ROM_ADDRESS, 0);
    return mask ? 1u << __builtin_ctz(mask) : 0;
}

/* Map the ROM BAR at ROM_ADDR and read @len bytes of it. */
static uint8_t *rom_read(VfioTest *t, size_t len)
{
    uint8_t *buf = g_malloc(len);
    uint16_t cmd = qpci_config_readw(t->dev, PCI_COMMAND);

    qpci_config_writel(t->dev, PCI_ROM_ADDRESS,
                       ROM_ADDR | PCI_ROM_ADDRESS_ENABLE);
    qpci_config_writew(t->dev, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);
    qtest_bufread(t->qts, ROM_ADDR, buf, len);
    return buf;
}

/* A valid image of @units * 512 bytes for the fake's IDs. */
static uint8_t *make_image(size_t units, size_t *len)
{
    uint8_t *img;

    *len = units * 512;
    img = g_malloc(*len);
    for (size_t i = 0; i < *len; i++) {
        img[i] = g_test_rand_int();
    }
    img[0] = 0x55;
    img[1] = 0xaa;
    img[2] = units;
    stw_le_p(img + 0x18, 0x1c);
    memcpy(img + 0x1c, "PCIR", 4);
    stw_le_p(img + 0x1c + 4, FAKE_VENDOR);
    stw_le_p(img + 0x1c + 6, FAKE_DEVICE);
    stw_le_p(img + 0x1c + 0x10, units);
    img[0x1c + 0x15] = 0x80;
    return img;
}

/* The guest reads the device's image; one pass at realize, no mmap */
static void test_shadow(void)
{
    VfioTest t;
    size_t len;
    g_autofree uint8_t *img = make_image(96, &len);      /* 48 KiB */
    g_autofree char *img_path = NULL;
    g_autofree char *ini = NULL;
    g_autofree uint8_t *seen = NULL;
    g_autofree char *err = NULL;
    uint64_t bytes;
    unsigned reads;

    vt_init(&t);
    img_path = vt_write_file(&t, "image.rom", img, len);
    ini = g_strdup_printf("[rom]\nkind=valid\nfile=%s\n", img_path);
    rom_start(&t, ini, NULL);

    /* Read once, whole, before the guest asks */
    reads = vt_log_count(&t, "fake_vfio_rom_read", NULL);
    bytes = log_len_sum(&t, "fake_vfio_rom_read");
    g_assert_cmpuint(reads, >=, 1);
    g_assert_cmpuint(bytes, ==, FAKE_ROM_REGION);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_rom_read", "offset 0x0 "),
                     ==, 1);

    g_assert_cmphex(rom_bar_size(t.dev), ==, FAKE_ROM_REGION);
    seen = rom_read(&t, FAKE_ROM_REGION);
    g_assert_cmpmem(seen, len, img, len);
    for (size_t i = len; i < FAKE_ROM_REGION; i++) {
        g_assert_cmphex(seen[i], ==, 0xff);
    }
    /* Writes to the ROM are ignored */
    qtest_writel(t.qts, ROM_ADDR, 0);
    g_assert_cmphex(qtest_readl(t.qts, ROM_ADDR), ==, ldl_le_p(img));

    /* Served from the shadow: no more device reads, never an mmap */
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_rom_read", NULL), ==, reads);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_region_mmap", "region 6 "),
                     ==, 0);
    /* The device's own ROM decoder was turned off */
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_config_write",
                                  "offset 0x30 len 4"), >=, 1);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(vt_count_lines(err, "warning"), ==, 0);
    vt_stop(&t);
}

/* romfile= replaces the image; the BAR is its size rounded up to 2^n */
static void test_romfile(void)
{
    VfioTest t;
    g_autofree uint8_t *data = g_malloc(3000);
    g_autofree char *path = NULL;
    g_autofree char *opts = NULL;
    g_autofree uint8_t *seen = NULL;

    vt_init(&t);
    for (int i = 0; i < 3000; i++) {
        data[i] = i * 13 + 1;
    }
    path = vt_write_file(&t, "romfile.bin", data, 3000);
    opts = g_strdup_printf(",romfile=%s", path);
    rom_start(&t, NULL, opts);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 4096);
    seen = rom_read(&t, 4096);
    g_assert_cmpmem(seen, 3000, data, 3000);
    for (int i = 3000; i < 4096; i++) {
        g_assert_cmphex(seen[i], ==, 0xff);
    }
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_rom_read", NULL), ==, 0);
    vt_stop(&t);
}

static int run_qvfio(const char *device, char **err)
{
    g_autofree char *args = g_strdup_printf("-display none -accel qtest "
                                            "-device %s", device);

    return vt_run(args, err);
}

/* A romfile that cannot be used fails realize and names the file */
static void test_romfile_errors(void)
{
    VfioTest t;
    g_autofree char *empty = NULL;
    g_autofree char *dev = NULL;
    g_autofree char *err = NULL;

    vt_init(&t);
    g_assert_cmpint(run_qvfio("vfio-pci,host=fake:msix,"
                              "romfile=/nonexistent/boot.rom", &err), ==, 1);
    g_assert_nonnull(strstr(err, "/nonexistent/boot.rom"));
    g_assert_cmpuint(vt_newlines(err), ==, 1);

    /* a device that never ends, a FIFO nobody writes: refused at once */
    for (int i = 0; i < 2; i++) {
        g_autofree char *fifo = g_build_filename(t.dir, "fifo.rom", NULL);
        g_autofree char *opts = NULL;

        g_assert_cmpint(i == 0 || mkfifo(fifo, 0600) == 0, ==, 1);
        opts = g_strdup_printf("vfio-pci,host=fake:msix,romfile=%s",
                               i == 0 ? "/dev/zero" : fifo);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(run_qvfio(opts, &err), ==, 1);
        g_assert_nonnull(strstr(err, "not a regular file"));
        g_assert_cmpuint(vt_newlines(err), ==, 1);
    }

    g_clear_pointer(&err, g_free);
    empty = vt_write_file(&t, "empty.rom", "", 0);
    dev = g_strdup_printf("vfio-pci,host=fake:msix,romfile=%s", empty);
    g_assert_cmpint(run_qvfio(dev, &err), ==, 1);
    g_assert_nonnull(strstr(err, empty));
    g_assert_nonnull(strstr(err, "empty"));
    g_assert_cmpuint(vt_newlines(err), ==, 1);
    vt_cleanup(&t);
}

/* rombar=0: no ROM BAR at all, and the device's ROM is not read */
static void test_rombar_off(void)
{
    VfioTest t;

    vt_init(&t);
    rom_start(&t, NULL, ",rombar=0");
    g_assert_cmphex(qpci_config_readl(t.dev, PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 0);
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_rom_read", NULL), ==, 0);
    vt_stop(&t);
}

/* No ROM on the device: no BAR, and nothing to warn about */
static void test_absent(void)
{
    VfioTest t;
    g_autofree char *err = NULL;

    vt_init(&t);
    rom_start(&t, "[rom]\nkind=absent\n", NULL);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 0);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(vt_count_lines(err, "warning"), ==, 0);
    vt_stop(&t);
}

/*
 * Each broken image or ROM region (@spec: a kind of image, or the lines
 * of a [rom] section): hidden, one warning saying what to do, running on.
 */
static void test_invalid(gconstpointer spec)
{
    VfioTest t;
    g_autofree char *ini = strchr(spec, '=')
        ? g_strdup_printf("[rom]\n%s\n", (const char *)spec)
        : g_strdup_printf("[rom]\nkind=%s\n", (const char *)spec);
    g_autofree char *err = NULL;

    vt_init(&t);
    rom_start(&t, ini, NULL);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 0);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(vt_count_lines(err, "warning"), ==, 1);
    g_assert_cmpuint(vt_count_lines(err, "ROM"), ==, 1);
    g_assert_cmpuint(vt_count_lines(err, "romfile="), ==, 1);
    g_assert_cmpuint(vt_count_lines(err, "rombar=0"), ==, 1);
    g_assert(qtest_alive(t.qts));
    /* Still a working device */
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_VENDOR_ID), ==, FAKE_VENDOR);
    vt_stop(&t);
}

/* An image naming other IDs is only warned about */
static void test_wrong_ids(void)
{
    VfioTest t;
    g_autofree char *err = NULL;
    g_autofree uint8_t *seen = NULL;

    vt_init(&t);
    rom_start(&t, "[rom]\nkind=wrong-ids\n", NULL);
    g_assert_cmphex(rom_bar_size(t.dev), ==, FAKE_ROM_REGION);
    seen = rom_read(&t, 4);
    g_assert_cmphex(lduw_le_p(seen), ==, 0xaa55);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(vt_count_lines(err, "warning"), ==, 1);
    g_assert_cmpuint(vt_count_lines(err, "10d3"), ==, 1);
    vt_stop(&t);
}

/* A region that answers every read with part of it still gives it all. */
static void test_short_reads(void)
{
    VfioTest t;
    g_autofree char *err = NULL;
    g_autofree uint8_t *seen = NULL;

    vt_init(&t);
    rom_start(&t, "[rom]\nshort-reads=true\n", NULL);
    g_assert_cmphex(rom_bar_size(t.dev), ==, FAKE_ROM_REGION);
    seen = rom_read(&t, FAKE_ROM_REGION);
    g_assert_cmphex(lduw_le_p(seen), ==, 0xaa55);
    /* each read gave half: it took many, none of them past the end */
    g_assert_cmpuint(vt_log_count(&t, "fake_vfio_rom_read", NULL), >, 16);
    g_assert_cmphex(seen[0x1c + 4] | seen[0x1c + 5] << 8, ==, FAKE_VENDOR);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(vt_count_lines(err, "warning"), ==, 0);
    vt_stop(&t);
}

int main(int argc, char **argv)
{
    static const char *const kinds[] = {
        "bad-signature", "bad-pcir-pointer", "bad-pcir-signature",
        "too-long", "unreadable",
    };
    /* ROM regions that lie about their size or end before it */
    static const struct { const char *name, *spec; } regions[] = {
        { "claims-1t", "claimed-size=0x10000000000" },
        { "claims-more", "claimed-size=0x20000" },
        { "ends-early", "readable=0x8000" },
    };

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/rom/shadow", test_shadow);
    g_test_add_func("/vfio/rom/romfile", test_romfile);
    g_test_add_func("/vfio/rom/romfile-errors", test_romfile_errors);
    g_test_add_func("/vfio/rom/rombar-off", test_rombar_off);
    g_test_add_func("/vfio/rom/absent", test_absent);
    g_test_add_func("/vfio/rom/wrong-ids", test_wrong_ids);
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        g_autofree char *name = g_strdup_printf("/vfio/rom/invalid/%s",
                                                kinds[i]);
        g_test_add_data_func(name, kinds[i], test_invalid);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(regions); i++) {
        g_autofree char *name = g_strdup_printf("/vfio/rom/region/%s",
                                                regions[i].name);
        g_test_add_data_func(name, regions[i].spec, test_invalid);
    }
    g_test_add_func("/vfio/rom/region/short-reads", test_short_reads);
    return g_test_run();
}
