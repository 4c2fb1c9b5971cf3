/*
 * The QMP monitor: QEMU's JSON protocol on chardevs.
 *
 * Input: the splitter finds where each JSON value ends, the value is
 * parsed by json-glib and dispatched through the command registry.
 * Output: replies and events go to a per-monitor buffer that is written
 * without blocking, so a client that stops reading stalls only itself
 * (its input is paused while its output backs up). Lines end in CRLF.
 *
 * Each connection starts in capabilities negotiation and gets the
 * greeting; fds passed with SCM_RIGHTS travel with the message they came
 * with and are closed unless a command (getfd) takes them.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include "system/chardev.h"
#include "system/qmp.h"
#include "qemu/json.h"
#include "system/system.h"
#include "trace.h"

/* Stop reading a client whose unread output exceeds this. */
#define QMP_OUTBUF_HIGH (1024 * 1024)
/* Buffers that grew past this for one big message are given back. */
#define QMP_BUF_KEEP (64 * 1024)
/* ...and drop one that lets it grow beyond this (events keep coming). */
#define QMP_OUTBUF_MAX (64 * 1024 * 1024)
#define QMP_EXIT_FLUSH_MS 2000

typedef struct QmpMessage {
    char *json;                 /* NULL when @error is set */
    size_t len;
    char *error;                /* framing error (limit exceeded) */
    GArray *fds;                /* int: SCM_RIGHTS fds that came with it */
} QmpMessage;

struct Monitor {
    Chardev *chr;               /* NULL: detached (unit tests) */
    bool pretty;
    bool connected;
    bool negotiated;
    bool broken;                /* write failed; waiting for CLOSED */
    QmpSplitter splitter;
    GQueue queue;               /* QmpMessage *, framed but not yet run */
    GArray *partial_fds;        /* fds for the value being assembled */
    QmpMessage *last_queued;    /* newest message of the current read */
    GString *outbuf;
    size_t outpos;              /* bytes of @outbuf already written */
    bool input_paused;
    GHashTable *fds;            /* getfd: name -> fd */
    GArray *cur_fds;            /* fds of the running command */
    GString *captured;          /* detached: what would have been sent */
};

static GPtrArray *monitors;      /* Monitor *, chardev-backed */
static Monitor *cur_mon;

static GHashTable *commands;     /* name -> const QmpCommandDef * */
static GHashTable *types;        /* name -> const QmpTypeDef * */
static GHashTable *events;       /* name -> data type name or "" */

/* Registry */

static void qmp_registry_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    commands = g_hash_table_new(g_str_hash, g_str_equal);
    types = g_hash_table_new(g_str_hash, g_str_equal);
    events = g_hash_table_new(g_str_hash, g_str_equal);
    qmp_commands_init();
}

void qmp_register_command(const QmpCommandDef *def)
{
    qmp_registry_init();
    g_assert(!g_hash_table_contains(commands, def->name));
    g_hash_table_insert(commands, (gpointer)def->name, (gpointer)def);
}

const QmpCommandDef *qmp_find_command(const char *name)
{
    qmp_registry_init();
    return g_hash_table_lookup(commands, name);
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *qmp_command_list(void)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter iter;
    gpointer def;

    qmp_registry_init();
    g_hash_table_iter_init(&iter, commands);
    while (g_hash_table_iter_next(&iter, NULL, &def)) {
        g_ptr_array_add(list, def);
    }
    /* A QmpCommandDef starts with its name. */
    g_ptr_array_sort(list, compare_strings);
    return list;
}

void qmp_register_type(const QmpTypeDef *def)
{
    qmp_registry_init();
    g_assert(!g_hash_table_contains(types, def->name));
    g_hash_table_insert(types, (gpointer)def->name, (gpointer)def);
}

const QmpTypeDef *qmp_find_type(const char *name)
{
    qmp_registry_init();
    return g_hash_table_lookup(types, name);
}

void qmp_register_event(const char *name, const char *data_type)
{
    qmp_registry_init();
    g_hash_table_insert(events, (gpointer)name,
                        (gpointer)(data_type ? data_type : ""));
}

GPtrArray *qmp_event_list(void)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter iter;
    gpointer name;

    qmp_registry_init();
    g_hash_table_iter_init(&iter, events);
    while (g_hash_table_iter_next(&iter, &name, NULL)) {
        g_ptr_array_add(list, name);
    }
    g_ptr_array_sort(list, compare_strings);
    return list;
}

const char *qmp_event_data_type(const char *name)
{
    const char *type;

    qmp_registry_init();
    type = g_hash_table_lookup(events, name);
    return type && *type ? type : NULL;
}

/* Framing */

void qmp_splitter_init(QmpSplitter *s)
{
    memset(s, 0, sizeof(*s));
    s->buf = g_string_new(NULL);
}

