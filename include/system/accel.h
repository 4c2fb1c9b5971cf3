/*
 * Accelerators. qvfio has no CPU emulator: "qtest" runs no CPU and lets a
 * test client drive the machine; "kvm" opens /dev/kvm and creates a VM,
 * for machines without CPUs only until vCPUs exist; "tcg" is refused.
 * Machines that need no CPU ("none") may also run without an accelerator.
 */
#ifndef SYSTEM_ACCEL_H
#define SYSTEM_ACCEL_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/*
 * Pick the first usable accelerator from a ':'-separated list (NULL: none
 * requested). When nothing usable is named, a machine that needs no
 * accelerator runs with "none"; otherwise that is an error naming what
 * was tried.
 */
bool accel_init(const char *list, bool machine_needs_accel,
                const char *machine_name, Error **errp);
const char *accel_name(void);           /* "qtest", "kvm", "none" */
bool kvm_enabled(void);                 /* the kvm accelerator is in use */
bool kvm_available(void);               /* /dev/kvm can be opened */
void accel_cleanup(void);

#endif
