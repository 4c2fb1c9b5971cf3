/*
 * Unit tests for BARs (sizing, mapping, moving, 64-bit, ROM), INTx and
 * bus-master gating of DMA.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "pci-test-util.h"

#define TYPE_BAR_DEV "test-pci-bar-dev"
#define TYPE_NOIRQ_DEV "test-pci-noirq-dev"
#define RAM_SIZE 0x100000

#define IO_BAR_SIZE 0x20
#define MEM32_SIZE 0x1000
#define MEM64_SIZE 0x4000
#define PREF_SIZE 0x10000

typedef struct BarDev {
    PCIDevice parent_obj;
    MemoryRegion io;
    MemoryRegion mem32;
    MemoryRegion mem64;
    MemoryRegion pref;
    uint32_t io_reg;
} BarDev;

static PCIBus *bus;
static int irq_level[PCI_NUM_PINS];
static int irq_calls;

static uint64_t bar_io_read(void *opaque, hwaddr addr, unsigned size)
{
    BarDev *d = opaque;

    return d->io_reg + addr;
}

static void bar_io_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    BarDev *d = opaque;

    d->io_reg = val;
}

static const MemoryRegionOps bar_io_ops = {
    .read = bar_io_read,
    .write = bar_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void bar_dev_realize(PCIDevice *pdev, Error **errp)
{
    BarDev *d = (BarDev *)pdev;
    Object *owner = OBJECT(d);

    pdev->config[PCI_INTERRUPT_PIN] = 1;
    memory_region_init_io(&d->io, owner, &bar_io_ops, d, "bar-io",
                          IO_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_IO, &d->io);
    if (!memory_region_init_ram(&d->mem32, owner, "bar-mem32", MEM32_SIZE,
                                errp) ||
        !memory_region_init_ram(&d->mem64, owner, "bar-mem64", MEM64_SIZE,
                                errp) ||
        !memory_region_init_ram(&d->pref, owner, "bar-pref", PREF_SIZE,
                                errp)) {
        return;
    }
    pci_register_bar(pdev, 1, PCI_BASE_ADDRESS_SPACE_MEMORY, &d->mem32);
    pci_register_bar(pdev, 2, PCI_BASE_ADDRESS_MEM_TYPE_64, &d->mem64);
    pci_register_bar(pdev, 4, PCI_BASE_ADDRESS_MEM_PREFETCH, &d->pref);
}

static void bar_dev_finalize(Object *obj)
{
    BarDev *d = (BarDev *)obj;

    memory_region_finalize(&d->io);
    memory_region_finalize(&d->mem32);
    memory_region_finalize(&d->mem64);
    memory_region_finalize(&d->pref);
}

static void bar_dev_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = 0x1234;
    pc->device_id = 0x0b0b;
    pc->class_id = 0x0200;
    pc->realize = bar_dev_realize;
}

static void noirq_dev_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = 0x1234;
    pc->device_id = 0x0b0c;
}

static const TypeInfo bar_dev_types[] = {
    {
        .name = TYPE_BAR_DEV,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(BarDev),
        .class_init = bar_dev_class_init,
        .instance_finalize = bar_dev_finalize,
    },
    {
        .name = TYPE_NOIRQ_DEV,
        .parent = TYPE_PCI_DEVICE,
        .class_init = noirq_dev_class_init,
    },
};

static void bar_dev_register_types(void)
{
    type_register_static_array(bar_dev_types, ARRAY_SIZE(bar_dev_types));
}

type_init(bar_dev_register_types)

static PCIDevice *create(const char *type)
{
    return pci_test_new(type, &error_abort, NULL);
}

static uint32_t cfg_readl(PCIDevice *dev, int reg)
{
    return pci_config_read(dev, reg, 4);
}

static void cfg_writel(PCIDevice *dev, int reg, uint32_t val)
{
    pci_config_write(dev, reg, val, 4);
}

static void set_command(PCIDevice *dev, uint16_t cmd)
{
    pci_config_write(dev, PCI_COMMAND, cmd, 2);
}

static void test_sizing(void)
{
    PCIDevice *dev = create(TYPE_BAR_DEV);

    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_0), ==,
                    PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_2), ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64);
    for (int i = 0; i < 6; i++) {
        cfg_writel(dev, PCI_BASE_ADDRESS_0 + 4 * i, 0xffffffff);
    }
    /* What libqos does: mask the type bits, size = lowest set bit. */
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_0), ==,
                    (uint32_t)~(IO_BAR_SIZE - 1) | PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_1), ==,
                    (uint32_t)~(MEM32_SIZE - 1));
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_2), ==,
                    (uint32_t)~(MEM64_SIZE - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_3), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_4), ==,
                    (uint32_t)~(PREF_SIZE - 1) | PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_5), ==, 0);
    g_assert_cmphex(cfg_readl(dev, PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmpuint(1u << __builtin_ctz(cfg_readl(dev, PCI_BASE_ADDRESS_0) &
                                         ~3u), ==, IO_BAR_SIZE);
    /* Not mapped: COMMAND is clear. */
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        g_assert_cmphex(pci_get_bar_addr(dev, i), ==, PCI_BAR_UNMAPPED);
    }
    /* Reset keeps the type bits only. */
    device_cold_reset(DEVICE(dev));
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_0), ==,
                    PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_3), ==, 0);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_4), ==,
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    pci_test_destroy(dev);
}

