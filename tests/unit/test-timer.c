/*
 * Clocks and timers, mostly on the manual (qtest-style) virtual clock.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"

#define VIRT QEMU_CLOCK_VIRTUAL

/* Records which timers fired, and the clock each one saw. */
typedef struct Log {
    GArray *ids;
    GArray *times;
} Log;

static Log fired;

typedef struct Tick {
    int id;
    QEMUTimer *timer;
    int64_t period;         /* re-arm this far ahead, while remaining > 0 */
    int remaining;
    QEMUTimer *victim;      /* deleted by the callback, if set */
    QEMUTimer *arm;         /* armed by the callback at now + arm_delta */
    int64_t arm_delta;
    bool free_self;
} Tick;

static void log_reset(void)
{
    g_array_set_size(fired.ids, 0);
    g_array_set_size(fired.times, 0);
}

static int fired_id(guint i)
{
    return g_array_index(fired.ids, int, i);
}

static int64_t fired_time(guint i)
{
    return g_array_index(fired.times, int64_t, i);
}

static void tick_cb(void *opaque)
{
    Tick *t = opaque;
    int64_t now = qemu_clock_get_ns(VIRT);

    g_array_append_val(fired.ids, t->id);
    g_array_append_val(fired.times, now);
    if (t->remaining > 0) {
        t->remaining--;
        timer_mod(t->timer, now + t->period);
    }
    if (t->victim) {
        timer_del(t->victim);
    }
    if (t->arm) {
        timer_mod(t->arm, now + t->arm_delta);
    }
    if (t->free_self) {
        timer_free(t->timer);
        t->timer = NULL;
    }
}

static void tick_init(Tick *t, int id)
{
    memset(t, 0, sizeof(*t));
    t->id = id;
    t->timer = timer_new_ns(VIRT, tick_cb, t);
}

static void test_manual_clock(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);

    g_assert_true(qemu_clock_virtual_is_manual());
    g_usleep(2000);
    g_assert_cmpint(qemu_clock_get_ns(VIRT), ==, base);
    qemu_clock_advance_virtual(base + 1000);
    g_assert_cmpint(qemu_clock_get_ns(VIRT), ==, base + 1000);
    /* Never backwards. */
    qemu_clock_advance_virtual(base);
    g_assert_cmpint(qemu_clock_get_ns(VIRT), ==, base + 1000);
    g_assert_cmpint(qemu_clock_get_ms(VIRT), ==, (base + 1000) / SCALE_MS);
}

static void test_order(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick a, b, c;

    log_reset();
    tick_init(&a, 1);
    tick_init(&b, 2);
    tick_init(&c, 3);
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, -1);
    g_assert_false(timer_pending(a.timer));
    g_assert_cmpint(timer_expire_time_ns(a.timer), ==, -1);

    timer_mod(c.timer, base + 300);
    timer_mod(a.timer, base + 100);
    timer_mod(b.timer, base + 200);
    g_assert_true(timer_pending(a.timer));
    g_assert_cmpint(timer_expire_time_ns(b.timer), ==, base + 200);
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, base + 100);

    qemu_clock_advance_virtual(base + 99);
    g_assert_cmpuint(fired.ids->len, ==, 0);

    qemu_clock_advance_virtual(base + 250);
    g_assert_cmpuint(fired.ids->len, ==, 2);
    g_assert_cmpint(fired_id(0), ==, 1);
    g_assert_cmpint(fired_id(1), ==, 2);
    /* Each callback sees the clock at its own deadline. */
    g_assert_cmpint(fired_time(0), ==, base + 100);
    g_assert_cmpint(fired_time(1), ==, base + 200);
    g_assert_cmpint(qemu_clock_get_ns(VIRT), ==, base + 250);
    g_assert_false(timer_pending(a.timer));
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, base + 300);

    qemu_clock_advance_virtual(base + 300);
    g_assert_cmpuint(fired.ids->len, ==, 3);
    g_assert_cmpint(fired_id(2), ==, 3);
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, -1);

    timer_free(a.timer);
    timer_free(b.timer);
    timer_free(c.timer);
}

