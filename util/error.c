/*
 * Error objects and error reporting.
 *
 * An Error carries a class (for QMP), a message and an optional hint.
 * Reports are one line each: "<prog>: [<location>: ]<message>".
 */
#include "qemu/osdep.h"
#include "qemu/error.h"

struct Error {
    ErrorClass cls;
    char *msg;
    GString *hint;          /* NULL until error_append_hint */
};

/* Only their addresses matter: they select fatal/abort handling. */
Error *error_fatal;
Error *error_abort;

static char *progname;
static char *cur_loc;       /* "-device foo,bar=1", or NULL */
static bool report_timestamps;
static GString *capture_sink;
G_LOCK_DEFINE_STATIC(report_lock);

/* Reporting */

static const char *report_progname(void)
{
    if (progname) {
        return progname;
    }
    return g_get_prgname() ? g_get_prgname() : "qvfio";
}

static void report_line(const char *label, const char *msg, const char *hint)
{
    GString *line = g_string_new(NULL);

    if (report_timestamps) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *stamp = g_date_time_format(now,
                                                    "%Y-%m-%dT%H:%M:%S.%fZ");

        g_string_append_printf(line, "%s ", stamp);
    }
    g_string_append_printf(line, "%s: ", report_progname());
    if (cur_loc) {
        g_string_append_printf(line, "%s: ", cur_loc);
    }
    g_string_append(line, label);
    g_string_append(line, msg);
    if (hint && *hint) {
        g_string_append(line, hint);
    }
    g_string_append_c(line, '\n');

    /* One write per line so concurrent reports do not interleave. */
    G_LOCK(report_lock);
    if (capture_sink) {
        g_string_append_len(capture_sink, line->str, line->len);
    } else {
        fputs(line->str, stderr);
        fflush(stderr);
    }
    G_UNLOCK(report_lock);
    g_string_free(line, TRUE);
}

static void report_vlabel(const char *label, const char *fmt, va_list ap)
{
    char *msg = g_strdup_vprintf(fmt, ap);

    report_line(label, msg, NULL);
    g_free(msg);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_vlabel("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_vlabel("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_vlabel("", fmt, ap);
    va_end(ap);
}

/*
 * The hint joins the message on the same line: newlines become spaces,
 * and a separator is added unless the message already ends a sentence.
 */
static char *format_hint(const Error *err)
{
    char *hint, *p;
    size_t len;
    bool ends_sentence;

    if (!err->hint) {
        return NULL;
    }
    hint = g_strstrip(g_strdup(err->hint->str));
    for (p = hint; *p; p++) {
        if (*p == '\n') {
            *p = ' ';
        }
    }
    if (!*hint) {
        g_free(hint);
        return NULL;
    }
    len = strlen(err->msg);
    ends_sentence = len && strchr(".!?:;", err->msg[len - 1]);
    p = g_strconcat(ends_sentence ? " " : ". ", hint, NULL);
    g_free(hint);
    return p;
}

static void report_err(const char *label, const Error *err)
{
    char *hint = format_hint(err);

    report_line(label, err->msg, hint);
    g_free(hint);
}

void error_report_err(Error *err)
{
    if (err) {
        report_err("", err);
        error_free(err);
    }
}

void warn_report_err(Error *err)
{
    if (err) {
        report_err("warning: ", err);
        error_free(err);
    }
}

void loc_set_cmdline(const char *option, const char *arg)
{
    g_free(cur_loc);
    cur_loc = NULL;
    if (!option) {
        return;
    }
    /* "-device" and "device" both mean the option "-device". */
    cur_loc = g_strdup_printf("%s%s%s%s", option[0] == '-' ? "" : "-",
                              option, arg ? " " : "", arg ? arg : "");
}

void loc_clear(void)
{
    g_free(cur_loc);
    cur_loc = NULL;
}

void error_set_progname(const char *name)
{
    g_free(progname);
    progname = g_strdup(name);
}

void error_set_timestamps(bool on)
{
    report_timestamps = on;
}

void error_capture_begin(GString *sink)
{
    G_LOCK(report_lock);
    capture_sink = sink;
    G_UNLOCK(report_lock);
}

void error_capture_end(void)
{
    error_capture_begin(NULL);
}

/* Error objects */

/* Errors sent to &error_fatal or &error_abort end the process here. */
static void error_handle_special(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        report_err("", err);
        abort();
    }
    if (errp == &error_fatal) {
        report_err("", err);
        exit(1);
    }
}

static void error_install(Error **errp, Error *err)
{
    if (!errp) {
        error_free(err);
        return;
    }
    error_handle_special(errp, err);
    /* Setting an error twice loses the first one: a caller bug. */
    g_assert(*errp == NULL);
    *errp = err;
}

static void error_setv(Error **errp, ErrorClass cls, const char *suffix,
                       const char *fmt, va_list ap)
{
    Error *err;

    if (!errp) {
        return;
    }
    err = g_new0(Error, 1);
    err->cls = cls;
    err->msg = g_strdup_vprintf(fmt, ap);
    if (suffix) {
        char *msg = g_strconcat(err->msg, ": ", suffix, NULL);
        g_free(err->msg);
        err->msg = msg;
    }
    error_install(errp, err);
}

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_setv(errp, ERROR_CLASS_GENERIC_ERROR, NULL, fmt, ap);
    va_end(ap);
}

void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_setv(errp, cls, NULL, fmt, ap);
    va_end(ap);
}

void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_setv(errp, ERROR_CLASS_GENERIC_ERROR,
               os_errno ? g_strerror(os_errno) : NULL, fmt, ap);
    va_end(ap);
}

static bool error_is_settable(Error **errp)
{
    return errp && errp != &error_fatal && errp != &error_abort && *errp;
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *msg;

    if (!error_is_settable(errp)) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_append_hint(Error **errp, const char *fmt, ...)
{
    va_list ap;
    Error *err;

    if (!error_is_settable(errp)) {
        return;
    }
    err = *errp;
    if (!err->hint) {
        err->hint = g_string_new(NULL);
    }
    va_start(ap, fmt);
    g_string_append_vprintf(err->hint, fmt, ap);
    va_end(ap);
}

void error_propagate(Error **dst_errp, Error *local_err)
{
    if (!local_err) {
        return;
    }
    if (dst_errp && dst_errp != &error_fatal && dst_errp != &error_abort &&
        *dst_errp) {
        /* Keep the first error, as QEMU does. */
        error_free(local_err);
        return;
    }
    error_install(dst_errp, local_err);
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

ErrorClass error_get_class(const Error *err)
{
    return err->cls;
}

const char *error_class_name(ErrorClass cls)
{
    static const char *const names[] = {
        [ERROR_CLASS_GENERIC_ERROR] = "GenericError",
        [ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
        [ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
        [ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
        [ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
    };

    if ((unsigned)cls < ARRAY_SIZE(names) && names[cls]) {
        return names[cls];
    }
    return "GenericError";
}

Error *error_copy(const Error *err)
{
    Error *copy = g_new0(Error, 1);

    copy->cls = err->cls;
    copy->msg = g_strdup(err->msg);
    if (err->hint) {
        copy->hint = g_string_new(err->hint->str);
    }
    return copy;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        if (err->hint) {
            g_string_free(err->hint, TRUE);
        }
        g_free(err);
    }
}

void error_free_or_abort(Error **errp)
{
    g_assert(errp && *errp);
    error_free(*errp);
    *errp = NULL;
}
