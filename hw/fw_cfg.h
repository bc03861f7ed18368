/*
 * QEMU's firmware configuration device (fw_cfg): how SeaBIOS learns the RAM
 * size, e820 map, boot order, ACPI tables and -kernel images.  I/O interface:
 * selector (16-bit) at base, data (8-bit) at base+1, DMA address at base+4.
 */
#ifndef PCVM_HW_FW_CFG_H
#define PCVM_HW_FW_CFG_H

#include <stddef.h>
#include <stdint.h>

#define FW_CFG_IO_BASE          0x510

/* Selector keys (QEMU docs/specs/fw_cfg.rst) */
#define FW_CFG_SIGNATURE        0x00    /* "QEMU" */
#define FW_CFG_ID               0x01    /* le32 feature bitmap */
#define  FW_CFG_VERSION         0x01    /* traditional interface */
#define  FW_CFG_VERSION_DMA     0x02    /* DMA interface */
#define FW_CFG_UUID             0x02
#define FW_CFG_RAM_SIZE         0x03
#define FW_CFG_NOGRAPHIC        0x04
#define FW_CFG_NB_CPUS          0x05
#define FW_CFG_MACHINE_ID       0x06
#define FW_CFG_KERNEL_ADDR      0x07
#define FW_CFG_KERNEL_SIZE      0x08
#define FW_CFG_KERNEL_CMDLINE   0x09
#define FW_CFG_INITRD_ADDR      0x0a
#define FW_CFG_INITRD_SIZE      0x0b
#define FW_CFG_BOOT_DEVICE      0x0c
#define FW_CFG_NUMA             0x0d
#define FW_CFG_BOOT_MENU        0x0e
#define FW_CFG_MAX_CPUS         0x0f
#define FW_CFG_KERNEL_ENTRY     0x10
#define FW_CFG_KERNEL_DATA      0x11
#define FW_CFG_INITRD_DATA      0x12
#define FW_CFG_CMDLINE_ADDR     0x13
#define FW_CFG_CMDLINE_SIZE     0x14
#define FW_CFG_CMDLINE_DATA     0x15
#define FW_CFG_SETUP_ADDR       0x16
#define FW_CFG_SETUP_SIZE       0x17
#define FW_CFG_SETUP_DATA       0x18
#define FW_CFG_FILE_DIR         0x19
#define FW_CFG_FILE_FIRST       0x20
#define FW_CFG_FILE_SLOTS       0x100
#define FW_CFG_MAX_ENTRY        (FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS)
#define FW_CFG_WRITE_CHANNEL    0x4000
#define FW_CFG_ARCH_LOCAL       0x8000
#define FW_CFG_ENTRY_MASK       (~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL) & 0xffff)
/* x86 arch-local keys */
#define FW_CFG_ACPI_TABLES      (FW_CFG_ARCH_LOCAL + 0)
#define FW_CFG_SMBIOS_ENTRIES   (FW_CFG_ARCH_LOCAL + 1)
#define FW_CFG_IRQ0_OVERRIDE    (FW_CFG_ARCH_LOCAL + 2)
#define FW_CFG_E820_TABLE       (FW_CFG_ARCH_LOCAL + 3)
#define FW_CFG_HPET             (FW_CFG_ARCH_LOCAL + 4)

#define FW_CFG_MAX_FILE_NAME    56

/* DMA access descriptor (all fields big-endian in guest memory) */
#define FW_CFG_DMA_CTL_ERROR    0x01
#define FW_CFG_DMA_CTL_READ     0x02
#define FW_CFG_DMA_CTL_SKIP     0x04
#define FW_CFG_DMA_CTL_SELECT   0x08
#define FW_CFG_DMA_CTL_WRITE    0x10
#define FW_CFG_DMA_SIGNATURE    0x51454d5520434647ULL   /* "QEMU CFG" */

/* etc/e820 entry types */
#define E820_RAM                1
#define E820_RESERVED           2

typedef struct FWCfgState FWCfgState;

/* Claim base..base+1 and the DMA port base+4..base+11.  NULL on error. */
FWCfgState *fw_cfg_create(uint16_t base);

/*
 * Add or replace the item at key.  Every add function COPIES the data: the
 * caller keeps ownership of its buffer.  Return 0 or -EINVAL (bad key, file
 * name too long) / -ENOSPC (no file slot left).
 */
int fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len);
/* Little-endian integers, as QEMU stores legacy keys. */
int fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t val);
int fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t val);
int fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t val);
/* NUL-terminated string, the NUL included (as QEMU does). */
int fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str);
/* A named file (selector from 0x20 up; FW_CFG_FILE_DIR is rebuilt sorted by name). */
int fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len);
/* Selector of a file, or -ENOENT. */
int fw_cfg_file_key(FWCfgState *s, const char *name);

typedef struct FWCfgE820Entry {
    uint64_t address, length;
    uint32_t type;
} FWCfgE820Entry;

/* "etc/e820": packed {le64 address, le64 length, le32 type} records. */
int fw_cfg_add_e820(FWCfgState *s, const FWCfgE820Entry *e, int n);
/* The usual map: RAM 0..below_4g, and 4 GiB..4 GiB+above_4g when above_4g. */
int fw_cfg_add_e820_ram(FWCfgState *s, uint64_t below_4g, uint64_t above_4g);

#endif
