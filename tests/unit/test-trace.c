/*
 * Trace event control and output.
 */
#include "qemu/osdep.h"
#include "qemu/trace.h"
#include "qemu/log.h"
#include "trace.h"

typedef struct Seen {
    int count;
    char *name;
    char *args;
} Seen;

static void observe(const char *name, const char *args, void *opaque)
{
    Seen *s = opaque;

    s->count++;
    g_free(s->name);
    g_free(s->args);
    s->name = g_strdup(name);
    s->args = g_strdup(args);
}

static void seen_clear(Seen *s)
{
    g_free(s->name);
    g_free(s->args);
    memset(s, 0, sizeof(*s));
}

/* Log output goes to a scratch file so stderr stays clean. */
static char *log_to_tmp(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test-trace-log-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(qemu_set_log_filename(path, &error_abort));
    return path;
}

static char *write_tmp(const char *contents)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test-trace-events-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, contents, -1, NULL));
    return path;
}

static void reset_events(void)
{
    trace_enable_pattern("*", false);
}

static void test_pattern(void)
{
    reset_events();
    g_assert_false(trace_event_is_enabled("test_trace_event"));
    g_assert_true(trace_enable_pattern("test_trace_*", true));
    g_assert_true(trace_event_is_enabled("test_trace_event"));
    g_assert_true(trace_event_state[TRACE_TEST_TRACE_EVENT]);
    g_assert_true(trace_enable_pattern("*_event", false));
    g_assert_false(trace_event_is_enabled("test_trace_event"));
    g_assert_false(trace_enable_pattern("no_such_*", true));
    g_assert_false(trace_event_is_enabled("no_such_event"));
    /* '?' is a single-character glob. */
    g_assert_true(trace_enable_pattern("test_trace_even?", true));
    g_assert_true(trace_event_is_enabled("test_trace_event"));
    reset_events();
}

static void test_opt_forms(void)
{
    bool exit_now = true;

    reset_events();
    g_assert_true(trace_opt_parse("test_trace_event", &exit_now,
                                  &error_abort));
    g_assert_false(exit_now);
    g_assert_true(trace_event_is_enabled("test_trace_event"));

    g_assert_true(trace_opt_parse("-test_trace_*", &exit_now, &error_abort));
    g_assert_false(trace_event_is_enabled("test_trace_event"));

    g_assert_true(trace_opt_parse("enable=test_*", &exit_now, &error_abort));
    g_assert_true(trace_event_is_enabled("test_trace_event"));

    g_assert_true(trace_opt_parse("enable=-test_trace_event", &exit_now,
                                  &error_abort));
    g_assert_false(trace_event_is_enabled("test_trace_event"));
    reset_events();
}

