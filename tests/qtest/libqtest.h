/*
 * libqtest: drive a qvfio process over the qtest protocol, plus small
 * PCI/MSI-X and guest-memory helpers in the manner of QEMU's libqos.
 *
 * qtest_init() spawns "$QTEST_QEMU_BINARY -qtest unix:SOCK -qtest-log LOG
 * -display none -accel qtest EXTRA"; qvfio connects to our socket. Any
 * protocol failure (a reply that is not OK, the process dying, a timeout)
 * aborts the test with a message that includes qvfio's stderr.
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include "qemu/osdep.h"

typedef struct QTestState QTestState;

/*
 * QTEST_VALGRIND=1 (or more valgrind options) in the environment runs
 * every qvfio this library starts in valgrind's memcheck; any error it
 * reports fails the test (at qtest_quit, or when qtest_run_binary ends).
 * Everything is slower then by this factor (1 otherwise): timeouts are
 * stretched by it, and tests shorten their loops and lengthen their waits
 * with it.
 */
unsigned qtest_slow_factor(void);

/* The binaries under test, from the environment (set by meson). */
const char *qtest_binary(void);             /* $QTEST_QEMU_BINARY */
const char *qtest_product_binary(void);     /* $QVFIO_PRODUCT_BINARY */

/* Start qvfio; @extra_args is appended as-is to the shell command line. */
QTestState *qtest_init(const char *extra_args);
/* Remove a flat temporary directory and the files in it. */
void qtest_remove_tmpdir(const char *dir);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/*
 * Start qvfio with a QMP monitor too, as QEMU's libqtest does: qvfio
 * connects out to our socket ("-chardev socket,path=P,id=qmp0 -mon
 * chardev=qmp0,mode=control"); the greeting is checked and capabilities
 * are negotiated before this returns.
 */
QTestState *qtest_init_with_qmp(const char *extra_args);
QTestState *qtest_init_with_qmpf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/*
 * Close the connection, wait for the process (SIGTERM, then SIGKILL after
 * a timeout) and free @s. Fails the test if qvfio died of any other
 * signal. Returns the exit status, or -SIGNAL if we had to kill it.
 */
int qtest_quit(QTestState *s);
pid_t qtest_pid(QTestState *s);
/* Still running (does not reap it)? */
bool qtest_alive(QTestState *s);
const char *qtest_log_path(QTestState *s);  /* the -qtest-log file */
char *qtest_get_stderr(QTestState *s);      /* qvfio's stderr so far */

/*
 * QMP client (json-glib). A message is one JSON object ending in CRLF;
 * every bare LF the server sends fails the test. Events that arrive while
 * a reply is awaited are queued for the event functions.
 */
#include <json-glib/json-glib.h>

typedef struct QMPConn QMPConn;

