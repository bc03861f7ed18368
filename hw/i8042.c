/*
 * Intel 8042 keyboard controller (IBM PS/2 Technical Reference, keyboard/
 * auxiliary device controller): controller commands, command byte, output
 * port (A20, reset), and the byte traffic to the PS/2 keyboard and mouse of
 * hw/ps2.c.
 */
#include "core/common.h"
#include "core/cpus.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/mainloop.h"
#include "hw/i8042.h"
#include "hw/ps2.h"

/* Status register (port 0x64 read) */
#define KBD_STAT_OBF       0x01
#define KBD_STAT_IBF       0x02
#define KBD_STAT_SELFTEST  0x04
#define KBD_STAT_CMD       0x08
#define KBD_STAT_UNLOCKED  0x10
#define KBD_STAT_MOUSE_OBF 0x20

/* Command byte */
#define KBD_MODE_KBD_INT   0x01
#define KBD_MODE_MOUSE_INT 0x02
#define KBD_MODE_SYS       0x04
#define KBD_MODE_DISABLE_KBD   0x10
#define KBD_MODE_DISABLE_MOUSE 0x20
#define KBD_MODE_KCC       0x40

/* Controller commands (port 0x64 write) */
#define KBD_CCMD_READ_MODE    0x20
#define KBD_CCMD_WRITE_MODE   0x60
#define KBD_CCMD_MOUSE_DISABLE 0xa7
#define KBD_CCMD_MOUSE_ENABLE 0xa8
#define KBD_CCMD_TEST_MOUSE   0xa9
#define KBD_CCMD_SELF_TEST    0xaa
#define KBD_CCMD_KBD_TEST     0xab
#define KBD_CCMD_KBD_DISABLE  0xad
#define KBD_CCMD_KBD_ENABLE   0xae
#define KBD_CCMD_READ_INPORT  0xc0
#define KBD_CCMD_READ_OUTPORT 0xd0
#define KBD_CCMD_WRITE_OUTPORT 0xd1
#define KBD_CCMD_WRITE_OBUF   0xd2
#define KBD_CCMD_WRITE_AUX_OBUF 0xd3
#define KBD_CCMD_WRITE_MOUSE  0xd4
#define KBD_CCMD_DISABLE_A20  0xdd
#define KBD_CCMD_ENABLE_A20   0xdf
#define KBD_CCMD_RESET        0xfe

/* Output port */
#define KBD_OUT_RESET 0x01     /* active low: writing 0 resets the CPU */
#define KBD_OUT_A20   0x02
#define KBD_OUT_OBF   0x10
#define KBD_OUT_MOUSE_OBF 0x20

struct I8042State {
    uint8_t status;
    uint8_t mode;
    uint8_t outport;
    uint8_t pending_cmd;       /* controller command waiting for its data byte */
    uint8_t obuf;              /* what port 0x60 returns */
    bool obuf_mouse;
    PS2KbdState *kbd;
    PS2MouseState *mouse;
    IrqLine kbd_irq, mouse_irq;
};

/* Move the next device byte into the output buffer and drive IRQ 1/12. */
static void i8042_update(I8042State *s)
{
    if (!(s->status & KBD_STAT_OBF)) {
        int b = -1;
        if (!(s->mode & KBD_MODE_DISABLE_KBD) && (b = ps2_kbd_read(s->kbd)) >= 0) {
            s->obuf_mouse = false;
        } else if (!(s->mode & KBD_MODE_DISABLE_MOUSE) && (b = ps2_mouse_read(s->mouse)) >= 0) {
            s->obuf_mouse = true;
        }
        if (b >= 0) {
            s->obuf = b;
            s->status |= KBD_STAT_OBF;
            if (s->obuf_mouse)
                s->status |= KBD_STAT_MOUSE_OBF;
            else
                s->status &= ~KBD_STAT_MOUSE_OBF;
        }
    }
    bool full = s->status & KBD_STAT_OBF;
    irq_set(&s->kbd_irq, full && !s->obuf_mouse && (s->mode & KBD_MODE_KBD_INT));
    irq_set(&s->mouse_irq, full && s->obuf_mouse && (s->mode & KBD_MODE_MOUSE_INT));
}

