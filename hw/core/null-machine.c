/*
 * "-machine none": no buses, no devices, optional RAM. Used by management
 * tools to probe the emulator; needs no accelerator.
 */
#include "qemu/osdep.h"
#include "hw/core/machine.h"

static bool none_init(MachineState *ms, Error **errp)
{
    if (!ms->ram_size) {
        return true;
    }
    if (!machine_init_ram(ms, "ram", errp)) {
        return false;
    }
    memory_region_add_subregion(get_system_memory(), 0, ms->ram);
    return true;
}

static void none_class_init(ObjectClass *oc, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->name = "none";
    mc->desc = "empty machine";
    mc->needs_accel = false;
    mc->default_ram_size = 0;
    mc->default_ram_id = "ram";
    mc->init = none_init;
}

static const TypeInfo none_machine_type = {
    .name = "none" MACHINE_TYPE_SUFFIX,
    .parent = TYPE_MACHINE,
    .class_init = none_class_init,
};

static void none_machine_register_types(void)
{
    type_register_static(&none_machine_type);
}
type_init(none_machine_register_types)
