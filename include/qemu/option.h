/*
 * QEMU's key=value option syntax (QemuOpts):
 *   [implied-value,]key=value[,key=value...]
 * A literal comma inside a value is written ",,". The first element may
 * omit "key=" when the option has an implied key (driver for -device,
 * type for -machine, ...). "help" or "?" as an element asks for help.
 */
#ifndef QEMU_OPTION_H
#define QEMU_OPTION_H

#include "qemu/osdep.h"
#include "qemu/error.h"

typedef struct QemuOpt {
    char *key;
    char *value;
} QemuOpt;

typedef struct QemuOpts {
    GPtrArray *opts;        /* QemuOpt *, in command-line order */
    bool help;              /* "help" or "?" was given */
} QemuOpts;

/*
 * Parse @params. @implied_key names the key of a leading bare word (NULL:
 * none allowed). Errors: empty key, bare word that is not the first,
 * missing '=' ("Invalid parameter 'x'"), trailing single comma.
 */
QemuOpts *qemu_opts_parse(const char *params, const char *implied_key,
                          Error **errp);
void qemu_opts_free(QemuOpts *opts);
QemuOpts *qemu_opts_new(void);
/* Append key=value (copied); later values win in qemu_opt_get. */
void qemu_opt_set(QemuOpts *opts, const char *key, const char *value);
/* Append every option of @from to @into. */
void qemu_opts_merge(QemuOpts *into, const QemuOpts *from);
/* Last value given for @key, or NULL. */
const char *qemu_opt_get(const QemuOpts *opts, const char *key);
bool qemu_opt_has(const QemuOpts *opts, const char *key);
/* Remove every @key and return the last value (caller frees), or NULL. */
char *qemu_opt_take(QemuOpts *opts, const char *key);
/* Error "Invalid parameter 'k'" for the first key not in @allowed (NULL-terminated). */
bool qemu_opts_check_keys(const QemuOpts *opts, const char *const *allowed,
                          Error **errp);

/* Value parsers; @name is used in error messages ("Parameter 'name' ..."). */
bool qemu_parse_bool(const char *name, const char *value, bool *out,
                     Error **errp);        /* on/off/yes/no/true/false */
/*
 * Sizes: a number with an optional suffix B, k/K, M, G, T, P, E (powers of
 * 1024); decimals such as 1.5G are accepted. @default_suffix applies to a
 * bare number ('\0' or 'B' means bytes; -m uses 'M').
 */
bool qemu_parse_size(const char *name, const char *value, char default_suffix,
                     uint64_t *out, Error **errp);
/* Unsigned/signed integers: decimal, 0x hex, or 0 octal, range checked. */
bool qemu_parse_uint(const char *name, const char *value, uint64_t max,
                     uint64_t *out, Error **errp);
bool qemu_parse_int(const char *name, const char *value, int64_t min,
                    int64_t max, int64_t *out, Error **errp);

#endif
