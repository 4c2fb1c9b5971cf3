/*
 * The QMP monitor's pure parts: framing (qmp_splitter_*) and dispatch
 * on a detached monitor (negotiation, request checks, argument checks),
 * and the generated schema's consistency.
 */
#include "qemu/osdep.h"
#include "system/qmp.h"

typedef struct Collected {
    GPtrArray *msgs;            /* char *: JSON text, or "ERR:" + error */
} Collected;

static void collect(void *opaque, const char *json, size_t len,
                    const char *error)
{
    Collected *c = opaque;

    g_ptr_array_add(c->msgs, error ? g_strconcat("ERR:", error, NULL)
                                   : g_strndup(json, len));
}

/* Feed @input in pieces of @step bytes; returns what came out. */
static GPtrArray *split(const char *input, size_t len, size_t step)
{
    Collected c = { g_ptr_array_new_with_free_func(g_free) };
    QmpSplitter s;

    qmp_splitter_init(&s);
    for (size_t off = 0; off < len; off += step) {
        qmp_splitter_feed(&s, input + off, MIN(step, len - off), collect, &c);
    }
    qmp_splitter_destroy(&s);
    return c.msgs;
}

/* Whatever the pieces the bytes come in, the same values come out. */
static void assert_split_len(const char *input, size_t len,
                             const char *const *want)
{
    for (size_t step = 1; step <= len; step++) {
        g_autoptr(GPtrArray) got = split(input, len, step);

        g_assert_cmpuint(got->len, ==, g_strv_length((char **)want));
        for (guint i = 0; i < got->len; i++) {
            g_assert_cmpstr(g_ptr_array_index(got, i), ==, want[i]);
        }
    }
}

static void assert_split(const char *input, const char *const *want)
{
    assert_split_len(input, strlen(input), want);
}

static void test_split_messages(void)
{
    assert_split("{\"a\":1}\r\n{\"b\":[1,{}]}  [2]\n",
                 (const char *const[]){ "{\"a\":1}", "{\"b\":[1,{}]}", "[2]",
                                        NULL });
    /* Braces and quotes inside strings do not count. */
    assert_split("{\"s\":\"}]{[\\\"\"}",
                 (const char *const[]){ "{\"s\":\"}]{[\\\"\"}", NULL });
}

static void test_split_single_quotes(void)
{
    assert_split("{'execute':'it\\'s \"x\"\\n'}",
                 (const char *const[]){
                     "{\"execute\":\"it's \\\"x\\\"\\n\"}", NULL });
}

static void test_split_scalars(void)
{
    assert_split("42 true\n\"s\" 'q' nonsense\r\n",
                 (const char *const[]){ "42", "true", "\"s\"", "\"q\"",
                                        "nonsense", NULL });
    assert_split("} ]@", (const char *const[]){
                     "ERR:JSON parse error, stray '}'",
                     "ERR:JSON parse error, stray ']'",
                     "ERR:JSON parse error, stray '@'", NULL });
}

#define STRAY_FF "ERR:JSON parse error, stray byte 0xFF"
#define BAD_UTF8 "ERR:JSON parse error, invalid UTF-8 sequence in string"

/*
 * Bytes that cannot appear where they are: an error at once (no newline
 * needed), the value dropped, input skipped to a sync point ('{', '[',
 * '}', ']', a control character, 0xFE/0xFF), then business as usual.
 */
static void test_split_lexical_errors(void)
{
    /* An open object and 0xFF: answered without waiting for more. */
    assert_split("{\xff", (const char *const[]){ STRAY_FF, NULL });
    assert_split("{\"execute\": \xff{\"a\":1}",
                 (const char *const[]){ STRAY_FF, "{\"a\":1}", NULL });
    /* A control character outside strings; one inside. */
    assert_split("[1,\x01 2]{}", (const char *const[]){
                     "ERR:JSON parse error, stray byte 0x01",
                     "ERR:JSON parse error, stray ']'", "{}", NULL });
    assert_split("{\"a\":\"x\ty\"}\n{}", (const char *const[]){
                     "ERR:JSON parse error, control character 0x09 in "
                     "string", "ERR:JSON parse error, stray '}'", "{}", NULL });
    /* Punctuation JSON never uses; skipped up to the next '{'. */
    assert_split("{\"a\": @garbage, 1}{\"b\":2}", (const char *const[]){
                     "ERR:JSON parse error, stray '@'",
                     "ERR:JSON parse error, stray '}'", "{\"b\":2}", NULL });
    /* Every 0xFE/0xFF is an error of its own: clients reset with them. */
    assert_split("\xff\xfe\xff{}", (const char *const[]){
                     STRAY_FF, "ERR:JSON parse error, stray byte 0xFE",
                     STRAY_FF, "{}", NULL });
    /* A newline ends the skipping too. */
    assert_split("#x y z\n42 ", (const char *const[]){
                     "ERR:JSON parse error, stray '#'", "42", NULL });
    /* NUL is a control character, inside a bare word as well. */
    assert_split_len("tr\0ue {}", 8, (const char *const[]){
                         "tr", "ERR:JSON parse error, stray byte 0x00", "{}",
                         NULL });
}

