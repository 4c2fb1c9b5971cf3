/* Log output: stderr by default, or the file named by -D. */
#ifndef QEMU_LOG_H
#define QEMU_LOG_H

#include "qemu/osdep.h"
#include "qemu/error.h"

void qemu_log(const char *fmt, ...) QEMU_PRINTF_FN(1, 2);
void qemu_log_vprintf(const char *fmt, va_list ap);
/* -D FILE: open (append) the log file; NULL returns to stderr. */
bool qemu_set_log_filename(const char *filename, Error **errp);
void qemu_log_flush(void);
void qemu_log_close(void);

#endif
