/*
 * Intel 82441FX PMC (the i440FX host bridge): PCI identity 8086:1237 rev 2,
 * the PAM registers that switch each 0xC0000-0xFFFFF segment between the
 * ROM/PCI side and shadow RAM, and the SMRAM control register.
 * Intel 82440FX PCIset datasheet (290549-001), section 3.2.
 */
#include "core/common.h"
#include "core/device.h"
#include "core/memory.h"
#include "core/vmstate.h"
#include "hw/i440fx.h"
#include "hw/pci.h"

#define I440FX_VENDOR_ID        0x8086
#define I440FX_DEVICE_ID        0x1237
#define I440FX_CLASS_REV        0x06000002      /* host bridge, revision 2 */

#define I440FX_NR_SEGS          13

/* PAM modes (RE/WE bits of one nibble) */
#define PAM_MODE_PCI            0
#define PAM_MODE_RO             I440FX_PAM_RE
#define PAM_MODE_WO             I440FX_PAM_WE
#define PAM_MODE_RW             (I440FX_PAM_RE | I440FX_PAM_WE)

typedef struct I440FXPamSeg {
    I440FXState *s;
    uint32_t start, size;
    uint8_t reg, shift;
    int mode;                   /* as applied to the memory map */
    MemRegion *mr;
    /*
     * Write-only mode: a copy of what reads reach (the ROM side), taken when
     * the mode is set.  A copy, not pointers into the map: regions below may
     * be removed later (a guest can move a BAR) and ROM does not change.
     */
    uint8_t *below;
} I440FXPamSeg;

struct I440FXState {
    PCIDevice *dev;
    PCIBus *bus;
    uint8_t *ram_host;
    uint64_t ram_size;
    I440FXPamSeg seg[I440FX_NR_SEGS];
};

/* ---- write-only segments: reads go to the ROM side, writes to RAM ---- */

static uint64_t i440fx_pam_wo_read(void *opaque, uint64_t offset, unsigned size)
{
    I440FXPamSeg *g = opaque;
    uint64_t val = 0;

    for (unsigned i = 0; i < size && offset + i < g->size; i++)
        val |= (uint64_t)(g->below ? g->below[offset + i] : 0xff) << (8 * i);
    return val;
}

static void i440fx_pam_wo_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    I440FXPamSeg *g = opaque;
    uint64_t gpa = g->start + offset;

    if (offset >= g->size || offset + size > g->size)
        return;
    for (unsigned i = 0; i < size; i++)
        g->s->ram_host[gpa + i] = val >> (8 * i);
    mem_ram_written(gpa, size);
}

static const MemOps i440fx_pam_wo_ops = {
    .read = i440fx_pam_wo_read,
    .write = i440fx_pam_wo_write,
    .min_size = 1,
    .max_size = 8,
};

/*
 * Copy what the (committed) map shows under segment g, its alias removed:
 * ROM bytes; open bus (0xff) where nothing or MMIO decodes.
 */
static void i440fx_pam_snapshot_below(I440FXPamSeg *g)
{
    const FlatView *fv = mem_flatview();
    uint64_t start = g->start, end = (uint64_t)g->start + g->size;

    if (!g->below)
        g->below = xmalloc(g->size);
    memset(g->below, 0xff, g->size);
    for (int i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        uint64_t lo = MAX(fr->start, start), hi = MIN(fr->end, end);

        if (lo >= hi || fr->mr->type != MEM_RAM)
            continue;
        memcpy(g->below + (lo - start), fr->mr->host + fr->mr_offset + (lo - fr->start),
               hi - lo);
    }
}

/* ---- PAM ---- */

static int i440fx_pam_wanted(I440FXState *s, I440FXPamSeg *g)
{
    if ((uint64_t)g->start + g->size > s->ram_size)
        return PAM_MODE_PCI;    /* no RAM behind this segment */
    return (s->dev->config[g->reg] >> g->shift) & PAM_MODE_RW;
}

static void i440fx_pam_map(I440FXState *s, I440FXPamSeg *g, int mode)
{
    char name[MEM_NAME_MAX];

    snprintf(name, sizeof(name), "pam-%05x", g->start);
    switch (mode) {
    case PAM_MODE_RO:
    case PAM_MODE_RW:
        g->mr = mem_add_ram(name, g->start, g->size, s->ram_host + g->start,
                            mode == PAM_MODE_RO, I440FX_PAM_PRIORITY);
        break;
    case PAM_MODE_WO:
        g->mr = mem_add_mmio(name, g->start, g->size, &i440fx_pam_wo_ops, g,
                             I440FX_PAM_PRIORITY);
        break;
    default:
        g->mr = NULL;
        break;
    }
    if (mode != PAM_MODE_WO) {
        free(g->below);
        g->below = NULL;
    }
    if (mode != PAM_MODE_PCI && !g->mr)
        error_report("i440fx: cannot map shadow RAM at 0x%05x", g->start);
    g->mode = g->mr ? mode : PAM_MODE_PCI;
}

/*
 * Bring the memory map in line with PAM0-PAM6.  Removal is committed before
 * write-only segments look at what lies below them.
 */
