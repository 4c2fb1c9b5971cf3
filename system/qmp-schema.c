/*
 * query-qmp-schema, generated from what is registered: every command with
 * its argument and return types, every event with its data type, and the
 * types they name, transitively. As in QEMU, type names are masked as
 * numbers ("0" is the empty object); builtins and command/event names are
 * not.
 */
#include "qemu/osdep.h"
#include "system/qmp.h"

typedef struct SchemaBuilder {
    JsonArray *entries;
    GHashTable *names;          /* type reference -> masked name */
    unsigned next_number;
} SchemaBuilder;

static const char *builtin_json_type(const char *ref)
{
    static const char *const builtins[][2] = {
        { "str", "string" }, { "int", "int" }, { "bool", "boolean" },
        { "number", "number" }, { "any", "value" }, { "null", "null" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(builtins); i++) {
        if (!strcmp(ref, builtins[i][0])) {
            return builtins[i][1];
        }
    }
    return NULL;
}

static JsonObject *entry_new(SchemaBuilder *b, const char *name,
                             const char *meta_type)
{
    JsonObject *e = json_object_new();

    json_object_set_string_member(e, "name", name);
    json_object_set_string_member(e, "meta-type", meta_type);
    json_array_add_object_element(b->entries, e);
    return e;
}

static const char *schema_name(SchemaBuilder *b, const char *ref);

static JsonArray *members_array(SchemaBuilder *b, const QmpMemberDef *m)
{
    JsonArray *arr = json_array_new();

    for (; m && m->name; m++) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", m->name);
        json_object_set_string_member(o, "type", schema_name(b, m->type));
        if (m->optional) {
            json_object_set_null_member(o, "default");
        }
        json_array_add_object_element(arr, o);
    }
    return arr;
}

static void emit_enum(SchemaBuilder *b, const char *name,
                      const QmpTypeDef *def)
{
    JsonObject *e = entry_new(b, name, "enum");
    JsonArray *members = json_array_new();

    json_object_set_member(e, "values",
                           qmp_node_from_string_array(def->values));
    for (const char *const *v = def->values; v && *v; v++) {
        JsonObject *m = json_object_new();

        json_object_set_string_member(m, "name", *v);
        json_array_add_object_element(members, m);
    }
    json_object_set_array_member(e, "members", members);
}

static char *new_number(SchemaBuilder *b)
{
    return g_strdup_printf("%u", b->next_number++);
}

/* The masked name of @ref, emitting its entry the first time. */
static const char *schema_name(SchemaBuilder *b, const char *ref)
{
    const char *found = g_hash_table_lookup(b->names, ref);
    const QmpTypeDef *def;
    char *name;

    if (found) {
        return found;
    }
    if (builtin_json_type(ref)) {
        g_hash_table_insert(b->names, g_strdup(ref), g_strdup(ref));
        json_object_set_string_member(entry_new(b, ref, "builtin"),
                                      "json-type", builtin_json_type(ref));
        return ref;
    }
    if (ref[0] == '[') {
        g_autofree char *elem = g_strndup(ref + 1, strlen(ref) - 2);
        const char *ename = schema_name(b, elem);
        JsonObject *e;

        /* A recursive element type (a bridge's devices) emitted it. */
        found = g_hash_table_lookup(b->names, ref);
        if (found) {
            return found;
        }
        name = g_strdup_printf("[%s]", ename);
        g_hash_table_insert(b->names, g_strdup(ref), name);
        e = entry_new(b, name, "array");
        json_object_set_string_member(e, "element-type", ename);
        return name;
    }
    def = qmp_find_type(ref);
    g_assert(def);      /* a command names a type nobody registered */
    name = new_number(b);
    g_hash_table_insert(b->names, g_strdup(ref), name);
    if (def->kind == QMP_TYPE_ENUM) {
        emit_enum(b, name, def);
    } else {
        JsonObject *e = entry_new(b, name, "object");

        json_object_set_array_member(e, "members",
                                     members_array(b, def->members));
    }
    return name;
}

static const char *arg_schema_type(const QmpArgDef *a)
{
    static const char *const base[] = {
        [QMP_ARG_STR] = "str", [QMP_ARG_INT] = "int",
        [QMP_ARG_BOOL] = "bool", [QMP_ARG_NUMBER] = "number",
        [QMP_ARG_ANY] = "any", [QMP_ARG_STR_LIST] = "[str]",
    };

    return a->schema_type ? a->schema_type : base[a->type];
}

/* A command's arguments form an anonymous object type of their own. */
static const char *args_type(SchemaBuilder *b, const QmpCommandDef *cmd)
{
    JsonArray *members;
    JsonObject *e;
    char *name;

    if (!cmd->args || !cmd->args->name) {
        return "0";
    }
    name = new_number(b);
    g_hash_table_insert(b->names, g_strdup_printf("args:%s", cmd->name),
                        name);
    members = json_array_new();
    for (const QmpArgDef *a = cmd->args; a->name; a++) {
        JsonObject *m = json_object_new();

        json_object_set_string_member(m, "name", a->name);
        json_object_set_string_member(m, "type",
                                      schema_name(b, arg_schema_type(a)));
        if (a->optional) {
            json_object_set_null_member(m, "default");
        }
        json_array_add_object_element(members, m);
    }
    e = entry_new(b, name, "object");
    json_object_set_array_member(e, "members", members);
    return name;
}

static void emit_command(SchemaBuilder *b, const QmpCommandDef *cmd)
{
    JsonObject *e = entry_new(b, cmd->name, "command");

    json_object_set_string_member(e, "arg-type", args_type(b, cmd));
    json_object_set_string_member(e, "ret-type",
                                  cmd->ret_type ? schema_name(b, cmd->ret_type)
                                                : "0");
    if (cmd->features) {
        json_object_set_member(e, "features",
                               qmp_node_from_string_array(cmd->features));
    }
}

static void emit_event(SchemaBuilder *b, const char *name)
{
    const char *data = qmp_event_data_type(name);
    JsonObject *e = entry_new(b, name, "event");

    json_object_set_string_member(e, "arg-type",
                                  data ? schema_name(b, data) : "0");
}

JsonNode *qmp_schema_build(void)
{
    SchemaBuilder b = {
        .entries = json_array_new(),
        .names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       g_free),
        .next_number = 1,
    };
    g_autoptr(GPtrArray) cmds = qmp_command_list();
    g_autoptr(GPtrArray) evs = qmp_event_list();
    JsonObject *empty = entry_new(&b, "0", "object");

    json_object_set_array_member(empty, "members", json_array_new());
    for (guint i = 0; i < cmds->len; i++) {
        emit_command(&b, g_ptr_array_index(cmds, i));
    }
    for (guint i = 0; i < evs->len; i++) {
        emit_event(&b, g_ptr_array_index(evs, i));
    }
    g_hash_table_destroy(b.names);
    return qmp_node_take_array(b.entries);
}
