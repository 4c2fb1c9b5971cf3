/*
 * The QMP monitor as libvirt uses it: the capability probe (a daemonized
 * qvfio with -machine none,accel=kvm:tcg), negotiation, id echo, events,
 * hostdev attach and detach on the fake VFIO backend, fd passing, the
 * life cycle (stop, cont, system_reset, quit, SIGTERM) and libvirt's own
 * hostdev command line. Every message is checked for CRLF line ends by
 * the client (libqtest's QMP client).
 */
#include "qemu/osdep.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/kvm.h>
#include "libqtest.h"

/* Helpers */

typedef struct Daemon {
    char *dir;
    char *sock;
    char *pidfile;
    pid_t pid;
    char *out;
    char *err;
} Daemon;

static pid_t read_pidfile(const char *path)
{
    g_autofree char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_true(g_str_has_suffix(text, "\n"));
    return atoi(text);
}

/*
 * Run @binary daemonized with a QMP socket and a pidfile: the parent must
 * exit 0 with the socket and the pidfile in place.
 */
static Daemon *daemon_start(const char *binary, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static Daemon *daemon_start(const char *binary, const char *fmt, ...)
{
    Daemon *d = g_new0(Daemon, 1);
    g_autofree char *extra = NULL;
    g_autofree char *args = NULL;
    va_list ap;
    int status;

    d->dir = g_dir_make_tmp("qvfio-qmp-XXXXXX", NULL);
    d->sock = g_build_filename(d->dir, "qmp.sock", NULL);
    d->pidfile = g_build_filename(d->dir, "qvfio.pid", NULL);
    va_start(ap, fmt);
    extra = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    args = g_strdup_printf("-qmp unix:%s,server=on,wait=off -pidfile %s "
                           "-daemonize %s", d->sock, d->pidfile, extra);
    g_assert_true(qtest_run_binary(binary, args, NULL, &d->out, &d->err,
                                   &status));
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        g_error("'%s' failed (0x%x): %s", args, status, d->err);
    }
    g_assert_cmpstr(d->out, ==, "");
    g_assert_cmpstr(d->err, ==, "");
    /* The parent left only once these existed. */
    g_assert_true(g_file_test(d->sock, G_FILE_TEST_EXISTS));
    d->pid = read_pidfile(d->pidfile);
    g_assert_cmpint(d->pid, >, 1);
    g_assert_cmpint(kill(d->pid, 0), ==, 0);
    return d;
}

/*
 * The daemon re-parented to us (we are a subreaper): its exit status is
 * ours to check, so a sanitizer abort at exit fails the test.
 */
static void daemon_reap(pid_t pid)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    int status;
    pid_t ret;

    while ((ret = waitpid(pid, &status, WNOHANG)) == 0 &&
           g_get_monotonic_time() < deadline) {
        g_usleep(2000);
    }
    g_assert_cmpint(ret, ==, pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        g_error("qvfio daemon %d ended with status 0x%x", (int)pid, status);
    }
}

/* The daemon is gone: socket and pidfile went with it. */
static void daemon_finish(Daemon *d)
{
    daemon_reap(d->pid);
    g_assert_false(g_file_test(d->sock, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(d->pidfile, G_FILE_TEST_EXISTS));
    qtest_remove_tmpdir(d->dir);
    g_free(d->dir);
    g_free(d->sock);
    g_free(d->pidfile);
    g_free(d->out);
    g_free(d->err);
    g_free(d);
}

static const char *reply_id(JsonObject *reply)
{
    return json_object_get_string_member(reply, "id");
}

static JsonArray *return_array(JsonObject *reply)
{
    JsonNode *ret = qmp_return(reply);

    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
    return json_node_get_array(ret);
}

static JsonObject *return_object(JsonObject *reply)
{
    JsonNode *ret = qmp_return(reply);

    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
    return json_node_get_object(ret);
}

static void assert_empty_return(JsonObject *reply)
{
    g_assert_cmpuint(json_object_get_size(return_object(reply)), ==, 0);
}

static bool object_has_string(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);

    return n && JSON_NODE_HOLDS_VALUE(n) &&
           json_node_get_value_type(n) == G_TYPE_STRING;
}

static bool object_has_int(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);

    return n && JSON_NODE_HOLDS_VALUE(n) &&
           json_node_get_value_type(n) == G_TYPE_INT64;
}

static bool object_has_bool(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);

    return n && JSON_NODE_HOLDS_VALUE(n) &&
           json_node_get_value_type(n) == G_TYPE_BOOLEAN;
}

/* An array element whose "name" is @name, or NULL. */
static JsonObject *find_named(JsonArray *arr, const char *name)
{
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        if (!g_strcmp0(json_object_get_string_member_with_default(o, "name",
                                                                  NULL),
                       name)) {
            return o;
        }
    }
    return NULL;
}

/* What the kvm accelerator can do on this host, checked independently. */
static bool host_kvm_present(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

static bool host_kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    bool ok;
    int vm;

    if (fd < 0) {
        return false;
    }
    ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
    vm = ok ? ioctl(fd, KVM_CREATE_VM, 0) : -1;
    if (vm >= 0) {
        close(vm);
    }
    close(fd);
    return ok && vm >= 0;
}

/* Checks and frees @greeting. */
static void check_greeting(JsonObject *greeting)
{
    JsonObject *qmp = json_object_get_object_member(greeting, "QMP");
    JsonObject *version = json_object_get_object_member(qmp, "version");
    JsonObject *triple = json_object_get_object_member(version, "qemu");

    g_assert_cmpuint(json_object_get_size(greeting), ==, 1);
    g_assert_cmpint(json_object_get_int_member(triple, "major"), ==, 10);
    g_assert_cmpint(json_object_get_int_member(triple, "minor"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(triple, "micro"), ==, 0);
    g_assert_cmpstr(json_object_get_string_member(version, "package"), ==,
                    "qvfio-0.1.0");
    /* No I/O thread, so no out-of-band capability is offered. */
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(qmp, "capabilities")),
                     ==, 0);
    json_object_unref(greeting);
}

/* The probe */

/* Every type a schema entry names must be an entry itself. */
static void check_schema_refs(JsonArray *schema, GHashTable *names,
                              JsonObject *e)
{
    static const char *const ref_keys[] = { "arg-type", "ret-type",
                                            "element-type" };
    JsonArray *members;

    for (size_t i = 0; i < ARRAY_SIZE(ref_keys); i++) {
        const char *ref = json_object_get_string_member_with_default(
                              e, ref_keys[i], NULL);

        g_assert_true(!ref || g_hash_table_contains(names, ref));
    }
    if (!strcmp(json_object_get_string_member(e, "meta-type"), "object")) {
        members = json_object_get_array_member(e, "members");
        for (guint i = 0; i < json_array_get_length(members); i++) {
            JsonObject *m = json_array_get_object_element(members, i);

            g_assert_true(object_has_string(m, "name"));
            g_assert_true(g_hash_table_contains(
                names, json_object_get_string_member(m, "type")));
        }
    }
}

static void check_schema(JsonArray *schema)
{
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    JsonObject *device_add, *e;
    JsonArray *features;

    for (guint i = 0; i < json_array_get_length(schema); i++) {
        e = json_array_get_object_element(schema, i);
        g_assert_true(object_has_string(e, "name"));
        g_assert_true(object_has_string(e, "meta-type"));
        g_hash_table_add(names, (gpointer)json_object_get_string_member(
                                    e, "name"));
    }
    for (guint i = 0; i < json_array_get_length(schema); i++) {
        check_schema_refs(schema, names, json_array_get_object_element(
                                             schema, i));
    }
    device_add = find_named(schema, "device_add");
    g_assert_nonnull(device_add);
    g_assert_cmpstr(json_object_get_string_member(device_add, "meta-type"),
                    ==, "command");
    features = json_object_get_array_member(device_add, "features");
    g_assert_cmpuint(json_array_get_length(features), ==, 2);
    g_assert_cmpstr(json_array_get_string_element(features, 0), ==,
                    "json-cli");
    g_assert_cmpstr(json_array_get_string_element(features, 1), ==,
                    "json-cli-hotplug");
    for (const char *const *n = (const char *const[]){
             "qmp_capabilities", "query-kvm", "qom-list-types", "device_del",
             "query-pci", "getfd", "human-monitor-command", "SHUTDOWN",
             "DEVICE_DELETED", "RESET", NULL }; *n; n++) {
        g_assert_nonnull(find_named(schema, *n));
    }
    /* Type names are masked as numbers, as in QEMU. */
    g_assert_null(find_named(schema, "VersionInfo"));
    e = find_named(schema, "0");
    g_assert_nonnull(e);
    g_assert_cmpuint(json_array_get_length(
                         json_object_get_array_member(e, "members")), ==, 0);
}

