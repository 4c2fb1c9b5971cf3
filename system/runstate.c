/*
 * Run state and the life-cycle requests. Events follow QEMU: STOP and
 * RESUME around state changes, RESET after a reset, SHUTDOWN when the
 * main loop ends for a reason.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include "system/accel.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "trace.h"

static RunState current_run_state = RUN_STATE_PRELAUNCH;
static ShutdownCause shutdown_cause;
static bool shutdown_event_sent;
static bool no_shutdown;
static bool no_reboot;
static RunState vmstop_state;
static guint vmstop_source;
static ShutdownCause reset_cause;
static guint reset_source;
static guint powerdown_source;

typedef struct PowerdownEntry {
    PowerdownHandler *handler;
    void *opaque;
} PowerdownEntry;

static GList *powerdown_handlers;   /* PowerdownEntry * */

static const char *const run_state_names[] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
};

static const char *const shutdown_cause_names[] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
    [SHUTDOWN_CAUSE_SNAPSHOT_LOAD] = "snapshot-load",
};

RunState runstate_get(void)
{
    return current_run_state;
}

void runstate_set(RunState state)
{
    trace_runstate_set(runstate_name(current_run_state), runstate_name(state));
    current_run_state = state;
}

const char *runstate_name(RunState state)
{
    return run_state_names[state];
}

bool runstate_is_running(void)
{
    return current_run_state == RUN_STATE_RUNNING;
}

bool runstate_needs_reset(void)
{
    return current_run_state == RUN_STATE_SHUTDOWN ||
           current_run_state == RUN_STATE_INTERNAL_ERROR;
}

const char *shutdown_cause_name(ShutdownCause cause)
{
    return shutdown_cause_names[cause];
}

bool shutdown_cause_is_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN &&
           cause <= SHUTDOWN_CAUSE_GUEST_PANIC;
}

/* SHUTDOWN and RESET carry the same data. */
static JsonObject *cause_data(ShutdownCause cause)
{
    JsonObject *data = json_object_new();

    json_object_set_boolean_member(data, "guest",
                                   shutdown_cause_is_guest(cause));
    json_object_set_string_member(data, "reason", shutdown_cause_name(cause));
    return data;
}

void vm_stop(RunState state)
{
    if (!runstate_is_running()) {
        return;
    }
    pause_all_vcpus();
    runstate_set(state);
    qmp_event_send("STOP", NULL);
}

static gboolean vmstop_from_main_loop(gpointer opaque)
{
    vmstop_source = 0;
    vm_stop(vmstop_state);
    return G_SOURCE_REMOVE;
}

void qemu_system_vmstop_request(RunState state)
{
    vmstop_state = state;
    if (!vmstop_source) {
        vmstop_source = g_idle_add(vmstop_from_main_loop, NULL);
    }
}

bool vm_start(Error **errp)
{
    if (runstate_needs_reset()) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    }
    /* QEMU reports a cont of a running machine as a stop and a resume. */
    if (runstate_is_running()) {
        qmp_event_send("STOP", NULL);
    }
    qmp_event_send("RESUME", NULL);
    runstate_set(RUN_STATE_RUNNING);
    resume_all_vcpus();
    return true;
}

void qemu_system_reset(void)
{
    trace_qemu_system_reset();
    if (current_machine && MACHINE_GET_CLASS(current_machine)->reset) {
        MACHINE_GET_CLASS(current_machine)->reset(current_machine);
    }
    qdev_reset_all();
    /* Devices first: the interrupt controllers then start from quiet lines. */
    accel_reset();
}

static gboolean reset_from_main_loop(gpointer opaque)
{
    bool running = runstate_is_running();

    reset_source = 0;
    if (running) {
        pause_all_vcpus();
    }
    qemu_system_reset();
    if (running) {
        resume_all_vcpus();
    }
    qmp_event_send("RESET", cause_data(reset_cause));
    /* A machine that had stopped for good may run again after cont. */
    if (runstate_needs_reset()) {
        runstate_set(RUN_STATE_PAUSED);
    }
    return G_SOURCE_REMOVE;
}

void qemu_system_reset_request(ShutdownCause cause)
{
    if (no_reboot && cause == SHUTDOWN_CAUSE_GUEST_RESET) {
        qemu_system_shutdown_request_cause(cause);
        return;
    }
    reset_cause = cause;
    if (!reset_source) {
        reset_source = g_idle_add(reset_from_main_loop, NULL);
    }
}

void qemu_add_powerdown_handler(PowerdownHandler *handler, void *opaque)
{
    PowerdownEntry *e = g_new(PowerdownEntry, 1);

    e->handler = handler;
    e->opaque = opaque;
    powerdown_handlers = g_list_append(powerdown_handlers, e);
}

void qemu_remove_powerdown_handler(PowerdownHandler *handler, void *opaque)
{
    for (GList *l = powerdown_handlers; l; l = l->next) {
        PowerdownEntry *e = l->data;

        if (e->handler == handler && e->opaque == opaque) {
            powerdown_handlers = g_list_delete_link(powerdown_handlers, l);
            g_free(e);
            return;
        }
    }
}

static gboolean powerdown_from_main_loop(gpointer opaque)
{
    powerdown_source = 0;
    trace_qemu_system_powerdown(g_list_length(powerdown_handlers));
    qmp_event_send("POWERDOWN", NULL);
    for (GList *l = powerdown_handlers; l; l = l->next) {
        PowerdownEntry *e = l->data;

        e->handler(e->opaque);
    }
    return G_SOURCE_REMOVE;
}

void qemu_system_powerdown_request(void)
{
    if (!powerdown_source) {
        powerdown_source = g_idle_add(powerdown_from_main_loop, NULL);
    }
}

void qemu_system_shutdown_request(int status)
{
    trace_qemu_system_shutdown_request(status);
    qemu_main_loop_quit(status);
}

void qemu_system_shutdown_request_cause(ShutdownCause cause)
{
    if (no_shutdown && shutdown_cause_is_guest(cause)) {
        qmp_event_send("SHUTDOWN", cause_data(cause));
        if (qemu_in_main_thread()) {
            vm_stop(RUN_STATE_SHUTDOWN);
        } else {
            qemu_system_vmstop_request(RUN_STATE_SHUTDOWN);
        }
        return;
    }
    shutdown_cause = cause;
    qemu_system_shutdown_request(0);
}

ShutdownCause qemu_system_shutdown_cause(void)
{
    return shutdown_cause;
}

void qemu_system_shutdown_event(void)
{
    if (shutdown_cause == SHUTDOWN_CAUSE_NONE || shutdown_event_sent) {
        return;
    }
    shutdown_event_sent = true;
    qmp_event_send("SHUTDOWN", cause_data(shutdown_cause));
}

void qemu_set_no_shutdown(bool on)
{
    no_shutdown = on;
}

void qemu_set_no_reboot(bool on)
{
    no_reboot = on;
}
