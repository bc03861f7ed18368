/*
 * The ATAPI CD-ROM on the secondary channel, driven as SeaBIOS and Linux
 * drive it: signature and IDENTIFY PACKET DEVICE, the PACKET protocol with
 * byte count limits, the MMC commands, media change and eject, DMA reads,
 * and hostile packets (bad lengths, LBAs past the end, unknown opcodes).
 */
#include "tests/unit/ide-test.h"

#define CD_SECTORS  40           /* 2048-byte sectors */

static char cd_path[64];

static uint8_t status(void) { return ioport_read(SEC_CMD + ATA_REG_STATUS, 1); }
static uint8_t altstatus(void) { return ioport_read(SEC_CTL, 1); }
static uint8_t error(void) { return ioport_read(SEC_CMD + ATA_REG_ERROR, 1); }
static uint8_t ireason(void) { return ioport_read(SEC_CMD + ATA_REG_NSECTOR, 1) & 3; }

static uint8_t reply[IDE_BUF_SIZE * 2];
static int reply_len, drq_blocks, max_block;
static bool odd_block;

static bool cd_sector_matches(const uint8_t *buf, uint32_t lba)
{
    for (int j = 0; j < 2048; j++)
        if (buf[j] != pattern(lba * 4 + j / 512, j % 512))
            return false;
    return true;
}

/*
 * Issue a packet with byte count limit bcl and collect the PIO data.
 * Returns the final status.
 */
static uint8_t packet(const uint8_t *cdb, uint16_t bcl, int packet_bytes)
{
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xa0, 1);
    ioport_write(SEC_CMD + ATA_REG_ERROR, 0, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAM, bcl, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAH, bcl >> 8, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa0, 1);
    for (int i = 0; i < packet_bytes; i += 2)
        ioport_write(SEC_CMD, cdb[i] | cdb[i + 1] << 8, 2);
    reply_len = 0;
    drq_blocks = 0;
    max_block = 0;
    odd_block = false;
    for (;;) {
        wait_io();
        uint8_t st = status();
        if (!(st & ATA_STAT_DRQ) || ireason() != ATAPI_INT_IO)
            return st;
        int n = ioport_read(SEC_CMD + ATA_REG_LBAM, 1) | ioport_read(SEC_CMD + ATA_REG_LBAH, 1) << 8;
        if (n == 0 || reply_len + n > (int)sizeof(reply))
            return 0xff;
        drq_blocks++;
        max_block = MAX(max_block, n);
        odd_block |= n & 1;
        for (int i = 0; i < n; i += 2) {
            uint16_t w = ioport_read(SEC_CMD, 2);
            reply[reply_len++] = w;
            if (i + 1 < n)
                reply[reply_len++] = w >> 8;
        }
    }
}

static uint8_t cmd(const uint8_t *cdb)
{
    return packet(cdb, 0xfffe, 12);
}

static void read10(uint8_t *cdb, uint32_t lba, uint16_t count)
{
    memset(cdb, 0, 12);
    cdb[0] = 0x28;
    cdb[2] = lba >> 24; cdb[3] = lba >> 16; cdb[4] = lba >> 8; cdb[5] = lba;
    cdb[7] = count >> 8; cdb[8] = count;
}

/* REQUEST SENSE: key << 16 | asc << 8 | ascq */
static int sense(void)
{
    uint8_t cdb[12] = { 0x03, 0, 0, 0, 18 };
    cmd(cdb);
    if (reply_len != 18)
        return -1;
    return (reply[2] & 0xf) << 16 | reply[12] << 8 | reply[13];
}

