/* Synthetic bzImages for tests (fake-bzimage.h). */
#include "qemu/osdep.h"
#include <asm/bootparam.h>
#include "fake-bzimage.h"

#define MiB ((uint64_t)1 << 20)
#define HDR(f) (offsetof(struct boot_params, hdr) + \
                offsetof(struct setup_header, f))
#define HDR_END (offsetof(struct boot_params, hdr) + \
                 sizeof(struct setup_header))

uint8_t fake_bzimage_payload_byte(size_t i, unsigned seed)
{
    return (i * 7 + seed + (i >> 8)) & 0xff;
}

GByteArray *fake_bzimage(unsigned setup_sects, size_t payload, unsigned seed)
{
    size_t setup = (setup_sects + 1) * 512;
    GByteArray *k = g_byte_array_sized_new(setup + payload);
    uint8_t *d;

    g_byte_array_set_size(k, setup + payload);
    d = k->data;
    memset(d, FAKE_BZIMAGE_FILE_JUNK, setup);
    memset(d + HDR(setup_sects), 0, HDR_END - HDR(setup_sects));
    d[HDR(setup_sects)] = setup_sects;
    stw_le_p(d + HDR(vid_mode), 0xffff);
    stw_le_p(d + HDR(boot_flag), 0xaa55);
    d[HDR(jump)] = 0xeb;
    d[HDR(jump) + 1] = HDR_END - HDR(header);
    stl_le_p(d + HDR(header), 0x53726448);
    stw_le_p(d + HDR(version), 0x020f);
    d[HDR(loadflags)] = LOADED_HIGH;
    stl_le_p(d + HDR(code32_start), 0x100000);
    stl_le_p(d + HDR(initrd_addr_max), 0x7fffffff);
    stl_le_p(d + HDR(kernel_alignment), 0x200000);
    d[HDR(relocatable_kernel)] = 1;
    d[HDR(min_alignment)] = 21;
    stw_le_p(d + HDR(xloadflags), XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
    stl_le_p(d + HDR(cmdline_size), 2047);
    stq_le_p(d + HDR(pref_address), 16 * MiB);
    stl_le_p(d + HDR(init_size), 4 * MiB);
    stl_le_p(d + HDR(syssize), payload / 16);
    /* loader-written fields a careless loader would pass on */
    stl_le_p(d + HDR(hardware_subarch), 2);
    stq_le_p(d + HDR(setup_data), 0x123456);
    for (size_t i = 0; i < payload; i++) {
        d[setup + i] = fake_bzimage_payload_byte(i, seed);
    }
    return k;
}