static void check_vfio_props(JsonArray *props)
{
    JsonObject *host = find_named(props, "host");
    JsonObject *addr = find_named(props, "addr");
    JsonObject *nommap = find_named(props, "x-no-mmap");

    g_assert_nonnull(host);
    g_assert_cmpstr(json_object_get_string_member(host, "type"), ==, "str");
    g_assert_nonnull(find_named(props, "sysfsdev"));
    g_assert_nonnull(find_named(props, "rombar"));
    g_assert_nonnull(find_named(props, "romfile"));
    g_assert_nonnull(find_named(props, "multifunction"));
    g_assert_nonnull(addr);
    g_assert_cmpint(json_object_get_int_member(addr, "default-value"), ==,
                    -1);
    g_assert_true(object_has_string(addr, "description"));
    g_assert_nonnull(nommap);
    g_assert_false(json_object_get_boolean_member(nommap, "default-value"));
    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);

        g_assert_true(object_has_string(p, "name"));
        g_assert_true(object_has_string(p, "type"));
    }
}

static void check_types(JsonArray *types)
{
    JsonObject *vfio = find_named(types, "vfio-pci");
    JsonObject *device = find_named(types, "device");

    g_assert_nonnull(vfio);
    g_assert_cmpstr(json_object_get_string_member(vfio, "parent"), ==,
                    "pci-device");
    g_assert_false(json_object_has_member(vfio, "abstract"));
    g_assert_null(device);          /* abstract types only when asked */
    /* No CPU emulator: libvirt must not see TCG. */
    g_assert_null(find_named(types, "tcg-accel"));
    g_assert_nonnull(find_named(types, "kvm-accel"));
    g_assert_nonnull(find_named(types, "memory-backend-ram"));
}

static void check_machines(JsonArray *machines)
{
    JsonObject *q35 = find_named(machines, "pc-q35-10.1");
    JsonObject *none = find_named(machines, "none");

    g_assert_nonnull(q35);
    g_assert_nonnull(none);
    g_assert_cmpstr(json_object_get_string_member(q35, "alias"), ==, "q35");
    g_assert_true(json_object_get_boolean_member(q35, "is-default"));
    g_assert_cmpstr(json_object_get_string_member(q35, "default-ram-id"), ==,
                    "pc.ram");
    /* libvirt checks <vcpu> against cpu-max; q35 builds ACPI tables. */
    g_assert_cmpint(json_object_get_int_member(q35, "cpu-max"), ==, 128);
    g_assert_true(json_object_get_boolean_member(q35, "acpi"));
    g_assert_cmpint(json_object_get_int_member(none, "cpu-max"), ==, 1);
    g_assert_false(json_object_get_boolean_member(none, "acpi"));
    for (guint i = 0; i < json_array_get_length(machines); i++) {
        JsonObject *m = json_array_get_object_element(machines, i);

        g_assert_true(object_has_bool(m, "hotpluggable-cpus"));
        g_assert_true(object_has_bool(m, "deprecated"));
    }
}

/* Send request N of the probe; the reply must echo "libvirt-N". */
static JsonObject *probe_cmd(QMPConn *c, int *n, const char *execute,
                             const char *args)
{
    JsonObject *reply;

    (*n)++;
    if (args) {
        reply = qmp_conn_cmd(c, "{\"execute\":\"%s\",\"arguments\":%s,"
                             "\"id\":\"libvirt-%d\"}", execute, args, *n);
    } else {
        reply = qmp_conn_cmd(c, "{\"execute\":\"%s\",\"id\":\"libvirt-%d\"}",
                             execute, *n);
    }
    {
        g_autofree char *want = g_strdup_printf("libvirt-%d", *n);

        g_assert_cmpstr(reply_id(reply), ==, want);
    }
    return reply;
}

static void probe_sequence(QMPConn *c)
{
    JsonObject *r, *o;
    int n = 0;

    check_greeting(qmp_conn_recv_any(c));
    r = probe_cmd(c, &n, "qmp_capabilities", NULL);
    assert_empty_return(r);
    json_object_unref(r);

    r = probe_cmd(c, &n, "query-version", NULL);
    o = return_object(r);
    g_assert_cmpint(json_object_get_int_member(
                        json_object_get_object_member(o, "qemu"), "major"),
                    ==, 10);
    g_assert_true(object_has_string(o, "package"));
    json_object_unref(r);

    r = probe_cmd(c, &n, "query-target", NULL);
    g_assert_cmpstr(json_object_get_string_member(return_object(r), "arch"),
                    ==, "x86_64");
    json_object_unref(r);

    r = probe_cmd(c, &n, "query-qmp-schema", NULL);
    check_schema(return_array(r));
    json_object_unref(r);

    r = probe_cmd(c, &n, "query-kvm", NULL);
    o = return_object(r);
    g_assert_cmpint(json_object_get_boolean_member(o, "enabled"), ==,
                    host_kvm_usable());
    g_assert_cmpint(json_object_get_boolean_member(o, "present"), ==,
                    host_kvm_present());
    json_object_unref(r);

    r = probe_cmd(c, &n, "qom-list-types", NULL);
    check_types(return_array(r));
    json_object_unref(r);
    r = probe_cmd(c, &n, "qom-list-types",
                  "{\"implements\":\"pci-device\",\"abstract\":true}");
    o = find_named(return_array(r), "pci-device");
    g_assert_true(json_object_get_boolean_member(o, "abstract"));
    g_assert_cmpstr(json_object_get_string_member(o, "parent"), ==, "device");
    g_assert_nonnull(find_named(return_array(r), "vfio-pci"));
    g_assert_null(find_named(return_array(r), "ioapic"));
    json_object_unref(r);

    /* libvirt asks about many devices; unknown ones are DeviceNotFound. */
    r = probe_cmd(c, &n, "device-list-properties",
                  "{\"typename\":\"virtio-net-ccw\"}");
    qmp_assert_error(r, "DeviceNotFound", "Device 'virtio-net-ccw' not found");
    json_object_unref(r);
    r = probe_cmd(c, &n, "device-list-properties",
                  "{\"typename\":\"vfio-pci\"}");
    check_vfio_props(return_array(r));
    json_object_unref(r);

    r = probe_cmd(c, &n, "qom-list-properties",
                  "{\"typename\":\"memory-backend-ram\"}");
    g_assert_nonnull(find_named(return_array(r), "size"));
    json_object_unref(r);
    /* libvirt 9.0 crashes if this class is missing. */
    r = probe_cmd(c, &n, "qom-list-properties",
                  "{\"typename\":\"memory-backend-file\"}");
    g_assert_cmpstr(json_object_get_string_member(
                        find_named(return_array(r), "mem-path"), "type"),
                    ==, "str");
    g_assert_nonnull(find_named(return_array(r), "share"));
    json_object_unref(r);
    r = probe_cmd(c, &n, "qom-list-properties",
                  "{\"typename\":\"memory-backend-memfd\"}");
    qmp_assert_error(r, "DeviceNotFound",
                     "Class 'memory-backend-memfd' not found");
    json_object_unref(r);

    r = probe_cmd(c, &n, "query-machines", NULL);
    check_machines(return_array(r));
    json_object_unref(r);
    /* libvirt reads the machine's -machine keys this way (acpi=...). */
    r = probe_cmd(c, &n, "qom-list-properties",
                  "{\"typename\":\"pc-q35-10.1-machine\"}");
    o = find_named(return_array(r), "acpi");
    g_assert_cmpstr(json_object_get_string_member(o, "type"), ==,
                    "OnOffAuto");
    g_assert_nonnull(find_named(return_array(r), "memory-backend"));
    json_object_unref(r);

    for (const char *const *q = (const char *const[]){
             "query-cpu-definitions", "query-tpm-models", "query-tpm-types",
             "query-hotpluggable-cpus", "query-iothreads", NULL }; *q; q++) {
        r = probe_cmd(c, &n, *q, NULL);
        g_assert_cmpuint(json_array_get_length(return_array(r)), ==, 0);
        json_object_unref(r);
    }

    r = probe_cmd(c, &n, "query-command-line-options", NULL);
    o = find_named(return_array(r), "machine");
    g_assert_null(o);       /* entries are named by "option" */
    json_object_unref(r);
    r = probe_cmd(c, &n, "query-command-line-options",
                  "{\"option\":\"machine\"}");
    o = json_array_get_object_element(return_array(r), 0);
    g_assert_cmpstr(json_object_get_string_member(o, "option"), ==,
                    "machine");
    g_assert_nonnull(find_named(json_object_get_array_member(o, "parameters"),
                                "memory-backend"));
    json_object_unref(r);

    r = probe_cmd(c, &n, "query-status", NULL);
    o = return_object(r);
    g_assert_false(json_object_get_boolean_member(o, "running"));
    g_assert_cmpstr(json_object_get_string_member(o, "status"), ==,
                    "prelaunch");
    json_object_unref(r);
}

