/*
 * PS/2 keyboard (scan code sets 1, 2 and 3, typematic, LEDs) and PS/2 mouse
 * (stream/remote/wrap modes, IntelliMouse wheel and 5-button extensions),
 * after the IBM PS/2 Hardware Interface Technical Reference (keyboard and
 * auxiliary device chapters) and Microsoft's IntelliMouse protocol notes.
 */
#include <linux/input-event-codes.h>

#include "core/common.h"
#include "core/clock.h"
#include "core/device.h"
#include "hw/ps2.h"

/* Keyboard commands (host to keyboard) */
#define KBD_CMD_SET_LEDS        0xed
#define KBD_CMD_ECHO            0xee
#define KBD_CMD_SCANCODE        0xf0
#define KBD_CMD_GET_ID          0xf2
#define KBD_CMD_SET_RATE        0xf3
#define KBD_CMD_ENABLE          0xf4
#define KBD_CMD_RESET_DISABLE   0xf5
#define KBD_CMD_RESET_ENABLE    0xf6
#define KBD_CMD_SET_ALL_TYPEM   0xf7     /* 0xf7..0xfd: set 3 key attributes */
#define KBD_CMD_SET_KEY_MAKE    0xfd
#define KBD_CMD_RESEND          0xfe
#define KBD_CMD_RESET           0xff

/* Mouse commands (host to mouse) */
#define AUX_SET_SCALE11         0xe6
#define AUX_SET_SCALE21         0xe7
#define AUX_SET_RES             0xe8
#define AUX_GET_SCALE           0xe9     /* status request */
#define AUX_SET_STREAM          0xea
#define AUX_POLL                0xeb     /* read data */
#define AUX_RESET_WRAP          0xec
#define AUX_SET_WRAP            0xee
#define AUX_SET_REMOTE          0xf0
#define AUX_GET_TYPE            0xf2
#define AUX_SET_SAMPLE          0xf3
#define AUX_ENABLE_DEV          0xf4
#define AUX_DISABLE_DEV         0xf5
#define AUX_SET_DEFAULT         0xf6
#define AUX_RESEND              0xfe
#define AUX_RESET               0xff

/* Replies */
#define PS2_REPLY_ACK           0xfa
#define PS2_REPLY_RESEND        0xfe
#define PS2_REPLY_BAT_OK        0xaa
#define PS2_REPLY_ECHO          0xee

/* Scan code prefixes */
#define PS2_PREFIX_E0           0xe0
#define PS2_PREFIX_E1           0xe1
#define PS2_PREFIX_BREAK        0xf0

#define KBD_TYPEMATIC_DEFAULT   0x2b     /* 10.9 characters/s after 500 ms */
#define KBD_LED_MASK            0x07

/* Mouse status byte (reply to 0xe9) */
#define AUX_STATUS_REMOTE       0x40
#define AUX_STATUS_ENABLED      0x20
#define AUX_STATUS_SCALE21      0x10

/* First byte of a movement packet */
#define AUX_PKT_ALWAYS1         0x08
#define AUX_PKT_XSIGN           0x10
#define AUX_PKT_YSIGN           0x20

/* --- byte queues --- */

static void ps2_queue_reset(PS2Queue *q)
{
    q->rptr = q->count = 0;
}

static unsigned ps2_queue_room(const PS2Queue *q)
{
    return PS2_QUEUE_SIZE - q->count;
}

static void ps2_queue_push(PS2Queue *q, uint8_t b)
{
    if (q->count >= PS2_QUEUE_SIZE)
        return;      /* a full device buffer loses bytes, as the real one does */
    q->data[(q->rptr + q->count) % PS2_QUEUE_SIZE] = b;
    q->count++;
}

