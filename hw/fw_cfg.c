/*
 * QEMU firmware configuration device, x86 I/O port flavour: a selector
 * register, a byte-wide data register and the DMA interface, over a table of
 * items (legacy keys and named files listed in FW_CFG_FILE_DIR).
 * Interface as described in QEMU's docs/specs/fw_cfg.rst; written here.
 */
#include "core/common.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/memory.h"
#include "core/vmstate.h"
#include "hw/fw_cfg.h"

#define FW_CFG_CTL_OFFSET       0x00    /* selector, 16-bit write */
#define FW_CFG_DATA_OFFSET      0x01    /* data, 8-bit read */
#define FW_CFG_DMA_OFFSET       0x04    /* DMA address, BE64 as two BE32 halves */
#define FW_CFG_DMA_ADDR_HIGH    0x00    /* within the DMA range */
#define FW_CFG_DMA_ADDR_LOW     0x04    /* writing it starts the transfer */
#define FW_CFG_DMA_LEN          8

#define FW_CFG_INVALID          0xffffffffu
#define FW_CFG_DIR_ENTRY_SIZE   64      /* be32 size, be16 select, be16 rsvd, name[56] */
#define FW_CFG_DMA_DESC_SIZE    16      /* be32 control, be32 length, be64 address */

typedef struct FWCfgEntry {
    uint8_t *data;
    uint32_t len;
} FWCfgEntry;

struct FWCfgState {
    uint16_t base;
    FWCfgEntry entries[2][FW_CFG_MAX_ENTRY];   /* [arch-local][key & ENTRY_MASK] */
    char files[FW_CFG_FILE_SLOTS][FW_CFG_MAX_FILE_NAME];
    int nfiles;
    uint32_t cur_entry;         /* selected key, or FW_CFG_INVALID */
    uint32_t cur_offset;
    uint32_t dma_addr_high;
};

static const uint8_t fw_cfg_dma_sig[FW_CFG_DMA_LEN] = "QEMU CFG";

/* ---- byte order helpers: the file directory and DMA are big-endian ---- */

static void fw_cfg_st_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void fw_cfg_st_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static uint32_t fw_cfg_ld_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}
static void fw_cfg_st_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = v >> (8 * i);
}

/* ---- items ---- */

static FWCfgEntry *fw_cfg_entry(FWCfgState *s, uint32_t key)
{
    uint32_t idx = key & FW_CFG_ENTRY_MASK;

    if (key == FW_CFG_INVALID || idx >= FW_CFG_MAX_ENTRY)
        return NULL;
    return &s->entries[!!(key & FW_CFG_ARCH_LOCAL)][idx];
}

static int fw_cfg_set(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    FWCfgEntry *e;

    if ((key & FW_CFG_WRITE_CHANNEL) || len > UINT32_MAX || (len && !data))
        return -EINVAL;
    e = fw_cfg_entry(s, key);
    if (!e)
        return -EINVAL;
    free(e->data);
    e->data = len ? xmalloc(len) : NULL;
    if (len)
        memcpy(e->data, data, len);
    e->len = len;
    return 0;
}

static int fw_cfg_file_cmp(const void *a, const void *b, void *opaque)
{
    FWCfgState *s = opaque;
    return strcmp(s->files[*(const int *)a], s->files[*(const int *)b]);
}

/* FW_CFG_FILE_DIR: be32 count, then one 64-byte record per file, sorted by name */
static void fw_cfg_rebuild_dir(FWCfgState *s)
{
    size_t len = 4 + (size_t)s->nfiles * FW_CFG_DIR_ENTRY_SIZE;
    uint8_t *dir = xzalloc(len);
    int order[FW_CFG_FILE_SLOTS];

    for (int i = 0; i < s->nfiles; i++)
        order[i] = i;
    qsort_r(order, s->nfiles, sizeof(order[0]), fw_cfg_file_cmp, s);
    fw_cfg_st_be32(dir, s->nfiles);
    for (int i = 0; i < s->nfiles; i++) {
        int f = order[i];
        uint8_t *r = dir + 4 + i * FW_CFG_DIR_ENTRY_SIZE;
        fw_cfg_st_be32(r, s->entries[0][FW_CFG_FILE_FIRST + f].len);
        fw_cfg_st_be16(r + 4, FW_CFG_FILE_FIRST + f);
        memcpy(r + 8, s->files[f], FW_CFG_MAX_FILE_NAME);
    }
    fw_cfg_set(s, FW_CFG_FILE_DIR, dir, len);
    free(dir);
}

int fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    int ret = fw_cfg_set(s, key, data, len);

    /* a file's size is in the directory: keep it current */
    if (ret == 0 && !(key & FW_CFG_ARCH_LOCAL) && key >= FW_CFG_FILE_FIRST &&
        key - FW_CFG_FILE_FIRST < s->nfiles)
        fw_cfg_rebuild_dir(s);
    return ret;
}

int fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t val)
{
    uint8_t b[2];
    fw_cfg_st_le(b, val, 2);
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

int fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t val)
{
    uint8_t b[4];
    fw_cfg_st_le(b, val, 4);
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

int fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t val)
{
    uint8_t b[8];
    fw_cfg_st_le(b, val, 8);
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

int fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str)
{
    return fw_cfg_add_bytes(s, key, str, strlen(str) + 1);
}

int fw_cfg_file_key(FWCfgState *s, const char *name)
{
    for (int i = 0; i < s->nfiles; i++)
        if (!strcmp(s->files[i], name))
            return FW_CFG_FILE_FIRST + i;
    return -ENOENT;
}

int fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    int key = fw_cfg_file_key(s, name);
    int ret;

    if (!name[0] || strlen(name) >= FW_CFG_MAX_FILE_NAME)
        return -EINVAL;
    if (key < 0) {
        if (s->nfiles >= FW_CFG_FILE_SLOTS)
            return -ENOSPC;
        key = FW_CFG_FILE_FIRST + s->nfiles;
        ret = fw_cfg_set(s, key, data, len);
        if (ret < 0)
            return ret;
        memset(s->files[s->nfiles], 0, FW_CFG_MAX_FILE_NAME);
        strcpy(s->files[s->nfiles], name);
        s->nfiles++;
    } else {
        ret = fw_cfg_set(s, key, data, len);
        if (ret < 0)
            return ret;
    }
    fw_cfg_rebuild_dir(s);
    return 0;
}

int fw_cfg_add_e820(FWCfgState *s, const FWCfgE820Entry *e, int n)
{
    enum { REC = 20 };          /* packed le64 address, le64 length, le32 type */
    uint8_t *buf;
    int ret;

    if (n < 0 || n > 128)
        return -EINVAL;
    buf = xzalloc((size_t)n * REC + 1);
    for (int i = 0; i < n; i++) {
        fw_cfg_st_le(buf + i * REC, e[i].address, 8);
        fw_cfg_st_le(buf + i * REC + 8, e[i].length, 8);
        fw_cfg_st_le(buf + i * REC + 16, e[i].type, 4);
    }
    ret = fw_cfg_add_file(s, "etc/e820", buf, (size_t)n * REC);
    free(buf);
    return ret;
}

int fw_cfg_add_e820_ram(FWCfgState *s, uint64_t below_4g, uint64_t above_4g)
{
    /* One RAM range from 0: SeaBIOS carves out the BIOS areas itself. */
    FWCfgE820Entry e[2] = {
        { 0, below_4g, E820_RAM },
        { 4 * GiB, above_4g, E820_RAM },
    };
    return fw_cfg_add_e820(s, e, above_4g ? 2 : 1);
}

/* ---- selector and data registers ---- */

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    s->cur_offset = 0;
    if ((key & FW_CFG_ENTRY_MASK) >= FW_CFG_MAX_ENTRY) {
        s->cur_entry = FW_CFG_INVALID;
    } else {
        /* the write channel bit is accepted and ignored: no item is writable */
        s->cur_entry = key & (FW_CFG_ARCH_LOCAL | FW_CFG_ENTRY_MASK);
    }
    trace(LOG_DEV, "fw_cfg: select 0x%04x%s\n", key,
          s->cur_entry == FW_CFG_INVALID ? " (invalid)" : "");
}

