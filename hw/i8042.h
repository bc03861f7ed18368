/*
 * The 8042 keyboard controller (ports 0x60/0x64) with the PS/2 keyboard and
 * mouse (hw/ps2.h) behind it.
 */
#ifndef PCVM_HW_I8042_H
#define PCVM_HW_I8042_H

#include "core/device.h"
#include "core/irq.h"
#include "hw/ps2.h"

typedef struct I8042State I8042State;

extern const DeviceInfo i8042_info;

/* Registers ports 0x60 and 0x64; NULL (reported) if they are taken. */
I8042State *i8042_create(IrqLine kbd_irq, IrqLine mouse_irq);

/* The devices, for the input front ends (ps2_keyboard_event, ps2_mouse_event). */
PS2KbdState *i8042_kbd(I8042State *s);
PS2MouseState *i8042_mouse(I8042State *s);

#endif