static void quit_and_check(QMPConn *c)
{
    JsonObject *r = qmp_conn_cmd(c, "{\"execute\":\"quit\"}");
    JsonObject *ev, *data;

    assert_empty_return(r);
    json_object_unref(r);
    ev = qmp_conn_event(c, "SHUTDOWN");
    data = json_object_get_object_member(ev, "data");
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    "host-qmp-quit");
    json_object_unref(ev);
    g_assert_null(qmp_conn_recv_any(c));
}

static void test_libvirt_probe(void)
{
    Daemon *d = daemon_start(qtest_product_binary(),
                             "-S -no-user-config -nodefaults -nographic "
                             "-machine none,accel=kvm:tcg");
    QMPConn *c = qmp_conn_connect_unix(d->sock);

    probe_sequence(c);
    quit_and_check(c);
    qmp_conn_free(c);
    daemon_finish(d);
}

/* Negotiation */

static void cmd_ok(QMPConn *c, const char *execute);

static void test_negotiation(void)
{
    Daemon *d = daemon_start(qtest_binary(), "-S -machine none");
    QMPConn *c = qmp_conn_connect_unix(d->sock);
    JsonObject *r;

    check_greeting(qmp_conn_recv_any(c));
    r = qmp_conn_cmd(c, "{\"execute\":\"query-status\"}");
    qmp_assert_error(r, "CommandNotFound", "Expecting capabilities "
                     "negotiation with 'qmp_capabilities'");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"no-such-command\"}");
    qmp_assert_error(r, "CommandNotFound", "Expecting capabilities "
                     "negotiation with 'qmp_capabilities'");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"qmp_capabilities\","
                     "\"arguments\":{\"enable\":[\"oob\"]}}");
    qmp_assert_error(r, "GenericError", "Capability oob not available");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"qmp_capabilities\","
                     "\"arguments\":{\"enable\":[\"fast\"]}}");
    qmp_assert_error(r, "GenericError",
                     "Parameter 'enable[0]' does not accept value 'fast'");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"qmp_capabilities\","
                     "\"arguments\":{\"enable\":[]}}");
    assert_empty_return(r);
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"qmp_capabilities\"}");
    qmp_assert_error(r, "CommandNotFound", "Capabilities negotiation is "
                     "already complete, command ignored");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"query-status\"}");
    qmp_return(r);
    json_object_unref(r);

    /* A new connection starts over. */
    qmp_conn_free(c);
    c = qmp_conn_connect_unix(d->sock);
    check_greeting(qmp_conn_recv_any(c));
    r = qmp_conn_cmd(c, "{\"execute\":\"query-status\"}");
    qmp_assert_error(r, "CommandNotFound", "Expecting capabilities "
                     "negotiation with 'qmp_capabilities'");
    json_object_unref(r);
    cmd_ok(c, "qmp_capabilities");
    quit_and_check(c);
    qmp_conn_free(c);
    daemon_finish(d);
}

/* id echo */

static void test_id_echo(void)
{
    static const char *const ids[] = {
        "\"libvirt-7\"", "42", "-1.5", "true", "null", "[1,\"a\",{}]",
        "{\"nested\":{\"x\":[1,2,3]}}", "\"\\u00e9\\n\"",
    };
    QTestState *s = qtest_init_with_qmp("-machine none");
    QMPConn *c = qtest_qmp_conn(s);

    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *r = qmp_conn_cmd(c, "{\"execute\":\"query-status\","
                                     "\"id\":%s}", ids[i]);
        JsonObject *e = qmp_conn_cmd(c, "{\"id\":%s,\"execute\":\"nope\"}",
                                     ids[i]);

        g_assert_true(json_parser_load_from_data(p, ids[i], -1, NULL));
        g_assert_true(json_node_equal(json_object_get_member(r, "id"),
                                      json_parser_get_root(p)));
        g_assert_true(json_node_equal(json_object_get_member(e, "id"),
                                      json_parser_get_root(p)));
        qmp_assert_error(e, "CommandNotFound",
                         "The command nope has not been found");
        json_object_unref(r);
        json_object_unref(e);
    }
    /* Errors found before the id is read carry none. */
    {
        JsonObject *r = qmp_conn_cmd(c, "{\"id\":1,\"execute\":}");

        g_assert_false(json_object_has_member(r, "id"));
        g_assert_true(g_str_has_prefix(json_object_get_string_member(
            json_object_get_object_member(r, "error"), "desc"),
            "JSON parse error, "));
        json_object_unref(r);
    }
    /* QEMU's single-quoted strings, with escapes. */
    {
        JsonObject *r = qmp_conn_cmd(c, "{'execute':'query-status',"
                                     "'id':'it\\'s \"q\"\\t'}");

        g_assert_cmpstr(reply_id(r), ==, "it's \"q\"\t");
        json_object_unref(r);
    }
    qtest_quit(s);
}

/* Events and the run state */

static void check_event_time(JsonObject *ev)
{
    JsonObject *ts = json_object_get_object_member(ev, "timestamp");
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    int64_t sec = json_object_get_int_member(ts, "seconds");
    int64_t usec = json_object_get_int_member(ts, "microseconds");

    g_assert_true(object_has_int(ts, "seconds"));
    g_assert_cmpint(sec, <=, now);
    g_assert_cmpint(sec, >=, now - 60);
    g_assert_cmpint(usec, >=, 0);
    g_assert_cmpint(usec, <, 1000000);
}

static void expect_event(QMPConn *c, const char *name, const char *reason)
{
    JsonObject *ev = qmp_conn_event(c, name);

    check_event_time(ev);
    if (reason) {
        JsonObject *data = json_object_get_object_member(ev, "data");

        g_assert_false(json_object_get_boolean_member(data, "guest"));
        g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                        reason);
    } else {
        g_assert_false(json_object_has_member(ev, "data"));
    }
    json_object_unref(ev);
}

static void expect_status(QMPConn *c, bool running, const char *status)
{
    JsonObject *r = qmp_conn_cmd(c, "{\"execute\":\"query-status\"}");
    JsonObject *o = return_object(r);

    g_assert_cmpint(json_object_get_boolean_member(o, "running"), ==,
                    running);
    g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, status);
    json_object_unref(r);
}

static void cmd_ok(QMPConn *c, const char *execute)
{
    JsonObject *r = qmp_conn_cmd(c, "{\"execute\":\"%s\"}", execute);

    assert_empty_return(r);
    json_object_unref(r);
}

static void test_run_state_events(void)
{
    QTestState *s = qtest_init_with_qmp("-machine q35 -S");
    QMPConn *c = qtest_qmp_conn(s);

    expect_status(c, false, "prelaunch");
    cmd_ok(c, "stop");              /* not running: nothing happens */
    expect_status(c, false, "prelaunch");
    cmd_ok(c, "cont");
    expect_event(c, "RESUME", NULL);
    expect_status(c, true, "running");
    cmd_ok(c, "stop");
    expect_event(c, "STOP", NULL);
    expect_status(c, false, "paused");
    cmd_ok(c, "system_reset");
    expect_event(c, "RESET", "host-qmp-system-reset");
    cmd_ok(c, "cont");
    expect_event(c, "RESUME", NULL);
    g_assert_null(qmp_conn_take_event(c, "STOP"));
    qtest_quit(s);
}

static void test_quit(void)
{
    Daemon *d = daemon_start(qtest_binary(), "-machine q35 -accel qtest");
    QMPConn *c = qmp_conn_connect_unix(d->sock);

    json_object_unref(qmp_conn_negotiate(c));
    quit_and_check(c);
    qmp_conn_free(c);
    daemon_finish(d);
}

static void test_sigterm(void)
{
    Daemon *d = daemon_start(qtest_binary(),
                             "-machine q35 -accel qtest "
                             "-device vfio-pci,host=fake:basic,id=hostdev0");
    QMPConn *c = qmp_conn_connect_unix(d->sock);
    JsonObject *ev, *data;

    json_object_unref(qmp_conn_negotiate(c));
    g_assert_cmpint(kill(d->pid, SIGTERM), ==, 0);
    ev = qmp_conn_event(c, "SHUTDOWN");
    data = json_object_get_object_member(ev, "data");
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    "host-signal");
    check_event_time(ev);
    json_object_unref(ev);
    g_assert_null(qmp_conn_recv_any(c));
    qmp_conn_free(c);
    daemon_finish(d);
}

