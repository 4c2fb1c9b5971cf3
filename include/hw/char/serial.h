/*
 * The 16550A UART as the PC has it (device "isa-serial"): eight I/O ports,
 * one ISA interrupt line, a 16-byte receive FIFO, and a chardev as the
 * other end of the cable.
 *
 * Properties: chardev (a -chardev id; none: output is discarded), index
 * (0-3, default: the lowest free) which picks the PC's defaults
 * (COM1-COM4: 0x3f8/IRQ 4, 0x2f8/IRQ 3, 0x3e8/IRQ 4, 0x2e8/IRQ 3), iobase
 * and irq to override them. The device plugs into no bus: it takes its
 * ports from the I/O address space and its line from isa_get_irq().
 *
 * The guest reaches the registers through the I/O address space (the
 * qtest server, or a vCPU exit under the machine's big lock); the chardev
 * callbacks and the receive-timeout timer run in the main loop under the
 * same lock. The model keeps no other locks and no thread-local state.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "hw/core/qdev.h"

#define TYPE_ISA_SERIAL "isa-serial"
#define ISA_SERIAL_MAX_PORTS 4
#define SERIAL_IO_SIZE 8
#define SERIAL_FIFO_SIZE 16

/* Does the machine have ISA interrupts for a UART? Else says so. */
bool isa_serial_available(Error **errp);
/*
 * For -serial: an isa-serial with @index's defaults on chardev @chardev_id
 * (NULL: no backend), created and realized in /machine/unattached.
 */
bool isa_serial_create(int index, const char *chardev_id, Error **errp);

#endif
