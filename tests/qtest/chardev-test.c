/*
 * The qtest chardev end to end: qvfio as a UNIX or TCP server (wait=on
 * and wait=off), as a TCP client, and its error when it cannot connect.
 * qvfio runs in a helper thread (qtest_run_binary) while we connect.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "libqtest.h"

typedef struct Run {
    char *args;
    char *out;
    char *err;
    int status;
    bool finished;
    GThread *thread;
} Run;

static gpointer run_thread(gpointer opaque)
{
    Run *r = opaque;

    r->finished = qtest_run_binary(qtest_binary(), r->args, NULL, &r->out,
                                   &r->err, &r->status);
    return NULL;
}

static Run *run_start(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static Run *run_start(const char *fmt, ...)
{
    Run *r = g_new0(Run, 1);
    va_list ap;

    va_start(ap, fmt);
    r->args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r->thread = g_thread_new("qvfio", run_thread, r);
    return r;
}

/* Wait for qvfio to exit; it must exit 0 and print nothing unexpected. */
static void run_finish(Run *r, int want_status)
{
    g_thread_join(r->thread);
    g_assert(r->finished);
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != want_status) {
        g_error("'%s': status 0x%x, stderr: %s", r->args, r->status, r->err);
    }
}

static void run_free(Run *r)
{
    g_free(r->args);
    g_free(r->out);
    g_free(r->err);
    g_free(r);
}

static int connect_retry(const struct sockaddr *sa, socklen_t len)
{
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < deadline) {
        int fd = socket(sa->sa_family, SOCK_STREAM, 0);

        if (connect(fd, sa, len) == 0) {
            return fd;
        }
        close(fd);
        g_usleep(5000);
    }
    g_error("could not connect to qvfio");
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    g_assert(strlen(path) < sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    return connect_retry((struct sockaddr *)&sun, sizeof(sun));
}

static char *recv_line(int fd)
{
    GString *s = g_string_new(NULL);
    char c;

    while (read(fd, &c, 1) == 1 && c != '\n') {
        g_string_append_c(s, c);
    }
    return g_string_free(s, FALSE);
}

static void roundtrip(int fd)
{
    static const char req[] = "endianness\nwriteb 0x100000 0x5a\n"
                              "readb 0x100000\n";
    g_autofree char *l1 = NULL;
    g_autofree char *l2 = NULL;
    g_autofree char *l3 = NULL;

    g_assert(write(fd, req, sizeof(req) - 1) == sizeof(req) - 1);
    l1 = recv_line(fd);
    l2 = recv_line(fd);
    l3 = recv_line(fd);
    g_assert_cmpstr(l1, ==, "OK little");
    g_assert_cmpstr(l2, ==, "OK");
    g_assert_cmpstr(l3, ==, "OK 0x000000000000005a");
}

#define QTEST_ARGS "-qtest-log none -display none -accel qtest"

static void test_unix_server(gconstpointer opaque)
{
    bool wait = GPOINTER_TO_INT(opaque);
    g_autofree char *dir = g_dir_make_tmp("qvfio-chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    Run *r = run_start("-qtest unix:%s,server=on%s " QTEST_ARGS, path,
                       wait ? "" : ",wait=off");
    int fd = connect_unix(path);

    roundtrip(fd);
    close(fd);
    run_finish(r, 0);
    /* wait=on announces that it waits; either way the socket is gone. */
    g_assert_cmpint(!!strstr(r->err, "waiting for connection on: "
                             "disconnected:unix:"), ==, wait);
    g_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
    run_free(r);
    rmdir(dir);
}

/* A client that leaves in the middle of a line ends the run cleanly. */
static void test_disconnect_mid_line(void)
{
    g_autofree char *dir = g_dir_make_tmp("qvfio-chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    Run *r = run_start("-qtest unix:%s,server=on,wait=off " QTEST_ARGS,
                       path);
    int fd = connect_unix(path);

    g_assert(write(fd, "writel 0x1000", 13) == 13);
    close(fd);
    run_finish(r, 0);
    g_assert_cmpstr(r->err, ==, "");
    run_free(r);
    rmdir(dir);
}

static int listen_tcp(int *port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
    g_assert(listen(fd, 1) == 0);
    g_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

static void test_tcp_client(void)
{
    int port, lfd = listen_tcp(&port), fd;
    Run *r = run_start("-qtest tcp:127.0.0.1:%d " QTEST_ARGS, port);
    struct pollfd pfd = { .fd = lfd, .events = POLLIN };

    g_assert_cmpint(poll(&pfd, 1, 20000), ==, 1);
    fd = accept(lfd, NULL, NULL);
    g_assert(fd >= 0);
    roundtrip(fd);
    close(fd);
    close(lfd);
    run_finish(r, 0);
    run_free(r);
}

static void test_tcp_server(void)
{
    int port, lfd = listen_tcp(&port), fd;
    struct sockaddr_in sin = { .sin_family = AF_INET };
    Run *r;

    /* Free the port again for qvfio to take. */
    close(lfd);
    r = run_start("-qtest tcp:127.0.0.1:%d,server=on,wait=off " QTEST_ARGS,
                  port);
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = connect_retry((struct sockaddr *)&sin, sizeof(sin));
    roundtrip(fd);
    close(fd);
    run_finish(r, 0);
    run_free(r);
}

static void test_connect_error(void)
{
    g_autofree char *err = NULL;
    int status;

    g_assert(qtest_run_binary(qtest_binary(), "-qtest unix:/nonexistent/"
                              "qtest.sock " QTEST_ARGS, NULL, NULL, &err,
                              &status));
    g_assert(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert(strstr(err, "/nonexistent/qtest.sock"));
    g_assert(strstr(err, "No such file or directory"));
    g_assert_cmpint(strchr(err, '\n') - err + 1, ==, strlen(err));
    g_free(err);

    g_assert(qtest_run_binary(qtest_binary(), "-qtest bogus " QTEST_ARGS,
                              NULL, NULL, &err, &status));
    g_assert(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert(strstr(err, "bogus"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_binary();
    g_test_add_data_func("/chardev/unix-server/wait-off",
                         GINT_TO_POINTER(false), test_unix_server);
    g_test_add_data_func("/chardev/unix-server/wait-on",
                         GINT_TO_POINTER(true), test_unix_server);
    g_test_add_func("/chardev/disconnect-mid-line", test_disconnect_mid_line);
    g_test_add_func("/chardev/tcp-client", test_tcp_client);
    g_test_add_func("/chardev/tcp-server", test_tcp_server);
    g_test_add_func("/chardev/connect-error", test_connect_error);
    return g_test_run();
}
