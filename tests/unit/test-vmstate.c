/*
 * State tables: a save/load round trip restores every field, a corrupt or
 * truncated stream and out-of-range values are refused.
 */
#include "core/clock.h"
#include "core/common.h"
#include "core/vmstate.h"
#include "tests/unit/tap.h"

typedef struct Inner {
    uint16_t a;
    uint32_t b;
} Inner;

typedef struct Dev {
    uint8_t u8;
    uint32_t u32;
    uint64_t u64;
    bool flag;
    uint8_t regs[4];
    Inner in[2];
    Timer t;
    uint8_t index;           /* must stay < 4 */
} Dev;

static int dev_post_load(void *opaque, int version)
{
    Dev *d = opaque;
    return d->index < 4 ? 0 : -EINVAL;
}

static const VMStateDescription inner_vmsd = {
    .name = "inner", .version = 1,
    .fields = (const VMStateField[]){ VMSTATE_U16(Inner, a), VMSTATE_U32(Inner, b), VMSTATE_END },
};

static const VMStateDescription dev_vmsd = {
    .name = "dev", .version = 2, .minimum_version = 1, .post_load = dev_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_U8(Dev, u8), VMSTATE_U32(Dev, u32), VMSTATE_U64(Dev, u64),
        VMSTATE_BOOL(Dev, flag), VMSTATE_U8_ARRAY(Dev, regs, 4),
        VMSTATE_STRUCT_ARRAY(Dev, in, 2, &inner_vmsd), VMSTATE_TIMER(Dev, t),
        VMSTATE_U8(Dev, index), VMSTATE_END },
};

static void noop(void *opaque) {}

int main(void)
{
    Dev a = { 0 }, b = { 0 };
    VMStateBuf buf = { 0 };

    log_quiet = 1;
    clock_set_test_mode(true);
    timer_init(&a.t, CLOCK_VIRTUAL, noop, NULL);
    timer_init(&b.t, CLOCK_VIRTUAL, noop, NULL);
    a.u8 = 0x12; a.u32 = 0xdeadbeef; a.u64 = 0x0123456789abcdefULL; a.flag = true;
    a.regs[3] = 7; a.in[1].a = 0x4242; a.in[1].b = 0x99; a.index = 3;
    timer_mod(&a.t, 12345);

    is_int(vmstate_save(&buf, &dev_vmsd, &a), 0, "save");
    buf.pos = 0;
    is_int(vmstate_load(&buf, &dev_vmsd, &b), 0, "load");
    is_int(b.u32, 0xdeadbeef, "u32 restored");
    ok(b.u64 == 0x0123456789abcdefULL, "u64 restored");
    ok(b.flag, "bool restored");
    is_int(b.regs[3], 7, "array restored");
    is_int(b.in[1].a, 0x4242, "nested struct array restored");
    is_int(timer_expire(&b.t), 12345, "timer re-armed at its expiry");

    /* truncated */
    VMStateBuf cut = buf;
    cut.len -= 3;
    cut.pos = 0;
    ok(vmstate_load(&cut, &dev_vmsd, &b) < 0, "truncated stream refused");

    /* wrong device name */
    buf.pos = 0;
    buf.data[0] = 'X';
    ok(vmstate_load(&buf, &dev_vmsd, &b) < 0, "stream of another device refused");
    buf.data[0] = 'd';

    /* out-of-range index rejected by post_load */
    a.index = 200;
    VMStateBuf bad = { 0 };
    vmstate_save(&bad, &dev_vmsd, &a);
    bad.pos = 0;
    ok(vmstate_load(&bad, &dev_vmsd, &b) < 0, "post_load rejects an out-of-range index");

    /* newer version than we know */
    buf.pos = 0;
    buf.data[4] = 9;   /* version field right after "dev\0" */
    ok(vmstate_load(&buf, &dev_vmsd, &b) < 0, "unknown newer version refused");

    vmstate_buf_free(&buf);
    vmstate_buf_free(&bad);
    return done_testing();
}
