/*
 * 16550A UART: the probes Linux's 8250 driver makes (scratch, IER, loopback,
 * FIFO type), divisor latch, FIFO trigger and timeout interrupts, THRE, line
 * status, and bytes reaching a file back end.
 */
#include <fcntl.h>
#include <unistd.h>

#include "core/common.h"
#include "core/chardev.h"
#include "core/clock.h"
#include "core/ioport.h"
#include "core/mainloop.h"
#include "core/vmstate.h"
#include "hw/serial.h"
#include "tests/unit/tap.h"

#define COM1 0x3f8
#define COM2 0x2f8
#define COM3 0x3e8

static int irq_level, irq_rises;

static void test_irq_set(void *opaque, int n, int level)
{
    if (level && !irq_level)
        irq_rises++;
    irq_level = level;
}

static void outb(uint16_t port, uint8_t val) { ioport_write(port, val, 1); }
static uint8_t inb(uint16_t port) { return ioport_read(port, 1); }

static void drain(void)
{
    int i;

    for (i = 0; i < 32 && (inb(COM1 + 5) & 0x01); i++)
        inb(COM1);
}

int main(void)
{
    SerialState *s;
    CharDev *chr;
    VMStateBuf buf = { 0 };
    char path[] = "/tmp/pcvm-test-serial-XXXXXX";
    char out[64];
    int fd, i, n;
    int64_t char_ns;

    clock_set_test_mode(true);
    s = serial_create(COM1, irq_line(test_irq_set, NULL, 4), NULL);
    ok(s != NULL, "serial created");
    ok(serial_create(COM1 + 4, irq_line(test_irq_set, NULL, 4), NULL) == NULL,
       "overlapping UART refused");

    /* Power-on values. */
    is_int(inb(COM1 + 2), 0x01, "IIR: no interrupt, FIFOs off");
    is_int(inb(COM1 + 5), 0x60, "LSR: THRE|TEMT");
    ok(!irq_level, "IRQ low");

    /* Linux autoconfig: scratch register, IER readback. */
    outb(COM1 + 7, 0x55);
    is_int(inb(COM1 + 7), 0x55, "scratch register");
    outb(COM1 + 1, 0x00);
    is_int(inb(COM1 + 1), 0x00, "IER reads 0");
    outb(COM1 + 1, 0xff);
    is_int(inb(COM1 + 1), 0x0f, "IER keeps only bits 0-3");
    outb(COM1 + 1, 0x00);

    /* Loopback test: RTS->CTS, OUT2->DCD. */
    outb(COM1 + 4, 0x1a);
    is_int(inb(COM1 + 6) & 0xf0, 0x90, "loopback MSR = DCD|CTS for MCR=LOOP|OUT2|RTS");
    outb(COM1 + 4, 0x1f);
    is_int(inb(COM1 + 6) & 0xf0, 0xf0, "loopback MSR all lines");
    is_int(inb(COM1 + 4), 0x1f, "MCR reads back 5 bits");
    outb(COM1 + 4, 0x00);
    inb(COM1 + 6);

    /* FIFO type probe: IIR bits 7-6 = 11 means 16550A. */
    outb(COM1 + 2, 0x01);
    is_int(inb(COM1 + 2) >> 6, 3, "FIFO enabled: IIR says 16550A");
    is_int(inb(COM1 + 2) & 0x20, 0, "no 64-byte FIFO bit (not a 16750)");
    outb(COM1 + 3, 0xbf);
    ok(inb(COM1 + 2) != 0, "no EFR at offset 2 with LCR=0xbf (not a 16650)");
    outb(COM1 + 3, 0x00);
    outb(COM1 + 2, 0x00);
    is_int(inb(COM1 + 2) >> 6, 0, "FIFO disabled: IIR bits 7-6 = 00");

    /* Divisor latch. */
    outb(COM1 + 1, 0x05);
    outb(COM1 + 3, 0x83);
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    is_int(inb(COM1 + 0), 0x01, "DLL reads back");
    is_int(inb(COM1 + 1), 0x00, "DLM reads back");
    outb(COM1 + 3, 0x03);
    is_int(inb(COM1 + 1), 0x05, "IER untouched by divisor writes");
    is_int(inb(COM1 + 3), 0x03, "LCR 8N1");
    outb(COM1 + 1, 0x00);
    is_int(s->divisor, 1, "divisor 1 = 115200 baud");

    /* THRE interrupt on the IRQ line (needs OUT2, as on a PC). */
    outb(COM1 + 1, 0x02);
    ok(!irq_level, "THRE pending but OUT2 low: no IRQ");
    outb(COM1 + 4, 0x08);
    ok(irq_level, "OUT2 set: IRQ4 high for THRE");
    is_int(inb(COM1 + 2), 0x02, "IIR = THRE");
    ok(!irq_level, "reading IIR acknowledged THRE");
    is_int(inb(COM1 + 2), 0x01, "IIR then shows nothing");
    outb(COM1 + 0, 'x');
    ok(irq_level, "writing THR (sent at once) raises THRE again");
    outb(COM1 + 1, 0x00);
    ok(!irq_level, "disabling ETBEI lowers IRQ");
    /* Linux's UART_BUG_THRE test: re-enabling ETBEI re-asserts THRE. */
    outb(COM1 + 1, 0x02);
    is_int(inb(COM1 + 2) & 0x0f, 0x02, "THRE after IER 0 -> THRI");
    outb(COM1 + 1, 0x00);
    outb(COM1 + 1, 0x02);
    is_int(inb(COM1 + 2) & 0x0f, 0x02, "THRE again after IER 0 -> THRI");
    outb(COM1 + 1, 0x00);

    /* Loopback receive. */
    outb(COM1 + 4, 0x10);
    outb(COM1 + 2, 0x07);   /* FIFO on, both reset, trigger 1 */
    outb(COM1 + 0, 'A');
    is_int(inb(COM1 + 5) & 0x01, 0x01, "LSR.DR after loopback byte");
    is_int(inb(COM1 + 0), 'A', "RBR gives the byte back");
    is_int(inb(COM1 + 5) & 0x01, 0x00, "DR clear when empty");

    /* Word length: 5 bits only reach the receiver. */
    outb(COM1 + 3, 0x00);
    outb(COM1 + 0, 0xff);
    is_int(inb(COM1 + 0), 0x1f, "5-bit word in loopback");
    outb(COM1 + 3, 0x03);

    /* FIFO trigger level 8 and the character timeout. */
    outb(COM1 + 2, 0x81);
    outb(COM1 + 1, 0x01);
    for (i = 0; i < 7; i++)
        outb(COM1 + 0, '0' + i);
    is_int(inb(COM1 + 2), 0xc1, "7 bytes < trigger 8: no RDA yet");
    outb(COM1 + 0, '7');
    is_int(inb(COM1 + 2), 0xc4, "8 bytes: RDA");
    is_int(inb(COM1 + 0), '0', "first byte out first");
    is_int(inb(COM1 + 2), 0xc1, "below trigger again: no RDA");
    char_ns = 10 * 16 * NANOSECONDS_PER_SECOND / 1843200;   /* 8N1 at divisor 1 */
    clock_step(3 * char_ns);
    is_int(inb(COM1 + 2), 0xc1, "no timeout after 3 character times");
    clock_step(char_ns + 100);
    is_int(inb(COM1 + 2), 0xcc, "character timeout after 4 character times");
    is_int(inb(COM1 + 0), '1', "reading clears the timeout");
    is_int(inb(COM1 + 2), 0xc1, "timeout cleared");
    /* The IRQ line with data waiting: leave loopback with OUT2 set. */
    clock_step(5 * char_ns);
    irq_rises = 0;
    outb(COM1 + 4, 0x08);
    ok(irq_level, "RX timeout interrupt reaches IRQ4 outside loopback");
    n = 0;
    while (inb(COM1 + 5) & 0x01)
        out[n++] = inb(COM1);
    is_int(n, 6, "6 bytes left in the FIFO");
    ok(!memcmp(out, "234567", 6), "in order");
    ok(!irq_level, "IRQ4 low once drained");
    outb(COM1 + 4, 0x10);

    /* Overrun and the line status interrupt, which outranks RDA. */
    outb(COM1 + 2, 0x07);
    outb(COM1 + 1, 0x05);
    for (i = 0; i < 17; i++)
        outb(COM1 + 0, 'a' + i);
    is_int(inb(COM1 + 2), 0xc6, "FIFO overrun: IIR = RLS (above RDA)");
    is_int(inb(COM1 + 5) & 0x03, 0x03, "LSR: OE|DR");
    is_int(inb(COM1 + 5) & 0x02, 0x00, "OE clears on read");
    is_int(inb(COM1 + 2), 0xc4, "then RDA");
    for (i = 0; i < 16; i++)
        out[i] = inb(COM1);
    ok(!memcmp(out, "abcdefghijklmnop", 16), "the 16 bytes kept, the 17th lost");
    /* 16450 mode: one holding register, the new byte overwrites. */
    outb(COM1 + 2, 0x00);
    outb(COM1 + 0, 'X');
    outb(COM1 + 0, 'Y');
    is_int(inb(COM1 + 2), 0x06, "16450 overrun: RLS, no FIFO bits");
    inb(COM1 + 5);
    is_int(inb(COM1 + 0), 'Y', "16450 mode keeps the newest byte");
    outb(COM1 + 1, 0x00);

    /* Modem status deltas and interrupt. */
    outb(COM1 + 4, 0x10);
    inb(COM1 + 6);
    outb(COM1 + 1, 0x08);
    outb(COM1 + 4, 0x12);
    is_int(inb(COM1 + 2), 0x00, "RTS toggled in loopback: MSR interrupt");
    is_int(inb(COM1 + 6), 0x11, "MSR: CTS|DCTS");
    is_int(inb(COM1 + 2), 0x01, "MSR read clears the deltas");
    outb(COM1 + 4, 0x14);
    outb(COM1 + 4, 0x10);
    is_int(inb(COM1 + 6) & 0x04, 0x04, "TERI on RI falling edge");
    outb(COM1 + 1, 0x00);
    outb(COM1 + 4, 0x00);
    drain();

    /* Save/load with bytes in the FIFO. */
    outb(COM1 + 4, 0x10);
    outb(COM1 + 2, 0x01);
    outb(COM1 + 0, 'S');
    outb(COM1 + 0, 'T');
    ok(vmstate_save(&buf, serial_info.vmsd, s) == 0, "save");
    drain();
    buf.pos = 0;
    ok(vmstate_load(&buf, serial_info.vmsd, s) == 0, "load");
    is_int(inb(COM1 + 0), 'S', "FIFO restored (1)");
    is_int(inb(COM1 + 0), 'T', "FIFO restored (2)");
    buf.pos = 0;
    buf.data[buf.len - 5] = 200;    /* rx_head out of range */
    ok(vmstate_load(&buf, serial_info.vmsd, s) < 0, "load rejects rx_head out of range");
    vmstate_buf_free(&buf);
    outb(COM1 + 4, 0x00);

    /* Transmit to a file back end on COM2. */
    fd = mkstemp(path);
    ok(fd >= 0, "temp file");
    close(fd);
    snprintf(out, sizeof(out), "file:%s", path);
    ok(chardev_open(out, "-serial", &chr) == 0, "open file chardev");
    serial_create(COM2, irq_line(test_irq_set, NULL, 3), chr);
    for (i = 0; i < 5; i++)
        outb(COM2, "hello"[i]);
    outb(COM2 + 4, 0x10);
    outb(COM2, '!');        /* loopback: not sent */
    outb(COM2 + 4, 0x00);
    chardev_close(chr);
    fd = open(path, O_RDONLY);
    n = fd >= 0 ? read(fd, out, sizeof(out)) : -1;
    close(fd);
    unlink(path);
    is_int(n, 5, "5 bytes reached the back end");
    ok(n == 5 && !memcmp(out, "hello", 5), "and they are 'hello'");

    /*
     * Receive through a back end: stdin is a pipe holding 40 bytes.  The
     * UART takes what fits in its FIFO and the rest waits in the back end
     * until the guest drains it; nothing is lost.  (Nothing is transmitted
     * on this port: its output would be our stdout.)
     */
    {
        int pfd[2];
        char rx[64];
        bool overrun = false;

        ok(pipe(pfd) == 0 && dup2(pfd[0], 0) == 0, "stdin is a pipe");
        for (i = 0; i < 40; i++)
            rx[i] = 'A' + i;
        ok(write(pfd[1], rx, 40) == 40, "40 bytes queued");
        ok(mainloop_init() == 0, "main loop");
        ok(chardev_open("stdio", "-serial", &chr) == 0, "open stdio chardev");
        serial_create(COM3, irq_line(test_irq_set, NULL, 4), chr);
        outb(COM3 + 3, 0x03);
        outb(COM3 + 2, 0xc7);       /* FIFO, trigger 14 */
        outb(COM3 + 1, 0x01);
        outb(COM3 + 4, 0x08);
        irq_level = 0;
        mainloop_poll(100);
        ok(irq_level, "RDA interrupt: FIFO filled to the trigger level");
        is_int(inb(COM3 + 2), 0xc4, "IIR = RDA");
        n = 0;
        while (n < 64 && (inb(COM3 + 5) & 0x01)) {
            if (inb(COM3 + 5) & 0x02)
                overrun = true;
            rx[n++] = inb(COM3);
        }
        is_int(n, 40, "all 40 bytes received");
        for (i = 0; i < n && rx[i] == 'A' + i; i++)
            ;
        is_int(i, 40, "in order");
        ok(!overrun, "no overrun: the back end waits for FIFO room");
        ok(!irq_level, "IRQ low when drained");
        close(pfd[1]);
    }

    /* Random programming: no crash, and loopback works after a re-init. */
    {
        uint32_t r = 1;

        for (i = 0; i < 20000; i++) {
            r = r * 1103515245 + 12345;
            if (r >> 31)
                outb(COM1 + ((r >> 8) & 7), r >> 16);
            else
                inb(COM1 + ((r >> 8) & 7));
            if (!(i % 16))
                clock_step((r >> 12) % 1000000);
        }
        outb(COM1 + 3, 0x03);
        outb(COM1 + 1, 0x00);
        outb(COM1 + 4, 0x10);
        outb(COM1 + 2, 0x07);
        outb(COM1, 'Z');
        is_int(inb(COM1), 'Z', "after random programming, loopback works");
    }

    return done_testing();
}
