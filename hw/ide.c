/*
 * ATA device core: task file registers, IDENTIFY, PIO and DMA sector
 * commands (LBA28/LBA48/CHS), cache and power commands, soft reset and
 * nIEN.  ATA/ATAPI-6 (T13/1410D rev 3b); ATAPI packets live in hw/atapi.c.
 */
#include "core/common.h"
#include "core/vmstate.h"
#include "hw/ide.h"

/* Commands (ATA-6 section 8) */
#define ATA_CMD_NOP                 0x00
#define ATA_CMD_DEVICE_RESET        0x08
#define ATA_CMD_RECALIBRATE         0x10    /* 0x10-0x1f */
#define ATA_CMD_READ_SECTORS        0x20
#define ATA_CMD_READ_SECTORS_NR     0x21
#define ATA_CMD_READ_SECTORS_EXT    0x24
#define ATA_CMD_READ_DMA_EXT        0x25
#define ATA_CMD_READ_MULTIPLE_EXT   0x29
#define ATA_CMD_WRITE_SECTORS       0x30
#define ATA_CMD_WRITE_SECTORS_NR    0x31
#define ATA_CMD_WRITE_SECTORS_EXT   0x34
#define ATA_CMD_WRITE_DMA_EXT       0x35
#define ATA_CMD_WRITE_MULTIPLE_EXT  0x39
#define ATA_CMD_READ_VERIFY         0x40
#define ATA_CMD_READ_VERIFY_NR      0x41
#define ATA_CMD_READ_VERIFY_EXT     0x42
#define ATA_CMD_SEEK                0x70
#define ATA_CMD_EXEC_DIAGNOSTIC     0x90
#define ATA_CMD_INIT_DEV_PARAMS     0x91
#define ATA_CMD_STANDBY_IMM_OLD     0x94
#define ATA_CMD_IDLE_IMM_OLD        0x95
#define ATA_CMD_STANDBY_OLD         0x96
#define ATA_CMD_IDLE_OLD            0x97
#define ATA_CMD_CHECK_POWER_OLD     0x98
#define ATA_CMD_SLEEP_OLD           0x99
#define ATA_CMD_PACKET              0xa0
#define ATA_CMD_IDENTIFY_PACKET     0xa1
#define ATA_CMD_READ_MULTIPLE       0xc4
#define ATA_CMD_WRITE_MULTIPLE      0xc5
#define ATA_CMD_SET_MULTIPLE        0xc6
#define ATA_CMD_READ_DMA            0xc8
#define ATA_CMD_READ_DMA_NR         0xc9
#define ATA_CMD_WRITE_DMA           0xca
#define ATA_CMD_WRITE_DMA_NR        0xcb
#define ATA_CMD_STANDBY_IMM         0xe0
#define ATA_CMD_IDLE_IMM            0xe1
#define ATA_CMD_STANDBY             0xe2
#define ATA_CMD_IDLE                0xe3
#define ATA_CMD_CHECK_POWER         0xe5
#define ATA_CMD_SLEEP               0xe6
#define ATA_CMD_FLUSH_CACHE         0xe7
#define ATA_CMD_IDENTIFY            0xec
#define ATA_CMD_FLUSH_CACHE_EXT     0xea
#define ATA_CMD_SET_FEATURES        0xef

/* SET FEATURES subcommands (section 8.37) */
#define SETF_WCACHE_ON              0x02
#define SETF_XFER_MODE              0x03
#define SETF_WCACHE_OFF             0x82
#define SETF_LOOKAHEAD_OFF          0x55
#define SETF_REVERT_OFF             0x66
#define SETF_LOOKAHEAD_ON           0xaa
#define SETF_REVERT_ON              0xcc

#define IDE_MAX_CHS_CYLS            16383

typedef enum IDEMode { IDE_PIO, IDE_PIO_MULT, IDE_DMA } IDEMode;

static inline IDEDevice *ide_cur(IDEBus *b)
{
    return &b->drives[b->unit & 1];
}

/* ---- interrupts ---- */

/* Only the selected device drives INTRQ, and nIEN releases it. */
static void ide_update_irq(IDEBus *b)
{
    int level = ide_cur(b)->intrq && !(b->devctl & ATA_CTRL_NIEN);

    if (level == b->irq_level)
        return;
    b->irq_level = level;
    irq_set(&b->irq, level);
}

void ide_set_irq(IDEDevice *s)
{
    IDEBus *b = s->bus;

    s->intrq = true;
    /* The bus master's Interrupt bit follows every interrupt the selected
     * drive signals, even while the line is still high from the last one
     * (drivers check it to tell a DMA completion from a stray IRQ). */
    if (s == ide_cur(b) && !(b->devctl & ATA_CTRL_NIEN) && b->dma_ops && b->dma_ops->irq_raised)
        b->dma_ops->irq_raised(b->dma_opaque);
    ide_update_irq(b);
}

static void ide_clear_irq(IDEDevice *s)
{
    s->intrq = false;
    ide_update_irq(s->bus);
}

/* ---- helpers ---- */

static void ide_put_string(uint16_t *w, const char *str, int words)
{
    /* ATA strings: two characters a word, the first in the high byte */
    for (int i = 0; i < words * 2; i++) {
        char c = *str ? *str++ : ' ';
        if (i & 1)
            w[i / 2] |= (uint8_t)c;
        else
            w[i / 2] = (uint16_t)((uint8_t)c << 8);
    }
}

static void ide_set_signature(IDEDevice *s)
{
    s->select &= 0xf0;
    s->nsector = 1;
    s->sector = 1;
    if (s->kind == IDE_CD) {
        s->lcyl = 0x14;
        s->hcyl = 0xeb;
    } else {
        s->lcyl = 0;
        s->hcyl = 0;
    }
}

void ide_cmd_done(IDEDevice *s)
{
    s->status = ATA_STAT_DRDY | ATA_STAT_DSC;
    s->xfer = IDE_XFER_NONE;
    ide_set_irq(s);
}

void ide_abort_command(IDEDevice *s)
{
    s->status = ATA_STAT_DRDY | ATA_STAT_ERR;
    s->error = ATA_ERR_ABRT;
    s->xfer = IDE_XFER_NONE;
    s->dma_pending = false;
    ide_set_irq(s);
}

