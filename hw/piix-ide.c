/*
 * PIIX3 IDE (82371SB function 1, 8086:7010): two legacy channels at
 * 0x1f0/0x3f6 (IRQ 14) and 0x170/0x376 (IRQ 15) and the bus master IDE
 * function at BAR4, whose PRD walk checks every descriptor against guest
 * memory.  Intel 82371FB/SB datasheet (290550), sections 2.4 and 2.7.
 */
#include "core/common.h"
#include "core/device.h"
#include "core/memory.h"
#include "core/vmstate.h"
#include "hw/pci.h"
#include "hw/piix-ide.h"

#define PIIX3_IDE_VENDOR_ID     0x8086
#define PIIX3_IDE_DEVICE_ID     0x7010
/* mass storage, IDE, prog-if 0x80: bus master, both channels in compat mode */
#define PIIX3_IDE_CLASS_REV     0x01018000
#define PIIX_IDE_BAR_BM         4
#define PIIX_IDETIM_PRI         0x40
#define PIIX_IDETIM_SEC         0x42

/* Descriptor layout: base (bit 0 zero), byte count (bit 0 zero, 0 = 64K), EOT */
#define PRD_SIZE                8
#define PRD_EOT                 0x80000000u

/* ---- PRD walk ---- */

/* Load the next descriptor; false when the table was used up. */
static bool bmdma_fetch(BMDMAState *bm, BMDMAWalk *w)
{
    uint8_t d[PRD_SIZE];

    if (w->exhausted)
        return false;
    /* the table lives in one 64K page: the descriptor address wraps inside it */
    uint32_t gpa = (bm->prd_addr & 0xffff0000u) | (w->entry & 0xffff);
    if (mem_read(gpa, d, sizeof(d)) < 0)
        bm->status |= BM_STATUS_ERROR;           /* master abort */
    w->entry = (w->entry + PRD_SIZE) & 0xffff;
    uint32_t base = d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
    uint32_t count = (d[4] | d[5] << 8) & 0xfffe;
    uint32_t flags = d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24;
    w->addr = base & ~1u;
    w->len = count ? count : 0x10000;
    w->eot = flags & PRD_EOT;
    return true;
}

static void bmdma_advance(BMDMAWalk *w, uint32_t len)
{
    w->addr += len;
    w->len -= len;
    if (w->len == 0 && w->eot)
        w->exhausted = true;
}

static bool bmdma_running(void *opaque)
{
    BMDMAState *bm = opaque;
    /* no bus cycles without Bus Master Enable in the PCI command register */
    return (bm->cmd & BM_CMD_START) && (bm->status & BM_STATUS_ACTIVE) &&
           (pci_get_word(bm->pci->config + PCI_COMMAND) & PCI_COMMAND_MASTER);
}

static int64_t bmdma_map(void *opaque, struct iovec *iov, int *iovcnt, uint64_t max, bool to_mem)
{
    BMDMAState *bm = opaque;
    BMDMAWalk *w = &bm->walk;
    uint64_t done = 0;
    uint32_t boff = 0;
    bool last_bounce = false;
    int n = 0, room = *iovcnt;

    bm->saved = *w;
    bm->nseg = 0;
    max = MIN(max, (uint64_t)sizeof(bm->bounce));
    while (done < max && bm->nseg < BM_MAX_SEGS) {
        if (w->len == 0 && !bmdma_fetch(bm, w))
            break;
        uint32_t len = MIN((uint64_t)w->len, max - done);
        BMDMASeg *sg = &bm->seg[bm->nseg];
        /* RAM is used in place; anything else (MMIO, ROM, nothing) goes
         * through the bounce buffer and mem_read/mem_write.  One iovec entry
         * stays free for the bounce buffer. */
        void *p = n < room - 1 ? mem_ram_ptr(w->addr, len, to_mem) : NULL;
        if (p) {
            iov[n].iov_base = p;
            iov[n].iov_len = len;
            n++;
            last_bounce = false;
            sg->bounce = false;
        } else {
            if (!last_bounce) {
                if (n >= room)
                    break;
                iov[n].iov_base = bm->bounce + boff;
                iov[n].iov_len = 0;
                n++;
                last_bounce = true;
            }
            iov[n - 1].iov_len += len;
            sg->bounce = true;
            sg->bounce_off = boff;
            if (!to_mem && mem_read(w->addr, bm->bounce + boff, len) < 0)
                bm->status |= BM_STATUS_ERROR;
            boff += len;
        }
        sg->gpa = w->addr;
        sg->len = len;
        bm->nseg++;
        bmdma_advance(w, len);
        done += len;
    }
    *iovcnt = n;
    bm->mapped = done;
    return done;
}

