/*
 * Unit tests for PCI config space: masks, capabilities (standard and
 * extended), slot assignment, and host-bridge access through CF8/CFC and
 * ECAM.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_host.h"
#include "pci-test-util.h"

#define TYPE_CFG_DEV "test-pci-cfg-dev"
#define TYPE_CFG_DEV_CONV "test-pci-cfg-dev-conventional"
#define ECAM_BASE 0xb0000000ULL
#define ECAM_SIZE 0x10000000ULL

static PCIBus *bus;
static PCIHostConfig host;

static void cfg_dev_realize(PCIDevice *dev, Error **errp)
{
    dev->config[PCI_INTERRUPT_PIN] = 1;
}

static void cfg_dev_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = 0x1234;
    pc->device_id = 0x5678;
    pc->revision = 0x02;
    pc->class_id = 0x0200;
    pc->subsystem_vendor_id = 0x1af4;
    pc->subsystem_id = 0x1100;
    pc->is_express = true;
    pc->realize = cfg_dev_realize;
}

static void cfg_dev_conv_class_init(ObjectClass *oc, const void *data)
{
    cfg_dev_class_init(oc, data);
    PCI_DEVICE_CLASS(oc)->is_express = false;
}

static const TypeInfo cfg_dev_types[] = {
    {
        .name = TYPE_CFG_DEV,
        .parent = TYPE_PCI_DEVICE,
        .class_init = cfg_dev_class_init,
    },
    {
        .name = TYPE_CFG_DEV_CONV,
        .parent = TYPE_PCI_DEVICE,
        .class_init = cfg_dev_conv_class_init,
    },
};

static void cfg_dev_register_types(void)
{
    type_register_static_array(cfg_dev_types, ARRAY_SIZE(cfg_dev_types));
}

type_init(cfg_dev_register_types)

static PCIDevice *try_create(const char *type, int devfn, bool multifunction,
                             Error **errp)
{
    DeviceState *qdev = qdev_new(type);

    PCI_DEVICE(qdev)->devfn = devfn;
    PCI_DEVICE(qdev)->multifunction = multifunction;
    return pci_test_realize(qdev, errp);
}

static PCIDevice *create(const char *type, int devfn)
{
    return try_create(type, devfn, false, &error_abort);
}

static void assert_error_contains(Error *err, const char *text)
{
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), text)) {
        g_test_message("error: %s", error_get_pretty(err));
        g_assert_not_reached();
    }
}

static void test_header(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, PCI_DEVFN(3, 0));

    g_assert_cmpuint(pci_config_read(dev, PCI_VENDOR_ID, 2), ==, 0x1234);
    g_assert_cmpuint(pci_config_read(dev, PCI_VENDOR_ID, 4), ==, 0x56781234);
    g_assert_cmpuint(pci_config_read(dev, PCI_REVISION_ID, 1), ==, 0x02);
    g_assert_cmpuint(pci_config_read(dev, PCI_CLASS_DEVICE, 2), ==, 0x0200);
    g_assert_cmpuint(pci_config_read(dev, PCI_SUBSYSTEM_VENDOR_ID, 4), ==,
                     0x11001af4);
    g_assert_cmpuint(pci_config_read(dev, PCI_HEADER_TYPE, 1), ==,
                     PCI_HEADER_TYPE_NORMAL);
    g_assert_cmpuint(pci_config_read(dev, PCI_INTERRUPT_PIN, 1), ==, 1);
    g_assert_cmpuint(pci_config_size(dev), ==, PCIE_CONFIG_SPACE_SIZE);
    g_assert_true(pci_is_express(dev));
    g_assert_cmpint(dev->devfn, ==, PCI_DEVFN(3, 0));
    g_assert_true(pci_bus_get_device(bus, PCI_DEVFN(3, 0)) == dev);
    pci_test_destroy(dev);
    g_assert_null(pci_bus_get_device(bus, PCI_DEVFN(3, 0)));
}

static void test_read_only(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, -1);

    pci_config_write(dev, PCI_VENDOR_ID, 0xffffffff, 4);
    g_assert_cmpuint(pci_config_read(dev, PCI_VENDOR_ID, 4), ==, 0x56781234);
    pci_config_write(dev, PCI_CLASS_REVISION, 0, 4);
    g_assert_cmpuint(pci_config_read(dev, PCI_CLASS_DEVICE, 2), ==, 0x0200);
    pci_config_write(dev, PCI_INTERRUPT_PIN, 4, 1);
    g_assert_cmpuint(pci_config_read(dev, PCI_INTERRUPT_PIN, 1), ==, 1);
    pci_config_write(dev, PCI_HEADER_TYPE, 0xff, 1);
    g_assert_cmpuint(pci_config_read(dev, PCI_HEADER_TYPE, 1), ==, 0);
    /* No capability there: device-specific space is read-only. */
    pci_config_write(dev, 0x80, 0xffffffff, 4);
    g_assert_cmpuint(pci_config_read(dev, 0x80, 4), ==, 0);
    pci_config_write(dev, 0x200, 0xffffffff, 4);
    g_assert_cmpuint(pci_config_read(dev, 0x200, 4), ==, 0);

    /* Writable header bytes */
    pci_config_write(dev, PCI_CACHE_LINE_SIZE, 0x10, 1);
    pci_config_write(dev, PCI_LATENCY_TIMER, 0x40, 1);
    pci_config_write(dev, PCI_INTERRUPT_LINE, 0x0b, 1);
    g_assert_cmpuint(pci_config_read(dev, PCI_CACHE_LINE_SIZE, 2), ==, 0x4010);
    g_assert_cmpuint(pci_config_read(dev, PCI_INTERRUPT_LINE, 1), ==, 0x0b);
    pci_test_destroy(dev);
}

