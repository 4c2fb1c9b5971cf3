/*
 * The QMP monitor against clients that misbehave: malformed JSON, values
 * over the size and nesting limits, wrong arguments, fds nobody asked
 * for, floods that never read, clients that vanish mid-command. Each gets
 * a QEMU-shaped error (or is dropped) and the monitor keeps serving.
 * Then 1000 hotplug cycles that must leak neither fds nor memory.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include <sys/un.h>
#include "libqtest.h"

#define MIB (1024 * 1024)

typedef struct Env {
    QTestState *qts;
    char *dir;
    char *sock2;                /* a second monitor: -qmp unix:... */
    char *sock3;
} Env;

static Env *env_new(const char *extra)
{
    Env *e = g_new0(Env, 1);

    e->dir = g_dir_make_tmp("qvfio-hostile-XXXXXX", NULL);
    e->sock2 = g_build_filename(e->dir, "qmp2.sock", NULL);
    e->sock3 = g_build_filename(e->dir, "qmp3.sock", NULL);
    e->qts = qtest_init_with_qmpf("-qmp unix:%s,server=on,wait=off "
                                  "-qmp unix:%s,server=on,wait=off %s",
                                  e->sock2, e->sock3, extra ? extra : "");
    return e;
}

static void env_free(Env *e)
{
    g_assert_cmpint(qtest_quit(e->qts), ==, 0);
    /* qvfio removed its sockets on the way out. */
    g_assert_false(g_file_test(e->sock2, G_FILE_TEST_EXISTS));
    rmdir(e->dir);
    g_free(e->sock2);
    g_free(e->sock3);
    g_free(e->dir);
    g_free(e);
}

static QMPConn *connect_negotiated(const char *path)
{
    QMPConn *c = qmp_conn_connect_unix(path);

    json_object_unref(qmp_conn_negotiate(c));
    return c;
}

/* The monitor still answers on @c. */
static void assert_serving(QMPConn *c)
{
    JsonObject *r = qmp_conn_cmd(c, "{\"execute\":\"query-status\","
                                 "\"id\":\"alive\"}");

    qmp_return(r);
    g_assert_cmpstr(json_object_get_string_member(r, "id"), ==, "alive");
    json_object_unref(r);
}

static const char *error_desc(JsonObject *r)
{
    g_assert_true(json_object_has_member(r, "error"));
    return json_object_get_string_member(
               json_object_get_object_member(r, "error"), "desc");
}

static const char *error_class(JsonObject *r)
{
    return json_object_get_string_member(
               json_object_get_object_member(r, "error"), "class");
}

static void send_bytes(QMPConn *c, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = send(qmp_conn_fd(c), p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= n;
    }
}

/* qvfio notices a client's exit in its own time: wait for it. */
static void assert_fd_count(pid_t pid, int expected)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (qtest_count_fds(pid) != expected &&
           g_get_monotonic_time() < deadline) {
        g_usleep(1000);
    }
    g_assert_cmpint(qtest_count_fds(pid), ==, expected);
}

/* Malformed input */

typedef struct BadInput {
    const char *text;
    size_t len;                 /* 0: strlen */
    const char *cls;
    const char *desc;           /* exact, or a prefix when @prefix */
    bool prefix;
    /* GenericErrors that follow (QEMU's lexer resynchronising) */
    unsigned more;
} BadInput;

static const BadInput bad_inputs[] = {
    { "{\"execute\":}", 0, "GenericError", "JSON parse error, ", true },
    { "{\"execute\":\"query-status\",}", 0, "GenericError",
      "JSON parse error, ", true },
    { "}", 0, "GenericError", "JSON parse error, stray '}'" },
    { "]", 0, "GenericError", "JSON parse error, stray ']'" },
    { "nonsense", 0, "GenericError", "JSON parse error, ", true },
    { "@", 0, "GenericError", "JSON parse error, stray '@'" },
    { "42", 0, "GenericError", "QMP input must be a JSON object" },
    { "\"just a string\"", 0, "GenericError",
      "QMP input must be a JSON object" },
    { "[1, 2, {\"execute\": \"quit\"}]", 0, "GenericError",
      "QMP input must be a JSON object" },
    { "true", 0, "GenericError", "QMP input must be a JSON object" },
    { "{}", 0, "GenericError", "QMP input lacks member 'execute'" },
    { "{\"execute\":1}", 0, "GenericError",
      "QMP input member 'execute' must be a string" },
    { "{\"execute\":\"query-status\",\"arguments\":[]}", 0, "GenericError",
      "QMP input member 'arguments' must be an object" },
    { "{\"execute\":\"query-status\",\"foo\":1}", 0, "GenericError",
      "QMP input member 'foo' is unexpected" },
    { "{\"exec-oob\":\"query-status\"}", 0, "GenericError",
      "QMP input member 'exec-oob' is unexpected" },
    /* 0xFF, then 0xFE, then the stray '}' after skipping */
    { "{\"execute\":\"\xff\xfe\"}", 0, "GenericError",
      "JSON parse error, invalid UTF-8 sequence in string", false, 2 },
    { "{\"execute\":\"query-\0status\"}", 27, "GenericError",
      "JSON parse error, control character 0x00 in string", false, 1 },
    { "{\"execute\":\"query-status\"]", 0, "GenericError",
      "JSON parse error, ", true },
};