void ide_transfer_start(IDEDevice *s, uint32_t pos, uint32_t len, IDEXfer xfer)
{
    s->data_pos = pos;
    s->data_end = pos + len;
    s->xfer = xfer;
    s->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
}

/* Wait for the block request in flight and forget it (reset, new command). */
void ide_drain(IDEDevice *s)
{
    if (s->aio_op != IDE_AIO_NONE && s->blk) {
        s->cancelling = true;
        blk_drain(s->blk);
        s->cancelling = false;
    }
    s->aio_op = IDE_AIO_NONE;
}

static uint64_t ide_get_lba(IDEDevice *s, bool lba48, bool *ok)
{
    *ok = true;
    if (lba48)
        return (uint64_t)s->hob_hcyl << 40 | (uint64_t)s->hob_lcyl << 32 |
               (uint64_t)s->hob_sector << 24 | (uint64_t)s->hcyl << 16 |
               (uint64_t)s->lcyl << 8 | s->sector;
    if (s->select & ATA_DEV_LBA)
        return (uint64_t)(s->select & 0x0f) << 24 | (uint64_t)s->hcyl << 16 |
               (uint64_t)s->lcyl << 8 | s->sector;
    /* CHS through the current translation */
    uint32_t cyl = s->hcyl << 8 | s->lcyl, head = s->select & 0x0f, sect = s->sector;
    if (sect == 0 || sect > s->cur_sectors || head >= s->cur_heads) {
        *ok = false;
        return 0;
    }
    return ((uint64_t)cyl * s->cur_heads + head) * s->cur_sectors + sect - 1;
}

/* Leave the address of sector lba in the task file (the failing one on errors). */
static void ide_set_sector(IDEDevice *s, uint64_t lba)
{
    if (s->lba48) {
        s->sector = lba;
        s->lcyl = lba >> 8;
        s->hcyl = lba >> 16;
        s->hob_sector = lba >> 24;
        s->hob_lcyl = lba >> 32;
        s->hob_hcyl = lba >> 40;
    } else if (s->select & ATA_DEV_LBA) {
        s->select = (s->select & 0xf0) | ((lba >> 24) & 0x0f);
        s->hcyl = lba >> 16;
        s->lcyl = lba >> 8;
        s->sector = lba;
    } else if (s->cur_heads && s->cur_sectors) {
        uint32_t per_cyl = s->cur_heads * s->cur_sectors;
        uint32_t cyl = lba / per_cyl, r = lba % per_cyl;
        s->hcyl = cyl >> 8;
        s->lcyl = cyl;
        s->select = (s->select & 0xf0) | ((r / s->cur_sectors) & 0x0f);
        s->sector = r % s->cur_sectors + 1;
    }
}

static void ide_rw_error(IDEDevice *s, int ret)
{
    s->status = ATA_STAT_DRDY | ATA_STAT_ERR;
    s->error = ret == -EIO ? ATA_ERR_UNC : ATA_ERR_ABRT;
    s->xfer = IDE_XFER_NONE;
    s->dma_pending = false;
    ide_set_sector(s, s->cur_lba);
    ide_set_irq(s);
}

/* ---- IDENTIFY DEVICE ---- */

