/*
 * The human monitor, reachable only through QMP's human-monitor-command
 * (qvfio has no monitor console). The commands are thin: each "info"
 * formats a QMP query's answer the way QEMU's HMP prints it, and the
 * actions call the QMP commands. Output lines end in CRLF, as QEMU's
 * monitor writes them.
 */
#include "qemu/osdep.h"
#include "qemu/option.h"
#include "hw/core/machine.h"
#include "hw/pci/pci.h"
#include "system/memory.h"
#include "system/qmp.h"

typedef void HmpFunc(Monitor *mon, const char *arg, GString *out);

typedef struct HmpCommand {
    const char *name;
    const char *alias;
    HmpFunc *run;
    const char *help;
} HmpCommand;

/* Run a QMP command; errors are printed as HMP prints them. */
static JsonNode *hmp_qmp(Monitor *mon, const char *name, JsonObject *args,
                         GString *out)
{
    const QmpCommandDef *cmd = qmp_find_command(name);
    g_autoptr(JsonObject) empty = json_object_new();
    Error *err = NULL;
    JsonNode *ret;

    ret = cmd->handler(mon, args ? args : empty, &err);
    if (err) {
        g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
        error_free(err);
        if (ret) {
            json_node_unref(ret);
        }
        return NULL;
    }
    return ret;
}

static void hmp_run_void(Monitor *mon, const char *name, JsonObject *args,
                         GString *out)
{
    JsonNode *ret = hmp_qmp(mon, name, args, out);

    if (ret) {
        json_node_unref(ret);
    }
}

/* info pci */

static void print_pci_region(GString *out, JsonObject *r)
{
    int64_t addr = json_object_get_int_member(r, "address");
    int64_t size = json_object_get_int_member(r, "size");
    int64_t bar = json_object_get_int_member(r, "bar");

    if (!strcmp(json_object_get_string_member(r, "type"), "io")) {
        g_string_append_printf(out, "      BAR%" PRId64 ": I/O at 0x%04"
                               PRIx64 " [0x%04" PRIx64 "].\n", bar,
                               (uint64_t)addr, (uint64_t)(addr + size - 1));
        return;
    }
    g_string_append_printf(out, "      BAR%" PRId64 ": %d bit%s memory at "
                           "0x%08" PRIx64 " [0x%08" PRIx64 "].\n", bar,
                           json_object_get_boolean_member(r, "mem_type_64")
                           ? 64 : 32,
                           json_object_get_boolean_member(r, "prefetch")
                           ? " prefetchable" : "",
                           (uint64_t)addr, (uint64_t)(addr + size - 1));
}

static void print_pci_range(GString *out, JsonObject *bus, const char *key,
                            const char *what, int width)
{
    JsonObject *r = json_object_get_object_member(bus, key);

    g_string_append_printf(out, "      %s range [0x%0*" PRIx64 ", 0x%0*" PRIx64
                           "]\n", what, width,
                           (uint64_t)json_object_get_int_member(r, "base"),
                           width,
                           (uint64_t)json_object_get_int_member(r, "limit"));
}

/* QEMU's lines for a bridge: its bus numbers and windows. */
static void print_pci_bridge(GString *out, JsonObject *bridge)
{
    JsonObject *bus = json_object_get_object_member(bridge, "bus");

    g_string_append_printf(out, "      BUS %" PRId64 ".\n",
                           json_object_get_int_member(bus, "number"));
    g_string_append_printf(out, "      secondary bus %" PRId64 ".\n",
                           json_object_get_int_member(bus, "secondary"));
    g_string_append_printf(out, "      subordinate bus %" PRId64 ".\n",
                           json_object_get_int_member(bus, "subordinate"));
    print_pci_range(out, bus, "io_range", "IO", 4);
    print_pci_range(out, bus, "memory_range", "memory", 8);
    print_pci_range(out, bus, "prefetchable_range", "prefetchable memory", 8);
}

static void print_pci_devices(GString *out, JsonArray *devs);

