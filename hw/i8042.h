/*
 * The 8042 keyboard controller (ports 0x60/0x64) with the PS/2 keyboard and
 * mouse behind it.
 */
#ifndef PCVM_HW_I8042_H
#define PCVM_HW_I8042_H

#include "core/irq.h"

typedef struct I8042State I8042State;

I8042State *i8042_create(IrqLine kbd_irq, IrqLine mouse_irq);

#endif
