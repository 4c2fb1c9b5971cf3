/*
 * QMP commands over the object model and the devices: qom-list-types,
 * qom-list, qom-get, qom-list-properties, device-list-properties,
 * query-pci, device_add and device_del.
 *
 * The properties an object shows are: "type" (every object), its
 * children (child<T>), for devices "parent_bus", "realized",
 * "hotpluggable" and the static properties with their types, and for
 * -object objects their own properties, for machines the boot files
 * (kernel, initrd, append). qom-get answers for each of them.
 */
#include "qemu/osdep.h"
#include "hw/core/machine.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bridge.h"
#include "system/qdev-monitor.h"
#include "system/qmp.h"
#include "system/user-objects.h"

static JsonNode *string_node(const char *s)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_string(node, s);
    return node;
}

static JsonNode *int_node(int64_t v)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_int(node, v);
    return node;
}

static JsonNode *bool_node(bool v)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_boolean(node, v);
    return node;
}

/* A static property's value, typed as QEMU's visitors would give it. */
static JsonNode *qdev_prop_value(DeviceState *dev, const Property *prop)
{
    void *ptr = (char *)dev + prop->offset;
    const PropertyInfo *info = prop->info;
    g_autofree char *text = NULL;

    if (info == &qdev_prop_bool) {
        return bool_node(*(bool *)ptr);
    } else if (info == &qdev_prop_uint8) {
        return int_node(*(uint8_t *)ptr);
    } else if (info == &qdev_prop_uint16) {
        return int_node(*(uint16_t *)ptr);
    } else if (info == &qdev_prop_uint32) {
        return int_node(*(uint32_t *)ptr);
    } else if (info == &qdev_prop_int32 || info == &qdev_prop_pci_devfn) {
        return int_node(*(int32_t *)ptr);
    } else if (info == &qdev_prop_uint64 || info == &qdev_prop_size) {
        return int_node((int64_t)*(uint64_t *)ptr);
    }
    text = info->print(dev, prop);
    return string_node(text);
}

static const char *prop_description(const Property *prop)
{
    return prop->description ? prop->description : prop->info->description;
}

/* Property lists: [{name, type, description?, default-value?}] */

typedef struct PropList {
    JsonArray *arr;
    DeviceState *defaults;      /* an unrealized instance, for defaults */
} PropList;

static void prop_list_add(JsonArray *arr, const char *name, const char *type,
                          const char *description, JsonNode *def)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "type", type);
    if (description) {
        json_object_set_string_member(o, "description", description);
    }
    if (def) {
        json_object_set_member(o, "default-value", def);
    }
    json_array_add_object_element(arr, o);
}

static void add_static_prop(const Property *prop, void *opaque)
{
    PropList *pl = opaque;

    prop_list_add(pl->arr, prop->name, prop->info->type,
                  prop_description(prop),
                  pl->defaults && prop->has_default
                  ? qdev_prop_value(pl->defaults, prop) : NULL);
}

static void add_user_prop(const char *name, const char *type, void *opaque)
{
    prop_list_add(opaque, name, type, NULL, NULL);
}

/* The object properties every device has besides its static ones. */
static void add_device_object_props(JsonArray *arr, DeviceClass *dc)
{
    prop_list_add(arr, "parent_bus", "link<bus>", NULL, NULL);
    prop_list_add(arr, "realized", "bool", NULL, NULL);
    prop_list_add(arr, "hotpluggable", "bool", NULL, NULL);
}

/* Lookups with QEMU's errors */

static Object *resolve_path(const char *path, Error **errp)
{
    bool ambiguous;
    Object *obj = object_resolve_path(path, &ambiguous);

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return obj;
}

/* qom-list-types */

static JsonNode *qmp_qom_list_types(Monitor *mon, JsonObject *args,
                                    Error **errp)
{
    const char *implements = json_object_get_string_member_with_default(
                                 args, "implements", NULL);
    bool abstract = json_object_get_boolean_member_with_default(
                        args, "abstract", false);
    g_autoptr(GSList) list = NULL;
    JsonArray *arr = json_array_new();

    /* An unknown type implements nothing and is implemented by nothing. */
    if (!implements || object_class_by_name(implements)) {
        list = object_class_get_list(implements, abstract);
    }
    for (GSList *l = list; l; l = l->next) {
        ObjectClass *parent = object_class_get_parent(l->data);
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name",
                                      object_class_get_name(l->data));
        if (object_class_is_abstract(l->data)) {
            json_object_set_boolean_member(o, "abstract", true);
        }
        if (parent) {
            json_object_set_string_member(o, "parent",
                                          object_class_get_name(parent));
        }
        json_array_add_object_element(arr, o);
    }
    return qmp_node_take_array(arr);
}

