/*
 * The 16550A UART (see include/hw/char/serial.h), modelled as Linux's
 * 8250 driver probes and drives it.
 *
 * Transmission takes no time: a byte written to THR goes to the chardev
 * at once and LSR always shows THRE|TEMT. If the chardev cannot take it
 * now (a socket or pty whose reader is slow), it waits in a bounded
 * queue; past that bound output is dropped, so a reader that never reads
 * never stalls the machine.
 *
 * Reception never loses input: chardev input goes into the 16-byte FIFO
 * (one byte with the FIFO off) as far as there is room, the rest waits
 * and the chardev stops reading until the guest has taken it all. Only
 * the guest's own loopback bytes can overrun the FIFO (LSR.OE).
 *
 * The interrupt line is a level: high while an enabled interrupt is
 * pending and MCR.OUT2 drives the PC's IRQ buffer (loopback turns OUT2
 * off at the pin, so the line stays low then).
 */
#include "qemu/osdep.h"
#include <linux/serial_reg.h>
#include "qemu/timer.h"
#include "hw/char/serial.h"
#include "hw/isa/isa.h"
#include "system/chardev.h"
#include "system/memory.h"
#include "trace.h"

#define ISA_SERIAL(obj) OBJECT_CHECK(SerialState, (obj), TYPE_ISA_SERIAL)

#define SERIAL_AUTO UINT32_MAX          /* property not given */
#define SERIAL_CLOCK_HZ 1843200         /* the PC's UART crystal */
#define SERIAL_RESET_DIVISOR 12         /* 9600 baud, as QEMU */
#define SERIAL_TX_QUEUE_MAX (64 * 1024)
/* IIR bits 7:6 with the FIFOs on; <linux/serial_reg.h> lacks them. */
#define SERIAL_IIR_FIFOS_ON 0xc0
#define SERIAL_IER_MASK 0x0f
#define SERIAL_MCR_MASK 0x1f
#define SERIAL_MSR_INPUTS (UART_MSR_DCD | UART_MSR_RI | UART_MSR_DSR | \
                           UART_MSR_CTS)
#define SERIAL_LSR_ERRORS UART_LSR_BRK_ERROR_BITS

static const uint16_t isa_serial_io[ISA_SERIAL_MAX_PORTS] = {
    0x3f8, 0x2f8, 0x3e8, 0x2e8,
};
static const uint8_t isa_serial_irq[ISA_SERIAL_MAX_PORTS] = { 4, 3, 4, 3 };

typedef struct SerialState {
    DeviceState parent_obj;

    /* Properties */
    char *chardev_id;
    uint32_t index;
    uint32_t iobase;
    uint32_t isairq;

    MemoryRegion io;
    qemu_irq irq;
    bool irq_level;
    Chardev *chr;
    QEMUTimer *timeout_timer;   /* the FIFO's character timeout */

    /* Registers */
    uint16_t divisor;
    uint8_t ier;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;
    uint8_t scr;
    uint8_t fcr;                /* FIFO enable, DMA mode, trigger level */
    uint8_t rbr;                /* last byte read: what an empty RBR gives */
    bool thr_ipending;          /* THR empty, not yet acknowledged */
    bool timeout_ipending;

    /* Receive FIFO, a ring */
    uint8_t fifo[SERIAL_FIFO_SIZE];
    unsigned fifo_head;
    unsigned fifo_count;

    GByteArray *rx_pending;     /* chardev input waiting for FIFO room */
    bool input_paused;
    GByteArray *tx_queue;       /* output waiting for the chardev */
    bool tx_waiting;
} SerialState;

/* State queries */

static bool serial_fifo_on(const SerialState *s)
{
    return s->fcr & UART_FCR_ENABLE_FIFO;
}

static bool serial_loopback(const SerialState *s)
{
    return s->mcr & UART_MCR_LOOP;
}

static unsigned serial_rx_room(const SerialState *s)
{
    return (serial_fifo_on(s) ? SERIAL_FIFO_SIZE : 1) - s->fifo_count;
}

static unsigned serial_rx_trigger(const SerialState *s)
{
    static const uint8_t levels[] = { 1, 4, 8, 14 };

    return serial_fifo_on(s) ? levels[(s->fcr & UART_FCR_TRIGGER_MASK) >> 6]
                             : 1;
}

