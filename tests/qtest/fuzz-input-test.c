/*
 * Robustness against hostile input, with a seeded PRNG (the seed is
 * printed; set QTEST_FUZZ_SEED to replay):
 *  - thousands of random and malformed qtest lines against one running
 *    instance: one reply line each, starting with OK, FAIL or ERR, and
 *    the process never dies;
 *  - a few hundred broken command lines: each run ends by itself with
 *    status 1 (0 for help) and a one-line message, never a signal.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include "libqtest.h"

#define N_LINES 5000
#define N_CMDLINES 300
#define CMDLINE_TIMEOUT_MS 20000

static GRand *rng;
static guint32 fuzz_seed;

/* Each test starts from the seed, so that one can be replayed alone. */
static void fuzz_start(void)
{
    g_rand_set_seed(rng, fuzz_seed);
    g_test_message("fuzz seed %u (QTEST_FUZZ_SEED=%u replays)", fuzz_seed,
                   fuzz_seed);
}

static guint32 rnd(guint32 n)
{
    return g_rand_int_range(rng, 0, n);
}

static const char *pick(const char *const *list, size_t n)
{
    return list[rnd(n)];
}
#define PICK(list) pick(list, ARRAY_SIZE(list))

/* Numbers: mostly plausible, sometimes absurd or not numbers at all. */
static char *rand_number(void)
{
    static const char *const odd[] = {
        "", "0x", "-1", "+1", "0x1g", "08", "1e3", "99999999999999999999999",
        "0xffffffffffffffff", "0x10000000000000000", "-9223372036854775808",
        "9223372036854775807", " 1", "0", "00", "0x00000000000000000001",
        "\xff", "%s%n", "nan",
    };

    switch (rnd(6)) {
    case 0:
        return g_strdup(PICK(odd));
    case 1:
        return g_strdup_printf("%u", rnd(0x10000));
    case 2:
        return g_strdup_printf("0x%" PRIx64, g_rand_int(rng) |
                               (uint64_t)g_rand_int(rng) << 32);
    case 3:
        /* Guest RAM and the PCI hole, where things are. */
        return g_strdup_printf("0x%x", rnd(2) ? 0x100000 + rnd(0x10000)
                                              : 0xE0000000 + rnd(0x20000));
    default:
        return g_strdup_printf("0x%x", rnd(0x100));
    }
}

/*
 * Port numbers that could end the machine on purpose (reset and power
 * control ports, debug exit) are avoided: a clean exit is not a crash
 * but would end the run.
 */
static bool port_is_power_control(uint64_t port)
{
    static const uint16_t ports[] = { 0xcf9, 0x64, 0x92, 0x501, 0x604,
                                      0x600, 0x604, 0xb004, 0x4004, 0x608 };

    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        if (port >= (uint64_t)ports[i] - 3 && port <= (uint64_t)ports[i] + 3) {
            return true;
        }
    }
    return false;
}

static char *rand_junk(size_t max)
{
    size_t len = rnd(max + 1);
    char *s = g_malloc(len + 1);

    for (size_t i = 0; i < len; i++) {
        do {
            s[i] = rnd(256);
        } while (s[i] == '\n');
    }
    s[len] = '\0';
    return s;
}

static char *rand_hex(size_t max)
{
    size_t len = rnd(max + 1);
    GString *s = g_string_new(rnd(8) ? "0x" : "");

    for (size_t i = 0; i < len; i++) {
        g_string_append_c(s, rnd(16) ? "0123456789abcdef"[rnd(16)]
                                     : "gG xZ-"[rnd(6)]);
    }
    return g_string_free(s, FALSE);
}

static char *rand_b64(size_t max)
{
    static const char chars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=*";
    size_t len = rnd(max + 1);
    GString *s = g_string_new(NULL);

    for (size_t i = 0; i < len; i++) {
        g_string_append_c(s, chars[rnd(sizeof(chars) - 1)]);
    }
    return g_string_free(s, FALSE);
}

