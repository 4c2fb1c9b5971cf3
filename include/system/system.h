/* Process-level entry points (system/vl.c). */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

#include "qemu/osdep.h"

/* Parse the command line, build the machine, run the main loop. */
int qemu_main(int argc, char **argv);

#define QVFIO_VERSION_MAJOR 10
#define QVFIO_VERSION_MINOR 1
#define QVFIO_VERSION_MICRO 0

#endif