static void test_mapping_command(void)
{
    PCIDevice *dev = create(TYPE_BAR_DEV);

    cfg_writel(dev, PCI_BASE_ADDRESS_0, 0xc000 | PCI_BASE_ADDRESS_SPACE_IO);
    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xe0000000);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(pci_test_readl(0xe0000000), ==, 0xffffffff);
    g_assert_cmpint(pci_test_writel(0xe0000000, 1), ==, MEMTX_DECODE_ERROR);

    set_command(dev, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, 0xe0000000);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmpint(pci_test_writel(0xe0000ffc, 0xcafef00d), ==, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(0xe0000ffc), ==, 0xcafef00d);
    g_assert_cmphex(pci_test_io_read(0xc004, 4), ==, 0xffffffff);

    set_command(dev, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, 0xc000);
    ((BarDev *)dev)->io_reg = 0x100;
    g_assert_cmphex(pci_test_io_read(0xc004, 4), ==, 0x104);

    set_command(dev, PCI_COMMAND_IO);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(pci_test_readl(0xe0000ffc), ==, 0xffffffff);

    /* Address 0 and IO beyond 64 KiB stay unmapped. */
    cfg_writel(dev, PCI_BASE_ADDRESS_0, 0x10000 | PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, PCI_BAR_UNMAPPED);
    cfg_writel(dev, PCI_BASE_ADDRESS_0, 0xffffffe1);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, PCI_BAR_UNMAPPED);
    cfg_writel(dev, PCI_BASE_ADDRESS_0, 0xfff0 | PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_0), ==, 0xffe1);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, 0xffe0);
    cfg_writel(dev, PCI_BASE_ADDRESS_0, 0);
    g_assert_cmphex(pci_get_bar_addr(dev, 0), ==, PCI_BAR_UNMAPPED);

    /* Unaligned programming: the low bits are not writable. */
    set_command(dev, PCI_COMMAND_MEMORY);
    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xe0000123);
    g_assert_cmphex(cfg_readl(dev, PCI_BASE_ADDRESS_1), ==, 0xe0000000);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, 0xe0000000);

    /* Unrealize unmaps. */
    pci_test_destroy(dev);
    g_assert_cmphex(pci_test_readl(0xe0000ffc), ==, 0xffffffff);
}

static void test_move_and_sizing_unmaps(void)
{
    PCIDevice *dev = create(TYPE_BAR_DEV);

    set_command(dev, PCI_COMMAND_MEMORY);
    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xe0000000);
    pci_test_writel(0xe0000010, 0x11223344);

    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xe0004000);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, 0xe0004000);
    g_assert_cmphex(pci_test_readl(0xe0000010), ==, 0xffffffff);
    g_assert_cmphex(pci_test_readl(0xe0004010), ==, 0x11223344);

    /* Sizing with decoding on: a 32-bit BAR reaching 4 GiB is unmapped. */
    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xffffffff);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(pci_test_readl(0xfffff010), ==, 0xffffffff);
    g_assert_cmphex(pci_test_readl(0xe0004010), ==, 0xffffffff);
    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xe0004000);
    g_assert_cmphex(pci_test_readl(0xe0004010), ==, 0x11223344);

    /* The prefetchable BAR, and two BARs moving past each other */
    cfg_writel(dev, PCI_BASE_ADDRESS_4, 0xe0010000);
    g_assert_cmphex(pci_get_bar_addr(dev, 4), ==, 0xe0010000);
    pci_test_writel(0xe0010000, 0x55);
    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xe0010000);
    g_assert_cmphex(pci_get_bar_addr(dev, 1), ==, 0xe0010000);
    /* Overlapping BARs: the guest's problem, but nothing breaks. */
    cfg_writel(dev, PCI_BASE_ADDRESS_4, 0xe0020000);
    g_assert_cmphex(pci_test_readl(0xe0020000), ==, 0x55);
    g_assert_cmphex(pci_test_readl(0xe0010010), ==, 0x11223344);
    pci_test_destroy(dev);
}