static void test_signature_identify(void)
{
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xa0, 1);
    is_int(ioport_read(SEC_CMD + ATA_REG_LBAM, 1), 0x14, "ATAPI signature LBA mid 0x14");
    is_int(ioport_read(SEC_CMD + ATA_REG_LBAH, 1), 0xeb, "ATAPI signature LBA high 0xeb");

    ioport_write(SEC_CMD + ATA_REG_LBAM, 0, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xec, 1);
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_ERR, "IDENTIFY DEVICE aborts on ATAPI");
    is_int(error(), ATA_ERR_ABRT, "... with ABRT");
    is_int(ioport_read(SEC_CMD + ATA_REG_LBAM, 1), 0x14, "... and leaves the signature");
    is_int(irq_level[15], 0, "IRQ 15 cleared by the status read");

    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa1, 1);
    is_int(irq_level[15], 1, "IDENTIFY PACKET DEVICE raises IRQ 15");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ, "IDENTIFY PACKET DEVICE: DRQ");
    uint16_t id[256];
    for (int i = 0; i < 256; i++)
        id[i] = ioport_read(SEC_CMD, 2);
    is_int(id[0], 0x85c0, "word 0: ATAPI CD-ROM, removable, 12-byte packets");
    ok(id[49] & (1 << 8), "DMA supported");
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = id[27 + i] >> 8;
        model[2 * i + 1] = id[27 + i];
    }
    model[40] = 0;
    ok(!strncmp(model, "pcvm DVD-ROM ", 13), "model \"pcvm DVD-ROM\" (%s)", model);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0x08, 1);
    is_int(ioport_read(SEC_CMD + ATA_REG_LBAH, 1), 0xeb, "DEVICE RESET: signature");
    is_int(irq_level[15], 0, "DEVICE RESET raises no interrupt");
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0x20, 1);
    is_int(error(), ATA_ERR_ABRT, "READ SECTORS to ATAPI aborts");
}

static void test_basic_commands(void)
{
    uint8_t cdb[12] = { 0 };

    uint8_t st = cmd(cdb);
    is_int(st, ATA_STAT_DRDY | ATA_STAT_DSC, "TEST UNIT READY: good");
    is_int(ireason(), ATAPI_INT_IO | ATAPI_INT_CD, "completion: interrupt reason I/O + C/D");

    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    cmd(inq);
    is_int(reply_len, 36, "INQUIRY: 36 bytes");
    is_int(reply[0], 0x05, "INQUIRY: CD/DVD device");
    is_int(reply[1], 0x80, "INQUIRY: removable");
    ok(!memcmp(reply + 8, "pcvm    ", 8), "INQUIRY: vendor pcvm");
    inq[4] = 5;
    cmd(inq);
    is_int(reply_len, 5, "INQUIRY: cut to the allocation length");
    inq[1] = 1;
    st = cmd(inq);
    ok(st & ATA_STAT_ERR, "INQUIRY with EVPD: check condition");
    is_int(error() >> 4, 5, "... ILLEGAL REQUEST in the error register");
    is_int(sense(), 0x52400, "sense: invalid field in CDB");
    is_int(sense(), 0, "sense cleared after REQUEST SENSE");

    uint8_t cap[12] = { 0x25 };
    cmd(cap);
    is_int(reply_len, 8, "READ CAPACITY: 8 bytes");
    is_int(reply[0] << 24 | reply[1] << 16 | reply[2] << 8 | reply[3], CD_SECTORS - 1, "last LBA");
    is_int(reply[4] << 24 | reply[5] << 16 | reply[6] << 8 | reply[7], 2048, "block length 2048");

    uint8_t bad[12] = { 0xff };
    st = cmd(bad);
    ok(st & ATA_STAT_ERR, "unknown opcode: check condition");
    is_int(sense(), 0x52000, "sense: invalid command operation code");

    uint8_t ms[12] = { 0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64 };
    cmd(ms);
    ok(reply_len >= 28 && reply[8] == 0x2a && reply[9] == 0x12, "MODE SENSE(10) page 2A");
    is_int((reply[0] << 8 | reply[1]) + 2, reply_len, "mode data length");
    ms[2] = 0x01;
    cmd(ms);
    ok(reply_len == 16 && reply[8] == 0x01, "MODE SENSE(10) page 01");
    ms[2] = 0x3f;
    cmd(ms);
    is_int(reply_len, 36, "MODE SENSE(10) all pages");
    ms[2] = 0x05;
    st = cmd(ms);
    ok(st & ATA_STAT_ERR, "MODE SENSE of an unknown page: check condition");
    is_int(sense(), 0x52400, "... invalid field");
    ms[2] = 0xea;
    cmd(ms);
    is_int(sense(), 0x53900, "MODE SENSE saved values: saving parameters not supported");

    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 128 };
    cmd(gc);
    ok(reply_len >= 8, "GET CONFIGURATION answers");
    is_int(reply[6] << 8 | reply[7], 0x0008, "current profile: CD-ROM");
    is_int((reply[0] << 24 | reply[1] << 16 | reply[2] << 8 | reply[3]) + 4, reply_len, "feature data length");
    gc[1] = 2;
    gc[3] = 0x03;
    cmd(gc);
    ok(reply_len == 16 && reply[9] == 0x03, "GET CONFIGURATION RT=2: just the removable medium feature");

    uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    cmd(gesn);
    ok(reply_len == 8 && reply[2] == 0x04 && (reply[5] & 2), "GET EVENT STATUS: media class, media present");
    gesn[1] = 0;
    st = cmd(gesn);
    ok(st & ATA_STAT_ERR, "asynchronous GET EVENT STATUS refused");
    sense();

    uint8_t mech[12] = { 0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8 };
    cmd(mech);
    is_int(reply_len, 8, "MECHANISM STATUS: 8-byte header");
    uint8_t rdi[12] = { 0x51, 0, 0, 0, 0, 0, 0, 0, 34 };
    cmd(rdi);
    ok(reply_len == 34 && reply[2] == 0x0e, "READ DISC INFORMATION: complete disc");
}

