/*
 * The PC board: builds the i440FX/PIIX machine described by a PcvmConfig.
 */
#ifndef PCVM_HW_PC_H
#define PCVM_HW_PC_H

#include "core/options.h"

/* Load the firmware files (before anything else, so a missing file is the only
 * message).  Returns 0 or -errno (reported). */
int pc_preflight(const PcvmConfig *cfg);
/* Create memory, devices and firmware.  Returns 0 or -errno (reported). */
int pc_init(const PcvmConfig *cfg);
/* Machine reset: devices, then chipset memory map (PAM), then CPUs. */
void pc_reset(void);
void pc_destroy(void);

#endif