static void print_pci_device(GString *out, JsonObject *d)
{
    JsonObject *cls = json_object_get_object_member(d, "class_info");
    JsonObject *id = json_object_get_object_member(d, "id");
    JsonArray *regions = json_object_get_array_member(d, "regions");
    JsonObject *bridge = json_object_has_member(d, "pci_bridge")
        ? json_object_get_object_member(d, "pci_bridge") : NULL;

    g_string_append_printf(out, "  Bus %2" PRId64 ", device %3" PRId64
                           ", function %" PRId64 ":\n    ",
                           json_object_get_int_member(d, "bus"),
                           json_object_get_int_member(d, "slot"),
                           json_object_get_int_member(d, "function"));
    if (json_object_has_member(cls, "desc")) {
        g_string_append(out, json_object_get_string_member(cls, "desc"));
    } else {
        g_string_append_printf(out, "Class %04" PRIx64,
                               json_object_get_int_member(cls, "class"));
    }
    g_string_append_printf(out, ": PCI device %04" PRIx64 ":%04" PRIx64 "\n",
                           json_object_get_int_member(id, "vendor"),
                           json_object_get_int_member(id, "device"));
    if (json_object_has_member(id, "subsystem")) {
        g_string_append_printf(out, "      PCI subsystem %04" PRIx64 ":%04"
                               PRIx64 "\n",
                               json_object_get_int_member(id,
                                                          "subsystem-vendor"),
                               json_object_get_int_member(id, "subsystem"));
    }
    if (json_object_has_member(d, "irq")) {
        g_string_append_printf(out, "      IRQ %" PRId64 ", pin %c\n",
                               json_object_get_int_member(d, "irq"),
                               (char)('A' + json_object_get_int_member(
                                          d, "irq_pin") - 1));
    }
    if (bridge) {
        print_pci_bridge(out, bridge);
    }
    for (guint i = 0; i < json_array_get_length(regions); i++) {
        print_pci_region(out, json_array_get_object_element(regions, i));
    }
    g_string_append_printf(out, "      id \"%s\"\n",
                           json_object_get_string_member(d, "qdev_id"));
    if (bridge && json_object_has_member(bridge, "devices")) {
        print_pci_devices(out, json_object_get_array_member(bridge,
                                                            "devices"));
    }
}

static void print_pci_devices(GString *out, JsonArray *devs)
{
    for (guint i = 0; i < json_array_get_length(devs); i++) {
        print_pci_device(out, json_array_get_object_element(devs, i));
    }
}

static void hmp_info_pci(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonNode) ret = hmp_qmp(mon, "query-pci", NULL, out);
    JsonArray *buses = ret ? json_node_get_array(ret) : NULL;

    for (guint i = 0; buses && i < json_array_get_length(buses); i++) {
        print_pci_devices(out, json_object_get_array_member(
                                   json_array_get_object_element(buses, i),
                                   "devices"));
    }
}

/* info qtree */

static void print_qtree_bus(GString *out, BusState *bus, int indent);

static void print_qtree_props(GString *out, DeviceState *dev, int indent)
{
    for (DeviceClass *dc = DEVICE_GET_CLASS(dev); dc;) {
        ObjectClass *parent = object_class_get_parent(OBJECT_CLASS(dc));
        const Property *prop = dc->props;

        /* Own properties only: a subclass may share its parent's list. */
        if (parent && object_class_dynamic_cast(parent, TYPE_DEVICE) &&
            DEVICE_CLASS(parent)->props == prop) {
            prop = NULL;
        }
        for (; prop && prop->name; prop++) {
            g_autofree char *value = prop->info->print(dev, prop);
            bool quote = prop->info == &qdev_prop_string;

            g_string_append_printf(out, "%*s%s = %s%s%s\n", indent, "",
                                   prop->name, quote ? "\"" : "", value,
                                   quote ? "\"" : "");
        }
        dc = parent && object_class_dynamic_cast(parent, TYPE_DEVICE)
             ? DEVICE_CLASS(parent) : NULL;
    }
}

static void print_qtree_pci(GString *out, PCIDevice *pdev, int indent)
{
    const uint8_t *c = pdev->config;

    g_string_append_printf(out, "%*sclass %04x, addr %02x:%02x.%x, pci id "
                           "%04x:%04x (sub %04x:%04x)\n", indent, "",
                           pci_get_word(c + PCI_CLASS_DEVICE),
                           pci_bus_num(pdev->bus), PCI_SLOT(pdev->devfn),
                           PCI_FUNC(pdev->devfn),
                           pci_get_word(c + PCI_VENDOR_ID),
                           pci_get_word(c + PCI_DEVICE_ID),
                           pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(c + PCI_SUBSYSTEM_ID));
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        const PCIIORegion *r = &pdev->io_regions[i];

        if (r->size) {
            g_string_append_printf(out, "%*sbar %d: %s at 0x%" PRIx64
                                   " [0x%" PRIx64 "]\n", indent, "", i,
                                   r->type & PCI_BASE_ADDRESS_SPACE_IO
                                   ? "i/o" : "mem", r->addr, r->size - 1);
        }
    }
}

