/*
 * PS/2 keyboard and mouse behind the 8042: feed key and mouse events as a
 * front end does and read what a guest reads from port 0x60, in scan code
 * set 2, translated set 1 and set 3, plus typematic, LEDs and the mouse's
 * packets, modes and IntelliMouse IDs.
 */
#include <linux/input-event-codes.h>

#include "core/common.h"
#include "core/clock.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/vmstate.h"
#include "hw/i8042.h"
#include "hw/ps2.h"
#include "tests/unit/tap.h"

#define MS 1000000LL

static int irq1, irq12, irq1_rises;

static void irq_cb(void *opaque, int n, int level)
{
    if (n == 1) {
        if (level && !irq1)
            irq1_rises++;
        irq1 = level;
    } else {
        irq12 = level;
    }
}

static void outb(uint16_t port, uint8_t val) { ioport_write(port, val, 1); }
static uint8_t inb(uint16_t port) { return ioport_read(port, 1); }

/* Drain port 0x60 into buf as a hex string, e.g. "e0 f0 6b". */
static char got[256];
static const char *drain(void)
{
    size_t n = 0;
    got[0] = 0;
    for (int i = 0; i < 64 && (inb(0x64) & 1); i++)
        n += snprintf(got + n, sizeof(got) - n, "%s%02x", n ? " " : "", inb(0x60));
    return got;
}

#define is_bytes(want, ...) do { \
        const char *g_ = drain(); \
        if (!ok(!strcmp(g_, want), __VA_ARGS__)) \
            printf("#   got \"%s\", want \"%s\"\n", g_, want); \
    } while (0)

static void kbd_cmd(uint8_t b) { outb(0x60, b); }
static void mouse_cmd(uint8_t b) { outb(0x64, 0xd4); outb(0x60, b); }
static void set_mode(uint8_t m) { outb(0x64, 0x60); outb(0x60, m); }

static void key(PS2KbdState *k, int code, bool down) { ps2_keyboard_event(k, code, down); }
static void tap_key(PS2KbdState *k, int code) { key(k, code, true); key(k, code, false); }

