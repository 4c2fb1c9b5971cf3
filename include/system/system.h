/* Process-level entry points (system/vl.c). */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

#include "qemu/osdep.h"

/* Parse the command line, build the machine, run the main loop. */
int qemu_main(int argc, char **argv);

/*
 * -name guest=NAME (NULL if not given) and -uuid (zeros if not given);
 * kept by system/vl-compat.c.
 */
const char *qemu_get_vm_name(void);
const char *qemu_get_vm_uuid(void);

#define QVFIO_VERSION_MAJOR 10
#define QVFIO_VERSION_MINOR 1
#define QVFIO_VERSION_MICRO 0
/* QMP's "package" (query-version, the greeting). */
#define QVFIO_PACKAGE "qvfio-0.1.0"

#endif
