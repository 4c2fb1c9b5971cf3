/*
 * Character devices: stdio, sockets (UNIX, TCP, inherited fd), null, file,
 * pty.
 *
 * Handlers may close or disconnect their own chardev; such requests made
 * while a callback runs are deferred until it returns (see chr_leave), so
 * no code ever touches a freed Chardev or removes the watch it runs from.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <signal.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <termios.h>
#include <glib-unix.h>
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "system/chardev.h"
#include "system/runstate.h"
#include "system/terminal.h"
#include "trace.h"

#define CHR_READ_SIZE 4096
#define CHR_MAX_FDS 16          /* SCM_RIGHTS fds accepted per message */
#define CHR_ESCAPE_CHAR 0x01    /* Ctrl-A, as in QEMU's multiplexer */
/* How often a pty nobody has open is checked for a new client. */
#define PTY_POLL_MS 200

typedef enum ChardevBackend {
    CHR_BACKEND_NULL,
    CHR_BACKEND_STDIO,
    CHR_BACKEND_FILE,
    CHR_BACKEND_SOCKET,
    CHR_BACKEND_PTY,
} ChardevBackend;

struct Chardev {
    char *id;
    ChardevBackend backend;
    char *label;                /* "unix:/path", "tcp:h:p", for messages */
    int in_fd;                  /* -1 when nothing to read */
    int out_fd;                 /* -1 when nowhere to write */
    bool out_is_socket;
    int listen_fd;              /* server sockets, else -1 */
    bool is_unix;
    char *unix_path;            /* our server socket, unlinked at close */
    bool connected;
    guint read_tag;
    guint listen_tag;
    guint write_tag;            /* one-shot wait for writability */
    bool input_paused;          /* the front end asked for no input */
    bool escapes;               /* mux=on: Ctrl-A commands on the input */
    bool escape_seen;           /* the last input byte was Ctrl-A */
    bool stdio_signals;         /* stdio: signal=on */
    QEMUTimer *pty_timer;       /* pty: polls for a client while none */

    ChardevReadFunc *read_cb;
    ChardevEventFunc *event_cb;
    void *opaque;
    ChardevWritableFunc *writable_cb;
    void *writable_opaque;

    GArray *recv_fds;           /* int, from the last message */

    /* Deferred work while a callback runs (see chr_leave). */
    int busy;
    bool disconnect_pending;
    bool close_pending;
    guint self_tag;             /* watch whose callback is running */
    bool self_removed;
};

typedef struct ChardevDriver {
    const char *name;
    const char *const *keys;    /* backend-specific option keys */
    bool (*open)(Chardev *chr, const QemuOpts *opts, Error **errp);
} ChardevDriver;

static GPtrArray *chardevs;     /* Chardev *, every open one */

static bool chr_read_ready(int fd, GIOCondition cond, void *opaque);
static bool chr_accept_ready(int fd, GIOCondition cond, void *opaque);
static bool chr_write_ready(int fd, GIOCondition cond, void *opaque);
static void pty_wait_client(Chardev *chr);
static size_t chr_escape_filter(Chardev *chr, uint8_t *buf, size_t len);

/* Plumbing */