static void ide_identify(IDEDevice *s, uint16_t *id)
{
    uint64_t n = s->nb_sectors;
    uint32_t cur_cyls = 0;
    uint64_t lba28 = MIN(n, 0x0fffffffULL);
    uint8_t mode_type = s->xfer_mode >> 3, mode = s->xfer_mode & 7;

    memset(id, 0, 512);
    if (s->cur_heads && s->cur_sectors)
        cur_cyls = MIN(n / (s->cur_heads * s->cur_sectors), 65535ULL);
    id[0] = 0x0040;                              /* fixed device */
    id[1] = s->cylinders;
    id[3] = s->heads;
    id[4] = 512 * s->sectors;                    /* obsolete, as older drives */
    id[5] = 512;
    id[6] = s->sectors;
    ide_put_string(&id[10], s->serial, 10);
    id[20] = 3;                                  /* buffer type */
    id[21] = IDE_BUF_SIZE / 512;
    id[22] = 4;
    ide_put_string(&id[23], s->firmware, 4);
    ide_put_string(&id[27], s->model, 20);
    id[47] = 0x8000 | IDE_MAX_MULT;
    id[48] = 1;                                  /* 32-bit PIO */
    id[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    id[51] = 0x200;
    id[52] = 0x200;
    id[53] = 1 | 2 | 4;                          /* words 54-58, 64-70, 88 valid */
    id[54] = cur_cyls;
    id[55] = s->cur_heads;
    id[56] = s->cur_sectors;
    uint32_t cur_cap = cur_cyls * s->cur_heads * s->cur_sectors;
    id[57] = cur_cap;
    id[58] = cur_cap >> 16;
    if (s->mult_sectors)
        id[59] = 0x100 | s->mult_sectors;
    id[60] = lba28;
    id[61] = lba28 >> 16;
    id[63] = 0x07 | (mode_type == 4 ? (1 << (mode + 8)) : 0);
    id[64] = 0x03;                               /* PIO 3 and 4 */
    id[65] = 120;
    id[66] = 120;
    id[67] = 120;
    id[68] = 120;
    id[80] = 0x7e;                               /* ATA-1 to ATA-6 */
    id[81] = 0x19;
    id[82] = (1 << 14) | (1 << 5);               /* NOP, write cache */
    id[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10); /* FLUSH EXT, FLUSH, LBA48 */
    id[84] = 1 << 14;
    id[85] = (1 << 14) | (s->write_cache ? 1 << 5 : 0);
    id[86] = (1 << 13) | (1 << 12) | (1 << 10);
    id[87] = 1 << 14;
    id[88] = 0x3f | (mode_type == 8 ? (1 << (mode + 8)) : 0);
    id[93] = (1 << 14) | (1 << 13) | 1;          /* 80-conductor cable */
    id[100] = n;
    id[101] = n >> 16;
    id[102] = n >> 32;
    id[103] = n >> 48;
}

static void ide_cmd_identify(IDEDevice *s)
{
    uint16_t id[256];

    if (s->kind == IDE_CD) {
        /* an ATAPI device answers with its signature (ATA-6 section 9.12) */
        ide_set_signature(s);
        ide_abort_command(s);
        return;
    }
    ide_identify(s, id);
    for (int i = 0; i < 256; i++) {
        s->io_buffer[2 * i] = id[i];
        s->io_buffer[2 * i + 1] = id[i] >> 8;
    }
    ide_transfer_start(s, 0, 512, IDE_XFER_BUFFER_IN);
    ide_set_irq(s);
}

static void ide_cmd_identify_packet(IDEDevice *s)
{
    uint16_t id[256];

    if (s->kind != IDE_CD) {
        ide_abort_command(s);
        return;
    }
    atapi_identify(s, id);
    for (int i = 0; i < 256; i++) {
        s->io_buffer[2 * i] = id[i];
        s->io_buffer[2 * i + 1] = id[i] >> 8;
    }
    ide_transfer_start(s, 0, 512, IDE_XFER_BUFFER_IN);
    ide_set_irq(s);
}

/* ---- PIO sector transfers ---- */

static void ide_pio_read_fetch(IDEDevice *s)
{
    uint32_t n = MIN(s->remain, (IDE_BUF_SECTORS / s->block_size) * s->block_size);
    struct iovec iov = { s->io_buffer, (size_t)n * IDE_SECTOR_SIZE };

    s->status = ATA_STAT_BSY | ATA_STAT_DRDY | ATA_STAT_DSC;
    s->buf_sectors = n;
    s->buf_next = 0;
    s->aio_op = IDE_AIO_PIO_READ;
    blk_aio_preadv(s->blk, s->cur_lba, &iov, 1, ide_aio_cb, s);
}

static void ide_pio_read_window(IDEDevice *s)
{
    uint32_t n = MIN(s->block_size, s->buf_sectors - s->buf_next);

    s->cur_block = n;
    ide_transfer_start(s, s->buf_next * IDE_SECTOR_SIZE, n * IDE_SECTOR_SIZE, IDE_XFER_READ);
    ide_set_irq(s);
}

/* The host read the whole DRQ block. */
static void ide_pio_read_end(IDEDevice *s)
{
    s->buf_next += s->cur_block;
    s->remain -= s->cur_block;
    s->cur_lba += s->cur_block;
    ide_set_sector(s, s->cur_lba - 1);
    if (s->remain == 0) {
        /* no interrupt after the last block of a PIO data-in command */
        s->status = ATA_STAT_DRDY | ATA_STAT_DSC;
        s->xfer = IDE_XFER_NONE;
    } else if (s->buf_next < s->buf_sectors) {
        ide_pio_read_window(s);
    } else {
        ide_pio_read_fetch(s);
    }
}

static void ide_pio_write_window(IDEDevice *s)
{
    uint32_t n = MIN(s->block_size, s->remain);

    s->cur_block = n;
    ide_transfer_start(s, s->buf_sectors * IDE_SECTOR_SIZE, n * IDE_SECTOR_SIZE,
                       IDE_XFER_WRITE);
}

static void ide_start_flush(IDEDevice *s)
{
    s->status = ATA_STAT_BSY | ATA_STAT_DRDY | ATA_STAT_DSC;
    s->aio_op = IDE_AIO_FLUSH;
    blk_aio_flush(s->blk, ide_aio_cb, s);
}

/* The host sent a whole DRQ block: buffer it, or write the buffer out. */
static void ide_pio_write_end(IDEDevice *s)
{
    s->buf_sectors += s->cur_block;
    s->remain -= s->cur_block;
    if (s->remain && s->buf_sectors + MIN(s->block_size, s->remain) <= IDE_BUF_SECTORS) {
        ide_pio_write_window(s);
        ide_set_irq(s);
        return;
    }
    struct iovec iov = { s->io_buffer, (size_t)s->buf_sectors * IDE_SECTOR_SIZE };
    s->status = ATA_STAT_BSY | ATA_STAT_DRDY | ATA_STAT_DSC;
    s->xfer = IDE_XFER_NONE;
    s->aio_op = IDE_AIO_PIO_WRITE;
    blk_aio_pwritev(s->blk, s->cur_lba, &iov, 1, ide_aio_cb, s);
}

void ide_aio_cb(void *opaque, int ret)
{
    IDEDevice *s = opaque;
    IDEAioOp op = s->aio_op;

    s->aio_op = IDE_AIO_NONE;
    if (s->cancelling)
        return;
    switch (op) {
    case IDE_AIO_PIO_READ:
        if (ret < 0)
            ide_rw_error(s, ret);
        else
            ide_pio_read_window(s);
        break;
    case IDE_AIO_PIO_WRITE:
        if (ret < 0) {
            ide_rw_error(s, ret);
            break;
        }
        s->cur_lba += s->buf_sectors;
        s->buf_sectors = 0;
        ide_set_sector(s, s->cur_lba - 1);
        if (s->remain) {
            ide_pio_write_window(s);
            ide_set_irq(s);
        } else if (!s->write_cache) {
            ide_start_flush(s);
        } else {
            ide_cmd_done(s);
        }
        break;
    case IDE_AIO_FLUSH:
        if (ret < 0) {
            s->status = ATA_STAT_DRDY | ATA_STAT_ERR;
            s->error = ATA_ERR_ABRT;
            ide_set_irq(s);
        } else {
            ide_cmd_done(s);
        }
        break;
    case IDE_AIO_ATAPI_READ:
        atapi_aio_done(s, ret);
        break;
    default:
        break;
    }
}

/* ---- DMA ---- */

static void ide_dma_cb(void *opaque, int ret);

static int ide_iov_trim(struct iovec *iov, int cnt, uint64_t bytes)
{
    int i;
    for (i = 0; i < cnt && bytes; i++) {
        if (iov[i].iov_len > bytes)
            iov[i].iov_len = bytes;
        bytes -= iov[i].iov_len;
    }
    return i;
}

static void ide_dma_complete(IDEDevice *s, int ret)
{
    IDEBus *b = s->bus;

    s->dma_pending = false;
    if (b->dma_ops)
        b->dma_ops->end(b->dma_opaque, false);
    if (s->kind == IDE_CD) {
        atapi_dma_done(s, ret);
        return;
    }
    if (ret < 0) {
        ide_rw_error(s, ret);
        return;
    }
    s->cur_lba = s->dma_sector;
    ide_set_sector(s, s->cur_lba - 1);
    if (!s->dma_to_mem && !s->write_cache)
        ide_start_flush(s);
    else
        ide_cmd_done(s);
}

/* Move as much as the bus master lets us; called again after every request. */
static void ide_dma_run(IDEDevice *s)
{
    IDEBus *b = s->bus;

    while (s->dma_pending && s->aio_op == IDE_AIO_NONE) {
        if (s->dma_remain == 0) {
            ide_dma_complete(s, 0);
            return;
        }
        if (!b->dma_ops || !b->dma_ops->running(b->dma_opaque))
            return;
        uint64_t max = MIN(s->dma_remain, (uint64_t)IDE_DMA_CHUNK);
        int cnt = IDE_DMA_MAX_IOV;
        int64_t got = b->dma_ops->map(b->dma_opaque, s->dma_iov, &cnt, max, s->dma_to_mem);
        uint64_t use = got <= 0 ? 0 : s->dma_from_buffer ? (uint64_t)got
                                                           : (uint64_t)got & ~511ULL;
        if (use == 0) {
            /* the PRD table ended before the transfer: the bus master stops
             * (Active and Interrupt clear) and the drive keeps waiting */
            b->dma_ops->unmap(b->dma_opaque, 0, s->dma_to_mem);
            b->dma_ops->end(b->dma_opaque, true);
            trace(LOG_GUEST_ERROR, "%s: PRD table shorter than the transfer\n", b->name);
            return;
        }
        cnt = ide_iov_trim(s->dma_iov, cnt, use);
        s->dma_iovcnt = cnt;
        s->dma_chunk = use;
        if (s->dma_from_buffer) {
            uint64_t done = 0;
            for (int i = 0; i < cnt; i++) {
                memcpy(s->dma_iov[i].iov_base, s->io_buffer + s->dma_buf_pos + done,
                       s->dma_iov[i].iov_len);
                done += s->dma_iov[i].iov_len;
            }
            s->dma_buf_pos += use;
            s->dma_remain -= use;
            b->dma_ops->unmap(b->dma_opaque, use, s->dma_to_mem);
            continue;
        }
        s->aio_op = IDE_AIO_DMA;
        if (s->dma_to_mem)
            blk_aio_preadv(s->blk, s->dma_sector, s->dma_iov, cnt, ide_dma_cb, s);
        else
            blk_aio_pwritev(s->blk, s->dma_sector, s->dma_iov, cnt, ide_dma_cb, s);
    }
}

static void ide_dma_cb(void *opaque, int ret)
{
    IDEDevice *s = opaque;
    IDEBus *b = s->bus;

    s->aio_op = IDE_AIO_NONE;
    if (b->dma_ops)
        b->dma_ops->unmap(b->dma_opaque, ret < 0 ? 0 : s->dma_chunk, s->dma_to_mem);
    if (s->cancelling)
        return;
    if (ret < 0) {
        ide_dma_complete(s, ret);
        return;
    }
    s->dma_sector += s->dma_chunk / IDE_SECTOR_SIZE;
    s->dma_remain -= s->dma_chunk;
    ide_dma_run(s);
}

void ide_dma_begin(IDEDevice *s, bool to_mem, bool from_buffer, uint64_t sector, uint64_t bytes)
{
    s->dma_pending = true;
    s->dma_to_mem = to_mem;
    s->dma_from_buffer = from_buffer;
    s->dma_sector = sector;
    s->dma_remain = bytes;
    s->dma_buf_pos = 0;
    s->xfer = IDE_XFER_NONE;
    s->status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
    ide_dma_run(s);
}

void ide_bus_dma_start(IDEBus *b)
{
    for (int i = 0; i < 2; i++)
        if (b->drives[i].dma_pending)
            ide_dma_run(&b->drives[i]);
}

void ide_bus_dma_stop(IDEBus *b)
{
    /* the request in flight completes; the next chunk sees the bus master stopped */
    for (int i = 0; i < 2; i++) {
        IDEDevice *s = &b->drives[i];
        if (s->aio_op == IDE_AIO_DMA && s->blk)
            blk_drain(s->blk);
    }
}

/* ---- commands ---- */

static void ide_sector_cmd(IDEDevice *s, bool lba48, bool write, IDEMode mode)
{
    bool ok;
    uint64_t lba = ide_get_lba(s, lba48, &ok);
    uint32_t n = lba48 ? (s->hob_nsector << 8 | s->nsector) : s->nsector;

    if (n == 0)
        n = lba48 ? 65536 : 256;
    if (mode == IDE_PIO_MULT && !s->mult_sectors) {
        ide_abort_command(s);
        return;
    }
    s->lba48 = lba48;
    s->standby = false;
    if (!ok || lba > s->nb_sectors || n > s->nb_sectors - lba) {
        trace(LOG_GUEST_ERROR, "%s: %s of sectors %llu+%u past the end (%llu)\n",
              s->bus->name, write ? "write" : "read", (unsigned long long)lba, n,
              (unsigned long long)s->nb_sectors);
        s->status = ATA_STAT_DRDY | ATA_STAT_ERR;
        s->error = ATA_ERR_IDNF;
        ide_set_irq(s);
        return;
    }
    s->cur_lba = lba;
    s->remain = n;
    s->block_size = mode == IDE_PIO_MULT ? s->mult_sectors : 1;
    s->buf_sectors = 0;
    s->buf_next = 0;
    if (mode == IDE_DMA) {
        ide_dma_begin(s, !write, false, lba, (uint64_t)n * IDE_SECTOR_SIZE);
    } else if (write) {
        /* the first block is requested without an interrupt (PIO data-out) */
        ide_pio_write_window(s);
    } else {
        ide_pio_read_fetch(s);
    }
}

static void ide_cmd_set_features(IDEDevice *s)
{
    switch (s->feature) {
    case SETF_WCACHE_ON:
        s->write_cache = true;
        break;
    case SETF_WCACHE_OFF:
        s->write_cache = false;
        break;
    case SETF_XFER_MODE: {
        uint8_t type = s->nsector >> 3, mode = s->nsector & 7;
        bool valid = (type == 0 && mode <= 1) ||   /* PIO default */
                     (type == 1 && mode <= 4) ||   /* PIO flow control */
                     (type == 4 && mode <= 2) ||   /* multiword DMA */
                     (type == 8 && mode <= 5);     /* Ultra DMA */
        if (!valid) {
            ide_abort_command(s);
            return;
        }
        s->xfer_mode = s->nsector;
        break;
    }
    case SETF_LOOKAHEAD_ON:
    case SETF_LOOKAHEAD_OFF:
    case SETF_REVERT_ON:
    case SETF_REVERT_OFF:
        break;
    default:
        trace(LOG_UNIMP, "%s: SET FEATURES 0x%02x\n", s->bus->name, s->feature);
        ide_abort_command(s);
        return;
    }
    ide_cmd_done(s);
}

/* Commands an ATAPI device takes through the task file (ATA-6 section 9). */
static bool ide_cd_cmd_ok(uint8_t cmd)
{
    switch (cmd) {
    case ATA_CMD_DEVICE_RESET: case ATA_CMD_EXEC_DIAGNOSTIC: case ATA_CMD_PACKET:
    case ATA_CMD_IDENTIFY_PACKET: case ATA_CMD_IDENTIFY: case ATA_CMD_SET_FEATURES:
    case ATA_CMD_CHECK_POWER: case ATA_CMD_IDLE_IMM: case ATA_CMD_STANDBY_IMM:
    case ATA_CMD_SLEEP: case ATA_CMD_NOP:
        return true;
    }
    return false;
}

static void ide_exec_cmd(IDEBus *b, uint8_t cmd)
{
    IDEDevice *s = ide_cur(b);

    if (s->kind == IDE_NONE)
        return;
    if ((s->status & ATA_STAT_BSY) && !(cmd == ATA_CMD_DEVICE_RESET && s->kind == IDE_CD)) {
        trace(LOG_GUEST_ERROR, "%s: command 0x%02x while busy ignored\n", b->name, cmd);
        return;
    }
    trace(LOG_DEV, "%s: drive %d command 0x%02x\n", b->name, s->unit, cmd);
    /* a new command ends whatever data phase was going on */
    ide_drain(s);
    s->dma_pending = false;
    s->xfer = IDE_XFER_NONE;
    s->command = cmd;
    s->error = 0;
    ide_clear_irq(s);

    if (s->kind == IDE_CD && !ide_cd_cmd_ok(cmd)) {
        ide_abort_command(s);
        return;
    }
    if (s->kind == IDE_HD && (!s->blk || cmd == ATA_CMD_PACKET || cmd == ATA_CMD_DEVICE_RESET)) {
        ide_abort_command(s);
        return;
    }

    switch (cmd) {
    case ATA_CMD_IDENTIFY:
        ide_cmd_identify(s);
        break;
    case ATA_CMD_IDENTIFY_PACKET:
        ide_cmd_identify_packet(s);
        break;
    case ATA_CMD_PACKET:
        atapi_packet_cmd(s);
        break;
    case ATA_CMD_DEVICE_RESET:
        /* ATAPI soft reset: signature, no interrupt (section 8.7) */
        ide_set_signature(s);
        s->status = 0;
        s->error = 0x01;
        break;
    case ATA_CMD_EXEC_DIAGNOSTIC:
        ide_set_signature(s);
        s->status = s->kind == IDE_CD ? 0 : ATA_STAT_DRDY | ATA_STAT_DSC;
        s->error = 0x01;                         /* device 0 passed */
        ide_set_irq(s);
        break;
    case ATA_CMD_READ_SECTORS: case ATA_CMD_READ_SECTORS_NR:
        ide_sector_cmd(s, false, false, IDE_PIO);
        break;
    case ATA_CMD_READ_SECTORS_EXT:
        ide_sector_cmd(s, true, false, IDE_PIO);
        break;
    case ATA_CMD_WRITE_SECTORS: case ATA_CMD_WRITE_SECTORS_NR:
        ide_sector_cmd(s, false, true, IDE_PIO);
        break;
    case ATA_CMD_WRITE_SECTORS_EXT:
        ide_sector_cmd(s, true, true, IDE_PIO);
        break;
    case ATA_CMD_READ_MULTIPLE:
        ide_sector_cmd(s, false, false, IDE_PIO_MULT);
        break;
    case ATA_CMD_READ_MULTIPLE_EXT:
        ide_sector_cmd(s, true, false, IDE_PIO_MULT);
        break;
    case ATA_CMD_WRITE_MULTIPLE:
        ide_sector_cmd(s, false, true, IDE_PIO_MULT);
        break;
    case ATA_CMD_WRITE_MULTIPLE_EXT:
        ide_sector_cmd(s, true, true, IDE_PIO_MULT);
        break;
    case ATA_CMD_READ_DMA: case ATA_CMD_READ_DMA_NR:
        ide_sector_cmd(s, false, false, IDE_DMA);
        break;
    case ATA_CMD_READ_DMA_EXT:
        ide_sector_cmd(s, true, false, IDE_DMA);
        break;
    case ATA_CMD_WRITE_DMA: case ATA_CMD_WRITE_DMA_NR:
        ide_sector_cmd(s, false, true, IDE_DMA);
        break;
    case ATA_CMD_WRITE_DMA_EXT:
        ide_sector_cmd(s, true, true, IDE_DMA);
        break;
    case ATA_CMD_READ_VERIFY: case ATA_CMD_READ_VERIFY_NR: case ATA_CMD_READ_VERIFY_EXT: {
        bool lba48 = cmd == ATA_CMD_READ_VERIFY_EXT, ok;
        uint64_t lba = ide_get_lba(s, lba48, &ok);
        uint32_t n = lba48 ? (s->hob_nsector << 8 | s->nsector) : s->nsector;
        if (n == 0)
            n = lba48 ? 65536 : 256;
        s->lba48 = lba48;
        if (!ok || lba > s->nb_sectors || n > s->nb_sectors - lba) {
            s->status = ATA_STAT_DRDY | ATA_STAT_ERR;
            s->error = ATA_ERR_IDNF;
            ide_set_irq(s);
        } else {
            ide_set_sector(s, lba + n - 1);
            ide_cmd_done(s);
        }
        break;
    }
    case ATA_CMD_FLUSH_CACHE: case ATA_CMD_FLUSH_CACHE_EXT:
        ide_start_flush(s);
        break;
    case ATA_CMD_SET_FEATURES:
        ide_cmd_set_features(s);
        break;
    case ATA_CMD_SET_MULTIPLE:
        if (s->nsector > IDE_MAX_MULT || (s->nsector & (s->nsector - 1))) {
            ide_abort_command(s);
        } else {
            s->mult_sectors = s->nsector;
            ide_cmd_done(s);
        }
        break;
    case ATA_CMD_INIT_DEV_PARAMS:
        if (s->nsector == 0) {
            ide_abort_command(s);
        } else {
            s->cur_sectors = s->nsector;
            s->cur_heads = (s->select & 0x0f) + 1;
            ide_cmd_done(s);
        }
        break;
    case ATA_CMD_SEEK:
        ide_cmd_done(s);
        break;
    case ATA_CMD_CHECK_POWER: case ATA_CMD_CHECK_POWER_OLD:
        s->nsector = s->standby ? 0x00 : 0xff;
        ide_cmd_done(s);
        break;
    case ATA_CMD_STANDBY: case ATA_CMD_STANDBY_IMM: case ATA_CMD_SLEEP:
    case ATA_CMD_STANDBY_OLD: case ATA_CMD_STANDBY_IMM_OLD: case ATA_CMD_SLEEP_OLD:
        s->standby = true;
        ide_cmd_done(s);
        break;
    case ATA_CMD_IDLE: case ATA_CMD_IDLE_IMM: case ATA_CMD_IDLE_OLD: case ATA_CMD_IDLE_IMM_OLD:
        s->standby = false;
        ide_cmd_done(s);
        break;
    default:
        if (cmd >= ATA_CMD_RECALIBRATE && cmd <= ATA_CMD_RECALIBRATE + 0x0f) {
            ide_cmd_done(s);
            break;
        }
        trace(LOG_UNIMP, "%s: unsupported ATA command 0x%02x\n", b->name, cmd);
        ide_abort_command(s);     /* NOP aborts too, as the standard says */
        break;
    }
}

/* ---- data port ---- */

static bool ide_xfer_is_in(uint8_t x)
{
    return x == IDE_XFER_READ || x == IDE_XFER_BUFFER_IN || x == IDE_XFER_ATAPI_IN;
}

static bool ide_xfer_is_out(uint8_t x)
{
    return x == IDE_XFER_WRITE || x == IDE_XFER_PACKET;
}

static void ide_transfer_end(IDEDevice *s)
{
    uint8_t x = s->xfer;

    s->status &= ~ATA_STAT_DRQ;
    s->xfer = IDE_XFER_NONE;
    switch (x) {
    case IDE_XFER_READ:
        ide_pio_read_end(s);
        break;
    case IDE_XFER_WRITE:
        ide_pio_write_end(s);
        break;
    case IDE_XFER_BUFFER_IN:
        s->status = ATA_STAT_DRDY | ATA_STAT_DSC;
        break;
    case IDE_XFER_PACKET:
        atapi_packet_received(s);
        break;
    case IDE_XFER_ATAPI_IN:
        atapi_pio_next(s);
        break;
    }
}

static uint32_t ide_data_read(IDEDevice *s, unsigned size)
{
    uint32_t val = 0;

    if (!(s->status & ATA_STAT_DRQ) || !ide_xfer_is_in(s->xfer) || s->data_pos >= s->data_end)
        return 0;
    unsigned n = MIN(size, s->data_end - s->data_pos);
    for (unsigned i = 0; i < n; i++)
        val |= (uint32_t)s->io_buffer[s->data_pos + i] << (8 * i);
    s->data_pos += n;
    if (s->data_pos >= s->data_end)
        ide_transfer_end(s);
    return val;
}

static void ide_data_write(IDEDevice *s, uint32_t val, unsigned size)
{
    if (!(s->status & ATA_STAT_DRQ) || !ide_xfer_is_out(s->xfer) || s->data_pos >= s->data_end)
        return;
    unsigned n = MIN(size, s->data_end - s->data_pos);
    for (unsigned i = 0; i < n; i++)
        s->io_buffer[s->data_pos + i] = val >> (8 * i);
    s->data_pos += n;
    if (s->data_pos >= s->data_end)
        ide_transfer_end(s);
}

/* ---- register access ---- */

uint32_t ide_cmd_read(void *opaque, uint32_t offset, unsigned size)
{
    IDEBus *b = opaque;
    IDEDevice *s = ide_cur(b);
    bool hob = b->devctl & ATA_CTRL_HOB;

    if (offset == ATA_REG_DATA)
        return ide_data_read(s, size);
    /* an absent device reads as zeros (as QEMU, which firmware and Linux expect) */
    if (s->kind == IDE_NONE)
        return 0;
    switch (offset) {
    case ATA_REG_ERROR:
        return hob ? s->hob_feature : s->error;
    case ATA_REG_NSECTOR:
        return hob ? s->hob_nsector : s->nsector;
    case ATA_REG_LBAL:
        return hob ? s->hob_sector : s->sector;
    case ATA_REG_LBAM:
        return hob ? s->hob_lcyl : s->lcyl;
    case ATA_REG_LBAH:
        return hob ? s->hob_hcyl : s->hcyl;
    case ATA_REG_DEVICE:
        return (s->select & ~ATA_DEV_DEV) | 0xa0 | (s->unit ? ATA_DEV_DEV : 0);
    case ATA_REG_STATUS:
        ide_clear_irq(s);
        return s->status;
    }
    return 0xff;
}

void ide_cmd_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    IDEBus *b = opaque;

    if (offset == ATA_REG_DATA) {
        ide_data_write(ide_cur(b), val, size);
        return;
    }
    val &= 0xff;
    if (offset >= ATA_REG_ERROR && offset <= ATA_REG_DEVICE)
        b->devctl &= ~ATA_CTRL_HOB;   /* a task file write clears HOB */
    if (offset == ATA_REG_STATUS) {
        ide_exec_cmd(b, val);
        return;
    }
    /* both devices latch task file writes; LBA48 keeps the previous byte */
    for (int i = 0; i < 2; i++) {
        IDEDevice *s = &b->drives[i];
        switch (offset) {
        case ATA_REG_ERROR:
            s->hob_feature = s->feature;
            s->feature = val;
            break;
        case ATA_REG_NSECTOR:
            s->hob_nsector = s->nsector;
            s->nsector = val;
            break;
        case ATA_REG_LBAL:
            s->hob_sector = s->sector;
            s->sector = val;
            break;
        case ATA_REG_LBAM:
            s->hob_lcyl = s->lcyl;
            s->lcyl = val;
            break;
        case ATA_REG_LBAH:
            s->hob_hcyl = s->hcyl;
            s->hcyl = val;
            break;
        case ATA_REG_DEVICE:
            s->select = val | 0xa0;
            break;
        }
    }
    if (offset == ATA_REG_DEVICE) {
        b->unit = (val & ATA_DEV_DEV) ? 1 : 0;
        ide_update_irq(b);
    }
}

