/*
 * The port table: overlaps refused, access sizes enforced centrally,
 * open-bus reads, accesses that straddle two devices.
 */
#include "core/common.h"
#include "core/ioport.h"
#include "tests/unit/tap.h"

typedef struct Dev {
    uint8_t regs[8];
    int reads, writes;
    unsigned last_size;
} Dev;

static uint32_t dev_read(void *opaque, uint32_t off, unsigned size)
{
    Dev *d = opaque;
    uint32_t v = 0;
    d->reads++;
    d->last_size = size;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->regs[(off + i) & 7] << (8 * i);
    return v;
}

static void dev_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    Dev *d = opaque;
    d->writes++;
    d->last_size = size;
    for (unsigned i = 0; i < size; i++)
        d->regs[(off + i) & 7] = val >> (8 * i);
}

static const IOPortOps byte_ops = { dev_read, dev_write, 1, 1 };
static const IOPortOps word_ops = { dev_read, dev_write, 2, 2 };
static const IOPortOps any_ops = { dev_read, dev_write, 1, 4 };

int main(void)
{
    Dev a = { .regs = { 0x11, 0x22, 0x33, 0x44 } }, b = { 0 }, c = { 0 };

    log_quiet = 1;
    is_int(ioport_register(0x100, 4, &byte_ops, &a, "a"), 0, "register a at 0x100-0x103");
    is_int(ioport_register(0x103, 2, &any_ops, &b, "b"), -EBUSY, "overlap with a refused");
    is_int(ioport_register(0xfffe, 4, &any_ops, &b, "b"), -EINVAL, "range past 0xffff refused");
    is_int(ioport_register(0x104, 4, &any_ops, &b, "b"), 0, "adjacent range accepted");

    is_int(ioport_read(0x200, 1), 0xff, "unclaimed byte read is open bus");
    is_int(ioport_read(0x200, 2), 0xffff, "unclaimed word read is open bus");
    is_int(ioport_read(0x200, 4), 0xffffffff, "unclaimed dword read is open bus");
    ioport_write(0x200, 0x12, 1);
    ok(1, "unclaimed write is dropped without a crash");

    a.reads = 0;
    is_int(ioport_read(0x100, 4), 0x44332211, "dword read of a byte-only device is split");
    is_int(a.reads, 4, "... into four byte reads");
    is_int(a.last_size, 1, "... each of size 1");

    ioport_write(0x100, 0xaabbccdd, 4);
    is_int(a.regs[0], 0xdd, "split write, byte 0");
    is_int(a.regs[3], 0xaa, "split write, byte 3");

    /* a word access that straddles a (byte) and b (any) */
    b.regs[0] = 0x77;
    is_int(ioport_read(0x103, 2), 0x77aa, "straddling read combines both devices");

    is_int(ioport_register(0x300, 2, &word_ops, &c, "c"), 0, "register word-only device");
    c.regs[0] = 0x34;
    c.regs[1] = 0x12;
    is_int(ioport_read(0x301, 1), 0x12, "byte read of a word-only device is widened");
    is_int(c.last_size, 2, "... with a 2-byte access");
    c.writes = 0;
    ioport_write(0x300, 0x99, 1);
    is_int(c.writes, 0, "byte write to a word-only device is dropped");
    ioport_write(0x300, 0xbeef, 2);
    is_int(c.regs[0] | (c.regs[1] << 8), 0xbeef, "word write reaches a word-only device");

    ioport_unregister(0x100, 1);
    is_int(ioport_read(0x102, 1), 0xff, "unregister drops the whole range");
    is_int(ioport_register(0x100, 4, &byte_ops, &a, "a"), 0, "range can be registered again");
    ok(ioport_find(0x105) && !strcmp(ioport_find(0x105)->name, "b"), "ioport_find names the owner");
    return done_testing();
}