static void test_split_utf8(void)
{
    /* Valid sequences of every length pass through untouched. */
    assert_split("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
                 (const char *const[]){
                     "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
                     NULL });
    /* Invalid ones fail at the byte that makes them invalid. */
    static const char *const bad[] = {
        "[\"\x80\"]",              /* a lone continuation byte */
        "[\"\xc3(\"]",             /* a missing continuation */
        "[\"\xc0\xaf\"]",           /* overlong '/' */
        "[\"\xe0\x80\xaf\"]",       /* overlong, three bytes */
        "[\"\xed\xa0\x80\"]",       /* a UTF-16 surrogate */
        "[\"\xf4\x90\x80\x80\"]",   /* beyond U+10FFFF */
        "[\"\xf8\x88\x80\x80\x80\"]", /* five bytes */
        "[\"\xc3\"]",              /* cut by the closing quote */
        "['\xe2\x82']",             /* single quotes too */
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *input = g_strconcat(bad[i], "{}", NULL);

        assert_split(input, (const char *const[]){
                         BAD_UTF8, "ERR:JSON parse error, stray ']'", "{}",
                         NULL });
    }
}

/* One error for a value over a limit, then the stream is in step again. */
static void test_split_limits(void)
{
    g_autoptr(GString) deep = g_string_new(NULL);
    g_autoptr(GString) big = g_string_new("{\"s\":\"");
    g_autoptr(GPtrArray) got = NULL;

    for (int i = 0; i < QMP_MAX_NESTING + 10; i++) {
        g_string_append(deep, "[{\"x\":");
    }
    g_string_append(deep, "\"]}]}\"");
    for (int i = 0; i < QMP_MAX_NESTING + 10; i++) {
        g_string_append(deep, "}]");
    }
    g_string_append(deep, "{\"ok\":1}");
    got = split(deep->str, deep->len, 4096);
    g_assert_cmpuint(got->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(got, 0), ==,
                    "ERR:JSON nesting depth limit exceeded");
    g_assert_cmpstr(g_ptr_array_index(got, 1), ==, "{\"ok\":1}");
    g_clear_pointer(&got, g_ptr_array_unref);

    g_string_set_size(big, QMP_MAX_MESSAGE_SIZE + 100);
    memset(big->str + 6, 'A', big->len - 6);
    g_string_append(big, "\"}[1]");
    got = split(big->str, big->len, 65536);
    g_assert_cmpuint(got->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(got, 0), ==,
                    "ERR:JSON token size limit exceeded");
    g_assert_cmpstr(g_ptr_array_index(got, 1), ==, "[1]");
}

