/*
 * ATAPI CD/DVD-ROM: IDENTIFY PACKET DEVICE, the PACKET protocol (byte count
 * limit, interrupt reason, PIO and DMA data) and the MMC commands firmware
 * and operating systems use.  SFF-8020i / MMC-3 (T10/1363-D), 2048-byte sectors.
 */
#include "core/common.h"
#include "hw/ide.h"

/* MMC/SPC operation codes */
#define GPCMD_TEST_UNIT_READY       0x00
#define GPCMD_REQUEST_SENSE         0x03
#define GPCMD_INQUIRY               0x12
#define GPCMD_START_STOP_UNIT       0x1b
#define GPCMD_PREVENT_ALLOW         0x1e
#define GPCMD_READ_CAPACITY         0x25
#define GPCMD_READ_10               0x28
#define GPCMD_SEEK_10               0x2b
#define GPCMD_SYNC_CACHE            0x35
#define GPCMD_READ_TOC              0x43
#define GPCMD_GET_CONFIGURATION     0x46
#define GPCMD_GET_EVENT_STATUS      0x4a
#define GPCMD_READ_DISC_INFO        0x51
#define GPCMD_MODE_SENSE_10         0x5a
#define GPCMD_READ_12               0xa8
#define GPCMD_SET_SPEED             0xbb
#define GPCMD_MECHANISM_STATUS      0xbd
#define GPCMD_READ_CD               0xbe

/* Sense keys and additional sense codes (SPC-3 annex) */
#define SENSE_NONE                  0x0
#define SENSE_NOT_READY             0x2
#define SENSE_MEDIUM_ERROR          0x3
#define SENSE_ILLEGAL_REQUEST       0x5
#define SENSE_UNIT_ATTENTION        0x6
#define ASC_READ_ERROR              0x11
#define ASC_INVALID_OPCODE          0x20
#define ASC_LBA_OUT_OF_RANGE        0x21
#define ASC_INVALID_FIELD           0x24
#define ASC_MEDIUM_MAY_HAVE_CHANGED 0x28
#define ASC_SAVING_NOT_SUPPORTED    0x39
#define ASC_MEDIUM_NOT_PRESENT      0x3a
#define ASC_REMOVAL_PREVENTED       0x53

/* GET EVENT STATUS NOTIFICATION, media class (MMC-3 section 6.1.6) */
#define GESN_MEDIA_CLASS            0x04
#define GESN_MEDIA_MASK             0x10
#define GESN_NEA                    0x80

/* GET CONFIGURATION profiles and features */
#define MMC_PROFILE_NONE            0x0000
#define MMC_PROFILE_CD_ROM          0x0008
#define MMC_PROFILE_DVD_ROM         0x0010
#define CD_MAX_SECTORS              (80 * 60 * 75)  /* an 80-minute CD */

static inline void atapi_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline void atapi_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static inline uint16_t atapi_get_be16(const uint8_t *p) { return p[0] << 8 | p[1]; }
static inline uint32_t atapi_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void atapi_put_string(uint16_t *w, const char *str, int words)
{
    for (int i = 0; i < words * 2; i++) {
        char c = *str ? *str++ : ' ';
        if (i & 1)
            w[i / 2] |= (uint8_t)c;
        else
            w[i / 2] = (uint16_t)((uint8_t)c << 8);
    }
}

static void atapi_put_padded(uint8_t *dst, const char *src, int len)
{
    for (int i = 0; i < len; i++)
        dst[i] = *src ? *src++ : ' ';
}

/* 2048-byte sectors of the medium, 0 when there is none. */
static uint32_t atapi_total(const IDEDevice *s)
{
    if (!s->blk || s->tray_open)
        return 0;
    return MIN(s->nb_sectors / 4, (uint64_t)UINT32_MAX);
}

