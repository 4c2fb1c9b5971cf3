/*
 * Guest CPUs. Each vCPU runs guest code on a thread of its own, driven by
 * the accelerator (KVM); qtest runs none. system/cpus.c owns the life
 * cycle every accelerator shares: threads, pause/resume, reset, teardown.
 * The accelerator supplies the thread body, the kick and the reset.
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qom/object.h"

typedef struct CPUState CPUState;

struct CPUState {
    int index;                  /* 0 .. nr-1; 0 is the boot CPU */
    uint32_t apic_id;
    GThread *thread;
    int thread_id;              /* its Linux thread id, once started */
    Object *object;             /* in the composition tree, or NULL */
    void *accel;                /* the accelerator's per-vCPU state */

    /* Under the BQL */
    bool stop;                  /* asked to park */
    bool stopped;               /* parked in cpu_thread_wait() */
    bool unplug;                /* asked to leave its thread */
    bool exited;                /* its thread is about to return */

    gint exit_request;          /* atomic: leave the guest soon */
};

typedef struct CpusAccelOps {
    /* The vCPU thread; returns once cpu->unplug is seen. */
    gpointer (*thread_fn)(gpointer cpu);
    /* Make a vCPU that is in the guest come out of it (any thread). */
    void (*kick)(CPUState *cpu);
    /* Back to the power-on state (the vCPU is parked; BQL held). */
    void (*reset)(CPUState *cpu);
    /* Release what the accelerator holds (thread gone; BQL held). */
    void (*destroy)(CPUState *cpu);
} CpusAccelOps;

/* The vCPU this thread runs, or NULL on other threads. */
extern __thread CPUState *current_cpu;

void cpus_register_accel(const CpusAccelOps *ops);
/* A new vCPU with @accel state, parked until resume_all_vcpus(). */
CPUState *cpu_create(int index, uint32_t apic_id, void *accel);
/* Start one thread per vCPU (after the machine is built). */
bool cpus_start(Error **errp);
unsigned cpus_count(void);
CPUState *cpu_get(unsigned index);

/*
 * Main thread, BQL held. pause waits until every vCPU is parked; resume
 * lets them run. The machine runs vCPUs only between resume and pause.
 */
void pause_all_vcpus(void);
void resume_all_vcpus(void);
bool all_vcpus_paused(void);
/* Every vCPU back to power-on (vCPUs paused). */
void cpus_reset_all(void);
/* Stop and join every vCPU thread, then forget them. */
void cpus_destroy_all(void);

/* vCPU thread side, BQL held. */
bool cpu_can_run(const CPUState *cpu);
/* Park until cpu_can_run() or unplug (releases the BQL while parked). */
void cpu_thread_wait(CPUState *cpu);
/* This vCPU cannot go on (e.g. an internal error): park it for good. */
void cpu_stop_current(void);
/* Call before the thread function returns. */
void cpu_thread_exit(CPUState *cpu);

#endif
