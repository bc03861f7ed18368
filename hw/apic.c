/*
 * Local APIC, xAPIC mode (Intel SDM vol. 3A chapter 10): registers, priority
 * (TPR/PPR), IRR/ISR/TMR, EOI, LVT, the timer (one-shot, periodic,
 * TSC-deadline), IPIs through the ICR, and the APIC bus between the APICs.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/cpus.h"
#include "core/device.h"
#include "core/memory.h"
#include "hw/apic.h"

/* Register offsets >> 4 (SDM table 10-1) */
#define APIC_REG_ID         0x02
#define APIC_REG_VERSION    0x03
#define APIC_REG_TPR        0x08
#define APIC_REG_APR        0x09
#define APIC_REG_PPR        0x0a
#define APIC_REG_EOI        0x0b
#define APIC_REG_RRD        0x0c
#define APIC_REG_LDR        0x0d
#define APIC_REG_DFR        0x0e
#define APIC_REG_SVR        0x0f
#define APIC_REG_ISR        0x10   /* ..0x17 */
#define APIC_REG_TMR        0x18   /* ..0x1f */
#define APIC_REG_IRR        0x20   /* ..0x27 */
#define APIC_REG_ESR        0x28
#define APIC_REG_ICR_LO     0x30
#define APIC_REG_ICR_HI     0x31
#define APIC_REG_LVT        0x32   /* ..0x37: timer, thermal, perf, LINT0, LINT1, error */
#define APIC_REG_TMICT      0x38
#define APIC_REG_TMCCT      0x39
#define APIC_REG_TDCR       0x3e

/* Version register: version 0x14, 6 LVT entries (max LVT index 5) */
#define APIC_VERSION_VALUE  0x00050014

/* SVR */
#define APIC_SVR_ENABLE     (1u << 8)
#define APIC_SVR_FOCUS_OFF  (1u << 9)

/* ESR bits (SDM 10.5.3) */
#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER    (1u << 7)

/* LVT bits */
#define APIC_LVT_VECTOR         0x000000ffu
#define APIC_LVT_DELMODE_SHIFT  8
#define APIC_LVT_DELIVS         (1u << 12)
#define APIC_LVT_POLARITY       (1u << 13)
#define APIC_LVT_REMOTE_IRR     (1u << 14)
#define APIC_LVT_LEVEL          (1u << 15)
#define APIC_LVT_MASKED         (1u << 16)
#define APIC_LVT_TIMER_SHIFT    17
#define APIC_LVT_TIMER_MODE     (3u << 17)

#define APIC_TIMER_ONESHOT      0
#define APIC_TIMER_PERIODIC     1
#define APIC_TIMER_TSC_DEADLINE 2

/* Delivery modes (ICR and LVT) */
#define APIC_DM_FIXED    0
#define APIC_DM_LOWEST   1
#define APIC_DM_SMI      2
#define APIC_DM_NMI      4
#define APIC_DM_INIT     5
#define APIC_DM_SIPI     6
#define APIC_DM_EXTINT   7

/* ICR low bits */
#define APIC_ICR_DESTMOD        (1u << 11)   /* 1 = logical */
#define APIC_ICR_DELIVS         (1u << 12)
#define APIC_ICR_LEVEL          (1u << 14)   /* 1 = assert */
#define APIC_ICR_TRIGGER        (1u << 15)   /* 1 = level */
#define APIC_ICR_SHORTHAND_SHIFT 18
#define APIC_SH_NONE            0
#define APIC_SH_SELF            1
#define APIC_SH_ALL             2
#define APIC_SH_ALL_BUT_SELF    3

/* DFR models */
#define APIC_DFR_FLAT           0xf
#define APIC_DFR_CLUSTER        0x0

/*
 * A periodic timer shorter than this would make the host do nothing but
 * deliver timer interrupts; KVM clamps the same way.  Counts read by the
 * guest still follow the programmed period.
 */
#define APIC_MIN_PERIOD_NS      50000

static APICState *apic_bus[APIC_MAX_CPUS];
static ApicEoiHookFn *apic_eoi_hook;
static void *apic_eoi_opaque;
static MemRegion *apic_mmio_region;
static const APICCpuOps apic_no_ops;

static void apic_local_deliver(APICState *s, int lvt_index);

/* --- 256-bit registers --- */

