/*
 * 8254 programmable interval timer (Intel 8254 datasheet, 231164): three
 * 16-bit down counters clocked at 1.193182 MHz, modes 0-5, latch and
 * read-back commands, BCD.  Counters are not ticked: their value and OUT are
 * computed from the virtual clock, and channel 0 arms a Timer for the next
 * OUT transition only.
 */
#include "core/common.h"
#include "core/ioport.h"
#include "hw/i8254.h"

/* Control word (datasheet "Control Word Format") */
#define PIT_CW_SC_SHIFT     6
#define PIT_CW_SC_READBACK  3
#define PIT_CW_RW_SHIFT     4
#define PIT_CW_RW_LATCH     0
#define PIT_CW_M_SHIFT      1
#define PIT_CW_BCD          0x01
/* Read-back command */
#define PIT_RB_NOT_COUNT    0x20
#define PIT_RB_NOT_STATUS   0x10
#define PIT_RB_CNT(n)       (2 << (n))
/* Status byte */
#define PIT_ST_OUTPUT       0x80
#define PIT_ST_NULL_COUNT   0x40

/* Read/write state of the byte pointer: the RW field plus "second byte next". */
#define RW_LSB   1
#define RW_MSB   2
#define RW_WORD0 3
#define RW_WORD1 4

#define PIT_CONTROL 3

static int64_t pit_ticks(int64_t ns)
{
    return (int64_t)(((__int128)ns * PIT_FREQ) / NANOSECONDS_PER_SECOND);
}

/* First ns at which pit_ticks() reaches tick. */
static int64_t pit_tick_to_ns(int64_t tick)
{
    __int128 n = (__int128)tick * NANOSECONDS_PER_SECOND;

    return (int64_t)((n + PIT_FREQ - 1) / PIT_FREQ);
}

static int64_t pit_now(void)
{
    return pit_ticks(clock_ns(CLOCK_VIRTUAL));
}

static uint32_t pit_bcd_to_bin(uint32_t v)
{
    return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

static uint32_t pit_bin_to_bcd(uint32_t v)
{
    v %= 10000;
    return (v % 10) | ((v / 10) % 10) << 4 | ((v / 100) % 10) << 8 | (v / 1000) << 12;
}

/* Ticks the counting element has run at tick t. */
static int64_t pit_elapsed(const PITChannel *c, int64_t t)
{
    int64_t d;

    if (c->paused)
        return c->paused_ticks;
    d = t - c->load_tick;
    return d < 0 ? 0 : d;
}

static int pit_out_at(const PITChannel *c, int64_t t)
{
    int64_t d, n = c->count;

    if (!c->counting)
        return c->out;
    if (c->paused && (c->mode == 2 || c->mode == 3))
        return 1;       /* a low gate forces OUT high in modes 2 and 3 */
    d = pit_elapsed(c, t);
    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 2:
        /* OUT goes low for one clock as the count passes 1, then reloads. */
        return n < 2 || d % n != n - 1;
    case 3:
        /* High for the first (N+1)/2 clocks, low for the rest. */
        return n < 2 || d % n < (n + 1) / 2;
    default:
        /* Modes 4, 5: a one-clock low strobe when the count reaches 0. */
        return d != n;
    }
}

/* Next tick after t at which OUT changes, or -1 if it never does by itself. */
static int64_t pit_next_transition(const PITChannel *c, int64_t t)
{
    int64_t d, n = c->count, base;

    if (!c->counting || c->paused)
        return -1;
    d = pit_elapsed(c, t);
    base = c->load_tick + d - d % n;
    switch (c->mode) {
    case 0:
    case 1:
        return d < n ? c->load_tick + n : -1;
    case 2:
        if (n < 2)
            return -1;
        return d % n < n - 1 ? base + n - 1 : base + n;
    case 3:
        if (n < 2)
            return -1;
        return d % n < (n + 1) / 2 ? base + (n + 1) / 2 : base + n;
    default:
        if (d < n)
            return c->load_tick + n;
        if (d == n)
            return c->load_tick + n + 1;
        return -1;
    }
}

