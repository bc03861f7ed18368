/*
 * Small fixed ports.  Port 0x92 and 0x61 follow the PIIX3/PS/2 System
 * Control Port A/B descriptions; debugcon and isa-debug-exit behave as in QEMU.
 */
#include "core/clock.h"
#include "core/common.h"
#include "core/cpus.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/mainloop.h"
#include "hw/i8254.h"
#include "hw/misc-ports.h"

/* System Control Port A (0x92) */
#define PORT92_FAST_RESET 0x01
#define PORT92_A20        0x02

typedef struct Port92State {
    uint8_t outport;
} Port92State;

static uint32_t port92_read(void *opaque, uint32_t off, unsigned size)
{
    Port92State *s = opaque;
    return (s->outport & ~PORT92_A20) | (cpus_a20_enabled() ? PORT92_A20 : 0);
}

static void port92_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    Port92State *s = opaque;
    s->outport = val & ~PORT92_FAST_RESET;
    cpus_set_a20(val & PORT92_A20);
    if (val & PORT92_FAST_RESET)
        machine_request_reset("port 0x92 fast reset");
}

static void port92_reset(void *opaque)
{
    Port92State *s = opaque;
    s->outport = 0;
    cpus_set_a20(true);
}

static const IOPortOps port92_ops = { port92_read, port92_write, 1, 1 };
static const VMStateDescription port92_vmsd = {
    .name = "port92", .version = 1,
    .fields = (const VMStateField[]){ VMSTATE_U8(Port92State, outport), VMSTATE_END },
};
static const DeviceInfo port92_info = { "port92", port92_reset, &port92_vmsd };

int port92_create(void)
{
    Port92State *s = xzalloc(sizeof(*s));
    int r = ioport_register(0x92, 1, &port92_ops, s, "port92");
    if (r)
        return r;
    device_register(&port92_info, s);
    return 0;
}

/* Port 0x80: POST codes go to the trace, reads float. */
static uint32_t port80_read(void *opaque, uint32_t off, unsigned size)
{
    return 0xff;
}

static void port80_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    trace(LOG_DEV, "POST code 0x%02x\n", val);
}

static const IOPortOps port80_ops = { port80_read, port80_write, 1, 1 };

int port80_create(void)
{
    return ioport_register(0x80, 1, &port80_ops, NULL, "port80");
}

/* System Control Port B (0x61) */
#define PORT61_GATE2   0x01
#define PORT61_SPKR    0x02
#define PORT61_REFRESH 0x10
#define PORT61_OUT2    0x20

typedef struct Port61State {
    PITState *pit;
    uint8_t ctrl;            /* the writable bits 0-3 */
} Port61State;

static uint32_t port61_read(void *opaque, uint32_t off, unsigned size)
{
    Port61State *s = opaque;
    /* The refresh bit toggles every 15.085 us; derive it from the clock. */
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    uint8_t val = s->ctrl & 0x0f;
    if ((now / 15085) & 1)
        val |= PORT61_REFRESH;
    if (pit_get_out(s->pit, 2))
        val |= PORT61_OUT2;
    return val;
}

static void port61_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    Port61State *s = opaque;
    s->ctrl = val & 0x0f;
    pit_set_gate(s->pit, 2, val & PORT61_GATE2);
}

static void port61_reset(void *opaque)
{
    Port61State *s = opaque;
    s->ctrl = 0;
}

static int port61_post_load(void *opaque, int version)
{
    Port61State *s = opaque;
    pit_set_gate(s->pit, 2, s->ctrl & PORT61_GATE2);
    return 0;
}

static const IOPortOps port61_ops = { port61_read, port61_write, 1, 1 };
static const VMStateDescription port61_vmsd = {
    .name = "port61", .version = 1, .post_load = port61_post_load,
    .fields = (const VMStateField[]){ VMSTATE_U8(Port61State, ctrl), VMSTATE_END },
};
static const DeviceInfo port61_info = { "port61", port61_reset, &port61_vmsd };

int port61_create(PITState *pit)
{
    if (!pit)
        return 0;
    Port61State *s = xzalloc(sizeof(*s));
    s->pit = pit;
    int r = ioport_register(0x61, 1, &port61_ops, s, "port61");
    if (r)
        return r;
    device_register(&port61_info, s);
    return 0;
}

/* Debug console (QEMU's isa-debugcon): bytes written go to a character device. */
#define DEBUGCON_READBACK 0xe9

static uint32_t debugcon_read(void *opaque, uint32_t off, unsigned size)
{
    return DEBUGCON_READBACK;
}

static void debugcon_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    uint8_t c = val;
    chardev_write(opaque, &c, 1);
}

static const IOPortOps debugcon_ops = { debugcon_read, debugcon_write, 1, 1 };

int debugcon_create(uint16_t base, CharDev *chr)
{
    return ioport_register(base, 1, &debugcon_ops, chr, "debugcon");
}

/* isa-debug-exit: a write of V ends pcvm with status (V << 1) | 1, as QEMU does. */
static uint32_t debug_exit_read(void *opaque, uint32_t off, unsigned size)
{
    return 0xffffffffu;
}

static void debug_exit_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    machine_request_exit((int)((val << 1) | 1), "isa-debug-exit");
}

static const IOPortOps debug_exit_ops = { debug_exit_read, debug_exit_write, 1, 4 };

int debug_exit_create(uint16_t base, uint16_t size)
{
    return ioport_register(base, size, &debug_exit_ops, NULL, "isa-debug-exit");
}