void qmp_splitter_reset(QmpSplitter *s)
{
    GString *buf = s->buf;

    if (buf->allocated_len > QMP_BUF_KEEP) {
        g_string_free(buf, TRUE);
        buf = g_string_new(NULL);
    }
    g_string_truncate(buf, 0);
    memset(s, 0, sizeof(*s));
    s->buf = buf;
}

void qmp_splitter_destroy(QmpSplitter *s)
{
    g_string_free(s->buf, TRUE);
    s->buf = NULL;
}

bool qmp_splitter_busy(const QmpSplitter *s)
{
    return s->in_value;
}

typedef struct SplitCtx {
    QmpSplitter *s;
    QmpMessageFunc *emit;
    void *opaque;
} SplitCtx;

static void split_end_value(SplitCtx *c)
{
    QmpSplitter *s = c->s;

    if (!s->skipping) {
        c->emit(c->opaque, s->buf->str, s->buf->len, NULL);
    }
    qmp_splitter_reset(s);
}

/* Report a limit once; the rest of the value is tracked but dropped. */
static void split_fail(SplitCtx *c, const char *msg)
{
    c->emit(c->opaque, NULL, 0, msg);
    g_string_truncate(c->s->buf, 0);
    c->s->skipping = true;
}

static void split_put(SplitCtx *c, const char *text, size_t len)
{
    if (c->s->skipping) {
        return;
    }
    g_string_append_len(c->s->buf, text, len);
    if (c->s->buf->len > QMP_MAX_MESSAGE_SIZE) {
        split_fail(c, "JSON token size limit exceeded");
    }
}

static void split_putc(SplitCtx *c, char ch)
{
    split_put(c, &ch, 1);
}

static bool is_bare_char(unsigned char ch)
{
    return g_ascii_isalnum(ch) || (ch && strchr("+-._", ch));
}

/* Can @ch appear outside a string (in some JSON value or between them)? */
static bool is_json_byte(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
           (ch && strchr("{}[],:\"'", ch)) || is_bare_char(ch);
}

/* Where QEMU's lexer resumes after an error. */
static bool is_sync_point(unsigned char ch)
{
    return (ch < 0x20 && ch != '\t') || ch >= 0xfe ||
           ch == '{' || ch == '}' || ch == '[' || ch == ']';
}

/*
 * A byte QEMU's lexer refuses: report it now, drop the value being
 * assembled and skip input up to the next sync point.
 */
static void split_lexical_error(SplitCtx *c, const char *msg)
{
    c->emit(c->opaque, NULL, 0, msg);
    qmp_splitter_reset(c->s);
    c->s->recovering = true;
}

static void split_stray_byte(SplitCtx *c, unsigned char ch)
{
    char msg[48];

    if (g_ascii_isprint(ch)) {
        snprintf(msg, sizeof(msg), "JSON parse error, stray '%c'", ch);
    } else {
        snprintf(msg, sizeof(msg), "JSON parse error, stray byte 0x%02X", ch);
    }
    split_lexical_error(c, msg);
}

/* One more byte of a string's UTF-8; false when the sequence is invalid. */
static bool utf8_step(QmpSplitter *s, unsigned char ch)
{
    if (s->utf8_need) {
        if (ch < s->utf8_lo || ch > s->utf8_hi) {
            return false;
        }
        s->utf8_need--;
        s->utf8_lo = 0x80;
        s->utf8_hi = 0xbf;
        return true;
    }
    s->utf8_lo = 0x80;
    s->utf8_hi = 0xbf;
    if (ch < 0x80) {
        return true;
    } else if (ch >= 0xc2 && ch <= 0xdf) {
        s->utf8_need = 1;
    } else if (ch >= 0xe0 && ch <= 0xef) {
        /* no overlong forms, no UTF-16 surrogates */
        s->utf8_need = 2;
        s->utf8_lo = ch == 0xe0 ? 0xa0 : 0x80;
        s->utf8_hi = ch == 0xed ? 0x9f : 0xbf;
    } else if (ch >= 0xf0 && ch <= 0xf4) {
        /* nothing beyond U+10FFFF */
        s->utf8_need = 3;
        s->utf8_lo = ch == 0xf0 ? 0x90 : 0x80;
        s->utf8_hi = ch == 0xf4 ? 0x8f : 0xbf;
    } else {
        return false;
    }
    return true;
}