static void test_command(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, -1);
    uint16_t all = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                   PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                   PCI_COMMAND_INTX_DISABLE;

    g_assert_cmpuint(pci_config_read(dev, PCI_COMMAND, 2), ==, 0);
    pci_config_write(dev, PCI_COMMAND, 0xffff, 2);
    g_assert_cmpuint(pci_config_read(dev, PCI_COMMAND, 2), ==, all);
    pci_config_write(dev, PCI_COMMAND, PCI_COMMAND_MASTER, 1);
    g_assert_cmpuint(pci_config_read(dev, PCI_COMMAND, 2), ==,
                     PCI_COMMAND_MASTER | PCI_COMMAND_SERR |
                     PCI_COMMAND_INTX_DISABLE);
    g_assert_true(memory_region_is_enabled(&dev->bus_master_enable_region));
    pci_config_write(dev, PCI_COMMAND, 0, 2);
    g_assert_cmpuint(pci_config_read(dev, PCI_COMMAND, 2), ==, 0);
    g_assert_false(memory_region_is_enabled(&dev->bus_master_enable_region));

    pci_config_write(dev, PCI_COMMAND, all, 2);
    device_cold_reset(DEVICE(dev));
    g_assert_cmpuint(pci_config_read(dev, PCI_COMMAND, 2), ==, 0);
    pci_test_destroy(dev);
}

