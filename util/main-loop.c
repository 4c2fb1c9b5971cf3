/*
 * The main loop: GLib's default GMainContext, file-descriptor watches and
 * eventfd-based notifiers. Timers add their own GSource (see timer.c),
 * so a blocking iteration wakes up at the next host-driven deadline.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "trace.h"

#include <glib-unix.h>
#include <sys/eventfd.h>

static gint quit_requested;     /* atomic: may be set from another thread */
static int quit_status;

/* The big lock */

static GMutex bql;
static __thread bool bql_held;
static GThread *main_thread;

void bql_lock(void)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

GMutex *bql_mutex(void)
{
    return &bql;
}

/* GLib's poll, with the BQL released while it sleeps. */
static gint bql_poll(GPollFD *fds, guint nfds, gint timeout)
{
    bool held = bql_held;
    gint ret;

    if (held) {
        bql_unlock();
    }
    ret = g_poll(fds, nfds, timeout);
    if (held) {
        bql_lock();
    }
    return ret;
}

void qemu_main_loop_init(void)
{
    g_assert(!main_thread);
    main_thread = g_thread_self();
    g_main_context_set_poll_func(NULL, bql_poll);
    bql_lock();
}

bool qemu_in_main_thread(void)
{
    return !main_thread || g_thread_self() == main_thread;
}

void qemu_main_loop_notify(void)
{
    g_main_context_wakeup(NULL);
}

/* File-descriptor watches */

typedef struct FdWatch {
    FdWatchFunc *cb;
    void *opaque;
} FdWatch;

static gboolean fd_watch_dispatch(gint fd, GIOCondition cond, gpointer data)
{
    FdWatch *w = data;

    return w->cb(fd, cond, w->opaque) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

guint qemu_fd_watch_add(int fd, GIOCondition cond, FdWatchFunc *cb,
                        void *opaque)
{
    FdWatch *w;

    if (fd < 0 || !cb) {
        return 0;
    }
    w = g_new(FdWatch, 1);
    w->cb = cb;
    w->opaque = opaque;
    return g_unix_fd_add_full(G_PRIORITY_DEFAULT, fd, cond,
                              fd_watch_dispatch, w, g_free);
}

void qemu_fd_watch_remove(guint tag)
{
    GSource *src;

    /* Tolerate a watch that already removed itself (callback said false). */
    src = tag ? g_main_context_find_source_by_id(NULL, tag) : NULL;
    if (src) {
        g_source_destroy(src);
    }
}

/* EventNotifier */

bool event_notifier_init(EventNotifier *e, Error **errp)
{
    e->watch = 0;
    e->handler = NULL;
    e->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (e->fd < 0) {
        error_setg_errno(errp, errno, "Failed to create eventfd");
        return false;
    }
    return true;
}

void event_notifier_cleanup(EventNotifier *e)
{
    event_notifier_set_handler(e, NULL);
    if (e->fd >= 0) {
        close(e->fd);
    }
    e->fd = -1;
}

bool event_notifier_set(EventNotifier *e)
{
    uint64_t one = 1;
    ssize_t n;

    do {
        n = write(e->fd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
    /* EAGAIN: the counter is saturated, so it is signalled anyway. */
    return n == sizeof(one) || (n < 0 && errno == EAGAIN);
}

bool event_notifier_test_and_clear(EventNotifier *e)
{
    uint64_t value = 0;
    ssize_t n;

    do {
        n = read(e->fd, &value, sizeof(value));
    } while (n < 0 && errno == EINTR);
    return n == sizeof(value) && value != 0;
}

static bool event_notifier_dispatch(int fd, GIOCondition cond, void *opaque)
{
    EventNotifier *e = opaque;

    trace_event_notifier_handler(fd);
    /* The handler may clean @e up (and free it): do not touch it after. */
    e->handler(e);
    return true;
}

void event_notifier_set_handler(EventNotifier *e, EventNotifierHandler *h)
{
    if (e->watch) {
        qemu_fd_watch_remove(e->watch);
        e->watch = 0;
    }
    e->handler = h;
    if (h && e->fd >= 0) {
        e->watch = qemu_fd_watch_add(e->fd, G_IO_IN, event_notifier_dispatch,
                                     e);
    }
}

/* The loop */

void qemu_main_loop_quit(int status)
{
    trace_main_loop_quit(status);
    quit_status = status;
    g_atomic_int_set(&quit_requested, 1);
    /* A blocked iteration (possibly in another thread) must notice. */
    qemu_main_loop_notify();
}

bool qemu_main_loop_should_quit(void)
{
    return g_atomic_int_get(&quit_requested);
}

void qemu_main_loop_poll_once(bool may_block)
{
    /*
     * Fire what is already due before sleeping; the timer GSource bounds
     * the sleep by the next deadline.
     */
    qemu_clock_run_all_timers();
    g_main_context_iteration(NULL, may_block);
}

int qemu_main_loop_run(void)
{
    while (!qemu_main_loop_should_quit()) {
        qemu_main_loop_poll_once(true);
    }
    /* Consume the request so the loop can be run again (tests). */
    g_atomic_int_set(&quit_requested, 0);
    return quit_status;
}