uint32_t ide_ctl_read(void *opaque, uint32_t offset, unsigned size)
{
    IDEBus *b = opaque;
    IDEDevice *s = ide_cur(b);

    /* alternate status: the status without clearing the interrupt */
    return s->kind == IDE_NONE ? 0 : s->status;
}

static void ide_device_soft_reset(IDEDevice *s)
{
    ide_drain(s);
    s->dma_pending = false;
    s->xfer = IDE_XFER_NONE;
    s->status = ATA_STAT_BSY | ATA_STAT_DSC;
    s->error = 0x01;
    s->intrq = false;
    if (s->kind == IDE_CD) {
        s->sense_key = 0;
        s->asc = 0;
        s->ascq = 0;
    }
}

void ide_ctl_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    IDEBus *b = opaque;
    uint8_t old = b->devctl;

    b->devctl = val & 0xff;
    if (!(old & ATA_CTRL_SRST) && (val & ATA_CTRL_SRST)) {
        for (int i = 0; i < 2; i++)
            if (b->drives[i].kind != IDE_NONE)
                ide_device_soft_reset(&b->drives[i]);
    } else if ((old & ATA_CTRL_SRST) && !(val & ATA_CTRL_SRST)) {
        for (int i = 0; i < 2; i++) {
            IDEDevice *s = &b->drives[i];
            if (s->kind == IDE_NONE)
                continue;
            ide_set_signature(s);
            s->status = s->kind == IDE_CD ? 0 : ATA_STAT_DRDY | ATA_STAT_DSC;
            s->error = 0x01;
        }
    }
    ide_update_irq(b);
}

