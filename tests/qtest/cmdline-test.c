/*
 * Command-line behaviour of the binaries: help and version output, the
 * qtest-over-stdio path, and one clear line with exit status 1 for each
 * kind of bad input.
 */
#include "qemu/osdep.h"

typedef struct RunResult {
    char *out;
    char *err;
    int status;                 /* exit status, or -signal */
} RunResult;

static void run_result_clear(RunResult *r)
{
    g_free(r->out);
    g_free(r->err);
}

static const char *test_binary(void)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");

    g_assert_nonnull(bin);
    return bin;
}

static const char *product_binary(void)
{
    const char *bin = g_getenv("QVFIO_PRODUCT_BINARY");

    g_assert_nonnull(bin);
    return bin;
}

/* Run "BINARY ARGS" through the shell (ARGS may quote), feeding @input. */
static RunResult run(const char *binary, const char *args, const char *input)
{
    g_autofree char *cmd = g_strdup_printf("timeout -s KILL 20 %s %s",
                                           binary, args);
    g_autofree char *in_file = NULL;
    g_autofree char *full = NULL;
    const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
    RunResult r = { 0 };
    GError *gerr = NULL;
    int wait_status;

    if (input) {
        int fd = g_file_open_tmp("cmdline-XXXXXX", &in_file, &gerr);

        g_assert_no_error(gerr);
        g_assert_true(write(fd, input, strlen(input)) == (ssize_t)strlen(input));
        close(fd);
        full = g_strdup_printf("%s < %s", cmd, in_file);
    } else {
        full = g_strdup_printf("%s < /dev/null", cmd);
    }
    argv[2] = full;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                               &r.out, &r.err, &wait_status, &gerr));
    g_assert_no_error(gerr);
    if (WIFEXITED(wait_status)) {
        r.status = WEXITSTATUS(wait_status);
    } else {
        r.status = -WTERMSIG(wait_status);
    }
    if (in_file) {
        unlink(in_file);
    }
    return r;
}

static void test_version_and_help(void)
{
    RunResult r = run(product_binary(), "-version", NULL);

    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_str_has_prefix(r.out, "QEMU emulator version "));
    run_result_clear(&r);
    r = run(product_binary(), "--help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "-device driver"));
    g_assert_nonnull(strstr(r.out, "-machine"));
    g_assert_nonnull(strstr(r.out, "-kernel bzImage"));
    g_assert_nonnull(strstr(r.out, "-initrd file"));
    g_assert_nonnull(strstr(r.out, "-append cmdline"));
    run_result_clear(&r);
}

static void test_machine_help(void)
{
    RunResult r = run(product_binary(), "-machine help", NULL);

    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "Supported machines are:"));
    g_assert_nonnull(strstr(r.out, "q35 "));
    g_assert_nonnull(strstr(r.out, "(default)"));
    g_assert_nonnull(strstr(r.out, "none "));
    run_result_clear(&r);
    r = run(product_binary(), "-M ?", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "q35"));
    run_result_clear(&r);
}

static void test_device_help(void)
{
    RunResult r = run(test_binary(), "-device help", NULL);

    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "name \"qvfio-test-pci\", bus PCI"));
    /* board-only devices are not offered to the user */
    g_assert_null(strstr(r.out, "name \"mch\""));
    run_result_clear(&r);
    r = run(test_binary(), "-device qvfio-test-pci,help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "qvfio-test-pci options:"));
    g_assert_nonnull(strstr(r.out, "msix-vectors=<uint32>"));
    g_assert_nonnull(strstr(r.out, "addr=<int32>"));
    g_assert_nonnull(strstr(r.out, "(default: 4)"));
    run_result_clear(&r);
}

/* The test device must never be in the product. */
static void test_product_has_no_test_device(void)
{
    RunResult r = run(product_binary(), "-device help", NULL);

    g_assert_cmpint(r.status, ==, 0);
    g_assert_null(strstr(r.out, "qvfio-test-pci"));
    run_result_clear(&r);
    r = run(product_binary(), "-machine q35 -accel qtest -display none "
            "-device qvfio-test-pci", NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_nonnull(strstr(r.err, "'qvfio-test-pci' is not a valid device "
                            "model name"));
    run_result_clear(&r);
}

static void test_trace_help(void)
{
    RunResult r = run(product_binary(), "-trace help", NULL);

    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "qdev_realize"));
    run_result_clear(&r);
}