static void test_toc(void)
{
    uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 100 };

    cmd(toc);
    is_int(reply_len, 20, "READ TOC format 0: header + track 1 + lead-out");
    ok(reply[2] == 1 && reply[3] == 1, "first and last track 1");
    ok(reply[6] == 1 && reply[5] == 0x14, "track 1 is a data track");
    is_int(reply[14], 0xaa, "second descriptor is the lead-out");
    is_int(reply[16] << 24 | reply[17] << 16 | reply[18] << 8 | reply[19], CD_SECTORS,
           "lead-out at the end of the medium");
    toc[1] = 2;
    cmd(toc);
    ok(reply[8 + 1] == 0 && reply[8 + 2] == 2 && reply[8 + 3] == 0, "MSF: track 1 at 00:02:00");
    toc[1] = 0;
    toc[6] = 0xaa;
    cmd(toc);
    is_int(reply_len, 12, "starting track AAh: only the lead-out");
    toc[6] = 2;
    uint8_t st = cmd(toc);
    ok(st & ATA_STAT_ERR, "starting track past the last track: check condition");
    is_int(sense(), 0x52400, "... invalid field");
    toc[6] = 0;
    toc[2] = 1;
    cmd(toc);
    ok(reply_len == 12 && reply[0] == 0 && reply[1] == 0x0a, "format 1: session info");
    toc[2] = 2;
    toc[1] = 2;
    cmd(toc);
    is_int(reply_len, 4 + 4 * 11, "format 2: full TOC with A0, A1, A2 and track 1");
    ok(reply[4 + 3] == 0xa0 && reply[4 + 11 + 3] == 0xa1 && reply[4 + 22 + 3] == 0xa2,
       "points A0, A1, A2");
    toc[2] = 5;
    st = cmd(toc);
    ok(st & ATA_STAT_ERR, "unknown TOC format: check condition");
    sense();
}