static void apic_bit_set(uint32_t *tab, int v) { tab[v >> 5] |= 1u << (v & 31); }
static void apic_bit_clear(uint32_t *tab, int v) { tab[v >> 5] &= ~(1u << (v & 31)); }
static bool apic_bit_test(const uint32_t *tab, int v) { return tab[v >> 5] & (1u << (v & 31)); }

/* Highest vector set, or -1. */
static int apic_highest(const uint32_t *tab)
{
    for (int i = 7; i >= 0; i--)
        if (tab[i])
            return i * 32 + 31 - __builtin_clz(tab[i]);
    return -1;
}

static bool apic_hw_enabled(const APICState *s)
{
    return s->apicbase & MSR_APICBASE_ENABLE;
}

static bool apic_sw_enabled(const APICState *s)
{
    return apic_hw_enabled(s) && (s->spurious_vec & APIC_SVR_ENABLE);
}

/* Processor priority (SDM 10.8.3.1). */
static uint8_t apic_ppr(const APICState *s)
{
    int isrv = apic_highest(s->isr);
    uint8_t isr_class = isrv < 0 ? 0 : (isrv & 0xf0);

    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

static uint8_t apic_apr(const APICState *s)
{
    int v = MAX(apic_highest(s->isr), apic_highest(s->irr));
    uint8_t cls = v < 0 ? 0 : (v & 0xf0);

    return (s->tpr & 0xf0) >= cls ? s->tpr : cls;
}

/* The vector the APIC would hand the CPU now, or -1. */
static int apic_pending_vector(const APICState *s)
{
    if (!apic_sw_enabled(s))
        return -1;
    int irrv = apic_highest(s->irr);
    if (irrv < 0 || (irrv & 0xf0) <= (apic_ppr(s) & 0xf0))
        return -1;
    return irrv;
}

bool apic_accept_pic_intr(APICState *s)
{
    uint32_t lvt0 = s->lvt[APIC_LVT_LINT0];

    if (!apic_hw_enabled(s))
        return true;                    /* no APIC in the way: INTR goes straight in */
    return !(lvt0 & APIC_LVT_MASKED) &&
           ((lvt0 >> APIC_LVT_DELMODE_SHIFT) & 7) == APIC_DM_EXTINT;
}

bool apic_has_interrupt(APICState *s)
{
    if (apic_pending_vector(s) >= 0)
        return true;
    if (apic_hw_enabled(s) && s->extint_pending)
        return true;
    return apic_accept_pic_intr(s) && cpus_intr_pending();
}

/* Tell the CPU when it has something to take. */
static void apic_update(APICState *s)
{
    if (s->ops->interrupt_changed && apic_has_interrupt(s))
        s->ops->interrupt_changed(s->opaque);
}

int apic_get_interrupt(APICState *s)
{
    int v = apic_pending_vector(s);

    if (v >= 0) {
        apic_bit_clear(s->irr, v);
        apic_bit_set(s->isr, v);
        trace(LOG_INT, "apic%d: interrupt 0x%02x taken\n", s->cpu_index, v);
        return v;
    }
    if (apic_hw_enabled(s) && s->extint_pending) {
        s->extint_pending = false;
        return cpus_intack();
    }
    if (apic_accept_pic_intr(s) && cpus_intr_pending())
        return cpus_intack();
    return -1;
}

uint8_t apic_get_cr8(APICState *s)
{
    return s->tpr >> 4;
}

void apic_set_cr8(APICState *s, uint8_t val)
{
    s->tpr = (val & 0xf) << 4;
    apic_update(s);
}

/* --- accepting messages --- */

static void apic_error(APICState *s, uint32_t bits)
{
    s->esr_pending |= bits;
    apic_local_deliver(s, APIC_LVT_ERROR);
}

static void apic_set_irr(APICState *s, uint8_t vector, bool level)
{
    if (vector < 16) {
        /* vectors 0-15 are reserved: refused, and reported in ESR */
        apic_error(s, APIC_ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    apic_bit_set(s->irr, vector);
    if (level)
        apic_bit_set(s->tmr, vector);
    else
        apic_bit_clear(s->tmr, vector);
    apic_update(s);
}

static void apic_init_reset(APICState *s);

/* One message for this APIC, from the bus or from its own LVT. */
static void apic_accept(APICState *s, uint8_t mode, uint8_t vector, bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        if (!apic_sw_enabled(s)) {
            trace(LOG_INT, "apic%d: vector 0x%02x dropped, APIC disabled\n", s->cpu_index,
                  vector);
            return;
        }
        apic_set_irr(s, vector, level);
        break;
    case APIC_DM_SMI:
        if (s->ops->smi)
            s->ops->smi(s->opaque);
        else
            trace(LOG_UNIMP, "apic%d: SMI not implemented\n", s->cpu_index);
        break;
    case APIC_DM_NMI:
        if (s->ops->nmi)
            s->ops->nmi(s->opaque);
        else
            cpus_raise_nmi();
        break;
    case APIC_DM_INIT:
        apic_init_reset(s);
        if (s->ops->init)
            s->ops->init(s->opaque);
        break;
    case APIC_DM_SIPI:
        if (s->ops->sipi)
            s->ops->sipi(s->opaque, vector);
        break;
    case APIC_DM_EXTINT:
        s->extint_pending = true;
        apic_update(s);
        break;
    default:
        trace(LOG_GUEST_ERROR, "apic%d: reserved delivery mode %u\n", s->cpu_index, mode);
        break;
    }
}

/* An LVT entry fires (timer expiry, LINT edge, error). */
static void apic_local_deliver(APICState *s, int lvt_index)
{
    uint32_t lvt = s->lvt[lvt_index];
    uint8_t mode = (lvt >> APIC_LVT_DELMODE_SHIFT) & 7;

    if (lvt & APIC_LVT_MASKED)
        return;
    if (lvt_index == APIC_LVT_TIMER || lvt_index == APIC_LVT_ERROR)
        mode = APIC_DM_FIXED;         /* these have no delivery mode field */
    switch (mode) {
    case APIC_DM_FIXED:
        if (!apic_sw_enabled(s))
            return;
        if ((lvt & APIC_LVT_VECTOR) < 16) {
            if (lvt_index != APIC_LVT_ERROR)
                apic_error(s, APIC_ESR_RECV_ILLEGAL_VECTOR);
            return;
        }
        apic_set_irr(s, lvt & APIC_LVT_VECTOR,
                     (lvt_index == APIC_LVT_LINT0 || lvt_index == APIC_LVT_LINT1) &&
                     (lvt & APIC_LVT_LEVEL));
        break;
    case APIC_DM_EXTINT:
        apic_update(s);               /* the PIC's INTR now passes through */
        break;
    default:
        apic_accept(s, mode, lvt & APIC_LVT_VECTOR, false);
        break;
    }
}

void apic_set_lint(APICState *s, int pin, int level)
{
    if (pin < 0 || pin > 1)
        return;
    uint8_t bit = 1u << pin;
    bool old = s->lint_level & bit;

    s->lint_level = level ? (s->lint_level | bit) : (s->lint_level & ~bit);
    if (level && !old)
        apic_local_deliver(s, pin ? APIC_LVT_LINT1 : APIC_LVT_LINT0);
}

/* --- the APIC bus --- */

static bool apic_match_dest(const APICState *t, uint8_t dest, bool logical)
{
    if (!apic_hw_enabled(t))
        return false;
    if (dest == 0xff)
        return true;                  /* broadcast, physical or logical */
    if (!logical)
        return t->id == dest;
    if (t->dfr_model == APIC_DFR_FLAT)
        return (t->ldr & dest) != 0;
    /* cluster model: 4-bit cluster ID, 4-bit member mask */
    return (t->ldr >> 4) == (dest >> 4) && (t->ldr & dest & 0x0f);
}

/*
 * Send one message to the APICs selected by shorthand/destination.  Lowest
 * priority goes to the one target with the lowest TPR (first wins a tie):
 * the arbitration of SDM 10.6.2.4 without focus processor checking.
 */
static void apic_bus_send(APICState *src, int shorthand, uint8_t dest, bool logical,
                          uint8_t mode, uint8_t vector, bool level)
{
    APICState *targets[APIC_MAX_CPUS];
    int n = 0;

    for (int i = 0; i < APIC_MAX_CPUS; i++) {
        APICState *t = apic_bus[i];
        if (!t)
            continue;
        bool match;
        switch (shorthand) {
        case APIC_SH_SELF:         match = t == src; break;
        case APIC_SH_ALL:          match = apic_hw_enabled(t); break;
        case APIC_SH_ALL_BUT_SELF: match = t != src && apic_hw_enabled(t); break;
        default:                   match = apic_match_dest(t, dest, logical); break;
        }
        if (match)
            targets[n++] = t;
    }
    if (mode == APIC_DM_LOWEST && n > 1) {
        APICState *best = NULL;
        for (int i = 0; i < n; i++)
            if (apic_sw_enabled(targets[i]) && (!best || targets[i]->tpr < best->tpr))
                best = targets[i];
        if (!best)
            best = targets[0];
        targets[0] = best;
        n = 1;
    }
    for (int i = 0; i < n; i++)
        apic_accept(targets[i], mode, vector, level);
}

void apic_bus_deliver(void *opaque, uint8_t dest, bool dest_logical, uint8_t vector,
                      uint8_t delivery_mode, bool level_trigger)
{
    apic_bus_send(NULL, APIC_SH_NONE, dest, dest_logical, delivery_mode & 7, vector,
                  level_trigger);
}

void apic_msi_deliver(uint64_t addr, uint32_t data)
{
    if ((addr & ~0xfffffULL) != APIC_DEFAULT_BASE) {
        trace(LOG_GUEST_ERROR, "apic: MSI to 0x%llx dropped\n", (unsigned long long)addr);
        return;
    }
    apic_bus_send(NULL, APIC_SH_NONE, (addr >> 12) & 0xff, addr & 4, (data >> 8) & 7,
                  data & 0xff, data & (1u << 15));
}

void apic_bus_set_eoi_hook(ApicEoiHookFn *fn, void *opaque)
{
    apic_eoi_hook = fn;
    apic_eoi_opaque = opaque;
}

APICState *apic_by_cpu(int cpu_index)
{
    if (cpu_index < 0 || cpu_index >= APIC_MAX_CPUS)
        return NULL;
    return apic_bus[cpu_index];
}

/* ICR low written: send the IPI (SDM 10.6.1). */
static void apic_send_ipi(APICState *s)
{
    uint32_t lo = s->icr[0];
    uint8_t vector = lo & 0xff;
    uint8_t mode = (lo >> 8) & 7;
    int shorthand = (lo >> APIC_ICR_SHORTHAND_SHIFT) & 3;
    bool logical = lo & APIC_ICR_DESTMOD;
    bool trigger_level = lo & APIC_ICR_TRIGGER;
    uint8_t dest = s->icr[1] >> 24;

    trace(LOG_INT, "apic%d: IPI mode %u vector 0x%02x dest 0x%02x%s shorthand %d\n",
          s->cpu_index, mode, vector, dest, logical ? " logical" : "", shorthand);
    if (mode == APIC_DM_INIT && trigger_level && !(lo & APIC_ICR_LEVEL))
        return;       /* INIT level de-assert: only resynchronises arbitration IDs */
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
        apic_error(s, APIC_ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    if (mode == APIC_DM_LOWEST && shorthand != APIC_SH_NONE)
        mode = APIC_DM_FIXED;
    if (mode == APIC_DM_EXTINT || mode == 3) {
        trace(LOG_GUEST_ERROR, "apic%d: IPI with delivery mode %u ignored\n", s->cpu_index,
              mode);
        return;
    }
    apic_bus_send(s, shorthand, dest, logical, mode, vector, trigger_level);
}

static void apic_eoi(APICState *s)
{
    int v = apic_highest(s->isr);

    if (v < 0)
        return;
    apic_bit_clear(s->isr, v);
    if (apic_bit_test(s->tmr, v) && apic_eoi_hook)
        apic_eoi_hook(apic_eoi_opaque, v);
    apic_update(s);
}

/* --- timer --- */

static int apic_timer_mode(const APICState *s)
{
    return (s->lvt[APIC_LVT_TIMER] & APIC_LVT_TIMER_MODE) >> APIC_LVT_TIMER_SHIFT;
}

/* Divide configuration 0000 -> /2 ... 1010 -> /128, 1011 -> /1 (SDM figure 10-10). */
static int apic_count_shift(const APICState *s)
{
    uint32_t v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);
    return (v + 1) & 7;
}

/* One bus tick per virtual ns: a count of N with divide 2^k lasts N << k ns. */
static int64_t apic_period_ns(const APICState *s)
{
    return (int64_t)((uint64_t)s->initial_count << apic_count_shift(s));
}

static uint32_t apic_current_count(const APICState *s)
{
    if (!s->initial_count || apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE)
        return 0;
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    uint64_t ticks = now > s->load_time ? (uint64_t)(now - s->load_time) >> apic_count_shift(s) : 0;

    if (apic_timer_mode(s) == APIC_TIMER_PERIODIC)
        return s->initial_count - ticks % s->initial_count;
    return ticks >= s->initial_count ? 0 : s->initial_count - ticks;
}

/* Arm the Timer for the next expiry of a one-shot/periodic count. */
static void apic_timer_arm(APICState *s, int64_t now)
{
    int64_t period = apic_period_ns(s);

    if (!s->initial_count || apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE) {
        s->next_time = -1;
        timer_del(&s->timer);
        return;
    }
    if (apic_timer_mode(s) == APIC_TIMER_PERIODIC) {
        /* the first period boundary after now */
        int64_t n = now > s->load_time ? (now - s->load_time) / period + 1 : 1;
        s->next_time = s->load_time + n * period;
        if (s->next_time - now < APIC_MIN_PERIOD_NS && now > s->load_time)
            s->next_time = now + APIC_MIN_PERIOD_NS;
    } else {
        s->next_time = s->load_time + period;
        if (s->next_time <= now && now > s->load_time) {
            s->next_time = -1;        /* already expired and delivered */
            timer_del(&s->timer);
            return;
        }
    }
    timer_mod(&s->timer, s->next_time);
}

static uint64_t apic_read_tsc(APICState *s)
{
    if (s->ops->read_tsc)
        return s->ops->read_tsc(s->opaque);
    return clock_ns(CLOCK_VIRTUAL);
}

static void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;
    int64_t now = clock_ns(CLOCK_VIRTUAL);

    if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE) {
        if (!s->tsc_deadline)
            return;
        if (apic_read_tsc(s) < s->tsc_deadline && s->ops->read_tsc) {
            /* the guest's TSC runs slower than our estimate: look again later */
            timer_mod(&s->timer, now + 1000);
            return;
        }
        s->tsc_deadline = 0;
        apic_local_deliver(s, APIC_LVT_TIMER);
        return;
    }
    if (!s->initial_count)
        return;
    apic_local_deliver(s, APIC_LVT_TIMER);
    if (apic_timer_mode(s) == APIC_TIMER_PERIODIC)
        apic_timer_arm(s, now);
    else
        s->next_time = -1;
}