static const char *const commands[] = {
    "outb", "outw", "outl", "inb", "inw", "inl", "writeb", "writew",
    "writel", "writeq", "readb", "readw", "readl", "readq", "read", "write",
    "b64read", "b64write", "memset", "endianness", "clock_step",
    "clock_set", "irq_intercept_in", "irq_intercept_out", "set_irq_in",
    "module_load",
};

static char *rand_arg(const char *cmd, int i)
{
    static const char *const paths[] = {
        "ioapic", "/machine/ioapic", "/machine", "/", "", "//", "/machine/..",
        "unnamed-gpio-in", "/machine/peripheral-anon/device[0]", "pcie.0",
    };

    if (!strcmp(cmd, "write") && i == 2) {
        return rand_hex(rnd(10) ? 16 : 300);
    }
    if (!strcmp(cmd, "b64write") && i == 2) {
        return rand_b64(rnd(10) ? 16 : 300);
    }
    if ((g_str_has_prefix(cmd, "irq_") || !strcmp(cmd, "set_irq_in")) &&
        i < 2) {
        return g_strdup(PICK(paths));
    }
    if ((g_str_has_prefix(cmd, "read") || g_str_has_prefix(cmd, "write") ||
         !strcmp(cmd, "memset") || g_str_has_prefix(cmd, "b64")) && i == 1 &&
        rnd(4)) {
        /* Sizes: small, or far beyond the limit. */
        return rnd(8) ? g_strdup_printf("0x%x", rnd(0x200))
                      : g_strdup_printf("0x%x", 0x10000000 + rnd(100));
    }
    if (!strcmp(cmd, "clock_step") && rnd(2)) {
        return g_strdup_printf("%u", rnd(1000000));
    }
    return rand_number();
}

static char *rand_command_line(void)
{
    const char *cmd = PICK(commands);
    GString *line = g_string_new(cmd);
    int nargs = rnd(6);

    for (int i = 0; i < nargs; i++) {
        g_autofree char *arg = rand_arg(cmd, i);

        g_string_append_c(line, ' ');
        g_string_append(line, arg);
    }
    return g_string_free(line, FALSE);
}

/* A line that is safe to send (see port_is_power_control). */
static char *rand_line(void)
{
    for (;;) {
        char *line;
        g_auto(GStrv) words = NULL;

        switch (rnd(10)) {
        case 0:
            line = rand_junk(rnd(20) ? 40 : 5000);
            break;
        case 1:
            line = g_strdup_printf("%s%s", PICK(commands), rnd(2) ? " " : "");
            break;
        default:
            line = rand_command_line();
            break;
        }
        words = g_strsplit(line, " ", 3);
        if (words[0] && words[1] && g_str_has_prefix(words[0], "out")) {
            uint64_t port = g_ascii_strtoull(words[1], NULL, 0);

            if (port_is_power_control(port & 0xffff)) {
                g_free(line);
                continue;
            }
        }
        return line;
    }
}

static void check_reply(const char *line, const char *reply)
{
    if (!g_str_has_prefix(reply, "OK") && !g_str_has_prefix(reply, "FAIL") &&
        !g_str_has_prefix(reply, "ERR")) {
        g_error("reply '%.200s' to '%.200s' is not OK/FAIL/ERR", reply, line);
    }
}