/* The acceptance command. */
static void test_qtest_stdio_host_bridge(void)
{
    RunResult r = run(product_binary(), "-machine q35 -accel qtest -qtest "
                      "stdio -display none",
                      "outl 0xcf8 0x80000000\ninl 0xcfc\n");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "OK\nOK 0x29c08086\n");
    run_result_clear(&r);
}

/* -object qtest on a -chardev, as libvirt-style command lines spell it */
static void test_qtest_object_on_chardev(void)
{
    RunResult r = run(product_binary(), "-machine q35 -accel qtest "
                      "-chardev stdio,id=qt0 -object qtest,id=q,chardev=qt0 "
                      "-qtest-log none -display none",
                      "outl 0xcf8 0x80000000\ninl 0xcfc\n");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "OK\nOK 0x29c08086\n");
    run_result_clear(&r);
}

static void test_machine_accel_form(void)
{
    RunResult r = run(product_binary(), "-machine q35,accel=qtest -qtest "
                      "stdio -qtest-log none -display none",
                      "outl 0xcf8 0x80000000\ninl 0xcfc\n");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "OK\nOK 0x29c08086\n");
    run_result_clear(&r);
}

/* QMP over stdio: the product's replies (lines end in CRLF, as QEMU's). */
static char *run_qmp(const char *args, const char *commands)
{
    g_autofree char *input = g_strdup_printf(
        "{\"execute\":\"qmp_capabilities\"}\n%s{\"execute\":\"quit\"}\n",
        commands);
    g_autofree char *full = g_strdup_printf("-accel qtest -display none "
                                            "-qmp stdio %s", args);
    RunResult r = run(product_binary(), full, input);
    char *out;

    g_assert_cmpint(r.status, ==, 0);
    out = g_steal_pointer(&r.out);
    run_result_clear(&r);
    return out;
}

/*
 * -kernel, -initrd and -append reach the machine (qom-get /machine kernel,
 * as in QEMU), and -machine kernel= is the same option: the last one
 * wins. On -machine none nothing loads them: the paths need not exist.
 */
static char *qom_get_boot_files(const char *args)
{
    g_autofree char *full = g_strdup_printf("-machine none %s", args);

    return run_qmp(full,
        "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine\","
        "\"property\":\"kernel\"}}\n"
        "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine\","
        "\"property\":\"initrd\"}}\n"
        "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine\","
        "\"property\":\"append\"}}\n");
}

static void test_boot_options(void)
{
    g_autofree char *out = qom_get_boot_files(
        "-kernel /boot/bzImage -initrd /boot/initrd.gz "
        "-append 'console=ttyS0 root=/dev/vda,x'");

    g_assert_nonnull(strstr(out, "{\"return\":\"/boot/bzImage\"}\r\n"
                            "{\"return\":\"/boot/initrd.gz\"}\r\n"
                            "{\"return\":\"console=ttyS0 root=/dev/vda,x\"}"));
    g_free(out);
    out = qom_get_boot_files("-kernel a -machine none,kernel=b,append=c");
    g_assert_nonnull(strstr(out, "{\"return\":\"b\"}\r\n{\"return\":\"\"}\r\n"
                            "{\"return\":\"c\"}"));
    g_free(out);
    out = qom_get_boot_files("");
    g_assert_nonnull(strstr(out, "{\"return\":\"\"}\r\n{\"return\":\"\"}\r\n"
                            "{\"return\":\"\"}"));
    g_free(out);
    /* what libvirt learns: -boot takes no firmware keys, -machine kernel= */
    out = run_qmp("", "{\"execute\":\"query-command-line-options\","
                  "\"arguments\":{\"option\":\"boot-opts\"}}\n"
                  "{\"execute\":\"query-command-line-options\","
                  "\"arguments\":{\"option\":\"machine\"}}\n");
    g_assert_nonnull(strstr(out, "\"name\":\"strict\""));
    g_assert_null(strstr(out, "\"name\":\"order\""));
    g_assert_null(strstr(out, "\"name\":\"splash-time\""));
    g_assert_nonnull(strstr(out, "{\"name\":\"kernel\",\"type\":\"string\"}"));
}

