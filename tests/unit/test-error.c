/*
 * Error objects and reporting.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static GString *sink;

static void capture(void)
{
    error_set_progname("prog");
    loc_clear();
    sink = g_string_new(NULL);
    error_capture_begin(sink);
}

/* Stops capturing and returns what was reported (caller frees). */
static char *captured(void)
{
    error_capture_end();
    return g_string_free(sink, FALSE);
}

static void test_setg(void)
{
    Error *err = NULL;

    error_setg(&err, "bad value %d for '%s'", 7, "x");
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, "bad value 7 for 'x'");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free_or_abort(&err);
    g_assert_null(err);

    /* A NULL errp drops the error silently. */
    error_setg(NULL, "ignored");
}

static void test_set_class(void)
{
    Error *err = NULL;

    error_set(&err, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
              "nic0");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'nic0' not found");
    error_free(err);
}

static void test_class_names(void)
{
    g_assert_cmpstr(error_class_name(ERROR_CLASS_GENERIC_ERROR), ==,
                    "GenericError");
    g_assert_cmpstr(error_class_name(ERROR_CLASS_COMMAND_NOT_FOUND), ==,
                    "CommandNotFound");
    g_assert_cmpstr(error_class_name(ERROR_CLASS_DEVICE_NOT_ACTIVE), ==,
                    "DeviceNotActive");
    g_assert_cmpstr(error_class_name(ERROR_CLASS_DEVICE_NOT_FOUND), ==,
                    "DeviceNotFound");
    g_assert_cmpstr(error_class_name(ERROR_CLASS_KVM_MISSING_CAP), ==,
                    "KVMMissingCap");
}

static void test_errno(void)
{
    Error *err = NULL;
    char *want = g_strdup_printf("open '/x': %s", g_strerror(ENOENT));

    error_setg_errno(&err, ENOENT, "open '%s'", "/x");
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    error_free(err);
    g_free(want);
}

static void test_prepend(void)
{
    Error *err = NULL;

    /* Prepending to no error is a no-op. */
    error_prepend(&err, "ignored: ");
    error_prepend(NULL, "ignored: ");
    g_assert_null(err);

    error_setg(&err, "cannot read ROM");
    error_prepend(&err, "vfio %s: ", "0000:01:00.0");
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "vfio 0000:01:00.0: cannot read ROM");
    error_free(err);
}

static void test_propagate(void)
{
    Error *dst = NULL, *first = NULL, *second = NULL;

    error_propagate(&dst, NULL);
    g_assert_null(dst);

    error_setg(&first, "first");
    error_propagate(&dst, first);
    g_assert_true(dst == first);

    /* The first error wins; the second is freed. */
    error_setg(&second, "second");
    error_propagate(&dst, second);
    g_assert_cmpstr(error_get_pretty(dst), ==, "first");
    error_free(dst);

    /* Propagating to NULL frees. */
    second = NULL;
    error_setg(&second, "dropped");
    error_propagate(NULL, second);
}

static void test_copy(void)
{
    Error *err = NULL, *copy;

    error_set(&err, ERROR_CLASS_KVM_MISSING_CAP, "no irqfd");
    error_append_hint(&err, "Use a newer kernel.");
    copy = error_copy(err);
    error_free(err);
    g_assert_cmpstr(error_get_pretty(copy), ==, "no irqfd");
    g_assert_cmpint(error_get_class(copy), ==, ERROR_CLASS_KVM_MISSING_CAP);

    capture();
    error_report_err(copy);
    g_autofree char *out = captured();
    g_assert_cmpstr(out, ==, "prog: no irqfd. Use a newer kernel.\n");
}

static void test_report(void)
{
    capture();
    error_report("something %s", "failed");
    warn_report("careful");
    info_report("fyi");
    g_autofree char *out = captured();
    g_assert_cmpstr(out, ==,
                    "prog: something failed\n"
                    "prog: warning: careful\n"
                    "prog: fyi\n");
}

