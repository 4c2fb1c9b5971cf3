/*
 * Error objects: a failure that reaches a user travels as an Error through
 * an "Error **errp" parameter and is reported once, on one line, by whoever
 * stops propagating it.
 *
 * Conventions (as in QEMU):
 *  - errp may be NULL (caller does not care), &error_fatal (report and
 *    exit(1)), &error_abort (report and abort()), or the address of a NULL
 *    Error * that receives the error.
 *  - A function that takes errp returns a value that tells failure too
 *    (bool false, NULL, negative), so callers need not inspect *errp.
 */
#ifndef QEMU_ERROR_H
#define QEMU_ERROR_H

#include "qemu/osdep.h"

typedef struct Error Error;

/* Error classes, as QMP reports them. */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
} ErrorClass;

extern Error *error_fatal;
extern Error *error_abort;

void error_setg(Error **errp, const char *fmt, ...) QEMU_PRINTF_FN(2, 3);
void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
    QEMU_PRINTF_FN(3, 4);
/* Appends ": strerror(os_errno)" to the message. */
void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
    QEMU_PRINTF_FN(3, 4);
/* Prefix an existing error's message: "<prefix><old message>". */
void error_prepend(Error **errp, const char *fmt, ...) QEMU_PRINTF_FN(2, 3);
/* A hint is printed after the message by error_report_err (same line). */
void error_append_hint(Error **errp, const char *fmt, ...) QEMU_PRINTF_FN(2, 3);
/* Move local_err into *dst_errp (or report/free it per the conventions). */
void error_propagate(Error **dst_errp, Error *local_err);

const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);
const char *error_class_name(ErrorClass cls);   /* "GenericError", ... */
Error *error_copy(const Error *err);
void error_free(Error *err);
/* error_free + set the pointer to NULL. */
void error_free_or_abort(Error **errp);

/*
 * Reporting. Messages go to stderr (or the monitor that is current) as
 * "<prog>: [<location>: ]<message>\n"; warn_report adds "warning: ".
 * The location is the command-line option being processed, if any.
 */
void error_report(const char *fmt, ...) QEMU_PRINTF_FN(1, 2);
void warn_report(const char *fmt, ...) QEMU_PRINTF_FN(1, 2);
void info_report(const char *fmt, ...) QEMU_PRINTF_FN(1, 2);
void error_report_err(Error *err);          /* reports, then frees */
void warn_report_err(Error *err);           /* as a warning, then frees */

/* Location of the command-line option being processed ("-device foo"). */
void loc_set_cmdline(const char *option, const char *arg);
void loc_clear(void);
/* Program name used as the prefix; defaults to g_get_prgname(). */
void error_set_progname(const char *name);
/* -msg timestamp=on: prefix reports with the UTC time (ISO 8601). */
void error_set_timestamps(bool on);

/* Test hook: capture reports into a GString instead of stderr (NULL ends). */
void error_capture_begin(GString *sink);
void error_capture_end(void);

#endif