static void test_malformed(void)
{
    Env *e = env_new("-machine none");
    QMPConn *c = qtest_qmp_conn(e->qts);

    for (size_t i = 0; i < ARRAY_SIZE(bad_inputs); i++) {
        const BadInput *b = &bad_inputs[i];
        JsonObject *r;

        send_bytes(c, b->text, b->len ? b->len : strlen(b->text));
        send_bytes(c, "\r\n", 2);
        r = qmp_conn_reply(c);
        if (strcmp(error_class(r), b->cls) ||
            (b->prefix ? !g_str_has_prefix(error_desc(r), b->desc)
                       : strcmp(error_desc(r), b->desc))) {
            g_error("input %zu: got %s", i, qmp_conn_last_raw(c));
        }
        json_object_unref(r);
        for (unsigned j = 0; j < b->more; j++) {
            r = qmp_conn_reply(c);
            g_assert_cmpstr(error_class(r), ==, "GenericError");
            json_object_unref(r);
        }
    }
    assert_serving(c);
    env_free(e);
}

/*
 * What a new user tries: bytes that can never be JSON where they are get
 * an answer at once, without a newline after them, and the next command
 * works on the same connection.
 */
typedef struct LexicalCase {
    const char *text;
    size_t len;                 /* 0: strlen */
    const char *desc;
} LexicalCase;

static const LexicalCase lexical_cases[] = {
    { "{\xff", 0, "JSON parse error, stray byte 0xFF" },
    { "{\"execute\": \x07", 0, "JSON parse error, stray byte 0x07" },
    { "{\"execute\": \"query-\x1bX", 0,
      "JSON parse error, control character 0x1B in string" },
    { "{\"execute\": \"query-\xc3\x28", 0,
      "JSON parse error, invalid UTF-8 sequence in string" },
    { "{\"execute\": \"\xed\xa0\x80", 0,
      "JSON parse error, invalid UTF-8 sequence in string" },
    { "[1, 2, \0", 8, "JSON parse error, stray byte 0x00" },
};

static void test_lexical_errors(void)
{
    Env *e = env_new("-machine none");
    QMPConn *c = qtest_qmp_conn(e->qts);

    qmp_conn_set_timeout(c, 10000);
    for (size_t i = 0; i < ARRAY_SIZE(lexical_cases); i++) {
        const LexicalCase *l = &lexical_cases[i];
        JsonObject *r;

        send_bytes(c, l->text, l->len ? l->len : strlen(l->text));
        r = qmp_conn_reply(c);
        qmp_assert_error(r, "GenericError", l->desc);
        g_assert_false(json_object_has_member(r, "id"));
        json_object_unref(r);
        assert_serving(c);
    }
    env_free(e);
}

/* Unknown commands and arguments, wrong types */

typedef struct BadCommand {
    const char *request;
    const char *cls;
    const char *desc;
} BadCommand;

