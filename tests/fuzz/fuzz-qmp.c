/*
 * The QMP monitor (system/qmp*.c) as a client reaches it: a byte stream
 * through the framing, the JSON parser, the request and argument checks
 * and the commands, on a q35 machine under the qtest accelerator. The
 * bytes go to a detached monitor (qmp_monitor_feed), which runs exactly
 * what a chardev's read handler runs, without the socket round trips.
 *
 * Input: one byte of flags, then the byte stream. Bit 0 of the flags
 * negotiates capabilities first (so that mutations reach the commands);
 * the other bits choose how the stream is cut into reads (1 byte, or a
 * multiple of 16), each followed by a turn of the main loop.
 *
 * Every input gets a fresh monitor. Whatever it sends must be
 * CRLF-terminated JSON objects of the four kinds QMP has. Devices that
 * device_add created are removed and the run state restored after each
 * input.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "fuzz-util.h"

static int fds_baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_machine_init(64 * 1024 * 1024, NULL);
    fds_baseline = fuzz_count_fds();
    return 0;
}
/* One message the monitor sent: an object with QMP, return, error or event. */
static void check_message(const char *text, size_t len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    GError *gerr = NULL;
    JsonObject *obj;
    unsigned kinds;

    if (!json_parser_load_from_data(parser, text, len, &gerr)) {
        fuzz_fail("the monitor sent invalid JSON (%s): %.300s", gerr->message,
                  text);
    }
    if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        fuzz_fail("the monitor sent a non-object: %.300s", text);
    }
    obj = json_node_get_object(json_parser_get_root(parser));
    kinds = json_object_has_member(obj, "QMP") +
            json_object_has_member(obj, "return") +
            json_object_has_member(obj, "error") +
            json_object_has_member(obj, "event");
    if (kinds != 1) {
        fuzz_fail("the monitor sent a message of %u kinds: %.300s", kinds,
                  text);
    }
}

/* Complete lines: CRLF-terminated, no bare LF. */
static void check_output(Monitor *mon)
{
    g_autofree char *out = qmp_monitor_take_output(mon);
    char *start = out, *lf;

    while ((lf = strchr(start, '\n'))) {
        if (lf == start || lf[-1] != '\r') {
            fuzz_fail("the monitor sent a bare LF: %.300s", start);
        }
        if (getenv("FUZZ_VERBOSE")) {
            fprintf(stderr, "<- %.*s\n", (int)(lf - 1 - start), start);
        }
        check_message(start, lf - 1 - start);
        start = lf + 1;
    }
    if (*start) {
        fuzz_fail("the monitor sent an unterminated line: %.300s", start);
    }
}

/* One read's worth of bytes, then what the main loop does meanwhile. */
static void feed(Monitor *mon, const uint8_t *data, size_t len)
{
    qmp_monitor_feed(mon, (const char *)data, len);
    fuzz_main_loop_drain();
    check_output(mon);
}

/* What the commands of one input may have changed. */
static void restore_machine(void)
{
    fuzz_remove_user_devices();
    if (qemu_main_loop_should_quit()) {
        qemu_main_loop_run();   /* consumes the quit request */
    }
    fuzz_main_loop_drain();
    if (!runstate_is_running()) {
        runstate_set(RUN_STATE_RUNNING);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char negotiate[] = "{\"execute\":\"qmp_capabilities\"}\r\n";
    uint8_t flags = size ? data[0] : 0;
    size_t chunk = flags >> 1 ? (flags >> 1) * 16 : 1;
    Monitor *mon = qmp_monitor_new_detached();

    if (flags & 1) {
        feed(mon, (const uint8_t *)negotiate, strlen(negotiate));
    }
    for (size_t off = 1; off < size; off += chunk) {
        feed(mon, data + off, MIN(chunk, size - off));
    }
    qmp_monitor_free_detached(mon);
    restore_machine();
    fuzz_check_fds(fds_baseline, "after a QMP session");
    fuzz_reports_reset();
    return 0;
}
