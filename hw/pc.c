/*
 * The PC board: QEMU's "pc" machine as SeaBIOS knows it — i440FX host bridge,
 * PIIX3 ISA bridge, PIIX4 ACPI power management, the legacy ISA devices and
 * fw_cfg.  Read top to bottom, this is the machine.
 */
#include <time.h>

#include "core/accel.h"
#include "core/chardev.h"
#include "core/common.h"
#include "core/cpus.h"
#include "core/device.h"
#include "core/ioport.h"
#include "core/memory.h"
#include "hw/acpi-build.h"
#include "hw/acpi-pm.h"
#include "hw/apic.h"
#include "hw/fw_cfg.h"
#include "hw/i440fx.h"
#include "hw/i8042.h"
#include "hw/i8254.h"
#include "hw/i8259.h"
#include "hw/ioapic.h"
#include "hw/kernel-loader.h"
#include "hw/mc146818rtc.h"
#include "hw/misc-ports.h"
#include "core/board.h"
#include "hw/pci.h"
#include "hw/piix.h"
#include "hw/piix-ide.h"
#include "hw/serial.h"

/* The i440FX leaves 0xe0000000-0xffffffff for PCI and the BIOS (as QEMU's pc). */
#define PC_LOWMEM_LIMIT 0xe0000000ULL
#define ISA_BIOS_SIZE   (128 * KiB)
#define BIOS_DEFAULT    "bios-256k.bin"
#define VGABIOS_DEFAULT "vgabios-stdvga.bin"
#define NR_GSI 24

static const uint16_t serial_base[MAX_SERIAL] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const int serial_irq[MAX_SERIAL] = { 4, 3, 4, 3 };

typedef struct PCMachine {
    uint64_t ram_size, below_4g, above_4g;
    uint8_t *ram;
    uint8_t *bios;
    size_t bios_size;
    uint8_t *vgabios;
    size_t vgabios_size;
    IrqLine gsi[NR_GSI];
    PICState *pic;
    IOAPICState *ioapic;        /* and the local APICs: software CPU only */
    PITState *pit;
    RTCState *rtc;
    PCIBus *pci;
    I440FXState *i440fx;
    FWCfgState *fw_cfg;
    CharDev *serial_chr[MAX_SERIAL];
    CharDev *debugcon_chr;
    uint32_t serial_mask;       /* bit n: COM(n+1) exists (for the DSDT) */
} PCMachine;

static PCMachine pc;

static void pc_gsi_kvm(void *opaque, int n, int level)
{
    current_accel->set_gsi(n, level);
}

/* Load a firmware file found with config_find_firmware; errors name the package. */
static int pc_load_firmware(const PcvmConfig *cfg, const char *name, const char *option,
                            uint8_t **data, size_t *size)
{
    char *path = config_find_firmware(cfg, name);
    int r;

    if (!path) {
        if (option)
            error_report("%s %s: No such file or directory", option, name);
        else
            error_report("%s: not found in %s%s (install the seabios package, or use -L DIR or -bios FILE)",
                         name, cfg->nr_datadirs ? cfg->datadirs[0] : FIRMWARE_DIR,
                         cfg->nr_datadirs ? " or the default firmware directory" : "");
        return -ENOENT;
    }
    uint8_t *buf;
    r = file_read_all(path, &buf, size);
    if (r < 0) {
        error_report("%s: %s", path, strerror(-r));
    } else {
        /* page-aligned, as guest memory must be for KVM's memory slots */
        *data = mem_alloc_host(ALIGN_UP(*size, 4096) ? ALIGN_UP(*size, 4096) : 4096);
        if (!*data)
            r = -ENOMEM;
        else
            memcpy(*data, buf, *size);
        free(buf);
    }
    free(path);
    return r;
}