/* Start bit, 5 to 8 data bits, parity, stop bits, at the divisor's rate. */
static int64_t serial_char_time_ns(const SerialState *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 0x3) +
                    !!(s->lcr & UART_LCR_PARITY) +
                    (s->lcr & UART_LCR_STOP ? 2 : 1);
    uint64_t divisor = s->divisor ? s->divisor : 0x10000;

    return bits * divisor * 16 * NANOSECONDS_PER_SECOND / SERIAL_CLOCK_HZ;
}

/* The interrupt the IIR reports now, by the 16550's priorities. */
static uint8_t serial_pending_iid(const SerialState *s)
{
    if ((s->ier & UART_IER_RLSI) && (s->lsr & SERIAL_LSR_ERRORS)) {
        return UART_IIR_RLSI;
    }
    if (s->ier & UART_IER_RDI) {
        if (s->fifo_count >= serial_rx_trigger(s)) {
            return UART_IIR_RDI;
        }
        if (s->timeout_ipending) {
            return UART_IIR_RX_TIMEOUT;
        }
    }
    if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        return UART_IIR_THRI;
    }
    if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA)) {
        return UART_IIR_MSI;
    }
    return UART_IIR_NO_INT;
}

static void serial_update_irq(SerialState *s)
{
    bool level = serial_pending_iid(s) != UART_IIR_NO_INT &&
                 (s->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) == UART_MCR_OUT2;

    if (level != s->irq_level) {
        trace_serial_irq(s->iobase, level);
        s->irq_level = level;
        qemu_set_irq(s->irq, level);
    }
}

/* Modem status */

/* Loopback wires MCR's outputs to the inputs; else a peer is always there. */
static uint8_t serial_modem_inputs(const SerialState *s)
{
    uint8_t in = 0;

    if (!serial_loopback(s)) {
        return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    }
    if (s->mcr & UART_MCR_DTR) {
        in |= UART_MSR_DSR;
    }
    if (s->mcr & UART_MCR_RTS) {
        in |= UART_MSR_CTS;
    }
    if (s->mcr & UART_MCR_OUT1) {
        in |= UART_MSR_RI;
    }
    if (s->mcr & UART_MCR_OUT2) {
        in |= UART_MSR_DCD;
    }
    return in;
}

/* New inputs; each change sets its delta bit (RI: on its trailing edge). */
static void serial_update_msr(SerialState *s)
{
    uint8_t old = s->msr & SERIAL_MSR_INPUTS;
    uint8_t now = serial_modem_inputs(s);
    uint8_t changed = old ^ now;
    uint8_t delta = s->msr & UART_MSR_ANY_DELTA;

    if (changed & UART_MSR_CTS) {
        delta |= UART_MSR_DCTS;
    }
    if (changed & UART_MSR_DSR) {
        delta |= UART_MSR_DDSR;
    }
    if (changed & UART_MSR_DCD) {
        delta |= UART_MSR_DDCD;
    }
    if ((old & UART_MSR_RI) && !(now & UART_MSR_RI)) {
        delta |= UART_MSR_TERI;
    }
    s->msr = now | delta;
}

/* Receiver */

/* Data sitting below the trigger level is reported after 4 characters. */
static void serial_rx_timeout_rearm(SerialState *s)
{
    s->timeout_ipending = false;
    if (serial_fifo_on(s) && s->fifo_count) {
        timer_mod(s->timeout_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                  4 * serial_char_time_ns(s));
    } else {
        timer_del(s->timeout_timer);
    }
}

static void serial_rx_timeout(void *opaque)
{
    SerialState *s = opaque;

    s->timeout_ipending = s->fifo_count > 0;
    serial_update_irq(s);
}

static void serial_rx_clear(SerialState *s)
{
    s->fifo_head = 0;
    s->fifo_count = 0;
    s->lsr &= ~UART_LSR_DR;
    serial_rx_timeout_rearm(s);
}

