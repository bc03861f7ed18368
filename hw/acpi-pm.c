/*
 * PIIX4 function 3 (power management, 8086:7113 rev 3) and the ACPI fixed
 * hardware behind PMBASE: PM1a_EVT/PM1a_CNT, the 3.579545 MHz PM timer with
 * TMR_STS, GPE0, SCI, and the APM command port that switches SCI_EN.
 * ACPI 6.x chapter 4.8 (fixed hardware), Intel 82371AB datasheet (290562) 3.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/mainloop.h"
#include "core/vmstate.h"
#include "hw/acpi-pm.h"
#include "hw/pci.h"

#define PIIX4_PM_VENDOR_ID      0x8086
#define PIIX4_PM_DEVICE_ID      0x7113
#define PIIX4_PM_CLASS_REV      0x06800003      /* other bridge, revision 3 */

/* function 3 configuration registers (82371AB section 3.1) */
#define PIIX4_PMBA              0x40    /* PM base address, bits 15:6 */
#define  PIIX4_PMBA_RTE         0x01    /* resource type: I/O (read-only 1) */
#define PIIX4_DEVACTB           0x58
#define  PIIX4_DEVACTB_APMC_EN_BYTE3 0x02   /* bit 25: SMI on 0xb2 writes */
#define PIIX4_PMREGMISC         0x80
#define  PIIX4_PMIOSE           0x01    /* PM I/O space enable */
#define PIIX4_SMBBA             0x90    /* SMBus base, bits 15:4 */
#define PIIX4_SMBHSTCFG         0xd2

/* PM1 status/enable bits (ACPI 4.8.3.1) */
#define ACPI_TMR_STS            0x0001
#define ACPI_BM_STS             0x0010
#define ACPI_GBL_STS            0x0020
#define ACPI_PWRBTN_STS         0x0100
#define ACPI_SLPBTN_STS         0x0200
#define ACPI_RTC_STS            0x0400
#define ACPI_WAK_STS            0x8000
#define ACPI_TMR_EN             0x0001
/* events that raise SCI when enabled */
#define ACPI_PM1_SCI_EVENTS     (ACPI_TMR_STS | ACPI_GBL_STS | ACPI_PWRBTN_STS | \
                                 ACPI_SLPBTN_STS | ACPI_RTC_STS)
/* PM1 control bits (ACPI 4.8.3.2) */
#define ACPI_SCI_EN             0x0001
#define ACPI_SLP_TYP_SHIFT      10
#define ACPI_SLP_TYP_MASK       0x1c00
#define ACPI_SLP_EN             0x2000

#define ACPI_PM_TMR_BITS        24
#define ACPI_PM_TMR_MSB         (1LL << (ACPI_PM_TMR_BITS - 1))

struct ACPIPMState {
    PCIDevice *dev;
    IrqLine sci;
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint16_t gpe_sts, gpe_en;
    uint8_t apmc, apms;
    int64_t tmr_overflow;       /* PM timer tick at which TMR_STS sets next */
    Timer tmr_timer;
    uint16_t io_base;           /* PM block mapped at, 0 when not */
    uint16_t gpe_base;
    int sci_level;
};

/* ---- PM timer: a free-running count of the virtual clock ---- */

static int64_t acpi_pm_tmr_ticks(void)
{
    int64_t ns = clock_ns(CLOCK_VIRTUAL);
    return (int64_t)((__int128)ns * PM_TIMER_FREQUENCY / NANOSECONDS_PER_SECOND);
}

static int64_t acpi_pm_ticks_to_ns(int64_t ticks)
{
    __int128 n = (__int128)ticks * NANOSECONDS_PER_SECOND;
    return (int64_t)((n + PM_TIMER_FREQUENCY - 1) / PM_TIMER_FREQUENCY);
}

/* TMR_STS sets each time bit 23 of the counter changes (ACPI 4.8.3.3). */
static void acpi_pm_tmr_calc_overflow(ACPIPMState *s)
{
    s->tmr_overflow = (acpi_pm_tmr_ticks() + ACPI_PM_TMR_MSB) & ~(ACPI_PM_TMR_MSB - 1);
}

static uint16_t acpi_pm1_sts(ACPIPMState *s)
{
    if (acpi_pm_tmr_ticks() >= s->tmr_overflow)
        s->pm1_sts |= ACPI_TMR_STS;
    return s->pm1_sts;
}

