/*
 * MC146818A real-time clock + CMOS RAM (Motorola MC146818A datasheet; the
 * DS12887 datasheet for the PC's century byte usage).  The time is not
 * ticked: it is derived from the virtual clock and a base time, and the
 * register C flags are brought up to date lazily at every access.
 */
#include "core/common.h"
#include "core/ioport.h"
#include "hw/mc146818rtc.h"

/* Register indexes */
#define RTC_SECONDS         0x00
#define RTC_SECONDS_ALARM   0x01
#define RTC_MINUTES         0x02
#define RTC_MINUTES_ALARM   0x03
#define RTC_HOURS           0x04
#define RTC_HOURS_ALARM     0x05
#define RTC_DAY_OF_WEEK     0x06
#define RTC_DAY_OF_MONTH    0x07
#define RTC_MONTH           0x08
#define RTC_YEAR            0x09
#define RTC_REG_A           0x0a
#define RTC_REG_B           0x0b
#define RTC_REG_C           0x0c
#define RTC_REG_D           0x0d
#define RTC_CENTURY         0x32    /* IBM PC/AT convention (ACPI FADT CENTURY) */

/* Register A */
#define REG_A_UIP           0x80
#define REG_A_DV_MASK       0x70
#define REG_A_DV_RESET      0x60    /* DV2..1 = 11: divider chain held in reset */
#define REG_A_RS_MASK       0x0f
/* Register B */
#define REG_B_SET           0x80
#define REG_B_PIE           0x40
#define REG_B_AIE           0x20
#define REG_B_UIE           0x10
#define REG_B_SQWE          0x08
#define REG_B_DM            0x04    /* 1 = binary, 0 = BCD */
#define REG_B_24H           0x02
#define REG_B_DSE           0x01
/* Register C */
#define REG_C_IRQF          0x80
#define REG_C_PF            0x40
#define REG_C_AF            0x20
#define REG_C_UF            0x10
/* Register D */
#define REG_D_VRT           0x80

#define RTC_HOUR_PM         0x80
#define RTC_ALARM_DONT_CARE 0xc0
#define RTC_REF_CLOCK       32768   /* time base: 32.768 kHz */
/* UIP rises 244 us before the update (datasheet "Update cycle"). */
#define RTC_UIP_NS          244000
/* Leaving divider reset: the first update comes 500 ms later. */
#define RTC_DIV_RESET_NS    500000000LL
#define RTC_PORT_INDEX      0
#define RTC_PORT_DATA       1
#define RTC_INDEX_NMI       0x80

static int64_t rtc_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t rtc_floor_mod(int64_t a, int64_t b)
{
    return a - rtc_floor_div(a, b) * b;
}

/* Proleptic Gregorian days since 1970-01-01 (H. Hinnant's algorithm). */
static int64_t rtc_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = rtc_floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void rtc_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = rtc_floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool rtc_divider_running(const RTCState *s)
{
    return (s->cmos[RTC_REG_A] & REG_A_DV_RESET) != REG_A_DV_RESET;
}

/* Time registers advance: divider running and no SET in progress. */
static bool rtc_running(const RTCState *s)
{
    return rtc_divider_running(s) && !(s->cmos[RTC_REG_B] & REG_B_SET);
}

static uint8_t rtc_to_reg(const RTCState *s, int v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return v;
    return ((v / 10) << 4) | (v % 10);
}

static int rtc_from_reg(const RTCState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return v;
    return (v >> 4) * 10 + (v & 0xf);
}

static uint8_t rtc_hour_to_reg(const RTCState *s, int h)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_to_reg(s, h);
    /* 12-hour mode: 1..12, bit 7 = PM. */
    return rtc_to_reg(s, h % 12 ? h % 12 : 12) | (h >= 12 ? RTC_HOUR_PM : 0);
}