static uint8_t fw_cfg_data_read(FWCfgState *s)
{
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_entry);

    /* past the end, or nothing selected: zeros */
    if (!e || !e->data || s->cur_offset >= e->len)
        return 0;
    return e->data[s->cur_offset++];
}

static uint32_t fw_cfg_io_read(void *opaque, uint32_t offset, unsigned size)
{
    FWCfgState *s = opaque;

    if (offset == FW_CFG_DATA_OFFSET && size == 1)
        return fw_cfg_data_read(s);
    return 0;
}

static void fw_cfg_io_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    FWCfgState *s = opaque;

    if (offset == FW_CFG_CTL_OFFSET && size == 2)
        fw_cfg_select(s, val);
    else
        trace(LOG_GUEST_ERROR, "fw_cfg: ignored write of 0x%x to port 0x%x/%u\n", val,
              s->base + offset, size);
}

static const IOPortOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
    .min_size = 1,
    .max_size = 2,
};

/* ---- DMA ---- */

/*
 * Copy between buf and guest RAM, refusing anything that is not RAM (or not
 * writable RAM when writing to the guest).  buf == NULL with to_guest zero-fills.
 */
static int fw_cfg_dma_rw(uint64_t gpa, void *buf, uint64_t len, bool to_guest)
{
    uint8_t *p = buf;

    if (gpa + len < gpa)
        return -EFAULT;
    while (len) {
        const FlatRange *fr = mem_lookup(gpa);
        uint64_t chunk;
        uint8_t *host;

        if (!fr || !fr->mr || fr->mr->type != MEM_RAM || fr->end <= gpa)
            return -EFAULT;
        chunk = MIN(len, fr->end - gpa);
        host = mem_ram_ptr(gpa, chunk, to_guest);
        if (!host)
            return -EFAULT;
        if (!to_guest)
            memcpy(p, host, chunk);
        else if (p)
            memcpy(host, p, chunk);
        else
            memset(host, 0, chunk);
        if (to_guest)
            mem_ram_written(gpa, chunk);
        gpa += chunk;
        len -= chunk;
        if (p)
            p += chunk;
    }
    return 0;
}

static void fw_cfg_dma_transfer(FWCfgState *s, uint64_t desc)
{
    uint8_t d[FW_CFG_DMA_DESC_SIZE], ctl[4];
    uint32_t control, length;
    uint64_t addr;
    bool read = false, write = false;

    if (fw_cfg_dma_rw(desc, d, sizeof(d), false) < 0) {
        trace(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%llx is not in RAM\n",
              (unsigned long long)desc);
        fw_cfg_st_be32(ctl, FW_CFG_DMA_CTL_ERROR);
        fw_cfg_dma_rw(desc, ctl, sizeof(ctl), true);
        return;
    }
    control = fw_cfg_ld_be32(d);
    length = fw_cfg_ld_be32(d + 4);
    addr = ((uint64_t)fw_cfg_ld_be32(d + 8) << 32) | fw_cfg_ld_be32(d + 12);

    if (control & FW_CFG_DMA_CTL_SELECT)
        fw_cfg_select(s, control >> 16);
    if (control & FW_CFG_DMA_CTL_READ)
        read = true;
    else if (control & FW_CFG_DMA_CTL_WRITE)
        write = true;
    else if (!(control & FW_CFG_DMA_CTL_SKIP))
        length = 0;
    trace(LOG_DEV, "fw_cfg: DMA ctl 0x%x len %u addr 0x%llx\n", control, length,
          (unsigned long long)addr);

    control &= ~FW_CFG_DMA_CTL_ERROR;
    while (length > 0 && !(control & FW_CFG_DMA_CTL_ERROR)) {
        FWCfgEntry *e = fw_cfg_entry(s, s->cur_entry);
        uint32_t len;

        if (!e || !e->data || s->cur_offset >= e->len) {
            /* beyond the item: reads give zeros, writes have nowhere to go */
            len = length;
            if (read && fw_cfg_dma_rw(addr, NULL, len, true) < 0)
                control |= FW_CFG_DMA_CTL_ERROR;
            if (write)
                control |= FW_CFG_DMA_CTL_ERROR;
        } else {
            len = MIN(length, e->len - s->cur_offset);
            if (read && fw_cfg_dma_rw(addr, e->data + s->cur_offset, len, true) < 0)
                control |= FW_CFG_DMA_CTL_ERROR;
            if (write)
                control |= FW_CFG_DMA_CTL_ERROR;    /* no item is guest-writable */
            s->cur_offset += len;
        }
        addr += len;
        length -= len;
    }
    if (control & FW_CFG_DMA_CTL_ERROR)
        trace(LOG_GUEST_ERROR, "fw_cfg: DMA to/from 0x%llx failed\n",
              (unsigned long long)addr);
    /* done: the control word becomes 0, or just the error bit */
    fw_cfg_st_be32(ctl, control & FW_CFG_DMA_CTL_ERROR);
    fw_cfg_dma_rw(desc, ctl, sizeof(ctl), true);
}

