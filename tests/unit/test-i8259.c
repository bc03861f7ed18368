/*
 * 8259A pair: program it as a BIOS and an OS do, and check the vectors the
 * CPU would take and the registers the guest would read.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/cpus.h"
#include "core/ioport.h"
#include "core/vmstate.h"
#include "hw/i8259.h"
#include "tests/unit/tap.h"

static PICState *pic;

static void outb(uint16_t port, uint8_t val) { ioport_write(port, val, 1); }
static uint8_t inb(uint16_t port) { return ioport_read(port, 1); }

static void irq(int n, int level) { pic_set_irq(pic, n, level); }

static uint8_t read_isr(uint16_t base)
{
    uint8_t v;

    outb(base, 0x0b);
    v = inb(base);
    outb(base, 0x0a);
    return v;
}

static void eoi_master(void) { outb(0x20, 0x20); }
static void eoi_slave(void) { outb(0xa0, 0x20); }

static void bios_init(uint8_t icw4)
{
    /* What SeaBIOS and Linux's init_8259A() write. */
    outb(0x20, 0x11);
    outb(0x21, 0x08);
    outb(0x21, 0x04);
    outb(0x21, icw4);
    outb(0xa0, 0x11);
    outb(0xa1, 0x70);
    outb(0xa1, 0x02);
    outb(0xa1, icw4);
    outb(0x21, 0x00);
    outb(0xa1, 0x00);
}

