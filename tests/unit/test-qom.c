/* Unit tests for the object model and the device core. */
#include "qemu/osdep.h"
#include "hw/core/qdev.h"

typedef struct Animal {
    Object parent_obj;
    int legs;
    int *finalized;
} Animal;

typedef struct AnimalClass {
    ObjectClass parent_class;
    const char *sound;
    int inits;
} AnimalClass;

static int instance_inits;

static void animal_class_init(ObjectClass *oc, const void *data)
{
    AnimalClass *ac = (AnimalClass *)oc;

    ac->sound = "...";
}

static void animal_init(Object *obj)
{
    ((Animal *)obj)->legs = 4;
    instance_inits++;
}

static void animal_finalize(Object *obj)
{
    Animal *a = (Animal *)obj;

    if (a->finalized) {
        (*a->finalized)++;
    }
}

static void bird_class_init(ObjectClass *oc, const void *data)
{
    ((AnimalClass *)oc)->sound = data;
}

static void bird_init(Object *obj)
{
    /* runs after animal_init: derived types see the base initialised */
    g_assert_cmpint(((Animal *)obj)->legs, ==, 4);
    ((Animal *)obj)->legs = 2;
}

static const TypeInfo test_types[] = {
    { .name = "animal", .parent = TYPE_OBJECT, .abstract = true,
      .instance_size = sizeof(Animal), .class_size = sizeof(AnimalClass),
      .class_init = animal_class_init, .instance_init = animal_init,
      .instance_finalize = animal_finalize },
    { .name = "dog", .parent = "animal" },
    { .name = "bird", .parent = "animal", .class_init = bird_class_init,
      .class_data = "tweet", .instance_init = bird_init },
};

static void test_type_hierarchy(void)
{
    ObjectClass *bird = object_class_by_name("bird");
    ObjectClass *dog = object_class_by_name("dog");

    g_assert_nonnull(bird);
    g_assert_null(object_class_by_name("cat"));
    g_assert_cmpstr(((AnimalClass *)bird)->sound, ==, "tweet");
    /* dog inherits the class fields set by animal's class_init */
    g_assert_cmpstr(((AnimalClass *)dog)->sound, ==, "...");
    g_assert_true(object_class_dynamic_cast(bird, "animal") == bird);
    g_assert_null(object_class_dynamic_cast(bird, "dog"));
    g_assert_true(object_class_get_parent(bird) ==
                  object_class_by_name("animal"));
    g_assert_true(object_class_is_abstract(object_class_by_name("animal")));
}

static void test_class_list(void)
{
    g_autoptr(GSList) concrete = object_class_get_list("animal", false);
    g_autoptr(GSList) all = object_class_get_list("animal", true);

    g_assert_cmpuint(g_slist_length(concrete), ==, 2);
    g_assert_cmpuint(g_slist_length(all), ==, 3);
    /* sorted by name */
    g_assert_cmpstr(object_class_get_name(concrete->data), ==, "bird");
}

static void test_instances_and_refs(void)
{
    int finalized = 0;
    Animal *b = (Animal *)object_new("bird");

    g_assert_cmpint(b->legs, ==, 2);
    b->finalized = &finalized;
    g_assert_nonnull(object_dynamic_cast(OBJECT(b), "animal"));
    g_assert_null(object_dynamic_cast(OBJECT(b), "dog"));
    object_ref(OBJECT(b));
    object_unref(OBJECT(b));
    g_assert_cmpint(finalized, ==, 0);
    object_unref(OBJECT(b));
    g_assert_cmpint(finalized, ==, 1);
}

static void test_composition_tree(void)
{
    Object *root = object_get_root();
    Object *box = container_get(root, "/test-tree/box");
    Object *dog = object_new("dog");
    Error *err = NULL;
    g_autofree char *path = NULL;
    bool ambiguous;
    int finalized = 0;

    ((Animal *)dog)->finalized = &finalized;
    g_assert_true(container_get(root, "/test-tree/box") == box);
    g_assert_true(object_property_add_child(box, "rex", dog, &error_abort));
    {
        Object *other = object_new("dog");

        g_assert_false(object_property_add_child(box, "rex", other, &err));
        g_assert_nonnull(err);
        error_free(err);
        object_unref(other);
    }
    object_unref(dog);                  /* the tree keeps it alive */
    g_assert_cmpint(finalized, ==, 0);
    path = object_get_canonical_path(dog);
    g_assert_cmpstr(path, ==, "/test-tree/box/rex");
    g_assert_true(object_resolve_path("/test-tree/box/rex", NULL) == dog);
    g_assert_true(object_resolve_path("rex", &ambiguous) == dog);
    g_assert_false(ambiguous);
    g_assert_true(object_resolve_path("box/rex", NULL) == dog);
    g_assert_null(object_resolve_path("/test-tree/nothing", NULL));
    g_assert_null(object_resolve_path("", NULL));
    object_unparent(dog);
    g_assert_cmpint(finalized, ==, 1);
    g_assert_null(object_resolve_path("rex", NULL));
}

static void test_ambiguous_partial_path(void)
{
    Object *a = container_get(object_get_root(), "/amb/a/leaf");
    Object *b = container_get(object_get_root(), "/amb/b/leaf");
    bool ambiguous = false;

    g_assert_true(a != b);
    g_assert_null(object_resolve_path("leaf", &ambiguous));
    g_assert_true(ambiguous);
    g_assert_true(object_resolve_path("a/leaf", &ambiguous) == a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static_array(test_types, ARRAY_SIZE(test_types));
    g_test_add_func("/qom/type-hierarchy", test_type_hierarchy);
    g_test_add_func("/qom/class-list", test_class_list);
    g_test_add_func("/qom/instances-and-refs", test_instances_and_refs);
    g_test_add_func("/qom/composition-tree", test_composition_tree);
    g_test_add_func("/qom/ambiguous-partial-path", test_ambiguous_partial_path);
    return g_test_run();
}
