/*
 * Devices and buses: realize/unrealize, placement in the composition tree,
 * reset, GPIO inputs.
 */
#include "qemu/osdep.h"
#include "hw/core/qdev.h"
#include "trace.h"

static GPtrArray *all_buses;            /* BusState * */
static GPtrArray *realized_devices;     /* DeviceState *, realize order */

static GPtrArray *bus_list(void)
{
    if (!all_buses) {
        all_buses = g_ptr_array_new();
    }
    return all_buses;
}

static GPtrArray *device_list(void)
{
    if (!realized_devices) {
        realized_devices = g_ptr_array_new();
    }
    return realized_devices;
}

void device_class_set_props(DeviceClass *dc, const Property *props)
{
    dc->props = props;
}

static DeviceClass *device_class_parent(DeviceClass *dc)
{
    ObjectClass *parent = object_class_get_parent(OBJECT_CLASS(dc));

    if (!parent || !object_class_dynamic_cast(parent, TYPE_DEVICE)) {
        return NULL;
    }
    return (DeviceClass *)parent;
}

/* A class's own properties: those not inherited by the struct copy. */
static const Property *device_class_own_props(DeviceClass *dc)
{
    DeviceClass *parent = device_class_parent(dc);

    if (parent && parent->props == dc->props) {
        return NULL;
    }
    return dc->props;
}

void qdev_foreach_property(DeviceClass *dc, QdevPropFunc *fn, void *opaque)
{
    for (; dc; dc = device_class_parent(dc)) {
        const Property *prop = device_class_own_props(dc);

        for (; prop && prop->name; prop++) {
            fn(prop, opaque);
        }
    }
}

const Property *qdev_find_property(DeviceClass *dc, const char *name)
{
    for (; dc; dc = device_class_parent(dc)) {
        const Property *prop = device_class_own_props(dc);

        for (; prop && prop->name; prop++) {
            if (!strcmp(prop->name, name)) {
                return prop;
            }
        }
    }
    return NULL;
}

static void collect_property(const Property *prop, void *opaque)
{
    g_ptr_array_add(opaque, (gpointer)prop);
}

DeviceState *qdev_new(const char *typename)
{
    DeviceState *dev = DEVICE(object_new(typename));
    g_autoptr(GPtrArray) props = g_ptr_array_new();

    /* Base class first, so that a subclass's default wins. */
    qdev_foreach_property(DEVICE_GET_CLASS(dev), collect_property, props);
    for (guint i = props->len; i-- > 0;) {
        const Property *prop = g_ptr_array_index(props, i);

        if (prop->info->set_default) {
            prop->info->set_default(dev, prop);
        }
    }
    return dev;
}

bool qdev_prop_set(DeviceState *dev, const char *name, const char *value,
                   Error **errp)
{
    const Property *prop = qdev_find_property(DEVICE_GET_CLASS(dev), name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(OBJECT(dev)), name);
        return false;
    }
    if (dev->realized) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "after it was realized", name,
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    return prop->info->set(dev, prop, value, errp);
}

char *qdev_prop_get(DeviceState *dev, const char *name)
{
    const Property *prop = qdev_find_property(DEVICE_GET_CLASS(dev), name);

    return prop ? prop->info->print(dev, prop) : NULL;
}

void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value)
{
    qdev_prop_set(dev, name, value ? "on" : "off", &error_abort);
}

void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value)
{
    g_autofree char *s = g_strdup_printf("%" PRIu32, value);

    qdev_prop_set(dev, name, s, &error_abort);
}

void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value)
{
    g_autofree char *s = g_strdup_printf("%" PRId32, value);

    qdev_prop_set(dev, name, s, &error_abort);
}

void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value)
{
    qdev_prop_set(dev, name, value, &error_abort);
}

/* -global */

typedef struct GlobalProperty {
    char *driver;
    char *property;
    char *value;
} GlobalProperty;

static GPtrArray *global_props;

void qdev_global_add(const char *driver, const char *prop, const char *value)
{
    GlobalProperty *g = g_new0(GlobalProperty, 1);

    if (!global_props) {
        global_props = g_ptr_array_new();
    }
    g->driver = g_strdup(driver);
    g->property = g_strdup(prop);
    g->value = g_strdup(value);
    g_ptr_array_add(global_props, g);
}