/* Inside a string: single-quoted strings come out as JSON strings. */
static void split_string_byte(SplitCtx *c, unsigned char ch)
{
    QmpSplitter *s = c->s;

    if (ch < 0x20) {
        char msg[64];

        snprintf(msg, sizeof(msg), "JSON parse error, control character "
                 "0x%02X in string", ch);
        split_lexical_error(c, msg);
        return;
    }
    if ((s->utf8_need || ch >= 0x80) && !utf8_step(s, ch)) {
        split_lexical_error(c, "JSON parse error, invalid UTF-8 sequence "
                            "in string");
        return;
    }
    if (s->escape) {
        s->escape = false;
        if (ch == '\'') {
            split_putc(c, '\'');        /* \' is QEMU's, not JSON's */
        } else {
            split_put(c, "\\", 1);
            split_putc(c, ch);
        }
    } else if (ch == '\\') {
        s->escape = true;
    } else if (ch == s->quote) {
        s->in_string = false;
        split_putc(c, '"');
        if (s->depth == 0) {
            split_end_value(c);
        }
    } else if (ch == '"') {
        split_put(c, "\\\"", 2);        /* only inside '...' */
    } else {
        split_putc(c, ch);
    }
}

/* Structure outside strings. */
static void split_struct_byte(SplitCtx *c, unsigned char ch)
{
    QmpSplitter *s = c->s;

    switch (ch) {
    case '{':
    case '[':
        s->depth++;
        split_putc(c, ch);
        if (s->depth > QMP_MAX_NESTING && !s->skipping) {
            split_fail(c, "JSON nesting depth limit exceeded");
        }
        break;
    case '}':
    case ']':
        s->depth--;
        split_putc(c, ch);
        if (s->depth == 0) {
            split_end_value(c);
        }
        break;
    case '"':
    case '\'':
        s->in_string = true;
        s->quote = ch;
        split_putc(c, '"');
        break;
    default:
        if (is_json_byte(ch)) {
            split_putc(c, ch);
        } else {
            split_stray_byte(c, ch);
        }
    }
}

/* The first byte of a value; returns false if it is not part of one. */
static bool split_start_value(SplitCtx *c, unsigned char ch)
{
    QmpSplitter *s = c->s;
    char msg[40];

    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
        return false;
    }
    if (ch == '}' || ch == ']') {
        snprintf(msg, sizeof(msg), "JSON parse error, stray '%c'", ch);
        c->emit(c->opaque, NULL, 0, msg);
        return false;
    }
    if (!is_json_byte(ch)) {
        split_stray_byte(c, ch);
        return false;
    }
    s->in_value = true;
    if (ch == '{' || ch == '[' || ch == '"' || ch == '\'') {
        split_struct_byte(c, ch);
    } else if (is_bare_char(ch)) {
        s->bare = true;
        split_putc(c, ch);
    } else {
        /* ',' or ':' alone: let the parser say so. */
        split_putc(c, ch);
        split_end_value(c);
    }
    return true;
}

void qmp_splitter_feed(QmpSplitter *s, const char *data, size_t len,
                       QmpMessageFunc *emit, void *opaque)
{
    SplitCtx c = { .s = s, .emit = emit, .opaque = opaque };

    for (size_t i = 0; i < len; i++) {
        unsigned char ch = data[i];

        if (s->recovering) {
            if (!is_sync_point(ch)) {
                continue;
            }
            s->recovering = false;
        }
        if (!s->in_value) {
            split_start_value(&c, ch);
        } else if (s->bare) {
            if (is_bare_char(ch)) {
                split_putc(&c, ch);
                continue;
            }
            split_end_value(&c);
            i--;                /* the delimiter starts what follows */
        } else if (s->in_string) {
            split_string_byte(&c, ch);
        } else {
            split_struct_byte(&c, ch);
        }
    }
}

/* Messages */

static void close_fds(GArray *fds)
{
    for (guint i = 0; fds && i < fds->len; i++) {
        close(g_array_index(fds, int, i));
    }
    if (fds) {
        g_array_set_size(fds, 0);
    }
}

static void fds_append(GArray **fds, int fd)
{
    if (!*fds) {
        *fds = g_array_new(FALSE, FALSE, sizeof(int));
    }
    g_array_append_val(*fds, fd);
}

static void qmp_message_free(QmpMessage *msg)
{
    if (msg->fds) {
        close_fds(msg->fds);
        g_array_free(msg->fds, TRUE);
    }
    g_free(msg->json);
    g_free(msg->error);
    g_free(msg);
}

static void monitor_clear_queue(Monitor *mon)
{
    QmpMessage *msg;

    while ((msg = g_queue_pop_head(&mon->queue))) {
        qmp_message_free(msg);
    }
    mon->last_queued = NULL;
}

/* Output */

char *qmp_to_json(JsonNode *node, bool pretty)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_root(gen, node);
    if (pretty) {
        json_generator_set_pretty(gen, TRUE);
        json_generator_set_indent(gen, 4);
    }
    return json_generator_to_data(gen, NULL);
}

static size_t monitor_pending(const Monitor *mon)
{
    return mon->outbuf->len - mon->outpos;
}

