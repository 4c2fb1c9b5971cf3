/*
 * The command line, with QEMU's rules, and the order in which the machine
 * is put together: trace and log first, then the machine and accelerator,
 * then objects and devices in command-line order, then the front ends.
 * Options kept for compatibility are parsed in vl-compat.c; -daemonize,
 * -pidfile, memory locking and signals are in os-posix.c.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "qemu/trace.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include "hw/i386/x86-cpu.h"
#include "hw/char/serial.h"
#include "system/accel.h"
#include "system/qdev-monitor.h"
#include "system/chardev.h"
#include "system/os-posix.h"
#include "system/qmp.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include "system/system.h"
#include "system/user-objects.h"
#include "system/vl-compat.h"
#include "system/vl-serial.h"

typedef enum OptionIndex {
    OPT_MACHINE, OPT_ACCEL, OPT_M, OPT_DEVICE, OPT_OBJECT, OPT_GLOBAL,
    OPT_S, OPT_NODEFAULTS, OPT_NO_USER_CONFIG, OPT_DISPLAY, OPT_NOGRAPHIC,
    OPT_NAME, OPT_QTEST, OPT_QTEST_LOG, OPT_TRACE, OPT_D, OPT_VERSION,
    OPT_HELP, OPT_CHARDEV, OPT_QMP, OPT_QMP_PRETTY, OPT_MON, OPT_MONITOR,
    OPT_DAEMONIZE, OPT_PIDFILE, OPT_NO_SHUTDOWN, OPT_SMP, OPT_UUID, OPT_RTC,
    OPT_BOOT, OPT_MSG, OPT_OVERCOMMIT, OPT_SANDBOX, OPT_AUDIODEV,
    OPT_WATCHDOG_ACTION, OPT_CPU, OPT_ENABLE_KVM, OPT_NO_REBOOT,
    OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_SERIAL,
} OptionIndex;

typedef struct OptionDef {
    const char *name;
    bool has_arg;
    OptionIndex index;
    const char *help;           /* NULL: internal, not listed by -help */
} OptionDef;

static const OptionDef option_defs[] = {
    { "machine", true, OPT_MACHINE,
      "-machine [type=]name[,accel=qtest][,prop=value...]  select the machine" },
    { "M", true, OPT_MACHINE, NULL },
    { "accel", true, OPT_ACCEL,
      "-accel qtest|kvm         select the accelerator" },
    { "enable-kvm", false, OPT_ENABLE_KVM,
      "-enable-kvm              the same as -accel kvm" },
    { "cpu", true, OPT_CPU,
      "-cpu host|max            the guest CPU model (-cpu help)" },
    { "m", true, OPT_M, "-m [size=]megs[M|G]      guest RAM (default 128M)" },
    { "device", true, OPT_DEVICE,
      "-device driver[,prop=value...] | JSON  add a device (-device help)" },
    { "object", true, OPT_OBJECT, "-object type,id=...      add an object" },
    { "global", true, OPT_GLOBAL,
      "-global driver.prop=value  default a device property" },
    { "S", false, OPT_S, "-S                       do not start (prelaunch)" },
    { "nodefaults", false, OPT_NODEFAULTS,
      "-nodefaults              no default devices (-nographic's serial port)" },
    { "no-user-config", false, OPT_NO_USER_CONFIG,
      "-no-user-config          read no user configuration (qvfio reads none)" },
    { "display", true, OPT_DISPLAY, "-display none            no display" },
    { "nographic", false, OPT_NOGRAPHIC,
      "-nographic               no display; serial port 0 on stdio (C-a x quits)" },
    { "serial", true, OPT_SERIAL,
      "-serial DEV              a 16550A UART on DEV: stdio, pty, null, none,\n"
      "                         file:PATH, chardev:ID, unix:..., tcp:... (up to 4)" },
    { "name", true, OPT_NAME,
      "-name [guest=]name[,debug-threads=on]  name the guest" },
    { "qtest", true, OPT_QTEST, NULL },
    { "qtest-log", true, OPT_QTEST_LOG, NULL },
    { "trace", true, OPT_TRACE,
      "-trace [enable=]pattern|events=file|help  enable trace events" },
    { "D", true, OPT_D, "-D logfile               log (and trace) to a file" },
    { "chardev", true, OPT_CHARDEV,
      "-chardev backend,id=ID[,path=P|fd=N][,server=on][,wait=off]  a byte channel" },
    { "qmp", true, OPT_QMP,
      "-qmp unix:PATH,server=on,wait=off | tcp:HOST:PORT,...  a QMP monitor" },
    { "qmp-pretty", true, OPT_QMP_PRETTY,
      "-qmp-pretty DEV          a QMP monitor with indented output" },
    { "mon", true, OPT_MON,
      "-mon [chardev=]ID,mode=control[,pretty=on]  QMP on a chardev" },
    { "monitor", true, OPT_MONITOR, NULL },
    { "daemonize", false, OPT_DAEMONIZE,
      "-daemonize               detach once set up (monitors listening)" },
    { "pidfile", true, OPT_PIDFILE, "-pidfile FILE            write the pid" },
    { "no-shutdown", false, OPT_NO_SHUTDOWN,
      "-no-shutdown             a guest shutdown stops instead of exiting" },
    { "smp", true, OPT_SMP,
      "-smp N[,maxcpus=M][,sockets=S][,cores=C][,threads=T]  guest CPUs" },
    { "no-reboot", false, OPT_NO_REBOOT,
      "-no-reboot               exit instead of rebooting the guest" },
    { "uuid", true, OPT_UUID, "-uuid UUID               the machine's UUID" },
    { "rtc", true, OPT_RTC, "-rtc base=utc            accepted, no effect" },
    { "boot", true, OPT_BOOT, "-boot strict=on          accepted, no effect" },
    { "msg", true, OPT_MSG,
      "-msg timestamp=on        time stamps on error messages" },
    { "overcommit", true, OPT_OVERCOMMIT,
      "-overcommit mem-lock=on|off  lock memory (mlockall)" },
    { "sandbox", true, OPT_SANDBOX,
      "-sandbox on|off,...      accepted, no effect (no seccomp filter)" },
    { "audiodev", true, OPT_AUDIODEV,
      "-audiodev none,id=ID     accepted (driver none only)" },
    { "watchdog-action", true, OPT_WATCHDOG_ACTION,
      "-watchdog-action ACTION  accepted, no effect (no watchdog)" },
    { "kernel", true, OPT_KERNEL,
      "-kernel bzImage          boot this Linux kernel directly (no BIOS)" },
    { "initrd", true, OPT_INITRD,
      "-initrd file             initial ram disk for -kernel" },
    { "append", true, OPT_APPEND,
      "-append cmdline          kernel command line for -kernel" },
    { "version", false, OPT_VERSION, "-version                 print the version" },
    { "help", false, OPT_HELP, "-help, -h                this help" },
    { "h", false, OPT_HELP, NULL },
};

