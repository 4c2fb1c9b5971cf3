/*
 * The QMP monitor: QEMU's JSON protocol on one or more chardevs
 * (-qmp, -mon chardev=ID,mode=control). JSON goes through json-glib.
 *
 * Commands register themselves with a QmpCommandDef: the argument list is
 * both the validation (missing, unexpected, wrong type: QAPI's messages)
 * and what query-qmp-schema reports, so the schema cannot drift from what
 * is implemented. Types named by commands and events are registered with
 * a QmpTypeDef for the same reason.
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
    /* Schema type when it is more precise than @type (an enum, "[Enum]"). */
    const char *schema_type;
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
    const char *ret_type;       /* schema type name, NULL for {} */
    bool allow_in_negotiation;  /* only qmp_capabilities */
} QmpCommandDef;

void qmp_register_command(const QmpCommandDef *def);
const QmpCommandDef *qmp_find_command(const char *name);
/* All commands, sorted by name. */
GPtrArray *qmp_command_list(void);

/*
 * Schema types. A type reference is a builtin ("str", "int", "bool",
 * "number", "any", "null"), "[T]" for an array of T, or the name of a
 * registered QmpTypeDef. query-qmp-schema masks registered names as
 * numbers, as QEMU does.
 */
typedef enum QmpTypeKind {
    QMP_TYPE_OBJECT,
    QMP_TYPE_ENUM,
} QmpTypeKind;

typedef struct QmpMemberDef {
    const char *name;
    const char *type;
    bool optional;
} QmpMemberDef;

typedef struct QmpTypeDef {
    const char *name;
    QmpTypeKind kind;
    const QmpMemberDef *members;    /* objects; terminated by { NULL } */
    const char *const *values;      /* enums; NULL-terminated */
} QmpTypeDef;

void qmp_register_type(const QmpTypeDef *def);
const QmpTypeDef *qmp_find_type(const char *name);

/* Events go to every monitor past negotiation; @data may be NULL (taken). */
void qmp_event_send(const char *name, JsonObject *data);
/* Declare an event for the schema; @data_type NULL: no data member. */
void qmp_register_event(const char *name, const char *data_type);
/* Registered events, sorted by name (const char *). */
GPtrArray *qmp_event_list(void);
const char *qmp_event_data_type(const char *name);

/* query-qmp-schema's return value. */
JsonNode *qmp_schema_build(void);

/* Monitors */
bool qmp_monitor_init_chardev(const char *chardev_id, bool pretty,
                              Error **errp);
/* Send what is still queued (bounded wait), then free every monitor. */
void qmp_monitors_cleanup(void);
/* The monitor whose command is running, or NULL (command line). */
Monitor *monitor_cur(void);
/*
 * An fd for a device property: a name registered with getfd on @mon
 * (the fd is handed over to the caller), or a decimal fd number.
 * @mon may be NULL (command line): then only numbers are accepted.
 */
int monitor_fd_param(Monitor *mon, const char *fdname, Error **errp);
/* For getfd: the next fd that came with the running command, or -1. */
int monitor_take_msg_fd(Monitor *mon);
/* getfd/closefd on @mon's table (errors as QEMU words them). */
bool monitor_add_fd(Monitor *mon, const char *fdname, int fd, Error **errp);
bool monitor_close_fd(Monitor *mon, const char *fdname, Error **errp);

/*
 * The monitor's input framing, exposed for unit tests: finds where each
 * JSON value ends in a byte stream (brace/bracket depth outside strings),
 * turns QEMU's single-quoted strings into JSON strings, and enforces the
 * size and nesting limits. A value over a limit is reported once and
 * skipped to its end, so the stream resynchronises at the next value.
 *
 * Bytes are judged as QEMU's JSON lexer judges them: one that cannot
 * appear outside a string (a control character, 0xFF, '@'...), a control
 * character inside a string or an invalid UTF-8 sequence there is an
 * error at once, newline or not. The value being assembled is dropped and
 * input is skipped up to the next '{', '[', '}', ']', control character
 * or 0xFE/0xFF byte (QEMU's recovery points), so the next command is read
 * normally.
 */
#define QMP_MAX_MESSAGE_SIZE (16 * 1024 * 1024)
#define QMP_MAX_NESTING 1024

typedef struct QmpSplitter {
    GString *buf;               /* the value being assembled (converted) */
    int64_t depth;              /* open braces and brackets */
    bool in_value;              /* inside a value at all */
    bool in_string;
    char quote;                 /* '"' or '\'' */
    bool escape;                /* after a backslash in a string */
    bool bare;                  /* a top-level bare word (number, true..) */
    bool skipping;              /* over a limit: drop bytes to value end */
    bool recovering;            /* after a lexical error: to a sync point */
    uint8_t utf8_need;          /* continuation bytes still expected */
    uint8_t utf8_lo, utf8_hi;   /* the range allowed for the next one */
} QmpSplitter;

/* @json is NUL-terminated (NULL with @error set for limit errors). */
typedef void QmpMessageFunc(void *opaque, const char *json, size_t len,
                            const char *error);

void qmp_splitter_init(QmpSplitter *s);
void qmp_splitter_reset(QmpSplitter *s);
void qmp_splitter_destroy(QmpSplitter *s);
void qmp_splitter_feed(QmpSplitter *s, const char *data, size_t len,
                       QmpMessageFunc *emit, void *opaque);
/* Mid-value (bytes seen that do not yet form a complete value)? */
bool qmp_splitter_busy(const QmpSplitter *s);

/*
 * Run one request (the text of one JSON value) as if it came in on @mon
 * and return the reply object, or NULL when there is none. Unit tests
 * use a monitor made by qmp_monitor_new_detached().
 */
JsonObject *qmp_dispatch_text(Monitor *mon, const char *json, size_t len);
Monitor *qmp_monitor_new_detached(void);
void qmp_monitor_free_detached(Monitor *mon);
/*
 * Bytes for a detached monitor, as if its client had sent them: framed,
 * parsed and dispatched as on a chardev. Its replies, CRLF-terminated as
 * on the wire, are kept for qmp_monitor_take_output (g_free the text).
 * For fuzzing and tests.
 */
void qmp_monitor_feed(Monitor *mon, const char *data, size_t len);
char *qmp_monitor_take_output(Monitor *mon);
bool qmp_monitor_negotiated(const Monitor *mon);

/* Shared helpers for handlers. */
JsonNode *qmp_node_from_string_array(const char *const *strs);
/* Nodes that take over the caller's reference. */
JsonNode *qmp_node_take_array(JsonArray *arr);
JsonNode *qmp_node_take_object(JsonObject *obj);
/* Serialize as the monitor does (compact, or pretty) without line end. */
char *qmp_to_json(JsonNode *node, bool pretty);

/* Human monitor (system/hmp.c): the output of one command line. */
char *hmp_run_command(Monitor *mon, const char *cmdline);

/* {"qemu": {"micro", "minor", "major"}, "package"}: greeting, query-version */
JsonObject *qmp_version_object(void);

/* Registration, run once on first use of the registry. */
void qmp_commands_init(void);               /* system/qmp-commands.c */
void qmp_register_monitor_commands(void);   /* system/qmp.c */
void qmp_register_qdev_commands(void);      /* system/qmp-qdev.c */

#endif
