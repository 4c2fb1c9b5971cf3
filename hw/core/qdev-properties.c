/*
 * Typed device properties: parse from text (command line, QMP), print the
 * current value, set defaults.
 */
#include "qemu/osdep.h"
#include "qemu/option.h"
#include "hw/core/qdev.h"

static void *prop_ptr(DeviceState *dev, const Property *prop)
{
    return (char *)dev + prop->offset;
}

/* string */

static bool set_string(DeviceState *dev, const Property *prop,
                       const char *value, Error **errp)
{
    char **ptr = prop_ptr(dev, prop);

    g_free(*ptr);
    *ptr = g_strdup(value);
    return true;
}

static char *print_string(DeviceState *dev, const Property *prop)
{
    char **ptr = prop_ptr(dev, prop);

    return g_strdup(*ptr ? *ptr : "");
}

const PropertyInfo qdev_prop_string = {
    .type = "str",
    .set = set_string,
    .print = print_string,
};

/* bool */

static bool set_bool(DeviceState *dev, const Property *prop,
                     const char *value, Error **errp)
{
    return qemu_parse_bool(prop->name, value, prop_ptr(dev, prop), errp);
}

static char *print_bool(DeviceState *dev, const Property *prop)
{
    return g_strdup(*(bool *)prop_ptr(dev, prop) ? "true" : "false");
}

static void default_bool(DeviceState *dev, const Property *prop)
{
    *(bool *)prop_ptr(dev, prop) = prop->defval;
}

const PropertyInfo qdev_prop_bool = {
    .type = "bool",
    .set = set_bool,
    .print = print_bool,
    .set_default = default_bool,
};

/* unsigned integers of each width */

#define DEFINE_UINT_PROP(bits)                                              \
static bool set_uint##bits(DeviceState *dev, const Property *prop,          \
                           const char *value, Error **errp)                \
{                                                                           \
    uint64_t v;                                                             \
                                                                            \
    if (!qemu_parse_uint(prop->name, value, UINT##bits##_MAX, &v, errp)) {  \
        return false;                                                       \
    }                                                                       \
    *(uint##bits##_t *)prop_ptr(dev, prop) = v;                             \
    return true;                                                            \
}                                                                           \
static char *print_uint##bits(DeviceState *dev, const Property *prop)       \
{                                                                           \
    return g_strdup_printf("%" PRIu64,                                      \
                           (uint64_t)*(uint##bits##_t *)prop_ptr(dev, prop)); \
}                                                                           \
static void default_uint##bits(DeviceState *dev, const Property *prop)      \
{                                                                           \
    *(uint##bits##_t *)prop_ptr(dev, prop) = prop->defval;                  \
}                                                                           \
const PropertyInfo qdev_prop_uint##bits = {                                 \
    .type = "uint" #bits,                                                   \
    .set = set_uint##bits,                                                  \
    .print = print_uint##bits,                                              \
    .set_default = default_uint##bits,                                      \
};

DEFINE_UINT_PROP(8)
DEFINE_UINT_PROP(16)
DEFINE_UINT_PROP(32)
DEFINE_UINT_PROP(64)

/* int32 */

static bool set_int32(DeviceState *dev, const Property *prop,
                      const char *value, Error **errp)
{
    int64_t v;

    if (!qemu_parse_int(prop->name, value, INT32_MIN, INT32_MAX, &v, errp)) {
        return false;
    }
    *(int32_t *)prop_ptr(dev, prop) = v;
    return true;
}

static char *print_int32(DeviceState *dev, const Property *prop)
{
    return g_strdup_printf("%" PRId32, *(int32_t *)prop_ptr(dev, prop));
}

static void default_int32(DeviceState *dev, const Property *prop)
{
    *(int32_t *)prop_ptr(dev, prop) = prop->defval;
}

const PropertyInfo qdev_prop_int32 = {
    .type = "int32",
    .set = set_int32,
    .print = print_int32,
    .set_default = default_int32,
};

/* size */

static bool set_size(DeviceState *dev, const Property *prop,
                     const char *value, Error **errp)
{
    return qemu_parse_size(prop->name, value, 'B', prop_ptr(dev, prop), errp);
}

const PropertyInfo qdev_prop_size = {
    .type = "size",
    .set = set_size,
    .print = print_uint64,
    .set_default = default_uint64,
};

/*
 * PCI device address "S[.F]": slot and function in hex as QEMU reads them
 * (so addr=10 is slot 0x10), each with an optional 0x prefix.
 */
static bool parse_hex_part(const char *s, unsigned max, unsigned *out,
                           const char **end)
{
    char *e;
    unsigned long v;

    if (!g_ascii_isxdigit(*s)) {
        return false;
    }
    errno = 0;
    v = strtoul(s, &e, 16);
    if (errno || v > max) {
        return false;
    }
    *out = v;
    *end = e;
    return true;
}

static bool set_pci_devfn(DeviceState *dev, const Property *prop,
                          const char *value, Error **errp)
{
    unsigned slot, func = 0;
    const char *e;

    if (!parse_hex_part(value, 0x1f, &slot, &e) ||
        (*e == '.' && !parse_hex_part(e + 1, 7, &func, &e)) || *e) {
        error_setg(errp, "Parameter '%s' expects a PCI device address "
                   "slot[.function], example: 06.0 or 06, got '%s'",
                   prop->name, value);
        return false;
    }
    *(int32_t *)prop_ptr(dev, prop) = (slot << 3) | func;
    return true;
}

static char *print_pci_devfn(DeviceState *dev, const Property *prop)
{
    int32_t devfn = *(int32_t *)prop_ptr(dev, prop);

    if (devfn < 0) {
        return g_strdup("-1");
    }
    return g_strdup_printf("%02x.%x", devfn >> 3, devfn & 7);
}

const PropertyInfo qdev_prop_pci_devfn = {
    .type = "int32",
    .description = "Slot and optional function number, example: 06.0 or 06",
    .set = set_pci_devfn,
    .print = print_pci_devfn,
    .set_default = default_int32,
};

/* on/off/auto */

static const char *const on_off_auto_names[] = {
    [ON_OFF_AUTO_AUTO] = "auto",
    [ON_OFF_AUTO_ON] = "on",
    [ON_OFF_AUTO_OFF] = "off",
};

static bool set_on_off_auto(DeviceState *dev, const Property *prop,
                            const char *value, Error **errp)
{
    for (unsigned i = 0; i < ARRAY_SIZE(on_off_auto_names); i++) {
        if (!strcmp(value, on_off_auto_names[i])) {
            *(OnOffAuto *)prop_ptr(dev, prop) = i;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s' "
               "(expects on, off or auto)", prop->name, value);
    return false;
}

static char *print_on_off_auto(DeviceState *dev, const Property *prop)
{
    return g_strdup(on_off_auto_names[*(OnOffAuto *)prop_ptr(dev, prop)]);
}

static void default_on_off_auto(DeviceState *dev, const Property *prop)
{
    *(OnOffAuto *)prop_ptr(dev, prop) = prop->defval;
}

const PropertyInfo qdev_prop_on_off_auto = {
    .type = "OnOffAuto",
    .description = "on/off/auto",
    .set = set_on_off_auto,
    .print = print_on_off_auto,
    .set_default = default_on_off_auto,
};