/* A byte reaches the receiver: from the chardev, or from THR in loopback. */
static void serial_rx_push(SerialState *s, uint8_t byte)
{
    if (!serial_rx_room(s)) {
        /* As the hardware: the FIFO keeps its bytes, a lone RBR is replaced. */
        trace_serial_rx_overrun(s->iobase);
        s->lsr |= UART_LSR_OE;
        if (!serial_fifo_on(s)) {
            s->fifo[s->fifo_head] = byte;
        }
        return;
    }
    s->fifo[(s->fifo_head + s->fifo_count) % SERIAL_FIFO_SIZE] = byte;
    s->fifo_count++;
    s->lsr |= UART_LSR_DR;
    serial_rx_timeout_rearm(s);
}

static uint8_t serial_rx_pop(SerialState *s)
{
    if (s->fifo_count) {
        s->rbr = s->fifo[s->fifo_head];
        s->fifo_head = (s->fifo_head + 1) % SERIAL_FIFO_SIZE;
        s->fifo_count--;
    }
    if (!s->fifo_count) {
        s->lsr &= ~UART_LSR_DR;
    }
    serial_rx_timeout_rearm(s);
    return s->rbr;
}

/* Read from the chardev only while nothing of its input is waiting. */
static void serial_update_input_flow(SerialState *s)
{
    bool pause = s->rx_pending->len > 0;

    if (s->chr && pause != s->input_paused) {
        trace_serial_input_paused(s->iobase, pause);
        s->input_paused = pause;
        qemu_chr_accept_input(s->chr, !pause);
    }
}

/* Move waiting input into the FIFO as far as it has room. */
static void serial_rx_fill(SerialState *s)
{
    guint n = 0;

    while (!serial_loopback(s) && n < s->rx_pending->len &&
           serial_rx_room(s)) {
        serial_rx_push(s, s->rx_pending->data[n++]);
    }
    if (n) {
        g_byte_array_remove_range(s->rx_pending, 0, n);
    }
    serial_update_input_flow(s);
}

/* Transmitter */

static void serial_tx_flush(SerialState *s);

static void serial_chr_writable(void *opaque)
{
    SerialState *s = opaque;

    s->tx_waiting = false;
    serial_tx_flush(s);
}

static void serial_tx_drop(SerialState *s, size_t len)
{
    trace_serial_tx_dropped(s->iobase, len);
}

static void serial_tx_flush(SerialState *s)
{
    while (s->tx_queue->len) {
        ssize_t n = qemu_chr_write_nonblock(s->chr, s->tx_queue->data,
                                            s->tx_queue->len);

        if (n < 0) {
            /* Nobody at the other end (a server without a client). */
            serial_tx_drop(s, s->tx_queue->len);
            g_byte_array_set_size(s->tx_queue, 0);
        } else if (n == 0) {
            s->tx_waiting = true;
            qemu_chr_wait_writable(s->chr, serial_chr_writable, s);
            return;
        } else {
            g_byte_array_remove_range(s->tx_queue, 0, n);
        }
    }
}

static void serial_tx(SerialState *s, uint8_t byte)
{
    if (!s->chr) {
        return;
    }
    if (s->tx_queue->len >= SERIAL_TX_QUEUE_MAX) {
        serial_tx_drop(s, 1);
        return;
    }
    g_byte_array_append(s->tx_queue, &byte, 1);
    if (!s->tx_waiting) {
        serial_tx_flush(s);
    }
}

/* Register reads */

static uint8_t serial_read_iir(SerialState *s)
{
    uint8_t iid = serial_pending_iid(s);

    /* Reading the IIR acknowledges a THR-empty interrupt. */
    if (iid == UART_IIR_THRI) {
        s->thr_ipending = false;
    }
    return iid | (serial_fifo_on(s) ? SERIAL_IIR_FIFOS_ON : 0);
}

static uint8_t serial_read_lsr(SerialState *s)
{
    uint8_t val = s->lsr;

    s->lsr &= ~SERIAL_LSR_ERRORS;
    return val;
}

static uint8_t serial_read_msr(SerialState *s)
{
    uint8_t val = s->msr;

    s->msr &= ~UART_MSR_ANY_DELTA;
    return val;
}

static uint8_t serial_read_rbr(SerialState *s)
{
    uint8_t val = serial_rx_pop(s);

    serial_rx_fill(s);
    return val;
}

