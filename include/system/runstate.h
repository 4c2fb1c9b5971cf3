/* Run state and life-cycle requests (reset, shutdown). */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "qemu/osdep.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_INTERNAL_ERROR,
} RunState;

RunState runstate_get(void);
void runstate_set(RunState state);
const char *runstate_name(RunState state);  /* "prelaunch", "running", ... */
bool runstate_is_running(void);

/* Reset the machine and every device (system_reset). */
void qemu_system_reset(void);
/* Ask the main loop to stop; exit status @status. */
void qemu_system_shutdown_request(int status);

#endif
