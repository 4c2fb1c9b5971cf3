/* Unit tests for device properties, realize/unrealize and device_add. */
#include "qemu/osdep.h"
#include "hw/core/qdev.h"
#include "hw/core/machine.h"
#include "qemu/timer.h"
#include "system/qdev-monitor.h"
#include "system/runstate.h"

typedef struct Widget {
    DeviceState parent_obj;
    char *name;
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    uint64_t size;
    int32_t addr;
    OnOffAuto mode;
    bool fail_realize;
    int realized;
    int unrealized;
    int resets;
} Widget;

static void widget_realize(DeviceState *dev, Error **errp)
{
    Widget *w = (Widget *)dev;

    if (w->fail_realize) {
        error_setg(errp, "widget refuses to realize");
        return;
    }
    w->realized++;
}

static void widget_unrealize(DeviceState *dev)
{
    ((Widget *)dev)->unrealized++;
}

static void widget_reset(DeviceState *dev)
{
    ((Widget *)dev)->resets++;
}

static const Property widget_props[] = {
    DEFINE_PROP_STRING("name", Widget, name),
    DEFINE_PROP_BOOL("flag", Widget, flag, true),
    DEFINE_PROP_UINT8("u8", Widget, u8, 8),
    DEFINE_PROP_UINT16("u16", Widget, u16, 16),
    DEFINE_PROP_UINT32("u32", Widget, u32, 0xffffffff),
    DEFINE_PROP_UINT64("u64", Widget, u64, 64),
    DEFINE_PROP_INT32("i32", Widget, i32, -1),
    DEFINE_PROP_SIZE("size", Widget, size, 4096),
    DEFINE_PROP_PCI_DEVFN("addr", Widget, addr, -1),
    DEFINE_PROP_ON_OFF_AUTO("mode", Widget, mode, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BOOL("fail-realize", Widget, fail_realize, false),
    DEFINE_PROP_END_OF_LIST(),
};

static const Property gadget_props[] = {
    DEFINE_PROP_UINT32("extra", Widget, u32, 7),
    DEFINE_PROP_END_OF_LIST(),
};

static void widget_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = widget_realize;
    dc->unrealize = widget_unrealize;
    dc->reset = widget_reset;
    dc->user_creatable = true;
    dc->desc = "a widget";
    device_class_set_props(dc, widget_props);
}

static void gadget_class_init(ObjectClass *oc, const void *data)
{
    device_class_set_props(DEVICE_CLASS(oc), gadget_props);
}

static const TypeInfo widget_types[] = {
    { .name = "widget", .parent = TYPE_DEVICE, .instance_size = sizeof(Widget),
      .class_init = widget_class_init },
    { .name = "gadget", .parent = "widget", .class_init = gadget_class_init },
    { .name = "sprocket", .parent = "widget" },   /* inherits props only */
};

static Widget *new_widget(const char *type)
{
    return (Widget *)qdev_new(type);
}

static void test_defaults(void)
{
    Widget *w = new_widget("widget");

    g_assert_null(w->name);
    g_assert_true(w->flag);
    g_assert_cmpuint(w->u8, ==, 8);
    g_assert_cmpuint(w->u32, ==, 0xffffffff);
    g_assert_cmpint(w->i32, ==, -1);
    g_assert_cmpuint(w->size, ==, 4096);
    g_assert_cmpint(w->addr, ==, -1);
    g_assert_cmpint(w->mode, ==, ON_OFF_AUTO_AUTO);
    object_unref(OBJECT(w));
}

static void expect_set(DeviceState *dev, const char *name, const char *value,
                       bool ok)
{
    Error *err = NULL;

    g_assert_cmpint(qdev_prop_set(dev, name, value, &err), ==, ok);
    if (ok) {
        g_assert_null(err);
    } else {
        g_assert_nonnull(err);
        g_assert_cmpstr(error_get_pretty(err), !=, "");
        error_free(err);
    }
}

