/*
 * QemuOpts syntax and value parsers.
 */
#include "qemu/osdep.h"
#include "qemu/option.h"

/* Parse that must succeed. */
static QemuOpts *parse_ok(const char *params, const char *implied)
{
    Error *err = NULL;
    QemuOpts *opts = qemu_opts_parse(params, implied, &err);

    g_assert_null(err);
    g_assert_nonnull(opts);
    return opts;
}

/* Parse that must fail with exactly @msg. */
static void parse_fails(const char *params, const char *implied,
                        const char *msg)
{
    Error *err = NULL;

    g_assert_null(qemu_opts_parse(params, implied, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static const char *key_at(QemuOpts *opts, guint i)
{
    return ((QemuOpt *)g_ptr_array_index(opts->opts, i))->key;
}

static const char *value_at(QemuOpts *opts, guint i)
{
    return ((QemuOpt *)g_ptr_array_index(opts->opts, i))->value;
}

static void test_basic(void)
{
    QemuOpts *opts = parse_ok("a=1,b=two,c=", NULL);

    g_assert_cmpuint(opts->opts->len, ==, 3);
    g_assert_cmpstr(key_at(opts, 0), ==, "a");
    g_assert_cmpstr(value_at(opts, 1), ==, "two");
    g_assert_cmpstr(qemu_opt_get(opts, "c"), ==, "");
    g_assert_true(qemu_opt_has(opts, "c"));
    g_assert_false(qemu_opt_has(opts, "d"));
    g_assert_null(qemu_opt_get(opts, "d"));
    g_assert_false(opts->help);
    qemu_opts_free(opts);

    /* A value may contain '='. */
    opts = parse_ok("append=console=ttyS0", NULL);
    g_assert_cmpstr(qemu_opt_get(opts, "append"), ==, "console=ttyS0");
    qemu_opts_free(opts);
}

static void test_empty(void)
{
    QemuOpts *opts = parse_ok("", "driver");

    g_assert_cmpuint(opts->opts->len, ==, 0);
    g_assert_false(opts->help);
    qemu_opts_free(opts);

    opts = parse_ok(NULL, NULL);
    g_assert_cmpuint(opts->opts->len, ==, 0);
    qemu_opts_free(opts);
    qemu_opts_free(NULL);
}

static void test_implied(void)
{
    QemuOpts *opts = parse_ok("vfio-pci,host=0000:01:00.0,id=hostdev0",
                              "driver");

    g_assert_cmpuint(opts->opts->len, ==, 3);
    g_assert_cmpstr(key_at(opts, 0), ==, "driver");
    g_assert_cmpstr(value_at(opts, 0), ==, "vfio-pci");
    g_assert_cmpstr(qemu_opt_get(opts, "host"), ==, "0000:01:00.0");
    g_assert_cmpstr(qemu_opt_get(opts, "id"), ==, "hostdev0");
    qemu_opts_free(opts);

    /* The implied key may also be spelled out. */
    opts = parse_ok("driver=e1000,addr=2", "driver");
    g_assert_cmpstr(qemu_opt_get(opts, "driver"), ==, "e1000");
    qemu_opts_free(opts);

    parse_fails("q35", NULL, "Invalid parameter 'q35'");
    parse_fails("vfio-pci,x-no-mmap", "driver",
                "Invalid parameter 'x-no-mmap'");
    parse_fails("a=1,bare", "driver", "Invalid parameter 'bare'");
}

static void test_escapes(void)
{
    QemuOpts *opts = parse_ok("file=a,,b,,,c=d", NULL);

    g_assert_cmpuint(opts->opts->len, ==, 2);
    g_assert_cmpstr(qemu_opt_get(opts, "file"), ==, "a,b,");
    g_assert_cmpstr(qemu_opt_get(opts, "c"), ==, "d");
    qemu_opts_free(opts);

    /* In the implied value and in keys too. */
    opts = parse_ok("x,,y,k,,ey=v", "name");
    g_assert_cmpstr(qemu_opt_get(opts, "name"), ==, "x,y");
    g_assert_cmpstr(qemu_opt_get(opts, "k,ey"), ==, "v");
    qemu_opts_free(opts);

    opts = parse_ok("v=end,,", NULL);
    g_assert_cmpstr(qemu_opt_get(opts, "v"), ==, "end,");
    qemu_opts_free(opts);
}

static void test_bad_syntax(void)
{
    parse_fails("a=1,", NULL,
                "Trailing ',' in 'a=1,'; write ',,' for a literal comma");
    parse_fails("=v", NULL, "Parameter name missing before '=v' in '=v'");
    parse_fails("a=1,=v", NULL,
                "Parameter name missing before '=v' in 'a=1,=v'");
    parse_fails(",a=1", "driver", "Empty parameter in ',a=1'");
    parse_fails(",", NULL, "Empty parameter in ','");
}

static void test_help(void)
{
    QemuOpts *opts = parse_ok("help", "driver");

    g_assert_true(opts->help);
    g_assert_cmpuint(opts->opts->len, ==, 0);
    qemu_opts_free(opts);

    opts = parse_ok("vfio-pci,help", "driver");
    g_assert_true(opts->help);
    g_assert_cmpstr(qemu_opt_get(opts, "driver"), ==, "vfio-pci");
    qemu_opts_free(opts);

    opts = parse_ok("?", NULL);
    g_assert_true(opts->help);
    qemu_opts_free(opts);

    opts = parse_ok("a=1,?,b=2", NULL);
    g_assert_true(opts->help);
    g_assert_cmpuint(opts->opts->len, ==, 2);
    qemu_opts_free(opts);

    /* "help=..." is an ordinary key. */
    opts = parse_ok("help=x", NULL);
    g_assert_false(opts->help);
    g_assert_cmpstr(qemu_opt_get(opts, "help"), ==, "x");
    qemu_opts_free(opts);
}

static void test_repeated_and_take(void)
{
    QemuOpts *opts = parse_ok("a=1,b=2,a=3", NULL);
    char *v;

    g_assert_cmpstr(qemu_opt_get(opts, "a"), ==, "3");
    v = qemu_opt_take(opts, "a");
    g_assert_cmpstr(v, ==, "3");
    g_free(v);
    g_assert_false(qemu_opt_has(opts, "a"));
    g_assert_cmpuint(opts->opts->len, ==, 1);
    g_assert_null(qemu_opt_take(opts, "a"));
    qemu_opts_free(opts);
}

static void test_check_keys(void)
{
    static const char *const allowed[] = { "driver", "id", "host", NULL };
    QemuOpts *opts = parse_ok("vfio-pci,id=d,host=1", "driver");
    Error *err = NULL;

    g_assert_true(qemu_opts_check_keys(opts, allowed, &error_abort));
    qemu_opts_free(opts);

    opts = parse_ok("vfio-pci,id=d,bogus=1,worse=2", "driver");
    g_assert_false(qemu_opts_check_keys(opts, allowed, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'bogus'");
    error_free(err);
    qemu_opts_free(opts);
}

static void test_bool(void)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };
    static const char *const bad[] = { "", "1", "0", "ON", "onn", "y" };
    Error *err = NULL;
    bool b;

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        b = false;
        g_assert_true(qemu_parse_bool("x", yes[i], &b, &error_abort));
        g_assert_true(b);
    }
    for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
        b = true;
        g_assert_true(qemu_parse_bool("x", no[i], &b, &error_abort));
        g_assert_false(b);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        b = true;
        g_assert_false(qemu_parse_bool("x-no-mmap", bad[i], &b, &err));
        g_assert_true(b);   /* untouched on failure */
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'x-no-mmap' expects 'on' or 'off'");
        error_free_or_abort(&err);
    }
    g_assert_false(qemu_parse_bool("x", NULL, &b, NULL));
}

static uint64_t size_ok(const char *s, char default_suffix)
{
    uint64_t v = 0;

    g_assert_true(qemu_parse_size("size", s, default_suffix, &v,
                                  &error_abort));
    return v;
}

static void size_bad(const char *s, char default_suffix)
{
    Error *err = NULL;
    uint64_t v = 12345;

    g_assert_false(qemu_parse_size("size", s, default_suffix, &v, &err));
    g_assert_cmpuint(v, ==, 12345);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'size' expects a non-negative number "
                    "below 2^64");
    error_free(err);
}

