/*
 * 16550A UART (National Semiconductor PC16550D datasheet): 16-byte receive
 * FIFO with trigger levels and character timeout, THRE/RDA/RLS/MSR interrupts
 * by IIR priority, loopback, divisor latch.  Transmission is immediate: a
 * byte written to THR goes straight to the back end, so THR and the transmit
 * FIFO always read empty.
 */
#include "core/common.h"
#include "core/ioport.h"
#include "hw/serial.h"

/* Register offsets (DLAB = LCR bit 7 selects DLL/DLM at 0/1) */
#define UART_RBR    0       /* read, DLAB=0 */
#define UART_THR    0       /* write, DLAB=0 */
#define UART_DLL    0       /* DLAB=1 */
#define UART_IER    1       /* DLAB=0 */
#define UART_DLM    1       /* DLAB=1 */
#define UART_IIR    2       /* read */
#define UART_FCR    2       /* write */
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define UART_MSR    6
#define UART_SCR    7

#define UART_IER_ERBFI  0x01    /* received data available */
#define UART_IER_ETBEI  0x02    /* transmitter holding register empty */
#define UART_IER_ELSI   0x04    /* receiver line status */
#define UART_IER_EDSSI  0x08    /* modem status */
#define UART_IER_MASK   0x0f

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c    /* character timeout */
#define UART_IIR_FIFO   0xc0    /* both bits set: 16550A with FIFOs enabled */

#define UART_FCR_FE     0x01
#define UART_FCR_RFR    0x02    /* RX FIFO reset */
#define UART_FCR_TFR    0x04    /* TX FIFO reset */
#define UART_FCR_DMS    0x08
#define UART_FCR_ITL    0xc0    /* RX trigger level 1/4/8/14 */

#define UART_LCR_WLS    0x03
#define UART_LCR_STB    0x04
#define UART_LCR_PEN    0x08
#define UART_LCR_DLAB   0x80

#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10
#define UART_MCR_MASK   0x1f

