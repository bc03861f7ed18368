/*
 * The ATA/ATAPI device core: one IDE channel (bus) with a master and a slave
 * drive, the command block and control block registers, PIO and DMA data
 * phases.  ATA/ATAPI-6 (T13/1410D); packet commands are in hw/atapi.c, the
 * PCI glue and the bus master in hw/piix-ide.c.
 */
#ifndef PCVM_HW_IDE_H
#define PCVM_HW_IDE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "block/block.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/vmstate.h"

/* Status register (ATA-6 section 7.15) */
#define ATA_STAT_BSY    0x80
#define ATA_STAT_DRDY   0x40
#define ATA_STAT_DF     0x20
#define ATA_STAT_DSC    0x10
#define ATA_STAT_DRQ    0x08
#define ATA_STAT_CORR   0x04
#define ATA_STAT_ERR    0x01
/* Error register (section 7.9) */
#define ATA_ERR_ICRC    0x80
#define ATA_ERR_UNC     0x40
#define ATA_ERR_MC      0x20
#define ATA_ERR_IDNF    0x10
#define ATA_ERR_MCR     0x08
#define ATA_ERR_ABRT    0x04
/* Device control register (section 7.8) */
#define ATA_CTRL_NIEN   0x02
#define ATA_CTRL_SRST   0x04
#define ATA_CTRL_HOB    0x80
/* Device register */
#define ATA_DEV_LBA     0x40
#define ATA_DEV_DEV     0x10

/* Command block register offsets */
#define ATA_REG_DATA    0
#define ATA_REG_ERROR   1       /* read; FEATURES on write */
#define ATA_REG_NSECTOR 2
#define ATA_REG_LBAL    3
#define ATA_REG_LBAM    4
#define ATA_REG_LBAH    5
#define ATA_REG_DEVICE  6
#define ATA_REG_STATUS  7       /* read; COMMAND on write */

/* ATAPI interrupt reason, in the sector count register */
#define ATAPI_INT_CD    0x01
#define ATAPI_INT_IO    0x02

#define IDE_SECTOR_SIZE 512
#define CD_SECTOR_SIZE  2048
#define IDE_BUF_SECTORS 256
#define IDE_BUF_SIZE    (IDE_BUF_SECTORS * IDE_SECTOR_SIZE)
/* A DMA request moves at most this much at once (one block request). */
#define IDE_DMA_CHUNK   IDE_BUF_SIZE
#define IDE_DMA_MAX_IOV 256
#define IDE_MAX_MULT    16

typedef enum IDEDriveKind { IDE_NONE, IDE_HD, IDE_CD } IDEDriveKind;

/* What the end of the current PIO data window means. */
typedef enum IDEXfer {
    IDE_XFER_NONE,
    IDE_XFER_READ,          /* sectors to the host */
    IDE_XFER_WRITE,         /* sectors from the host */
    IDE_XFER_BUFFER_IN,     /* IDENTIFY data etc.: done at the end */
    IDE_XFER_PACKET,        /* the 12-byte ATAPI packet */
    IDE_XFER_ATAPI_IN,      /* ATAPI data to the host */
    IDE_XFER__MAX
} IDEXfer;

/* What the outstanding block request or DMA is for. */
typedef enum IDEAioOp {
    IDE_AIO_NONE,
    IDE_AIO_PIO_READ,
    IDE_AIO_PIO_WRITE,
    IDE_AIO_FLUSH,
    IDE_AIO_ATAPI_READ,
    IDE_AIO_DMA,
} IDEAioOp;

typedef struct IDEBus IDEBus;

/*
 * The bus master seen from the drive (hw/piix-ide.c implements it).  map
 * fills iov with the next bytes of the PRD table, at most max of them, and
 * returns how many: fewer than max only when the table ran out.
 */
typedef struct IDEDMAOps {
    bool (*running)(void *opaque);
    int64_t (*map)(void *opaque, struct iovec *iov, int *iovcnt, uint64_t max, bool to_mem);
    /* done bytes of the last map were transferred */
    void (*unmap)(void *opaque, uint64_t done, bool to_mem);
    /* the drive finished its DMA command (short_table: the PRDs ran out first) */
    void (*end)(void *opaque, bool short_table);
    /* the channel's interrupt line rose */
    void (*irq_raised)(void *opaque);
} IDEDMAOps;