uint64_t apic_get_tsc_deadline(APICState *s)
{
    if (apic_timer_mode(s) != APIC_TIMER_TSC_DEADLINE)
        return 0;
    return s->tsc_deadline;
}

void apic_set_tsc_deadline(APICState *s, uint64_t deadline)
{
    if (apic_timer_mode(s) != APIC_TIMER_TSC_DEADLINE)
        return;                       /* SDM 10.5.4.1: ignored in the other modes */
    s->tsc_deadline = deadline;
    if (!deadline) {
        timer_del(&s->timer);
        return;
    }
    uint64_t tsc = apic_read_tsc(s);
    if (deadline <= tsc) {
        timer_del(&s->timer);
        s->tsc_deadline = 0;
        apic_local_deliver(s, APIC_LVT_TIMER);
        return;
    }
    uint64_t hz = s->tsc_hz ? s->tsc_hz : NANOSECONDS_PER_SECOND;
    unsigned __int128 ns = (unsigned __int128)(deadline - tsc) * NANOSECONDS_PER_SECOND / hz;
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    /* a deadline centuries away is as good as never */
    int64_t expire = ns > (unsigned __int128)(INT64_MAX / 2) ? INT64_MAX / 2 : now + (int64_t)ns;
    timer_mod(&s->timer, expire);
}

