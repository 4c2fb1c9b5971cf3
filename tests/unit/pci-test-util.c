/* Plumbing shared by the PCI and vfio-pci unit tests (pci-test-util.h). */
#include "qemu/osdep.h"
#include "pci-test-util.h"

static PCIBus *bus;
static MemoryRegion ram;
static GString *hook_log;

PCIBus *pci_test_machine_init(uint64_t ram_size)
{
    memory_system_init();
    if (ram_size) {
        memory_region_init_ram(&ram, NULL, "ram", ram_size, &error_abort);
        memory_region_add_subregion(get_system_memory(), 0, &ram);
    }
    bus = pci_root_bus_new(NULL, "pcie.0", get_system_memory(),
                           get_system_io(), get_system_memory(), true);
    return bus;
}

PCIDevice *pci_test_realize_on(PCIBus *on, DeviceState *qdev, Error **errp)
{
    return qdev_realize_and_unref(qdev, &on->qbus, errp) ? PCI_DEVICE(qdev)
                                                         : NULL;
}

PCIDevice *pci_test_realize(DeviceState *qdev, Error **errp)
{
    return pci_test_realize_on(bus, qdev, errp);
}

static PCIDevice *pci_test_new_va(PCIBus *on, const char *type, Error **errp,
                                  va_list ap)
{
    DeviceState *qdev = qdev_new(type);
    const char *prop;

    while ((prop = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);

        if (!strcmp(prop, "id")) {
            g_free(qdev->id);
            qdev->id = g_strdup(value);
        } else {
            qdev_prop_set(qdev, prop, value, &error_abort);
        }
    }
    return pci_test_realize_on(on, qdev, errp);
}

PCIDevice *pci_test_new(const char *type, Error **errp, ...)
{
    PCIDevice *dev;
    va_list ap;

    va_start(ap, errp);
    dev = pci_test_new_va(bus, type, errp, ap);
    va_end(ap);
    return dev;
}

PCIDevice *pci_test_new_on(PCIBus *on, const char *type, Error **errp, ...)
{
    PCIDevice *dev;
    va_list ap;

    va_start(ap, errp);
    dev = pci_test_new_va(on, type, errp, ap);
    va_end(ap);
    return dev;
}

void pci_test_destroy(PCIDevice *dev)
{
    qdev_unrealize(DEVICE(dev));
    object_unparent(OBJECT(dev));
}

uint64_t pci_test_read(hwaddr addr, unsigned size, MemTxResult *res)
{
    uint64_t val = 0;
    MemTxResult r;

    r = address_space_read_sized(&address_space_memory, addr, size, &val);
    if (res) {
        *res = r;
    }
    return val;
}

MemTxResult pci_test_write(hwaddr addr, unsigned size, uint64_t val)
{
    return address_space_write_sized(&address_space_memory, addr, size, val);
}

uint32_t pci_test_readl(hwaddr addr)
{
    return address_space_ldl_le(&address_space_memory, addr, NULL);
}

MemTxResult pci_test_writel(hwaddr addr, uint32_t val)
{
    MemTxResult res;

    address_space_stl_le(&address_space_memory, addr, val, &res);
    return res;
}

uint64_t pci_test_io_read(hwaddr addr, unsigned size)
{
    uint64_t val = 0;

    address_space_read_sized(&address_space_io, addr, size, &val);
    return val;
}

void pci_test_io_write(hwaddr addr, unsigned size, uint64_t val)
{
    address_space_write_sized(&address_space_io, addr, size, val);
}

/* Vector hook log */

void pci_test_log_use(PCIDevice *dev, unsigned v, MSIMessage msg)
{
    g_string_append_printf(hook_log, "use%u:%" PRIx64 ":%x ", v, msg.address,
                           msg.data);
}

void pci_test_log_mask(PCIDevice *dev, unsigned v)
{
    g_string_append_printf(hook_log, "mask%u ", v);
}

void pci_test_log_unmask(PCIDevice *dev, unsigned v, MSIMessage msg)
{
    g_string_append_printf(hook_log, "unmask%u:%" PRIx64 ":%x ", v,
                           msg.address, msg.data);
}

void pci_test_log_release(PCIDevice *dev, unsigned v)
{
    g_string_append_printf(hook_log, "release%u ", v);
}

const PCIVectorHooks pci_test_log_hooks = {
    PCI_TEST_LOG_HOOKS,
};

void pci_test_log_begin(PCIDevice *dev, const PCIVectorHooks *hooks)
{
    g_assert_null(hook_log);
    hook_log = g_string_new("");
    pci_set_vector_hooks(dev, hooks ? hooks : &pci_test_log_hooks);
}

void pci_test_assert_log(const char *expected)
{
    g_assert_cmpstr(hook_log->str, ==, expected);
    g_string_truncate(hook_log, 0);
}

void pci_test_log_end(void)
{
    g_string_free(hook_log, true);
    hook_log = NULL;
}