static uint32_t fw_cfg_dma_read(void *opaque, uint32_t offset, unsigned size)
{
    uint32_t val = 0;

    /* reads give the big-endian signature "QEMU CFG" */
    for (unsigned i = 0; i < size && offset + i < FW_CFG_DMA_LEN; i++)
        val |= (uint32_t)fw_cfg_dma_sig[offset + i] << (8 * i);
    return val;
}

static void fw_cfg_dma_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    FWCfgState *s = opaque;

    /* The guest writes the big-endian address with outl: swap it back. */
    if (size != 4)
        return;
    if (offset == FW_CFG_DMA_ADDR_HIGH) {
        s->dma_addr_high = __builtin_bswap32(val);
    } else if (offset == FW_CFG_DMA_ADDR_LOW) {
        uint64_t desc = ((uint64_t)s->dma_addr_high << 32) | __builtin_bswap32(val);
        s->dma_addr_high = 0;
        fw_cfg_dma_transfer(s, desc);
    }
}

static const IOPortOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .min_size = 1,
    .max_size = 4,
};

/* ---- device ---- */

static void fw_cfg_reset(void *opaque)
{
    FWCfgState *s = opaque;

    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr_high = 0;
}

static int fw_cfg_post_load(void *opaque, int version)
{
    FWCfgState *s = opaque;

    if (s->cur_entry != FW_CFG_INVALID &&
        (s->cur_entry & ~(uint32_t)(FW_CFG_ARCH_LOCAL | FW_CFG_ENTRY_MASK) ||
         (s->cur_entry & FW_CFG_ENTRY_MASK) >= FW_CFG_MAX_ENTRY))
        return -EINVAL;
    return 0;
}

static const VMStateField fw_cfg_fields[] = {
    VMSTATE_U32(FWCfgState, cur_entry),
    VMSTATE_U32(FWCfgState, cur_offset),
    VMSTATE_U32(FWCfgState, dma_addr_high),
    VMSTATE_END
};

static const VMStateDescription fw_cfg_vmsd = {
    .name = "fw_cfg",
    .version = 1,
    .minimum_version = 1,
    .post_load = fw_cfg_post_load,
    .fields = fw_cfg_fields,
};

static const DeviceInfo fw_cfg_info = {
    .name = "fw_cfg",
    .reset = fw_cfg_reset,
    .vmsd = &fw_cfg_vmsd,
};

FWCfgState *fw_cfg_create(uint16_t base)
{
    FWCfgState *s = xzalloc(sizeof(*s));
    static const uint8_t sig[4] = { 'Q', 'E', 'M', 'U' };

    s->base = base;
    if (ioport_register(base, 2, &fw_cfg_io_ops, s, "fw_cfg") < 0)
        goto err_free;
    if (ioport_register(base + FW_CFG_DMA_OFFSET, FW_CFG_DMA_LEN, &fw_cfg_dma_ops, s,
                        "fw_cfg-dma") < 0)
        goto err_io;
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, sig, sizeof(sig));
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    fw_cfg_rebuild_dir(s);
    device_register(&fw_cfg_info, s);
    fw_cfg_reset(s);
    return s;

err_io:
    ioport_unregister(base, 2);
err_free:
    error_report("fw_cfg: ports 0x%x-0x%x are taken", base, base + 11);
    free(s);
    return NULL;
}
