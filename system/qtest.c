/*
 * The qtest server: QEMU's line protocol, command for command, over a
 * chardev (see docs of qemu:system/qtest.c for the protocol).
 *
 * Unlike QEMU, a malformed request (missing argument, bad number, size
 * out of range) gets a "FAIL <reason>" reply instead of an assertion
 * failure: fuzzers and scripts talk to us too, and must not crash us.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "hw/core/qdev.h"
#include "hw/irq.h"
#include "system/memory.h"
#include "system/chardev.h"
#include "system/qtest.h"

/* Longest request line; a b64write of 12 MiB still fits. */
#define QTEST_MAX_LINE (16 * 1024 * 1024)
/* Largest SIZE for read/write/memset: bounds the reply and our buffers. */
#define QTEST_MAX_SIZE (64 * 1024 * 1024)
static uint64_t qtest_max_size = QTEST_MAX_SIZE;
#define QTEST_MAX_IRQ 256
/* Requests longer than this are logged truncated. */
#define QTEST_LOG_MAX_REQUEST 4096
/* Longest command name echoed in "Unknown command". */
#define QTEST_ECHO_MAX 256

typedef struct QTestCmd QTestCmd;
typedef void QTestHandler(GString *out, char **args, const QTestCmd *cmd);

struct QTestCmd {
    const char *name;
    const char *usage;          /* the arguments, for error replies */
    int min_args;
    int max_args;
    unsigned size;              /* access width, for the sized commands */
    bool needs_qtest_accel;     /* clock commands */
    QTestHandler *handler;
};

static bool qtest_accel_enabled;
static Chardev *qtest_chr;
static FILE *qtest_log_fp;
static bool qtest_log_owned;    /* fclose at cleanup (not stderr) */
static GString *qtest_inbuf;
static bool qtest_discarding;   /* inside an over-long line */
static int64_t qtest_start_us;  /* monotonic time of OPENED */
static GString *qtest_out;      /* replies of the request in progress */
static DeviceState *irq_intercept_dev;
static bool irq_levels[QTEST_MAX_IRQ];

/* Log and output */

static void qtest_log_stamp(char kind)
{
    int64_t us = g_get_monotonic_time() - qtest_start_us;

    fprintf(qtest_log_fp, "[%c +%" PRId64 ".%06" PRId64 "] ", kind,
            us / G_USEC_PER_SEC, us % G_USEC_PER_SEC);
}

static void qtest_log_request(const char *line, size_t len)
{
    if (!qtest_log_fp) {
        return;
    }
    qtest_log_stamp('R');
    if (len > QTEST_LOG_MAX_REQUEST) {
        fprintf(qtest_log_fp, "%.*s... (%zu bytes)\n", QTEST_LOG_MAX_REQUEST,
                line, len);
    } else {
        fprintf(qtest_log_fp, "%.*s\n", (int)len, line);
    }
    fflush(qtest_log_fp);
}

static void qtest_log_sent(const char *text)
{
    if (!qtest_log_fp) {
        return;
    }
    qtest_log_stamp('S');
    fputs(text, qtest_log_fp);
    fflush(qtest_log_fp);
}

/*
 * Send one line (with its newline). During a request it is queued with
 * the reply, so that IRQ lines come before the OK, as in QEMU.
 */
static void qtest_send(GString *out, const char *text)
{
    qtest_log_sent(text);
    if (out) {
        g_string_append(out, text);
    } else if (qtest_chr) {
        qemu_chr_write_all(qtest_chr, text, strlen(text));
    }
}

static void G_GNUC_PRINTF(2, 3) qtest_sendf(GString *out, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(out, text);
}

/* Argument parsing: every failure replies FAIL and returns false. */

