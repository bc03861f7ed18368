/*
 * The PIIX3 IDE function and the ATA disk, driven through PCI config space,
 * the legacy task file ports and the bus master registers as a BIOS or a
 * driver does: IDENTIFY, PIO and DMA round trips against a temporary image,
 * LBA48 and CHS, errors, reset and nIEN, and hostile PRD tables.
 */
#include "tests/unit/ide-test.h"

#define HD_SECTORS  2048

static char hd_path[64];
static int hd_fd;

static uint8_t status(void) { return ioport_read(PRI_CMD + ATA_REG_STATUS, 1); }
static uint8_t altstatus(void) { return ioport_read(PRI_CTL, 1); }
static uint8_t error(void) { return ioport_read(PRI_CMD + ATA_REG_ERROR, 1); }

static void select_dev(int unit, uint8_t flags)
{
    ioport_write(PRI_CMD + ATA_REG_DEVICE, 0xa0 | flags | (unit ? ATA_DEV_DEV : 0), 1);
}

/* LBA28 task file for the selected device 0 */
static void set_lba28(uint32_t lba, uint8_t count)
{
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, count, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAL, lba, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAM, lba >> 8, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAH, lba >> 16, 1);
    select_dev(0, ATA_DEV_LBA | ((lba >> 24) & 0x0f));
}

static void set_lba48(uint64_t lba, uint16_t count)
{
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, count >> 8, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAL, lba >> 24, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAM, lba >> 32, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAH, lba >> 40, 1);
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, count, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAL, lba, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAM, lba >> 8, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAH, lba >> 16, 1);
    select_dev(0, ATA_DEV_LBA);
}

static void command(uint8_t cmd)
{
    ioport_write(PRI_CMD + ATA_REG_STATUS, cmd, 1);
    wait_io();
}

static bool sector_matches(const uint8_t *buf, uint64_t sector)
{
    for (int j = 0; j < 512; j++)
        if (buf[j] != pattern(sector, j))
            return false;
    return true;
}

static void read_words(uint16_t *w, int n)
{
    for (int i = 0; i < n; i++)
        w[i] = ioport_read(PRI_CMD, 2);
}

static void test_pci(void)
{
    is_int(cfg_read(PIIX3_IDE_DEVFN, 0, 4), 0x70108086, "00:01.1 is PIIX3 IDE 8086:7010");
    is_int(cfg_read(PIIX3_IDE_DEVFN, 8, 4) >> 8, 0x010180, "class 0101, prog-if 0x80 (bus master, legacy)");
    is_int(cfg_read(PIIX3_IDE_DEVFN, PCI_BASE_ADDRESS_0 + 16, 4), BM_BASE | 1, "BAR4 is an I/O BAR at the programmed address");
    is_int(cfg_read(PIIX3_IDE_DEVFN, PCI_INTERRUPT_PIN, 1), 0, "no PCI interrupt pin in legacy mode");
}

static void test_signature_identify(void)
{
    select_dev(0, 0);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "master disk ready after reset");
    is_int(ioport_read(PRI_CMD + ATA_REG_NSECTOR, 1), 1, "signature: sector count 1");
    is_int(ioport_read(PRI_CMD + ATA_REG_LBAM, 1), 0, "signature: LBA mid 0 (ATA)");
    is_int(ioport_read(PRI_CMD + ATA_REG_LBAH, 1), 0, "signature: LBA high 0 (ATA)");

    select_dev(1, 0);
    is_int(status(), 0, "absent slave reads status 0");
    ioport_write(PRI_CMD + ATA_REG_STATUS, 0xec, 1);
    is_int(irq_level[14], 0, "a command to the absent slave raises no interrupt");
    select_dev(0, 0);

    command(0xec);
    is_int(irq_level[14], 1, "IDENTIFY raises IRQ 14");
    is_int(altstatus(), ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ, "IDENTIFY: DRQ");
    is_int(irq_level[14], 1, "alternate status does not clear the interrupt");
    status();
    is_int(irq_level[14], 0, "reading status clears the interrupt");
    uint16_t id[256];
    read_words(id, 256);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "DRQ clears after 256 words");
    is_int(id[0], 0x0040, "word 0: fixed ATA device");
    is_int(id[60] | id[61] << 16, HD_SECTORS, "words 60-61: LBA28 capacity");
    is_int(id[100] | id[101] << 16, HD_SECTORS, "words 100-103: LBA48 capacity");
    ok(id[83] & (1 << 10), "word 83: LBA48 supported");
    ok(id[83] & (1 << 12), "word 83: FLUSH CACHE supported");
    ok(id[49] & (1 << 9) && id[49] & (1 << 8), "word 49: LBA and DMA");
    is_int(id[47] & 0xff, IDE_MAX_MULT, "word 47: READ/WRITE MULTIPLE up to 16");
    is_int(id[3], 16, "16 heads");
    is_int(id[6], 63, "63 sectors per track");
    is_int(id[1], 2, "cylinders for a 1 MiB disk (at least 2)");
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = id[27 + i] >> 8;
        model[2 * i + 1] = id[27 + i];
    }
    model[40] = 0;
    ok(!strncmp(model, "pcvm HARDDISK ", 14), "model string is byte-swapped \"pcvm HARDDISK\" (%s)", model);
    ok(id[10] != 0 && id[10] != 0x2020, "serial number present");
    ok(id[88] & 0x3f, "Ultra DMA modes 0-5 supported");
    ok(id[93] & (1 << 13), "80-wire cable reported");
    ok(id[85] & (1 << 5), "write cache enabled by default");
}

