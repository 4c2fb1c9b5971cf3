/* JSON text in, json-glib out, judged as QEMU's JSON parser judges it. */
#ifndef QEMU_JSON_H
#define QEMU_JSON_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include <json-glib/json-glib.h>

/*
 * Parse @len bytes of @text (to its NUL if @len < 0). Besides json-glib's
 * own checks: the text is UTF-8, and strings use only the escapes
 * \" \\ \/ \b \f \n \r \t \' and \uXXXX, where a \u names a character
 * (no lone surrogate, no NUL). json-glib alone would turn an octal escape
 * or a lone surrogate into invalid UTF-8 and cut a string at \u0000.
 * Numbers follow JSON's grammar (json-glib also reads 010, 0x10, .5) and
 * fit: an integer in int64 or uint64 (one above INT64_MAX comes out of
 * json-glib as the negative int64 of the same bits), a double finite
 * (json-glib makes inf of 1e400, and writes it back as "inf.0"). QEMU
 * makes a double of a larger integer; qvfio refuses it.
 * Errors start "JSON parse error, " and are valid UTF-8.
 */
JsonParser *qemu_json_parse(const char *text, gssize len, Error **errp);

#endif