static void monitor_clear_output(Monitor *mon)
{
    if (mon->outbuf->allocated_len > QMP_BUF_KEEP) {
        g_string_free(mon->outbuf, TRUE);
        mon->outbuf = g_string_new(NULL);
    }
    g_string_truncate(mon->outbuf, 0);
    mon->outpos = 0;
}

static void monitor_writable(void *opaque);

/* A peer that is gone or never reads: drop the connection. */
static void monitor_break(Monitor *mon)
{
    mon->broken = true;
    monitor_clear_output(mon);
    qemu_chr_disconnect(mon->chr);
}

static void monitor_flush(Monitor *mon)
{
    while (monitor_pending(mon)) {
        ssize_t n = qemu_chr_write_nonblock(mon->chr,
                                            mon->outbuf->str + mon->outpos,
                                            monitor_pending(mon));

        if (n < 0) {
            monitor_break(mon);
            return;
        }
        if (n == 0) {
            qemu_chr_wait_writable(mon->chr, monitor_writable, mon);
            return;
        }
        mon->outpos += n;
    }
    monitor_clear_output(mon);
}

/* TEXT with each LF (only pretty output has any) sent as CRLF. */
static void append_crlf_lines(GString *out, const char *text)
{
    const char *lf;

    for (; (lf = strchr(text, '\n')); text = lf + 1) {
        g_string_append_len(out, text, lf - text);
        g_string_append(out, "\r\n");
    }
    g_string_append(out, text);
}

static void monitor_send(Monitor *mon, JsonObject *obj)
{
    JsonNode *node = json_node_init_object(json_node_alloc(), obj);
    g_autofree char *text = NULL;

    GString *out = mon->chr ? mon->outbuf : mon->captured;

    json_object_unref(obj);
    if (!out || !mon->connected || mon->broken) {
        json_node_unref(node);
        return;
    }
    text = qmp_to_json(node, mon->pretty);
    json_node_unref(node);
    append_crlf_lines(out, text);
    g_string_append(out, "\r\n");
    if (!mon->chr) {
        return;
    }
    if (monitor_pending(mon) > QMP_OUTBUF_MAX) {
        warn_report("QMP client on chardev '%s' does not read its output; "
                    "disconnecting it", qemu_chr_id(mon->chr));
        monitor_break(mon);
        return;
    }
    monitor_flush(mon);
}

JsonObject *qmp_version_object(void)
{
    JsonObject *triple = json_object_new();
    JsonObject *info = json_object_new();

    json_object_set_int_member(triple, "micro", QVFIO_VERSION_MICRO);
    json_object_set_int_member(triple, "minor", QVFIO_VERSION_MINOR);
    json_object_set_int_member(triple, "major", QVFIO_VERSION_MAJOR);
    json_object_set_object_member(info, "qemu", triple);
    json_object_set_string_member(info, "package", QVFIO_PACKAGE);
    return info;
}

static void monitor_send_greeting(Monitor *mon)
{
    JsonObject *qmp = json_object_new();
    JsonObject *greeting = json_object_new();

    json_object_set_object_member(qmp, "version", qmp_version_object());
    /* No "oob": commands run in the main loop, there is no I/O thread. */
    json_object_set_array_member(qmp, "capabilities", json_array_new());
    json_object_set_object_member(greeting, "QMP", qmp);
    monitor_send(mon, greeting);
}

/* Dispatch */

Monitor *monitor_cur(void)
{
    return cur_mon;
}

bool qmp_monitor_negotiated(const Monitor *mon)
{
    return mon->negotiated;
}

/* Members of a request, as QEMU checks them. */
static bool check_request(JsonObject *req, const char **name,
                          JsonObject **args, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(req);

    *name = NULL;
    *args = NULL;
    for (GList *l = members; l; l = l->next) {
        const char *key = l->data;
        JsonNode *val = json_object_get_member(req, key);

        if (!strcmp(key, "execute")) {
            if (!JSON_NODE_HOLDS_VALUE(val) ||
                json_node_get_value_type(val) != G_TYPE_STRING) {
                error_setg(errp, "QMP input member 'execute' must be a "
                           "string");
                return false;
            }
            *name = json_node_get_string(val);
        } else if (!strcmp(key, "arguments")) {
            if (!JSON_NODE_HOLDS_OBJECT(val)) {
                error_setg(errp, "QMP input member 'arguments' must be an "
                           "object");
                return false;
            }
            *args = json_node_get_object(val);
        } else if (strcmp(key, "id")) {
            /* exec-oob too: out-of-band was not offered. */
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return false;
        }
    }
    if (!*name) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return false;
    }
    return true;
}