static void test_pio(void)
{
    uint8_t buf[1024];

    /* WRITE SECTORS: DRQ for the first block without an interrupt */
    set_lba28(5, 2);
    irq_rises[14] = 0;
    command(0x30);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ, "WRITE SECTORS asks for data");
    is_int(irq_rises[14], 0, "no interrupt before the first PIO data-out block");
    for (int i = 0; i < 512; i += 2)
        ioport_write(PRI_CMD, 0xa55a ^ i, 2);
    wait_io();
    is_int(irq_rises[14], 1, "interrupt for the second block");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ, "second block requested");
    for (int i = 0; i < 512; i += 4)          /* 32-bit accesses, as with PIO32 */
        ioport_write(PRI_CMD, 0x11223344u + i, 4);
    wait_io();
    is_int(irq_rises[14], 2, "completion interrupt");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "write done");
    ok(pread(hd_fd, buf, 1024, 5 * 512) == 1024, "image readable");
    ok(buf[0] == 0x5a && buf[1] == 0xa5 && buf[2] == 0x58 && buf[3] == 0xa5,
       "first sector reached the image file");
    ok(buf[512] == 0x44 && buf[513] == 0x33 && buf[514] == 0x22 && buf[515] == 0x11,
       "second sector (32-bit writes) reached the image file");
    is_int(ioport_read(PRI_CMD + ATA_REG_LBAL, 1), 6, "task file holds the last sector written");

    /* READ SECTORS back, mixing 16- and 32-bit reads */
    set_lba28(5, 2);
    irq_rises[14] = 0;
    command(0x20);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ, "READ SECTORS has data");
    uint8_t rd[1024];
    for (int i = 0; i < 512; i += 2) {
        uint16_t w = ioport_read(PRI_CMD, 2);
        rd[i] = w;
        rd[i + 1] = w >> 8;
    }
    wait_io();
    for (int i = 512; i < 1024; i += 4) {
        uint32_t l = ioport_read(PRI_CMD, 4);
        memcpy(rd + i, &l, 4);
    }
    ok(!memcmp(rd, buf, 1024), "PIO read returns what PIO wrote");
    is_int(irq_rises[14], 2, "one interrupt per sector read");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "no DRQ after the last sector");
    is_int(ioport_read(PRI_CMD, 2), 0, "data port reads 0 without DRQ");

    /* a long read (more than the device's buffer) */
    set_lba28(100, 0);                         /* 0 = 256 sectors */
    command(0x20);
    bool good = true;
    for (int s = 0; s < 256; s++) {
        wait_io();
        if (!(status() & ATA_STAT_DRQ)) {
            good = false;
            break;
        }
        uint8_t sec[512];
        for (int i = 0; i < 512; i += 4) {
            uint32_t l = ioport_read(PRI_CMD, 4);
            memcpy(sec + i, &l, 4);
        }
        good &= sector_matches(sec, 100 + s);
    }
    ok(good, "256-sector READ SECTORS (count 0) returns the image");

    /* READ/WRITE MULTIPLE */
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, 3, 1);
    command(0xc6);
    ok(status() & ATA_STAT_ERR, "SET MULTIPLE 3 (not a power of two) aborts");
    is_int(error(), ATA_ERR_ABRT, "... with ABRT");
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, 4, 1);
    command(0xc6);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "SET MULTIPLE 4");
    set_lba28(40, 8);
    irq_rises[14] = 0;
    command(0xc4);
    good = true;
    for (int blk = 0; blk < 2; blk++) {
        wait_io();
        status();
        for (int s = 0; s < 4; s++) {
            uint8_t sec[512];
            for (int i = 0; i < 512; i += 2) {
                uint16_t w = ioport_read(PRI_CMD, 2);
                sec[i] = w;
                sec[i + 1] = w >> 8;
            }
            good &= sector_matches(sec, 40 + blk * 4 + s);
        }
    }
    ok(good, "READ MULTIPLE 8 sectors in blocks of 4");
    is_int(irq_rises[14], 2, "READ MULTIPLE interrupts once per block");
    uint16_t id[256];
    command(0xec);
    read_words(id, 256);
    is_int(id[59], 0x104, "IDENTIFY word 59 shows the multiple setting");
}

