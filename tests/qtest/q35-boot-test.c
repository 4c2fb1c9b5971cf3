/*
 * Direct Linux boot on the q35 machine, as the guest finds it in RAM
 * (-accel qtest runs no CPU, so the test reads what a booting kernel
 * would): the kernel, initrd and command line where the zero page says,
 * the e820 map, the ACPI tables from the RSDP (one LAPIC per vCPU), and
 * all of it written again by a system reset.
 */
#include "qemu/osdep.h"
#include <asm/bootparam.h>
#include "libqtest.h"
#include "fake-bzimage.h"

#define ZERO_PAGE 0x7000
#define ACPI_BASE 0xe0000
#define KERNEL_ADDR 0x1000000       /* pref_address of the fake kernel */
#define PAYLOAD (256 * 1024)
#define INITRD_SIZE (100 * 1000)
#define CMDLINE "console=ttyS0 quiet qvfio.test=\"a b\""
#define MADT_LAPIC 0

static char *tmpdir;

static char *write_file(const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(tmpdir, name, NULL);

    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

static GByteArray *initrd_bytes(void)
{
    GByteArray *b = g_byte_array_sized_new(INITRD_SIZE);

    g_byte_array_set_size(b, INITRD_SIZE);
    for (size_t i = 0; i < INITRD_SIZE; i++) {
        b->data[i] = (i * 13 + 5) & 0xff;
    }
    return b;
}

typedef struct Boot {
    QTestState *qts;
    char *kernel;
    char *initrd;
    GByteArray *k;
    GByteArray *i;
} Boot;

static void boot_start(Boot *b, unsigned cpus)
{
    b->k = fake_bzimage(4, PAYLOAD, 3);
    b->i = initrd_bytes();
    b->kernel = write_file("bzImage", b->k->data, b->k->len);
    b->initrd = write_file("initrd", b->i->data, b->i->len);
    b->qts = qtest_init_with_qmpf("-machine q35 -m 128 -smp %u -kernel %s "
                                  "-initrd %s -append '%s'", cpus, b->kernel,
                                  b->initrd, CMDLINE);
}

static void boot_end(Boot *b)
{
    qtest_quit(b->qts);
    unlink(b->kernel);
    unlink(b->initrd);
    g_free(b->kernel);
    g_free(b->initrd);
    g_byte_array_unref(b->k);
    g_byte_array_unref(b->i);
}

static struct boot_params *read_zero_page(QTestState *qts)
{
    struct boot_params *bp = g_new(struct boot_params, 1);

    qtest_memread(qts, ZERO_PAGE, bp, sizeof(*bp));
    return bp;
}

/* The guest sees its kernel, initrd and command line where promised. */
static void check_images(Boot *b)
{
    g_autofree struct boot_params *bp = read_zero_page(b->qts);
    g_autofree uint8_t *kernel = g_malloc(PAYLOAD);
    g_autofree uint8_t *initrd = g_malloc(INITRD_SIZE);
    char cmdline[sizeof(CMDLINE)];

    g_assert_cmphex(ldl_le_p(&bp->hdr.header), ==, 0x53726448);
    g_assert_cmphex(bp->hdr.type_of_loader, ==, 0xff);
    g_assert_cmphex(bp->hdr.code32_start, ==, KERNEL_ADDR);
    qtest_memread(b->qts, KERNEL_ADDR, kernel, PAYLOAD);
    g_assert_true(!memcmp(kernel, b->k->data + 5 * 512, PAYLOAD));
    g_assert_cmpuint(bp->hdr.ramdisk_size, ==, INITRD_SIZE);
    g_assert_cmphex(bp->hdr.ramdisk_image % 4096, ==, 0);
    qtest_memread(b->qts, bp->hdr.ramdisk_image, initrd, INITRD_SIZE);
    g_assert_true(!memcmp(initrd, b->i->data, INITRD_SIZE));
    qtest_memread(b->qts, bp->hdr.cmd_line_ptr, cmdline, sizeof(cmdline));
    g_assert_cmpstr(cmdline, ==, CMDLINE);
}

/* The e820 map: low RAM, the EBDA and BIOS area, ECAM reserved. */
static void check_e820(QTestState *qts)
{
    g_autofree struct boot_params *bp = read_zero_page(qts);
    static const struct boot_e820_entry want[] = {
        { 0, 0x9fc00, 1 },
        { 0x9fc00, 0x400, 2 },
        { 0xe0000, 0x20000, 2 },
        { 0x100000, 128 * 1024 * 1024 - 0x100000, 1 },
        { 0xb0000000, 0x10000000, 2 },
        { 0xfeffc000, 0x4000, 2 },
    };

    g_assert_cmpuint(bp->e820_entries, ==, G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmphex(bp->e820_table[i].addr, ==, want[i].addr);
        g_assert_cmphex(bp->e820_table[i].size, ==, want[i].size);
        g_assert_cmpuint(bp->e820_table[i].type, ==, want[i].type);
    }
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

/* Read the table at @addr whole, checksum checked. */
static GByteArray *read_table(QTestState *qts, uint64_t addr, const char *sig)
{
    uint8_t head[8];
    GByteArray *t = g_byte_array_new();
    uint32_t len;

    qtest_memread(qts, addr, head, sizeof(head));
    g_assert_true(!memcmp(head, sig, 4));
    len = ldl_le_p(head + 4);
    g_assert_cmpuint(len, >=, 36);
    g_assert_cmpuint(len, <, 0x20000);
    g_byte_array_set_size(t, len);
    qtest_memread(qts, addr, t->data, len);
    g_assert_cmpuint(sum(t->data, len), ==, 0);
    return t;
}

/* The RSDP where Linux scans (and the zero page points), the MADT's CPUs. */
static void check_acpi(QTestState *qts, unsigned cpus)
{
    g_autofree struct boot_params *bp = read_zero_page(qts);
    g_autoptr(GByteArray) xsdt = NULL;
    uint8_t rsdp[36];
    unsigned lapics = 0;

    g_assert_cmphex(bp->acpi_rsdp_addr, ==, ACPI_BASE);
    qtest_memread(qts, ACPI_BASE, rsdp, sizeof(rsdp));
    g_assert_true(!memcmp(rsdp, "RSD PTR ", 8));
    g_assert_cmpuint(sum(rsdp, 20), ==, 0);
    g_assert_cmpuint(sum(rsdp, 36), ==, 0);
    xsdt = read_table(qts, ldq_le_p(rsdp + 24), "XSDT");
    for (unsigned off = 36; off + 8 <= xsdt->len; off += 8) {
        uint64_t addr = ldq_le_p(xsdt->data + off);
        uint8_t sig[4];

        qtest_memread(qts, addr, sig, 4);
        if (!memcmp(sig, "APIC", 4)) {
            g_autoptr(GByteArray) madt = read_table(qts, addr, "APIC");

            for (unsigned e = 44; e + 2 <= madt->len; e += madt->data[e + 1]) {
                g_assert_cmpuint(madt->data[e + 1], >=, 2);
                lapics += madt->data[e] == MADT_LAPIC;
            }
        }
    }
    g_assert_cmpuint(lapics, ==, cpus);
}

static void test_boot_layout(void)
{
    Boot b;

    boot_start(&b, 2);
    check_images(&b);
    check_e820(b.qts);
    check_acpi(b.qts, 2);
    boot_end(&b);
}

/* A reset writes everything again, over whatever the guest left. */
static void test_boot_reset_reloads(void)
{
    Boot b;

    boot_start(&b, 1);
    qtest_memset(b.qts, 0, 0xff, 0x9f000);
    qtest_memset(b.qts, ACPI_BASE, 0xff, 0x1000);
    qtest_memset(b.qts, KERNEL_ADDR, 0xff, 32 * 1024 * 1024);
    qtest_qmp_assert_success(b.qts, "{'execute':'system_reset'}");
    json_object_unref(qtest_qmp_eventwait(b.qts, "RESET"));
    check_images(&b);
    check_e820(b.qts);
    check_acpi(b.qts, 1);
    boot_end(&b);
}

/* A kernel qvfio cannot boot: one line naming the file, status 1. */
static void test_boot_bad_kernel(void)
{
    g_autofree char *junk = write_file("not-a-kernel", "hello", 5);
    const char *files[] = { "/nonexistent/bzImage", junk };

    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *args = g_strdup_printf("-machine q35 -accel qtest "
                                                "-kernel %s", files[i]);
        g_autofree char *out = NULL, *err = NULL;
        int status;

        g_assert_true(qtest_run_binary(qtest_binary(), args, NULL, &out,
                                       &err, &status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(strstr(err, files[i]));
    }
    unlink(junk);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("q35-boot-XXXXXX", NULL);
    g_test_add_func("/q35-boot/layout", test_boot_layout);
    g_test_add_func("/q35-boot/reset-reloads", test_boot_reset_reloads);
    g_test_add_func("/q35-boot/bad-kernel", test_boot_bad_kernel);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