static const char *arg_type_name(QmpArgType type)
{
    switch (type) {
    case QMP_ARG_STR:
        return "string";
    case QMP_ARG_INT:
        return "integer";
    case QMP_ARG_BOOL:
        return "boolean";
    case QMP_ARG_NUMBER:
        return "number";
    case QMP_ARG_STR_LIST:
        return "array";
    case QMP_ARG_ANY:
        break;
    }
    return "any";
}

static bool node_is_value_of(JsonNode *node, GType type)
{
    return JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == type;
}

static bool check_arg(const QmpArgDef *def, JsonNode *node, Error **errp)
{
    bool ok = false;

    switch (def->type) {
    case QMP_ARG_STR:
        ok = node_is_value_of(node, G_TYPE_STRING);
        break;
    case QMP_ARG_INT:
        ok = node_is_value_of(node, G_TYPE_INT64);
        break;
    case QMP_ARG_BOOL:
        ok = node_is_value_of(node, G_TYPE_BOOLEAN);
        break;
    case QMP_ARG_NUMBER:
        ok = node_is_value_of(node, G_TYPE_INT64) ||
             node_is_value_of(node, G_TYPE_DOUBLE);
        break;
    case QMP_ARG_ANY:
        return true;
    case QMP_ARG_STR_LIST:
        ok = JSON_NODE_HOLDS_ARRAY(node);
        for (guint i = 0; ok && i < json_array_get_length(
                 json_node_get_array(node)); i++) {
            if (!node_is_value_of(json_array_get_element(
                    json_node_get_array(node), i), G_TYPE_STRING)) {
                error_setg(errp, "Invalid parameter type for '%s[%u]', "
                           "expected: string", def->name, i);
                return false;
            }
        }
        break;
    }
    if (!ok) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   def->name, arg_type_name(def->type));
    }
    return ok;
}

static bool arg_is_declared(const QmpCommandDef *cmd, const char *name)
{
    for (const QmpArgDef *a = cmd->args; a && a->name; a++) {
        if (!strcmp(a->name, name)) {
            return true;
        }
    }
    return false;
}

/* QAPI's order: declared members first, then anything unexpected. */
static bool check_args(const QmpCommandDef *cmd, JsonObject *args,
                       Error **errp)
{
    g_autoptr(GList) members = NULL;

    for (const QmpArgDef *a = cmd->args; a && a->name; a++) {
        JsonNode *node = json_object_get_member(args, a->name);

        if (!node) {
            if (!a->optional) {
                error_setg(errp, "Parameter '%s' is missing", a->name);
                return false;
            }
        } else if (!check_arg(a, node, errp)) {
            return false;
        }
    }
    if (cmd->args_open) {
        return true;
    }
    members = json_object_get_members(args);
    for (GList *l = members; l; l = l->next) {
        if (!arg_is_declared(cmd, l->data)) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return false;
        }
    }
    return true;
}

static JsonNode *run_command(Monitor *mon, const QmpCommandDef *cmd,
                             JsonObject *args, Error **errp)
{
    g_autoptr(JsonObject) empty = json_object_new();
    Monitor *prev = cur_mon;
    Error *err = NULL;
    JsonNode *ret;

    if (!args) {
        args = empty;
    }
    if (!check_args(cmd, args, errp)) {
        return NULL;
    }
    trace_qmp_command(mon->chr ? qemu_chr_id(mon->chr) : "", cmd->name);
    cur_mon = mon;
    ret = cmd->handler(mon, args, &err);
    cur_mon = prev;
    if (err) {
        if (ret) {
            json_node_unref(ret);
        }
        error_propagate(errp, err);
        return NULL;
    }
    if (!ret) {
        g_autoptr(JsonObject) obj = json_object_new();

        ret = json_node_init_object(json_node_alloc(), obj);
    }
    return ret;
}

static JsonNode *run_request(Monitor *mon, JsonObject *req, Error **errp)
{
    const QmpCommandDef *cmd;
    JsonObject *args;
    const char *name;

    if (!check_request(req, &name, &args, errp)) {
        return NULL;
    }
    cmd = qmp_find_command(name);
    if (!mon->negotiated && !(cmd && cmd->allow_in_negotiation)) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Expecting capabilities negotiation with "
                  "'qmp_capabilities'");
        return NULL;
    }
    if (!cmd) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", name);
        return NULL;
    }
    return run_command(mon, cmd, args, errp);
}

static JsonObject *reply_new(JsonNode *ret, Error *err, JsonNode *id)
{
    JsonObject *reply = json_object_new();

    if (err) {
        JsonObject *desc = json_object_new();

        json_object_set_string_member(desc, "class",
                                      error_class_name(error_get_class(err)));
        json_object_set_string_member(desc, "desc", error_get_pretty(err));
        json_object_set_object_member(reply, "error", desc);
        trace_qmp_error(error_class_name(error_get_class(err)),
                        error_get_pretty(err));
        error_free(err);
    } else {
        json_object_set_member(reply, "return", ret);
    }
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    return reply;
}