/* A detached monitor fed bytes answers as on the wire: CRLF lines. */
static void test_monitor_feed(void)
{
    static const char input[] = "{\"execute\":\"qmp_capa"
                                "bilities\"}\r\n{\"execute\":\"query-"
                                "version\",\"id\":7}{\xff";
    Monitor *mon = qmp_monitor_new_detached();
    g_autoptr(GString) out = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;

    for (size_t off = 0; off < strlen(input); off += 5) {
        g_autofree char *text = NULL;

        qmp_monitor_feed(mon, input + off, MIN(5, strlen(input) - off));
        text = qmp_monitor_take_output(mon);
        g_string_append(out, text);
    }
    lines = g_strsplit(out->str, "\r\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 4);
    g_assert_cmpstr(lines[0], ==, "{\"return\":{}}");
    g_assert_true(g_str_has_prefix(lines[1], "{\"return\":{\"qemu\":"));
    g_assert_true(g_str_has_suffix(lines[1], ",\"id\":7}"));
    g_assert_cmpstr(lines[2], ==, "{\"error\":{\"class\":\"GenericError\","
                    "\"desc\":\"JSON parse error, stray byte 0xFF\"}}");
    g_assert_cmpstr(lines[3], ==, "");
    qmp_monitor_free_detached(mon);
}

/*
 * Escapes json-glib takes but QEMU does not: refused, the reply stays
 * valid UTF-8 (an octal escape became a raw 0x92 in an error's echo),
 * and the monitor goes on.
 */
static void test_monitor_escapes(void)
{
    static const char input[] =
        "{\"execute\":\"qmp_capabilities\"}"
        "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"x\\222\"}}"
        "{\"execute\":\"query-status\",\"id\":\"\\udc00\"}"
        "{'execute':'query-status','id':'\\u00e9'}"
        /* an id is echoed: json-glib would write -inf as "-inf.0" */
        "{\"execute\":\"query-status\",\"id\":[2.5,-3e4777]}"
        "{\"execute\":\"query-status\",\"id\":010}";
    Monitor *mon = qmp_monitor_new_detached();
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;

    qmp_monitor_feed(mon, input, strlen(input));
    out = qmp_monitor_take_output(mon);
    g_assert_true(g_utf8_validate(out, -1, NULL));
    lines = g_strsplit(out, "\r\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 7);
    g_assert_cmpstr(lines[1], ==, "{\"error\":{\"class\":\"GenericError\","
                    "\"desc\":\"JSON parse error, invalid escape sequence in "
                    "string\"}}");
    g_assert_cmpstr(lines[2], ==, "{\"error\":{\"class\":\"GenericError\","
                    "\"desc\":\"JSON parse error, \\\\uDC00 is not a valid "
                    "Unicode character in a string\"}}");
    g_assert_true(g_str_has_prefix(lines[3], "{\"return\":{"));
    g_assert_true(g_str_has_suffix(lines[3], ",\"id\":\"\xc3\xa9\"}"));
    g_assert_cmpstr(lines[4], ==, "{\"error\":{\"class\":\"GenericError\","
                    "\"desc\":\"JSON parse error, number '-3e4777' out of "
                    "range\"}}");
    g_assert_cmpstr(lines[5], ==, "{\"error\":{\"class\":\"GenericError\","
                    "\"desc\":\"JSON parse error, invalid number '010'\"}}");
    qmp_monitor_free_detached(mon);
}

/* Dispatch */

static JsonObject *run(Monitor *mon, const char *json)
{
    JsonObject *r = qmp_dispatch_text(mon, json, strlen(json));

    g_assert_nonnull(r);
    return r;
}

static void assert_error(Monitor *mon, const char *json, const char *cls,
                         const char *desc)
{
    g_autoptr(JsonObject) r = run(mon, json);
    JsonObject *err = json_object_get_object_member(r, "error");

    g_assert_nonnull(err);
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, cls);
    g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==, desc);
}

static void test_dispatch_negotiation(void)
{
    Monitor *mon = qmp_monitor_new_detached();
    g_autoptr(JsonObject) ok = NULL;

    assert_error(mon, "{\"execute\":\"query-version\"}", "CommandNotFound",
                 "Expecting capabilities negotiation with "
                 "'qmp_capabilities'");
    assert_error(mon, "[]", "GenericError",
                 "QMP input must be a JSON object");
    ok = run(mon, "{\"execute\":\"qmp_capabilities\",\"id\":{\"n\":1}}");
    g_assert_true(json_object_has_member(ok, "return"));
    g_assert_cmpint(json_object_get_int_member(
                        json_object_get_object_member(ok, "id"), "n"), ==, 1);
    g_assert_true(qmp_monitor_negotiated(mon));
    assert_error(mon, "{\"execute\":\"qmp_capabilities\"}", "CommandNotFound",
                 "Capabilities negotiation is already complete, command "
                 "ignored");
    qmp_monitor_free_detached(mon);
}

