/*
 * The memory map: priorities, overlap refusal, aliases, ROM, MMIO size
 * rules, unassigned space and listeners.
 */
#include "core/common.h"
#include "core/memory.h"
#include "tests/unit/tap.h"

static int commits;
static unsigned last_generation;
static uint64_t written_gpa, written_len;

static void on_commit(MemListener *l, const FlatView *old, const FlatView *nv)
{
    commits++;
    last_generation = nv->generation;
}

static void on_written(MemListener *l, uint64_t gpa, uint64_t len)
{
    written_gpa = gpa;
    written_len = len;
}

static MemListener listener = { on_commit, on_written, NULL };

static uint64_t mmio_last_off;
static unsigned mmio_last_size;
static uint64_t mmio_val = 0x1122334455667788ULL;

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    mmio_last_off = off;
    mmio_last_size = size;
    return mmio_val >> ((off & 7) * 8);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    mmio_last_off = off;
    mmio_last_size = size;
}

static const MemOps mmio32 = { mmio_read, mmio_write, 4, 4 };

int main(void)
{
    uint8_t *ram = mem_alloc_host(2 * MiB);
    uint8_t rom[4096];
    uint8_t buf[16];

    log_quiet = 1;
    memset(rom, 0xaa, sizeof(rom));
    mem_listener_add(&listener);

    ok(mem_add_ram("ram", 0, 2 * MiB, ram, false, 0) != NULL, "add 2 MiB RAM");
    is_int(commits, 1, "listener heard the commit");
    ok(mem_add_ram("clash", 0x1000, 0x1000, ram, false, 0) == NULL,
       "same-priority overlap is refused");

    ram[0x5000] = 0x42;
    MemRegion *romr = mem_add_ram("rom", 0x5000, sizeof(rom), rom, true, 1);
    ok(romr != NULL, "higher-priority ROM over RAM accepted");
    mem_read(0x5000, buf, 1);
    is_int(buf[0], 0xaa, "the ROM hides the RAM below it");
    buf[0] = 0x55;
    mem_write(0x5000, buf, 1);
    is_int(rom[0], 0xaa, "writes to ROM are dropped");
    is_int(ram[0x5000], 0x42, "... and do not reach the RAM below");
    mem_region_set_enabled(romr, false);
    mem_read(0x5000, buf, 1);
    is_int(buf[0], 0x42, "disabling the ROM uncovers the RAM");
    mem_region_set_enabled(romr, true);

    /* An alias: the same host memory at a second address (PAM shadow style). */
    MemRegion *alias = mem_add_ram("alias", 0x300000, 0x1000, ram + 0x2000, false, 0);
    ok(alias != NULL, "alias region");
    buf[0] = 0x99;
    mem_write(0x300010, buf, 1);
    is_int(ram[0x2010], 0x99, "write through the alias lands in the aliased RAM");
    is_int(written_gpa, 0x300010, "ram_written listener got the address");
    is_int(written_len, 1, "... and the length");

    /* Unassigned space. */
    memset(buf, 0, sizeof(buf));
    is_int(mem_read(0x400000, buf, 4), -EFAULT, "read of unassigned space reports -EFAULT");
    is_int(buf[0] & buf[3], 0xff, "... and reads all ones");
    ok(mem_lookup(0x400000) == NULL, "lookup of unassigned space is NULL");

    /* Span across RAM and hole: partial copy, error reported, no overrun. */
    memset(buf, 0, sizeof(buf));
    ram[0x1ffffe] = 1;
    ram[0x1fffff] = 2;
    is_int(mem_read(0x1ffffe, buf, 4), -EFAULT, "read crossing the end of RAM");
    is_int(buf[0] | (buf[1] << 8) | (buf[2] << 16), 0xff0201, "... RAM bytes then open bus");

    ok(mem_ram_ptr(0x1000, 0x100, true) == ram + 0x1000, "mem_ram_ptr inside RAM");
    ok(mem_ram_ptr(0x1ff000, 0x2000, false) == NULL, "mem_ram_ptr refuses a span past RAM");
    ok(mem_ram_ptr(0x5000, 1, true) == NULL, "mem_ram_ptr refuses writes to ROM");
    ok(mem_ram_ptr(0x5000, 1, false) == rom, "mem_ram_ptr reads ROM");

    /* MMIO with a 4-byte-only device. */
    ok(mem_add_mmio("dev", 0x800000, 0x1000, &mmio32, NULL, 0) != NULL, "MMIO region");
    uint32_t v32;
    mem_read(0x800000, &v32, 4);
    is_int(v32, 0x55667788, "dword MMIO read");
    is_int(mmio_last_size, 4, "... reached the device as 4 bytes");
    const FlatRange *fr = mem_lookup(0x800001);
    is_int(mem_io_read(fr, 0x800001, 1), 0x77, "byte read of a dword device is widened");
    is_int(mmio_last_off, 0, "... at the aligned offset");
    mmio_last_size = 0;
    mem_io_write(fr, 0x800000, 1, 1);
    is_int(mmio_last_size, 0, "byte write to a dword device is dropped");
    mem_io_write(fr, 0x800008, 0x1234567890ULL, 8);
    is_int(mmio_last_off, 0xc, "qword write is split into dwords");

    mem_transaction_begin();
    int before = commits;
    mem_region_set_enabled(romr, false);
    mem_region_set_enabled(alias, false);
    is_int(commits, before, "no commit inside a transaction");
    mem_transaction_commit();
    is_int(commits, before + 1, "one commit at the end of the transaction");
    return done_testing();
}