/* QEMU options that exist but that qvfio does not implement (yet). */
static const char *const unsupported_options[] = {
    "parallel", "audio",
    "netdev", "net", "vga", "vnc", "spice", "usb", "usbdevice",
    "action", "icount", "incoming", "loadvm", "snapshot",
    "run-with", "realtime", "mem-path", "mem-prealloc", "numa",
    "fw_cfg", "smbios", "acpitable", "add-fd", "iscsi", "semihosting",
    "L", "k", "g", "s", "gdb", "readconfig", "writeconfig", "nic", "fsdev",
    "virtfs", "sd", "pflash", "mtdblock", "tpmdev", "plugin", "compat",
    "seed", "async-teardown",
    NULL,
};

#define NO_FIRMWARE "qvfio has no firmware: it boots Linux directly with " \
    "-kernel (and -initrd, -append)"
#define NO_DISKS "qvfio has no disk controllers: boot Linux with -kernel " \
    "and an -initrd, or give the guest a host storage controller with " \
    "-device vfio-pci"

/* QEMU options for firmware and disks, and what qvfio offers instead. */
static const struct {
    const char *name;
    const char *instead;
} refused_options[] = {
    { "bios", NO_FIRMWARE }, { "pflash", NO_FIRMWARE },
    { "drive", NO_DISKS }, { "blockdev", NO_DISKS }, { "cdrom", NO_DISKS },
    { "hda", NO_DISKS }, { "hdb", NO_DISKS }, { "hdc", NO_DISKS },
    { "hdd", NO_DISKS }, { "fda", NO_DISKS }, { "fdb", NO_DISKS },
};

/* -machine keys every machine takes (the others are the machine's own). */
static const char *const generic_machine_keys[] = {
    "type", "accel", "memory-backend", "kernel", "initrd", "append", NULL,
};

/* A QMP monitor: -qmp/-qmp-pretty (@spec) or -mon (@chardev_id). */
typedef struct MonitorOpt {
    char *spec;
    char *chardev_id;
    bool pretty;
} MonitorOpt;

typedef struct CmdLine {
    QemuOpts *machine_opts;     /* all -machine options merged */
    GPtrArray *accels;          /* char *, -accel names */
    char *mem_arg;
    GPtrArray *devices;         /* char *, in order */
    GPtrArray *objects;         /* char * */
    GPtrArray *chardevs;        /* char * */
    GPtrArray *serials;         /* char *, -serial specs in order */
    bool nographic;
    bool nodefaults;
    char *qtest_chardev_id;     /* -object qtest,chardev=ID */
    bool start_paused;
    char *qtest_spec;
    char *qtest_log;
    GPtrArray *monitors;        /* MonitorOpt * */
    bool daemonize;
    char *pidfile;
    char *mem_lock;             /* -overcommit mem-lock= */
    char *smp_arg;
    char *cpu_model;
} CmdLine;

static const OptionDef *find_option(const char *arg)
{
    const char *name = arg + 1;

    if (name[0] == '-') {
        name++;                 /* --foo is -foo */
    }
    for (size_t i = 0; i < ARRAY_SIZE(option_defs); i++) {
        if (!strcmp(option_defs[i].name, name)) {
            return &option_defs[i];
        }
    }
    return NULL;
}