/* Not daemonized: the exit status of a SIGTERM is 0. */
static void test_sigterm_status(void)
{
    QTestState *s = qtest_init_with_qmp("-machine q35");

    kill(qtest_pid(s), SIGTERM);
    expect_event(qtest_qmp_conn(s), "SHUTDOWN", "host-signal");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Hostdev attach and detach, as libvirt does it */

static JsonArray *pci_devices(QMPConn *c, JsonObject **reply)
{
    JsonArray *buses;

    *reply = qmp_conn_cmd(c, "{\"execute\":\"query-pci\"}");
    buses = return_array(*reply);
    g_assert_cmpuint(json_array_get_length(buses), ==, 1);
    g_assert_cmpint(json_object_get_int_member(
                        json_array_get_object_element(buses, 0), "bus"),
                    ==, 0);
    return json_object_get_array_member(
               json_array_get_object_element(buses, 0), "devices");
}

static JsonObject *pci_find(JsonArray *devs, const char *qdev_id)
{
    for (guint i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *d = json_array_get_object_element(devs, i);

        if (!strcmp(json_object_get_string_member(d, "qdev_id"), qdev_id)) {
            return d;
        }
    }
    return NULL;
}

static JsonObject *pci_region(JsonObject *dev, int bar)
{
    JsonArray *regions = json_object_get_array_member(dev, "regions");

    for (guint i = 0; i < json_array_get_length(regions); i++) {
        JsonObject *r = json_array_get_object_element(regions, i);

        if (json_object_get_int_member(r, "bar") == bar) {
            return r;
        }
    }
    return NULL;
}

static void check_hostdev_in_pci(QMPConn *c, int64_t bar0_addr)
{
    JsonObject *reply, *dev, *r;
    JsonArray *devs = pci_devices(c, &reply);

    dev = pci_find(devs, "hostdev0");
    g_assert_nonnull(dev);
    g_assert_cmpint(json_object_get_int_member(dev, "slot"), ==, 3);
    g_assert_cmpint(json_object_get_int_member(dev, "function"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(
                        json_object_get_object_member(dev, "id"), "vendor"),
                    ==, 0x1b36);
    g_assert_cmpint(json_object_get_int_member(
                        json_object_get_object_member(dev, "id"), "device"),
                    ==, 0x0101);
    g_assert_true(object_has_int(json_object_get_object_member(dev,
                                                               "class_info"),
                                 "class"));
    g_assert_cmpint(json_object_get_int_member(dev, "irq_pin"), ==, 1);
    r = pci_region(dev, 0);
    g_assert_nonnull(r);
    g_assert_cmpstr(json_object_get_string_member(r, "type"), ==, "memory");
    g_assert_cmpint(json_object_get_int_member(r, "address"), ==, bar0_addr);
    g_assert_cmpint(json_object_get_int_member(r, "size"), ==, 4096);
    g_assert_false(json_object_get_boolean_member(r, "mem_type_64"));
    r = pci_region(dev, 2);
    g_assert_nonnull(r);
    g_assert_true(json_object_get_boolean_member(r, "prefetch"));
    g_assert_true(json_object_get_boolean_member(r, "mem_type_64"));
    if (bar0_addr == -1) {
        g_assert_cmpint(json_object_get_int_member(r, "address"), ==, -1);
    }
    /* The host bridge is there too, with no id. */
    g_assert_nonnull(pci_find(devs, ""));
    json_object_unref(reply);
}

static JsonObject *qom_get(QMPConn *c, const char *path, const char *prop)
{
    return qmp_conn_cmd(c, "{\"execute\":\"qom-get\",\"arguments\":"
                        "{\"path\":\"%s\",\"property\":\"%s\"}}", path,
                        prop);
}

static void check_qom(QMPConn *c)
{
    JsonObject *r = qmp_conn_cmd(c, "{\"execute\":\"qom-list\",\"arguments\":"
                                 "{\"path\":\"/machine/peripheral\"}}");
    JsonObject *child = find_named(return_array(r), "hostdev0");

    g_assert_nonnull(child);
    g_assert_cmpstr(json_object_get_string_member(child, "type"), ==,
                    "child<vfio-pci>");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"qom-list\",\"arguments\":"
                     "{\"path\":\"hostdev0\"}}");
    g_assert_cmpstr(json_object_get_string_member(
                        find_named(return_array(r), "host"), "type"), ==,
                    "str");
    json_object_unref(r);
    r = qom_get(c, "/machine/peripheral/hostdev0", "host");
    g_assert_cmpstr(json_node_get_string(qmp_return(r)), ==, "fake:basic");
    json_object_unref(r);
    r = qom_get(c, "/machine/peripheral/hostdev0", "realized");
    g_assert_true(json_node_get_boolean(qmp_return(r)));
    json_object_unref(r);
    r = qom_get(c, "/machine/peripheral/hostdev0", "addr");
    g_assert_cmpint(json_node_get_int(qmp_return(r)), ==, 3 << 3);
    json_object_unref(r);
    r = qom_get(c, "/machine/peripheral/hostdev0", "nope");
    qmp_assert_error(r, "GenericError", "Property 'vfio-pci.nope' not found");
    json_object_unref(r);
    r = qom_get(c, "/machine/peripheral/nope", "type");
    qmp_assert_error(r, "DeviceNotFound",
                     "Device '/machine/peripheral/nope' not found");
    json_object_unref(r);
}

static void check_hmp(QTestState *s)
{
    g_autofree char *pci = qtest_hmp(s, "info pci");
    g_autofree char *qtree = qtest_hmp(s, "info qtree");
    g_autofree char *mtree = qtest_hmp(s, "info mtree");
    g_autofree char *bad = qtest_hmp(s, "frobnicate");
    g_autofree char *badinfo = qtest_hmp(s, "info frob");
    g_autofree char *status = qtest_hmp(s, "info status");

    g_assert_nonnull(strstr(pci, "  Bus  0, device   3, function 0:\r\n"));
    g_assert_nonnull(strstr(pci, "PCI device 1b36:0101\r\n"));
    g_assert_nonnull(strstr(pci, "      id \"hostdev0\"\r\n"));
    g_assert_nonnull(strstr(pci, "Host bridge: PCI device 8086:29c0"));
    g_assert_nonnull(strstr(qtree, "dev: vfio-pci, id \"hostdev0\"\r\n"));
    g_assert_nonnull(strstr(qtree, "host = \"fake:basic\"\r\n"));
    g_assert_nonnull(strstr(qtree, "bus: pcie.0\r\n"));
    g_assert_nonnull(strstr(mtree, "address-space: memory\r\n"));
    g_assert_nonnull(strstr(mtree, "address-space: I/O\r\n"));
    g_assert_cmpstr(bad, ==, "unknown command: 'frobnicate'\r\n");
    g_assert_cmpstr(badinfo, ==, "unknown command: 'info frob'\r\n");
    g_assert_cmpstr(status, ==, "VM status: paused (prelaunch)\r\n");
}

static void test_hostdev_attach_detach(void)
{
    QTestState *s = qtest_init_with_qmp("-machine q35 -S");
    QMPConn *c = qtest_qmp_conn(s);
    QPCIBus *bus = qpci_new_pc(s);
    QPCIDevice *pdev;
    JsonObject *r, *ev, *data;
    QPCIBar bar0;
    uint64_t size;

    r = qmp_conn_cmd(c, "{\"execute\":\"device_add\",\"arguments\":"
                     "{\"driver\":\"vfio-pci\",\"id\":\"hostdev0\","
                     "\"host\":\"fake:basic\",\"bus\":\"pcie.0\","
                     "\"addr\":\"0x3\"},\"id\":\"libvirt-20\"}");
    assert_empty_return(r);
    g_assert_cmpstr(reply_id(r), ==, "libvirt-20");
    json_object_unref(r);
    check_hostdev_in_pci(c, -1);

    /* The guest programs BAR0: query-pci shows where it put it. */
    pdev = qpci_device_find(bus, QPCI_DEVFN(3, 0));
    g_assert_nonnull(pdev);
    bar0 = qpci_iomap(pdev, 0, &size);
    qpci_device_enable(pdev);
    check_hostdev_in_pci(c, bar0.addr);
    check_qom(c);
    check_hmp(s);

    r = qmp_conn_cmd(c, "{\"execute\":\"device_add\",\"arguments\":"
                     "{\"driver\":\"vfio-pci\",\"id\":\"hostdev0\","
                     "\"host\":\"fake:basic\"}}");
    qmp_assert_error(r, "GenericError", "Duplicate device ID 'hostdev0'");
    json_object_unref(r);

    r = qmp_conn_cmd(c, "{\"execute\":\"device_del\",\"arguments\":"
                     "{\"id\":\"hostdev0\"},\"id\":\"libvirt-21\"}");
    assert_empty_return(r);
    json_object_unref(r);
    ev = qmp_conn_event(c, "DEVICE_DELETED");
    check_event_time(ev);
    data = json_object_get_object_member(ev, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==,
                    "hostdev0");
    g_assert_cmpstr(json_object_get_string_member(data, "path"), ==,
                    "/machine/peripheral/hostdev0");
    json_object_unref(ev);
    /* The slot is empty again, for the guest and for query-pci. */
    g_assert_null(qpci_device_find(bus, QPCI_DEVFN(3, 0)));
    {
        JsonObject *reply;

        g_assert_null(pci_find(pci_devices(c, &reply), "hostdev0"));
        json_object_unref(reply);
    }
    r = qmp_conn_cmd(c, "{\"execute\":\"device_del\",\"arguments\":"
                     "{\"id\":\"hostdev0\"}}");
    qmp_assert_error(r, "DeviceNotFound", "Device 'hostdev0' not found");
    json_object_unref(r);

    /* Again, by QOM path and without an id. */
    r = qmp_conn_cmd(c, "{\"execute\":\"device_add\",\"arguments\":"
                     "{\"driver\":\"vfio-pci\",\"host\":\"fake:basic\"}}");
    assert_empty_return(r);
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"device_del\",\"arguments\":"
                     "{\"id\":\"/machine/peripheral-anon/device[0]\"}}");
    assert_empty_return(r);
    json_object_unref(r);
    ev = qmp_conn_event(c, "DEVICE_DELETED");
    data = json_object_get_object_member(ev, "data");
    g_assert_false(json_object_has_member(data, "device"));
    g_assert_cmpstr(json_object_get_string_member(data, "path"), ==,
                    "/machine/peripheral-anon/device[0]");
    json_object_unref(ev);

    /* Built-in devices cannot be unplugged. */
    r = qmp_conn_cmd(c, "{\"execute\":\"device_del\",\"arguments\":"
                     "{\"id\":\"/machine/unattached/device[0]\"}}");
    g_assert_true(json_object_has_member(r, "error"));
    json_object_unref(r);

    qpci_device_free(pdev);
    qpci_free(bus);
    qtest_quit(s);
}

