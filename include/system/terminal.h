/*
 * The controlling terminal of a stdio chardev: raw while qvfio runs (a
 * guest's console sees every key), and put back as it was on every way
 * out: normal exit, exit(), and the signals that end the process
 * (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT and the fault signals).
 * SIGKILL cannot be caught: after one, `stty sane` repairs the terminal.
 */
#ifndef SYSTEM_TERMINAL_H
#define SYSTEM_TERMINAL_H

#include "qemu/osdep.h"

/*
 * Raw input (no echo, no line editing, no CR/LF translation, no flow
 * control); output post-processing stays on so that messages still end
 * lines properly. With @allow_signals, Ctrl-C, Ctrl-\ and Ctrl-Z still
 * signal qvfio; without, they reach the guest. Does nothing (true) if
 * @fd is not a terminal. Only one terminal is handled at a time.
 */
bool terminal_set_raw(int fd, bool allow_signals);
/* Restore the settings saved by terminal_set_raw (idempotent). */
void terminal_restore(void);

#endif