static int rtc_hour_from_reg(const RTCState *s, uint8_t v)
{
    int h;

    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_from_reg(s, v);
    h = rtc_from_reg(s, v & ~RTC_HOUR_PM) % 12;
    return (v & RTC_HOUR_PM) ? h + 12 : h;
}

static int64_t rtc_seconds_at(const RTCState *s, int64_t now)
{
    return s->sec_at_base + rtc_floor_div(now - s->div_base_ns, NANOSECONDS_PER_SECOND);
}

/* Write time t (seconds since the epoch) into the clock registers, in the current format. */
static void rtc_store_time(RTCState *s, int64_t t)
{
    int64_t days = rtc_floor_div(t, 86400), sod = rtc_floor_mod(t, 86400), y;
    int m, d;

    rtc_civil_from_days(days, &y, &m, &d);
    s->cmos[RTC_SECONDS] = rtc_to_reg(s, sod % 60);
    s->cmos[RTC_MINUTES] = rtc_to_reg(s, (sod / 60) % 60);
    s->cmos[RTC_HOURS] = rtc_hour_to_reg(s, sod / 3600);
    s->cmos[RTC_DAY_OF_WEEK] = rtc_to_reg(s, rtc_floor_mod(days + 4, 7) + 1);  /* 1 = Sunday */
    s->cmos[RTC_DAY_OF_MONTH] = rtc_to_reg(s, d);
    s->cmos[RTC_MONTH] = rtc_to_reg(s, m);
    s->cmos[RTC_YEAR] = rtc_to_reg(s, (int)rtc_floor_mod(y, 100));
    s->cmos[RTC_CENTURY] = rtc_to_reg(s, (int)rtc_floor_mod(rtc_floor_div(y, 100), 100));
}

/* The time the clock registers hold; out-of-range guest values are clamped. */
static int64_t rtc_load_time(const RTCState *s)
{
    int sec = MIN(rtc_from_reg(s, s->cmos[RTC_SECONDS]), 59);
    int min = MIN(rtc_from_reg(s, s->cmos[RTC_MINUTES]), 59);
    int hour = MIN(rtc_hour_from_reg(s, s->cmos[RTC_HOURS]), 23);
    int day = MAX(MIN(rtc_from_reg(s, s->cmos[RTC_DAY_OF_MONTH]), 31), 1);
    int mon = MAX(MIN(rtc_from_reg(s, s->cmos[RTC_MONTH]), 12), 1);
    int year = MIN(rtc_from_reg(s, s->cmos[RTC_YEAR]), 99);
    int century = MIN(rtc_from_reg(s, s->cmos[RTC_CENTURY]), 99);

    return rtc_days_from_civil(century * 100 + year, mon, day) * 86400 +
           hour * 3600 + min * 60 + sec;
}

/* Bring the clock registers to now (when the clock runs). */
static void rtc_sync_regs(RTCState *s, int64_t now)
{
    if (rtc_running(s))
        rtc_store_time(s, rtc_seconds_at(s, now));
}

/* The registers were set: the clock goes on from them, keeping the divider phase. */
static void rtc_time_from_regs(RTCState *s, int64_t now)
{
    s->sec_at_base = rtc_load_time(s) -
                     rtc_floor_div(now - s->div_base_ns, NANOSECONDS_PER_SECOND);
}

/* Periodic interrupt period in 32.768 kHz cycles (register A RS3..0; 0 = off). */
static int64_t rtc_periodic_cycles(const RTCState *s)
{
    int rs = s->cmos[RTC_REG_A] & REG_A_RS_MASK;

    if (!rs)
        return 0;
    if (rs <= 2)
        rs += 7;        /* RS 1 and 2 give 256 Hz and 128 Hz, like 8 and 9 */
    return 1 << (rs - 1);
}

