/*
 * Unit tests for vfio-pci expansion ROM validation (vfio_rom_validate):
 * each way an image can be broken, and what the message says about it.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"

#define VID 0x8086
#define DID 0x10d3

/* A valid image of @size bytes: header, PCIR at @pcir, @units of 512 bytes. */
static uint8_t *make_rom(size_t size, uint16_t pcir, uint16_t units)
{
    uint8_t *rom = g_malloc(size);

    memset(rom, 0, size);
    rom[0] = 0x55;
    rom[1] = 0xaa;
    rom[2] = units;
    if (size >= 0x1a) {
        stw_le_p(rom + 0x18, pcir);
    }
    if ((size_t)pcir + 0x18 <= size) {
        memcpy(rom + pcir, "PCIR", 4);
        stw_le_p(rom + pcir + 4, VID);
        stw_le_p(rom + pcir + 6, DID);
        stw_le_p(rom + pcir + 0x0a, 0x18);
        stw_le_p(rom + pcir + 0x10, units);
        rom[pcir + 0x14] = 0;           /* code type: x86 */
        rom[pcir + 0x15] = 0x80;        /* last image */
    }
    return rom;
}

static VFIORomCheck check(const uint8_t *rom, size_t size, char **msg)
{
    return vfio_rom_validate(rom, size, VID, DID, msg);
}

static void assert_invalid(const uint8_t *rom, size_t size, const char *what)
{
    g_autofree char *msg = NULL;

    g_assert_cmpint(check(rom, size, &msg), ==, VFIO_ROM_INVALID);
    g_assert_nonnull(msg);
    if (!strstr(msg, what)) {
        g_error("message \"%s\" does not mention \"%s\"", msg, what);
    }
}

static void test_valid(void)
{
    g_autofree uint8_t *rom = make_rom(2048, 0x1c, 4);
    g_autofree char *msg = NULL;

    g_assert_cmpint(check(rom, 2048, &msg), ==, VFIO_ROM_VALID);
    g_assert_null(msg);
    /* The region may be larger than the image (rest reads as padding) */
    g_clear_pointer(&msg, g_free);
    stw_le_p(rom + 0x1c + 0x10, 1);
    g_assert_cmpint(check(rom, 2048, &msg), ==, VFIO_ROM_VALID);
}

static void test_id_mismatch(void)
{
    g_autofree uint8_t *rom = make_rom(1024, 0x20, 2);
    g_autofree char *msg = NULL;

    stw_le_p(rom + 0x20 + 6, 0x1234);
    g_assert_cmpint(check(rom, 1024, &msg), ==, VFIO_ROM_ID_MISMATCH);
    g_assert_nonnull(strstr(msg, "8086:1234"));
    g_assert_nonnull(strstr(msg, "8086:10d3"));
}

static void test_no_signature(void)
{
    g_autofree uint8_t *rom = make_rom(1024, 0x20, 2);

    rom[0] = rom[1] = 0xff;     /* erased flash: a device with no ROM */
    assert_invalid(rom, 1024, "0x55AA signature");
    rom[0] = 0xaa;
    rom[1] = 0x55;              /* byte-swapped */
    assert_invalid(rom, 1024, "found 0xAA55");
}

static void test_truncated(void)
{
    g_autofree uint8_t *rom = make_rom(1024, 0x20, 2);

    assert_invalid(rom, 0, "too short");
    assert_invalid(rom, 1, "too short");
    assert_invalid(rom, 0x10, "too short");
    assert_invalid(rom, 0x19, "too short");
    /* Header complete but the PCIR structure cut off */
    assert_invalid(rom, 0x30, "past the end");
}

static void test_pcir_pointer_beyond(void)
{
    g_autofree uint8_t *rom = make_rom(1024, 0x20, 2);

    stw_le_p(rom + 0x18, 0xfff0);
    assert_invalid(rom, 1024, "0xfff0 points past the end");
    /* Just inside the start, but the structure does not fit */
    stw_le_p(rom + 0x18, 1024 - 8);
    assert_invalid(rom, 1024, "points past the end");
}

static void test_pcir_pointer_unaligned(void)
{
    g_autofree uint8_t *rom = make_rom(1024, 0x1e, 2);

    assert_invalid(rom, 1024, "not dword aligned");
}

static void test_pcir_signature(void)
{
    g_autofree uint8_t *rom = make_rom(1024, 0x20, 2);

    memcpy(rom + 0x20, "PCIX", 4);
    assert_invalid(rom, 1024, "\"PCIR\" signature at 0x20");
    /* A zero pointer lands on the ROM header itself */
    stw_le_p(rom + 0x18, 0);
    assert_invalid(rom, 1024, "\"PCIR\" signature at 0x0");
}

static void test_length_beyond_region(void)
{
    g_autofree uint8_t *rom = make_rom(2048, 0x1c, 8);

    assert_invalid(rom, 2048, "exceeds the 2048-byte ROM");
}

static void test_length_zero(void)
{
    g_autofree uint8_t *rom = make_rom(1024, 0x1c, 0);

    assert_invalid(rom, 1024, "length of 0");
}

/* An odd-sized region: fine while the image fits, invalid once it does not */
static void test_odd_size(void)
{
    g_autofree uint8_t *rom = make_rom(1000, 0x1c, 1);
    g_autofree char *msg = NULL;

    g_assert_cmpint(check(rom, 1000, &msg), ==, VFIO_ROM_VALID);
    stw_le_p(rom + 0x1c + 0x10, 2);
    assert_invalid(rom, 1000, "1024 bytes");
}

/* The structure at the very end of the image still counts */
static void test_pcir_at_end(void)
{
    g_autofree uint8_t *rom = make_rom(512, 512 - 0x18, 1);
    g_autofree char *msg = NULL;

    g_assert_cmpint(check(rom, 512, &msg), ==, VFIO_ROM_VALID);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/rom/valid", test_valid);
    g_test_add_func("/vfio/rom/id-mismatch", test_id_mismatch);
    g_test_add_func("/vfio/rom/no-signature", test_no_signature);
    g_test_add_func("/vfio/rom/truncated", test_truncated);
    g_test_add_func("/vfio/rom/pcir-pointer-beyond", test_pcir_pointer_beyond);
    g_test_add_func("/vfio/rom/pcir-pointer-unaligned",
                    test_pcir_pointer_unaligned);
    g_test_add_func("/vfio/rom/pcir-signature", test_pcir_signature);
    g_test_add_func("/vfio/rom/length-beyond-region",
                    test_length_beyond_region);
    g_test_add_func("/vfio/rom/length-zero", test_length_zero);
    g_test_add_func("/vfio/rom/odd-size", test_odd_size);
    g_test_add_func("/vfio/rom/pcir-at-end", test_pcir_at_end);
    return g_test_run();
}