/* getfd / closefd with a real SCM_RIGHTS fd */

static void test_getfd(void)
{
    QTestState *s = qtest_init_with_qmp("-machine none");
    QMPConn *c = qtest_qmp_conn(s);
    pid_t pid = qtest_pid(s);
    int pipefd[2], before;
    JsonObject *r;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    before = qtest_count_fds(pid);
    qmp_conn_send_fds(c, "{\"execute\":\"getfd\",\"arguments\":"
                      "{\"fdname\":\"vfio0\"}}", pipefd, 1);
    r = qmp_conn_reply(c);
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_cmpint(qtest_count_fds(pid), ==, before + 1);

    /* The same name again replaces (and closes) the older fd. */
    qmp_conn_send_fds(c, "{\"execute\":\"getfd\",\"arguments\":"
                      "{\"fdname\":\"vfio0\"}}", &pipefd[1], 1);
    r = qmp_conn_reply(c);
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_cmpint(qtest_count_fds(pid), ==, before + 1);

    r = qmp_conn_cmd(c, "{\"execute\":\"closefd\",\"arguments\":"
                     "{\"fdname\":\"vfio0\"}}");
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_cmpint(qtest_count_fds(pid), ==, before);

    r = qmp_conn_cmd(c, "{\"execute\":\"closefd\",\"arguments\":"
                     "{\"fdname\":\"vfio0\"}}");
    qmp_assert_error(r, "GenericError",
                     "File descriptor named 'vfio0' not found");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"getfd\",\"arguments\":"
                     "{\"fdname\":\"x\"}}");
    qmp_assert_error(r, "GenericError",
                     "No file descriptor supplied via SCM_RIGHTS");
    json_object_unref(r);

    /* A name that looks like a number is refused and the fd closed. */
    qmp_conn_send_fds(c, "{\"execute\":\"getfd\",\"arguments\":"
                      "{\"fdname\":\"3fd\"}}", pipefd, 1);
    r = qmp_conn_reply(c);
    qmp_assert_error(r, "GenericError", "Parameter 'fdname' expects a name "
                     "not starting with a digit");
    json_object_unref(r);
    g_assert_cmpint(qtest_count_fds(pid), ==, before);

    /* fds sent with a command that takes none are closed. */
    qmp_conn_send_fds(c, "{\"execute\":\"query-status\"}", pipefd, 2);
    r = qmp_conn_reply(c);
    qmp_return(r);
    json_object_unref(r);
    g_assert_cmpint(qtest_count_fds(pid), ==, before);

    close(pipefd[0]);
    close(pipefd[1]);
    qtest_quit(s);
}

/* Several monitors: UNIX, TCP (pretty), an inherited listening fd */

static int listen_unix_inheritable(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);    /* no CLOEXEC: inherited */

    strcpy(sun.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

static int free_tcp_port(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &len), ==, 0);
    port = ntohs(sin.sin_port);
    close(fd);
    return port;
}

static void check_chardevs(JsonArray *arr)
{
    static const char *const labels[] = {
        "charmonitor", "compat_monitor0", "compat_monitor1",
    };

    g_assert_cmpuint(json_array_get_length(arr), ==, ARRAY_SIZE(labels));
    for (size_t i = 0; i < ARRAY_SIZE(labels); i++) {
        bool found = false;

        for (guint j = 0; j < json_array_get_length(arr); j++) {
            JsonObject *o = json_array_get_object_element(arr, j);

            if (!strcmp(json_object_get_string_member(o, "label"),
                        labels[i])) {
                g_assert_true(json_object_get_boolean_member(
                                  o, "frontend-open"));
                g_assert_true(object_has_string(o, "filename"));
                found = true;
            }
        }
        g_assert_true(found);
    }
}

static void test_several_monitors(void)
{
    g_autofree char *dir = g_dir_make_tmp("qvfio-mon-XXXXXX", NULL);
    g_autofree char *fd_path = g_build_filename(dir, "inherited.sock", NULL);
    int lfd = listen_unix_inheritable(fd_path);
    int port = free_tcp_port();
    Daemon *d = daemon_start(qtest_binary(),
                             "-S -machine none "
                             "-qmp-pretty tcp:127.0.0.1:%d,server=on,wait=off "
                             "-chardev socket,id=charmonitor,fd=%d,server=on,"
                             "wait=off -mon chardev=charmonitor,id=monitor,"
                             "mode=control", port, lfd);
    QMPConn *cu, *ct, *cf;
    const char *raw;
    JsonObject *r;

    close(lfd);
    cu = qmp_conn_connect_unix(d->sock);
    ct = qmp_conn_connect_tcp("127.0.0.1", port);
    cf = qmp_conn_connect_unix(fd_path);
    check_greeting(qmp_conn_recv_any(ct));
    /* Pretty output: several lines per message, every one ends in CRLF. */
    raw = qmp_conn_last_raw(ct);
    g_assert_nonnull(strstr(strstr(raw, "\r\n") + 2, "\r\n"));
    for (const char *lf = raw; (lf = strchr(lf, '\n')); lf++) {
        g_assert_true(lf > raw && lf[-1] == '\r');
    }
    json_object_unref(qmp_conn_negotiate(cu));
    json_object_unref(qmp_conn_cmd(ct, "{\"execute\":\"qmp_capabilities\"}"));
    check_greeting(qmp_conn_recv_any(cf));

    /* cf has not negotiated: it gets no event. */
    cmd_ok(cu, "cont");
    expect_event(cu, "RESUME", NULL);
    expect_event(ct, "RESUME", NULL);
    json_object_unref(qmp_conn_cmd(cf, "{\"execute\":\"qmp_capabilities\"}"));
    r = qmp_conn_cmd(cf, "{\"execute\":\"query-chardev\"}");
    check_chardevs(return_array(r));
    g_assert_null(qmp_conn_take_event(cf, "RESUME"));
    json_object_unref(r);

    /* A client leaves; the monitor takes the next one. */
    qmp_conn_free(cu);
    cu = qmp_conn_connect_unix(d->sock);
    json_object_unref(qmp_conn_negotiate(cu));
    cmd_ok(cf, "stop");
    expect_event(cu, "STOP", NULL);
    expect_event(ct, "STOP", NULL);
    expect_event(cf, "STOP", NULL);

    quit_and_check(cf);
    qmp_conn_free(cu);
    qmp_conn_free(ct);
    qmp_conn_free(cf);
    daemon_finish(d);
    /* Whoever bound the inherited socket removes it (as with QEMU). */
    g_assert_true(g_file_test(fd_path, G_FILE_TEST_EXISTS));
    qtest_remove_tmpdir(dir);
}

/*
 * libvirt's hostdev command line (qemuxmlconfdata hostdev-vfio, on q35),
 * then what libvirt 9.0 says on the monitor for such a domain: at start
 * (qemuConnectMonitor, qemuProcessWaitForMonitor, qemuProcessLaunch,
 * qemuProcessRefreshState, qemuProcessStartCPUs), then a hostdev
 * hot-attach and detach (qemuDomainAttachHostPCIDevice,
 * qemuDomainDetachDeviceLive). Every request carries libvirt's "id";
 * every reply must echo it and end in CRLF (the client checks).
 */