/* Small replies must not wait for Nagle and delayed ACKs. */
static void socket_set_nodelay(int fd)
{
    int on = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

static void chr_remove_watch(Chardev *chr, guint *tag)
{
    if (!*tag) {
        return;
    }
    if (*tag == chr->self_tag) {
        /* The running callback returns false instead. */
        chr->self_removed = true;
    } else {
        qemu_fd_watch_remove(*tag);
    }
    *tag = 0;
}

static void chr_update_read_watch(Chardev *chr)
{
    bool want = chr->connected && chr->read_cb && chr->in_fd >= 0 &&
                !chr->input_paused;

    if (want && !chr->read_tag) {
        chr->read_tag = qemu_fd_watch_add(chr->in_fd,
                                          G_IO_IN | G_IO_HUP | G_IO_ERR,
                                          chr_read_ready, chr);
    } else if (!want) {
        chr_remove_watch(chr, &chr->read_tag);
    }
}

static void chr_listen_resume(Chardev *chr)
{
    if (chr->listen_fd >= 0 && !chr->listen_tag) {
        chr->listen_tag = qemu_fd_watch_add(chr->listen_fd, G_IO_IN,
                                            chr_accept_ready, chr);
    }
}

static void chr_close_recv_fds(Chardev *chr)
{
    for (guint i = 0; i < chr->recv_fds->len; i++) {
        close(g_array_index(chr->recv_fds, int, i));
    }
    g_array_set_size(chr->recv_fds, 0);
}

static void chr_emit_event(Chardev *chr, ChardevEvent event)
{
    if (chr->event_cb) {
        chr->event_cb(chr->opaque, event);
    }
}

static void chr_enter(Chardev *chr)
{
    chr->busy++;
}

static void chr_free(Chardev *chr)
{
    chr->read_cb = NULL;
    chr->event_cb = NULL;
    chr->writable_cb = NULL;
    chr_remove_watch(chr, &chr->read_tag);
    chr_remove_watch(chr, &chr->listen_tag);
    chr_remove_watch(chr, &chr->write_tag);
    chr_close_recv_fds(chr);
    g_array_free(chr->recv_fds, TRUE);
    timer_free(chr->pty_timer);
    /* Never close our own stdin/stdout: the log may still use them. */
    if (chr->backend == CHR_BACKEND_STDIO) {
        terminal_restore();
    } else {
        if (chr->in_fd >= 0) {
            close(chr->in_fd);
        }
        if (chr->out_fd >= 0 && chr->out_fd != chr->in_fd) {
            close(chr->out_fd);
        }
    }
    if (chr->listen_fd >= 0) {
        close(chr->listen_fd);
    }
    if (chr->unix_path) {
        unlink(chr->unix_path);
    }
    g_ptr_array_remove(chardevs, chr);
    g_free(chr->unix_path);
    g_free(chr->label);
    g_free(chr->id);
    g_free(chr);
}

/* Tear the connection down and tell the user; runs with busy > 0. */
static void chr_drop_connection(Chardev *chr)
{
    if (!chr->connected) {
        return;
    }
    chr->connected = false;
    chr->input_paused = false;
    chr->writable_cb = NULL;
    chr_remove_watch(chr, &chr->read_tag);
    chr_remove_watch(chr, &chr->write_tag);
    if (chr->backend == CHR_BACKEND_SOCKET) {
        close(chr->in_fd);
        chr->in_fd = chr->out_fd = -1;
        chr_listen_resume(chr);
    } else if (chr->backend == CHR_BACKEND_STDIO) {
        chr->in_fd = -1;        /* stdout stays writable */
    } else if (chr->backend == CHR_BACKEND_PTY) {
        trace_chardev_pty_client(qemu_chr_id(chr), false);
        pty_wait_client(chr);   /* the master stays ours */
    }
    chr_emit_event(chr, CHR_EVENT_CLOSED);
}

/*
 * Leave a callback section and carry out what it asked for.
 * Returns false if @chr was freed.
 */
static bool chr_leave(Chardev *chr)
{
    g_assert(chr->busy > 0);
    if (chr->busy > 1) {
        chr->busy--;
        return true;
    }
    while (chr->disconnect_pending && !chr->close_pending) {
        chr->disconnect_pending = false;
        chr_drop_connection(chr);
    }
    chr->busy--;
    if (chr->close_pending) {
        chr_free(chr);
        return false;
    }
    return true;
}

static void chr_set_connected(Chardev *chr)
{
    chr->connected = true;
    chr->escape_seen = false;
    chr_update_read_watch(chr);
    chr_emit_event(chr, CHR_EVENT_OPENED);
}

/* I/O */

static ssize_t chr_recv(Chardev *chr, uint8_t *buf, size_t size)
{
    union {
        struct cmsghdr hdr;
        char buf[CMSG_SPACE(sizeof(int) * CHR_MAX_FDS)];
    } ctl;
    struct iovec iov = { .iov_base = buf, .iov_len = size };
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = &ctl,
        .msg_controllen = sizeof(ctl),
    };
    struct cmsghdr *cmsg;
    ssize_t ret;

    if (!chr->is_unix) {
        return read(chr->in_fd, buf, size);
    }
    memset(&ctl, 0, sizeof(ctl));
    ret = recvmsg(chr->in_fd, &msg, MSG_CMSG_CLOEXEC);
    if (ret < 0) {
        return ret;
    }
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        size_t n;

        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
            cmsg->cmsg_len < CMSG_LEN(0)) {
            continue;
        }
        n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int fd;

            memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
            g_array_append_val(chr->recv_fds, fd);
        }
    }
    return ret;
}

/*
 * A watch callback runs between these two: deferred work is done at the
 * end, and the callback's own watch survives unless it was removed.
 */
static void chr_watch_begin(Chardev *chr, guint tag)
{
    chr->self_tag = tag;
    chr->self_removed = false;
    chr_enter(chr);
}

static bool chr_watch_end(Chardev *chr)
{
    bool keep;

    if (!chr_leave(chr)) {
        return false;
    }
    keep = !chr->self_removed;
    chr->self_tag = 0;
    return keep;
}