static void print_qtree_dev(GString *out, DeviceState *dev, int indent)
{
    g_string_append_printf(out, "%*sdev: %s, id \"%s\"\n", indent, "",
                           object_get_typename(OBJECT(dev)),
                           dev->id ? dev->id : "");
    print_qtree_props(out, dev, indent + 2);
    if (object_dynamic_cast(OBJECT(dev), TYPE_PCI_DEVICE)) {
        print_qtree_pci(out, PCI_DEVICE(dev), indent + 2);
    }
    for (GSList *l = dev->child_buses; l; l = l->next) {
        print_qtree_bus(out, l->data, indent + 2);
    }
}

static void print_qtree_bus(GString *out, BusState *bus, int indent)
{
    g_string_append_printf(out, "%*sbus: %s\n%*stype %s\n", indent, "",
                           bus->name, indent + 2, "",
                           object_get_typename(OBJECT(bus)));
    for (guint i = 0; i < bus->children->len; i++) {
        print_qtree_dev(out, g_ptr_array_index(bus->children, i),
                        indent + 2);
    }
}

static int print_busless_dev(DeviceState *dev, void *opaque)
{
    if (!dev->parent_bus) {
        print_qtree_dev(opaque, dev, 2);
    }
    return 0;
}

/* Devices without a bus hang off QEMU's main-system-bus. */
static void hmp_info_qtree(Monitor *mon, const char *arg, GString *out)
{
    g_string_append(out, "bus: main-system-bus\n  type System\n");
    qdev_walk_all(print_busless_dev, out);
}

/* info mtree */

static void hmp_info_mtree(Monitor *mon, const char *arg, GString *out)
{
    g_string_append(out, "address-space: memory\n");
    memory_region_dump_tree(out, get_system_memory());
    g_string_append(out, "\naddress-space: I/O\n");
    memory_region_dump_tree(out, get_system_io());
}

/* Small infos */

static void hmp_info_status(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonNode) ret = hmp_qmp(mon, "query-status", NULL, out);
    JsonObject *info = json_node_get_object(ret);
    const char *status = json_object_get_string_member(info, "status");
    bool running = json_object_get_boolean_member(info, "running");

    g_string_append_printf(out, "VM status: %s", running ? "running"
                                                         : "paused");
    if (!running && strcmp(status, "paused")) {
        g_string_append_printf(out, " (%s)", status);
    }
    g_string_append_c(out, '\n');
}

static void hmp_info_version(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonNode) ret = hmp_qmp(mon, "query-version", NULL, out);
    JsonObject *info = json_node_get_object(ret);
    JsonObject *v = json_object_get_object_member(info, "qemu");

    g_string_append_printf(out, "%" PRId64 ".%" PRId64 ".%" PRId64 " (%s)\n",
                           json_object_get_int_member(v, "major"),
                           json_object_get_int_member(v, "minor"),
                           json_object_get_int_member(v, "micro"),
                           json_object_get_string_member(info, "package"));
}

static void hmp_info_kvm(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonNode) ret = hmp_qmp(mon, "query-kvm", NULL, out);
    JsonObject *info = json_node_get_object(ret);

    if (json_object_get_boolean_member(info, "present")) {
        g_string_append_printf(out, "kvm support: %s\n",
                               json_object_get_boolean_member(info, "enabled")
                               ? "enabled" : "disabled");
    } else {
        g_string_append(out, "kvm support: not compiled\n");
    }
}

static void hmp_info_name(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonNode) ret = hmp_qmp(mon, "query-name", NULL, out);
    JsonObject *info = json_node_get_object(ret);

    if (json_object_has_member(info, "name")) {
        g_string_append_printf(out, "%s\n",
                               json_object_get_string_member(info, "name"));
    }
}

static void hmp_info_uuid(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonNode) ret = hmp_qmp(mon, "query-uuid", NULL, out);

    g_string_append_printf(out, "%s\n", json_object_get_string_member(
                               json_node_get_object(ret), "UUID"));
}

static void hmp_info_chardev(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonNode) ret = hmp_qmp(mon, "query-chardev", NULL, out);
    JsonArray *arr = json_node_get_array(ret);

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *c = json_array_get_object_element(arr, i);

        g_string_append_printf(out, "%s: filename=%s\n",
                               json_object_get_string_member(c, "label"),
                               json_object_get_string_member(c, "filename"));
    }
}

static const HmpCommand info_commands[] = {
    { "chardev", NULL, hmp_info_chardev, "show the character devices" },
    { "kvm", NULL, hmp_info_kvm, "show KVM information" },
    { "mtree", NULL, hmp_info_mtree, "show memory tree" },
    { "name", NULL, hmp_info_name, "show the current VM name" },
    { "pci", NULL, hmp_info_pci, "show PCI info" },
    { "qtree", NULL, hmp_info_qtree, "show device tree" },
    { "status", NULL, hmp_info_status, "show the current VM status" },
    { "uuid", NULL, hmp_info_uuid, "show the current VM UUID" },
    { "version", NULL, hmp_info_version, "show the version of QEMU" },
};