/* The counting element's value at tick t, as the guest reads it (before BCD). */
static uint32_t pit_count_at(const PITChannel *c, int64_t t)
{
    int64_t d, n = c->count, p, hi;
    uint32_t wrap = c->bcd ? 10000 : 0x10000;

    if (!c->counting)
        return c->count % wrap;
    d = pit_elapsed(c, t);
    switch (c->mode) {
    case 0:
    case 1:
    case 4:
    case 5:
        return (uint32_t)(((n - d) % wrap + wrap) % wrap);
    case 2:
        return (uint32_t)((n - d % n) % wrap);
    default:
        /* Mode 3 decrements by two, once per half period. */
        p = d % n;
        hi = (n + 1) / 2;
        if (p >= hi)
            p -= hi;
        return (uint32_t)(((n - 2 * p) & ~1) % wrap);
    }
}

/* Give the IRQ the OUT level at tick t and arm the timer for the next transition. */
static void pit_irq_eval(PITState *s, int64_t t)
{
    PITChannel *c = &s->ch[0];
    int out = pit_out_at(c, t);

    if (out != c->irq_level) {
        c->irq_level = out;
        irq_set(&s->irq, out);
    }
    s->next_tick = pit_next_transition(c, t);
    if (s->next_tick < 0)
        timer_del(&s->timer);
    else
        timer_mod(&s->timer, pit_tick_to_ns(s->next_tick));
}

static void pit_timer_cb(void *opaque)
{
    PITState *s = opaque;
    PITChannel *c = &s->ch[0];
    int64_t now = pit_now(), t = s->next_tick, next;

    /*
     * Evaluate at the tick the timer stood for, not at now: a timer that runs
     * a little late must still show the one-clock low pulse of mode 2,
     * or the PIC would never see the edge.  When the timer is whole periods
     * behind, the missed periods are dropped rather than replayed.
     */
    if (t < 0 || t > now)
        t = now;
    pit_irq_eval(s, t);
    next = s->next_tick;
    if (next >= 0 && now - next > (int64_t)c->count)
        pit_irq_eval(s, now);
}

static void pit_channel_changed(PITState *s, int ch)
{
    if (ch == 0)
        pit_irq_eval(s, pit_now());
}

static void pit_load_count(PITState *s, int ch, uint32_t val)
{
    PITChannel *c = &s->ch[ch];

    if (c->bcd) {
        val = pit_bcd_to_bin(val);
        if (val == 0 || val > 10000)
            val = 10000;
    } else if (val == 0) {
        val = 0x10000;
    }
    c->count = val;
    c->have_count = 1;
    if (c->mode == 1 || c->mode == 5) {
        /* Hardware-triggered modes: the count waits in CR for a gate edge. */
        c->null_count = 1;
    } else {
        c->counting = 1;
        c->load_tick = pit_now();
        c->paused = !c->gate;
        c->paused_ticks = 0;
        c->null_count = 0;
    }
    trace(LOG_DEV, "pit: ch%d mode %d count %u\n", ch, c->mode, c->count);
    pit_channel_changed(s, ch);
}

static void pit_latch_count(PITChannel *c)
{
    if (c->count_latched)
        return;
    c->latched_count = c->bcd ? pit_bin_to_bcd(pit_count_at(c, pit_now()))
                              : pit_count_at(c, pit_now());
    c->count_latched = c->rw_mode;   /* RW_LSB, RW_MSB or RW_WORD0 */
}

static void pit_latch_status(PITChannel *c)
{
    if (c->status_latched)
        return;
    c->status = (pit_out_at(c, pit_now()) ? PIT_ST_OUTPUT : 0) |
                (c->null_count ? PIT_ST_NULL_COUNT : 0) |
                c->rw_mode << PIT_CW_RW_SHIFT | c->mode << PIT_CW_M_SHIFT | c->bcd;
    c->status_latched = 1;
}

static void pit_control_write(PITState *s, uint8_t val)
{
    int sc = val >> PIT_CW_SC_SHIFT, rw = (val >> PIT_CW_RW_SHIFT) & 3, i;
    PITChannel *c;

    if (sc == PIT_CW_SC_READBACK) {
        for (i = 0; i < 3; i++) {
            if (!(val & PIT_RB_CNT(i)))
                continue;
            /* Status first: if both are latched, the status byte is read first. */
            if (!(val & PIT_RB_NOT_STATUS))
                pit_latch_status(&s->ch[i]);
            if (!(val & PIT_RB_NOT_COUNT))
                pit_latch_count(&s->ch[i]);
        }
        return;
    }
    c = &s->ch[sc];
    if (rw == PIT_CW_RW_LATCH) {
        pit_latch_count(c);
        return;
    }
    c->rw_mode = rw;
    c->read_state = rw;
    c->write_state = rw;
    c->mode = (val >> PIT_CW_M_SHIFT) & 7;
    if (c->mode > 5)
        c->mode -= 4;   /* 110b and 111b are modes 2 and 3 */
    c->bcd = val & PIT_CW_BCD;
    c->have_count = 0;
    c->counting = 0;
    c->paused = 0;
    c->null_count = 1;
    /* Writing a control word sets OUT low in mode 0 and high in all others. */
    c->out = c->mode != 0;
    pit_channel_changed(s, sc);
}

