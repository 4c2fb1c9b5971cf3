/*
 * The 16550A register model, driven through the I/O address space as a
 * guest driver drives it, with a socket chardev as the cable (the test
 * holds the other end) and the ISA lines recorded.
 */
#include "qemu/osdep.h"
#include <linux/serial_reg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "qemu/timer.h"
#include "hw/char/serial.h"
#include "hw/isa/isa.h"
#include "system/chardev.h"
#include "system/memory.h"

#define COM1 0x3f8
#define COM2 0x2f8

static qemu_irq *isa_irqs;
static int irq_level[ISA_NUM_IRQS];
static int irq_raises[ISA_NUM_IRQS];

static void isa_irq_handler(void *opaque, int n, int level)
{
    if (level && !irq_level[n]) {
        irq_raises[n]++;
    }
    irq_level[n] = level;
}

typedef struct Uart {
    DeviceState *dev;
    Chardev *chr;
    int peer;                   /* our end of the cable, non-blocking */
    int chr_fd;                 /* the chardev's end */
    uint16_t base;
} Uart;

static void machine_setup(void)
{
    memory_system_init();
    qemu_clock_set_virtual_manual(true);
    if (!isa_irqs) {
        isa_irqs = qemu_allocate_irqs(isa_irq_handler, NULL, ISA_NUM_IRQS);
    }
    isa_bus_set_irqs(isa_irqs);
    memset(irq_level, 0, sizeof(irq_level));
    memset(irq_raises, 0, sizeof(irq_raises));
}

static DeviceState *uart_new(const char *props, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(props, NULL, &error_abort);
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);

    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        qdev_prop_set(dev, opt->key, opt->value, &error_abort);
    }
    qemu_opts_free(opts);
    /* Realized, the composition tree holds it. */
    return qdev_realize_and_unref(dev, NULL, errp) ? dev : NULL;
}

static uint32_t prop_u32(DeviceState *dev, const char *name)
{
    g_autofree char *text = qdev_prop_get(dev, name);

    return strtoul(text, NULL, 0);
}

static void uart_remove(DeviceState *dev)
{
    qdev_unrealize(dev);
    object_unparent(OBJECT(dev));
}

/* A UART at @props with a socket chardev "cable" as its backend. */
static void uart_init(Uart *u, const char *props)
{
    g_autofree char *chr_opts = NULL;
    g_autofree char *all = NULL;
    QemuOpts *opts;
    int sv[2];

    machine_setup();
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    g_assert_true(g_unix_set_fd_nonblocking(sv[1], TRUE, NULL));
    u->peer = sv[1];
    u->chr_fd = sv[0];
    chr_opts = g_strdup_printf("socket,id=cable,fd=%d", sv[0]);
    opts = qemu_opts_parse(chr_opts, "backend", &error_abort);
    u->chr = qemu_chr_new_from_opts(opts, &error_abort);
    qemu_opts_free(opts);
    all = g_strdup_printf("chardev=cable%s%s", *props ? "," : "", props);
    u->dev = uart_new(all, &error_abort);
    u->base = prop_u32(u->dev, "iobase");
}

static void uart_cleanup(Uart *u)
{
    uart_remove(u->dev);
    g_assert_false(qemu_chr_has_frontend(u->chr));
    qemu_chr_close(u->chr);
    close(u->peer);
}

static uint8_t inb(Uart *u, unsigned reg)
{
    uint64_t v = 0xdead;

    g_assert_cmpint(address_space_read_sized(&address_space_io, u->base + reg,
                                             1, &v), ==, MEMTX_OK);
    g_assert_cmphex(v, <=, 0xff);
    return v;
}

static void outb(Uart *u, unsigned reg, uint8_t v)
{
    g_assert_cmpint(address_space_write_sized(&address_space_io,
                                              u->base + reg, 1, v),
                    ==, MEMTX_OK);
}

static void poll_main_loop(int iterations)
{
    for (int i = 0; i < iterations; i++) {
        qemu_main_loop_poll_once(false);
    }
}