static int pc_memory_init(const PcvmConfig *cfg)
{
    pc.ram_size = cfg->ram_size;
    pc.below_4g = MIN(pc.ram_size, PC_LOWMEM_LIMIT);
    pc.above_4g = pc.ram_size - pc.below_4g;
    pc.ram = mem_alloc_host(pc.ram_size);
    if (!pc.ram) {
        error_report("-m %lluM: cannot allocate guest RAM: %s",
                     (unsigned long long)(pc.ram_size / MiB), strerror(errno));
        return -ENOMEM;
    }
    /* Guest-physical = host offset below 4 GiB; the hole 640K-1M is for VGA and ROMs
     * (0xC0000-0xFFFFF comes back as shadow RAM through the PAM registers). */
    if (!mem_add_ram("ram-low", 0, 0xa0000, pc.ram, false, 0))
        return -EINVAL;
    if (pc.below_4g > 1 * MiB &&
        !mem_add_ram("ram-below-4g", 1 * MiB, pc.below_4g - 1 * MiB, pc.ram + 1 * MiB, false, 0))
        return -EINVAL;
    if (pc.above_4g &&
        !mem_add_ram("ram-above-4g", 4 * GiB, pc.above_4g, pc.ram + pc.below_4g, false, 0))
        return -EINVAL;
    return 0;
}

int board_preflight(const PcvmConfig *cfg)
{
    const char *name = cfg->bios ? cfg->bios : BIOS_DEFAULT;
    int r = pc_load_firmware(cfg, name, cfg->bios ? "-bios" : NULL, &pc.bios, &pc.bios_size);
    if (r)
        return r;
    if (pc.bios_size == 0 || pc.bios_size % (64 * KiB) || pc.bios_size > 16 * MiB) {
        error_report("%s: a BIOS image must be a multiple of 64 KiB and at most 16 MiB (this one is %zu bytes)",
                     name, pc.bios_size);
        return -EINVAL;
    }
    if (cfg->kernel && (r = kernel_loader_probe(cfg->kernel)) < 0)
        return r;
    /* The VGA BIOS runs even before there is a VGA (it is what prints SeaBIOS's banner
     * on a screen); without it SeaBIOS still talks on the serial console. */
    return pc_load_firmware(cfg, VGABIOS_DEFAULT, NULL, &pc.vgabios, &pc.vgabios_size);
}

static int pc_bios_init(void)
{
    /* At the top of 4 GiB, with its last 128 KiB also below 1 MiB (the "isa-bios"). */
    size_t isa = MIN(pc.bios_size, (size_t)ISA_BIOS_SIZE);
    if (!mem_add_ram("pc.bios", 4 * GiB - pc.bios_size, pc.bios_size, pc.bios, true, 0) ||
        !mem_add_ram("isa-bios", 1 * MiB - isa, isa, pc.bios + pc.bios_size - isa, true, 0))
        return -EINVAL;
    return 0;
}

/*
 * Userspace LAPIC + IOAPIC only under the software CPU: KVM either brings its
 * own (in-kernel irqchip) or, with kernel-irqchip=off, keeps the PIC alone.
 */
static bool pc_userspace_apic(void)
{
    return !(current_accel->irqchip_in_kernel && current_accel->irqchip_in_kernel()) &&
           !strcmp(current_accel->name, "tcg");
}

/* An ISA interrupt goes to the 8259 and to the I/O APIC (IRQ0 on pin 2, as
 * the MADT's interrupt source override says). */
static void pc_gsi_isa(void *opaque, int n, int level)
{
    pic_set_irq(pc.pic, n, level);
    ioapic_set_irq(pc.ioapic, n == 0 ? 2 : n, level);
}

/* The local APIC as the CPU's interrupt controller (core/cpus.h) */
static bool pc_apic_has_interrupt(void *opaque) { return apic_has_interrupt(opaque); }
static int pc_apic_get_interrupt(void *opaque) { return apic_get_interrupt(opaque); }
static uint64_t pc_apic_get_base(void *opaque) { return apic_get_base(opaque); }
static int pc_apic_set_base(void *opaque, uint64_t v) { return apic_set_base(opaque, v); }
static uint64_t pc_apic_get_deadline(void *opaque) { return apic_get_tsc_deadline(opaque); }
static void pc_apic_set_deadline(void *opaque, uint64_t v) { apic_set_tsc_deadline(opaque, v); }
static uint8_t pc_apic_get_cr8(void *opaque) { return apic_get_cr8(opaque); }
static void pc_apic_set_cr8(void *opaque, uint8_t v) { apic_set_cr8(opaque, v); }

