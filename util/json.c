/*
 * JSON parsing for QMP and -device/-object JSON: json-glib does the
 * parsing; this file refuses the strings and numbers it would accept but
 * QEMU does not, before they can become invalid UTF-8 or a wrong value in
 * a property or a reply.
 */
#include <math.h>
#include "qemu/json.h"

static int hex4(const char *p, const char *end)
{
    int v = 0;

    if (end - p < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(p[i]);

        if (d < 0) {
            return -1;
        }
        v = v << 4 | d;
    }
    return v;
}

/* The \u escape at @p (after its backslash); the bytes it took, or -1. */
static int check_ucode(const char *p, const char *end, Error **errp)
{
    int cp = hex4(p + 1, end), low;

    if (cp < 0) {
        error_setg(errp, "JSON parse error, invalid hex escape sequence "
                   "in string");
        return -1;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 11 && p[5] == '\\' &&
        p[6] == 'u' && (low = hex4(p + 7, end)) >= 0xdc00 && low <= 0xdfff) {
        return 11;                      /* a surrogate pair */
    }
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
        error_setg(errp, "JSON parse error, \\u%04X is not a valid Unicode "
                   "character in a string", cp);
        return -1;
    }
    return 5;
}

/* Past a run of one or more digits at @t, or NULL if there is none. */
static const char *skip_digits(const char *t)
{
    if (!g_ascii_isdigit(*t)) {
        return NULL;
    }
    while (g_ascii_isdigit(*t)) {
        t++;
    }
    return t;
}

/* RFC 8259's number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number_syntax_ok(const char *t)
{
    t += *t == '-';
    t = *t == '0' ? t + 1 : skip_digits(t);
    if (t && *t == '.') {
        t = skip_digits(t + 1);
    }
    if (t && (*t == 'e' || *t == 'E')) {
        t = skip_digits(t + 1 + (t[1] == '+' || t[1] == '-'));
    }
    return t && !*t;
}

/* json-glib keeps an integer's low 64 bits and makes inf of a big float. */
static bool number_in_range(const char *t)
{
    errno = 0;
    if (strpbrk(t, ".eE")) {
        return isfinite(g_ascii_strtod(t, NULL));
    }
    if (*t == '-') {
        g_ascii_strtoll(t, NULL, 10);
    } else {
        g_ascii_strtoull(t, NULL, 10);  /* uint64 values keep their bits */
    }
    return errno != ERANGE;
}

/*
 * The number at @p (outside strings); the bytes it took, or -1. json-glib
 * alone reads 010 as 8, 0x10 as 16, takes .5 and 1. and wraps integers.
 */
static int check_number(const char *p, const char *end, Error **errp)
{
    const char *q = p;
    g_autofree char *t = NULL;

    while (q < end && (g_ascii_isalnum(*q) || (*q && strchr(".+-", *q)))) {
        q++;
    }
    t = g_strndup(p, q - p);
    if (!number_syntax_ok(t)) {
        error_setg(errp, "JSON parse error, invalid number '%.40s'", t);
        return -1;
    }
    if (!number_in_range(t)) {
        error_setg(errp, "JSON parse error, number '%.40s' out of range", t);
        return -1;
    }
    return q - p;
}

/*
 * Every escape in the strings of @text is one QEMU accepts, and every
 * number is JSON's and fits (an integer in int64 or uint64, a finite
 * double).
 */
static bool check_text(const char *text, const char *end, Error **errp)
{
    char quote = 0;                     /* QEMU's strings may use ' too */

    for (const char *p = text; p < end; p++) {
        int n = 1;

        if (!quote && (*p == '"' || *p == '\'')) {
            quote = *p;
        } else if (!quote && (*p == '-' || *p == '.' || g_ascii_isdigit(*p))) {
            if ((n = check_number(p, end, errp)) < 0) {
                return false;
            }
        } else if (*p == quote) {
            quote = 0;
        } else if (quote && *p == '\\') {
            p++;
            if (p == end || !*p || !strchr("\"\\/bfnrt'u", *p)) {
                error_setg(errp, "JSON parse error, invalid escape sequence "
                           "in string");
                return false;
            }
            if (*p == 'u' && (n = check_ucode(p, end, errp)) < 0) {
                return false;
            }
        }
        p += n - 1;
    }
    return true;
}

JsonParser *qemu_json_parse(const char *text, gssize len, Error **errp)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    GError *gerr = NULL;

    if (!g_utf8_validate(text, n, NULL)) {
        error_setg(errp, "JSON parse error, invalid UTF-8 sequence");
        return NULL;
    }
    if (!check_text(text, text + n, errp)) {
        return NULL;
    }
    if (!json_parser_load_from_data(parser, text, n, &gerr)) {
        /* json-glib's message may cut a quoted string mid-character */
        g_autofree char *why = g_utf8_make_valid(gerr->message, -1);

        error_setg(errp, "JSON parse error, %s", why);
        g_error_free(gerr);
        return NULL;
    }
    return g_steal_pointer(&parser);
}
