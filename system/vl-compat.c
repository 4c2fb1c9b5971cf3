/*
 * Options accepted for compatibility with QEMU's command line (as libvirt
 * writes it): most are validated, then ignored, because qvfio has no such
 * hardware or policy. The VM's name and UUID are kept here for QMP.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/option.h"
#include "hw/core/qdev.h"
#include "system/qdev-monitor.h"
#include "system/system.h"
#include "system/vl-compat.h"

/* -name guest=NAME and -uuid, for query-name and query-uuid. */
static char *vm_name;
static char *vm_uuid;

const char *qemu_get_vm_name(void)
{
    return vm_name;
}

const char *qemu_get_vm_uuid(void)
{
    return vm_uuid ? vm_uuid : "00000000-0000-0000-0000-000000000000";
}

/* Parse @arg and check its keys; NULL on error. */
QemuOpts *vl_opts_parse_checked(const char *arg, const char *implied,
                                const char *const *keys, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(arg, implied, errp);

    if (opts && !qemu_opts_check_keys(opts, keys, errp)) {
        qemu_opts_free(opts);
        return NULL;
    }
    return opts;
}

/* @key, if given, must be one of @values. */
static bool check_choice(const QemuOpts *opts, const char *key,
                         const char *const *values, Error **errp)
{
    const char *v = qemu_opt_get(opts, key);

    if (v && !g_strv_contains(values, v)) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'", key, v);
        return false;
    }
    return true;
}

bool vl_opts_check_bool(const QemuOpts *opts, const char *key, bool *out,
                        Error **errp)
{
    const char *v = qemu_opt_get(opts, key);
    bool dummy;

    return !v || qemu_parse_bool(key, v, out ? out : &dummy, errp);
}

/* -global driver=D,property=P,value=V */
static bool parse_global_keyed(const char *arg, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(arg, NULL, errp);
    const char *d, *p, *v;

    if (!opts) {
        return false;
    }
    d = qemu_opt_get(opts, "driver");
    p = qemu_opt_get(opts, "property");
    v = qemu_opt_get(opts, "value");
    if (!d || !p || !v) {
        error_setg(errp, "-global needs driver=, property= and value=");
        qemu_opts_free(opts);
        return false;
    }
    qdev_global_add(d, p, v);
    qemu_opts_free(opts);
    return true;
}

/* -global DRIVER.PROP=VALUE, or the keyed form */
bool vl_parse_global(const char *arg, Error **errp)
{
    g_autofree char *driver = NULL;
    g_autofree char *prop = NULL;
    const char *dot, *eq;

    if (strstr(arg, "driver=")) {
        return parse_global_keyed(arg, errp);
    }
    dot = strchr(arg, '.');
    eq = strchr(arg, '=');
    if (!dot || !eq || dot > eq || dot == arg || eq == dot + 1) {
        error_setg(errp, "Invalid -global '%s': expected DRIVER.PROP=VALUE",
                   arg);
        return false;
    }
    driver = g_strndup(arg, dot - arg);
    prop = g_strndup(dot + 1, eq - dot - 1);
    qdev_global_add(driver, prop, eq + 1);
    return true;
}

bool vl_parse_display(const char *arg, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(arg, ",", 2);

    if (strcmp(parts[0], "none")) {
        error_setg(errp, "Display '%s' is not available: qvfio has no "
                   "display; use -display none", parts[0]);
        return false;
    }
    return true;
}

bool vl_parse_name(const char *arg, Error **errp)
{
    static const char *const keys[] = { "guest", "process", "debug-threads",
                                        NULL };
    QemuOpts *opts = qemu_opts_parse(arg, "guest", errp);
    bool ok;

    if (!opts) {
        return false;
    }
    ok = qemu_opts_check_keys(opts, keys, errp);
    if (ok && qemu_opt_get(opts, "debug-threads")) {
        bool dummy;

        ok = qemu_parse_bool("debug-threads",
                             qemu_opt_get(opts, "debug-threads"), &dummy, errp);
    }
    if (ok && qemu_opt_get(opts, "guest")) {
        g_free(vm_name);
        vm_name = g_strdup(qemu_opt_get(opts, "guest"));
    }
    qemu_opts_free(opts);
    return ok;
}

/* No guest CPU runs (qtest drives the machine): only one "CPU" fits. */
/* A topology value: absent is 0; present must be at least 1. */
static bool smp_get(QemuOpts *opts, const char *key, unsigned *out,
                    Error **errp)
{
    const char *v = qemu_opt_get(opts, key);
    uint64_t n;

    *out = 0;
    if (!v) {
        return true;
    }
    if (!qemu_parse_uint(key, v, 4096, &n, errp)) {
        return false;
    }
    if (!n && strcmp(key, "cpus") && strcmp(key, "maxcpus")) {
        error_setg(errp, "Invalid CPU topology: CPU topology parameters "
                   "must be greater than zero");
        return false;
    }
    *out = n;
    return true;
}