static void test_status_w1c(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, -1);
    uint16_t errors = PCI_STATUS_REC_MASTER_ABORT |
                      PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY;

    /* The device raises error bits; the guest clears them by writing 1. */
    pci_set_word(dev->config + PCI_STATUS,
                 errors | PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
    pci_config_write(dev, PCI_STATUS, 0, 2);
    g_assert_cmpuint(pci_config_read(dev, PCI_STATUS, 2), ==,
                     errors | PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
    pci_config_write(dev, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT, 2);
    g_assert_cmpuint(pci_config_read(dev, PCI_STATUS, 2), ==,
                     PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY |
                     PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
    /* Writing all ones clears every error bit, but not the others. */
    pci_config_write(dev, PCI_STATUS, 0xffff, 2);
    g_assert_cmpuint(pci_config_read(dev, PCI_STATUS, 2), ==,
                     PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
    /* A dword write to COMMAND also reaches STATUS. */
    pci_set_word(dev->config + PCI_STATUS, PCI_STATUS_PARITY);
    pci_config_write(dev, PCI_COMMAND, (uint32_t)PCI_STATUS_PARITY << 16, 4);
    g_assert_cmpuint(pci_config_read(dev, PCI_STATUS, 2), ==, 0);
    pci_test_destroy(dev);
}

static void test_out_of_range(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV_CONV, -1);

    g_assert_cmpuint(pci_config_size(dev), ==, PCI_CONFIG_SPACE_SIZE);
    g_assert_false(pci_is_express(dev));
    g_assert_cmpuint(pci_config_read(dev, 0xff, 2), ==, 0xffff);
    g_assert_cmpuint(pci_config_read(dev, 0xfe, 4), ==, 0xffffffff);
    g_assert_cmpuint(pci_config_read(dev, 0x100, 1), ==, 0xff);
    g_assert_cmpuint(pci_config_read(dev, 0, 3), ==, 0xffffff);
    g_assert_cmpuint(pci_config_read(dev, UINT32_MAX, 4), ==, 0xffffffff);
    pci_config_write(dev, 0xfe, 0xffffffff, 4);
    pci_config_write(dev, 0x100, 0xffffffff, 4);
    g_assert_cmpuint(pci_config_read(dev, 0xfc, 4), ==, 0);
    pci_test_destroy(dev);
}

static void test_devfn(void)
{
    PCIDevice *a, *b, *c, *f1;
    Error *err = NULL;

    a = create(TYPE_CFG_DEV, -1);
    b = create(TYPE_CFG_DEV, -1);
    g_assert_cmpint(a->devfn, ==, PCI_DEVFN(0, 0));
    g_assert_cmpint(b->devfn, ==, PCI_DEVFN(1, 0));
    g_assert_cmpint(pci_bus_find_free_devfn(bus), ==, PCI_DEVFN(2, 0));

    /* Occupied slot */
    g_assert_null(try_create(TYPE_CFG_DEV, PCI_DEVFN(1, 0), false, &err));
    assert_error_contains(err, "PCI: slot 1 function 0 not available for "
                          TYPE_CFG_DEV ", in use by " TYPE_CFG_DEV);
    error_free_or_abort(&err);

    /* Function 1 behind a single-function function 0 */
    g_assert_null(try_create(TYPE_CFG_DEV, PCI_DEVFN(1, 1), false, &err));
    assert_error_contains(err, "slot 1 function 1");
    assert_error_contains(err, "multifunction=on");
    error_free_or_abort(&err);

    /* Function 0 without multifunction while function 2 is populated */
    f1 = create(TYPE_CFG_DEV, PCI_DEVFN(5, 2));
    g_assert_null(try_create(TYPE_CFG_DEV, PCI_DEVFN(5, 0), false, &err));
    assert_error_contains(err, "slot 5 function 0");
    assert_error_contains(err, "function 2 is in use");
    error_free_or_abort(&err);
    g_assert_cmpint(pci_bus_find_free_devfn(bus), ==, PCI_DEVFN(2, 0));
    c = try_create(TYPE_CFG_DEV, PCI_DEVFN(5, 0), true, &error_abort);
    g_assert_cmpuint(pci_config_read(c, PCI_HEADER_TYPE, 1), ==, 0x80);
    g_assert_true(c->cap_present & QEMU_PCI_CAP_MULTIFUNCTION);
    pci_test_destroy(f1);
    f1 = try_create(TYPE_CFG_DEV, PCI_DEVFN(5, 1), false, &error_abort);

    /* Not a PCI bus */
    {
        DeviceState *qdev = qdev_new(TYPE_CFG_DEV);

        g_assert_false(qdev_realize(qdev, NULL, &err));
        g_assert_nonnull(err);
        error_free_or_abort(&err);
        object_unref(OBJECT(qdev));
    }

    pci_test_destroy(f1);
    pci_test_destroy(c);
    pci_test_destroy(b);
    pci_test_destroy(a);
    g_assert_cmpint(pci_bus_find_free_devfn(bus), ==, 0);
}

static void count_device(PCIBus *b, PCIDevice *dev, void *opaque)
{
    (*(int *)opaque)++;
}

static void test_for_each(void)
{
    PCIDevice *a = create(TYPE_CFG_DEV, PCI_DEVFN(2, 0));
    PCIDevice *b = create(TYPE_CFG_DEV, PCI_DEVFN(7, 0));
    int n = 0;

    pci_for_each_device(bus, count_device, &n);
    g_assert_cmpint(n, ==, 2);
    g_assert_null(pci_bus_get_device(bus, 256));
    g_assert_null(pci_bus_get_device(bus, -1));
    pci_test_destroy(a);
    pci_test_destroy(b);
}

static void test_capabilities(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, -1);
    Error *err = NULL;

    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_PM), ==, 0);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_PM, 0, 8,
                                        &error_abort), ==, 0x40);
    g_assert_cmpuint(pci_get_word(dev->config + PCI_STATUS) &
                     PCI_STATUS_CAP_LIST, ==, PCI_STATUS_CAP_LIST);
    /* 10 bytes take 12: the next automatic one is dword-aligned. */
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_VNDR, 0, 10,
                                        &error_abort), ==, 0x48);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSIX, 0x80, 12,
                                        &error_abort), ==, 0x80);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_EXP, 0, 4,
                                        &error_abort), ==, 0x54);

    /* The newest is at the head of the list. */
    g_assert_cmpuint(pci_config_read(dev, PCI_CAPABILITY_LIST, 1), ==, 0x54);
    g_assert_cmpuint(pci_config_read(dev, 0x54, 2), ==,
                     0x8000 | PCI_CAP_ID_EXP);
    g_assert_cmpuint(pci_config_read(dev, 0x80, 2), ==,
                     0x4800 | PCI_CAP_ID_MSIX);
    g_assert_cmpuint(pci_config_read(dev, 0x48, 2), ==,
                     0x4000 | PCI_CAP_ID_VNDR);
    g_assert_cmpuint(pci_config_read(dev, 0x40, 2), ==, PCI_CAP_ID_PM);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_PM), ==, 0x40);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_VNDR), ==, 0x48);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSIX), ==, 0x80);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSI), ==, 0);
    /* The guest cannot rewrite the list. */
    pci_config_write(dev, PCI_CAPABILITY_LIST, 0, 1);
    pci_config_write(dev, 0x40, 0xffffffff, 4);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_PM), ==, 0x40);

    /* Explicit offsets that overlap or are out of bounds */
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0x44, 8, &err),
                     ==, 0);
    assert_error_contains(err, "failed to add PCI capability 0x5[0x8]@0x44: "
                          "overlaps with capability 0x1@0x40");
    error_free_or_abort(&err);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0x7c, 8, &err),
                     ==, 0);
    assert_error_contains(err, "overlaps with capability 0x11@0x80");
    error_free_or_abort(&err);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0x3c, 4, &err),
                     ==, 0);
    assert_error_contains(err, "0x5[0x4]@0x3c");
    error_free_or_abort(&err);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0x92, 4, &err),
                     ==, 0);
    error_free_or_abort(&err);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0xf8, 12, &err),
                     ==, 0);
    error_free_or_abort(&err);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0, 0xc0, &err),
                     ==, 0);
    assert_error_contains(err, "no room");
    error_free_or_abort(&err);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSI), ==, 0);

    /* Delete from the middle, the head and the tail. */
    pci_del_capability(dev, PCI_CAP_ID_VNDR, 10);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_VNDR), ==, 0);
    g_assert_cmpuint(pci_config_read(dev, 0x80, 2), ==,
                     0x4000 | PCI_CAP_ID_MSIX);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_PM), ==, 0x40);
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0x48, 10,
                                        &error_abort), ==, 0x48);
    pci_del_capability(dev, PCI_CAP_ID_MSI, 10);
    pci_del_capability(dev, PCI_CAP_ID_EXP, 4);
    g_assert_cmpuint(pci_config_read(dev, PCI_CAPABILITY_LIST, 1), ==, 0x80);
    pci_del_capability(dev, PCI_CAP_ID_PM, 8);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSIX), ==, 0x80);
    pci_del_capability(dev, PCI_CAP_ID_MSIX, 12);
    g_assert_cmpuint(pci_config_read(dev, PCI_CAPABILITY_LIST, 1), ==, 0);
    g_assert_cmpuint(pci_get_word(dev->config + PCI_STATUS) &
                     PCI_STATUS_CAP_LIST, ==, 0);
    /* Everything is free again. */
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_MSI, 0, 0xc0,
                                        &error_abort), ==, 0x40);
    pci_test_destroy(dev);
}

