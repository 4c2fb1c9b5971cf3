/*
 * Reading a file descriptor in tests (fd-test-util.h).
 */
#include <poll.h>
#include <unistd.h>

#include "fd-test-util.h"

char *test_read_fd(int fd, size_t len, unsigned timeout_s)
{
    GString *s = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + timeout_s * G_USEC_PER_SEC;

    while (s->len < len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char buf[256];
        ssize_t n;

        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        n = read(fd, buf, MIN(sizeof(buf), len - s->len));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(s, buf, n);
    }
    return g_string_free(s, FALSE);
}