/* qom-list */

/* -kernel, -initrd and -append, which every machine takes. */
static void add_machine_boot_props(JsonArray *arr)
{
    prop_list_add(arr, "kernel", "string", NULL, NULL);
    prop_list_add(arr, "initrd", "string", NULL, NULL);
    prop_list_add(arr, "append", "string", NULL, NULL);
}

static int add_child_prop(Object *child, void *opaque)
{
    g_autofree char *type = g_strdup_printf("child<%s>",
                                            object_get_typename(child));

    prop_list_add(opaque, child->name, type, NULL, NULL);
    return 0;
}

static JsonNode *qmp_qom_list(Monitor *mon, JsonObject *args, Error **errp)
{
    Object *obj = resolve_path(json_object_get_string_member(args, "path"),
                               errp);
    JsonArray *arr;

    if (!obj) {
        return NULL;
    }
    arr = json_array_new();
    prop_list_add(arr, "type", "string", NULL, NULL);
    if (object_dynamic_cast(obj, TYPE_DEVICE)) {
        PropList pl = { .arr = arr };

        add_device_object_props(arr, DEVICE_GET_CLASS(obj));
        qdev_foreach_property(DEVICE_GET_CLASS(obj), add_static_prop, &pl);
    }
    if (object_dynamic_cast(obj, TYPE_MACHINE)) {
        add_machine_boot_props(arr);
    }
    user_object_class_foreach_prop(obj->class, add_user_prop, arr);
    object_child_foreach(obj, add_child_prop, arr);
    return qmp_node_take_array(arr);
}

/* qom-get */

static JsonNode *device_object_prop(DeviceState *dev, const char *name)
{
    const Property *prop;

    if (!strcmp(name, "realized")) {
        return bool_node(dev->realized);
    }
    if (!strcmp(name, "hotpluggable")) {
        return bool_node(DEVICE_GET_CLASS(dev)->hotpluggable);
    }
    if (!strcmp(name, "parent_bus")) {
        g_autofree char *path = dev->parent_bus
            ? object_get_canonical_path(OBJECT(dev->parent_bus)) : NULL;

        return path ? string_node(path) : json_node_new(JSON_NODE_NULL);
    }
    prop = qdev_find_property(DEVICE_GET_CLASS(dev), name);
    return prop ? qdev_prop_value(dev, prop) : NULL;
}

/* -kernel, -initrd, -append: "" when not given, as in QEMU. */
static JsonNode *machine_object_prop(MachineState *ms, const char *name)
{
    const char *value;

    if (!strcmp(name, "kernel")) {
        value = ms->kernel_filename;
    } else if (!strcmp(name, "initrd")) {
        value = ms->initrd_filename;
    } else if (!strcmp(name, "append")) {
        value = ms->kernel_cmdline;
    } else {
        return NULL;
    }
    return string_node(value ? value : "");
}

static JsonNode *object_prop(Object *obj, const char *name)
{
    Object *child;
    JsonNode *node;

    if (!strcmp(name, "type")) {
        return string_node(object_get_typename(obj));
    }
    if (object_dynamic_cast(obj, TYPE_MACHINE)) {
        node = machine_object_prop(MACHINE(obj), name);
        if (node) {
            return node;
        }
    }
    if (object_dynamic_cast(obj, TYPE_DEVICE)) {
        node = device_object_prop(DEVICE(obj), name);
        if (node) {
            return node;
        }
    }
    node = user_object_get_prop(obj, name);
    if (node) {
        return node;
    }
    /* A child property reads as the child's path, as in QEMU. */
    child = object_resolve_child(obj, name);
    if (child) {
        g_autofree char *path = object_get_canonical_path(child);

        return string_node(path);
    }
    return NULL;
}

static JsonNode *qmp_qom_get(Monitor *mon, JsonObject *args, Error **errp)
{
    const char *name = json_object_get_string_member(args, "property");
    Object *obj = resolve_path(json_object_get_string_member(args, "path"),
                               errp);
    JsonNode *node;

    if (!obj) {
        return NULL;
    }
    node = object_prop(obj, name);
    if (!node) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
    }
    return node;
}

