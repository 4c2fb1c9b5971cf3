/*
 * The expansion ROM validator (hw/vfio/rom.c): any image, any IDs. The
 * first four bytes are the device's vendor and device ID, the rest the
 * image. A verdict other than VALID comes with a message a user can read.
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = fuzz_input(data, size);
    uint16_t vendor = fuzz_u16(&in), device = fuzz_u16(&in);
    size_t len = size - MIN(size, in.pos);
    /* A copy of exactly @len bytes, so ASan sees every overread. */
    g_autofree uint8_t *rom = g_memdup2(data + in.pos, len);
    g_autofree char *msg = NULL;
    VFIORomCheck check = vfio_rom_validate(rom, len, vendor, device, &msg);

    if ((check == VFIO_ROM_VALID) != !msg) {
        fuzz_fail("verdict %d with message '%s'", check, msg ? msg : "");
    }
    if (msg && (!*msg || !g_utf8_validate(msg, -1, NULL))) {
        fuzz_fail("unreadable message for verdict %d", check);
    }
    return 0;
}