/* QEMU's rules: missing values follow from the others, cores first. */
static bool smp_complete(CpuTopology *t, unsigned max_cpus, Error **errp)
{
    unsigned sockets = t->sockets ?: 1, threads = t->threads ?: 1;

    if (!t->cpus && !t->max_cpus) {
        t->cores = t->cores ?: 1;
        t->max_cpus = t->cpus = sockets * t->cores * threads;
    } else {
        t->max_cpus = t->max_cpus ?: t->cpus;
        if (!t->cores) {
            t->cores = MAX(t->max_cpus / (sockets * threads), 1);
        }
        t->cpus = t->cpus ?: t->max_cpus;
    }
    t->sockets = t->sockets ?: t->max_cpus / (t->cores * threads) ?: 1;
    t->threads = threads;
    if (t->sockets * t->cores * t->threads != t->max_cpus) {
        error_setg(errp, "Invalid CPU topology: product of the hierarchy "
                   "must match maxcpus: sockets (%u) * cores (%u) * threads "
                   "(%u) != maxcpus (%u)", t->sockets, t->cores, t->threads,
                   t->max_cpus);
        return false;
    }
    if (t->max_cpus < t->cpus) {
        error_setg(errp, "Invalid CPU topology: maxcpus must be equal to or "
                   "greater than smp: sockets (%u) * cores (%u) * threads "
                   "(%u) == maxcpus (%u) < smp_cpus (%u)", t->sockets,
                   t->cores, t->threads, t->max_cpus, t->cpus);
        return false;
    }
    if (t->max_cpus > max_cpus) {
        error_setg(errp, "Invalid SMP CPUs %u. The max CPUs supported by "
                   "machine is %u", t->max_cpus, max_cpus);
        return false;
    }
    return true;
}

bool vl_parse_smp(const char *arg, unsigned max_cpus, CpuTopology *topo,
                  Error **errp)
{
    static const char *const keys[] = { "cpus", "maxcpus", "sockets", "dies",
                                        "clusters", "cores", "threads",
                                        "books", "drawers", NULL };
    static const char *const unit_only[] = { "dies", "clusters", "books",
                                             "drawers", NULL };
    QemuOpts *opts;
    bool ok;

    *topo = (CpuTopology) { 0 };
    if (!arg) {
        arg = "1";
    }
    opts = vl_opts_parse_checked(arg, "cpus", keys, errp);
    if (!opts) {
        return false;
    }
    ok = smp_get(opts, "cpus", &topo->cpus, errp) &&
         smp_get(opts, "maxcpus", &topo->max_cpus, errp) &&
         smp_get(opts, "sockets", &topo->sockets, errp) &&
         smp_get(opts, "cores", &topo->cores, errp) &&
         smp_get(opts, "threads", &topo->threads, errp);
    for (int i = 0; ok && unit_only[i]; i++) {
        unsigned n;

        ok = smp_get(opts, unit_only[i], &n, errp);
        if (ok && n > 1) {
            error_setg(errp, "%s not supported by this machine's CPU "
                       "topology", unit_only[i]);
            ok = false;
        }
    }
    qemu_opts_free(opts);
    return ok && smp_complete(topo, max_cpus, errp);
}

bool vl_parse_uuid(const char *arg, Error **errp)
{
    if (!g_uuid_string_is_valid(arg)) {
        error_setg(errp, "Fail to parse UUID string. Wrong format.");
        return false;
    }
    g_free(vm_uuid);
    vm_uuid = g_ascii_strdown(arg, -1);
    return true;
}

/* Options that describe hardware or policy qvfio does not have. */
bool vl_parse_rtc(const char *arg, Error **errp)
{
    static const char *const keys[] = { "base", "clock", "driftfix", NULL };
    static const char *const clocks[] = { "host", "rt", "vm", NULL };
    static const char *const driftfix[] = { "none", "slew", NULL };
    QemuOpts *opts = vl_opts_parse_checked(arg, NULL, keys, errp);
    bool ok;

    ok = opts && check_choice(opts, "clock", clocks, errp) &&
         check_choice(opts, "driftfix", driftfix, errp);
    if (opts) {
        qemu_opts_free(opts);
    }
    return ok;
}

/*
 * -boot: libvirt passes strict=on, which has nothing to act on and is
 * accepted. The other keys ask firmware for a boot device, a menu or a
 * splash screen, and there is no firmware.
 */