static void test_mem64(void)
{
    PCIDevice *dev = create(TYPE_BAR_DEV);

    set_command(dev, PCI_COMMAND_MEMORY);
    cfg_writel(dev, PCI_BASE_ADDRESS_2, 0);
    cfg_writel(dev, PCI_BASE_ADDRESS_3, 0x1);
    g_assert_cmphex(pci_get_bar_addr(dev, 2), ==, 0x100000000ULL);
    g_assert_cmpint(pci_test_writel(0x100000008ULL, 0xa5a5a5a5), ==, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(0x100000008ULL), ==, 0xa5a5a5a5);

    cfg_writel(dev, PCI_BASE_ADDRESS_2, 0x80000000);
    g_assert_cmphex(pci_get_bar_addr(dev, 2), ==, 0x180000000ULL);
    g_assert_cmphex(pci_test_readl(0x180000008ULL), ==, 0xa5a5a5a5);
    g_assert_cmphex(pci_test_readl(0x100000008ULL), ==, 0xffffffff);
    /* Both halves all ones (sizing): unmapped */
    cfg_writel(dev, PCI_BASE_ADDRESS_2, 0xffffffff);
    cfg_writel(dev, PCI_BASE_ADDRESS_3, 0xffffffff);
    g_assert_cmphex(pci_get_bar_addr(dev, 2), ==, PCI_BAR_UNMAPPED);
    /* Below 4 GiB is fine too. */
    cfg_writel(dev, PCI_BASE_ADDRESS_3, 0);
    cfg_writel(dev, PCI_BASE_ADDRESS_2, 0xe0040000);
    g_assert_cmphex(pci_get_bar_addr(dev, 2), ==, 0xe0040000);
    g_assert_cmphex(pci_test_readl(0xe0040008), ==, 0xa5a5a5a5);
    pci_test_destroy(dev);
}

static char *write_rom_file(size_t len)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test-pci-rom-XXXXXX", &path, NULL);
    g_autofree uint8_t *data = g_malloc(len);

    g_assert_cmpint(fd, >=, 0);
    for (size_t i = 0; i < len; i++) {
        data[i] = i;
    }
    data[0] = 0x55;
    data[1] = 0xaa;
    g_assert_cmpint(write(fd, data, len), ==, len);
    close(fd);
    return path;
}