/* Number of periodic edges since the divider phase origin, at now. */
static int64_t rtc_periodic_count(const RTCState *s, int64_t now, int64_t cycles)
{
    __int128 n = (__int128)(now - s->div_base_ns) * RTC_REF_CLOCK;
    __int128 den = (__int128)NANOSECONDS_PER_SECOND * cycles;
    __int128 q = n / den;

    if (n % den != 0 && n < 0)
        q--;
    return (int64_t)q;
}

static int64_t rtc_periodic_edge_ns(const RTCState *s, int64_t k, int64_t cycles)
{
    __int128 n = (__int128)k * cycles * NANOSECONDS_PER_SECOND;

    return s->div_base_ns + (int64_t)((n + RTC_REF_CLOCK - 1) / RTC_REF_CLOCK);
}

static bool rtc_alarm_field_matches(uint8_t alarm, uint8_t cur)
{
    return (alarm & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE || alarm == cur;
}

static bool rtc_alarm_matches(const RTCState *s, int64_t t)
{
    int64_t sod = rtc_floor_mod(t, 86400);

    return rtc_alarm_field_matches(s->cmos[RTC_SECONDS_ALARM], rtc_to_reg(s, sod % 60)) &&
           rtc_alarm_field_matches(s->cmos[RTC_MINUTES_ALARM], rtc_to_reg(s, (sod / 60) % 60)) &&
           rtc_alarm_field_matches(s->cmos[RTC_HOURS_ALARM], rtc_hour_to_reg(s, sod / 3600));
}

static void rtc_update_irq(RTCState *s)
{
    uint8_t *c = &s->cmos[RTC_REG_C];
    int level;

    /* IRQF = PF.PIE + AF.AIE + UF.UIE: the flag and enable bits line up. */
    if (*c & s->cmos[RTC_REG_B] & (REG_C_PF | REG_C_AF | REG_C_UF))
        *c |= REG_C_IRQF;
    level = !!(*c & REG_C_IRQF);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

/* Set the register C flags for every event in (last_check_ns, now]. */
static void rtc_update_flags(RTCState *s, int64_t now)
{
    int64_t then = s->last_check_ns, cycles, s0, s1, k;

    if (now <= then)
        return;
    s->last_check_ns = now;
    if (!rtc_divider_running(s))
        return;
    cycles = rtc_periodic_cycles(s);
    if (cycles && rtc_periodic_count(s, now, cycles) > rtc_periodic_count(s, then, cycles))
        s->cmos[RTC_REG_C] |= REG_C_PF;
    if (s->cmos[RTC_REG_B] & REG_B_SET)
        return;
    s0 = rtc_floor_div(then - s->div_base_ns, NANOSECONDS_PER_SECOND);
    s1 = rtc_floor_div(now - s->div_base_ns, NANOSECONDS_PER_SECOND);
    if (s1 <= s0)
        return;
    s->cmos[RTC_REG_C] |= REG_C_UF;
    /* Every time of day occurs within one day: look at no more than that. */
    for (k = MAX(s0 + 1, s1 - 86399); k <= s1 && !(s->cmos[RTC_REG_C] & REG_C_AF); k++) {
        if (rtc_alarm_matches(s, s->sec_at_base + k))
            s->cmos[RTC_REG_C] |= REG_C_AF;
    }
}

/* Wake up for the next event that could raise the IRQ (none while it is high). */
static void rtc_arm_timer(RTCState *s, int64_t now)
{
    int64_t next = -1, cycles, t;
    uint8_t b = s->cmos[RTC_REG_B];

    if (!s->irq_level && rtc_divider_running(s)) {
        cycles = rtc_periodic_cycles(s);
        if ((b & REG_B_PIE) && cycles)
            next = rtc_periodic_edge_ns(s, rtc_periodic_count(s, now, cycles) + 1, cycles);
        if ((b & (REG_B_AIE | REG_B_UIE)) && !(b & REG_B_SET)) {
            t = s->div_base_ns + (rtc_floor_div(now - s->div_base_ns, NANOSECONDS_PER_SECOND) + 1) *
                NANOSECONDS_PER_SECOND;
            if (next < 0 || t < next)
                next = t;
        }
    }
    if (next < 0)
        timer_del(&s->timer);
    else
        timer_mod(&s->timer, next);
}

static void rtc_refresh(RTCState *s, int64_t now)
{
    rtc_update_irq(s);
    rtc_arm_timer(s, now);
}

static void rtc_timer_cb(void *opaque)
{
    RTCState *s = opaque;
    int64_t now = clock_ns(CLOCK_VIRTUAL);

    rtc_update_flags(s, now);
    rtc_refresh(s, now);
}

static bool rtc_is_time_reg(int index)
{
    return (index <= RTC_YEAR && index != RTC_SECONDS_ALARM && index != RTC_MINUTES_ALARM &&
            index != RTC_HOURS_ALARM) || index == RTC_CENTURY;
}

static uint8_t rtc_reg_read(RTCState *s, int index, int64_t now)
{
    uint8_t v;
    int64_t frac;

    switch (index) {
    case RTC_REG_A:
        v = s->cmos[RTC_REG_A] & ~REG_A_UIP;
        frac = rtc_floor_mod(now - s->div_base_ns, NANOSECONDS_PER_SECOND);
        if (rtc_running(s) && frac >= NANOSECONDS_PER_SECOND - RTC_UIP_NS)
            v |= REG_A_UIP;
        return v;
    case RTC_REG_C:
        /* Reading C clears every flag and so releases the IRQ. */
        v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        rtc_refresh(s, now);
        return v;
    case RTC_REG_D:
        return REG_D_VRT;
    default:
        if (rtc_is_time_reg(index))
            rtc_sync_regs(s, now);
        return s->cmos[index];
    }
}

static void rtc_reg_write(RTCState *s, int index, uint8_t val, int64_t now)
{
    bool was_running = rtc_running(s), was_div = rtc_divider_running(s);
    uint8_t old_b = s->cmos[RTC_REG_B];

    switch (index) {
    case RTC_REG_A:
        rtc_sync_regs(s, now);
        s->cmos[RTC_REG_A] = val & ~REG_A_UIP;
        if (!was_div && rtc_divider_running(s)) {
            /* Out of divider reset: the first update is 500 ms away. */
            s->div_base_ns = now - RTC_DIV_RESET_NS;
        }
        break;
    case RTC_REG_B:
        rtc_sync_regs(s, now);
        /* Setting SET aborts updates and clears UIE (datasheet, register B). */
        if (val & REG_B_SET)
            val &= ~REG_B_UIE;
        s->cmos[RTC_REG_B] = val;
        /* A format change while running shows the same time in the new format. */
        if (was_running && rtc_running(s) && ((old_b ^ val) & (REG_B_DM | REG_B_24H)))
            rtc_store_time(s, rtc_seconds_at(s, now));
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        trace(LOG_GUEST_ERROR, "rtc: write to read-only register 0x%02x\n", index);
        return;
    default:
        if (rtc_is_time_reg(index) && was_running) {
            rtc_sync_regs(s, now);
            s->cmos[index] = val;
            rtc_time_from_regs(s, now);
            return;
        }
        s->cmos[index] = val;
        return;
    }
    if (!was_running && rtc_running(s))
        rtc_time_from_regs(s, now);
    rtc_refresh(s, now);
}

static uint32_t rtc_ioport_read(void *opaque, uint32_t offset, unsigned size)
{
    RTCState *s = opaque;
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    uint8_t v;

    if (offset == RTC_PORT_INDEX)
        return 0xff;    /* the index register is write-only */
    rtc_update_flags(s, now);
    v = rtc_reg_read(s, s->index, now);
    rtc_update_irq(s);
    trace(LOG_DEV, "rtc: read 0x%02x -> 0x%02x\n", s->index, v);
    return v;
}

static void rtc_ioport_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    RTCState *s = opaque;
    int64_t now = clock_ns(CLOCK_VIRTUAL);

    if (offset == RTC_PORT_INDEX) {
        s->index = val & (RTC_CMOS_SIZE - 1);
        s->nmi_masked = !!(val & RTC_INDEX_NMI);
        return;
    }
    trace(LOG_DEV, "rtc: write 0x%02x <- 0x%02x\n", s->index, val & 0xff);
    rtc_update_flags(s, now);
    rtc_reg_write(s, s->index, val, now);
}

static const IOPortOps rtc_ops = {
    .read = rtc_ioport_read, .write = rtc_ioport_write, .min_size = 1, .max_size = 1,
};

void rtc_set_cmos(RTCState *s, int index, uint8_t val)
{
    if (index < 0 || index >= RTC_CMOS_SIZE)
        return;
    s->cmos[index] = val;
}

uint8_t rtc_get_cmos(RTCState *s, int index)
{
    if (index < 0 || index >= RTC_CMOS_SIZE)
        return 0xff;
    if (rtc_is_time_reg(index))
        rtc_sync_regs(s, clock_ns(CLOCK_VIRTUAL));
    return s->cmos[index];
}

bool rtc_nmi_masked(RTCState *s)
{
    return s->nmi_masked;
}

static void rtc_reset(void *opaque)
{
    RTCState *s = opaque;
    int64_t now = clock_ns(CLOCK_VIRTUAL);

    /* RESET clears the interrupt enables and flags; time and RAM are battery-backed. */
    rtc_update_flags(s, now);
    rtc_sync_regs(s, now);
    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    rtc_refresh(s, now);
}

static int rtc_post_load(void *opaque, int version)
{
    RTCState *s = opaque;

    if (s->index >= RTC_CMOS_SIZE)
        return -EINVAL;
    s->cmos[RTC_REG_D] = REG_D_VRT;
    /* Re-derive the line from the flags rather than trusting irq_level. */
    s->irq_level = !!(s->cmos[RTC_REG_C] & REG_C_IRQF);
    irq_set(&s->irq, s->irq_level);
    rtc_arm_timer(s, clock_ns(CLOCK_VIRTUAL));
    return 0;
}

static const VMStateField rtc_fields[] = {
    VMSTATE_BUFFER(RTCState, cmos),
    VMSTATE_U8(RTCState, index),
    VMSTATE_U8(RTCState, nmi_masked),
    VMSTATE_U8(RTCState, irq_level),
    VMSTATE_I64(RTCState, div_base_ns),
    VMSTATE_I64(RTCState, sec_at_base),
    VMSTATE_I64(RTCState, last_check_ns),
    VMSTATE_END,
};

static const VMStateDescription rtc_vmsd = {
    .name = "mc146818rtc",
    .version = 1,
    .minimum_version = 1,
    .post_load = rtc_post_load,
    .fields = rtc_fields,
};

const DeviceInfo rtc_info = {
    .name = "mc146818rtc",
    .reset = rtc_reset,
    .vmsd = &rtc_vmsd,
};

RTCState *rtc_create(uint16_t base, IrqLine irq8, time_t base_time)
{
    RTCState *s = xzalloc(sizeof(*s));
    int64_t now = clock_ns(CLOCK_VIRTUAL);

    s->base = base;
    s->irq = irq8;
    timer_init(&s->timer, CLOCK_VIRTUAL, rtc_timer_cb, s);
    /* 32.768 kHz time base, 1024 Hz periodic rate; 24-hour BCD as PC BIOSes set it. */
    s->cmos[RTC_REG_A] = 0x26;
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[RTC_REG_D] = REG_D_VRT;
    s->div_base_ns = now;
    s->last_check_ns = now;
    s->sec_at_base = base_time;
    rtc_store_time(s, base_time);
    if (ioport_register(base, 2, &rtc_ops, s, "rtc")) {
        free(s);
        return NULL;
    }
    device_register(&rtc_info, s);
    return s;
}
