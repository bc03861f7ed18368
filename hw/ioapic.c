/*
 * Intel 82093AA I/O APIC (datasheet 290566-001): IOREGSEL/IOWIN register
 * window, IOAPICID/IOAPICVER/IOAPICARB, and the 24-entry redirection table
 * with edge and level inputs, remote IRR and masking.
 */
#include "core/common.h"
#include "core/device.h"
#include "core/memory.h"
#include "hw/ioapic.h"

/* MMIO window (datasheet 3.0) */
#define IOAPIC_IOREGSEL     0x00
#define IOAPIC_IOWIN        0x10
#define IOAPIC_MMIO_SIZE    0x1000

/* Indirect registers (datasheet 3.2) */
#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VER      0x01
#define IOAPIC_REG_ARB      0x02
#define IOAPIC_REG_REDTBL   0x10      /* 0x10 + 2*n: low dword, +1: high dword */

#define IOAPIC_VERSION      0x20
#define IOAPIC_ID_SHIFT     24
#define IOAPIC_ID_MASK      0x0f

/* Redirection table entry bits (datasheet 3.2.4) */
#define IOAPIC_RTE_VECTOR       0x000000ffULL
#define IOAPIC_RTE_DELMOD_SHIFT 8
#define IOAPIC_RTE_DELMOD       0x00000700ULL
#define IOAPIC_RTE_DESTMOD      (1ULL << 11)   /* 1 = logical */
#define IOAPIC_RTE_DELIVS       (1ULL << 12)   /* read-only */
#define IOAPIC_RTE_INTPOL       (1ULL << 13)   /* 1 = active low */
#define IOAPIC_RTE_REMOTE_IRR   (1ULL << 14)   /* read-only */
#define IOAPIC_RTE_TRIGGER      (1ULL << 15)   /* 1 = level */
#define IOAPIC_RTE_MASK         (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT   56
#define IOAPIC_RTE_RO_BITS      (IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR)
/* bits 17..55 are reserved; keep them zero */
#define IOAPIC_RTE_WRITABLE     (0xff0000000001ffffULL & ~IOAPIC_RTE_RO_BITS)

/* Send every pending, unmasked pin whose previous level interrupt was EOI'd. */
static void ioapic_service(IOAPICState *s)
{
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        uint32_t bit = 1u << i;
        uint64_t e = s->redtbl[i];

        if (!(s->irr & bit) || (e & IOAPIC_RTE_MASK))
            continue;
        bool level = e & IOAPIC_RTE_TRIGGER;
        if (level) {
            if (e & IOAPIC_RTE_REMOTE_IRR)
                continue;              /* the last one is still in service */
            s->redtbl[i] |= IOAPIC_RTE_REMOTE_IRR;
        } else {
            s->irr &= ~bit;
        }
        uint8_t vector = e & IOAPIC_RTE_VECTOR;
        uint8_t mode = (e & IOAPIC_RTE_DELMOD) >> IOAPIC_RTE_DELMOD_SHIFT;
        uint8_t dest = e >> IOAPIC_RTE_DEST_SHIFT;
        trace(LOG_INT, "ioapic: pin %d -> vector 0x%02x mode %u dest 0x%02x%s%s\n", i,
              vector, mode, dest, e & IOAPIC_RTE_DESTMOD ? " logical" : "",
              level ? " level" : "");
        if (s->deliver)
            s->deliver(s->deliver_opaque, dest, e & IOAPIC_RTE_DESTMOD, vector, mode, level);
    }
}

void ioapic_set_irq(void *opaque, int gsi, int level)
{
    IOAPICState *s = opaque;

    if (gsi < 0 || gsi >= IOAPIC_NUM_PINS)
        return;
    uint32_t bit = 1u << gsi;
    bool old = s->lines & bit;

    if (level)
        s->lines |= bit;
    else
        s->lines &= ~bit;

    if (s->redtbl[gsi] & IOAPIC_RTE_TRIGGER) {
        /* level: pending exactly while the line is asserted */
        if (level)
            s->irr |= bit;
        else
            s->irr &= ~bit;
    } else if (level && !old) {
        /* edge: latched on the rising edge (kept while masked, sent on unmask) */
        s->irr |= bit;
    }
    ioapic_service(s);
}

IrqLine ioapic_irq(IOAPICState *s, int gsi)
{
    return irq_line(ioapic_set_irq, s, gsi);
}

void ioapic_eoi(void *opaque, uint8_t vector)
{
    IOAPICState *s = opaque;
    bool again = false;

    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        uint64_t e = s->redtbl[i];
        if ((e & IOAPIC_RTE_VECTOR) != vector || !(e & IOAPIC_RTE_REMOTE_IRR))
            continue;
        s->redtbl[i] &= ~IOAPIC_RTE_REMOTE_IRR;
        if ((e & IOAPIC_RTE_TRIGGER) && (s->lines & (1u << i)))
            again = true;
    }
    if (again)
        ioapic_service(s);
}

static uint32_t ioapic_reg_read(IOAPICState *s)
{
    uint8_t r = s->ioregsel;

    switch (r) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return (uint32_t)s->id << IOAPIC_ID_SHIFT;
    case IOAPIC_REG_VER:
        return ((IOAPIC_NUM_PINS - 1) << 16) | IOAPIC_VERSION;
    default:
        if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->redtbl[(r - IOAPIC_REG_REDTBL) / 2];
            return (r & 1) ? e >> 32 : (uint32_t)e;
        }
        trace(LOG_GUEST_ERROR, "ioapic: read of unknown register 0x%02x\n", r);
        return 0;
    }
}