static const CpuIrqChip pc_apic_irqchip = {
    .has_interrupt = pc_apic_has_interrupt,
    .get_interrupt = pc_apic_get_interrupt,
    .get_apic_base = pc_apic_get_base,
    .set_apic_base = pc_apic_set_base,
    .get_tsc_deadline = pc_apic_get_deadline,
    .set_tsc_deadline = pc_apic_set_deadline,
    .get_cr8 = pc_apic_get_cr8,
    .set_cr8 = pc_apic_set_cr8,
};

/* ... and the APIC's messages to the CPU (opaque: the cpu index) */
static void pc_apic_changed(void *opaque) { cpus_irqchip_changed((int)(intptr_t)opaque); }
static void pc_apic_init(void *opaque) { cpus_init_cpu((int)(intptr_t)opaque); }
static void pc_apic_sipi(void *opaque, uint8_t v) { cpus_sipi((int)(intptr_t)opaque, v); }
static uint64_t pc_apic_read_tsc(void *opaque) { return cpus_read_tsc((int)(intptr_t)opaque); }

static const APICCpuOps pc_apic_cpu_ops = {
    .interrupt_changed = pc_apic_changed,
    .init = pc_apic_init,
    .sipi = pc_apic_sipi,
    .read_tsc = pc_apic_read_tsc,
};

static int pc_apic_init_all(int nr_cpus)
{
    for (int i = 0; i < nr_cpus; i++) {
        APICState *apic = apic_create(i, i, &pc_apic_cpu_ops, (void *)(intptr_t)i);
        if (!apic)
            return -EINVAL;
        cpus_set_irqchip(i, &pc_apic_irqchip, apic);
    }
    if (apic_mmio_map() < 0)
        return -EINVAL;
    pc.ioapic = ioapic_create(IOAPIC_DEFAULT_BASE, apic_bus_deliver, NULL);
    if (!pc.ioapic)
        return -EINVAL;
    apic_bus_set_eoi_hook(ioapic_eoi, pc.ioapic);
    return 0;
}

static int pc_irq_init(const PcvmConfig *cfg)
{
    if (current_accel->irqchip_in_kernel && current_accel->irqchip_in_kernel()) {
        for (int i = 0; i < NR_GSI; i++)
            pc.gsi[i] = irq_line(pc_gsi_kvm, NULL, i);
        return 0;
    }
    pc.pic = pic_create();
    if (!pc.pic)
        return -EINVAL;
    cpus_set_intack(pic_intack, pc.pic);
    if (pc_userspace_apic()) {
        if (pc_apic_init_all(cfg->smp) < 0)
            return -EINVAL;
        for (int i = 0; i < 16; i++)
            pc.gsi[i] = irq_line(pc_gsi_isa, NULL, i);
        return 0;
    }
    for (int i = 0; i < 16; i++)
        pc.gsi[i] = pic_irq(pc.pic, i);
    return 0;
}