static void test_read(void)
{
    uint8_t cdb[12];

    read10(cdb, 3, 2);
    uint8_t st = cmd(cdb);
    is_int(st, ATA_STAT_DRDY | ATA_STAT_DSC, "READ(10) completes");
    is_int(reply_len, 4096, "READ(10) of 2 sectors: 4096 bytes");
    ok(cd_sector_matches(reply, 3) && cd_sector_matches(reply + 2048, 4), "READ(10) data");

    st = packet(cdb, 1000, 12);
    is_int(reply_len, 4096, "byte count limit 1000: all data");
    ok(max_block <= 1000 && !odd_block, "DRQ blocks within the limit and even (max %d)", max_block);
    ok(cd_sector_matches(reply, 3), "data intact with small blocks");
    packet(cdb, 1001, 12);
    ok(max_block <= 1000 && !odd_block, "odd limit 1001 used as 1000");
    packet(cdb, 0, 12);
    is_int(reply_len, 4096, "limit 0 does not hang the transfer");
    packet(cdb, 1, 12);
    ok(reply_len == 4096 && max_block == 2, "limit 1: two-byte blocks, still completes");

    /* a read larger than the device buffer */
    read10(cdb, 0, CD_SECTORS);
    cmd(cdb);
    bool good = reply_len == CD_SECTORS * 2048;
    for (int i = 0; good && i < CD_SECTORS; i++)
        good = cd_sector_matches(reply + i * 2048, i);
    ok(good, "READ(10) of the whole medium (%d bytes)", reply_len);

    read10(cdb, CD_SECTORS - 1, 2);
    st = cmd(cdb);
    ok(st & ATA_STAT_ERR, "READ(10) past the end: check condition");
    is_int(sense(), 0x52100, "sense: LBA out of range");
    read10(cdb, 0xffffffff, 1);
    cmd(cdb);
    is_int(sense(), 0x52100, "READ(10) at LBA 0xffffffff: LBA out of range");
    uint8_t r12[12] = { 0xa8, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff };
    cmd(r12);
    is_int(sense(), 0x52100, "READ(12) with a 4G sector count: LBA out of range");
    r12[9] = 0;
    r12[6] = r12[7] = r12[8] = 0;
    r12[9] = 1;
    cmd(r12);
    ok(reply_len == 2048 && cd_sector_matches(reply, 1), "READ(12) of one sector");
    read10(cdb, 5, 0);
    st = cmd(cdb);
    ok(reply_len == 0 && st == (ATA_STAT_DRDY | ATA_STAT_DSC), "READ(10) of 0 sectors: no data");
    uint8_t rcd[12] = { 0xbe, 0, 0, 0, 0, 2, 0, 0, 1, 0x10 };
    cmd(rcd);
    ok(reply_len == 2048 && cd_sector_matches(reply, 2), "READ CD user data");
    rcd[9] = 0xf8;
    cmd(rcd);
    is_int(sense(), 0x52400, "READ CD raw sectors: invalid field");
}

static void test_bad_packets(void)
{
    uint8_t cdb[12];

    /* a packet cut short, then a new command */
    read10(cdb, 0, 1);
    packet(cdb, 0xfffe, 6);
    ok(altstatus() & ATA_STAT_DRQ, "half a packet: the device waits for the rest");
    is_int(ireason(), ATAPI_INT_CD, "... interrupt reason: command");
    uint8_t tur[12] = { 0 };
    uint8_t st = cmd(tur);
    is_int(st, ATA_STAT_DRDY | ATA_STAT_DSC, "a new PACKET command starts over");

    /* more than 12 bytes: the extra words are ignored */
    uint8_t big[32] = { 0x12, 0, 0, 0, 36 };
    packet(big, 0xfffe, 32);
    ok(reply_len == 36 && reply[0] == 5, "the first 12 bytes ran as INQUIRY; the rest was ignored");
    wait_io();
    ok(!(status() & ATA_STAT_BSY), "device not stuck after an overlong packet");
    ioport_write(SEC_CTL, ATA_CTRL_SRST, 1);
    ioport_write(SEC_CTL, 0, 1);

    /* 32-bit data reads of an odd-sized reply */
    uint8_t inq[12] = { 0x12, 0, 0, 0, 7 };
    ioport_write(SEC_CMD + ATA_REG_LBAM, 0xfe, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAH, 0xff, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa0, 1);
    for (int i = 0; i < 12; i += 4)
        ioport_write(SEC_CMD, inq[i] | inq[i + 1] << 8 | inq[i + 2] << 16 | inq[i + 3] << 24, 4);
    wait_io();
    is_int(ioport_read(SEC_CMD + ATA_REG_LBAM, 1), 7, "byte count 7");
    uint32_t a = ioport_read(SEC_CMD, 4), b = ioport_read(SEC_CMD, 4);
    ok((a & 0xff) == 5 && (b & 0xffffff) == (uint32_t)(31 << 0 | 0), "32-bit reads of a 7-byte reply");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "done after the last byte");
    is_int(ioport_read(SEC_CMD, 4), 0, "further reads return 0");
}

