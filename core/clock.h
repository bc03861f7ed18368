/*
 * Clocks and timers.  Devices read only CLOCK_VIRTUAL, which stops while the
 * machine is paused; CLOCK_HOST is wall time for the front ends.  In test
 * mode the virtual clock moves only when clock_step() moves it.
 */
#ifndef PCVM_CLOCK_H
#define PCVM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ClockType {
    CLOCK_VIRTUAL,
    CLOCK_HOST,
    CLOCK__MAX
} ClockType;

#define NANOSECONDS_PER_SECOND 1000000000LL

typedef void TimerCb(void *opaque);

typedef struct Timer {
    ClockType clock;
    int64_t expire;          /* ns on its clock; -1 when not armed */
    TimerCb *cb;
    void *opaque;
    struct Timer *next;      /* in the armed list, sorted by expire */
} Timer;

int64_t clock_ns(ClockType clock);

void timer_init(Timer *t, ClockType clock, TimerCb *cb, void *opaque);
Timer *timer_new(ClockType clock, TimerCb *cb, void *opaque);
void timer_free(Timer *t);
/* (Re)arm to fire when the clock reaches expire_ns. */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
int64_t timer_expire(const Timer *t);

/* Run every expired timer; returns true if any ran.  Caller holds the big lock. */
bool timers_run_expired(void);
/* ns until the earliest armed timer on any clock (-1: none). */
int64_t timers_deadline_ns(void);

/* Virtual clock control (main loop, monitor, save/load). */
void clock_virtual_pause(void);
void clock_virtual_resume(void);
bool clock_virtual_running(void);

/* Test mode: the virtual clock starts at 0 and moves only by clock_step(). */
void clock_set_test_mode(bool on);
/* Advance the virtual clock by ns, firing timers in order as it passes them. */
void clock_step(int64_t ns);

/* Called when a timer is armed earlier than before (the main loop wakes up). */
extern void (*clock_deadline_changed)(void);

#endif