void apic_set_tsc_hz(APICState *s, uint64_t hz)
{
    s->tsc_hz = hz;
}

static void apic_write_lvt_timer(APICState *s, uint32_t val)
{
    int old_mode = apic_timer_mode(s);

    s->lvt[APIC_LVT_TIMER] = val;
    int mode = apic_timer_mode(s);
    if ((old_mode == APIC_TIMER_TSC_DEADLINE) != (mode == APIC_TIMER_TSC_DEADLINE)) {
        /* SDM 10.5.4.1: switching to/from TSC-deadline mode disarms the timer */
        s->initial_count = 0;
        s->tsc_deadline = 0;
        s->next_time = -1;
        timer_del(&s->timer);
        return;
    }
    if (mode != APIC_TIMER_TSC_DEADLINE && old_mode != mode)
        apic_timer_arm(s, clock_ns(CLOCK_VIRTUAL));
}

/* --- registers --- */

/* Writable bits of each LVT entry. */
static const uint32_t apic_lvt_writable[APIC_LVT_NB] = {
    [APIC_LVT_TIMER]   = APIC_LVT_VECTOR | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE,
    [APIC_LVT_THERMAL] = APIC_LVT_VECTOR | 0x700 | APIC_LVT_MASKED,
    [APIC_LVT_PERF]    = APIC_LVT_VECTOR | 0x700 | APIC_LVT_MASKED,
    [APIC_LVT_LINT0]   = APIC_LVT_VECTOR | 0x700 | APIC_LVT_POLARITY | APIC_LVT_LEVEL |
                         APIC_LVT_MASKED,
    [APIC_LVT_LINT1]   = APIC_LVT_VECTOR | 0x700 | APIC_LVT_POLARITY | APIC_LVT_LEVEL |
                         APIC_LVT_MASKED,
    [APIC_LVT_ERROR]   = APIC_LVT_VECTOR | APIC_LVT_MASKED,
};