/* CMOS bytes SeaBIOS reads (memory size, boot order, CPUs); see SeaBIOS's src/hw/rtc.h. */
static void pc_cmos_init(const PcvmConfig *cfg)
{
    uint64_t ext_kb = pc.below_4g > 1 * MiB ? (pc.below_4g - 1 * MiB) / KiB : 0;
    uint64_t above16 = pc.below_4g > 16 * MiB ? (pc.below_4g - 16 * MiB) / (64 * KiB) : 0;
    uint64_t above4g = pc.above_4g / (64 * KiB);

    rtc_set_cmos(pc.rtc, 0x15, 640 & 0xff);          /* base memory in KiB */
    rtc_set_cmos(pc.rtc, 0x16, 640 >> 8);
    ext_kb = MIN(ext_kb, 0xffffULL);
    rtc_set_cmos(pc.rtc, 0x17, ext_kb & 0xff);       /* extended memory in KiB */
    rtc_set_cmos(pc.rtc, 0x18, ext_kb >> 8);
    rtc_set_cmos(pc.rtc, 0x30, ext_kb & 0xff);
    rtc_set_cmos(pc.rtc, 0x31, ext_kb >> 8);
    above16 = MIN(above16, 0xffffULL);
    rtc_set_cmos(pc.rtc, 0x34, above16 & 0xff);      /* 64 KiB units above 16 MiB */
    rtc_set_cmos(pc.rtc, 0x35, above16 >> 8);
    rtc_set_cmos(pc.rtc, 0x5b, above4g & 0xff);      /* 64 KiB units above 4 GiB */
    rtc_set_cmos(pc.rtc, 0x5c, (above4g >> 8) & 0xff);
    rtc_set_cmos(pc.rtc, 0x5d, (above4g >> 16) & 0xff);
    rtc_set_cmos(pc.rtc, 0x5f, cfg->smp - 1);        /* CPUs - 1 */
    rtc_set_cmos(pc.rtc, 0x14, 0x06);                /* equipment: FPU, VGA/EGA, no floppy */

    /* Boot order: 0x3d low/high nibble = 1st/2nd, 0x38 high nibble = 3rd device. */
    const char *order = cfg->boot_order ? cfg->boot_order : "cad";
    uint8_t dev[3] = { 0, 0, 0 };
    for (int i = 0; i < 3 && order[i]; i++) {
        switch (order[i]) {
        case 'a': case 'b': dev[i] = 1; break;
        case 'c': dev[i] = 2; break;
        case 'd': dev[i] = 3; break;
        case 'n': dev[i] = 4; break;
        }
    }
    rtc_set_cmos(pc.rtc, 0x3d, dev[0] | (dev[1] << 4));
    rtc_set_cmos(pc.rtc, 0x38, (dev[2] << 4) | 0x01); /* bit 0: skip the floppy signature check */
}

static void pc_fw_cfg_init(const PcvmConfig *cfg, bool serial_console)
{
    pc.fw_cfg = fw_cfg_create(0x510);
    fw_cfg_add_i64(pc.fw_cfg, FW_CFG_RAM_SIZE, pc.ram_size);
    fw_cfg_add_i16(pc.fw_cfg, FW_CFG_NB_CPUS, cfg->smp);
    fw_cfg_add_i16(pc.fw_cfg, FW_CFG_MAX_CPUS, cfg->smp);
    fw_cfg_add_i16(pc.fw_cfg, FW_CFG_BOOT_MENU, cfg->boot_menu);
    /* ISA IRQ 0 reaches IOAPIC pin 2, as SeaBIOS's MP table should say */
    fw_cfg_add_i32(pc.fw_cfg, FW_CFG_IRQ0_OVERRIDE, 1);
    fw_cfg_add_e820_ram(pc.fw_cfg, pc.below_4g, pc.above_4g);
    if (cfg->boot_menu && cfg->boot_splash_time) {
        uint16_t wait = cfg->boot_splash_time;
        fw_cfg_add_file(pc.fw_cfg, "etc/boot-menu-wait", &wait, sizeof(wait));
    }
    if (serial_console) {
        /* SeaBIOS mirrors its screen (and the VGA BIOS's) on this UART. */
        uint64_t port = serial_base[0];
        fw_cfg_add_file(pc.fw_cfg, "etc/sercon-port", &port, sizeof(port));
    }
    if (pc.vgabios)
        fw_cfg_add_file(pc.fw_cfg, "vgaroms/" VGABIOS_DEFAULT, pc.vgabios, pc.vgabios_size);
}