bool qdev_apply_globals(DeviceState *dev, Error **errp)
{
    for (guint i = 0; global_props && i < global_props->len; i++) {
        GlobalProperty *g = g_ptr_array_index(global_props, i);

        if (!object_dynamic_cast(OBJECT(dev), g->driver)) {
            continue;
        }
        if (!qdev_prop_set(dev, g->property, g->value, errp)) {
            error_prepend(errp, "-global %s.%s=%s: ", g->driver, g->property,
                          g->value);
            return false;
        }
    }
    return true;
}

/* Realize */

void qdev_add_unattached(Object *obj)
{
    static unsigned unattached_count;
    g_autofree char *name = NULL;
    Object *parent;

    if (obj->parent) {
        return;
    }
    parent = container_get(object_get_root(), "/machine/unattached");
    name = g_strdup_printf("device[%u]", unattached_count++);
    object_property_add_child(parent, name, obj, &error_abort);
}

static void qdev_place_in_tree(DeviceState *dev)
{
    qdev_add_unattached(OBJECT(dev));
}

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    Error *local_err = NULL;

    g_assert(!dev->realized);
    if (bus) {
        if (!dc->bus_type || !object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
            error_setg(errp, "Device '%s' can't go on %s bus",
                       object_get_typename(OBJECT(dev)),
                       object_get_typename(OBJECT(bus)));
            return false;
        }
    } else if (dc->bus_type) {
        error_setg(errp, "No '%s' bus found for device '%s'", dc->bus_type,
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    if (bus && bus->hotplug_ops && bus->hotplug_ops->pre_plug &&
        !bus->hotplug_ops->pre_plug(bus, dev, errp)) {
        return false;
    }
    dev->parent_bus = bus;
    if (dc->realize) {
        dc->realize(dev, &local_err);
    }
    if (local_err) {
        dev->parent_bus = NULL;
        error_propagate(errp, local_err);
        return false;
    }
    qdev_place_in_tree(dev);
    if (bus) {
        g_ptr_array_add(bus->children, dev);
    }
    g_ptr_array_add(device_list(), dev);
    dev->realized = true;
    trace_qdev_realize(object_get_typename(OBJECT(dev)),
                       dev->id ? dev->id : "");
    if (bus && bus->hotplug_ops && bus->hotplug_ops->plug) {
        bus->hotplug_ops->plug(bus, dev);
    }
    return true;
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp)
{
    bool ok = qdev_realize(dev, bus, errp);

    object_unref(OBJECT(dev));
    return ok;
}

static void qbus_unrealize_children(BusState *bus)
{
    while (bus->children->len) {
        DeviceState *child = g_ptr_array_index(bus->children,
                                               bus->children->len - 1);
        qdev_unrealize(child);
        object_unparent(OBJECT(child));
    }
}

void qdev_unrealize(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    BusState *bus = dev->parent_bus;

    if (!dev->realized) {
        return;
    }
    dev->unrealizing = true;
    for (GSList *l = dev->child_buses; l; l = l->next) {
        qbus_unrealize_children(l->data);
    }
    trace_qdev_unrealize(object_get_typename(OBJECT(dev)),
                         dev->id ? dev->id : "");
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    if (bus) {
        g_ptr_array_remove(bus->children, dev);
    }
    g_ptr_array_remove(device_list(), dev);
    dev->realized = false;
    dev->unrealizing = false;
    if (bus && bus->hotplug_ops && bus->hotplug_ops->unplugged &&
        !(bus->parent && bus->parent->unrealizing)) {
        bus->hotplug_ops->unplugged(bus, dev);
    }
}

void device_cold_reset(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    if (dc->reset) {
        dc->reset(dev);
    }
}

static gpointer ref_device(gconstpointer dev, gpointer unused)
{
    return object_ref(OBJECT(dev));
}

static void unref_device(gpointer dev)
{
    object_unref(OBJECT(dev));
}

void qdev_reset_all(void)
{
    /*
     * A reset handler may unplug devices (a slot completing an unplug the
     * guest will no longer answer): hold each one and skip those gone.
     */
    g_autoptr(GPtrArray) devs = g_ptr_array_copy(device_list(), ref_device,
                                                 NULL);

    g_ptr_array_set_free_func(devs, unref_device);
    for (guint i = 0; i < devs->len; i++) {
        DeviceState *dev = g_ptr_array_index(devs, i);

        if (dev->realized) {
            device_cold_reset(dev);
        }
    }
}

DeviceState *qdev_find_by_id(const char *id)
{
    GPtrArray *devs = device_list();

    for (guint i = 0; id && i < devs->len; i++) {
        DeviceState *dev = g_ptr_array_index(devs, i);

        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
    }
    return NULL;
}

int qdev_walk_all(QdevWalkFunc *fn, void *opaque)
{
    g_autoptr(GPtrArray) devs = g_ptr_array_copy(device_list(), NULL, NULL);

    for (guint i = 0; i < devs->len; i++) {
        int ret = fn(g_ptr_array_index(devs, i), opaque);

        if (ret) {
            return ret;
        }
    }
    return 0;
}

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n)
{
    g_assert(!dev->gpio_in);
    dev->gpio_in = qemu_allocate_irqs(handler, dev, n);
    dev->num_gpio_in = n;
}

