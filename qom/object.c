/*
 * The object model: types, classes, instances and the composition tree.
 */
#include "qemu/osdep.h"
#include "qom/object.h"

struct TypeImpl {
    char *name;
    char *parent_name;
    TypeImpl *parent;
    size_t instance_size;
    size_t class_size;
    bool abstract;
    void (*class_init)(ObjectClass *oc, const void *data);
    const void *class_data;
    void (*instance_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    ObjectClass *class;         /* built on first use */
};

static GHashTable *type_table;

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

void type_register_static(const TypeInfo *info)
{
    TypeImpl *ti = g_new0(TypeImpl, 1);

    g_assert(info->name);
    g_assert(!g_hash_table_lookup(type_table_get(), info->name));
    ti->name = g_strdup(info->name);
    ti->parent_name = g_strdup(info->parent);
    ti->instance_size = info->instance_size;
    ti->class_size = info->class_size;
    ti->abstract = info->abstract;
    ti->class_init = info->class_init;
    ti->class_data = info->class_data;
    ti->instance_init = info->instance_init;
    ti->instance_finalize = info->instance_finalize;
    g_hash_table_insert(type_table_get(), ti->name, ti);
}

void type_register_static_array(const TypeInfo *infos, int nr)
{
    for (int i = 0; i < nr; i++) {
        type_register_static(&infos[i]);
    }
}

static TypeImpl *type_get_by_name(const char *name)
{
    return name ? g_hash_table_lookup(type_table_get(), name) : NULL;
}

static TypeImpl *type_get_parent(TypeImpl *ti)
{
    if (ti->parent_name && !ti->parent) {
        ti->parent = type_get_by_name(ti->parent_name);
        g_assert(ti->parent);
    }
    return ti->parent;
}

static size_t type_class_size(TypeImpl *ti)
{
    if (ti->class_size) {
        return ti->class_size;
    }
    return type_get_parent(ti) ? type_class_size(ti->parent)
                               : sizeof(ObjectClass);
}

static size_t type_instance_size(TypeImpl *ti)
{
    if (ti->instance_size) {
        return ti->instance_size;
    }
    return type_get_parent(ti) ? type_instance_size(ti->parent)
                               : sizeof(Object);
}

/* A class starts as a copy of its parent's, then its class_init runs. */
static void type_initialize(TypeImpl *ti)
{
    TypeImpl *parent;
    size_t size;

    if (ti->class) {
        return;
    }
    size = type_class_size(ti);
    ti->class = g_malloc0(size);
    parent = type_get_parent(ti);
    if (parent) {
        type_initialize(parent);
        g_assert(type_class_size(parent) <= size);
        memcpy(ti->class, parent->class, type_class_size(parent));
    }
    ti->class->type = ti;
    if (ti->class_init) {
        ti->class_init(ti->class, ti->class_data);
    }
}

static bool type_is_ancestor(TypeImpl *ti, TypeImpl *ancestor)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti == ancestor) {
            return true;
        }
    }
    return false;
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);

    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->class;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *oc, const char *typename)
{
    TypeImpl *target = type_get_by_name(typename);

    if (!oc || !target) {
        return NULL;
    }
    return type_is_ancestor(oc->type, target) ? oc : NULL;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *oc,
                                              const char *typename)
{
    ObjectClass *ret = object_class_dynamic_cast(oc, typename);

    if (!ret) {
        g_error("class %s is not a %s", oc ? oc->type->name : "(null)",
                typename);
    }
    return ret;
}

ObjectClass *object_class_get_parent(ObjectClass *oc)
{
    TypeImpl *parent = type_get_parent(oc->type);

    if (!parent) {
        return NULL;
    }
    type_initialize(parent);
    return parent->class;
}

const char *object_class_get_name(ObjectClass *oc)
{
    return oc->type->name;
}

bool object_class_is_abstract(ObjectClass *oc)
{
    return oc->type->abstract;
}

static gint compare_class_names(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name((ObjectClass *)a),
                  object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list(const char *implements, bool include_abstract)
{
    GSList *list = NULL;
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, type_table_get());
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        TypeImpl *ti = value;

        if (ti->abstract && !include_abstract) {
            continue;
        }
        type_initialize(ti);
        if (implements && !object_class_dynamic_cast(ti->class, implements)) {
            continue;
        }
        list = g_slist_prepend(list, ti->class);
    }
    return g_slist_sort(list, compare_class_names);
}

static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (type_get_parent(ti)) {
        object_init_with_type(obj, ti->parent);
    }
    if (ti->instance_init) {
        ti->instance_init(obj);
    }
}

static void object_finalize_with_type(Object *obj, TypeImpl *ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->instance_finalize) {
            ti->instance_finalize(obj);
        }
    }
}

Object *object_new(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);
    Object *obj;

    g_assert(ti);
    g_assert(!ti->abstract);
    type_initialize(ti);
    obj = g_malloc0(type_instance_size(ti));
    obj->class = ti->class;
    obj->ref = 1;
    obj->children = g_ptr_array_new();
    object_init_with_type(obj, ti);
    return obj;
}

