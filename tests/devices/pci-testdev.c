/*
 * qvfio-test-pci: a PCI device for tests of the core, linked only into the
 * test binary. It has one of each kind of BAR, MSI and MSI-X, INTx and a
 * small DMA engine, all driven through BAR0 registers:
 *   0x00 ID (read-only) 0x7e57de70     0x04 scratch
 *   0x08 write N: raise vector N (MSI-X if enabled, else MSI)
 *   0x0c INTx level (write 1/0; read back)
 *   0x10/0x14 DMA address lo/hi, 0x18 length (<= 2048)
 *   0x1c DMA command: 1 buffer -> guest, 2 guest -> buffer
 *   0x800..0xfff the device buffer
 * BAR1: 32 bytes of I/O, a scratch register at 0.
 * BAR2: 64-bit prefetchable, 64 KiB of RAM.  BAR4: MSI-X table and PBA.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"

#define TYPE_TEST_PCI "qvfio-test-pci"
#define TEST_PCI_ID 0x7e57de70
#define TEST_PCI_BUF 0x800
#define TEST_PCI_BUF_SIZE 0x800

enum {
    REG_ID = 0x00,
    REG_SCRATCH = 0x04,
    REG_RAISE = 0x08,
    REG_INTX = 0x0c,
    REG_DMA_LO = 0x10,
    REG_DMA_HI = 0x14,
    REG_DMA_LEN = 0x18,
    REG_DMA_CMD = 0x1c,
};

typedef struct TestPCIState {
    PCIDevice parent_obj;
    MemoryRegion regs;
    MemoryRegion io;
    MemoryRegion ram;
    uint32_t msix_vectors;
    uint32_t msi_vectors;
    bool msi64;
    bool msi_mask;
    uint32_t scratch;
    uint32_t io_scratch;
    uint32_t intx;
    uint64_t dma_addr;
    uint32_t dma_len;
    uint8_t buf[TEST_PCI_BUF_SIZE];
} TestPCIState;

#define TEST_PCI(obj) OBJECT_CHECK(TestPCIState, (obj), TYPE_TEST_PCI)

static void test_pci_raise(TestPCIState *s, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (msix_enabled(pdev)) {
        if (vector < msix_nr_vectors(pdev)) {
            msix_notify(pdev, vector);
        }
    } else if (msi_enabled(pdev)) {
        if (vector < msi_nr_vectors_allocated(pdev)) {
            msi_notify(pdev, vector);
        }
    }
}

static void test_pci_dma(TestPCIState *s, uint32_t cmd)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t len = MIN(s->dma_len, TEST_PCI_BUF_SIZE);

    if (cmd == 1) {
        pci_dma_write(pdev, s->dma_addr, s->buf, len);
    } else if (cmd == 2) {
        pci_dma_read(pdev, s->dma_addr, s->buf, len);
    }
}

static uint64_t test_pci_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    TestPCIState *s = opaque;

    if (addr >= TEST_PCI_BUF) {
        return ldn_le_p(s->buf + (addr - TEST_PCI_BUF), size);
    }
    switch (addr) {
    case REG_ID:
        return TEST_PCI_ID;
    case REG_SCRATCH:
        return s->scratch;
    case REG_INTX:
        return s->intx;
    case REG_DMA_LO:
        return (uint32_t)s->dma_addr;
    case REG_DMA_HI:
        return s->dma_addr >> 32;
    case REG_DMA_LEN:
        return s->dma_len;
    default:
        return 0;
    }
}

static void test_pci_regs_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    TestPCIState *s = opaque;

    if (addr >= TEST_PCI_BUF) {
        stn_le_p(s->buf + (addr - TEST_PCI_BUF), size, val);
        return;
    }
    switch (addr) {
    case REG_SCRATCH:
        s->scratch = val;
        break;
    case REG_RAISE:
        test_pci_raise(s, val);
        break;
    case REG_INTX:
        s->intx = !!val;
        pci_set_irq(PCI_DEVICE(s), s->intx);
        break;
    case REG_DMA_LO:
        s->dma_addr = (s->dma_addr & ~0xffffffffULL) | (uint32_t)val;
        break;
    case REG_DMA_HI:
        s->dma_addr = (s->dma_addr & 0xffffffffULL) | (val << 32);
        break;
    case REG_DMA_LEN:
        s->dma_len = val;
        break;
    case REG_DMA_CMD:
        test_pci_dma(s, val);
        break;
    }
}

static const MemoryRegionOps test_pci_regs_ops = {
    .read = test_pci_regs_read,
    .write = test_pci_regs_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t test_pci_io_read(void *opaque, hwaddr addr, unsigned size)
{
    TestPCIState *s = opaque;

    return addr < 4 ? s->io_scratch >> (addr * 8) : 0;
}

static void test_pci_io_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    TestPCIState *s = opaque;

    for (unsigned i = 0; i < size && addr + i < 4; i++) {
        unsigned shift = (addr + i) * 8;

        s->io_scratch &= ~(0xffu << shift);
        s->io_scratch |= ((val >> (i * 8)) & 0xff) << shift;
    }
}

static const MemoryRegionOps test_pci_io_ops = {
    .read = test_pci_io_read,
    .write = test_pci_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool test_pci_setup(TestPCIState *s, Error **errp)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    Object *owner = OBJECT(s);

    pdev->config[PCI_INTERRUPT_PIN] = 1;
    memory_region_init_io(&s->regs, owner, &test_pci_regs_ops, s,
                          "qvfio-test-pci.regs", 0x1000);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->regs);
    memory_region_init_io(&s->io, owner, &test_pci_io_ops, s,
                          "qvfio-test-pci.io", 32);
    pci_register_bar(pdev, 1, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
    if (!memory_region_init_ram(&s->ram, owner, "qvfio-test-pci.ram",
                                64 * 1024, errp)) {
        return false;
    }
    pci_register_bar(pdev, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &s->ram);
    if (pci_is_express(pdev) && !pcie_endpoint_cap_init(pdev, 0, errp)) {
        return false;
    }
    if (s->msi_vectors &&
        !msi_init(pdev, 0, s->msi_vectors, s->msi64, s->msi_mask, errp)) {
        return false;
    }
    return !s->msix_vectors ||
           msix_init_exclusive_bar(pdev, s->msix_vectors, 4, errp);
}

/* Undo whatever test_pci_setup got done (also the unrealize path). */
static void test_pci_exit(PCIDevice *pdev)
{
    TestPCIState *s = TEST_PCI(pdev);

    if (msix_present(pdev)) {
        msix_uninit_exclusive_bar(pdev);
    }
    if (msi_present(pdev)) {
        msi_uninit(pdev);
    }
    memory_region_finalize(&s->regs);
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->ram);
}

