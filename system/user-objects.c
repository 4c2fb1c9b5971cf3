/*
 * Objects created with -object (see include/system/user-objects.h). Each
 * class lists its properties with a type; values are parsed once, kept
 * as text in canonical form and typed again when read over QMP.
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "system/memory.h"
#include "system/user-objects.h"
#include "qemu/file.h"

/* A secret's file=: keys and passwords, never megabytes. */
#define SECRET_FILE_MAX (1024 * 1024)

typedef struct UserPropDef {
    const char *name;
    const char *type;           /* "size", "bool", "uint32", "str" */
} UserPropDef;

typedef struct UserObject {
    Object parent_obj;
    GHashTable *values;         /* name -> canonical text */
} UserObject;

typedef struct UserObjectClass {
    ObjectClass parent_class;
    const UserPropDef *props;
    /* After every property is set: check the combination. */
    bool (*complete)(UserObject *uo, Error **errp);
} UserObjectClass;

static UserObjectClass *user_object_class(ObjectClass *oc)
{
    if (object_class_dynamic_cast(oc, TYPE_MEMORY_BACKEND) ||
        object_class_dynamic_cast(oc, TYPE_SECRET_COMMON)) {
        return (UserObjectClass *)oc;
    }
    return NULL;
}

static const UserPropDef *find_prop(UserObjectClass *uc, const char *name)
{
    for (const UserPropDef *p = uc->props; p && p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

/* Parse @value as @p's type; *out gets the canonical text. */
static bool parse_prop(const UserPropDef *p, const char *value, char **out,
                       Error **errp)
{
    uint64_t u;
    bool b;

    if (!strcmp(p->type, "size")) {
        if (!qemu_parse_size(p->name, value, 'B', &u, errp)) {
            return false;
        }
        *out = g_strdup_printf("%" PRIu64, u);
    } else if (!strcmp(p->type, "bool")) {
        if (!qemu_parse_bool(p->name, value, &b, errp)) {
            return false;
        }
        *out = g_strdup(b ? "on" : "off");
    } else if (!strcmp(p->type, "uint32")) {
        if (!qemu_parse_uint(p->name, value, UINT32_MAX, &u, errp)) {
            return false;
        }
        *out = g_strdup_printf("%" PRIu64, u);
    } else {
        *out = g_strdup(value);
    }
    return true;
}

static const char *uo_get(UserObject *uo, const char *name)
{
    return g_hash_table_lookup(uo->values, name);
}

/* memory-backend-ram, memory-backend-file */

static bool memory_backend_complete(UserObject *uo, Error **errp)
{
    const char *size = uo_get(uo, "size");
    const char *share = uo_get(uo, "share");
    bool file = object_dynamic_cast(OBJECT(uo), TYPE_MEMORY_BACKEND_FILE);

    if (!size || !strcmp(size, "0")) {
        error_setg(errp, "can't create backend with size 0");
        return false;
    }
    if (file && !uo_get(uo, "mem-path")) {
        error_setg(errp, "mem-path property not set");
        return false;
    }
    if (!file && share && !strcmp(share, "on")) {
        error_setg(errp, "memory-backend-ram: share=on is not supported by "
                   "qvfio (guest RAM is private to the process; "
                   "memory-backend-file,share=on shares it through a file)");
        return false;
    }
    return true;
}

uint64_t memory_backend_size(Object *obj)
{
    UserObject *uo = (UserObject *)object_dynamic_cast_assert(
                         obj, TYPE_MEMORY_BACKEND);
    const char *size = uo_get(uo, "size");

    return size ? g_ascii_strtoull(size, NULL, 10) : 0;
}

/*
 * The backing file of a memory-backend-file, as QEMU opens it: a
 * directory gets a new unlinked file inside it (hugetlbfs mounts are
 * used this way); an empty or new regular file is grown to @size; a
 * shorter one is an error.
 */
static int memory_backend_file_open(const char *id, const char *path,
                                    uint64_t size, Error **errp)
{
    struct stat st;
    int fd;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        g_autofree char *templ = g_strdup_printf("%s/qvfio_back_mem.%s.XXXXXX",
                                                 path, id);

        fd = g_mkstemp_full(templ, O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0) {
            unlink(templ);
        }
    } else {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    }
    if (fd < 0 || fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "memory-backend-file '%s': can't open "
                         "backing store %s for guest RAM", id, path);
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0 && ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "memory-backend-file '%s': can't grow "
                         "%s to the size of guest RAM", id, path);
        close(fd);
        return -1;
    }
    if (S_ISREG(st.st_mode) && st.st_size && (uint64_t)st.st_size < size) {
        error_setg(errp, "memory-backend-file '%s': backing store size 0x%"
                   PRIx64 " does not match 'size' option 0x%" PRIx64, id,
                   (uint64_t)st.st_size, size);
        close(fd);
        return -1;
    }
    return fd;
}

