/*
 * 82093AA I/O APIC: program the redirection table through the MMIO window as
 * an OS does and check the messages that reach the (fake) local APIC bus.
 */
#include "core/common.h"
#include "core/memory.h"
#include "core/vmstate.h"
#include "hw/ioapic.h"
#include "tests/unit/tap.h"

#define BASE 0xfec00000ULL

static struct {
    int count;
    uint8_t dest, vector, mode;
    bool logical, level;
} msg;

static void fake_deliver(void *opaque, uint8_t dest, bool logical, uint8_t vector,
                         uint8_t mode, bool level)
{
    msg.count++;
    msg.dest = dest;
    msg.logical = logical;
    msg.vector = vector;
    msg.mode = mode;
    msg.level = level;
}

static void wr32(uint64_t gpa, uint32_t v) { mem_write(gpa, &v, 4); }
static uint32_t rd32(uint64_t gpa) { uint32_t v; mem_read(gpa, &v, 4); return v; }

static uint32_t reg_read(uint8_t r) { wr32(BASE, r); return rd32(BASE + 0x10); }
static void reg_write(uint8_t r, uint32_t v) { wr32(BASE, r); wr32(BASE + 0x10, v); }

static void set_rte(int pin, uint64_t e)
{
    reg_write(0x10 + 2 * pin + 1, e >> 32);
    reg_write(0x10 + 2 * pin, (uint32_t)e);
}

static uint64_t get_rte(int pin)
{
    return reg_read(0x10 + 2 * pin) | (uint64_t)reg_read(0x11 + 2 * pin) << 32;
}

#define RTE_LEVEL   (1ULL << 15)
#define RTE_MASK    (1ULL << 16)
#define RTE_RIRR    (1ULL << 14)
#define RTE_LOGICAL (1ULL << 11)