void atapi_identify(IDEDevice *s, uint16_t *id)
{
    uint8_t mode_type = s->xfer_mode >> 3, mode = s->xfer_mode & 7;

    memset(id, 0, 512);
    /* ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets */
    id[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
    atapi_put_string(&id[10], s->serial, 10);
    id[20] = 3;
    id[21] = IDE_BUF_SIZE / 512;
    atapi_put_string(&id[23], s->firmware, 4);
    atapi_put_string(&id[27], s->model, 20);
    id[48] = 1;
    id[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    id[53] = 1 | 2 | 4;
    id[62] = 7;
    id[63] = 0x07 | (mode_type == 4 ? (1 << (mode + 8)) : 0);
    id[64] = 0x03;
    id[65] = 0xb4;
    id[66] = 0xb4;
    id[67] = 0x12c;
    id[68] = 0xb4;
    id[71] = 30;
    id[72] = 30;
    id[80] = 0x1e;                               /* ATAPI-1 to 4 */
    id[88] = 0x3f | (mode_type == 8 ? (1 << (mode + 8)) : 0);
    id[93] = (1 << 14) | (1 << 13) | 1;
}

/* ---- completion and errors ---- */

static void atapi_cmd_ok(IDEDevice *s)
{
    s->error = 0;
    s->status = ATA_STAT_DRDY | ATA_STAT_DSC;
    s->nsector = (s->nsector & ~7) | ATAPI_INT_IO | ATAPI_INT_CD;
    s->xfer = IDE_XFER_NONE;
    ide_set_irq(s);
}

static void atapi_check_condition(IDEDevice *s, uint8_t key, uint8_t asc, uint8_t ascq)
{
    trace(LOG_DEV, "%s: ATAPI 0x%02x: sense %x/%02x/%02x\n", s->bus->name, s->packet[0], key,
          asc, ascq);
    s->sense_key = key;
    s->asc = asc;
    s->ascq = ascq;
    s->error = key << 4;
    s->status = ATA_STAT_DRDY | ATA_STAT_ERR;
    s->nsector = (s->nsector & ~7) | ATAPI_INT_IO | ATAPI_INT_CD;
    s->xfer = IDE_XFER_NONE;
    s->dma_pending = false;
    ide_set_irq(s);
}

static void atapi_not_ready(IDEDevice *s)
{
    atapi_check_condition(s, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, s->tray_open ? 2 : 1);
}

static void atapi_invalid_field(IDEDevice *s)
{
    atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
}

/* ---- data phase ---- */

void atapi_pio_next(IDEDevice *s)
{
    if (s->atapi_buf_pos >= s->atapi_buf_len) {
        if (s->atapi_remain == 0) {
            atapi_cmd_ok(s);
            return;
        }
        /* refill io_buffer from the medium */
        uint32_t n = MIN(s->atapi_remain, (uint32_t)(IDE_BUF_SIZE / CD_SECTOR_SIZE));
        struct iovec iov = { s->io_buffer, (size_t)n * CD_SECTOR_SIZE };
        s->atapi_buf_len = n * CD_SECTOR_SIZE;
        s->atapi_buf_pos = s->atapi_buf_len;
        s->status = ATA_STAT_BSY | ATA_STAT_DRDY;
        s->aio_op = IDE_AIO_ATAPI_READ;
        blk_aio_preadv(s->blk, (uint64_t)s->atapi_lba * 4, &iov, 1, ide_aio_cb, s);
        return;
    }
    /* The host's byte count limit bounds each DRQ block; it must be even
     * except for the last one, and 0 is not a limit (SFF-8020i 5.14). */
    uint32_t limit = s->byte_count_limit;
    if (limit == 0 || limit == 0xffff)
        limit = 0xfffe;
    if (limit & 1)
        limit--;
    if (limit == 0)
        limit = 2;
    uint32_t chunk = MIN(limit, s->atapi_buf_len - s->atapi_buf_pos);
    s->lcyl = chunk;
    s->hcyl = chunk >> 8;
    s->nsector = (s->nsector & ~7) | ATAPI_INT_IO;
    ide_transfer_start(s, s->atapi_buf_pos, chunk, IDE_XFER_ATAPI_IN);
    s->atapi_buf_pos += chunk;
    ide_set_irq(s);
}

void atapi_aio_done(IDEDevice *s, int ret)
{
    if (ret < 0) {
        atapi_check_condition(s, SENSE_MEDIUM_ERROR, ASC_READ_ERROR, 0);
        return;
    }
    uint32_t n = s->atapi_buf_len / CD_SECTOR_SIZE;
    s->atapi_lba += n;
    s->atapi_remain -= n;
    s->atapi_buf_pos = 0;
    atapi_pio_next(s);
}

void atapi_dma_done(IDEDevice *s, int ret)
{
    if (ret < 0)
        atapi_check_condition(s, SENSE_MEDIUM_ERROR, ASC_READ_ERROR, 0);
    else
        atapi_cmd_ok(s);
}

/* Send len bytes of io_buffer (cut to the allocation length). */
static void atapi_reply(IDEDevice *s, uint32_t len, uint32_t alloc)
{
    len = MIN(len, alloc);
    if (len == 0) {
        atapi_cmd_ok(s);
        return;
    }
    if (s->atapi_dma) {
        ide_dma_begin(s, true, true, 0, len);
        return;
    }
    s->atapi_buf_len = len;
    s->atapi_buf_pos = 0;
    s->atapi_remain = 0;
    atapi_pio_next(s);
}

static void atapi_read_sectors(IDEDevice *s, uint32_t lba, uint32_t count)
{
    uint32_t total = atapi_total(s);

    if (!total) {
        atapi_not_ready(s);
        return;
    }
    if (lba > total || count > total - lba) {
        atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    if (count == 0) {
        atapi_cmd_ok(s);
        return;
    }
    if (s->atapi_dma) {
        ide_dma_begin(s, true, false, (uint64_t)lba * 4, (uint64_t)count * CD_SECTOR_SIZE);
        return;
    }
    s->atapi_lba = lba;
    s->atapi_remain = count;
    s->atapi_buf_len = 0;
    s->atapi_buf_pos = 0;
    atapi_pio_next(s);
}

/* ---- commands ---- */

static void atapi_lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;                  /* the 2-second pregap */
    p[0] = lba / (75 * 60);
    p[1] = (lba / 75) % 60;
    p[2] = lba % 75;
}

static uint8_t *atapi_put_addr(uint8_t *q, uint32_t lba, bool msf)
{
    if (msf) {
        *q++ = 0;
        atapi_lba_to_msf(q, lba);
        return q + 3;
    }
    atapi_be32(q, lba);
    return q + 4;
}

static void atapi_cmd_read_toc(IDEDevice *s)
{
    const uint8_t *cdb = s->packet;
    uint32_t total = atapi_total(s);
    bool msf = cdb[1] & 2;
    uint8_t format = cdb[2] & 0x0f, start = cdb[6];
    uint8_t *buf = s->io_buffer, *q;

    if (!total) {
        atapi_not_ready(s);
        return;
    }
    if (format == 0)
        format = cdb[9] >> 6;    /* the SFF-8020i place for it */
    memset(buf, 0, 64);
    switch (format) {
    case 0:
        if (start > 1 && start != 0xaa) {
            atapi_invalid_field(s);
            return;
        }
        q = buf + 2;
        *q++ = 1;                /* first track */
        *q++ = 1;                /* last track */
        if (start <= 1) {
            *q++ = 0;
            *q++ = 0x14;         /* ADR 1, data track */
            *q++ = 1;
            *q++ = 0;
            q = atapi_put_addr(q, 0, msf);
        }
        *q++ = 0;
        *q++ = 0x14;
        *q++ = 0xaa;             /* lead-out */
        *q++ = 0;
        q = atapi_put_addr(q, total, msf);
        break;
    case 1:                      /* multi-session info */
        q = buf + 2;
        *q++ = 1;
        *q++ = 1;
        *q++ = 0;
        *q++ = 0x14;
        *q++ = 1;
        *q++ = 0;
        q = atapi_put_addr(q, 0, msf);
        break;
    case 2: {                    /* full TOC: A0, A1, A2 and track 1, MSF */
        static const uint8_t points[4] = { 0xa0, 0xa1, 0xa2, 0x01 };
        q = buf + 2;
        *q++ = 1;
        *q++ = 1;
        for (int i = 0; i < 4; i++) {
            *q++ = 1;            /* session */
            *q++ = 0x14;
            *q++ = 0;            /* TNO */
            *q++ = points[i];
            *q++ = 0; *q++ = 0; *q++ = 0; *q++ = 0;
            if (points[i] == 0xa0 || points[i] == 0xa1) {
                *q++ = 1;        /* first/last track */
                *q++ = 0;        /* disc type: CD-ROM */
                *q++ = 0;
            } else {
                atapi_lba_to_msf(q, points[i] == 0xa2 ? total : 0);
                q += 3;
            }
        }
        break;
    }
    default:
        atapi_invalid_field(s);
        return;
    }
    uint32_t len = q - buf;
    atapi_be16(buf, len - 2);
    atapi_reply(s, len, atapi_get_be16(cdb + 7));
}

static void atapi_cmd_mode_sense(IDEDevice *s)
{
    const uint8_t *cdb = s->packet;
    uint8_t pc = cdb[2] >> 6, page = cdb[2] & 0x3f;
    uint8_t *buf = s->io_buffer, *q = buf + 8;

    if (pc == 3) {
        atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
        return;
    }
    if (page != 0x01 && page != 0x2a && page != 0x3f) {
        atapi_invalid_field(s);
        return;
    }
    memset(buf, 0, 64);
    bool changeable = pc == 1;
    if (page == 0x01 || page == 0x3f) {      /* read error recovery */
        q[0] = 0x01;
        q[1] = 0x06;
        if (!changeable)
            q[3] = 3;                        /* read retry count */
        q += 8;
    }
    if (page == 0x2a || page == 0x3f) {      /* capabilities and mechanical status */
        q[0] = 0x2a;
        q[1] = 0x12;
        if (!changeable) {
            q[2] = 0x3b;                     /* reads CD-R/RW, DVD-ROM/R/RAM */
            q[4] = 0x71;                     /* audio play, mode 2 form 1/2, multisession */
            q[5] = 0x7f;
            q[6] = 0x29 | (s->tray_locked ? 0x02 : 0); /* tray, eject, lock */
            atapi_be16(q + 8, 706);          /* max read speed, kB/s */
            atapi_be16(q + 10, 2);           /* volume levels */
            atapi_be16(q + 12, 512);         /* buffer size, KiB */
            atapi_be16(q + 14, 706);         /* current read speed */
        }
        q += 20;
    }
    uint32_t len = q - buf;
    atapi_be16(buf, len - 2);
    atapi_reply(s, len, atapi_get_be16(cdb + 7));
}

static uint8_t *atapi_feature(uint8_t *q, uint16_t code, uint8_t flags, uint8_t len)
{
    atapi_be16(q, code);
    q[2] = flags;
    q[3] = len;
    memset(q + 4, 0, len);
    return q + 4 + len;
}

static void atapi_cmd_get_configuration(IDEDevice *s)
{
    const uint8_t *cdb = s->packet;
    uint8_t rt = cdb[1] & 3;
    uint16_t start = atapi_get_be16(cdb + 2);
    uint32_t total = atapi_total(s);
    uint16_t profile = !total ? MMC_PROFILE_NONE
                       : total > CD_MAX_SECTORS ? MMC_PROFILE_DVD_ROM : MMC_PROFILE_CD_ROM;
    uint8_t *buf = s->io_buffer, *q = buf + 8, *f;

    if (rt == 3) {
        atapi_invalid_field(s);
        return;
    }
    memset(buf, 0, 128);
#define WANT(code, cur) (rt == 2 ? start == (code) : (code) >= start && (rt == 0 || (cur)))
    if (WANT(0x0000, true)) {                /* profile list */
        f = q;
        q = atapi_feature(q, 0x0000, 0x03, 8);
        atapi_be16(f + 4, MMC_PROFILE_DVD_ROM);
        f[6] = profile == MMC_PROFILE_DVD_ROM;
        atapi_be16(f + 8, MMC_PROFILE_CD_ROM);
        f[10] = profile == MMC_PROFILE_CD_ROM;
    }
    if (WANT(0x0001, true)) {                /* core: ATAPI */
        f = q;
        q = atapi_feature(q, 0x0001, 0x0b, 8);
        atapi_be32(f + 4, 2);
        f[8] = 1;
    }
    if (WANT(0x0002, true)) {                /* morphing: polled events */
        f = q;
        q = atapi_feature(q, 0x0002, 0x07, 4);
        f[4] = 0x02;
    }
    if (WANT(0x0003, true)) {                /* removable medium: tray */
        f = q;
        q = atapi_feature(q, 0x0003, 0x03, 4);
        f[4] = 0x29 | (s->tray_locked ? 0x04 : 0);
    }
    if (WANT(0x0010, total != 0)) {          /* random readable */
        f = q;
        q = atapi_feature(q, 0x0010, total ? 0x01 : 0x00, 8);
        atapi_be32(f + 4, CD_SECTOR_SIZE);
        atapi_be16(f + 8, 1);
    }
#undef WANT
    uint32_t len = q - buf;
    atapi_be32(buf, len - 4);
    atapi_be16(buf + 6, profile);
    atapi_reply(s, len, atapi_get_be16(cdb + 7));
}

static void atapi_cmd_event_status(IDEDevice *s)
{
    const uint8_t *cdb = s->packet;
    uint8_t *buf = s->io_buffer;
    uint32_t len;

    if (!(cdb[1] & 1)) {         /* only polled operation */
        atapi_invalid_field(s);
        return;
    }
    memset(buf, 0, 8);
    buf[3] = GESN_MEDIA_MASK;
    if (cdb[4] & GESN_MEDIA_MASK) {
        buf[2] = GESN_MEDIA_CLASS;
        buf[4] = s->media_event;
        buf[5] = (atapi_total(s) ? 0x02 : 0) | (s->tray_open ? 0x01 : 0);
        s->media_event = 0;
        len = 8;
    } else {
        buf[2] = GESN_NEA;
        len = 4;
    }
    atapi_be16(buf, len - 2);
    atapi_reply(s, len, atapi_get_be16(cdb + 7));
}

static void atapi_cmd_request_sense(IDEDevice *s)
{
    uint8_t *buf = s->io_buffer;

    if (s->sense_key == SENSE_NONE && s->unit_attention) {
        s->unit_attention = false;
        s->sense_key = SENSE_UNIT_ATTENTION;
        s->asc = ASC_MEDIUM_MAY_HAVE_CHANGED;
        s->ascq = 0;
    }
    memset(buf, 0, 18);
    buf[0] = 0x70;               /* current error, fixed format */
    buf[2] = s->sense_key;
    buf[7] = 10;
    buf[12] = s->asc;
    buf[13] = s->ascq;
    s->sense_key = SENSE_NONE;
    s->asc = 0;
    s->ascq = 0;
    atapi_reply(s, 18, s->packet[4]);
}

static void atapi_cmd_inquiry(IDEDevice *s)
{
    uint8_t *buf = s->io_buffer;

    if (s->packet[1] & 1) {      /* no vital product data pages */
        atapi_invalid_field(s);
        return;
    }
    memset(buf, 0, 36);
    buf[0] = 0x05;               /* CD/DVD device */
    buf[1] = 0x80;               /* removable */
    buf[2] = 0x00;
    buf[3] = 0x21;               /* ATAPI, response format 1 */
    buf[4] = 31;
    atapi_put_padded(buf + 8, "pcvm", 8);
    atapi_put_padded(buf + 16, "DVD-ROM", 16);
    atapi_put_padded(buf + 32, s->firmware, 4);
    atapi_reply(s, 36, s->packet[4]);
}

static bool atapi_needs_medium(uint8_t op)
{
    switch (op) {
    case GPCMD_TEST_UNIT_READY: case GPCMD_READ_CAPACITY: case GPCMD_READ_10:
    case GPCMD_READ_12: case GPCMD_SEEK_10: case GPCMD_READ_TOC: case GPCMD_READ_DISC_INFO:
    case GPCMD_READ_CD:
        return true;
    }
    return false;
}

void atapi_packet_received(IDEDevice *s)
{
    const uint8_t *cdb = s->packet;
    uint8_t *buf = s->io_buffer;
    uint8_t op;

    memcpy(s->packet, s->io_buffer, sizeof(s->packet));
    op = cdb[0];
    trace(LOG_DEV, "%s: ATAPI packet %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x\n",
          s->bus->name, cdb[0], cdb[1], cdb[2], cdb[3], cdb[4], cdb[5], cdb[6], cdb[7], cdb[8],
          cdb[9]);
    s->status = ATA_STAT_BSY | ATA_STAT_DRDY;

    /* A changed medium is reported once, before anything that touches it. */
    if (s->unit_attention && op != GPCMD_INQUIRY && op != GPCMD_REQUEST_SENSE &&
        op != GPCMD_GET_EVENT_STATUS && op != GPCMD_GET_CONFIGURATION) {
        s->unit_attention = false;
        if (atapi_total(s)) {
            atapi_check_condition(s, SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED, 0);
            return;
        }
    }
    if (atapi_needs_medium(op) && !atapi_total(s)) {
        atapi_not_ready(s);
        return;
    }

    switch (op) {
    case GPCMD_TEST_UNIT_READY:
    case GPCMD_SEEK_10:
    case GPCMD_SET_SPEED:
    case GPCMD_SYNC_CACHE:
        atapi_cmd_ok(s);
        break;
    case GPCMD_REQUEST_SENSE:
        atapi_cmd_request_sense(s);
        break;
    case GPCMD_INQUIRY:
        atapi_cmd_inquiry(s);
        break;
    case GPCMD_READ_CAPACITY:
        atapi_be32(buf, atapi_total(s) - 1);
        atapi_be32(buf + 4, CD_SECTOR_SIZE);
        atapi_reply(s, 8, 8);
        break;
    case GPCMD_READ_10:
        atapi_read_sectors(s, atapi_get_be32(cdb + 2), atapi_get_be16(cdb + 7));
        break;
    case GPCMD_READ_12:
        atapi_read_sectors(s, atapi_get_be32(cdb + 2), atapi_get_be32(cdb + 6));
        break;
    case GPCMD_READ_CD: {
        uint8_t type = (cdb[1] >> 2) & 7, fields = cdb[9] & 0xf8;
        uint32_t count = cdb[6] << 16 | cdb[7] << 8 | cdb[8];
        if (fields == 0) {
            atapi_cmd_ok(s);
        } else if (fields == 0x10 && (type == 0 || type == 2)) {
            atapi_read_sectors(s, atapi_get_be32(cdb + 2), count);
        } else {
            atapi_invalid_field(s);   /* raw sectors of a data disc: not here */
        }
        break;
    }
    case GPCMD_READ_TOC:
        atapi_cmd_read_toc(s);
        break;
    case GPCMD_MODE_SENSE_10:
        atapi_cmd_mode_sense(s);
        break;
    case GPCMD_GET_CONFIGURATION:
        atapi_cmd_get_configuration(s);
        break;
    case GPCMD_GET_EVENT_STATUS:
        atapi_cmd_event_status(s);
        break;
    case GPCMD_START_STOP_UNIT: {
        bool loej = cdb[4] & 2, start = cdb[4] & 1;
        if (loej && !start) {
            if (s->tray_locked) {
                atapi_check_condition(s, SENSE_NOT_READY, ASC_REMOVAL_PREVENTED, 2);
                return;
            }
            if (!s->tray_open && s->blk)
                s->media_event = 3;          /* media removal */
            s->tray_open = true;
        } else if (loej && start && s->tray_open) {
            s->tray_open = false;
            if (s->blk) {
                s->unit_attention = true;
                s->media_event = 2;          /* new media */
            }
        }
        atapi_cmd_ok(s);
        break;
    }
    case GPCMD_PREVENT_ALLOW:
        s->tray_locked = cdb[4] & 1;
        atapi_cmd_ok(s);
        break;
    case GPCMD_MECHANISM_STATUS:
        memset(buf, 0, 8);
        buf[1] = s->tray_open ? 0x10 : 0;
        atapi_reply(s, 8, atapi_get_be16(cdb + 8));
        break;
    case GPCMD_READ_DISC_INFO:
        if (cdb[1] & 7) {
            atapi_invalid_field(s);
            break;
        }
        memset(buf, 0, 34);
        atapi_be16(buf, 32);
        buf[2] = 0x0e;               /* complete disc, complete last session */
        buf[3] = 1;                  /* first track */
        buf[4] = 1;                  /* sessions */
        buf[5] = 1;                  /* first track of the last session */
        buf[6] = 1;                  /* last track of the last session */
        buf[7] = 0x20;               /* unrestricted use */
        atapi_be32(buf + 16, 0xffffffff);    /* no lead-in */
        atapi_be32(buf + 20, 0xffffffff);
        atapi_reply(s, 34, atapi_get_be16(cdb + 7));
        break;
    default:
        trace(LOG_UNIMP, "%s: unsupported ATAPI command 0x%02x\n", s->bus->name, op);
        atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
        break;
    }
}

void atapi_packet_cmd(IDEDevice *s)
{
    s->byte_count_limit = s->lcyl | s->hcyl << 8;
    s->atapi_dma = s->feature & 1;
    s->atapi_remain = 0;
    s->atapi_buf_len = s->atapi_buf_pos = 0;
    s->nsector = (s->nsector & ~7) | ATAPI_INT_CD;
    /* the packet is requested without an interrupt (DRQ type in IDENTIFY word 0) */
    ide_transfer_start(s, 0, sizeof(s->packet), IDE_XFER_PACKET);
}