static void test_unknown_event(void)
{
    GString *out = g_string_new(NULL);
    bool exit_now;
    Error *err = NULL;

    error_set_progname("prog");
    error_capture_begin(out);
    /* An exact name that matches nothing warns but is not fatal. */
    g_assert_true(trace_opt_parse("no_such_event", &exit_now, &error_abort));
    /* A glob that matches nothing is silent. */
    g_assert_true(trace_opt_parse("no_such_*", &exit_now, &error_abort));
    error_capture_end();
    g_assert_cmpstr(out->str, ==,
                    "prog: warning: trace event 'no_such_event' does not "
                    "exist\n");
    g_string_free(out, TRUE);

    g_assert_false(trace_opt_parse("bogus=1", &exit_now, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'bogus'"));
    error_free(err);
}

static void test_events_file(void)
{
    char *on = write_tmp("# comment\n\n   test_trace_event  \n# -x\n");
    char *off = write_tmp("-test_trace_*\n");
    char *arg;
    bool exit_now;

    reset_events();
    arg = g_strconcat("events=", on, NULL);
    g_assert_true(trace_opt_parse(arg, &exit_now, &error_abort));
    g_assert_false(exit_now);
    g_assert_true(trace_event_is_enabled("test_trace_event"));
    g_free(arg);

    arg = g_strconcat("events=", off, NULL);
    g_assert_true(trace_opt_parse(arg, &exit_now, &error_abort));
    g_assert_false(trace_event_is_enabled("test_trace_event"));
    g_free(arg);

    unlink(on);
    unlink(off);
    g_free(on);
    g_free(off);
    reset_events();
}

static void test_events_file_missing(void)
{
    Error *err = NULL;
    bool exit_now;
    char *want = g_strdup_printf("Could not open trace events file "
                                 "'/nonexistent/ev': %s", g_strerror(ENOENT));

    g_assert_false(trace_opt_parse("events=/nonexistent/ev", &exit_now,
                                   &err));
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    error_free(err);
    g_free(want);
}

static void test_observer(void)
{
    Seen seen = { 0 };
    char *log = log_to_tmp();

    reset_events();
    trace_set_observer(observe, &seen);

    trace_test_trace_event(1);           /* disabled: nothing */
    g_assert_cmpint(seen.count, ==, 0);

    trace_enable_pattern("test_trace_event", true);
    trace_test_trace_event(42);
    g_assert_cmpint(seen.count, ==, 1);
    g_assert_cmpstr(seen.name, ==, "test_trace_event");
    g_assert_cmpstr(seen.args, ==, "value 42");

    trace_set_observer(NULL, NULL);
    trace_test_trace_event(43);
    g_assert_cmpint(seen.count, ==, 1);

    seen_clear(&seen);
    qemu_set_log_filename(NULL, &error_abort);
    unlink(log);
    g_free(log);
    reset_events();
}

static void test_log_format(void)
{
    char *log = NULL;
    char *arg, *contents, *pattern;
    bool exit_now;
    int fd = g_file_open_tmp("test-trace-log-XXXXXX", &log, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    reset_events();
    arg = g_strconcat("enable=test_trace_event,file=", log, NULL);
    g_assert_true(trace_opt_parse(arg, &exit_now, &error_abort));
    trace_test_trace_event(42);
    trace_test_trace_event(-7);
    qemu_log_flush();
    qemu_set_log_filename(NULL, &error_abort);

    g_assert_true(g_file_get_contents(log, &contents, NULL, NULL));
    pattern = g_strdup_printf("^%d@[0-9]+\\.[0-9]{6}:test_trace_event "
                              "value 42\\n%d@[0-9]+\\.[0-9]{6}:"
                              "test_trace_event value -7\\n$",
                              (int)getpid(), (int)getpid());
    g_assert_true(g_regex_match_simple(pattern, contents, 0, 0));

    g_free(pattern);
    g_free(contents);
    g_free(arg);
    unlink(log);
    g_free(log);
    reset_events();
}

static void test_list_events(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char **lines;

    trace_list_events(f);
    fclose(f);
    lines = g_strsplit(buf, "\n", -1);
    /* One name per line, then the empty string after the final newline. */
    g_assert_cmpuint(g_strv_length(lines), ==, trace_event_count + 1);
    g_assert_true(g_strv_contains((const char *const *)lines,
                                  "test_trace_event"));
    g_strfreev(lines);
    free(buf);
}

/* "-trace help" prints to stdout: catch it so TAP output stays clean. */
static void test_help(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test-trace-help-XXXXXX", &path, NULL);
    int saved = dup(1);
    bool exit_now = false;
    char *contents;
    char **lines;

    g_assert_cmpint(fd, >=, 0);
    fflush(stdout);
    dup2(fd, 1);
    g_assert_true(trace_opt_parse("help", &exit_now, &error_abort));
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(fd);

    g_assert_true(exit_now);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    lines = g_strsplit(contents, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, trace_event_count + 1);
    g_assert_true(g_strv_contains((const char *const *)lines,
                                  "test_trace_event"));
    g_strfreev(lines);
    g_free(contents);
    unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/trace/pattern", test_pattern);
    g_test_add_func("/trace/opt-forms", test_opt_forms);
    g_test_add_func("/trace/unknown-event", test_unknown_event);
    g_test_add_func("/trace/events-file", test_events_file);
    g_test_add_func("/trace/events-file-missing", test_events_file_missing);
    g_test_add_func("/trace/observer", test_observer);
    g_test_add_func("/trace/log-format", test_log_format);
    g_test_add_func("/trace/list-events", test_list_events);
    g_test_add_func("/trace/help", test_help);
    return g_test_run();
}