static void print_help(void)
{
    printf("usage: qvfio [options]\n\n"
           "qvfio is a QEMU-compatible machine emulator for assigning PCI\n"
           "devices through VFIO. It has no CPU emulator: machines run\n"
           "under -accel qtest (a test client drives them).\n\nOptions:\n");
    for (size_t i = 0; i < ARRAY_SIZE(option_defs); i++) {
        if (option_defs[i].help) {
            printf("%s\n", option_defs[i].help);
        }
    }
    printf("\nSee docs/options.md for what each option accepts.\n");
}

static void print_version(void)
{
    printf("QEMU emulator version %d.%d.%d (qvfio 0.1.0)\n"
           "qvfio: a QEMU-compatible PCI device-assignment emulator\n",
           QVFIO_VERSION_MAJOR, QVFIO_VERSION_MINOR, QVFIO_VERSION_MICRO);
}

static bool merge_opts(QemuOpts **into, const char *arg,
                       const char *implied_key, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(arg, implied_key, errp);

    if (!opts) {
        return false;
    }
    if (!*into) {
        *into = opts;
        return true;
    }
    qemu_opts_merge(*into, opts);
    qemu_opts_free(opts);
    return true;
}

/*
 * -kernel, -initrd and -append are -machine kernel=, initrd= and append=,
 * as in QEMU: the last one given wins, whichever way it was spelt.
 */
static void set_machine_opt(CmdLine *cl, const char *key, const char *value)
{
    if (!cl->machine_opts) {
        cl->machine_opts = qemu_opts_new();
    }
    qemu_opt_set(cl->machine_opts, key, value);
}

/* -qmp, -qmp-pretty, -mon: only QMP monitors exist. */
static void add_monitor(CmdLine *cl, const char *spec, const char *chardev,
                        bool pretty)
{
    MonitorOpt *m = g_new0(MonitorOpt, 1);

    m->spec = g_strdup(spec);
    m->chardev_id = g_strdup(chardev);
    m->pretty = pretty;
    g_ptr_array_add(cl->monitors, m);
}

static void monitor_opt_free(gpointer p)
{
    MonitorOpt *m = p;

    g_free(m->spec);
    g_free(m->chardev_id);
    g_free(m);
}

static bool parse_mon(CmdLine *cl, const char *arg, Error **errp)
{
    static const char *const keys[] = { "chardev", "mode", "pretty", "id",
                                        NULL };
    QemuOpts *opts = vl_opts_parse_checked(arg, "chardev", keys, errp);
    const char *mode;
    bool pretty = false, ok = false;

    if (!opts) {
        return false;
    }
    mode = qemu_opt_get(opts, "mode");
    if (!qemu_opt_get(opts, "chardev")) {
        error_setg(errp, "Parameter 'chardev' is missing");
    } else if (!mode || !strcmp(mode, "readline")) {
        error_setg(errp, "mode=readline is not supported: qvfio has no "
                   "human monitor console; use mode=control (the human "
                   "monitor is reachable with human-monitor-command)");
    } else if (strcmp(mode, "control")) {
        error_setg(errp, "unknown monitor mode '%s'", mode);
    } else if (vl_opts_check_bool(opts, "pretty", &pretty, errp)) {
        add_monitor(cl, NULL, qemu_opt_get(opts, "chardev"), pretty);
        ok = true;
    }
    qemu_opts_free(opts);
    return ok;
}
/* Handles one option; *exit_now is set for help/version-style options. */
static bool handle_option(CmdLine *cl, const OptionDef *def, const char *arg,
                          bool *exit_now, Error **errp)
{
    switch (def->index) {
    case OPT_MACHINE:
        return merge_opts(&cl->machine_opts, arg, "type", errp);
    case OPT_ACCEL:
        g_ptr_array_add(cl->accels, g_strdup(arg));
        return true;
    case OPT_M:
        g_free(cl->mem_arg);
        cl->mem_arg = g_strdup(arg);
        return true;
    case OPT_DEVICE:
        g_ptr_array_add(cl->devices, g_strdup(arg));
        return true;
    case OPT_OBJECT:
        g_ptr_array_add(cl->objects, g_strdup(arg));
        return true;
    case OPT_CHARDEV:
        g_ptr_array_add(cl->chardevs, g_strdup(arg));
        return true;
    case OPT_GLOBAL:
        return vl_parse_global(arg, errp);
    case OPT_S:
        cl->start_paused = true;
        return true;
    case OPT_NODEFAULTS:
        cl->nodefaults = true;
        return true;
    case OPT_NOGRAPHIC:
        cl->nographic = true;
        return true;
    case OPT_NO_USER_CONFIG:
        return true;
    case OPT_SERIAL:
        return vl_serial_add(cl->serials, arg, errp);
    case OPT_DISPLAY:
        return vl_parse_display(arg, errp);
    case OPT_NAME:
        return vl_parse_name(arg, errp);
    case OPT_QTEST:
        g_free(cl->qtest_spec);
        cl->qtest_spec = g_strdup(arg);
        return true;
    case OPT_QTEST_LOG:
        g_free(cl->qtest_log);
        cl->qtest_log = g_strdup(arg);
        return true;
    case OPT_TRACE:
        return trace_opt_parse(arg, exit_now, errp);
    case OPT_D:
        return qemu_set_log_filename(arg, errp);
    case OPT_QMP:
    case OPT_QMP_PRETTY:
        add_monitor(cl, arg, NULL, def->index == OPT_QMP_PRETTY);
        return true;
    case OPT_MON:
        return parse_mon(cl, arg, errp);
    case OPT_MONITOR:
        return vl_parse_monitor_legacy(arg, errp);
    case OPT_DAEMONIZE:
        cl->daemonize = true;
        return true;
    case OPT_PIDFILE:
        g_free(cl->pidfile);
        cl->pidfile = g_strdup(arg);
        return true;
    case OPT_NO_SHUTDOWN:
        qemu_set_no_shutdown(true);
        return true;
    case OPT_SMP:
        g_free(cl->smp_arg);
        cl->smp_arg = g_strdup(arg);
        return true;
    case OPT_CPU:
        if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
            x86_cpu_list(stdout);
            *exit_now = true;
            return true;
        }
        g_free(cl->cpu_model);
        cl->cpu_model = g_strdup(arg);
        return true;
    case OPT_ENABLE_KVM:
        g_ptr_array_add(cl->accels, g_strdup("kvm"));
        return true;
    case OPT_NO_REBOOT:
        qemu_set_no_reboot(true);
        return true;
    case OPT_UUID:
        return vl_parse_uuid(arg, errp);
    case OPT_RTC:
        return vl_parse_rtc(arg, errp);
    case OPT_BOOT:
        return vl_parse_boot(arg, errp);
    case OPT_MSG:
        return vl_parse_msg(arg, errp);
    case OPT_OVERCOMMIT:
        return vl_parse_overcommit(arg, &cl->mem_lock, errp);
    case OPT_SANDBOX:
        return vl_parse_sandbox(arg, errp);
    case OPT_AUDIODEV:
        return vl_parse_audiodev(arg, errp);
    case OPT_WATCHDOG_ACTION:
        return vl_parse_watchdog_action(arg, errp);
    case OPT_KERNEL:
    case OPT_INITRD:
    case OPT_APPEND:
        set_machine_opt(cl, def->name, arg);
        return true;
    case OPT_VERSION:
        print_version();
        *exit_now = true;
        return true;
    case OPT_HELP:
        print_help();
        *exit_now = true;
        return true;
    }
    g_assert_not_reached();
}