/* qom-list /machine/peripheral: libvirt's device aliases. */
static void check_aliases(QMPConn *c, int *n, const char *const *want,
                          const char *gone)
{
    JsonObject *r = probe_cmd(c, n, "qom-list",
                              "{\"path\":\"/machine/peripheral\"}");
    JsonArray *arr = return_array(r);

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        g_assert_true(object_has_string(o, "name"));
        g_assert_true(object_has_string(o, "type"));
    }
    for (; *want; want++) {
        JsonObject *o = find_named(arr, *want);

        g_assert_nonnull(o);
        g_assert_cmpstr(json_object_get_string_member(o, "type"), ==,
                        "child<vfio-pci>");
    }
    if (gone) {
        g_assert_null(find_named(arr, gone));
    }
    json_object_unref(r);
}

static void check_status(QMPConn *c, int *n, bool running, const char *status)
{
    JsonObject *r = probe_cmd(c, n, "query-status", NULL);
    JsonObject *o = return_object(r);

    g_assert_cmpuint(json_object_get_size(o), ==, 2);
    g_assert_cmpint(json_object_get_boolean_member(o, "running"), ==,
                    running);
    g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, status);
    json_object_unref(r);
}

static void check_pci_slot(QMPConn *c, int *n, const char *id, int slot)
{
    JsonObject *r = probe_cmd(c, n, "query-pci", NULL);
    JsonArray *buses = return_array(r);
    JsonObject *dev, *ids;

    g_assert_cmpuint(json_array_get_length(buses), ==, 1);
    dev = pci_find(json_object_get_array_member(
                       json_array_get_object_element(buses, 0), "devices"),
                   id);
    g_assert_nonnull(dev);
    g_assert_cmpint(json_object_get_int_member(dev, "bus"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(dev, "slot"), ==, slot);
    g_assert_cmpint(json_object_get_int_member(dev, "function"), ==, 0);
    ids = json_object_get_object_member(dev, "id");
    g_assert_cmpint(json_object_get_int_member(ids, "vendor"), ==, 0x1b36);
    g_assert_cmpint(json_object_get_int_member(ids, "device"), ==, 0x0101);
    g_assert_true(object_has_int(json_object_get_object_member(dev,
                                                               "class_info"),
                                 "class"));
    g_assert_nonnull(json_object_get_array_member(dev, "regions"));
    json_object_unref(r);
}

static void check_migration_events(QMPConn *c, int *n, bool on)
{
    JsonObject *r = probe_cmd(c, n, "query-migrate-capabilities", NULL);
    JsonArray *caps = return_array(r);
    JsonObject *ev;

    g_assert_cmpuint(json_array_get_length(caps), ==, 1);
    ev = json_array_get_object_element(caps, 0);
    g_assert_cmpstr(json_object_get_string_member(ev, "capability"), ==,
                    "events");
    g_assert_cmpint(json_object_get_boolean_member(ev, "state"), ==, on);
    json_object_unref(r);
}

static void libvirt_domain_start(QMPConn *c, int *n)
{
    JsonObject *r, *o;
    JsonArray *arr;

    check_greeting(qmp_conn_recv_any(c));
    r = probe_cmd(c, n, "qmp_capabilities", NULL);
    assert_empty_return(r);
    json_object_unref(r);
    /* qemuMigrationCapsCheck: libvirt turns migration events on. */
    check_migration_events(c, n, false);
    r = probe_cmd(c, n, "migrate-set-capabilities",
                  "{\"capabilities\":[{\"capability\":\"events\","
                  "\"state\":true}]}");
    assert_empty_return(r);
    json_object_unref(r);
    check_migration_events(c, n, true);
    /* An unknown capability changes nothing, not even the known ones. */
    r = probe_cmd(c, n, "migrate-set-capabilities",
                  "{\"capabilities\":[{\"capability\":\"events\","
                  "\"state\":false},{\"capability\":\"postcopy-ram\","
                  "\"state\":true}]}");
    qmp_assert_error(r, "GenericError", "Parameter 'capability' does not "
                     "accept value 'postcopy-ram'");
    json_object_unref(r);
    check_migration_events(c, n, true);
    /* qemuProcessWaitForMonitor: the chardevs (pty paths). */
    r = probe_cmd(c, n, "query-chardev", NULL);
    arr = return_array(r);
    o = NULL;
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *e = json_array_get_object_element(arr, i);

        g_assert_true(object_has_string(e, "label"));
        g_assert_true(object_has_string(e, "filename"));
        g_assert_true(object_has_bool(e, "frontend-open"));
        if (!strcmp(json_object_get_string_member(e, "label"),
                    "charmonitor")) {
            o = e;
        }
    }
    g_assert_nonnull(o);
    g_assert_true(json_object_get_boolean_member(o, "frontend-open"));
    json_object_unref(r);
    /* qemuDomainRefreshVcpuInfo: no guest CPU runs under qtest. */
    r = probe_cmd(c, n, "query-cpus-fast", NULL);
    g_assert_cmpuint(json_array_get_length(return_array(r)), ==, 0);
    json_object_unref(r);
    /* qemuProcessRefreshState: no block layer, no disks. */
    r = probe_cmd(c, n, "query-named-block-nodes", "{\"flat\":true}");
    g_assert_cmpuint(json_array_get_length(return_array(r)), ==, 0);
    json_object_unref(r);
    r = probe_cmd(c, n, "query-block", NULL);
    g_assert_cmpuint(json_array_get_length(return_array(r)), ==, 0);
    json_object_unref(r);
    /* qemuDomainUpdateDeviceList. */
    check_aliases(c, n, (const char *const[]){ "hostdev0", NULL }, NULL);
    check_status(c, n, false, "prelaunch");
    check_pci_slot(c, n, "hostdev0", 2);
    /* qemuProcessStartCPUs */
    r = probe_cmd(c, n, "cont", NULL);
    assert_empty_return(r);
    json_object_unref(r);
    expect_event(c, "RESUME", NULL);
    check_status(c, n, true, "running");
}

/*
 * device_del as libvirt waits for it: the reply and DEVICE_DELETED may
 * come in either order (libvirt's qemuhotplugtest has the event first).
 */
static void libvirt_device_del(QMPConn *c, int *n, const char *id)
{
    g_autofree char *want_id = NULL;
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    JsonObject *reply = NULL, *event = NULL, *data;

    g_assert_null(qmp_conn_take_event(c, "DEVICE_DELETED"));
    (*n)++;
    want_id = g_strdup_printf("libvirt-%d", *n);
    qmp_conn_sendf(c, "{\"execute\":\"device_del\",\"arguments\":"
                   "{\"id\":\"%s\"},\"id\":\"%s\"}", id, want_id);
    while (!reply || !event) {
        JsonObject *msg = qmp_conn_recv_any(c);

        g_assert_nonnull(msg);
        if (!json_object_has_member(msg, "event")) {
            g_assert_null(reply);
            reply = msg;
        } else if (!strcmp(json_object_get_string_member(msg, "event"),
                           "DEVICE_DELETED")) {
            g_assert_null(event);
            event = msg;
        } else {
            g_error("unexpected event during device_del: %s",
                    qmp_conn_last_raw(c));
        }
    }
    assert_empty_return(reply);
    g_assert_cmpstr(reply_id(reply), ==, want_id);
    check_event_time(event);
    data = json_object_get_object_member(event, "data");
    g_assert_cmpuint(json_object_get_size(data), ==, 2);
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, id);
    g_assert_cmpstr(json_object_get_string_member(data, "path"), ==, path);
    json_object_unref(reply);
    json_object_unref(event);
}

static void libvirt_hostdev_hotplug(QMPConn *c, int *n)
{
    JsonObject *r;

    /* virsh attach-device: the same JSON as -device. */
    r = probe_cmd(c, n, "device_add",
                  "{\"driver\":\"vfio-pci\",\"host\":\"fake:basic\","
                  "\"id\":\"hostdev1\",\"bus\":\"pcie.0\",\"addr\":\"0x3\"}");
    assert_empty_return(r);
    json_object_unref(r);
    check_aliases(c, n, (const char *const[]){ "hostdev0", "hostdev1", NULL },
                  NULL);
    check_pci_slot(c, n, "hostdev1", 3);
    /* The same alias again is refused, as QEMU does. */
    r = probe_cmd(c, n, "device_add",
                  "{\"driver\":\"vfio-pci\",\"host\":\"fake:basic\","
                  "\"id\":\"hostdev1\",\"bus\":\"pcie.0\",\"addr\":\"0x4\"}");
    qmp_assert_error(r, "GenericError", "Duplicate device ID 'hostdev1'");
    json_object_unref(r);

    /* virsh detach-device */
    libvirt_device_del(c, n, "hostdev1");
    check_aliases(c, n, (const char *const[]){ "hostdev0", NULL }, "hostdev1");
    check_status(c, n, true, "running");
}