static void test_parse_each_type(void)
{
    Widget *w = new_widget("widget");
    DeviceState *d = DEVICE(w);

    expect_set(d, "name", "hello,world", true);
    g_assert_cmpstr(w->name, ==, "hello,world");
    expect_set(d, "flag", "off", true);
    g_assert_false(w->flag);
    expect_set(d, "flag", "yes", true);
    g_assert_true(w->flag);
    expect_set(d, "flag", "maybe", false);
    expect_set(d, "u8", "255", true);
    expect_set(d, "u8", "256", false);
    expect_set(d, "u16", "0xffff", true);
    g_assert_cmpuint(w->u16, ==, 0xffff);
    expect_set(d, "u32", "010", true);
    g_assert_cmpuint(w->u32, ==, 8);
    expect_set(d, "u32", "-1", false);
    expect_set(d, "u32", "12abc", false);
    expect_set(d, "u64", "18446744073709551615", true);
    expect_set(d, "i32", "-5", true);
    g_assert_cmpint(w->i32, ==, -5);
    expect_set(d, "i32", "2147483648", false);
    expect_set(d, "size", "2M", true);
    g_assert_cmpuint(w->size, ==, 2 << 20);
    expect_set(d, "size", "1x", false);
    expect_set(d, "mode", "on", true);
    g_assert_cmpint(w->mode, ==, ON_OFF_AUTO_ON);
    expect_set(d, "mode", "sometimes", false);
    expect_set(d, "nonexistent", "1", false);
    object_unref(OBJECT(w));
}

static void test_pci_devfn(void)
{
    Widget *w = new_widget("widget");
    DeviceState *d = DEVICE(w);
    g_autofree char *printed = NULL;

    expect_set(d, "addr", "3", true);
    g_assert_cmpint(w->addr, ==, 3 << 3);
    expect_set(d, "addr", "0x4.0x2", true);
    g_assert_cmpint(w->addr, ==, (4 << 3) | 2);
    expect_set(d, "addr", "1f.7", true);
    g_assert_cmpint(w->addr, ==, (0x1f << 3) | 7);
    expect_set(d, "addr", "10", true);          /* hex, as QEMU reads it */
    g_assert_cmpint(w->addr, ==, 0x10 << 3);
    printed = qdev_prop_get(d, "addr");
    g_assert_cmpstr(printed, ==, "10.0");
    expect_set(d, "addr", "20", false);         /* slot > 0x1f */
    expect_set(d, "addr", "3.8", false);        /* function > 7 */
    expect_set(d, "addr", "3.", false);
    expect_set(d, "addr", "", false);
    expect_set(d, "addr", "zz", false);
    expect_set(d, "addr", "3.1x", false);
    object_unref(OBJECT(w));
}

static void count_prop(const Property *p, void *opaque)
{
    (*(int *)opaque)++;
}

static void test_inherited_props(void)
{
    Widget *g = new_widget("gadget");
    Widget *s = new_widget("sprocket");
    int count = 0;

    /* the subclass's own default wins for its own property */
    g_assert_cmpuint(g->u32, ==, 7);
    g_assert_nonnull(qdev_find_property(DEVICE_GET_CLASS(g), "name"));
    g_assert_nonnull(qdev_find_property(DEVICE_GET_CLASS(g), "extra"));
    g_assert_nonnull(qdev_find_property(DEVICE_GET_CLASS(s), "flag"));
    g_assert_null(qdev_find_property(DEVICE_GET_CLASS(s), "extra"));
    qdev_foreach_property(DEVICE_GET_CLASS(s), count_prop, &count);
    /* a subclass without props of its own must not list them twice */
    g_assert_cmpint(count, ==, ARRAY_SIZE(widget_props) - 1);
    object_unref(OBJECT(g));
    object_unref(OBJECT(s));
}

static void test_realize_unrealize_reset(void)
{
    Widget *w = new_widget("widget");
    Error *err = NULL;

    g_assert_true(qdev_realize(DEVICE(w), NULL, &err));
    g_assert_cmpint(w->realized, ==, 1);
    expect_set(DEVICE(w), "u8", "1", false);    /* too late */
    qdev_reset_all();
    g_assert_cmpint(w->resets, ==, 1);
    qdev_unrealize(DEVICE(w));
    g_assert_cmpint(w->unrealized, ==, 1);
    qdev_reset_all();
    g_assert_cmpint(w->resets, ==, 1);          /* no longer realized */
    object_unparent(OBJECT(w));
    object_unref(OBJECT(w));
}