static const char *refused_option(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(refused_options); i++) {
        if (!strcmp(refused_options[i].name, name)) {
            return refused_options[i].instead;
        }
    }
    return NULL;
}

static bool parse_command_line(CmdLine *cl, int argc, char **argv,
                               bool *exit_now, Error **errp)
{
    for (int i = 1; i < argc && !*exit_now; i++) {
        const char *opt = argv[i];
        const OptionDef *def;
        const char *arg = NULL;
        bool ok;

        if (opt[0] != '-' || !opt[1]) {
            error_setg(errp, "%s: positional arguments (disk images) are not "
                       "supported", opt);
            return false;
        }
        def = find_option(opt);
        if (!def) {
            const char *name = opt[1] == '-' ? opt + 2 : opt + 1;
            const char *instead = refused_option(name);

            if (instead) {
                error_setg(errp, "-%s: %s", name, instead);
            } else if (g_strv_contains(unsupported_options, name)) {
                error_setg(errp, "-%s: option not supported by qvfio (see "
                           "docs/options.md)", name);
            } else {
                error_setg(errp, "-%s: invalid option", name);
            }
            return false;
        }
        if (def->has_arg) {
            if (i + 1 >= argc) {
                error_setg(errp, "-%s: requires an argument", def->name);
                return false;
            }
            arg = argv[++i];
        }
        loc_set_cmdline(opt, arg);
        ok = handle_option(cl, def, arg, exit_now, errp);
        if (!ok) {
            return false;
        }
        loc_clear();
    }
    return true;
}

/* -machine: type, accel, and the machine's own options. */
static MachineClass *select_machine(CmdLine *cl, const char **accel_list,
                                    bool *exit_now, Error **errp)
{
    const char *type = NULL;
    MachineClass *mc;

    *accel_list = NULL;
    if (cl->machine_opts) {
        if (cl->machine_opts->help) {
            machine_print_help(stdout);
            *exit_now = true;
            return NULL;
        }
        type = qemu_opt_get(cl->machine_opts, "type");
        *accel_list = qemu_opt_get(cl->machine_opts, "accel");
    }
    if (type && !strcmp(type, "help")) {
        machine_print_help(stdout);
        *exit_now = true;
        return NULL;
    }
    mc = type ? machine_class_find(type) : machine_class_find("q35");
    if (!mc) {
        error_setg(errp, "unsupported machine type \"%s\"; use -machine help "
                   "to list supported machines", type);
    }
    return mc;
}

