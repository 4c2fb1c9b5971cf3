/*
 * The user's side of devices: -device and device_add, identifiers,
 * placement in the composition tree, and the help listings.
 */
#include "qemu/osdep.h"
#include "hw/core/machine.h"
#include "system/qdev-monitor.h"
#include "qemu/json.h"
#include "qemu/timer.h"
#include "system/qmp.h"
#include "system/runstate.h"

/* QEMU's identifier rule: a letter, then letters, digits, '-', '.', '_'. */
static bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static DeviceClass *find_device_class(const char *driver, Error **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    DeviceClass *dc;

    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE) ||
        object_class_is_abstract(oc)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    dc = DEVICE_CLASS(oc);
    if (!dc->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device type "
                   "('%s' cannot be created by the user)", driver);
        return NULL;
    }
    return dc;
}

static BusState *find_bus_for(DeviceClass *dc, const char *driver,
                              const char *bus_name, Error **errp)
{
    BusState *bus;

    if (!dc->bus_type) {
        if (bus_name) {
            error_setg(errp, "Device '%s' does not plug into a bus", driver);
            return NULL;
        }
        return NULL;
    }
    if (bus_name) {
        bus = qbus_find(bus_name);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", bus_name);
            return NULL;
        }
        if (!object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
            error_setg(errp, "Device '%s' can't go on %s bus", driver,
                       object_get_typename(OBJECT(bus)));
            return NULL;
        }
        return bus;
    }
    bus = current_machine ? current_machine->default_bus : NULL;
    if (!bus || !object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
        error_setg(errp, "No '%s' bus found for device '%s'", dc->bus_type,
                   driver);
        return NULL;
    }
    return bus;
}

static bool check_id(const char *id, Error **errp)
{
    if (!id) {
        return true;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier (a letter "
                   "followed by letters, digits, '-', '.', '_'), got '%s'",
                   id);
        return false;
    }
    if (qdev_find_by_id(id)) {
        error_setg(errp, "Duplicate device ID '%s'", id);
        return false;
    }
    return true;
}

static void place_user_device(DeviceState *dev)
{
    static unsigned anon_count;
    Object *parent;
    g_autofree char *name = NULL;

    if (dev->id) {
        parent = container_get(object_get_root(), "/machine/peripheral");
        name = g_strdup(dev->id);
    } else {
        parent = container_get(object_get_root(), "/machine/peripheral-anon");
        name = g_strdup_printf("device[%u]", anon_count++);
    }
    object_property_add_child(parent, name, OBJECT(dev), &error_abort);
}

static bool set_user_props(DeviceState *dev, QemuOpts *opts, Error **errp)
{
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        if (!strcmp(opt->key, "driver") || !strcmp(opt->key, "id") ||
            !strcmp(opt->key, "bus")) {
            continue;
        }
        if (!qdev_prop_set(dev, opt->key, opt->value, errp)) {
            return false;
        }
    }
    return true;
}

DeviceState *qdev_device_add(QemuOpts *opts, Error **errp)
{
    const char *driver = qemu_opt_get(opts, "driver");
    const char *id = qemu_opt_get(opts, "id");
    DeviceClass *dc;
    BusState *bus;
    DeviceState *dev;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    dc = find_device_class(driver, errp);
    if (!dc || !check_id(id, errp)) {
        return NULL;
    }
    bus = find_bus_for(dc, driver, qemu_opt_get(opts, "bus"), errp);
    if (dc->bus_type && !bus) {
        return NULL;
    }
    dev = qdev_new(driver);
    dev->id = g_strdup(id);
    /* Before the guest first runs, a device is simply there (coldplug). */
    dev->hotplugged = runstate_get() != RUN_STATE_PRELAUNCH;
    if (!qdev_apply_globals(dev, errp) || !set_user_props(dev, opts, errp)) {
        object_unref(OBJECT(dev));
        return NULL;
    }
    place_user_device(dev);
    if (!qdev_realize(dev, bus, errp)) {
        object_unparent(OBJECT(dev));
        object_unref(OBJECT(dev));
        return NULL;
    }
    object_unref(OBJECT(dev));     /* the composition tree holds it */
    return dev;
}

void qdev_device_remove(DeviceState *dev)
{
    qdev_unrealize(dev);
    object_unparent(OBJECT(dev));
}

void qdev_unplug(DeviceState *dev)
{
    g_autofree char *path = object_get_canonical_path(OBJECT(dev));
    g_autofree char *devid = g_strdup(dev->id);
    JsonObject *data = json_object_new();

    qdev_device_remove(dev);
    if (devid) {
        json_object_set_string_member(data, "device", devid);
    }
    json_object_set_string_member(data, "path", path);
    qmp_event_send("DEVICE_DELETED", data);
}