static bool parse_u64(GString *out, const char *what, const char *s,
                      uint64_t max, uint64_t *value)
{
    char *end;
    unsigned long long v;

    /* strtoull would also take blanks, signs and an empty string. */
    if (!g_ascii_isdigit(s[0])) {
        qtest_sendf(out, "FAIL invalid %s '%.64s': not a number\n", what, s);
        return false;
    }
    errno = 0;
    v = strtoull(s, &end, 0);
    if (*end) {
        qtest_sendf(out, "FAIL invalid %s '%.64s': not a number\n", what, s);
        return false;
    }
    if (errno == ERANGE || v > max) {
        qtest_sendf(out, "FAIL %s %.64s out of range (max 0x%" PRIx64 ")\n",
                    what, s, max);
        return false;
    }
    *value = v;
    return true;
}

static bool parse_i64(GString *out, const char *what, const char *s,
                      int64_t min, int64_t max, int64_t *value)
{
    char *end;
    long long v;
    const char *digits = s[0] == '-' ? s + 1 : s;

    if (!g_ascii_isdigit(digits[0])) {
        qtest_sendf(out, "FAIL invalid %s '%.64s': not a number\n", what, s);
        return false;
    }
    errno = 0;
    v = strtoll(s, &end, 0);
    if (*end) {
        qtest_sendf(out, "FAIL invalid %s '%.64s': not a number\n", what, s);
        return false;
    }
    if (errno == ERANGE || v < min || v > max) {
        qtest_sendf(out, "FAIL %s %.64s out of range\n", what, s);
        return false;
    }
    *value = v;
    return true;
}

static uint64_t width_max(unsigned size)
{
    return size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static bool check_range(GString *out, uint64_t addr, uint64_t size)
{
    if (size && addr + (size - 1) < addr) {
        qtest_send(out, "FAIL ADDR+SIZE wraps around the address space\n");
        return false;
    }
    return true;
}

/* ADDR SIZE of the buffer commands; @zero_ok for write/memset. */
static bool parse_addr_size(GString *out, char **args, bool zero_ok,
                            uint64_t *addr, uint64_t *size)
{
    if (!parse_u64(out, "ADDR", args[0], UINT64_MAX, addr) ||
        !parse_u64(out, "SIZE", args[1], UINT64_MAX, size)) {
        return false;
    }
    if (!*size && !zero_ok) {
        qtest_send(out, "FAIL SIZE must not be 0\n");
        return false;
    }
    if (*size > qtest_max_size) {
        qtest_sendf(out, "FAIL SIZE %s too large (max 0x%" PRIx64 ")\n",
                    args[1], qtest_max_size);
        return false;
    }
    return check_range(out, *addr, *size);
}

void qtest_set_max_size(uint64_t bytes)
{
    qtest_max_size = MIN(bytes, QTEST_MAX_SIZE);
}

/* Port I/O and sized memory access */

static void qtest_cmd_out(GString *out, char **args, const QTestCmd *cmd)
{
    uint64_t addr, value;

    if (!parse_u64(out, "ADDR", args[0], 0xffff, &addr) ||
        !parse_u64(out, "VALUE", args[1], width_max(cmd->size), &value)) {
        return;
    }
    address_space_write_sized(&address_space_io, addr, cmd->size, value);
    qtest_send(out, "OK\n");
}

static void qtest_cmd_in(GString *out, char **args, const QTestCmd *cmd)
{
    uint64_t addr, value = width_max(cmd->size);

    if (!parse_u64(out, "ADDR", args[0], 0xffff, &addr)) {
        return;
    }
    address_space_read_sized(&address_space_io, addr, cmd->size, &value);
    qtest_sendf(out, "OK 0x%04" PRIx64 "\n", value & width_max(cmd->size));
}

static void qtest_cmd_write_sized(GString *out, char **args,
                                  const QTestCmd *cmd)
{
    uint64_t addr, value;

    if (!parse_u64(out, "ADDR", args[0], UINT64_MAX, &addr) ||
        !parse_u64(out, "VALUE", args[1], width_max(cmd->size), &value) ||
        !check_range(out, addr, cmd->size)) {
        return;
    }
    address_space_write_sized(&address_space_memory, addr, cmd->size, value);
    qtest_send(out, "OK\n");
}

static void qtest_cmd_read_sized(GString *out, char **args,
                                 const QTestCmd *cmd)
{
    /* Nothing mapped reads as all ones, like an unclaimed PCI access. */
    uint64_t addr, value = width_max(cmd->size);

    if (!parse_u64(out, "ADDR", args[0], UINT64_MAX, &addr) ||
        !check_range(out, addr, cmd->size)) {
        return;
    }
    address_space_read_sized(&address_space_memory, addr, cmd->size, &value);
    qtest_sendf(out, "OK 0x%016" PRIx64 "\n", value & width_max(cmd->size));
}

/* Buffers */

static void qtest_cmd_read(GString *out, char **args, const QTestCmd *cmd)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t addr, size;
    static const char prefix[] = "OK 0x";
    const size_t prefix_len = sizeof(prefix) - 1;
    g_autofree uint8_t *buf = NULL;
    g_autofree char *reply = NULL;
    char *hex_out;

    if (!parse_addr_size(out, args, false, &addr, &size)) {
        return;
    }
    buf = g_malloc(size);
    address_space_read(&address_space_memory, addr, buf, size);
    /* Filled in place: a read may be megabytes, two digits per byte. */
    reply = g_malloc(prefix_len + size * 2 + 2);
    memcpy(reply, prefix, prefix_len);
    hex_out = reply + prefix_len;
    for (uint64_t i = 0; i < size; i++) {
        *hex_out++ = hex[buf[i] >> 4];
        *hex_out++ = hex[buf[i] & 0xf];
    }
    *hex_out++ = '\n';
    *hex_out = '\0';
    qtest_send(out, reply);
}