static bool select_accel(CmdLine *cl, const char *machine_accel,
                         MachineClass *mc, bool *exit_now, Error **errp)
{
    g_autoptr(GString) list = g_string_new(NULL);

    if (machine_accel && cl->accels->len) {
        error_setg(errp, "The -accel and \"-machine accel=\" options are "
                   "incompatible");
        return false;
    }
    for (guint i = 0; i < cl->accels->len; i++) {
        QemuOpts *opts = qemu_opts_parse(g_ptr_array_index(cl->accels, i),
                                         "accel", errp);
        const char *name;

        if (!opts) {
            return false;
        }
        name = qemu_opt_get(opts, "accel");
        if (opts->help || (name && !strcmp(name, "help"))) {
            printf("Accelerators supported in QEMU binary:\nkvm\n");
            *exit_now = true;
            qemu_opts_free(opts);
            return true;
        }
        if (!name) {
            error_setg(errp, "-accel: Parameter 'accel' is missing");
            qemu_opts_free(opts);
            return false;
        }
        g_string_append_printf(list, "%s%s", list->len ? ":" : "", name);
        qemu_opts_free(opts);
    }
    return accel_init(machine_accel ? machine_accel
                                    : (list->len ? list->str : NULL),
                      mc->needs_accel, mc->alias ? mc->alias : mc->name, errp);
}

static bool parse_ram_size(CmdLine *cl, MachineClass *mc, uint64_t *size,
                           Error **errp)
{
    static const char *const keys[] = { "size", "slots", "maxmem", NULL };
    QemuOpts *opts;
    const char *value;
    bool ok = true;

    *size = mc->default_ram_size;
    if (!cl->mem_arg) {
        return true;
    }
    opts = qemu_opts_parse(cl->mem_arg, "size", errp);
    if (!opts) {
        return false;
    }
    value = qemu_opt_get(opts, "size");
    ok = qemu_opts_check_keys(opts, keys, errp);
    if (ok && !value) {
        error_setg(errp, "-m: Parameter 'size' is missing");
        ok = false;
    }
    if (ok) {
        ok = qemu_parse_size("size", value, 'M', size, errp);
    }
    if (ok && qemu_opt_get(opts, "slots")) {
        uint64_t slots;

        ok = qemu_parse_uint("slots", qemu_opt_get(opts, "slots"), 256,
                             &slots, errp);
    }
    if (ok && qemu_opt_get(opts, "maxmem")) {
        uint64_t maxmem;

        ok = qemu_parse_size("maxmem", qemu_opt_get(opts, "maxmem"), 'M',
                             &maxmem, errp);
    }
    if (ok && (*size < (1 << 20) || *size > (1ULL << 42))) {
        error_setg(errp, "-m %s: guest RAM must be between 1M and 4T", value);
        ok = false;
    }
    qemu_opts_free(opts);
    return ok;
}

static bool apply_machine_options(MachineState *ms, QemuOpts *opts,
                                  Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);

    for (guint i = 0; opts && i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        /* memory-backend: resolve_memory_backend(); boot: set_boot_files() */
        if (g_strv_contains(generic_machine_keys, opt->key)) {
            continue;
        }
        if (!mc->set_option) {
            error_setg(errp, "Invalid parameter '%s' for machine %s",
                       opt->key, mc->name);
            return false;
        }
        if (!mc->set_option(ms, opt->key, opt->value, errp)) {
            return false;
        }
    }
    return true;
}

/* QEMU's rule: -initrd and -append go with a -kernel. */
static bool check_boot_options(QemuOpts *opts, Error **errp)
{
    if (!opts || qemu_opt_get(opts, "kernel")) {
        return true;
    }
    if (qemu_opt_get(opts, "initrd")) {
        error_setg(errp, "-initrd only allowed with -kernel option");
        return false;
    }
    if (qemu_opt_get(opts, "append")) {
        error_setg(errp, "-append only allowed with -kernel option");
        return false;
    }
    return true;
}

/* Where the machine finds them (for hw/i386/x86-boot.h's loader). */
static void set_boot_files(MachineState *ms, QemuOpts *opts)
{
    if (opts) {
        ms->kernel_filename = g_strdup(qemu_opt_get(opts, "kernel"));
        ms->initrd_filename = g_strdup(qemu_opt_get(opts, "initrd"));
        ms->kernel_cmdline = g_strdup(qemu_opt_get(opts, "append"));
    }
}

static MachineState *create_machine(CmdLine *cl, MachineClass *mc,
                                    uint64_t ram_size, Object *ram_backend,
                                    const CpuTopology *smp, Error **errp)
{
    MachineState *ms = MACHINE(object_new(object_class_get_name(
                                              OBJECT_CLASS(mc))));

    ms->smp = *smp;
    ms->cpu_model = g_strdup(cl->cpu_model);
    ms->ram_size = ram_size;
    ms->ram_backend = ram_backend;
    object_property_add_child(object_get_root(), "machine", OBJECT(ms),
                              &error_abort);
    object_unref(OBJECT(ms));
    current_machine = ms;
    set_boot_files(ms, cl->machine_opts);
    if (!apply_machine_options(ms, cl->machine_opts, errp) ||
        !mc->init(ms, errp)) {
        return NULL;
    }
    return ms;
}