static int ps2_queue_pop(PS2Queue *q)
{
    if (!q->count)
        return -1;
    uint8_t b = q->data[q->rptr];
    q->rptr = (q->rptr + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return b;
}

static bool ps2_queue_valid(const PS2Queue *q)
{
    return q->rptr < PS2_QUEUE_SIZE && q->count <= PS2_QUEUE_SIZE;
}

/* --- scan codes --- */

/*
 * The 8042's translation of set 2 codes to set 1 (the XLATE bit of the
 * command byte).  Set 2 codes are derived from it in reverse, so the two
 * sets cannot disagree.
 */
static const uint8_t ps2_xlate_table[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static uint8_t ps2_xlate(uint8_t b)
{
    if (b < 0x80)
        return ps2_xlate_table[b];
    if (b == 0x83)
        return 0x41;                 /* F7: the one set 2 code above 0x7f */
    if (b == 0x84)
        return 0x54;                 /* Alt+SysRq */
    return b;
}

/* Set 2 code (without prefix) of a set 1 code. */
static uint8_t ps2_set1_to_set2(uint8_t c)
{
    if (c == 0x41)
        return 0x83;
    if (c == 0x54)
        return 0x84;
    for (int i = 1; i < 128; i++)
        if (ps2_xlate_table[i] == c)
            return i;
    return 0;
}

#define E0 0x100     /* extended key: 0xe0 prefix */

/* Linux key code -> set 1 make code (| E0 for extended keys); 0 = no such key. */
static const uint16_t ps2_linux_to_set1[256] = {
    [KEY_ESC] = 0x01, [KEY_1] = 0x02, [KEY_2] = 0x03, [KEY_3] = 0x04, [KEY_4] = 0x05,
    [KEY_5] = 0x06, [KEY_6] = 0x07, [KEY_7] = 0x08, [KEY_8] = 0x09, [KEY_9] = 0x0a,
    [KEY_0] = 0x0b, [KEY_MINUS] = 0x0c, [KEY_EQUAL] = 0x0d, [KEY_BACKSPACE] = 0x0e,
    [KEY_TAB] = 0x0f, [KEY_Q] = 0x10, [KEY_W] = 0x11, [KEY_E] = 0x12, [KEY_R] = 0x13,
    [KEY_T] = 0x14, [KEY_Y] = 0x15, [KEY_U] = 0x16, [KEY_I] = 0x17, [KEY_O] = 0x18,
    [KEY_P] = 0x19, [KEY_LEFTBRACE] = 0x1a, [KEY_RIGHTBRACE] = 0x1b, [KEY_ENTER] = 0x1c,
    [KEY_LEFTCTRL] = 0x1d, [KEY_A] = 0x1e, [KEY_S] = 0x1f, [KEY_D] = 0x20, [KEY_F] = 0x21,
    [KEY_G] = 0x22, [KEY_H] = 0x23, [KEY_J] = 0x24, [KEY_K] = 0x25, [KEY_L] = 0x26,
    [KEY_SEMICOLON] = 0x27, [KEY_APOSTROPHE] = 0x28, [KEY_GRAVE] = 0x29,
    [KEY_LEFTSHIFT] = 0x2a, [KEY_BACKSLASH] = 0x2b, [KEY_Z] = 0x2c, [KEY_X] = 0x2d,
    [KEY_C] = 0x2e, [KEY_V] = 0x2f, [KEY_B] = 0x30, [KEY_N] = 0x31, [KEY_M] = 0x32,
    [KEY_COMMA] = 0x33, [KEY_DOT] = 0x34, [KEY_SLASH] = 0x35, [KEY_RIGHTSHIFT] = 0x36,
    [KEY_KPASTERISK] = 0x37, [KEY_LEFTALT] = 0x38, [KEY_SPACE] = 0x39,
    [KEY_CAPSLOCK] = 0x3a, [KEY_F1] = 0x3b, [KEY_F2] = 0x3c, [KEY_F3] = 0x3d,
    [KEY_F4] = 0x3e, [KEY_F5] = 0x3f, [KEY_F6] = 0x40, [KEY_F7] = 0x41, [KEY_F8] = 0x42,
    [KEY_F9] = 0x43, [KEY_F10] = 0x44, [KEY_NUMLOCK] = 0x45, [KEY_SCROLLLOCK] = 0x46,
    [KEY_KP7] = 0x47, [KEY_KP8] = 0x48, [KEY_KP9] = 0x49, [KEY_KPMINUS] = 0x4a,
    [KEY_KP4] = 0x4b, [KEY_KP5] = 0x4c, [KEY_KP6] = 0x4d, [KEY_KPPLUS] = 0x4e,
    [KEY_KP1] = 0x4f, [KEY_KP2] = 0x50, [KEY_KP3] = 0x51, [KEY_KP0] = 0x52,
    [KEY_KPDOT] = 0x53, [KEY_102ND] = 0x56, [KEY_F11] = 0x57, [KEY_F12] = 0x58,
    [KEY_KPEQUAL] = 0x59, [KEY_RO] = 0x73, [KEY_HENKAN] = 0x79,
    [KEY_KATAKANAHIRAGANA] = 0x70, [KEY_MUHENKAN] = 0x7b, [KEY_YEN] = 0x7d,
    [KEY_KPCOMMA] = 0x7e,
    [KEY_KPENTER] = E0 | 0x1c, [KEY_RIGHTCTRL] = E0 | 0x1d, [KEY_KPSLASH] = E0 | 0x35,
    [KEY_SYSRQ] = E0 | 0x37, [KEY_RIGHTALT] = E0 | 0x38, [KEY_HOME] = E0 | 0x47,
    [KEY_UP] = E0 | 0x48, [KEY_PAGEUP] = E0 | 0x49, [KEY_LEFT] = E0 | 0x4b,
    [KEY_RIGHT] = E0 | 0x4d, [KEY_END] = E0 | 0x4f, [KEY_DOWN] = E0 | 0x50,
    [KEY_PAGEDOWN] = E0 | 0x51, [KEY_INSERT] = E0 | 0x52, [KEY_DELETE] = E0 | 0x53,
    [KEY_LEFTMETA] = E0 | 0x5b, [KEY_RIGHTMETA] = E0 | 0x5c, [KEY_COMPOSE] = E0 | 0x5d,
    [KEY_POWER] = E0 | 0x5e, [KEY_SLEEP] = E0 | 0x5f, [KEY_WAKEUP] = E0 | 0x63,
    [KEY_MUTE] = E0 | 0x20, [KEY_VOLUMEDOWN] = E0 | 0x2e, [KEY_VOLUMEUP] = E0 | 0x30,
    [KEY_CALC] = E0 | 0x21, [KEY_PLAYPAUSE] = E0 | 0x22, [KEY_STOPCD] = E0 | 0x24,
    [KEY_PREVIOUSSONG] = E0 | 0x10, [KEY_NEXTSONG] = E0 | 0x19, [KEY_HOMEPAGE] = E0 | 0x32,
    [KEY_MAIL] = E0 | 0x6c, [KEY_BACK] = E0 | 0x6a, [KEY_FORWARD] = E0 | 0x69,
    [KEY_PAUSE] = 0x45,               /* sent as its own sequence, see below */
};

/* Set 3 codes that are not the set 2 code (set 3 has no prefixes). */
static const uint8_t ps2_linux_to_set3[256] = {
    [KEY_ESC] = 0x08, [KEY_F1] = 0x07, [KEY_F2] = 0x0f, [KEY_F3] = 0x17, [KEY_F4] = 0x1f,
    [KEY_F5] = 0x27, [KEY_F6] = 0x2f, [KEY_F7] = 0x37, [KEY_F8] = 0x3f, [KEY_F9] = 0x47,
    [KEY_F10] = 0x4f, [KEY_F11] = 0x56, [KEY_F12] = 0x5e, [KEY_SYSRQ] = 0x57,
    [KEY_SCROLLLOCK] = 0x5f, [KEY_PAUSE] = 0x62, [KEY_LEFTCTRL] = 0x11,
    [KEY_LEFTALT] = 0x19, [KEY_RIGHTALT] = 0x39, [KEY_RIGHTCTRL] = 0x58,
    [KEY_CAPSLOCK] = 0x14, [KEY_LEFTMETA] = 0x8b, [KEY_RIGHTMETA] = 0x8c,
    [KEY_COMPOSE] = 0x8d, [KEY_INSERT] = 0x67, [KEY_HOME] = 0x6e, [KEY_PAGEUP] = 0x6f,
    [KEY_DELETE] = 0x64, [KEY_END] = 0x65, [KEY_PAGEDOWN] = 0x6d, [KEY_UP] = 0x63,
    [KEY_LEFT] = 0x61, [KEY_DOWN] = 0x60, [KEY_RIGHT] = 0x6a, [KEY_NUMLOCK] = 0x76,
    [KEY_KPSLASH] = 0x77, [KEY_KPASTERISK] = 0x7e, [KEY_KPMINUS] = 0x84,
    [KEY_KPPLUS] = 0x7c, [KEY_KPENTER] = 0x79, [KEY_BACKSLASH] = 0x5c, [KEY_102ND] = 0x13,
};

/* --- keyboard --- */

static void ps2_kbd_queue(PS2KbdState *s, uint8_t b)
{
    ps2_queue_push(&s->q, b);
    s->last_byte = b;
}

static void ps2_kbd_notify(PS2KbdState *s)
{
    if (s->notify)
        s->notify(s->opaque);
}

/* The set the host sees: with XLATE on, set 2 arrives as set 1. */
static int ps2_kbd_host_set(const PS2KbdState *s)
{
    return (s->translate && s->scancode_set == 2) ? 1 : s->scancode_set;
}

static void ps2_kbd_put_key(PS2KbdState *s, int keycode, bool down)
{
    uint16_t sc1 = ps2_linux_to_set1[keycode];
    int set = ps2_kbd_host_set(s);

    if (keycode == KEY_PAUSE) {
        /* Pause has no break code: make and break go out together on press */
        static const uint8_t pause1[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
        static const uint8_t pause2[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
        if (set == 3) {
            if (!down)
                ps2_kbd_queue(s, PS2_PREFIX_BREAK);
            ps2_kbd_queue(s, ps2_linux_to_set3[keycode]);
            return;
        }
        if (!down)
            return;
        const uint8_t *seq = set == 1 ? pause1 : pause2;
        size_t n = set == 1 ? sizeof(pause1) : sizeof(pause2);
        for (size_t i = 0; i < n; i++)
            ps2_kbd_queue(s, seq[i]);
        return;
    }
    if (keycode == KEY_SYSRQ && set != 3) {
        /* Print Screen comes with a fake shift (E0 2A / E0 12) around it */
        if (set == 1) {
            const uint8_t make[] = { 0xe0, 0x2a, 0xe0, 0x37 }, brk[] = { 0xe0, 0xb7, 0xe0, 0xaa };
            for (int i = 0; i < 4; i++)
                ps2_kbd_queue(s, down ? make[i] : brk[i]);
        } else {
            const uint8_t make[] = { 0xe0, 0x12, 0xe0, 0x7c };
            const uint8_t brk[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
            const uint8_t *seq = down ? make : brk;
            for (int i = 0; i < (down ? 4 : 6); i++)
                ps2_kbd_queue(s, seq[i]);
        }
        return;
    }
    switch (set) {
    case 1:
        if (sc1 & E0)
            ps2_kbd_queue(s, PS2_PREFIX_E0);
        ps2_kbd_queue(s, (sc1 & 0x7f) | (down ? 0 : 0x80));
        break;
    case 2:
        if (sc1 & E0)
            ps2_kbd_queue(s, PS2_PREFIX_E0);
        if (!down)
            ps2_kbd_queue(s, PS2_PREFIX_BREAK);
        ps2_kbd_queue(s, ps2_set1_to_set2(sc1 & 0x7f));
        break;
    default: {
        uint8_t c = ps2_linux_to_set3[keycode];
        if (!c)
            c = ps2_set1_to_set2(sc1 & 0x7f);
        if (!down)
            ps2_kbd_queue(s, PS2_PREFIX_BREAK);
        ps2_kbd_queue(s, c);
        break;
    }
    }
}

/* Typematic period and delay from the 0xf3 byte: (8 + A) * 2^B / 240 s, (1 + D) / 4 s. */
static int64_t ps2_kbd_repeat_period(const PS2KbdState *s)
{
    int a = s->typematic & 7, b = (s->typematic >> 3) & 3;
    return (int64_t)(8 + a) * (1 << b) * NANOSECONDS_PER_SECOND / 240;
}

static int64_t ps2_kbd_repeat_delay(const PS2KbdState *s)
{
    return (int64_t)(1 + ((s->typematic >> 5) & 3)) * NANOSECONDS_PER_SECOND / 4;
}

static void ps2_kbd_stop_repeat(PS2KbdState *s)
{
    s->repeat_key = -1;
    timer_del(&s->repeat_timer);
}

static void ps2_kbd_repeat_cb(void *opaque)
{
    PS2KbdState *s = opaque;

    if (s->repeat_key < 0 || s->repeat_key > 255 || !s->scanning)
        return;
    ps2_kbd_put_key(s, s->repeat_key, true);
    ps2_kbd_notify(s);
    timer_mod(&s->repeat_timer, clock_ns(CLOCK_VIRTUAL) + ps2_kbd_repeat_period(s));
}

void ps2_keyboard_event(PS2KbdState *s, int keycode, bool down)
{
    if (keycode <= 0 || keycode > 255 || !ps2_linux_to_set1[keycode]) {
        trace(LOG_UNIMP, "ps2: no scan code for key %d\n", keycode);
        return;
    }
    if (!s->scanning)
        return;                       /* disabled keyboards do not scan */
    ps2_kbd_put_key(s, keycode, down);
    if (down && keycode != KEY_PAUSE) {
        /* only the last key pressed repeats */
        s->repeat_key = keycode;
        timer_mod(&s->repeat_timer, clock_ns(CLOCK_VIRTUAL) + ps2_kbd_repeat_delay(s));
    } else if (!down && keycode == s->repeat_key) {
        ps2_kbd_stop_repeat(s);
    }
    ps2_kbd_notify(s);
}

static void ps2_kbd_defaults(PS2KbdState *s)
{
    s->scancode_set = 2;
    s->typematic = KBD_TYPEMATIC_DEFAULT;
    s->cmd = 0;
    ps2_kbd_stop_repeat(s);
}

static void ps2_kbd_reply(PS2KbdState *s, uint8_t b)
{
    ps2_kbd_queue(s, b);
}

void ps2_kbd_write(PS2KbdState *s, uint8_t val)
{
    uint8_t cmd = s->cmd;

    /* An argument byte with bit 7 set is a new command: the old one is dropped. */
    if (cmd && !(cmd != KBD_CMD_SCANCODE && (val & 0x80))) {
        s->cmd = 0;
        switch (cmd) {
        case KBD_CMD_SET_LEDS:
            s->leds = val & KBD_LED_MASK;
            ps2_kbd_reply(s, PS2_REPLY_ACK);
            break;
        case KBD_CMD_SET_RATE:
            s->typematic = val & 0x7f;
            ps2_kbd_reply(s, PS2_REPLY_ACK);
            break;
        case KBD_CMD_SCANCODE:
            if (val == 0) {
                ps2_kbd_reply(s, PS2_REPLY_ACK);
                /* the reply itself passes through the controller's translation */
                ps2_kbd_reply(s, s->translate ? ps2_xlate(s->scancode_set) : s->scancode_set);
            } else if (val <= 3) {
                s->scancode_set = val;
                ps2_kbd_reply(s, PS2_REPLY_ACK);
            } else {
                ps2_kbd_reply(s, PS2_REPLY_RESEND);
            }
            break;
        }
        ps2_kbd_notify(s);
        return;
    }
    s->cmd = 0;
    switch (val) {
    case KBD_CMD_SET_LEDS:
    case KBD_CMD_SET_RATE:
    case KBD_CMD_SCANCODE:
        s->cmd = val;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_ECHO:
        ps2_kbd_reply(s, PS2_REPLY_ECHO);
        break;
    case KBD_CMD_GET_ID:
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        ps2_kbd_reply(s, 0xab);                     /* MF2 keyboard */
        ps2_kbd_reply(s, s->translate ? 0x41 : 0x83);
        break;
    case KBD_CMD_ENABLE:
        ps2_queue_reset(&s->q);                     /* enabling clears the buffer */
        s->scanning = true;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_RESET_DISABLE:
        ps2_kbd_defaults(s);
        s->scanning = false;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_RESET_ENABLE:
        ps2_kbd_defaults(s);
        s->scanning = true;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_SET_ALL_TYPEM ... KBD_CMD_SET_KEY_MAKE:
        /* set 3 key attributes: every key stays make/break/typematic */
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_RESEND:
        ps2_queue_push(&s->q, s->last_byte);
        break;
    case KBD_CMD_RESET:
        ps2_queue_reset(&s->q);
        ps2_kbd_defaults(s);
        s->leds = 0;
        s->scanning = true;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        ps2_kbd_reply(s, PS2_REPLY_BAT_OK);
        break;
    default:
        trace(LOG_GUEST_ERROR, "ps2: unknown keyboard command 0x%02x\n", val);
        ps2_kbd_reply(s, PS2_REPLY_RESEND);
        break;
    }
    ps2_kbd_notify(s);
}

int ps2_kbd_read(PS2KbdState *s)
{
    return ps2_queue_pop(&s->q);
}

bool ps2_kbd_has_data(const PS2KbdState *s)
{
    return s->q.count > 0;
}

void ps2_kbd_set_translation(PS2KbdState *s, bool on)
{
    s->translate = on;
}

static void ps2_kbd_reset(void *opaque)
{
    PS2KbdState *s = opaque;

    ps2_queue_reset(&s->q);
    ps2_kbd_defaults(s);
    s->last_byte = 0;
    s->leds = 0;
    s->scanning = true;
}

static int ps2_kbd_post_load(void *opaque, int version)
{
    PS2KbdState *s = opaque;

    if (!ps2_queue_valid(&s->q) || s->scancode_set < 1 || s->scancode_set > 3 ||
        s->repeat_key < -1 || s->repeat_key > 255)
        return -EINVAL;
    return 0;
}

static const VMStateDescription ps2_queue_vmsd = {
    .name = "ps2-queue",
    .version = 1,
    .fields = (const VMStateField[]){
        VMSTATE_U8_ARRAY(PS2Queue, data, PS2_QUEUE_SIZE),
        VMSTATE_U8(PS2Queue, rptr),
        VMSTATE_U8(PS2Queue, count),
        VMSTATE_END
    },
};

static const VMStateDescription ps2_kbd_vmsd = {
    .name = "ps2-kbd",
    .version = 1,
    .minimum_version = 1,
    .post_load = ps2_kbd_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_STRUCT(PS2KbdState, q, &ps2_queue_vmsd),
        VMSTATE_U8(PS2KbdState, cmd),
        VMSTATE_U8(PS2KbdState, last_byte),
        VMSTATE_BOOL(PS2KbdState, scanning),
        VMSTATE_BOOL(PS2KbdState, translate),
        VMSTATE_U8(PS2KbdState, scancode_set),
        VMSTATE_U8(PS2KbdState, leds),
        VMSTATE_U8(PS2KbdState, typematic),
        VMSTATE_I32(PS2KbdState, repeat_key),
        VMSTATE_TIMER(PS2KbdState, repeat_timer),
        VMSTATE_END
    },
};

const DeviceInfo ps2_kbd_info = { "ps2-kbd", ps2_kbd_reset, &ps2_kbd_vmsd };

PS2KbdState *ps2_kbd_create(PS2NotifyFn *notify, void *opaque)
{
    PS2KbdState *s = xzalloc(sizeof(*s));

    s->notify = notify;
    s->opaque = opaque;
    timer_init(&s->repeat_timer, CLOCK_VIRTUAL, ps2_kbd_repeat_cb, s);
    ps2_kbd_reset(s);
    device_register(&ps2_kbd_info, s);
    return s;
}

/* --- mouse --- */

static void ps2_mouse_queue(PS2MouseState *s, uint8_t b)
{
    ps2_queue_push(&s->q, b);
    s->last_byte = b;
}

static unsigned ps2_mouse_packet_size(const PS2MouseState *s)
{
    return s->id == 0 ? 3 : 4;
}

static int ps2_clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* 2:1 scaling (stream mode only): small moves stay, larger ones double. */
static int ps2_mouse_scale(int v)
{
    static const int small[6] = { 0, 1, 1, 3, 6, 9 };
    int a = v < 0 ? -v : v;
    int r = a < 6 ? small[a] : 2 * a;
    return v < 0 ? -r : r;
}

/* Put one packet with as much of the pending movement as fits in it. */
static void ps2_mouse_put_packet(PS2MouseState *s, bool scale)
{
    int dx = ps2_clamp(s->dx, -256, 255);
    int dy = ps2_clamp(s->dy, -256, 255);
    int dz = s->id == 4 ? ps2_clamp(s->dz, -8, 7) : ps2_clamp(s->dz, -128, 127);
    int sx = dx, sy = dy;

    s->dx -= dx;
    s->dy -= dy;
    s->dz -= dz;
    if (scale && s->scaling == 2) {
        sx = ps2_clamp(ps2_mouse_scale(dx), -256, 255);
        sy = ps2_clamp(ps2_mouse_scale(dy), -256, 255);
    }
    ps2_mouse_queue(s, (s->buttons & 7) | AUX_PKT_ALWAYS1 | (sx < 0 ? AUX_PKT_XSIGN : 0) |
                       (sy < 0 ? AUX_PKT_YSIGN : 0));
    ps2_mouse_queue(s, sx & 0xff);
    ps2_mouse_queue(s, sy & 0xff);
    if (s->id == 3)
        ps2_mouse_queue(s, dz & 0xff);
    else if (s->id == 4)
        ps2_mouse_queue(s, (dz & 0x0f) | ((s->buttons & (PS2_MOUSE_SIDE | PS2_MOUSE_EXTRA)) << 1));
    s->buttons_changed = false;
}

/* Stream mode: send what is owed while whole packets fit in the buffer. */
static bool ps2_mouse_flush(PS2MouseState *s)
{
    bool sent = false;

    if (!s->enabled || s->remote || s->wrap)
        return false;
    while ((s->dx || s->dy || s->dz || s->buttons_changed) &&
           ps2_queue_room(&s->q) >= ps2_mouse_packet_size(s)) {
        ps2_mouse_put_packet(s, true);
        sent = true;
    }
    return sent;
}

void ps2_mouse_event(PS2MouseState *s, int dx, int dy, int dz, unsigned buttons)
{
    buttons &= 0x1f;
    if (s->id != 4)
        buttons &= 7;
    if (!s->enabled && !s->remote) {
        s->buttons = buttons;         /* a disabled mouse reports nothing later */
        return;
    }
    /* keep the accumulators bounded whatever the front end sends */
    s->dx = ps2_clamp(s->dx + ps2_clamp(dx, -65536, 65536), -65536, 65536);
    s->dy = ps2_clamp(s->dy - ps2_clamp(dy, -65536, 65536), -65536, 65536);  /* PS/2: y up */
    if (s->id)
        s->dz = ps2_clamp(s->dz - ps2_clamp(dz, -65536, 65536), -65536, 65536);
    if (buttons != s->buttons) {
        s->buttons = buttons;
        s->buttons_changed = true;
    }
    if (ps2_mouse_flush(s) && s->notify)
        s->notify(s->opaque);
}

static void ps2_mouse_defaults(PS2MouseState *s)
{
    s->enabled = false;
    s->remote = false;
    s->wrap = false;
    s->scaling = 1;
    s->resolution = 2;
    s->sample_rate = 100;
    s->cmd = 0;
    s->dx = s->dy = s->dz = 0;
    s->buttons_changed = false;
}

static void ps2_mouse_set_rate(PS2MouseState *s, uint8_t rate)
{
    s->sample_rate = rate;
    s->knock[0] = s->knock[1];
    s->knock[1] = s->knock[2];
    s->knock[2] = rate;
    /* the IntelliMouse knocks: 200,100,80 -> wheel; then 200,200,80 -> 5 buttons */
    if (s->id == 0 && s->knock[0] == 200 && s->knock[1] == 100 && s->knock[2] == 80)
        s->id = 3;
    else if (s->id == 3 && s->knock[0] == 200 && s->knock[1] == 200 && s->knock[2] == 80)
        s->id = 4;
}

void ps2_mouse_write(PS2MouseState *s, uint8_t val)
{
    if (s->cmd) {
        uint8_t cmd = s->cmd;
        s->cmd = 0;
        if (cmd == AUX_SET_RES)
            s->resolution = val & 3;
        else
            ps2_mouse_set_rate(s, val);
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        goto out;
    }
    if (s->wrap && val != AUX_RESET_WRAP && val != AUX_RESET) {
        ps2_mouse_queue(s, val);      /* wrap mode echoes everything else */
        goto out;
    }
    switch (val) {
    case AUX_SET_SCALE11:
        s->scaling = 1;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_SET_SCALE21:
        s->scaling = 2;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_SET_RES:
    case AUX_SET_SAMPLE:
        s->cmd = val;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_GET_SCALE:
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        ps2_mouse_queue(s, (s->remote ? AUX_STATUS_REMOTE : 0) |
                           (s->enabled ? AUX_STATUS_ENABLED : 0) |
                           (s->scaling == 2 ? AUX_STATUS_SCALE21 : 0) |
                           ((s->buttons & PS2_MOUSE_LEFT) ? 0x04 : 0) |
                           ((s->buttons & PS2_MOUSE_MIDDLE) ? 0x02 : 0) |
                           ((s->buttons & PS2_MOUSE_RIGHT) ? 0x01 : 0));
        ps2_mouse_queue(s, s->resolution);
        ps2_mouse_queue(s, s->sample_rate);
        break;
    case AUX_SET_STREAM:
        s->remote = false;
        s->dx = s->dy = s->dz = 0;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_POLL:
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        ps2_mouse_put_packet(s, false);
        break;
    case AUX_RESET_WRAP:
        s->wrap = false;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_SET_WRAP:
        s->wrap = true;
        s->dx = s->dy = s->dz = 0;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_SET_REMOTE:
        s->remote = true;
        s->dx = s->dy = s->dz = 0;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_GET_TYPE:
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        ps2_mouse_queue(s, s->id);
        break;
    case AUX_ENABLE_DEV:
        s->enabled = true;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_DISABLE_DEV:
        /* the buffer is flushed so the ACK is not stuck behind old packets */
        ps2_queue_reset(&s->q);
        s->enabled = false;
        s->dx = s->dy = s->dz = 0;
        s->buttons_changed = false;
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_SET_DEFAULT:
        ps2_queue_reset(&s->q);
        ps2_mouse_defaults(s);
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        break;
    case AUX_RESEND:
        ps2_queue_push(&s->q, s->last_byte);
        break;
    case AUX_RESET:
        ps2_queue_reset(&s->q);
        ps2_mouse_defaults(s);
        s->id = 0;
        memset(s->knock, 0, sizeof(s->knock));
        ps2_mouse_queue(s, PS2_REPLY_ACK);
        ps2_mouse_queue(s, PS2_REPLY_BAT_OK);
        ps2_mouse_queue(s, s->id);
        break;
    default:
        trace(LOG_GUEST_ERROR, "ps2: unknown mouse command 0x%02x\n", val);
        ps2_mouse_queue(s, PS2_REPLY_RESEND);
        break;
    }
out:
    if (s->notify)
        s->notify(s->opaque);
}

int ps2_mouse_read(PS2MouseState *s)
{
    int b = ps2_queue_pop(&s->q);

    /* room again: movement that did not fit goes out now (the caller polls) */
    if (b >= 0 && !s->q.count)
        ps2_mouse_flush(s);
    return b;
}

bool ps2_mouse_has_data(const PS2MouseState *s)
{
    return s->q.count > 0;
}

static void ps2_mouse_reset(void *opaque)
{
    PS2MouseState *s = opaque;

    ps2_queue_reset(&s->q);
    ps2_mouse_defaults(s);
    s->id = 0;
    s->last_byte = 0;
    s->buttons = 0;
    memset(s->knock, 0, sizeof(s->knock));
}

static int ps2_mouse_post_load(void *opaque, int version)
{
    PS2MouseState *s = opaque;

    if (!ps2_queue_valid(&s->q) || (s->id != 0 && s->id != 3 && s->id != 4) ||
        (s->scaling != 1 && s->scaling != 2) || s->resolution > 3 ||
        s->dx < -65536 || s->dx > 65536 || s->dy < -65536 || s->dy > 65536 ||
        s->dz < -65536 || s->dz > 65536)
        return -EINVAL;
    return 0;
}

static const VMStateDescription ps2_mouse_vmsd = {
    .name = "ps2-mouse",
    .version = 1,
    .minimum_version = 1,
    .post_load = ps2_mouse_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_STRUCT(PS2MouseState, q, &ps2_queue_vmsd),
        VMSTATE_U8(PS2MouseState, cmd),
        VMSTATE_U8(PS2MouseState, last_byte),
        VMSTATE_BOOL(PS2MouseState, enabled),
        VMSTATE_BOOL(PS2MouseState, remote),
        VMSTATE_BOOL(PS2MouseState, wrap),
        VMSTATE_U8(PS2MouseState, scaling),
        VMSTATE_U8(PS2MouseState, resolution),
        VMSTATE_U8(PS2MouseState, sample_rate),
        VMSTATE_U8(PS2MouseState, id),
        VMSTATE_U8_ARRAY(PS2MouseState, knock, 3),
        VMSTATE_U8(PS2MouseState, buttons),
        VMSTATE_BOOL(PS2MouseState, buttons_changed),
        VMSTATE_I32(PS2MouseState, dx),
        VMSTATE_I32(PS2MouseState, dy),
        VMSTATE_I32(PS2MouseState, dz),
        VMSTATE_END
    },
};

const DeviceInfo ps2_mouse_info = { "ps2-mouse", ps2_mouse_reset, &ps2_mouse_vmsd };

PS2MouseState *ps2_mouse_create(PS2NotifyFn *notify, void *opaque)
{
    PS2MouseState *s = xzalloc(sizeof(*s));

    s->notify = notify;
    s->opaque = opaque;
    ps2_mouse_reset(s);
    device_register(&ps2_mouse_info, s);
    return s;
}
