/*
 * PS/2 keyboard and mouse, the devices behind the 8042 controller.  The
 * controller (hw/i8042.c) moves bytes to and from them; the input front ends
 * feed them key and mouse events.
 *
 * Key codes are Linux input key codes (KEY_* from <linux/input-event-codes.h>,
 * e.g. KEY_A = 30, KEY_LEFT = 105): a front end on SDL2 maps SDL scancodes to
 * them, one on evdev passes them through.  Send one event per real transition:
 * the keyboard makes its own typematic repeats (on the virtual clock), so a
 * front end must drop the host's auto-repeat events.
 */
#ifndef PCVM_HW_PS2_H
#define PCVM_HW_PS2_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/device.h"

#define PS2_QUEUE_SIZE 64

/* Mouse buttons for ps2_mouse_event (bit order of the PS/2 packet). */
#define PS2_MOUSE_LEFT    0x01
#define PS2_MOUSE_RIGHT   0x02
#define PS2_MOUSE_MIDDLE  0x04
#define PS2_MOUSE_SIDE    0x08   /* 4th button (IntelliMouse Explorer, ID 4) */
#define PS2_MOUSE_EXTRA   0x10   /* 5th button */

typedef struct PS2Queue {
    uint8_t data[PS2_QUEUE_SIZE];
    uint8_t rptr, count;
} PS2Queue;

/* The device has bytes for the controller (called with the big lock held). */
typedef void PS2NotifyFn(void *opaque);

typedef struct PS2KbdState {
    PS2Queue q;
    uint8_t cmd;                /* command waiting for its argument byte */
    uint8_t last_byte;          /* for 0xfe resend */
    bool scanning;              /* enabled (0xf4) */
    bool translate;             /* the controller translates set 2 to set 1 */
    uint8_t scancode_set;       /* 1, 2 or 3 */
    uint8_t leds;               /* bit 0 scroll, 1 num, 2 caps lock */
    uint8_t typematic;          /* 0xf3 argument: rate bits 4:0, delay bits 6:5 */
    int32_t repeat_key;         /* key being repeated, -1 none */
    Timer repeat_timer;
    PS2NotifyFn *notify;
    void *opaque;
} PS2KbdState;

typedef struct PS2MouseState {
    PS2Queue q;
    uint8_t cmd;                /* command waiting for its argument byte */
    uint8_t last_byte;
    bool enabled;               /* data reporting (0xf4) */
    bool remote;                /* remote mode (0xf0) instead of stream */
    bool wrap;                  /* wrap (echo) mode (0xee) */
    uint8_t scaling;            /* 1 or 2 */
    uint8_t resolution;         /* 0..3: 1, 2, 4, 8 counts/mm */
    uint8_t sample_rate;
    uint8_t id;                 /* 0 standard, 3 IntelliMouse, 4 Explorer */
    uint8_t knock[3];           /* the last three sample rates set */
    uint8_t buttons;
    bool buttons_changed;       /* a packet is owed even without movement */
    int32_t dx, dy, dz;         /* movement not yet reported (PS/2 axes: y up) */
    PS2NotifyFn *notify;
    void *opaque;
} PS2MouseState;

extern const DeviceInfo ps2_kbd_info, ps2_mouse_info;

/* Create (reset) a device and register it for reset and save/load. */
PS2KbdState *ps2_kbd_create(PS2NotifyFn *notify, void *opaque);
PS2MouseState *ps2_mouse_create(PS2NotifyFn *notify, void *opaque);

/* Controller side: a byte from the host; the next byte for the host (-1: none). */
void ps2_kbd_write(PS2KbdState *s, uint8_t val);
void ps2_mouse_write(PS2MouseState *s, uint8_t val);
int ps2_kbd_read(PS2KbdState *s);
int ps2_mouse_read(PS2MouseState *s);
bool ps2_kbd_has_data(const PS2KbdState *s);
bool ps2_mouse_has_data(const PS2MouseState *s);
/* The 8042 command byte's XLATE bit: scan codes reach the host in set 1. */
void ps2_kbd_set_translation(PS2KbdState *s, bool on);

/*
 * Front ends.  keycode: a Linux KEY_* code; unknown codes are ignored.
 * Mouse: dx > 0 right, dy > 0 down (screen direction), dz > 0 wheel turned
 * away from the user (scroll up); buttons is a PS2_MOUSE_* mask.
 */
void ps2_keyboard_event(PS2KbdState *s, int keycode, bool down);
void ps2_mouse_event(PS2MouseState *s, int dx, int dy, int dz, unsigned buttons);

#endif
