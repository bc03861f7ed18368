/*
 * Direct kernel boot (-kernel/-initrd/-append) as QEMU does it: a Linux
 * bzImage (x86 boot protocol 2.00+) or a multiboot v1 kernel is prepared in
 * fw_cfg, and pcvm's option ROM (bios/linuxboot.asm) loads and starts it.
 */
#ifndef PCVM_HW_KERNEL_LOADER_H
#define PCVM_HW_KERNEL_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "hw/fw_cfg.h"

#define KERNEL_ROM_FILE         "genroms/linuxboot.bin"
/* RAM at the top below 4 GiB left to SeaBIOS (ACPI tables, its high zone) */
#define KERNEL_BIOS_RESERVE     (256 * 1024)

typedef struct KernelLoaderConfig {
    const char *kernel;         /* -kernel FILE */
    const char *initrd;         /* -initrd FILE, or "mod1 args,mod2" for multiboot */
    const char *append;         /* -append STRING */
    uint64_t below_4g, above_4g;
} KernelLoaderConfig;

/* Is path a kernel pcvm can boot?  0, or -errno reported ("-kernel x: ..."). */
int kernel_loader_probe(const char *path);

/* Read the files, fill the fw_cfg keys and add the ROM and "bootorder".
 * 0 or -errno (reported, naming the option and file). */
int kernel_loader_setup(FWCfgState *fw_cfg, const KernelLoaderConfig *cfg);

/* The option ROM with its size byte and checksums filled in (heap buffer). */
uint8_t *kernel_loader_rom(size_t *len);

/* bios/linuxboot.asm assembled by nasm, generated at build time */
extern const unsigned char linuxboot_rom[];
extern const unsigned int linuxboot_rom_len;

#endif
