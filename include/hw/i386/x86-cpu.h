/*
 * x86 CPUs as the machine sees them: the -cpu model, the topology that
 * -smp gives (APIC IDs), and where the boot CPU starts after every reset.
 * The accelerator reads these; the machine never touches vCPU registers.
 */
#ifndef HW_I386_X86_CPU_H
#define HW_I386_X86_CPU_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "hw/i386/x86-boot.h"

#define X86_MAX_CPUS 128        /* xAPIC IDs below 255 for every topology */

typedef struct X86CPUTopo {
    unsigned cpus;              /* present at start */
    unsigned sockets, cores, threads;
} X86CPUTopo;

/* Bits of the APIC ID that number threads, and threads plus cores. */
unsigned x86_topo_smt_bits(const X86CPUTopo *t);
unsigned x86_topo_core_bits(const X86CPUTopo *t);   /* above the SMT bits */
uint32_t x86_apic_id_from_index(const X86CPUTopo *t, unsigned index);

/*
 * -cpu NAME[,...]: under KVM only "host" and "max" (both: everything the
 * host's KVM supports); any of QEMU's x86 model names where no CPU runs.
 */
bool x86_cpu_model_check(const char *model, bool runs_cpus, Error **errp);
void x86_cpu_list(FILE *out);
/* An object of type "MODEL-x86_64-cpu" per vCPU, in the composition tree. */
void x86_cpu_add_objects(const char *model);

/* The boot CPU's start: the Linux 32-bit boot protocol entry. */
/* Set by the machine once the kernel is loaded; NULL clears it. */
void x86_set_boot_entry(const X86BootEntry *entry);
/* NULL when the boot CPU starts at the reset vector. */
const X86BootEntry *x86_get_boot_entry(void);

#endif