static uint64_t serial_io_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t val = 0;

    switch (addr) {
    case UART_RX:
        val = dlab ? s->divisor & 0xff : serial_read_rbr(s);
        break;
    case UART_IER:
        val = dlab ? s->divisor >> 8 : s->ier;
        break;
    case UART_IIR:
        val = serial_read_iir(s);
        break;
    case UART_LCR:
        val = s->lcr;
        break;
    case UART_MCR:
        val = s->mcr;
        break;
    case UART_LSR:
        val = serial_read_lsr(s);
        break;
    case UART_MSR:
        val = serial_read_msr(s);
        break;
    case UART_SCR:
        val = s->scr;
        break;
    }
    serial_update_irq(s);
    trace_serial_read(s->iobase, addr, val);
    return val;
}

/* Register writes */

static void serial_write_thr(SerialState *s, uint8_t val)
{
    /* THR fills and empties again: a fresh edge for an edge-triggered pin. */
    s->thr_ipending = false;
    serial_update_irq(s);
    if (serial_loopback(s)) {
        serial_rx_push(s, val);
    } else {
        serial_tx(s, val);
    }
    s->thr_ipending = true;
}

static void serial_write_ier(SerialState *s, uint8_t val)
{
    uint8_t old = s->ier;

    s->ier = val & SERIAL_IER_MASK;
    /* Enabling it with THR empty raises THRE again (Linux checks this). */
    if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI)) {
        s->thr_ipending = true;
    }
}

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    bool was_on = serial_fifo_on(s);

    if (!(val & UART_FCR_ENABLE_FIFO)) {
        /* Other bits are only taken with the enable bit set. */
        s->fcr = 0;
        if (was_on) {
            serial_rx_clear(s);
        }
    } else {
        /* Switching modes clears the FIFOs; TX has nothing to clear. */
        if (!was_on || (val & UART_FCR_CLEAR_RCVR)) {
            serial_rx_clear(s);
        }
        s->fcr = val & (UART_FCR_ENABLE_FIFO | UART_FCR_DMA_SELECT |
                        UART_FCR_TRIGGER_MASK);
    }
    s->timeout_ipending = false;
    serial_rx_fill(s);
}

static void serial_write_lcr(SerialState *s, uint8_t val)
{
    if ((val ^ s->lcr) & UART_LCR_SBC) {
        trace_serial_break(s->iobase, !!(val & UART_LCR_SBC));
    }
    s->lcr = val;
}

static void serial_write_mcr(SerialState *s, uint8_t val)
{
    s->mcr = val & SERIAL_MCR_MASK;
    serial_update_msr(s);
    /* Leaving loopback reconnects the receiver to the chardev. */
    serial_rx_fill(s);
}

static void serial_io_write(void *opaque, hwaddr addr, uint64_t data,
                            unsigned size)
{
    SerialState *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t val = data;

    trace_serial_write(s->iobase, addr, val);
    switch (addr) {
    case UART_TX:
        if (dlab) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            serial_write_thr(s, val);
        }
        break;
    case UART_IER:
        if (dlab) {
            s->divisor = (s->divisor & 0x00ff) | val << 8;
        } else {
            serial_write_ier(s, val);
        }
        break;
    case UART_FCR:
        serial_write_fcr(s, val);
        break;
    case UART_LCR:
        serial_write_lcr(s, val);
        break;
    case UART_MCR:
        serial_write_mcr(s, val);
        break;
    case UART_SCR:
        s->scr = val;
        break;
    default:
        break;                  /* LSR and MSR are read-only */
    }
    serial_update_irq(s);
}

