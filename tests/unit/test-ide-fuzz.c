/*
 * A hostile guest: random accesses (sizes 1/2/4) to every IDE, control and
 * bus master port, command bytes biased towards real ATA and ATAPI commands,
 * random PRD tables in RAM (pointing anywhere), random packets, SRST and bus
 * master starts at random moments.  Nothing may crash (run under ASan in CI),
 * hang, or write outside guest RAM and the images; the device state stays
 * within its bounds.  Deterministic: a fixed xorshift seed per round.
 */
#include <sys/stat.h>

#include "tests/unit/ide-test.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static const uint8_t ata_cmds[] = {
    0x20, 0x21, 0x24, 0x25, 0x29, 0x30, 0x34, 0x35, 0x39, 0x40, 0x42, 0x70, 0x90, 0x91,
    0xa0, 0xa1, 0xc4, 0xc5, 0xc6, 0xc8, 0xca, 0xe0, 0xe1, 0xe5, 0xe7, 0xea, 0xec, 0xef,
    0x08, 0x00, 0xb0, 0xff,
};
static const uint8_t atapi_ops[] = {
    0x00, 0x03, 0x12, 0x1b, 0x1e, 0x25, 0x28, 0x2b, 0x35, 0x43, 0x46, 0x4a, 0x51, 0x5a,
    0xa8, 0xbb, 0xbd, 0xbe, 0xff, 0x55,
};

static const uint16_t ports[] = {
    PRI_CMD, PRI_CMD + 1, PRI_CMD + 2, PRI_CMD + 3, PRI_CMD + 4, PRI_CMD + 5, PRI_CMD + 6,
    PRI_CMD + 7, PRI_CTL, SEC_CMD, SEC_CMD + 1, SEC_CMD + 2, SEC_CMD + 3, SEC_CMD + 4,
    SEC_CMD + 5, SEC_CMD + 6, SEC_CMD + 7, SEC_CTL, BM_BASE, BM_BASE + 2, BM_BASE + 4,
    BM_BASE + 8, BM_BASE + 10, BM_BASE + 12,
};

static void random_prds(void)
{
    uint32_t table = (rnd() % 16) * 0x1000;
    int n = 1 + rnd() % 64;
    for (int i = 0; i < n; i++) {
        uint32_t addr;
        switch (rnd() % 4) {
        case 0: addr = rnd(); break;                          /* anywhere */
        case 1: addr = RAM_SIZE - (rnd() % 0x20000); break;   /* across the end of RAM */
        default: addr = 0x20000 + (rnd() % 0xc0000); break;   /* RAM */
        }
        prd_set(table, i, addr & ~1u, rnd() % 4 ? rnd() % 0x4000 : rnd(), rnd() % 8 == 0);
    }
    bm_setup(rnd() & 1, table | (rnd() % 8 == 0 ? rnd() & 0xfff : 0));
}

static bool state_sane(void)
{
    for (int c = 0; c < 2; c++) {
        IDEBus *b = &ide->bus[c];
        if (b->unit > 1)
            return false;
        for (int u = 0; u < 2; u++) {
            IDEDevice *s = &b->drives[u];
            if (s->data_pos > s->data_end || s->data_end > IDE_BUF_SIZE ||
                s->buf_next > s->buf_sectors || s->buf_sectors > IDE_BUF_SECTORS ||
                s->atapi_buf_pos > s->atapi_buf_len || s->atapi_buf_len > IDE_BUF_SIZE)
                return false;
        }
        if (ide->bm[c].walk.len > 0x10000)
            return false;
    }
    return true;
}