static void test_lba48_chs(void)
{
    uint8_t sec[512];

    /* READ SECTORS EXT with the high bytes in the HOB registers */
    set_lba48(0x7fe, 2);
    command(0x24);
    bool good = true;
    for (int s = 0; s < 2; s++) {
        wait_io();
        for (int i = 0; i < 512; i += 2) {
            uint16_t w = ioport_read(PRI_CMD, 2);
            sec[i] = w;
            sec[i + 1] = w >> 8;
        }
        good &= sector_matches(sec, 0x7fe + s);
    }
    ok(good, "READ SECTORS EXT reads the last two sectors");
    set_lba48(0x100000000ULL, 1);
    command(0x24);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_ERR, "LBA48 beyond the disk: error");
    is_int(error(), ATA_ERR_IDNF, "LBA48 beyond the disk: IDNF");
    ioport_write(PRI_CTL, ATA_CTRL_HOB, 1);
    is_int(ioport_read(PRI_CMD + ATA_REG_LBAM, 1), 1, "HOB readback shows LBA bits 32-39");
    ioport_write(PRI_CTL, 0, 1);

    /* LBA28 range errors */
    set_lba28(HD_SECTORS, 1);
    command(0x20);
    is_int(error(), ATA_ERR_IDNF, "READ SECTORS at the first LBA past the end: IDNF");
    set_lba28(HD_SECTORS - 1, 2);
    command(0x30);
    is_int(error(), ATA_ERR_IDNF, "WRITE SECTORS running past the end: IDNF");
    is_int(status() & (ATA_STAT_DRQ | ATA_STAT_ERR), ATA_STAT_ERR, "... without a data phase");
    set_lba28(0x0fffffff, 0);
    command(0xc8);
    is_int(error(), ATA_ERR_IDNF, "READ DMA at LBA 0x0fffffff: IDNF");
    set_lba28(HD_SECTORS - 1, 2);
    command(0x40);
    is_int(error(), ATA_ERR_IDNF, "READ VERIFY past the end: IDNF");
    set_lba28(10, 2);
    command(0x40);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "READ VERIFY in range succeeds");

    /* CHS: cylinder 1, head 2, sector 3 with 16 heads and 63 sectors */
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, 63, 1);
    select_dev(0, 15);
    command(0x91);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "INITIALIZE DEVICE PARAMETERS 16/63");
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, 1, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAL, 3, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAM, 1, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAH, 0, 1);
    select_dev(0, 2);
    command(0x20);
    for (int i = 0; i < 512; i += 2) {
        uint16_t w = ioport_read(PRI_CMD, 2);
        sec[i] = w;
        sec[i + 1] = w >> 8;
    }
    ok(sector_matches(sec, (1 * 16 + 2) * 63 + 2), "CHS 1/2/3 reads LBA 1136");
    ioport_write(PRI_CMD + ATA_REG_LBAL, 0, 1);  /* sector 0 does not exist in CHS */
    select_dev(0, 0);
    command(0x20);
    is_int(error(), ATA_ERR_IDNF, "CHS sector 0: IDNF");
}