static JsonObject *monitor_dispatch(Monitor *mon, QmpMessage *msg)
{
    g_autoptr(JsonParser) parser = NULL;
    Error *err = NULL;
    JsonNode *root, *id = NULL, *ret = NULL;

    if (msg->error) {
        error_setg(&err, "%s", msg->error);
        return reply_new(NULL, err, NULL);
    }
    parser = qemu_json_parse(msg->json, msg->len, &err);
    if (!parser) {
        return reply_new(NULL, err, NULL);
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        error_setg(&err, "QMP input must be a JSON object");
        return reply_new(NULL, err, NULL);
    }
    id = json_object_get_member(json_node_get_object(root), "id");
    mon->cur_fds = msg->fds;
    ret = run_request(mon, json_node_get_object(root), &err);
    mon->cur_fds = NULL;
    return reply_new(ret, err, id);
}

/* Input */

static void monitor_writable(void *opaque);

static void monitor_update_input(Monitor *mon)
{
    bool pause = monitor_pending(mon) > QMP_OUTBUF_HIGH ||
                 !g_queue_is_empty(&mon->queue);

    if (pause != mon->input_paused && mon->connected && !mon->broken &&
        mon->chr) {
        mon->input_paused = pause;
        qemu_chr_accept_input(mon->chr, !pause);
    }
}

static void monitor_run_queue(Monitor *mon)
{
    QmpMessage *msg;

    while (mon->connected && !mon->broken &&
           monitor_pending(mon) <= QMP_OUTBUF_HIGH &&
           (msg = g_queue_pop_head(&mon->queue))) {
        JsonObject *reply;

        if (msg == mon->last_queued) {
            mon->last_queued = NULL;
        }
        reply = monitor_dispatch(mon, msg);
        /* fds nobody took are closed before the client hears back */
        qmp_message_free(msg);
        if (reply) {
            monitor_send(mon, reply);
        }
    }
    monitor_update_input(mon);
}

static void monitor_writable(void *opaque)
{
    Monitor *mon = opaque;

    if (!mon->connected || mon->broken) {
        return;
    }
    monitor_flush(mon);
    if (monitor_pending(mon) <= QMP_OUTBUF_HIGH) {
        monitor_run_queue(mon);
    }
}

static void monitor_queue_message(void *opaque, const char *json, size_t len,
                                  const char *error)
{
    Monitor *mon = opaque;
    QmpMessage *msg = g_new0(QmpMessage, 1);

    if (error) {
        msg->error = g_strdup(error);
    } else {
        msg->json = g_memdup2(json, len + 1);
        msg->len = len;
    }
    /* fds that came while this value was assembled belong to it */
    msg->fds = g_steal_pointer(&mon->partial_fds);
    g_queue_push_tail(&mon->queue, msg);
    mon->last_queued = msg;
}

/*
 * The kernel delivers SCM_RIGHTS with the first byte of the sendmsg()
 * that carried them, and ends a read after such a message: so the fds
 * belong to the value still being assembled, else to the newest value
 * this read completed.
 */
static void monitor_attach_fds(Monitor *mon, GArray *fds)
{
    for (guint i = 0; i < fds->len; i++) {
        int fd = g_array_index(fds, int, i);

        if (qmp_splitter_busy(&mon->splitter)) {
            fds_append(&mon->partial_fds, fd);
        } else if (mon->last_queued) {
            fds_append(&mon->last_queued->fds, fd);
        } else {
            close(fd);
        }
    }
}

/* Bytes from the client, and the fds that came with them. */
static void monitor_input(Monitor *mon, const char *buf, size_t len,
                          GArray *fds)
{
    if (!mon->connected || mon->broken) {
        close_fds(fds);
        return;
    }
    mon->last_queued = NULL;
    qmp_splitter_feed(&mon->splitter, buf, len, monitor_queue_message, mon);
    monitor_attach_fds(mon, fds);
    monitor_run_queue(mon);
}

static void monitor_read(void *opaque, const uint8_t *buf, size_t len)
{
    Monitor *mon = opaque;
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    int fd;

    while ((fd = qemu_chr_take_fd(mon->chr)) >= 0) {
        g_array_append_val(fds, fd);
    }
    monitor_input(mon, (const char *)buf, len, fds);
}

static void monitor_reset_connection(Monitor *mon)
{
    mon->connected = false;
    mon->negotiated = false;
    mon->broken = false;
    mon->input_paused = false;
    qmp_splitter_reset(&mon->splitter);
    monitor_clear_queue(mon);
    if (mon->partial_fds) {
        close_fds(mon->partial_fds);
        g_clear_pointer(&mon->partial_fds, g_array_unref);
    }
    monitor_clear_output(mon);
}

