/*
 * Main loop: eventfd notifiers, fd watches, timers and quitting.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"

static int handler_calls;

static void notifier_quit_handler(EventNotifier *e)
{
    g_assert_true(event_notifier_test_and_clear(e));
    handler_calls++;
    qemu_main_loop_quit(5);
}

static void notifier_count_handler(EventNotifier *e)
{
    event_notifier_test_and_clear(e);
    handler_calls++;
}

/* Poll without blocking until nothing more is pending. */
static void drain(void)
{
    while (g_main_context_pending(NULL)) {
        qemu_main_loop_poll_once(false);
    }
}

static void test_notifier_counter(void)
{
    EventNotifier e;

    g_assert_true(event_notifier_init(&e, &error_abort));
    g_assert_cmpint(event_notifier_get_fd(&e), >=, 0);
    g_assert_cmpuint(e.watch, ==, 0);
    g_assert_true(fcntl(e.fd, F_GETFD) & FD_CLOEXEC);
    g_assert_true(fcntl(e.fd, F_GETFL) & O_NONBLOCK);

    g_assert_false(event_notifier_test_and_clear(&e));
    g_assert_true(event_notifier_set(&e));
    g_assert_true(event_notifier_set(&e));
    g_assert_true(event_notifier_test_and_clear(&e));
    g_assert_false(event_notifier_test_and_clear(&e));

    event_notifier_cleanup(&e);
    g_assert_cmpint(e.fd, ==, -1);
    /* Cleaning up twice is harmless. */
    event_notifier_cleanup(&e);
}

static void test_notifier_handler(void)
{
    EventNotifier e;

    handler_calls = 0;
    g_assert_true(event_notifier_init(&e, &error_abort));
    event_notifier_set_handler(&e, notifier_quit_handler);
    g_assert_cmpuint(e.watch, !=, 0);
    g_assert_true(event_notifier_set(&e));
    g_assert_cmpint(qemu_main_loop_run(), ==, 5);
    g_assert_cmpint(handler_calls, ==, 1);
    /* The request was consumed by run(). */
    g_assert_false(qemu_main_loop_should_quit());

    /* Replacing and removing the handler. */
    event_notifier_set_handler(&e, notifier_count_handler);
    event_notifier_set(&e);
    qemu_main_loop_poll_once(true);
    g_assert_cmpint(handler_calls, ==, 2);

    event_notifier_set_handler(&e, NULL);
    g_assert_cmpuint(e.watch, ==, 0);
    event_notifier_set(&e);
    drain();
    g_assert_cmpint(handler_calls, ==, 2);
    g_assert_true(event_notifier_test_and_clear(&e));
    event_notifier_cleanup(&e);
}

static void cleanup_in_handler(EventNotifier *e)
{
    handler_calls++;
    event_notifier_cleanup(e);
}

static void test_notifier_cleanup_in_handler(void)
{
    EventNotifier e;

    handler_calls = 0;
    g_assert_true(event_notifier_init(&e, &error_abort));
    event_notifier_set_handler(&e, cleanup_in_handler);
    event_notifier_set(&e);
    qemu_main_loop_poll_once(true);
    g_assert_cmpint(handler_calls, ==, 1);
    g_assert_cmpint(e.fd, ==, -1);
    drain();
    g_assert_cmpint(handler_calls, ==, 1);
}

typedef struct PipeWatch {
    int calls;
    char last;
    bool keep;
} PipeWatch;

static bool pipe_cb(int fd, GIOCondition cond, void *opaque)
{
    PipeWatch *w = opaque;

    g_assert_true(cond & G_IO_IN);
    g_assert_cmpint(read(fd, &w->last, 1), ==, 1);
    w->calls++;
    return w->keep;
}