static void bmdma_unmap(void *opaque, uint64_t done, bool to_mem)
{
    BMDMAState *bm = opaque;
    uint64_t left = done;

    for (int i = 0; i < bm->nseg && left; i++) {
        BMDMASeg *sg = &bm->seg[i];
        uint32_t len = MIN((uint64_t)sg->len, left);
        if (to_mem) {
            if (!sg->bounce)
                mem_ram_written(sg->gpa, len);
            else if (mem_write(sg->gpa, bm->bounce + sg->bounce_off, len) < 0)
                bm->status |= BM_STATUS_ERROR;
        }
        left -= len;
    }
    bm->nseg = 0;
    if (done < bm->mapped) {
        /* part of the mapping was not used: walk again to just after it */
        BMDMAWalk *w = &bm->walk;
        *w = bm->saved;
        left = done;
        while (left) {
            if (w->len == 0 && !bmdma_fetch(bm, w))
                break;
            uint32_t len = MIN((uint64_t)w->len, left);
            bmdma_advance(w, len);
            left -= len;
        }
    }
    bm->mapped = 0;
}

static void bmdma_end(void *opaque, bool short_table)
{
    BMDMAState *bm = opaque;

    /* Active stays set when the device finished before the table did */
    if (short_table || bm->walk.exhausted)
        bm->status &= ~BM_STATUS_ACTIVE;
}

static void bmdma_irq_raised(void *opaque)
{
    BMDMAState *bm = opaque;
    bm->status |= BM_STATUS_INT;
}

static const IDEDMAOps bmdma_ops = {
    .running = bmdma_running,
    .map = bmdma_map,
    .unmap = bmdma_unmap,
    .end = bmdma_end,
    .irq_raised = bmdma_irq_raised,
};

/* ---- bus master registers (BAR4) ---- */

static uint8_t bmdma_readb(BMDMAState *bm, uint32_t reg)
{
    switch (reg) {
    case BM_CMD:
        return bm->cmd;
    case BM_STATUS:
        return bm->status;
    case BM_PRD: case BM_PRD + 1: case BM_PRD + 2: case BM_PRD + 3:
        return bm->prd_addr >> (8 * (reg - BM_PRD));
    }
    return 0;
}

static void bmdma_writeb(BMDMAState *bm, uint32_t reg, uint8_t val)
{
    switch (reg) {
    case BM_CMD: {
        uint8_t old = bm->cmd;
        bm->cmd = val & (BM_CMD_START | BM_CMD_WRITE);
        if (!(old & BM_CMD_START) && (val & BM_CMD_START)) {
            memset(&bm->walk, 0, sizeof(bm->walk));
            bm->walk.entry = bm->prd_addr & 0xffff;
            bm->status |= BM_STATUS_ACTIVE;
            ide_bus_dma_start(bm->bus);
        } else if ((old & BM_CMD_START) && !(val & BM_CMD_START)) {
            bm->status &= ~BM_STATUS_ACTIVE;
            ide_bus_dma_stop(bm->bus);
        }
        break;
    }
    case BM_STATUS:
        bm->status = (bm->status & ~(BM_STATUS_DRV0_DMA | BM_STATUS_DRV1_DMA)) |
                     (val & (BM_STATUS_DRV0_DMA | BM_STATUS_DRV1_DMA));
        bm->status &= ~(val & (BM_STATUS_ERROR | BM_STATUS_INT));
        break;
    case BM_PRD: case BM_PRD + 1: case BM_PRD + 2: case BM_PRD + 3: {
        int shift = 8 * (reg - BM_PRD);
        bm->prd_addr = (bm->prd_addr & ~(0xffu << shift)) | ((uint32_t)val << shift);
        bm->prd_addr &= ~3u;
        break;
    }
    }
}