/* Run the main loop until @cond holds (or fail after 10 s). */
#define POLL_UNTIL(cond) do {                                           \
        gint64 deadline_ = g_get_monotonic_time() + 10 * G_USEC_PER_SEC; \
        while (!(cond)) {                                               \
            g_assert_cmpint(g_get_monotonic_time(), <, deadline_);      \
            qemu_main_loop_poll_once(false);                            \
            g_usleep(500);                                              \
        }                                                               \
    } while (0)

static void peer_send(Uart *u, const void *buf, size_t len)
{
    g_assert_cmpint(write(u->peer, buf, len), ==, len);
}

static char *peer_recv_all(Uart *u)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    ssize_t n;

    while ((n = read(u->peer, buf, sizeof(buf))) > 0) {
        g_string_append_len(s, buf, n);
    }
    return g_string_free(s, FALSE);
}

/* Bytes the chardev has not read yet from its end of the cable. */
static int unread_by_uart(Uart *u)
{
    int n = -1;

    g_assert_cmpint(ioctl(u->chr_fd, FIONREAD, &n), ==, 0);
    return n;
}

/* Reset values */

static void check_reset_values(Uart *u)
{
    g_assert_cmphex(inb(u, UART_IER), ==, 0);
    g_assert_cmphex(inb(u, UART_IIR), ==, UART_IIR_NO_INT);
    g_assert_cmphex(inb(u, UART_LCR), ==, 0);
    g_assert_cmphex(inb(u, UART_MCR), ==, 0);
    g_assert_cmphex(inb(u, UART_LSR), ==, UART_LSR_THRE | UART_LSR_TEMT);
    g_assert_cmphex(inb(u, UART_MSR), ==,
                    UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
    g_assert_cmphex(inb(u, UART_SCR), ==, 0);
    outb(u, UART_LCR, UART_LCR_DLAB);
    g_assert_cmphex(inb(u, UART_DLL), ==, 12);      /* 9600 baud */
    g_assert_cmphex(inb(u, UART_DLM), ==, 0);
    outb(u, UART_LCR, 0);
}

static void test_reset(void)
{
    Uart u;

    uart_init(&u, "");
    g_assert_cmphex(u.base, ==, COM1);
    g_assert_cmpuint(prop_u32(u.dev, "irq"), ==, 4);
    g_assert_cmpuint(prop_u32(u.dev, "index"), ==, 0);
    check_reset_values(&u);

    /* Change everything, then reset. */
    outb(&u, UART_LCR, UART_LCR_DLAB);
    outb(&u, UART_DLL, 1);
    outb(&u, UART_DLM, 2);
    outb(&u, UART_LCR, UART_LCR_WLEN8 | UART_LCR_PARITY);
    outb(&u, UART_IER, 0x0f);
    outb(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_14);
    outb(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_DTR);
    outb(&u, UART_SCR, 0x5a);
    outb(&u, UART_TX, 'x');
    g_assert_true(inb(&u, UART_LSR) & UART_LSR_DR);
    device_cold_reset(u.dev);
    check_reset_values(&u);
    g_assert_cmpint(irq_level[4], ==, 0);
    uart_cleanup(&u);
}

static void test_dlab(void)
{
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_IER, UART_IER_RDI);
    outb(&u, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
    outb(&u, UART_DLL, 0x01);       /* 115200 baud */
    outb(&u, UART_DLM, 0xa5);
    g_assert_cmphex(inb(&u, UART_DLL), ==, 0x01);
    g_assert_cmphex(inb(&u, UART_DLM), ==, 0xa5);
    /* A THR write under DLAB is the divisor, not output. */
    g_assert_cmphex(inb(&u, UART_LCR), ==, UART_LCR_DLAB | UART_LCR_WLEN8);
    outb(&u, UART_LCR, UART_LCR_WLEN8);
    g_assert_cmphex(inb(&u, UART_IER), ==, UART_IER_RDI);
    g_autofree char *out = peer_recv_all(&u);
    g_assert_cmpstr(out, ==, "");
    outb(&u, UART_LCR, UART_LCR_DLAB);
    g_assert_cmphex(inb(&u, UART_DLL), ==, 0x01);   /* kept */
    outb(&u, UART_LCR, 0);
    outb(&u, UART_SCR, 0xa5);
    g_assert_cmphex(inb(&u, UART_SCR), ==, 0xa5);
    /* Reserved bits read as 0 (the driver's probe relies on it). */
    outb(&u, UART_IER, 0xff);
    g_assert_cmphex(inb(&u, UART_IER), ==, 0x0f);
    outb(&u, UART_IER, 0);
    outb(&u, UART_MCR, 0xff & ~UART_MCR_LOOP);
    g_assert_cmphex(inb(&u, UART_MCR), ==, 0x0f);
    uart_cleanup(&u);
}

/* Transmit, THRE and the line */

static void test_transmit(void)
{
    g_autofree char *out = NULL;
    Uart u;

    uart_init(&u, "");
    for (const char *p = "hello\r\n"; *p; p++) {
        outb(&u, UART_TX, *p);
        g_assert_cmphex(inb(&u, UART_LSR), ==,
                        UART_LSR_THRE | UART_LSR_TEMT);
    }
    out = peer_recv_all(&u);
    g_assert_cmpstr(out, ==, "hello\r\n");
    uart_cleanup(&u);
}

static void test_thre_interrupt(void)
{
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_MCR, UART_MCR_OUT2);
    g_assert_cmpint(irq_level[4], ==, 0);

    /* Enabling ETBEI with THR empty raises THRE; reading IIR acks it. */
    outb(&u, UART_IER, UART_IER_THRI);
    g_assert_cmpint(irq_level[4], ==, 1);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_THRI);
    g_assert_cmpint(irq_level[4], ==, 0);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_NO_INT);

    /* Linux's test for UARTs that do not re-assert THRE. */
    outb(&u, UART_IER, 0);
    outb(&u, UART_IER, UART_IER_THRI);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_THRI);
    /* Writing the same value again is no new enable. */
    outb(&u, UART_IER, UART_IER_THRI);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_NO_INT);

    /* Each THR write empties again: a new edge for the edge-triggered pin. */
    for (int i = 0; i < 3; i++) {
        int raises = irq_raises[4];

        outb(&u, UART_TX, 'a');
        g_assert_cmpint(irq_level[4], ==, 1);
        g_assert_cmpint(irq_raises[4], ==, raises + 1);
        outb(&u, UART_TX, 'b');     /* while still pending: lower, raise */
        g_assert_cmpint(irq_raises[4], ==, raises + 2);
        g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_THRI);
        g_assert_cmpint(irq_level[4], ==, 0);
    }
    outb(&u, UART_IER, 0);
    g_assert_cmpint(irq_level[4], ==, 0);
    uart_cleanup(&u);
}