/* device-list-properties, qom-list-properties */

static JsonNode *device_props(ObjectClass *oc, bool with_object_props)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PropList pl = { .arr = json_array_new() };

    if (with_object_props) {
        prop_list_add(pl.arr, "type", "string", NULL, NULL);
        add_device_object_props(pl.arr, dc);
    }
    if (!object_class_is_abstract(oc)) {
        pl.defaults = qdev_new(object_class_get_name(oc));
    }
    qdev_foreach_property(dc, add_static_prop, &pl);
    if (pl.defaults) {
        object_unref(OBJECT(pl.defaults));
    }
    return qmp_node_take_array(pl.arr);
}

static JsonNode *qmp_device_list_properties(Monitor *mon, JsonObject *args,
                                            Error **errp)
{
    const char *name = json_object_get_string_member(args, "typename");
    ObjectClass *oc = object_class_by_name(name);

    if (!oc) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", name);
        return NULL;
    }
    if (!object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "Parameter 'typename' expects device");
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract "
                   "device type");
        return NULL;
    }
    return device_props(oc, false);
}

/* QEMU's types for the -machine keys machines accept. */
static const char *machine_option_type(const char *key)
{
    static const char *const types[][2] = {
        { "acpi", "OnOffAuto" }, { "vmport", "OnOffAuto" },
        { "smm", "OnOffAuto" }, { "kernel-irqchip", "OnOffSplit" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strcmp(types[i][0], key)) {
            return types[i][1];
        }
    }
    return "bool";
}

/* A machine's properties are the -machine keys it takes. */
static void add_machine_props(JsonArray *arr, MachineClass *mc)
{
    prop_list_add(arr, "memory-backend", "link<memory-backend>", NULL, NULL);
    add_machine_boot_props(arr);
    for (const char *const *k = mc->option_keys; k && *k; k++) {
        if (strcmp(*k, "memory-backend")) {
            prop_list_add(arr, *k, machine_option_type(*k), NULL, NULL);
        }
    }
}

static JsonNode *qmp_qom_list_properties(Monitor *mon, JsonObject *args,
                                         Error **errp)
{
    const char *name = json_object_get_string_member(args, "typename");
    ObjectClass *oc = object_class_by_name(name);
    JsonArray *arr;

    if (!oc) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Class '%s' not found", name);
        return NULL;
    }
    if (object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        return device_props(oc, true);
    }
    arr = json_array_new();
    prop_list_add(arr, "type", "string", NULL, NULL);
    if (object_class_dynamic_cast(oc, TYPE_MACHINE)) {
        add_machine_props(arr, MACHINE_CLASS(oc));
    }
    user_object_class_foreach_prop(oc, add_user_prop, arr);
    return qmp_node_take_array(arr);
}

/* query-pci */

static const struct {
    uint16_t class_id;
    const char *desc;
} pci_class_descs[] = {
    { 0x0100, "SCSI controller" }, { 0x0101, "IDE controller" },
    { 0x0106, "SATA controller" }, { 0x0108, "NVMe controller" },
    { 0x0200, "Ethernet controller" }, { 0x0280, "Network controller" },
    { 0x0300, "VGA controller" }, { 0x0302, "3D controller" },
    { 0x0380, "Display controller" }, { 0x0401, "Audio controller" },
    { 0x0403, "Audio controller" }, { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" }, { 0x0604, "PCI bridge" },
    { 0x0c03, "USB controller" }, { 0x0c05, "SMBus" },
    { 0x0880, "System peripheral" }, { 0x1200, "Processing accelerator" },
};

static const char *pci_class_desc(uint16_t class_id)
{
    for (size_t i = 0; i < ARRAY_SIZE(pci_class_descs); i++) {
        if (pci_class_descs[i].class_id == class_id) {
            return pci_class_descs[i].desc;
        }
    }
    return NULL;
}

static JsonArray *pci_regions(PCIDevice *dev)
{
    JsonArray *arr = json_array_new();

    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        const PCIIORegion *r = &dev->io_regions[i];
        JsonObject *o;

        if (!r->size) {
            continue;
        }
        o = json_object_new();
        json_object_set_int_member(o, "bar", i);
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            json_object_set_string_member(o, "type", "io");
        } else {
            json_object_set_string_member(o, "type", "memory");
        }
        /* An unmapped BAR is -1, as QEMU's int field shows it. */
        json_object_set_int_member(o, "address", (int64_t)r->addr);
        json_object_set_int_member(o, "size", r->size);
        if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO)) {
            json_object_set_boolean_member(
                o, "prefetch", r->type & PCI_BASE_ADDRESS_MEM_PREFETCH);
            json_object_set_boolean_member(
                o, "mem_type_64", r->type & PCI_BASE_ADDRESS_MEM_TYPE_64);
        }
        json_array_add_object_element(arr, o);
    }
    return arr;
}

