/*
 * QMP commands about the emulator, the run state and the monitor: what
 * libvirt asks while probing a binary and what it uses to run a guest.
 * Each answer is true of qvfio: an empty list where we have nothing
 * (no CPU models, no TPM, no block devices), an error where QEMU gives
 * one.
 * The object-model and device commands are in qmp-qdev.c.
 */
#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include "system/accel.h"
#include "system/chardev.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "system/system.h"

static JsonNode *empty_list(void)
{
    return qmp_node_take_array(json_array_new());
}

/* Version, status, target, accelerators */

static JsonNode *qmp_query_version(Monitor *mon, JsonObject *args,
                                   Error **errp)
{
    return qmp_node_take_object(qmp_version_object());
}

static JsonNode *qmp_query_status(Monitor *mon, JsonObject *args,
                                  Error **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_boolean_member(info, "running", runstate_is_running());
    json_object_set_string_member(info, "status",
                                  runstate_name(runstate_get()));
    return qmp_node_take_object(info);
}

static JsonNode *qmp_query_target(Monitor *mon, JsonObject *args,
                                  Error **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_string_member(info, "arch", "x86_64");
    return qmp_node_take_object(info);
}

static JsonNode *qmp_query_kvm(Monitor *mon, JsonObject *args, Error **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_boolean_member(info, "enabled", kvm_enabled());
    json_object_set_boolean_member(info, "present", kvm_available());
    return qmp_node_take_object(info);
}

/* What the monitor offers */

static JsonNode *name_list(GPtrArray *names)
{
    JsonArray *arr = json_array_new();

    for (guint i = 0; i < names->len; i++) {
        JsonObject *o = json_object_new();

        /* A QmpCommandDef starts with its name, as does a string. */
        json_object_set_string_member(o, "name",
                                      *(const char **)g_ptr_array_index(
                                          names, i));
        json_array_add_object_element(arr, o);
    }
    return qmp_node_take_array(arr);
}

static JsonNode *qmp_query_commands(Monitor *mon, JsonObject *args,
                                    Error **errp)
{
    g_autoptr(GPtrArray) cmds = qmp_command_list();

    return name_list(cmds);
}

static JsonNode *qmp_query_events(Monitor *mon, JsonObject *args,
                                  Error **errp)
{
    g_autoptr(GPtrArray) evs = qmp_event_list();
    JsonArray *arr = json_array_new();

    for (guint i = 0; i < evs->len; i++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", g_ptr_array_index(evs, i));
        json_array_add_object_element(arr, o);
    }
    return qmp_node_take_array(arr);
}

static JsonNode *qmp_query_qmp_schema(Monitor *mon, JsonObject *args,
                                     Error **errp)
{
    return qmp_schema_build();
}

/* The guest's identity and size */

static JsonNode *qmp_query_name(Monitor *mon, JsonObject *args, Error **errp)
{
    JsonObject *info = json_object_new();

    if (qemu_get_vm_name()) {
        json_object_set_string_member(info, "name", qemu_get_vm_name());
    }
    return qmp_node_take_object(info);
}

static JsonNode *qmp_query_uuid(Monitor *mon, JsonObject *args, Error **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_string_member(info, "UUID", qemu_get_vm_uuid());
    return qmp_node_take_object(info);
}

static JsonNode *qmp_query_memory_size_summary(Monitor *mon,
                                               JsonObject *args,
                                               Error **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_int_member(info, "base-memory",
                               current_machine ? current_machine->ram_size
                                               : 0);
    return qmp_node_take_object(info);
}

static JsonObject *machine_info(MachineClass *mc)
{
    JsonObject *info = json_object_new();

    json_object_set_string_member(info, "name", mc->name);
    if (mc->alias) {
        json_object_set_string_member(info, "alias", mc->alias);
    }
    if (mc->is_default) {
        json_object_set_boolean_member(info, "is-default", true);
    }
    /* A machine without guest CPUs (none) still takes -smp 1. */
    json_object_set_int_member(info, "cpu-max", MAX(mc->max_cpus, 1));
    json_object_set_boolean_member(info, "hotpluggable-cpus", false);
    json_object_set_boolean_member(info, "numa-mem-supported", false);
    json_object_set_boolean_member(info, "deprecated", false);
    if (mc->default_ram_id) {
        json_object_set_string_member(info, "default-ram-id",
                                      mc->default_ram_id);
    }
    json_object_set_boolean_member(info, "acpi", mc->acpi);
    return info;
}