static void test_out2_gating(void)
{
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_IER, UART_IER_THRI);
    /* Pending, but OUT2 off: the PC's IRQ buffer is off. */
    g_assert_cmphex(inb(&u, UART_IIR) & UART_IIR_NO_INT, ==, 0);
    outb(&u, UART_IER, 0);
    outb(&u, UART_IER, UART_IER_THRI);
    g_assert_cmpint(irq_level[4], ==, 0);
    outb(&u, UART_MCR, UART_MCR_OUT2);
    g_assert_cmpint(irq_level[4], ==, 1);
    outb(&u, UART_MCR, 0);
    g_assert_cmpint(irq_level[4], ==, 0);
    /* Loopback forces OUT2 inactive at the pin. */
    outb(&u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
    g_assert_cmpint(irq_level[4], ==, 0);
    outb(&u, UART_MCR, UART_MCR_OUT2);
    g_assert_cmpint(irq_level[4], ==, 1);
    /* Unplugging drops the line. */
    uart_cleanup(&u);
    g_assert_cmpint(irq_level[4], ==, 0);
}

/* Receive */

static void test_receive_no_fifo(void)
{
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_MCR, UART_MCR_OUT2);
    outb(&u, UART_IER, UART_IER_RDI);
    peer_send(&u, "ab", 2);
    POLL_UNTIL(inb(&u, UART_LSR) & UART_LSR_DR);
    g_assert_cmpint(irq_level[4], ==, 1);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_RDI);
    g_assert_cmphex(inb(&u, UART_RX), ==, 'a');
    /* One byte of holding register: 'b' waited outside, nothing lost. */
    g_assert_true(inb(&u, UART_LSR) & UART_LSR_DR);
    g_assert_cmphex(inb(&u, UART_RX), ==, 'b');
    g_assert_false(inb(&u, UART_LSR) & UART_LSR_DR);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_NO_INT);
    g_assert_cmpint(irq_level[4], ==, 0);
    /* An empty RBR gives the last byte again. */
    g_assert_cmphex(inb(&u, UART_RX), ==, 'b');
    g_assert_false(inb(&u, UART_LSR) & UART_LSR_OE);
    uart_cleanup(&u);
}