static const IOPortOps ide_cmd_ops = {
    .read = ide_cmd_read,
    .write = ide_cmd_write,
    .min_size = 1,
    .max_size = 4,
};

static const IOPortOps ide_ctl_ops = {
    .read = ide_ctl_read,
    .write = ide_ctl_write,
    .min_size = 1,
    .max_size = 1,
};

/* ---- setup and reset ---- */

static void ide_drive_reset(IDEDevice *s)
{
    ide_drain(s);
    s->dma_pending = false;
    s->xfer = IDE_XFER_NONE;
    s->feature = s->hob_feature = 0;
    s->hob_nsector = s->hob_sector = s->hob_lcyl = s->hob_hcyl = 0;
    s->select = 0xa0;
    s->mult_sectors = IDE_MAX_MULT;
    s->write_cache = true;
    s->xfer_mode = 0;
    s->standby = false;
    s->cur_heads = s->heads;
    s->cur_sectors = s->sectors;
    s->intrq = false;
    s->data_pos = s->data_end = 0;
    s->sense_key = s->asc = s->ascq = 0;
    s->tray_locked = false;
    ide_set_signature(s);
    s->error = 0x01;
    s->status = s->kind == IDE_HD ? ATA_STAT_DRDY | ATA_STAT_DSC : 0;
}

