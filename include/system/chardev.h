/*
 * Character devices: byte streams the front ends talk over.
 *   stdio                          this process's stdin/stdout
 *   unix:PATH[,server=on|off][,wait=on|off]   client by default
 *   tcp:HOST:PORT[,server=on|off][,wait=on|off]
 *   pty                            a new pseudo-terminal
 *   null   file:PATH
 *   mon:DEV                        DEV with mux=on (stdio: signal=off too)
 *   -chardev socket,id=ID,path=P|host=H,port=N|fd=N[,server=..][,wait=..]
 *   -chardev stdio,id=ID[,signal=on|off]   -chardev null,id=ID
 *   -chardev file,id=ID,path=P[,append=on|off]   -chardev pty,id=ID
 * Every backend takes mux=on: QEMU's Ctrl-A commands on the input (C-a x
 * quits, C-a C-a sends C-a, C-a h helps); there is still one front end.
 * A server chardev serves one client at a time and accepts the next when
 * that one goes. A pty is connected while a client has its other side
 * open; its label is "pty:/dev/pts/N". Data arrives through the main loop.
 */
#ifndef SYSTEM_CHARDEV_H
#define SYSTEM_CHARDEV_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/option.h"

typedef struct Chardev Chardev;

typedef enum ChardevEvent {
    CHR_EVENT_OPENED,
    CHR_EVENT_CLOSED,
} ChardevEvent;

typedef void ChardevReadFunc(void *opaque, const uint8_t *buf, size_t len);
typedef void ChardevEventFunc(void *opaque, ChardevEvent event);

/*
 * From the short form used by -qtest, -qmp, -serial ("unix:/p,server=on";
 * the legacy flags "server" and "nowait" are accepted too). @id may be
 * NULL: such a chardev is not found by qemu_chr_find().
 */
Chardev *qemu_chr_new(const char *id, const char *spec, Error **errp);
/*
 * From -chardev BACKEND,id=ID,... options (implied key "backend").
 * "-chardev help" lists the backends on stdout and returns NULL without
 * setting an error: the caller exits with status 0.
 */
Chardev *qemu_chr_new_from_opts(QemuOpts *opts, Error **errp);
Chardev *qemu_chr_find(const char *id);
const char *qemu_chr_id(const Chardev *chr);
void qemu_chr_close(Chardev *chr);
void qemu_chr_close_all(void);

/*
 * Handlers; OPENED is sent when a client connects (or at once for stdio
 * and client sockets that are connected). Setting handlers on an already
 * connected chardev sends OPENED right away.
 */
void qemu_chr_set_handlers(Chardev *chr, ChardevReadFunc *read,
                           ChardevEventFunc *event, void *opaque);
/*
 * Write everything (blocking); false if the peer is gone. A pty never
 * blocks: what does not fit, or has no client to go to, is dropped.
 */
bool qemu_chr_write_all(Chardev *chr, const void *buf, size_t len);
bool qemu_chr_is_connected(const Chardev *chr);
/*
 * The front end is a guest's console: a stdio chardev on a terminal goes
 * raw (no echo, no line editing; Ctrl-C stays a signal unless
 * signal=off) until the chardev closes (system/terminal.h). Other
 * backends, and stdio on anything but a terminal, are left as they are.
 */
void qemu_chr_set_console(Chardev *chr);
/* Has a front end set handlers (a device or monitor uses it)? */
bool qemu_chr_has_frontend(const Chardev *chr);
/* Drop the current client (server) or the connection. */
void qemu_chr_disconnect(Chardev *chr);
/*
 * File descriptors that came with the data just delivered to the read
 * handler (SCM_RIGHTS on UNIX sockets). The caller takes ownership of
 * the fds it removes; the rest are closed after the read handler returns.
 */
int qemu_chr_take_fd(Chardev *chr);     /* -1 if none */

/*
 * Flow control for front ends that must not stall the main loop on a
 * peer that does not read (the QMP monitor).
 * write_nonblock: bytes accepted (sockets and ptys may take fewer than
 * @len, 0 when full; a pty without a client takes and drops everything),
 * -1 if the peer is gone; other backends write everything.
 * wait_writable: call @cb once when output is possible again or the peer
 * went away (dropped when the connection closes).
 * accept_input: false stops delivering input to the read handler.
 */
typedef void ChardevWritableFunc(void *opaque);
ssize_t qemu_chr_write_nonblock(Chardev *chr, const void *buf, size_t len);
void qemu_chr_wait_writable(Chardev *chr, ChardevWritableFunc *cb,
                            void *opaque);
void qemu_chr_accept_input(Chardev *chr, bool accept);

/* "unix:/path,server=on" style description (query-chardev). */
const char *qemu_chr_label(const Chardev *chr);
typedef void ChardevForeachFunc(Chardev *chr, void *opaque);
void qemu_chr_foreach(ChardevForeachFunc *fn, void *opaque);

#endif
