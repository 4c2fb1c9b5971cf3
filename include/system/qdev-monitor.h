/* Creating devices from -device, device_add and their help output. */
#ifndef SYSTEM_QDEV_MONITOR_H
#define SYSTEM_QDEV_MONITOR_H

#include "qemu/osdep.h"
#include "qemu/option.h"
#include "hw/core/qdev.h"
#include <json-glib/json-glib.h>

/*
 * Create and realize a device. Keys "driver", "id" and "bus" are taken
 * by the monitor; every other key is a device property, set in order.
 * The device is placed at /machine/peripheral/ID (or peripheral-anon).
 */
DeviceState *qdev_device_add(QemuOpts *opts, Error **errp);
/* Unrealize and remove a user-created device. */
void qdev_device_remove(DeviceState *dev);
/* Remove it and tell the monitors (DEVICE_DELETED {device?, path}). */
void qdev_unplug(DeviceState *dev);
/*
 * device_del: removal through the bus's hotplug handler, which may wait
 * for the guest (DEVICE_DELETED then comes later), else at once.
 */
bool qdev_unplug_request(DeviceState *dev, Error **errp);
/* An earlier request still waits for the guest (a repeat is refused). */
bool qdev_unplug_pending(DeviceState *dev);

/* JSON form: an object of scalars, as -device '{...}' and device_add. */
QemuOpts *qdev_opts_from_json_object(JsonObject *obj, Error **errp);
QemuOpts *qdev_opts_from_json(const char *json, Error **errp);
/* The same for any option's JSON form; @what names it in errors ("-object"). */
QemuOpts *qemu_opts_from_json(const char *json, const char *what,
                              Error **errp);

/* "-device help" and "-device DRIVER,help". */
void qdev_print_device_list(FILE *out);
bool qdev_print_device_props(FILE *out, const char *driver, Error **errp);

#endif