static uint32_t piix_ide_bm_read(void *opaque, uint32_t offset, unsigned size)
{
    PIIXIDEState *s = opaque;
    uint32_t val = 0;

    for (unsigned i = 0; i < size && offset + i < 2 * BM_CHANNEL_SIZE; i++) {
        uint32_t o = offset + i;
        val |= (uint32_t)bmdma_readb(&s->bm[o / BM_CHANNEL_SIZE], o % BM_CHANNEL_SIZE) << (8 * i);
    }
    return val;
}

static void piix_ide_bm_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    PIIXIDEState *s = opaque;

    /* the PRD pointer first, so a dword write of command+status+... stays sane */
    for (unsigned i = 0; i < size && offset + i < 2 * BM_CHANNEL_SIZE; i++) {
        uint32_t o = offset + i;
        bmdma_writeb(&s->bm[o / BM_CHANNEL_SIZE], o % BM_CHANNEL_SIZE, val >> (8 * i));
    }
}

static const IOPortOps piix_ide_bm_ops = {
    .read = piix_ide_bm_read,
    .write = piix_ide_bm_write,
    .min_size = 1,
    .max_size = 4,
};

/* ---- device ---- */

static void piix_ide_reset(void *opaque)
{
    PIIXIDEState *s = opaque;

    for (int i = 0; i < 2; i++) {
        BMDMAState *bm = &s->bm[i];
        ide_bus_reset(&s->bus[i]);
        bm->cmd = 0;
        /* the drive-DMA-capable bits are what a BIOS would have set up */
        bm->status = (s->bus[i].drives[0].kind != IDE_NONE ? BM_STATUS_DRV0_DMA : 0) |
                     (s->bus[i].drives[1].kind != IDE_NONE ? BM_STATUS_DRV1_DMA : 0);
        bm->prd_addr = 0;
        memset(&bm->walk, 0, sizeof(bm->walk));
        bm->nseg = 0;
        bm->mapped = 0;
    }
    pci_set_word(s->dev->config + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM | 0x80);
}

static const VMStateField bmdma_walk_fields[] = {
    VMSTATE_U32(BMDMAWalk, entry),
    VMSTATE_U32(BMDMAWalk, addr),
    VMSTATE_U32(BMDMAWalk, len),
    VMSTATE_BOOL(BMDMAWalk, eot),
    VMSTATE_BOOL(BMDMAWalk, exhausted),
    VMSTATE_END,
};

static const VMStateDescription bmdma_walk_vmsd = {
    .name = "bmdma-walk", .version = 1, .minimum_version = 1, .fields = bmdma_walk_fields,
};

static const VMStateField bmdma_fields[] = {
    VMSTATE_U8(BMDMAState, cmd),
    VMSTATE_U8(BMDMAState, status),
    VMSTATE_U32(BMDMAState, prd_addr),
    VMSTATE_STRUCT(BMDMAState, walk, &bmdma_walk_vmsd),
    VMSTATE_END,
};

static const VMStateDescription bmdma_vmsd = {
    .name = "bmdma", .version = 1, .minimum_version = 1, .fields = bmdma_fields,
};

static int piix_ide_pre_save(void *opaque)
{
    PIIXIDEState *s = opaque;
    for (int i = 0; i < 2; i++)
        ide_bus_pre_save(&s->bus[i]);
    return 0;
}

static int piix_ide_post_load(void *opaque, int version)
{
    PIIXIDEState *s = opaque;

    for (int i = 0; i < 2; i++) {
        BMDMAState *bm = &s->bm[i];
        bm->cmd &= BM_CMD_START | BM_CMD_WRITE;
        bm->prd_addr &= ~3u;
        bm->walk.entry &= 0xffff;
        if (bm->walk.len > 0x10000)
            return -EINVAL;
        bm->nseg = 0;
        bm->mapped = 0;
        if (ide_bus_post_load(&s->bus[i]) < 0)
            return -EINVAL;
    }
    return 0;
}