static void fuzz_round(uint64_t seed, int ops)
{
    rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (int i = 0; i < ops; i++) {
        uint32_t r = rnd() % 100;
        int ch = rnd() & 1;
        uint16_t cmdp = ch ? SEC_CMD : PRI_CMD;
        if (r < 10) {
            /* a command with a task file that is mostly in range */
            if (rnd() & 1) {
                uint32_t lba = rnd() % 600;
                ioport_write(cmdp + 1, rnd() & 0xff, 1);
                ioport_write(cmdp + 2, rnd() % 4 ? 1 + rnd() % 16 : rnd() & 0xff, 1);
                ioport_write(cmdp + 3, lba, 1);
                ioport_write(cmdp + 4, lba >> 8, 1);
                ioport_write(cmdp + 5, 0, 1);
                ioport_write(cmdp + 6, 0xe0 | (rnd() & 0x10), 1);
            } else {
                ioport_write(cmdp + 6, 0xa0 | (rnd() & 0x5f), 1);
                for (int k = 1; k <= 5; k++)
                    ioport_write(cmdp + k, rnd() % 4 ? rnd() & 0xff : rnd() & 3, 1);
            }
            ioport_write(cmdp + 7, ata_cmds[rnd() % ARRAY_SIZE(ata_cmds)], 1);
        } else if (r < 20) {
            /* PACKET, then a CDB with small LBAs and lengths most of the time */
            uint8_t cdb[12];
            for (int k = 0; k < 12; k++)
                cdb[k] = rnd() % 3 ? rnd() & 0xff : 0;
            if (rnd() & 1) {
                cdb[2] = cdb[3] = cdb[4] = 0;
                cdb[5] = rnd() % 80;
                cdb[6] = 0;
                cdb[7] = 0;
                cdb[8] = rnd() % 8;
            }
            cdb[0] = atapi_ops[rnd() % ARRAY_SIZE(atapi_ops)];
            ioport_write(cmdp + 1, rnd() & 1, 1);
            ioport_write(cmdp + 4, rnd() & 0xff, 1);
            ioport_write(cmdp + 5, rnd() % 3 ? rnd() & 0xff : 0, 1);
            if (rnd() % 8)
                ioport_write(cmdp + 7, 0xa0, 1);
            int words = rnd() % 8 ? 6 : rnd() % 12;
            for (int k = 0; k < words; k++)
                ioport_write(cmdp, cdb[(2 * k) % 12] | cdb[(2 * k + 1) % 12] << 8, 2);
        } else if (r < 40) {
            /* data port traffic */
            unsigned size = (rnd() & 1) ? 2 : 4;
            int n = rnd() % 600;
            for (int k = 0; k < n; k++) {
                if (rnd() & 1)
                    ioport_read(cmdp, size);
                else
                    ioport_write(cmdp, rnd(), size);
            }
        } else if (r < 48) {
            random_prds();
        } else if (r < 55) {
            bm_start(ch, rnd() & 1);
        } else if (r < 60) {
            bm_stop(ch);
        } else if (r < 63) {
            ioport_write(ch ? SEC_CTL : PRI_CTL, rnd() & 0x86, 1);
        } else if (r < 70) {
            blk_drain_all();
        } else if (r < 72) {
            /* random PCI command register: bus mastering on and off */
            cfg_write(PIIX3_IDE_DEVFN, PCI_COMMAND, PCI_COMMAND_IO | (rnd() & PCI_COMMAND_MASTER), 2);
        } else {
            uint16_t p = ports[rnd() % ARRAY_SIZE(ports)];
            unsigned size = 1u << (rnd() % 3);
            if (rnd() & 1)
                ioport_read(p, size);
            else
                ioport_write(p, rnd(), size);
        }
    }
    blk_drain_all();
}

int main(void)
{
    char hd_path[64], cd_path[64], hd2_path[64];
    BlockBackend *hd, *cd, *hd2;
    int rounds = getenv("IDE_FUZZ_ROUNDS") ? atoi(getenv("IDE_FUZZ_ROUNDS")) : 40;

    machine_setup();
    int hd_fd = make_image(hd_path, 512, true);
    int cd_fd = make_image(cd_path, 256, true);
    int hd2_fd = make_image(hd2_path, 64, true);
    if (blk_open(&hd, hd_path, "raw", 0, "-hda") < 0 ||
        blk_open(&cd, cd_path, "raw", BLK_OPEN_RDONLY, "-cdrom") < 0 ||
        blk_open(&hd2, hd2_path, "raw", BLK_OPEN_SNAPSHOT, "-hdb") < 0)
        return 99;
    ide_drive_attach(&ide->bus[0], 0, IDE_HD, hd);
    ide_drive_attach(&ide->bus[0], 1, IDE_HD, hd2);
    ide_drive_attach(&ide->bus[1], 0, IDE_CD, cd);
    ide_bus_reset(&ide->bus[0]);
    ide_bus_reset(&ide->bus[1]);

    struct stat st;
    bool sane = true;
    for (int i = 0; i < rounds; i++) {
        fuzz_round(i, 3000);
        sane &= state_sane();
        if (i % 10 == 9) {
            devices_reset_all();
            cfg_write(PIIX3_IDE_DEVFN, PCI_BASE_ADDRESS_0 + 16, BM_BASE | 1, 4);
            cfg_write(PIIX3_IDE_DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
        }
    }
    ok(1, "%d rounds of random port I/O, PRDs and packets without a crash", rounds);
    ok(sane, "device state stayed within bounds");
    ok(fstat(hd_fd, &st) == 0 && st.st_size == 512 * 512, "the disk image did not grow");
    ok(fstat(cd_fd, &st) == 0 && st.st_size == 256 * 512, "the CD image did not change size");
    uint8_t sec[512];
    bool same = true;
    for (int s = 0; s < 64; s++) {
        same &= pread(hd2_fd, sec, 512, s * 512) == 512;
        for (int j = 0; j < 512; j++)
            same &= sec[j] == pattern(s, j);
    }
    ok(same, "the -snapshot image is untouched");
    same = true;
    for (int s = 0; s < 256; s++) {
        same &= pread(cd_fd, sec, 512, s * 512) == 512;
        for (int j = 0; j < 512; j++)
            same &= sec[j] == pattern(s, j);
    }
    ok(same, "the read-only CD image is untouched");

    /* after all that, the devices still work */
    devices_reset_all();
    cfg_write(PIIX3_IDE_DEVFN, PCI_BASE_ADDRESS_0 + 16, BM_BASE | 1, 4);
    cfg_write(PIIX3_IDE_DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    ioport_write(PRI_CMD + 6, 0xa0, 1);
    ioport_write(PRI_CMD + 7, 0xec, 1);
    blk_drain_all();
    is_int(ioport_read(PRI_CMD + 7, 1), 0x58, "IDENTIFY still works after the storm");
    uint16_t w0 = ioport_read(PRI_CMD, 2);
    is_int(w0, 0x0040, "... and returns the IDENTIFY data");

    blk_close_all();
    close(hd_fd);
    close(cd_fd);
    close(hd2_fd);
    unlink(hd_path);
    unlink(cd_path);
    unlink(hd2_path);
    return done_testing();
}
