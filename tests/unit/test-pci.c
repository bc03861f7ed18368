/*
 * PCI bus, i440FX/PIIX3 identity, BAR sizing and mapping, PIRQ routing, the
 * 0xcf9 reset register, and the PIIX4 ACPI PM function (PM timer, SCI, S5),
 * all driven through ports 0xcf8/0xcfc as firmware does.
 */
#include "core/common.h"
#include "core/clock.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/mainloop.h"
#include "core/memory.h"
#include "core/vmstate.h"
#include "hw/acpi-pm.h"
#include "hw/i440fx.h"
#include "hw/pci.h"
#include "hw/piix.h"
#include "tests/unit/tap.h"

static int isa_level[16];
static int sci_level;

static void isa_set(void *opaque, int n, int level) { isa_level[n] = level; }
static void sci_set(void *opaque, int n, int level) { sci_level = level; }

static uint32_t cfg_addr(int devfn, int reg)
{
    return 0x80000000u | (devfn << 8) | (reg & 0xfc);
}

static uint32_t cfg_readl(int devfn, int reg)
{
    ioport_write(0xcf8, cfg_addr(devfn, reg), 4);
    return ioport_read(0xcfc, 4);
}

static uint32_t cfg_read(int devfn, int reg, unsigned size)
{
    ioport_write(0xcf8, cfg_addr(devfn, reg), 4);
    return ioport_read(0xcfc + (reg & 3), size);
}

static void cfg_write(int devfn, int reg, uint32_t val, unsigned size)
{
    ioport_write(0xcf8, cfg_addr(devfn, reg), 4);
    ioport_write(0xcfc + (reg & 3), val, size);
}

/* ---- a test function with an I/O BAR, an MMIO BAR and a ROM BAR ---- */

static uint32_t tdev_io_last_off;
static uint32_t tdev_io_read(void *opaque, uint32_t offset, unsigned size)
{
    return 0xa0 + offset;
}
static void tdev_io_write(void *opaque, uint32_t offset, uint32_t val, unsigned size)
{
    tdev_io_last_off = offset;
}
static const IOPortOps tdev_io_ops = {
    .read = tdev_io_read, .write = tdev_io_write, .min_size = 1, .max_size = 4,
};
static uint64_t tdev_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0x5a000000u | offset;
}
static void tdev_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size) {}
static const MemOps tdev_mmio_ops = {
    .read = tdev_mmio_read, .write = tdev_mmio_write, .min_size = 4, .max_size = 4,
};
static uint8_t tdev_rom[0x10000];

#define TDEV_DEVFN PCI_DEVFN(2, 0)