static void test_misc_commands(void)
{
    command(0xb0);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_ERR, "SMART (not offered) aborts");
    is_int(error(), ATA_ERR_ABRT, "... with ABRT");
    command(0x00);
    is_int(error(), ATA_ERR_ABRT, "NOP aborts, as the standard says");
    command(0xa0);
    is_int(error(), ATA_ERR_ABRT, "PACKET to a disk aborts");
    command(0xa1);
    is_int(error(), ATA_ERR_ABRT, "IDENTIFY PACKET DEVICE to a disk aborts");

    command(0xe7);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "FLUSH CACHE completes");
    command(0xea);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "FLUSH CACHE EXT completes");

    command(0xe0);
    command(0xe5);
    is_int(ioport_read(PRI_CMD + ATA_REG_NSECTOR, 1), 0x00, "CHECK POWER MODE after STANDBY IMMEDIATE: standby");
    command(0xe1);
    command(0xe5);
    is_int(ioport_read(PRI_CMD + ATA_REG_NSECTOR, 1), 0xff, "CHECK POWER MODE after IDLE IMMEDIATE: active");

    ioport_write(PRI_CMD + ATA_REG_ERROR, 0x03, 1);
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, 0x45, 1);   /* UDMA 5 */
    command(0xef);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "SET FEATURES transfer mode UDMA5");
    uint16_t id[256];
    command(0xec);
    read_words(id, 256);
    is_int(id[88] >> 8, 1 << 5, "IDENTIFY shows UDMA5 selected");
    ioport_write(PRI_CMD + ATA_REG_ERROR, 0x03, 1);
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, 0x47, 1);   /* UDMA 7: no */
    command(0xef);
    is_int(error(), ATA_ERR_ABRT, "SET FEATURES UDMA7 aborts");
    ioport_write(PRI_CMD + ATA_REG_ERROR, 0x82, 1);
    command(0xef);
    command(0xec);
    read_words(id, 256);
    ok(!(id[85] & (1 << 5)), "SET FEATURES 82h disables the write cache");
    /* writes still work (and are flushed) with the cache off */
    set_lba28(20, 1);
    command(0x30);
    for (int i = 0; i < 256; i++)
        ioport_write(PRI_CMD, 0x0101 * (i & 0xff), 2);
    wait_io();
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "write-through WRITE SECTORS completes");
    ioport_write(PRI_CMD + ATA_REG_ERROR, 0x02, 1);
    command(0xef);
}

static void test_reset_nien(void)
{
    /* nIEN: the drive's interrupt is masked from the line, not lost */
    ioport_write(PRI_CTL, ATA_CTRL_NIEN, 1);
    command(0xe5);
    is_int(irq_level[14], 0, "nIEN: no interrupt on the line");
    ioport_write(PRI_CTL, 0, 1);
    is_int(irq_level[14], 1, "clearing nIEN shows the pending interrupt");
    status();
    is_int(irq_level[14], 0, "status read clears it");

    /* SRST in the middle of a PIO read */
    set_lba28(0, 4);
    command(0x20);
    ok(status() & ATA_STAT_DRQ, "read in progress");
    ioport_write(PRI_CTL, ATA_CTRL_SRST, 1);
    ok(altstatus() & ATA_STAT_BSY, "SRST: busy");
    ioport_write(PRI_CTL, 0, 1);
    is_int(altstatus(), ATA_STAT_DRDY | ATA_STAT_DSC, "after SRST: ready, no DRQ");
    is_int(error(), 0x01, "after SRST: diagnostic code 01");
    is_int(ioport_read(PRI_CMD + ATA_REG_NSECTOR, 1), 1, "after SRST: signature");
    is_int(ioport_read(PRI_CMD, 2), 0, "no data left after SRST");
}

