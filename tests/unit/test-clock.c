/*
 * Virtual clock and timers in test mode: order, re-arming from callbacks,
 * deletion, the clock value seen by callbacks.
 */
#include "core/clock.h"
#include "core/common.h"
#include "tests/unit/tap.h"

static int64_t fired_at[8];
static int fired_n;
static Timer ta, tb, tperiodic;
static int periodic_count;

static void cb_record(void *opaque)
{
    if (fired_n < 8)
        fired_at[fired_n++] = clock_ns(CLOCK_VIRTUAL);
}

static void cb_periodic(void *opaque)
{
    periodic_count++;
    timer_mod(&tperiodic, clock_ns(CLOCK_VIRTUAL) + 1000);
}

int main(void)
{
    clock_set_test_mode(true);
    is_int(clock_ns(CLOCK_VIRTUAL), 0, "test clock starts at 0");

    timer_init(&ta, CLOCK_VIRTUAL, cb_record, NULL);
    timer_init(&tb, CLOCK_VIRTUAL, cb_record, NULL);
    timer_mod(&ta, 500);
    timer_mod(&tb, 200);
    ok(timer_pending(&ta) && timer_pending(&tb), "both timers pending");
    clock_step(100);
    is_int(fired_n, 0, "nothing fires before its time");
    clock_step(1000);
    is_int(fired_n, 2, "both fired");
    is_int(fired_at[0], 200, "earlier timer first, clock reads its expiry");
    is_int(fired_at[1], 500, "later timer second");
    is_int(clock_ns(CLOCK_VIRTUAL), 1100, "clock ends at the step target");
    ok(!timer_pending(&ta), "fired timer is no longer pending");

    timer_mod(&ta, 2000);
    timer_del(&ta);
    clock_step(5000);
    is_int(fired_n, 2, "deleted timer does not fire");

    timer_init(&tperiodic, CLOCK_VIRTUAL, cb_periodic, NULL);
    timer_mod(&tperiodic, clock_ns(CLOCK_VIRTUAL) + 1000);
    clock_step(10000);
    is_int(periodic_count, 10, "a timer re-armed from its callback fires every period");

    timer_mod(&ta, clock_ns(CLOCK_VIRTUAL) + 10);
    timer_mod(&ta, clock_ns(CLOCK_VIRTUAL) + 50);
    fired_n = 0;
    clock_step(20);
    is_int(fired_n, 0, "re-arming moves the timer");
    clock_step(40);
    is_int(fired_n, 1, "... and it fires once at the new time");
    return done_testing();
}
