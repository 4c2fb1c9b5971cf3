/*
 * vfio-pci expansion ROM against the fake device: the guest reads the
 * device's image from a shadow filled by one pass over the ROM region
 * (never mmap'd); romfile= replaces it, rombar=0 hides the BAR, and an
 * invalid or unreadable ROM is hidden with one warning while qvfio runs on.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include "libqtest.h"

#define DEVFN QPCI_DEVFN(3, 0)
#define ROM_ADDR 0xe8000000ULL
#define FAKE_VENDOR 0x8086          /* the fake's msix profile */
#define FAKE_DEVICE 0x10d3
#define FAKE_ROM_REGION (64 * 1024)

typedef struct RomTest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    char *dir;
    char *log;
} RomTest;

static char *tmp_path(RomTest *t, const char *name)
{
    return g_build_filename(t->dir, name, NULL);
}

static char *write_tmp(RomTest *t, const char *name, const void *data,
                       size_t len)
{
    char *path = tmp_path(t, name);

    g_assert(g_file_set_contents(path, data, len, NULL));
    return path;
}

static void rom_test_init(RomTest *t)
{
    memset(t, 0, sizeof(*t));
    t->dir = g_dir_make_tmp("vfio-rom-XXXXXX", NULL);
    t->log = tmp_path(t, "trace.log");
}

/* Start with the fake's msix profile, an optional ini, more properties. */
static void rom_start(RomTest *t, const char *ini, const char *opts)
{
    g_autofree char *spec = NULL;

    if (ini) {
        g_autofree char *path = write_tmp(t, "spec.ini", ini, strlen(ini));
        spec = g_strdup_printf("fake:msix:%s", path);
    } else {
        spec = g_strdup("fake:msix");
    }
    t->qts = qtest_initf("-device vfio-pci,host=%s,addr=3.0%s "
                         "-trace 'fake_vfio_rom_*' "
                         "-trace 'fake_vfio_region_mmap' "
                         "-trace 'fake_vfio_config_write' -D %s",
                         spec, opts ? opts : "", t->log);
    t->bus = qpci_new_pc(t->qts);
    t->dev = qpci_device_find(t->bus, DEVFN);
    g_assert(t->dev);
}

static void rom_stop(RomTest *t)
{
    const char *name;
    GDir *d;

    qpci_device_free(t->dev);
    qpci_free(t->bus);
    g_assert_cmpint(qtest_quit(t->qts), ==, 0);
    d = g_dir_open(t->dir, 0, NULL);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *p = tmp_path(t, name);
        unlink(p);
    }
    g_dir_close(d);
    rmdir(t->dir);
    g_free(t->log);
    g_free(t->dir);
}

/* Trace lines of @event, and the sum of their "len N" arguments. */
static unsigned trace_count(RomTest *t, const char *event,
                            const char *needle, uint64_t *len_sum)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *tag = g_strdup_printf(":%s ", event);
    unsigned n = 0;

    if (len_sum) {
        *len_sum = 0;
    }
    if (!g_file_get_contents(t->log, &text, NULL, NULL)) {
        return 0;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *p = strstr(*l, tag);
        char *len;

        if (!p || (needle && !strstr(p, needle))) {
            continue;
        }
        n++;
        len = strstr(p, " len ");
        if (len_sum && len) {
            *len_sum += g_ascii_strtoull(len + 5, NULL, 0);
        }
    }
    return n;
}

static unsigned count_lines(const char *text, const char *needle)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    unsigned n = 0;

    for (char **l = lines; *l; l++) {
        n += strstr(*l, needle) != NULL;
    }
    return n;
}

static unsigned newlines(const char *text)
{
    unsigned n = 0;

    for (; *text; text++) {
        n += *text == '\n';
    }
    return n;
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
static uint8_t *rom_read(RomTest *t, size_t len)
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
    RomTest t;
    size_t len;
    g_autofree uint8_t *img = make_image(96, &len);      /* 48 KiB */
    g_autofree char *img_path = NULL;
    g_autofree char *ini = NULL;
    g_autofree uint8_t *seen = NULL;
    g_autofree char *err = NULL;
    uint64_t bytes;
    unsigned reads;

    rom_test_init(&t);
    img_path = write_tmp(&t, "image.rom", img, len);
    ini = g_strdup_printf("[rom]\nkind=valid\nfile=%s\n", img_path);
    rom_start(&t, ini, NULL);

    /* Read once, whole, before the guest asks */
    reads = trace_count(&t, "fake_vfio_rom_read", NULL, &bytes);
    g_assert_cmpuint(reads, >=, 1);
    g_assert_cmpuint(bytes, ==, FAKE_ROM_REGION);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_rom_read", "offset 0x0 ",
                                 NULL), ==, 1);

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
    g_assert_cmpuint(trace_count(&t, "fake_vfio_rom_read", NULL, NULL), ==,
                     reads);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_region_mmap", "region 6 ",
                                 NULL), ==, 0);
    /* The device's own ROM decoder was turned off */
    g_assert_cmpuint(trace_count(&t, "fake_vfio_config_write",
                                 "offset 0x30 len 4", NULL), >=, 1);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(count_lines(err, "warning"), ==, 0);
    rom_stop(&t);
}

