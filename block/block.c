/*
 * Block backends: opening images (format probing that never guesses
 * silently), request queues served by a worker thread per backend, the
 * -snapshot overlay (an unlinked temporary file plus a per-sector bitmap),
 * and completions delivered to the main loop through an eventfd.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "core/mainloop.h"
#include "block/block.h"

typedef enum BlkReqType { BLK_REQ_READ, BLK_REQ_WRITE, BLK_REQ_FLUSH } BlkReqType;

typedef struct BlkReq {
    BlockBackend *blk;
    BlkReqType type;
    uint64_t sector;
    size_t bytes;
    struct iovec *iov;
    int iovcnt;
    BlockCompletionFn *cb;
    void *opaque;
    int ret;
    struct BlkReq *next;
} BlkReq;

struct BlockBackend {
    BlockDriverState bs;
    char *what;                  /* "-hda x.img", for messages */
    uint64_t nb_sectors;
    bool read_only;
    bool probed_raw;             /* format guessed: sector 0 is protected */
    /* -snapshot: sectors whose bit is set live in the overlay */
    BlockDriverState overlay;
    uint8_t *overlay_map;
    /* worker thread and its queue */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    BlkReq *queue, **queue_tail;
    bool stop;
    int in_flight;               /* under the big lock */
    BlockBackend *next;
};

static BlockBackend *blk_list;
static pthread_mutex_t blk_done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t blk_done_cond = PTHREAD_COND_INITIALIZER;
static BlkReq *blk_done, **blk_done_tail = &blk_done;
static int blk_event_fd = -1;

/* ---- format probing ---- */

typedef struct BlkMagic {
    const char *name;
    size_t offset, len;
    const char *magic;
} BlkMagic;

/* Formats pcvm recognises and does not open as raw (their own specs' magics). */
static const BlkMagic blk_magics[] = {
    { "qcow2", 0, 4, "QFI\xfb" },
    { "qed", 0, 4, "QED\0" },
    { "vmdk", 0, 4, "KDMV" },
    { "vmdk", 0, 21, "# Disk DescriptorFile" },
    { "vdi", 0x40, 4, "\x7f\x10\xda\xbe" },
    { "vhdx", 0, 8, "vhdxfile" },
    { "vpc", 0, 8, "conectix" },
    { "bochs", 0, 21, "Bochs Virtual HD Imag" },
    { "parallels", 0, 16, "WithoutFreeSpace" },
};

/* The non-raw format whose magic is in buf, or NULL. */
static const char *blk_probe_magic(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(blk_magics); i++) {
        const BlkMagic *m = &blk_magics[i];
        if (m->offset + m->len <= len && !memcmp(buf + m->offset, m->magic, m->len))
            return m->name;
    }
    return NULL;
}

/* ---- completion side (main loop) ---- */