int main(void)
{
    clock_set_test_mode(true);
    I8042State *i8042 = i8042_create(irq_line(irq_cb, NULL, 1), irq_line(irq_cb, NULL, 12));
    ok(i8042 != NULL, "controller created");
    PS2KbdState *kbd = i8042_kbd(i8042);
    PS2MouseState *mouse = i8042_mouse(i8042);

    /* --- keyboard, set 2, no translation --- */
    set_mode(0x03);
    tap_key(kbd, KEY_A);
    ok(irq1, "IRQ1 raised for a key");
    is_bytes("1c f0 1c", "set 2: 'A' make 1c, break f0 1c");
    ok(!irq1, "IRQ1 drops when the buffer is empty");
    tap_key(kbd, KEY_LEFT);
    is_bytes("e0 6b e0 f0 6b", "set 2: Left arrow e0 6b / e0 f0 6b");
    tap_key(kbd, KEY_F7);
    is_bytes("83 f0 83", "set 2: F7 is 83");
    tap_key(kbd, KEY_ENTER);
    tap_key(kbd, KEY_KPENTER);
    is_bytes("5a f0 5a e0 5a e0 f0 5a", "set 2: Enter 5a, keypad Enter e0 5a");
    tap_key(kbd, KEY_RIGHTCTRL);
    is_bytes("e0 14 e0 f0 14", "set 2: right Ctrl e0 14");
    tap_key(kbd, KEY_ESC);
    tap_key(kbd, KEY_1);
    tap_key(kbd, KEY_SPACE);
    is_bytes("76 f0 76 16 f0 16 29 f0 29", "set 2: Esc 76, '1' 16, Space 29");
    key(kbd, KEY_PAUSE, true);
    key(kbd, KEY_PAUSE, false);
    is_bytes("e1 14 77 e1 f0 14 f0 77", "set 2: Pause sequence, no break");
    tap_key(kbd, KEY_SYSRQ);
    is_bytes("e0 12 e0 7c e0 f0 7c e0 f0 12", "set 2: Print Screen");
    key(kbd, 0, true);
    key(kbd, 9999, true);
    key(kbd, -5, true);
    is_bytes("", "unknown key codes send nothing");

    /* replies that depend on translation */
    kbd_cmd(0xf2);
    is_bytes("fa ab 83", "identify: MF2 ab 83 untranslated");
    kbd_cmd(0xf0); kbd_cmd(0x00);
    is_bytes("fa fa 02", "get scan code set: 2");

    /* --- translated: what a BIOS and Linux normally see --- */
    set_mode(0x43);
    tap_key(kbd, KEY_A);
    is_bytes("1e 9e", "translated: 'A' 1e / 9e");
    tap_key(kbd, KEY_LEFT);
    is_bytes("e0 4b e0 cb", "translated: Left arrow e0 4b / e0 cb");
    tap_key(kbd, KEY_F7);
    tap_key(kbd, KEY_F12);
    is_bytes("41 c1 58 d8", "translated: F7 41, F12 58");
    tap_key(kbd, KEY_RIGHTALT);
    tap_key(kbd, KEY_DELETE);
    is_bytes("e0 38 e0 b8 e0 53 e0 d3", "translated: right Alt, Delete");
    key(kbd, KEY_PAUSE, true);
    is_bytes("e1 1d 45 e1 9d c5", "translated: Pause");
    tap_key(kbd, KEY_SYSRQ);
    is_bytes("e0 2a e0 37 e0 b7 e0 aa", "translated: Print Screen");
    kbd_cmd(0xf2);
    is_bytes("fa ab 41", "identify translated: ab 41");
    kbd_cmd(0xf0); kbd_cmd(0x00);
    is_bytes("fa fa 41", "scan code set 2 reads as 41 through translation");

    /* every key of set 1 comes back as itself through the set 2 tables */
    set_mode(0x03);
    int bad = 0;
    static const int keys[] = { KEY_Q, KEY_W, KEY_Z, KEY_M, KEY_SLASH, KEY_BACKSLASH,
        KEY_GRAVE, KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_CAPSLOCK, KEY_NUMLOCK, KEY_KP0,
        KEY_KPDOT, KEY_F1, KEY_F10, KEY_F11, KEY_102ND, KEY_HOME, KEY_END, KEY_PAGEUP };
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        set_mode(0x03);
        key(kbd, keys[i], true);
        char s2[64];
        snprintf(s2, sizeof(s2), "%s", drain());
        set_mode(0x43);
        key(kbd, keys[i], true);
        const char *s1 = drain();
        unsigned a, b;
        /* the set 2 byte (last) translated must equal the set 1 byte (last) */
        const char *l2 = strrchr(s2, ' '), *l1 = strrchr(s1, ' ');
        sscanf(l2 ? l2 + 1 : s2, "%x", &a);
        sscanf(l1 ? l1 + 1 : s1, "%x", &b);
        if (keys[i] < 89 && (unsigned)keys[i] != b)
            bad++;              /* Linux codes below 89 are the set 1 codes */
        key(kbd, keys[i], false);
        drain();
        (void)a;
    }
    is_int(bad, 0, "set 1 codes equal the Linux key codes for the main block");
    set_mode(0x03);

    /* --- set 1 and set 3 selected in the keyboard --- */
    kbd_cmd(0xf0); kbd_cmd(0x01);
    is_bytes("fa fa", "select set 1");
    tap_key(kbd, KEY_A);
    tap_key(kbd, KEY_UP);
    is_bytes("1e 9e e0 48 e0 c8", "set 1 untranslated: A, Up");
    kbd_cmd(0xf0); kbd_cmd(0x03);
    is_bytes("fa fa", "select set 3");
    tap_key(kbd, KEY_A);
    tap_key(kbd, KEY_F1);
    tap_key(kbd, KEY_UP);
    is_bytes("1c f0 1c 07 f0 07 63 f0 63", "set 3: A 1c, F1 07, Up 63, no E0");
    kbd_cmd(0xf0); kbd_cmd(0x00);
    is_bytes("fa fa 03", "get set: 3");
    kbd_cmd(0xf0); kbd_cmd(0x07);
    is_bytes("fa fe", "invalid set refused");
    kbd_cmd(0xf0); kbd_cmd(0x02);
    drain();

    /* --- commands --- */
    kbd_cmd(0xed); kbd_cmd(0x07);
    is_bytes("fa fa", "set LEDs");
    is_int(kbd->leds, 7, "LEDs on");
    kbd_cmd(0xed); kbd_cmd(0xf2);
    is_bytes("fa fa ab 83", "a command in place of the LED byte is run as a command");
    kbd_cmd(0xee);
    is_bytes("ee", "echo");
    kbd_cmd(0xf5);
    is_bytes("fa", "disable");
    tap_key(kbd, KEY_A);
    is_bytes("", "disabled keyboard sends nothing");
    kbd_cmd(0xf4);
    is_bytes("fa", "enable");
    tap_key(kbd, KEY_B);
    is_bytes("32 f0 32", "scanning again ('B' = 32)");
    kbd_cmd(0xfb);
    is_bytes("fa", "set 3 key-type command acknowledged");
    kbd_cmd(0x01);
    is_bytes("fe", "unknown command: resend");
    kbd_cmd(0xff);
    is_bytes("fa aa", "reset: ACK, BAT passed");
    is_int(kbd->leds, 0, "reset turns the LEDs off");

    /* --- typematic on the virtual clock --- */
    kbd_cmd(0xf3); kbd_cmd(0x00);          /* 30 cps, 250 ms */
    is_bytes("fa fa", "typematic 30 cps / 250 ms");
    key(kbd, KEY_A, true);
    is_bytes("1c", "make");
    clock_step(249 * MS);
    is_bytes("", "no repeat before the delay");
    clock_step(1 * MS);
    is_bytes("1c", "first repeat after 250 ms");
    clock_step(33 * MS);
    is_bytes("", "not yet (period 33.3 ms)");
    clock_step(1 * MS);
    is_bytes("1c", "second repeat one period later");
    clock_step(100 * MS);
    is_bytes("1c 1c 1c", "three more in 100 ms");
    key(kbd, KEY_B, true);
    key(kbd, KEY_A, false);
    clock_step(300 * MS);
    const char *r = drain();
    ok(!strncmp(r, "32 f0 1c 32 32", 14), "the last key pressed repeats, not the released one (%s)", r);
    key(kbd, KEY_B, false);
    drain();
    clock_step(1000 * MS);
    is_bytes("", "released: no more repeats");
    kbd_cmd(0xf3); kbd_cmd(0x7f);          /* 2 cps, 1 s */
    drain();
    key(kbd, KEY_A, true);
    clock_step(999 * MS);
    is_bytes("1c", "slowest rate: nothing before 1 s");
    clock_step(1 * MS);
    is_bytes("1c", "repeat at 1 s");
    clock_step(500 * MS);
    is_bytes("1c", "then every 500 ms");
    key(kbd, KEY_A, false);
    drain();

    /* a full buffer drops bytes instead of overflowing */
    for (int i = 0; i < 200; i++)
        tap_key(kbd, KEY_A);
    int n = 0;
    while ((inb(0x64) & 1) && n < 1000) {
        inb(0x60);
        n++;
    }
    ok(n > 0 && n <= PS2_QUEUE_SIZE + 1, "overflow keeps at most the buffer (%d bytes)", n);

    /* --- mouse --- */
    mouse_cmd(0xff);
    ok(inb(0x64) & 0x20, "mouse byte flagged in status bit 5");
    ok(irq12, "IRQ12 for mouse data");
    is_bytes("fa aa 00", "mouse reset: ACK, BAT, ID 0");
    ps2_mouse_event(mouse, 10, 10, 0, 0);
    is_bytes("", "disabled mouse streams nothing");
    mouse_cmd(0xf2);
    is_bytes("fa 00", "ID 0");
    mouse_cmd(0xf4);
    is_bytes("fa", "enable reporting");
    ps2_mouse_event(mouse, 5, 3, 0, PS2_MOUSE_LEFT);
    is_bytes("29 05 fd", "packet: left button, dx 5, dy -3 (PS/2 y is up)");
    ps2_mouse_event(mouse, -2, -4, 0, PS2_MOUSE_RIGHT | PS2_MOUSE_MIDDLE);
    is_bytes("1e fe 04", "packet: right+middle, dx -2, dy +4");
    ps2_mouse_event(mouse, 0, 0, 0, 0);
    is_bytes("08 00 00", "button release alone sends a packet");
    ps2_mouse_event(mouse, 0, 0, 0, 0);
    is_bytes("", "no change, no packet");
    ps2_mouse_event(mouse, 300, 0, 0, 0);
    is_bytes("08 ff 00 08 2d 00", "dx 300 goes out as 255 + 45");
    ps2_mouse_event(mouse, -1000, 0, 0, 0);
    is_bytes("18 00 00 18 00 00 18 00 00 18 18 00", "dx -1000: -256 x3, -232");
    ps2_mouse_event(mouse, 0, 0, 3, 0);
    is_bytes("", "no wheel on a plain mouse");

    /* scaling 2:1 */
    mouse_cmd(0xe7);
    drain();
    ps2_mouse_event(mouse, 3, 0, 0, 0);
    ps2_mouse_event(mouse, 10, 0, 0, 0);
    is_bytes("08 03 00 08 14 00", "2:1 scaling: 3 -> 3, 10 -> 20");
    mouse_cmd(0xe6);
    drain();

    /* status request */
    mouse_cmd(0xe8); mouse_cmd(0x03);
    mouse_cmd(0xf3); mouse_cmd(40);
    is_bytes("fa fa fa fa", "set resolution 3, rate 40");
    mouse_cmd(0xe9);
    is_bytes("fa 20 03 28", "status: enabled, res 3, rate 40");

    /* IntelliMouse knock */
    mouse_cmd(0xf3); mouse_cmd(200);
    mouse_cmd(0xf3); mouse_cmd(100);
    mouse_cmd(0xf3); mouse_cmd(80);
    drain();
    mouse_cmd(0xf2);
    is_bytes("fa 03", "200/100/80 knock: ID 3 (wheel)");
    ps2_mouse_event(mouse, 1, 0, 1, 0);
    is_bytes("08 01 00 ff", "4-byte packet, wheel up = -1");
    ps2_mouse_event(mouse, 0, 0, -2, 0);
    is_bytes("08 00 00 02", "wheel down = +2");
    mouse_cmd(0xf3); mouse_cmd(200);
    mouse_cmd(0xf3); mouse_cmd(200);
    mouse_cmd(0xf3); mouse_cmd(80);
    drain();
    mouse_cmd(0xf2);
    is_bytes("fa 04", "200/200/80 knock: ID 4 (5 buttons)");
    ps2_mouse_event(mouse, 0, 0, 1, PS2_MOUSE_SIDE);
    is_bytes("08 00 00 1f", "ID 4: wheel -1 in the low nibble, button 4 in bit 4");

    /* remote mode */
    mouse_cmd(0xf0);
    drain();
    ps2_mouse_event(mouse, 7, -7, 0, 0);
    is_bytes("", "remote mode streams nothing");
    mouse_cmd(0xeb);
    is_bytes("fa 08 07 07 00", "read data returns the movement");
    mouse_cmd(0xea);
    drain();

    /* wrap mode */
    mouse_cmd(0xee);
    is_bytes("fa", "wrap mode on");
    mouse_cmd(0x42);
    is_bytes("42", "wrap mode echoes");
    mouse_cmd(0xec);
    is_bytes("fa", "wrap mode off");

    /* reset forgets the wheel */
    mouse_cmd(0xff);
    is_bytes("fa aa 00", "reset: ID back to 0");
    mouse_cmd(0x01);
    is_bytes("fe", "unknown mouse command: resend");

    /* keyboard and mouse both pending: each byte says whose it is (status bit 5) */
    mouse_cmd(0xf4);
    drain();
    ps2_mouse_event(mouse, 1, 0, 0, 0);
    tap_key(kbd, KEY_A);
    char kb[64] = "", ms[64] = "";
    for (int i = 0; i < 16 && (inb(0x64) & 1); i++) {
        bool aux = inb(0x64) & 0x20;
        char *d = aux ? ms : kb;
        snprintf(d + strlen(d), 64 - strlen(d), "%s%02x", *d ? " " : "", inb(0x60));
    }
    ok(!strcmp(kb, "1c f0 1c") && !strcmp(ms, "08 01 00"),
       "interleaved bytes demultiplex into keyboard \"%s\" and mouse \"%s\"", kb, ms);

    /* save/load of the controller and the devices */
    tap_key(kbd, KEY_Z);
    VMStateBuf buf = { 0 };
    ok(!devices_save(&buf), "controller and devices saved");
    drain();
    buf.pos = 0;
    ok(!devices_load(&buf), "loaded");
    is_bytes("1a f0 1a", "queued bytes survive save/load");
    vmstate_buf_free(&buf);
    buf = (VMStateBuf){ 0 };
    kbd->q.count = 200;
    buf = (VMStateBuf){ 0 };
    vmstate_save(&buf, ps2_kbd_info.vmsd, kbd);
    buf.pos = 0;
    ok(vmstate_load(&buf, ps2_kbd_info.vmsd, kbd) < 0, "corrupt queue count refused on load");
    kbd->q.count = 0;
    vmstate_buf_free(&buf);
    return done_testing();
}