static const BadCommand bad_commands[] = {
    { "{\"execute\":\"no-such-command\"}", "CommandNotFound",
      "The command no-such-command has not been found" },
    { "{\"execute\":\"query-status\",\"arguments\":{\"verbose\":true}}",
      "GenericError", "Parameter 'verbose' is unexpected" },
    { "{\"execute\":\"qom-list\"}", "GenericError",
      "Parameter 'path' is missing" },
    { "{\"execute\":\"qom-list\",\"arguments\":{\"path\":1}}", "GenericError",
      "Invalid parameter type for 'path', expected: string" },
    { "{\"execute\":\"qom-list\",\"arguments\":{\"path\":null}}",
      "GenericError", "Invalid parameter type for 'path', expected: string" },
    { "{\"execute\":\"qom-list-types\",\"arguments\":{\"abstract\":\"yes\"}}",
      "GenericError", "Invalid parameter type for 'abstract', expected: "
      "boolean" },
    { "{\"execute\":\"human-monitor-command\",\"arguments\":"
      "{\"command-line\":\"info pci\",\"cpu-index\":\"0\"}}", "GenericError",
      "Invalid parameter type for 'cpu-index', expected: integer" },
    { "{\"execute\":\"human-monitor-command\",\"arguments\":"
      "{\"command-line\":\"info pci\",\"cpu-index\":1.5}}", "GenericError",
      "Invalid parameter type for 'cpu-index', expected: integer" },
    { "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine\"}}",
      "GenericError", "Parameter 'property' is missing" },
    { "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/nowhere\","
      "\"property\":\"type\"}}", "DeviceNotFound",
      "Device '/nowhere' not found" },
    { "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"x\"}}",
      "GenericError", "Parameter 'driver' is missing" },
    { "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"nosuch\"}}",
      "GenericError", "'nosuch' is not a valid device model name" },
    { "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\","
      "\"id\":7}}", "GenericError",
      "Invalid parameter type for 'id', expected: string" },
    { "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\","
      "\"host\":\"fake:basic\",\"addr\":[3]}}", "GenericError",
      "Parameter 'addr' expects a scalar value" },
    { "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\","
      "\"host\":\"fake:basic\",\"bogus\":1}}", "GenericError",
      "Property 'vfio-pci.bogus' not found" },
    { "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"mch\"}}",
      "GenericError", "Parameter 'driver' expects a pluggable device type "
      "('mch' cannot be created by the user)" },
    { "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"ghost\"}}",
      "DeviceNotFound", "Device 'ghost' not found" },
    { "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"/machine\"}}",
      "GenericError", "/machine is not a hotpluggable device" },
    { "{\"execute\":\"device-list-properties\",\"arguments\":"
      "{\"typename\":\"pci-device\"}}", "GenericError",
      "Parameter 'typename' expects a non-abstract device type" },
    { "{\"execute\":\"device-list-properties\",\"arguments\":"
      "{\"typename\":\"memory-backend-ram\"}}", "GenericError",
      "Parameter 'typename' expects device" },
    { "{\"execute\":\"query-command-line-options\",\"arguments\":"
      "{\"option\":\"serial\"}}", "GenericError",
      "invalid option name: serial" },
    { "{\"execute\":\"query-balloon\"}", "DeviceNotActive",
      "No balloon device has been activated" },
    { "{\"execute\":\"closefd\",\"arguments\":{\"fdname\":\"none\"}}",
      "GenericError", "File descriptor named 'none' not found" },
    { "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[1]}}",
      "GenericError", "Invalid parameter type for 'enable[0]', expected: "
      "string" },
    { "{\"execute\":\"qmp_capabilities\"}", "CommandNotFound",
      "Capabilities negotiation is already complete, command ignored" },
};

static void test_bad_commands(void)
{
    Env *e = env_new("-machine q35");
    QMPConn *c = qtest_qmp_conn(e->qts);

    for (size_t i = 0; i < ARRAY_SIZE(bad_commands); i++) {
        const BadCommand *b = &bad_commands[i];
        JsonObject *r = qmp_conn_cmd(c, "%s", b->request);

        if (!json_object_has_member(r, "error") ||
            strcmp(error_class(r), b->cls) || strcmp(error_desc(r), b->desc)) {
            g_error("%s: got %s", b->request, qmp_conn_last_raw(c));
        }
        json_object_unref(r);
    }
    /* Before negotiation too, arguments are checked first. */
    {
        QMPConn *c2 = qmp_conn_connect_unix(e->sock2);
        JsonObject *r;

        json_object_unref(qmp_conn_recv_any(c2));
        r = qmp_conn_cmd(c2, "{\"execute\":\"qmp_capabilities\","
                         "\"arguments\":{\"enable\":[1]}}");
        qmp_assert_error(r, "GenericError", "Invalid parameter type for "
                         "'enable[0]', expected: string");
        json_object_unref(r);
        qmp_conn_free(c2);
    }
    assert_serving(c);
    env_free(e);
}

