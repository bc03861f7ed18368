/*
 * Intel 82441FX PCI and memory controller (host bridge, 00:00.0): creates PCI
 * bus 0 and drives the PAM shadow-RAM windows at 0xC0000-0xFFFFF.
 */
#ifndef PCVM_HW_I440FX_H
#define PCVM_HW_I440FX_H

#include <stdint.h>

#include "hw/pci.h"

/*
 * Memory map contract with the board (hw/pc.c):
 *  - the board allocates guest RAM as one host mapping, guest-physical
 *    address == offset into ram_host below 4 GiB, and maps 0-0xA0000 and
 *    1 MiB..below_4g itself;
 *  - the board maps the BIOS ROM at 4 GiB - bios_size and the "isa-bios" (last
 *    128 KiB of the BIOS image) at 0xE0000-0xFFFFF as read-only RAM regions of
 *    priority I440FX_ROM_PRIORITY, before the guest runs;
 *  - this chip overlays 0xC0000-0xFFFFF, segment by segment, with RAM aliases
 *    into ram_host at I440FX_PAM_PRIORITY as the PAM registers say.
 * Note: SeaBIOS sets 0xC0000-0xEFFFF to RAM read/write first thing and clears
 * it, so a VGA BIOS must reach it as a PCI ROM BAR (pci_register_bar_ram with
 * PCI_ROM_SLOT) or as the fw_cfg file "vgaroms/vgabios-stdvga.bin", not as a
 * ROM region mapped at 0xC0000.
 */
#define I440FX_ROM_PRIORITY     0
#define I440FX_PAM_PRIORITY     1

#define I440FX_DEVFN            0

/* 82441FX configuration registers (Intel 290549, section 3.2) */
#define I440FX_PAM0             0x59    /* PAM0 [5:4]: 0xF0000-0xFFFFF */
#define I440FX_PAM_COUNT        7       /* PAM0-PAM6: 0x59-0x5f */
#define I440FX_SMRAM            0x72
#define  I440FX_SMRAM_D_OPEN    0x40
#define  I440FX_SMRAM_D_CLS     0x20
#define  I440FX_SMRAM_D_LCK     0x10
#define  I440FX_SMRAM_G_SMRAME  0x08
#define  I440FX_SMRAM_C_BASE_SEG 0x02   /* read-only 010b: A-segment */

/* PAM attribute nibble: RE = bit 0, WE = bit 1 */
#define I440FX_PAM_RE           0x1
#define I440FX_PAM_WE           0x2

typedef struct I440FXState I440FXState;

/*
 * Create bus 0 (claims 0xcf8/0xcfc) and the host bridge at 00:00.0.  ram_host
 * and ram_size describe guest RAM from guest-physical 0; segments beyond
 * ram_size stay PCI whatever the registers say.  NULL on error (reported).
 */
I440FXState *i440fx_create(PCIBus **bus_out, uint8_t *ram_host, uint64_t ram_size);
PCIDevice *i440fx_pci_device(I440FXState *s);

#endif