static JsonNode *qmp_query_machines(Monitor *mon, JsonObject *args,
                                    Error **errp)
{
    g_autoptr(GSList) list = object_class_get_list(TYPE_MACHINE, false);
    JsonArray *arr = json_array_new();

    for (GSList *l = list; l; l = l->next) {
        json_array_add_object_element(arr, machine_info(l->data));
    }
    return qmp_node_take_array(arr);
}

/* The vCPUs and their threads (libvirt pins and accounts them by id). */
static JsonNode *qmp_query_cpus_fast(Monitor *mon, JsonObject *args,
                                     Error **errp)
{
    JsonArray *arr = json_array_new();

    for (unsigned i = 0; i < cpus_count(); i++) {
        CPUState *cpu = cpu_get(i);
        JsonObject *o = json_object_new();

        json_object_set_int_member(o, "cpu-index", cpu->index);
        if (cpu->object) {
            g_autofree char *path = object_get_canonical_path(cpu->object);

            json_object_set_string_member(o, "qom-path", path);
        }
        json_object_set_int_member(o, "thread-id", cpu->thread_id);
        json_object_set_string_member(o, "target", "x86_64");
        json_array_add_object_element(arr, o);
    }
    return qmp_node_take_array(arr);
}

/* Nothing of these exists in qvfio: the truthful answer is empty. */
static JsonNode *qmp_empty_list(Monitor *mon, JsonObject *args, Error **errp)
{
    return empty_list();
}

static JsonNode *qmp_query_balloon(Monitor *mon, JsonObject *args,
                                   Error **errp)
{
    error_set(errp, ERROR_CLASS_DEVICE_NOT_ACTIVE,
              "No balloon device has been activated");
    return NULL;
}

/*
 * Migration capabilities. qvfio cannot migrate, but libvirt turns on
 * migration events for every domain it starts: the switches are kept and
 * reported, and since no migration ever runs they change nothing else.
 */
static const char *const migration_cap_names[] = { "events", NULL };
static bool migration_caps[G_N_ELEMENTS(migration_cap_names) - 1];

static int migration_cap_index(const char *name)
{
    for (int i = 0; migration_cap_names[i]; i++) {
        if (!g_strcmp0(name, migration_cap_names[i])) {
            return i;
        }
    }
    return -1;
}

static JsonNode *qmp_query_migrate_capabilities(Monitor *mon,
                                                JsonObject *args,
                                                Error **errp)
{
    JsonArray *arr = json_array_new();

    for (int i = 0; migration_cap_names[i]; i++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "capability",
                                      migration_cap_names[i]);
        json_object_set_boolean_member(o, "state", migration_caps[i]);
        json_array_add_object_element(arr, o);
    }
    return qmp_node_take_array(arr);
}

/* One {"capability": NAME, "state": BOOL}: its index, or -1 with errp. */
static int migration_cap_parse(JsonNode *node, bool *state, Error **errp)
{
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(node) ?
                    json_node_get_object(node) : NULL;
    JsonNode *name = o ? json_object_get_member(o, "capability") : NULL;
    JsonNode *st = o ? json_object_get_member(o, "state") : NULL;
    int idx;

    if (!name || !st || json_node_get_value_type(name) != G_TYPE_STRING ||
        json_node_get_value_type(st) != G_TYPE_BOOLEAN) {
        error_setg(errp, "Invalid parameter type for 'capabilities', "
                   "expected: MigrationCapabilityStatus");
        return -1;
    }
    idx = migration_cap_index(json_node_get_string(name));
    if (idx < 0) {
        error_setg(errp, "Parameter 'capability' does not accept value '%s'",
                   json_node_get_string(name));
        return -1;
    }
    *state = json_node_get_boolean(st);
    return idx;
}