static void acpi_pm_update(ACPIPMState *s)
{
    uint16_t sts = acpi_pm1_sts(s);
    int level = (sts & s->pm1_en & ACPI_PM1_SCI_EVENTS) || (s->gpe_sts & s->gpe_en);

    if (level != s->sci_level) {
        s->sci_level = level;
        irq_set(&s->sci, level);
    }
    /* a timer is needed only to raise SCI at the next overflow */
    if ((s->pm1_en & ACPI_TMR_EN) && !(sts & ACPI_TMR_STS))
        timer_mod(&s->tmr_timer, acpi_pm_ticks_to_ns(s->tmr_overflow));
    else
        timer_del(&s->tmr_timer);
}

static void acpi_pm_tmr_cb(void *opaque)
{
    acpi_pm_update(opaque);
}

/* ---- PM1 ---- */

static void acpi_pm1_sts_write(ACPIPMState *s, uint16_t val)
{
    uint16_t sts = acpi_pm1_sts(s);

    if (sts & val & ACPI_TMR_STS)
        acpi_pm_tmr_calc_overflow(s);
    s->pm1_sts &= ~val;
}

static void acpi_pm1_cnt_write(ACPIPMState *s, uint16_t val)
{
    /* SLP_EN is write-only: it starts the transition and reads back 0 */
    s->pm1_cnt = val & ~ACPI_SLP_EN;
    if (!(val & ACPI_SLP_EN))
        return;
    switch ((val & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) {
    case ACPI_SLP_TYP_S5:
    case ACPI_SLP_TYP_S4:       /* no hibernation image to keep: power off */
        trace(LOG_RESET, "acpi: guest entered soft-off\n");
        machine_request_poweroff();
        break;
    default:
        trace(LOG_UNIMP, "acpi: sleep type %d not supported, ignored\n",
              (val & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT);
        break;
    }
}

static uint32_t acpi_pm_io_read(void *opaque, uint32_t offset, unsigned size)
{
    ACPIPMState *s = opaque;
    uint16_t sts = acpi_pm1_sts(s);
    uint32_t tmr = acpi_pm_tmr_ticks() & ((1u << ACPI_PM_TMR_BITS) - 1);
    uint32_t val = 0;

    for (unsigned i = 0; i < size; i++) {
        uint32_t reg = offset + i;
        uint8_t b = 0;

        if (reg < 2)
            b = sts >> (8 * reg);
        else if (reg < 4)
            b = s->pm1_en >> (8 * (reg - 2));
        else if (reg < 6)
            b = s->pm1_cnt >> (8 * (reg - 4));
        else if (reg >= ACPI_PM_TMR_OFFSET && reg < ACPI_PM_TMR_OFFSET + 4)
            b = tmr >> (8 * (reg - ACPI_PM_TMR_OFFSET));
        val |= (uint32_t)b << (8 * i);
    }
    return val;
}

static void acpi_pm_io_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    ACPIPMState *s = opaque;
    uint16_t clr = 0, en = s->pm1_en, cnt = s->pm1_cnt;
    bool en_w = false, cnt_w = false;

    /* merge the bytes written into the 16-bit registers they belong to */
    for (unsigned i = 0; i < size; i++) {
        uint32_t reg = offset + i;
        uint16_t b = (val >> (8 * i)) & 0xff;

        if (reg < 2) {
            clr |= b << (8 * reg);
        } else if (reg < 4) {
            int sh = 8 * (reg - 2);
            en = (en & ~(0xff << sh)) | (b << sh);
            en_w = true;
        } else if (reg < 6) {
            int sh = 8 * (reg - 4);
            cnt = (cnt & ~(0xff << sh)) | (b << sh);
            cnt_w = true;
        }
    }
    if (clr)
        acpi_pm1_sts_write(s, clr);
    if (en_w)
        s->pm1_en = en;
    if (cnt_w)
        acpi_pm1_cnt_write(s, cnt);
    acpi_pm_update(s);
}

static const IOPortOps acpi_pm_io_ops = {
    .read = acpi_pm_io_read,
    .write = acpi_pm_io_write,
    .min_size = 1,
    .max_size = 4,
};

/* ---- GPE0 block ---- */

static uint32_t acpi_gpe_read(void *opaque, uint32_t offset, unsigned size)
{
    ACPIPMState *s = opaque;
    uint32_t regs = s->gpe_sts | ((uint32_t)s->gpe_en << 16);
    uint32_t val = 0;

    for (unsigned i = 0; i < size && offset + i < ACPI_GPE0_LEN; i++)
        val |= ((regs >> (8 * (offset + i))) & 0xff) << (8 * i);
    return val;
}

static void acpi_gpe_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    ACPIPMState *s = opaque;

    for (unsigned i = 0; i < size && offset + i < ACPI_GPE0_LEN; i++) {
        uint32_t reg = offset + i;
        uint16_t b = (val >> (8 * i)) & 0xff;
        if (reg < 2) {
            s->gpe_sts &= ~(b << (8 * reg));
        } else {
            int sh = 8 * (reg - 2);
            s->gpe_en = (s->gpe_en & ~(0xff << sh)) | (b << sh);
        }
    }
    acpi_pm_update(s);
}