static void test_dma(void)
{
    const uint32_t table = 0x1000, buf = 0x10000;
    uint8_t sec[512];

    /* READ DMA of 2 sectors with one PRD that is exactly the transfer */
    memset(ram + buf, 0xee, 4096);
    prd_set(table, 0, buf, 1024, true);
    bm_clear_status(0);
    bm_setup(0, table);
    set_lba28(7, 2);
    irq_rises[14] = 0;
    command(0xc8);
    is_int(irq_rises[14], 0, "no interrupt before the bus master starts");
    bm_start(0, true);
    wait_io();
    ok(sector_matches(ram + buf, 7) && sector_matches(ram + buf + 512, 8), "READ DMA data in RAM");
    is_int(ram[buf + 1024], 0xee, "nothing written after the PRD's end");
    is_int(bm_status(0) & 7, BM_STATUS_INT, "table used up: Active clear, Interrupt set");
    is_int(irq_rises[14], 1, "READ DMA completion interrupt");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "drive ready");
    bm_stop(0);

    /* WRITE DMA from two scattered PRDs, the sector split between them */
    for (int i = 0; i < 512; i++)
        ram[(i < 100 ? 0x20000 : 0x30000 - 100) + i] = i ^ 0x5c;
    prd_set(table, 0, 0x20000, 100, false);
    prd_set(table, 1, 0x30000, 412, true);
    bm_clear_status(0);
    set_lba28(30, 1);
    command(0xca);
    bm_start(0, false);
    wait_io();
    ok(pread(hd_fd, sec, 512, 30 * 512) == 512, "image readable");
    bool good = true;
    for (int i = 0; i < 512; i++)
        good &= sec[i] == (uint8_t)(i ^ 0x5c);
    ok(good, "WRITE DMA gathered two PRDs into the sector");
    is_int(bm_status(0) & 7, BM_STATUS_INT, "WRITE DMA done, table used up");
    bm_stop(0);

    /* PRD table longer than the transfer: Active stays set */
    prd_set(table, 0, buf, 0x8000, true);
    bm_clear_status(0);
    set_lba28(9, 1);
    command(0xc8);
    bm_start(0, true);
    wait_io();
    ok(sector_matches(ram + buf, 9), "READ DMA into a larger PRD");
    is_int(bm_status(0) & 7, BM_STATUS_ACTIVE | BM_STATUS_INT, "table larger than transfer: Active and Interrupt");
    bm_stop(0);
    is_int(bm_status(0) & 1, 0, "clearing Start clears Active");

    /* zero byte count = 64 KiB; a 128-sector read fills it exactly */
    prd_set(table, 0, buf, 0, true);
    bm_clear_status(0);
    set_lba28(256, 128);
    command(0xc8);
    bm_start(0, true);
    wait_io();
    ok(sector_matches(ram + buf, 256) && sector_matches(ram + buf + 127 * 512, 383),
       "PRD count 0 moves 64 KiB");
    is_int(bm_status(0) & 7, BM_STATUS_INT, "64 KiB table used up exactly");
    bm_stop(0);

    /* a transfer larger than one block request: 4 x 64 KiB, LBA48 */
    for (int i = 0; i < 4; i++)
        prd_set(table, i, 0x40000 + i * 0x10000, 0, i == 3);
    bm_clear_status(0);
    set_lba48(512, 512);
    command(0x25);
    bm_start(0, true);
    wait_io();
    good = true;
    for (int s = 0; s < 512; s++)
        good &= sector_matches(ram + 0x40000 + s * 512, 512 + s);
    ok(good, "READ DMA EXT of 256 KiB over four PRDs");
    is_int(bm_status(0) & 7, BM_STATUS_INT, "... completes with the table used up");
    bm_stop(0);

    /* short table: the bus master stops, the drive keeps waiting */
    prd_set(table, 0, buf, 512, true);
    bm_clear_status(0);
    set_lba28(11, 2);
    irq_rises[14] = 0;
    command(0xc8);
    bm_start(0, true);
    wait_io();
    is_int(bm_status(0) & 7, 0, "PRDs shorter than the transfer: Active and Interrupt clear");
    is_int(irq_rises[14], 0, "no completion interrupt");
    ok(altstatus() & ATA_STAT_DRQ, "the drive still waits for DMA");
    ok(sector_matches(ram + buf, 11), "the part the PRDs covered arrived");
    bm_stop(0);
    ioport_write(PRI_CTL, ATA_CTRL_SRST, 1);
    ioport_write(PRI_CTL, 0, 1);
    is_int(altstatus(), ATA_STAT_DRDY | ATA_STAT_DSC, "SRST recovers the drive");

    /* PRD pointing outside RAM: bus master error, no crash, RAM untouched */
    memset(ram + buf, 0x77, 1024);
    prd_set(table, 0, 0xd0000000u, 512, true);
    bm_clear_status(0);
    set_lba28(12, 1);
    command(0xc8);
    bm_start(0, true);
    wait_io();
    ok(bm_status(0) & BM_STATUS_ERROR, "DMA to unassigned memory sets the error bit");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "the drive finishes the command");
    is_int(ram[buf], 0x77, "RAM elsewhere untouched");
    bm_stop(0);

    /* PRD straddling the end of RAM: the RAM part is written, the rest dropped */
    prd_set(table, 0, RAM_SIZE - 256, 512, true);
    bm_clear_status(0);
    set_lba28(13, 1);
    command(0xc8);
    bm_start(0, true);
    wait_io();
    good = true;
    for (int j = 0; j < 256; j++)
        good &= ram[RAM_SIZE - 256 + j] == pattern(13, j);
    ok(good, "PRD straddling the end of RAM: the RAM part arrived");
    ok(bm_status(0) & BM_STATUS_ERROR, "... and the rest was a master abort");
    bm_stop(0);

    /* WRITE DMA from unassigned memory: the sector gets the floating bus */
    prd_set(table, 0, 0xd0000000u, 512, true);
    bm_clear_status(0);
    set_lba28(14, 1);
    command(0xca);
    bm_start(0, false);
    wait_io();
    ok(pread(hd_fd, sec, 512, 14 * 512) == 512 && sec[0] == 0xff && sec[511] == 0xff,
       "WRITE DMA from unassigned memory writes 0xff");
    ok(bm_status(0) & BM_STATUS_ERROR, "... with the error bit");
    bm_stop(0);

    /* table without EOT made of 2-byte PRDs: 256 of them for one sector */
    for (int i = 0; i < 8192; i++)
        prd_set(0x60000, i, 0x50000 + 4 * i, 2, false);
    bm_clear_status(0);
    bm_setup(0, 0x60000);
    set_lba28(15, 1);
    command(0xc8);
    bm_start(0, true);
    wait_io();
    good = true;
    for (int j = 0; j < 512; j++)
        good &= ram[0x50000 + 4 * (j / 2) + (j & 1)] == pattern(15, j);
    ok(good, "256 two-byte PRDs without EOT scatter the sector");
    is_int(bm_status(0) & 7, BM_STATUS_ACTIVE | BM_STATUS_INT, "unterminated table: Active stays set");
    bm_stop(0);

    /* a whole table page of 2-byte PRDs without EOT for a 64 KiB read: the
     * walk wraps inside the 64K page and the transfer still ends */
    bm_clear_status(0);
    set_lba28(0, 128);
    command(0xc8);
    bm_start(0, true);
    wait_io();
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "64 KiB through a wrapping 2-byte PRD table completes");
    bm_stop(0);

    /* Bus Master Enable off: the bus master does not move data */
    cfg_write(PIIX3_IDE_DEVFN, PCI_COMMAND, PCI_COMMAND_IO, 2);
    prd_set(table, 0, buf, 512, true);
    bm_setup(0, table);
    bm_clear_status(0);
    memset(ram + buf, 0x33, 512);
    set_lba28(17, 1);
    command(0xc8);
    bm_start(0, true);
    wait_io();
    is_int(ram[buf], 0x33, "no DMA without PCI Bus Master Enable");
    ok(altstatus() & ATA_STAT_DRQ, "... the drive keeps waiting");
    bm_stop(0);
    cfg_write(PIIX3_IDE_DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);

    /* Start cleared while the drive waits: nothing moves, restart finishes it */
    bm_setup(0, table);
    prd_set(table, 0, buf, 512, true);
    bm_clear_status(0);
    set_lba28(16, 1);
    command(0xc8);
    ok(altstatus() & ATA_STAT_DRQ, "READ DMA waits for the bus master");
    bm_start(0, true);
    wait_io();
    ok(sector_matches(ram + buf, 16), "late Start: data moved");
    bm_stop(0);
}

