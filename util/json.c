/*
 * JSON parsing for QMP and -device/-object JSON: json-glib does the
 * parsing; this file refuses the strings it would accept but QEMU does
 * not, before they can become invalid UTF-8 in a property or a reply.
 */
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

/* Every escape in the strings of @text is one QEMU accepts. */
static bool check_escapes(const char *text, const char *end, Error **errp)
{
    bool in_string = false;

    for (const char *p = text; p < end; p++) {
        int n = 1;

        if (*p == '"') {
            in_string = !in_string;
        } else if (in_string && *p == '\\') {
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
    if (!check_escapes(text, text + n, errp)) {
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
