/*
 * Disk images: a BlockBackend is what a device (IDE disk or CD-ROM) talks to.
 * Requests are addressed in 512-byte sectors with an iovec and complete
 * through a callback that runs in the main loop (with the big lock held).
 * Format drivers (raw today, qcow2 later) sit below; the -snapshot overlay
 * sits between the backend and the driver and works for any format.
 */
#ifndef PCVM_BLOCK_H
#define PCVM_BLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1u << BDRV_SECTOR_BITS)
/* Most iovec entries a request may carry (the caller's array is copied). */
#define BLK_MAX_IOV      1024

typedef struct BlockBackend BlockBackend;
typedef struct BlockDriverState BlockDriverState;

/*
 * A format driver.  The I/O functions are synchronous and run on the
 * backend's worker thread (later: submitted to libaio instead); they get
 * byte offsets that are multiples of 512 and return 0 or -errno.
 */
typedef struct BlockDriver {
    const char *format_name;
    /* Score for the first bytes of a file (0: not this format). */
    int (*probe)(const uint8_t *buf, size_t len);
    int (*open)(BlockDriverState *bs, bool writable);
    void (*close)(BlockDriverState *bs);
    int64_t (*getlength)(BlockDriverState *bs);
    int (*preadv)(BlockDriverState *bs, uint64_t offset, const struct iovec *iov, int iovcnt);
    int (*pwritev)(BlockDriverState *bs, uint64_t offset, const struct iovec *iov, int iovcnt);
    int (*flush)(BlockDriverState *bs);
} BlockDriver;

/* One opened image file with its format driver. */
struct BlockDriverState {
    const BlockDriver *drv;
    int fd;
    char *filename;
    bool writable;
    void *opaque;            /* the driver's own state */
};

extern const BlockDriver bdrv_raw;

/* blk_open flags */
#define BLK_OPEN_RDONLY     (1u << 0)   /* readonly=on, or a CD-ROM */
#define BLK_OPEN_SNAPSHOT   (1u << 1)   /* writes go to a temporary overlay */

/*
 * Open filename.  format is "raw", "qcow2" or NULL (probe: a raw guess is
 * announced with a warning and sector 0 is then protected, as QEMU does).
 * what names the option for messages ("-hda").  Errors are reported as
 * "pcvm: -hda x.img: ..." and returned as -errno.
 */
int blk_open(BlockBackend **pblk, const char *filename, const char *format, unsigned flags,
             const char *what);
/* Finish every request, flush and close. */
void blk_close(BlockBackend *blk);
/* Drain, flush and close every backend still open (pcvm's exit path). */
void blk_close_all(void);

uint64_t blk_nb_sectors(const BlockBackend *blk);
/* Guest writes are refused with -EROFS (CD-ROMs, readonly=on). */
bool blk_is_read_only(const BlockBackend *blk);
const char *blk_filename(const BlockBackend *blk);

/* ret is 0 or -errno (-EIO for a range past the end, -EROFS, -EPERM). */
typedef void BlockCompletionFn(void *opaque, int ret);

/*
 * Asynchronous requests.  The iov array is copied (at most BLK_MAX_IOV
 * entries; the buffers themselves must stay valid until completion) and its
 * total length must be a multiple of 512.  cb always runs later, from the
 * main loop or blk_drain(), never inside the submitting call.
 */
void blk_aio_preadv(BlockBackend *blk, uint64_t sector, const struct iovec *iov, int iovcnt,
                    BlockCompletionFn *cb, void *opaque);
void blk_aio_pwritev(BlockBackend *blk, uint64_t sector, const struct iovec *iov, int iovcnt,
                     BlockCompletionFn *cb, void *opaque);
/* Make every completed write durable (fdatasync of the image). */
void blk_aio_flush(BlockBackend *blk, BlockCompletionFn *cb, void *opaque);

/* Wait until blk (or every backend) has no request in flight, running the
 * completion callbacks (and whatever they submit).  Caller holds the big lock. */
void blk_drain(BlockBackend *blk);
void blk_drain_all(void);
/* Requests submitted and not yet completed (callback not run). */
int blk_in_flight(const BlockBackend *blk);

/* Synchronous helpers for tests and firmware loading: 0 or -errno. */
int blk_pread(BlockBackend *blk, uint64_t sector, void *buf, size_t bytes);
int blk_pwrite(BlockBackend *blk, uint64_t sector, const void *buf, size_t bytes);

#endif