/* romfile= replaces the image; the BAR is its size rounded up to 2^n */
static void test_romfile(void)
{
    RomTest t;
    g_autofree uint8_t *data = g_malloc(3000);
    g_autofree char *path = NULL;
    g_autofree char *opts = NULL;
    g_autofree uint8_t *seen = NULL;

    rom_test_init(&t);
    for (int i = 0; i < 3000; i++) {
        data[i] = i * 13 + 1;
    }
    path = write_tmp(&t, "romfile.bin", data, 3000);
    opts = g_strdup_printf(",romfile=%s", path);
    rom_start(&t, NULL, opts);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 4096);
    seen = rom_read(&t, 4096);
    g_assert_cmpmem(seen, 3000, data, 3000);
    for (int i = 3000; i < 4096; i++) {
        g_assert_cmphex(seen[i], ==, 0xff);
    }
    g_assert_cmpuint(trace_count(&t, "fake_vfio_rom_read", NULL, NULL), ==,
                     0);
    rom_stop(&t);
}

static int run_qvfio(const char *device, char **err)
{
    g_autofree char *args = g_strdup_printf("-display none -accel qtest "
                                            "-device %s", device);
    int status;

    g_assert(qtest_run_binary(qtest_binary(), args, NULL, NULL, err,
                              &status));
    g_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* A romfile that cannot be used fails realize and names the file */
static void test_romfile_errors(void)
{
    RomTest t;
    g_autofree char *empty = NULL;
    g_autofree char *dev = NULL;
    g_autofree char *err = NULL;

    rom_test_init(&t);
    g_assert_cmpint(run_qvfio("vfio-pci,host=fake:msix,"
                              "romfile=/nonexistent/boot.rom", &err), ==, 1);
    g_assert_nonnull(strstr(err, "/nonexistent/boot.rom"));
    g_assert_cmpuint(newlines(err), ==, 1);

    g_clear_pointer(&err, g_free);
    empty = write_tmp(&t, "empty.rom", "", 0);
    dev = g_strdup_printf("vfio-pci,host=fake:msix,romfile=%s", empty);
    g_assert_cmpint(run_qvfio(dev, &err), ==, 1);
    g_assert_nonnull(strstr(err, empty));
    g_assert_nonnull(strstr(err, "empty"));
    g_assert_cmpuint(newlines(err), ==, 1);
    unlink(empty);
    rmdir(t.dir);
    g_free(t.log);
    g_free(t.dir);
}

/* rombar=0: no ROM BAR at all, and the device's ROM is not read */
static void test_rombar_off(void)
{
    RomTest t;

    rom_test_init(&t);
    rom_start(&t, NULL, ",rombar=0");
    g_assert_cmphex(qpci_config_readl(t.dev, PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 0);
    g_assert_cmpuint(trace_count(&t, "fake_vfio_rom_read", NULL, NULL), ==,
                     0);
    rom_stop(&t);
}

/* No ROM on the device: no BAR, and nothing to warn about */
static void test_absent(void)
{
    RomTest t;
    g_autofree char *err = NULL;

    rom_test_init(&t);
    rom_start(&t, "[rom]\nkind=absent\n", NULL);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 0);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(count_lines(err, "warning"), ==, 0);
    rom_stop(&t);
}

/* Each broken image: hidden, one warning saying what to do, still running */
static void test_invalid(gconstpointer kind)
{
    RomTest t;
    g_autofree char *ini = g_strdup_printf("[rom]\nkind=%s\n",
                                           (const char *)kind);
    g_autofree char *err = NULL;

    rom_test_init(&t);
    rom_start(&t, ini, NULL);
    g_assert_cmphex(rom_bar_size(t.dev), ==, 0);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(count_lines(err, "warning"), ==, 1);
    g_assert_cmpuint(count_lines(err, "ROM"), ==, 1);
    g_assert_cmpuint(count_lines(err, "romfile="), ==, 1);
    g_assert_cmpuint(count_lines(err, "rombar=0"), ==, 1);
    g_assert(qtest_alive(t.qts));
    /* Still a working device */
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_VENDOR_ID), ==, FAKE_VENDOR);
    rom_stop(&t);
}

/* An image naming other IDs is only warned about */
static void test_wrong_ids(void)
{
    RomTest t;
    g_autofree char *err = NULL;
    g_autofree uint8_t *seen = NULL;

    rom_test_init(&t);
    rom_start(&t, "[rom]\nkind=wrong-ids\n", NULL);
    g_assert_cmphex(rom_bar_size(t.dev), ==, FAKE_ROM_REGION);
    seen = rom_read(&t, 4);
    g_assert_cmphex(lduw_le_p(seen), ==, 0xaa55);
    err = qtest_get_stderr(t.qts);
    g_assert_cmpuint(count_lines(err, "warning"), ==, 1);
    g_assert_cmpuint(count_lines(err, "10d3"), ==, 1);
    rom_stop(&t);
}

int main(int argc, char **argv)
{
    static const char *const kinds[] = {
        "bad-signature", "bad-pcir-pointer", "bad-pcir-signature",
        "too-long", "unreadable",
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
    return g_test_run();
}