static void test_pci_realize(PCIDevice *pdev, Error **errp)
{
    if (!test_pci_setup(TEST_PCI(pdev), errp)) {
        test_pci_exit(pdev);
    }
}

static void test_pci_reset(DeviceState *dev)
{
    TestPCIState *s = TEST_PCI(dev);

    pci_device_reset(PCI_DEVICE(dev));
    s->scratch = 0;
    s->io_scratch = 0;
    s->intx = 0;
    s->dma_addr = 0;
    s->dma_len = 0;
}

static const Property test_pci_props[] = {
    DEFINE_PROP_UINT32("msix-vectors", TestPCIState, msix_vectors, 4),
    DEFINE_PROP_UINT32("msi-vectors", TestPCIState, msi_vectors, 1),
    DEFINE_PROP_BOOL("msi64", TestPCIState, msi64, true),
    DEFINE_PROP_BOOL("msi-mask", TestPCIState, msi_mask, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void test_pci_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = test_pci_realize;
    k->exit = test_pci_exit;
    k->vendor_id = 0x1b36;
    k->device_id = 0x00ff;
    k->class_id = 0x00ff;
    k->is_express = true;
    dc->desc = "PCI device for tests of the emulator core";
    dc->user_creatable = true;
    dc->hotpluggable = true;
    dc->reset = test_pci_reset;
    device_class_set_props(dc, test_pci_props);
}

static const TypeInfo test_pci_type = {
    .name = TYPE_TEST_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPCIState),
    .class_init = test_pci_class_init,
};

static void test_pci_register_types(void)
{
    type_register_static(&test_pci_type);
}
type_init(test_pci_register_types)