int board_init(const PcvmConfig *cfg)
{
    bool serial_console = cfg->nographic || !cfg->display || !strcmp(cfg->display, "none");
    int r;

    mem_transaction_begin();
    r = pc_memory_init(cfg);
    if (!r)
        r = pc_bios_init();
    mem_transaction_commit();
    if (r)
        return r;

    if (pc_irq_init(cfg) < 0)
        return -EINVAL;

    /* The PCI host bridge owns PAM: shadow RAM over 0xC0000-0xFFFFF. */
    pc.i440fx = i440fx_create(&pc.pci, pc.ram, pc.ram_size);
    if (!pc.i440fx)
        return -EINVAL;
    if (!piix3_create(pc.pci, PIIX3_DEVFN, pc.gsi))
        return -EINVAL;
    /* IDE in legacy mode: ISA IRQ 14/15, drives from -hda/-cdrom/-drive */
    PIIXIDEState *ide = piix3_ide_create(pc.pci, PIIX3_IDE_DEVFN, pc.gsi[14], pc.gsi[15]);
    if (!ide || piix3_ide_add_drives(ide, cfg) < 0)
        return -EINVAL;
    if (!piix4_pm_create(pc.pci, PIIX4_PM_DEVFN, pc.gsi[9], ACPI_GPE0_BASE_DEFAULT))
        return -EINVAL;

    /* Legacy ISA devices. */
    if (!(current_accel->pit_in_kernel && current_accel->pit_in_kernel())) {
        pc.pit = pit_create(0x40, pc.gsi[0]);
        if (!pc.pit || port61_create(pc.pit))
            return -EINVAL;
    }
    pc.rtc = rtc_create(0x70, pc.gsi[8], time(NULL));
    if (!pc.rtc)
        return -EINVAL;
    pc_cmos_init(cfg);
    if (!i8042_create(pc.gsi[1], pc.gsi[12]))
        return -EINVAL;
    if (port92_create() || port80_create())
        return -EINVAL;

    int nr_serial = cfg->nr_serial;
    const char *default_serial[1] = { serial_console ? "stdio" : "null" };
    const char *const *serial = nr_serial ? cfg->serial : default_serial;
    if (!nr_serial)
        nr_serial = 1;
    for (int i = 0; i < nr_serial; i++) {
        if (chardev_open(serial[i], "-serial", &pc.serial_chr[i]) < 0)
            return -EINVAL;
        if (!strcmp(serial[i], "none"))
            continue;
        if (!serial_create(serial_base[i], pc.gsi[serial_irq[i]], pc.serial_chr[i]))
            return -EINVAL;
        pc.serial_mask |= 1u << i;
    }
    if (cfg->debugcon) {
        if (chardev_open(cfg->debugcon, "-debugcon", &pc.debugcon_chr) < 0)
            return -EINVAL;
        if (pc.debugcon_chr && debugcon_create(0x402, pc.debugcon_chr))
            return -EINVAL;
    }
    if (cfg->debug_exit && debug_exit_create(cfg->debug_exit_iobase, cfg->debug_exit_iosize))
        return -EINVAL;

    pc_fw_cfg_init(cfg, serial_console);
    AcpiBuildConfig acpi = {
        .nr_cpus = cfg->smp, .below_4g = pc.below_4g, .pm_base = ACPI_PM_BASE_SEABIOS,
        .gpe0_base = ACPI_GPE0_BASE_DEFAULT, .serial_mask = pc.serial_mask,
        /* the MADT only when there are APICs: KVM's in-kernel irqchip or ours */
        .apic = (current_accel->irqchip_in_kernel && current_accel->irqchip_in_kernel()) ||
                pc_userspace_apic(),
    };
    if (acpi_build_fw_cfg(pc.fw_cfg, &acpi) < 0)
        return -EINVAL;
    if (cfg->kernel) {
        KernelLoaderConfig kl = { .kernel = cfg->kernel, .initrd = cfg->initrd,
                                  .append = cfg->append, .below_4g = pc.below_4g,
                                  .above_4g = pc.above_4g };
        if (kernel_loader_setup(pc.fw_cfg, &kl) < 0)
            return -EINVAL;
    }
    return 0;
}

void board_reset(void)
{
    devices_reset_all();
}

void board_destroy(void)
{
    for (int i = 0; i < MAX_SERIAL; i++)
        chardev_close(pc.serial_chr[i]);
    chardev_close(pc.debugcon_chr);
    blk_close_all();             /* finish disk writes and flush them */
}