static int hex_nibble(char c)
{
    return g_ascii_xdigit_value(c);
}

static void qtest_cmd_write(GString *out, char **args, const QTestCmd *cmd)
{
    const char *data = args[2];
    size_t data_len = strlen(data), ndigits;
    uint64_t addr, size;
    g_autofree uint8_t *buf = NULL;

    if (data_len < 3) {
        qtest_send(out, "ERR invalid argument size\n");
        return;
    }
    if (!parse_addr_size(out, args, true, &addr, &size)) {
        return;
    }
    if (data[0] != '0' || (data[1] != 'x' && data[1] != 'X')) {
        qtest_send(out, "FAIL DATA must start with 0x\n");
        return;
    }
    ndigits = data_len - 2;
    if (ndigits % 2) {
        qtest_send(out, "FAIL DATA has an odd number of hex digits\n");
        return;
    }
    if (ndigits / 2 > size) {
        qtest_send(out, "FAIL DATA is longer than SIZE\n");
        return;
    }
    /* Short data is zero-filled, as in QEMU. */
    buf = g_malloc0(size);
    for (size_t i = 0; i < ndigits / 2; i++) {
        int hi = hex_nibble(data[2 + 2 * i]);
        int lo = hex_nibble(data[3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            qtest_send(out, "FAIL DATA contains a non-hex character\n");
            return;
        }
        buf[i] = hi << 4 | lo;
    }
    address_space_write(&address_space_memory, addr, buf, size);
    qtest_send(out, "OK\n");
}

static void qtest_cmd_b64read(GString *out, char **args, const QTestCmd *cmd)
{
    uint64_t addr, size;
    g_autofree uint8_t *buf = NULL;
    g_autofree char *b64 = NULL;
    g_autofree char *reply = NULL;

    if (!parse_addr_size(out, args, false, &addr, &size)) {
        return;
    }
    buf = g_malloc(size);
    address_space_read(&address_space_memory, addr, buf, size);
    b64 = g_base64_encode(buf, size);
    reply = g_strconcat("OK ", b64, "\n", NULL);
    qtest_send(out, reply);
}

static bool is_base64(const char *s)
{
    for (; *s; s++) {
        if (!g_ascii_isalnum(*s) && *s != '+' && *s != '/' && *s != '=') {
            return false;
        }
    }
    return true;
}

static void qtest_cmd_b64write(GString *out, char **args,
                               const QTestCmd *cmd)
{
    const char *b64 = args[2];
    uint64_t addr, size;
    g_autofree uint8_t *buf = NULL;
    gsize len;

    if (strlen(b64) < 3) {
        qtest_send(out, "ERR invalid argument size\n");
        return;
    }
    if (!parse_addr_size(out, args, true, &addr, &size)) {
        return;
    }
    if (!is_base64(b64)) {
        qtest_send(out, "FAIL DATA is not valid base64\n");
        return;
    }
    buf = g_base64_decode(b64, &len);
    if (len != size) {
        /* QEMU only logs the mismatch and writes what fits. */
        g_autofree char *msg = g_strdup_printf(
            "b64write: data length mismatch (told %" PRIu64 ", got %zu)\n",
            size, (size_t)len);

        qtest_log_sent(msg);
        len = MIN(len, size);
    }
    address_space_write(&address_space_memory, addr, buf, len);
    qtest_send(out, "OK\n");
}

static void qtest_cmd_memset(GString *out, char **args, const QTestCmd *cmd)
{
    uint64_t addr, size, value;

    if (!parse_addr_size(out, args, true, &addr, &size) ||
        !parse_u64(out, "VALUE", args[2], 0xff, &value)) {
        return;
    }
    if (size) {
        address_space_set(&address_space_memory, addr, value, size);
    }
    qtest_send(out, "OK\n");
}

/* Misc */

static void qtest_cmd_endianness(GString *out, char **args,
                                 const QTestCmd *cmd)
{
    qtest_send(out, "OK little\n");
}

static void qtest_cmd_module_load(GString *out, char **args,
                                  const QTestCmd *cmd)
{
    /* qvfio is built without loadable modules. */
    qtest_send(out, "FAIL\n");
}

/* Virtual clock */

static void qtest_cmd_clock_step(GString *out, char **args,
                                 const QTestCmd *cmd)
{
    int64_t old_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t dest, new_ns;

    if (args[0]) {
        int64_t step;

        if (!parse_i64(out, "NS", args[0], INT64_MIN, INT64_MAX, &step)) {
            return;
        }
        if (step > 0 && step > INT64_MAX - old_ns) {
            qtest_sendf(out, "FAIL NS %s out of range\n", args[0]);
            return;
        }
        dest = old_ns + step;
    } else {
        dest = qemu_clock_next_virtual_deadline();
        if (dest < 0) {
            qtest_send(out, "FAIL cannot advance clock to the next deadline "
                       "because there is no pending deadline\n");
            return;
        }
    }
    qemu_clock_advance_virtual(MAX(dest, old_ns));
    new_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (new_ns > old_ns) {
        qtest_sendf(out, "OK %" PRIi64 "\n", new_ns);
    } else {
        qtest_send(out, "FAIL could not advance time\n");
    }
}

static void qtest_cmd_clock_set(GString *out, char **args,
                                const QTestCmd *cmd)
{
    int64_t dest, new_ns;

    if (!parse_i64(out, "NS", args[0], INT64_MIN, INT64_MAX, &dest)) {
        return;
    }
    if (dest > qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL)) {
        qemu_clock_advance_virtual(dest);
    }
    new_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    qtest_sendf(out, "%s %" PRIi64 "\n", new_ns == dest ? "OK" : "FAIL",
                new_ns);
}