static void test_size_suffixes(void)
{
    g_assert_cmpuint(size_ok("0", 0), ==, 0);
    g_assert_cmpuint(size_ok("4096", 0), ==, 4096);
    g_assert_cmpuint(size_ok("17B", 0), ==, 17);
    g_assert_cmpuint(size_ok("17b", 0), ==, 17);
    g_assert_cmpuint(size_ok("2k", 0), ==, 2048);
    g_assert_cmpuint(size_ok("2K", 0), ==, 2048);
    g_assert_cmpuint(size_ok("3M", 0), ==, 3ULL << 20);
    g_assert_cmpuint(size_ok("3m", 0), ==, 3ULL << 20);
    g_assert_cmpuint(size_ok("5G", 0), ==, 5ULL << 30);
    g_assert_cmpuint(size_ok("5T", 0), ==, 5ULL << 40);
    g_assert_cmpuint(size_ok("7P", 0), ==, 7ULL << 50);
    g_assert_cmpuint(size_ok("15E", 0), ==, 15ULL << 60);
    g_assert_cmpuint(size_ok("0x10", 0), ==, 16);
    g_assert_cmpuint(size_ok("0x10k", 0), ==, 16 << 10);
    g_assert_cmpuint(size_ok("0xffffffffffffffff", 0), ==, UINT64_MAX);
    g_assert_cmpuint(size_ok("18446744073709551615", 0), ==, UINT64_MAX);
    /* Leading zeros are decimal, not octal. */
    g_assert_cmpuint(size_ok("010", 0), ==, 10);
}