/* Wider accesses are split into bytes, as the ISA bus does. */
static const MemoryRegionOps serial_io_ops = {
    .read = serial_io_read,
    .write = serial_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* Chardev callbacks (main loop) */

static void serial_chr_read(void *opaque, const uint8_t *buf, size_t len)
{
    SerialState *s = opaque;

    g_byte_array_append(s->rx_pending, buf, len);
    serial_rx_fill(s);
    serial_update_irq(s);
}

static void serial_chr_event(void *opaque, ChardevEvent event)
{
    SerialState *s = opaque;

    if (event == CHR_EVENT_CLOSED) {
        /* Output for a peer that is gone; the wait went with it. */
        if (s->tx_queue->len) {
            serial_tx_drop(s, s->tx_queue->len);
            g_byte_array_set_size(s->tx_queue, 0);
        }
        s->tx_waiting = false;
    }
    /* A new connection starts with input on: keep ours paused if need be. */
    if (event == CHR_EVENT_OPENED && s->input_paused) {
        qemu_chr_accept_input(s->chr, false);
    }
}

/* Device */

static void serial_reset(DeviceState *dev)
{
    SerialState *s = ISA_SERIAL(dev);

    s->divisor = SERIAL_RESET_DIVISOR;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = serial_modem_inputs(s);
    s->scr = 0;
    s->fcr = 0;
    s->rbr = 0;
    s->thr_ipending = false;
    serial_rx_clear(s);
    /* Input that had not reached the UART yet is not lost. */
    serial_rx_fill(s);
    serial_update_irq(s);
}

typedef struct SerialIndexes {
    SerialState *self;
    uint32_t used;              /* bitmap of the indexes others have */
} SerialIndexes;

static int serial_note_index(DeviceState *dev, void *opaque)
{
    SerialIndexes *f = opaque;
    SerialState *other = (SerialState *)object_dynamic_cast(OBJECT(dev),
                                                            TYPE_ISA_SERIAL);

    if (other && other != f->self && other->index < ISA_SERIAL_MAX_PORTS) {
        f->used |= 1u << other->index;
    }
    return 0;
}

/* index, iobase and irq: given, or the PC's defaults for the index. */
static bool serial_resolve_resources(SerialState *s, Error **errp)
{
    if (s->index == SERIAL_AUTO) {
        SerialIndexes f = { .self = s };

        qdev_walk_all(serial_note_index, &f);
        for (s->index = 0; s->index < ISA_SERIAL_MAX_PORTS; s->index++) {
            if (!(f.used & (1u << s->index))) {
                break;
            }
        }
        if (s->index == ISA_SERIAL_MAX_PORTS) {
            s->index = SERIAL_AUTO;
            error_setg(errp, "isa-serial: all %d indexes are in use; give "
                       "iobase and irq for another UART",
                       ISA_SERIAL_MAX_PORTS);
            return false;
        }
    } else if (s->index >= ISA_SERIAL_MAX_PORTS) {
        error_setg(errp, "isa-serial: index %" PRIu32 " is out of range "
                   "(0 to %d)", s->index, ISA_SERIAL_MAX_PORTS - 1);
        return false;
    }
    if (s->iobase == SERIAL_AUTO) {
        s->iobase = isa_serial_io[s->index];
    } else if (s->iobase > 0x10000 - SERIAL_IO_SIZE) {
        error_setg(errp, "isa-serial: iobase 0x%" PRIx32 " is out of range "
                   "(at most 0x%x)", s->iobase, 0x10000 - SERIAL_IO_SIZE);
        return false;
    }
    if (s->isairq == SERIAL_AUTO) {
        s->isairq = isa_serial_irq[s->index];
    } else if (s->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: irq %" PRIu32 " is out of range "
                   "(0 to %d)", s->isairq, ISA_NUM_IRQS - 1);
        return false;
    }
    return true;
}

/* Nothing else may answer at our ports, another UART least of all. */
static bool serial_check_ports_free(SerialState *s, Error **errp)
{
    for (uint32_t port = s->iobase; port < s->iobase + SERIAL_IO_SIZE;
         port++) {
        MemoryRegionSection sec = address_space_find_section(&address_space_io,
                                                             port);
        Object *owner;

        if (!sec.mr) {
            continue;
        }
        owner = memory_region_owner(sec.mr);
        if (owner && object_dynamic_cast(owner, TYPE_ISA_SERIAL)) {
            error_setg(errp, "isa-serial: I/O port 0x%" PRIx32 " is already "
                       "used by the isa-serial with index %" PRIu32 "; use "
                       "another index or iobase", port,
                       ISA_SERIAL(owner)->index);
        } else {
            error_setg(errp, "isa-serial: I/O port 0x%" PRIx32 " is already "
                       "used by '%s'; use another iobase", port,
                       memory_region_name(sec.mr));
        }
        return false;
    }
    return true;
}

