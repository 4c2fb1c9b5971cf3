/* Machine types: the memory map, buses and built-in devices of a board. */
#ifndef HW_MACHINE_H
#define HW_MACHINE_H

#include "qemu/osdep.h"
#include "qemu/option.h"
#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_MACHINE "machine"
#define MACHINE_TYPE_SUFFIX "-machine"

typedef struct MachineState MachineState;
typedef struct MachineClass MachineClass;

/* -smp: cpus present at start, of max_cpus = sockets * cores * threads */
typedef struct CpuTopology {
    unsigned cpus;
    unsigned sockets;
    unsigned cores;
    unsigned threads;
    unsigned max_cpus;
} CpuTopology;

struct MachineState {
    Object parent_obj;
    CpuTopology smp;
    char *cpu_model;            /* -cpu, NULL for the machine's default */
    uint64_t ram_size;
    MemoryRegion *ram;          /* guest RAM (one block) */
    Object *ram_backend;        /* -machine memory-backend=ID, or NULL */
    BusState *default_bus;      /* where -device goes without bus= */
    /* Direct Linux boot: -kernel, -initrd, -append (NULL when absent). */
    char *kernel_filename;
    char *initrd_filename;
    char *kernel_cmdline;
};

struct MachineClass {
    ObjectClass parent_class;
    const char *name;           /* "q35" */
    const char *alias;          /* e.g. "pc-q35-10.1" */
    const char *desc;
    bool is_default;
    bool needs_accel;           /* false for "none" */
    unsigned max_cpus;          /* 0: no guest CPUs (-smp 1 only) */
    bool acpi;                  /* builds ACPI tables for its guest */
    uint64_t default_ram_size;
    const char *default_ram_id;     /* -machine memory-backend= default id */
    /* Keys set_option accepts (qom-list-properties shows them). */
    const char *const *option_keys;
    /*
     * Machine-specific options from -machine (keys other than type and
     * accel); unknown keys are an error naming the key.
     */
    bool (*set_option)(MachineState *ms, const char *key, const char *value,
                       Error **errp);
    bool (*init)(MachineState *ms, Error **errp);
    /* After -device: load the guest, create vCPUs (optional). */
    bool (*done)(MachineState *ms, Error **errp);
    void (*reset)(MachineState *ms);
};

#define MACHINE(obj) OBJECT_CHECK(MachineState, (obj), TYPE_MACHINE)
#define MACHINE_CLASS(oc) OBJECT_CLASS_CHECK(MachineClass, (oc), TYPE_MACHINE)
#define MACHINE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(MachineClass, (obj), TYPE_MACHINE)

/* The one machine of this process (NULL before creation). */
extern MachineState *current_machine;

MachineClass *machine_class_find(const char *name);   /* name or alias */
/*
 * Allocate ms->ram (ms->ram_size bytes, named @name): from the memory
 * backend -machine memory-backend=ID names, else anonymous memory.
 */
bool machine_init_ram(MachineState *ms, const char *name, Error **errp);
/* The machine is complete (devices added): its done hook. */
bool machine_done(MachineState *ms, Error **errp);
void machine_print_help(FILE *out);

#endif