uint32_t apic_mmio_read(APICState *s, uint32_t offset)
{
    uint32_t reg = (offset >> 4) & 0xff;
    uint32_t val;

    if (!apic_hw_enabled(s) || (offset & 0xf) || offset >= 0x1000)
        return 0;
    switch (reg) {
    case APIC_REG_ID:      val = (uint32_t)s->id << 24; break;
    case APIC_REG_VERSION: val = APIC_VERSION_VALUE; break;
    case APIC_REG_TPR:     val = s->tpr; break;
    case APIC_REG_APR:     val = apic_apr(s); break;
    case APIC_REG_PPR:     val = apic_ppr(s); break;
    case APIC_REG_EOI:     val = 0; break;
    case APIC_REG_RRD:     val = 0; break;
    case APIC_REG_LDR:     val = (uint32_t)s->ldr << 24; break;
    case APIC_REG_DFR:     val = ((uint32_t)s->dfr_model << 28) | 0x0fffffff; break;
    case APIC_REG_SVR:     val = s->spurious_vec; break;
    case APIC_REG_ISR ... APIC_REG_ISR + 7: val = s->isr[reg - APIC_REG_ISR]; break;
    case APIC_REG_TMR ... APIC_REG_TMR + 7: val = s->tmr[reg - APIC_REG_TMR]; break;
    case APIC_REG_IRR ... APIC_REG_IRR + 7: val = s->irr[reg - APIC_REG_IRR]; break;
    case APIC_REG_ESR:     val = s->esr; break;
    case APIC_REG_ICR_LO:  val = s->icr[0]; break;
    case APIC_REG_ICR_HI:  val = s->icr[1]; break;
    case APIC_REG_LVT ... APIC_REG_LVT + APIC_LVT_NB - 1:
        val = s->lvt[reg - APIC_REG_LVT];
        break;
    case APIC_REG_TMICT:   val = s->initial_count; break;
    case APIC_REG_TMCCT:   val = apic_current_count(s); break;
    case APIC_REG_TDCR:    val = s->divide_conf; break;
    default:
        trace(LOG_GUEST_ERROR, "apic%d: read of reserved register 0x%03x\n", s->cpu_index,
              offset);
        apic_error(s, APIC_ESR_ILLEGAL_REGISTER);
        val = 0;
        break;
    }
    return val;
}

