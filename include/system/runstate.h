/* Run state and life-cycle requests (stop, cont, reset, shutdown). */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "qemu/osdep.h"
#include "qemu/error.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE__MAX,
} RunState;

/* Why the machine resets or shuts down: QMP's ShutdownCause. */
typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE_SNAPSHOT_LOAD,
    SHUTDOWN_CAUSE__MAX,
} ShutdownCause;

RunState runstate_get(void);
void runstate_set(RunState state);
const char *runstate_name(RunState state);  /* "prelaunch", "running", ... */
bool runstate_is_running(void);
/* After a shutdown or an internal error only a reset lets cont run. */
bool runstate_needs_reset(void);

const char *shutdown_cause_name(ShutdownCause cause);  /* "host-qmp-quit" */
bool shutdown_cause_is_guest(ShutdownCause cause);

/* stop: a running machine enters @state and STOP is sent. */
void vm_stop(RunState state);
/* vm_stop() from the main loop: for vCPU threads, which must not wait. */
void qemu_system_vmstop_request(RunState state);
/* cont: RESUME is sent and the machine runs (QEMU's rules). */
bool vm_start(Error **errp);

/* Reset the machine and every device (no event). */
void qemu_system_reset(void);
/* system_reset: reset from the main loop, then send RESET for @cause. */
void qemu_system_reset_request(ShutdownCause cause);

/*
 * system_powerdown: from the main loop, POWERDOWN is sent and every
 * handler runs (the machine's ACPI power button). Without a handler
 * nothing else happens, as in QEMU.
 */
typedef void PowerdownHandler(void *opaque);
void qemu_add_powerdown_handler(PowerdownHandler *handler, void *opaque);
void qemu_remove_powerdown_handler(PowerdownHandler *handler, void *opaque);
void qemu_system_powerdown_request(void);

/* Ask the main loop to stop; exit status @status. */
void qemu_system_shutdown_request(int status);
/*
 * Ask the main loop to stop for @cause (exit status 0). A guest-initiated
 * shutdown with -no-shutdown stops the machine instead.
 */
void qemu_system_shutdown_request_cause(ShutdownCause cause);
ShutdownCause qemu_system_shutdown_cause(void);
/* SHUTDOWN for the cause that ended the main loop, if any (once). */
void qemu_system_shutdown_event(void);
/* -no-shutdown */
void qemu_set_no_shutdown(bool no_shutdown);
/* -no-reboot: a guest-initiated reset ends the machine instead. */
void qemu_set_no_reboot(bool no_reboot);

#endif
