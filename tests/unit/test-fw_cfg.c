/*
 * fw_cfg as SeaBIOS drives it: signature and ID through the I/O ports, a walk
 * of FW_CFG_FILE_DIR to find etc/e820, byte reads through 0x511, and DMA
 * transfers into guest RAM, including hostile descriptors.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/memory.h"
#include "hw/fw_cfg.h"
#include "tests/unit/tap.h"

#define RAM_SIZE    (16 * MiB)
#define ROM_BASE    0x2000000ULL
#define DESC        0x1000
#define BUF         0x2000

static uint8_t *ram;
static uint8_t rom[4096];

static void select_key(uint16_t key) { ioport_write(0x510, key, 2); }
static uint8_t data8(void) { return ioport_read(0x511, 1); }

static void read_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = data8();
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* Build a descriptor at gpa DESC and kick it the way SeaBIOS does. */
static uint32_t dma(uint32_t control, uint32_t len, uint64_t addr, uint64_t desc)
{
    uint8_t *d = ram + (desc < RAM_SIZE ? desc : DESC);

    put_be32(d, control);
    put_be32(d + 4, len);
    put_be32(d + 8, addr >> 32);
    put_be32(d + 12, (uint32_t)addr);
    ioport_write(0x514, __builtin_bswap32((uint32_t)(desc >> 32)), 4);
    ioport_write(0x518, __builtin_bswap32((uint32_t)desc), 4);
    return be32(d);
}

static int find_file(const char *name, uint32_t *size, uint16_t *sel, int *sorted)
{
    uint8_t hdr[4], ent[64];
    char prev[57] = "";
    int found = 0;

    select_key(FW_CFG_FILE_DIR);
    read_bytes(hdr, 4);
    *sorted = 1;
    for (uint32_t i = 0; i < be32(hdr); i++) {
        read_bytes(ent, 64);
        if (strncmp(prev, (char *)ent + 8, 56) > 0)
            *sorted = 0;
        memcpy(prev, ent + 8, 56);
        if (!strncmp((char *)ent + 8, name, 56)) {
            *size = be32(ent);
            *sel = (ent[4] << 8) | ent[5];
            found = 1;
        }
    }
    return found;
}

