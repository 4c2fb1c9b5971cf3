/*
 * Clocks and timers.
 *
 * Each clock keeps its pending timers in a list sorted by deadline. Timers
 * are fired one at a time, re-reading the list head each time, so a
 * callback may freely add, modify, delete or free any timer (itself too).
 *
 * Host-driven timers (REALTIME, and VIRTUAL when not manual) fire from a
 * GSource on the default main context whose timeout is the next deadline.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "trace.h"

struct QEMUTimer {
    QEMUClockType type;
    int64_t scale;              /* 1 (ns) or SCALE_MS */
    QEMUTimerCB *cb;
    void *opaque;
    int64_t expire_ns;
    bool pending;
};

typedef struct QEMUClock {
    GList *timers;              /* pending QEMUTimer *, by deadline */
} QEMUClock;

static QEMUClock clocks[QEMU_CLOCK_MAX];

/*
 * The virtual clock: when manual, virtual_ns is the clock; otherwise the
 * clock is monotonic time minus virtual_offset (set so it starts near 0).
 */
static bool virtual_manual;
static bool virtual_offset_set;
static int64_t virtual_offset;
static int64_t virtual_ns;

static GSource *timer_source;

static int64_t monotonic_ns(void)
{
    return g_get_monotonic_time() * 1000;
}

static void virtual_offset_init(void)
{
    if (!virtual_offset_set) {
        virtual_offset = monotonic_ns();
        virtual_offset_set = true;
    }
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    if (type == QEMU_CLOCK_VIRTUAL) {
        if (virtual_manual) {
            return virtual_ns;
        }
        virtual_offset_init();
        return monotonic_ns() - virtual_offset;
    }
    return monotonic_ns();
}

void qemu_clock_set_virtual_manual(bool manual)
{
    if (manual == virtual_manual) {
        return;
    }
    if (manual) {
        /* Freeze where the host-driven clock was. */
        virtual_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    } else {
        /* Carry on from the frozen value. */
        virtual_offset = monotonic_ns() - virtual_ns;
        virtual_offset_set = true;
    }
    virtual_manual = manual;
}

bool qemu_clock_virtual_is_manual(void)
{
    return virtual_manual;
}

/* Does this clock follow the host, so the main loop must wake up for it? */
static bool clock_is_host_driven(QEMUClockType type)
{
    return type != QEMU_CLOCK_VIRTUAL || !virtual_manual;
}

/* Timer list */

static QEMUTimer *clock_head(QEMUClockType type)
{
    GList *head = clocks[type].timers;

    return head ? head->data : NULL;
}

/* Insert after equal deadlines, so timers due together fire FIFO. */
static void clock_insert(QEMUClock *clock, QEMUTimer *t)
{
    GList *l = clock->timers;

    while (l && ((QEMUTimer *)l->data)->expire_ns <= t->expire_ns) {
        l = l->next;
    }
    clock->timers = g_list_insert_before(clock->timers, l, t);
}

static void timer_source_ensure(void);

static QEMUTimer *timer_new_scaled(QEMUClockType type, int64_t scale,
                                   QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *t = g_new0(QEMUTimer, 1);

    g_assert(type >= 0 && type < QEMU_CLOCK_MAX);
    t->type = type;
    t->scale = scale;
    t->cb = cb;
    t->opaque = opaque;
    t->expire_ns = -1;
    timer_source_ensure();
    return t;
}

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    return timer_new_scaled(type, 1, cb, opaque);
}

QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    return timer_new_scaled(type, SCALE_MS, cb, opaque);
}

void timer_del(QEMUTimer *t)
{
    if (t && t->pending) {
        clocks[t->type].timers = g_list_remove(clocks[t->type].timers, t);
        t->pending = false;
    }
}

void timer_mod(QEMUTimer *t, int64_t expire_time)
{
    int64_t ns;

    timer_del(t);
    /* Saturate instead of overflowing for far-away ms deadlines. */
    if (expire_time > INT64_MAX / t->scale) {
        ns = INT64_MAX;
    } else if (expire_time < 0) {
        ns = 0;
    } else {
        ns = expire_time * t->scale;
    }
    t->expire_ns = ns;
    t->pending = true;
    clock_insert(&clocks[t->type], t);
    /* A vCPU thread armed it: the sleeping main loop must recompute. */
    if (!qemu_in_main_thread() && clock_head(t->type) == t) {
        qemu_main_loop_notify();
    }
}