static bool chr_read_ready(int fd, GIOCondition cond, void *opaque)
{
    Chardev *chr = opaque;
    uint8_t buf[CHR_READ_SIZE];
    ssize_t len;

    do {
        len = chr_recv(chr, buf, sizeof(buf));
    } while (len < 0 && errno == EINTR);
    if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return true;
    }

    chr_watch_begin(chr, chr->read_tag);
    if (len <= 0) {
        /* EOF or a broken connection: the peer is gone. */
        chr->disconnect_pending = true;
    } else if (chr->escapes) {
        len = chr_escape_filter(chr, buf, len);
    }
    if (len > 0 && chr->read_cb) {
        chr->read_cb(chr->opaque, buf, len);
    }
    chr_close_recv_fds(chr);
    return chr_watch_end(chr);
}

static bool chr_accept_ready(int fd, GIOCondition cond, void *opaque)
{
    Chardev *chr = opaque;
    int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (client < 0) {
        return true;            /* EAGAIN, ECONNABORTED...: keep listening */
    }
    chr_watch_begin(chr, chr->listen_tag);
    /* One client at a time: stop listening until this one goes. */
    chr_remove_watch(chr, &chr->listen_tag);
    if (!chr->is_unix) {
        socket_set_nodelay(client);
    }
    chr->in_fd = chr->out_fd = client;
    chr_set_connected(chr);
    return chr_watch_end(chr);
}

/* One shot: the front end asks again if it still has output. */
static bool chr_write_ready(int fd, GIOCondition cond, void *opaque)
{
    Chardev *chr = opaque;
    ChardevWritableFunc *cb = chr->writable_cb;

    chr->write_tag = 0;
    chr->writable_cb = NULL;
    chr_enter(chr);
    if (cb) {
        cb(chr->writable_opaque);
    }
    chr_leave(chr);
    return false;
}

static bool fd_write_all(int fd, bool is_socket, const uint8_t *buf,
                         size_t len)
{
    while (len) {
        ssize_t n = is_socket ? send(fd, buf, len, MSG_NOSIGNAL)
                              : write(fd, buf, len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd pfd = { .fd = fd, .events = POLLOUT };

                poll(&pfd, 1, -1);
                continue;
            }
            return false;
        }
        buf += n;
        len -= n;
    }
    return true;
}

/* mux=on: QEMU's Ctrl-A commands, with one front end */

static void chr_escape_reply(Chardev *chr, const char *text)
{
    qemu_chr_write_all(chr, text, strlen(text));
}

static void chr_escape_command(Chardev *chr, uint8_t c)
{
    switch (c) {
    case 'x':
        chr_escape_reply(chr, "QEMU: Terminated\r\n");
        qemu_system_shutdown_request_cause(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
        break;
    case 'h':
    case '?':
        chr_escape_reply(chr, "\r\nC-a h    print this help\r\n"
                         "C-a x    exit qvfio\r\n"
                         "C-a C-a  send C-a\r\n");
        break;
    default:
        break;                  /* QEMU ignores the others too */
    }
}

/* Take the Ctrl-A commands out of @buf, in place; returns what is left. */
static size_t chr_escape_filter(Chardev *chr, uint8_t *buf, size_t len)
{
    size_t out = 0;

    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];

        if (chr->escape_seen) {
            chr->escape_seen = false;
            if (c == CHR_ESCAPE_CHAR) {
                buf[out++] = c;
            } else {
                chr_escape_command(chr, c);
            }
        } else if (c == CHR_ESCAPE_CHAR) {
            chr->escape_seen = true;
        } else {
            buf[out++] = c;
        }
    }
    return out;
}

/* Sockets */

static bool unix_addr_init(struct sockaddr_un *sun, const char *path,
                           Error **errp)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long (max %zu bytes)",
                   path, sizeof(sun->sun_path) - 1);
        return false;
    }
    strcpy(sun->sun_path, path);
    return true;
}

static int unix_listen(const char *path, Error **errp)
{
    struct sockaddr_un sun;
    int fd;

    if (!unix_addr_init(&sun, path, errp)) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create UNIX socket");
        return -1;
    }
    /* A stale socket file from an earlier run would make bind fail. */
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to '%s'", path);
        close(fd);
        return -1;
    }
    if (listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket '%s'",
                         path);
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

