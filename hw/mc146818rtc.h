/*
 * MC146818 real-time clock and its 128 bytes of CMOS RAM at 0x70/0x71, with
 * the NMI mask in bit 7 of the index port, as on the PC/AT.
 */
#ifndef PCVM_HW_MC146818RTC_H
#define PCVM_HW_MC146818RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/clock.h"
#include "core/device.h"
#include "core/irq.h"

#define RTC_CMOS_SIZE 128

typedef struct RTCState {
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    uint8_t nmi_masked;      /* bit 7 of the last index written */
    uint8_t irq_level;
    int64_t div_base_ns;     /* virtual time of a second boundary of the divider chain */
    int64_t sec_at_base;     /* seconds since the epoch at div_base_ns */
    int64_t last_check_ns;   /* flags in register C are up to date until here */
    IrqLine irq;
    Timer timer;
    uint16_t base;
} RTCState;

extern const DeviceInfo rtc_info;

/* base_time: the wall-clock time (seconds since the epoch, UTC) the clock
 * shows at creation; the board takes it from the host or from -rtc base=.
 * NULL if a port is already taken (reported). */
RTCState *rtc_create(uint16_t base, IrqLine irq8, time_t base_time);
/* Board access to CMOS bytes (memory size, boot order, ...): index 0..127. */
void rtc_set_cmos(RTCState *s, int index, uint8_t val);
uint8_t rtc_get_cmos(RTCState *s, int index);
/* NMI disabled by bit 7 of port 0x70. */
bool rtc_nmi_masked(RTCState *s);

#endif
