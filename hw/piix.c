/*
 * Intel 82371SB PIIX3 function 0, the PCI-to-ISA bridge: identity 8086:7000,
 * PIRQ route control (PCI INTx -> ISA IRQ) and the reset control register.
 * The ELCR lives with the 8259 model.  Intel 82371FB/SB datasheet (290550).
 */
#include "core/common.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/mainloop.h"
#include "core/vmstate.h"
#include "hw/pci.h"
#include "hw/piix.h"

#define PIIX3_VENDOR_ID         0x8086
#define PIIX3_DEVICE_ID         0x7000
#define PIIX3_CLASS_REV         0x06010000      /* ISA bridge, revision 0 */

/* function 0 registers with non-zero reset values (section 2.2) */
#define PIIX_IORT               0x4c
#define PIIX_XBCS               0x4e
#define PIIX_TOM                0x69
#define PIIX_MBIRQ0             0x70
#define PIIX_MBDMA0             0x76
#define PIIX_MBDMA1             0x77
#define PIIX_SMICNTL            0xa0
#define PIIX_FTMR               0xa8

struct PIIX3State {
    PCIDevice *dev;
    PCIBus *bus;
    IrqLine isa_irq[16];
    uint8_t isa_level[16];      /* what we drive on each ISA line */
    uint8_t rcr;
};

/* PIRQ routes only to these ISA IRQs; others are reserved (section 2.2.12). */
static bool piix3_irq_valid(int irq)
{
    return irq >= 3 && irq <= 15 && irq != 8 && irq != 13;
}

static int piix3_pirq_target(PIIX3State *s, int pirq)
{
    uint8_t r = s->dev->config[PIIX_PIRQRC + pirq];

    if (r & PIIX_PIRQRC_IRQROUTEN)
        return -1;
    r &= PIIX_PIRQRC_IRQ_MASK;
    return piix3_irq_valid(r) ? r : -1;
}

/* Recompute every ISA line that a PIRQ drives or drove; force re-drives all. */
static void piix3_update_irqs(PIIX3State *s, bool force)
{
    uint8_t level[16] = { 0 };
    bool routed[16] = { false };

    for (int p = 0; p < PIIX_NUM_PIRQS; p++) {
        int irq = piix3_pirq_target(s, p);
        if (irq < 0)
            continue;
        routed[irq] = true;
        if (pci_bus_pirq_level(s->bus, p))
            level[irq] = 1;
    }
    for (int i = 0; i < 16; i++) {
        if (level[i] != s->isa_level[i] || (force && routed[i])) {
            s->isa_level[i] = level[i];
            irq_set(&s->isa_irq[i], level[i]);
        }
    }
}

static void piix3_set_pirq(void *opaque, int pirq, int level)
{
    piix3_update_irqs(opaque, false);
}

int piix3_map_irq(void *opaque, int devfn, int pin)
{
    /* the pc board swizzle, also in SeaBIOS' and the DSDT's _PRT: (slot + pin) mod 4 */
    return (PCI_SLOT(devfn) + pin) & 3;
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned size)
{
    PIIX3State *s = d->opaque;

    if (addr < PIIX_PIRQRC + PIIX_NUM_PIRQS && addr + size > PIIX_PIRQRC)
        piix3_update_irqs(s, false);
}

/* ---- reset control register, port 0xcf9 ---- */

static uint32_t piix3_rcr_read(void *opaque, uint32_t offset, unsigned size)
{
    PIIX3State *s = opaque;
    return s->rcr;
}

static void piix3_rcr_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    PIIX3State *s = opaque;

    if (val & PIIX_RCR_RCPU) {
        /* soft (INIT) and hard reset both restart the machine here */
        machine_request_reset(val & PIIX_RCR_SRST ? "PIIX3 RCR hard reset"
                                                  : "PIIX3 RCR soft reset");
        return;
    }
    s->rcr = val & PIIX_RCR_SRST;
}

static const IOPortOps piix3_rcr_ops = {
    .read = piix3_rcr_read,
    .write = piix3_rcr_write,
    .min_size = 1,
    .max_size = 1,
};

/* ---- device ---- */

static void piix3_reset(void *opaque)
{
    PIIX3State *s = opaque;
    uint8_t *c = s->dev->config;

    c[PIIX_IORT] = 0x4d;
    c[PIIX_XBCS] = 0x03;
    for (int p = 0; p < PIIX_NUM_PIRQS; p++)
        c[PIIX_PIRQRC + p] = PIIX_PIRQRC_IRQROUTEN;
    c[PIIX_TOM] = 0x02;
    c[PIIX_MBIRQ0] = 0x80;
    c[PIIX_MBDMA0] = 0x0c;
    c[PIIX_MBDMA1] = 0x0c;
    c[PIIX_SMICNTL] = 0x08;
    c[PIIX_FTMR] = 0x0f;
    s->rcr = 0;
    piix3_update_irqs(s, false);
}

static int piix3_post_load(void *opaque, int version)
{
    PIIX3State *s = opaque;

    s->rcr &= PIIX_RCR_SRST;
    piix3_update_irqs(s, true);
    return 0;
}

static const VMStateField piix3_fields[] = {
    VMSTATE_U8(PIIX3State, rcr),
    VMSTATE_END
};

static const VMStateDescription piix3_vmsd = {
    .name = "piix3",
    .version = 1,
    .minimum_version = 1,
    .post_load = piix3_post_load,
    .fields = piix3_fields,
};

static const DeviceInfo piix3_info = {
    .name = "piix3",
    .reset = piix3_reset,
    .vmsd = &piix3_vmsd,
};

PCIDevice *piix3_pci_device(PIIX3State *s)
{
    return s->dev;
}

PIIX3State *piix3_create(PCIBus *bus, int devfn, const IrqLine isa_irq[16])
{
    PIIX3State *s = xzalloc(sizeof(*s));

    s->bus = bus;
    s->dev = pci_register_device(bus, devfn, "piix3", PIIX3_VENDOR_ID, PIIX3_DEVICE_ID,
                                 PIIX3_CLASS_REV, piix3_config_write, s);
    if (!s->dev) {
        free(s);
        return NULL;
    }
    /* functions 1 (IDE), 2 (USB), 3 (PM) follow: firmware scans them only
     * when function 0 says it is multi-function */
    s->dev->config[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_MULTI_FUNCTION;
    if (isa_irq)
        memcpy(s->isa_irq, isa_irq, sizeof(s->isa_irq));
    pci_bus_set_irq_routing(bus, piix3_map_irq, piix3_set_pirq, s, PIIX_NUM_PIRQS);
    pci_bus_set_cf9_handler(bus, &piix3_rcr_ops, s);
    device_register(&piix3_info, s);
    piix3_reset(s);
    return s;
}