static JsonObject *pci_class_info(PCIDevice *dev)
{
    uint16_t class_id = pci_get_word(dev->config + PCI_CLASS_DEVICE);
    JsonObject *o = json_object_new();

    if (pci_class_desc(class_id)) {
        json_object_set_string_member(o, "desc", pci_class_desc(class_id));
    }
    json_object_set_int_member(o, "class", class_id);
    return o;
}

static JsonObject *pci_id_info(PCIDevice *dev)
{
    const uint8_t *c = dev->config;
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "device", pci_get_word(c + PCI_DEVICE_ID));
    json_object_set_int_member(o, "vendor", pci_get_word(c + PCI_VENDOR_ID));
    if ((c[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_NORMAL) {
        json_object_set_int_member(o, "subsystem",
                                   pci_get_word(c + PCI_SUBSYSTEM_ID));
        json_object_set_int_member(o, "subsystem-vendor",
                                   pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID));
    }
    return o;
}

static JsonArray *pci_bus_devices(PCIBus *bus);

static JsonObject *pci_range(pcibus_t base, pcibus_t limit)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "base", (int64_t)base);
    json_object_set_int_member(o, "limit", (int64_t)limit);
    return o;
}

/*
 * QEMU's PciBridgeInfo: the bus numbers and windows as programmed, and
 * the devices below once the bridge has a secondary bus number.
 */
static JsonObject *pci_bridge_info(PCIDevice *dev)
{
    const uint8_t *c = dev->config;
    JsonObject *info = json_object_new();
    JsonObject *bus = json_object_new();

    json_object_set_int_member(bus, "number", c[PCI_PRIMARY_BUS]);
    json_object_set_int_member(bus, "secondary", c[PCI_SECONDARY_BUS]);
    json_object_set_int_member(bus, "subordinate", c[PCI_SUBORDINATE_BUS]);
    json_object_set_object_member(bus, "io_range",
                                  pci_range(pci_bridge_io_base(dev),
                                            pci_bridge_io_limit(dev)));
    json_object_set_object_member(bus, "memory_range",
                                  pci_range(pci_bridge_mem_base(dev),
                                            pci_bridge_mem_limit(dev)));
    json_object_set_object_member(bus, "prefetchable_range",
                                  pci_range(pci_bridge_pref_base(dev),
                                            pci_bridge_pref_limit(dev)));
    json_object_set_object_member(info, "bus", bus);
    if (c[PCI_SECONDARY_BUS]) {
        json_object_set_array_member(info, "devices",
                                     pci_bus_devices(
                                         pci_bridge_get_sec_bus(dev)));
    }
    return info;
}

static void add_pci_device(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    JsonObject *o = json_object_new();
    DeviceState *qdev = DEVICE(dev);

    json_object_set_int_member(o, "bus", pci_bus_num(bus));
    json_object_set_int_member(o, "slot", PCI_SLOT(dev->devfn));
    json_object_set_int_member(o, "function", PCI_FUNC(dev->devfn));
    json_object_set_object_member(o, "class_info", pci_class_info(dev));
    json_object_set_object_member(o, "id", pci_id_info(dev));
    if (pci_intx_pin(dev)) {
        json_object_set_int_member(o, "irq",
                                   dev->config[PCI_INTERRUPT_LINE]);
    }
    json_object_set_int_member(o, "irq_pin", pci_intx_pin(dev));
    json_object_set_string_member(o, "qdev_id", qdev->id ? qdev->id : "");
    if (pci_bridge_get_sec_bus(dev)) {
        json_object_set_object_member(o, "pci_bridge", pci_bridge_info(dev));
    }
    json_object_set_array_member(o, "regions", pci_regions(dev));
    json_array_add_object_element(opaque, o);
}