void timer_free(QEMUTimer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

bool timer_pending(const QEMUTimer *t)
{
    return t->pending;
}

int64_t timer_expire_time_ns(const QEMUTimer *t)
{
    return t->pending ? t->expire_ns : -1;
}

/* Firing */

/* Pop the head if it is due by @now; the caller fires it. */
static QEMUTimer *clock_pop_due(QEMUClockType type, int64_t now)
{
    QEMUTimer *t = clock_head(type);

    if (!t || t->expire_ns > now) {
        return NULL;
    }
    timer_del(t);
    return t;
}

static void timer_fire(QEMUTimer *t)
{
    trace_timer_fire(t->type, t->expire_ns);
    /* @t must not be touched afterwards: the callback may free it. */
    t->cb(t->opaque);
}

static void clock_run_timers(QEMUClockType type)
{
    int64_t now = qemu_clock_get_ns(type);
    QEMUTimer *t;

    while ((t = clock_pop_due(type, now))) {
        timer_fire(t);
    }
}

void qemu_clock_run_all_timers(void)
{
    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        clock_run_timers(type);
    }
}

int64_t qemu_clock_next_virtual_deadline(void)
{
    QEMUTimer *t = clock_head(QEMU_CLOCK_VIRTUAL);

    return t ? t->expire_ns : -1;
}

void qemu_clock_advance_virtual(int64_t dest_ns)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    QEMUTimer *t;

    trace_qemu_clock_advance_virtual(now, dest_ns);
    if (dest_ns < now) {
        dest_ns = now;
    }
    if (!virtual_manual) {
        /* Host-driven: jump ahead by shifting the offset. */
        virtual_offset -= dest_ns - now;
        clock_run_timers(QEMU_CLOCK_VIRTUAL);
        return;
    }
    /*
     * Each callback runs with the clock at its own deadline, so re-armed
     * timers are relative to that, and run if still due by @dest_ns.
     */
    while ((t = clock_pop_due(QEMU_CLOCK_VIRTUAL, dest_ns))) {
        if (t->expire_ns > virtual_ns) {
            virtual_ns = t->expire_ns;
        }
        timer_fire(t);
    }
    virtual_ns = MAX(virtual_ns, dest_ns);
}

/* Main-loop integration */

/* Nanoseconds until the earliest host-driven deadline, or -1 if none. */
static int64_t timers_wait_ns(void)
{
    int64_t wait = -1;

    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        QEMUTimer *t = clock_head(type);
        int64_t delta;

        if (!t || !clock_is_host_driven(type)) {
            continue;
        }
        delta = MAX(t->expire_ns - qemu_clock_get_ns(type), 0);
        if (wait < 0 || delta < wait) {
            wait = delta;
        }
    }
    return wait;
}

static gboolean timer_source_prepare(GSource *source, gint *timeout)
{
    int64_t wait = timers_wait_ns();

    if (wait < 0) {
        *timeout = -1;
    } else {
        /* Round up: waking early would just spin until the deadline. */
        *timeout = MIN((wait + SCALE_MS - 1) / SCALE_MS, G_MAXINT);
    }
    return wait == 0;
}

static gboolean timer_source_check(GSource *source)
{
    return timers_wait_ns() == 0;
}

static gboolean timer_source_dispatch(GSource *source, GSourceFunc cb,
                                      gpointer data)
{
    qemu_clock_run_all_timers();
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
    .prepare = timer_source_prepare,
    .check = timer_source_check,
    .dispatch = timer_source_dispatch,
};

static void timer_source_ensure(void)
{
    if (!timer_source) {
        timer_source = g_source_new(&timer_source_funcs, sizeof(GSource));
        g_source_set_name(timer_source, "qemu-timers");
        g_source_attach(timer_source, NULL);
    }
}