static void test_fifo_trigger_levels(void)
{
    static const struct { uint8_t fcr; unsigned level; } levels[] = {
        { UART_FCR_TRIGGER_1, 1 }, { UART_FCR_TRIGGER_4, 4 },
        { UART_FCR_TRIGGER_8, 8 }, { UART_FCR_TRIGGER_14, 14 },
    };
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_MCR, UART_MCR_OUT2);
    outb(&u, UART_IER, UART_IER_RDI);
    for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
        unsigned level = levels[i].level;

        outb(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
             levels[i].fcr);
        for (unsigned n = 1; n <= level; n++) {
            peer_send(&u, "z", 1);
            POLL_UNTIL(unread_by_uart(&u) == 0);
            g_assert_cmpint(irq_level[4], ==, n == level);
            if (n < level) {
                /* Below the trigger: data ready, no interrupt yet. */
                g_assert_true(inb(&u, UART_LSR) & UART_LSR_DR);
                g_assert_cmphex(inb(&u, UART_IIR), ==,
                                0xc0 | UART_IIR_NO_INT);
            }
        }
        g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_RDI);
        /* Reading one byte below the level lowers it again. */
        g_assert_cmphex(inb(&u, UART_RX), ==, 'z');
        g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_NO_INT);
        g_assert_cmpint(irq_level[4], ==, 0);
    }
    /* FCR bit 0 clear: the FIFOs go (and are cleared), IIR says so. */
    outb(&u, UART_FCR, 0);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_NO_INT);
    g_assert_false(inb(&u, UART_LSR) & UART_LSR_DR);
    uart_cleanup(&u);
}

static void test_character_timeout(void)
{
    /* 8N1 at divisor 12: 10 bits * 12 * 16 / 1.8432 MHz = 1041666 ns. */
    const int64_t char_ns = 1041666;
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_MCR, UART_MCR_OUT2);
    outb(&u, UART_LCR, UART_LCR_WLEN8);
    outb(&u, UART_IER, UART_IER_RDI);
    outb(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_8);
    peer_send(&u, "abc", 3);
    POLL_UNTIL(unread_by_uart(&u) == 0);
    g_assert_true(inb(&u, UART_LSR) & UART_LSR_DR);
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_NO_INT);

    /* Four character times of silence: the timeout indication. */
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                               4 * char_ns - 1000);
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_NO_INT);
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + 2000);
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_RX_TIMEOUT);
    g_assert_cmpint(irq_level[4], ==, 1);

    /* Reading a byte clears it and starts the count again. */
    g_assert_cmphex(inb(&u, UART_RX), ==, 'a');
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_NO_INT);
    g_assert_cmpint(irq_level[4], ==, 0);
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                               4 * char_ns + 1000);
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_RX_TIMEOUT);
    g_assert_cmphex(inb(&u, UART_RX), ==, 'b');
    g_assert_cmphex(inb(&u, UART_RX), ==, 'c');

    /* An empty FIFO times out nothing; 7N2 with parity takes longer. */
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                               40 * char_ns);
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_NO_INT);
    outb(&u, UART_LCR, UART_LCR_WLEN7 | UART_LCR_PARITY | UART_LCR_STOP);
    peer_send(&u, "d", 1);
    POLL_UNTIL(inb(&u, UART_LSR) & UART_LSR_DR);
    /* 11 bits a character now: 4 * 10 bits is not enough. */
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                               4 * char_ns + 1000);
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_NO_INT);
    qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                               char_ns / 2);
    g_assert_cmphex(inb(&u, UART_IIR), ==, 0xc0 | UART_IIR_RX_TIMEOUT);
    uart_cleanup(&u);
}

