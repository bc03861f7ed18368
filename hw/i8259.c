/*
 * 8259A programmable interrupt controller pair, as wired on the PC/AT: the
 * slave's INT drives the master's IR2.  From the Intel 8259A datasheet
 * (231468) and the PIIX/PIIX3 datasheet (290550) for the ELCR at 0x4d0.
 */
#include "core/common.h"
#include "core/cpus.h"
#include "core/ioport.h"
#include "hw/i8259.h"

/* Command words (8259A datasheet, "Programming the 8259A") */
#define ICW1_IC4        0x01    /* ICW4 follows */
#define ICW1_SNGL       0x02    /* single: no ICW3 */
#define ICW1_LTIM       0x08    /* level-triggered (ignored by PIIX: ELCR rules) */
#define ICW1_SEL        0x10    /* A0=0 with D4=1 is ICW1 */
#define ICW4_AEOI       0x02
#define ICW4_SFNM       0x10
#define OCW3_SEL        0x08    /* A0=0, D4=0, D3=1 is OCW3 (D3=0: OCW2) */
#define OCW3_RIS        0x01
#define OCW3_RR         0x02
#define OCW3_P          0x04
#define OCW3_SMM        0x20
#define OCW3_ESMM       0x40
#define OCW2_L_MASK     0x07
/* OCW2 R/SL/EOI combinations (bits 7..5) */
#define OCW2_ROTATE_AEOI_CLEAR  0
#define OCW2_EOI                1
#define OCW2_NOP                2
#define OCW2_SPECIFIC_EOI       3
#define OCW2_ROTATE_AEOI_SET    4
#define OCW2_ROTATE_EOI         5
#define OCW2_SET_PRIORITY       6
#define OCW2_ROTATE_SPECIFIC_EOI 7

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE  0xa0
#define PIC_ELCR_BASE   0x4d0
/* PIIX: IRQ0, 1, 2, 8 and 13 are always edge triggered. */
#define PIC_ELCR_MASK_MASTER 0xf8
#define PIC_ELCR_MASK_SLAVE  0xde
#define PIC_CASCADE_IRQ 2

static const uint8_t pic_elcr_masks[2] = { PIC_ELCR_MASK_MASTER, PIC_ELCR_MASK_SLAVE };

/* 0 = highest priority .. 7 = lowest, for the lowest-priority set bit of mask; 8 if none. */
static int pic_priority(const PICChip *c, uint8_t mask)
{
    int p;

    if (!mask)
        return 8;
    for (p = 0; !(mask & (1 << ((p + c->priority_add) & 7))); p++)
        ;
    return p;
}

/* The IR level this chip would present to the CPU now, or -1. */
static int pic_chip_get_irq(const PICChip *c, bool master)
{
    uint8_t in_service;
    int prio = pic_priority(c, c->irr & ~c->imr);

    if (prio == 8)
        return -1;
    in_service = c->isr;
    /* Special mask mode: a masked in-service level no longer holds off others. */
    if (c->special_mask)
        in_service &= ~c->imr;
    /* Special fully nested mode: the slave may interrupt its own in-service level. */
    if (master && c->sfnm)
        in_service &= ~(1 << PIC_CASCADE_IRQ);
    if (prio < pic_priority(c, in_service))
        return (prio + c->priority_add) & 7;
    return -1;
}

static void pic_update(PICState *s, bool force)
{
    PICChip *m = &s->chip[0], *sl = &s->chip[1];
    int out;

    /*
     * The slave's INT is followed as a level on IR2: it stays high while the
     * slave has something to deliver, so a second slave request is never lost
     * behind an edge that was already seen.
     */
    sl->int_out = pic_chip_get_irq(sl, false) >= 0;
    if (sl->int_out) {
        m->lines |= 1 << PIC_CASCADE_IRQ;
        m->irr |= 1 << PIC_CASCADE_IRQ;
    } else {
        m->lines &= ~(1 << PIC_CASCADE_IRQ);
        m->irr &= ~(1 << PIC_CASCADE_IRQ);
    }
    out = pic_chip_get_irq(m, true) >= 0;
    if (out != m->int_out || force) {
        m->int_out = out;
        cpus_set_intr(out);
    }
}