static void test_same_deadline_fifo(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick t[4];

    log_reset();
    for (int i = 0; i < 4; i++) {
        tick_init(&t[i], i);
        timer_mod(t[i].timer, base + 50);
    }
    qemu_clock_advance_virtual(base + 50);
    g_assert_cmpuint(fired.ids->len, ==, 4);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(fired_id(i), ==, i);
        timer_free(t[i].timer);
    }
}

static void test_mod_moves(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick a, b;

    log_reset();
    tick_init(&a, 1);
    tick_init(&b, 2);
    timer_mod(a.timer, base + 10);
    timer_mod(b.timer, base + 20);
    /* Re-arming replaces the old deadline. */
    timer_mod(a.timer, base + 30);
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, base + 20);
    qemu_clock_advance_virtual(base + 40);
    g_assert_cmpuint(fired.ids->len, ==, 2);
    g_assert_cmpint(fired_id(0), ==, 2);
    g_assert_cmpint(fired_id(1), ==, 1);
    timer_free(a.timer);
    timer_free(b.timer);
}

static void test_rearm_from_callback(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick p;

    log_reset();
    tick_init(&p, 7);
    p.period = 100;
    p.remaining = 10;
    timer_mod(p.timer, base + 100);

    /* Re-armed deadlines still <= dest fire within the same advance. */
    qemu_clock_advance_virtual(base + 350);
    g_assert_cmpuint(fired.ids->len, ==, 3);
    g_assert_cmpint(fired_time(0), ==, base + 100);
    g_assert_cmpint(fired_time(1), ==, base + 200);
    g_assert_cmpint(fired_time(2), ==, base + 300);
    g_assert_cmpint(qemu_clock_get_ns(VIRT), ==, base + 350);
    g_assert_true(timer_pending(p.timer));
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, base + 400);

    qemu_clock_advance_virtual(base + 400);
    g_assert_cmpuint(fired.ids->len, ==, 4);
    timer_free(p.timer);
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, -1);
}

static void test_callback_arms_other(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick a, b, c;

    log_reset();
    tick_init(&a, 1);
    tick_init(&b, 2);
    tick_init(&c, 3);
    a.arm = b.timer;
    a.arm_delta = 5;            /* lands inside this advance */
    b.arm = c.timer;
    b.arm_delta = 1000;         /* lands beyond it */
    timer_mod(a.timer, base + 10);
    qemu_clock_advance_virtual(base + 100);
    g_assert_cmpuint(fired.ids->len, ==, 2);
    g_assert_cmpint(fired_id(1), ==, 2);
    g_assert_cmpint(fired_time(1), ==, base + 15);
    g_assert_true(timer_pending(c.timer));
    g_assert_cmpint(timer_expire_time_ns(c.timer), ==, base + 1015);
    timer_free(a.timer);
    timer_free(b.timer);
    timer_free(c.timer);
}

static void test_del(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick a, b, c;

    log_reset();
    tick_init(&a, 1);
    tick_init(&b, 2);
    tick_init(&c, 3);
    timer_mod(a.timer, base + 10);
    timer_mod(b.timer, base + 20);
    timer_mod(c.timer, base + 20);
    timer_del(b.timer);
    g_assert_false(timer_pending(b.timer));
    timer_del(b.timer);         /* deleting twice is fine */
    /* A firing timer deletes one that is due in the same advance. */
    a.victim = c.timer;
    qemu_clock_advance_virtual(base + 30);
    g_assert_cmpuint(fired.ids->len, ==, 1);
    g_assert_cmpint(fired_id(0), ==, 1);
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, -1);
    timer_free(a.timer);
    timer_free(b.timer);
    timer_free(c.timer);
}

static void test_free(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick a, b;

    log_reset();
    timer_free(NULL);
    tick_init(&a, 1);
    tick_init(&b, 2);
    /* Freeing a pending timer removes it; freeing itself from its callback is safe. */
    timer_mod(a.timer, base + 10);
    timer_free(a.timer);
    timer_mod(b.timer, base + 20);
    b.free_self = true;
    qemu_clock_advance_virtual(base + 30);
    g_assert_cmpuint(fired.ids->len, ==, 1);
    g_assert_cmpint(fired_id(0), ==, 2);
    g_assert_null(b.timer);
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, -1);
}