/* libvirt passes -boot strict=on; it asks nothing of firmware. */
static void test_boot_strict(void)
{
    RunResult r = run(product_binary(), "-accel qtest -qtest stdio "
                      "-qtest-log none -display none -boot strict=on,menu=off",
                      "outl 0xcf8 0x80000000\ninl 0xcfc\n");

    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "OK\nOK 0x29c08086\n");
    run_result_clear(&r);
}

typedef struct BadCase {
    const char *args;
    const char *message;        /* expected in the single stderr line */
} BadCase;

static const BadCase bad_cases[] = {
    { "-foo", "-foo: invalid option" },
    { "--bar 1", "-bar: invalid option" },
    { "-parallel stdio", "-parallel: option not supported by qvfio" },
    { "disk.img", "positional arguments" },
    { "-m", "-m: requires an argument" },
    { "-accel qtest -m 0", "guest RAM must be between 1M and 4T" },
    { "-accel qtest -m lots", "Parameter 'size' expects" },
    { "-accel qtest -m 1X", "Parameter 'size' expects" },
    { "-machine nosuch -accel qtest", "unsupported machine type \"nosuch\"" },
    { "-machine q35,bogus=1 -accel qtest", "Invalid parameter 'bogus'" },
    { "-machine q35,=x -accel qtest", "" },
    { "-accel qtest -machine accel=qtest",
      "The -accel and \"-machine accel=\" options are incompatible" },
    { "-accel tcg", "no CPU emulator" },
    { "-accel warp", "invalid accelerator warp" },
    { "-machine q35", "needs an accelerator" },
    { "-accel qtest -device nosuch", "'nosuch' is not a valid device model "
      "name" },
    { "-accel qtest -device qvfio-test-pci,addr=zz",
      "Parameter 'addr' expects a PCI device address" },
    { "-accel qtest -device qvfio-test-pci,addr=3.9",
      "Parameter 'addr' expects a PCI device address" },
    { "-accel qtest -device qvfio-test-pci,bogus=1",
      "Property 'qvfio-test-pci.bogus' not found" },
    { "-accel qtest -device qvfio-test-pci,msix-vectors=many",
      "msix-vectors" },
    { "-accel qtest -device qvfio-test-pci,id=a -device qvfio-test-pci,id=a",
      "Duplicate device ID 'a'" },
    { "-accel qtest -device qvfio-test-pci,addr=3 -device "
      "qvfio-test-pci,addr=3", "not available" },
    { "-accel qtest -device '{\"driver\":'", "JSON parse error" },
    { "-accel qtest -device '[1]'", "'[1]' is not a valid device model name" },
    { "-accel qtest -device '{\"id\":\"x\"}'", "Parameter 'driver' is missing" },
    { "-accel qtest -device '{\"driver\":\"qvfio-test-pci\",\"addr\":[3]}'",
      "expects a scalar" },
    { "-accel qtest -device qvfio-test-pci,bus=pci.9", "Bus 'pci.9' not "
      "found" },
    { "-accel qtest -object nosuch,id=x", "invalid object type: nosuch" },
    { "-accel qtest -object qtest,id=q,chardev=nochr",
      "chardev 'nochr' not found" },
    { "-accel qtest -m ''", "Parameter 'size' is missing" },
    { "-accel qtest -m 256M,slots=x", "slots" },
    { "-accel qtest -chardev socket,id=c0", "" },
    { "-accel qtest -display gtk", "Display 'gtk' is not available" },
    { "-accel qtest -global nodot", "expected DRIVER.PROP=VALUE" },
    { "-accel qtest -global qvfio-test-pci.msi64=maybe -device qvfio-test-pci",
      "msi64" },
    { "-accel qtest -name guest=x,colour=blue", "Invalid parameter 'colour'" },
    { "-accel qtest -qtest unix:/nonexistent/dir/sock", "/nonexistent/dir/sock" },
    { "-D /nonexistent/dir/log", "/nonexistent/dir/log" },
    { "-trace events=/nonexistent/events", "/nonexistent/events" },
    { "-accel qtest -initrd initrd.gz",
      ": -initrd only allowed with -kernel option" },
    { "-accel qtest -append console=ttyS0",
      ": -append only allowed with -kernel option" },
    { "-accel qtest -machine q35,initrd=x -append y",
      "-initrd only allowed with -kernel option" },
    { "-bios bios.bin", "-bios: qvfio has no firmware: it boots Linux "
      "directly with -kernel (and -initrd, -append)" },
    { "-pflash OVMF_CODE.fd", "-pflash: qvfio has no firmware" },
    { "-drive file=disk.img,if=virtio", "-drive: qvfio has no disk "
      "controllers: boot Linux with -kernel and an -initrd, or give the "
      "guest a host storage controller with -device vfio-pci" },
    { "-cdrom debian.iso", "-cdrom: qvfio has no disk controllers" },
    { "-hda disk.img", "-hda: qvfio has no disk controllers" },
    { "-blockdev driver=file,filename=x,node-name=n",
      "-blockdev: qvfio has no disk controllers" },
    { "-accel qtest -boot c", "-boot c: 'order' needs firmware, which qvfio "
      "does not have: boot Linux directly with -kernel (-boot takes strict= "
      "and menu=off)" },
    { "-accel qtest -boot strict=on,once=d", "'once' needs firmware" },
    { "-accel qtest -boot menu=on", "'menu' needs firmware" },
    { "-accel qtest -boot splash=logo.bmp", "'splash' needs firmware" },
    { "-accel qtest -boot reboot-timeout=1000",
      "'reboot-timeout' needs firmware" },
    { "-accel qtest -boot menu=maybe", "Parameter 'menu' expects" },
    { "-accel qtest -boot strict=on,colour=red",
      "Invalid parameter 'colour'" },
    /* files a user names: never a device to read forever, nor a FIFO */
    { "-accel qtest -device qvfio-test-pci,romfile=/dev/zero",
      "romfile \"/dev/zero\": it is not a regular file" },
    { "-accel qtest -object secret,id=s,file=/dev/zero",
      "Unable to read /dev/zero: it is not a regular file" },
};