static void test_blk_layer(void)
{
    char path[64], ro_path[64];
    BlockBackend *blk;
    uint8_t sec[512], sec2[512];
    int fd, r;

    /* -snapshot: writes visible to the guest, not in the file */
    fd = make_image(path, 64, true);
    r = blk_open(&blk, path, "raw", BLK_OPEN_SNAPSHOT, "-hdb");
    is_int(r, 0, "open with -snapshot");
    memset(sec, 0xab, 512);
    is_int(blk_pwrite(blk, 3, sec, 512), 0, "snapshot write");
    memset(sec2, 0, 512);
    is_int(blk_pread(blk, 3, sec2, 512), 0, "snapshot read");
    ok(!memcmp(sec, sec2, 512), "the guest reads its own write back");
    uint8_t two[1024];
    is_int(blk_pread(blk, 2, two, 1024), 0, "read across overlay and image");
    ok(sector_matches(two, 2) && !memcmp(two + 512, sec, 512), "mixed read: image sector, overlay sector");
    ok(pread(fd, sec2, 512, 3 * 512) == 512 && sector_matches(sec2, 3), "the image file is unchanged");
    blk_close(blk);
    close(fd);
    unlink(path);

    /* read-only */
    fd = make_image(ro_path, 64, true);
    r = blk_open(&blk, ro_path, "raw", BLK_OPEN_RDONLY, "-cdrom");
    is_int(r, 0, "open read-only");
    ok(blk_is_read_only(blk), "backend is read-only");
    is_int(blk_pwrite(blk, 0, sec, 512), -EROFS, "writes to a read-only backend fail with EROFS");
    is_int(blk_pread(blk, 64, sec, 512), -EIO, "reads past the end fail with EIO");
    is_int(blk_pread(blk, UINT64_MAX, sec, 512), -EIO, "sector number overflow fails with EIO");
    is_int(blk_pread(blk, 0, sec, 100), -EINVAL, "partial sectors are refused");
    blk_close(blk);

    /* probing: a probed raw image may not become a qcow2 through sector 0 */
    log_quiet = 1;
    r = blk_open(&blk, ro_path, NULL, 0, "-hdb");
    is_int(r, 0, "open without format= (probed raw)");
    memcpy(sec, "QFI\xfb", 4);
    is_int(blk_pwrite(blk, 0, sec, 512), -EPERM, "probed raw: writing a qcow2 header to sector 0 is refused");
    memset(sec, 0, 512);
    sec[510] = 0x55;
    sec[511] = 0xaa;
    is_int(blk_pwrite(blk, 0, sec, 512), 0, "probed raw: an MBR in sector 0 is fine");
    blk_close(blk);
    ok(pwrite(fd, "QFI\xfb", 4, 0) == 4, "make the file look like qcow2");
    is_int(blk_open(&blk, ro_path, NULL, 0, "-hdb"), -ENOTSUP, "qcow2 magic: refused (not supported yet)");
    is_int(blk_open(&blk, ro_path, "qcow2", 0, "-hdb"), -ENOTSUP, "format=qcow2: refused");
    is_int(blk_open(&blk, "/nonexistent/x.img", "raw", 0, "-hda"), -ENOENT, "missing file: ENOENT");
    is_int(blk_open(&blk, "/tmp", "raw", 0, "-hda"), -EISDIR, "a directory is not an image");
    log_quiet = 0;

    /* a file whose size is not a multiple of 512: the tail reads as zeros */
    ok(ftruncate(fd, 1000) == 0, "truncate to 1000 bytes");
    r = blk_open(&blk, ro_path, "raw", BLK_OPEN_RDONLY, "-hdb");
    is_int(blk_nb_sectors(blk), 2, "1000 bytes are two sectors");
    is_int(blk_pread(blk, 1, sec, 512), 0, "read the partial sector");
    ok(sec[487] == pattern(1, 487) && sec[488] == 0 && sec[511] == 0, "past EOF reads zeros");
    blk_close(blk);
    close(fd);
    unlink(ro_path);
}