/* Interrupts */

static void qtest_irq_handler(void *opaque, int n, int level)
{
    int line = GPOINTER_TO_INT(opaque);
    bool high = level != 0;

    if (irq_levels[line] == high) {
        return;
    }
    irq_levels[line] = high;
    qtest_sendf(qtest_out, "IRQ %s %d\n", high ? "raise" : "lower", line);
}

static DeviceState *qtest_find_device(const char *path)
{
    Object *obj = object_resolve_path(path, NULL);

    return obj ? (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE) : NULL;
}

static void qtest_cmd_irq_intercept(GString *out, char **args,
                                    const QTestCmd *cmd)
{
    bool outbound = !strcmp(cmd->name, "irq_intercept_out");
    DeviceState *dev = qtest_find_device(args[0]);

    if (!dev) {
        qtest_send(out, "FAIL Unknown device\n");
        return;
    }
    if (args[1] && !outbound) {
        qtest_send(out, "FAIL Interception of named in-GPIOs not yet "
                   "supported\n");
        return;
    }
    if (irq_intercept_dev) {
        qtest_send(out, irq_intercept_dev == dev ? "OK\n" :
                   "FAIL IRQ intercept already enabled\n");
        return;
    }
    /* Our devices have no GPIO outputs yet: nothing to redirect there. */
    if (!outbound) {
        for (int i = 0; i < MIN(dev->num_gpio_in, QTEST_MAX_IRQ); i++) {
            qemu_irq_intercept(dev->gpio_in[i], qtest_irq_handler,
                               GINT_TO_POINTER(i));
        }
    }
    irq_intercept_dev = dev;
    qtest_send(out, "OK\n");
}