/* Limits */

typedef struct Flood {
    QMPConn *c;
    char ch;
    size_t len;
    const char *tail;
} Flood;

static gpointer flood_thread(gpointer opaque)
{
    Flood *f = opaque;
    g_autofree char *chunk = g_malloc(MIB);

    memset(chunk, f->ch, MIB);
    for (size_t sent = 0; sent < f->len; sent += MIB) {
        send_bytes(f->c, chunk, MIN(MIB, f->len - sent));
    }
    if (f->tail) {
        send_bytes(f->c, f->tail, strlen(f->tail));
    }
    return NULL;
}

static GThread *flood_start(Flood *f)
{
    return g_thread_new("flood", flood_thread, f);
}

/*
 * 64 MiB of '[' give one error; the value is skipped to its end (64 MiB
 * of ']'), after which the same connection works again. Meanwhile a
 * client on another monitor is served.
 */
static void test_nesting_flood(void)
{
    Env *e = env_new("-machine none");
    QMPConn *c = connect_negotiated(e->sock2);
    QMPConn *other = qtest_qmp_conn(e->qts);
    Flood open = { c, '[', 64 * MIB, NULL };
    Flood close_ = { c, ']', 64 * MIB, "\r\n" };
    GThread *t = flood_start(&open);
    JsonObject *r = qmp_conn_reply(c);

    qmp_assert_error(r, "GenericError", "JSON nesting depth limit exceeded");
    json_object_unref(r);
    assert_serving(other);
    g_thread_join(t);
    t = flood_start(&close_);
    assert_serving(other);
    g_thread_join(t);
    assert_serving(c);
    qmp_conn_free(c);
    env_free(e);
}

/* A 20 MiB string: over the size limit; the stream resynchronises. */
static void test_huge_message(void)
{
    Env *e = env_new("-machine none");
    QMPConn *c = qtest_qmp_conn(e->qts);
    Flood f = { c, 'A', 20 * MIB, "\"}}\r\n" };
    const char *head = "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"";
    GThread *t;
    JsonObject *r;

    send_bytes(c, head, strlen(head));
    t = flood_start(&f);
    r = qmp_conn_reply(c);
    qmp_assert_error(r, "GenericError", "JSON token size limit exceeded");
    json_object_unref(r);
    g_thread_join(t);
    assert_serving(c);
    env_free(e);
}

/* 2000 levels of objects: refused at 1024, the rest skipped. */
static void test_deep_nesting(void)
{
    Env *e = env_new("-machine none");
    QMPConn *c = qtest_qmp_conn(e->qts);
    g_autoptr(GString) s = g_string_new("{\"execute\":\"qom-list\","
                                        "\"arguments\":");
    JsonObject *r;

    for (int i = 0; i < 2000; i++) {
        g_string_append(s, "{\"a\":");
    }
    g_string_append(s, "1");
    for (int i = 0; i < 2001; i++) {
        g_string_append_c(s, '}');
    }
    qmp_conn_send(c, s->str);
    r = qmp_conn_reply(c);
    qmp_assert_error(r, "GenericError", "JSON nesting depth limit exceeded");
    json_object_unref(r);
    assert_serving(c);
    env_free(e);
}

/*
 * A client that sends 200000 bad messages and reads nothing: its input
 * is paused once its unread output backs up, others are served, and in
 * the end it gets every reply. Under valgrind a tenth of them: their
 * 1.6 MB of replies still overflow the socket's buffer many times.
 */
static void test_flood_without_reading(void)
{
    const int N = 200000 / qtest_slow_factor();
    Env *e = env_new("-machine none");
    QMPConn *c = connect_negotiated(e->sock2);
    QMPConn *other = connect_negotiated(e->sock3);
    Flood f = { c, '}', N, NULL };
    GThread *t = flood_start(&f);

    g_usleep(200 * 1000);
    for (int i = 0; i < 20; i++) {
        assert_serving(other);
        assert_serving(qtest_qmp_conn(e->qts));
    }
    for (int i = 0; i < N; i++) {
        JsonObject *r = qmp_conn_reply(c);

        g_assert_cmpstr(error_desc(r), ==, "JSON parse error, stray '}'");
        json_object_unref(r);
    }
    g_thread_join(t);
    assert_serving(c);
    qmp_conn_free(c);
    qmp_conn_free(other);
    env_free(e);
}

