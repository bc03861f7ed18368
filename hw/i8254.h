/*
 * The 8254 programmable interval timer at 0x40-0x43: channel 0 drives IRQ0,
 * channel 1 is the (unused) refresh counter, channel 2 feeds the speaker and
 * is gated and read back through port 0x61 (owned elsewhere).
 */
#ifndef PCVM_HW_I8254_H
#define PCVM_HW_I8254_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/device.h"
#include "core/irq.h"

#define PIT_FREQ 1193182    /* Hz: the 14.31818 MHz crystal divided by 12 */

typedef struct PITChannel {
    uint32_t count;          /* initial count 1..0x10000 (0 written = 0x10000; BCD: 10000) */
    int64_t load_tick;       /* PIT tick (absolute) at which counting (re)started */
    int64_t paused_ticks;    /* ticks elapsed when the gate stopped a mode 0/4 count */
    uint16_t latched_count;
    uint8_t count_latched;   /* 0, or the RW mode the latch is read with */
    uint8_t status_latched;
    uint8_t status;
    uint8_t read_state;      /* RW_LSB/RW_MSB/RW_WORD0/RW_WORD1 */
    uint8_t write_state;
    uint8_t write_latch;     /* LSB waiting for its MSB */
    uint8_t rw_mode;         /* control word bits 5..4 */
    uint8_t mode;            /* 0..5 */
    uint8_t bcd;
    uint8_t gate;
    uint8_t have_count;      /* a count was written since the control word */
    uint8_t counting;        /* CE holds a count and runs (else waiting for count/trigger) */
    uint8_t paused;          /* mode 0/4 count held by a low gate */
    uint8_t null_count;      /* status bit 6: count written but not loaded into CE */
    uint8_t out;             /* OUT level when not counting */
    uint8_t irq_level;       /* last level given to the IRQ line (channel 0) */
} PITChannel;

typedef struct PITState {
    PITChannel ch[3];
    IrqLine irq;
    Timer timer;             /* next OUT transition of channel 0 */
    int64_t next_tick;       /* the tick that timer stands for (-1: none) */
    uint16_t base;
} PITState;

extern const DeviceInfo pit_info;

/* Ports base..base+3; NULL if a port is already taken (reported). */
PITState *pit_create(uint16_t base, IrqLine irq0);
/* GATE input of a channel (only channel 2 is not tied high on a PC). */
void pit_set_gate(PITState *s, int ch, int level);
int pit_get_gate(PITState *s, int ch);
/* OUT level of a channel now. */
int pit_get_out(PITState *s, int ch);
/* For the speaker: mode and initial count (1..65536) of a channel. */
int pit_get_mode(PITState *s, int ch);
uint32_t pit_get_initial_count(PITState *s, int ch);

#endif