static void test_capability_loop(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, -1);
    uint8_t *c = dev->config;

    /* Corrupt the list by hand: 0x40 -> 0x50 -> 0x40 ... */
    pci_set_word(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
    c[PCI_CAPABILITY_LIST] = 0x40;
    c[0x40] = PCI_CAP_ID_VNDR;
    c[0x41] = 0x50;
    c[0x50] = PCI_CAP_ID_PM;
    c[0x51] = 0x40;
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_PM), ==, 0x50);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSI), ==, 0);
    /* Self loop; and a pointer into the header ends the walk. */
    c[0x41] = 0x40;
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSI), ==, 0);
    c[0x41] = 0x08;
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_MSI), ==, 0);
    /* Low pointer bits are reserved and ignored. */
    c[PCI_CAPABILITY_LIST] = 0x43;
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_VNDR), ==, 0x40);
    /* Without the status bit there is no list. */
    pci_set_word(c + PCI_STATUS, 0);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_VNDR), ==, 0);
    pci_test_destroy(dev);
}

static void test_ext_capabilities(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, -1);
    PCIDevice *conv = create(TYPE_CFG_DEV_CONV, -1);
    Error *err = NULL;
    uint32_t header;

    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_ERR), ==, 0);
    /* The chain must start at 0x100. */
    g_assert_false(pcie_add_capability(dev, PCI_EXT_CAP_ID_DSN, 1, 0x200, 12,
                                       &err));
    assert_error_contains(err, "must be at 0x100");
    error_free_or_abort(&err);

    g_assert_true(pcie_add_capability(dev, PCI_EXT_CAP_ID_ERR, 2, 0x100, 0x48,
                                      &error_abort));
    g_assert_true(pcie_add_capability(dev, PCI_EXT_CAP_ID_DSN, 1, 0x148, 12,
                                      &error_abort));
    g_assert_true(pcie_add_capability(dev, PCI_EXT_CAP_ID_VNDR, 1, 0x200, 8,
                                      &error_abort));
    header = pci_config_read(dev, 0x100, 4);
    g_assert_cmpuint(PCI_EXT_CAP_ID(header), ==, PCI_EXT_CAP_ID_ERR);
    g_assert_cmpuint(PCI_EXT_CAP_VER(header), ==, 2);
    g_assert_cmpuint(PCI_EXT_CAP_NEXT(header), ==, 0x148);
    header = pci_config_read(dev, 0x148, 4);
    g_assert_cmpuint(header, ==, PCI_EXT_CAP_ID_DSN | 1 << 16 | 0x200 << 20);
    g_assert_cmpuint(pci_config_read(dev, 0x200, 4), ==,
                     PCI_EXT_CAP_ID_VNDR | 1 << 16);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_ERR), ==, 0x100);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_DSN), ==, 0x148);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_VNDR), ==, 0x200);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_ACS), ==, 0);
    pci_config_write(dev, 0x148, 0, 4);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_VNDR), ==, 0x200);

    /* Bad offsets */
    g_assert_false(pcie_add_capability(dev, PCI_EXT_CAP_ID_ACS, 1, 0x140, 8,
                                       &err));
    assert_error_contains(err, "overlaps with capability 0x1@0x100");
    error_free_or_abort(&err);
    g_assert_false(pcie_add_capability(dev, PCI_EXT_CAP_ID_ACS, 1, 0xfc, 8,
                                       &err));
    error_free_or_abort(&err);
    g_assert_false(pcie_add_capability(dev, PCI_EXT_CAP_ID_ACS, 1, 0x302, 8,
                                       &err));
    error_free_or_abort(&err);
    g_assert_false(pcie_add_capability(dev, PCI_EXT_CAP_ID_ACS, 1, 0xffc, 8,
                                       &err));
    error_free_or_abort(&err);
    g_assert_false(pcie_add_capability(conv, PCI_EXT_CAP_ID_ACS, 1, 0x100, 8,
                                       &err));
    assert_error_contains(err, "no extended config space");
    error_free_or_abort(&err);

    /* Delete the middle, then the head (a null header stays at 0x100). */
    pcie_del_capability(dev, PCI_EXT_CAP_ID_DSN, 12);
    g_assert_cmpuint(PCI_EXT_CAP_NEXT(pci_config_read(dev, 0x100, 4)), ==,
                     0x200);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_DSN), ==, 0);
    pcie_del_capability(dev, PCI_EXT_CAP_ID_ERR, 0x48);
    g_assert_cmpuint(pci_config_read(dev, 0x100, 4), ==, 0x200 << 20);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_VNDR), ==, 0x200);
    g_assert_true(pcie_add_capability(dev, PCI_EXT_CAP_ID_DSN, 1, 0x104, 12,
                                      &error_abort));
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_DSN), ==, 0x104);

    /* A looped chain does not hang the walk. */
    pci_set_long(dev->config + 0x200, PCI_EXT_CAP_ID_VNDR | 1 << 16 |
                 0x100 << 20);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_ACS), ==, 0);
    pci_set_long(dev->config + 0x100, 0x100 << 20);
    g_assert_cmpuint(pcie_find_capability(dev, PCI_EXT_CAP_ID_ACS), ==, 0);
    g_assert_false(pcie_add_capability(dev, PCI_EXT_CAP_ID_ACS, 1, 0x300, 8,
                                       &err));
    assert_error_contains(err, "broken");
    error_free_or_abort(&err);
    pci_test_destroy(conv);
    pci_test_destroy(dev);
}