/* fds nobody expects are closed; fds travel with their message. */
static void test_unexpected_fds(void)
{
    Env *e = env_new("-machine none");
    QMPConn *c = qtest_qmp_conn(e->qts);
    pid_t pid = qtest_pid(e->qts);
    int fds[2], before;
    JsonObject *r;

    g_assert_cmpint(pipe(fds), ==, 0);
    assert_serving(c);
    before = qtest_count_fds(pid);
    for (int i = 0; i < 50; i++) {
        qmp_conn_send_fds(c, "{\"execute\":\"query-status\"}", fds, 2);
        json_object_unref(qmp_conn_reply(c));
        qmp_conn_send_fds(c, "}", fds, 2);          /* a framing error */
        json_object_unref(qmp_conn_reply(c));
        qmp_conn_send_fds(c, "{\"execute\":\"nope\"}", fds, 1);
        json_object_unref(qmp_conn_reply(c));
    }
    g_assert_cmpint(qtest_count_fds(pid), ==, before);

    /* The fd comes with the first half of a getfd: it is getfd's. */
    qmp_conn_send_fds(c, "{\"execute\":\"getfd\",", fds, 1);
    g_usleep(50 * 1000);
    qmp_conn_send(c, "\"arguments\":{\"fdname\":\"half\"}}");
    r = qmp_conn_reply(c);
    qmp_return(r);
    json_object_unref(r);
    g_assert_cmpint(qtest_count_fds(pid), ==, before + 1);
    json_object_unref(qmp_conn_cmd(c, "{\"execute\":\"closefd\","
                                   "\"arguments\":{\"fdname\":\"half\"}}"));
    g_assert_cmpint(qtest_count_fds(pid), ==, before);

    /* A client that leaves with fds in flight leaks none of them. */
    {
        QMPConn *c2 = connect_negotiated(e->sock2);

        qmp_conn_send_fds(c2, "{\"execute\":\"getfd\",", fds, 2);
        qmp_conn_free(c2);
        c2 = connect_negotiated(e->sock2);
        assert_serving(c2);
        qmp_conn_free(c2);
    }
    assert_fd_count(pid, before);
    close(fds[0]);
    close(fds[1]);
    env_free(e);
}

/* Clients that vanish: mid-message, before reading a big reply, ... */
static void test_vanishing_clients(void)
{
    Env *e = env_new("-machine q35");
    QMPConn *keep = qtest_qmp_conn(e->qts);
    pid_t pid = qtest_pid(e->qts);
    int before;

    assert_serving(keep);
    before = qtest_count_fds(pid);
    for (int i = 0; i < 20; i++) {
        QMPConn *c = qmp_conn_connect_unix(e->sock2);

        switch (i % 4) {
        case 0:         /* before the greeting is read */
            break;
        case 1:         /* in the middle of a command */
            send_bytes(c, "{\"execute\":\"query-", 18);
            break;
        case 2:         /* right after asking for a large reply */
            json_object_unref(qmp_conn_negotiate(c));
            for (int j = 0; j < 10; j++) {
                qmp_conn_send(c, "{\"execute\":\"query-qmp-schema\"}");
            }
            break;
        case 3:         /* in the middle of a hotplug */
            json_object_unref(qmp_conn_negotiate(c));
            qmp_conn_send(c, "{\"execute\":\"device_add\",\"arguments\":"
                          "{\"driver\":\"vfio-pci\",\"host\":\"fake:basic\","
                          "\"id\":\"gone\"}}");
            qmp_conn_send(c, "{\"execute\":\"device_del\",\"arguments\":"
                          "{\"id\":\"gone\"}}");
            break;
        }
        qmp_conn_free(c);
        assert_serving(keep);
    }
    {
        QMPConn *c = connect_negotiated(e->sock2);

        assert_serving(c);
        qmp_conn_free(c);
    }
    /* A hotplug cut short by the client's exit may have stayed. */
    json_object_unref(qmp_conn_cmd(keep, "{\"execute\":\"device_del\","
                                   "\"arguments\":{\"id\":\"gone\"}}"));
    assert_fd_count(pid, before);
    env_free(e);
}

