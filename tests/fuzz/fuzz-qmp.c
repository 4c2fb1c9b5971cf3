/*
 * The QMP monitor (system/qmp*.c) as a client reaches it: bytes on a
 * socket, through the chardev, the framing, the JSON parser, the request
 * checks and the commands, on a q35 machine under the qtest accelerator.
 *
 * Input: one byte of flags, then the byte stream. Bit 0 of the flags
 * negotiates capabilities first (so that mutations reach the commands);
 * the other bits choose how the stream is cut into writes (1 byte, or a
 * multiple of 16), each write followed by a turn of the main loop.
 *
 * Every input gets a fresh connection. Whatever the monitor sends must be
 * CRLF-terminated JSON objects of the four kinds QMP has. Devices that
 * device_add created are removed and the run state restored after each
 * input.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qemu/main-loop.h"
#include "system/chardev.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "fuzz-util.h"

#define CHR_ID "fuzz-qmp"

typedef struct Conn {
    Chardev *chr;
    int peer;
    GString *in;                /* what the monitor sent, not yet checked */
} Conn;

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
static void check_output(Conn *c)
{
    char *start = c->in->str, *lf;

    while ((lf = memchr(start, '\n', c->in->len - (start - c->in->str)))) {
        if (lf == start || lf[-1] != '\r') {
            fuzz_fail("the monitor sent a bare LF: %.300s", start);
        }
        if (getenv("FUZZ_VERBOSE")) {
            fprintf(stderr, "<- %.*s\n", (int)(lf - 1 - start), start);
        }
        check_message(start, lf - 1 - start);
        start = lf + 1;
    }
    g_string_erase(c->in, 0, start - c->in->str);
}

/* Run the loop and read the monitor's output until both are quiet. */
static void pump(Conn *c)
{
    char buf[65536];
    ssize_t n;

    do {
        fuzz_main_loop_drain();
        while ((n = read(c->peer, buf, sizeof(buf))) > 0) {
            g_string_append_len(c->in, buf, n);
        }
        check_output(c);
    } while (n > 0 || g_main_context_pending(NULL));
}

/* Write everything, letting the monitor read (and answer) meanwhile. */
static void send_bytes(Conn *c, const uint8_t *data, size_t len)
{
    while (len) {
        ssize_t n = send(c->peer, data, len, MSG_NOSIGNAL);

        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return;             /* the monitor dropped us */
        }
        if (n > 0) {
            data += n;
            len -= n;
        }
        pump(c);
    }
}

static void conn_open(Conn *c)
{
    g_autofree char *spec = NULL;
    QemuOpts *opts;
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        fuzz_fail("socketpair: %s", strerror(errno));
    }
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    c->peer = sv[1];
    c->in = g_string_new(NULL);
    spec = g_strdup_printf("socket,id=%s,fd=%d", CHR_ID, sv[0]);
    opts = qemu_opts_parse(spec, "backend", &error_abort);
    c->chr = qemu_chr_new_from_opts(opts, &error_abort);
    qemu_opts_free(opts);
    qmp_monitor_init_chardev(CHR_ID, false, &error_abort);
    pump(c);
}

static void conn_close(Conn *c)
{
    close(c->peer);
    fuzz_main_loop_drain();     /* the monitor sees the hang-up */
    qmp_monitors_cleanup();
    qemu_chr_close(c->chr);
    g_string_free(c->in, TRUE);
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
    Conn c;

    conn_open(&c);
    if (flags & 1) {
        send_bytes(&c, (const uint8_t *)negotiate, strlen(negotiate));
    }
    for (size_t off = 1; off < size; off += chunk) {
        send_bytes(&c, data + off, MIN(chunk, size - off));
    }
    conn_close(&c);
    restore_machine();
    fuzz_check_fds(fds_baseline, "after a QMP session");
    fuzz_reports_reset();
    return 0;
}
