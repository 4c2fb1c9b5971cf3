#!/usr/bin/env python3
"""Write the seed corpus of fuzz-x86-boot (tests/fuzz/corpus/x86-boot).

The input format is the one fuzz-x86-boot.c reads: flags, initrd size,
command line, an optional memory map, then the kernel file, a bzImage
whose setup header is built here field by field (offsets from
asm/bootparam.h: the header starts at 0x1f1).
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'x86-boot')
MiB = 1 << 20
RAM, RESERVED = 1, 2


def bzimage(version=0x020f, relocatable=1, pref=16 * MiB, init=4 * MiB,
            align=2 * MiB, setup_sects=1, payload=256, initrd_max=0x7fffffff):
    setup = (setup_sects + 1) * 512
    k = bytearray(b'\xcc' * setup)
    k[0x1f1] = setup_sects
    struct.pack_into('<H', k, 0x1fa, 0xffff)            # vid_mode
    struct.pack_into('<H', k, 0x1fe, 0xaa55)            # boot_flag
    k[0x200], k[0x201] = 0xeb, 0x6a                     # jump: header end
    k[0x202:0x206] = b'HdrS'
    struct.pack_into('<H', k, 0x206, version)
    k[0x211] = 1                                        # LOADED_HIGH
    struct.pack_into('<I', k, 0x214, 0x100000)          # code32_start
    struct.pack_into('<I', k, 0x22c, initrd_max)
    struct.pack_into('<I', k, 0x230, align)
    k[0x234] = relocatable
    k[0x235] = 21                                       # min_alignment
    struct.pack_into('<H', k, 0x236, 1 | 2)             # xloadflags
    struct.pack_into('<I', k, 0x238, 2047)              # cmdline_size
    struct.pack_into('<Q', k, 0x258, pref)
    struct.pack_into('<I', k, 0x260, init)
    struct.pack_into('<I', k, 0x1f4, payload // 16)     # syssize
    return bytes(k) + bytes((i * 7) & 0xff for i in range(payload))


def seed(kernel, flags=0, initrd=0, cmdline=b'', e820=None):
    out = struct.pack('<BH', flags | (4 if e820 is not None else 0), initrd)
    out += struct.pack('<B', len(cmdline)) + cmdline
    if e820 is not None:
        out += struct.pack('<B', len(e820))
        for addr, size, kind in e820:
            out += struct.pack('<QQB', addr, size, kind)
    return out + kernel


SEEDS = {
    'debian-like': seed(bzimage()),
    'initrd': seed(bzimage(), flags=1, initrd=1024,
                   cmdline=b'console=ttyS0 root=/dev/ram0'),
    'huge-initrd': seed(bzimage(), flags=3),
    'mem-vga': seed(bzimage(), flags=1, initrd=64,
                    cmdline=b'vga=0x317 mem=24M "quoted arg" -- mem=1G'),
    'old-protocol': seed(bzimage(version=0x0206, relocatable=0, pref=0,
                                 init=0)),
    'low-initrd-max': seed(bzimage(initrd_max=20 * MiB - 1), flags=1,
                           initrd=4096),
    'e820-holes': seed(bzimage(), e820=[(0, 0x9fc00, RAM),
                                        (0x100000, 8 * MiB, RAM),
                                        (9 * MiB, 55 * MiB, RAM),
                                        (0xb0000000, 0x10000000, RESERVED)]),
    'e820-lies': seed(bzimage(), flags=1, initrd=64,
                      e820=[(0, 0x9fc00, RAM), (0x100000, 4000 * MiB, RAM)]),
    'truncated': seed(bzimage()[:0x300]),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