static void test_ids(void)
{
    ioport_write(0xcf8, 0x80000000u, 4);
    is_int(ioport_read(0xcf8, 4), 0x80000000u, "CONFIG_ADDRESS reads back (PCI present)");
    is_int(cfg_readl(0, 0), 0x12378086, "00:00.0 is i440FX 8086:1237");
    is_int(cfg_readl(0, 8), 0x06000002, "host bridge class 0600, rev 2");
    is_int(cfg_readl(PIIX3_DEVFN, 0), 0x70008086, "00:01.0 is PIIX3 8086:7000");
    is_int(cfg_read(PIIX3_DEVFN, 0x0a, 2), 0x0601, "PIIX3 class is ISA bridge");
    ok(cfg_read(PIIX3_DEVFN, PCI_HEADER_TYPE, 1) & 0x80, "PIIX3 is multi-function");
    is_int(cfg_readl(PIIX4_PM_DEVFN, 0), 0x71138086, "00:01.3 is PIIX4 PM 8086:7113");
    is_int(cfg_readl(PIIX4_PM_DEVFN, 8), 0x06800003, "PM class 0680, rev 3");
    is_int(cfg_readl(PCI_DEVFN(5, 0), 0), 0xffffffffu, "unassigned 00:05.0 reads all ones");
    is_int(cfg_readl(PCI_DEVFN(1, 2), 0), 0xffffffffu, "unassigned 00:01.2 reads all ones");
    ioport_write(0xcf8, 0x80010000u, 4);
    is_int(ioport_read(0xcfc, 4), 0xffffffffu, "bus 1 reads all ones");
    ioport_write(0xcf8, 0x00000000u, 4);
    is_int(ioport_read(0xcfc, 4), 0xffffffffu, "config disabled (bit 31 clear) reads ones");

    /* word and byte accesses at 0xcfc+n */
    is_int(cfg_read(0, 2, 2), 0x1237, "word read at 0xcfe gives device id");
    is_int(cfg_read(0, 1, 1), 0x80, "byte read at 0xcfd gives vendor high byte");
    is_int(cfg_read(0, 3, 1), 0x12, "byte read at 0xcff");

    cfg_write(0, 0, 0xdeadbeef, 4);
    is_int(cfg_readl(0, 0), 0x12378086, "vendor/device are read-only");
    cfg_write(PIIX3_DEVFN, PCI_INTERRUPT_LINE, 0x0b, 1);
    is_int(cfg_read(PIIX3_DEVFN, PCI_INTERRUPT_LINE, 1), 0x0b, "interrupt line is writable");
    is_int(cfg_read(PIIX3_DEVFN, PIIX_PIRQRC, 4), 0x80808080u, "PIRQ routes disabled at reset");
    ok(cfg_readl(PIIX4_PM_DEVFN, 0x58) & (1u << 25),
       "PIIX4 DEVACTB APMC_EN set: firmware skips SMM setup");
}