static void pic_chip_set_input(PICChip *c, int irq, int level)
{
    uint8_t mask = 1 << irq;

    if (c->elcr & mask) {
        if (level)
            c->irr |= mask;
        else
            c->irr &= ~mask;
    } else if (level && !(c->lines & mask)) {
        /* Edge: only a rising edge latches a request; it stays until acknowledged. */
        c->irr |= mask;
    }
    if (level)
        c->lines |= mask;
    else
        c->lines &= ~mask;
}

void pic_set_irq(void *opaque, int n, int level)
{
    PICState *s = opaque;

    if (n < 0 || n > 15)
        return;
    /* The ISA bus's IRQ2 pin is routed to IRQ9 on the AT (IR2 is the cascade). */
    if (n == PIC_CASCADE_IRQ)
        n = 9;
    pic_chip_set_input(&s->chip[n >> 3], n & 7, level);
    pic_update(s, false);
}

IrqLine pic_irq(PICState *s, int n)
{
    return irq_line(pic_set_irq, s, n);
}

int pic_get_output(PICState *s)
{
    return s->chip[0].int_out;
}

/* What INTA (or a poll read) does to the chip that supplies the level. */
static void pic_chip_ack(PICChip *c, int irq)
{
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi)
            c->priority_add = (irq + 1) & 7;
    } else {
        c->isr |= 1 << irq;
    }
    /* A level-triggered request stays in IRR for as long as the line is high. */
    if (!(c->elcr & (1 << irq)))
        c->irr &= ~(1 << irq);
}

int pic_intack(void *opaque)
{
    PICState *s = opaque;
    PICChip *m = &s->chip[0], *sl = &s->chip[1];
    int irq = pic_chip_get_irq(m, true), irq2, vec;

    if (irq < 0) {
        /* The request went away between INTR and INTA: the default IR7. */
        vec = m->irq_base + 7;
        trace(LOG_INT, "pic: spurious IRQ7, vector 0x%02x\n", vec);
    } else if (irq == PIC_CASCADE_IRQ) {
        irq2 = pic_chip_get_irq(sl, false);
        if (irq2 >= 0) {
            pic_chip_ack(sl, irq2);
        } else {
            irq2 = 7;
            trace(LOG_INT, "pic: spurious IRQ15\n");
        }
        vec = sl->irq_base + irq2;
        pic_chip_ack(m, irq);
    } else {
        vec = m->irq_base + irq;
        pic_chip_ack(m, irq);
    }
    pic_update(s, false);
    return vec;
}

/* ICW1: what the datasheet says initialization resets. */
static void pic_chip_init_reset(PICChip *c)
{
    /* The edge sense latch is cleared: an edge line must go low then high again. */
    c->irr = c->lines & c->elcr;
    c->isr = 0;
    c->imr = 0;
    c->priority_add = 0;
    c->read_isr = 0;
    c->poll = 0;
    c->special_mask = 0;
    c->init_state = 0;
    c->init4 = 0;
    c->single = 0;
    c->auto_eoi = 0;
    c->rotate_on_aeoi = 0;
    c->sfnm = 0;
}

