/*
 * i440FX PAM: program PAM0-PAM6 through PCI config cycles and check what the
 * memory map gives at 0xC0000-0xFFFFF: ROM content, shadow RAM, dropped or
 * landed writes, for each of the four modes.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/memory.h"
#include "hw/i440fx.h"
#include "hw/pci.h"
#include "tests/unit/tap.h"

#define RAM_SIZE    (4 * MiB)
#define BIOS_SIZE   (256 * KiB)
#define OPTROM_SIZE (32 * KiB)

static uint8_t *ram;
static uint8_t bios[BIOS_SIZE];
static uint8_t optrom[OPTROM_SIZE];

static void cfg_writeb(int reg, uint8_t val)
{
    ioport_write(0xcf8, 0x80000000u | (reg & 0xfc), 4);
    ioport_write(0xcfc + (reg & 3), val, 1);
}

static uint32_t cfg_readl(int reg)
{
    ioport_write(0xcf8, 0x80000000u | (reg & 0xfc), 4);
    return ioport_read(0xcfc, 4);
}

static void cfg_writel(int reg, uint32_t val)
{
    ioport_write(0xcf8, 0x80000000u | (reg & 0xfc), 4);
    ioport_write(0xcfc, val, 4);
}

static uint8_t rd8(uint64_t gpa)
{
    uint8_t v = 0;
    mem_read(gpa, &v, 1);
    return v;
}

static void wr8(uint64_t gpa, uint8_t v)
{
    mem_write(gpa, &v, 1);
}

/* isa-bios byte at gpa in 0xE0000-0xFFFFF (last 128 KiB of the image) */
static uint8_t bios_at(uint64_t gpa)
{
    return bios[BIOS_SIZE - 0x100000 + gpa];
}

static void test_bios_segment(void)
{
    /* the reset vector area: both the high BIOS and the isa-bios alias */
    is_int(rd8(0xfffffff0), bios[BIOS_SIZE - 16], "high BIOS at 4G-16");
    is_int(rd8(0xffff0), bios_at(0xffff0), "PAM0=0: 0xFFFF0 reads the BIOS ROM");
    is_int(rd8(0xf0000), bios_at(0xf0000), "PAM0=0: 0xF0000 reads the BIOS ROM");
    wr8(0xf0000, 0x11);
    is_int(rd8(0xf0000), bios_at(0xf0000), "PAM0=0: write to 0xF0000 dropped");
    is_int(ram[0xf0000], 0xaa, "... and did not reach RAM");

    cfg_writeb(I440FX_PAM0, 0x30);      /* RE|WE */
    is_int(cfg_readl(0x58) >> 8 & 0xff, 0x30, "PAM0 reads back 0x30");
    is_int(rd8(0xf0000), 0xaa, "PAM0=RW: 0xF0000 reads shadow RAM");
    wr8(0xf0000, 0x22);
    is_int(ram[0xf0000], 0x22, "PAM0=RW: write lands in RAM");
    is_int(rd8(0xf0000), 0x22, "... and reads back");
    is_int(rd8(0xeffff), bios_at(0xeffff), "0xEFFFF (PAM6 high, still PCI) reads ROM");

    cfg_writeb(I440FX_PAM0, 0x10);      /* RE only */
    is_int(rd8(0xf0000), 0x22, "PAM0=RO: reads shadow RAM");
    wr8(0xf0000, 0x33);
    is_int(ram[0xf0000], 0x22, "PAM0=RO: write dropped");
    is_int(rd8(0xf0000), 0x22, "... still the old RAM value");

    cfg_writeb(I440FX_PAM0, 0x20);      /* WE only */
    is_int(rd8(0xf0010), bios_at(0xf0010), "PAM0=WO: reads go to the ROM");
    wr8(0xf0010, 0x44);
    is_int(ram[0xf0010], 0x44, "PAM0=WO: writes land in RAM");
    is_int(rd8(0xf0010), bios_at(0xf0010), "... while reads still see ROM");
    /* the classic shadowing loop: copy each ROM byte onto itself */
    for (uint64_t a = 0xf0000; a < 0x100000; a += 4) {
        uint32_t v;
        mem_read(a, &v, 4);
        mem_write(a, &v, 4);
    }
    cfg_writeb(I440FX_PAM0, 0x10);
    ok(!memcmp(ram + 0xf0000, bios + BIOS_SIZE - 0x10000, 0x10000),
       "WO copy then RO: shadow RAM holds the BIOS");
    is_int(rd8(0xffff0), bios_at(0xffff0), "reset vector now read from shadow RAM");

    cfg_writeb(I440FX_PAM0, 0x00);
    ram[0xf0000] = 0x55;
    is_int(rd8(0xf0000), bios_at(0xf0000), "PAM0 back to 0: ROM again");
}