void ide_bus_reset(IDEBus *b)
{
    for (int i = 0; i < 2; i++)
        ide_drive_reset(&b->drives[i]);
    b->unit = 0;
    b->devctl = 0;
    b->irq_level = 0;
    irq_lower(&b->irq);
}

void ide_bus_init(IDEBus *b, const char *name, IrqLine irq)
{
    memset(b, 0, sizeof(*b));
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->irq = irq;
    for (int i = 0; i < 2; i++) {
        b->drives[i].bus = b;
        b->drives[i].unit = i;
        b->drives[i].kind = IDE_NONE;
    }
}

int ide_bus_register_ports(IDEBus *b, uint16_t cmd, uint16_t ctl)
{
    int r = ioport_register(cmd, 8, &ide_cmd_ops, b, b->name);
    if (r)
        return r;
    return ioport_register(ctl, 1, &ide_ctl_ops, b, b->name);
}

void ide_bus_set_dma(IDEBus *b, const IDEDMAOps *ops, void *opaque)
{
    b->dma_ops = ops;
    b->dma_opaque = opaque;
}

int ide_drive_attach(IDEBus *b, int unit, IDEDriveKind kind, BlockBackend *blk)
{
    static int serial_no;
    IDEDevice *s;

    if (unit < 0 || unit > 1 || kind == IDE_NONE || (kind == IDE_HD && !blk))
        return -EINVAL;
    s = &b->drives[unit];
    if (s->kind != IDE_NONE)
        return -EBUSY;
    s->kind = kind;
    s->blk = blk;
    s->nb_sectors = blk ? blk_nb_sectors(blk) : 0;
    snprintf(s->serial, sizeof(s->serial), "PV%05d", ++serial_no);
    snprintf(s->model, sizeof(s->model), "%s", kind == IDE_CD ? "pcvm DVD-ROM" : "pcvm HARDDISK");
    snprintf(s->firmware, sizeof(s->firmware), "1.0");
    /* the usual BIOS-compatible guess: 16 heads, 63 sectors */
    s->heads = 16;
    s->sectors = 63;
    uint64_t cyls = s->nb_sectors / (16 * 63);
    s->cylinders = cyls > IDE_MAX_CHS_CYLS ? IDE_MAX_CHS_CYLS : cyls < 2 ? 2 : cyls;
    ide_drive_reset(s);
    if (kind == IDE_CD) {
        s->tray_open = false;
        s->unit_attention = false;
        s->media_event = 0;
    }
    return 0;
}

