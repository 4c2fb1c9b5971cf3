/*
 * x86 CPUs as the machine sees them (include/hw/i386/x86-cpu.h).
 */
#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "hw/core/qdev.h"
#include "hw/i386/x86-cpu.h"

/* QEMU's x86 model names: accepted where no CPU runs (qtest). */
static const char *const qemu_cpu_models[] = {
    "host", "max", "base", "qemu64", "qemu32", "kvm64", "kvm32", "pentium",
    "pentium2", "pentium3", "486", "coreduo", "core2duo", "n270", "athlon",
    "phenom", "Conroe", "Penryn", "Nehalem", "Westmere", "SandyBridge",
    "IvyBridge", "Haswell", "Haswell-noTSX", "Broadwell", "Broadwell-noTSX",
    "Skylake-Client", "Skylake-Server", "Cascadelake-Server", "Cooperlake",
    "Icelake-Server", "SapphireRapids", "GraniteRapids", "SierraForest",
    "Snowridge", "Denverton", "KnightsMill", "Opteron_G1", "Opteron_G2",
    "Opteron_G3", "Opteron_G4", "Opteron_G5", "EPYC", "EPYC-Rome",
    "EPYC-Milan", "EPYC-Genoa", "Dhyana", "YongFeng", NULL,
};

static unsigned bits_for(unsigned count)
{
    unsigned bits = 0;

    while ((1u << bits) < count) {
        bits++;
    }
    return bits;
}

unsigned x86_topo_smt_bits(const X86CPUTopo *t)
{
    return bits_for(t->threads);
}

unsigned x86_topo_core_bits(const X86CPUTopo *t)
{
    return bits_for(t->cores);
}

uint32_t x86_apic_id_from_index(const X86CPUTopo *t, unsigned index)
{
    unsigned thread = index % t->threads;
    unsigned core = (index / t->threads) % t->cores;
    unsigned socket = index / (t->threads * t->cores);
    unsigned smt = x86_topo_smt_bits(t), cores = x86_topo_core_bits(t);

    return (socket << (smt + cores)) | (core << smt) | thread;
}

static bool model_known(const char *name)
{
    for (const char *const *m = qemu_cpu_models; *m; m++) {
        /* QEMU also takes versioned names, "EPYC-v4". */
        size_t len = strlen(*m);

        if (!strcmp(name, *m) ||
            (!strncmp(name, *m, len) && name[len] == '-' &&
             name[len + 1] == 'v' && g_ascii_isdigit(name[len + 2]))) {
            return true;
        }
    }
    return false;
}

bool x86_cpu_model_check(const char *model, bool runs_cpus, Error **errp)
{
    g_autofree char *name = g_strndup(model, strcspn(model, ","));

    if (!model_known(name)) {
        error_setg(errp, "unable to find CPU model '%s'", name);
        return false;
    }
    if (runs_cpus && strcmp(name, "host") && strcmp(name, "max")) {
        error_setg(errp, "CPU model '%s' is not supported with KVM: qvfio "
                   "gives the guest what the host's KVM supports; use -cpu "
                   "host or -cpu max", name);
        return false;
    }
    return true;
}

void x86_cpu_list(FILE *out)
{
    fprintf(out, "Available CPUs:\n"
            "  host   everything the host's KVM supports (KVM)\n"
            "  max    the same as host (KVM)\n"
            "Accepted without effect where no CPU runs (-accel qtest):\n");
    for (const char *const *m = qemu_cpu_models + 2; *m; m++) {
        fprintf(out, "  %s\n", *m);
    }
}

static X86BootEntry boot_entry;
static bool boot_entry_set;

void x86_set_boot_entry(const X86BootEntry *entry)
{
    boot_entry_set = entry != NULL;
    if (entry) {
        boot_entry = *entry;
    }
}

const X86BootEntry *x86_get_boot_entry(void)
{
    return boot_entry_set ? &boot_entry : NULL;
}

/*
 * Running vCPUs have objects in the composition tree named after their
 * model, as in QEMU, so that query-cpus-fast can give their qom-path.
 * They carry no properties: the vCPU state belongs to the accelerator.
 */
#define TYPE_X86_CPU "x86_64-cpu"

static const TypeInfo x86_cpu_types[] = {
    { .name = TYPE_X86_CPU, .parent = TYPE_OBJECT, .abstract = true },
    { .name = "host-" TYPE_X86_CPU, .parent = TYPE_X86_CPU },
    { .name = "max-" TYPE_X86_CPU, .parent = TYPE_X86_CPU },
};

static void x86_cpu_register_types(void)
{
    type_register_static_array(x86_cpu_types, ARRAY_SIZE(x86_cpu_types));
}
type_init(x86_cpu_register_types)

void x86_cpu_add_objects(const char *model)
{
    g_autofree char *name = g_strndup(model, strcspn(model, ","));
    g_autofree char *type = g_strdup_printf("%s-" TYPE_X86_CPU, name);

    for (unsigned i = 0; i < cpus_count(); i++) {
        CPUState *cpu = cpu_get(i);

        cpu->object = object_new(type);
        qdev_add_unattached(cpu->object);
        object_unref(cpu->object);      /* the tree holds it */
    }
}