/* Flow control: the FIFO fills, the chardev stops, nothing is lost. */
static void test_rx_flow_control(void)
{
    enum { TOTAL = 20000 };
    g_autofree uint8_t *sent = g_malloc(TOTAL);
    size_t received = 0, written = 0;
    Uart u;

    for (size_t i = 0; i < TOTAL; i++) {
        sent[i] = g_random_int();
    }
    uart_init(&u, "");
    outb(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_14);

    /* 100 bytes: 16 in the FIFO, the rest wait, input stops. */
    peer_send(&u, sent, 100);
    written = 100;
    POLL_UNTIL(unread_by_uart(&u) == 0);
    peer_send(&u, sent + written, 50);
    written += 50;
    poll_main_loop(20);
    g_assert_cmpint(unread_by_uart(&u), ==, 50);

    /* The guest drains it all, in order, while the rest comes in. */
    while (received < TOTAL) {
        uint8_t lsr = inb(&u, UART_LSR);

        g_assert_false(lsr & UART_LSR_OE);
        if (written < TOTAL) {
            ssize_t n = write(u.peer, sent + written,
                              MIN(TOTAL - written, 3000));

            if (n > 0) {
                written += n;
            }
        }
        if (!(lsr & UART_LSR_DR)) {
            qemu_main_loop_poll_once(false);
            continue;
        }
        g_assert_cmphex(inb(&u, UART_RX), ==, sent[received]);
        received++;
    }
    poll_main_loop(5);
    g_assert_false(inb(&u, UART_LSR) & UART_LSR_DR);
    uart_cleanup(&u);
}

/* Loopback and modem status */

static void test_loopback(void)
{
    g_autofree char *out = NULL;
    Uart u;

    uart_init(&u, "");
    /* The driver's probe: RTS|OUT2 in loopback reads back as CTS|DCD. */
    outb(&u, UART_MCR, UART_MCR_LOOP | 0x0a);
    g_assert_cmphex(inb(&u, UART_MSR) & 0xf0, ==, 0x90);
    outb(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
    g_assert_cmphex(inb(&u, UART_MSR) & 0xf0, ==,
                    UART_MSR_DSR | UART_MSR_RI);

    /* TX comes back on RX; the chardev sees none of it. */
    outb(&u, UART_TX, 'L');
    g_assert_cmphex(inb(&u, UART_LSR), ==,
                    UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR);
    g_assert_cmphex(inb(&u, UART_RX), ==, 'L');
    out = peer_recv_all(&u);
    g_assert_cmpstr(out, ==, "");

    /* Input from the cable waits while the receiver is looped. */
    peer_send(&u, "ext", 3);
    poll_main_loop(20);
    g_assert_false(inb(&u, UART_LSR) & UART_LSR_DR);

    /* Overrun, FIFO off: the holding register takes the newer byte. */
    outb(&u, UART_TX, '1');
    outb(&u, UART_TX, '2');
    g_assert_cmphex(inb(&u, UART_LSR), ==, UART_LSR_THRE | UART_LSR_TEMT |
                    UART_LSR_DR | UART_LSR_OE);
    g_assert_false(inb(&u, UART_LSR) & UART_LSR_OE);     /* read clears */
    g_assert_cmphex(inb(&u, UART_RX), ==, '2');

    /* Overrun, FIFO on: the 17th byte is lost, the 16 stay. */
    outb(&u, UART_FCR, UART_FCR_ENABLE_FIFO);
    for (int i = 0; i < 17; i++) {
        outb(&u, UART_TX, 'a' + i);
    }
    g_assert_true(inb(&u, UART_LSR) & UART_LSR_OE);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(inb(&u, UART_RX), ==, 'a' + i);
    }
    g_assert_false(inb(&u, UART_LSR) & UART_LSR_DR);

    /* Out of loopback, the held input arrives. */
    outb(&u, UART_MCR, 0);
    POLL_UNTIL(inb(&u, UART_LSR) & UART_LSR_DR);
    g_assert_cmphex(inb(&u, UART_RX), ==, 'e');
    g_assert_cmphex(inb(&u, UART_RX), ==, 'x');
    g_assert_cmphex(inb(&u, UART_RX), ==, 't');
    uart_cleanup(&u);
}