/* Actions */

static void hmp_stop(Monitor *mon, const char *arg, GString *out)
{
    hmp_run_void(mon, "stop", NULL, out);
}

static void hmp_cont(Monitor *mon, const char *arg, GString *out)
{
    hmp_run_void(mon, "cont", NULL, out);
}

static void hmp_system_reset(Monitor *mon, const char *arg, GString *out)
{
    hmp_run_void(mon, "system_reset", NULL, out);
}

static void hmp_system_powerdown(Monitor *mon, const char *arg, GString *out)
{
    hmp_run_void(mon, "system_powerdown", NULL, out);
}

static void hmp_quit(Monitor *mon, const char *arg, GString *out)
{
    hmp_run_void(mon, "quit", NULL, out);
}

static void hmp_device_del(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_string_member(args, "id", arg);
    hmp_run_void(mon, "device_del", args, out);
}

/* device_add DRIVER[,prop=value...]: the key=value form of -device. */
static void hmp_device_add(Monitor *mon, const char *arg, GString *out)
{
    g_autoptr(JsonObject) args = json_object_new();
    Error *err = NULL;
    QemuOpts *opts = qemu_opts_parse(arg, "driver", &err);

    if (!opts) {
        g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
        error_free(err);
        return;
    }
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        json_object_set_string_member(args, opt->key, opt->value);
    }
    qemu_opts_free(opts);
    if (!json_object_has_member(args, "driver")) {
        g_string_append(out, "Error: Parameter 'driver' is missing\n");
        return;
    }
    hmp_run_void(mon, "device_add", args, out);
}

static void hmp_info(Monitor *mon, const char *arg, GString *out);
static void hmp_help(Monitor *mon, const char *arg, GString *out);

static const HmpCommand commands[] = {
    { "cont", "c", hmp_cont, "resume emulation" },
    { "device_add", NULL, hmp_device_add, "add device, like -device" },
    { "device_del", NULL, hmp_device_del, "remove device" },
    { "help", "?", hmp_help, "show the help" },
    { "info", NULL, hmp_info, "show various information about the system "
      "state" },
    { "quit", "q", hmp_quit, "quit the emulator" },
    { "stop", NULL, hmp_stop, "stop emulation" },
    { "system_powerdown", NULL, hmp_system_powerdown,
      "press the power button (ACPI)" },
    { "system_reset", NULL, hmp_system_reset, "reset the system" },
};

static const HmpCommand *find_command(const HmpCommand *table, size_t n,
                                      const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(table[i].name, name) ||
            (table[i].alias && !strcmp(table[i].alias, name))) {
            return &table[i];
        }
    }
    return NULL;
}

static void list_commands(GString *out, const char *prefix,
                          const HmpCommand *table, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(out, "%s%s -- %s\n", prefix, table[i].name,
                               table[i].help);
    }
}

static void hmp_help(Monitor *mon, const char *arg, GString *out)
{
    list_commands(out, "", commands, ARRAY_SIZE(commands));
}

static void hmp_info(Monitor *mon, const char *arg, GString *out)
{
    g_autofree char *name = g_strstrip(g_strdup(arg));
    const HmpCommand *cmd;

    if (!*name) {
        list_commands(out, "info ", info_commands, ARRAY_SIZE(info_commands));
        return;
    }
    cmd = find_command(info_commands, ARRAY_SIZE(info_commands), name);
    if (!cmd) {
        g_string_append_printf(out, "unknown command: 'info %s'\n", name);
        return;
    }
    cmd->run(mon, "", out);
}

char *hmp_run_command(Monitor *mon, const char *cmdline)
{
    g_autofree char *line = g_strstrip(g_strdup(cmdline));
    g_autoptr(GString) out = g_string_new(NULL);
    GString *crlf = g_string_new(NULL);
    const char *arg = "";
    const HmpCommand *cmd;
    char *space = strpbrk(line, " \t");

    if (space) {
        *space = '\0';
        arg = g_strchug(space + 1);
    }
    if (*line) {
        cmd = find_command(commands, ARRAY_SIZE(commands), line);
        if (cmd) {
            cmd->run(mon, arg, out);
        } else {
            g_string_append_printf(out, "unknown command: '%s'\n", line);
        }
    }
    for (const char *p = out->str; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, *p);
    }
    return g_string_free(crlf, FALSE);
}