static void test_size_default_suffix(void)
{
    /* -m style: a bare number means MiB, an explicit suffix overrides. */
    g_assert_cmpuint(size_ok("512", 'M'), ==, 512ULL << 20);
    g_assert_cmpuint(size_ok("2G", 'M'), ==, 2ULL << 30);
    g_assert_cmpuint(size_ok("100B", 'M'), ==, 100);
    g_assert_cmpuint(size_ok("100", 'B'), ==, 100);
    g_assert_cmpuint(size_ok("1.5", 'M'), ==, 3ULL << 19);
}

static void test_size_fractions(void)
{
    g_assert_cmpuint(size_ok("1.5G", 0), ==, 3ULL << 29);
    g_assert_cmpuint(size_ok("0.5k", 0), ==, 512);
    g_assert_cmpuint(size_ok("1.25M", 0), ==, 5ULL << 18);
    g_assert_cmpuint(size_ok("1.0", 0), ==, 1);
    g_assert_cmpuint(size_ok("15.5E", 0), ==, 31ULL << 59);
    /* Fractions of a byte are rejected. */
    size_bad("1.5", 0);
    size_bad("1.5B", 0);
    size_bad(".5k", 0);
    size_bad("1.k", 0);
    size_bad("1.5e3", 'M');
    size_bad("0x1.8k", 0);
}