/* Three clients at once, requests interleaved; replies keep their ids. */
static void test_many_clients(void)
{
    Env *e = env_new("-machine q35");
    QMPConn *c[3] = {
        qtest_qmp_conn(e->qts), connect_negotiated(e->sock2),
        connect_negotiated(e->sock3),
    };

    for (int round = 0; round < 100; round++) {
        for (int i = 0; i < 3; i++) {
            qmp_conn_sendf(c[i], "{\"execute\":\"%s\",\"id\":%d}",
                           round % 2 ? "query-pci" : "query-status",
                           round * 3 + i);
        }
        for (int i = 2; i >= 0; i--) {
            JsonObject *r = qmp_conn_reply(c[i]);

            qmp_return(r);
            g_assert_cmpint(json_object_get_int_member(r, "id"), ==,
                            round * 3 + i);
            json_object_unref(r);
        }
    }
    qmp_conn_free(c[1]);
    qmp_conn_free(c[2]);
    env_free(e);
}

/* 1000 hotplug cycles */

static void hotplug_cycle(QMPConn *c, const char *driver_args)
{
    JsonObject *r = qmp_conn_cmd(c, "{\"execute\":\"device_add\","
                                 "\"arguments\":{%s,\"id\":\"hostdev0\","
                                 "\"bus\":\"pcie.0\",\"addr\":\"0x3\"}}",
                                 driver_args);

    qmp_return(r);
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"device_del\",\"arguments\":"
                     "{\"id\":\"hostdev0\"}}");
    qmp_return(r);
    json_object_unref(r);
    json_object_unref(qmp_conn_event(c, "DEVICE_DELETED"));
}

/*
 * No fd may stay behind. Memory: under ASan the leak check runs when
 * qvfio exits (qtest_quit fails on a report), under valgrind memcheck
 * does (its own bookkeeping grows VmRSS, so fewer cycles and no VmRSS
 * check there); elsewhere VmRSS must stay within @per_cycle_kb per cycle
 * plus a fixed slack.
 */
static void hotplug_cycles(const char *driver_args, long per_cycle_kb)
{
    enum { WARMUP = 50 };
    const int CYCLES = 1000 / qtest_slow_factor();
    Env *e = env_new("-machine q35");
    QMPConn *c = qtest_qmp_conn(e->qts);
    pid_t pid = qtest_pid(e->qts);
    int fds_before;
    long rss_before, rss_after;

    for (int i = 0; i < WARMUP; i++) {
        hotplug_cycle(c, driver_args);
    }
    fds_before = qtest_count_fds(pid);
    rss_before = qtest_vmrss_kb(pid);
    for (int i = 0; i < CYCLES; i++) {
        hotplug_cycle(c, driver_args);
    }
    g_assert_cmpint(qtest_count_fds(pid), ==, fds_before);
    rss_after = qtest_vmrss_kb(pid);
    g_test_message("VmRSS %ld KiB -> %ld KiB after %d cycles", rss_before,
                   rss_after, CYCLES);
#ifndef __SANITIZE_ADDRESS__
    if (qtest_slow_factor() == 1) {
        g_assert_cmpint(rss_after - rss_before, <=,
                        per_cycle_kb * CYCLES + 1024);
    }
#endif
    env_free(e);
}

static void test_hotplug_cycles_vfio(void)
{
    hotplug_cycles("\"driver\":\"vfio-pci\",\"host\":\"fake:basic\"", 0);
}

static void test_hotplug_cycles_testdev(void)
{
    hotplug_cycles("\"driver\":\"qvfio-test-pci\"", 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp-hostile/malformed", test_malformed);
    g_test_add_func("/qmp-hostile/lexical-errors", test_lexical_errors);
    g_test_add_func("/qmp-hostile/bad-commands", test_bad_commands);
    g_test_add_func("/qmp-hostile/nesting-flood", test_nesting_flood);
    g_test_add_func("/qmp-hostile/huge-message", test_huge_message);
    g_test_add_func("/qmp-hostile/deep-nesting", test_deep_nesting);
    g_test_add_func("/qmp-hostile/flood-without-reading",
                    test_flood_without_reading);
    g_test_add_func("/qmp-hostile/unexpected-fds", test_unexpected_fds);
    g_test_add_func("/qmp-hostile/vanishing-clients", test_vanishing_clients);
    g_test_add_func("/qmp-hostile/many-clients", test_many_clients);
    g_test_add_func("/qmp-hostile/hotplug-cycles-vfio",
                    test_hotplug_cycles_vfio);
    g_test_add_func("/qmp-hostile/hotplug-cycles-testdev",
                    test_hotplug_cycles_testdev);
    return g_test_run();
}