static int unix_connect(const char *path, Error **errp)
{
    struct sockaddr_un sun;
    int fd, ret;

    if (!unix_addr_init(&sun, path, errp)) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create UNIX socket");
        return -1;
    }
    do {
        ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        error_setg_errno(errp, errno, "Failed to connect to '%s'", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Listen on (server) or connect to (client) the first address that works. */
static int tcp_open(const char *host, const char *port, int family,
                    bool server, Error **errp)
{
    struct addrinfo hints = {
        .ai_family = family,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = server ? AI_PASSIVE : 0,
    };
    struct addrinfo *res, *ai;
    int err, fd = -1, saved_errno = 0;

    err = getaddrinfo(*host ? host : NULL, port, &hints, &res);
    if (err) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   host, port, gai_strerror(err));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int on = 1, ret;

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            saved_errno = errno;
            continue;
        }
        if (server) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
            ret = bind(fd, ai->ai_addr, ai->ai_addrlen);
            if (ret == 0) {
                ret = listen(fd, 1);
            }
        } else {
            do {
                ret = connect(fd, ai->ai_addr, ai->ai_addrlen);
            } while (ret < 0 && errno == EINTR);
        }
        if (ret == 0) {
            break;
        }
        saved_errno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, saved_errno, "Failed to %s '%s:%s'",
                         server ? "listen on" : "connect to", host, port);
    }
    return fd;
}

