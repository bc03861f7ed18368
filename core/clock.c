/*
 * Virtual and host clocks and the timer lists.  The virtual clock follows
 * the host monotonic clock while the machine runs and stands still while it
 * is paused; in test mode it moves only through clock_step().
 */
#include <time.h>

#include "core/common.h"
#include "core/clock.h"

static Timer *active[CLOCK__MAX];
static bool test_mode;
static int64_t test_now;
static bool virt_running = true;
static int64_t virt_offset;       /* virtual = host_monotonic - virt_offset */
static int64_t virt_paused_at;

void (*clock_deadline_changed)(void);

static int64_t host_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

int64_t clock_ns(ClockType clock)
{
    if (clock == CLOCK_HOST) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
    }
    if (test_mode)
        return test_now;
    if (!virt_running)
        return virt_paused_at;
    return host_monotonic_ns() - virt_offset;
}

void clock_virtual_pause(void)
{
    if (!virt_running || test_mode)
        return;
    virt_paused_at = clock_ns(CLOCK_VIRTUAL);
    virt_running = false;
}

void clock_virtual_resume(void)
{
    if (virt_running || test_mode)
        return;
    virt_offset = host_monotonic_ns() - virt_paused_at;
    virt_running = true;
}

bool clock_virtual_running(void)
{
    return virt_running;
}

void clock_set_test_mode(bool on)
{
    test_mode = on;
    test_now = 0;
}

void timer_init(Timer *t, ClockType clock, TimerCb *cb, void *opaque)
{
    t->clock = clock;
    t->expire = -1;
    t->cb = cb;
    t->opaque = opaque;
    t->next = NULL;
}

Timer *timer_new(ClockType clock, TimerCb *cb, void *opaque)
{
    Timer *t = xmalloc(sizeof(*t));
    timer_init(t, clock, cb, opaque);
    return t;
}

void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        free(t);
    }
}

void timer_del(Timer *t)
{
    if (t->expire < 0)
        return;
    for (Timer **p = &active[t->clock]; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->expire = -1;
    t->next = NULL;
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    Timer **p;

    timer_del(t);
    if (expire_ns < 0)
        expire_ns = 0;
    t->expire = expire_ns;
    for (p = &active[t->clock]; *p && (*p)->expire <= expire_ns; p = &(*p)->next)
        ;
    t->next = *p;
    *p = t;
    if (p == &active[t->clock] && clock_deadline_changed)
        clock_deadline_changed();
}

bool timer_pending(const Timer *t)
{
    return t->expire >= 0;
}

int64_t timer_expire(const Timer *t)
{
    return t->expire;
}

static bool timers_run_clock(ClockType clock, int64_t now)
{
    bool ran = false;

    while (active[clock] && active[clock]->expire <= now) {
        Timer *t = active[clock];
        active[clock] = t->next;
        t->next = NULL;
        t->expire = -1;
        t->cb(t->opaque);
        ran = true;
    }
    return ran;
}

bool timers_run_expired(void)
{
    bool ran = false;

    if (virt_running)
        ran |= timers_run_clock(CLOCK_VIRTUAL, clock_ns(CLOCK_VIRTUAL));
    ran |= timers_run_clock(CLOCK_HOST, clock_ns(CLOCK_HOST));
    return ran;
}

int64_t timers_deadline_ns(void)
{
    int64_t best = -1;

    for (int c = 0; c < CLOCK__MAX; c++) {
        if (!active[c] || (c == CLOCK_VIRTUAL && (!virt_running || test_mode)))
            continue;
        int64_t d = active[c]->expire - clock_ns(c);
        if (d < 0)
            d = 0;
        if (best < 0 || d < best)
            best = d;
    }
    return best;
}

void clock_step(int64_t ns)
{
    int64_t target = test_now + ns;

    /* Fire timers in order, with the clock reading each one's expiry. */
    while (active[CLOCK_VIRTUAL] && active[CLOCK_VIRTUAL]->expire <= target) {
        Timer *t = active[CLOCK_VIRTUAL];
        if (t->expire > test_now)
            test_now = t->expire;
        active[CLOCK_VIRTUAL] = t->next;
        t->next = NULL;
        t->expire = -1;
        t->cb(t->opaque);
    }
    test_now = target;
}
