/*
 * Log output (trace events, qtest log-style messages): stderr, or the
 * file named by -D, opened for append and line-buffered so a crash does
 * not lose the last lines.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"

static FILE *log_file;          /* NULL: stderr */
G_LOCK_DEFINE_STATIC(log_lock);

static FILE *log_stream(void)
{
    return log_file ? log_file : stderr;
}

void qemu_log_vprintf(const char *fmt, va_list ap)
{
    G_LOCK(log_lock);
    vfprintf(log_stream(), fmt, ap);
    G_UNLOCK(log_lock);
}

void qemu_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qemu_log_vprintf(fmt, ap);
    va_end(ap);
}

/* Swap in @f (NULL: stderr), closing the previous file. */
static void log_replace(FILE *f)
{
    FILE *old;

    G_LOCK(log_lock);
    old = log_file;
    log_file = f;
    G_UNLOCK(log_lock);
    if (old) {
        fclose(old);
    }
}

bool qemu_set_log_filename(const char *filename, Error **errp)
{
    FILE *f;

    if (!filename) {
        log_replace(NULL);
        return true;
    }
    f = fopen(filename, "ae");    /* O_CLOEXEC: not for children */
    if (!f) {
        /* Keep logging where we were: the old destination still works. */
        error_setg_errno(errp, errno, "Could not open log file '%s'",
                         filename);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    log_replace(f);
    return true;
}

void qemu_log_flush(void)
{
    G_LOCK(log_lock);
    fflush(log_stream());
    G_UNLOCK(log_lock);
}

void qemu_log_close(void)
{
    log_replace(NULL);
}
