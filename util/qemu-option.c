/*
 * QEMU's key=value option syntax and the value parsers used with it.
 */
#include "qemu/osdep.h"
#include "qemu/option.h"

static void qemu_opt_free(gpointer p)
{
    QemuOpt *opt = p;

    g_free(opt->key);
    g_free(opt->value);
    g_free(opt);
}

/* Takes ownership of @key and @value. */
static void qemu_opts_add(QemuOpts *opts, char *key, char *value)
{
    QemuOpt *opt = g_new(QemuOpt, 1);

    opt->key = key;
    opt->value = value;
    g_ptr_array_add(opts->opts, opt);
}

/*
 * Copy one element of @p into @buf, turning ",," into ",". Returns the
 * position after the element's terminating ',' (or at the final NUL);
 * *last tells whether this was the last element.
 */
static const char *get_element(const char *p, GString *buf, bool *last)
{
    g_string_truncate(buf, 0);
    for (; *p; p++) {
        if (*p == ',') {
            if (p[1] != ',') {
                *last = false;
                return p + 1;
            }
            p++;
        }
        g_string_append_c(buf, *p);
    }
    *last = true;
    return p;
}

static bool is_help_word(const char *s)
{
    return !strcmp(s, "help") || !strcmp(s, "?");
}

/* One element; @first tells whether an implied value is still allowed. */
static bool parse_element(QemuOpts *opts, const char *elem, bool first,
                          const char *implied_key, const char *params,
                          Error **errp)
{
    const char *eq = strchr(elem, '=');

    if (!eq) {
        if (is_help_word(elem)) {
            opts->help = true;
            return true;
        }
        if (!*elem) {
            error_setg(errp, "Empty parameter in '%s'", params);
            return false;
        }
        if (!first || !implied_key) {
            error_setg(errp, "Invalid parameter '%s'", elem);
            return false;
        }
        qemu_opts_add(opts, g_strdup(implied_key), g_strdup(elem));
        return true;
    }
    if (eq == elem) {
        error_setg(errp, "Parameter name missing before '%s' in '%s'",
                   elem, params);
        return false;
    }
    qemu_opts_add(opts, g_strndup(elem, eq - elem), g_strdup(eq + 1));
    return true;
}

QemuOpts *qemu_opts_new(void)
{
    QemuOpts *opts = g_new0(QemuOpts, 1);

    opts->opts = g_ptr_array_new_with_free_func(qemu_opt_free);
    return opts;
}

void qemu_opt_set(QemuOpts *opts, const char *key, const char *value)
{
    qemu_opts_add(opts, g_strdup(key), g_strdup(value));
}

void qemu_opts_merge(QemuOpts *into, const QemuOpts *from)
{
    into->help |= from->help;
    for (guint i = 0; i < from->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(from->opts, i);

        qemu_opt_set(into, opt->key, opt->value);
    }
}

QemuOpts *qemu_opts_parse(const char *params, const char *implied_key,
                          Error **errp)
{
    QemuOpts *opts = qemu_opts_new();
    GString *elem = g_string_new(NULL);
    const char *p = params ? params : "";
    bool first = true, last = !*p;
    while (!last) {
        p = get_element(p, elem, &last);
        if (!parse_element(opts, elem->str, first, implied_key, params,
                           errp)) {
            goto fail;
        }
        first = false;
        if (!last && !*p) {
            error_setg(errp, "Trailing ',' in '%s'; write ',,' for a "
                       "literal comma", params);
            goto fail;
        }
    }
    g_string_free(elem, TRUE);
    return opts;

fail:
    g_string_free(elem, TRUE);
    qemu_opts_free(opts);
    return NULL;
}

void qemu_opts_free(QemuOpts *opts)
{
    if (opts) {
        g_ptr_array_free(opts->opts, TRUE);
        g_free(opts);
    }
}

const char *qemu_opt_get(const QemuOpts *opts, const char *key)
{
    for (guint i = opts->opts->len; i > 0; i--) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i - 1);
        if (!strcmp(opt->key, key)) {
            return opt->value;
        }
    }
    return NULL;
}

bool qemu_opt_has(const QemuOpts *opts, const char *key)
{
    return qemu_opt_get(opts, key) != NULL;
}

char *qemu_opt_take(QemuOpts *opts, const char *key)
{
    char *value = g_strdup(qemu_opt_get(opts, key));
    guint i = 0;

    while (i < opts->opts->len) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);
        if (!strcmp(opt->key, key)) {
            g_ptr_array_remove_index(opts->opts, i);
        } else {
            i++;
        }
    }
    return value;
}

bool qemu_opts_check_keys(const QemuOpts *opts, const char *const *allowed,
                          Error **errp)
{
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);
        if (!g_strv_contains(allowed, opt->key)) {
            error_setg(errp, "Invalid parameter '%s'", opt->key);
            return false;
        }
    }
    return true;
}

/* Value parsers */