qemu_irq qdev_get_gpio_in(DeviceState *dev, int n)
{
    g_assert(n >= 0 && n < dev->num_gpio_in);
    return dev->gpio_in[n];
}

static void free_string_prop(const Property *prop, void *opaque)
{
    if (prop->info == &qdev_prop_string) {
        g_clear_pointer((char **)((char *)opaque + prop->offset), g_free);
    }
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = (DeviceState *)obj;

    qdev_foreach_property(DEVICE_GET_CLASS(dev), free_string_prop, dev);

    g_assert(!dev->realized);
    qemu_free_irqs(dev->gpio_in, dev->num_gpio_in);
    for (GSList *l = dev->child_buses; l; l = l->next) {
        BusState *bus = l->data;

        bus->parent = NULL;
        object_unparent(OBJECT(bus));
    }
    g_slist_free(dev->child_buses);
    g_free(dev->id);
}

/* Buses */

BusState *qbus_new(const char *typename, DeviceState *parent,
                   const char *name)
{
    BusState *bus = BUS(object_new(typename));

    bus->name = g_strdup(name);
    bus->parent = parent;
    if (parent) {
        parent->child_buses = g_slist_append(parent->child_buses, bus);
        object_property_add_child(OBJECT(parent), name, OBJECT(bus),
                                  &error_abort);
        object_unref(OBJECT(bus));
    }
    g_ptr_array_add(bus_list(), bus);
    return bus;
}

void qbus_unparent(BusState *bus)
{
    g_assert(bus->children->len == 0);
    object_unparent(OBJECT(bus));
}

void qbus_set_hotplug_ops(BusState *bus, const BusHotplugOps *ops,
                          void *opaque)
{
    bus->hotplug_ops = ops;
    bus->hotplug_opaque = opaque;
}

BusState *qbus_find(const char *name)
{
    GPtrArray *buses = bus_list();

    for (guint i = 0; name && i < buses->len; i++) {
        BusState *bus = g_ptr_array_index(buses, i);

        if (!strcmp(bus->name, name)) {
            return bus;
        }
    }
    return NULL;
}

GPtrArray *qbus_list(void)
{
    return bus_list();
}

static void bus_init(Object *obj)
{
    BusState *bus = (BusState *)obj;

    bus->children = g_ptr_array_new();
}

static void bus_finalize(Object *obj)
{
    BusState *bus = (BusState *)obj;

    g_assert(bus->children->len == 0);
    /* A device's buses are its children: they go before it does. */
    if (bus->parent) {
        bus->parent->child_buses = g_slist_remove(bus->parent->child_buses,
                                                  bus);
    }
    g_ptr_array_remove(bus_list(), bus);
    g_ptr_array_free(bus->children, true);
    g_free(bus->name);
}

static const TypeInfo qdev_types[] = {
    {
        .name = TYPE_DEVICE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(DeviceState),
        .class_size = sizeof(DeviceClass),
        .abstract = true,
        .instance_finalize = device_finalize,
    },
    {
        .name = TYPE_BUS,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(BusState),
        .abstract = true,
        .instance_init = bus_init,
        .instance_finalize = bus_finalize,
    },
};

static void qdev_register_types(void)
{
    type_register_static_array(qdev_types, ARRAY_SIZE(qdev_types));
}
type_init(qdev_register_types)
