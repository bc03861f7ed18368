/*
 * 8042 keyboard controller: the probe SeaBIOS and Linux make (self tests,
 * command byte, keyboard reset/ID through the controller, mouse through
 * 0xd4), A20 and reset through the output port, port disabling.
 */
#include <linux/input-event-codes.h>

#include "core/common.h"
#include "core/clock.h"
#include "core/cpus.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/mainloop.h"
#include "core/vmstate.h"
#include "hw/i8042.h"
#include "hw/ps2.h"
#include "tests/unit/tap.h"

#define STAT_OBF     0x01
#define STAT_SYS     0x04
#define STAT_CMD     0x08
#define STAT_AUX     0x20

static int irq1, irq12;

static void irq_cb(void *opaque, int n, int level)
{
    if (n == 1)
        irq1 = level;
    else
        irq12 = level;
}

static void outb(uint16_t port, uint8_t val) { ioport_write(port, val, 1); }
static uint8_t inb(uint16_t port) { return ioport_read(port, 1); }

/* What SeaBIOS's ps2_recvbyte does: poll OBF, check whose byte it is. */
static int recv(bool aux)
{
    for (int i = 0; i < 100; i++) {
        uint8_t st = inb(0x64);
        if (!(st & STAT_OBF))
            continue;
        uint8_t b = inb(0x60);
        if (!!(st & STAT_AUX) == aux)
            return b;
        return -2;             /* wrong device */
    }
    return -1;
}

static int ctl(uint8_t cmd)
{
    outb(0x64, cmd);
    return recv(false);
}

static void wctr(uint8_t v)
{
    outb(0x64, 0x60);
    outb(0x60, v);
}

