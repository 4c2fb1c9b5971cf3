/* Accelerator selection (see include/system/accel.h). */
#include "qemu/osdep.h"
#include "system/accel.h"
#include "system/qtest.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "system/kvm.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"

static const char *current_accel = "none";

const char *accel_name(void)
{
    return current_accel;
}

bool kvm_enabled(void)
{
    return kvm_accel_active();
}

bool kvm_available(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

/* Machines with CPUs get the in-kernel irqchip and vCPUs too. */
static bool kvm_try(bool machine_needs_accel, const char *machine_name,
                    Error **errp)
{
    if (!kvm_accel_init(machine_needs_accel, errp)) {
        error_prepend(errp, "failed to initialize kvm: ");
        return false;
    }
    current_accel = "kvm";
    return true;
}

static bool accel_try(const char *name, bool machine_needs_accel,
                      const char *machine_name, Error **errp)
{
    if (!strcmp(name, "qtest")) {
        qtest_set_enabled(true);
        qemu_clock_set_virtual_manual(true);
        current_accel = "qtest";
        return true;
    }
    if (!strcmp(name, "tcg")) {
        error_setg(errp, "qvfio has no CPU emulator, so -accel tcg is not "
                   "supported; use -accel qtest");
        return false;
    }
    if (!strcmp(name, "kvm")) {
        return kvm_try(machine_needs_accel, machine_name, errp);
    }
    error_setg(errp, "invalid accelerator %s", name);
    return false;
}

bool accel_init(const char *list, bool machine_needs_accel,
                const char *machine_name, Error **errp)
{
    g_auto(GStrv) names = g_strsplit(list ? list : "", ":", -1);
    Error *first_err = NULL;

    for (int i = 0; names[i]; i++) {
        Error *err = NULL;

        if (!*names[i]) {
            continue;
        }
        if (accel_try(names[i], machine_needs_accel, machine_name, &err)) {
            error_free(first_err);
            return true;
        }
        if (!first_err) {
            first_err = err;
        } else {
            error_free(err);
        }
    }
    /* A list (kvm:tcg, as management tools probe) may fall back to none. */
    if (!machine_needs_accel && (!first_err || g_strv_length(names) > 1)) {
        error_free(first_err);
        return true;
    }
    if (first_err) {
        error_propagate(errp, first_err);
    } else {
        error_setg(errp, "machine '%s' needs an accelerator: use -accel "
                   "qtest", machine_name);
    }
    return false;
}

bool accel_create_vcpus(const CpuTopology *smp, const uint32_t *apic_ids,
                        Error **errp)
{
    if (!kvm_irqchip_in_kernel()) {
        return true;                    /* qtest: no CPU runs */
    }
    return kvm_start_vcpus(smp, apic_ids, errp);
}

void accel_coalesce_pio(uint16_t port, unsigned size)
{
    if (kvm_irqchip_in_kernel()) {
        kvm_coalesce_pio(port, size);
    }
}

void accel_reset(void)
{
    if (kvm_irqchip_in_kernel()) {
        kvm_reset_vm();
    }
}

void accel_cleanup(void)
{
    kvm_accel_cleanup();
}

/* The accelerators as QOM types, so that qom-list-types tells the truth. */
static const TypeInfo accel_types[] = {
    { .name = "accel", .parent = TYPE_OBJECT, .abstract = true },
    { .name = "kvm-accel", .parent = "accel" },
    { .name = "qtest-accel", .parent = "accel" },
};

static void accel_register_types(void)
{
    type_register_static_array(accel_types, ARRAY_SIZE(accel_types));
}
type_init(accel_register_types)
