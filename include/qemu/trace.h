/*
 * Trace points. Each directory lists its events in a "trace-events" file:
 *     name(type arg, type arg) "printf format"
 * scripts/tracetool.py turns them into <trace.h> (one inline
 * trace_<name>() per event, a no-op unless enabled) and trace.c (names).
 * Output goes to the log (stderr, or the -D file) as
 *     <pid>@<secs>.<usecs>:<name> <formatted args>
 */
#ifndef QEMU_TRACE_H
#define QEMU_TRACE_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/* Provided by the generated trace.c. */
extern const char *const trace_event_names[];
extern const size_t trace_event_count;
/* Per-event enable state, indexed by the generated TRACE_<NAME> ids. */
extern bool trace_event_state[];

/* Enable or disable every event matching the glob; true if any matched. */
bool trace_enable_pattern(const char *pattern, bool enable);
/*
 * Handle one -trace argument: "PATTERN", "enable=PATTERN", "-PATTERN"
 * (disable), "events=FILE" (one pattern per line, # comments), "file=F"
 * (same as -D), or "help" (lists events; *exit_now set true).
 */
bool trace_opt_parse(const char *arg, bool *exit_now, Error **errp);
void trace_list_events(FILE *out);
bool trace_event_is_enabled(const char *name);

void trace_emit(const char *name, const char *fmt, ...) QEMU_PRINTF_FN(2, 3);

/* Tests: observe every emitted event (NULL to stop). */
typedef void TraceObserver(const char *name, const char *args, void *opaque);
void trace_set_observer(TraceObserver *cb, void *opaque);

#endif