static void qtest_cmd_set_irq_in(GString *out, char **args,
                                 const QTestCmd *cmd)
{
    DeviceState *dev = qtest_find_device(args[0]);
    int64_t num, level;

    if (!dev) {
        qtest_send(out, "FAIL Unknown device\n");
        return;
    }
    if (!parse_i64(out, "NUM", args[2], INT_MIN, INT_MAX, &num) ||
        !parse_i64(out, "LEVEL", args[3], INT_MIN, INT_MAX, &level)) {
        return;
    }
    if (strcmp(args[1], "unnamed-gpio-in")) {
        qtest_sendf(out, "FAIL No GPIO input list '%.64s'\n", args[1]);
        return;
    }
    if (num < 0 || num >= dev->num_gpio_in) {
        qtest_sendf(out, "FAIL GPIO input %" PRId64 " out of range "
                    "(the device has %d)\n", num, dev->num_gpio_in);
        return;
    }
    qemu_set_irq(dev->gpio_in[num], level);
    qtest_send(out, "OK\n");
}

static const QTestCmd qtest_cmds[] = {
    { "outb", "ADDR VALUE", 2, 2, 1, false, qtest_cmd_out },
    { "outw", "ADDR VALUE", 2, 2, 2, false, qtest_cmd_out },
    { "outl", "ADDR VALUE", 2, 2, 4, false, qtest_cmd_out },
    { "inb", "ADDR", 1, 1, 1, false, qtest_cmd_in },
    { "inw", "ADDR", 1, 1, 2, false, qtest_cmd_in },
    { "inl", "ADDR", 1, 1, 4, false, qtest_cmd_in },
    { "writeb", "ADDR VALUE", 2, 2, 1, false, qtest_cmd_write_sized },
    { "writew", "ADDR VALUE", 2, 2, 2, false, qtest_cmd_write_sized },
    { "writel", "ADDR VALUE", 2, 2, 4, false, qtest_cmd_write_sized },
    { "writeq", "ADDR VALUE", 2, 2, 8, false, qtest_cmd_write_sized },
    { "readb", "ADDR", 1, 1, 1, false, qtest_cmd_read_sized },
    { "readw", "ADDR", 1, 1, 2, false, qtest_cmd_read_sized },
    { "readl", "ADDR", 1, 1, 4, false, qtest_cmd_read_sized },
    { "readq", "ADDR", 1, 1, 8, false, qtest_cmd_read_sized },
    { "read", "ADDR SIZE", 2, 2, 0, false, qtest_cmd_read },
    { "write", "ADDR SIZE 0xDATA", 3, 3, 0, false, qtest_cmd_write },
    { "b64read", "ADDR SIZE", 2, 2, 0, false, qtest_cmd_b64read },
    { "b64write", "ADDR SIZE B64DATA", 3, 3, 0, false, qtest_cmd_b64write },
    { "memset", "ADDR SIZE VALUE", 3, 3, 0, false, qtest_cmd_memset },
    { "endianness", "", 0, 0, 0, false, qtest_cmd_endianness },
    { "clock_step", "[NS]", 0, 1, 0, true, qtest_cmd_clock_step },
    { "clock_set", "NS", 1, 1, 0, true, qtest_cmd_clock_set },
    { "irq_intercept_in", "QOM-PATH", 1, 2, 0, false,
      qtest_cmd_irq_intercept },
    { "irq_intercept_out", "QOM-PATH [NAME]", 1, 2, 0, false,
      qtest_cmd_irq_intercept },
    { "set_irq_in", "QOM-PATH NAME NUM LEVEL", 4, 4, 0, false,
      qtest_cmd_set_irq_in },
    { "module_load", "PREFIX LIBNAME", 2, 2, 0, false,
      qtest_cmd_module_load },
};