static void test_realize_failure(void)
{
    Widget *w = new_widget("widget");
    Error *err = NULL;

    qdev_prop_set_bit(DEVICE(w), "fail-realize", true);
    g_assert_false(qdev_realize(DEVICE(w), NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "widget refuses to realize");
    error_free(err);
    g_assert_false(DEVICE(w)->realized);
    object_unref(OBJECT(w));
}

static void test_globals(void)
{
    Widget *w;

    qdev_global_add("gadget", "u8", "42");
    w = new_widget("widget");
    g_assert_true(qdev_apply_globals(DEVICE(w), &error_abort));
    g_assert_cmpuint(w->u8, ==, 8);             /* not a gadget */
    object_unref(OBJECT(w));
    w = new_widget("gadget");
    g_assert_true(qdev_apply_globals(DEVICE(w), &error_abort));
    g_assert_cmpuint(w->u8, ==, 42);
    object_unref(OBJECT(w));
}

static DeviceState *add_device(const char *args, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(args, "driver", &error_abort);
    DeviceState *dev = qdev_device_add(opts, errp);

    qemu_opts_free(opts);
    return dev;
}

static void expect_add_error(const char *args, const char *msg)
{
    Error *err = NULL;

    g_assert_null(add_device(args, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_device_add(void)
{
    DeviceState *dev;
    Error *err = NULL;
    g_autofree char *path = NULL;

    dev = add_device("widget,id=w1,u8=3", &error_abort);
    g_assert_true(dev->realized);
    g_assert_cmpuint(((Widget *)dev)->u8, ==, 3);
    path = object_get_canonical_path(OBJECT(dev));
    g_assert_cmpstr(path, ==, "/machine/peripheral/w1");
    g_assert_true(qdev_find_by_id("w1") == dev);

    expect_add_error("widget,id=w1", "Duplicate device ID 'w1'");
    expect_add_error("nosuchdevice", "'nosuchdevice' is not a valid device "
                     "model name");
    expect_add_error("widget,id=1bad", "Parameter 'id' expects an identifier "
                     "(a letter followed by letters, digits, '-', '.', '_'), "
                     "got '1bad'");
    expect_add_error("widget,bogus=1", "Property 'widget.bogus' not found");
    expect_add_error("widget,fail-realize=on,id=w2",
                     "widget refuses to realize");
    g_assert_null(qdev_find_by_id("w2"));
    g_assert_null(object_resolve_path("/machine/peripheral/w2", NULL));

    qdev_device_remove(dev);
    g_assert_null(qdev_find_by_id("w1"));
    g_assert_null(object_resolve_path("/machine/peripheral/w1", NULL));
    g_assert_nonnull(dev = add_device("widget,id=w1", &err));
    qdev_device_remove(dev);
}

static void test_json_opts(void)
{
    Error *err = NULL;
    QemuOpts *opts = qdev_opts_from_json(
        "{\"driver\":\"widget\",\"id\":\"j1\",\"u8\":5,\"flag\":false,"
        "\"name\":\"x\"}", &error_abort);
    DeviceState *dev = qdev_device_add(opts, &error_abort);

    g_assert_cmpuint(((Widget *)dev)->u8, ==, 5);
    g_assert_false(((Widget *)dev)->flag);
    g_assert_cmpstr(((Widget *)dev)->name, ==, "x");
    qemu_opts_free(opts);
    qdev_device_remove(dev);

    g_assert_null(qdev_opts_from_json("{\"driver\":", &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err), "JSON parse error"));
    error_free_or_abort(&err);
    /* json-glib alone would set an id of one byte 0x92 */
    g_assert_null(qdev_opts_from_json("{\"driver\":\"widget\","
                                      "\"id\":\"\\222\"}", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "JSON parse error, invalid "
                    "escape sequence in string");
    error_free_or_abort(&err);
    g_assert_null(qdev_opts_from_json("[1,2]", &err));
    error_free_or_abort(&err);
    g_assert_null(qdev_opts_from_json("{\"driver\":\"widget\",\"u8\":[1]}",
                                      &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'u8' expects a scalar value");
    error_free_or_abort(&err);
    g_assert_null(qdev_opts_from_json("{\"driver\":\"widget\",\"u8\":1.5}",
                                      &err));
    error_free_or_abort(&err);
}

static void test_help_output(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    Error *err = NULL;

    g_assert_true(qdev_print_device_props(f, "widget", &error_abort));
    qdev_print_device_list(f);
    g_assert_false(qdev_print_device_props(f, "nothing", &err));
    error_free(err);
    fclose(f);
    g_assert_nonnull(strstr(buf, "widget options:"));
    g_assert_nonnull(strstr(buf, "  addr=<int32>"));
    g_assert_nonnull(strstr(buf, "(default: -1)"));
    g_assert_nonnull(strstr(buf, "flag=<bool>"));
    g_assert_nonnull(strstr(buf, "name \"widget\", desc \"a widget\""));
    /* sorted: addr before flag before u8 */
    g_assert_true(strstr(buf, "addr=") < strstr(buf, "flag="));
    g_assert_true(strstr(buf, "flag=") < strstr(buf, "u8="));
    free(buf);
}

/* Buses with a hotplug handler */

#define TYPE_HUB "hub"
#define TYPE_HUB_BUS "hub-bus"
#define TYPE_PLUG "plug"

static GString *hp_log;
static bool hp_refuse;
static bool hp_defer;

static bool hub_pre_plug(BusState *bus, DeviceState *dev, Error **errp)
{
    g_string_append_printf(hp_log, "pre_plug:%s ", dev->id);
    if (hp_refuse) {
        error_setg(errp, "hub says no to %s", dev->id);
        return false;
    }
    return true;
}

static void hub_plug(BusState *bus, DeviceState *dev)
{
    g_assert_true(dev->realized);
    g_string_append_printf(hp_log, "plug:%s:%d ", dev->id, dev->hotplugged);
}

static bool hub_unplug_request(BusState *bus, DeviceState *dev, Error **errp)
{
    g_string_append_printf(hp_log, "request:%s ", dev->id);
    if (hp_defer) {
        dev->pending_deleted_event = true;
        dev->pending_deleted_expires_ms =
            qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + 1000;
    } else {
        qdev_unplug(dev);
    }
    return true;
}

static void hub_unplugged(BusState *bus, DeviceState *dev)
{
    g_assert_false(dev->realized);
    g_string_append_printf(hp_log, "unplugged:%s ", dev->id);
}

static const BusHotplugOps hub_ops = {
    .pre_plug = hub_pre_plug,
    .plug = hub_plug,
    .unplug_request = hub_unplug_request,
    .unplugged = hub_unplugged,
};

static void hub_realize(DeviceState *dev, Error **errp)
{
    BusState *bus = qbus_new(TYPE_HUB_BUS, dev, "hub.0");

    qbus_set_hotplug_ops(bus, &hub_ops, NULL);
}

static void hub_class_init(ObjectClass *oc, const void *data)
{
    DEVICE_CLASS(oc)->realize = hub_realize;
}

/* Its reset takes the device with id "victim" away (a slot completing). */
static void plug_reset(DeviceState *dev)
{
    DeviceState *victim = qdev_find_by_id("victim");

    g_string_append_printf(hp_log, "reset:%s ", dev->id);
    if (victim && victim != dev) {
        qdev_unplug(victim);
    }
}

static void plug_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->bus_type = TYPE_HUB_BUS;
    dc->user_creatable = true;
    dc->hotpluggable = true;
    dc->reset = plug_reset;
}

static const TypeInfo hub_types[] = {
    { .name = TYPE_HUB, .parent = TYPE_DEVICE,
      .instance_size = sizeof(DeviceState), .class_init = hub_class_init },
    { .name = TYPE_HUB_BUS, .parent = TYPE_BUS,
      .instance_size = sizeof(BusState) },
    { .name = TYPE_PLUG, .parent = TYPE_DEVICE,
      .instance_size = sizeof(DeviceState), .class_init = plug_class_init },
};

static void expect_hp_log(const char *expected)
{
    g_assert_cmpstr(hp_log->str, ==, expected);
    g_string_truncate(hp_log, 0);
}

static void test_bus_hotplug_ops(void)
{
    DeviceState *hub = qdev_new(TYPE_HUB);
    DeviceState *a, *b;

    hp_log = g_string_new("");
    object_property_add_child(object_get_root(), "hub", OBJECT(hub),
                              &error_abort);
    qdev_realize_and_unref(hub, NULL, &error_abort);

    /* Before the guest runs, device_add is a cold plug. */
    a = add_device("plug,id=a,bus=hub.0", &error_abort);
    expect_hp_log("pre_plug:a plug:a:0 ");
    runstate_set(RUN_STATE_RUNNING);
    b = add_device("plug,id=b,bus=hub.0", &error_abort);
    expect_hp_log("pre_plug:b plug:b:1 ");
    hp_refuse = true;
    expect_add_error("plug,id=c,bus=hub.0", "hub says no to c");
    hp_refuse = false;
    expect_hp_log("pre_plug:c ");
    g_assert_null(qdev_find_by_id("c"));

    /* A deferred request leaves the device; a repeat is refused a while. */
    hp_defer = true;
    g_assert_true(qdev_unplug_request(b, &error_abort));
    expect_hp_log("request:b ");
    g_assert_true(b->realized);
    g_assert_true(qdev_unplug_pending(b));
    qemu_clock_set_virtual_manual(true);
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                               1000 * SCALE_MS);
    g_assert_false(qdev_unplug_pending(b));
    qemu_clock_set_virtual_manual(false);
    /* The handler completes it later, by whatever path. */
    qdev_unplug(b);
    expect_hp_log("unplugged:b ");
    hp_defer = false;
    g_assert_true(qdev_unplug_request(a, &error_abort));
    expect_hp_log("request:a unplugged:a ");
    g_assert_null(qdev_find_by_id("a"));

    /* A reset handler may unplug a device that would be reset after it. */
    add_device("plug,id=first,bus=hub.0", &error_abort);
    add_device("plug,id=victim,bus=hub.0", &error_abort);
    expect_hp_log("pre_plug:first plug:first:1 pre_plug:victim "
                  "plug:victim:1 ");
    qdev_reset_all();
    expect_hp_log("reset:first unplugged:victim ");
    g_assert_null(qdev_find_by_id("victim"));

    /* When the hub goes, its devices go without per-device notices. */
    qdev_unrealize(hub);
    object_unparent(OBJECT(hub));
    expect_hp_log("");
    g_assert_null(qdev_find_by_id("first"));
    runstate_set(RUN_STATE_PRELAUNCH);
    g_string_free(hp_log, true);
}

/* Without a hotplug handler, device_del removes at once. */
static void test_unplug_request_plain(void)
{
    DeviceState *dev = add_device("widget,id=plain", &error_abort);

    g_assert_true(qdev_unplug_request(dev, &error_abort));
    g_assert_null(qdev_find_by_id("plain"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static_array(widget_types, ARRAY_SIZE(widget_types));
    type_register_static_array(hub_types, ARRAY_SIZE(hub_types));
    g_test_add_func("/qdev/defaults", test_defaults);
    g_test_add_func("/qdev/parse-each-type", test_parse_each_type);
    g_test_add_func("/qdev/pci-devfn", test_pci_devfn);
    g_test_add_func("/qdev/inherited-props", test_inherited_props);
    g_test_add_func("/qdev/realize-unrealize-reset",
                    test_realize_unrealize_reset);
    g_test_add_func("/qdev/realize-failure", test_realize_failure);
    g_test_add_func("/qdev/globals", test_globals);
    g_test_add_func("/qdev/device-add", test_device_add);
    g_test_add_func("/qdev/json-opts", test_json_opts);
    g_test_add_func("/qdev/help-output", test_help_output);
    g_test_add_func("/qdev/bus-hotplug-ops", test_bus_hotplug_ops);
    g_test_add_func("/qdev/unplug-request-plain", test_unplug_request_plain);
    return g_test_run();
}