static void pic_ocw2(PICChip *c, uint8_t val)
{
    int prio, irq;

    switch (val >> 5) {
    case OCW2_ROTATE_AEOI_CLEAR:
        c->rotate_on_aeoi = 0;
        break;
    case OCW2_ROTATE_AEOI_SET:
        c->rotate_on_aeoi = 1;
        break;
    case OCW2_EOI:
    case OCW2_ROTATE_EOI:
        prio = pic_priority(c, c->isr);
        if (prio == 8) {
            trace(LOG_GUEST_ERROR, "pic: EOI with nothing in service\n");
            break;
        }
        irq = (prio + c->priority_add) & 7;
        c->isr &= ~(1 << irq);
        if (val >> 5 == OCW2_ROTATE_EOI)
            c->priority_add = (irq + 1) & 7;
        break;
    case OCW2_SPECIFIC_EOI:
    case OCW2_ROTATE_SPECIFIC_EOI:
        irq = val & OCW2_L_MASK;
        c->isr &= ~(1 << irq);
        if (val >> 5 == OCW2_ROTATE_SPECIFIC_EOI)
            c->priority_add = (irq + 1) & 7;
        break;
    case OCW2_SET_PRIORITY:
        /* L becomes the lowest priority level. */
        c->priority_add = ((val & OCW2_L_MASK) + 1) & 7;
        break;
    case OCW2_NOP:
        break;
    }
}

static void pic_chip_write(PICState *s, int idx, uint32_t offset, uint8_t val)
{
    PICChip *c = &s->chip[idx];

    trace(LOG_DEV, "pic%d: write %u <- 0x%02x\n", idx, offset, val);
    if (offset == 0) {
        if (val & ICW1_SEL) {
            pic_chip_init_reset(c);
            c->init_state = 1;
            c->init4 = val & ICW1_IC4;
            c->single = !!(val & ICW1_SNGL);
            if (val & ICW1_LTIM)
                trace(LOG_UNIMP, "pic%d: ICW1 LTIM ignored (ELCR controls triggering)\n", idx);
        } else if (val & OCW3_SEL) {
            if (val & OCW3_P)
                c->poll = 1;
            if (val & OCW3_RR)
                c->read_isr = val & OCW3_RIS;
            if (val & OCW3_ESMM)
                c->special_mask = !!(val & OCW3_SMM);
        } else {
            pic_ocw2(c, val);
        }
    } else {
        switch (c->init_state) {
        case 0:
            c->imr = val;
            break;
        case 1:
            c->irq_base = val & 0xf8;
            if (!c->single)
                c->init_state = 2;
            else
                c->init_state = c->init4 ? 3 : 0;
            break;
        case 2:
            /* ICW3: the cascade wiring of a PC is fixed, nothing to record. */
            c->init_state = c->init4 ? 3 : 0;
            break;
        default:
            c->auto_eoi = !!(val & ICW4_AEOI);
            c->sfnm = !!(val & ICW4_SFNM);
            c->init_state = 0;
            break;
        }
    }
    pic_update(s, false);
}

static uint8_t pic_chip_read(PICState *s, int idx, uint32_t offset)
{
    PICChip *c = &s->chip[idx];
    int irq;

    if (c->poll) {
        /* A poll read is an INTA without the vector: bit 7 = request, bits 2..0 = level. */
        c->poll = 0;
        irq = pic_chip_get_irq(c, idx == 0);
        if (irq < 0)
            return 0;
        pic_chip_ack(c, irq);
        pic_update(s, false);
        return 0x80 | irq;
    }
    if (offset == 0)
        return c->read_isr ? c->isr : c->irr;
    return c->imr;
}

static uint32_t pic_master_read(void *opaque, uint32_t offset, unsigned size)
{
    return pic_chip_read(opaque, 0, offset);
}

static void pic_master_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    pic_chip_write(opaque, 0, offset, val);
}

static uint32_t pic_slave_read(void *opaque, uint32_t offset, unsigned size)
{
    return pic_chip_read(opaque, 1, offset);
}

static void pic_slave_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    pic_chip_write(opaque, 1, offset, val);
}

static uint32_t pic_elcr_read(void *opaque, uint32_t offset, unsigned size)
{
    PICState *s = opaque;

    return s->chip[offset & 1].elcr;
}

static void pic_elcr_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    PICState *s = opaque;
    PICChip *c = &s->chip[offset & 1];

    c->elcr = val & c->elcr_mask;
    /* A line switched to level now requests exactly while it is high. */
    c->irr = (c->irr & ~c->elcr) | (c->lines & c->elcr);
    pic_update(s, false);
}