void apic_mmio_write(APICState *s, uint32_t offset, uint32_t val)
{
    uint32_t reg = (offset >> 4) & 0xff;

    if (!apic_hw_enabled(s) || (offset & 0xf) || offset >= 0x1000)
        return;
    switch (reg) {
    case APIC_REG_ID:
        s->id = val >> 24;
        break;
    case APIC_REG_TPR:
        s->tpr = val & 0xff;
        apic_update(s);
        break;
    case APIC_REG_EOI:
        apic_eoi(s);
        break;
    case APIC_REG_LDR:
        s->ldr = val >> 24;
        break;
    case APIC_REG_DFR:
        s->dfr_model = val >> 28;
        break;
    case APIC_REG_SVR:
        s->spurious_vec = val & (0xff | APIC_SVR_ENABLE | APIC_SVR_FOCUS_OFF);
        if (!(s->spurious_vec & APIC_SVR_ENABLE)) {
            /* SDM 10.4.7.2: software disable masks every LVT entry */
            for (int i = 0; i < APIC_LVT_NB; i++)
                s->lvt[i] |= APIC_LVT_MASKED;
        }
        apic_update(s);
        break;
    case APIC_REG_ESR:
        /* a write latches the errors seen since the last write */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case APIC_REG_ICR_LO:
        s->icr[0] = val & ~APIC_ICR_DELIVS;   /* delivery is instantaneous: idle */
        apic_send_ipi(s);
        break;
    case APIC_REG_ICR_HI:
        s->icr[1] = val & 0xff000000;
        break;
    case APIC_REG_LVT ... APIC_REG_LVT + APIC_LVT_NB - 1: {
        int i = reg - APIC_REG_LVT;
        uint32_t v = (val & apic_lvt_writable[i]) | (s->lvt[i] & APIC_LVT_REMOTE_IRR);
        if (!(s->spurious_vec & APIC_SVR_ENABLE))
            v |= APIC_LVT_MASKED;
        if (i == APIC_LVT_TIMER) {
            apic_write_lvt_timer(s, v);
        } else {
            s->lvt[i] = v;
            if (i == APIC_LVT_LINT0)
                apic_update(s);
        }
        break;
    }
    case APIC_REG_TMICT:
        if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE)
            break;                    /* ignored in TSC-deadline mode */
        s->initial_count = val;
        s->load_time = clock_ns(CLOCK_VIRTUAL);
        apic_timer_arm(s, s->load_time);
        break;
    case APIC_REG_TDCR:
        s->divide_conf = val & 0xb;
        apic_timer_arm(s, clock_ns(CLOCK_VIRTUAL));
        break;
    case APIC_REG_VERSION: case APIC_REG_APR: case APIC_REG_PPR: case APIC_REG_RRD:
    case APIC_REG_ISR ... APIC_REG_IRR + 7: case APIC_REG_TMCCT:
        trace(LOG_GUEST_ERROR, "apic%d: write 0x%08x to read-only register 0x%03x\n",
              s->cpu_index, val, offset);
        break;
    default:
        trace(LOG_GUEST_ERROR, "apic%d: write 0x%08x to reserved register 0x%03x\n",
              s->cpu_index, val, offset);
        apic_error(s, APIC_ESR_ILLEGAL_REGISTER);
        break;
    }
}