static void test_modem_status(void)
{
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_IER, UART_IER_MSI);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_NO_INT);
    /* Into loopback with all outputs off: DCD, DSR and CTS drop. */
    outb(&u, UART_MCR, UART_MCR_LOOP);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_MSI);
    g_assert_cmphex(inb(&u, UART_MSR), ==,
                    UART_MSR_DDCD | UART_MSR_DDSR | UART_MSR_DCTS);
    g_assert_cmphex(inb(&u, UART_MSR), ==, 0);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_NO_INT);
    /* RI: rising is no event, falling (the trailing edge) is. */
    outb(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
    g_assert_cmphex(inb(&u, UART_MSR), ==, UART_MSR_RI);
    outb(&u, UART_MCR, UART_MCR_LOOP);
    g_assert_cmphex(inb(&u, UART_MSR), ==, UART_MSR_TERI);
    outb(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
    g_assert_cmphex(inb(&u, UART_MSR), ==, UART_MSR_DSR | UART_MSR_DDSR);
    uart_cleanup(&u);
}

/* Line status > RX data > THR empty > modem status. */
static void test_iir_priorities(void)
{
    Uart u;

    uart_init(&u, "");
    outb(&u, UART_IER, 0x0f);
    outb(&u, UART_MCR, UART_MCR_LOOP);          /* MSR deltas */
    outb(&u, UART_TX, 'a');
    outb(&u, UART_TX, 'b');                     /* overrun */
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_RLSI);
    g_assert_true(inb(&u, UART_LSR) & UART_LSR_OE);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_RDI);
    /* Reading IIR while it shows RX data does not ack THRE. */
    g_assert_cmphex(inb(&u, UART_RX), ==, 'b');
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_THRI);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_MSI);
    inb(&u, UART_MSR);
    g_assert_cmphex(inb(&u, UART_IIR), ==, UART_IIR_NO_INT);
    uart_cleanup(&u);
}