/* ---- save/load ---- */

static const VMStateField ide_drive_fields[] = {
    VMSTATE_U32(IDEDevice, cur_heads),
    VMSTATE_U32(IDEDevice, cur_sectors),
    VMSTATE_U8(IDEDevice, feature),
    VMSTATE_U8(IDEDevice, nsector),
    VMSTATE_U8(IDEDevice, sector),
    VMSTATE_U8(IDEDevice, lcyl),
    VMSTATE_U8(IDEDevice, hcyl),
    VMSTATE_U8(IDEDevice, select),
    VMSTATE_U8(IDEDevice, hob_feature),
    VMSTATE_U8(IDEDevice, hob_nsector),
    VMSTATE_U8(IDEDevice, hob_sector),
    VMSTATE_U8(IDEDevice, hob_lcyl),
    VMSTATE_U8(IDEDevice, hob_hcyl),
    VMSTATE_U8(IDEDevice, status),
    VMSTATE_U8(IDEDevice, error),
    VMSTATE_U8(IDEDevice, command),
    VMSTATE_BOOL(IDEDevice, intrq),
    VMSTATE_U8(IDEDevice, mult_sectors),
    VMSTATE_BOOL(IDEDevice, write_cache),
    VMSTATE_U8(IDEDevice, xfer_mode),
    VMSTATE_BOOL(IDEDevice, standby),
    VMSTATE_U32(IDEDevice, data_pos),
    VMSTATE_U32(IDEDevice, data_end),
    VMSTATE_U8(IDEDevice, xfer),
    VMSTATE_BOOL(IDEDevice, lba48),
    VMSTATE_U64(IDEDevice, cur_lba),
    VMSTATE_U32(IDEDevice, remain),
    VMSTATE_U32(IDEDevice, buf_sectors),
    VMSTATE_U32(IDEDevice, buf_next),
    VMSTATE_U32(IDEDevice, block_size),
    VMSTATE_U32(IDEDevice, cur_block),
    VMSTATE_BOOL(IDEDevice, dma_pending),
    VMSTATE_BOOL(IDEDevice, dma_to_mem),
    VMSTATE_BOOL(IDEDevice, dma_from_buffer),
    VMSTATE_U64(IDEDevice, dma_sector),
    VMSTATE_U64(IDEDevice, dma_remain),
    VMSTATE_U32(IDEDevice, dma_buf_pos),
    VMSTATE_U8_ARRAY(IDEDevice, packet, 12),
    VMSTATE_U8(IDEDevice, sense_key),
    VMSTATE_U8(IDEDevice, asc),
    VMSTATE_U8(IDEDevice, ascq),
    VMSTATE_BOOL(IDEDevice, unit_attention),
    VMSTATE_U8(IDEDevice, media_event),
    VMSTATE_BOOL(IDEDevice, tray_open),
    VMSTATE_BOOL(IDEDevice, tray_locked),
    VMSTATE_U16(IDEDevice, byte_count_limit),
    VMSTATE_BOOL(IDEDevice, atapi_dma),
    VMSTATE_U32(IDEDevice, atapi_lba),
    VMSTATE_U32(IDEDevice, atapi_remain),
    VMSTATE_U32(IDEDevice, atapi_buf_len),
    VMSTATE_U32(IDEDevice, atapi_buf_pos),
    VMSTATE_BUFFER(IDEDevice, io_buffer),
    VMSTATE_END,
};

