/*
 * The PC's pair of 8259A programmable interrupt controllers (master at
 * 0x20, slave at 0xa0 cascaded on IRQ2) with the PIIX ELCR at 0x4d0/0x4d1.
 */
#ifndef PCVM_HW_I8259_H
#define PCVM_HW_I8259_H

#include <stdint.h>

#include "core/device.h"
#include "core/irq.h"

typedef struct PICChip {
    uint8_t irr;            /* interrupt request register */
    uint8_t isr;            /* in-service register */
    uint8_t imr;            /* interrupt mask register (OCW1) */
    uint8_t lines;          /* current level of the IR inputs */
    uint8_t elcr;           /* PIIX edge/level control: 1 = level */
    uint8_t elcr_mask;      /* ELCR bits that exist on this chip */
    uint8_t priority_add;   /* IR level that has the highest priority */
    uint8_t irq_base;       /* vector of IR0 (ICW2) */
    uint8_t read_isr;       /* OCW3 RR/RIS: read ISR instead of IRR */
    uint8_t poll;           /* OCW3 P: next read is a poll */
    uint8_t special_mask;   /* OCW3 SMM */
    uint8_t init_state;     /* 0 = operational, 1..3 = expecting ICW2..ICW4 */
    uint8_t init4;          /* ICW1 IC4: ICW4 will follow */
    uint8_t single;         /* ICW1 SNGL: no ICW3 */
    uint8_t auto_eoi;       /* ICW4 AEOI */
    uint8_t rotate_on_aeoi; /* OCW2 R with AEOI */
    uint8_t sfnm;           /* ICW4 special fully nested mode */
    uint8_t int_out;        /* INT pin level, for the cascade and traces */
} PICChip;

typedef struct PICState {
    PICChip chip[2];        /* 0 = master, 1 = slave */
} PICState;

extern const DeviceInfo pic_info;

/* Create the pair, register ports 0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1.
 * NULL if a port is already taken (reported). */
PICState *pic_create(void);
/* IRQ input n (0..15); level 1 = asserted.  IRQ2 is the cascade: the ISA
 * bus's IRQ2 pin arrives at IRQ9, as on every AT. */
void pic_set_irq(void *opaque, int n, int level);
IrqLine pic_irq(PICState *s, int n);
/* Interrupt acknowledge cycle: returns the vector (spurious IRQ7/15 if none). */
int pic_intack(void *opaque);
/* INT output of the master (what cpus_set_intr was last told). */
int pic_get_output(PICState *s);

#endif
