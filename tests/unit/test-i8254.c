/*
 * 8254 PIT: program the channels as a BIOS/OS does and check counts, OUT and
 * the number of IRQ0 edges the PIC would see over stepped virtual time.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/ioport.h"
#include "core/vmstate.h"
#include "hw/i8254.h"
#include "tests/unit/tap.h"

#define MS 1000000LL
#define US 1000LL

static int irq_level, irq_rises, irq_falls;

static void test_irq_set(void *opaque, int n, int level)
{
    if (level && !irq_level)
        irq_rises++;
    if (!level && irq_level)
        irq_falls++;
    irq_level = level;
}

static void outb(uint16_t port, uint8_t val) { ioport_write(port, val, 1); }
static uint8_t inb(uint16_t port) { return ioport_read(port, 1); }

static int64_t ticks_now(void)
{
    return (int64_t)(((__int128)clock_ns(CLOCK_VIRTUAL) * PIT_FREQ) / 1000000000LL);
}

static void load_count(int ch, uint16_t count)
{
    outb(0x40 + ch, count & 0xff);
    outb(0x40 + ch, count >> 8);
}

static unsigned read_count(int ch)
{
    unsigned lo = inb(0x40 + ch);

    return lo | inb(0x40 + ch) << 8;
}

static unsigned latch_count(int ch)
{
    outb(0x43, ch << 6);
    return read_count(ch);
}

static void reset_counts(void)
{
    irq_rises = irq_falls = 0;
}

int main(void)
{
    PITState *pit;
    VMStateBuf buf = { 0 };
    int64_t t0;
    unsigned c1, c2;
    int i;

    clock_set_test_mode(true);
    pit = pit_create(0x40, irq_line(test_irq_set, NULL, 0));
    ok(pit != NULL, "pit created");

    /* Power-on state: channel 0 in mode 3 with count 65536, i.e. 18.2 Hz. */
    reset_counts();
    clock_step(1000 * MS);
    ok(irq_rises >= 18 && irq_rises <= 19, "reset state: 18.2 Hz on IRQ0 (%d)", irq_rises);

    /* Mode 2, 1193 (the 1 kHz Linux/SeaBIOS programming): 1000 interrupts a second. */
    outb(0x43, 0x34);
    load_count(0, 1193);
    reset_counts();
    for (i = 0; i < 1000; i++)
        clock_step(1 * MS);
    ok(irq_rises >= 999 && irq_rises <= 1001, "mode 2: %d IRQ0 edges in 1000 ms", irq_rises);
    ok(irq_falls >= 999 && irq_falls <= 1001, "mode 2: the one-clock low pulses are seen");
    /* One big step passes every transition in order. */
    reset_counts();
    clock_step(500 * MS);
    ok(irq_rises >= 499 && irq_rises <= 501, "mode 2, one 500 ms step: %d edges", irq_rises);
    /* The count goes down and reloads. */
    c1 = latch_count(0);
    clock_step(100 * US);
    c2 = latch_count(0);
    ok(c1 >= 1 && c1 <= 1193 && c2 >= 1 && c2 <= 1193, "mode 2 counts stay in 1..1193");
    ok(c1 - c2 == 119 || c1 - c2 == 120 || c2 > c1, "mode 2 decrements ~119 per 100 us");

    /* Mode 3 square wave. */
    outb(0x43, 0x36);
    load_count(0, 11932);       /* 100 Hz */
    ok(pit_get_out(pit, 0), "mode 3 starts high");
    clock_step(4 * MS);
    ok(pit_get_out(pit, 0), "high in the first half period");
    clock_step(2 * MS);
    ok(!pit_get_out(pit, 0), "low in the second half period");
    reset_counts();
    clock_step(1000 * MS);
    ok(irq_rises >= 99 && irq_rises <= 101, "mode 3 at 100 Hz: %d edges", irq_rises);

    /* Mode 0: one-shot, OUT low until terminal count, then one IRQ edge. */
    outb(0x43, 0x30);
    ok(!pit_get_out(pit, 0), "mode 0: control word sets OUT low");
    load_count(0, 1000);
    t0 = ticks_now();
    reset_counts();
    clock_step(500 * US);
    c1 = latch_count(0);
    is_int(c1, 1000 - (ticks_now() - t0), "mode 0 count after 500 us");
    ok(!pit_get_out(pit, 0), "mode 0 OUT still low");
    clock_step(400 * US);
    ok(pit_get_out(pit, 0), "mode 0 OUT high after 1000 ticks");
    is_int(irq_rises, 1, "mode 0: exactly one IRQ0 edge");
    clock_step(100 * MS);
    is_int(irq_rises, 1, "mode 0 does not repeat");

    /* Counter latch holds the value while time moves. */
    outb(0x43, 0x30);
    load_count(0, 50000);
    t0 = ticks_now();
    clock_step(1 * MS);
    outb(0x43, 0x00);
    c1 = 50000 - (ticks_now() - t0);
    clock_step(10 * MS);
    c2 = read_count(0);
    is_int(c2, c1, "latched count is the value at the latch command");
    ok(read_count(0) < c2 - 10000, "unlatched read is live again");

    /* Read-back: status and count of channel 0. */
    outb(0x43, 0x30);
    outb(0x43, 0xe2);           /* status only */
    is_int(inb(0x40), 0x70, "status after control word: null count, lohi, mode 0");
    load_count(0, 100);
    t0 = ticks_now();
    clock_step(1 * MS);
    outb(0x43, 0xc2);           /* count and status */
    is_int(inb(0x40), 0xb0, "status: OUT high, count loaded, lohi, mode 0");
    is_int(read_count(0), (100 - (ticks_now() - t0)) & 0xffff,
           "then the latched count, wrapped past 0");
    outb(0x43, 0xd2);           /* count only */
    outb(0x43, 0x00);           /* a second latch is ignored while one is pending */
    c1 = read_count(0);
    clock_step(1 * MS);
    c2 = latch_count(0);
    ok(c1 != c2, "read-back latched count is released after reading");

    /* BCD: 1000 decimal. */
    outb(0x43, 0x31);
    load_count(0, 0x1000);
    t0 = ticks_now();
    clock_step(500 * US);
    {
        unsigned want = 1000 - (ticks_now() - t0);
        unsigned bcd = (want / 100) << 8 | ((want / 10) % 10) << 4 | (want % 10);

        is_int(latch_count(0), bcd, "BCD count reads in BCD");
    }

    /* LSB-only and MSB-only access. */
    outb(0x43, 0x10);
    outb(0x40, 0x50);
    is_int(inb(0x40), 0x50, "LSB-only: count 0x50");
    outb(0x43, 0x20);
    outb(0x40, 0x12);
    is_int(inb(0x40), 0x12, "MSB-only: reads the high byte");

    /* Channel 2 and its gate, as Linux's PIT TSC calibration uses it. */
    pit_set_gate(pit, 2, 0);
    outb(0x43, 0xb0);
    load_count(2, 1193);
    clock_step(5 * MS);
    ok(!pit_get_out(pit, 2), "ch2 mode 0 with gate low does not count");
    is_int(latch_count(2), 1193, "count held by the low gate");
    pit_set_gate(pit, 2, 1);
    clock_step(900 * US);
    ok(!pit_get_out(pit, 2), "ch2 counting after gate high");
    clock_step(200 * US);
    ok(pit_get_out(pit, 2), "ch2 OUT high after 1193 ticks");
    /* Mode 1: the gate's rising edge triggers a one-shot low pulse. */
    pit_set_gate(pit, 2, 0);
    outb(0x43, 0xb2);
    load_count(2, 1193);
    ok(pit_get_out(pit, 2), "mode 1 OUT high before trigger");
    clock_step(5 * MS);
    ok(pit_get_out(pit, 2), "still high without a trigger");
    pit_set_gate(pit, 2, 1);
    ok(!pit_get_out(pit, 2), "trigger: OUT low");
    clock_step(1100 * US);
    ok(pit_get_out(pit, 2), "mode 1 OUT high after the count");
    /* Mode 3 with the gate low holds OUT high. */
    outb(0x43, 0xb6);
    load_count(2, 1193);
    clock_step(700 * US);
    ok(!pit_get_out(pit, 2), "ch2 mode 3 low half");
    pit_set_gate(pit, 2, 0);
    ok(pit_get_out(pit, 2), "gate low forces OUT high in mode 3");
    pit_set_gate(pit, 2, 1);
    clock_step(100 * US);
    ok(pit_get_out(pit, 2), "gate rising edge reloads: high half again");

    /* Mode 4: software strobe. */
    outb(0x43, 0x38);
    load_count(0, 100);
    reset_counts();
    ok(pit_get_out(pit, 0), "mode 4 OUT high");
    clock_step(1 * MS);
    is_int(irq_falls, 1, "mode 4: one low strobe");
    ok(pit_get_out(pit, 0), "and high again");

    /* Save/load in the middle of a 1 kHz mode 2 run keeps the rate. */
    outb(0x43, 0x34);
    load_count(0, 1193);
    clock_step(3 * MS + 300 * US);
    ok(vmstate_save(&buf, pit_info.vmsd, pit) == 0, "save");
    outb(0x43, 0x30);           /* clobber channel 0 */
    buf.pos = 0;
    ok(vmstate_load(&buf, pit_info.vmsd, pit) == 0, "load");
    reset_counts();
    clock_step(100 * MS);
    ok(irq_rises >= 99 && irq_rises <= 101, "1 kHz after load: %d edges", irq_rises);
    vmstate_buf_free(&buf);

    /* A guest may program nonsense: no crash, counts stay sane. */
    outb(0x43, 0x3e);           /* mode 7 = mode 3 */
    load_count(0, 1);
    clock_step(1 * MS);
    outb(0x43, 0x35);
    load_count(0, 0xffff);      /* invalid BCD digits */
    clock_step(1 * MS);
    ok(latch_count(0) <= 0x9999, "invalid BCD count still reads as BCD");

    /* Random programming: no crash, and a re-program gives 1 kHz again. */
    {
        uint32_t r = 1;

        for (i = 0; i < 20000; i++) {
            r = r * 1103515245 + 12345;
            if ((r >> 28) < 8)
                outb(0x40 + ((r >> 8) & 3), r >> 16);
            else if ((r >> 28) < 14)
                inb(0x40 + ((r >> 8) & 3));
            else if ((r >> 28) == 14)
                pit_set_gate(pit, 2, (r >> 16) & 1);
            else
                clock_step((r >> 12) % 50000);
        }
        outb(0x43, 0x34);
        load_count(0, 1193);
        reset_counts();
        clock_step(100 * MS);
        ok(irq_rises >= 99 && irq_rises <= 101, "after random programming: %d edges in 100 ms",
           irq_rises);
    }

    return done_testing();
}