static void test_libvirt_cmdline(void)
{
    g_autofree char *dir = g_dir_make_tmp("qvfio-lv-XXXXXX", NULL);
    g_autofree char *key = g_build_filename(dir, "master-key.aes", NULL);
    g_autofree char *mon_path = g_build_filename(dir, "monitor.sock", NULL);
    int lfd = listen_unix_inheritable(mon_path);
    Daemon *d;
    QMPConn *c;
    JsonObject *r;
    int n = 0;

    g_assert_true(g_file_set_contents(key, "0123456789abcdef0123456789abcdef",
                                      32, NULL));
    d = daemon_start(qtest_binary(),
        "-name guest=QEMUGuest2,debug-threads=on -S "
        "-object '{\"qom-type\":\"secret\",\"id\":\"masterKey0\","
        "\"format\":\"raw\",\"file\":\"%s\"}' "
        "-machine q35,usb=off,dump-guest-core=off,memory-backend=pc.ram,"
        "acpi=off -accel qtest "
        "-m size=219136k -object '{\"qom-type\":\"memory-backend-ram\","
        "\"id\":\"pc.ram\",\"size\":224395264}' "
        "-overcommit mem-lock=off -smp 1,sockets=1,cores=1,threads=1 "
        "-uuid 8f79c6c4-8ae3-4d9e-a1e6-ae4cf0a23fb2 -display none "
        "-no-user-config -nodefaults "
        "-chardev socket,id=charmonitor,fd=%d,server=on,wait=off "
        "-mon chardev=charmonitor,id=monitor,mode=control "
        "-rtc base=utc -no-shutdown -boot strict=on "
        "-global ICH9-LPC.noreboot=off -watchdog-action reset "
        "-audiodev '{\"id\":\"audio1\",\"driver\":\"none\"}' "
        "-device '{\"driver\":\"vfio-pci\",\"host\":\"fake:basic\","
        "\"id\":\"hostdev0\",\"bus\":\"pcie.0\",\"addr\":\"0x2\"}' "
        "-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
        "resourcecontrol=deny -msg timestamp=on", key, lfd);
    close(lfd);
    c = qmp_conn_connect_unix(mon_path);
    libvirt_domain_start(c, &n);
    libvirt_hostdev_hotplug(c, &n);

    /* Some of what virsh dominfo and friends read. */
    r = qmp_conn_cmd(c, "{\"execute\":\"query-name\"}");
    g_assert_cmpstr(json_object_get_string_member(return_object(r), "name"),
                    ==, "QEMUGuest2");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"query-uuid\"}");
    g_assert_cmpstr(json_object_get_string_member(return_object(r), "UUID"),
                    ==, "8f79c6c4-8ae3-4d9e-a1e6-ae4cf0a23fb2");
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"query-memory-size-summary\"}");
    g_assert_cmpint(json_object_get_int_member(return_object(r),
                                               "base-memory"), ==, 224395264);
    json_object_unref(r);
    r = qmp_conn_cmd(c, "{\"execute\":\"qom-get\",\"arguments\":"
                     "{\"path\":\"/objects/pc.ram\",\"property\":\"size\"}}");
    g_assert_cmpint(json_node_get_int(qmp_return(r)), ==, 224395264);
    json_object_unref(r);

    /* virsh destroy would kill it; shutdown of a domain ends with quit. */
    quit_and_check(c);
    qmp_conn_free(c);
    daemon_finish(d);
    qtest_remove_tmpdir(dir);
}

/* -object memory-backend-file: the guest's RAM is the file. */

static void test_memory_backend_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("qvfio-mbf-XXXXXX", NULL);
    g_autofree char *shared = g_build_filename(dir, "shared.ram", NULL);
    g_autofree char *private = g_build_filename(dir, "private.ram", NULL);
    g_autofree char *small = g_build_filename(dir, "small.ram", NULL);
    g_autofree char *args = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const uint32_t marker = 0x600dcafe;
    uint32_t word = 0;
    QTestState *s;
    JsonObject *r;
    int fd, status;

    /* libvirt's form: JSON, share on; the file is created at RAM size. */
    s = qtest_init_with_qmpf("-machine q35,memory-backend=pc.ram -object "
                             "'{\"qom-type\":\"memory-backend-file\","
                             "\"id\":\"pc.ram\",\"mem-path\":\"%s\","
                             "\"share\":true,\"size\":16777216}'", shared);
    qtest_writel(s, 0x1000, 0x12345678);
    fd = open(shared, O_RDWR);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(lseek(fd, 0, SEEK_END), ==, 16 << 20);
    g_assert_cmpint(pread(fd, &word, 4, 0x1000), ==, 4);
    g_assert_cmphex(le32toh(word), ==, 0x12345678);
    /* ... and what the file gets, the guest reads. */
    word = htole32(marker);
    g_assert_cmpint(pwrite(fd, &word, 4, 0x2000), ==, 4);
    g_assert_cmphex(qtest_readl(s, 0x2000), ==, marker);
    close(fd);
    r = qtest_qmp(s, "{\"execute\":\"qom-get\",\"arguments\":"
                  "{\"path\":\"/objects/pc.ram\",\"property\":"
                  "\"mem-path\"}}");
    g_assert_cmpstr(json_node_get_string(qmp_return(r)), ==, shared);
    json_object_unref(r);
    r = qtest_qmp(s, "{\"execute\":\"query-memory-size-summary\"}");
    g_assert_cmpint(json_object_get_int_member(return_object(r),
                                               "base-memory"), ==, 16 << 20);
    json_object_unref(r);
    qtest_quit(s);

    /* share off: the guest sees the file, its writes stay private. */
    word = htole32(marker);
    g_assert_true(g_file_set_contents(private, "", 0, NULL));
    g_assert_cmpint(truncate(private, 16 << 20), ==, 0);
    fd = open(private, O_RDWR);
    g_assert_cmpint(pwrite(fd, &word, 4, 0x3000), ==, 4);
    s = qtest_initf("-m 16M -machine q35,memory-backend=m -object "
                    "memory-backend-file,id=m,size=16M,mem-path=%s", private);
    g_assert_cmphex(qtest_readl(s, 0x3000), ==, marker);
    qtest_writel(s, 0x3000, 0);
    g_assert_cmphex(qtest_readl(s, 0x3000), ==, 0);
    g_assert_cmpint(pread(fd, &word, 4, 0x3000), ==, 4);
    g_assert_cmphex(le32toh(word), ==, marker);
    close(fd);
    qtest_quit(s);

    /* A directory gets an unlinked file; a short file is refused. */
    s = qtest_initf("-machine q35,memory-backend=m -object "
                    "memory-backend-file,id=m,size=16M,mem-path=%s", dir);
    qtest_writel(s, 0x1000, marker);
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, marker);
    qtest_quit(s);
    g_assert_true(g_file_set_contents(small, "short", 5, NULL));
    args = g_strdup_printf("-accel qtest -machine none,memory-backend=m "
                           "-object memory-backend-file,id=m,size=16M,"
                           "mem-path=%s", small);
    g_assert_true(qtest_run_binary(qtest_binary(), args, NULL, &out, &err,
                                   &status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "memory-backend-file 'm': backing store "
                            "size 0x5 does not match 'size' option "
                            "0x1000000"));
    unlink(shared);
    unlink(private);
    unlink(small);
    qtest_remove_tmpdir(dir);
}

/* What the command line refuses, with one clear line each. */
typedef struct BadCase {
    const char *args;
    const char *message;
} BadCase;

