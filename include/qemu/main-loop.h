/*
 * The main loop runs on GLib's default GMainContext. Everything that waits
 * on a file descriptor (sockets, device eventfds) is a GSource on it.
 */
#ifndef QEMU_MAIN_LOOP_H
#define QEMU_MAIN_LOOP_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* Watch @fd for @cond; @cb returns false to remove the watch. 0 on error. */
typedef bool FdWatchFunc(int fd, GIOCondition cond, void *opaque);
guint qemu_fd_watch_add(int fd, GIOCondition cond, FdWatchFunc *cb,
                        void *opaque);
void qemu_fd_watch_remove(guint tag);

/* An eventfd, optionally watched by the main loop. */
typedef struct EventNotifier EventNotifier;
typedef void EventNotifierHandler(EventNotifier *e);
struct EventNotifier {
    int fd;                         /* -1 when not initialised */
    guint watch;                    /* main-loop source, 0 if none */
    EventNotifierHandler *handler;
};

bool event_notifier_init(EventNotifier *e, Error **errp);
void event_notifier_cleanup(EventNotifier *e);
bool event_notifier_set(EventNotifier *e);
/* Reads the counter; true if it was non-zero. */
bool event_notifier_test_and_clear(EventNotifier *e);
/* Handler runs from the main loop when the eventfd is signalled (NULL removes). */
void event_notifier_set_handler(EventNotifier *e, EventNotifierHandler *h);
static inline int event_notifier_get_fd(const EventNotifier *e)
{
    return e->fd;
}

/*
 * The big lock (BQL): device models, the memory map and the monitors run
 * under it. The main thread holds it except while it polls; vCPU threads
 * take it around each exit they hand to a device model.
 */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);                  /* by the calling thread */
GMutex *bql_mutex(void);                /* for g_cond_wait() */

/*
 * Called once by the emulator's main(): this thread becomes the main
 * thread, takes the BQL and releases it around every poll.
 */
void qemu_main_loop_init(void);
bool qemu_in_main_thread(void);
/* Wake a blocked iteration (after work was queued from another thread). */
void qemu_main_loop_notify(void);

/* Run the loop until qemu_main_loop_quit(); returns the exit status. */
int qemu_main_loop_run(void);
void qemu_main_loop_quit(int status);
bool qemu_main_loop_should_quit(void);
/* One non-blocking iteration (tests). */
void qemu_main_loop_poll_once(bool may_block);

#endif