#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_PE     0x04
#define UART_LSR_FE     0x08
#define UART_LSR_BI     0x10
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_LSR_ERRS   (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80
#define UART_MSR_DELTAS 0x0f

#define UART_CLOCK      1843200     /* 1.8432 MHz crystal: divisor 1 = 115200 baud */

static const uint8_t serial_trigger_levels[4] = { 1, 4, 8, 14 };

static bool serial_fifo_enabled(const SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

/* Time of one character frame: start + data + parity + stop bits at the divisor's rate. */
static int64_t serial_char_ns(const SerialState *s)
{
    int bits = 1 + 5 + (s->lcr & UART_LCR_WLS) + !!(s->lcr & UART_LCR_PEN) +
               ((s->lcr & UART_LCR_STB) ? 2 : 1);
    int64_t div = s->divisor ? s->divisor : 0x10000;

    return bits * div * 16 * NANOSECONDS_PER_SECOND / UART_CLOCK;
}

static uint8_t serial_iir(const SerialState *s)
{
    uint8_t id;
    bool rda;

    if (serial_fifo_enabled(s))
        rda = s->rx_count >= serial_trigger_levels[s->fcr >> 6];
    else
        rda = s->rx_count > 0;
    /* Priority order, highest first (datasheet Table IV). */
    if ((s->ier & UART_IER_ELSI) && (s->lsr & UART_LSR_ERRS))
        id = UART_IIR_RLSI;
    else if ((s->ier & UART_IER_ERBFI) && rda)
        id = UART_IIR_RDI;
    else if ((s->ier & UART_IER_ERBFI) && s->timeout_ipending)
        id = UART_IIR_CTI;
    else if ((s->ier & UART_IER_ETBEI) && s->thr_ipending)
        id = UART_IIR_THRI;
    else if ((s->ier & UART_IER_EDSSI) && (s->msr & UART_MSR_DELTAS))
        id = UART_IIR_MSI;
    else
        id = UART_IIR_NO_INT;
    return id | (serial_fifo_enabled(s) ? UART_IIR_FIFO : 0);
}

static void serial_update_irq(SerialState *s)
{
    /*
     * On the PC the INTRPT pin reaches the bus through a buffer enabled by
     * OUT2; in loopback OUT2 is internal, so the pin is cut off.
     */
    int level = !(serial_iir(s) & UART_IIR_NO_INT) &&
                (s->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) == UART_MCR_OUT2;

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

/* Character timeout: 4 character times without FIFO activity while it holds data. */
static void serial_arm_timeout(SerialState *s)
{
    if (serial_fifo_enabled(s) && s->rx_count)
        timer_mod(&s->timeout_timer, clock_ns(CLOCK_VIRTUAL) + 4 * serial_char_ns(s));
    else
        timer_del(&s->timeout_timer);
}

static void serial_timeout_cb(void *opaque)
{
    SerialState *s = opaque;

    if (serial_fifo_enabled(s) && s->rx_count) {
        s->timeout_ipending = 1;
        serial_update_irq(s);
    }
}

static void serial_rx_reset(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->timeout_ipending = 0;
    timer_del(&s->timeout_timer);
}

static void serial_receive_byte(SerialState *s, uint8_t b)
{
    unsigned cap = serial_fifo_enabled(s) ? SERIAL_FIFO_SIZE : 1;

    if (s->rx_count >= cap) {
        /* Overrun.  16450 mode: the new byte replaces RBR; FIFO mode: it is lost. */
        s->lsr |= UART_LSR_OE;
        if (!serial_fifo_enabled(s))
            s->rx_fifo[s->rx_head] = b;
    } else {
        s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = b;
        s->rx_count++;
    }
    s->timeout_ipending = 0;
    serial_arm_timeout(s);
    serial_update_irq(s);
}

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    /* In loopback the receiver listens to the transmitter only. */
    if (s->mcr & UART_MCR_LOOP)
        return 0;
    if (serial_fifo_enabled(s))
        return SERIAL_FIFO_SIZE - s->rx_count;
    return s->rx_count ? 0 : 1;
}

static void serial_receive(void *opaque, const uint8_t *buf, int len)
{
    SerialState *s = opaque;
    int i;

    for (i = 0; i < len; i++)
        serial_receive_byte(s, buf[i]);
}

/* Recompute the modem status inputs and latch their deltas. */
static void serial_update_msr(SerialState *s)
{
    uint8_t old = s->msr, lines;

    if (s->mcr & UART_MCR_LOOP) {
        /* Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
        lines = ((s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                ((s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                ((s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                ((s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
    } else {
        /* A null-modem cable to an always-ready peer. */
        lines = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    s->msr = lines | (old & UART_MSR_DELTAS);
    if ((old ^ lines) & UART_MSR_CTS)
        s->msr |= UART_MSR_DCTS;
    if ((old ^ lines) & UART_MSR_DSR)
        s->msr |= UART_MSR_DDSR;
    if ((old & UART_MSR_RI) && !(lines & UART_MSR_RI))
        s->msr |= UART_MSR_TERI;
    if ((old ^ lines) & UART_MSR_DCD)
        s->msr |= UART_MSR_DDCD;
}

static void serial_transmit(SerialState *s, uint8_t b)
{
    if (s->mcr & UART_MCR_LOOP) {
        /* Only the configured word length reaches the receiver. */
        serial_receive_byte(s, b & ((1 << (5 + (s->lcr & UART_LCR_WLS))) - 1));
    } else {
        chardev_write(s->chr, &b, 1);
    }
    /* THR is empty again at once: that is a new THRE event. */
    s->thr_ipending = 1;
}

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    if ((val ^ s->fcr) & UART_FCR_FE)
        serial_rx_reset(s);     /* enabling or disabling clears both FIFOs */
    if (!(val & UART_FCR_FE)) {
        /* Other bits are only programmed together with FE = 1. */
        s->fcr = 0;
        return;
    }
    if (val & UART_FCR_RFR)
        serial_rx_reset(s);
    s->fcr = val & (UART_FCR_FE | UART_FCR_DMS | UART_FCR_ITL);
    serial_arm_timeout(s);
}

static void serial_ioport_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    SerialState *s = opaque;
    uint8_t old;

    val &= 0xff;
    trace(LOG_DEV, "serial 0x%x: write %u <- 0x%02x\n", s->base, offset, val);
    switch (offset) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | val;
            return;
        }
        s->thr_ipending = 0;
        serial_transmit(s, val);
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | val << 8;
            return;
        }
        old = s->ier;
        s->ier = val & UART_IER_MASK;
        /* Enabling ETBEI with THR empty raises THRE (Linux tests for this). */
        if (!(old & UART_IER_ETBEI) && (s->ier & UART_IER_ETBEI))
            s->thr_ipending = 1;
        else if (!(s->ier & UART_IER_ETBEI))
            s->thr_ipending = 0;
        break;
    case UART_FCR:
        serial_write_fcr(s, val);
        chardev_accept_input(s->chr);
        break;
    case UART_LCR:
        s->lcr = val;
        break;
    case UART_MCR:
        old = s->mcr;
        s->mcr = val & UART_MCR_MASK;
        serial_update_msr(s);
        if ((old & UART_MCR_LOOP) && !(s->mcr & UART_MCR_LOOP)) {
            serial_update_irq(s);
            chardev_accept_input(s->chr);
        }
        break;
    case UART_LSR:
    case UART_MSR:
        /* Writable only in factory test modes. */
        trace(LOG_GUEST_ERROR, "serial 0x%x: write to read-only register %u\n", s->base, offset);
        return;
    default:
        s->scr = val;
        return;
    }
    serial_update_irq(s);
}