/* A device has bytes for us. */
static void i8042_ps2_notify(void *opaque)
{
    i8042_update(opaque);
}

/* A byte from the controller itself (command replies) goes out first. */
static void i8042_reply(I8042State *s, uint8_t b, bool mouse)
{
    s->obuf = b;
    s->obuf_mouse = mouse;
    s->status |= KBD_STAT_OBF;
    if (mouse)
        s->status |= KBD_STAT_MOUSE_OBF;
    else
        s->status &= ~KBD_STAT_MOUSE_OBF;
    i8042_update(s);
}

static void i8042_set_outport(I8042State *s, uint8_t val)
{
    s->outport = val;
    cpus_set_a20(val & KBD_OUT_A20);
    if (!(val & KBD_OUT_RESET))
        machine_request_reset("keyboard controller output port");
}

static void i8042_set_mode(I8042State *s, uint8_t val)
{
    s->mode = val;
    ps2_kbd_set_translation(s->kbd, val & KBD_MODE_KCC);
}

static uint32_t i8042_status_read(void *opaque, uint32_t off, unsigned size)
{
    I8042State *s = opaque;
    return s->status;
}

static uint32_t i8042_data_read(void *opaque, uint32_t off, unsigned size)
{
    I8042State *s = opaque;
    uint8_t val = s->obuf;
    s->status &= ~(KBD_STAT_OBF | KBD_STAT_MOUSE_OBF);
    irq_lower(&s->kbd_irq);
    irq_lower(&s->mouse_irq);
    i8042_update(s);
    return val;
}

static void i8042_write_command(I8042State *s, uint8_t cmd)
{
    s->status |= KBD_STAT_CMD;
    if (cmd >= 0x20 && cmd <= 0x3f) {          /* read controller RAM; 0x20 = mode */
        i8042_reply(s, cmd == KBD_CCMD_READ_MODE ? s->mode : 0, false);
        return;
    }
    if (cmd >= 0xf0) {                         /* pulse output lines; bit 0 = reset */
        if (!(cmd & 1))
            machine_request_reset("keyboard controller pulse");
        return;
    }
    switch (cmd) {
    case KBD_CCMD_WRITE_MODE: case KBD_CCMD_WRITE_OUTPORT: case KBD_CCMD_WRITE_OBUF:
    case KBD_CCMD_WRITE_AUX_OBUF: case KBD_CCMD_WRITE_MOUSE:
        s->pending_cmd = cmd;
        break;
    case KBD_CCMD_MOUSE_DISABLE: s->mode |= KBD_MODE_DISABLE_MOUSE; break;
    case KBD_CCMD_MOUSE_ENABLE:  s->mode &= ~KBD_MODE_DISABLE_MOUSE; i8042_update(s); break;
    case KBD_CCMD_TEST_MOUSE:    i8042_reply(s, 0x00, false); break;
    case KBD_CCMD_SELF_TEST:
        s->status |= KBD_STAT_SELFTEST;
        i8042_reply(s, 0x55, false);
        break;
    case KBD_CCMD_KBD_TEST:      i8042_reply(s, 0x00, false); break;
    case KBD_CCMD_KBD_DISABLE:   s->mode |= KBD_MODE_DISABLE_KBD; break;
    case KBD_CCMD_KBD_ENABLE:    s->mode &= ~KBD_MODE_DISABLE_KBD; i8042_update(s); break;
    case KBD_CCMD_READ_INPORT:   i8042_reply(s, 0x80, false); break;
    case KBD_CCMD_READ_OUTPORT:
        i8042_reply(s, (s->outport & ~(KBD_OUT_OBF | KBD_OUT_MOUSE_OBF)) |
                       ((s->status & KBD_STAT_OBF) && !s->obuf_mouse ? KBD_OUT_OBF : 0) |
                       ((s->status & KBD_STAT_MOUSE_OBF) ? KBD_OUT_MOUSE_OBF : 0), false);
        break;
    case KBD_CCMD_DISABLE_A20: i8042_set_outport(s, s->outport & ~KBD_OUT_A20); break;
    case KBD_CCMD_ENABLE_A20:  i8042_set_outport(s, s->outport | KBD_OUT_A20); break;
    default:
        trace(LOG_UNIMP, "i8042: unknown controller command 0x%02x\n", cmd);
        break;
    }
}