static void test_past_deadline(void)
{
    int64_t base = qemu_clock_get_ns(VIRT);
    Tick a;

    log_reset();
    tick_init(&a, 1);
    timer_mod(a.timer, base - 5);
    /* Due now: runs without moving the clock (or moving it back). */
    qemu_clock_run_all_timers();
    g_assert_cmpuint(fired.ids->len, ==, 1);
    g_assert_cmpint(fired_time(0), ==, base);
    g_assert_cmpint(qemu_clock_get_ns(VIRT), ==, base);

    /* run_all_timers never advances a manual clock. */
    timer_mod(a.timer, base + 5);
    qemu_clock_run_all_timers();
    g_assert_cmpuint(fired.ids->len, ==, 1);
    g_assert_true(timer_pending(a.timer));
    timer_free(a.timer);
}

static void test_ms_scale(void)
{
    int64_t base_ms = qemu_clock_get_ms(VIRT) + 1;
    Tick a;

    log_reset();
    memset(&a, 0, sizeof(a));
    a.id = 1;
    a.timer = timer_new_ms(VIRT, tick_cb, &a);
    timer_mod(a.timer, base_ms + 5);
    g_assert_cmpint(timer_expire_time_ns(a.timer), ==,
                    (base_ms + 5) * SCALE_MS);
    qemu_clock_advance_virtual((base_ms + 5) * SCALE_MS - 1);
    g_assert_cmpuint(fired.ids->len, ==, 0);
    qemu_clock_advance_virtual((base_ms + 5) * SCALE_MS);
    g_assert_cmpuint(fired.ids->len, ==, 1);
    timer_free(a.timer);
}

static void test_host_driven_virtual(void)
{
    int64_t frozen, t0, t1;

    qemu_clock_set_virtual_manual(false);
    g_assert_false(qemu_clock_virtual_is_manual());
    t0 = qemu_clock_get_ns(VIRT);
    g_usleep(2000);
    t1 = qemu_clock_get_ns(VIRT);
    g_assert_cmpint(t1 - t0, >=, 2000000);

    /* Switching back freezes the clock where it was. */
    qemu_clock_set_virtual_manual(true);
    frozen = qemu_clock_get_ns(VIRT);
    g_assert_cmpint(frozen, >=, t1);
    g_usleep(1000);
    g_assert_cmpint(qemu_clock_get_ns(VIRT), ==, frozen);
}

static void test_realtime(void)
{
    int64_t t0 = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    Tick a;

    g_assert_cmpint(llabs(t0 - g_get_monotonic_time() * 1000), <,
                    NANOSECONDS_PER_SECOND);
    log_reset();
    memset(&a, 0, sizeof(a));
    a.timer = timer_new_ns(QEMU_CLOCK_REALTIME, tick_cb, &a);
    timer_mod(a.timer, t0 + 1000000);
    /* Realtime timers are not virtual deadlines. */
    g_assert_cmpint(qemu_clock_next_virtual_deadline(), ==, -1);
    qemu_clock_run_all_timers();
    g_assert_cmpuint(fired.ids->len, ==, 0);
    g_usleep(2000);
    qemu_clock_run_all_timers();
    g_assert_cmpuint(fired.ids->len, ==, 1);
    timer_free(a.timer);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    fired.ids = g_array_new(FALSE, FALSE, sizeof(int));
    fired.times = g_array_new(FALSE, FALSE, sizeof(int64_t));
    qemu_clock_set_virtual_manual(true);

    g_test_add_func("/timer/manual-clock", test_manual_clock);
    g_test_add_func("/timer/order", test_order);
    g_test_add_func("/timer/same-deadline-fifo", test_same_deadline_fifo);
    g_test_add_func("/timer/mod-moves", test_mod_moves);
    g_test_add_func("/timer/rearm-from-callback", test_rearm_from_callback);
    g_test_add_func("/timer/callback-arms-other", test_callback_arms_other);
    g_test_add_func("/timer/del", test_del);
    g_test_add_func("/timer/free", test_free);
    g_test_add_func("/timer/past-deadline", test_past_deadline);
    g_test_add_func("/timer/ms-scale", test_ms_scale);
    g_test_add_func("/timer/host-driven-virtual", test_host_driven_virtual);
    g_test_add_func("/timer/realtime", test_realtime);
    return g_test_run();
}
