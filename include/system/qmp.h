/*
 * The QMP monitor: QEMU's JSON protocol on one or more chardevs
 * (-qmp, -mon chardev=ID,mode=control). JSON goes through json-glib.
 *
 * Commands register themselves with a QmpCommandDef: the argument list is
 * both the validation (missing, unexpected, wrong type: QAPI's messages)
 * and what query-qmp-schema reports, so the schema cannot drift from what
 * is implemented.
 */
#ifndef SYSTEM_QMP_H
#define SYSTEM_QMP_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include <json-glib/json-glib.h>

typedef struct Monitor Monitor;

typedef enum QmpArgType {
    QMP_ARG_STR,
    QMP_ARG_INT,
    QMP_ARG_BOOL,
    QMP_ARG_NUMBER,
    QMP_ARG_ANY,            /* any JSON value */
    QMP_ARG_STR_LIST,
} QmpArgType;

typedef struct QmpArgDef {
    const char *name;
    QmpArgType type;
    bool optional;
} QmpArgDef;

/*
 * A handler returns the "return" value (a new JsonNode, NULL for {}) or
 * sets errp. @mon is the monitor the command came in on.
 */
typedef JsonNode *QmpHandler(Monitor *mon, JsonObject *args, Error **errp);

typedef struct QmpCommandDef {
    const char *name;
    QmpHandler *handler;
    const QmpArgDef *args;      /* terminated by { NULL } ; NULL: none */
    /* Accept arguments beyond @args (device_add takes any property). */
    bool args_open;
    /* Schema extras: "features" names (e.g. "json-cli"), return type name. */
    const char *const *features;
    const char *ret_type;       /* schema meta name, NULL for {} */
    bool allow_in_negotiation;  /* only qmp_capabilities */
} QmpCommandDef;

void qmp_register_command(const QmpCommandDef *def);
const QmpCommandDef *qmp_find_command(const char *name);
/* All commands, sorted by name. */
GPtrArray *qmp_command_list(void);

/* Events go to every monitor past negotiation; @data may be NULL (taken). */
void qmp_event_send(const char *name, JsonObject *data);
/* Declare an event for the schema. */
void qmp_register_event(const char *name);

/* Monitors */
bool qmp_monitor_init_chardev(const char *chardev_id, bool pretty,
                              Error **errp);
void qmp_monitors_cleanup(void);
/* fds passed with getfd on @mon, looked up by name (or a decimal number). */
int monitor_fd_param(Monitor *mon, const char *fdname, Error **errp);

/* Shared helpers for handlers. */
JsonNode *qmp_node_from_string_array(const char *const *strs);

#endif