static bool create_object(const char *arg, CmdLine *cl, Error **errp)
{
    static const char *const qtest_keys[] = { "qom-type", "id", "chardev",
                                              "log", NULL };
    QemuOpts *opts = arg[0] == '{' ? qemu_opts_from_json(arg, "-object", errp)
                                   : qemu_opts_parse(arg, "qom-type", errp);
    const char *type;
    bool ok = false;

    if (!opts) {
        return false;
    }
    type = qemu_opt_get(opts, "qom-type");
    if (!type) {
        error_setg(errp, "Parameter 'qom-type' is missing");
    } else if (user_object_type_known(type)) {
        ok = user_object_create(opts, errp) != NULL;
    } else if (!strcmp(type, "qtest")) {
        /* -object qtest,id=..,chardev=..[,log=..] is -qtest spelled long */
        ok = qemu_opts_check_keys(opts, qtest_keys, errp);
        if (ok && !qemu_opt_get(opts, "chardev")) {
            error_setg(errp, "Parameter 'chardev' is missing");
            ok = false;
        } else if (ok) {
            g_free(cl->qtest_chardev_id);
            cl->qtest_chardev_id = g_strdup(qemu_opt_get(opts, "chardev"));
            if (qemu_opt_get(opts, "log")) {
                g_free(cl->qtest_log);
                cl->qtest_log = g_strdup(qemu_opt_get(opts, "log"));
            }
        }
    } else {
        error_setg(errp, "invalid object type: %s", type);
    }
    qemu_opts_free(opts);
    return ok;
}

static bool create_device(const char *arg, bool *exit_now, Error **errp)
{
    QemuOpts *opts;
    const char *driver;
    bool ok = false;

    if (arg[0] == '{') {
        opts = qdev_opts_from_json(arg, errp);
    } else {
        opts = qemu_opts_parse(arg, "driver", errp);
    }
    if (!opts) {
        return false;
    }
    driver = qemu_opt_get(opts, "driver");
    if ((driver && !strcmp(driver, "help")) || (opts->help && !driver)) {
        qdev_print_device_list(stdout);
        *exit_now = true;
        ok = true;
    } else if (opts->help && driver) {
        ok = qdev_print_device_props(stdout, driver, errp);
        *exit_now = ok;
    } else {
        ok = qdev_device_add(opts, errp) != NULL;
    }
    qemu_opts_free(opts);
    return ok;
}

/* Help requests for -device are answered before the machine exists. */
static bool device_help_requested(CmdLine *cl, bool *exit_now, Error **errp)
{
    for (guint i = 0; i < cl->devices->len; i++) {
        const char *arg = g_ptr_array_index(cl->devices, i);

        if (!strcmp(arg, "help") || !strcmp(arg, "?") ||
            g_str_has_suffix(arg, ",help") || g_str_has_suffix(arg, ",?")) {
            loc_set_cmdline("-device", arg);
            return create_device(arg, exit_now, errp);
        }
    }
    return true;
}

/* -chardev help needs no machine either. */
static bool chardev_help_requested(CmdLine *cl)
{
    for (guint i = 0; i < cl->chardevs->len; i++) {
        const char *arg = g_ptr_array_index(cl->chardevs, i);

        if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
            QemuOpts *opts = qemu_opts_parse(arg, "backend", &error_abort);

            qemu_chr_new_from_opts(opts, &error_abort);
            qemu_opts_free(opts);
            return true;
        }
    }
    return false;
}

static bool create_chardevs(CmdLine *cl, bool *exit_now, Error **errp)
{
    for (guint i = 0; i < cl->chardevs->len; i++) {
        const char *arg = g_ptr_array_index(cl->chardevs, i);
        QemuOpts *opts;
        Error *err = NULL;
        Chardev *chr;

        loc_set_cmdline("-chardev", arg);
        opts = qemu_opts_parse(arg, "backend", errp);
        if (!opts) {
            return false;
        }
        chr = qemu_chr_new_from_opts(opts, &err);
        qemu_opts_free(opts);
        if (!chr && !err) {
            *exit_now = true;       /* -chardev help was answered */
            return true;
        }
        if (!chr) {
            error_propagate(errp, err);
            return false;
        }
    }
    loc_clear();
    return true;
}

static bool start_qtest(CmdLine *cl, Error **errp)
{
    Chardev *chr;

    if (cl->qtest_spec && cl->qtest_chardev_id) {
        error_setg(errp, "-qtest and -object qtest cannot be combined");
        return false;
    }
    if (cl->qtest_spec) {
        return qtest_server_init(cl->qtest_spec, cl->qtest_log, errp);
    }
    if (!cl->qtest_chardev_id) {
        if (cl->qtest_log) {
            warn_report("-qtest-log has no effect without -qtest");
        }
        return true;
    }
    chr = qemu_chr_find(cl->qtest_chardev_id);
    if (!chr) {
        error_setg(errp, "-object qtest: chardev '%s' not found",
                   cl->qtest_chardev_id);
        return false;
    }
    return qtest_server_init_chr(chr, cl->qtest_log, errp);
}