/* Block until the first client arrives (server with wait=on). */
static bool socket_wait_client(Chardev *chr, Error **errp)
{
    int client;

    info_report("waiting for connection on: disconnected:%s,server=on",
                chr->label);
    do {
        client = accept4(chr->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (client < 0 && errno == EINTR);
    if (client < 0) {
        error_setg_errno(errp, errno, "Failed to accept a connection on %s",
                         chr->label);
        return false;
    }
    if (!chr->is_unix) {
        socket_set_nodelay(client);
    }
    chr->in_fd = chr->out_fd = client;
    chr->connected = true;
    return true;
}

static bool socket_adopt_fd(Chardev *chr, const char *fdstr, Error **errp)
{
    uint64_t num;
    int fd, type, listening;
    socklen_t len = sizeof(type);
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);

    if (!qemu_parse_uint("fd", fdstr, INT_MAX, &num, errp)) {
        return false;
    }
    fd = num;
    if (fcntl(fd, F_GETFD) < 0) {
        error_setg_errno(errp, errno, "chardev: socket: fd=%d", fd);
        return false;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
        type != SOCK_STREAM) {
        error_setg(errp, "chardev: socket: fd=%d is not a stream socket", fd);
        return false;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    chr->is_unix = getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
                   ss.ss_family == AF_UNIX;
    len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 &&
        listening) {
        chr->listen_fd = fd;
    } else {
        chr->in_fd = chr->out_fd = fd;
        chr->connected = true;
    }
    chr->label = g_strdup_printf("fd:%d", fd);
    return true;
}

static bool socket_open_addr(Chardev *chr, const QemuOpts *opts,
                             bool server, Error **errp)
{
    const char *path = qemu_opt_get(opts, "path");
    const char *host = qemu_opt_get(opts, "host");
    const char *port = qemu_opt_get(opts, "port");
    int family = AF_UNSPEC;
    bool v4 = false, v6 = false;
    int fd;

    if (path) {
        if (!*path) {
            error_setg(errp, "chardev: socket: empty path");
            return false;
        }
        chr->is_unix = true;
        chr->label = g_strdup_printf("unix:%s", path);
        fd = server ? unix_listen(path, errp) : unix_connect(path, errp);
        if (fd >= 0 && server) {
            chr->unix_path = g_strdup(path);
        }
    } else {
        if (!port || !*port) {
            error_setg(errp, "chardev: socket: no port given");
            return false;
        }
        if ((qemu_opt_get(opts, "ipv4") &&
             !qemu_parse_bool("ipv4", qemu_opt_get(opts, "ipv4"), &v4, errp)) ||
            (qemu_opt_get(opts, "ipv6") &&
             !qemu_parse_bool("ipv6", qemu_opt_get(opts, "ipv6"), &v6, errp))) {
            return false;
        }
        family = v4 && !v6 ? AF_INET : v6 && !v4 ? AF_INET6 : AF_UNSPEC;
        chr->label = g_strdup_printf("tcp:%s:%s", host, port);
        fd = tcp_open(host, port, family, server, errp);
    }
    if (fd < 0) {
        return false;
    }
    if (server) {
        chr->listen_fd = fd;
    } else {
        if (!chr->is_unix) {
            socket_set_nodelay(fd);
        }
        chr->in_fd = chr->out_fd = fd;
        chr->connected = true;
    }
    return true;
}

static bool chr_opt_bool(const QemuOpts *opts, const char *key, bool def,
                         bool *out, Error **errp)
{
    const char *value = qemu_opt_get(opts, key);

    *out = def;
    return !value || qemu_parse_bool(key, value, out, errp);
}

static bool chr_open_socket(Chardev *chr, const QemuOpts *opts, Error **errp)
{
    const char *path = qemu_opt_get(opts, "path");
    const char *host = qemu_opt_get(opts, "host");
    const char *fdstr = qemu_opt_get(opts, "fd");
    bool server, wait;

    if (!chr_opt_bool(opts, "server", false, &server, errp) ||
        !chr_opt_bool(opts, "wait", true, &wait, errp)) {
        return false;
    }
    if (!server && qemu_opt_has(opts, "wait")) {
        error_setg(errp, "'wait' option is incompatible with socket in "
                   "client connect mode");
        return false;
    }
    if (!!path + !!host + !!fdstr > 1) {
        error_setg(errp, "chardev: socket: only one of path, host and fd "
                   "may be given");
        return false;
    }
    if (!path && !host && !fdstr) {
        error_setg(errp, "chardev: socket: no path, host or fd given");
        return false;
    }
    chr->backend = CHR_BACKEND_SOCKET;
    chr->out_is_socket = true;
    if (fdstr ? !socket_adopt_fd(chr, fdstr, errp)
              : !socket_open_addr(chr, opts, server, errp)) {
        return false;
    }
    if (chr->listen_fd >= 0 && wait && !socket_wait_client(chr, errp)) {
        return false;
    }
    if (chr->listen_fd >= 0 && !chr->connected) {
        chr_listen_resume(chr);
    }
    return true;
}

/* Other backends */

static bool chr_open_null(Chardev *chr, const QemuOpts *opts, Error **errp)
{
    chr->backend = CHR_BACKEND_NULL;
    chr->label = g_strdup("null");
    chr->connected = true;
    return true;
}

static bool chr_open_stdio(Chardev *chr, const QemuOpts *opts, Error **errp)
{
    for (guint i = 0; i < chardevs->len; i++) {
        Chardev *other = g_ptr_array_index(chardevs, i);

        if (other->backend == CHR_BACKEND_STDIO) {
            error_setg(errp, "cannot use stdio by multiple character devices "
                       "(chardev '%s' has it)", qemu_chr_id(other));
            return false;
        }
    }
    if (!chr_opt_bool(opts, "signal", true, &chr->stdio_signals, errp)) {
        return false;
    }
    /* A reader that goes away must not kill us with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    chr->backend = CHR_BACKEND_STDIO;
    chr->label = g_strdup("stdio");
    chr->in_fd = STDIN_FILENO;
    chr->out_fd = STDOUT_FILENO;
    chr->connected = true;
    return true;
}

static bool chr_open_file(Chardev *chr, const QemuOpts *opts, Error **errp)
{
    const char *path = qemu_opt_get(opts, "path");
    bool append;
    int fd;

    if (!path || !*path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    if (!chr_opt_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
              (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    signal(SIGPIPE, SIG_IGN);   /* the path may name a FIFO */
    chr->backend = CHR_BACKEND_FILE;
    chr->label = g_strdup_printf("file:%s", path);
    chr->out_fd = fd;
    chr->connected = true;
    return true;
}

/*
 * pty: a new pseudo-terminal. It counts as connected while someone has
 * its other side open; without one, output is dropped (it would reach
 * the next client stale) and a timer looks for a client, since nothing
 * signals the opening of a pty's other side.
 */

static bool pty_has_client(Chardev *chr)
{
    struct pollfd pfd = { .fd = chr->in_fd, .events = POLLIN };

    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static void pty_poll(void *opaque)
{
    Chardev *chr = opaque;

    if (!pty_has_client(chr)) {
        pty_wait_client(chr);
        return;
    }
    trace_chardev_pty_client(qemu_chr_id(chr), true);
    chr_enter(chr);
    chr_set_connected(chr);
    chr_leave(chr);
}

static void pty_wait_client(Chardev *chr)
{
    timer_mod(chr->pty_timer,
              qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + PTY_POLL_MS);
}

/* Raw, so that bytes pass unchanged and nothing is echoed back to us. */
static bool pty_set_raw(const char *name, Error **errp)
{
    int fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios t;
    bool ok;

    if (fd < 0) {
        error_setg_errno(errp, errno, "chardev: pty: cannot open '%s'", name);
        return false;
    }
    ok = tcgetattr(fd, &t) == 0;
    if (ok) {
        cfmakeraw(&t);
        ok = tcsetattr(fd, TCSANOW, &t) == 0;
    }
    if (!ok) {
        error_setg_errno(errp, errno, "chardev: pty: cannot make '%s' raw",
                         name);
    }
    close(fd);
    return ok;
}

static bool chr_open_pty(Chardev *chr, const QemuOpts *opts, Error **errp)
{
    char name[PATH_MAX];
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (master < 0) {
        error_setg_errno(errp, errno, "chardev: pty: cannot create a "
                         "pseudo-terminal");
        return false;
    }
    if (grantpt(master) < 0 || unlockpt(master) < 0 ||
        ptsname_r(master, name, sizeof(name)) != 0) {
        error_setg_errno(errp, errno, "chardev: pty: cannot set up a "
                         "pseudo-terminal");
        close(master);
        return false;
    }
    if (!pty_set_raw(name, errp)) {
        close(master);
        return false;
    }
    /* Output must never block us when the client does not read. */
    if (!g_unix_set_fd_nonblocking(master, TRUE, NULL)) {
        error_setg_errno(errp, errno, "chardev: pty: cannot make '%s' "
                         "non-blocking", name);
        close(master);
        return false;
    }
    chr->backend = CHR_BACKEND_PTY;
    chr->label = g_strdup_printf("pty:%s", name);
    chr->in_fd = chr->out_fd = master;
    chr->pty_timer = timer_new_ms(QEMU_CLOCK_REALTIME, pty_poll, chr);
    pty_wait_client(chr);
    info_report("char device redirected to %s (label %s)", name,
                qemu_chr_id(chr));
    return true;
}

/* Write what fits now; no client or no room: dropped, as QEMU does. */
static ssize_t pty_write(Chardev *chr, const void *buf, size_t len)
{
    ssize_t n;

    if (!chr->connected) {
        return len;
    }
    do {
        n = write(chr->out_fd, buf, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        /* EAGAIN: full. EIO: the client left; the read watch will see. */
        return errno == EAGAIN ? 0 : (ssize_t)len;
    }
    return n;
}

static const char *const null_keys[] = { NULL };
static const char *const stdio_keys[] = { "signal", NULL };
static const char *const file_keys[] = { "path", "append", NULL };
static const char *const pty_keys[] = { NULL };
static const char *const socket_keys[] = {
    "path", "host", "port", "fd", "server", "wait", "nodelay", "ipv4", "ipv6",
    NULL
};

static const ChardevDriver chr_drivers[] = {
    { "null", null_keys, chr_open_null },
    { "socket", socket_keys, chr_open_socket },
    { "stdio", stdio_keys, chr_open_stdio },
    { "file", file_keys, chr_open_file },
    { "pty", pty_keys, chr_open_pty },
};

static const ChardevDriver *chr_driver_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(chr_drivers); i++) {
        if (!strcmp(chr_drivers[i].name, name)) {
            return &chr_drivers[i];
        }
    }
    return NULL;
}

static bool chr_check_keys(const ChardevDriver *drv, const QemuOpts *opts,
                           Error **errp)
{
    static const char *const common[] = { "backend", "id", "mux" };
    g_autoptr(GPtrArray) allowed = g_ptr_array_new();

    for (size_t i = 0; i < ARRAY_SIZE(common); i++) {
        g_ptr_array_add(allowed, (gpointer)common[i]);
    }
    for (size_t i = 0; drv->keys[i]; i++) {
        g_ptr_array_add(allowed, (gpointer)drv->keys[i]);
    }
    g_ptr_array_add(allowed, NULL);
    return qemu_opts_check_keys(opts, (const char *const *)allowed->pdata,
                                errp);
}

static void chr_print_help(void)
{
    printf("Available chardev backend types:\n");
    for (size_t i = 0; i < ARRAY_SIZE(chr_drivers); i++) {
        printf("  %s\n", chr_drivers[i].name);
    }
}

static Chardev *chr_create(const char *id, const QemuOpts *opts, Error **errp)
{
    const char *backend = qemu_opt_get(opts, "backend");
    const ChardevDriver *drv;
    const char *mux = qemu_opt_get(opts, "mux");
    bool mux_on = false;
    Chardev *chr;

    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    if (!backend || !*backend) {
        error_setg(errp, "chardev: \"%s\" missing backend", id ? id : "");
        return NULL;
    }
    drv = chr_driver_find(backend);
    if (!drv) {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        error_append_hint(errp, " (try -chardev help)");
        return NULL;
    }
    if (id && qemu_chr_find(id)) {
        error_setg(errp, "Chardev '%s' already exists", id);
        return NULL;
    }
    if (!chr_check_keys(drv, opts, errp) ||
        (mux && !qemu_parse_bool("mux", mux, &mux_on, errp))) {
        return NULL;
    }

    chr = g_new0(Chardev, 1);
    chr->id = g_strdup(id);
    /*
     * QEMU's mux shares a chardev between front ends; qvfio has one front
     * end per chardev, so mux=on only brings the Ctrl-A commands.
     */
    chr->escapes = mux_on;
    chr->in_fd = chr->out_fd = chr->listen_fd = -1;
    chr->recv_fds = g_array_new(FALSE, FALSE, sizeof(int));
    g_ptr_array_add(chardevs, chr);
    if (!drv->open(chr, opts, errp)) {
        chr_free(chr);
        return NULL;
    }
    return chr;
}

/* Short form ("unix:PATH,server=on") */

/* Append @s to @out, doubling commas so that it stays one option value. */
static void append_escaped(GString *out, const char *s)
{
    for (; *s; s++) {
        g_string_append_c(out, *s);
        if (*s == ',') {
            g_string_append_c(out, ',');
        }
    }
}

/*
 * Append the ",opt,opt" tail of a short form, turning the legacy bare
 * flags (server, nowait, ...) into key=value form.
 */
static void append_compat_flags(GString *out, const char *tail)
{
    static const struct { const char *flag, *opt; } flags[] = {
        { "server", "server=on" }, { "noserver", "server=off" },
        { "wait", "wait=on" }, { "nowait", "wait=off" },
        { "nodelay", "nodelay=on" },
    };
    const char *p = tail;

    while (*p) {
        const char *start = p;
        size_t i;

        /* An element ends at a single comma; ",," is a literal comma. */
        while (*p && !(*p == ',' && p[1] != ',')) {
            p += (*p == ',') ? 2 : 1;
        }
        for (i = 0; i < ARRAY_SIZE(flags); i++) {
            if (strlen(flags[i].flag) == (size_t)(p - start) &&
                !strncmp(start, flags[i].flag, p - start)) {
                break;
            }
        }
        g_string_append_c(out, ',');
        if (i < ARRAY_SIZE(flags)) {
            g_string_append(out, flags[i].opt);
        } else {
            g_string_append_len(out, start, p - start);
        }
        if (*p) {
            p++;
        }
    }
}

/* Split "HOST:PORT" ("[v6]:PORT" too) at the end of @hp. */
static bool split_host_port(const char *hp, size_t len, char **host,
                            char **port, Error **errp)
{
    const char *colon = NULL;

    for (size_t i = 0; i < len; i++) {
        if (hp[i] == ':') {
            colon = hp + i;
        }
    }
    if (!colon) {
        error_setg(errp, "chardev: tcp: expected HOST:PORT, got '%.*s'",
                   (int)len, hp);
        return false;
    }
    if (colon - hp >= 2 && hp[0] == '[' && colon[-1] == ']') {
        *host = g_strndup(hp + 1, colon - hp - 2);
    } else {
        *host = g_strndup(hp, colon - hp);
    }
    *port = g_strndup(colon + 1, hp + len - colon - 1);
    return true;
}

static char *chr_compat_to_opts(const char *spec, Error **errp)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *rest;

    if (g_str_has_prefix(spec, "mon:")) {
        g_autofree char *inner = chr_compat_to_opts(spec + 4, errp);

        if (!inner) {
            return NULL;
        }
        /* QEMU: on stdio, Ctrl-C then goes to the guest. */
        return g_strconcat(inner, ",mux=on",
                           !strcmp(spec + 4, "stdio") ? ",signal=off" : "",
                           NULL);
    }
    if (!strcmp(spec, "null") || !strcmp(spec, "stdio") ||
        !strcmp(spec, "pty")) {
        g_string_append(out, spec);
    } else if (g_str_has_prefix(spec, "file:")) {
        g_string_append(out, "file,path=");
        append_escaped(out, spec + 5);
    } else if (g_str_has_prefix(spec, "unix:")) {
        rest = spec + 5;
        const char *end = rest;

        while (*end && !(*end == ',' && end[1] != ',')) {
            end += (*end == ',') ? 2 : 1;
        }
        g_string_append(out, "socket,path=");
        g_string_append_len(out, rest, end - rest);
        append_compat_flags(out, *end ? end + 1 : end);
    } else if (g_str_has_prefix(spec, "tcp:")) {
        g_autofree char *host = NULL;
        g_autofree char *port = NULL;
        const char *comma;

        rest = spec + 4;
        comma = strchr(rest, ',');
        if (!split_host_port(rest, comma ? (size_t)(comma - rest)
                                         : strlen(rest),
                             &host, &port, errp)) {
            return NULL;
        }
        g_string_append(out, "socket,host=");
        append_escaped(out, host);
        g_string_append(out, ",port=");
        append_escaped(out, port);
        append_compat_flags(out, comma ? comma + 1 : "");
    } else {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        error_append_hint(errp, " (use stdio, null, pty, file:PATH, "
                          "unix:PATH, tcp:HOST:PORT or mon:DEV)");
        return NULL;
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* Public API */

Chardev *qemu_chr_new(const char *id, const char *spec, Error **errp)
{
    g_autofree char *optstr = NULL;
    QemuOpts *opts;
    Chardev *chr;

    if (!spec || !*spec) {
        error_setg(errp, "empty chardev specification");
        return NULL;
    }
    optstr = chr_compat_to_opts(spec, errp);
    if (!optstr) {
        return NULL;
    }
    opts = qemu_opts_parse(optstr, "backend", errp);
    if (!opts) {
        return NULL;
    }
    chr = chr_create(id, opts, errp);
    qemu_opts_free(opts);
    return chr;
}

Chardev *qemu_chr_new_from_opts(QemuOpts *opts, Error **errp)
{
    const char *backend = qemu_opt_get(opts, "backend");
    const char *id = qemu_opt_get(opts, "id");

    if (opts->help || (backend && !strcmp(backend, "help"))) {
        chr_print_help();
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "chardev: no id specified");
        return NULL;
    }
    return chr_create(id, opts, errp);
}

Chardev *qemu_chr_find(const char *id)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        if (chr->id && !strcmp(chr->id, id)) {
            return chr;
        }
    }
    return NULL;
}

