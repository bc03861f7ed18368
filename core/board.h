/*
 * The board interface: what core/main.c asks of the machine it runs.  The
 * core declares it so that it includes nothing from hw/; hw/pc.c (the
 * i440FX/PIIX PC, the one board pcvm has) implements it.
 */
#ifndef PCVM_BOARD_H
#define PCVM_BOARD_H

#include "core/options.h"

/* Load the firmware files (before anything else, so a missing file is the only
 * message).  Returns 0 or -errno (reported). */
int board_preflight(const PcvmConfig *cfg);
/* Create memory, devices and firmware.  Returns 0 or -errno (reported). */
int board_init(const PcvmConfig *cfg);
/* Machine reset: devices, then chipset memory map (PAM), then CPUs. */
void board_reset(void);
void board_destroy(void);

#endif