int main(void)
{
    VMStateBuf buf = { 0 };
    int v, i;

    clock_set_test_mode(true);
    pic = pic_create();
    ok(pic != NULL, "pic created");
    ok(pic_create() == NULL, "a second pair on the same ports is refused");
    cpus_set_intack(pic_intack, pic);
    bios_init(0x01);

    ok(!cpus_intr_pending(), "no INTR after init");
    is_int(inb(0x21), 0x00, "IMR master cleared");

    /* Edge IRQ0: INTR, vector 0x08, ISR bit, held off IRQ1 until EOI. */
    irq(0, 1);
    ok(cpus_intr_pending(), "IRQ0 raises INTR");
    is_int(inb(0x20), 0x01, "IRR shows IRQ0");
    is_int(cpus_intack(), 0x08, "IRQ0 vector 0x08");
    ok(!cpus_intr_pending(), "INTR drops after INTA");
    is_int(read_isr(0x20), 0x01, "ISR has IRQ0");
    is_int(inb(0x20), 0x00, "IRR cleared by INTA (edge)");
    irq(0, 0);
    irq(0, 1);
    ok(!cpus_intr_pending(), "IRQ0 again while IRQ0 in service: held off");
    is_int(inb(0x20), 0x01, "but latched in IRR");
    irq(0, 0);
    irq(1, 1);
    ok(!cpus_intr_pending(), "IRQ1 held off while IRQ0 in service");
    eoi_master();
    ok(cpus_intr_pending(), "IRQ0 delivered again after EOI");
    is_int(cpus_intack(), 0x08, "IRQ0 before IRQ1");
    eoi_master();
    is_int(cpus_intack(), 0x09, "then IRQ1 vector 0x09");
    /* Nesting: a higher priority IRQ0 interrupts IRQ1's handler. */
    irq(0, 1);
    ok(cpus_intr_pending(), "IRQ0 preempts IRQ1 in service");
    is_int(cpus_intack(), 0x08, "nested IRQ0 vector");
    is_int(read_isr(0x20), 0x03, "ISR has IRQ0 and IRQ1");
    eoi_master();
    is_int(read_isr(0x20), 0x02, "non-specific EOI clears the highest (IRQ0)");
    eoi_master();
    is_int(read_isr(0x20), 0x00, "second EOI clears IRQ1");
    irq(0, 0);
    irq(1, 0);

    /* Held edge line does not interrupt twice. */
    irq(4, 1);
    is_int(cpus_intack(), 0x0c, "IRQ4 vector");
    eoi_master();
    ok(!cpus_intr_pending(), "edge line held high: no second interrupt");
    irq(4, 0);

    /* Priority: IRQ5 and IRQ3 together, IRQ3 first. */
    irq(5, 1);
    irq(3, 1);
    is_int(cpus_intack(), 0x0b, "IRQ3 wins over IRQ5");
    outb(0x20, 0x63);   /* specific EOI for IRQ3 */
    is_int(cpus_intack(), 0x0d, "then IRQ5");
    eoi_master();
    irq(3, 0);
    irq(5, 0);

    /* Masking. */
    outb(0x21, 0x10);
    irq(4, 1);
    ok(!cpus_intr_pending(), "masked IRQ4 does not raise INTR");
    is_int(inb(0x20), 0x10, "but is in IRR");
    outb(0x21, 0x00);
    ok(cpus_intr_pending(), "unmasking delivers it");
    is_int(cpus_intack(), 0x0c, "IRQ4 after unmask");
    eoi_master();
    irq(4, 0);

    /* Slave: IRQ8 through the cascade. */
    irq(8, 1);
    ok(cpus_intr_pending(), "IRQ8 raises INTR via the cascade");
    is_int(cpus_intack(), 0x70, "IRQ8 vector 0x70");
    is_int(read_isr(0x20), 0x04, "master ISR has the cascade IRQ2");
    is_int(read_isr(0xa0), 0x01, "slave ISR has IRQ8");
    irq(14, 1);
    ok(!cpus_intr_pending(), "IRQ14 waits behind IRQ2 in service");
    eoi_slave();
    eoi_master();
    ok(cpus_intr_pending(), "IRQ14 delivered after both EOIs");
    is_int(cpus_intack(), 0x76, "IRQ14 vector 0x76");
    eoi_slave();
    eoi_master();
    irq(8, 0);
    irq(14, 0);
    /* Two slave requests at once: both arrive, highest first. */
    irq(12, 1);
    irq(9, 1);
    is_int(cpus_intack(), 0x71, "IRQ9 before IRQ12");
    eoi_slave();
    eoi_master();
    is_int(cpus_intack(), 0x74, "IRQ12 not lost");
    eoi_slave();
    eoi_master();
    irq(12, 0);
    irq(9, 0);

    /* The ISA IRQ2 pin lands on IRQ9. */
    irq(2, 1);
    is_int(cpus_intack(), 0x71, "ISA IRQ2 is delivered as IRQ9");
    eoi_slave();
    eoi_master();
    irq(2, 0);

    /* Spurious: nothing pending at INTA. */
    v = cpus_intack();
    is_int(v, 0x0f, "INTA with nothing pending gives spurious IRQ7");
    is_int(read_isr(0x20), 0x00, "spurious IRQ7 sets no ISR bit");

    /* ELCR: level-triggered IRQ10 and 11. */
    outb(0x4d0, 0xff);
    is_int(inb(0x4d0), 0xf8, "ELCR master: IRQ0-2 stay edge");
    outb(0x4d0, 0x00);
    outb(0x4d1, 0xff);
    is_int(inb(0x4d1), 0xde, "ELCR slave: IRQ8 and IRQ13 stay edge");
    outb(0x4d1, 0x0c);
    irq(11, 1);
    is_int(cpus_intack(), 0x73, "level IRQ11 vector");
    eoi_slave();
    eoi_master();
    ok(cpus_intr_pending(), "level IRQ11 still high: interrupts again after EOI");
    is_int(cpus_intack(), 0x73, "IRQ11 again");
    irq(11, 0);
    eoi_slave();
    eoi_master();
    ok(!cpus_intr_pending(), "level line low: quiet");

    /*
     * Level line dropped between INTR and INTA: the slave's INT fell too, so
     * the master's IR2 went low before INTA and the master answers with its
     * default IR7 (8259A datasheet, "Edge and level triggered modes").
     */
    irq(10, 1);
    ok(cpus_intr_pending(), "level IRQ10 raises INTR");
    irq(10, 0);
    ok(!cpus_intr_pending(), "and drops it when the line drops");
    is_int(pic_intack(pic), 0x0f, "INTA then gives spurious IRQ7");
    is_int(read_isr(0xa0), 0x00, "slave ISR untouched by spurious");
    is_int(read_isr(0x20), 0x00, "master ISR untouched by spurious");
    outb(0x4d1, 0x00);

    /* Poll mode. */
    irq(6, 1);
    outb(0x20, 0x0c);
    is_int(inb(0x20), 0x86, "poll reports IRQ6");
    is_int(read_isr(0x20), 0x40, "poll acknowledged IRQ6");
    outb(0x20, 0x0c);
    is_int(inb(0x20), 0x00, "poll with nothing pending");
    eoi_master();
    irq(6, 0);

    /* Rotation: set priority makes IRQ3 lowest, so IRQ4 is highest. */
    outb(0x20, 0xc3);
    irq(1, 1);
    irq(5, 1);
    is_int(cpus_intack(), 0x0d, "after set-priority L=3, IRQ5 beats IRQ1");
    outb(0x20, 0xe5);   /* rotate on specific EOI for IRQ5: IRQ5 lowest now */
    is_int(cpus_intack(), 0x09, "then IRQ1");
    outb(0x20, 0x61);
    irq(1, 0);
    irq(5, 0);
    irq(6, 1);
    irq(5, 1);
    is_int(cpus_intack(), 0x0e, "after rotate, IRQ6 beats IRQ5");
    eoi_master();
    is_int(cpus_intack(), 0x0d, "IRQ5 next");
    eoi_master();
    irq(6, 0);
    irq(5, 0);
    outb(0x20, 0xc7);   /* back to IRQ0 highest */

    /* Special mask mode: IRQ3's handler masks itself, lets IRQ5 in. */
    irq(3, 1);
    is_int(cpus_intack(), 0x0b, "IRQ3");
    irq(5, 1);
    ok(!cpus_intr_pending(), "IRQ5 blocked by IRQ3 in service");
    outb(0x21, 0x08);
    outb(0x20, 0x68);   /* OCW3: set special mask */
    ok(cpus_intr_pending(), "special mask mode lets IRQ5 in");
    is_int(cpus_intack(), 0x0d, "IRQ5 in special mask mode");
    outb(0x20, 0x65);
    outb(0x20, 0x48);   /* reset special mask */
    outb(0x21, 0x00);
    outb(0x20, 0x63);
    irq(3, 0);
    irq(5, 0);

    /* Auto-EOI. */
    bios_init(0x03);
    irq(7, 1);
    is_int(cpus_intack(), 0x0f, "IRQ7 in AEOI mode");
    is_int(read_isr(0x20), 0x00, "AEOI leaves ISR clear");
    irq(7, 0);
    irq(6, 1);
    ok(cpus_intr_pending(), "next IRQ needs no EOI in AEOI mode");
    is_int(cpus_intack(), 0x0e, "IRQ6 vector");
    irq(6, 0);
    bios_init(0x01);

    /* Save/load round trip keeps a pending request and the mask. */
    outb(0x21, 0xfd);
    irq(1, 1);
    ok(vmstate_save(&buf, pic_info.vmsd, pic) == 0, "save");
    bios_init(0x01);
    irq(1, 0);
    buf.pos = 0;
    ok(vmstate_load(&buf, pic_info.vmsd, pic) == 0, "load");
    is_int(inb(0x21), 0xfd, "IMR restored");
    ok(cpus_intr_pending(), "pending IRQ1 restored");
    is_int(cpus_intack(), 0x09, "IRQ1 after load");
    buf.pos = 0;
    vmstate_buf_free(&buf);

    /* A guest writing garbage: nothing breaks, and a re-init recovers. */
    {
        static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
        uint32_t r = 1;

        for (i = 0; i < 20000; i++) {
            r = r * 1103515245 + 12345;
            if (r >> 31)
                outb(ports[(r >> 8) % 6], r >> 16);
            else
                inb(ports[(r >> 8) % 6]);
            if (!(i % 7))
                irq((r >> 20) % 16, (r >> 24) & 1);
            if (cpus_intr_pending())
                cpus_intack();
        }
        for (i = 0; i < 16; i++)
            irq(i, 0);
        outb(0x4d0, 0);
        outb(0x4d1, 0);
        bios_init(0x01);
        irq(0, 1);
        is_int(cpus_intack(), 0x08, "after random programming, a re-init works");
    }

    return done_testing();
}
