/*
 * Small fixed ports of the PC: 0x92 (fast A20 and reset), 0x80 (POST codes),
 * 0x61 (NMI status and control: PIT channel 2 gate, speaker), the debug
 * console at 0x402 and QEMU's isa-debug-exit.
 */
#ifndef PCVM_HW_MISC_PORTS_H
#define PCVM_HW_MISC_PORTS_H

#include <stdint.h>

#include "core/chardev.h"

struct PITState;

int port92_create(void);
int port80_create(void);
/* pit may be NULL when the PIT lives in the KVM kernel (which then owns 0x61 too). */
int port61_create(struct PITState *pit);
int debugcon_create(uint16_t base, CharDev *chr);
int debug_exit_create(uint16_t base, uint16_t size);

#endif
