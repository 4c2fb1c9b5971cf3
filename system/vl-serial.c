/*
 * -serial DEV and -nographic's serial port (include/system/vl-serial.h).
 */
#include "qemu/osdep.h"
#include "hw/char/serial.h"
#include "system/chardev.h"
#include "system/vl-serial.h"

/* The forms -serial takes; the chardev code checks what follows. */
static bool serial_spec_known(const char *spec)
{
    static const char *const words[] = { "stdio", "pty", "null", "none" };
    static const char *const prefixes[] = {
        "file:", "chardev:", "unix:", "tcp:", "mon:",
    };

    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        if (!strcmp(spec, words[i])) {
            return true;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
        if (g_str_has_prefix(spec, prefixes[i])) {
            return true;
        }
    }
    return false;
}

bool vl_serial_add(GPtrArray *specs, const char *spec, Error **errp)
{
    if (specs->len == ISA_SERIAL_MAX_PORTS) {
        error_setg(errp, "too many serial ports: at most %d (index 0 to %d)",
                   ISA_SERIAL_MAX_PORTS, ISA_SERIAL_MAX_PORTS - 1);
        return false;
    }
    if (!serial_spec_known(spec)) {
        error_setg(errp, "'%s' is not a serial port qvfio has (use stdio, "
                   "pty, null, none, file:PATH, chardev:ID, unix:PATH, "
                   "tcp:HOST:PORT or mon:DEV)", spec);
        return false;
    }
    g_ptr_array_add(specs, g_strdup(spec));
    return true;
}

static bool is_stdio(const char *spec)
{
    return !strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio");
}

/* The id of @spec's chardev: an existing one, or a new "serial@index". */
static char *serial_chardev(const char *spec, int index, Error **errp)
{
    g_autofree char *id = NULL;

    if (g_str_has_prefix(spec, "chardev:")) {
        if (!qemu_chr_find(spec + 8)) {
            error_setg(errp, "chardev '%s' not found", spec + 8);
            return NULL;
        }
        return g_strdup(spec + 8);
    }
    id = g_strdup_printf("serial%d", index);
    if (!qemu_chr_new(id, spec, errp)) {
        return NULL;
    }
    return g_steal_pointer(&id);
}

static bool serial_init_one(const char *spec, int index,
                            bool nographic_default, bool daemonize,
                            Error **errp)
{
    g_autofree char *id = NULL;

    if (daemonize && is_stdio(spec)) {
        error_setg(errp, nographic_default
                   ? "cannot be used with -daemonize (add -nodefaults, or "
                     "give -serial)"
                   : "cannot use stdio with -daemonize");
        return false;
    }
    id = serial_chardev(spec, index, errp);
    return id && isa_serial_create(index, id, errp);
}

bool vl_serial_init(GPtrArray *specs, bool nographic_default,
                    bool daemonize, Error **errp)
{
    if (nographic_default && !isa_serial_available(NULL)) {
        return true;
    }
    for (guint i = 0; i < specs->len; i++) {
        const char *spec = g_ptr_array_index(specs, i);

        if (!strcmp(spec, "none")) {
            continue;
        }
        loc_set_cmdline(nographic_default ? "-nographic" : "-serial",
                        nographic_default ? NULL : spec);
        if (!isa_serial_available(errp) ||
            !serial_init_one(spec, i, nographic_default, daemonize, errp)) {
            return false;
        }
    }
    loc_clear();
    return true;
}