static const BadCase bad_cases[] = {
    { "-accel tcg", "no CPU emulator" },
    { "-accel qtest -m 256M -object memory-backend-ram,id=r,size=128M "
      "-machine q35,memory-backend=r",
      "Machine memory size does not match the size of the memory backend" },
    { "-accel qtest -machine q35,memory-backend=nope",
      "Memory backend 'nope' not found" },
    { "-accel qtest -object memory-backend-ram,id=r,size=1M,share=on",
      "share=on is not supported" },
    { "-accel qtest -object memory-backend-file,id=r,size=1M",
      "mem-path property not set" },
    { "-accel qtest -object memory-backend-file,id=r,size=16M,"
      "mem-path=/nonexistent/ram -machine q35,memory-backend=r",
      "memory-backend-file 'r': can't open backing store /nonexistent/ram "
      "for guest RAM: No such file or directory" },
    { "-accel qtest -object secret,id=s,format=raw,file=/nonexistent/key",
      "/nonexistent/key" },
    { "-accel qtest -object secret,id=s,format=raw", "Either 'data' or "
      "'file' must be provided" },
    { "-machine none -smp 2", "Invalid SMP CPUs 2. The max CPUs supported "
      "by machine is 1" },
    { "-accel qtest -smp 1,sockets=2", "Invalid CPU topology: product of "
      "the hierarchy must match maxcpus" },
    { "-accel qtest -smp 4,maxcpus=2", "maxcpus must be equal to or "
      "greater than smp" },
    { "-accel qtest -smp 256", "Invalid SMP CPUs 256. The max CPUs "
      "supported by machine is 128" },
    { "-accel qtest -smp 2,dies=2", "dies not supported" },
    { "-accel qtest -cpu nonsense", "unable to find CPU model 'nonsense'" },
    { "-accel qtest -uuid nope", "Fail to parse UUID string" },
    { "-accel qtest -audiodev alsa,id=a", "audio driver 'alsa' is not "
      "supported" },
    { "-accel qtest -mon chardev=c0", "mode=readline is not supported" },
    { "-accel qtest -monitor stdio", "no human monitor console" },
    { "-accel qtest -mon chardev=nochr,mode=control",
      "chardev \"nochr\" not found" },
    { "-accel qtest -qmp bogus:x", "'bogus:x' is not a valid char driver" },
    { "-accel qtest -device piix3-usb-uhci",
      "'piix3-usb-uhci' is not a valid device model name" },
    { "-accel qtest -device virtio-balloon-pci",
      "'virtio-balloon-pci' is not a valid device model name" },
    { "-accel qtest -device pcie-root-port,id=pci.1,chassis=1 "
      "-device pcie-root-port,id=pci.2,chassis=1",
      "pci.2: chassis 1 slot 0 is already taken by pci.1" },
    { "-accel qtest -device pcie-root-port,id=pcie.0",
      "a bus named 'pcie.0' already exists" },
    { "-accel qtest -device pcie-root-port,id=pci.1 "
      "-device pcie-root-port,id=pci.2,bus=pci.1",
      "pci.2: a root port belongs on the PCI Express root bus (pcie.0), "
      "not on 'pci.1'" },
    { "-accel qtest -device pcie-root-port,id=pci.1 "
      "-device qvfio-test-pci,bus=pci.1,addr=1",
      "bus pci.1 is the link of a PCIe port, which has device 0 only" },
    { "-accel qtest -device pcie-root-port,id=pci.1,slot=9000",
      "pci.1: slot 9000 does not fit the physical slot number (0-8191)" },
    { "-accel qtest -device pcie-root-port,x-speed=3",
      "Parameter 'x-speed' does not accept value '3'" },
    { "-accel qtest -device pcie-root-port,pref32-reserve=1M,"
      "pref64-reserve=1M", "pref32-reserve and pref64-reserve conflict" },
    { "-accel qtest -device pcie-root-port,mem-reserve=4G",
      "mem-reserve must be less than 4G" },
    { "-accel qtest -overcommit mem-lock=maybe",
      "Parameter 'mem-lock' does not accept value 'maybe'" },
    { "-accel qtest -sandbox on,spawn=sometimes",
      "Parameter 'spawn' does not accept value 'sometimes'" },
    { "-accel qtest -msg timestamp=maybe", "timestamp" },
    { "-accel qtest -watchdog-action explode",
      "Unknown -watchdog-action parameter" },
    { "-accel qtest -rtc base=utc,clock=wall",
      "Parameter 'clock' does not accept value 'wall'" },
};

static void test_bad_cmdline(gconstpointer data)
{
    const BadCase *bc = data;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary(qtest_binary(), bc->args, NULL, &out, &err,
                                   &status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 ||
        !strstr(err, bc->message)) {
        g_test_message("args: %s\nstatus: 0x%x\nstderr: %s", bc->args,
                       status, err);
    }
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, bc->message));
    {
        g_auto(GStrv) lines = g_strsplit(g_strchomp(err), "\n", -1);

        g_assert_cmpuint(g_strv_length(lines), ==, 1);
    }
}

/* -msg timestamp=on: "YYYY-MM-DDTHH:MM:SS.uuuuuuZ prog: message" */
static void test_msg_timestamp(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GRegex) re = g_regex_new("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:"
                                       "\\d\\d:\\d\\d\\.\\d{6}Z \\S+: "
                                       ".*no CPU emulator",
                                       0, 0, NULL);
    int status;

    g_assert_true(qtest_run_binary(qtest_binary(), "-msg timestamp=on "
                                   "-accel tcg", NULL, &out, &err, &status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    if (!g_regex_match(re, err, 0, NULL)) {
        g_error("no time stamp in: %s", err);
    }
}

/* -daemonize: a failure after the fork still reaches the caller. */
static void test_daemonize_failure(void)
{
    g_autofree char *dir = g_dir_make_tmp("qvfio-dmn-XXXXXX", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *args = g_strdup_printf(
        "-daemonize -pidfile %s -qmp unix:%s,server=on,wait=off -machine none "
        "-device nosuch", pidfile, sock);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary(qtest_binary(), args, NULL, &out, &err,
                                   &status));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "'nosuch' is not a valid device model"));
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    qtest_remove_tmpdir(dir);
}

/* A second instance cannot take a pidfile that is in use. */
static void test_pidfile_locked(void)
{
    Daemon *d = daemon_start(qtest_binary(), "-machine none");
    g_autofree char *args = g_strdup_printf("-machine none -pidfile %s",
                                            d->pidfile);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    QMPConn *c;
    int status;

    g_assert_true(qtest_run_binary(qtest_binary(), args, NULL, &out, &err,
                                   &status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, "cannot create PID file"));
    g_assert_cmpint(read_pidfile(d->pidfile), ==, d->pid);
    c = qmp_conn_connect_unix(d->sock);
    json_object_unref(qmp_conn_negotiate(c));
    quit_and_check(c);
    qmp_conn_free(c);
    daemon_finish(d);
}

/* kvm is real for machines without CPUs */

static void test_kvm_accel(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;
    Daemon *d;
    QMPConn *c;
    JsonObject *r;

    if (!host_kvm_usable()) {
        g_assert_true(qtest_run_binary(qtest_binary(), "-machine none,"
                                       "accel=kvm", NULL, &out, &err,
                                       &status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(strstr(err, "failed to initialize kvm"));
        return;
    }
    d = daemon_start(qtest_binary(), "-machine none,accel=kvm");
    c = qmp_conn_connect_unix(d->sock);
    json_object_unref(qmp_conn_negotiate(c));
    r = qmp_conn_cmd(c, "{\"execute\":\"query-kvm\"}");
    g_assert_true(json_object_get_boolean_member(return_object(r),
                                                 "enabled"));
    json_object_unref(r);
    quit_and_check(c);
    qmp_conn_free(c);
    daemon_finish(d);

    d = daemon_start(qtest_binary(), "-machine none");
    c = qmp_conn_connect_unix(d->sock);
    json_object_unref(qmp_conn_negotiate(c));
    r = qmp_conn_cmd(c, "{\"execute\":\"query-kvm\"}");
    g_assert_false(json_object_get_boolean_member(return_object(r),
                                                  "enabled"));
    g_assert_true(json_object_get_boolean_member(return_object(r),
                                                 "present"));
    json_object_unref(r);
    quit_and_check(c);
    qmp_conn_free(c);
    daemon_finish(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Daemons re-parent to us, so none outlives the test as a stray. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    g_test_add_func("/qmp/libvirt-probe", test_libvirt_probe);
    g_test_add_func("/qmp/negotiation", test_negotiation);
    g_test_add_func("/qmp/id-echo", test_id_echo);
    g_test_add_func("/qmp/run-state-events", test_run_state_events);
    g_test_add_func("/qmp/quit", test_quit);
    g_test_add_func("/qmp/sigterm", test_sigterm);
    g_test_add_func("/qmp/sigterm-status", test_sigterm_status);
    g_test_add_func("/qmp/hostdev-attach-detach", test_hostdev_attach_detach);
    g_test_add_func("/qmp/getfd", test_getfd);
    g_test_add_func("/qmp/several-monitors", test_several_monitors);
    g_test_add_func("/qmp/libvirt-cmdline", test_libvirt_cmdline);
    g_test_add_func("/qmp/memory-backend-file", test_memory_backend_file);
    g_test_add_func("/qmp/msg-timestamp", test_msg_timestamp);
    g_test_add_func("/qmp/daemonize-failure", test_daemonize_failure);
    g_test_add_func("/qmp/pidfile-locked", test_pidfile_locked);
    g_test_add_func("/qmp/kvm-accel", test_kvm_accel);
    for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
        g_autofree char *name = g_strdup_printf("/qmp/bad-cmdline/%zu", i);

        g_test_add_data_func(name, &bad_cases[i], test_bad_cmdline);
    }
    return g_test_run();
}
