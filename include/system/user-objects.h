/*
 * -object types besides qtest: what libvirt's command line creates.
 *   memory-backend-ram,id=ID,size=N   the guest RAM that -machine
 *       memory-backend=ID names (its size must match the machine's)
 *   memory-backend-file,id=ID,size=N,mem-path=P[,share=on]   the same,
 *       mapped from the file P (or a new unlinked file in directory P)
 *   secret,id=ID,format=raw|base64,data=..|file=..   checked and kept;
 *       nothing in qvfio consumes secrets
 * Objects live at /objects/ID. Their properties are typed (qom-get,
 * qom-list, qom-list-properties).
 */
#ifndef SYSTEM_USER_OBJECTS_H
#define SYSTEM_USER_OBJECTS_H

#include "qemu/osdep.h"
#include "qemu/option.h"
#include "qom/object.h"
#include "system/memory.h"
#include <json-glib/json-glib.h>

#define TYPE_MEMORY_BACKEND "memory-backend"
#define TYPE_MEMORY_BACKEND_RAM "memory-backend-ram"
#define TYPE_MEMORY_BACKEND_FILE "memory-backend-file"
#define TYPE_SECRET_COMMON "secret_common"
#define TYPE_SECRET "secret"

/* Whether -object accepts @type. */
bool user_object_type_known(const char *type);
/* Create the object @opts describes (keys qom-type, id, properties). */
Object *user_object_create(const QemuOpts *opts, Error **errp);
/* /objects/ID, or NULL. */
Object *user_object_find(const char *id);
uint64_t memory_backend_size(Object *obj);
/*
 * Initialise @mr as the guest RAM that @backend describes: anonymous
 * memory for memory-backend-ram, the backing file for memory-backend-file.
 */
bool memory_backend_init_ram(Object *backend, MemoryRegion *mr, Object *owner,
                             const char *name, Error **errp);

/* Properties of a class (@fn(name, type, opaque)), typed values. */
typedef void UserObjectPropFunc(const char *name, const char *type,
                                void *opaque);
void user_object_class_foreach_prop(ObjectClass *oc, UserObjectPropFunc *fn,
                                    void *opaque);
/* NULL if @obj has no such property. */
JsonNode *user_object_get_prop(Object *obj, const char *name);

#endif