const char *qemu_chr_id(const Chardev *chr)
{
    return chr->id ? chr->id : "";
}

void qemu_chr_close(Chardev *chr)
{
    if (!chr) {
        return;
    }
    if (chr->busy) {
        chr->close_pending = true;
        return;
    }
    chr_free(chr);
}

void qemu_chr_close_all(void)
{
    g_autoptr(GPtrArray) all = NULL;

    if (!chardevs) {
        return;
    }
    all = g_ptr_array_copy(chardevs, NULL, NULL);
    for (guint i = 0; i < all->len; i++) {
        qemu_chr_close(g_ptr_array_index(all, i));
    }
}

void qemu_chr_set_handlers(Chardev *chr, ChardevReadFunc *read,
                           ChardevEventFunc *event, void *opaque)
{
    chr->read_cb = read;
    chr->event_cb = event;
    chr->opaque = opaque;
    /* A new front end starts with no pending output wait and input on. */
    chr->writable_cb = NULL;
    chr_remove_watch(chr, &chr->write_tag);
    chr->input_paused = false;
    chr_update_read_watch(chr);
    if (chr->connected && event) {
        chr_enter(chr);
        chr_emit_event(chr, CHR_EVENT_OPENED);
        chr_leave(chr);
    }
}

bool qemu_chr_write_all(Chardev *chr, const void *buf, size_t len)
{
    if (chr->backend == CHR_BACKEND_NULL) {
        return true;
    }
    if (chr->backend == CHR_BACKEND_PTY) {
        pty_write(chr, buf, len);
        return true;
    }
    if (chr->out_fd < 0) {
        return false;
    }
    return fd_write_all(chr->out_fd, chr->out_is_socket, buf, len);
}