static void test_media(void)
{
    uint8_t tur[12] = { 0 }, gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    uint8_t eject[12] = { 0x1b, 0, 0, 0, 0x02 }, load[12] = { 0x1b, 0, 0, 0, 0x03 };
    uint8_t lock[12] = { 0x1e, 0, 0, 0, 1 }, unlock[12] = { 0x1e };
    IDEDevice *s = &ide->bus[1].drives[0];
    BlockBackend *blk = s->blk;

    cmd(lock);
    uint8_t st = cmd(eject);
    ok(st & ATA_STAT_ERR, "eject while locked: check condition");
    is_int(sense(), 0x25302, "sense: medium removal prevented");
    cmd(unlock);
    st = cmd(eject);
    is_int(st, ATA_STAT_DRDY | ATA_STAT_DSC, "START STOP UNIT eject");
    st = cmd(tur);
    ok(st & ATA_STAT_ERR, "tray open: not ready");
    is_int(sense(), 0x23a02, "sense: medium not present, tray open");
    cmd(gesn);
    ok(reply[4] == 3 && reply[5] == 1, "GET EVENT STATUS: media removal, tray open");
    cmd(load);
    st = cmd(tur);
    ok(st & ATA_STAT_ERR, "after closing the tray: unit attention");
    is_int(error() >> 4, 6, "... UNIT ATTENTION in the error register");
    is_int(sense(), 0x62800, "sense: medium may have changed");
    is_int(sense(), 0, "unit attention reported once");
    st = cmd(tur);
    is_int(st, ATA_STAT_DRDY | ATA_STAT_DSC, "then ready");

    /* the host side swaps media (what a monitor's change command does) */
    ide_cd_change_media(s, NULL);
    st = cmd(tur);
    is_int(sense(), 0x23a02, "medium removed: not ready");
    uint8_t cap[12] = { 0x25 };
    st = cmd(cap);
    ok(st & ATA_STAT_ERR && reply_len == 0, "READ CAPACITY without a medium fails");
    sense();
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 8 };
    cmd(gc);
    is_int(reply[6] << 8 | reply[7], 0, "no medium: no current profile");
    ide_cd_change_media(s, blk);
    cmd(gesn);
    ok(reply[4] == 2 && (reply[5] & 2), "GET EVENT STATUS: new media");
    is_int(sense(), 0x62800, "REQUEST SENSE reports the pending unit attention");
    st = cmd(tur);
    is_int(st, ATA_STAT_DRDY | ATA_STAT_DSC, "new medium ready");
    ide_cd_change_media(s, blk);
    uint8_t cdb[12];
    read10(cdb, 0, 1);
    st = cmd(cdb);
    ok(st & ATA_STAT_ERR, "READ(10) right after a media change: unit attention first");
    st = cmd(cdb);
    ok(!(st & ATA_STAT_ERR) && cd_sector_matches(reply, 0), "then the read works");
}