static void test_fuzz_lines(void)
{
    QTestState *s = qtest_init("-m 128 -device qvfio-test-pci,addr=3.0");
    int counts[3] = { 0 };
    g_autofree char *huge = NULL;
    char *reply;

    fuzz_start();
    for (int i = 0; i < N_LINES; i++) {
        g_autofree char *line = rand_line();

        reply = qtest_raw_len(s, line, strlen(line));
        check_reply(line, reply);
        counts[reply[0] == 'O' ? 0 : reply[0] == 'F' ? 1 : 2]++;
        g_free(reply);
    }
    /* Now and then a line over the length limit, then back in sync. */
    huge = g_malloc0(17 * 1024 * 1024);
    memset(huge, 'x', 17 * 1024 * 1024 - 1);
    reply = qtest_raw(s, huge);
    g_assert_cmpstr(reply, ==, "FAIL line too long");
    g_free(reply);
    reply = qtest_raw(s, "endianness");
    g_assert_cmpstr(reply, ==, "OK little");
    g_free(reply);

    g_test_message("replies: %d OK, %d FAIL, %d ERR", counts[0], counts[1],
                   counts[2]);
    g_assert_cmpint(counts[0], >, 0);
    g_assert_cmpint(counts[1], >, 0);
    g_assert(qtest_alive(s));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Command lines */

static const char *const junk_words[] = {
    "", ",", ",,", "=", "==", "a=", "=b", "help,", "{", "}", "{\"", "[]",
    "\\", "'", "\"", "-", "--", "0", "-1", "1x", "0x", "on", "off", "null",
    "\xff\xfe", "%s%s%s", "../../../../etc/passwd", "a,b=c,,d",
};

static char *rand_word(void)
{
    switch (rnd(3)) {
    case 0:
        return g_strdup(PICK(junk_words));
    case 1: {
        g_autofree char *junk = rand_junk(12);
        GString *s = g_string_new(NULL);

        for (char *p = junk; *p; p++) {
            if (*p) {
                g_string_append_c(s, *p);
            }
        }
        return g_string_free(s, FALSE);
    }
    default:
        return g_strdup_printf("%s%s=%s", rnd(2) ? "" : "x-",
                               PICK(junk_words), PICK(junk_words));
    }
}

/* One argument vector with exactly one thing wrong in it. */
static GPtrArray *rand_bad_argv(void)
{
    static const char *const device_json[] = {
        "{", "{\"driver\":", "{\"driver\":}", "{\"driver\":\"no-such\"}",
        "{\"id\":\"x\"}", "{\"driver\":\"qvfio-test-pci\",\"addr\":[1]}",
        "{\"driver\":\"qvfio-test-pci\",\"addr\":\"0x99\"}",
        "{\"driver\":\"qvfio-test-pci\",\"msix-vectors\":\"many\"}",
        "{\"driver\":\"qvfio-test-pci\"}}", "[1,2]", "{\"driver\":1}",
        "{\"driver\":\"qvfio-test-pci\",\"bus\":\"nope\"}",
    };
    static const char *const device_kv[] = {
        "qvfio-test-pci,addr=32.0", "qvfio-test-pci,addr=3.8",
        "qvfio-test-pci,addr=x", "qvfio-test-pci,msix-vectors=-1",
        "qvfio-test-pci,msix-vectors=100000", "qvfio-test-pci,msi64=maybe",
        "qvfio-test-pci,,", "qvfio-test-pci,=1", "qvfio-test-pci,nosuch=1",
        "no-such-device", "", ",", "qvfio-test-pci,bus=nope",
        "qvfio-test-pci,id=", "qvfio-test-pci,addr=3.0,multifunction=2",
    };
    static const char *const mem[] = {
        "foo", "-5", "1x", "0", "99999999999999999999G", "1.5.5G", "",
        "size=", "size=abc", "256M,slots=x", "1E", "16T,maxmem=1",
    };
    static const char *const machine[] = {
        "nosuch", "q35,nosuch=on", "q35,accel=nosuch", ",", "q35,,",
        "type=", "q35,accel=qtest,accel=", "=q35", "q35,help=x=y",
    };
    static const char *const safe[] = {
        "-display none", "-nodefaults", "-m 256", "-S", "-no-user-config",
    };
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    int nsafe = rnd(3);
    int kind = rnd(6);

    for (int i = 0; i < nsafe; i++) {
        g_ptr_array_add(argv, g_strdup(PICK(safe)));
    }
    switch (kind) {
    case 0: {
        g_autofree char *w = rand_word();
        g_autofree char *name = NULL;

        /* Letters only, so that it cannot be a real option. */
        name = g_strdup_printf("-%s%c%c%c", rnd(2) ? "-" : "",
                               'q' + rnd(4), 'a' + rnd(26), 'a' + rnd(26));
        g_ptr_array_add(argv, g_strdup_printf("%s-zz", name));
        g_ptr_array_add(argv, g_shell_quote(w));
        break;
    }
    case 1:
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, g_shell_quote(PICK(device_json)));
        break;
    case 2:
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, g_shell_quote(PICK(device_kv)));
        break;
    case 3:
        g_ptr_array_add(argv, g_strdup("-m"));
        g_ptr_array_add(argv, g_shell_quote(PICK(mem)));
        break;
    case 4:
        g_ptr_array_add(argv, g_strdup(rnd(2) ? "-machine" : "-M"));
        g_ptr_array_add(argv, g_shell_quote(PICK(machine)));
        break;
    default: {
        /* A known option with a broken key=value list. */
        static const char *const opts[] = {
            "-object", "-chardev", "-global", "-accel", "-mon", "-name",
        };
        g_autofree char *w1 = rand_word();
        g_autofree char *value = g_strdup_printf("%s,%s", w1, w1);

        g_ptr_array_add(argv, g_strdup(PICK(opts)));
        g_ptr_array_add(argv, g_shell_quote(rnd(4) ? value : ","));
        break;
    }
    }
    /*
     * Device errors need a PCI bus, so those run q35; if a command line
     * turns out to be valid after all, qtest on an empty stdin ends it.
     */
    if (kind == 1 || kind == 2) {
        g_ptr_array_add(argv, g_strdup("-accel qtest"));
    } else if (kind != 4) {
        g_ptr_array_add(argv, g_strdup("-machine none"));
    }
    g_ptr_array_add(argv, g_strdup("-qtest stdio -qtest-log none"));
    return argv;
}

