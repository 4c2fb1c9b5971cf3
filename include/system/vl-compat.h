/*
 * Options accepted for compatibility with QEMU's (and libvirt's) command
 * line: each parser validates its argument, reports with QEMU's messages
 * and, but for the few noted, has no other effect (system/vl-compat.c).
 */
#ifndef SYSTEM_VL_COMPAT_H
#define SYSTEM_VL_COMPAT_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/option.h"
#include "hw/core/machine.h"

/* -global DRIVER.PROP=VALUE | driver=D,property=P,value=V: a default. */
bool vl_parse_global(const char *arg, Error **errp);
/* -name [guest=]NAME: kept for qemu_get_vm_name() (system/system.h). */
bool vl_parse_name(const char *arg, Error **errp);
/* -uuid UUID: kept (lower case) for qemu_get_vm_uuid(). */
bool vl_parse_uuid(const char *arg, Error **errp);
/* -msg timestamp=on|off: sets error_set_timestamps(). */
bool vl_parse_msg(const char *arg, Error **errp);
/* -overcommit: a given mem-lock= replaces *@lock_mode (os_lock_memory()). */
bool vl_parse_overcommit(const char *arg, char **lock_mode, Error **errp);

/*
 * -smp [cpus=]N[,maxcpus=M][,sockets=S][,cores=C][,threads=T]: the
 * topology with QEMU's defaults (@arg NULL: one CPU), at most @max_cpus.
 */
bool vl_parse_smp(const char *arg, unsigned max_cpus, CpuTopology *topo,
                  Error **errp);

/* Validated only. */
bool vl_parse_display(const char *arg, Error **errp);
bool vl_parse_rtc(const char *arg, Error **errp);
bool vl_parse_boot(const char *arg, Error **errp);
bool vl_parse_sandbox(const char *arg, Error **errp);
bool vl_parse_audiodev(const char *arg, Error **errp);
bool vl_parse_watchdog_action(const char *arg, Error **errp);
/* -monitor: only "none" (there is no human monitor console). */
bool vl_parse_monitor_legacy(const char *arg, Error **errp);

/* Helpers shared with system/vl.c. */
/* Parse @arg (@implied: the key of a bare first value); only @keys allowed. */
QemuOpts *vl_opts_parse_checked(const char *arg, const char *implied,
                                const char *const *keys, Error **errp);
/* @key, if given, must be a bool; stored in *@out unless @out is NULL. */
bool vl_opts_check_bool(const QemuOpts *opts, const char *key, bool *out,
                        Error **errp);

#endif