/* The shared page: route to the APIC of the CPU doing the access. */
static APICState *apic_mmio_current(void)
{
    int cpu = cpus_current();
    APICState *s = apic_by_cpu(cpu < 0 ? 0 : cpu);

    if (!s)
        trace(LOG_GUEST_ERROR, "apic: access from cpu %d which has no APIC\n", cpu);
    return s;
}

static uint64_t apic_mem_read(void *opaque, uint64_t offset, unsigned size)
{
    APICState *s = apic_mmio_current();
    return s ? apic_mmio_read(s, offset) : 0;
}

static void apic_mem_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    APICState *s = apic_mmio_current();
    if (s)
        apic_mmio_write(s, offset, val);
}

static const MemOps apic_mem_ops = {
    .read = apic_mem_read,
    .write = apic_mem_write,
    .min_size = 4,
    .max_size = 4,
};

int apic_mmio_map(void)
{
    if (apic_mmio_region)
        return 0;
    apic_mmio_region = mem_add_mmio("apic", APIC_DEFAULT_BASE, 0x1000, &apic_mem_ops, NULL, 0);
    return apic_mmio_region ? 0 : -EBUSY;
}

/* --- IA32_APIC_BASE --- */

uint64_t apic_get_base(APICState *s)
{
    return s->apicbase;
}

bool apic_is_bsp(APICState *s)
{
    return s->apicbase & MSR_APICBASE_BSP;
}

int apic_set_base(APICState *s, uint64_t val)
{
    const uint64_t valid = MSR_APICBASE_BSP | MSR_APICBASE_ENABLE | 0x000ffffffffff000ULL;

    if ((val & ~valid) || (val & MSR_APICBASE_EXTD))
        return -EINVAL;               /* x2APIC is not offered by CPUID */
    bool was_enabled = apic_hw_enabled(s);
    if ((val & MSR_APICBASE_BASE) != APIC_DEFAULT_BASE)
        trace(LOG_UNIMP, "apic%d: relocation to 0x%llx not supported\n", s->cpu_index,
              (unsigned long long)(val & MSR_APICBASE_BASE));
    s->apicbase = val;
    if (was_enabled && !(val & MSR_APICBASE_ENABLE)) {
        /* hardware disable: the APIC is as if absent, its state back to INIT values */
        apic_init_reset(s);
    }
    apic_update(s);
    return 0;
}