static JsonArray *pci_bus_devices(PCIBus *bus)
{
    JsonArray *devices = json_array_new();

    pci_for_each_device(bus, add_pci_device, devices);
    return devices;
}

static JsonNode *qmp_query_pci(Monitor *mon, JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();
    BusState *root = current_machine ? current_machine->default_bus : NULL;

    if (root && object_dynamic_cast(OBJECT(root), TYPE_PCI_BUS)) {
        JsonObject *info = json_object_new();

        json_object_set_int_member(info, "bus", pci_bus_num(PCI_BUS(root)));
        json_object_set_array_member(info, "devices",
                                     pci_bus_devices(PCI_BUS(root)));
        json_array_add_object_element(arr, info);
    }
    return qmp_node_take_array(arr);
}

/* device_add, device_del */

static JsonNode *qmp_device_add(Monitor *mon, JsonObject *args, Error **errp)
{
    const char *driver = json_object_get_string_member(args, "driver");
    ObjectClass *oc = object_class_by_name(driver);
    QemuOpts *opts;

    /* Every device_add is a hotplug: the machine is complete. */
    if (oc && object_class_dynamic_cast(oc, TYPE_DEVICE) &&
        !object_class_is_abstract(oc) && DEVICE_CLASS(oc)->user_creatable &&
        !DEVICE_CLASS(oc)->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging", driver);
        return NULL;
    }
    opts = qdev_opts_from_json_object(args, errp);
    if (opts) {
        qdev_device_add(opts, errp);
        qemu_opts_free(opts);
    }
    return NULL;
}

static DeviceState *find_device(const char *id, Error **errp)
{
    g_autofree char *path = id[0] == '/'
        ? g_strdup(id) : g_strdup_printf("/machine/peripheral/%s", id);
    Object *obj = object_resolve_path(path, NULL);

    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id);
        return NULL;
    }
    if (!object_dynamic_cast(obj, TYPE_DEVICE)) {
        error_setg(errp, "%s is not a hotpluggable device", id);
        return NULL;
    }
    return DEVICE(obj);
}

/*
 * Devices on a bus with a hotplug controller leave when the guest agrees:
 * the reply comes first, DEVICE_DELETED later. Elsewhere no controller
 * is modelled, so removal completes at once and DEVICE_DELETED goes out
 * before the reply (libvirt accepts either order).
 */
static JsonNode *qmp_device_del(Monitor *mon, JsonObject *args, Error **errp)
{
    const char *id = json_object_get_string_member(args, "id");
    DeviceState *dev = find_device(id, errp);

    if (!dev) {
        return NULL;
    }
    if (!DEVICE_GET_CLASS(dev)->hotpluggable || !dev->realized) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(OBJECT(dev)));
        return NULL;
    }
    if (qdev_unplug_pending(dev)) {
        error_setg(errp, "Device %s is already in the process of unplug", id);
        return NULL;
    }
    qdev_unplug_request(dev, errp);
    return NULL;
}

/* Schema types and registration */

static const QmpMemberDef object_type_info_members[] = {
    { "name", "str" }, { "abstract", "bool", true }, { "parent", "str", true },
    { NULL }
};
static const QmpMemberDef object_property_info_members[] = {
    { "name", "str" }, { "type", "str" }, { "description", "str", true },
    { "default-value", "any", true }, { NULL }
};
static const QmpMemberDef pci_info_members[] = {
    { "bus", "int" }, { "devices", "[PciDeviceInfo]" }, { NULL }
};
static const QmpMemberDef pci_device_info_members[] = {
    { "bus", "int" }, { "slot", "int" }, { "function", "int" },
    { "class_info", "PciDeviceClass" }, { "id", "PciDeviceId" },
    { "irq", "int", true }, { "irq_pin", "int" }, { "qdev_id", "str" },
    { "pci_bridge", "PciBridgeInfo", true },
    { "regions", "[PciMemoryRegion]" }, { NULL }
};
static const QmpMemberDef pci_bridge_info_members[] = {
    { "bus", "PciBusInfo" }, { "devices", "[PciDeviceInfo]", true },
    { NULL }
};
static const QmpMemberDef pci_bus_info_members[] = {
    { "number", "int" }, { "secondary", "int" }, { "subordinate", "int" },
    { "io_range", "PciMemoryRange" }, { "memory_range", "PciMemoryRange" },
    { "prefetchable_range", "PciMemoryRange" }, { NULL }
};
static const QmpMemberDef pci_memory_range_members[] = {
    { "base", "int" }, { "limit", "int" }, { NULL }
};
static const QmpMemberDef pci_device_class_members[] = {
    { "desc", "str", true }, { "class", "int" }, { NULL }
};
static const QmpMemberDef pci_device_id_members[] = {
    { "device", "int" }, { "vendor", "int" }, { "subsystem", "int", true },
    { "subsystem-vendor", "int", true }, { NULL }
};
static const QmpMemberDef pci_memory_region_members[] = {
    { "bar", "int" }, { "type", "str" }, { "address", "int" },
    { "size", "int" }, { "prefetch", "bool", true },
    { "mem_type_64", "bool", true }, { NULL }
};
static const QmpMemberDef device_deleted_members[] = {
    { "device", "str", true }, { "path", "str" }, { NULL }
};

