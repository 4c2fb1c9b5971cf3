/*
 * A small object model after QEMU's QOM: named types with single
 * inheritance, class structs initialised from the parent's, instances with
 * reference counts, and a tree of child objects addressed by paths such as
 * /machine/peripheral/hostdev0.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include "qemu/osdep.h"
#include "qemu/error.h"

typedef struct TypeImpl TypeImpl;
typedef struct Object Object;
typedef struct ObjectClass ObjectClass;

#define TYPE_OBJECT "object"
#define TYPE_CONTAINER "container"

struct ObjectClass {
    TypeImpl *type;
};

struct Object {
    ObjectClass *class;
    Object *parent;             /* in the composition tree, or NULL */
    char *name;                 /* child name under parent */
    GPtrArray *children;        /* Object *, in insertion order */
    unsigned ref;
};

typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    size_t class_size;          /* 0: same as parent's */
    bool abstract;
    void (*class_init)(ObjectClass *oc, const void *data);
    const void *class_data;
    void (*instance_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
} TypeInfo;

void type_register_static(const TypeInfo *info);
void type_register_static_array(const TypeInfo *infos, int nr);
/* Register at start-up: type_init(my_register_types). */
#define type_init(fn) \
    static void __attribute__((constructor)) qemu_type_init_##fn(void) \
    {                                                                   \
        fn();                                                           \
    }

ObjectClass *object_class_by_name(const char *typename);
ObjectClass *object_class_dynamic_cast(ObjectClass *oc, const char *typename);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *oc,
                                              const char *typename);
ObjectClass *object_class_get_parent(ObjectClass *oc);
const char *object_class_get_name(ObjectClass *oc);
bool object_class_is_abstract(ObjectClass *oc);
/* Classes implementing @implements (NULL: all), sorted by name. */
GSList *object_class_get_list(const char *implements, bool include_abstract);

Object *object_new(const char *typename);
Object *object_ref(Object *obj);
void object_unref(Object *obj);     /* finalizes and frees at zero */
Object *object_dynamic_cast(Object *obj, const char *typename);
Object *object_dynamic_cast_assert(Object *obj, const char *typename);
const char *object_get_typename(const Object *obj);

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(oc) ((ObjectClass *)(oc))
#define OBJECT_GET_CLASS(cls, obj, name) \
    ((cls *)object_class_dynamic_cast_assert(OBJECT(obj)->class, (name)))
#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name)))
#define OBJECT_CLASS_CHECK(cls, oc, name) \
    ((cls *)object_class_dynamic_cast_assert(OBJECT_CLASS(oc), (name)))

/* Composition tree. add_child takes a reference; unparent drops it. */
bool object_property_add_child(Object *parent, const char *name,
                               Object *child, Error **errp);
void object_unparent(Object *obj);
Object *object_get_root(void);
/* Find or create the container at @path ("/machine/peripheral"). */
Object *container_get(Object *root, const char *path);
Object *object_resolve_child(Object *parent, const char *name);
/*
 * Absolute paths start with '/'. A partial path (no leading '/') matches
 * objects whose path ends with it; *ambiguous is set if several match.
 */
Object *object_resolve_path(const char *path, bool *ambiguous);
char *object_get_canonical_path(const Object *obj);
typedef int ObjectChildFunc(Object *child, void *opaque);
int object_child_foreach(Object *obj, ObjectChildFunc *fn, void *opaque);

#endif