static void test_option_rom_segments(void)
{
    is_int(rd8(0xc0000), optrom[0], "PAM1=0: 0xC0000 reads the option ROM");
    is_int(rd8(0xc8000), 0xff, "PAM2=0: 0xC8000 with nothing below reads open bus");

    /* SeaBIOS writes PAM as dwords at 0x58 and 0x5c */
    cfg_writel(0x58, 0x00330000);       /* PAM1 = 0x33 (C0000-C7FFF RW) */
    is_int(rd8(0xc0000), 0xaa, "PAM1=0x33: 0xC0000 is RAM");
    is_int(rd8(0xc4000), 0xaa, "PAM1=0x33: 0xC4000 is RAM");
    is_int(rd8(0xc8000), 0xff, "PAM2 untouched: 0xC8000 still open bus");
    wr8(0xc4000, 0x66);
    is_int(ram[0xc4000], 0x66, "write to 0xC4000 lands in RAM");

    cfg_writeb(0x5a, 0x01);             /* low nibble RO, high nibble PCI */
    is_int(rd8(0xc0000), 0xaa, "PAM1 low=RO: 0xC0000 RAM");
    wr8(0xc0000, 0x77);
    is_int(ram[0xc0000], 0xaa, "... write dropped");
    is_int(rd8(0xc4000), optrom[0x4000], "PAM1 high=PCI: 0xC4000 is the option ROM");

    cfg_writel(0x5c, 0x33333333);       /* PAM3-6 */
    cfg_writeb(0x5b, 0x33);
    is_int(rd8(0xe8000), 0xaa, "PAM6=RW: 0xE8000 is RAM");
    wr8(0xdffff, 0x99);
    is_int(ram[0xdffff], 0x99, "0xDFFFF (PAM4 high) writable");
    is_int(rd8(0xf0000), bios_at(0xf0000), "PAM0 still 0: 0xF0000 is ROM");
    is_int(rd8(0x9ffff), 0xaa, "low RAM unaffected");
    is_int(rd8(0x100000), 0xaa, "high RAM unaffected");
}

static uint64_t bar_read(void *opaque, uint64_t offset, unsigned size) { return 0x42; }
static const MemOps bar_ops = { .read = bar_read, .min_size = 1, .max_size = 1 };

/* A guest can put a BAR under a write-only segment and then move it away. */
static void test_wo_over_moving_bar(void)
{
    MemRegion *bar = mem_add_mmio("bar", 0xcc000, 0x4000, &bar_ops, NULL, PCI_MEM_PRIORITY);

    ok(bar != NULL, "MMIO BAR at 0xCC000");
    cfg_writeb(0x5b, 0x00);
    is_int(rd8(0xcc000), 0x42, "PAM2 high=PCI: the BAR decodes");
    cfg_writeb(0x5b, 0x20);             /* PAM2 high nibble WE-only */
    is_int(rd8(0xcc000), 0xff, "WE-only over MMIO reads open bus");
    mem_region_remove(bar);
    is_int(rd8(0xcc000), 0xff, "BAR gone: still open bus, no stale pointer");
    wr8(0xcc001, 0x5e);
    is_int(ram[0xcc001], 0x5e, "write still lands in RAM");
    cfg_writeb(0x5b, 0x00);
}

static void test_reset(void)
{
    cfg_writeb(I440FX_PAM0, 0x30);
    devices_reset_all();
    is_int(cfg_readl(0x58) >> 8 & 0xff, 0, "PAM0 is 0 after reset");
    is_int(rd8(0xf0000), bios_at(0xf0000), "reset: 0xF0000 back to ROM");
    is_int(rd8(0xc0000), optrom[0], "reset: 0xC0000 back to option ROM");
    is_int(rd8(0xe8000), bios_at(0xe8000), "reset: 0xE8000 back to ROM");
    is_int(cfg_readl(0x70) >> 16 & 0xff, I440FX_SMRAM_C_BASE_SEG, "SMRAM resets to 0x02");
}

static void test_smram(void)
{
    cfg_writeb(I440FX_SMRAM, I440FX_SMRAM_D_OPEN | I440FX_SMRAM_G_SMRAME);
    is_int(cfg_readl(0x70) >> 16 & 0xff, 0x4a, "SMRAM D_OPEN|G_SMRAME|C_BASE_SEG");
    cfg_writeb(I440FX_SMRAM, I440FX_SMRAM_D_LCK | I440FX_SMRAM_G_SMRAME);
    cfg_writeb(I440FX_SMRAM, I440FX_SMRAM_D_OPEN);
    is_int(cfg_readl(0x70) >> 16 & 0xff, 0x1a, "D_LCK: D_OPEN stays 0, lock sticks");
}

int main(void)
{
    PCIBus *bus = NULL;

    clock_set_test_mode(true);
    ram = mem_alloc_host(RAM_SIZE);
    memset(ram, 0xaa, RAM_SIZE);
    for (size_t i = 0; i < sizeof(bios); i++)
        bios[i] = (i * 13) ^ (i >> 8);
    for (size_t i = 0; i < sizeof(optrom); i++)
        optrom[i] = 0x80 | (i >> 10);

    /* the board's part of the map (what hw/pc.c does) */
    ok(mem_add_ram("ram-low", 0, 0xa0000, ram, false, 0) != NULL, "low RAM");
    ok(mem_add_ram("ram-high", 1 * MiB, RAM_SIZE - 1 * MiB, ram + 1 * MiB, false, 0) != NULL,
       "high RAM");
    ok(mem_add_ram("bios", 4 * GiB - BIOS_SIZE, BIOS_SIZE, bios, true, 0) != NULL, "BIOS");
    ok(mem_add_ram("isa-bios", 0xe0000, 0x20000, bios + BIOS_SIZE - 0x20000, true,
                   I440FX_ROM_PRIORITY) != NULL, "isa-bios");
    ok(mem_add_ram("optrom", 0xc0000, OPTROM_SIZE, optrom, true, I440FX_ROM_PRIORITY) != NULL,
       "option ROM");
    ok(i440fx_create(&bus, ram, RAM_SIZE) != NULL, "i440fx created");

    test_bios_segment();
    test_option_rom_segments();
    test_wo_over_moving_bar();
    test_reset();
    test_smram();
    return done_testing();
}
