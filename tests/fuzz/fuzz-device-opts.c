/*
 * The -device and -object parsers and what they lead to: QEMU's
 * key=value syntax (util/qemu-option.c) and the JSON form
 * (system/qdev-monitor.c), the value parsers, device properties and
 * realize (system/qdev-monitor.c, hw/core/qdev-properties.c) on a q35
 * machine, and the -object types (system/user-objects.c), memory
 * backends given their RAM.
 *
 * Input: one byte of flags (bit 0: -object instead of -device), then the
 * option's argument; one starting with '{' is the JSON form. What was
 * created is removed again.
 *
 * Kept from touching the host: mem-path always names a private
 * directory (memory-backend-file makes its unlinked file there) and
 * memory backends larger than 16 MiB are not given RAM. Files named by
 * romfile=, file= or a fake device's spec are only ever read.
 */
#include "qemu/osdep.h"
#include "hw/core/qdev.h"
#include "system/memory.h"
#include "system/qdev-monitor.h"
#include "system/user-objects.h"
#include "fuzz-util.h"

#define FUZZ_MAX_BACKEND_SIZE (16 * 1024 * 1024)

static int fds_baseline;
static char *tmpdir;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_machine_init(64 * 1024 * 1024, NULL);
    tmpdir = g_dir_make_tmp("qvfio-fuzz-opts-XXXXXX", NULL);
    devnull = fopen("/dev/null", "w");
    if (!tmpdir || !devnull) {
        fuzz_fail("cannot set up: %s", strerror(errno));
    }
    fds_baseline = fuzz_count_fds();
    return 0;
}

static void try_device(QemuOpts *opts)
{
    const char *driver = qemu_opt_get(opts, "driver");
    DeviceState *dev;

    if ((driver && !strcmp(driver, "help")) || (opts->help && !driver)) {
        qdev_print_device_list(devnull);
    } else if (opts->help) {
        qdev_print_device_props(devnull, driver, NULL);
    } else if ((dev = qdev_device_add(opts, NULL))) {
        qdev_device_remove(dev);
    }
}

/* A memory backend small enough gets its RAM, as a machine would ask. */
static void give_ram(Object *obj)
{
    MemoryRegion mr = { 0 };

    if (!object_dynamic_cast(obj, TYPE_MEMORY_BACKEND) ||
        memory_backend_size(obj) > FUZZ_MAX_BACKEND_SIZE) {
        return;
    }
    if (memory_backend_init_ram(obj, &mr, NULL, "fuzz.ram", NULL)) {
        memory_region_finalize(&mr);
    }
}

static void try_object(QemuOpts *opts)
{
    Object *obj;

    if (qemu_opt_has(opts, "mem-path")) {
        g_free(qemu_opt_take(opts, "mem-path"));
        qemu_opt_set(opts, "mem-path", tmpdir);
    }
    obj = user_object_create(opts, NULL);
    if (obj) {
        give_ram(obj);
        object_unparent(obj);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool object = size && (data[0] & 1);
    g_autofree char *arg = g_strndup(size ? (const char *)data + 1 : "",
                                     size ? size - 1 : 0);
    const char *what = object ? "-object" : "-device";
    QemuOpts *opts;

    if (arg[0] == '{') {
        opts = qemu_opts_from_json(arg, what, NULL);
    } else {
        opts = qemu_opts_parse(arg, object ? "qom-type" : "driver", NULL);
    }
    if (opts) {
        object ? try_object(opts) : try_device(opts);
        qemu_opts_free(opts);
    }
    fuzz_main_loop_drain();
    fuzz_check_fds(fds_baseline, what);
    fuzz_reports_reset();
    return 0;
}
