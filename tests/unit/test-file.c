/*
 * qemu_read_user_file: what a user names is read only if it is a regular
 * file small enough; devices, FIFOs and directories are refused at once.
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "qemu/file.h"

static char *tmpdir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void assert_refused(const char *path, size_t max, const char *why)
{
    Error *err = NULL;
    char *data = (char *)"untouched";
    size_t len = 1;

    g_assert_false(qemu_read_user_file(path, max, &data, &len, &err));
    g_assert_null(data);
    g_assert_cmpuint(len, ==, 0);
    if (!strstr(error_get_pretty(err), why)) {
        g_error("%s: '%s' not in '%s'", path, why, error_get_pretty(err));
    }
    error_free(err);
}

static void test_regular(void)
{
    g_autofree char *path = tmp_path("rom.bin");
    g_autofree char *empty = tmp_path("empty");
    g_autofree char *data = NULL;
    size_t len;

    g_assert_true(g_file_set_contents(path, "\x55\xaa\0rest", 7, NULL));
    g_assert_true(qemu_read_user_file(path, 7, &data, &len, &error_abort));
    g_assert_cmpuint(len, ==, 7);
    g_assert_cmpmem(data, 7, "\x55\xaa\0rest", 7);
    g_assert_cmpint(data[7], ==, 0);
    g_clear_pointer(&data, g_free);

    g_assert_true(g_file_set_contents(empty, "", 0, NULL));
    g_assert_true(qemu_read_user_file(empty, 7, &data, &len, &error_abort));
    g_assert_cmpuint(len, ==, 0);
    unlink(path);
    unlink(empty);
}

static void test_refused(void)
{
    g_autofree char *big = tmp_path("big");
    g_autofree char *fifo = tmp_path("fifo");
    gint64 start = g_get_monotonic_time();

    g_assert_true(g_file_set_contents(big, "0123456789", 10, NULL));
    assert_refused(big, 9, "10 bytes, more than the 9");
    assert_refused("/dev/zero", 1 << 20, "not a regular file");
    assert_refused(tmpdir, 1 << 20, "not a regular file");
    assert_refused("/nonexistent/rom.bin", 1 << 20, "No such file");
    /* nobody writes to this FIFO: no waiting for one */
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    assert_refused(fifo, 1 << 20, "not a regular file");
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
    unlink(big);
    unlink(fifo);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("qvfio-file-XXXXXX", NULL);
    g_test_add_func("/file/regular", test_regular);
    g_test_add_func("/file/refused", test_refused);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