static uint32_t serial_ioport_read(void *opaque, uint32_t offset, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = 0;

    switch (offset) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB)
            return s->divisor & 0xff;
        if (s->rx_count) {
            v = s->rx_fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
            s->rx_count--;
        }
        s->timeout_ipending = 0;
        serial_arm_timeout(s);
        serial_update_irq(s);
        /* Room again: let the back end deliver what it holds. */
        if (!(s->mcr & UART_MCR_LOOP))
            chardev_accept_input(s->chr);
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB)
            return s->divisor >> 8;
        v = s->ier;
        break;
    case UART_IIR:
        v = serial_iir(s);
        /* Reading IIR acknowledges a THRE interrupt when that is what it shows. */
        if ((v & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = 0;
            serial_update_irq(s);
        }
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = (s->lsr & UART_LSR_ERRS) | UART_LSR_THRE | UART_LSR_TEMT |
            (s->rx_count ? UART_LSR_DR : 0);
        /* Error bits clear on read, and with them the RLS interrupt. */
        s->lsr &= ~UART_LSR_ERRS;
        serial_update_irq(s);
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= ~UART_MSR_DELTAS;
        serial_update_irq(s);
        break;
    default:
        v = s->scr;
        break;
    }
    trace(LOG_DEV, "serial 0x%x: read %u -> 0x%02x\n", s->base, offset, v);
    return v;
}

static const IOPortOps serial_ops = {
    .read = serial_ioport_read, .write = serial_ioport_write, .min_size = 1, .max_size = 1,
};

static void serial_reset(void *opaque)
{
    SerialState *s = opaque;

    s->divisor = 12;    /* 9600 baud, what firmware usually leaves */
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = 0;
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = 0;
    serial_rx_reset(s);
    s->msr = 0;
    serial_update_msr(s);
    s->msr &= ~UART_MSR_DELTAS;
    serial_update_irq(s);
    chardev_accept_input(s->chr);
}

static int serial_post_load(void *opaque, int version)
{
    SerialState *s = opaque;

    if (s->rx_head >= SERIAL_FIFO_SIZE || s->rx_count > SERIAL_FIFO_SIZE)
        return -EINVAL;
    s->ier &= UART_IER_MASK;
    s->mcr &= UART_MCR_MASK;
    s->fcr &= UART_FCR_FE | UART_FCR_DMS | UART_FCR_ITL;
    serial_arm_timeout(s);
    s->irq_level = !(serial_iir(s) & UART_IIR_NO_INT) &&
                   (s->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) == UART_MCR_OUT2;
    irq_set(&s->irq, s->irq_level);
    return 0;
}

static const VMStateField serial_fields[] = {
    VMSTATE_U16(SerialState, divisor),
    VMSTATE_U8(SerialState, ier),
    VMSTATE_U8(SerialState, lcr),
    VMSTATE_U8(SerialState, mcr),
    VMSTATE_U8(SerialState, lsr),
    VMSTATE_U8(SerialState, msr),
    VMSTATE_U8(SerialState, scr),
    VMSTATE_U8(SerialState, fcr),
    VMSTATE_BUFFER(SerialState, rx_fifo),
    VMSTATE_U8(SerialState, rx_head),
    VMSTATE_U8(SerialState, rx_count),
    VMSTATE_U8(SerialState, thr_ipending),
    VMSTATE_U8(SerialState, timeout_ipending),
    VMSTATE_U8(SerialState, irq_level),
    VMSTATE_END,
};

static const VMStateDescription serial_vmsd = {
    .name = "serial",
    .version = 1,
    .minimum_version = 1,
    .post_load = serial_post_load,
    .fields = serial_fields,
};

const DeviceInfo serial_info = {
    .name = "serial",
    .reset = serial_reset,
    .vmsd = &serial_vmsd,
};

SerialState *serial_create(uint16_t base, IrqLine irq, CharDev *chr)
{
    SerialState *s = xzalloc(sizeof(*s));

    s->base = base;
    s->irq = irq;
    s->chr = chr;
    timer_init(&s->timeout_timer, CLOCK_VIRTUAL, serial_timeout_cb, s);
    if (ioport_register(base, 8, &serial_ops, s, "serial")) {
        free(s);
        return NULL;
    }
    serial_reset(s);
    chardev_set_handlers(chr, serial_can_receive, serial_receive, s);
    device_register(&serial_info, s);
    return s;
}
