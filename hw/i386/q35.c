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
#include "hw/i386/x86-cpu.h"
#include "hw/i386/x86-boot.h"
#include "hw/i386/acpi-build.h"
#include "system/accel.h"
#include "system/runstate.h"
#include "system/kvm.h"
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
    X86BootImage *boot;         /* -kernel, read once */
    FWCfgState *fw_cfg;
} Q35MachineState;

#define TYPE_Q35_MACHINE "pc-q35-10.1" MACHINE_TYPE_SUFFIX
#define Q35_MACHINE(obj) OBJECT_CHECK(Q35MachineState, (obj), TYPE_Q35_MACHINE)

/*
 * The I/O APIC's inputs: we record levels (qtest intercepts them); under
 * KVM they drive the in-kernel I/O APIC (and, below 16, the PIC).
 */
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
    if (kvm_irqchip_in_kernel()) {
        kvm_set_irq(n, level);
    }
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

static int q35_route_intx(void *opaque, int irq_num)
{
    return Q35_PIRQ_GSI_BASE + irq_num;
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
    pci_bus_set_route_irq_fn(s->pci_bus, q35_route_intx);
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
 * The guest's memory map: RAM but for the EBDA and the legacy BIOS area
 * (where the ACPI tables are), ECAM and KVM's identity map and TSS pages.
 */
static bool q35_e820(MachineState *ms, X86E820Table *t, Error **errp)
{
    uint64_t below = MIN(ms->ram_size, Q35_LOWMEM_MAX);
    uint64_t above = ms->ram_size - below;

    x86_e820_init(t);
    return x86_e820_add(t, 0, Q35_EBDA_BASE, X86_E820_RAM, errp) &&
           x86_e820_add(t, Q35_EBDA_BASE, 0xa0000 - Q35_EBDA_BASE,
                        X86_E820_RESERVED, errp) &&
           x86_e820_add(t, Q35_BIOS_AREA_BASE, 0x100000 - Q35_BIOS_AREA_BASE,
                        X86_E820_RESERVED, errp) &&
           x86_e820_add(t, 0x100000, below - 0x100000, X86_E820_RAM, errp) &&
           x86_e820_add(t, Q35_ECAM_BASE, Q35_ECAM_SIZE, X86_E820_RESERVED,
                        errp) &&
           x86_e820_add(t, Q35_KVM_PAGES_BASE, Q35_KVM_PAGES_SIZE,
                        X86_E820_RESERVED, errp) &&
           (!above || x86_e820_add(t, 1ULL << 32, above, X86_E820_RAM, errp));
}

/* APIC IDs of the -smp topology, CPU by CPU (g_free). */
static uint32_t *q35_apic_ids(MachineState *ms)
{
    X86CPUTopo topo = {
        .cpus = ms->smp.cpus, .sockets = ms->smp.sockets,
        .cores = ms->smp.cores, .threads = ms->smp.threads,
    };
    uint32_t *ids = g_new(uint32_t, topo.cpus);

    for (unsigned i = 0; i < topo.cpus; i++) {
        ids[i] = x86_apic_id_from_index(&topo, i);
    }
    return ids;
}

/* The ACPI tables into the legacy BIOS area; returns the RSDP's address. */
static bool q35_load_acpi(MachineState *ms, hwaddr *rsdp, Error **errp)
{
    g_autofree uint32_t *apic_ids = q35_apic_ids(ms);
    AcpiBuildConfig cfg;
    GByteArray *tables;

    acpi_build_q35_config(&cfg, ms->smp.cpus, ms->ram_size);
    cfg.apic_ids = apic_ids;
    tables = acpi_build_tables(&cfg, ACPI_BUILD_LEGACY_BASE,
                               ACPI_BUILD_LEGACY_SIZE, rsdp, errp);
    if (!tables) {
        return false;
    }
    address_space_write(&address_space_memory, ACPI_BUILD_LEGACY_BASE,
                        tables->data, tables->len);
    g_byte_array_unref(tables);
    return true;
}

/*
 * Write the guest into RAM (ACPI tables, kernel, initrd, zero page), at
 * start and at every reset.
 */
static bool q35_load_guest(Q35MachineState *s, Error **errp)
{
    X86E820Table e820;
    X86BootConfig cfg = { .e820 = &e820 };
    X86BootEntry entry;

    if (!s->boot) {
        return true;
    }
    if (!q35_e820(MACHINE(s), &e820, errp) ||
        !q35_load_acpi(MACHINE(s), &cfg.acpi_rsdp_addr, errp) ||
        !x86_boot_image_load(s->boot, &cfg, &entry, errp)) {
        return false;
    }
    x86_set_boot_entry(&entry);
    return true;
}

/* -kernel: read and checked once; without it nothing can run under KVM. */
static bool q35_init_boot(Q35MachineState *s, Error **errp)
{
    MachineState *ms = MACHINE(s);

    if (!ms->kernel_filename) {
        if (kvm_irqchip_in_kernel()) {
            error_setg(errp, "qvfio has no firmware: give the guest a Linux "
                       "kernel with -kernel (and -initrd, -append)");
            return false;
        }
        return true;
    }
    s->boot = x86_boot_image_new(ms->kernel_filename, ms->initrd_filename,
                                 ms->kernel_cmdline, errp);
    return s->boot && q35_load_guest(s, errp);
}

static void q35_reset(MachineState *ms)
{
    Error *err = NULL;

    if (!q35_load_guest(Q35_MACHINE(ms), &err)) {
        error_report_err(err);
        qemu_system_shutdown_request(1);
    }
}

/* The vCPUs, with APIC IDs from the -smp topology. */
static bool q35_init_cpus(MachineState *ms, Error **errp)
{
    g_autofree uint32_t *apic_ids = q35_apic_ids(ms);
    const char *model = ms->cpu_model ? ms->cpu_model : "max";

    if (!x86_cpu_model_check(model, kvm_irqchip_in_kernel(), errp) ||
        !accel_create_vcpus(&ms->smp, apic_ids, errp)) {
        return false;
    }
    x86_cpu_add_objects(model);
    return true;
}

static bool q35_done(MachineState *ms, Error **errp)
{
    return q35_init_boot(Q35_MACHINE(ms), errp) && q35_init_cpus(ms, errp);
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

static void q35_instance_finalize(Object *obj)
{
    g_clear_pointer(&Q35_MACHINE(obj)->boot, x86_boot_image_free);
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
    mc->done = q35_done;
    mc->reset = q35_reset;
    mc->max_cpus = X86_MAX_CPUS;
    mc->acpi = true;
    mc->set_option = q35_set_option;
}

static const TypeInfo q35_types[] = {
    {
        .name = TYPE_Q35_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(Q35MachineState),
        .instance_finalize = q35_instance_finalize,
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