static bool serial_connect_chardev(SerialState *s, Error **errp)
{
    if (!s->chardev_id || !*s->chardev_id) {
        return true;            /* no cable: output goes nowhere */
    }
    s->chr = qemu_chr_find(s->chardev_id);
    if (!s->chr) {
        error_setg(errp, "Property 'isa-serial.chardev' can't find value "
                   "'%s'", s->chardev_id);
        return false;
    }
    if (qemu_chr_has_frontend(s->chr)) {
        error_setg(errp, "Property 'isa-serial.chardev' can't take value "
                   "'%s', it's in use", s->chardev_id);
        s->chr = NULL;
        return false;
    }
    return true;
}

static void serial_realize(DeviceState *dev, Error **errp)
{
    SerialState *s = ISA_SERIAL(dev);

    if (!serial_resolve_resources(s, errp)) {
        return;
    }
    if (!isa_serial_available(errp)) {
        return;
    }
    s->irq = isa_get_irq(s->isairq);
    if (!serial_check_ports_free(s, errp) ||
        !serial_connect_chardev(s, errp)) {
        s->irq = NULL;
        return;
    }
    s->rx_pending = g_byte_array_new();
    s->tx_queue = g_byte_array_new();
    s->timeout_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, serial_rx_timeout, s);
    s->irq_level = false;
    serial_reset(dev);
    memory_region_init_io(&s->io, OBJECT(s), &serial_io_ops, s, "serial",
                          SERIAL_IO_SIZE);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
    if (s->chr) {
        qemu_chr_set_console(s->chr);
        qemu_chr_set_handlers(s->chr, serial_chr_read, serial_chr_event, s);
    }
}

static void serial_unrealize(DeviceState *dev)
{
    SerialState *s = ISA_SERIAL(dev);

    if (s->chr) {
        /* Last chance for queued output, without waiting. */
        if (!s->tx_waiting) {
            serial_tx_flush(s);
        }
        /* This also resumes input and forgets the writable wait. */
        qemu_chr_set_handlers(s->chr, NULL, NULL, NULL);
        s->chr = NULL;
    }
    s->input_paused = false;
    s->tx_waiting = false;
    memory_region_finalize(&s->io);
    timer_free(s->timeout_timer);
    s->timeout_timer = NULL;
    if (s->irq_level) {
        qemu_irq_lower(s->irq);
        s->irq_level = false;
    }
    s->irq = NULL;
    g_byte_array_unref(s->rx_pending);
    g_byte_array_unref(s->tx_queue);
    s->rx_pending = s->tx_queue = NULL;
}

static const Property serial_props[] = {
    DEFINE_PROP("chardev", SerialState, chardev_id, qdev_prop_string, char *,
                .description = "ID of a chardev to use as a backend"),
    DEFINE_PROP_UINT32("index", SerialState, index, SERIAL_AUTO),
    DEFINE_PROP_UINT32("iobase", SerialState, iobase, SERIAL_AUTO),
    DEFINE_PROP_UINT32("irq", SerialState, isairq, SERIAL_AUTO),
    DEFINE_PROP_END_OF_LIST(),
};

static void serial_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "16550A UART";
    dc->user_creatable = true;
    dc->hotpluggable = false;   /* as in QEMU: ISA has no hotplug */
    dc->bus_type = NULL;
    dc->realize = serial_realize;
    dc->unrealize = serial_unrealize;
    dc->reset = serial_reset;
    device_class_set_props(dc, serial_props);
}

static const TypeInfo serial_type = {
    .name = TYPE_ISA_SERIAL,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(SerialState),
    .class_init = serial_class_init,
};

static void serial_register_types(void)
{
    type_register_static(&serial_type);
}
type_init(serial_register_types)

bool isa_serial_available(Error **errp)
{
    if (!isa_get_irq(0)) {
        error_setg(errp, "isa-serial needs a machine with ISA interrupts, "
                   "such as q35");
        return false;
    }
    return true;
}

bool isa_serial_create(int index, const char *chardev_id, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);

    if (!qdev_apply_globals(dev, errp)) {
        object_unref(OBJECT(dev));
        return false;
    }
    qdev_prop_set_uint32(dev, "index", index);
    if (chardev_id) {
        qdev_prop_set_string(dev, "chardev", chardev_id);
    }
    return qdev_realize_and_unref(dev, NULL, errp);
}