static JsonNode *qmp_migrate_set_capabilities(Monitor *mon, JsonObject *args,
                                              Error **errp)
{
    JsonNode *list = json_object_get_member(args, "capabilities");
    bool next[G_N_ELEMENTS(migration_caps)];
    JsonArray *arr;

    if (!JSON_NODE_HOLDS_ARRAY(list)) {
        error_setg(errp, "Invalid parameter type for 'capabilities', "
                   "expected: array");
        return NULL;
    }
    /* All or nothing: check every entry before changing any. */
    memcpy(next, migration_caps, sizeof(next));
    arr = json_node_get_array(list);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        bool state;
        int idx = migration_cap_parse(json_array_get_element(arr, i), &state,
                                      errp);

        if (idx < 0) {
            return NULL;
        }
        next[idx] = state;
    }
    memcpy(migration_caps, next, sizeof(next));
    return NULL;
}

/* Command-line options, for query-command-line-options */

typedef struct CmdLineParam {
    const char *name;
    const char *type;           /* string, boolean, number, size */
} CmdLineParam;

typedef struct CmdLineOption {
    const char *option;
    const CmdLineParam *params;
} CmdLineOption;

static const CmdLineParam machine_params[] = {
    { "type", "string" }, { "accel", "string" }, { "usb", "boolean" },
    { "dump-guest-core", "boolean" }, { "acpi", "string" },
    { "memory-backend", "string" }, { "vmport", "string" },
    { "smm", "string" }, { "graphics", "boolean" },
    { "kernel-irqchip", "string" }, { "hpet", "boolean" },
    { "pit", "boolean" }, { "sata", "boolean" }, { "smbus", "boolean" },
    { "mem-merge", "boolean" }, { "suppress-vmdesc", "boolean" },
    { "i8042", "boolean" }, { "kernel", "string" }, { "initrd", "string" },
    { "append", "string" }, { NULL }
};
static const CmdLineParam accel_params[] = { { "accel", "string" }, { NULL } };
static const CmdLineParam memory_params[] = {
    { "size", "size" }, { "slots", "number" }, { "maxmem", "size" }, { NULL }
};
static const CmdLineParam smp_params[] = {
    { "cpus", "number" }, { "maxcpus", "number" }, { "sockets", "number" },
    { "dies", "number" }, { "clusters", "number" }, { "cores", "number" },
    { "threads", "number" }, { NULL }
};
static const CmdLineParam name_params[] = {
    { "guest", "string" }, { "process", "string" },
    { "debug-threads", "boolean" }, { NULL }
};
static const CmdLineParam chardev_params[] = {
    { "backend", "string" }, { "id", "string" }, { "path", "string" },
    { "host", "string" }, { "port", "string" }, { "fd", "string" },
    { "server", "boolean" }, { "wait", "boolean" }, { "nodelay", "boolean" },
    { "ipv4", "boolean" }, { "ipv6", "boolean" }, { "append", "boolean" },
    { "mux", "boolean" }, { "signal", "boolean" }, { NULL }
};
static const CmdLineParam mon_params[] = {
    { "chardev", "string" }, { "mode", "string" }, { "pretty", "boolean" },
    { "id", "string" }, { NULL }
};
static const CmdLineParam rtc_params[] = {
    { "base", "string" }, { "clock", "string" }, { "driftfix", "string" },
    { NULL }
};
/* What -boot accepts without firmware (system/vl-compat.c). */
static const CmdLineParam boot_params[] = {
    { "menu", "boolean" }, { "strict", "boolean" }, { NULL }
};
static const CmdLineParam msg_params[] = {
    { "timestamp", "boolean" }, { "guest-name", "boolean" }, { NULL }
};
static const CmdLineParam overcommit_params[] = {
    { "mem-lock", "string" }, { "cpu-pm", "boolean" }, { NULL }
};
static const CmdLineParam trace_params[] = {
    { "enable", "string" }, { "events", "string" }, { "file", "string" },
    { NULL }
};
static const CmdLineParam no_params[] = { { NULL } };