static void test_rom(void)
{
    g_autofree char *path = write_rom_file(3000);
    PCIDevice *dev = pci_test_new(TYPE_BAR_DEV, &error_abort,
                                  "romfile", path, NULL);

    g_assert_true(dev->has_rom);
    g_assert_cmphex(cfg_readl(dev, PCI_ROM_ADDRESS), ==, 0);
    cfg_writel(dev, PCI_ROM_ADDRESS, 0xfffffffe);
    g_assert_cmphex(cfg_readl(dev, PCI_ROM_ADDRESS), ==, 0xfffff000);
    cfg_writel(dev, PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(cfg_readl(dev, PCI_ROM_ADDRESS), ==,
                    0xfffff000 | PCI_ROM_ADDRESS_ENABLE);

    /* Needs both COMMAND.MEMORY and the ROM enable bit. */
    cfg_writel(dev, PCI_ROM_ADDRESS, 0xe0100000);
    set_command(dev, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_get_bar_addr(dev, PCI_ROM_SLOT), ==, PCI_BAR_UNMAPPED);
    cfg_writel(dev, PCI_ROM_ADDRESS, 0xe0100000 | PCI_ROM_ADDRESS_ENABLE);
    g_assert_cmphex(pci_get_bar_addr(dev, PCI_ROM_SLOT), ==, 0xe0100000);
    g_assert_cmphex(pci_test_readl(0xe0100000) & 0xffff, ==, 0xaa55);
    g_assert_cmphex(pci_test_readl(0xe0100000 + 2996), ==, 0xb7b6b5b4);
    /* Beyond the image, within the BAR: zeroes. Read-only. */
    g_assert_cmphex(pci_test_readl(0xe0100000 + 3000), ==, 0);
    pci_test_writel(0xe0100000, 0);
    g_assert_cmphex(pci_test_readl(0xe0100000) & 0xffff, ==, 0xaa55);
    set_command(dev, 0);
    g_assert_cmphex(pci_get_bar_addr(dev, PCI_ROM_SLOT), ==, PCI_BAR_UNMAPPED);
    set_command(dev, PCI_COMMAND_MEMORY);
    device_cold_reset(DEVICE(dev));
    g_assert_cmphex(cfg_readl(dev, PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmphex(pci_get_bar_addr(dev, PCI_ROM_SLOT), ==, PCI_BAR_UNMAPPED);
    pci_test_destroy(dev);
    unlink(path);
}

static void test_rom_options(void)
{
    g_autofree char *path = write_rom_file(3000);
    PCIDevice *dev;
    Error *err = NULL;

    /* rombar=0 hides the image. */
    dev = pci_test_new(TYPE_BAR_DEV, &error_abort,
                       "romfile", path, "rombar", "0", NULL);
    g_assert_false(dev->has_rom);
    cfg_writel(dev, PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(cfg_readl(dev, PCI_ROM_ADDRESS), ==, 0);
    pci_test_destroy(dev);

    /* romsize enlarges the BAR, and must hold the image. */
    dev = pci_test_new(TYPE_BAR_DEV, &error_abort, "romsize", "65536", NULL);
    g_assert_false(dev->has_rom);
    pci_test_destroy(dev);
    dev = pci_test_new(TYPE_BAR_DEV, &error_abort,
                       "romfile", path, "romsize", "65536", NULL);
    cfg_writel(dev, PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(cfg_readl(dev, PCI_ROM_ADDRESS), ==, 0xffff0001);
    pci_test_destroy(dev);

    g_assert_null(pci_test_new(TYPE_BAR_DEV, &err,
                               "romfile", path, "romsize", "2048", NULL));
    g_assert_nonnull(strstr(error_get_pretty(err), path));
    g_assert_nonnull(strstr(error_get_pretty(err), "romsize"));
    error_free_or_abort(&err);

    /* An unreadable file names the file and what to do. */
    g_assert_null(pci_test_new(TYPE_BAR_DEV, &err,
                               "romfile", "/nonexistent/rom.bin", NULL));
    g_assert_nonnull(strstr(error_get_pretty(err), "/nonexistent/rom.bin"));
    g_assert_nonnull(strstr(error_get_pretty(err), "rombar=0"));
    error_free_or_abort(&err);
    /* The failed device left its slot free. */
    g_assert_cmpint(pci_bus_find_free_devfn(bus), ==, 0);
    unlink(path);
}

static void record_irq(void *opaque, int irq, int level)
{
    g_assert_cmpint(irq, >=, 0);
    g_assert_cmpint(irq, <, PCI_NUM_PINS);
    irq_level[irq] = level;
    irq_calls++;
}

/* Every device's INTA# shares one line; INTB# another. */
static int map_irq(PCIDevice *dev, int pin)
{
    return pin;
}

static uint16_t status(PCIDevice *dev)
{
    return pci_config_read(dev, PCI_STATUS, 2);
}

static void test_intx(void)
{
    PCIDevice *a = create(TYPE_BAR_DEV);
    PCIDevice *b = create(TYPE_BAR_DEV);
    PCIDevice *none = create(TYPE_NOIRQ_DEV);

    g_assert_cmpuint(pci_intx_pin(a), ==, 1);
    memset(irq_level, 0, sizeof(irq_level));
    irq_calls = 0;

    pci_irq_assert(a);
    g_assert_cmpint(irq_level[0], ==, 1);
    g_assert_true(status(a) & PCI_STATUS_INTERRUPT);
    g_assert_cmpuint(status(b) & PCI_STATUS_INTERRUPT, ==, 0);
    pci_irq_assert(b);
    g_assert_cmpint(irq_level[0], ==, 1);
    pci_irq_deassert(a);
    g_assert_cmpint(irq_level[0], ==, 1);
    g_assert_cmpuint(status(a) & PCI_STATUS_INTERRUPT, ==, 0);
    /* Repeating a level changes nothing. */
    irq_calls = 0;
    pci_irq_deassert(a);
    pci_irq_assert(b);
    g_assert_cmpint(irq_calls, ==, 0);
    pci_irq_deassert(b);
    g_assert_cmpint(irq_level[0], ==, 0);

    /* INTX_DISABLE masks the output but keeps the status bit. */
    pci_irq_assert(a);
    set_command(a, PCI_COMMAND_INTX_DISABLE);
    g_assert_cmpint(irq_level[0], ==, 0);
    g_assert_true(status(a) & PCI_STATUS_INTERRUPT);
    pci_irq_assert(b);
    g_assert_cmpint(irq_level[0], ==, 1);
    pci_irq_deassert(b);
    g_assert_cmpint(irq_level[0], ==, 0);
    pci_irq_deassert(a);
    pci_irq_assert(a);
    g_assert_cmpint(irq_level[0], ==, 0);
    set_command(a, 0);
    g_assert_cmpint(irq_level[0], ==, 1);
    set_command(a, PCI_COMMAND_INTX_DISABLE);
    g_assert_cmpint(irq_level[0], ==, 0);
    set_command(a, 0);

    /* Reset and unrealize deassert. */
    device_cold_reset(DEVICE(a));
    g_assert_cmpint(irq_level[0], ==, 0);
    g_assert_cmpuint(status(a) & PCI_STATUS_INTERRUPT, ==, 0);
    pci_irq_assert(b);
    pci_test_destroy(b);
    g_assert_cmpint(irq_level[0], ==, 0);

    /* No pin: nothing happens. */
    irq_calls = 0;
    pci_irq_assert(none);
    g_assert_cmpint(irq_calls, ==, 0);
    g_assert_cmpuint(status(none) & PCI_STATUS_INTERRUPT, ==, 0);
    pci_test_destroy(none);
    pci_test_destroy(a);
}

static void test_bus_master(void)
{
    PCIDevice *dev = create(TYPE_BAR_DEV);
    uint32_t val = 0x87654321;
    uint32_t got = 0;

    pci_test_writel(0x1000, 0);
    g_assert_cmpint(pci_dma_write(dev, 0x1000, &val, 4), !=, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(0x1000), ==, 0);
    g_assert_cmpint(pci_dma_read(dev, 0x1000, &got, 4), !=, MEMTX_OK);

    set_command(dev, PCI_COMMAND_MASTER);
    g_assert_cmpint(pci_dma_write(dev, 0x1000, &val, 4), ==, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(0x1000), ==, 0x87654321);
    g_assert_cmpint(pci_dma_read(dev, 0x1000, &got, 4), ==, MEMTX_OK);
    g_assert_cmphex(got, ==, 0x87654321);
    g_assert_true(pci_get_address_space(dev) == &dev->bus_master_as);

    /* DMA reaches other devices' BARs too (peer to peer). */
    set_command(dev, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
    cfg_writel(dev, PCI_BASE_ADDRESS_1, 0xe0000000);
    g_assert_cmpint(pci_dma_write(dev, 0xe0000004, &val, 4), ==, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(0xe0000004), ==, 0x87654321);

    set_command(dev, 0);
    val = 0x1111;
    g_assert_cmpint(pci_dma_write(dev, 0x1000, &val, 4), !=, MEMTX_OK);
    g_assert_cmphex(pci_test_readl(0x1000), ==, 0x87654321);
    /* Reset turns bus mastering off. */
    set_command(dev, PCI_COMMAND_MASTER);
    device_cold_reset(DEVICE(dev));
    g_assert_cmpint(pci_dma_write(dev, 0x1000, &val, 4), !=, MEMTX_OK);
    pci_test_destroy(dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bus = pci_test_machine_init(RAM_SIZE);
    pci_bus_irqs(bus, record_irq, map_irq, NULL, PCI_NUM_PINS);

    g_test_add_func("/pci/bar/sizing", test_sizing);
    g_test_add_func("/pci/bar/mapping-command", test_mapping_command);
    g_test_add_func("/pci/bar/move-and-sizing", test_move_and_sizing_unmaps);
    g_test_add_func("/pci/bar/mem64", test_mem64);
    g_test_add_func("/pci/bar/rom", test_rom);
    g_test_add_func("/pci/bar/rom-options", test_rom_options);
    g_test_add_func("/pci/intx", test_intx);
    g_test_add_func("/pci/bus-master", test_bus_master);
    return g_test_run();
}
