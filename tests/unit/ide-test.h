/*
 * Shared set-up for the IDE/ATAPI unit tests: 1 MiB of guest RAM, PCI bus 0
 * with the PIIX3 IDE function (BAR4 mapped at BM_BASE, bus mastering on),
 * IRQ 14/15 recorded, temporary image files, and register helpers.
 */
#ifndef PCVM_TEST_IDE_H
#define PCVM_TEST_IDE_H

#include <fcntl.h>
#include <unistd.h>

#include "block/block.h"
#include "core/clock.h"
#include "core/common.h"
#include "core/ioport.h"
#include "core/mainloop.h"
#include "core/memory.h"
#include "hw/ide.h"
#include "hw/pci.h"
#include "hw/piix-ide.h"
#include "tests/unit/tap.h"

#define RAM_SIZE    (1 * MiB)
#define BM_BASE     0xc000
#define PRI_CMD     0x1f0
#define PRI_CTL     0x3f6
#define SEC_CMD     0x170
#define SEC_CTL     0x376

static int irq_level[16] UNUSED;
static int irq_rises[16] UNUSED;
static uint8_t *ram;
static PCIBus *pcibus UNUSED;
static PIIXIDEState *ide;

static inline void test_irq_set(void *opaque, int n, int level)
{
    if (level && !irq_level[n])
        irq_rises[n]++;
    irq_level[n] = level;
}

static inline uint32_t cfg_read(int devfn, int reg, unsigned size)
{
    ioport_write(0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc), 4);
    return ioport_read(0xcfc + (reg & 3), size);
}

static inline void cfg_write(int devfn, int reg, uint32_t val, unsigned size)
{
    ioport_write(0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc), 4);
    ioport_write(0xcfc + (reg & 3), val, size);
}

static inline void machine_setup(void)
{
    clock_set_test_mode(true);
    mainloop_init();
    ram = mem_alloc_host(RAM_SIZE);
    mem_add_ram("ram", 0, RAM_SIZE, ram, false, 0);
    pcibus = pci_bus_create();
    ide = piix3_ide_create(pcibus, PIIX3_IDE_DEVFN, irq_line(test_irq_set, NULL, 14),
                           irq_line(test_irq_set, NULL, 15));
    cfg_write(PIIX3_IDE_DEVFN, PCI_BASE_ADDRESS_0 + 16, BM_BASE | 1, 4);
    cfg_write(PIIX3_IDE_DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
}

/* Byte j of sector i of a test image. */
static inline uint8_t pattern(uint64_t sector, unsigned j)
{
    return (uint8_t)(sector * 7 + j * 3 + (sector >> 8));
}

/* A temporary image of n 512-byte sectors filled with pattern(); returns an
 * fd for checking it from the host side, the path in path[64]. */
static inline int make_image(char *path, uint64_t sectors, bool fill)
{
    snprintf(path, 64, "/tmp/pcvm-test-ide.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(99);
    }
    if (ftruncate(fd, sectors * 512) < 0) {
        perror("ftruncate");
        exit(99);
    }
    if (fill) {
        uint8_t buf[512];
        for (uint64_t s = 0; s < sectors; s++) {
            for (int j = 0; j < 512; j++)
                buf[j] = pattern(s, j);
            if (pwrite(fd, buf, 512, s * 512) != 512)
                exit(99);
        }
    }
    return fd;
}

static inline void wait_io(void)
{
    blk_drain_all();
}

static inline uint8_t bm_status(int ch) { return ioport_read(BM_BASE + 8 * ch + BM_STATUS, 1); }
static inline void bm_clear_status(int ch) { ioport_write(BM_BASE + 8 * ch + BM_STATUS, 0x66, 1); }
static inline void bm_setup(int ch, uint32_t prd) { ioport_write(BM_BASE + 8 * ch + BM_PRD, prd, 4); }
static inline void bm_start(int ch, bool to_mem)
{
    ioport_write(BM_BASE + 8 * ch + BM_CMD, BM_CMD_START | (to_mem ? BM_CMD_WRITE : 0), 1);
}
static inline void bm_stop(int ch) { ioport_write(BM_BASE + 8 * ch + BM_CMD, 0, 1); }

/* Write PRD entry i of the table at gpa. */
static inline void prd_set(uint32_t table, int i, uint32_t addr, uint32_t count, bool eot)
{
    uint8_t *p = ram + table + 8 * i;
    p[0] = addr; p[1] = addr >> 8; p[2] = addr >> 16; p[3] = addr >> 24;
    p[4] = count; p[5] = count >> 8; p[6] = 0; p[7] = eot ? 0x80 : 0;
}

#endif