static void i8042_write_data(I8042State *s, uint8_t val)
{
    uint8_t cmd = s->pending_cmd;

    s->status &= ~KBD_STAT_CMD;
    s->pending_cmd = 0;
    switch (cmd) {
    case 0:
        /* to the keyboard; writing also re-enables its clock */
        s->mode &= ~KBD_MODE_DISABLE_KBD;
        ps2_kbd_write(s->kbd, val);
        break;
    case KBD_CCMD_WRITE_MODE:
        i8042_set_mode(s, val);
        s->status = (s->status & ~KBD_STAT_SELFTEST) | (val & KBD_MODE_SYS ? KBD_STAT_SELFTEST : 0);
        break;
    case KBD_CCMD_WRITE_OUTPORT:
        i8042_set_outport(s, val);
        break;
    case KBD_CCMD_WRITE_OBUF:
        i8042_reply(s, val, false);
        break;
    case KBD_CCMD_WRITE_AUX_OBUF:
        i8042_reply(s, val, true);
        break;
    case KBD_CCMD_WRITE_MOUSE:
        ps2_mouse_write(s->mouse, val);
        break;
    }
    i8042_update(s);
}

static void i8042_cmd_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    i8042_write_command(opaque, val);
}

static void i8042_data_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    i8042_write_data(opaque, val);
}

static void i8042_reset(void *opaque)
{
    I8042State *s = opaque;
    s->status = KBD_STAT_CMD | KBD_STAT_UNLOCKED;
    s->outport = KBD_OUT_RESET | KBD_OUT_A20;
    s->pending_cmd = 0;
    s->obuf = 0;
    s->obuf_mouse = false;
    i8042_set_mode(s, KBD_MODE_KBD_INT | KBD_MODE_MOUSE_INT);
    irq_lower(&s->kbd_irq);
    irq_lower(&s->mouse_irq);
}

static int i8042_post_load(void *opaque, int version)
{
    I8042State *s = opaque;
    ps2_kbd_set_translation(s->kbd, s->mode & KBD_MODE_KCC);
    i8042_update(s);
    return 0;
}

static const VMStateDescription i8042_vmsd = {
    .name = "i8042", .version = 2, .minimum_version = 2, .post_load = i8042_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_U8(I8042State, status), VMSTATE_U8(I8042State, mode),
        VMSTATE_U8(I8042State, outport), VMSTATE_U8(I8042State, pending_cmd),
        VMSTATE_U8(I8042State, obuf), VMSTATE_BOOL(I8042State, obuf_mouse),
        VMSTATE_END },
};

const DeviceInfo i8042_info = { "i8042", i8042_reset, &i8042_vmsd };
static const IOPortOps i8042_data_ops = { i8042_data_read, i8042_data_write, 1, 1 };
static const IOPortOps i8042_cmd_ops = { i8042_status_read, i8042_cmd_write, 1, 1 };

I8042State *i8042_create(IrqLine kbd_irq, IrqLine mouse_irq)
{
    I8042State *s = xzalloc(sizeof(*s));
    s->kbd_irq = kbd_irq;
    s->mouse_irq = mouse_irq;
    if (ioport_register(0x60, 1, &i8042_data_ops, s, "i8042-data")) {
        free(s);
        return NULL;
    }
    if (ioport_register(0x64, 1, &i8042_cmd_ops, s, "i8042-cmd")) {
        ioport_unregister(0x60, 1);
        free(s);
        return NULL;
    }
    /* the devices first: reset runs in creation order, and ours sets XLATE */
    s->kbd = ps2_kbd_create(i8042_ps2_notify, s);
    s->mouse = ps2_mouse_create(i8042_ps2_notify, s);
    i8042_reset(s);
    device_register(&i8042_info, s);
    return s;
}

PS2KbdState *i8042_kbd(I8042State *s)
{
    return s->kbd;
}

PS2MouseState *i8042_mouse(I8042State *s)
{
    return s->mouse;
}