static const IOPortOps pic_master_ops = {
    .read = pic_master_read, .write = pic_master_write, .min_size = 1, .max_size = 1,
};
static const IOPortOps pic_slave_ops = {
    .read = pic_slave_read, .write = pic_slave_write, .min_size = 1, .max_size = 1,
};
static const IOPortOps pic_elcr_ops = {
    .read = pic_elcr_read, .write = pic_elcr_write, .min_size = 1, .max_size = 1,
};

static void pic_reset(void *opaque)
{
    PICState *s = opaque;
    int i;

    for (i = 0; i < 2; i++) {
        PICChip *c = &s->chip[i];

        c->elcr = 0;
        c->elcr_mask = pic_elcr_masks[i];
        pic_chip_init_reset(c);
        c->irq_base = 0;
    }
    pic_update(s, true);
}

static int pic_post_load(void *opaque, int version)
{
    PICState *s = opaque;
    int i;

    for (i = 0; i < 2; i++) {
        PICChip *c = &s->chip[i];

        if (c->init_state > 3)
            return -EINVAL;
        c->elcr_mask = pic_elcr_masks[i];
        c->elcr &= c->elcr_mask;
        c->irq_base &= 0xf8;
    }
    pic_update(s, true);
    return 0;
}

static const VMStateField pic_chip_fields[] = {
    VMSTATE_U8(PICChip, irr),
    VMSTATE_U8(PICChip, isr),
    VMSTATE_U8(PICChip, imr),
    VMSTATE_U8(PICChip, lines),
    VMSTATE_U8(PICChip, elcr),
    VMSTATE_U8(PICChip, priority_add),
    VMSTATE_U8(PICChip, irq_base),
    VMSTATE_U8(PICChip, read_isr),
    VMSTATE_U8(PICChip, poll),
    VMSTATE_U8(PICChip, special_mask),
    VMSTATE_U8(PICChip, init_state),
    VMSTATE_U8(PICChip, init4),
    VMSTATE_U8(PICChip, single),
    VMSTATE_U8(PICChip, auto_eoi),
    VMSTATE_U8(PICChip, rotate_on_aeoi),
    VMSTATE_U8(PICChip, sfnm),
    VMSTATE_U8(PICChip, int_out),
    VMSTATE_END,
};

static const VMStateDescription pic_chip_vmsd = {
    .name = "i8259-chip",
    .version = 1,
    .minimum_version = 1,
    .fields = pic_chip_fields,
};

static const VMStateField pic_fields[] = {
    VMSTATE_STRUCT_ARRAY(PICState, chip, 2, &pic_chip_vmsd),
    VMSTATE_END,
};

static const VMStateDescription pic_vmsd = {
    .name = "i8259",
    .version = 1,
    .minimum_version = 1,
    .post_load = pic_post_load,
    .fields = pic_fields,
};

const DeviceInfo pic_info = {
    .name = "i8259",
    .reset = pic_reset,
    .vmsd = &pic_vmsd,
};

PICState *pic_create(void)
{
    PICState *s = xzalloc(sizeof(*s));

    /* A port conflict is a board bug; ioport_register has said which port. */
    if (ioport_register(PIC_MASTER_BASE, 2, &pic_master_ops, s, "pic-master"))
        goto err_free;
    if (ioport_register(PIC_SLAVE_BASE, 2, &pic_slave_ops, s, "pic-slave"))
        goto err_master;
    if (ioport_register(PIC_ELCR_BASE, 2, &pic_elcr_ops, s, "pic-elcr"))
        goto err_slave;
    pic_reset(s);
    device_register(&pic_info, s);
    return s;

err_slave:
    ioport_unregister(PIC_SLAVE_BASE, 2);
err_master:
    ioport_unregister(PIC_MASTER_BASE, 2);
err_free:
    free(s);
    return NULL;
}