static const IOPortOps acpi_gpe_ops = {
    .read = acpi_gpe_read,
    .write = acpi_gpe_write,
    .min_size = 1,
    .max_size = 4,
};

/* ---- APM control/status (0xb2/0xb3): the FADT's SMI_CMD ---- */

static uint32_t acpi_apm_read(void *opaque, uint32_t offset, unsigned size)
{
    ACPIPMState *s = opaque;
    return offset == 0 ? s->apmc : s->apms;
}

static void acpi_apm_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    ACPIPMState *s = opaque;

    if (offset) {
        s->apms = val;
        return;
    }
    s->apmc = val;
    /* There is no SMM handler: the chipset does what the firmware's handler
     * would, switching between ACPI (SCI) and legacy mode. */
    if (val == ACPI_ENABLE_CMD)
        s->pm1_cnt |= ACPI_SCI_EN;
    else if (val == ACPI_DISABLE_CMD)
        s->pm1_cnt &= ~ACPI_SCI_EN;
}

static const IOPortOps acpi_apm_ops = {
    .read = acpi_apm_read,
    .write = acpi_apm_write,
    .min_size = 1,
    .max_size = 1,
};

/* ---- PCI function 3 ---- */

/* Checked first so that a guest misplacing PMBASE gets a trace, not stderr noise. */
static bool acpi_pm_ports_busy(uint16_t base)
{
    for (uint32_t p = base; p < (uint32_t)base + ACPI_PM_IO_SIZE; p++)
        if (ioport_find((uint16_t)p))
            return true;
    return false;
}

static void acpi_pm_update_io(ACPIPMState *s)
{
    uint8_t *c = s->dev->config;
    uint16_t base = pci_get_long(c + PIIX4_PMBA) & 0xffc0;

    if (!(c[PIIX4_PMREGMISC] & PIIX4_PMIOSE))
        base = 0;
    if (base == s->io_base)
        return;
    if (s->io_base)
        ioport_unregister(s->io_base, ACPI_PM_IO_SIZE);
    s->io_base = 0;
    if (base && !acpi_pm_ports_busy(base) &&
        ioport_register(base, ACPI_PM_IO_SIZE, &acpi_pm_io_ops, s, "acpi-pm") == 0)
        s->io_base = base;
    else if (base)
        trace(LOG_GUEST_ERROR, "acpi: PMBASE 0x%x overlaps another device\n", base);
    trace(LOG_DEV, "acpi: PM registers at 0x%x\n", s->io_base);
}

static void piix4_pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned size)
{
    ACPIPMState *s = d->opaque;

    if ((addr < PIIX4_PMBA + 4 && addr + size > PIIX4_PMBA) ||
        (addr <= PIIX4_PMREGMISC && addr + size > PIIX4_PMREGMISC))
        acpi_pm_update_io(s);
    /* SMBus (0x90, 0xd2) is accepted and not decoded: no SMBus devices */
}

static void piix4_pm_reset(void *opaque)
{
    ACPIPMState *s = opaque;
    uint8_t *c = s->dev->config;

    /* SMI on APM writes looks enabled already, so firmware skips SMM setup:
     * like QEMU without SMM, pcvm has no SMM to set up */
    c[PIIX4_DEVACTB + 3] |= PIIX4_DEVACTB_APMC_EN_BYTE3;
    s->pm1_sts = s->pm1_en = s->pm1_cnt = 0;
    s->gpe_sts = s->gpe_en = 0;
    s->apmc = s->apms = 0;
    acpi_pm_tmr_calc_overflow(s);
    acpi_pm_update_io(s);
    acpi_pm_update(s);
}