static void test_pcie_endpoint_cap(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, -1);
    uint8_t pos = pcie_endpoint_cap_init(dev, 0, &error_abort);
    uint16_t flags;

    g_assert_cmpuint(pos, ==, 0x40);
    g_assert_cmpuint(pci_find_capability(dev, PCI_CAP_ID_EXP), ==, pos);
    flags = pci_config_read(dev, pos + PCI_EXP_FLAGS, 2);
    g_assert_cmpuint(flags & PCI_EXP_FLAGS_VERS, ==, 2);
    g_assert_cmpuint((flags & PCI_EXP_FLAGS_TYPE) >> 4, ==,
                     PCI_EXP_TYPE_ENDPOINT);
    g_assert_cmpuint(pci_config_read(dev, pos + PCI_EXP_LNKCAP, 4) &
                     (PCI_EXP_LNKCAP_SLS | PCI_EXP_LNKCAP_MLW), ==, 0x11);
    g_assert_cmpuint(pci_config_read(dev, pos + PCI_EXP_LNKSTA, 2), ==,
                     PCI_EXP_LNKSTA_CLS_2_5GB | PCI_EXP_LNKSTA_NLW_X1);
    /* Status error bits are write-1-to-clear, link status read-only. */
    pci_set_word(dev->config + pos + PCI_EXP_DEVSTA, PCI_EXP_DEVSTA_URD);
    pci_config_write(dev, pos + PCI_EXP_DEVSTA, PCI_EXP_DEVSTA_URD, 2);
    g_assert_cmpuint(pci_config_read(dev, pos + PCI_EXP_DEVSTA, 2), ==, 0);
    pci_config_write(dev, pos + PCI_EXP_LNKSTA, 0, 2);
    g_assert_cmpuint(pci_config_read(dev, pos + PCI_EXP_LNKSTA, 2), !=, 0);
    pci_config_write(dev, pos + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_URRE, 2);
    g_assert_cmpuint(pci_config_read(dev, pos + PCI_EXP_DEVCTL, 2), ==,
                     PCI_EXP_DEVCTL_URRE);
    /* The capability covers 0x3c bytes. */
    g_assert_cmpuint(pci_add_capability(dev, PCI_CAP_ID_VNDR, 0, 4,
                                        &error_abort), ==, 0x7c);
    pci_test_destroy(dev);
}