/*
 * -sandbox is accepted for libvirt's command line but installs no
 * seccomp filter, so it is not advertised here.
 */
static const CmdLineOption cmdline_options[] = {
    { "accel", accel_params }, { "boot-opts", boot_params },
    { "chardev", chardev_params }, { "device", no_params },
    { "machine", machine_params }, { "memory", memory_params },
    { "mon", mon_params }, { "msg", msg_params }, { "name", name_params },
    { "object", no_params }, { "overcommit", overcommit_params },
    { "rtc", rtc_params }, { "smp-opts", smp_params },
    { "trace", trace_params },
};

static JsonObject *cmdline_option_info(const CmdLineOption *opt)
{
    JsonObject *info = json_object_new();
    JsonArray *params = json_array_new();

    for (const CmdLineParam *p = opt->params; p->name; p++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", p->name);
        json_object_set_string_member(o, "type", p->type);
        json_array_add_object_element(params, o);
    }
    json_object_set_array_member(info, "parameters", params);
    json_object_set_string_member(info, "option", opt->option);
    return info;
}

static JsonNode *qmp_query_command_line_options(Monitor *mon,
                                                JsonObject *args,
                                                Error **errp)
{
    const char *only = json_object_get_string_member_with_default(
                           args, "option", NULL);
    JsonArray *arr = json_array_new();

    for (size_t i = 0; i < ARRAY_SIZE(cmdline_options); i++) {
        if (!only || !strcmp(only, cmdline_options[i].option)) {
            json_array_add_object_element(
                arr, cmdline_option_info(&cmdline_options[i]));
        }
    }
    if (only && !json_array_get_length(arr)) {
        json_array_unref(arr);
        error_setg(errp, "invalid option name: %s", only);
        return NULL;
    }
    return qmp_node_take_array(arr);
}

/* Chardevs */

static void add_chardev_info(Chardev *chr, void *opaque)
{
    JsonObject *info = json_object_new();

    if (!*qemu_chr_id(chr)) {
        json_object_unref(info);
        return;                 /* internal, as -qtest's */
    }
    json_object_set_string_member(info, "label", qemu_chr_id(chr));
    json_object_set_string_member(info, "filename", qemu_chr_label(chr));
    json_object_set_boolean_member(info, "frontend-open",
                                   qemu_chr_is_connected(chr));
    json_array_add_object_element(opaque, info);
}

static JsonNode *qmp_query_chardev(Monitor *mon, JsonObject *args,
                                   Error **errp)
{
    JsonArray *arr = json_array_new();

    qemu_chr_foreach(add_chardev_info, arr);
    return qmp_node_take_array(arr);
}

/* Run state */

static JsonNode *qmp_stop(Monitor *mon, JsonObject *args, Error **errp)
{
    vm_stop(RUN_STATE_PAUSED);
    return NULL;
}

static JsonNode *qmp_cont(Monitor *mon, JsonObject *args, Error **errp)
{
    vm_start(errp);
    return NULL;
}

static JsonNode *qmp_system_reset(Monitor *mon, JsonObject *args,
                                  Error **errp)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return NULL;
}

static JsonNode *qmp_system_powerdown(Monitor *mon, JsonObject *args,
                                      Error **errp)
{
    /* The reply goes out first; POWERDOWN and the button press follow. */
    qemu_system_powerdown_request();
    return NULL;
}