static int piix4_pm_post_load(void *opaque, int version)
{
    ACPIPMState *s = opaque;

    s->pm1_cnt &= ~ACPI_SLP_EN;
    acpi_pm_update_io(s);
    s->sci_level = -1;              /* re-drive SCI whatever it was */
    acpi_pm_update(s);
    return 0;
}

static const VMStateField piix4_pm_fields[] = {
    VMSTATE_U16(ACPIPMState, pm1_sts),
    VMSTATE_U16(ACPIPMState, pm1_en),
    VMSTATE_U16(ACPIPMState, pm1_cnt),
    VMSTATE_U16(ACPIPMState, gpe_sts),
    VMSTATE_U16(ACPIPMState, gpe_en),
    VMSTATE_U8(ACPIPMState, apmc),
    VMSTATE_U8(ACPIPMState, apms),
    VMSTATE_I64(ACPIPMState, tmr_overflow),
    VMSTATE_END
};

static const VMStateDescription piix4_pm_vmsd = {
    .name = "piix4-pm",
    .version = 1,
    .minimum_version = 1,
    .post_load = piix4_pm_post_load,
    .fields = piix4_pm_fields,
};

static const DeviceInfo piix4_pm_info = {
    .name = "piix4-pm",
    .reset = piix4_pm_reset,
    .vmsd = &piix4_pm_vmsd,
};

void acpi_pm_power_button(ACPIPMState *s)
{
    s->pm1_sts |= ACPI_PWRBTN_STS;
    acpi_pm_update(s);
}

void acpi_pm_gpe_set(ACPIPMState *s, int bit)
{
    if (bit < 0 || bit > 15)
        return;
    s->gpe_sts |= 1u << bit;
    acpi_pm_update(s);
}

PCIDevice *piix4_pm_pci_device(ACPIPMState *s)
{
    return s->dev;
}

ACPIPMState *piix4_pm_create(PCIBus *bus, int devfn, IrqLine sci, uint16_t gpe0_base)
{
    ACPIPMState *s = xzalloc(sizeof(*s));
    uint8_t *c, *w;

    s->sci = sci;
    timer_init(&s->tmr_timer, CLOCK_VIRTUAL, acpi_pm_tmr_cb, s);
    if (gpe0_base) {
        if (ioport_register(gpe0_base, ACPI_GPE0_LEN, &acpi_gpe_ops, s, "acpi-gpe0") < 0)
            goto err_free;
        s->gpe_base = gpe0_base;
    }
    if (ioport_register(ACPI_APM_CNT_PORT, 2, &acpi_apm_ops, s, "apm") < 0)
        goto err_gpe;
    s->dev = pci_register_device(bus, devfn, "piix4-pm", PIIX4_PM_VENDOR_ID,
                                 PIIX4_PM_DEVICE_ID, PIIX4_PM_CLASS_REV,
                                 piix4_pm_config_write, s);
    if (!s->dev)
        goto err_apm;
    c = s->dev->config;
    w = s->dev->wmask;
    c[PCI_INTERRUPT_PIN] = 1;
    /* PMBA: 64-byte I/O block, bit 0 hard-wired to 1 */
    pci_set_long(w + PIIX4_PMBA, 0x0000ffc0);
    pci_set_long(c + PIIX4_PMBA, PIIX4_PMBA_RTE);
    w[PIIX4_DEVACTB + 3] &= ~PIIX4_DEVACTB_APMC_EN_BYTE3;
    w[PIIX4_PMREGMISC] = PIIX4_PMIOSE;
    pci_set_long(w + PIIX4_SMBBA, 0x0000fff0);
    pci_set_long(c + PIIX4_SMBBA, PIIX4_PMBA_RTE);

    device_register(&piix4_pm_info, s);
    piix4_pm_reset(s);
    return s;

err_apm:
    ioport_unregister(ACPI_APM_CNT_PORT, 2);
err_gpe:
    if (s->gpe_base)
        ioport_unregister(s->gpe_base, ACPI_GPE0_LEN);
err_free:
    error_report("piix4-pm: cannot create the power management function");
    free(s);
    return NULL;
}
