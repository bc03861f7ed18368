/*
 * The raw image format: guest sector n is bytes n*512.. of the file.  Reads
 * past the end of a file whose size is not a multiple of 512 return zeros.
 * Plain preadv/pwritev/fdatasync on the worker thread.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "block/block.h"

static int raw_probe(const uint8_t *buf, size_t len)
{
    return 1;                /* anything can be raw: the lowest score */
}

static int raw_open(BlockDriverState *bs, bool writable)
{
    return 0;
}

static void raw_close(BlockDriverState *bs)
{
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    struct stat st;

    if (fstat(bs->fd, &st) < 0)
        return -errno;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(bs->fd, 0, SEEK_END);
        return end < 0 ? -errno : end;
    }
    return st.st_size;
}

/* Skip done bytes of an iovec: returns the first entry still to do and its offset. */
static int raw_iov_skip(const struct iovec *iov, int iovcnt, size_t done, size_t *off)
{
    int i = 0;
    while (i < iovcnt && done >= iov[i].iov_len) {
        done -= iov[i].iov_len;
        i++;
    }
    *off = done;
    return i;
}

static int raw_rw(BlockDriverState *bs, uint64_t offset, const struct iovec *iov, int iovcnt,
                  bool write)
{
    size_t total = 0, done = 0;
    struct iovec tmp[BLK_MAX_IOV];

    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    while (done < total) {
        size_t off;
        int first = raw_iov_skip(iov, iovcnt, done, &off);
        int n = iovcnt - first;
        memcpy(tmp, iov + first, n * sizeof(*tmp));
        tmp[0].iov_base = (char *)tmp[0].iov_base + off;
        tmp[0].iov_len -= off;
        ssize_t r = write ? pwritev(bs->fd, tmp, n, offset + done)
                          : preadv(bs->fd, tmp, n, offset + done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0) {
            if (write)
                return -EIO;
            /* end of file: the rest of the last sector reads as zeros */
            while (done < total) {
                first = raw_iov_skip(iov, iovcnt, done, &off);
                size_t len = iov[first].iov_len - off;
                memset((char *)iov[first].iov_base + off, 0, len);
                done += len;
            }
            break;
        }
        done += r;
    }
    return 0;
}

static int raw_preadv(BlockDriverState *bs, uint64_t offset, const struct iovec *iov, int iovcnt)
{
    return raw_rw(bs, offset, iov, iovcnt, false);
}

static int raw_pwritev(BlockDriverState *bs, uint64_t offset, const struct iovec *iov, int iovcnt)
{
    return raw_rw(bs, offset, iov, iovcnt, true);
}

static int raw_flush(BlockDriverState *bs)
{
    if (!bs->writable)
        return 0;
    return fdatasync(bs->fd) < 0 ? -errno : 0;
}

const BlockDriver bdrv_raw = {
    .format_name = "raw",
    .probe = raw_probe,
    .open = raw_open,
    .close = raw_close,
    .getlength = raw_getlength,
    .preadv = raw_preadv,
    .pwritev = raw_pwritev,
    .flush = raw_flush,
};