static void test_bad_input(gconstpointer data)
{
    const BadCase *c = data;
    RunResult r = run(test_binary(), c->args, NULL);
    g_auto(GStrv) lines = g_strsplit(g_strchomp(r.err), "\n", -1);

    if (r.status != 1 || g_strv_length(lines) != 1 ||
        !strstr(r.err, c->message)) {
        g_test_message("args: %s\nstatus: %d\nstderr: %s", c->args, r.status,
                       r.err);
    }
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpuint(g_strv_length(lines), ==, 1);
    g_assert_nonnull(strstr(r.err, c->message));
    run_result_clear(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/version-and-help", test_version_and_help);
    g_test_add_func("/cmdline/machine-help", test_machine_help);
    g_test_add_func("/cmdline/device-help", test_device_help);
    g_test_add_func("/cmdline/product-has-no-test-device",
                    test_product_has_no_test_device);
    g_test_add_func("/cmdline/trace-help", test_trace_help);
    g_test_add_func("/cmdline/qtest-stdio-host-bridge",
                    test_qtest_stdio_host_bridge);
    g_test_add_func("/cmdline/machine-accel-form", test_machine_accel_form);
    g_test_add_func("/cmdline/qtest-object-on-chardev",
                    test_qtest_object_on_chardev);
    g_test_add_func("/cmdline/boot-options", test_boot_options);
    g_test_add_func("/cmdline/boot-strict", test_boot_strict);
    for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
        g_autofree char *name = g_strdup_printf("/cmdline/bad-input/%zu", i);

        g_test_add_data_func(name, &bad_cases[i], test_bad_input);
    }
    return g_test_run();
}