/* Host bridge access */

static uint32_t ones(unsigned size)
{
    return size == 4 ? 0xffffffff : (1u << (size * 8)) - 1;
}

static uint32_t cf8(int bus_nr, int devfn, int reg)
{
    return 1u << 31 | bus_nr << 16 | devfn << 8 | (reg & 0xfc);
}

/* Fill config space with a pattern so that every byte differs. */
static void fill_pattern(PCIDevice *dev)
{
    for (unsigned i = PCI_STD_HEADER_SIZEOF; i < pci_config_size(dev); i++) {
        dev->config[i] = i * 7 + (i >> 8);
    }
}

static void test_cf8_cfc(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, PCI_DEVFN(4, 0));
    static const unsigned sizes[] = { 1, 2, 4 };

    fill_pattern(dev);
    pci_test_io_write(0xcf8, 4, 0x80001234);
    g_assert_cmphex(pci_test_io_read(0xcf8, 4), ==, 0x80001234);

    for (unsigned off = 0; off < PCI_CONFIG_SPACE_SIZE; off++) {
        for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
            unsigned size = sizes[i];

            if ((off & 3) + size > 4) {
                continue;
            }
            pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, off));
            g_assert_cmphex(pci_test_io_read(0xcfc + (off & 3), size), ==,
                            ldn_le_p(dev->config + off, size));
            /* Absent function: all ones, sized to the access */
            pci_test_io_write(0xcf8, 4, cf8(0, PCI_DEVFN(4, 1), off));
            g_assert_cmphex(pci_test_io_read(0xcfc + (off & 3), size), ==,
                            ones(size));
        }
    }

    /* libqos: the byte offset in CF8's low bits, data port 0xcfc */
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, 0) | PCI_DEVICE_ID);
    g_assert_cmphex(pci_test_io_read(0xcfc, 2), ==, 0x5678);
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, 0) | PCI_REVISION_ID);
    g_assert_cmphex(pci_test_io_read(0xcfc, 1), ==, 0x02);
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, 0) | 3);
    g_assert_cmphex(pci_test_io_read(0xcfc, 2), ==, 0xffff);

    /* Data port offset adds to the register: 0xcfe reads reg + 2. */
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, PCI_VENDOR_ID));
    g_assert_cmphex(pci_test_io_read(0xcfe, 2), ==, 0x5678);
    g_assert_cmphex(pci_test_io_read(0xcfd, 1), ==, 0x12);

    /* Writes through the data port go through the masks. */
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, PCI_COMMAND));
    pci_test_io_write(0xcfc, 2, 0xffff);
    g_assert_cmphex(pci_get_word(dev->config + PCI_COMMAND), ==, 0x547);
    pci_test_io_write(0xcfc, 1, 0);
    g_assert_cmphex(pci_get_word(dev->config + PCI_COMMAND), ==, 0x500);
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, PCI_CACHE_LINE_SIZE));
    pci_test_io_write(0xcfd, 1, 0x20);
    g_assert_cmphex(dev->config[PCI_LATENCY_TIMER], ==, 0x20);
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, PCI_VENDOR_ID));
    pci_test_io_write(0xcfc, 4, 0);
    g_assert_cmphex(pci_get_long(dev->config), ==, 0x56781234);

    /* Enable bit clear: reads all ones, writes dropped. */
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, PCI_COMMAND) & ~(1u << 31));
    g_assert_cmphex(pci_test_io_read(0xcfc, 4), ==, 0xffffffff);
    g_assert_cmphex(pci_test_io_read(0xcfc, 2), ==, 0xffff);
    pci_test_io_write(0xcfc, 2, 0);
    g_assert_cmphex(pci_get_word(dev->config + PCI_COMMAND), ==, 0x500);

    /* No bridge: nothing answers on bus 1. */
    pci_test_io_write(0xcf8, 4, cf8(1, dev->devfn, 0));
    g_assert_cmphex(pci_test_io_read(0xcfc, 4), ==, 0xffffffff);

    /* Narrow accesses to 0xcf8 are not the address register. */
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, 0));
    pci_test_io_write(0xcf8, 1, 0);
    pci_test_io_write(0xcf9, 1, 0);
    pci_test_io_write(0xcf8, 2, 0);
    g_assert_cmphex(pci_test_io_read(0xcf8, 4), ==, cf8(0, dev->devfn, 0));
    g_assert_cmphex(pci_test_io_read(0xcf8, 1), ==, 0xff);

    /* Bits 27..24 reach extended config space (AMD style). */
    dev->config[0x104] = 0xab;
    pci_test_io_write(0xcf8, 4, cf8(0, dev->devfn, 0x04) | 1u << 24);
    g_assert_cmphex(pci_test_io_read(0xcfc, 1), ==, 0xab);

    /* The library entry points */
    g_assert_cmphex(pci_data_read(bus, cf8(0, dev->devfn, 0), 4), ==,
                    0x56781234);
    g_assert_cmphex(pci_data_read(bus, cf8(0, dev->devfn, 0) | 3, 2), ==,
                    0xffff);
    pci_test_destroy(dev);
}

