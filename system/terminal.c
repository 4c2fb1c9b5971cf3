/*
 * The terminal behind a stdio chardev (see include/system/terminal.h).
 *
 * The saved settings are put back by terminal_restore(), by an atexit
 * handler, and by a handler for each signal that ends the process. That
 * handler restores the terminal, reinstalls whatever handled the signal
 * before (the default action, or a sanitizer's), and lets the signal
 * happen again: a fault repeats by itself when the handler returns, a
 * signal that was sent is raised once more.
 */
#include "qemu/osdep.h"
#include <signal.h>
#include <termios.h>
#include "qemu/error.h"
#include "system/terminal.h"

static const int exit_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGABRT, SIGSEGV, SIGBUS, SIGILL,
    SIGFPE,
};
static struct sigaction saved_actions[ARRAY_SIZE(exit_signals)];
static bool installed[ARRAY_SIZE(exit_signals)];
static struct termios saved_termios;
static int raw_fd = -1;
static volatile sig_atomic_t is_raw;

/* Async-signal-safe: tcsetattr is. */
static void put_back(void)
{
    if (is_raw) {
        tcsetattr(raw_fd, TCSANOW, &saved_termios);
        is_raw = 0;
    }
}

static void on_exit_signal(int sig, siginfo_t *info, void *uctx)
{
    put_back();
    for (size_t i = 0; i < ARRAY_SIZE(exit_signals); i++) {
        if (exit_signals[i] == sig) {
            sigaction(sig, &saved_actions[i], NULL);
        }
    }
    /* si_code <= 0: sent by kill(), raise() or abort(), not a fault. */
    if (info->si_code <= 0) {
        raise(sig);
    }
}

static void install_handlers(void)
{
    struct sigaction sa = {
        .sa_sigaction = on_exit_signal,
        .sa_flags = SA_SIGINFO | SA_ONSTACK,
    };

    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_SIZE(exit_signals); i++) {
        struct sigaction old;

        if (installed[i] || sigaction(exit_signals[i], NULL, &old) < 0 ||
            old.sa_handler == SIG_IGN) {
            continue;           /* an ignored signal ends nothing */
        }
        saved_actions[i] = old;
        installed[i] = sigaction(exit_signals[i], &sa, NULL) == 0;
    }
}

/* Only where ours is still in place (GLib takes over SIGTERM and co). */
static void remove_handlers(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(exit_signals); i++) {
        struct sigaction cur;

        if (!installed[i]) {
            continue;
        }
        installed[i] = false;
        if (sigaction(exit_signals[i], NULL, &cur) == 0 &&
            (cur.sa_flags & SA_SIGINFO) &&
            cur.sa_sigaction == on_exit_signal) {
            sigaction(exit_signals[i], &saved_actions[i], NULL);
        }
    }
}

static void make_raw(struct termios *t, bool allow_signals)
{
    t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                    ICRNL | IXON);
    t->c_oflag |= OPOST;
    t->c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
    if (allow_signals) {
        t->c_lflag |= ISIG;
    }
    t->c_cflag &= ~(CSIZE | PARENB);
    t->c_cflag |= CS8;
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}

bool terminal_set_raw(int fd, bool allow_signals)
{
    static bool atexit_done;
    struct termios t;

    if (!isatty(fd)) {
        return true;
    }
    if (!is_raw) {
        if (tcgetattr(fd, &saved_termios) < 0) {
            warn_report("cannot read the terminal's settings: %s",
                        g_strerror(errno));
            return false;
        }
        raw_fd = fd;
    }
    if (!atexit_done) {
        atexit(terminal_restore);
        atexit_done = true;
    }
    install_handlers();
    t = saved_termios;
    make_raw(&t, allow_signals);
    is_raw = 1;
    if (tcsetattr(fd, TCSANOW, &t) < 0) {
        warn_report("cannot put the terminal in raw mode: %s",
                    g_strerror(errno));
        terminal_restore();
        return false;
    }
    return true;
}

void terminal_restore(void)
{
    put_back();
    remove_handlers();
    raw_fd = -1;
}