static void monitor_event(void *opaque, ChardevEvent event)
{
    Monitor *mon = opaque;

    monitor_reset_connection(mon);
    if (event == CHR_EVENT_OPENED) {
        trace_qmp_monitor_open(qemu_chr_id(mon->chr));
        mon->connected = true;
        monitor_send_greeting(mon);
    } else {
        trace_qmp_monitor_close(qemu_chr_id(mon->chr));
    }
}

/* Events */

void qmp_event_send(const char *name, JsonObject *data)
{
    gint64 now = g_get_real_time();

    trace_qmp_event(name);
    for (guint i = 0; monitors && i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);
        JsonObject *ev, *ts;

        if (!mon->connected || !mon->negotiated || mon->broken) {
            continue;
        }
        ev = json_object_new();
        ts = json_object_new();
        json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
        json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
        json_object_set_object_member(ev, "timestamp", ts);
        json_object_set_string_member(ev, "event", name);
        if (data) {
            json_object_set_member(ev, "data", json_node_init_object(
                                       json_node_alloc(), data));
        }
        monitor_send(mon, ev);
    }
    if (data) {
        json_object_unref(data);
    }
}

/* File descriptors */

int monitor_take_msg_fd(Monitor *mon)
{
    int fd;

    if (!mon->cur_fds || !mon->cur_fds->len) {
        return -1;
    }
    fd = g_array_index(mon->cur_fds, int, 0);
    g_array_remove_index(mon->cur_fds, 0);
    return fd;
}

bool monitor_add_fd(Monitor *mon, const char *fdname, int fd, Error **errp)
{
    gpointer old;

    if (g_ascii_isdigit(fdname[0])) {
        error_setg(errp, "Parameter 'fdname' expects a name not starting "
                   "with a digit");
        return false;
    }
    /* A name given twice refers to the newer fd, as in QEMU. */
    if (g_hash_table_lookup_extended(mon->fds, fdname, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    }
    g_hash_table_insert(mon->fds, g_strdup(fdname), GINT_TO_POINTER(fd));
    return true;
}

bool monitor_close_fd(Monitor *mon, const char *fdname, Error **errp)
{
    gpointer fd;

    if (!g_hash_table_lookup_extended(mon->fds, fdname, NULL, &fd)) {
        error_setg(errp, "File descriptor named '%s' not found", fdname);
        return false;
    }
    close(GPOINTER_TO_INT(fd));
    g_hash_table_remove(mon->fds, fdname);
    return true;
}

static int parse_fd_number(const char *str)
{
    char *end;
    long fd;

    errno = 0;
    fd = strtol(str, &end, 10);
    if (!g_ascii_isdigit(str[0]) || *end || errno || fd < 0 ||
        fd > INT_MAX) {
        return -1;
    }
    return fd;
}

int monitor_fd_param(Monitor *mon, const char *fdname, Error **errp)
{
    gpointer key, fd;
    int num;

    if (mon && !g_ascii_isdigit(fdname[0])) {
        /* The caller owns the fd from now on. */
        if (!g_hash_table_steal_extended(mon->fds, fdname, &key, &fd)) {
            error_setg(errp, "File descriptor named '%s' has not been found",
                       fdname);
            return -1;
        }
        g_free(key);
        return GPOINTER_TO_INT(fd);
    }
    num = parse_fd_number(fdname);
    if (num < 0) {
        error_setg(errp, "Invalid file descriptor number '%s'", fdname);
    }
    return num;
}

/* Monitors */

static Monitor *monitor_new(Chardev *chr, bool pretty)
{
    Monitor *mon = g_new0(Monitor, 1);

    mon->chr = chr;
    mon->pretty = pretty;
    qmp_splitter_init(&mon->splitter);
    g_queue_init(&mon->queue);
    mon->outbuf = g_string_new(NULL);
    mon->fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return mon;
}

static void monitor_free(Monitor *mon)
{
    GHashTableIter iter;
    gpointer fd;

    monitor_reset_connection(mon);
    g_hash_table_iter_init(&iter, mon->fds);
    while (g_hash_table_iter_next(&iter, NULL, &fd)) {
        close(GPOINTER_TO_INT(fd));
    }
    g_hash_table_destroy(mon->fds);
    qmp_splitter_destroy(&mon->splitter);
    g_string_free(mon->outbuf, TRUE);
    if (mon->captured) {
        g_string_free(mon->captured, TRUE);
    }
    g_free(mon);
}

bool qmp_monitor_init_chardev(const char *chardev_id, bool pretty,
                              Error **errp)
{
    Chardev *chr = qemu_chr_find(chardev_id);
    Monitor *mon;

    if (!chr) {
        error_setg(errp, "chardev \"%s\" not found", chardev_id);
        return false;
    }
    for (guint i = 0; monitors && i < monitors->len; i++) {
        if (((Monitor *)g_ptr_array_index(monitors, i))->chr == chr) {
            error_setg(errp, "Device '%s' is in use", chardev_id);
            return false;
        }
    }
    qmp_registry_init();
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    mon = monitor_new(chr, pretty);
    g_ptr_array_add(monitors, mon);
    qemu_chr_set_handlers(chr, monitor_read, monitor_event, mon);
    return true;
}

/* At exit: what the client was sent (the SHUTDOWN event) should reach it. */
static void monitor_flush_at_exit(Monitor *mon)
{
    gint64 deadline = g_get_monotonic_time() +
                      QMP_EXIT_FLUSH_MS * G_TIME_SPAN_MILLISECOND;

    while (mon->connected && !mon->broken && monitor_pending(mon) &&
           g_get_monotonic_time() < deadline) {
        monitor_flush(mon);
        if (monitor_pending(mon)) {
            g_usleep(1000);
        }
    }
}

void qmp_monitors_cleanup(void)
{
    for (guint i = 0; monitors && i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);

        monitor_flush_at_exit(mon);
        qemu_chr_set_handlers(mon->chr, NULL, NULL, NULL);
        monitor_free(mon);
    }
    if (monitors) {
        g_ptr_array_free(monitors, TRUE);
        monitors = NULL;
    }
}