/* A read-only disk as the primary slave: reads work, writes abort. */
static void test_readonly_drive(void)
{
    char path[64];
    BlockBackend *blk;
    int fd = make_image(path, 16, true);

    blk_open(&blk, path, "raw", BLK_OPEN_RDONLY, "-hdb");
    is_int(ide_drive_attach(&ide->bus[0], 1, IDE_HD, blk), 0, "attach a read-only slave");
    ide_bus_reset(&ide->bus[0]);
    select_dev(1, 0);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "slave ready after reset");
    ioport_write(PRI_CMD + ATA_REG_NSECTOR, 1, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAL, 0, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAM, 0, 1);
    ioport_write(PRI_CMD + ATA_REG_LBAH, 0, 1);
    select_dev(1, ATA_DEV_LBA);
    command(0x30);
    for (int i = 0; i < 256; i++)
        ioport_write(PRI_CMD, 0, 2);
    wait_io();
    ok(status() & ATA_STAT_ERR, "write to a read-only disk fails");
    is_int(error(), ATA_ERR_ABRT, "... with ABRT");
    uint8_t sec[512];
    ok(pread(fd, sec, 512, 0) == 512 && sector_matches(sec, 0), "the file is untouched");
    select_dev(0, 0);
    close(fd);
    unlink(path);
}

/* A sparse 128 GiB + 1 MiB disk as the secondary master: LBA28 cannot reach
 * its end, LBA48 can. */
