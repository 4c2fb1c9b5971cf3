/*
 * Reading a file descriptor in tests: a pty's or a socket's far end.
 */
#ifndef TESTS_FD_TEST_UTIL_H
#define TESTS_FD_TEST_UTIL_H

#include <glib.h>

/*
 * Exactly @len bytes from @fd, blocking or not, as a new string; the test
 * fails when they have not all come within @timeout_s seconds.
 */
char *test_read_fd(int fd, size_t len, unsigned timeout_s);

#endif