static void test_bars(PCIBus *bus)
{
    PCIDevice *d = pci_register_device(bus, TDEV_DEVFN, "tdev", 0x1234, 0x5678,
                                       0x02000001, NULL, NULL);
    uint32_t v;

    ok(d != NULL, "test function registered at 00:02.0");
    ok(pci_register_device(bus, TDEV_DEVFN, "dup", 1, 2, 0, NULL, NULL) == NULL,
       "second function at the same devfn is refused");
    is_int(pci_register_bar_io(d, 0, 32, &tdev_io_ops, NULL), 0, "IO BAR0 size 32");
    is_int(pci_register_bar_mmio(d, 1, 4096, false, &tdev_mmio_ops, NULL), 0,
           "MMIO BAR1 size 4K");
    for (size_t i = 0; i < sizeof(tdev_rom); i++)
        tdev_rom[i] = i * 7;
    is_int(pci_register_bar_ram(d, PCI_ROM_SLOT, sizeof(tdev_rom), false, tdev_rom, true),
           0, "ROM BAR 64K");
    ok(pci_register_bar_io(d, 2, 24, &tdev_io_ops, NULL) < 0, "non power of two refused");
    d->config[PCI_INTERRUPT_PIN] = 1;

    is_int(cfg_readl(TDEV_DEVFN, 0x10), 0x1, "IO BAR reads type bit at reset");
    cfg_write(TDEV_DEVFN, 0x10, 0xffffffff, 4);
    is_int(cfg_readl(TDEV_DEVFN, 0x10), 0xffffffe1u, "IO BAR sizing gives ~31 | IO");
    cfg_write(TDEV_DEVFN, 0x14, 0xffffffff, 4);
    is_int(cfg_readl(TDEV_DEVFN, 0x14), 0xfffff000u, "MMIO BAR sizing gives ~4095");
    cfg_write(TDEV_DEVFN, 0x30, 0xffffffff, 4);
    is_int(cfg_readl(TDEV_DEVFN, 0x30), 0xffff0001u, "ROM BAR sizing gives ~64K | enable");
    cfg_write(TDEV_DEVFN, 0x18, 0xffffffff, 4);
    is_int(cfg_readl(TDEV_DEVFN, 0x18), 0, "unimplemented BAR2 reads 0");

    /* program addresses, decode still off */
    cfg_write(TDEV_DEVFN, 0x10, 0xc000, 4);
    cfg_write(TDEV_DEVFN, 0x14, 0xfebf0000, 4);
    cfg_write(TDEV_DEVFN, 0x30, 0xfebe0000 | 1, 4);
    is_int(ioport_read(0xc004, 1), 0xff, "IO BAR not decoded while COMMAND.IO clear");
    is_int(pci_bar_address(d, 0), (long long)PCI_BAR_UNMAPPED, "BAR0 unmapped");

    cfg_write(TDEV_DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    is_int(pci_bar_address(d, 0), 0xc000, "BAR0 mapped at 0xc000");
    is_int(ioport_read(0xc004, 1), 0xa4, "IO BAR decodes with offset");
    ioport_write(0xc01f, 1, 1);
    is_int(tdev_io_last_off, 0x1f, "IO BAR write reaches the device");
    v = 0;
    mem_read(0xfebf0010, &v, 4);
    is_int(v, 0x5a000010, "MMIO BAR decodes at 0xfebf0000");
    v = 0;
    mem_read(0xfebe0100, &v, 1);
    is_int(v, tdev_rom[0x100], "ROM BAR shows the ROM");

    cfg_write(TDEV_DEVFN, 0x10, 0xd000, 4);
    is_int(ioport_read(0xc004, 1), 0xff, "old IO BAR address released on move");
    is_int(ioport_read(0xd004, 1), 0xa4, "IO BAR decodes at the new address");

    cfg_write(TDEV_DEVFN, 0x30, 0xfebe0000, 4);
    ok(mem_lookup(0xfebe0100) == NULL, "ROM BAR unmapped when its enable bit is cleared");

    cfg_write(TDEV_DEVFN, PCI_COMMAND, 0, 2);
    is_int(ioport_read(0xd004, 1), 0xff, "IO BAR released when COMMAND.IO cleared");
    ok(mem_lookup(0xfebf0010) == NULL, "MMIO BAR released when COMMAND.MEM cleared");

    /* sizing with decode on: all-ones address must not be mapped */
    cfg_write(TDEV_DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    cfg_write(TDEV_DEVFN, 0x14, 0xffffffff, 4);
    is_int(pci_bar_address(d, 1), (long long)PCI_BAR_UNMAPPED,
           "BAR at 0xfffff000 (being sized) is not mapped");
    cfg_write(TDEV_DEVFN, 0x10, 0xfff0, 4);
    is_int(pci_bar_address(d, 0), 0xffe0, "IO BAR address is aligned to its size");
    cfg_write(TDEV_DEVFN, 0x10, 0xffffffff, 4);
    is_int(pci_bar_address(d, 0), (long long)PCI_BAR_UNMAPPED, "IO BAR past 64K not mapped");
    cfg_write(TDEV_DEVFN, 0x10, 0xd000, 4);
    cfg_write(TDEV_DEVFN, 0x14, 0xfebf0000, 4);

    /* a second function stacked on the first one's BARs */
    {
        PCIDevice *d2 = pci_register_device(bus, PCI_DEVFN(3, 0), "tdev2", 0x1234, 0x9999,
                                            0x02000000, NULL, NULL);
        pci_register_bar_io(d2, 0, 32, &tdev_io_ops, NULL);
        pci_register_bar_mmio(d2, 1, 4096, false, &tdev_mmio_ops, NULL);
        cfg_write(PCI_DEVFN(3, 0), 0x10, 0xd000, 4);
        cfg_write(PCI_DEVFN(3, 0), 0x14, 0xfebf0000, 4);
        cfg_write(PCI_DEVFN(3, 0), PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
        is_int(pci_bar_address(d2, 0), (long long)PCI_BAR_UNMAPPED,
               "IO BAR on top of another is not mapped");
        is_int(pci_bar_address(d2, 1), (long long)PCI_BAR_UNMAPPED,
               "MMIO BAR on top of another is not mapped");
        is_int(pci_bar_address(d, 0), 0xd000, "the first one keeps its IO BAR");
        cfg_write(TDEV_DEVFN, 0x10, 0xd100, 4);
        cfg_write(TDEV_DEVFN, 0x14, 0xfebf1000, 4);
        is_int(pci_bar_address(d2, 0), 0xd000, "IO BAR mapped once the other moved");
        is_int(pci_bar_address(d2, 1), 0xfebf0000, "MMIO BAR mapped once the other moved");
        is_int(pci_bar_address(d, 1), 0xfebf1000, "moved MMIO BAR decodes at its new place");
        cfg_write(PCI_DEVFN(3, 0), PCI_COMMAND, 0, 2);
        cfg_write(TDEV_DEVFN, 0x10, 0xd000, 4);
        cfg_write(TDEV_DEVFN, 0x14, 0xfebf0000, 4);
    }
}

static void test_irq(PCIBus *bus)
{
    PCIDevice *d = pci_find_device(bus, TDEV_DEVFN);

    /* slot 2, INTA -> PIRQ (2 + 0) & 3 = PIRQC, register 0x62 */
    is_int(piix3_map_irq(NULL, TDEV_DEVFN, 0), 2, "00:02.0 INTA goes to PIRQC");
    is_int(piix3_map_irq(NULL, PCI_DEVFN(3, 0), 1), 0, "00:03.0 INTB goes to PIRQA");
    pci_set_irq(d, 1);
    ok(!isa_level[11], "PIRQ disabled: nothing raised");
    cfg_write(PIIX3_DEVFN, 0x62, 11, 1);
    is_int(isa_level[11], 1, "routing PIRQC to IRQ 11 raises it");
    ok(cfg_read(TDEV_DEVFN, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, "status.INTx set");
    pci_set_irq(d, 0);
    is_int(isa_level[11], 0, "device lowers INTx: IRQ 11 low");
    pci_set_irq(d, 1);
    cfg_write(PIIX3_DEVFN, 0x62, 10, 1);
    is_int(isa_level[11], 0, "re-routing lowers the old IRQ");
    is_int(isa_level[10], 1, "and raises the new one");
    cfg_write(TDEV_DEVFN, PCI_COMMAND + 1, PCI_COMMAND_INTX_DISABLE >> 8, 1);
    is_int(isa_level[10], 0, "COMMAND.INTX_DISABLE masks the pin");
    cfg_write(TDEV_DEVFN, PCI_COMMAND + 1, 0, 1);
    is_int(isa_level[10], 1, "clearing INTX_DISABLE unmasks it");
    cfg_write(PIIX3_DEVFN, 0x62, 0x80 | 10, 1);
    is_int(isa_level[10], 0, "IRQROUTEN disables the route");
    cfg_write(PIIX3_DEVFN, 0x62, 13, 1);
    is_int(isa_level[13], 0, "reserved IRQ 13 is never driven");
    pci_set_irq(d, 0);
    cfg_write(PIIX3_DEVFN, 0x62, 0x80, 1);
}

static void test_save_load(PCIBus *bus)
{
    PCIDevice *d = pci_find_device(bus, TDEV_DEVFN);
    VMStateBuf buf = { 0 };

    cfg_write(TDEV_DEVFN, 0x10, 0xe000, 4);
    ok(ioport_read(0xe000, 1) == 0xa0, "BAR0 at 0xe000 before save");
    is_int(devices_save(&buf), 0, "devices_save");
    cfg_write(TDEV_DEVFN, 0x10, 0xe100, 4);
    ok(ioport_read(0xe000, 1) == 0xff, "moved away");
    buf.pos = 0;
    is_int(devices_load(&buf), 0, "devices_load");
    is_int(pci_bar_address(d, 0), 0xe000, "post_load re-maps BAR0 at the saved address");
    is_int(ioport_read(0xe004, 1), 0xa4, "and it decodes");
    vmstate_buf_free(&buf);
}

static void test_reset_register(void)
{
    is_int(machine_pending_request(), SHUTDOWN_NONE, "no request yet");
    ioport_write(0xcf8, 0x80000810u, 4);
    ioport_write(0xcf9, PIIX_RCR_SRST, 1);
    is_int(ioport_read(0xcf9, 1), PIIX_RCR_SRST, "RCR SRST bit reads back");
    is_int(machine_pending_request(), SHUTDOWN_NONE, "SRST alone does not reset");
    ioport_write(0xcf9, PIIX_RCR_SRST | PIIX_RCR_RCPU, 1);
    is_int(machine_pending_request(), SHUTDOWN_RESET, "0x06 to 0xcf9 requests a reset");
    is_int(ioport_read(0xcf8, 4), 0x80000810u,
           "byte write to 0xcf9 left CONFIG_ADDRESS alone");
}

#define PMBASE 0xb000

static void test_acpi_pm(void)
{
    uint32_t t0, t1, sts;

    is_int(cfg_readl(PIIX4_PM_DEVFN, 0x40), 1, "PMBA reads 1 (I/O) at reset");
    cfg_write(PIIX4_PM_DEVFN, 0x40, PMBASE | 1, 4);
    is_int(ioport_read(PMBASE + 8, 4), 0xffffffffu, "PM block not decoded before PMIOSE");
    cfg_write(PIIX4_PM_DEVFN, 0x80, 1, 1);
    is_int(cfg_readl(PIIX4_PM_DEVFN, 0x40), PMBASE | 1, "PMBA programmed");

    t0 = ioport_read(PMBASE + ACPI_PM_TMR_OFFSET, 4);
    ok(t0 < (1u << 24), "PM timer is 24 bits");
    clock_step(NANOSECONDS_PER_SECOND);
    t1 = ioport_read(PMBASE + ACPI_PM_TMR_OFFSET, 4);
    {
        uint32_t d = (t1 - t0) & 0xffffff;
        ok(d >= PM_TIMER_FREQUENCY - 1 && d <= PM_TIMER_FREQUENCY + 1,
           "PM timer advanced %u ticks in 1 s (3579545 Hz)", d);
    }
    clock_step(1000);   /* 1 us = 3.58 ticks */
    {
        uint32_t d = (ioport_read(PMBASE + ACPI_PM_TMR_OFFSET, 4) - t1) & 0xffffff;
        ok(d >= 3 && d <= 4, "1 us later: %u ticks", d);
    }

    /* TMR_STS and SCI at the bit-23 rollover (every 2^23 ticks, ~2.34 s) */
    ioport_write(PMBASE, 0xffff, 2);        /* clear all status */
    ioport_write(PMBASE + 2, 0x0001, 2);    /* TMR_EN */
    is_int(sci_level, 0, "SCI low after clearing status");
    clock_step(2400 * 1000000LL);
    is_int(sci_level, 1, "SCI raised by the timer overflow");
    sts = ioport_read(PMBASE, 2);
    ok(sts & 1, "TMR_STS set");
    ioport_write(PMBASE, 1, 2);
    ok(!(ioport_read(PMBASE, 2) & 1), "TMR_STS cleared by writing 1");
    is_int(sci_level, 0, "SCI lowered");
    ioport_write(PMBASE + 2, 0, 2);

    /* GPE0 */
    is_int(ioport_read(ACPI_GPE0_BASE_DEFAULT, 4), 0, "GPE0 clear at reset");

    /* APM: ACPI enable handshake */
    ioport_write(ACPI_APM_CNT_PORT, ACPI_ENABLE_CMD, 1);
    ok(ioport_read(PMBASE + ACPI_PM1_CNT_OFFSET, 2) & 1, "0xf1 to 0xb2 sets SCI_EN");

    /* S5 */
    ioport_write(PMBASE + ACPI_PM1_CNT_OFFSET, (ACPI_SLP_TYP_S3 << 10) | 0x2000 | 1, 2);
    ok(machine_pending_request() != SHUTDOWN_POWEROFF, "S3 does not power off");
    ok(!(ioport_read(PMBASE + ACPI_PM1_CNT_OFFSET, 2) & 0x2000), "SLP_EN reads 0");
    ioport_write(PMBASE + ACPI_PM1_CNT_OFFSET, (ACPI_SLP_TYP_S5 << 10) | 0x2000 | 1, 2);
    is_int(machine_pending_request(), SHUTDOWN_POWEROFF, "SLP_TYP 0 + SLP_EN powers off");
}

/* A hostile guest writing random values everywhere must not crash pcvm. */
static void test_random_config(void)
{
    uint32_t x = 12345;

    for (int i = 0; i < 20000; i++) {
        int devfn, reg;
        unsigned size;
        x = x * 1103515245 + 12345;
        devfn = (x >> 8) & 0x1f;            /* slots 0-3, all functions */
        reg = (x >> 13) & 0xff;
        size = 1u << ((x >> 21) % 3);
        x = x * 1103515245 + 12345;
        if (reg == PIIX_PIRQRC + 2 || (devfn == PIIX3_DEVFN && reg >= 0x60 && reg < 0x64))
            continue;                        /* keep the routing test's IRQs out */
        cfg_write(devfn, reg & ~(size - 1), x ^ (x << 7), size);
        if ((i & 63) == 0)
            ioport_write(0xcf8, x | 0x80000000u, 4);
    }
    ok(1, "20000 random config writes survived");
    devices_reset_all();
    is_int(cfg_readl(0, 0), 0x12378086, "host bridge intact after the storm and a reset");
    is_int(cfg_readl(PIIX4_PM_DEVFN, 0), 0x71138086, "PM function intact");
}

static void test_reset(PCIBus *bus)
{
    devices_reset_all();
    is_int(pci_bar_address(pci_find_device(bus, TDEV_DEVFN), 0),
           (long long)PCI_BAR_UNMAPPED, "machine reset unmaps BARs");
    is_int(cfg_readl(TDEV_DEVFN, 0x10), 1, "BAR0 back to type bits only");
    is_int(cfg_read(PIIX3_DEVFN, PIIX_PIRQRC, 4), 0x80808080u, "PIRQ routes reset");
    is_int(ioport_read(PMBASE + 8, 4), 0xffffffffu, "PM block unmapped by reset");
    is_int(cfg_readl(0, 0), 0x12378086, "IDs survive reset");
}

int main(void)
{
    IrqLine isa[16];
    PCIBus *bus = NULL;
    I440FXState *nb;
    uint8_t *ram;

    clock_set_test_mode(true);
    for (int i = 0; i < 16; i++)
        isa[i] = irq_line(isa_set, NULL, i);
    ram = mem_alloc_host(2 * MiB);
    nb = i440fx_create(&bus, ram, 2 * MiB);
    ok(nb && bus, "i440fx and bus created");
    ok(piix3_create(bus, PIIX3_DEVFN, isa) != NULL, "piix3 created");
    ok(piix4_pm_create(bus, PIIX4_PM_DEVFN, irq_line(sci_set, NULL, 9),
                       ACPI_GPE0_BASE_DEFAULT) != NULL, "piix4 pm created");
    ok(pci_bus_create() == NULL, "a second bus cannot take 0xcf8 again");

    test_ids();
    test_bars(bus);
    test_irq(bus);
    test_save_load(bus);
    test_reset_register();
    test_acpi_pm();
    test_reset(bus);
    test_random_config();
    return done_testing();
}