static void test_lba48_big(void)
{
    const uint64_t n = 0x10000000ULL + 2048, lba = 0x10000000ULL + 100;
    char path[64];
    BlockBackend *blk;
    int fd = make_image(path, n, false);
    uint8_t sec[512];
    uint16_t id[256];

    for (int j = 0; j < 512; j++)
        sec[j] = pattern(lba, j);
    ok(pwrite(fd, sec, 512, lba * 512) == 512, "pattern beyond LBA28 written on the host");
    is_int(blk_open(&blk, path, "raw", 0, "-hdc"), 0, "open a 128 GiB sparse image");
    is_int(ide_drive_attach(&ide->bus[1], 0, IDE_HD, blk), 0, "attach it as secondary master");
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xa0, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xec, 1);
    wait_io();
    for (int i = 0; i < 256; i++)
        id[i] = ioport_read(SEC_CMD, 2);
    is_int(id[60] | id[61] << 16, 0x0fffffff, "LBA28 capacity saturates at 0x0fffffff");
    is_int(id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32, n, "LBA48 capacity is the whole disk");
    is_int(id[1], 16383, "CHS cylinders capped at 16383");

    /* READ SECTORS EXT at LBA 0x10000064 */
    ioport_write(SEC_CMD + ATA_REG_NSECTOR, 0, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAL, lba >> 24, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAM, lba >> 32, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAH, lba >> 40, 1);
    ioport_write(SEC_CMD + ATA_REG_NSECTOR, 1, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAL, lba, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAM, lba >> 8, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAH, lba >> 16, 1);
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xe0, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0x24, 1);
    wait_io();
    for (int i = 0; i < 512; i += 2) {
        uint16_t w = ioport_read(SEC_CMD, 2);
        sec[i] = w;
        sec[i + 1] = w >> 8;
    }
    ok(sector_matches(sec, lba), "READ SECTORS EXT beyond the 28-bit limit");
    ioport_write(SEC_CTL, ATA_CTRL_HOB, 1);
    is_int(ioport_read(SEC_CMD + ATA_REG_LBAL, 1), 0x10, "HOB: LBA bits 24-31 of the last sector read");
    ioport_write(SEC_CTL, 0, 1);

    /* WRITE DMA EXT at the very last sector */
    const uint32_t table = 0x2000;
    for (int j = 0; j < 512; j++)
        ram[0x70000 + j] = j * 13;
    prd_set(table, 0, 0x70000, 512, true);
    bm_clear_status(1);
    bm_setup(1, table);
    uint64_t last = n - 1;
    ioport_write(SEC_CMD + ATA_REG_NSECTOR, 0, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAL, last >> 24, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAM, last >> 32, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAH, last >> 40, 1);
    ioport_write(SEC_CMD + ATA_REG_NSECTOR, 1, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAL, last, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAM, last >> 8, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAH, last >> 16, 1);
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xe0, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0x35, 1);
    bm_start(1, false);
    wait_io();
    is_int(ioport_read(SEC_CMD + ATA_REG_STATUS, 1), ATA_STAT_DRDY | ATA_STAT_DSC, "WRITE DMA EXT of the last sector");
    bool good = pread(fd, sec, 512, last * 512) == 512;
    for (int j = 0; j < 512; j++)
        good &= sec[j] == (uint8_t)(j * 13);
    ok(good, "the last sector of the 128 GiB image holds the data");
    bm_stop(1);
    close(fd);
    unlink(path);
}

static void test_vmstate(void)
{
    VMStateBuf vb = { 0 };
    set_lba28(3, 2);
    command(0x20);
    int r = devices_save(&vb);
    is_int(r, 0, "save with a PIO read in progress");
    for (int i = 0; i < 100; i++)
        ioport_read(PRI_CMD, 2);
    vb.pos = 0;
    r = devices_load(&vb);
    is_int(r, 0, "load it back");
    uint8_t sec[512];
    for (int i = 0; i < 512; i += 2) {
        uint16_t w = ioport_read(PRI_CMD, 2);
        sec[i] = w;
        sec[i + 1] = w >> 8;
    }
    ok(sector_matches(sec, 3), "the restored transfer restarts at the saved position");
    vmstate_buf_free(&vb);
    ioport_write(PRI_CTL, ATA_CTRL_SRST, 1);
    ioport_write(PRI_CTL, 0, 1);
}

int main(void)
{
    BlockBackend *blk;

    machine_setup();
    hd_fd = make_image(hd_path, HD_SECTORS, true);
    if (blk_open(&blk, hd_path, "raw", 0, "-hda") < 0)
        return 99;
    ide_drive_attach(&ide->bus[0], 0, IDE_HD, blk);

    test_pci();
    test_signature_identify();
    test_pio();
    test_lba48_chs();
    test_misc_commands();
    test_reset_nien();
    test_dma();
    test_lba48_big();
    test_vmstate();
    test_blk_layer();
    test_readonly_drive();

    blk_close_all();
    close(hd_fd);
    unlink(hd_path);
    return done_testing();
}