bool memory_backend_init_ram(Object *backend, MemoryRegion *mr, Object *owner,
                             const char *name, Error **errp)
{
    UserObject *uo = (UserObject *)object_dynamic_cast_assert(
                         backend, TYPE_MEMORY_BACKEND);
    uint64_t size = memory_backend_size(backend);
    g_autofree char *path = object_get_canonical_path(backend);
    g_autofree char *id = g_path_get_basename(path);
    const char *share = uo_get(uo, "share");
    bool ok;
    int fd;

    if (!object_dynamic_cast(backend, TYPE_MEMORY_BACKEND_FILE)) {
        return memory_region_init_ram(mr, owner, name, size, errp);
    }
    fd = memory_backend_file_open(id, uo_get(uo, "mem-path"), size, errp);
    if (fd < 0) {
        return false;
    }
    ok = memory_region_init_ram_from_fd(mr, owner, name, size, fd,
                                        share && !strcmp(share, "on"), errp);
    close(fd);
    return ok;
}

/* secret */

static bool secret_complete(UserObject *uo, Error **errp)
{
    const char *format = uo_get(uo, "format");
    const char *file = uo_get(uo, "file");
    const char *keyid = uo_get(uo, "keyid");
    Object *key = keyid ? user_object_find(keyid) : NULL;
    g_autofree char *contents = NULL;
    Error *err = NULL;
    size_t len;

    if (format && strcmp(format, "raw") && strcmp(format, "base64")) {
        error_setg(errp, "Parameter 'format' does not accept value '%s'",
                   format);
        return false;
    }
    if (!!file == !!uo_get(uo, "data")) {
        error_setg(errp, file ? "'data' and 'file' are mutually exclusive"
                              : "Either 'data' or 'file' must be provided");
        return false;
    }
    if (keyid && !(key && object_dynamic_cast(key, TYPE_SECRET))) {
        error_setg(errp, "No secret with id '%s'", keyid);
        return false;
    }
    /* Read it as QEMU does, so that a bad path fails at start-up. */
    if (file && !qemu_read_user_file(file, SECRET_FILE_MAX, &contents, &len,
                                     &err)) {
        error_setg(errp, "Unable to read %s: %s", file,
                   error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

/* Creation */

bool user_object_type_known(const char *type)
{
    ObjectClass *oc = object_class_by_name(type);

    return oc && !object_class_is_abstract(oc) && user_object_class(oc);
}

Object *user_object_find(const char *id)
{
    Object *objects = object_resolve_child(object_get_root(), "objects");

    return objects ? object_resolve_child(objects, id) : NULL;
}

static bool set_props(UserObject *uo, UserObjectClass *uc,
                      const QemuOpts *opts, Error **errp)
{
    const char *type = object_get_typename(OBJECT(uo));

    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);
        const UserPropDef *p;
        char *value;

        if (!strcmp(opt->key, "qom-type") || !strcmp(opt->key, "id")) {
            continue;
        }
        p = find_prop(uc, opt->key);
        if (!p) {
            error_setg(errp, "Property '%s.%s' not found", type, opt->key);
            return false;
        }
        if (!parse_prop(p, opt->value, &value, errp)) {
            return false;
        }
        g_hash_table_insert(uo->values, g_strdup(p->name), value);
    }
    return !uc->complete || uc->complete(uo, errp);
}

Object *user_object_create(const QemuOpts *opts, Error **errp)
{
    const char *type = qemu_opt_get(opts, "qom-type");
    const char *id = qemu_opt_get(opts, "id");
    Object *obj;

    if (!type || !user_object_type_known(type)) {
        error_setg(errp, "invalid object type: %s", type ? type : "");
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (user_object_find(id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return NULL;
    }
    obj = object_new(type);
    if (!set_props((UserObject *)obj,
                   user_object_class(obj->class), opts, errp)) {
        object_unref(obj);
        return NULL;
    }
    object_property_add_child(container_get(object_get_root(), "/objects"),
                              id, obj, &error_abort);
    object_unref(obj);
    return obj;
}

/* Introspection */

void user_object_class_foreach_prop(ObjectClass *oc, UserObjectPropFunc *fn,
                                    void *opaque)
{
    UserObjectClass *uc = user_object_class(oc);

    for (const UserPropDef *p = uc ? uc->props : NULL; p && p->name; p++) {
        fn(p->name, p->type, opaque);
    }
}

JsonNode *user_object_get_prop(Object *obj, const char *name)
{
    UserObjectClass *uc = user_object_class(obj->class);
    const UserPropDef *p = uc ? find_prop(uc, name) : NULL;
    const char *value;
    JsonNode *node;

    if (!p) {
        return NULL;
    }
    value = uo_get((UserObject *)obj, name);
    node = json_node_new(JSON_NODE_VALUE);
    if (!strcmp(p->type, "bool")) {
        json_node_set_boolean(node, value && !strcmp(value, "on"));
    } else if (!strcmp(p->type, "size") || !strcmp(p->type, "uint32")) {
        json_node_set_int(node, value ? g_ascii_strtoll(value, NULL, 10) : 0);
    } else {
        json_node_set_string(node, value ? value : "");
    }
    return node;
}

/* Types */

static void user_object_init(Object *obj)
{
    ((UserObject *)obj)->values = g_hash_table_new_full(g_str_hash,
                                                        g_str_equal, g_free,
                                                        g_free);
}

static void user_object_finalize(Object *obj)
{
    g_hash_table_destroy(((UserObject *)obj)->values);
}

static const UserPropDef memory_backend_props[] = {
    { "size", "size" }, { "share", "bool" }, { "prealloc", "bool" },
    { "prealloc-threads", "uint32" }, { "merge", "bool" }, { "dump", "bool" },
    { "x-use-canonical-path-for-ramblock-id", "bool" }, { NULL }
};

static const UserPropDef memory_backend_file_props[] = {
    { "size", "size" }, { "share", "bool" }, { "prealloc", "bool" },
    { "prealloc-threads", "uint32" }, { "merge", "bool" }, { "dump", "bool" },
    { "x-use-canonical-path-for-ramblock-id", "bool" },
    { "mem-path", "str" }, { "discard-data", "bool" }, { NULL }
};

static const UserPropDef secret_props[] = {
    { "format", "str" }, { "data", "str" }, { "file", "str" },
    { "keyid", "str" }, { "iv", "str" }, { NULL }
};

static void memory_backend_class_init(ObjectClass *oc, const void *data)
{
    UserObjectClass *uc = (UserObjectClass *)oc;

    uc->props = memory_backend_props;
    uc->complete = memory_backend_complete;
}

static void memory_backend_file_class_init(ObjectClass *oc, const void *data)
{
    ((UserObjectClass *)oc)->props = memory_backend_file_props;
}

static void secret_class_init(ObjectClass *oc, const void *data)
{
    UserObjectClass *uc = (UserObjectClass *)oc;

    uc->props = secret_props;
    uc->complete = secret_complete;
}

static const TypeInfo user_object_types[] = {
    {
        .name = TYPE_MEMORY_BACKEND,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(UserObject),
        .class_size = sizeof(UserObjectClass),
        .class_init = memory_backend_class_init,
        .instance_init = user_object_init,
        .instance_finalize = user_object_finalize,
    },
    { .name = TYPE_MEMORY_BACKEND_RAM, .parent = TYPE_MEMORY_BACKEND },
    {
        .name = TYPE_MEMORY_BACKEND_FILE,
        .parent = TYPE_MEMORY_BACKEND,
        .class_init = memory_backend_file_class_init,
    },
    {
        .name = TYPE_SECRET_COMMON,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(UserObject),
        .class_size = sizeof(UserObjectClass),
        .class_init = secret_class_init,
        .instance_init = user_object_init,
        .instance_finalize = user_object_finalize,
    },
    { .name = TYPE_SECRET, .parent = TYPE_SECRET_COMMON },
};

static void user_object_register_types(void)
{
    type_register_static_array(user_object_types,
                               ARRAY_SIZE(user_object_types));
}
type_init(user_object_register_types)