static const QmpTypeDef qdev_types[] = {
    { "ObjectTypeInfo", QMP_TYPE_OBJECT, object_type_info_members },
    { "ObjectPropertyInfo", QMP_TYPE_OBJECT, object_property_info_members },
    { "PciInfo", QMP_TYPE_OBJECT, pci_info_members },
    { "PciDeviceInfo", QMP_TYPE_OBJECT, pci_device_info_members },
    { "PciBridgeInfo", QMP_TYPE_OBJECT, pci_bridge_info_members },
    { "PciBusInfo", QMP_TYPE_OBJECT, pci_bus_info_members },
    { "PciMemoryRange", QMP_TYPE_OBJECT, pci_memory_range_members },
    { "PciDeviceClass", QMP_TYPE_OBJECT, pci_device_class_members },
    { "PciDeviceId", QMP_TYPE_OBJECT, pci_device_id_members },
    { "PciMemoryRegion", QMP_TYPE_OBJECT, pci_memory_region_members },
    { "DeviceDeletedEvent", QMP_TYPE_OBJECT, device_deleted_members },
};

static const QmpArgDef list_types_args[] = {
    { "implements", QMP_ARG_STR, true }, { "abstract", QMP_ARG_BOOL, true },
    { NULL }
};
static const QmpArgDef path_args[] = { { "path", QMP_ARG_STR }, { NULL } };
static const QmpArgDef qom_get_args[] = {
    { "path", QMP_ARG_STR }, { "property", QMP_ARG_STR }, { NULL }
};
static const QmpArgDef typename_args[] = {
    { "typename", QMP_ARG_STR }, { NULL }
};
static const QmpArgDef device_add_args[] = {
    { "driver", QMP_ARG_STR }, { "bus", QMP_ARG_STR, true },
    { "id", QMP_ARG_STR, true }, { NULL }
};
static const QmpArgDef device_del_args[] = {
    { "id", QMP_ARG_STR }, { NULL }
};
/* -device takes JSON, on the command line and in device_add. */
static const char *const device_add_features[] = {
    "json-cli", "json-cli-hotplug", NULL
};

static const QmpCommandDef qdev_commands[] = {
    { "qom-list-types", qmp_qom_list_types, list_types_args,
      .ret_type = "[ObjectTypeInfo]" },
    { "qom-list", qmp_qom_list, path_args,
      .ret_type = "[ObjectPropertyInfo]" },
    { "qom-get", qmp_qom_get, qom_get_args, .ret_type = "any" },
    { "qom-list-properties", qmp_qom_list_properties, typename_args,
      .ret_type = "[ObjectPropertyInfo]" },
    { "device-list-properties", qmp_device_list_properties, typename_args,
      .ret_type = "[ObjectPropertyInfo]" },
    { "query-pci", qmp_query_pci, .ret_type = "[PciInfo]" },
    { "device_add", qmp_device_add, device_add_args, .args_open = true,
      .features = device_add_features },
    { "device_del", qmp_device_del, device_del_args },
};

void qmp_register_qdev_commands(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(qdev_types); i++) {
        qmp_register_type(&qdev_types[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(qdev_commands); i++) {
        qmp_register_command(&qdev_commands[i]);
    }
    qmp_register_event("DEVICE_DELETED", "DeviceDeletedEvent");
}