typedef struct IDEDevice {
    IDEBus *bus;
    int unit;
    IDEDriveKind kind;
    BlockBackend *blk;           /* NULL: no medium (empty CD drive) */
    uint64_t nb_sectors;         /* 512-byte sectors */
    char serial[21], model[41], firmware[9];

    /* CHS geometry: default, and the one INITIALIZE DEVICE PARAMETERS set */
    uint32_t cylinders, heads, sectors;
    uint32_t cur_heads, cur_sectors;

    /* task file */
    uint8_t feature, nsector, sector, lcyl, hcyl, select;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t status, error, command;
    bool intrq;                  /* the drive asserts INTRQ (before nIEN) */

    /* settings */
    uint8_t mult_sectors;        /* READ/WRITE MULTIPLE block size, 0: disabled */
    bool write_cache;
    uint8_t xfer_mode;           /* SET FEATURES 03h value */
    bool standby;

    /* PIO data window in io_buffer */
    uint32_t data_pos, data_end;
    uint8_t xfer;                /* IDEXfer */

    /* sector command progress (ATA) */
    bool lba48;
    uint64_t cur_lba;            /* next sector the host will see / send */
    uint32_t remain;             /* sectors left to move to/from the host */
    uint32_t buf_sectors;        /* PIO read: sectors in io_buffer; write: filled */
    uint32_t buf_next;           /* PIO read: next buffered sector to hand out */
    uint32_t block_size;         /* sectors per DRQ block (1, or the MULTIPLE size) */
    uint32_t cur_block;          /* sectors in the current DRQ block */

    /* DMA */
    bool dma_pending;            /* a DMA command waits for / uses the bus master */
    bool dma_to_mem;
    bool dma_from_buffer;        /* ATAPI reply from io_buffer instead of the disk */
    uint64_t dma_sector;         /* next 512-byte sector (disk source) */
    uint64_t dma_remain;         /* bytes */
    uint32_t dma_buf_pos;
    uint64_t dma_chunk;          /* bytes of the request in flight */

    /* outstanding block request */
    uint8_t aio_op;              /* IDEAioOp */
    bool cancelling;

    /* ATAPI */
    uint8_t packet[12];
    uint8_t sense_key, asc, ascq;
    bool unit_attention;         /* medium changed since the host last looked */
    uint8_t media_event;         /* GET EVENT STATUS NOTIFICATION media event */
    bool tray_open, tray_locked;
    uint16_t byte_count_limit;
    bool atapi_dma;
    uint32_t atapi_lba;          /* next 2048-byte sector to fetch */
    uint32_t atapi_remain;       /* 2048-byte sectors still to fetch */
    uint32_t atapi_buf_len;      /* valid reply bytes in io_buffer */
    uint32_t atapi_buf_pos;      /* next reply byte to hand out */

    uint8_t io_buffer[IDE_BUF_SIZE + 4];
    struct iovec dma_iov[IDE_DMA_MAX_IOV];
    int dma_iovcnt;
} IDEDevice;

struct IDEBus {
    IDEDevice drives[2];
    uint8_t unit;                /* selected drive (DEV bit) */
    uint8_t devctl;              /* device control register */
    int irq_level;
    IrqLine irq;
    const IDEDMAOps *dma_ops;
    void *dma_opaque;
    char name[16];
};

/* Set up a channel (no ports: see ide_bus_register_ports). */
void ide_bus_init(IDEBus *b, const char *name, IrqLine irq);
/* Legacy ports: command block at cmd (8 ports) and device control at ctl. */
int ide_bus_register_ports(IDEBus *b, uint16_t cmd, uint16_t ctl);
void ide_bus_set_dma(IDEBus *b, const IDEDMAOps *ops, void *opaque);
/* Attach a drive: IDE_HD needs blk; IDE_CD may have none (empty tray). */
int ide_drive_attach(IDEBus *b, int unit, IDEDriveKind kind, BlockBackend *blk);
/* Hardware reset of the channel (power on / RESET#). */
void ide_bus_reset(IDEBus *b);

/* Register access (also for tests). */
uint32_t ide_cmd_read(void *opaque, uint32_t offset, unsigned size);
void ide_cmd_write(void *opaque, uint32_t offset, uint32_t val, unsigned size);
uint32_t ide_ctl_read(void *opaque, uint32_t offset, unsigned size);
void ide_ctl_write(void *opaque, uint32_t offset, uint32_t val, unsigned size);

/* The bus master's start bit went 1 (try to move data) or 0 (stop after the
 * request in flight). */
void ide_bus_dma_start(IDEBus *b);
void ide_bus_dma_stop(IDEBus *b);

/* Swap the medium of a CD drive (NULL: eject); the host sees UNIT ATTENTION. */
void ide_cd_change_media(IDEDevice *s, BlockBackend *blk);

extern const VMStateDescription ide_bus_vmsd;
int ide_bus_pre_save(IDEBus *b);
int ide_bus_post_load(IDEBus *b);

/* ---- shared between ide.c and atapi.c ---- */
void ide_set_irq(IDEDevice *s);
void ide_abort_command(IDEDevice *s);
void ide_transfer_start(IDEDevice *s, uint32_t pos, uint32_t len, IDEXfer xfer);
void ide_cmd_done(IDEDevice *s);
void ide_dma_begin(IDEDevice *s, bool to_mem, bool from_buffer, uint64_t sector, uint64_t bytes);
void ide_drain(IDEDevice *s);
/* Completion of the block requests ide.c and atapi.c submit (not DMA). */
void ide_aio_cb(void *opaque, int ret);

/* hw/atapi.c */
void atapi_identify(IDEDevice *s, uint16_t *id);
void atapi_packet_cmd(IDEDevice *s);       /* PACKET (A0h) issued */
void atapi_packet_received(IDEDevice *s);  /* the 12 bytes arrived */
void atapi_pio_next(IDEDevice *s);         /* a data window was consumed */
void atapi_aio_done(IDEDevice *s, int ret);
void atapi_dma_done(IDEDevice *s, int ret);

#endif