/* Request processing */

/* The command name for "Unknown command": printable and bounded. */
static char *qtest_echo(const char *word)
{
    GString *s = g_string_new(NULL);
    size_t i;

    for (i = 0; word[i] && i < QTEST_ECHO_MAX; i++) {
        unsigned char c = word[i];

        if (c >= 0x20 && c < 0x7f) {
            g_string_append_c(s, c);
        } else {
            g_string_append_printf(s, "\\x%02x", c);
        }
    }
    if (word[i]) {
        g_string_append(s, "...");
    }
    return g_string_free(s, FALSE);
}

static const QTestCmd *qtest_find_cmd(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(qtest_cmds); i++) {
        if (!strcmp(qtest_cmds[i].name, name)) {
            const QTestCmd *cmd = &qtest_cmds[i];

            return cmd->needs_qtest_accel && !qtest_accel_enabled ? NULL
                                                                  : cmd;
        }
    }
    return NULL;
}

static void qtest_process_words(GString *out, char **words)
{
    const QTestCmd *cmd;
    int nargs;

    if (!words[0]) {
        qtest_send(out, "FAIL empty command\n");
        return;
    }
    cmd = qtest_find_cmd(words[0]);
    if (!cmd) {
        g_autofree char *echo = qtest_echo(words[0]);

        qtest_sendf(out, "FAIL Unknown command '%s'\n", echo);
        return;
    }
    nargs = g_strv_length(words) - 1;
    if (nargs < cmd->min_args || nargs > cmd->max_args) {
        qtest_sendf(out, "FAIL %s arguments (usage: %s%s%s)\n",
                    nargs < cmd->min_args ? "missing" : "too many",
                    cmd->name, *cmd->usage ? " " : "", cmd->usage);
        return;
    }
    cmd->handler(out, words + 1, cmd);
}

/* One request (no newline); replies and IRQ lines are appended to @out. */
static void qtest_process(GString *out, const char *line, size_t len)
{
    g_auto(GStrv) words = NULL;
    g_autofree char *copy = NULL;

    if (len && line[len - 1] == '\r') {
        len--;
    }
    qtest_log_request(line, len);
    if (memchr(line, '\0', len)) {
        qtest_send(out, "FAIL request contains a NUL byte\n");
        return;
    }
    copy = g_strndup(line, len);
    words = g_strsplit(copy, " ", 0);
    qtest_out = out;
    qtest_process_words(out, words);
    qtest_out = NULL;
}

char *qtest_process_line(const char *line)
{
    GString *out = g_string_new(NULL);

    qtest_process(out, line, strlen(line));
    if (out->len && out->str[out->len - 1] == '\n') {
        g_string_truncate(out, out->len - 1);
    }
    return g_string_free(out, FALSE);
}

static void qtest_handle_line(const char *line, size_t len)
{
    GString *out = g_string_new(NULL);

    qtest_process(out, line, len);
    if (qtest_chr) {
        qemu_chr_write_all(qtest_chr, out->str, out->len);
    }
    g_string_free(out, TRUE);
}

/* Assemble lines from the byte stream, never holding more than one. */
static void qtest_read(void *opaque, const uint8_t *buf, size_t len)
{
    while (len) {
        const uint8_t *nl = memchr(buf, '\n', len);
        size_t chunk = nl ? (size_t)(nl - buf) : len;

        if (!qtest_discarding) {
            g_string_append_len(qtest_inbuf, (const char *)buf, chunk);
            if (qtest_inbuf->len > QTEST_MAX_LINE) {
                qtest_log_request(qtest_inbuf->str, qtest_inbuf->len);
                g_string_truncate(qtest_inbuf, 0);
                qtest_discarding = true;
                qtest_send(NULL, "FAIL line too long\n");
            }
        }
        if (!nl) {
            break;
        }
        if (qtest_discarding) {
            qtest_discarding = false;
        } else {
            qtest_handle_line(qtest_inbuf->str, qtest_inbuf->len);
            g_string_truncate(qtest_inbuf, 0);
        }
        buf += chunk + 1;
        len -= chunk + 1;
    }
}

