#!/usr/bin/env python3
"""Write the seed corpus of fuzz-vfio-pci (tests/fuzz/corpus/vfio-pci).

The input format is the one fuzz-vfio-pci.c reads: the vfio-pci
properties, the device (flags, config patches, regions, ROM patches,
irqs, IOMMU, failures), then guest operations. Run it again after
changing that format (the reproducers of past findings, the files named
bug-*, are kept as they were found).
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   'corpus', 'vfio-pci')

R, W, M = 1, 2, 4           # VFIO_REGION_INFO_FLAG_READ/WRITE/MMAP
PAGES = 0x80                # mmap areas given in 4 KiB pages


def u8(v): return struct.pack('<B', v & 0xff)
def u16(v): return struct.pack('<H', v & 0xffff)
def u32(v): return struct.pack('<I', v & 0xffffffff)
def u64(v): return struct.pack('<Q', v & 0xffffffffffffffff)


def patches(items):
    out = u8(len(items))
    for off, data in items:
        out += u16(off) + u8(len(data)) + data
    return out


def region(log2_size=0, flags=0, areas=()):
    out = u8(flags | (len(areas) << 5) | (PAGES if areas else 0))
    out += u8(log2_size)
    for off, size in areas:
        out += u32(off) + u32(size)
    return out


def device(props=0, dev_flags=1, config=(), regions=None, rom=(),
           irqs=None, iommu=b'\0', fails=(0,) * 11, config_size=None):
    regions = regions or {
        0: region(14, R | W | M, [(1, 3)]),     # 16 KiB, registers in page 0
        1: region(5, R | W),                    # 32 bytes of I/O
        2: region(16, R | W | M, [(0, 16)]),    # 64 KiB, 64-bit
        4: region(14, R | W | M, [(0, 4)]),     # MSI-X table 0, PBA 0x800
        6: region(15, R),                       # 32 KiB ROM
    }
    irqs = irqs or [(1, 7), (4, 9), (8, 1), (1, 1), (1, 1)]
    if config_size is not None:
        dev_flags |= 0x10
    out = u8(props) + u8(dev_flags)
    if config_size is not None:
        out += u16(config_size)
    out += patches(config)
    for i in (0, 1, 2, 3, 4, 5, 6, 8):
        out += regions.get(i, region())
    out += patches(rom)
    for count, flags in irqs:
        out += u16(count) + u8(flags)
    out += iommu + bytes(fails)
    return out


def cfg_read(off, size=2): return u8(0) + u16(off) + u8(size)
def cfg_write(off, val, size=2): return u8(1) + u16(off) + u8(size) + u32(val)
def bar_read(bar, off, size=2): return u8(2) + u8(bar) + u32(off) + u8(size)
def bar_write(bar, off, val, size=2):
    return u8(3) + u8(bar) + u32(off) + u8(size) + u64(val)
def msix_read(off, pba=0, size=2): return u8(4) + u8(size) + u8(pba) + u16(off)
def msix_write(off, val, pba=0, size=2):
    return u8(5) + u8(size) + u8(pba) + u16(off) + u32(val)
def enable_msi(v=0): return u8(6) + u8(v)
def enable_msix(v=0): return u8(7) + u8(v)
def fire(index, vector=0): return u8(8) + u8(index) + u16(vector)
def clock(us): return u8(9) + u32(us)
def reset(): return u8(10)
def fault(which, count): return u8(11) + u8(which | (count << 4))


SEEDS = {
    'msix': device() + enable_msix(0) + fire(2, 0) + msix_read(0x800) +
            msix_write(0xc, 1) + fire(2, 0) + msix_read(0x800, 1) +
            msix_write(0xc, 0) + enable_msix(3) + fire(2, 3) +
            cfg_write(0xb2, 0),
    'msi': device() + enable_msi(2) + fire(1, 0) + fire(1, 3) +
           cfg_write(0x60, 1, 2) + fire(1, 1) + cfg_write(0x52, 0),
    'intx': device() + fire(0) + bar_read(0, 0x10) + clock(2000000) +
            fire(0) + bar_write(0, 0x20, 5) + cfg_write(4, 0x407) +
            fire(0) + clock(100),
    'rom': device() + bar_read(6, 0, 2) + bar_read(6, 0x18, 1) +
           bar_read(6, 0x7ffe, 3) + bar_write(6, 0, 0, 2) +
           cfg_write(0x30, 0xffffffff, 2) + cfg_read(0x30, 2),
    'config': device() + b''.join(cfg_read(o, s) for o, s in
                                  [(0, 2), (4, 1), (6, 1), (0xe, 0),
                                   (0x34, 0), (0x3c, 2), (0x40, 2),
                                   (0x50, 2), (0x70, 2), (0xb0, 2),
                                   (0x100, 2), (0x150, 2), (0xffc, 2)]) +
              cfg_write(0x3c, 0xffffffff, 2) + cfg_write(0xc, 0xffffffff, 2) +
              cfg_write(0x40, 0xffffffff, 2) + cfg_write(0x104, 0x5a5a5a5a, 2),
    'bars': device() + bar_read(0, 0, 3) + bar_write(0, 0x1000, 7, 3) +
            bar_read(1, 2, 1) + bar_write(1, 0x1f, 1, 0) + bar_read(2, 0, 3) +
            bar_write(2, 0xfffe, 0xffff, 1) + cfg_write(0x10, 0xffffffff, 2) +
            cfg_read(0x10, 2) + cfg_write(0x18, 0xe0100000, 2) +
            bar_read(2, 8, 2),
    'reset': device(fails=(0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0)) + enable_msix() +
             reset() + reset() + reset() + fire(2, 0) + fire(0),
    'faults': device() + fault(0, 3) + cfg_read(0x40) + fault(2, 2) +
              bar_read(0, 0) + bar_write(0, 4, 1) + fault(3, 1) +
              bar_read(2, 0, 3) + fault(5, 2) + enable_msix(1) + enable_msi(0),
    'realize-faults': device(fails=(2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0)) +
                      enable_msix() + fire(2),
    'broken-chain': device(config=[(0x41, b'\x40')]) + cfg_read(0x34, 0),
    'ext-loop': device(config=[(0x102, b'\x00\x10')]) + cfg_read(0x100, 2),
    'hidden-msix': device(config=[(0xb4, b'\x05\x00\x00\x00')]) +
                   enable_msix() + bar_read(4, 0, 2),
    'mappable': device(regions={0: region(14, R | W),
                                4: region(12, R | W | M | 0x10, [(0, 1)])}) +
                enable_msix() + msix_write(0, 0xfee00000),
    'sparse-lies': device(regions={0: region(12, R | W | M,
                                             [(0, 0x10000), (7, 1)]),
                                   4: region(14, R | W | M, [(0, 4)])}),
    'reserved-iova': device(iommu=u8(1 | 4) + u64(0x1000) + u64(0x100000) +
                            u64(0x200000)),
    'dma-limit': device(iommu=u8(2) + u8(1)),
    'pgsizes-2m': device(iommu=u8(1) + u64(0x200000)),
    'req': device() + enable_msix() + fire(4) + bar_read(0, 0) + fire(2),
    'err': device() + fire(3) + cfg_read(0),
    'no-reset': device(dev_flags=0) + reset(),
    'small-config': device(dev_flags=1 | 0x20) + cfg_read(0x100, 2),
    'rombar-off': device(props=2) + bar_read(6, 0, 2),
    'no-mmap': device(props=1 | 8) + fire(0) + bar_read(0, 0) + clock(5000),
    'ext-past-end': device(config_size=0x17e,
                           config=[(0x102, b'\x01\x17')]),
    'readonly-bar': device(regions={0: region(14, R | M, [(1, 3)]),
                                    4: region(14, R | W | M, [(0, 4)])}) +
                    bar_write(0, 0x1000, 1, 2) + bar_read(0, 0x1000, 2),
    'huge-bar': device(regions={2: b'\x87\x80' + u64(1 << 63 | 1),
                                4: region(14, R | W | M, [(0, 4)])}),
    'huge-rom': device(regions={0: region(14, R | W),
                                4: region(14, R | W | M, [(0, 4)]),
                                6: b'\x01\x28'}),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