static void test_report_location(void)
{
    capture();
    loc_set_cmdline("-device", "foo,bar=1");
    error_report("Property 'bar' not found");
    loc_set_cmdline("machine", "q35");
    warn_report("odd");
    loc_clear();
    error_report("done");
    g_autofree char *out = captured();
    g_assert_cmpstr(out, ==,
                    "prog: -device foo,bar=1: Property 'bar' not found\n"
                    "prog: -machine q35: warning: odd\n"
                    "prog: done\n");
}

static void test_report_err_hint(void)
{
    Error *err = NULL;

    capture();
    error_setg(&err, "vfio 0000:01:00.0: failed to read ROM");
    error_append_hint(&err, "Try rombar=0 ");
    error_append_hint(&err, "or romfile=\n");
    error_report_err(err);

    err = NULL;
    error_setg(&err, "Parameter 'size' expects a number:");
    error_append_hint(&err, "like 1G\n");
    warn_report_err(err);

    /* Hints given with no error go nowhere. */
    err = NULL;
    error_append_hint(&err, "lost");
    error_append_hint(NULL, "lost");
    g_assert_null(err);
    error_report_err(NULL);

    g_autofree char *out = captured();
    g_assert_cmpstr(out, ==,
                    "prog: vfio 0000:01:00.0: failed to read ROM. "
                    "Try rombar=0 or romfile=\n"
                    "prog: warning: Parameter 'size' expects a number: "
                    "like 1G\n");
}

static void test_progname_default(void)
{
    sink = g_string_new(NULL);
    error_set_progname(NULL);
    loc_clear();
    error_capture_begin(sink);
    error_report("x");
    g_autofree char *out = captured();
    g_autofree char *want = g_strdup_printf("%s: x\n", g_get_prgname());
    g_assert_cmpstr(out, ==, want);
}

/* Runs @fn in a child with stderr captured; returns its wait status. */
static int run_child(void (*fn)(void), char **err_out)
{
    int pipefd[2];
    pid_t pid;
    int status;
    GString *buf = g_string_new(NULL);
    char tmp[256];
    ssize_t n;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        fn();
        _exit(0);
    }
    close(pipefd[1]);
    while ((n = read(pipefd[0], tmp, sizeof(tmp))) > 0) {
        g_string_append_len(buf, tmp, n);
    }
    close(pipefd[0]);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    *err_out = g_string_free(buf, FALSE);
    return status;
}

static void child_fatal(void)
{
    error_set_progname("prog");
    error_setg(&error_fatal, "fatal %d", 1);
}

static void child_abort(void)
{
    struct rlimit no_core = { 0, 0 };

    /* No core dump for an expected abort. */
    setrlimit(RLIMIT_CORE, &no_core);
    error_set_progname("prog");
    error_setg(&error_abort, "aborting");
}

static void child_propagate_fatal(void)
{
    Error *err = NULL;

    error_set_progname("prog");
    error_setg(&err, "late");
    error_append_hint(&err, "Do something.");
    error_propagate(&error_fatal, err);
}

static void test_fatal(void)
{
    char *out;
    int status = run_child(child_fatal, &out);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(out, ==, "prog: fatal 1\n");
    g_free(out);

    status = run_child(child_propagate_fatal, &out);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(out, ==, "prog: late. Do something.\n");
    g_free(out);
}

static void test_abort(void)
{
    char *out;
    int status = run_child(child_abort, &out);

    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGABRT);
    g_assert_cmpstr(out, ==, "prog: aborting\n");
    g_free(out);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/setg", test_setg);
    g_test_add_func("/error/set-class", test_set_class);
    g_test_add_func("/error/class-names", test_class_names);
    g_test_add_func("/error/errno", test_errno);
    g_test_add_func("/error/prepend", test_prepend);
    g_test_add_func("/error/propagate", test_propagate);
    g_test_add_func("/error/copy", test_copy);
    g_test_add_func("/error/report", test_report);
    g_test_add_func("/error/report-location", test_report_location);
    g_test_add_func("/error/report-err-hint", test_report_err_hint);
    g_test_add_func("/error/progname-default", test_progname_default);
    g_test_add_func("/error/fatal", test_fatal);
    g_test_add_func("/error/abort", test_abort);
    return g_test_run();
}