static void test_fd_watch(void)
{
    PipeWatch w = { .keep = true };
    int fds[2];
    guint tag;

    g_assert_cmpint(pipe(fds), ==, 0);
    tag = qemu_fd_watch_add(fds[0], G_IO_IN, pipe_cb, &w);
    g_assert_cmpuint(tag, !=, 0);

    drain();
    g_assert_cmpint(w.calls, ==, 0);
    g_assert_cmpint(write(fds[1], "a", 1), ==, 1);
    qemu_main_loop_poll_once(true);
    g_assert_cmpint(w.calls, ==, 1);
    g_assert_cmpint(w.last, ==, 'a');

    /* Returning false removes the watch. */
    w.keep = false;
    g_assert_cmpint(write(fds[1], "b", 1), ==, 1);
    qemu_main_loop_poll_once(true);
    g_assert_cmpint(w.calls, ==, 2);
    g_assert_cmpint(write(fds[1], "c", 1), ==, 1);
    drain();
    g_assert_cmpint(w.calls, ==, 2);
    /* Removing a watch that is already gone is harmless. */
    qemu_fd_watch_remove(tag);
    qemu_fd_watch_remove(0);

    /* Explicit removal stops callbacks. */
    w.keep = true;
    tag = qemu_fd_watch_add(fds[0], G_IO_IN, pipe_cb, &w);
    qemu_fd_watch_remove(tag);
    drain();
    g_assert_cmpint(w.calls, ==, 2);

    g_assert_cmpuint(qemu_fd_watch_add(-1, G_IO_IN, pipe_cb, &w), ==, 0);
    g_assert_cmpuint(qemu_fd_watch_add(fds[0], G_IO_IN, NULL, &w), ==, 0);
    close(fds[0]);
    close(fds[1]);
}

static void test_quit_before_run(void)
{
    qemu_main_loop_quit(7);
    g_assert_true(qemu_main_loop_should_quit());
    g_assert_cmpint(qemu_main_loop_run(), ==, 7);
    g_assert_false(qemu_main_loop_should_quit());
}

static gpointer quit_thread(gpointer data)
{
    g_usleep(20000);
    qemu_main_loop_quit(9);
    return NULL;
}

static void test_quit_from_thread(void)
{
    GThread *th = g_thread_new("quitter", quit_thread, NULL);

    /* Nothing else is pending: only the wakeup can end the loop. */
    g_assert_cmpint(qemu_main_loop_run(), ==, 9);
    g_thread_join(th);
}

static void quit_timer_cb(void *opaque)
{
    qemu_main_loop_quit(GPOINTER_TO_INT(opaque));
}

static void test_realtime_timer_wakes_loop(void)
{
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    QEMUTimer *t = timer_new_ms(QEMU_CLOCK_REALTIME, quit_timer_cb,
                                GINT_TO_POINTER(3));

    timer_mod(t, start / SCALE_MS + 20);
    g_assert_cmpint(qemu_main_loop_run(), ==, 3);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start, >=,
                    19 * SCALE_MS);
    g_assert_false(timer_pending(t));
    timer_free(t);
}

static void test_virtual_timer_wakes_loop(void)
{
    QEMUTimer *t;
    int64_t start;

    qemu_clock_set_virtual_manual(false);
    start = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    t = timer_new_ns(QEMU_CLOCK_VIRTUAL, quit_timer_cb, GINT_TO_POINTER(4));
    timer_mod(t, start + 20 * SCALE_MS);
    g_assert_cmpint(qemu_main_loop_run(), ==, 4);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) - start, >=,
                    20 * SCALE_MS);
    timer_free(t);
}

static void test_manual_virtual_timer_waits(void)
{
    QEMUTimer *t;
    int64_t now;

    qemu_clock_set_virtual_manual(true);
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    t = timer_new_ns(QEMU_CLOCK_VIRTUAL, quit_timer_cb, GINT_TO_POINTER(6));
    timer_mod(t, now + 1);
    /* A manual clock does not move: the loop must not fire the timer. */
    g_usleep(2000);
    drain();
    g_assert_true(timer_pending(t));
    g_assert_false(qemu_main_loop_should_quit());
    qemu_clock_advance_virtual(now + 1);
    g_assert_false(timer_pending(t));
    g_assert_true(qemu_main_loop_should_quit());
    g_assert_cmpint(qemu_main_loop_run(), ==, 6);
    timer_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/main-loop/notifier/counter", test_notifier_counter);
    g_test_add_func("/main-loop/notifier/handler", test_notifier_handler);
    g_test_add_func("/main-loop/notifier/cleanup-in-handler",
                    test_notifier_cleanup_in_handler);
    g_test_add_func("/main-loop/fd-watch", test_fd_watch);
    g_test_add_func("/main-loop/quit-before-run", test_quit_before_run);
    g_test_add_func("/main-loop/quit-from-thread", test_quit_from_thread);
    g_test_add_func("/main-loop/realtime-timer", test_realtime_timer_wakes_loop);
    g_test_add_func("/main-loop/virtual-timer", test_virtual_timer_wakes_loop);
    g_test_add_func("/main-loop/manual-virtual-timer",
                    test_manual_virtual_timer_waits);
    return g_test_run();
}