static void blk_complete(BlkReq *req)
{
    bool was_empty;

    req->next = NULL;
    pthread_mutex_lock(&blk_done_lock);
    was_empty = !blk_done;
    *blk_done_tail = req;
    blk_done_tail = &req->next;
    pthread_cond_broadcast(&blk_done_cond);
    pthread_mutex_unlock(&blk_done_lock);
    if (was_empty && blk_event_fd >= 0) {
        uint64_t one = 1;
        if (write(blk_event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
            return;
    }
}

/* Run the callbacks of every finished request; wait for one first if asked. */
static void blk_run_completions(bool wait)
{
    BlkReq *list;

    pthread_mutex_lock(&blk_done_lock);
    while (wait && !blk_done)
        pthread_cond_wait(&blk_done_cond, &blk_done_lock);
    list = blk_done;
    blk_done = NULL;
    blk_done_tail = &blk_done;
    pthread_mutex_unlock(&blk_done_lock);

    while (list) {
        BlkReq *req = list;
        list = req->next;
        req->blk->in_flight--;
        if (req->cb)
            req->cb(req->opaque, req->ret);
        free(req->iov);
        free(req);
    }
}

static void blk_event_read(void *opaque)
{
    uint64_t v;
    if (read(blk_event_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
        return;
    blk_run_completions(false);
}

static void blk_global_init(void)
{
    if (blk_event_fd >= 0)
        return;
    blk_event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    /* Without a main loop (unit tests) completions run in blk_drain(). */
    if (blk_event_fd >= 0)
        mainloop_add_fd(blk_event_fd, blk_event_read, NULL, NULL);
}

void blk_drain(BlockBackend *blk)
{
    blk_run_completions(false);
    while (blk->in_flight > 0)
        blk_run_completions(true);
}

void blk_drain_all(void)
{
    for (;;) {
        bool busy = false;
        blk_run_completions(false);
        for (BlockBackend *b = blk_list; b; b = b->next)
            busy |= b->in_flight > 0;
        if (!busy)
            return;
        blk_run_completions(true);
    }
}

int blk_in_flight(const BlockBackend *blk)
{
    return blk->in_flight;
}

/* ---- worker thread ---- */

/* dst = the [offset, offset+len) part of src; returns the entry count. */
static int blk_iov_slice(const struct iovec *src, int cnt, size_t offset, size_t len,
                         struct iovec *dst)
{
    int n = 0;
    for (int i = 0; i < cnt && len; i++) {
        if (offset >= src[i].iov_len) {
            offset -= src[i].iov_len;
            continue;
        }
        size_t l = MIN(src[i].iov_len - offset, len);
        dst[n].iov_base = (char *)src[i].iov_base + offset;
        dst[n].iov_len = l;
        n++;
        len -= l;
        offset = 0;
    }
    return n;
}

static bool blk_overlay_has(const BlockBackend *blk, uint64_t sector)
{
    return blk->overlay_map[sector >> 3] & (1u << (sector & 7));
}

/* Reads under -snapshot: runs of sectors come from the overlay or the image. */
static int blk_overlay_read(BlockBackend *blk, BlkReq *req)
{
    uint64_t n = req->bytes >> BDRV_SECTOR_BITS;
    struct iovec part[BLK_MAX_IOV];
    uint64_t i = 0;

    while (i < n) {
        bool in_overlay = blk_overlay_has(blk, req->sector + i);
        uint64_t j = i + 1;
        while (j < n && blk_overlay_has(blk, req->sector + j) == in_overlay)
            j++;
        int cnt = blk_iov_slice(req->iov, req->iovcnt, i << BDRV_SECTOR_BITS,
                                (j - i) << BDRV_SECTOR_BITS, part);
        BlockDriverState *bs = in_overlay ? &blk->overlay : &blk->bs;
        int r = bs->drv->preadv(bs, (req->sector + i) << BDRV_SECTOR_BITS, part, cnt);
        if (r < 0)
            return r;
        i = j;
    }
    return 0;
}

static int blk_overlay_write(BlockBackend *blk, BlkReq *req)
{
    uint64_t n = req->bytes >> BDRV_SECTOR_BITS;
    int r = bdrv_raw.pwritev(&blk->overlay, req->sector << BDRV_SECTOR_BITS, req->iov,
                             req->iovcnt);
    if (r < 0)
        return r;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t s = req->sector + i;
        blk->overlay_map[s >> 3] |= 1u << (s & 7);
    }
    return 0;
}

static int blk_do_request(BlockBackend *blk, BlkReq *req)
{
    BlockDriverState *bs = &blk->bs;

    switch (req->type) {
    case BLK_REQ_READ:
        if (blk->overlay_map)
            return blk_overlay_read(blk, req);
        return bs->drv->preadv(bs, req->sector << BDRV_SECTOR_BITS, req->iov, req->iovcnt);
    case BLK_REQ_WRITE:
        if (blk->overlay_map)
            return blk_overlay_write(blk, req);
        return bs->drv->pwritev(bs, req->sector << BDRV_SECTOR_BITS, req->iov, req->iovcnt);
    case BLK_REQ_FLUSH:
        /* the overlay is thrown away at exit: nothing to make durable there */
        return blk->overlay_map ? 0 : bs->drv->flush(bs);
    }
    return -EINVAL;
}

static void *blk_worker(void *opaque)
{
    BlockBackend *blk = opaque;

    pthread_mutex_lock(&blk->lock);
    for (;;) {
        while (!blk->queue && !blk->stop)
            pthread_cond_wait(&blk->cond, &blk->lock);
        if (!blk->queue)
            break;
        BlkReq *req = blk->queue;
        blk->queue = req->next;
        if (!blk->queue)
            blk->queue_tail = &blk->queue;
        pthread_mutex_unlock(&blk->lock);
        req->ret = blk_do_request(blk, req);
        blk_complete(req);
        pthread_mutex_lock(&blk->lock);
    }
    pthread_mutex_unlock(&blk->lock);
    return NULL;
}

/* ---- submission ---- */

static void blk_submit(BlockBackend *blk, BlkReqType type, uint64_t sector,
                       const struct iovec *iov, int iovcnt, BlockCompletionFn *cb, void *opaque)
{
    BlkReq *req = xzalloc(sizeof(*req));
    int err = 0;

    req->blk = blk;
    req->type = type;
    req->sector = sector;
    req->cb = cb;
    req->opaque = opaque;
    blk->in_flight++;

    if (type != BLK_REQ_FLUSH) {
        if (iovcnt < 0 || iovcnt > BLK_MAX_IOV) {
            err = -EINVAL;
            goto fail;
        }
        for (int i = 0; i < iovcnt; i++)
            req->bytes += iov[i].iov_len;
        uint64_t n = req->bytes >> BDRV_SECTOR_BITS;
        if (req->bytes & (BDRV_SECTOR_SIZE - 1)) {
            err = -EINVAL;
            goto fail;
        }
        if (sector > blk->nb_sectors || n > blk->nb_sectors - sector) {
            err = -EIO;
            goto fail;
        }
        if (type == BLK_REQ_WRITE && blk->read_only) {
            err = -EROFS;
            goto fail;
        }
        if (type == BLK_REQ_WRITE && blk->probed_raw && sector == 0 && n > 0) {
            /* As QEMU: a guest may not turn a guessed-raw image into something
             * the next probe would open as another format. */
            uint8_t first[BDRV_SECTOR_SIZE];
            size_t got = 0;
            for (int i = 0; i < iovcnt && got < sizeof(first); i++) {
                size_t l = MIN(iov[i].iov_len, sizeof(first) - got);
                memcpy(first + got, iov[i].iov_base, l);
                got += l;
            }
            if (blk_probe_magic(first, sizeof(first))) {
                trace(LOG_GUEST_ERROR, "%s: write to sector 0 of a probed raw image refused\n",
                      blk->what);
                err = -EPERM;
                goto fail;
            }
        }
        req->iovcnt = iovcnt;
        req->iov = xmalloc(MAX(iovcnt, 1) * sizeof(*iov));
        memcpy(req->iov, iov, iovcnt * sizeof(*iov));
    }

    pthread_mutex_lock(&blk->lock);
    *blk->queue_tail = req;
    blk->queue_tail = &req->next;
    pthread_cond_signal(&blk->cond);
    pthread_mutex_unlock(&blk->lock);
    return;

fail:
    req->ret = err;
    blk_complete(req);
}

void blk_aio_preadv(BlockBackend *blk, uint64_t sector, const struct iovec *iov, int iovcnt,
                    BlockCompletionFn *cb, void *opaque)
{
    blk_submit(blk, BLK_REQ_READ, sector, iov, iovcnt, cb, opaque);
}

void blk_aio_pwritev(BlockBackend *blk, uint64_t sector, const struct iovec *iov, int iovcnt,
                     BlockCompletionFn *cb, void *opaque)
{
    blk_submit(blk, BLK_REQ_WRITE, sector, iov, iovcnt, cb, opaque);
}

void blk_aio_flush(BlockBackend *blk, BlockCompletionFn *cb, void *opaque)
{
    blk_submit(blk, BLK_REQ_FLUSH, 0, NULL, 0, cb, opaque);
}

typedef struct BlkSync {
    bool done;
    int ret;
} BlkSync;

static void blk_sync_cb(void *opaque, int ret)
{
    BlkSync *s = opaque;
    s->done = true;
    s->ret = ret;
}

static int blk_sync_rw(BlockBackend *blk, uint64_t sector, void *buf, size_t bytes, bool write)
{
    struct iovec iov = { buf, bytes };
    BlkSync s = { false, 0 };

    blk_submit(blk, write ? BLK_REQ_WRITE : BLK_REQ_READ, sector, &iov, 1, blk_sync_cb, &s);
    while (!s.done)
        blk_run_completions(true);
    return s.ret;
}

int blk_pread(BlockBackend *blk, uint64_t sector, void *buf, size_t bytes)
{
    return blk_sync_rw(blk, sector, buf, bytes, false);
}

int blk_pwrite(BlockBackend *blk, uint64_t sector, const void *buf, size_t bytes)
{
    return blk_sync_rw(blk, sector, (void *)buf, bytes, true);
}

/* ---- open / close ---- */

static int blk_lock_image(BlockBackend *blk)
{
    /* Two pcvm processes writing one image destroy it: take an OFD lock
     * (shared when we only read). */
    struct flock fl = { .l_type = blk->bs.writable ? F_WRLCK : F_RDLCK,
                        .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    if (fcntl(blk->bs.fd, F_OFD_SETLK, &fl) == 0)
        return 0;
    if (errno == EAGAIN || errno == EACCES) {
        error_report("%s: Failed to get \"%s\" lock: is another process using the image?",
                     blk->what, blk->bs.writable ? "write" : "shared");
        return -EBUSY;
    }
    return 0;                /* file system without locks: go on */
}

static int blk_open_overlay(BlockBackend *blk)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];

    snprintf(path, sizeof(path), "%s/pcvm-snapshot-XXXXXX", dir && *dir ? dir : "/var/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        error_report("%s: -snapshot: cannot create a temporary file in %s: %s", blk->what,
                     dir && *dir ? dir : "/var/tmp", strerror(errno));
        return -errno;
    }
    unlink(path);
    blk->overlay.drv = &bdrv_raw;
    blk->overlay.fd = fd;
    blk->overlay.writable = true;
    blk->overlay.filename = xstrdup(path);
    /* calloc'd bitmaps come from mmap for big sizes: untouched pages cost nothing */
    blk->overlay_map = calloc(1, (blk->nb_sectors + 7) / 8 + 1);
    if (!blk->overlay_map) {
        close(fd);
        return -ENOMEM;
    }
    return 0;
}

int blk_open(BlockBackend **pblk, const char *filename, const char *format, unsigned flags,
             const char *what)
{
    bool snapshot = flags & BLK_OPEN_SNAPSHOT;
    bool rdonly = flags & BLK_OPEN_RDONLY;
    /* -snapshot never writes the image, so it is opened read-only */
    bool writable = !rdonly && !snapshot;
    BlockBackend *blk = xzalloc(sizeof(*blk));
    uint8_t head[4096];
    struct stat st;
    int64_t len;
    int r;

    size_t wl = strlen(what ? what : "") + strlen(filename) + 2;
    blk->what = xmalloc(wl);
    snprintf(blk->what, wl, "%s%s%s", what ? what : "", what ? " " : "", filename);
    blk->bs.fd = -1;
    blk->overlay.fd = -1;
    blk->bs.filename = xstrdup(filename);
    blk->bs.writable = writable;
    blk->read_only = rdonly;

    blk->bs.fd = open(filename, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (blk->bs.fd < 0) {
        r = -errno;
        if (writable && (errno == EACCES || errno == EROFS))
            error_report("%s: %s (use readonly=on or -snapshot to open it read-only)",
                         blk->what, strerror(errno));
        else
            error_report("%s: %s", blk->what, strerror(errno));
        goto fail;
    }
    if (fstat(blk->bs.fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        r = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
        error_report("%s: %s", blk->what, strerror(-r));
        goto fail;
    }

    memset(head, 0, sizeof(head));
    ssize_t got = pread(blk->bs.fd, head, sizeof(head), 0);
    if (got < 0) {
        r = -errno;
        error_report("%s: %s", blk->what, strerror(errno));
        goto fail;
    }
    const char *probed = blk_probe_magic(head, got);
    if (!format) {
        if (probed) {
            error_report("%s: this is a %s image; %s is not supported yet", blk->what, probed,
                         probed);
            r = -ENOTSUP;
            goto fail;
        }
        /* as QEMU: only an image pcvm may write gets the warning and the guard */
        if (writable) {
            warn_report("Image format was not specified for '%s' and probing guessed raw. "
                        "Automatically detecting the format is dangerous for raw images, "
                        "write operations on block 0 will be restricted. Specify the 'raw' "
                        "format explicitly to remove the restrictions.", filename);
            blk->probed_raw = true;
        }
    } else if (!strcmp(format, "qcow2")) {
        error_report("%s: qcow2 is not supported yet", blk->what);
        r = -ENOTSUP;
        goto fail;
    } else if (strcmp(format, "raw")) {
        error_report("%s: format=%s: unknown image format", blk->what, format);
        r = -EINVAL;
        goto fail;
    }
    blk->bs.drv = &bdrv_raw;
    r = blk->bs.drv->open(&blk->bs, writable);
    if (r < 0) {
        error_report("%s: %s", blk->what, strerror(-r));
        goto fail;
    }
    len = blk->bs.drv->getlength(&blk->bs);
    if (len < 0) {
        r = (int)len;
        error_report("%s: %s", blk->what, strerror(-r));
        goto fail;
    }
    /* a partial last sector is readable (the rest reads as zeros) */
    blk->nb_sectors = ((uint64_t)len + BDRV_SECTOR_SIZE - 1) >> BDRV_SECTOR_BITS;

    r = blk_lock_image(blk);
    if (r < 0)
        goto fail;
    if (snapshot && !rdonly) {
        r = blk_open_overlay(blk);
        if (r < 0)
            goto fail;
    }

    blk_global_init();
    pthread_mutex_init(&blk->lock, NULL);
    pthread_cond_init(&blk->cond, NULL);
    blk->queue_tail = &blk->queue;
    /* the worker takes no signals: they belong to the main and vCPU threads */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = -pthread_create(&blk->thread, NULL, blk_worker, blk);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r) {
        error_report("%s: cannot start the I/O thread: %s", blk->what, strerror(-r));
        goto fail;
    }
    blk->next = blk_list;
    blk_list = blk;
    *pblk = blk;
    return 0;

fail:
    if (blk->bs.fd >= 0)
        close(blk->bs.fd);
    if (blk->overlay.fd >= 0)
        close(blk->overlay.fd);
    free(blk->overlay_map);
    free(blk->overlay.filename);
    free(blk->bs.filename);
    free(blk->what);
    free(blk);
    return r;
}

void blk_close(BlockBackend *blk)
{
    if (!blk)
        return;
    blk_drain(blk);
    pthread_mutex_lock(&blk->lock);
    blk->stop = true;
    pthread_cond_signal(&blk->cond);
    pthread_mutex_unlock(&blk->lock);
    pthread_join(blk->thread, NULL);
    int r = blk->overlay_map ? 0 : blk->bs.drv->flush(&blk->bs);
    if (r < 0)
        warn_report("%s: flush at exit failed: %s", blk->what, strerror(-r));
    blk->bs.drv->close(&blk->bs);
    close(blk->bs.fd);
    if (blk->overlay.fd >= 0)
        close(blk->overlay.fd);
    for (BlockBackend **p = &blk_list; *p; p = &(*p)->next) {
        if (*p == blk) {
            *p = blk->next;
            break;
        }
    }
    pthread_mutex_destroy(&blk->lock);
    pthread_cond_destroy(&blk->cond);
    free(blk->overlay_map);
    free(blk->overlay.filename);
    free(blk->bs.filename);
    free(blk->what);
    free(blk);
}

void blk_close_all(void)
{
    while (blk_list)
        blk_close(blk_list);
}

uint64_t blk_nb_sectors(const BlockBackend *blk)
{
    return blk->nb_sectors;
}

bool blk_is_read_only(const BlockBackend *blk)
{
    return blk->read_only;
}

const char *blk_filename(const BlockBackend *blk)
{
    return blk->bs.filename;
}
