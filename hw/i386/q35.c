/*
 * The q35-style machine (see include/hw/i386/q35.h for the map).
 */
#include "qemu/osdep.h"
#include "qemu/option.h"
#include "hw/acpi/pm.h"
#include "hw/i386/q35.h"
#include "hw/intc/x86-msi.h"
#include "hw/isa/isa.h"
#include "hw/nvram/fw_cfg.h"
#include "trace.h"

typedef struct Q35MachineState {
    MachineState parent_obj;
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    MemoryRegion pci_mem;           /* what PCI memory BARs decode into */
    MemoryRegion pci_hole;
    MemoryRegion pci_hole64;
    PCIHostConfig host_config;
    PCIBus *pci_bus;
    DeviceState *ioapic;
    qemu_irq isa_irqs[ISA_NUM_IRQS];
    FWCfgState *fw_cfg;
} Q35MachineState;

#define TYPE_Q35_MACHINE "pc-q35-10.1" MACHINE_TYPE_SUFFIX
#define Q35_MACHINE(obj) OBJECT_CHECK(Q35MachineState, (obj), TYPE_Q35_MACHINE)

/* The I/O APIC's inputs: we record levels (qtest intercepts them). */
typedef struct IOAPICState {
    DeviceState parent_obj;
    int levels[IOAPIC_NUM_PINS];
} IOAPICState;

static void ioapic_set_irq(void *opaque, int n, int level)
{
    IOAPICState *s = opaque;

    if (s->levels[n] != level) {
        trace_ioapic_set_irq(n, level);
    }
    s->levels[n] = level;
}

static void ioapic_instance_init(Object *obj)
{
    qdev_init_gpio_in(DEVICE(obj), ioapic_set_irq, IOAPIC_NUM_PINS);
}

/* The MCH host bridge function at 00.0. */
static void mch_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);
    DeviceClass *dc = DEVICE_CLASS(oc);

    k->vendor_id = Q35_HOST_VENDOR;
    k->device_id = Q35_HOST_DEVICE;
    k->revision = 2;
    k->class_id = 0x0600;           /* host bridge */
    k->subsystem_vendor_id = 0x1af4;
    k->subsystem_id = 0x1100;
    dc->desc = "Host bridge";
    dc->user_creatable = false;
}

static int q35_map_irq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin) % 4;
}

static void q35_set_irq(void *opaque, int irq_num, int level)
{
    Q35MachineState *s = opaque;

    qemu_set_irq(qdev_get_gpio_in(s->ioapic, Q35_PIRQ_GSI_BASE + irq_num),
                 level);
}

static bool q35_init_ram(Q35MachineState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);
    uint64_t below = MIN(ms->ram_size, Q35_LOWMEM_MAX);
    uint64_t above = ms->ram_size - below;
    MemoryRegion *sysmem = get_system_memory();

    if (!machine_init_ram(ms, "pc.ram", errp)) {
        return false;
    }
    memory_region_init_alias(&s->ram_below_4g, OBJECT(s), "ram-below-4g",
                             ms->ram, 0, below);
    memory_region_add_subregion(sysmem, 0, &s->ram_below_4g);
    if (above) {
        memory_region_init_alias(&s->ram_above_4g, OBJECT(s), "ram-above-4g",
                                 ms->ram, below, above);
        memory_region_add_subregion(sysmem, 1ULL << 32, &s->ram_above_4g);
    }
    return true;
}

static void q35_init_pci_windows(Q35MachineState *s)
{
    MachineState *ms = MACHINE(s);
    uint64_t below = MIN(ms->ram_size, Q35_LOWMEM_MAX);
    uint64_t above = ms->ram_size - below;
    uint64_t hole64_start = QEMU_ALIGN_UP((1ULL << 32) + above, 1ULL << 30);
    MemoryRegion *sysmem = get_system_memory();

    memory_region_init(&s->pci_mem, OBJECT(s), "pci", UINT64_MAX);
    memory_region_init_alias(&s->pci_hole, OBJECT(s), "pci-hole",
                             &s->pci_mem, below, Q35_PCI_HOLE_END - below);
    memory_region_add_subregion(sysmem, below, &s->pci_hole);
    memory_region_init_alias(&s->pci_hole64, OBJECT(s), "pci-hole64",
                             &s->pci_mem, hole64_start, Q35_PCI_HOLE64_SIZE);
    memory_region_add_subregion(sysmem, hole64_start, &s->pci_hole64);
}