/* Before the machine: -machine memory-backend= needs its backend. */
static bool create_objects(CmdLine *cl, Error **errp)
{
    for (guint i = 0; i < cl->objects->len; i++) {
        const char *arg = g_ptr_array_index(cl->objects, i);

        loc_set_cmdline("-object", arg);
        if (!create_object(arg, cl, errp)) {
            return false;
        }
    }
    loc_clear();
    return true;
}

/*
 * -machine memory-backend=ID: the backend gives the RAM (and its size); an
 * explicit -m must agree with it (QEMU's rule).
 */
static bool resolve_memory_backend(CmdLine *cl, uint64_t *ram_size,
                                   Object **ram_backend, Error **errp)
{
    const char *id = cl->machine_opts
                     ? qemu_opt_get(cl->machine_opts, "memory-backend") : NULL;
    Object *backend = id ? user_object_find(id) : NULL;

    if (!id) {
        return true;
    }
    if (!backend || !object_dynamic_cast(backend, TYPE_MEMORY_BACKEND)) {
        error_setg(errp, "Memory backend '%s' not found", id);
        return false;
    }
    *ram_backend = backend;
    if (!cl->mem_arg) {
        *ram_size = memory_backend_size(backend);
    } else if (memory_backend_size(backend) != *ram_size) {
        error_setg(errp, "Machine memory size does not match the size of the "
                   "memory backend");
        return false;
    }
    return true;
}

static bool create_monitors(CmdLine *cl, Error **errp)
{
    for (guint i = 0; i < cl->monitors->len; i++) {
        MonitorOpt *m = g_ptr_array_index(cl->monitors, i);
        g_autofree char *id = NULL;

        if (m->spec) {
            loc_set_cmdline(m->pretty ? "-qmp-pretty" : "-qmp", m->spec);
            id = g_strdup_printf("compat_monitor%u", i);
            if (!qemu_chr_new(id, m->spec, errp)) {
                return false;
            }
        } else {
            loc_set_cmdline("-mon", m->chardev_id);
            id = g_strdup(m->chardev_id);
        }
        if (!qmp_monitor_init_chardev(id, m->pretty, errp)) {
            return false;
        }
    }
    loc_clear();
    return true;
}

static bool create_devices(CmdLine *cl, bool *exit_now, Error **errp)
{
    for (guint i = 0; i < cl->devices->len; i++) {
        const char *arg = g_ptr_array_index(cl->devices, i);

        loc_set_cmdline("-device", arg);
        if (!create_device(arg, exit_now, errp)) {
            return false;
        }
    }
    loc_clear();
    return true;
}

/* Does a -device create @driver? (QEMU's defaults step aside for it.) */
static bool device_args_have_driver(CmdLine *cl, const char *driver)
{
    for (guint i = 0; i < cl->devices->len; i++) {
        const char *arg = g_ptr_array_index(cl->devices, i);
        QemuOpts *opts = arg[0] == '{' ? qdev_opts_from_json(arg, NULL)
                                       : qemu_opts_parse(arg, "driver", NULL);
        bool match = opts && !g_strcmp0(qemu_opt_get(opts, "driver"), driver);

        if (opts) {
            qemu_opts_free(opts);
        }
        if (match) {
            return true;
        }
    }
    return false;
}

/*
 * -serial; else -nographic puts serial port 0 on stdio, unless
 * -nodefaults or a -device isa-serial says otherwise (QEMU's rule).
 */
static bool create_serials(CmdLine *cl, Error **errp)
{
    g_autoptr(GPtrArray) nographic = g_ptr_array_new();

    if (cl->serials->len || !cl->nographic || cl->nodefaults ||
        device_args_have_driver(cl, TYPE_ISA_SERIAL)) {
        return vl_serial_init(cl->serials, false, cl->daemonize, errp);
    }
    g_ptr_array_add(nographic, (gpointer)VL_SERIAL_NOGRAPHIC);
    return vl_serial_init(nographic, true, cl->daemonize, errp);
}

static int collect_device(DeviceState *dev, void *opaque)
{
    g_ptr_array_add(opaque, object_ref(OBJECT(dev)));
    return 0;
}

/* Unrealize devices newest first: device models release what they hold. */
static void teardown_devices(void)
{
    g_autoptr(GPtrArray) devs = g_ptr_array_new();

    qdev_walk_all(collect_device, devs);
    for (guint i = devs->len; i-- > 0;) {
        DeviceState *dev = g_ptr_array_index(devs, i);

        qdev_unrealize(dev);
        object_unref(OBJECT(dev));
    }
}

