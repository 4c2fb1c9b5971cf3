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

/* The one member "n" of @json, parsed, written back by json-glib. */
static char *number_text(const char *json)
{
    g_autoptr(JsonParser) p = qemu_json_parse(json, -1, &error_abort);
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    g_autoptr(JsonGenerator) g = json_generator_new();

    json_generator_set_root(g, json_object_get_member(o, "n"));
    return json_generator_to_data(g, NULL);
}

static void test_numbers_accepted(void)
{
    static const struct { const char *json, *value; } ok[] = {
        { "{\"n\":0}", "0" },
        { "{\"n\":-0}", "0" },
        { "{\"n\":-12}", "-12" },
        { "{\"n\":1.5e2}", "150.0" },
        { "{\"n\":-2.5E-1}", "-0.25" },
        { "{\"n\":1e-400}", "0.0" },         /* underflow: a finite 0 */
        { "{\"n\":9223372036854775807}", "9223372036854775807" },
        { "{\"n\":-9223372036854775808}", "-9223372036854775808" },
        /* uint64's top half keeps its bits in an int64 */
        { "{\"n\":18446744073709551615}", "-1" },
        { "{'s':'1e400 010','n':7}", "7" },  /* numbers in strings are text */
        { "{\"s\":\"it's 0x10\",\"n\":8}", "8" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_autofree char *v = number_text(ok[i].json);

        g_assert_cmpstr(v, ==, ok[i].value);
    }
}

static void test_numbers_refused(void)
{
    static const struct { const char *num, *why; } bad[] = {
        /* json-glib would read these as 8, 16, 0.5, 1.0 */
        { "010", "invalid number '010'" },
        { "0x10", "invalid number '0x10'" },
        { ".5", "invalid number '.5'" },
        { "1.", "invalid number '1.'" },
        { "1e", "invalid number '1e'" },
        { "-", "invalid number '-'" },
        { "-Infinity", "invalid number '-Infinity'" },
        /* json-glib would wrap these, or write inf back as "inf.0" */
        { "18446744073709551616", "number '18446744073709551616' out of "
          "range" },
        { "-9223372036854775809", "number '-9223372036854775809' out of "
          "range" },
        { "99999999999999999999999", "number '99999999999999999999999' "
          "out of range" },
        { "1e400", "number '1e400' out of range" },
        { "-3e4777", "number '-3e4777' out of range" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *json = g_strdup_printf("{\"n\":[1,%s]}",
                                                bad[i].num);
        g_autofree char *why = g_strconcat("JSON parse error, ", bad[i].why,
                                           NULL);

        assert_refused(json, why);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/escapes/accepted", test_escapes_accepted);
    g_test_add_func("/json/escapes/refused", test_escapes_refused);
    g_test_add_func("/json/errors-are-utf8", test_json_errors_are_utf8);
    g_test_add_func("/json/numbers/accepted", test_numbers_accepted);
    g_test_add_func("/json/numbers/refused", test_numbers_refused);
    return g_test_run();
}
