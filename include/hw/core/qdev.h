/*
 * Devices: typed properties, realize/unrealize, buses, reset, GPIO inputs.
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qom/object.h"
#include "hw/irq.h"

#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;
typedef struct BusState BusState;
typedef struct Property Property;
typedef struct PropertyInfo PropertyInfo;

typedef void DeviceRealize(DeviceState *dev, Error **errp);
typedef void DeviceUnrealize(DeviceState *dev);
typedef void DeviceReset(DeviceState *dev);

struct PropertyInfo {
    const char *type;           /* as device-list-properties names it */
    const char *description;    /* default help text for this type */
    /* Parse @value and store it; error names the property. */
    bool (*set)(DeviceState *dev, const Property *prop, const char *value,
                Error **errp);
    /* Current value as text (caller frees), as `-device X,help` shows it. */
    char *(*print)(DeviceState *dev, const Property *prop);
    /* Store the property's default. */
    void (*set_default)(DeviceState *dev, const Property *prop);
};

struct Property {
    const char *name;
    const PropertyInfo *info;
    size_t offset;
    int64_t defval;             /* integers, bools, on/off/auto */
    bool has_default;           /* print "(default: ...)" in help */
    const char *description;
};

extern const PropertyInfo qdev_prop_string;
extern const PropertyInfo qdev_prop_bool;
extern const PropertyInfo qdev_prop_uint8;
extern const PropertyInfo qdev_prop_uint16;
extern const PropertyInfo qdev_prop_uint32;
extern const PropertyInfo qdev_prop_int32;
extern const PropertyInfo qdev_prop_uint64;
extern const PropertyInfo qdev_prop_size;
extern const PropertyInfo qdev_prop_pci_devfn;   /* "S[.F]", int32, -1 = auto */
extern const PropertyInfo qdev_prop_on_off_auto;

typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO,
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
} OnOffAuto;

#define DEFINE_PROP(_name, _state, _field, _info, _type, ...) {        \
        .name = (_name),                                                \
        .info = &(_info),                                               \
        .offset = offsetof(_state, _field) +                            \
            0 * sizeof(((_state *)0)->_field == (_type)0),              \
        __VA_ARGS__                                                     \
    }
#define DEFINE_PROP_STRING(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_string, char *)
#define DEFINE_PROP_BOOL(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_bool, bool, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_UINT8(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint8, uint8_t, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_UINT16(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint16, uint16_t, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_UINT32(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint32, uint32_t, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_INT32(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_int32, int32_t, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_UINT64(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint64, uint64_t, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_SIZE(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_size, uint64_t, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_PCI_DEVFN(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_pci_devfn, int32_t, .defval = (_d), \
                .has_default = true)
#define DEFINE_PROP_ON_OFF_AUTO(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_on_off_auto, OnOffAuto, \
                .defval = (_d), .has_default = true)
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }

struct DeviceClass {
    ObjectClass parent_class;
    const char *desc;
    const Property *props;      /* this class's own, END_OF_LIST terminated */
    bool user_creatable;        /* may appear in -device / device_add */
    bool hotpluggable;
    const char *bus_type;       /* TYPE_* of the bus it plugs into, or NULL */
    const char *category;       /* for -device help grouping */
    DeviceRealize *realize;
    DeviceUnrealize *unrealize;
    DeviceReset *reset;
};

struct DeviceState {
    Object parent_obj;
    char *id;
    bool realized;
    bool unrealizing;           /* on its way out, children first */
    bool hotplugged;            /* created while the guest could run */
    /*
     * device_del asked the guest and removal waits for its answer; until
     * the virtual clock reaches pending_deleted_expires_ms, another
     * device_del is refused (QEMU's rule).
     */
    bool pending_deleted_event;
    int64_t pending_deleted_expires_ms;
    BusState *parent_bus;
    GSList *child_buses;        /* BusState * */
    qemu_irq *gpio_in;
    int num_gpio_in;
};