static void pit_ioport_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    PITState *s = opaque;
    PITChannel *c;

    val &= 0xff;
    if (offset == PIT_CONTROL) {
        pit_control_write(s, val);
        return;
    }
    c = &s->ch[offset];
    switch (c->write_state) {
    case RW_LSB:
        pit_load_count(s, offset, val);
        break;
    case RW_MSB:
        pit_load_count(s, offset, val << 8);
        break;
    case RW_WORD0:
        c->write_latch = val;
        c->write_state = RW_WORD1;
        if (c->mode == 0 && c->counting) {
            /* Mode 0: the first byte of a new count stops the count, OUT low. */
            c->counting = 0;
            c->out = 0;
            pit_channel_changed(s, offset);
        }
        break;
    case RW_WORD1:
        c->write_state = RW_WORD0;
        pit_load_count(s, offset, c->write_latch | val << 8);
        break;
    default:
        trace(LOG_GUEST_ERROR, "pit: ch%u count written before a control word\n", offset);
        break;
    }
}

static uint32_t pit_ioport_read(void *opaque, uint32_t offset, unsigned size)
{
    PITState *s = opaque;
    PITChannel *c;
    uint32_t v;

    if (offset == PIT_CONTROL)
        return 0xff;    /* the control word register is write-only */
    c = &s->ch[offset];
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->count_latched) {
        switch (c->count_latched) {
        case RW_LSB:
            c->count_latched = 0;
            return c->latched_count & 0xff;
        case RW_MSB:
            c->count_latched = 0;
            return c->latched_count >> 8;
        case RW_WORD0:
            c->count_latched = RW_WORD1;
            return c->latched_count & 0xff;
        default:
            c->count_latched = 0;
            return c->latched_count >> 8;
        }
    }
    v = pit_count_at(c, pit_now());
    if (c->bcd)
        v = pit_bin_to_bcd(v);
    switch (c->read_state) {
    case RW_LSB:
        return v & 0xff;
    case RW_MSB:
        return (v >> 8) & 0xff;
    case RW_WORD0:
        c->read_state = RW_WORD1;
        return v & 0xff;
    case RW_WORD1:
        c->read_state = RW_WORD0;
        return (v >> 8) & 0xff;
    default:
        return 0xff;
    }
}

static const IOPortOps pit_ops = {
    .read = pit_ioport_read, .write = pit_ioport_write, .min_size = 1, .max_size = 1,
};

void pit_set_gate(PITState *s, int ch, int level)
{
    PITChannel *c;
    int64_t now;

    if (ch < 0 || ch > 2)
        return;
    c = &s->ch[ch];
    level = !!level;
    if (level == c->gate)
        return;
    now = pit_now();
    switch (c->mode) {
    case 0:
    case 4:
        /* The gate only suspends counting. */
        if (!level && c->counting && !c->paused) {
            c->paused_ticks = pit_elapsed(c, now);
            c->paused = 1;
        } else if (level && c->paused) {
            c->load_tick = now - c->paused_ticks;
            c->paused = 0;
        }
        break;
    case 1:
    case 5:
        /* A rising edge (re)triggers: CR is loaded into CE. */
        if (level && c->have_count) {
            c->counting = 1;
            c->paused = 0;
            c->load_tick = now;
            c->null_count = 0;
        }
        break;
    default:
        /* Modes 2, 3: low stops the count (OUT high), a rising edge reloads it. */
        if (!level && c->counting) {
            c->paused_ticks = pit_elapsed(c, now);
            c->paused = 1;
        } else if (level && c->counting) {
            c->paused = 0;
            c->load_tick = now;
        }
        break;
    }
    c->gate = level;
    pit_channel_changed(s, ch);
}

int pit_get_gate(PITState *s, int ch)
{
    return ch >= 0 && ch <= 2 ? s->ch[ch].gate : 0;
}