bool qdev_unplug_pending(DeviceState *dev)
{
    return dev->pending_deleted_event &&
           dev->pending_deleted_expires_ms >
           qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);
}

bool qdev_unplug_request(DeviceState *dev, Error **errp)
{
    BusState *bus = dev->parent_bus;

    if (bus && bus->hotplug_ops && bus->hotplug_ops->unplug_request) {
        return bus->hotplug_ops->unplug_request(bus, dev, errp);
    }
    qdev_unplug(dev);
    return true;
}

/* JSON: scalars become the text the key=value form would carry. */
static bool json_scalar_to_string(const char *key, JsonNode *node,
                                  char **out, Error **errp)
{
    GType type;

    if (!JSON_NODE_HOLDS_VALUE(node)) {
        error_setg(errp, "Parameter '%s' expects a scalar value", key);
        return false;
    }
    type = json_node_get_value_type(node);
    if (type == G_TYPE_STRING) {
        *out = g_strdup(json_node_get_string(node));
    } else if (type == G_TYPE_BOOLEAN) {
        *out = g_strdup(json_node_get_boolean(node) ? "on" : "off");
    } else if (type == G_TYPE_INT64) {
        *out = g_strdup_printf("%" PRId64, json_node_get_int(node));
    } else {
        error_setg(errp, "Parameter '%s' expects a string, integer or "
                   "boolean", key);
        return false;
    }
    return true;
}

QemuOpts *qdev_opts_from_json_object(JsonObject *obj, Error **errp)
{
    QemuOpts *opts = qemu_opts_new();
    g_autoptr(GList) members = json_object_get_members(obj);

    for (GList *l = members; l; l = l->next) {
        const char *key = l->data;
        g_autofree char *value = NULL;

        if (!json_scalar_to_string(key, json_object_get_member(obj, key),
                                   &value, errp)) {
            qemu_opts_free(opts);
            return NULL;
        }
        qemu_opt_set(opts, key, value);
    }
    return opts;
}

QemuOpts *qemu_opts_from_json(const char *json, const char *what,
                              Error **errp)
{
    g_autoptr(JsonParser) parser = qemu_json_parse(json, -1, errp);
    JsonNode *root;

    if (!parser) {
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        error_setg(errp, "%s JSON argument must be an object", what);
        return NULL;
    }
    return qdev_opts_from_json_object(json_node_get_object(root), errp);
}

QemuOpts *qdev_opts_from_json(const char *json, Error **errp)
{
    return qemu_opts_from_json(json, "-device", errp);
}

/* Help */

void qdev_print_device_list(FILE *out)
{
    g_autoptr(GSList) list = object_class_get_list(TYPE_DEVICE, false);

    for (GSList *l = list; l; l = l->next) {
        DeviceClass *dc = l->data;

        if (!dc->user_creatable) {
            continue;
        }
        fprintf(out, "name \"%s\"", object_class_get_name(l->data));
        if (dc->bus_type) {
            fprintf(out, ", bus %s", dc->bus_type);
        }
        if (dc->desc) {
            fprintf(out, ", desc \"%s\"", dc->desc);
        }
        fprintf(out, "\n");
    }
}

static void collect_prop(const Property *prop, void *opaque)
{
    g_ptr_array_add(opaque, (gpointer)prop);
}

static gint compare_props(gconstpointer a, gconstpointer b)
{
    const Property *pa = *(const Property *const *)a;
    const Property *pb = *(const Property *const *)b;

    return strcmp(pa->name, pb->name);
}

static void print_one_prop(FILE *out, DeviceState *dev, const Property *prop)
{
    g_autofree char *left = g_strdup_printf("%s=<%s>", prop->name,
                                            prop->info->type);
    const char *desc = prop->description ? prop->description
                                         : prop->info->description;

    fprintf(out, "  %-24s", left);
    if (desc || prop->has_default) {
        fprintf(out, " - %s", desc ? desc : "");
    }
    if (prop->has_default) {
        g_autofree char *def = prop->info->print(dev, prop);

        fprintf(out, " (default: %s)", def);
    }
    fprintf(out, "\n");
}

bool qdev_print_device_props(FILE *out, const char *driver, Error **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    g_autoptr(GPtrArray) props = g_ptr_array_new();
    DeviceState *dev;

    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE) ||
        object_class_is_abstract(oc)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return false;
    }
    qdev_foreach_property(DEVICE_CLASS(oc), collect_prop, props);
    g_ptr_array_sort(props, compare_props);
    /* An unrealized instance shows the defaults. */
    dev = qdev_new(driver);
    fprintf(out, "%s options:\n", driver);
    for (guint i = 0; i < props->len; i++) {
        print_one_prop(out, dev, g_ptr_array_index(props, i));
    }
    object_unref(OBJECT(dev));
    return true;
}