/*
 * A bus whose devices come and go with the guest's help (a PCIe slot).
 * Without one, device_del removes a device at once.
 */
typedef struct BusHotplugOps {
    /* Before @dev is realized on @bus: may refuse it. */
    bool (*pre_plug)(BusState *bus, DeviceState *dev, Error **errp);
    /* After @dev was realized on @bus (dev->hotplugged: hot or cold). */
    void (*plug)(BusState *bus, DeviceState *dev);
    /*
     * device_del: ask for removal. The handler removes the device (with
     * qdev_unplug()) now or once the guest agrees.
     */
    bool (*unplug_request)(BusState *bus, DeviceState *dev, Error **errp);
    /*
     * @dev has left @bus, by whatever path (not called when the bus's own
     * device is going away).
     */
    void (*unplugged)(BusState *bus, DeviceState *dev);
} BusHotplugOps;

struct BusState {
    Object parent_obj;
    char *name;                 /* "pcie.0" */
    DeviceState *parent;
    GPtrArray *children;        /* DeviceState *, realized children */
    const BusHotplugOps *hotplug_ops;
    void *hotplug_opaque;
};

#define DEVICE(obj) OBJECT_CHECK(DeviceState, (obj), TYPE_DEVICE)
#define DEVICE_CLASS(oc) OBJECT_CLASS_CHECK(DeviceClass, (oc), TYPE_DEVICE)
#define DEVICE_GET_CLASS(obj) OBJECT_GET_CLASS(DeviceClass, (obj), TYPE_DEVICE)
#define BUS(obj) OBJECT_CHECK(BusState, (obj), TYPE_BUS)

void device_class_set_props(DeviceClass *dc, const Property *props);

DeviceState *qdev_new(const char *typename);
/* Look a property up along the class chain. */
const Property *qdev_find_property(DeviceClass *dc, const char *name);
typedef void QdevPropFunc(const Property *prop, void *opaque);
/* Every property, most derived class first. */
void qdev_foreach_property(DeviceClass *dc, QdevPropFunc *fn, void *opaque);

bool qdev_prop_set(DeviceState *dev, const char *name, const char *value,
                   Error **errp);
char *qdev_prop_get(DeviceState *dev, const char *name);
/* Typed setters for board code (abort on misuse). */
void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value);
void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value);
void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value);
void qdev_prop_set_string(DeviceState *dev, const char *name, const char *value);

/* -global DRIVER.PROP=VALUE: applied to each new device of that type. */
void qdev_global_add(const char *driver, const char *prop, const char *value);
bool qdev_apply_globals(DeviceState *dev, Error **errp);

/*
 * Give @obj a place in the composition tree if it has none:
 * /machine/unattached/device[N], N counting every such object.
 */
void qdev_add_unattached(Object *obj);
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);
/* Realize and drop the caller's reference (the bus/parent holds one). */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp);
void qdev_unrealize(DeviceState *dev);
void device_cold_reset(DeviceState *dev);
/* Reset every realized device (system_reset). */
void qdev_reset_all(void);

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n);
qemu_irq qdev_get_gpio_in(DeviceState *dev, int n);

/* Buses */
BusState *qbus_new(const char *typename, DeviceState *parent,
                   const char *name);
/* Detach @bus from its parent device and drop it (an undone realize). */
void qbus_unparent(BusState *bus);
void qbus_set_hotplug_ops(BusState *bus, const BusHotplugOps *ops,
                          void *opaque);
BusState *qbus_find(const char *name);          /* by bus name */
GPtrArray *qbus_list(void);                     /* BusState *, all buses */

DeviceState *qdev_find_by_id(const char *id);
/* Walk realized devices: fn returns non-zero to stop. */
typedef int QdevWalkFunc(DeviceState *dev, void *opaque);
int qdev_walk_all(QdevWalkFunc *fn, void *opaque);

#endif
