/*
 * -serial and the -nographic default, with QEMU's rules: the Nth -serial
 * is UART index N (isa-serial) on a chardev named serialN, "none" leaves
 * that index empty, "chardev:ID" uses an existing chardev. -nographic
 * without -serial, -nodefaults or a -device isa-serial means
 * "-serial mon:stdio" (system/vl-serial.c).
 */
#ifndef SYSTEM_VL_SERIAL_H
#define SYSTEM_VL_SERIAL_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* The spec -nographic stands for: stdio with the Ctrl-A commands. */
#define VL_SERIAL_NOGRAPHIC "mon:stdio"

/* Record -serial @spec in @specs (char *); at most 4. */
bool vl_serial_add(GPtrArray *specs, const char *spec, Error **errp);
/*
 * Once the machine exists: open each chardev and create its UART.
 * @nographic_default: @specs is the -nographic default, which a machine
 * without ISA interrupts silently goes without (QEMU's -machine none).
 */
bool vl_serial_init(GPtrArray *specs, bool nographic_default,
                    bool daemonize, Error **errp);

#endif