static void test_dispatch_checks(void)
{
    Monitor *mon = qmp_monitor_new_detached();
    g_autoptr(JsonObject) r = NULL;

    json_object_unref(run(mon, "{\"execute\":\"qmp_capabilities\"}"));
    assert_error(mon, "{\"id\":1}", "GenericError",
                 "QMP input lacks member 'execute'");
    assert_error(mon, "{\"execute\":[]}", "GenericError",
                 "QMP input member 'execute' must be a string");
    assert_error(mon, "{\"execute\":\"x\",\"arguments\":1}", "GenericError",
                 "QMP input member 'arguments' must be an object");
    assert_error(mon, "{\"execute\":\"x\",\"control\":{}}", "GenericError",
                 "QMP input member 'control' is unexpected");
    assert_error(mon, "{\"execute\":\"x\"}", "CommandNotFound",
                 "The command x has not been found");
    assert_error(mon, "{\"execute\":\"getfd\"}", "GenericError",
                 "Parameter 'fdname' is missing");
    assert_error(mon, "{\"execute\":\"getfd\",\"arguments\":"
                 "{\"fdname\":true}}", "GenericError",
                 "Invalid parameter type for 'fdname', expected: string");
    assert_error(mon, "{\"execute\":\"getfd\",\"arguments\":"
                 "{\"fdname\":\"a\",\"b\":1}}", "GenericError",
                 "Parameter 'b' is unexpected");
    assert_error(mon, "{\"execute\":\"getfd\",\"arguments\":"
                 "{\"fdname\":\"a\"}}", "GenericError",
                 "No file descriptor supplied via SCM_RIGHTS");
    r = run(mon, "{\"execute\":\"query-target\"}");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(r, "return"), "arch"),
                    ==, "x86_64");
    qmp_monitor_free_detached(mon);
}

/* monitor_fd_param: a getfd name (handed over once) or a number. */
static void test_fd_param(void)
{
    Monitor *mon = qmp_monitor_new_detached();
    Error *err = NULL;
    int fds[2];

    g_assert_cmpint(pipe(fds), ==, 0);
    g_assert_true(monitor_add_fd(mon, "vfio0", fds[0], &error_abort));
    g_assert_false(monitor_add_fd(mon, "0bad", fds[1], &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Parameter 'fdname' expects "
                    "a name not starting with a digit");
    error_free_or_abort(&err);
    g_assert_cmpint(monitor_fd_param(mon, "vfio0", &error_abort), ==,
                    fds[0]);
    g_assert_cmpint(monitor_fd_param(mon, "vfio0", &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "File descriptor named 'vfio0' has not been found");
    error_free_or_abort(&err);
    g_assert_cmpint(monitor_fd_param(mon, "23", &error_abort), ==, 23);
    g_assert_cmpint(monitor_fd_param(NULL, "23", &error_abort), ==, 23);
    g_assert_cmpint(monitor_fd_param(NULL, "vfio0", &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid file descriptor number 'vfio0'");
    error_free_or_abort(&err);
    g_assert_cmpint(monitor_fd_param(mon, "12x", &err), ==, -1);
    error_free_or_abort(&err);
    close(fds[0]);
    close(fds[1]);
    qmp_monitor_free_detached(mon);
}

/* Every type the schema names is in it; every command is in it. */
static void test_schema_complete(void)
{
    g_autoptr(JsonNode) schema = qmp_schema_build();
    JsonArray *arr = json_node_get_array(schema);
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) cmds = qmp_command_list();

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);

        g_assert_true(g_hash_table_add(
            names, (gpointer)json_object_get_string_member(e, "name")));
    }
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);
        const char *keys[] = { "arg-type", "ret-type", "element-type" };

        for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
            const char *ref = json_object_get_string_member_with_default(
                                  e, keys[k], NULL);

            g_assert_true(!ref || g_hash_table_contains(names, ref));
        }
    }
    for (guint i = 0; i < cmds->len; i++) {
        const QmpCommandDef *def = g_ptr_array_index(cmds, i);

        g_assert_true(g_hash_table_contains(names, def->name));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/split/messages", test_split_messages);
    g_test_add_func("/qmp/split/single-quotes", test_split_single_quotes);
    g_test_add_func("/qmp/split/scalars", test_split_scalars);
    g_test_add_func("/qmp/split/limits", test_split_limits);
    g_test_add_func("/qmp/split/lexical-errors", test_split_lexical_errors);
    g_test_add_func("/qmp/split/utf8", test_split_utf8);
    g_test_add_func("/qmp/monitor-feed", test_monitor_feed);
    g_test_add_func("/qmp/monitor-escapes", test_monitor_escapes);
    g_test_add_func("/qmp/dispatch/negotiation", test_dispatch_negotiation);
    g_test_add_func("/qmp/dispatch/checks", test_dispatch_checks);
    g_test_add_func("/qmp/fd-param", test_fd_param);
    g_test_add_func("/qmp/schema/complete", test_schema_complete);
    return g_test_run();
}
