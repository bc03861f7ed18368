/*
 * 16550A UART (COM1 at 0x3f8/IRQ4, COM2 at 0x2f8/IRQ3) with a CharDev back
 * end for the host side.
 */
#ifndef PCVM_HW_SERIAL_H
#define PCVM_HW_SERIAL_H

#include <stdint.h>

#include "core/chardev.h"
#include "core/clock.h"
#include "core/device.h"
#include "core/irq.h"

#define SERIAL_FIFO_SIZE 16

typedef struct SerialState {
    uint16_t divisor;        /* DLM:DLL */
    uint8_t ier;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;             /* only the error bits OE/PE/FE/BI are stored */
    uint8_t msr;
    uint8_t scr;
    uint8_t fcr;             /* FIFO enable, DMA mode, RX trigger */
    uint8_t rx_fifo[SERIAL_FIFO_SIZE];
    uint8_t rx_head;
    uint8_t rx_count;
    uint8_t thr_ipending;    /* THRE interrupt latched (cleared by IIR read / THR write) */
    uint8_t timeout_ipending;/* character timeout (FIFO mode) */
    uint8_t irq_level;
    IrqLine irq;
    CharDev *chr;
    Timer timeout_timer;
    uint16_t base;
} SerialState;

extern const DeviceInfo serial_info;

/* Ports base..base+7.  chr may be NULL: nothing connected (output dropped,
 * no input).  NULL if a port is already taken (reported). */
SerialState *serial_create(uint16_t base, IrqLine irq, CharDev *chr);

#endif