static void test_size_bad(void)
{
    Error *err = NULL;
    uint64_t v;

    size_bad("", 0);
    size_bad("-1", 0);
    size_bad("-0", 0);
    size_bad(" 1", 0);
    size_bad("1 ", 0);
    size_bad("k", 0);
    size_bad("1X", 0);
    size_bad("1kB", 0);
    size_bad("1Kib", 0);
    size_bad("0x", 0);
    size_bad("abc", 0);
    size_bad("16E", 0);
    size_bad("18446744073709551616", 0);
    size_bad("16384P", 0);
    size_bad("0x10000000000000000", 0);
    size_bad("15.99999999999999999999E", 0);
    size_bad(NULL, 0);

    /* The hint explains the suffixes, on the same line. */
    g_assert_false(qemu_parse_size("maxmem", "lots", 0, &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'maxmem' expects a non-negative number "
                    "below 2^64");
    GString *out = g_string_new(NULL);
    error_set_progname("prog");
    error_capture_begin(out);
    error_report_err(err);
    error_capture_end();
    g_assert_cmpstr(out->str, ==,
                    "prog: Parameter 'maxmem' expects a non-negative number "
                    "below 2^64. Optional suffix k, M, G, T, P or E means "
                    "kilo-, mega-, giga-, tera-, peta- and exabytes, "
                    "respectively.\n");
    g_string_free(out, TRUE);
}

static uint64_t uint_ok(const char *s, uint64_t max)
{
    uint64_t v = 0;

    g_assert_true(qemu_parse_uint("n", s, max, &v, &error_abort));
    return v;
}

static void uint_bad(const char *s, uint64_t max, const char *msg)
{
    Error *err = NULL;
    uint64_t v = 99;

    g_assert_false(qemu_parse_uint("addr", s, max, &v, &err));
    g_assert_cmpuint(v, ==, 99);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_uint(void)
{
    const char *nonneg = "Parameter 'addr' expects a non-negative integer";

    g_assert_cmpuint(uint_ok("0", 10), ==, 0);
    g_assert_cmpuint(uint_ok("31", 31), ==, 31);
    g_assert_cmpuint(uint_ok("0x1f", 31), ==, 31);
    g_assert_cmpuint(uint_ok("0X1F", 31), ==, 31);
    g_assert_cmpuint(uint_ok("017", 31), ==, 15);
    g_assert_cmpuint(uint_ok("18446744073709551615", UINT64_MAX), ==,
                     UINT64_MAX);

    uint_bad("32", 31,
             "Parameter 'addr' expects a value between 0 and 31, not 32");
    uint_bad("0x20", 31,
             "Parameter 'addr' expects a value between 0 and 31, not 0x20");
    uint_bad("-1", UINT64_MAX, nonneg);
    uint_bad("+1", UINT64_MAX, nonneg);
    uint_bad("", UINT64_MAX, nonneg);
    uint_bad(" 1", UINT64_MAX, nonneg);
    uint_bad("1 ", UINT64_MAX, nonneg);
    uint_bad("08", UINT64_MAX, nonneg);
    uint_bad("0x", UINT64_MAX, nonneg);
    uint_bad("0xg", UINT64_MAX, nonneg);
    uint_bad("12abc", UINT64_MAX, nonneg);
    uint_bad("1.5", UINT64_MAX, nonneg);
    uint_bad("18446744073709551616", UINT64_MAX, nonneg);
    uint_bad(NULL, UINT64_MAX, nonneg);
}

static int64_t int_ok(const char *s, int64_t min, int64_t max)
{
    int64_t v = 0;

    g_assert_true(qemu_parse_int("n", s, min, max, &v, &error_abort));
    return v;
}

static void int_bad(const char *s, int64_t min, int64_t max, const char *msg)
{
    Error *err = NULL;
    int64_t v = 99;

    g_assert_false(qemu_parse_int("bootindex", s, min, max, &v, &err));
    g_assert_cmpint(v, ==, 99);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_int(void)
{
    const char *nan = "Parameter 'bootindex' expects an integer";

    g_assert_cmpint(int_ok("-1", -1, 10), ==, -1);
    g_assert_cmpint(int_ok("+7", -1, 10), ==, 7);
    g_assert_cmpint(int_ok("-0x10", -100, 100), ==, -16);
    g_assert_cmpint(int_ok("-010", -100, 100), ==, -8);
    g_assert_cmpint(int_ok("9223372036854775807", INT64_MIN, INT64_MAX), ==,
                    INT64_MAX);
    g_assert_cmpint(int_ok("-9223372036854775808", INT64_MIN, INT64_MAX), ==,
                    INT64_MIN);

    int_bad("-2", -1, 10,
            "Parameter 'bootindex' expects a value between -1 and 10, not -2");
    int_bad("11", -1, 10,
            "Parameter 'bootindex' expects a value between -1 and 10, not 11");
    int_bad("9223372036854775808", INT64_MIN, INT64_MAX, nan);
    int_bad("-9223372036854775809", INT64_MIN, INT64_MAX, nan);
    int_bad("--1", INT64_MIN, INT64_MAX, nan);
    int_bad("-", INT64_MIN, INT64_MAX, nan);
    int_bad("", INT64_MIN, INT64_MAX, nan);
    int_bad("- 1", INT64_MIN, INT64_MAX, nan);
    int_bad("1x", INT64_MIN, INT64_MAX, nan);
    int_bad("09", INT64_MIN, INT64_MAX, nan);
    int_bad(NULL, INT64_MIN, INT64_MAX, nan);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/option/basic", test_basic);
    g_test_add_func("/option/empty", test_empty);
    g_test_add_func("/option/implied", test_implied);
    g_test_add_func("/option/escapes", test_escapes);
    g_test_add_func("/option/bad-syntax", test_bad_syntax);
    g_test_add_func("/option/help", test_help);
    g_test_add_func("/option/repeated-and-take", test_repeated_and_take);
    g_test_add_func("/option/check-keys", test_check_keys);
    g_test_add_func("/option/bool", test_bool);
    g_test_add_func("/option/size/suffixes", test_size_suffixes);
    g_test_add_func("/option/size/default-suffix", test_size_default_suffix);
    g_test_add_func("/option/size/fractions", test_size_fractions);
    g_test_add_func("/option/size/bad", test_size_bad);
    g_test_add_func("/option/uint", test_uint);
    g_test_add_func("/option/int", test_int);
    return g_test_run();
}