static void cmdline_free(CmdLine *cl)
{
    if (cl->machine_opts) {
        qemu_opts_free(cl->machine_opts);
    }
    g_ptr_array_free(cl->accels, true);
    g_ptr_array_free(cl->devices, true);
    g_ptr_array_free(cl->objects, true);
    g_ptr_array_free(cl->chardevs, true);
    g_ptr_array_free(cl->serials, true);
    g_ptr_array_free(cl->monitors, true);
    g_free(cl->pidfile);
    g_free(cl->mem_lock);
    g_free(cl->qtest_chardev_id);
    g_free(cl->mem_arg);
    g_free(cl->qtest_spec);
    g_free(cl->qtest_log);
    g_free(cl->smp_arg);
    g_free(cl->cpu_model);
}

static bool build_machine(CmdLine *cl, bool *exit_now, Error **errp)
{
    const char *machine_accel;
    MachineClass *mc;
    Object *ram_backend = NULL;
    CpuTopology smp;
    uint64_t ram_size;

    if (!device_help_requested(cl, exit_now, errp) || *exit_now) {
        return !*errp;
    }
    if (chardev_help_requested(cl)) {
        *exit_now = true;
        return true;
    }
    loc_clear();
    if (!check_boot_options(cl->machine_opts, errp)) {
        return false;
    }
    mc = select_machine(cl, &machine_accel, exit_now, errp);
    if (!mc) {
        return *exit_now;
    }
    if (!select_accel(cl, machine_accel, mc, exit_now, errp) || *exit_now) {
        return *exit_now;
    }
    loc_set_cmdline("-smp", cl->smp_arg);
    if (!vl_parse_smp(cl->smp_arg, MAX(mc->max_cpus, 1), &smp, errp)) {
        return false;
    }
    loc_clear();
    if (!parse_ram_size(cl, mc, &ram_size, errp) ||
        !os_lock_memory(cl->mem_lock, errp)) {
        return false;
    }
    if (!create_chardevs(cl, exit_now, errp) || *exit_now) {
        return *exit_now;
    }
    if (!create_monitors(cl, errp) || !create_objects(cl, errp) ||
        !resolve_memory_backend(cl, &ram_size, &ram_backend, errp)) {
        return false;
    }
    memory_system_init();
    if (!create_machine(cl, mc, ram_size, ram_backend, &smp, errp) ||
        !create_serials(cl, errp)) {
        return false;
    }
    if (!create_devices(cl, exit_now, errp) || *exit_now) {
        return false;
    }
    if (!machine_done(current_machine, errp)) {
        return false;
    }
    return start_qtest(cl, errp) && cpus_start(errp);
}

/* Once the machine is built: pidfile, then let a -daemonize parent go. */
static bool finish_setup(CmdLine *cl, Error **errp)
{
    if (cl->pidfile && !os_write_pidfile(cl->pidfile, errp)) {
        return false;
    }
    if (cl->daemonize) {
        os_daemonize_finish();
    }
    return true;
}

/* Devices are reset and released, sockets and the pidfile removed. */
static void shutdown_machine(void)
{
    cpus_destroy_all();
    qemu_system_shutdown_event();
    runstate_set(RUN_STATE_SHUTDOWN);
    qtest_server_cleanup();
    teardown_devices();
    qmp_monitors_cleanup();
    qemu_chr_close_all();
    accel_cleanup();
    os_remove_pidfile();
}

int qemu_main(int argc, char **argv)
{
    g_autofree char *progname = g_path_get_basename(argv[0]);
    CmdLine cl = {
        .accels = g_ptr_array_new_with_free_func(g_free),
        .devices = g_ptr_array_new_with_free_func(g_free),
        .objects = g_ptr_array_new_with_free_func(g_free),
        .chardevs = g_ptr_array_new_with_free_func(g_free),
        .serials = g_ptr_array_new_with_free_func(g_free),
        .monitors = g_ptr_array_new_with_free_func(monitor_opt_free),
    };
    Error *err = NULL;
    bool exit_now = false;
    int status;

    error_set_progname(progname);
    qemu_main_loop_init();
    os_setup_early_signal_handling();
    if (parse_command_line(&cl, argc, argv, &exit_now, &err) && !exit_now &&
        cl.daemonize) {
        os_daemonize_start();
    }
    if (err || exit_now || !build_machine(&cl, &exit_now, &err) || exit_now ||
        !finish_setup(&cl, &err)) {
        if (err) {
            error_report_err(err);
            status = 1;
        } else {
            status = 0;
        }
        os_daemonize_report(status);
        /* Nothing ran yet: release devices, sockets and files. */
        cpus_destroy_all();
        teardown_devices();
        qmp_monitors_cleanup();
        qemu_chr_close_all();
        os_remove_pidfile();
        cmdline_free(&cl);
        return status;
    }
    os_setup_signal_handling();
    if (cl.start_paused) {
        runstate_set(RUN_STATE_PRELAUNCH);
    } else {
        runstate_set(RUN_STATE_RUNNING);
        resume_all_vcpus();
    }
    status = qemu_main_loop_run();
    shutdown_machine();
    cmdline_free(&cl);
    qemu_log_close();
    return status;
}