/* The probe sequence of Linux's 8250 driver ends in "16550A". */
static void test_linux_autoconfig(void)
{
    Uart u;
    uint8_t iir;

    uart_init(&u, "");
    outb(&u, UART_IER, 0);
    g_assert_cmphex(inb(&u, UART_IER) & 0x0f, ==, 0);
    outb(&u, UART_IER, 0x0f);
    g_assert_cmphex(inb(&u, UART_IER) & 0x0f, ==, 0x0f);
    outb(&u, UART_IER, 0);
    outb(&u, UART_MCR, UART_MCR_LOOP | 0x0a);
    g_assert_cmphex(inb(&u, UART_MSR) & 0xf0, ==, 0x90);
    outb(&u, UART_MCR, 0);
    outb(&u, UART_FCR, UART_FCR_ENABLE_FIFO);
    g_assert_cmphex(inb(&u, UART_IIR) >> 6, ==, 3);        /* 16550A */
    /* Not an ST16C650 (no EFR under LCR 0xbf), not a 16750 (64 bytes). */
    outb(&u, UART_LCR, UART_LCR_CONF_MODE_B);
    g_assert_cmphex(inb(&u, UART_EFR), !=, 0);
    outb(&u, UART_LCR, 0);
    outb(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
    iir = inb(&u, UART_IIR);
    g_assert_cmphex(iir & 0xe0, ==, 0xc0);
    /* Not an XScale UART (IER bit 6 sticks there). */
    outb(&u, UART_IER, 0x40);
    g_assert_cmphex(inb(&u, UART_IER), ==, 0);
    uart_cleanup(&u);
}

/* A peer that does not read never blocks the UART; a bounded backlog. */
static void test_tx_never_blocks(void)
{
    enum { TOTAL = 1024 * 1024 };
    GString *got = g_string_new(NULL);
    gint64 start = g_get_monotonic_time();
    Uart u;

    uart_init(&u, "");
    for (size_t i = 0; i < TOTAL; i++) {
        outb(&u, UART_TX, i % 251);
        if (i % 4096 == 0) {
            g_assert_cmpint(g_get_monotonic_time() - start, <,
                            30 * G_USEC_PER_SEC);
        }
    }
    /* Now the reader catches up: a prefix of the stream, in order. */
    for (int idle = 0; idle < 50; idle++) {
        char buf[65536];
        ssize_t n = read(u.peer, buf, sizeof(buf));

        if (n > 0) {
            g_string_append_len(got, buf, n);
            idle = 0;
        }
        qemu_main_loop_poll_once(false);
        g_usleep(200);
    }
    g_assert_cmpuint(got->len, >=, 64 * 1024);
    g_assert_cmpuint(got->len, <, TOTAL);
    for (size_t i = 0; i < got->len; i++) {
        if ((uint8_t)got->str[i] != i % 251) {
            g_error("byte %zu is 0x%02x, expected 0x%02zx", i,
                    (uint8_t)got->str[i], i % 251);
        }
    }
    g_string_free(got, TRUE);
    uart_cleanup(&u);
}

/* Whatever the guest does, the registers keep their invariants. */
static void test_random_accesses(void)
{
    GRand *rand = g_rand_new_with_seed(g_test_rand_int());
    g_autofree char *drained = NULL;
    Uart u;

    uart_init(&u, "");
    for (int i = 0; i < 100000; i++) {
        unsigned reg = g_rand_int_range(rand, 0, SERIAL_IO_SIZE);
        uint8_t lsr;

        if (g_rand_boolean(rand)) {
            outb(&u, reg, g_rand_int(rand));
        } else {
            inb(&u, reg);
        }
        if (i % 64 == 0) {
            peer_send(&u, "0123456789", g_rand_int_range(rand, 1, 10));
            qemu_main_loop_poll_once(false);
            qemu_clock_advance_virtual(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL)
                                       + g_rand_int_range(rand, 0, 1000000));
        }
        lsr = inb(&u, UART_LSR);
        g_assert_cmphex(lsr & (UART_LSR_THRE | UART_LSR_TEMT), ==,
                        UART_LSR_THRE | UART_LSR_TEMT);
        g_assert_cmphex(inb(&u, UART_MCR) & ~0x1f, ==, 0);
        g_assert_cmphex(inb(&u, UART_IIR) & 0x30, ==, 0);
        if (i % 1024 == 0) {
            g_free(peer_recv_all(&u));
        }
    }
    /* Still a working UART afterwards, once the input waiting is read. */
    device_cold_reset(u.dev);
    poll_main_loop(5);
    while (inb(&u, UART_LSR) & UART_LSR_DR) {
        inb(&u, UART_RX);
        poll_main_loop(1);
    }
    check_reset_values(&u);
    g_free(peer_recv_all(&u));
    outb(&u, UART_TX, '!');
    drained = peer_recv_all(&u);
    g_assert_cmpstr(drained, ==, "!");
    g_rand_free(rand);
    uart_cleanup(&u);
}

/* Realize: defaults, conflicts and errors; unrealize frees the ports. */

static void expect_error(const char *props, const char *msg)
{
    Error *err = NULL;

    g_assert_null(uart_new(props, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), msg)) {
        g_error("'%s' gave '%s', expected '%s'", props,
                error_get_pretty(err), msg);
    }
    error_free(err);
}

static void ignore_event(void *opaque, ChardevEvent event)
{
}

static uint64_t other_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void other_write(void *opaque, hwaddr addr, uint64_t data,
                        unsigned size)
{
}

static const MemoryRegionOps other_ops = {
    .read = other_read,
    .write = other_write,
};