static bool check_no_firmware_boot(const QemuOpts *opts, Error **errp)
{
    static const char *const firmware_keys[] = { "order", "once", "splash",
                                                 "splash-time",
                                                 "reboot-timeout", NULL };
    const char *key = NULL;
    bool menu = false;

    if (!vl_opts_check_bool(opts, "menu", &menu, errp)) {
        return false;
    }
    for (const char *const *k = firmware_keys; *k && !key; k++) {
        key = qemu_opt_has(opts, *k) ? *k : NULL;
    }
    if (!key && menu) {
        key = "menu";
    }
    if (key) {
        error_setg(errp, "'%s' needs firmware, which qvfio does not have: "
                   "boot Linux directly with -kernel (-boot takes strict= "
                   "and menu=off)", key);
        return false;
    }
    return true;
}

bool vl_parse_boot(const char *arg, Error **errp)
{
    static const char *const keys[] = { "order", "once", "menu", "splash",
                                        "splash-time", "reboot-timeout",
                                        "strict", NULL };
    QemuOpts *opts = vl_opts_parse_checked(arg, "order", keys, errp);
    bool ok;

    ok = opts && vl_opts_check_bool(opts, "strict", NULL, errp) &&
         check_no_firmware_boot(opts, errp);
    if (opts) {
        qemu_opts_free(opts);
    }
    return ok;
}

bool vl_parse_msg(const char *arg, Error **errp)
{
    static const char *const keys[] = { "timestamp", "guest-name", NULL };
    QemuOpts *opts = vl_opts_parse_checked(arg, NULL, keys, errp);
    bool timestamp = false, ok;

    ok = opts && vl_opts_check_bool(opts, "timestamp", &timestamp, errp) &&
         vl_opts_check_bool(opts, "guest-name", NULL, errp);
    if (ok) {
        error_set_timestamps(timestamp);
    }
    if (opts) {
        qemu_opts_free(opts);
    }
    return ok;
}

bool vl_parse_overcommit(const char *arg, char **lock_mode, Error **errp)
{
    static const char *const keys[] = { "mem-lock", "cpu-pm", NULL };
    static const char *const mem_lock[] = { "on", "off", "on-fault", NULL };
    QemuOpts *opts = vl_opts_parse_checked(arg, NULL, keys, errp);
    bool ok;

    ok = opts && check_choice(opts, "mem-lock", mem_lock, errp) &&
         vl_opts_check_bool(opts, "cpu-pm", NULL, errp);
    if (ok && qemu_opt_get(opts, "mem-lock")) {
        g_free(*lock_mode);
        *lock_mode = g_strdup(qemu_opt_get(opts, "mem-lock"));
    }
    if (opts) {
        qemu_opts_free(opts);
    }
    return ok;
}

bool vl_parse_sandbox(const char *arg, Error **errp)
{
    static const char *const keys[] = { "enable", "obsolete",
                                        "elevateprivileges", "spawn",
                                        "resourcecontrol", NULL };
    static const char *const allow_deny[] = { "allow", "deny", NULL };
    static const char *const elevate[] = { "allow", "deny", "children", NULL };
    QemuOpts *opts = vl_opts_parse_checked(arg, "enable", keys, errp);
    bool ok;

    ok = opts && vl_opts_check_bool(opts, "enable", NULL, errp) &&
         check_choice(opts, "obsolete", allow_deny, errp) &&
         check_choice(opts, "elevateprivileges", elevate, errp) &&
         check_choice(opts, "spawn", allow_deny, errp) &&
         check_choice(opts, "resourcecontrol", allow_deny, errp);
    if (opts) {
        qemu_opts_free(opts);
    }
    return ok;
}

/* There is no audio hardware: the "none" backend is all we accept. */
bool vl_parse_audiodev(const char *arg, Error **errp)
{
    QemuOpts *opts = arg[0] == '{' ? qemu_opts_from_json(arg, "-audiodev", errp)
                                   : qemu_opts_parse(arg, "driver", errp);
    const char *driver;
    bool ok = false;

    if (!opts) {
        return false;
    }
    driver = qemu_opt_get(opts, "driver");
    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
    } else if (strcmp(driver, "none")) {
        error_setg(errp, "audio driver '%s' is not supported: qvfio has no "
                   "audio; use driver=none", driver);
    } else if (!qemu_opt_get(opts, "id")) {
        error_setg(errp, "Parameter 'id' is missing");
    } else {
        ok = true;
    }
    qemu_opts_free(opts);
    return ok;
}

bool vl_parse_watchdog_action(const char *arg, Error **errp)
{
    static const char *const actions[] = { "reset", "shutdown", "poweroff",
                                           "pause", "debug", "none",
                                           "inject-nmi", NULL };

    if (!g_strv_contains(actions, arg)) {
        error_setg(errp, "Unknown -watchdog-action parameter");
        return false;
    }
    return true;
}

bool vl_parse_monitor_legacy(const char *arg, Error **errp)
{
    if (!strcmp(arg, "none")) {
        return true;
    }
    error_setg(errp, "qvfio has no human monitor console; use -qmp (the "
               "human monitor is reachable with human-monitor-command)");
    return false;
}