static void test_ecam(void)
{
    PCIDevice *dev = create(TYPE_CFG_DEV, PCI_DEVFN(6, 0));
    PCIDevice *conv = create(TYPE_CFG_DEV_CONV, PCI_DEVFN(7, 0));
    static const unsigned sizes[] = { 1, 2, 4 };
    hwaddr base = ECAM_BASE + ((hwaddr)dev->devfn << 12);
    hwaddr conv_base = ECAM_BASE + ((hwaddr)conv->devfn << 12);

    fill_pattern(dev);
    fill_pattern(conv);
    for (unsigned off = 0; off < PCIE_CONFIG_SPACE_SIZE; off++) {
        for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
            unsigned size = sizes[i];

            if (off % size) {
                continue;
            }
            g_assert_cmphex(pci_test_read(base + off, size, NULL), ==,
                            ldn_le_p(dev->config + off, size));
            /* A conventional function has 256 bytes. */
            g_assert_cmphex(pci_test_read(conv_base + off, size, NULL), ==,
                            off < PCI_CONFIG_SPACE_SIZE
                            ? ldn_le_p(conv->config + off, size) : ones(size));
            /* Absent function */
            g_assert_cmphex(pci_test_read(ECAM_BASE +
                                          (PCI_DEVFN(6, 3) << 12) + off,
                                          size, NULL), ==, ones(size));
        }
    }
    /* Crossing a dword reads all ones. */
    g_assert_cmphex(pci_test_read(base + 3, 2, NULL), ==, 0xffff);
    g_assert_cmphex(pci_test_read(base + 2, 4, NULL), ==, 0xffffffff);
    /* No bridge: bus 1 is not there. */
    g_assert_cmphex(pci_test_read(ECAM_BASE + (1 << 20) + (dev->devfn << 12),
                                  4, NULL), ==, 0xffffffff);

    pci_test_write(base + PCI_COMMAND, 2, 0xffff);
    g_assert_cmphex(pci_get_word(dev->config + PCI_COMMAND), ==, 0x547);
    pci_test_write(base + PCI_COMMAND, 2, 0);
    pci_test_write(base + PCI_INTERRUPT_LINE, 1, 0x0a);
    g_assert_cmphex(dev->config[PCI_INTERRUPT_LINE], ==, 0x0a);
    pci_test_write(base + PCI_VENDOR_ID, 4, 0);
    g_assert_cmphex(pcie_mmcfg_read(bus, dev->devfn << 12, 4), ==, 0x56781234);
    /* Writes beyond a conventional function's config space go nowhere. */
    pci_test_write(conv_base + 0x100, 4, 0);
    pci_test_destroy(conv);
    pci_test_destroy(dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bus = pci_test_machine_init(0);
    pci_host_config_init(&host, NULL, bus, get_system_io(),
                         get_system_memory(), ECAM_BASE, ECAM_SIZE);

    g_test_add_func("/pci/config/header", test_header);
    g_test_add_func("/pci/config/read-only", test_read_only);
    g_test_add_func("/pci/config/command", test_command);
    g_test_add_func("/pci/config/status-w1c", test_status_w1c);
    g_test_add_func("/pci/config/out-of-range", test_out_of_range);
    g_test_add_func("/pci/config/devfn", test_devfn);
    g_test_add_func("/pci/config/for-each", test_for_each);
    g_test_add_func("/pci/config/capabilities", test_capabilities);
    g_test_add_func("/pci/config/capability-loop", test_capability_loop);
    g_test_add_func("/pci/config/ext-capabilities", test_ext_capabilities);
    g_test_add_func("/pci/config/pcie-endpoint-cap", test_pcie_endpoint_cap);
    g_test_add_func("/pci/host/cf8-cfc", test_cf8_cfc);
    g_test_add_func("/pci/host/ecam", test_ecam);
    return g_test_run();
}