static void test_realize_rules(void)
{
    MemoryRegion other;
    DeviceState *a, *b, *c, *d;
    Chardev *chr;
    uint64_t v;

    machine_setup();
    a = uart_new("", &error_abort);
    b = uart_new("", &error_abort);           /* the next free index */
    g_assert_cmpuint(prop_u32(b, "index"), ==, 1);
    g_assert_cmphex(prop_u32(b, "iobase"), ==, COM2);
    g_assert_cmpuint(prop_u32(b, "irq"), ==, 3);
    c = uart_new("index=3", &error_abort);
    g_assert_cmphex(prop_u32(c, "iobase"), ==, 0x2e8);

    expect_error("index=0", "I/O port 0x3f8 is already used by the "
                 "isa-serial with index 0");
    expect_error("iobase=0x3fc", "I/O port 0x3fc is already used by the "
                 "isa-serial with index 0");
    memory_region_init_io(&other, NULL, &other_ops, NULL, "other-dev", 2);
    memory_region_add_subregion(get_system_io(), 0x501, &other);
    expect_error("iobase=0x4fa", "I/O port 0x501 is already used by "
                 "'other-dev'");
    memory_region_finalize(&other);
    expect_error("index=4", "index 4 is out of range");
    expect_error("iobase=0xfff9", "iobase 0xfff9 is out of range");
    expect_error("irq=16", "irq 16 is out of range");
    expect_error("chardev=nosuch", "can't find value 'nosuch'");
    chr = qemu_chr_new("busy", "null", &error_abort);
    qemu_chr_set_handlers(chr, NULL, ignore_event, NULL);
    expect_error("index=2,chardev=busy", "it's in use");
    qemu_chr_set_handlers(chr, NULL, NULL, NULL);
    uart_remove(uart_new("index=2,chardev=busy", &error_abort));
    qemu_chr_close(chr);
    /* Indexes 0-3 all taken: no automatic fifth. */
    d = uart_new("", &error_abort);
    g_assert_cmpuint(prop_u32(d, "index"), ==, 2);
    expect_error("", "all 4 indexes are in use");
    /* With its own resources a fifth UART is fine. */
    uart_remove(uart_new("index=0,iobase=0x100,irq=7", &error_abort));
    uart_remove(d);

    /* Unplugged, a UART leaves its ports free for another. */
    uart_remove(a);
    g_assert_cmpint(address_space_read_sized(&address_space_io, COM1, 1, &v),
                    !=, MEMTX_OK);
    a = uart_new("index=0", &error_abort);
    uart_remove(a);
    uart_remove(b);
    uart_remove(c);

    /* A machine without ISA interrupts has no place for a UART. */
    isa_bus_set_irqs(NULL);
    expect_error("", "isa-serial needs a machine with ISA interrupts, such "
                 "as q35");
    isa_bus_set_irqs(isa_irqs);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/reset", test_reset);
    g_test_add_func("/serial/dlab", test_dlab);
    g_test_add_func("/serial/transmit", test_transmit);
    g_test_add_func("/serial/thre-interrupt", test_thre_interrupt);
    g_test_add_func("/serial/out2-gating", test_out2_gating);
    g_test_add_func("/serial/receive-no-fifo", test_receive_no_fifo);
    g_test_add_func("/serial/fifo-trigger-levels", test_fifo_trigger_levels);
    g_test_add_func("/serial/character-timeout", test_character_timeout);
    g_test_add_func("/serial/rx-flow-control", test_rx_flow_control);
    g_test_add_func("/serial/loopback", test_loopback);
    g_test_add_func("/serial/modem-status", test_modem_status);
    g_test_add_func("/serial/iir-priorities", test_iir_priorities);
    g_test_add_func("/serial/linux-autoconfig", test_linux_autoconfig);
    g_test_add_func("/serial/tx-never-blocks", test_tx_never_blocks);
    g_test_add_func("/serial/random-accesses", test_random_accesses);
    g_test_add_func("/serial/realize-rules", test_realize_rules);
    return g_test_run();
}