int main(void)
{
    IOAPICState *s = ioapic_create(BASE, fake_deliver, NULL);
    ok(s != NULL, "ioapic created");

    /* identification registers */
    is_int(reg_read(0x01), 0x00170020, "IOAPICVER: version 0x20, 24 entries");
    reg_write(0x00, 0x0a000000);
    is_int(reg_read(0x00), 0x0a000000, "IOAPICID is writable (bits 27:24)");
    reg_write(0x00, 0xff000000);
    is_int(reg_read(0x00), 0x0f000000, "IOAPICID keeps only 4 bits");
    is_int(reg_read(0x02), 0x0f000000, "IOAPICARB follows the ID");
    wr32(BASE, 0x12);
    is_int(rd32(BASE) & 0xff, 0x12, "IOREGSEL reads back");
    uint8_t b;
    mem_read(BASE + 0x10, &b, 1);
    is_int(b, 0x00, "byte read of IOWIN works (low byte of RTE 1)");
    is_int(get_rte(5), RTE_MASK, "entries reset masked");

    /* edge-triggered, physical destination */
    set_rte(4, 0x31 | (3ULL << 56));
    ioapic_set_irq(s, 4, 1);
    is_int(msg.count, 1, "edge pin 4 delivers once");
    is_int(msg.vector, 0x31, "vector 0x31");
    is_int(msg.dest, 3, "destination APIC 3");
    ok(!msg.logical && !msg.level && msg.mode == 0, "physical, edge, fixed");
    ioapic_set_irq(s, 4, 1);
    is_int(msg.count, 1, "line held high: no second edge");
    ioapic_set_irq(s, 4, 0);
    ioapic_set_irq(s, 4, 1);
    is_int(msg.count, 2, "a new rising edge delivers again");
    ioapic_set_irq(s, 4, 0);

    /* masking an edge pin latches the edge until unmask */
    msg.count = 0;
    set_rte(4, 0x31 | RTE_MASK);
    ioapic_set_irq(s, 4, 1);
    ioapic_set_irq(s, 4, 0);
    is_int(msg.count, 0, "masked pin sends nothing");
    set_rte(4, 0x31);
    is_int(msg.count, 1, "edge latched while masked is sent on unmask");

    /* logical destination, lowest priority */
    msg.count = 0;
    set_rte(7, 0x45 | (1ULL << 8) | RTE_LOGICAL | (0x0fULL << 56));
    IrqLine l7 = ioapic_irq(s, 7);
    irq_raise(&l7);
    ok(msg.count == 1 && msg.logical && msg.mode == 1 && msg.dest == 0x0f,
       "logical lowest-priority message through an IrqLine");
    irq_lower(&l7);

    /* level triggered: remote IRR holds off until EOI */
    msg.count = 0;
    set_rte(10, 0x52 | RTE_LEVEL);
    ioapic_set_irq(s, 10, 1);
    is_int(msg.count, 1, "level pin 10 delivers");
    ok(msg.level, "message says level");
    ok(get_rte(10) & RTE_RIRR, "remote IRR set");
    ioapic_set_irq(s, 10, 0);
    ioapic_set_irq(s, 10, 1);
    is_int(msg.count, 1, "no redelivery while remote IRR set");
    ioapic_eoi(s, 0x99);
    is_int(msg.count, 1, "EOI for another vector does nothing");
    ioapic_eoi(s, 0x52);
    is_int(msg.count, 2, "EOI with line still high redelivers");
    ok(get_rte(10) & RTE_RIRR, "remote IRR set again");
    ioapic_set_irq(s, 10, 0);
    ioapic_eoi(s, 0x52);
    is_int(msg.count, 2, "EOI with line low: quiet");
    ok(!(get_rte(10) & RTE_RIRR), "remote IRR cleared by EOI");

    /* remote IRR and delivery status are read-only */
    set_rte(10, 0x52 | RTE_LEVEL | RTE_RIRR | (1ULL << 12));
    ok(!(get_rte(10) & (RTE_RIRR | (1ULL << 12))), "guest cannot set remote IRR/delivery status");

    /* level + masked: delivered on unmask if still asserted */
    msg.count = 0;
    set_rte(11, 0x60 | RTE_LEVEL | RTE_MASK);
    ioapic_set_irq(s, 11, 1);
    is_int(msg.count, 0, "masked level pin quiet");
    set_rte(11, 0x60 | RTE_LEVEL);
    is_int(msg.count, 1, "unmasking an asserted level pin delivers");
    ioapic_set_irq(s, 11, 0);
    set_rte(11, 0x60 | RTE_LEVEL | RTE_MASK);
    ioapic_eoi(s, 0x60);

    /* level pin deasserted before unmask: nothing */
    msg.count = 0;
    ioapic_set_irq(s, 11, 1);
    ioapic_set_irq(s, 11, 0);
    set_rte(11, 0x60 | RTE_LEVEL);
    is_int(msg.count, 0, "level pin that dropped while masked is not delivered");

    /* level -> edge while the line is high: no phantom edge */
    msg.count = 0;
    set_rte(12, 0x62 | RTE_LEVEL | RTE_MASK);
    ioapic_set_irq(s, 12, 1);
    set_rte(12, 0x62 | RTE_MASK);
    set_rte(12, 0x62);
    is_int(msg.count, 0, "switching a held level pin to edge sends nothing");
    ioapic_set_irq(s, 12, 0);

    /* hostile accesses */
    reg_write(0x40, 0xdeadbeef);
    reg_write(0xff, 0xdeadbeef);
    is_int(reg_read(0x40), 0, "register past the table reads 0");
    ioapic_set_irq(s, 24, 1);
    ioapic_set_irq(s, -1, 1);
    wr32(BASE + 0x20, 1);
    ok(1, "out-of-range pins and offsets are ignored");

    /* save/load */
    set_rte(3, 0x77 | RTE_LEVEL);
    ioapic_set_irq(s, 3, 1);
    VMStateBuf buf = { 0 };
    is_int(vmstate_save(&buf, ioapic_info.vmsd, s), 0, "save");
    IOAPICState t;
    ioapic_init(&t, fake_deliver, NULL);
    buf.pos = 0;
    is_int(vmstate_load(&buf, ioapic_info.vmsd, &t), 0, "load");
    ok(t.redtbl[3] == s->redtbl[3] && t.lines == s->lines && t.id == s->id,
       "table, lines and ID survive save/load");
    msg.count = 0;
    ioapic_eoi(&t, 0x77);
    is_int(msg.count, 1, "loaded copy redelivers the asserted level pin after EOI");
    vmstate_buf_free(&buf);

    /* random traffic never crashes */
    uint32_t seed = 1;
    for (int i = 0; i < 100000; i++) {
        seed = seed * 1103515245 + 12345;
        uint32_t v = seed * 2654435761u;
        switch (seed >> 29) {
        case 0: wr32(BASE + ((seed >> 8) & 0xfff & ~3u), v); break;
        case 1: mem_write(BASE + ((seed >> 8) & 0xfff), &v, (seed >> 4) & 1 ? 1 : 2); break;
        case 2: reg_write(seed >> 8, v); break;
        case 3: ioapic_eoi(s, v & 0xff); break;
        default: ioapic_set_irq(s, (int)((seed >> 8) % 30) - 3, v & 1); break;
        }
        reg_read(v & 0xff);
    }
    ok(1, "100000 random accesses survived");

    /* reset */
    ioapic_info.reset(s);
    is_int(get_rte(3), RTE_MASK, "reset masks every entry");
    is_int(reg_read(0x00), 0, "reset clears the ID");
    return done_testing();
}