static char *join_argv(GPtrArray *argv)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < argv->len; i++) {
        g_string_append_printf(s, "%s%s", i ? " " : "",
                               (char *)g_ptr_array_index(argv, i));
    }
    return g_string_free(s, FALSE);
}

static void test_fuzz_cmdline(void)
{
    int exits[2] = { 0 };

    fuzz_start();
    /* under valgrind each run costs a second or more: fewer of them */
    for (unsigned i = 0; i < N_CMDLINES / qtest_slow_factor(); i++) {
        g_autoptr(GPtrArray) argv = rand_bad_argv();
        g_autofree char *args = join_argv(argv);
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_auto(GStrv) lines = NULL;
        int status;

        if (!qtest_run_binary_timeout(qtest_binary(), args, NULL, &out, &err,
                                      &status, CMDLINE_TIMEOUT_MS)) {
            g_error("'%s' did not exit within %d s", args,
                    CMDLINE_TIMEOUT_MS / 1000);
        }
        if (WIFSIGNALED(status)) {
            g_error("'%s' was killed by signal %d; stderr: %s", args,
                    WTERMSIG(status), err);
        }
        g_assert(WIFEXITED(status));
        if (strstr(err, "runtime error:") || strstr(err, "Sanitizer")) {
            g_error("'%s': sanitizer report: %s", args, err);
        }
        if (WEXITSTATUS(status) == 0) {
            /* Help, or valid after all: qtest saw EOF on stdin. */
            g_test_message("exit 0: %s", args);
            exits[0]++;
            continue;
        }
        if (WEXITSTATUS(status) != 1) {
            g_error("'%s' exited with %d (want 1); stderr: %s", args,
                    WEXITSTATUS(status), err);
        }
        exits[1]++;
        lines = g_strsplit(g_strchomp(err), "\n", 0);
        if (g_strv_length(lines) != 1 || !*lines[0]) {
            g_error("'%s': want one line of error, got: '%s'", args, err);
        }
    }
    g_test_message("command lines: %d exit 0, %d exit 1", exits[0],
                   exits[1]);
    g_assert_cmpint(exits[1], >, exits[0]);
}

int main(int argc, char **argv)
{
    const char *env_seed = getenv("QTEST_FUZZ_SEED");
    guint32 seed = env_seed ? strtoul(env_seed, NULL, 0) : g_random_int();
    int ret;

    g_test_init(&argc, &argv, NULL);
    qtest_binary();
    rng = g_rand_new_with_seed(seed);
    fuzz_seed = seed;
    g_test_add_func("/fuzz/qtest-lines", test_fuzz_lines);
    g_test_add_func("/fuzz/cmdline", test_fuzz_cmdline);
    ret = g_test_run();
    g_rand_free(rng);
    return ret;
}