static bool q35_init_devices(Q35MachineState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);
    DeviceState *host = qdev_new("q35-pcihost");
    Object *machine = OBJECT(s);

    object_property_add_child(machine, "q35", OBJECT(host), &error_abort);
    if (!qdev_realize_and_unref(host, NULL, errp)) {
        return false;
    }
    s->ioapic = qdev_new(TYPE_IOAPIC);
    object_property_add_child(machine, "ioapic", OBJECT(s->ioapic),
                              &error_abort);
    if (!qdev_realize_and_unref(s->ioapic, NULL, errp)) {
        return false;
    }
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        s->isa_irqs[i] = qdev_get_gpio_in(s->ioapic, i);
    }
    isa_bus_set_irqs(s->isa_irqs);
    if (!acpi_pm_create(machine, get_system_io(), errp)) {
        return false;
    }
    s->pci_bus = pci_root_bus_new(host, "pcie.0", &s->pci_mem,
                                  get_system_io(), get_system_memory(), true);
    pci_bus_irqs(s->pci_bus, q35_set_irq, q35_map_irq, s, PCI_NUM_PINS);
    pci_host_config_init(&s->host_config, OBJECT(host), s->pci_bus,
                         get_system_io(), get_system_memory(), Q35_ECAM_BASE,
                         Q35_ECAM_SIZE);
    pci_create_simple(s->pci_bus, PCI_DEVFN(0, 0), TYPE_Q35_MCH);
    x86_msi_window_init(get_system_memory(), machine);
    s->fw_cfg = fw_cfg_init_io(get_system_io(), FW_CFG_IO_BASE, machine);
    fw_cfg_add_i64(s->fw_cfg, FW_CFG_RAM_SIZE, ms->ram_size);
    ms->default_bus = &s->pci_bus->qbus;
    return true;
}

static bool q35_init(MachineState *ms, Error **errp)
{
    Q35MachineState *s = Q35_MACHINE(ms);

    memory_region_transaction_begin();
    q35_init_pci_windows(s);
    if (!q35_init_ram(s, errp) || !q35_init_devices(s, errp)) {
        memory_region_transaction_commit();
        return false;
    }
    memory_region_transaction_commit();
    return true;
}

/*
 * Options management tools pass; they describe firmware or guest-visible
 * features a machine without CPUs does not have, so they are accepted and
 * have no effect (docs/options.md lists them).
 */
static const char *const q35_ignored_options[] = {
    "usb", "dump-guest-core", "acpi", "vmport", "smm", "graphics",
    "kernel-irqchip", "memory-backend", "hpet", "pit", "sata", "smbus",
    "mem-merge", "suppress-vmdesc", "i8042", NULL,
};

static bool q35_set_option(MachineState *ms, const char *key,
                           const char *value, Error **errp)
{
    if (g_strv_contains(q35_ignored_options, key)) {
        return true;
    }
    error_setg(errp, "Invalid parameter '%s' for machine q35", key);
    return false;
}

static void q35_class_init(ObjectClass *oc, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->name = "pc-q35-10.1";
    mc->alias = "q35";
    mc->desc = "Standard PC (Q35 + ICH9, 2009)";
    mc->is_default = true;
    mc->needs_accel = true;
    mc->default_ram_size = 128 * 1024 * 1024;
    mc->default_ram_id = "pc.ram";
    mc->option_keys = q35_ignored_options;
    mc->init = q35_init;
    mc->set_option = q35_set_option;
}

static const TypeInfo q35_types[] = {
    {
        .name = TYPE_Q35_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(Q35MachineState),
        .class_init = q35_class_init,
    },
    {
        .name = "q35-pcihost",
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(DeviceState),
    },
    {
        .name = TYPE_IOAPIC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(IOAPICState),
        .instance_init = ioapic_instance_init,
    },
    {
        .name = TYPE_Q35_MCH,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_init = mch_class_init,
    },
};

static void q35_register_types(void)
{
    type_register_static_array(q35_types, ARRAY_SIZE(q35_types));
}
type_init(q35_register_types)