static void i440fx_update_pam(I440FXState *s, bool force)
{
    int want[I440FX_NR_SEGS];
    bool change[I440FX_NR_SEGS];
    bool any = false;

    for (int i = 0; i < I440FX_NR_SEGS; i++) {
        I440FXPamSeg *g = &s->seg[i];
        want[i] = i440fx_pam_wanted(s, g);
        change[i] = force || want[i] != g->mode;
        any |= change[i];
    }
    if (!any)
        return;

    mem_transaction_begin();
    for (int i = 0; i < I440FX_NR_SEGS; i++) {
        I440FXPamSeg *g = &s->seg[i];
        if (change[i] && g->mr) {
            mem_region_remove(g->mr);
            g->mr = NULL;
            g->mode = PAM_MODE_PCI;
        }
    }
    mem_transaction_commit();

    for (int i = 0; i < I440FX_NR_SEGS; i++)
        if (change[i] && want[i] == PAM_MODE_WO)
            i440fx_pam_snapshot_below(&s->seg[i]);

    mem_transaction_begin();
    for (int i = 0; i < I440FX_NR_SEGS; i++) {
        if (change[i]) {
            i440fx_pam_map(s, &s->seg[i], want[i]);
            trace(LOG_DEV, "i440fx: PAM 0x%05x-0x%05x mode %d\n", s->seg[i].start,
                  s->seg[i].start + s->seg[i].size - 1, want[i]);
        }
    }
    mem_transaction_commit();
}

/* ---- config space ---- */

static void i440fx_smram_write(I440FXState *s, uint8_t val)
{
    uint8_t old = s->dev->config[I440FX_SMRAM], nv;

    if (old & I440FX_SMRAM_D_LCK) {
        /* locked: only D_CLS stays writable until reset */
        nv = (old & ~I440FX_SMRAM_D_CLS) | (val & I440FX_SMRAM_D_CLS);
    } else {
        nv = val & (I440FX_SMRAM_D_OPEN | I440FX_SMRAM_D_CLS | I440FX_SMRAM_D_LCK |
                    I440FX_SMRAM_G_SMRAME);
    }
    if (nv & I440FX_SMRAM_D_LCK)
        nv &= ~I440FX_SMRAM_D_OPEN;
    s->dev->config[I440FX_SMRAM] = nv | I440FX_SMRAM_C_BASE_SEG;
    /* SMRAM itself is not modelled: 0xA0000-0xBFFFF stays with VGA. */
}

static void i440fx_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned size)
{
    I440FXState *s = d->opaque;

    if (addr <= I440FX_SMRAM && addr + size > I440FX_SMRAM)
        i440fx_smram_write(s, val >> (8 * (I440FX_SMRAM - addr)));
    if (addr < I440FX_PAM0 + I440FX_PAM_COUNT && addr + size > I440FX_PAM0)
        i440fx_update_pam(s, false);
}

static void i440fx_reset(void *opaque)
{
    I440FXState *s = opaque;

    /* the PCI layer has cleared PAM0-6: everything below 1 MiB goes to ROM/PCI */
    s->dev->config[I440FX_SMRAM] = I440FX_SMRAM_C_BASE_SEG;
    i440fx_update_pam(s, false);
}

static int i440fx_post_load(void *opaque, int version)
{
    I440FXState *s = opaque;
    uint8_t *c = s->dev->config;

    c[I440FX_SMRAM] = (c[I440FX_SMRAM] & ~0x07) | I440FX_SMRAM_C_BASE_SEG;
    i440fx_update_pam(s, true);
    return 0;
}

/* Every register lives in PCI config space, saved by the PCI layer. */
static const VMStateField i440fx_fields[] = {
    VMSTATE_END
};

static const VMStateDescription i440fx_vmsd = {
    .name = "i440fx",
    .version = 1,
    .minimum_version = 1,
    .post_load = i440fx_post_load,
    .fields = i440fx_fields,
};

static const DeviceInfo i440fx_info = {
    .name = "i440fx",
    .reset = i440fx_reset,
    .vmsd = &i440fx_vmsd,
};

PCIDevice *i440fx_pci_device(I440FXState *s)
{
    return s->dev;
}

I440FXState *i440fx_create(PCIBus **bus_out, uint8_t *ram_host, uint64_t ram_size)
{
    I440FXState *s = xzalloc(sizeof(*s));
    PCIBus *bus;
    int n = 0;

    bus = pci_bus_create();
    if (!bus)
        goto err_free;
    s->bus = bus;
    s->ram_host = ram_host;
    s->ram_size = ram_host ? ram_size : 0;
    s->dev = pci_register_device(bus, I440FX_DEVFN, "i440fx", I440FX_VENDOR_ID,
                                 I440FX_DEVICE_ID, I440FX_CLASS_REV,
                                 i440fx_config_write, s);
    if (!s->dev)
        goto err_free;

    /* PAM0 covers 0xF0000-0xFFFFF with its high nibble only; PAM1-6 cover
     * 16 KiB each per nibble from 0xC0000 up. */
    s->seg[n++] = (I440FXPamSeg){ .s = s, .start = 0xf0000, .size = 0x10000,
                                  .reg = I440FX_PAM0, .shift = 4 };
    for (int r = 1; r < I440FX_PAM_COUNT; r++) {
        for (int h = 0; h < 2; h++) {
            s->seg[n++] = (I440FXPamSeg){
                .s = s, .start = 0xc0000 + (r - 1) * 0x8000 + h * 0x4000,
                .size = 0x4000, .reg = I440FX_PAM0 + r, .shift = 4 * h };
        }
    }

    /* PAM: RE/WE/CE per nibble (PAM0 has only the high one); SMRAM by hand */
    s->dev->wmask[I440FX_PAM0] = 0x70;
    for (int r = 1; r < I440FX_PAM_COUNT; r++)
        s->dev->wmask[I440FX_PAM0 + r] = 0x77;
    s->dev->wmask[I440FX_SMRAM] = 0;
    s->dev->config[I440FX_SMRAM] = I440FX_SMRAM_C_BASE_SEG;

    device_register(&i440fx_info, s);
    if (bus_out)
        *bus_out = bus;
    return s;

err_free:
    error_report("i440fx: cannot create the host bridge");
    free(s);
    return NULL;
}