int main(void)
{
    clock_set_test_mode(true);
    I8042State *s = i8042_create(irq_line(irq_cb, NULL, 1), irq_line(irq_cb, NULL, 12));
    ok(s != NULL, "controller created");
    ok(i8042_create(irq_line(irq_cb, NULL, 1), irq_line(irq_cb, NULL, 12)) == NULL,
       "a second controller on the same ports is refused");
    PS2KbdState *kbd = i8042_kbd(s);

    is_int(inb(0x64) & ~STAT_CMD, 0x10, "status after reset: unlocked, nothing to read");
    is_int(ctl(0x20), 0x03, "command byte after reset: both interrupts on");

    /* SeaBIOS ps2_keyboard_setup */
    is_int(ctl(0xaa), 0x55, "controller self test passes");
    ok(inb(0x64) & STAT_SYS, "system flag set after self test");
    is_int(ctl(0xab), 0x00, "keyboard interface test passes");
    is_int(ctl(0xa9), 0x00, "mouse interface test passes");
    wctr(0x30);                            /* both ports disabled, no interrupts */
    wctr(0x20);                            /* keyboard port enabled */
    outb(0x60, 0xff);
    is_int(recv(false), 0xfa, "keyboard reset: ACK");
    is_int(recv(false), 0xaa, "keyboard reset: BAT passed");
    outb(0x60, 0xf5);
    is_int(recv(false), 0xfa, "keyboard disable: ACK");
    wctr(0x61);                            /* XLATE, SYS, keyboard interrupt */
    is_int(ctl(0x20), 0x61, "command byte reads back");
    outb(0x60, 0xf2);
    is_int(recv(false), 0xfa, "identify: ACK");
    is_int(recv(false), 0xab, "identify: ab");
    is_int(recv(false), 0x41, "identify: 41 (translated 83)");
    outb(0x60, 0xf4);
    is_int(recv(false), 0xfa, "keyboard enable: ACK");
    ok(!irq1, "no IRQ1 left pending");

    /* a key now arrives in set 1 with IRQ1 */
    ps2_keyboard_event(kbd, KEY_ENTER, true);
    ok(irq1, "key press raises IRQ1");
    is_int(inb(0x64) & (STAT_OBF | STAT_AUX), STAT_OBF, "keyboard byte in the buffer");
    is_int(inb(0x60), 0x1c, "Enter make code, translated");
    ok(!irq1, "IRQ1 drops after the read");
    ps2_keyboard_event(kbd, KEY_ENTER, false);
    is_int(inb(0x60), 0x9c, "Enter break code");

    /* interrupts off: data still readable, no IRQ */
    wctr(0x60);
    ps2_keyboard_event(kbd, KEY_A, true);
    ok(!irq1 && (inb(0x64) & STAT_OBF), "with KBDINT off the byte waits without IRQ1");
    inb(0x60);
    ps2_keyboard_event(kbd, KEY_A, false);
    inb(0x60);

    /* keyboard port disabled: bytes wait in the keyboard */
    wctr(0x71);
    outb(0x64, 0xad);
    is_int(ctl(0x20) & 0x10, 0x10, "0xad disables the keyboard port");
    ps2_keyboard_event(kbd, KEY_B, true);
    ok(!(inb(0x64) & STAT_OBF), "disabled port: nothing delivered");
    outb(0x64, 0xae);
    ok(inb(0x64) & STAT_OBF, "0xae enables it and the key arrives");
    is_int(inb(0x60), 0x30, "'B' make, translated");
    ps2_keyboard_event(kbd, KEY_B, false);
    inb(0x60);

    /* mouse through the controller (Linux psmouse probe) */
    wctr(0x47);                            /* both interrupts, XLATE, SYS, aux enabled */
    outb(0x64, 0xa8);
    outb(0x64, 0xd4); outb(0x60, 0xf2);
    ok(irq12, "mouse reply raises IRQ12");
    is_int(recv(true), 0xfa, "mouse identify: ACK on the aux port");
    is_int(recv(true), 0x00, "mouse ID 0");
    outb(0x64, 0xa7);
    is_int(ctl(0x20) & 0x20, 0x20, "0xa7 disables the mouse port");
    outb(0x64, 0xd4); outb(0x60, 0xf2);
    ok(!(inb(0x64) & STAT_OBF), "disabled mouse port holds the reply");
    outb(0x64, 0xa8);
    is_int(recv(true), 0xfa, "reply arrives once enabled");
    is_int(recv(true), 0x00, "ID 0");

    /* write output buffer commands */
    outb(0x64, 0xd2); outb(0x60, 0x5a);
    is_int(recv(false), 0x5a, "0xd2 loops a byte back as keyboard data");
    outb(0x64, 0xd3); outb(0x60, 0xa5);
    is_int(recv(true), 0xa5, "0xd3 loops a byte back as mouse data");

    /* A20 and reset through the output port */
    ok(cpus_a20_enabled(), "A20 on after reset");
    outb(0x64, 0xdd);
    ok(!cpus_a20_enabled(), "0xdd disables A20");
    is_int(ctl(0xd0) & 0x02, 0x00, "output port shows A20 off");
    outb(0x64, 0xdf);
    ok(cpus_a20_enabled(), "0xdf enables A20");
    outb(0x64, 0xd1); outb(0x60, 0x01);
    ok(!cpus_a20_enabled(), "0xd1 with bit 1 clear disables A20");
    outb(0x64, 0xd1); outb(0x60, 0x03);
    ok(cpus_a20_enabled(), "0xd1 with bit 1 set enables A20");
    is_int(machine_pending_request(), SHUTDOWN_NONE, "no reset requested yet");
    outb(0x64, 0xfe);
    is_int(machine_pending_request(), SHUTDOWN_RESET, "0xfe pulses reset");

    /* save/load */
    wctr(0x65);
    ps2_keyboard_event(kbd, KEY_C, true);
    VMStateBuf buf = { 0 };
    ok(!vmstate_save(&buf, i8042_info.vmsd, s), "saved");
    inb(0x60);
    wctr(0x00);
    buf.pos = 0;
    ok(!vmstate_load(&buf, i8042_info.vmsd, s), "loaded");
    is_int(inb(0x64) & STAT_OBF, STAT_OBF, "output buffer full again");
    ok(irq1, "IRQ1 re-derived after load");
    is_int(inb(0x60), 0x2e, "'C' make code restored");
    is_int(ctl(0x20), 0x65, "command byte restored");
    vmstate_buf_free(&buf);

    /* garbage never crashes */
    for (int i = 0; i < 4096; i++) {
        outb(0x64, (i * 37) & 0xff);
        outb(0x60, (i * 91) & 0xff);
        inb(0x60);
        inb(0x64);
    }
    devices_reset_all();
    is_int(ctl(0x20), 0x03, "reset restores the command byte after random traffic");
    outb(0x60, 0xff);
    is_int(recv(false), 0xfa, "keyboard still answers: ACK");
    is_int(recv(false), 0xaa, "and BAT");
    return done_testing();
}