int main(void)
{
    FWCfgState *s;
    uint8_t buf[64], sig[4];
    uint32_t size = 0, ctl;
    uint16_t sel = 0;
    int sorted;

    clock_set_test_mode(true);
    ram = mem_alloc_host(RAM_SIZE);
    ok(mem_add_ram("ram", 0, RAM_SIZE, ram, false, 0) != NULL, "guest RAM");
    ok(mem_add_ram("rom", ROM_BASE, sizeof(rom), rom, true, 0) != NULL, "a ROM region");
    s = fw_cfg_create(FW_CFG_IO_BASE);
    ok(s != NULL, "fw_cfg created");

    is_int(fw_cfg_add_file(s, "zzz/last", "Z", 1), 0, "add zzz/last");
    is_int(fw_cfg_add_e820_ram(s, 128 * MiB, 2 * GiB), 0, "add etc/e820");
    is_int(fw_cfg_add_file(s, "aaa/first", "hello", 5), 0, "add aaa/first");
    is_int(fw_cfg_add_file(s, "bootorder", "/pci@i0cf8/ide@1,1/drive@0/disk@0\n", 35), 0,
           "add bootorder");
    is_int(fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, 128 * MiB), 0, "add RAM size");
    is_int(fw_cfg_add_i16(s, FW_CFG_NB_CPUS, 1), 0, "add NB_CPUS");
    ok(fw_cfg_add_file(s, "a-name-that-is-far-too-long-for-the-fifty-six-byte-field", "", 0)
       < 0, "over-long file name refused");
    ok(fw_cfg_add_bytes(s, 0x3000, "x", 1) < 0, "key out of range refused");

    /* signature and ID through the ports */
    devices_reset_all();
    read_bytes(sig, 4);
    ok(!memcmp(sig, "QEMU", 4), "signature selected at reset reads \"QEMU\"");
    select_key(FW_CFG_SIGNATURE);
    read_bytes(sig, 4);
    ok(!memcmp(sig, "QEMU", 4), "key 0 reads \"QEMU\"");
    is_int(data8(), 0, "past the end reads 0");
    select_key(FW_CFG_ID);
    read_bytes(buf, 4);
    is_int(buf[0] | (buf[1] << 8) | (buf[2] << 16) | ((uint32_t)buf[3] << 24), 3,
           "FW_CFG_ID = traditional | DMA");
    select_key(FW_CFG_NB_CPUS);
    read_bytes(buf, 2);
    is_int(buf[0] | (buf[1] << 8), 1, "NB_CPUS little-endian");
    is_int(ioport_read(0x514, 4), 0x554d4551, "DMA register reads \"QEMU\"");
    is_int(ioport_read(0x518, 4), 0x47464320, "... then \" CFG\"");

    /* directory */
    ok(find_file("etc/e820", &size, &sel, &sorted), "etc/e820 in the file directory");
    is_int(size, 40, "etc/e820 holds two 20-byte entries");
    ok(sel >= FW_CFG_FILE_FIRST, "file selector 0x%x >= 0x20", sel);
    ok(sorted, "directory sorted by name");
    select_key(sel);
    read_bytes(buf, 40);
    is_int(le64(buf), 0, "e820[0].address = 0");
    is_int(le64(buf + 8), 128 * MiB, "e820[0].length = 128 MiB");
    is_int(buf[16], E820_RAM, "e820[0].type = RAM");
    is_int(le64(buf + 20), 4 * GiB, "e820[1].address = 4 GiB");
    is_int(le64(buf + 28), 2 * GiB, "e820[1].length = 2 GiB");
    is_int(data8(), 0, "reading past etc/e820 gives 0");

    /* replacing a file updates its size in the directory */
    is_int(fw_cfg_add_e820_ram(s, 64 * MiB, 0), 0, "replace etc/e820");
    ok(find_file("etc/e820", &size, &sel, &sorted) && size == 20, "new size 20 in directory");

    /* out of range selectors */
    select_key(0x3000);
    is_int(data8(), 0, "selector 0x3000 (out of range) reads 0");
    select_key(FW_CFG_E820_TABLE);
    is_int(data8(), 0, "unset arch-local key reads 0");

    /* DMA: select + read into RAM */
    memset(ram + BUF, 0xcc, 64);
    ctl = dma(((uint32_t)sel << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 20,
              BUF, DESC);
    is_int(ctl, 0, "DMA read completes with control 0");
    is_int(le64(ram + BUF + 8), 64 * MiB, "DMA read put etc/e820 in RAM");
    is_int(ram[BUF + 20], 0xcc, "DMA wrote exactly 20 bytes");

    /* skip + read continues at the offset */
    dma(((uint32_t)sel << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_SKIP, 8, 0, DESC);
    memset(ram + BUF, 0xcc, 64);
    ctl = dma(FW_CFG_DMA_CTL_READ, 8, BUF, DESC);
    is_int(ctl, 0, "DMA skip then read ok");
    is_int(le64(ram + BUF), 64 * MiB, "read after skip 8 gives the length field");

    /* past the end: zeros */
    memset(ram + BUF, 0xcc, 64);
    ctl = dma(((uint32_t)FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_CTL_SELECT |
              FW_CFG_DMA_CTL_READ, 16, BUF, DESC);
    is_int(ctl, 0, "DMA read longer than the item ok");
    ok(!memcmp(ram + BUF, "QEMU", 4) && ram[BUF + 4] == 0 && ram[BUF + 15] == 0 &&
       ram[BUF + 16] == 0xcc, "item then zero fill, nothing beyond");

    /* hostile DMA */
    ctl = dma(((uint32_t)sel << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 20,
              0x7fff00000000ULL, DESC);
    is_int(ctl, FW_CFG_DMA_CTL_ERROR, "DMA to an address outside RAM sets the error bit");
    ctl = dma(((uint32_t)sel << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 20,
              RAM_SIZE - 10, DESC);
    is_int(ctl, FW_CFG_DMA_CTL_ERROR, "DMA running off the end of RAM sets the error bit");
    ctl = dma(((uint32_t)sel << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 20,
              ROM_BASE, DESC);
    is_int(ctl, FW_CFG_DMA_CTL_ERROR, "DMA into ROM sets the error bit");
    is_int(rom[0], 0, "... and the ROM is untouched");
    ctl = dma(FW_CFG_DMA_CTL_READ, 0xffffffffu, 0xfffffffffffffff0ULL, DESC);
    is_int(ctl, FW_CFG_DMA_CTL_ERROR, "DMA wrapping the address space sets the error bit");
    ctl = dma(((uint32_t)sel << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 4,
              BUF, DESC);
    is_int(ctl, FW_CFG_DMA_CTL_ERROR, "DMA write to a read-only item is refused");
    dma(FW_CFG_DMA_CTL_READ, 4, BUF, 0x7fff00000000ULL);
    ok(1, "descriptor outside RAM: no crash");
    memset(ram + BUF, 0xcc, 8);
    ctl = dma(0, 8, BUF, DESC);
    is_int(ctl, 0, "DMA with no operation completes");
    is_int(ram[BUF], 0xcc, "... and writes nothing");

    /* data port keeps working after DMA */
    select_key(FW_CFG_SIGNATURE);
    read_bytes(sig, 4);
    ok(!memcmp(sig, "QEMU", 4), "port interface still works");
    return done_testing();
}