static void test_dma(void)
{
    const uint32_t table = 0x1000, buf = 0x10000;
    uint8_t cdb[12];

    memset(ram + buf, 0, 8192);
    prd_set(table, 0, buf, 4096, false);
    prd_set(table, 1, buf + 4096, 2048, true);
    bm_clear_status(1);
    bm_setup(1, table);
    read10(cdb, 7, 3);
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xa0, 1);
    ioport_write(SEC_CMD + ATA_REG_ERROR, 1, 1);         /* DMA */
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa0, 1);
    for (int i = 0; i < 12; i += 2)
        ioport_write(SEC_CMD, cdb[i] | cdb[i + 1] << 8, 2);
    irq_rises[15] = 0;
    bm_start(1, true);
    wait_io();
    ok(cd_sector_matches(ram + buf, 7) && cd_sector_matches(ram + buf + 4096, 9), "ATAPI DMA READ(10)");
    is_int(bm_status(1) & 7, BM_STATUS_INT, "bus master done, table used up");
    is_int(status(), ATA_STAT_DRDY | ATA_STAT_DSC, "command complete");
    is_int(ireason(), 3, "interrupt reason: completion");
    is_int(irq_rises[15], 1, "one interrupt");
    bm_stop(1);

    /* INQUIRY by DMA (Windows does this) */
    prd_set(table, 0, buf, 0x1000, true);
    bm_clear_status(1);
    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    ioport_write(SEC_CMD + ATA_REG_ERROR, 1, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa0, 1);
    for (int i = 0; i < 12; i += 2)
        ioport_write(SEC_CMD, inq[i] | inq[i + 1] << 8, 2);
    bm_start(1, true);
    wait_io();
    ok(ram[buf] == 5 && !memcmp(ram + buf + 8, "pcvm", 4), "INQUIRY data by DMA");
    bm_stop(1);
    status();

    /* DMA read into a PRD beyond RAM: no crash, error bit */
    prd_set(table, 0, 0xfff00000u, 2048, true);
    bm_clear_status(1);
    read10(cdb, 0, 1);
    ioport_write(SEC_CMD + ATA_REG_ERROR, 1, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa0, 1);
    for (int i = 0; i < 12; i += 2)
        ioport_write(SEC_CMD, cdb[i] | cdb[i + 1] << 8, 2);
    bm_start(1, true);
    wait_io();
    ok(bm_status(1) & BM_STATUS_ERROR, "ATAPI DMA to unassigned memory: bus master error");
    bm_stop(1);
    status();
}

static void test_empty_drive(void)
{
    /* an empty CD-ROM drive as the secondary slave (-drive if=ide,media=cdrom) */
    uint8_t tur[12] = { 0 };
    is_int(ide_drive_attach(&ide->bus[1], 1, IDE_CD, NULL), 0, "attach an empty drive");
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xb0, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa0, 1);
    for (int i = 0; i < 12; i += 2)
        ioport_write(SEC_CMD, 0, 2);
    wait_io();
    ok(status() & ATA_STAT_ERR, "TEST UNIT READY on an empty drive: check condition");
    uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
    ioport_write(SEC_CMD + ATA_REG_LBAM, 0xfe, 1);
    ioport_write(SEC_CMD + ATA_REG_LBAH, 0xff, 1);
    ioport_write(SEC_CMD + ATA_REG_STATUS, 0xa0, 1);
    for (int i = 0; i < 12; i += 2)
        ioport_write(SEC_CMD, rs[i] | rs[i + 1] << 8, 2);
    wait_io();
    uint8_t sd[18];
    for (int i = 0; i < 18; i += 2) {
        uint16_t w = ioport_read(SEC_CMD, 2);
        sd[i] = w;
        sd[i + 1] = w >> 8;
    }
    ok(sd[2] == 2 && sd[12] == 0x3a && sd[13] == 1, "sense: medium not present, tray closed");
    (void)tur;
    ioport_write(SEC_CMD + ATA_REG_DEVICE, 0xa0, 1);
}

int main(void)
{
    BlockBackend *blk;
    int fd;

    machine_setup();
    fd = make_image(cd_path, CD_SECTORS * 4, true);
    if (blk_open(&blk, cd_path, "raw", BLK_OPEN_RDONLY, "-cdrom") < 0)
        return 99;
    ide_drive_attach(&ide->bus[1], 0, IDE_CD, blk);

    test_signature_identify();
    test_basic_commands();
    test_toc();
    test_read();
    test_bad_packets();
    test_media();
    test_dma();
    test_empty_drive();

    blk_close_all();
    close(fd);
    unlink(cd_path);
    return done_testing();
}