Monitor *qmp_monitor_new_detached(void)
{
    Monitor *mon;

    qmp_registry_init();
    mon = monitor_new(NULL, false);
    mon->connected = true;
    mon->captured = g_string_new(NULL);
    return mon;
}

void qmp_monitor_feed(Monitor *mon, const char *data, size_t len)
{
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));

    monitor_input(mon, data, len, fds);
}

char *qmp_monitor_take_output(Monitor *mon)
{
    char *text;

    if (!mon->captured) {
        return g_strdup("");
    }
    text = g_string_free(mon->captured, FALSE);
    mon->captured = g_string_new(NULL);
    return text;
}

void qmp_monitor_free_detached(Monitor *mon)
{
    monitor_free(mon);
}

JsonObject *qmp_dispatch_text(Monitor *mon, const char *json, size_t len)
{
    QmpMessage msg = { .json = (char *)json, .len = len };
    JsonObject *reply = monitor_dispatch(mon, &msg);

    return reply;
}

/* Helpers */

JsonNode *qmp_node_from_string_array(const char *const *strs)
{
    JsonArray *arr = json_array_new();

    for (; strs && *strs; strs++) {
        json_array_add_string_element(arr, *strs);
    }
    return qmp_node_take_array(arr);
}

JsonNode *qmp_node_take_array(JsonArray *arr)
{
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(node, arr);
    return node;
}

JsonNode *qmp_node_take_object(JsonObject *obj)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    return node;
}

/* qmp_capabilities lives here: it changes the monitor's state. */
static JsonNode *qmp_capabilities(Monitor *mon, JsonObject *args,
                                  Error **errp)
{
    JsonArray *enable = json_object_has_member(args, "enable")
                        ? json_object_get_array_member(args, "enable")
                        : NULL;
    g_autoptr(GString) unavailable = g_string_new(NULL);

    if (mon->negotiated) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return NULL;
    }
    for (guint i = 0; enable && i < json_array_get_length(enable); i++) {
        const char *cap = json_array_get_string_element(enable, i);

        if (strcmp(cap, "oob")) {
            error_setg(errp, "Parameter 'enable[%u]' does not accept value "
                       "'%s'", i, cap);
            return NULL;
        }
        g_string_append_printf(unavailable, "%s%s",
                               unavailable->len ? ", " : "", cap);
    }
    if (unavailable->len) {
        error_setg(errp, "Capability %s not available", unavailable->str);
        return NULL;
    }
    mon->negotiated = true;
    return NULL;
}

static const QmpArgDef qmp_capabilities_args[] = {
    { "enable", QMP_ARG_STR_LIST, true, "[QMPCapability]" },
    { NULL }
};

static const char *const qmp_capability_values[] = { "oob", NULL };

static const QmpTypeDef qmp_capability_type = {
    "QMPCapability", QMP_TYPE_ENUM, .values = qmp_capability_values,
};

static const QmpCommandDef qmp_capabilities_cmd = {
    .name = "qmp_capabilities",
    .handler = qmp_capabilities,
    .args = qmp_capabilities_args,
    .allow_in_negotiation = true,
};

void qmp_register_monitor_commands(void)
{
    qmp_register_type(&qmp_capability_type);
    qmp_register_command(&qmp_capabilities_cmd);
}
