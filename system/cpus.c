/*
 * The vCPU life cycle shared by accelerators (include/hw/core/cpu.h).
 *
 * Every flag below is read and written under the BQL. A vCPU parks on
 * resume_cond; the main thread waits on parked_cond for vCPUs to park or
 * to leave. Pausing and destroying happen on the main thread only, so no
 * vCPU ever waits for another.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/core/cpu.h"
#include "trace.h"

__thread CPUState *current_cpu;

static GPtrArray *cpus;                 /* CPUState *, by index */
static const CpusAccelOps *accel_ops;
static bool vcpus_enabled;              /* between resume and pause */
static GCond resume_cond;
static GCond parked_cond;
/* cpus_start() waits on these for every thread to tell its id. */
static GMutex started_lock;
static GCond started_cond;

void cpus_register_accel(const CpusAccelOps *ops)
{
    accel_ops = ops;
}

CPUState *cpu_create(int index, uint32_t apic_id, void *accel)
{
    CPUState *cpu = g_new0(CPUState, 1);

    if (!cpus) {
        cpus = g_ptr_array_new();
    }
    g_assert(index == (int)cpus->len);
    cpu->index = index;
    cpu->apic_id = apic_id;
    cpu->accel = accel;
    cpu->stop = true;
    g_ptr_array_add(cpus, cpu);
    return cpu;
}

unsigned cpus_count(void)
{
    return cpus ? cpus->len : 0;
}

CPUState *cpu_get(unsigned index)
{
    return index < cpus_count() ? g_ptr_array_index(cpus, index) : NULL;
}

/* Each vCPU thread begins here: its id first, for query-cpus-fast. */
static gpointer cpu_thread_start(gpointer opaque)
{
    CPUState *cpu = opaque;

    g_mutex_lock(&started_lock);
    cpu->thread_id = gettid();
    g_cond_broadcast(&started_cond);
    g_mutex_unlock(&started_lock);
    return accel_ops->thread_fn(cpu);
}

bool cpus_start(Error **errp)
{
    for (unsigned i = 0; i < cpus_count(); i++) {
        CPUState *cpu = cpu_get(i);
        g_autofree char *name = g_strdup_printf("CPU %u/KVM", i);
        GError *gerr = NULL;

        cpu->thread = g_thread_try_new(name, cpu_thread_start, cpu, &gerr);
        if (!cpu->thread) {
            error_setg(errp, "cannot start the thread of vCPU %u: %s", i,
                       gerr->message);
            g_error_free(gerr);
            return false;
        }
    }
    /* Management tools ask for the ids (to pin them) as soon as we run. */
    g_mutex_lock(&started_lock);
    for (unsigned i = 0; i < cpus_count(); i++) {
        while (!cpu_get(i)->thread_id) {
            g_cond_wait(&started_cond, &started_lock);
        }
    }
    g_mutex_unlock(&started_lock);
    return true;
}

static void kick_all(void)
{
    for (unsigned i = 0; i < cpus_count(); i++) {
        CPUState *cpu = cpu_get(i);

        g_atomic_int_set(&cpu->exit_request, 1);
        if (cpu->thread && !cpu->exited) {
            accel_ops->kick(cpu);
        }
    }
}

bool all_vcpus_paused(void)
{
    for (unsigned i = 0; i < cpus_count(); i++) {
        CPUState *cpu = cpu_get(i);

        if (cpu->thread && !cpu->stopped && !cpu->exited) {
            return false;
        }
    }
    return true;
}

void pause_all_vcpus(void)
{
    if (!cpus_count()) {
        return;
    }
    g_assert(qemu_in_main_thread() && bql_locked());
    trace_cpus_pause();
    vcpus_enabled = false;
    for (unsigned i = 0; i < cpus_count(); i++) {
        cpu_get(i)->stop = true;
    }
    kick_all();
    while (!all_vcpus_paused()) {
        g_cond_wait(&parked_cond, bql_mutex());
    }
}

void resume_all_vcpus(void)
{
    if (!cpus_count()) {
        return;
    }
    g_assert(bql_locked());
    trace_cpus_resume();
    vcpus_enabled = true;
    for (unsigned i = 0; i < cpus_count(); i++) {
        cpu_get(i)->stop = false;
    }
    g_cond_broadcast(&resume_cond);
}

void cpus_reset_all(void)
{
    g_assert(all_vcpus_paused());
    for (unsigned i = 0; i < cpus_count(); i++) {
        accel_ops->reset(cpu_get(i));
    }
}

void cpus_destroy_all(void)
{
    if (!cpus_count()) {
        return;
    }
    g_assert(qemu_in_main_thread() && bql_locked());
    vcpus_enabled = false;
    for (unsigned i = 0; i < cpus_count(); i++) {
        cpu_get(i)->stop = true;
        cpu_get(i)->unplug = true;
    }
    kick_all();
    g_cond_broadcast(&resume_cond);
    for (unsigned i = 0; i < cpus_count(); i++) {
        CPUState *cpu = cpu_get(i);

        while (cpu->thread && !cpu->exited) {
            g_cond_wait(&parked_cond, bql_mutex());
        }
    }
    /* The threads only have to return now; they take no lock on the way. */
    bql_unlock();
    for (unsigned i = 0; i < cpus_count(); i++) {
        if (cpu_get(i)->thread) {
            g_thread_join(cpu_get(i)->thread);
        }
    }
    bql_lock();
    for (unsigned i = 0; i < cpus_count(); i++) {
        accel_ops->destroy(cpu_get(i));
        g_free(cpu_get(i));
    }
    g_ptr_array_free(cpus, true);
    cpus = NULL;
}

bool cpu_can_run(const CPUState *cpu)
{
    return vcpus_enabled && !cpu->stop && !cpu->unplug;
}

void cpu_thread_wait(CPUState *cpu)
{
    cpu->stopped = true;
    g_cond_broadcast(&parked_cond);
    while (!cpu_can_run(cpu) && !cpu->unplug) {
        g_cond_wait(&resume_cond, bql_mutex());
    }
    cpu->stopped = false;
}

void cpu_stop_current(void)
{
    if (current_cpu) {
        current_cpu->stop = true;
        g_atomic_int_set(&current_cpu->exit_request, 1);
    }
}

void cpu_thread_exit(CPUState *cpu)
{
    cpu->exited = true;
    g_cond_broadcast(&parked_cond);
}