static const VMStateDescription ide_drive_vmsd = {
    .name = "ide-drive",
    .version = 1,
    .minimum_version = 1,
    .fields = ide_drive_fields,
};

static const VMStateField ide_bus_fields[] = {
    VMSTATE_U8(IDEBus, unit),
    VMSTATE_U8(IDEBus, devctl),
    VMSTATE_STRUCT_ARRAY(IDEBus, drives, 2, &ide_drive_vmsd),
    VMSTATE_END,
};

const VMStateDescription ide_bus_vmsd = {
    .name = "ide-bus",
    .version = 1,
    .minimum_version = 1,
    .fields = ide_bus_fields,
};

int ide_bus_pre_save(IDEBus *b)
{
    /* block requests finish first: their effects are then in the state */
    for (int i = 0; i < 2; i++)
        if (b->drives[i].blk && b->drives[i].aio_op != IDE_AIO_NONE)
            blk_drain(b->drives[i].blk);
    return 0;
}

int ide_bus_post_load(IDEBus *b)
{
    if (b->unit > 1)
        return -EINVAL;
    for (int i = 0; i < 2; i++) {
        IDEDevice *s = &b->drives[i];
        if (s->data_end > IDE_BUF_SIZE || s->data_pos > s->data_end || s->xfer >= IDE_XFER__MAX ||
            s->mult_sectors > IDE_MAX_MULT || s->block_size > IDE_MAX_MULT ||
            s->cur_block > IDE_BUF_SECTORS || s->buf_sectors > IDE_BUF_SECTORS ||
            s->buf_next > s->buf_sectors || s->atapi_buf_len > IDE_BUF_SIZE ||
            s->atapi_buf_pos > s->atapi_buf_len || s->dma_buf_pos > IDE_BUF_SIZE ||
            s->cur_heads > 16 || s->cur_sectors > 255)
            return -EINVAL;
        if (s->dma_from_buffer && s->dma_remain > IDE_BUF_SIZE - s->dma_buf_pos)
            return -EINVAL;
        s->aio_op = IDE_AIO_NONE;
        if (s->kind == IDE_NONE)
            s->intrq = false;
    }
    b->irq_level = ide_cur(b)->intrq && !(b->devctl & ATA_CTRL_NIEN);
    irq_set(&b->irq, b->irq_level);
    return 0;
}

void ide_cd_change_media(IDEDevice *s, BlockBackend *blk)
{
    if (s->kind != IDE_CD)
        return;
    ide_drain(s);
    s->blk = blk;
    s->nb_sectors = blk ? blk_nb_sectors(blk) : 0;
    s->tray_open = !blk;
    s->unit_attention = true;
    s->media_event = blk ? 2 : 3;                /* new media / media removal */
}