static JsonNode *qmp_quit(Monitor *mon, JsonObject *args, Error **errp)
{
    /* The reply goes out first; SHUTDOWN follows when the loop ends. */
    qemu_system_shutdown_request_cause(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return NULL;
}

/* File descriptors */

static JsonNode *qmp_getfd(Monitor *mon, JsonObject *args, Error **errp)
{
    int fd = monitor_take_msg_fd(mon);

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (!monitor_add_fd(mon, json_object_get_string_member(args, "fdname"),
                        fd, errp)) {
        close(fd);
    }
    return NULL;
}

static JsonNode *qmp_closefd(Monitor *mon, JsonObject *args, Error **errp)
{
    monitor_close_fd(mon, json_object_get_string_member(args, "fdname"),
                     errp);
    return NULL;
}

/* The human monitor, through QMP */

static JsonNode *qmp_human_monitor_command(Monitor *mon, JsonObject *args,
                                           Error **errp)
{
    g_autofree char *out = hmp_run_command(
        mon, json_object_get_string_member(args, "command-line"));
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_string(node, out);
    return node;
}

/* Schema types */

static const QmpMemberDef version_triple_members[] = {
    { "major", "int" }, { "minor", "int" }, { "micro", "int" }, { NULL }
};
static const QmpMemberDef version_info_members[] = {
    { "qemu", "VersionTriple" }, { "package", "str" }, { NULL }
};
static const char *const run_state_values[] = {
    "prelaunch", "running", "paused", "shutdown", "internal-error", NULL
};
static const QmpMemberDef status_info_members[] = {
    { "running", "bool" }, { "status", "RunState" }, { NULL }
};
static const char *const sys_emu_target_values[] = { "x86_64", NULL };
static const QmpMemberDef target_info_members[] = {
    { "arch", "SysEmuTarget" }, { NULL }
};
static const QmpMemberDef kvm_info_members[] = {
    { "enabled", "bool" }, { "present", "bool" }, { NULL }
};
static const QmpMemberDef name_only_members[] = {
    { "name", "str" }, { NULL }
};
static const char *const schema_meta_type_values[] = {
    "builtin", "enum", "array", "object", "alternate", "command", "event",
    NULL
};
static const QmpMemberDef schema_info_members[] = {
    { "name", "str" }, { "meta-type", "SchemaMetaType" },
    { "features", "[str]", true }, { NULL }
};
static const QmpMemberDef name_info_members[] = {
    { "name", "str", true }, { NULL }
};
static const QmpMemberDef uuid_info_members[] = {
    { "UUID", "str" }, { NULL }
};
static const QmpMemberDef memory_info_members[] = {
    { "base-memory", "int" }, { "plugged-memory", "int", true }, { NULL }
};
static const QmpMemberDef machine_info_members[] = {
    { "name", "str" }, { "alias", "str", true },
    { "is-default", "bool", true }, { "cpu-max", "int" },
    { "hotpluggable-cpus", "bool" }, { "numa-mem-supported", "bool" },
    { "deprecated", "bool" }, { "default-ram-id", "str", true },
    { "acpi", "bool" }, { NULL }
};
static const QmpMemberDef cpu_definition_members[] = {
    { "name", "str" }, { "static", "bool" }, { "deprecated", "bool" },
    { NULL }
};
static const char *const cmdline_param_type_values[] = {
    "string", "boolean", "number", "size", NULL
};
static const QmpMemberDef cmdline_param_members[] = {
    { "name", "str" }, { "type", "CommandLineParameterType" },
    { "help", "str", true }, { "default", "str", true }, { NULL }
};
static const QmpMemberDef cmdline_option_members[] = {
    { "option", "str" }, { "parameters", "[CommandLineParameterInfo]" },
    { NULL }
};
static const QmpMemberDef hotpluggable_cpu_members[] = {
    { "type", "str" }, { "vcpus-count", "int" }, { NULL }
};
static const QmpMemberDef iothread_info_members[] = {
    { "id", "str" }, { "thread-id", "int" }, { NULL }
};
static const QmpMemberDef migration_cap_members[] = {
    { "capability", "MigrationCapability" }, { "state", "bool" }, { NULL }
};
static const char *const tpm_model_values[] = { NULL };
static const QmpMemberDef chardev_info_members[] = {
    { "label", "str" }, { "filename", "str" }, { "frontend-open", "bool" },
    { NULL }
};
static const QmpMemberDef balloon_info_members[] = {
    { "actual", "int" }, { NULL }
};
static const QmpMemberDef block_device_info_members[] = {
    { "file", "str" }, { "node-name", "str", true }, { "ro", "bool" },
    { "drv", "str" }, { NULL }
};
static const QmpMemberDef block_info_members[] = {
    { "device", "str" }, { "qdev", "str", true }, { "type", "str" },
    { "removable", "bool" }, { "locked", "bool" }, { NULL }
};
static const QmpMemberDef cpu_info_fast_members[] = {
    { "cpu-index", "int" }, { "qom-path", "str", true },
    { "thread-id", "int" }, { "target", "SysEmuTarget" }, { NULL }
};
static const char *const shutdown_cause_values[] = {
    "none", "host-error", "host-qmp-quit", "host-qmp-system-reset",
    "host-signal", "host-ui", "guest-shutdown", "guest-reset", "guest-panic",
    "subsystem-reset", "snapshot-load", NULL
};
static const QmpMemberDef shutdown_event_members[] = {
    { "guest", "bool" }, { "reason", "ShutdownCause" }, { NULL }
};

static const QmpTypeDef command_types[] = {
    { "VersionTriple", QMP_TYPE_OBJECT, version_triple_members },
    { "VersionInfo", QMP_TYPE_OBJECT, version_info_members },
    { "RunState", QMP_TYPE_ENUM, .values = run_state_values },
    { "StatusInfo", QMP_TYPE_OBJECT, status_info_members },
    { "SysEmuTarget", QMP_TYPE_ENUM, .values = sys_emu_target_values },
    { "TargetInfo", QMP_TYPE_OBJECT, target_info_members },
    { "KvmInfo", QMP_TYPE_OBJECT, kvm_info_members },
    { "CommandInfo", QMP_TYPE_OBJECT, name_only_members },
    { "EventInfo", QMP_TYPE_OBJECT, name_only_members },
    { "SchemaMetaType", QMP_TYPE_ENUM, .values = schema_meta_type_values },
    { "SchemaInfo", QMP_TYPE_OBJECT, schema_info_members },
    { "NameInfo", QMP_TYPE_OBJECT, name_info_members },
    { "UuidInfo", QMP_TYPE_OBJECT, uuid_info_members },
    { "MemoryInfo", QMP_TYPE_OBJECT, memory_info_members },
    { "MachineInfo", QMP_TYPE_OBJECT, machine_info_members },
    { "CpuDefinitionInfo", QMP_TYPE_OBJECT, cpu_definition_members },
    { "CommandLineParameterType", QMP_TYPE_ENUM,
      .values = cmdline_param_type_values },
    { "CommandLineParameterInfo", QMP_TYPE_OBJECT, cmdline_param_members },
    { "CommandLineOptionInfo", QMP_TYPE_OBJECT, cmdline_option_members },
    { "HotpluggableCPU", QMP_TYPE_OBJECT, hotpluggable_cpu_members },
    { "IOThreadInfo", QMP_TYPE_OBJECT, iothread_info_members },
    { "MigrationCapability", QMP_TYPE_ENUM, .values = migration_cap_names },
    { "MigrationCapabilityStatus", QMP_TYPE_OBJECT, migration_cap_members },
    { "TpmModel", QMP_TYPE_ENUM, .values = tpm_model_values },
    { "TpmType", QMP_TYPE_ENUM, .values = tpm_model_values },
    { "ChardevInfo", QMP_TYPE_OBJECT, chardev_info_members },
    { "BalloonInfo", QMP_TYPE_OBJECT, balloon_info_members },
    { "BlockDeviceInfo", QMP_TYPE_OBJECT, block_device_info_members },
    { "BlockInfo", QMP_TYPE_OBJECT, block_info_members },
    { "CpuInfoFast", QMP_TYPE_OBJECT, cpu_info_fast_members },
    { "ShutdownCause", QMP_TYPE_ENUM, .values = shutdown_cause_values },
    { "ShutdownEvent", QMP_TYPE_OBJECT, shutdown_event_members },
};

/* Commands */

static const QmpArgDef cmdline_options_args[] = {
    { "option", QMP_ARG_STR, true }, { NULL }
};
static const QmpArgDef fdname_args[] = {
    { "fdname", QMP_ARG_STR }, { NULL }
};
static const QmpArgDef hmp_args[] = {
    { "command-line", QMP_ARG_STR }, { "cpu-index", QMP_ARG_INT, true },
    { NULL }
};
static const QmpArgDef migrate_caps_args[] = {
    { "capabilities", QMP_ARG_ANY, false, "[MigrationCapabilityStatus]" },
    { NULL }
};
static const QmpArgDef block_nodes_args[] = {
    { "flat", QMP_ARG_BOOL, true }, { NULL }
};
static const QmpArgDef machines_args[] = {
    { "compat-props", QMP_ARG_BOOL, true }, { NULL }
};

static const QmpCommandDef commands[] = {
    { "query-version", qmp_query_version, .ret_type = "VersionInfo" },
    { "query-status", qmp_query_status, .ret_type = "StatusInfo" },
    { "query-target", qmp_query_target, .ret_type = "TargetInfo" },
    { "query-kvm", qmp_query_kvm, .ret_type = "KvmInfo" },
    { "query-commands", qmp_query_commands, .ret_type = "[CommandInfo]" },
    { "query-events", qmp_query_events, .ret_type = "[EventInfo]" },
    { "query-qmp-schema", qmp_query_qmp_schema, .ret_type = "[SchemaInfo]" },
    { "query-name", qmp_query_name, .ret_type = "NameInfo" },
    { "query-uuid", qmp_query_uuid, .ret_type = "UuidInfo" },
    { "query-memory-size-summary", qmp_query_memory_size_summary,
      .ret_type = "MemoryInfo" },
    { "query-machines", qmp_query_machines, machines_args,
      .ret_type = "[MachineInfo]" },
    { "query-cpu-definitions", qmp_empty_list,
      .ret_type = "[CpuDefinitionInfo]" },
    { "query-command-line-options", qmp_query_command_line_options,
      cmdline_options_args, .ret_type = "[CommandLineOptionInfo]" },
    { "query-hotpluggable-cpus", qmp_empty_list,
      .ret_type = "[HotpluggableCPU]" },
    { "query-iothreads", qmp_empty_list, .ret_type = "[IOThreadInfo]" },
    { "query-migrate-capabilities", qmp_query_migrate_capabilities,
      .ret_type = "[MigrationCapabilityStatus]" },
    { "query-tpm-models", qmp_empty_list, .ret_type = "[TpmModel]" },
    { "query-tpm-types", qmp_empty_list, .ret_type = "[TpmType]" },
    { "query-cpus-fast", qmp_query_cpus_fast, .ret_type = "[CpuInfoFast]" },
    { "query-chardev", qmp_query_chardev, .ret_type = "[ChardevInfo]" },
    /* No block layer: libvirt asks after its disks at every start. */
    { "query-named-block-nodes", qmp_empty_list, block_nodes_args,
      .ret_type = "[BlockDeviceInfo]" },
    { "query-block", qmp_empty_list, .ret_type = "[BlockInfo]" },
    { "query-balloon", qmp_query_balloon, .ret_type = "BalloonInfo" },
    { "stop", qmp_stop },
    { "cont", qmp_cont },
    { "system_reset", qmp_system_reset },
    { "system_powerdown", qmp_system_powerdown },
    { "quit", qmp_quit },
    { "migrate-set-capabilities", qmp_migrate_set_capabilities,
      migrate_caps_args },
    { "getfd", qmp_getfd, fdname_args },
    { "closefd", qmp_closefd, fdname_args },
    { "human-monitor-command", qmp_human_monitor_command, hmp_args,
      .ret_type = "str" },
};

void qmp_commands_init(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(command_types); i++) {
        qmp_register_type(&command_types[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        qmp_register_command(&commands[i]);
    }
    qmp_register_event("SHUTDOWN", "ShutdownEvent");
    qmp_register_event("RESET", "ShutdownEvent");
    qmp_register_event("POWERDOWN", NULL);
    qmp_register_event("STOP", NULL);
    qmp_register_event("RESUME", NULL);
    qmp_register_monitor_commands();
    qmp_register_qdev_commands();
}