static const VMStateField piix_ide_fields[] = {
    VMSTATE_STRUCT_ARRAY(PIIXIDEState, bm, 2, &bmdma_vmsd),
    VMSTATE_STRUCT_ARRAY(PIIXIDEState, bus, 2, &ide_bus_vmsd),
    VMSTATE_END,
};

static const VMStateDescription piix_ide_vmsd = {
    .name = "piix3-ide",
    .version = 1,
    .minimum_version = 1,
    .pre_save = piix_ide_pre_save,
    .post_load = piix_ide_post_load,
    .fields = piix_ide_fields,
};

static const DeviceInfo piix_ide_info = {
    .name = "piix3-ide",
    .reset = piix_ide_reset,
    .vmsd = &piix_ide_vmsd,
};

PIIXIDEState *piix3_ide_create(PCIBus *bus, int devfn, IrqLine irq14, IrqLine irq15)
{
    static const uint16_t cmd_base[2] = { 0x1f0, 0x170 }, ctl_base[2] = { 0x3f6, 0x376 };
    PIIXIDEState *s = xzalloc(sizeof(*s));

    s->dev = pci_register_device(bus, devfn, "piix3-ide", PIIX3_IDE_VENDOR_ID,
                                 PIIX3_IDE_DEVICE_ID, PIIX3_IDE_CLASS_REV, NULL, s);
    if (!s->dev)
        goto fail;
    if (pci_register_bar_io(s->dev, PIIX_IDE_BAR_BM, 16, &piix_ide_bm_ops, s) < 0)
        goto fail;
    for (int i = 0; i < 2; i++) {
        ide_bus_init(&s->bus[i], i ? "ide1" : "ide0", i ? irq15 : irq14);
        s->bm[i].bus = &s->bus[i];
        s->bm[i].pci = s->dev;
        ide_bus_set_dma(&s->bus[i], &bmdma_ops, &s->bm[i]);
        if (ide_bus_register_ports(&s->bus[i], cmd_base[i], ctl_base[i]) < 0)
            goto fail;
    }
    device_register(&piix_ide_info, s);
    piix_ide_reset(s);
    return s;
fail:
    free(s);
    return NULL;
}

int piix3_ide_add_drives(PIIXIDEState *s, const PcvmConfig *cfg)
{
    for (int i = 0; i < cfg->nr_drives; i++) {
        const DriveOpts *d = &cfg->drives[i];
        BlockBackend *blk = NULL;
        bool cd = d->media == MEDIA_CDROM;
        int r;

        if (d->interface != IF_IDE && d->interface != IF_NONE) {
            error_report("%s: only if=ide drives are supported", d->option);
            return -ENOTSUP;
        }
        if (d->interface == IF_NONE)
            continue;
        if (d->index < 0 || d->index > 3)
            return -EINVAL;
        if (d->file && *d->file) {
            unsigned flags = (cd || d->readonly ? BLK_OPEN_RDONLY : 0) |
                             (d->snapshot ? BLK_OPEN_SNAPSHOT : 0);
            r = blk_open(&blk, d->file, d->format, flags, d->option);
            if (r < 0)
                return r;
        } else if (!cd) {
            error_report("%s: a hard disk needs an image file", d->option);
            return -EINVAL;
        }
        IDEBus *b = &s->bus[d->index / 2];
        r = ide_drive_attach(b, d->index % 2, cd ? IDE_CD : IDE_HD, blk);
        if (r < 0) {
            error_report("%s: cannot attach the drive: %s", d->option, strerror(-r));
            blk_close(blk);
            return r;
        }
        /* firmware learns DMA capability from here (set by BIOSes, 290550 2.7.2) */
        s->bm[d->index / 2].status |= d->index % 2 ? BM_STATUS_DRV1_DMA : BM_STATUS_DRV0_DMA;
    }
    return 0;
}
