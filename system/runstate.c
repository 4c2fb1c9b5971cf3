/* Run state and the reset/shutdown requests. */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/core/machine.h"
#include "system/runstate.h"
#include "trace.h"

static RunState current_run_state = RUN_STATE_PRELAUNCH;

static const char *const run_state_names[] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
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

void qemu_system_reset(void)
{
    trace_qemu_system_reset();
    if (current_machine && MACHINE_GET_CLASS(current_machine)->reset) {
        MACHINE_GET_CLASS(current_machine)->reset(current_machine);
    }
    qdev_reset_all();
}

void qemu_system_shutdown_request(int status)
{
    trace_qemu_system_shutdown_request(status);
    qemu_main_loop_quit(status);
}
