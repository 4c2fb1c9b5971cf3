/* The qtest server: QEMU's line protocol over a chardev. */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* -qtest CHARDEV-SPEC [-qtest-log FILE|none]; log NULL means stderr. */
bool qtest_server_init(const char *chardev_spec, const char *logfile,
                       Error **errp);
/* -object qtest,chardev=ID: serve on an existing chardev (taken over). */
typedef struct Chardev Chardev;
bool qtest_server_init_chr(Chardev *chr, const char *logfile, Error **errp);
void qtest_server_cleanup(void);
/* The qtest accelerator is selected (no CPU; manual virtual clock). */
bool qtest_enabled(void);
void qtest_set_enabled(bool enabled);
/*
 * Process one request line (without the newline) and return the reply
 * line(s) (without trailing newline); for unit tests and fuzzing.
 */
char *qtest_process_line(const char *line);
/*
 * Lower the largest SIZE of the buffer commands (64 MiB): for fuzzing,
 * where megabytes of hex cost time and reach no new code.
 */
void qtest_set_max_size(uint64_t bytes);

#endif