ssize_t qemu_chr_write_nonblock(Chardev *chr, const void *buf, size_t len)
{
    ssize_t n;

    if (chr->backend == CHR_BACKEND_NULL) {
        return len;
    }
    if (chr->backend == CHR_BACKEND_PTY) {
        return pty_write(chr, buf, len);
    }
    if (chr->out_fd < 0) {
        return -1;
    }
    if (!chr->out_is_socket) {
        return fd_write_all(chr->out_fd, false, buf, len) ? (ssize_t)len : -1;
    }
    do {
        n = send(chr->out_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
    return n;
}

void qemu_chr_wait_writable(Chardev *chr, ChardevWritableFunc *cb,
                            void *opaque)
{
    chr->writable_cb = cb;
    chr->writable_opaque = opaque;
    if (!chr->write_tag && chr->connected && chr->out_fd >= 0) {
        chr->write_tag = qemu_fd_watch_add(chr->out_fd,
                                           G_IO_OUT | G_IO_HUP | G_IO_ERR,
                                           chr_write_ready, chr);
    }
}

void qemu_chr_accept_input(Chardev *chr, bool accept)
{
    chr->input_paused = !accept;
    chr_update_read_watch(chr);
}

const char *qemu_chr_label(const Chardev *chr)
{
    return chr->label ? chr->label : "";
}

void qemu_chr_foreach(ChardevForeachFunc *fn, void *opaque)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        fn(g_ptr_array_index(chardevs, i), opaque);
    }
}

bool qemu_chr_is_connected(const Chardev *chr)
{
    return chr->connected;
}

void qemu_chr_set_console(Chardev *chr)
{
    if (chr->backend == CHR_BACKEND_STDIO) {
        terminal_set_raw(STDIN_FILENO, chr->stdio_signals);
    }
}

bool qemu_chr_has_frontend(const Chardev *chr)
{
    return chr->read_cb || chr->event_cb;
}

void qemu_chr_disconnect(Chardev *chr)
{
    if (chr->busy) {
        chr->disconnect_pending = true;
        return;
    }
    chr_enter(chr);
    chr_drop_connection(chr);
    chr_leave(chr);
}

int qemu_chr_take_fd(Chardev *chr)
{
    int fd;

    if (!chr->recv_fds->len) {
        return -1;
    }
    fd = g_array_index(chr->recv_fds, int, 0);
    g_array_remove_index(chr->recv_fds, 0);
    return fd;
}
