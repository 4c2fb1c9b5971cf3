/*
 * Clocks and timers. QEMU_CLOCK_VIRTUAL is the guest's clock: under the
 * qtest accelerator it moves only when the test says so (clock_step,
 * clock_set); otherwise it follows the host's monotonic clock and its
 * timers fire from the main loop. QEMU_CLOCK_REALTIME always follows the host.
 */
#ifndef QEMU_TIMER_H
#define QEMU_TIMER_H

#include "qemu/osdep.h"

#define NANOSECONDS_PER_SECOND 1000000000LL
#define SCALE_MS 1000000LL

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME,
    QEMU_CLOCK_VIRTUAL,
    QEMU_CLOCK_MAX,
} QEMUClockType;

typedef void QEMUTimerCB(void *opaque);
typedef struct QEMUTimer QEMUTimer;

int64_t qemu_clock_get_ns(QEMUClockType type);
static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_MS;
}

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
/* Expire time in the timer's own scale (ns or ms). */
void timer_mod(QEMUTimer *t, int64_t expire_time);
void timer_del(QEMUTimer *t);
void timer_free(QEMUTimer *t);          /* also deletes; NULL is fine */
bool timer_pending(const QEMUTimer *t);
int64_t timer_expire_time_ns(const QEMUTimer *t);

/*
 * Manual control of the virtual clock (qtest). Once manual, the virtual
 * clock stands still unless advanced here.
 */
void qemu_clock_set_virtual_manual(bool manual);
bool qemu_clock_virtual_is_manual(void);
/* Next virtual deadline in absolute ns, or -1 if no timer is pending. */
int64_t qemu_clock_next_virtual_deadline(void);
/* Move the virtual clock to @dest_ns (never backwards), firing due timers in order. */
void qemu_clock_advance_virtual(int64_t dest_ns);
/* Fire timers whose deadline has passed (main loop, host-driven clock). */
void qemu_clock_run_all_timers(void);

#endif
