/* The machine base type and machine lookup. */
#include "qemu/osdep.h"
#include "hw/core/machine.h"
#include "system/user-objects.h"

MachineState *current_machine;

MachineClass *machine_class_find(const char *name)
{
    g_autoptr(GSList) list = object_class_get_list(TYPE_MACHINE, false);

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (!strcmp(mc->name, name) || (mc->alias && !strcmp(mc->alias, name))) {
            return mc;
        }
    }
    return NULL;
}

bool machine_init_ram(MachineState *ms, const char *name, Error **errp)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);
    bool ok = ms->ram_backend
              ? memory_backend_init_ram(ms->ram_backend, mr, OBJECT(ms), name,
                                        errp)
              : memory_region_init_ram(mr, OBJECT(ms), name, ms->ram_size,
                                       errp);

    if (!ok) {
        g_free(mr);
        return false;
    }
    ms->ram = mr;
    return true;
}

bool machine_done(MachineState *ms, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);

    return !mc->done || mc->done(ms, errp);
}

void machine_print_help(FILE *out)
{
    g_autoptr(GSList) list = object_class_get_list(TYPE_MACHINE, false);

    fprintf(out, "Supported machines are:\n");
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (mc->alias) {
            fprintf(out, "%-20s %s (alias of %s)\n", mc->alias, mc->desc,
                    mc->name);
        }
        fprintf(out, "%-20s %s%s\n", mc->name, mc->desc,
                mc->is_default ? " (default)" : "");
    }
}

static void machine_instance_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->kernel_filename);
    g_free(ms->cpu_model);
    g_free(ms->initrd_filename);
    g_free(ms->kernel_cmdline);
}

static const TypeInfo machine_type = {
    .name = TYPE_MACHINE,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(MachineState),
    .class_size = sizeof(MachineClass),
    .instance_finalize = machine_instance_finalize,
};

static void machine_register_types(void)
{
    type_register_static(&machine_type);
}
type_init(machine_register_types)
