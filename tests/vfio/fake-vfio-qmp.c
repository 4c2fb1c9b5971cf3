/*
 * QMP commands with which qtests reach the fake inside a running
 * qvfio-test (never the product: tests/vfio is linked into test programs
 * only). A device is named by the vfio-pci device's id; without one the
 * fake opened last answers, even once closed.
 *
 *   x-fake-vfio-inject-fault {id?, fault, arg?}   fake_vfio_inject_fault:
 *       fault is region-eio (arg: the region index, -1 for none),
 *       set-irqs, reset, dma-map, dma-map-nospace, mmap or eventfd-read
 *       (arg: how many of the next calls fail, 1 if not given)
 *   x-fake-vfio-raise-irq {id?, index, vector?}   the device raises it
 *   x-fake-vfio-query {id?}   {open, rom-enable-set, dma-mappings,
 *       counters: {name: count, ...}, config: the device's own config
 *       space in hex}
 */
#include "qemu/osdep.h"
#include "hw/vfio/vfio-pci.h"
#include "system/qmp.h"
#include "fake-vfio-int.h"

static FakeVFIODevice *fake_by_id(JsonObject *args, Error **errp)
{
    const char *id = json_object_get_string_member_with_default(args, "id",
                                                                NULL);
    DeviceState *dev;
    FakeVFIODevice *f;

    if (!id) {
        f = fake_vfio_last();
        if (!f) {
            error_setg(errp, "no fake VFIO device was ever opened");
        }
        return f;
    }
    dev = qdev_find_by_id(id);
    if (!dev || !object_dynamic_cast(OBJECT(dev), TYPE_VFIO_PCI)) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id);
        return NULL;
    }
    f = fake_vfio_from_backend(VFIO_PCI(dev)->backend);
    if (!f) {
        error_setg(errp, "'%s' is not on the fake VFIO backend", id);
    }
    return f;
}

static JsonNode *qmp_inject_fault(Monitor *mon, JsonObject *args,
                                  Error **errp)
{
    FakeVFIODevice *f = fake_by_id(args, errp);
    const char *name = json_object_get_string_member(args, "fault");
    int64_t arg = json_object_get_int_member_with_default(args, "arg", 1);
    FakeVFIOFault fault;

    if (!f) {
        return NULL;
    }
    if (!fake_vfio_fault_parse(name, &fault)) {
        error_setg(errp, "Parameter 'fault' does not accept value '%s'", name);
        return NULL;
    }
    if (arg < -1 || arg > UINT32_MAX) {
        error_setg(errp, "Parameter 'arg' is out of range");
        return NULL;
    }
    fake_vfio_inject_fault(f, fault, arg < 0 ? UINT32_MAX : arg);
    return NULL;
}

static JsonNode *qmp_raise_irq(Monitor *mon, JsonObject *args, Error **errp)
{
    FakeVFIODevice *f = fake_by_id(args, errp);
    int64_t index = json_object_get_int_member(args, "index");
    int64_t vector = json_object_get_int_member_with_default(args, "vector",
                                                             0);

    if (!f) {
        return NULL;
    }
    if (index < 0 || index >= VFIO_PCI_NUM_IRQS || vector < 0 ||
        vector > UINT32_MAX) {
        error_setg(errp, "no irq %" PRId64 " vector %" PRId64, index, vector);
        return NULL;
    }
    fake_vfio_raise_irq(f, index, vector);
    return NULL;
}

static JsonNode *qmp_query(Monitor *mon, JsonObject *args, Error **errp)
{
    FakeVFIODevice *f = fake_by_id(args, errp);
    JsonObject *ret, *c;
    const FakeVFIOCounters *n;

    if (!f) {
        return NULL;
    }
    n = fake_vfio_counters(f);
    c = json_object_new();
    json_object_set_int_member(c, "set-irqs-failed", n->set_irqs_failed);
    json_object_set_int_member(c, "config-reads", n->config_reads);
    json_object_set_int_member(c, "config-writes", n->config_writes);
    json_object_set_int_member(c, "rom-reads", n->rom_reads);
    json_object_set_int_member(c, "rom-mmaps", n->rom_mmaps);
    json_object_set_int_member(c, "region-mmaps", n->region_mmaps);
    json_object_set_int_member(c, "msix-table-accesses",
                               n->msix_table_accesses);
    json_object_set_int_member(c, "resets", n->resets);
    json_object_set_int_member(c, "hot-resets", n->hot_resets);
    json_object_set_int_member(c, "dma-maps", n->dma_maps);
    json_object_set_int_member(c, "dma-unmaps", n->dma_unmaps);
    json_object_set_int_member(c, "bar-reads", n->bar_reads);
    json_object_set_int_member(c, "bar-writes", n->bar_writes);
    ret = json_object_new();
    json_object_set_boolean_member(ret, "open", fake_vfio_is_open(f));
    json_object_set_boolean_member(ret, "rom-enable-set",
                                   fake_vfio_rom_enable_was_set(f));
    json_object_set_int_member(ret, "dma-mappings",
                               fake_vfio_dma_mapping_count(f));
    json_object_set_object_member(ret, "counters", c);
    {
        g_autofree char *hex = g_malloc(PCI_CFG_SPACE_EXP_SIZE * 2 + 1);

        for (unsigned i = 0; i < PCI_CFG_SPACE_EXP_SIZE; i++) {
            snprintf(hex + 2 * i, 3, "%02x", fake_vfio_config(f)[i]);
        }
        json_object_set_string_member(ret, "config", hex);
    }
    return qmp_node_take_object(ret);
}

static const QmpArgDef inject_args[] = {
    { "id", QMP_ARG_STR, true }, { "fault", QMP_ARG_STR },
    { "arg", QMP_ARG_INT, true }, { NULL }
};
static const QmpArgDef raise_args[] = {
    { "id", QMP_ARG_STR, true }, { "index", QMP_ARG_INT },
    { "vector", QMP_ARG_INT, true }, { NULL }
};
static const QmpArgDef query_args[] = {
    { "id", QMP_ARG_STR, true }, { NULL }
};

static const QmpCommandDef fake_commands[] = {
    { "x-fake-vfio-inject-fault", qmp_inject_fault, inject_args },
    { "x-fake-vfio-raise-irq", qmp_raise_irq, raise_args },
    { "x-fake-vfio-query", qmp_query, query_args, .ret_type = "any" },
};

static void __attribute__((constructor)) fake_vfio_qmp_register(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(fake_commands); i++) {
        qmp_register_command(&fake_commands[i]);
    }
}