bool qemu_parse_bool(const char *name, const char *value, bool *out,
                     Error **errp)
{
    static const char *const yes[] = { "on", "yes", "true", NULL };
    static const char *const no[] = { "off", "no", "false", NULL };

    if (value && g_strv_contains(yes, value)) {
        *out = true;
        return true;
    }
    if (value && g_strv_contains(no, value)) {
        *out = false;
        return true;
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
    return false;
}

static uint64_t size_suffix_mult(char c)
{
    switch (g_ascii_toupper(c)) {
    case 'B': return 1;
    case 'K': return 1ULL << 10;
    case 'M': return 1ULL << 20;
    case 'G': return 1ULL << 30;
    case 'T': return 1ULL << 40;
    case 'P': return 1ULL << 50;
    case 'E': return 1ULL << 60;
    default: return 0;
    }
}

/* Decimal digits into *val; false on overflow or no digits. */
static bool parse_decimal(const char **pp, uint64_t *val)
{
    const char *p = *pp;
    uint64_t v = 0;

    if (!g_ascii_isdigit(*p)) {
        return false;
    }
    for (; g_ascii_isdigit(*p); p++) {
        unsigned d = *p - '0';
        if (v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *pp = p;
    *val = v;
    return true;
}

/* "0x" followed by hex digits (no fraction allowed with hex). */
static bool parse_hex(const char **pp, uint64_t *val)
{
    const char *p = *pp + 2;
    uint64_t v = 0;

    if (!g_ascii_isxdigit(*p)) {
        return false;
    }
    for (; g_ascii_isxdigit(*p); p++) {
        if (v >> 60) {
            return false;
        }
        v = (v << 4) | g_ascii_xdigit_value(*p);
    }
    *pp = p;
    *val = v;
    return true;
}

/* The size grammar; false on any syntax error or overflow. */
static bool do_parse_size(const char *p, char default_suffix, uint64_t *out)
{
    uint64_t val, mult, frac_part;
    double fraction = 0;
    bool has_fraction = false;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        if (!parse_hex(&p, &val)) {
            return false;
        }
    } else {
        if (!parse_decimal(&p, &val)) {
            return false;
        }
        if (*p == '.') {
            /* Digits only: strtod would also take exponents like "e3". */
            size_t n = strspn(p + 1, "0123456789");
            char *digits;
            if (!n) {
                return false;
            }
            digits = g_strdup_printf("0.%.*s", (int)n, p + 1);
            fraction = g_ascii_strtod(digits, NULL);
            g_free(digits);
            has_fraction = true;
            p += 1 + n;
        }
    }
    if (*p) {
        mult = size_suffix_mult(*p++);
        if (!mult || *p) {
            return false;
        }
    } else {
        mult = default_suffix ? size_suffix_mult(default_suffix) : 1;
        g_assert(mult);
    }
    /* Fractions of a byte make no sense. */
    if (has_fraction && fraction > 0 && mult == 1) {
        return false;
    }
    if (val > UINT64_MAX / mult) {
        return false;
    }
    frac_part = (uint64_t)(fraction * (double)mult);
    if (val * mult > UINT64_MAX - frac_part) {
        return false;
    }
    *out = val * mult + frac_part;
    return true;
}

bool qemu_parse_size(const char *name, const char *value, char default_suffix,
                     uint64_t *out, Error **errp)
{
    if (!value || !do_parse_size(value, default_suffix, out)) {
        error_setg(errp, "Parameter '%s' expects a non-negative number "
                   "below 2^64", name);
        error_append_hint(errp, "Optional suffix k, M, G, T, P or E means "
                          "kilo-, mega-, giga-, tera-, peta- and exabytes, "
                          "respectively.\n");
        return false;
    }
    return true;
}

/*
 * Magnitude in base 0 (0x hex, 0 octal, else decimal). No sign, no
 * whitespace: strtoull would silently accept and negate "-1".
 */
static bool parse_magnitude(const char *s, uint64_t *out)
{
    char *end;

    if (!g_ascii_isdigit(*s)) {
        return false;
    }
    errno = 0;
    *out = g_ascii_strtoull(s, &end, 0);
    return errno == 0 && end != s && *end == '\0';
}

bool qemu_parse_uint(const char *name, const char *value, uint64_t max,
                     uint64_t *out, Error **errp)
{
    uint64_t v;

    if (!value || !parse_magnitude(value, &v)) {
        error_setg(errp, "Parameter '%s' expects a non-negative integer",
                   name);
        return false;
    }
    if (v > max) {
        error_setg(errp, "Parameter '%s' expects a value between 0 and %"
                   PRIu64 ", not %s", name, max, value);
        return false;
    }
    *out = v;
    return true;
}

bool qemu_parse_int(const char *name, const char *value, int64_t min,
                    int64_t max, int64_t *out, Error **errp)
{
    const char *s = value;
    bool neg = false;
    uint64_t mag;
    int64_t v;

    if (s && (*s == '-' || *s == '+')) {
        neg = *s++ == '-';
    }
    if (!s || !parse_magnitude(s, &mag) ||
        mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) {
        error_setg(errp, "Parameter '%s' expects an integer", name);
        return false;
    }
    v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    if (v < min || v > max) {
        error_setg(errp, "Parameter '%s' expects a value between %" PRId64
                   " and %" PRId64 ", not %s", name, min, max, value);
        return false;
    }
    *out = v;
    return true;
}