static void ioapic_reg_write(IOAPICState *s, uint32_t val)
{
    uint8_t r = s->ioregsel;

    if (r == IOAPIC_REG_ID) {
        s->id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
        return;
    }
    if (r < IOAPIC_REG_REDTBL || r >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        trace(LOG_GUEST_ERROR, "ioapic: write 0x%08x to read-only/unknown register 0x%02x\n",
              val, r);
        return;
    }
    int pin = (r - IOAPIC_REG_REDTBL) / 2;
    uint64_t old = s->redtbl[pin], e;

    if (r & 1)
        e = (old & 0xffffffffULL) | ((uint64_t)val << 32);
    else
        e = (old & ~0xffffffffULL) | val;
    e = (e & IOAPIC_RTE_WRITABLE) | (old & IOAPIC_RTE_RO_BITS);
    if (!(e & IOAPIC_RTE_TRIGGER))
        e &= ~IOAPIC_RTE_REMOTE_IRR;   /* remote IRR means nothing for edge */
    s->redtbl[pin] = e;

    /*
     * A level pin is pending exactly while its line is high.  A pin that
     * turns from level to edge has seen no edge yet: nothing pending.
     */
    if (e & IOAPIC_RTE_TRIGGER) {
        if (s->lines & (1u << pin))
            s->irr |= 1u << pin;
        else
            s->irr &= ~(1u << pin);
    } else if (old & IOAPIC_RTE_TRIGGER) {
        s->irr &= ~(1u << pin);
    }
    ioapic_service(s);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    IOAPICState *s = opaque;
    uint32_t val;
    unsigned shift = (offset & 3) * 8;

    switch (offset & ~3ULL & 0xff) {
    case IOAPIC_IOREGSEL:
        val = s->ioregsel;
        break;
    case IOAPIC_IOWIN:
        val = ioapic_reg_read(s);
        break;
    default:
        val = 0;
        break;
    }
    val >>= shift;
    return size >= 4 ? val : val & ((1u << (size * 8)) - 1);
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    IOAPICState *s = opaque;

    switch (offset & 0xff) {
    case IOAPIC_IOREGSEL:
        s->ioregsel = val & 0xff;
        break;
    case IOAPIC_IOWIN:
        if (size != 4) {
            trace(LOG_GUEST_ERROR, "ioapic: %u-byte write to IOWIN dropped\n", size);
            break;
        }
        ioapic_reg_write(s, val);
        break;
    default:
        trace(LOG_GUEST_ERROR, "ioapic: write to offset 0x%llx dropped\n",
              (unsigned long long)offset);
        break;
    }
}

const MemOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .min_size = 1,
    .max_size = 4,
};

static void ioapic_reset(void *opaque)
{
    IOAPICState *s = opaque;

    s->id = 0;
    s->ioregsel = 0;
    s->irr = 0;
    /* lines keep their levels: they belong to the devices, not to the chip */
    for (int i = 0; i < IOAPIC_NUM_PINS; i++)
        s->redtbl[i] = IOAPIC_RTE_MASK;
}

static int ioapic_post_load(void *opaque, int version)
{
    IOAPICState *s = opaque;
    uint32_t pins = (1u << IOAPIC_NUM_PINS) - 1;

    if (s->id > IOAPIC_ID_MASK || (s->irr & ~pins) || (s->lines & ~pins))
        return -EINVAL;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++)
        s->redtbl[i] &= IOAPIC_RTE_WRITABLE | IOAPIC_RTE_RO_BITS;
    return 0;
}

static const VMStateDescription ioapic_vmsd = {
    .name = "ioapic",
    .version = 1,
    .minimum_version = 1,
    .post_load = ioapic_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_U8(IOAPICState, id),
        VMSTATE_U8(IOAPICState, ioregsel),
        VMSTATE_U32(IOAPICState, irr),
        VMSTATE_U32(IOAPICState, lines),
        VMSTATE_U64_ARRAY(IOAPICState, redtbl, IOAPIC_NUM_PINS),
        VMSTATE_END
    },
};

const DeviceInfo ioapic_info = { "ioapic", ioapic_reset, &ioapic_vmsd };

void ioapic_set_deliver(IOAPICState *s, IOAPICDeliverFn *deliver, void *opaque)
{
    s->deliver = deliver;
    s->deliver_opaque = opaque;
}

void ioapic_init(IOAPICState *s, IOAPICDeliverFn *deliver, void *opaque)
{
    memset(s, 0, sizeof(*s));
    ioapic_set_deliver(s, deliver, opaque);
    ioapic_reset(s);
}

IOAPICState *ioapic_create(uint64_t base, IOAPICDeliverFn *deliver, void *opaque)
{
    IOAPICState *s = xzalloc(sizeof(*s));

    ioapic_init(s, deliver, opaque);
    if (!mem_add_mmio("ioapic", base, IOAPIC_MMIO_SIZE, &ioapic_mmio_ops, s, 0)) {
        free(s);
        return NULL;
    }
    device_register(&ioapic_info, s);
    return s;
}
