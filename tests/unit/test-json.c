/*
 * qemu_json_parse(): json-glib plus QEMU's rules for strings.
 */
#include "qemu/osdep.h"
#include "qemu/json.h"

/* The one string member "s" of @json, parsed. */
static char *parse_s(const char *json)
{
    g_autoptr(JsonParser) p = qemu_json_parse(json, -1, &error_abort);
    JsonObject *o = json_node_get_object(json_parser_get_root(p));

    return g_strdup(json_object_get_string_member(o, "s"));
}

static void assert_refused(const char *json, const char *why)
{
    Error *err = NULL;

    g_assert_null(qemu_json_parse(json, -1, &err));
    g_assert_nonnull(err);
    g_assert_true(g_utf8_validate(error_get_pretty(err), -1, NULL));
    g_assert_cmpstr(error_get_pretty(err), ==, why);
    error_free(err);
}

static void test_escapes_accepted(void)
{
    static const struct { const char *json, *value; } ok[] = {
        { "{\"s\":\"a\\\"b\\\\c\\/d\"}", "a\"b\\c/d" },
        { "{\"s\":\"\\b\\f\\n\\r\\t\"}", "\b\f\n\r\t" },
        { "{\"s\":\"\\u00e9\\u20AC\"}", "\xc3\xa9\xe2\x82\xac" },
        { "{\"s\":\"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80" },
        { "{\"s\":\"x\\\\u0000\"}", "x\\u0000" },   /* an escaped backslash */
        { "{\"\\\\\":1,\"s\":\"\\\\\"}", "\\" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_autofree char *v = parse_s(ok[i].json);

        g_assert_cmpstr(v, ==, ok[i].value);
    }
}

static void test_escapes_refused(void)
{
    const char *bad_escape = "JSON parse error, invalid escape sequence "
                             "in string";
    const char *bad_hex = "JSON parse error, invalid hex escape sequence "
                          "in string";

    /* json-glib would make 0x92 of an octal escape */
    assert_refused("{\"s\":\"\\222\"}", bad_escape);
    assert_refused("{\"s\":\"\\x41\"}", bad_escape);
    assert_refused("{\"s\":\"\\a\"}", bad_escape);
    assert_refused("{\"s\":\"\\", bad_escape);
    assert_refused("{\"s\":\"\\u12G4\"}", bad_hex);
    assert_refused("{\"s\":\"\\u12", bad_hex);
    /* a lone low surrogate came out as invalid UTF-8 */
    assert_refused("{\"s\":\"\\udc00\"}", "JSON parse error, \\uDC00 is "
                   "not a valid Unicode character in a string");
    assert_refused("{\"s\":\"\\ud800\\u0041\"}", "JSON parse error, "
                   "\\uD800 is not a valid Unicode character in a string");
    assert_refused("{\"s\":\"\\ud800\"}", "JSON parse error, \\uD800 is "
                   "not a valid Unicode character in a string");
    /* json-glib would cut the string there */
    assert_refused("{\"s\":\"a\\u0000b\"}", "JSON parse error, \\u0000 is "
                   "not a valid Unicode character in a string");
    assert_refused("{\"s\":\"\xc3\x28\"}",
                   "JSON parse error, invalid UTF-8 sequence");
}

static void test_json_errors_are_utf8(void)
{
    Error *err = NULL;

    /* json-glib's message quotes the text, cut mid-character */
    g_assert_null(qemu_json_parse("{\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
                                  "\xe2\x82\xac\xe2\x82\xac\": }", -1, &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "JSON parse error, "));
    g_assert_true(g_utf8_validate(error_get_pretty(err), -1, NULL));
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/escapes/accepted", test_escapes_accepted);
    g_test_add_func("/json/escapes/refused", test_escapes_refused);
    g_test_add_func("/json/errors-are-utf8", test_json_errors_are_utf8);
    return g_test_run();
}
