/* The POSIX process life cycle (system/os-posix.c). */
#ifndef SYSTEM_OS_POSIX_H
#define SYSTEM_OS_POSIX_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/*
 * -daemonize: fork; the parent waits for os_daemonize_report() and exits
 * with the status it is given. os_daemonize_finish() detaches stdio and
 * reports success. Reporting without a daemonize is a no-op.
 */
void os_daemonize_start(void);
void os_daemonize_report(uint8_t status);
void os_daemonize_finish(void);

/* -pidfile: written and locked; removed (and unlocked) at exit. */
bool os_write_pidfile(const char *path, Error **errp);
void os_remove_pidfile(void);

/* -overcommit mem-lock=on|on-fault (mlockall); NULL or "off" does nothing. */
bool os_lock_memory(const char *mode, Error **errp);

/* SIGPIPE is ignored: a peer that goes away is an error to handle. */
void os_setup_early_signal_handling(void);
/* SIGTERM, SIGINT, SIGHUP: a host-signal shutdown request. */
void os_setup_signal_handling(void);

#endif