/* --- reset, save/load, creation --- */

/* INIT (SDM 10.4.7.3): everything but the ID and IA32_APIC_BASE. */
static void apic_init_reset(APICState *s)
{
    s->tpr = 0;
    s->spurious_vec = 0xff;
    s->ldr = 0;
    s->dfr_model = APIC_DFR_FLAT;
    s->esr = s->esr_pending = 0;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    for (int i = 0; i < APIC_LVT_NB; i++)
        s->lvt[i] = APIC_LVT_MASKED;
    s->icr[0] = s->icr[1] = 0;
    s->divide_conf = 0;
    s->initial_count = 0;
    s->load_time = 0;
    s->next_time = -1;
    s->tsc_deadline = 0;
    s->extint_pending = false;
    timer_del(&s->timer);
}

static void apic_reset(void *opaque)
{
    APICState *s = opaque;

    s->id = s->initial_id;
    s->apicbase = APIC_DEFAULT_BASE | MSR_APICBASE_ENABLE |
                  (s->cpu_index == 0 ? MSR_APICBASE_BSP : 0);
    apic_init_reset(s);
    /*
     * The BSP starts in virtual wire mode (LINT0 = ExtINT) so the 8259 works
     * before any firmware touches the APIC, as on QEMU's pc machine.
     */
    if (s->cpu_index == 0)
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << APIC_LVT_DELMODE_SHIFT;
}

static int apic_post_load(void *opaque, int version)
{
    APICState *s = opaque;

    if ((s->apicbase & MSR_APICBASE_EXTD) || s->divide_conf & ~0xbu)
        return -EINVAL;
    for (int i = 0; i < APIC_LVT_NB; i++)
        s->lvt[i] &= apic_lvt_writable[i] | APIC_LVT_REMOTE_IRR;
    apic_update(s);
    return 0;
}

static const VMStateDescription apic_vmsd = {
    .name = "apic",
    .version = 1,
    .minimum_version = 1,
    .post_load = apic_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_U8(APICState, id),
        VMSTATE_U64(APICState, apicbase),
        VMSTATE_U8(APICState, tpr),
        VMSTATE_U32(APICState, spurious_vec),
        VMSTATE_U8(APICState, ldr),
        VMSTATE_U8(APICState, dfr_model),
        VMSTATE_U32(APICState, esr),
        VMSTATE_U32(APICState, esr_pending),
        VMSTATE_U32_ARRAY(APICState, isr, 8),
        VMSTATE_U32_ARRAY(APICState, tmr, 8),
        VMSTATE_U32_ARRAY(APICState, irr, 8),
        VMSTATE_U32_ARRAY(APICState, lvt, APIC_LVT_NB),
        VMSTATE_U32_ARRAY(APICState, icr, 2),
        VMSTATE_U32(APICState, divide_conf),
        VMSTATE_U32(APICState, initial_count),
        VMSTATE_I64(APICState, load_time),
        VMSTATE_I64(APICState, next_time),
        VMSTATE_U64(APICState, tsc_deadline),
        VMSTATE_BOOL(APICState, extint_pending),
        VMSTATE_U8(APICState, lint_level),
        VMSTATE_TIMER(APICState, timer),
        VMSTATE_END
    },
};

const DeviceInfo apic_info = { "apic", apic_reset, &apic_vmsd };

APICState *apic_create(int cpu_index, uint8_t apic_id, const APICCpuOps *ops, void *opaque)
{
    if (cpu_index < 0 || cpu_index >= APIC_MAX_CPUS || apic_bus[cpu_index]) {
        error_report("apic: cpu index %d out of range or already has an APIC", cpu_index);
        return NULL;
    }
    APICState *s = xzalloc(sizeof(*s));
    s->cpu_index = cpu_index;
    s->ops = ops ? ops : &apic_no_ops;
    s->opaque = opaque;
    s->tsc_hz = NANOSECONDS_PER_SECOND;
    timer_init(&s->timer, CLOCK_VIRTUAL, apic_timer_cb, s);
    s->initial_id = apic_id;
    apic_reset(s);
    apic_bus[cpu_index] = s;
    device_register(&apic_info, s);
    return s;
}