Object *object_ref(Object *obj)
{
    obj->ref++;
    return obj;
}

void object_unref(Object *obj)
{
    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (--obj->ref > 0) {
        return;
    }
    /* Children hold a reference from us; drop them first. */
    while (obj->children->len) {
        object_unparent(g_ptr_array_index(obj->children,
                                          obj->children->len - 1));
    }
    object_finalize_with_type(obj, obj->class->type);
    g_ptr_array_free(obj->children, true);
    g_free(obj->name);
    g_free(obj);
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    return obj && object_class_dynamic_cast(obj->class, typename) ? obj
                                                                   : NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename)
{
    if (!object_dynamic_cast(obj, typename)) {
        g_error("object %s is not a %s",
                obj ? object_get_typename(obj) : "(null)", typename);
    }
    return obj;
}

const char *object_get_typename(const Object *obj)
{
    return obj->class->type->name;
}

Object *object_resolve_child(Object *parent, const char *name)
{
    for (guint i = 0; i < parent->children->len; i++) {
        Object *child = g_ptr_array_index(parent->children, i);

        if (!strcmp(child->name, name)) {
            return child;
        }
    }
    return NULL;
}

bool object_property_add_child(Object *parent, const char *name,
                               Object *child, Error **errp)
{
    g_assert(!child->parent);
    if (object_resolve_child(parent, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(parent));
        return false;
    }
    child->name = g_strdup(name);
    child->parent = parent;
    g_ptr_array_add(parent->children, object_ref(child));
    return true;
}

void object_unparent(Object *obj)
{
    Object *parent = obj->parent;

    if (!parent) {
        return;
    }
    g_ptr_array_remove(parent->children, obj);
    obj->parent = NULL;
    g_clear_pointer(&obj->name, g_free);
    object_unref(obj);
}

Object *object_get_root(void)
{
    static Object *root;

    if (!root) {
        root = object_new(TYPE_CONTAINER);
    }
    return root;
}

Object *container_get(Object *root, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    Object *obj = root;

    for (int i = 0; parts[i]; i++) {
        Object *child;

        if (!*parts[i]) {
            continue;
        }
        child = object_resolve_child(obj, parts[i]);
        if (!child) {
            child = object_new(TYPE_CONTAINER);
            object_property_add_child(obj, parts[i], child, &error_abort);
            object_unref(child);
        }
        obj = child;
    }
    return obj;
}

static Object *resolve_absolute(const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    Object *obj = object_get_root();

    for (int i = 0; parts[i] && obj; i++) {
        if (*parts[i]) {
            obj = object_resolve_child(obj, parts[i]);
        }
    }
    return obj;
}

typedef struct PartialMatch {
    const char *suffix;
    Object *found;
    int count;
} PartialMatch;

static bool path_has_suffix(const Object *obj, const char *suffix)
{
    g_autofree char *path = object_get_canonical_path(obj);
    size_t plen = strlen(path), slen = strlen(suffix);

    return plen > slen && path[plen - slen - 1] == '/' &&
           !strcmp(path + plen - slen, suffix);
}

static int partial_match_one(Object *child, void *opaque)
{
    PartialMatch *m = opaque;

    if (path_has_suffix(child, m->suffix)) {
        m->found = child;
        m->count++;
    }
    return object_child_foreach(child, partial_match_one, opaque);
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    PartialMatch m = { .suffix = path };

    if (ambiguous) {
        *ambiguous = false;
    }
    if (!path || !*path) {
        return NULL;
    }
    if (path[0] == '/') {
        return resolve_absolute(path);
    }
    object_child_foreach(object_get_root(), partial_match_one, &m);
    if (m.count > 1) {
        if (ambiguous) {
            *ambiguous = true;
        }
        return NULL;
    }
    return m.found;
}

char *object_get_canonical_path(const Object *obj)
{
    GString *path = g_string_new(NULL);

    if (!obj->parent) {
        g_string_assign(path, "/");
    }
    for (; obj->parent; obj = obj->parent) {
        g_string_prepend(path, obj->name);
        g_string_prepend_c(path, '/');
    }
    return g_string_free(path, false);
}

int object_child_foreach(Object *obj, ObjectChildFunc *fn, void *opaque)
{
    /* Iterate over a copy: fn may unparent the child. */
    g_autoptr(GPtrArray) copy = g_ptr_array_copy(obj->children, NULL, NULL);

    for (guint i = 0; i < copy->len; i++) {
        int ret = fn(g_ptr_array_index(copy, i), opaque);

        if (ret) {
            return ret;
        }
    }
    return 0;
}

static const TypeInfo object_types[] = {
    { .name = TYPE_OBJECT, .instance_size = sizeof(Object),
      .class_size = sizeof(ObjectClass), .abstract = true },
    { .name = TYPE_CONTAINER, .parent = TYPE_OBJECT },
};

static void object_register_types(void)
{
    type_register_static_array(object_types, ARRAY_SIZE(object_types));
}
type_init(object_register_types)
