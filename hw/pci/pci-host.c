/*
 * Host-bridge config access: the CF8/CFC port pair and the ECAM window.
 * The root bus is bus 0; other bus numbers are routed through the
 * bridges (pci_find_device).
 */
#include "qemu/osdep.h"
#include "system/accel.h"
#include "hw/pci/pci_host.h"

#define PCI_CF8_ENABLE (1u << 31)

static uint32_t pci_host_ones(unsigned len)
{
    return len >= 4 ? UINT32_MAX : (1u << (8 * len)) - 1;
}

/* An access within one dword of an existing function's config space. */
static bool pci_host_access_ok(PCIDevice *dev, uint32_t reg, unsigned len)
{
    return dev && (len == 1 || len == 2 || len == 4) &&
           (reg & 3) + len <= 4 && reg + len <= pci_config_size(dev);
}

/* Register bits 7..0 from CF8 (with the byte offset), 11..8 from 27..24. */
static uint32_t pci_cf8_reg(uint32_t cf8)
{
    return (cf8 & 0xff) | ((cf8 >> 16) & 0xf00);
}

static PCIDevice *pci_cf8_device(PCIBus *bus, uint32_t cf8)
{
    if (!(cf8 & PCI_CF8_ENABLE)) {
        return NULL;
    }
    return pci_find_device(bus, (cf8 >> 16) & 0xff, (cf8 >> 8) & 0xff);
}

uint32_t pci_data_read(PCIBus *bus, uint32_t cf8, unsigned len)
{
    PCIDevice *dev = pci_cf8_device(bus, cf8);
    uint32_t reg = pci_cf8_reg(cf8);

    if (!pci_host_access_ok(dev, reg, len)) {
        return pci_host_ones(len);
    }
    return pci_config_read(dev, reg, len);
}

void pci_data_write(PCIBus *bus, uint32_t cf8, uint32_t val, unsigned len)
{
    PCIDevice *dev = pci_cf8_device(bus, cf8);
    uint32_t reg = pci_cf8_reg(cf8);

    if (pci_host_access_ok(dev, reg, len)) {
        pci_config_write(dev, reg, val, len);
    }
}

static PCIDevice *pcie_mmcfg_device(PCIBus *bus, uint32_t offset)
{
    return pci_find_device(bus, (offset >> 20) & 0xff, (offset >> 12) & 0xff);
}

uint32_t pcie_mmcfg_read(PCIBus *bus, uint32_t offset, unsigned len)
{
    PCIDevice *dev = pcie_mmcfg_device(bus, offset);
    uint32_t reg = offset & 0xfff;

    if (!pci_host_access_ok(dev, reg, len)) {
        return pci_host_ones(len);
    }
    return pci_config_read(dev, reg, len);
}

void pcie_mmcfg_write(PCIBus *bus, uint32_t offset, uint32_t val,
                      unsigned len)
{
    PCIDevice *dev = pcie_mmcfg_device(bus, offset);
    uint32_t reg = offset & 0xfff;

    if (pci_host_access_ok(dev, reg, len)) {
        pci_config_write(dev, reg, val, len);
    }
}

/* 0xCF8: a 32-bit register; narrower accesses are not for us. */
static uint64_t pci_host_conf_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIHostConfig *s = opaque;

    if (addr != 0 || size != 4) {
        return pci_host_ones(size);
    }
    return s->config_reg;
}

static void pci_host_conf_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    PCIHostConfig *s = opaque;

    if (addr == 0 && size == 4) {
        s->config_reg = val;
    }
}

static const MemoryRegionOps pci_host_conf_ops = {
    .read = pci_host_conf_read,
    .write = pci_host_conf_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/*
 * 0xCFC-0xCFF: the byte offset into the data port selects bytes within
 * the dword. libqos instead puts the byte offset into CF8's low bits and
 * always uses 0xCFC; QEMU honours both by OR-ing them, and so do we.
 */
static uint32_t pci_host_data_address(PCIHostConfig *s, hwaddr addr)
{
    return s->config_reg | (addr & 3);
}

static uint64_t pci_host_data_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIHostConfig *s = opaque;

    return pci_data_read(s->bus, pci_host_data_address(s, addr), size);
}

static void pci_host_data_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    PCIHostConfig *s = opaque;

    pci_data_write(s->bus, pci_host_data_address(s, addr), val, size);
}

static const MemoryRegionOps pci_host_data_ops = {
    .read = pci_host_data_read,
    .write = pci_host_data_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static uint64_t pcie_mmcfg_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIHostConfig *s = opaque;

    return pcie_mmcfg_read(s->bus, addr, size);
}

static void pcie_mmcfg_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    PCIHostConfig *s = opaque;

    pcie_mmcfg_write(s->bus, addr, val, size);
}

static const MemoryRegionOps pcie_mmcfg_ops = {
    .read = pcie_mmcfg_mmio_read,
    .write = pcie_mmcfg_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

void pci_host_config_init(PCIHostConfig *s, Object *owner, PCIBus *bus,
                          MemoryRegion *io, MemoryRegion *mem,
                          hwaddr ecam_base, uint64_t ecam_size)
{
    s->bus = bus;
    s->config_reg = 0;
    if (io) {
        memory_region_init_io(&s->conf_mem, owner, &pci_host_conf_ops, s,
                              "pci-conf-idx", 4);
        memory_region_add_subregion(io, 0xcf8, &s->conf_mem);
        /*
         * Writing the address register has no effect until the data
         * port is reached: let the accelerator batch those writes.
         */
        accel_coalesce_pio(0xcf8, 4);
        memory_region_init_io(&s->data_mem, owner, &pci_host_data_ops, s,
                              "pci-conf-data", 4);
        memory_region_add_subregion(io, 0xcfc, &s->data_mem);
    }
    if (mem && ecam_size) {
        memory_region_init_io(&s->mmcfg, owner, &pcie_mmcfg_ops, s,
                              "pcie-mmcfg", ecam_size);
        memory_region_add_subregion(mem, ecam_base, &s->mmcfg);
    }
}