QMPConn *qmp_conn_new(int fd);              /* takes over @fd */
/* Connect to a listening qvfio, retrying for up to 20 s. */
QMPConn *qmp_conn_connect_unix(const char *path);
QMPConn *qmp_conn_connect_tcp(const char *host, int port);
void qmp_conn_free(QMPConn *c);
int qmp_conn_fd(QMPConn *c);
/* The greeting (checked), then qmp_capabilities (must succeed). */
JsonObject *qmp_conn_negotiate(QMPConn *c);
void qmp_conn_send(QMPConn *c, const char *text);
void qmp_conn_sendf(QMPConn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* @text with @fds attached as SCM_RIGHTS (UNIX sockets). */
void qmp_conn_send_fds(QMPConn *c, const char *text, const int *fds,
                       int nfds);
/* The next message of any kind; NULL if the server closed. */
JsonObject *qmp_conn_recv_any(QMPConn *c);
/* The raw text of the last message received, without its CRLF. */
const char *qmp_conn_last_raw(QMPConn *c);
/* The next reply (events are queued); fails the test on EOF. */
JsonObject *qmp_conn_reply(QMPConn *c);
/* Send and wait for the reply. */
JsonObject *qmp_conn_cmd(QMPConn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Wait for event @name; queued events are searched first. */
JsonObject *qmp_conn_event(QMPConn *c, const char *name);
/* An already received event @name, or NULL. */
JsonObject *qmp_conn_take_event(QMPConn *c, const char *name);
/* Receive timeout in ms (default 120 s). */
void qmp_conn_set_timeout(QMPConn *c, int timeout_ms);

/* A reply's "return" (asserts it succeeded; owned by @reply). */
JsonNode *qmp_return(JsonObject *reply);
/* Asserts an error reply of class @cls with description @desc. */
void qmp_assert_error(JsonObject *reply, const char *cls, const char *desc);

/* The QMP monitor of a qtest_init_with_qmp() instance. */
QMPConn *qtest_qmp_conn(QTestState *s);
JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Send and assert success; the "return" value is dropped. */
void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
JsonObject *qtest_qmp_eventwait(QTestState *s, const char *name);
/* human-monitor-command's output. */
char *qtest_hmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Raw protocol access (protocol and fuzz tests). */
void qtest_send_raw(QTestState *s, const void *buf, size_t len);
/* The next line without its newline, IRQ lines included (and recorded). */
char *qtest_recv_line(QTestState *s);
/*
 * Send @line plus a newline and return the reply (IRQ lines are skipped
 * and recorded for qtest_get_irq). The reply may be FAIL or ERR.
 */
char *qtest_raw(QTestState *s, const char *line);
char *qtest_raw_len(QTestState *s, const void *line, size_t len);
/* Like qtest_raw, but the reply must start with "OK" (else fails). */
char *qtest_cmd(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Port I/O and memory */
void qtest_outb(QTestState *s, uint16_t addr, uint8_t value);
void qtest_outw(QTestState *s, uint16_t addr, uint16_t value);
void qtest_outl(QTestState *s, uint16_t addr, uint32_t value);
uint8_t qtest_inb(QTestState *s, uint16_t addr);
uint16_t qtest_inw(QTestState *s, uint16_t addr);
uint32_t qtest_inl(QTestState *s, uint16_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
/* Hex "read"/"write" and base64 "b64read"/"b64write"; any size. */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size);

/* Virtual clock; each returns the new time in ns. */
int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_set(QTestState *s, int64_t val);

/* Interrupts */
void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
/* Level of intercepted input @num (syncs with "inb 0x0" first). */
bool qtest_get_irq(QTestState *s, int num);
void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level);

/*
 * Run @binary with @args (shell syntax, appended as-is) to completion,
 * feeding it @stdin_text (NULL: empty). Captures stdout/stderr (either
 * may be NULL) and the wait status. Returns false if it had to be killed
 * after the timeout (30 s for qtest_run_binary).
 */
bool qtest_run_binary(const char *binary, const char *args,
                      const char *stdin_text, char **out, char **err,
                      int *status);
bool qtest_run_binary_timeout(const char *binary, const char *args,
                              const char *stdin_text, char **out, char **err,
                              int *status, int timeout_ms);

/* Process inspection (leak tests): open fds, resident set in KiB. */
int qtest_count_fds(pid_t pid);
long qtest_vmrss_kb(pid_t pid);
/* Has @pid exited (gone or a zombie)? Waits up to @timeout_ms. */
bool qtest_wait_pid_gone(pid_t pid, int timeout_ms);

/* fw_cfg over I/O ports (0x510/0x511): a little-endian 64-bit item. */
uint64_t qtest_fw_cfg_get_u64(QTestState *s, uint16_t key);

/* Guest RAM allocator: pages from 1 MiB to min(RAM size, 0xE0000000). */
typedef struct QGuestAllocator {
    QTestState *qts;
    uint64_t start;
    uint64_t end;
    uint64_t next;
} QGuestAllocator;

void pc_alloc_init(QGuestAllocator *alloc, QTestState *qts);
uint64_t guest_alloc(QGuestAllocator *alloc, size_t size);

/* PCI, after libqos */

#define QPCI_DEVFN(slot, fn) (((slot) << 3) | (fn))
#define Q35_ECAM_BASE 0xB0000000ULL
#define QPCI_PIO_BASE 0xc000
#define QPCI_PIO_LIMIT 0x10000
#define QPCI_MMIO_BASE 0xE0000000ULL
#define QPCI_MMIO_LIMIT 0x100000000ULL

typedef struct QPCIBus {
    QTestState *qts;
    uint64_t ecam_base;         /* 0: config through ports 0xcf8/0xcfc */
    uint64_t pio_alloc_ptr;
    uint64_t pio_limit;
    uint64_t mmio_alloc_ptr;
    uint64_t mmio_limit;
} QPCIBus;

/* Where a BAR was placed: a port number or a memory address. */
typedef struct QPCIBar {
    uint64_t addr;
    bool is_io;
} QPCIBar;

typedef struct QPCIDevice {
    QPCIBus *bus;
    int devfn;                  /* bus << 8 | slot << 3 | function */
    bool msix_enabled;
    QPCIBar msix_table_bar;
    uint64_t msix_table_off;
    QPCIBar msix_pba_bar;
    uint64_t msix_pba_off;
} QPCIDevice;

QPCIBus *qpci_new_pc(QTestState *qts);
QPCIBus *qpci_new_ecam(QTestState *qts, uint64_t ecam_base);
void qpci_free(QPCIBus *bus);

/* NULL if the function is absent (vendor ID 0xffff). */
QPCIDevice *qpci_device_find(QPCIBus *bus, int devfn);
void qpci_device_free(QPCIDevice *dev);
/*
 * Call @func for every present function on bus 0 (-1 IDs match any);
 * @func owns @dev (qpci_device_free).
 */
void qpci_device_foreach(QPCIBus *bus, int vendor_id, int device_id,
                         void (*func)(QPCIDevice *dev, int devfn, void *data),
                         void *data);

/* Offsets above 0xff need an ECAM bus. */
uint8_t qpci_config_readb(QPCIDevice *dev, uint16_t offset);
uint16_t qpci_config_readw(QPCIDevice *dev, uint16_t offset);
uint32_t qpci_config_readl(QPCIDevice *dev, uint16_t offset);
void qpci_config_writeb(QPCIDevice *dev, uint16_t offset, uint8_t value);
void qpci_config_writew(QPCIDevice *dev, uint16_t offset, uint16_t value);
void qpci_config_writel(QPCIDevice *dev, uint16_t offset, uint32_t value);

/* Size @barno and place it (bump allocator); *@sizeptr gets the size. */
QPCIBar qpci_iomap(QPCIDevice *dev, int barno, uint64_t *sizeptr);
/* Set IO | MEMORY | MASTER and check that they stuck. */
void qpci_device_enable(QPCIDevice *dev);
/* Next capability @id after @start (0: from the list head); 0 if none. */
uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id, uint8_t start);

uint8_t qpci_io_readb(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint16_t qpci_io_readw(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint32_t qpci_io_readl(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint64_t qpci_io_readq(QPCIDevice *dev, QPCIBar bar, uint64_t off);
void qpci_io_writeb(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint8_t v);
void qpci_io_writew(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint16_t v);
void qpci_io_writel(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint32_t v);
void qpci_io_writeq(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint64_t v);

/* MSI-X (capability 0x11) */
void qpci_msix_enable(QPCIDevice *dev);
void qpci_msix_disable(QPCIDevice *dev);
uint16_t qpci_msix_table_size(QPCIDevice *dev);
bool qpci_msix_masked(QPCIDevice *dev, uint16_t entry);
/* Tests the PBA bit and writes the dword back with the bit cleared. */
bool qpci_msix_pending(QPCIDevice *dev, uint16_t entry);
/* Program table entry @entry (address, data, vector control mask bit). */
void qpci_msix_set_entry(QPCIDevice *dev, uint16_t entry, uint64_t addr,
                         uint32_t data, bool masked);

#endif