static void qtest_event(void *opaque, ChardevEvent event)
{
    int64_t us;

    switch (event) {
    case CHR_EVENT_OPENED:
        memset(irq_levels, 0, sizeof(irq_levels));
        g_string_truncate(qtest_inbuf, 0);
        qtest_discarding = false;
        qtest_start_us = g_get_monotonic_time();
        if (qtest_log_fp) {
            us = g_get_real_time();
            fprintf(qtest_log_fp, "[I %" PRId64 ".%06" PRId64 "] OPENED\n",
                    us / G_USEC_PER_SEC, us % G_USEC_PER_SEC);
            fflush(qtest_log_fp);
        }
        break;
    case CHR_EVENT_CLOSED:
        if (qtest_log_fp) {
            us = g_get_monotonic_time() - qtest_start_us;
            fprintf(qtest_log_fp, "[I +%" PRId64 ".%06" PRId64 "] CLOSED\n",
                    us / G_USEC_PER_SEC, us % G_USEC_PER_SEC);
            fflush(qtest_log_fp);
        }
        /* qtest is the only driver of a machine without CPUs: stop. */
        qemu_main_loop_quit(0);
        break;
    }
}

/* Setup */

static bool qtest_open_log(const char *logfile, Error **errp)
{
    if (!logfile) {
        qtest_log_fp = stderr;
        return true;
    }
    if (!strcmp(logfile, "none")) {
        return true;
    }
    qtest_log_fp = fopen(logfile, "w");
    if (!qtest_log_fp) {
        error_setg_errno(errp, errno, "Could not open qtest log file '%s'",
                         logfile);
        return false;
    }
    qtest_log_owned = true;
    return true;
}

bool qtest_server_init_chr(Chardev *chr, const char *logfile, Error **errp)
{
    if (qtest_chr) {
        error_setg(errp, "Only one qtest server is allowed");
        return false;
    }
    if (!qtest_open_log(logfile, errp)) {
        return false;
    }
    qtest_chr = chr;
    qtest_inbuf = g_string_new(NULL);
    qtest_start_us = g_get_monotonic_time();
    qemu_chr_set_handlers(chr, qtest_read, qtest_event, NULL);
    return true;
}

bool qtest_server_init(const char *chardev_spec, const char *logfile,
                       Error **errp)
{
    Chardev *chr;

    if (qtest_chr) {
        error_setg(errp, "Only one qtest server is allowed");
        return false;
    }
    chr = qemu_chr_new("qtest", chardev_spec, errp);
    if (!chr) {
        error_prepend(errp, "qtest: ");
        return false;
    }
    if (!qtest_server_init_chr(chr, logfile, errp)) {
        qemu_chr_close(chr);
        return false;
    }
    return true;
}

void qtest_server_cleanup(void)
{
    if (qtest_chr) {
        qemu_chr_set_handlers(qtest_chr, NULL, NULL, NULL);
        qemu_chr_close(qtest_chr);
        qtest_chr = NULL;
    }
    if (qtest_log_owned) {
        fclose(qtest_log_fp);
    }
    qtest_log_fp = NULL;
    qtest_log_owned = false;
    if (qtest_inbuf) {
        g_string_free(qtest_inbuf, TRUE);
        qtest_inbuf = NULL;
    }
    qtest_discarding = false;
    irq_intercept_dev = NULL;
    memset(irq_levels, 0, sizeof(irq_levels));
}

bool qtest_enabled(void)
{
    return qtest_accel_enabled;
}

void qtest_set_enabled(bool enabled)
{
    qtest_accel_enabled = enabled;
    /* Without a CPU, the virtual clock moves only on clock_step/set. */
    qemu_clock_set_virtual_manual(enabled);
}