int pit_get_out(PITState *s, int ch)
{
    if (ch < 0 || ch > 2)
        return 0;
    return pit_out_at(&s->ch[ch], pit_now());
}

int pit_get_mode(PITState *s, int ch)
{
    return ch >= 0 && ch <= 2 ? s->ch[ch].mode : 0;
}

uint32_t pit_get_initial_count(PITState *s, int ch)
{
    return ch >= 0 && ch <= 2 ? s->ch[ch].count : 0x10000;
}

static void pit_reset(void *opaque)
{
    PITState *s = opaque;
    int i;

    for (i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        int irq_level = c->irq_level;

        memset(c, 0, sizeof(*c));
        c->irq_level = irq_level;
        /* What BIOSes find: mode 3, LSB then MSB, count 0 (65536) running. */
        c->mode = 3;
        c->rw_mode = RW_WORD0;
        c->read_state = RW_WORD0;
        c->write_state = RW_WORD0;
        c->count = 0x10000;
        c->have_count = 1;
        c->counting = 1;
        c->out = 1;
        /* Channel 2's gate comes from port 0x61 bit 0, which resets to 0. */
        c->gate = i != 2;
        c->paused = !c->gate;
        c->load_tick = pit_now();
    }
    pit_irq_eval(s, pit_now());
}

static int pit_post_load(void *opaque, int version)
{
    PITState *s = opaque;
    int i;

    for (i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];

        if (c->mode > 5 || c->rw_mode > 3 || c->read_state > RW_WORD1 ||
            c->write_state > RW_WORD1 || c->count_latched > RW_WORD1 ||
            c->count < 1 || c->count > 0x10000 || c->paused_ticks < 0)
            return -EINVAL;
    }
    irq_set(&s->irq, s->ch[0].irq_level);
    if (s->next_tick >= 0)
        timer_mod(&s->timer, pit_tick_to_ns(s->next_tick));
    else
        timer_del(&s->timer);
    return 0;
}

static const VMStateField pit_channel_fields[] = {
    VMSTATE_U32(PITChannel, count),
    VMSTATE_I64(PITChannel, load_tick),
    VMSTATE_I64(PITChannel, paused_ticks),
    VMSTATE_U16(PITChannel, latched_count),
    VMSTATE_U8(PITChannel, count_latched),
    VMSTATE_U8(PITChannel, status_latched),
    VMSTATE_U8(PITChannel, status),
    VMSTATE_U8(PITChannel, read_state),
    VMSTATE_U8(PITChannel, write_state),
    VMSTATE_U8(PITChannel, write_latch),
    VMSTATE_U8(PITChannel, rw_mode),
    VMSTATE_U8(PITChannel, mode),
    VMSTATE_U8(PITChannel, bcd),
    VMSTATE_U8(PITChannel, gate),
    VMSTATE_U8(PITChannel, have_count),
    VMSTATE_U8(PITChannel, counting),
    VMSTATE_U8(PITChannel, paused),
    VMSTATE_U8(PITChannel, null_count),
    VMSTATE_U8(PITChannel, out),
    VMSTATE_U8(PITChannel, irq_level),
    VMSTATE_END,
};

static const VMStateDescription pit_channel_vmsd = {
    .name = "i8254-channel",
    .version = 1,
    .minimum_version = 1,
    .fields = pit_channel_fields,
};

static const VMStateField pit_fields[] = {
    VMSTATE_STRUCT_ARRAY(PITState, ch, 3, &pit_channel_vmsd),
    VMSTATE_I64(PITState, next_tick),
    VMSTATE_END,
};

static const VMStateDescription pit_vmsd = {
    .name = "i8254",
    .version = 1,
    .minimum_version = 1,
    .post_load = pit_post_load,
    .fields = pit_fields,
};

const DeviceInfo pit_info = {
    .name = "i8254",
    .reset = pit_reset,
    .vmsd = &pit_vmsd,
};

PITState *pit_create(uint16_t base, IrqLine irq0)
{
    PITState *s = xzalloc(sizeof(*s));

    s->base = base;
    s->irq = irq0;
    s->next_tick = -1;
    timer_init(&s->timer, CLOCK_VIRTUAL, pit_timer_cb, s);
    if (ioport_register(base, 4, &pit_ops, s, "pit")) {
        free(s);
        return NULL;
    }
    pit_reset(s);
    device_register(&pit_info, s);
    return s;
}
