/*
 * ACPI tables for the pc board (RSDP, RSDT, XSDT, FADT, FACS, MADT and the
 * DSDT compiled from bios/acpi-dsdt.dsl), handed to SeaBIOS through fw_cfg
 * with QEMU's linker/loader script ("etc/table-loader").
 */
#ifndef PCVM_HW_ACPI_BUILD_H
#define PCVM_HW_ACPI_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/fw_cfg.h"

/* fw_cfg files */
#define ACPI_BUILD_TABLE_FILE   "etc/acpi/tables"
#define ACPI_BUILD_RSDP_FILE    "etc/acpi/rsdp"
#define ACPI_BUILD_LOADER_FILE  "etc/table-loader"

/*
 * Linker/loader script: an array of 128-byte little-endian commands, as
 * SeaBIOS's src/fw/romfile_loader.h reads them.
 */
#define BIOS_LINKER_ENTRY_SIZE          128
#define BIOS_LINKER_FILESZ              56
#define BIOS_LINKER_CMD_ALLOCATE        1   /* file[56] align(4) zone(1) */
#define BIOS_LINKER_CMD_ADD_POINTER     2   /* dest[56] src[56] offset(4) size(1) */
#define BIOS_LINKER_CMD_ADD_CHECKSUM    3   /* file[56] offset(4) start(4) length(4) */
#define BIOS_LINKER_ZONE_HIGH           1   /* anywhere in RAM below 4 GiB */
#define BIOS_LINKER_ZONE_FSEG           2   /* 0xe0000-0xfffff, where OSes scan for the RSDP */

/* SeaBIOS programs the PIIX4 PMBASE to 0x600 when fw_cfg has "etc/table-loader"
 * ("Moving pm_base to 0x600" on its debug port; 0xb000 otherwise), as QEMU's
 * tables expect; the FADT must say the same. */
#define ACPI_PM_BASE_SEABIOS    0x600

#define ACPI_IOAPIC_ADDR        0xfec00000
#define ACPI_LAPIC_ADDR         0xfee00000
#define ACPI_PCI_HOLE_END       0xfec00000  /* the 32-bit PCI window ends at the IOAPIC */

typedef struct AcpiBuildConfig {
    int nr_cpus;                /* one local APIC each, APIC IDs 0..n-1 */
    uint64_t below_4g;          /* RAM below 4 GiB: the PCI window starts above it */
    uint16_t pm_base;           /* PIIX4 PMBASE (ACPI_PM_BASE_SEABIOS) */
    uint16_t gpe0_base;         /* 0: no GPE0 block */
    bool apic;                  /* the board has local APICs and an IOAPIC: MADT */
    uint32_t serial_mask;       /* bit n: COM(n+1) exists */
} AcpiBuildConfig;

typedef struct AcpiBuildTables {
    uint8_t *tables;            /* "etc/acpi/tables": FACS, DSDT, FADT, MADT, RSDT, XSDT */
    size_t tables_len;
    uint8_t *rsdp;              /* "etc/acpi/rsdp" */
    size_t rsdp_len;
    uint8_t *loader;            /* "etc/table-loader" */
    size_t loader_len;
} AcpiBuildTables;

/* The PCI window start SeaBIOS uses for a given RAM size (its i440fx setup). */
uint32_t acpi_pci_window_start(uint64_t below_4g);

/* Build everything into t (heap buffers).  0 or -errno. */
int acpi_build(const AcpiBuildConfig *cfg, AcpiBuildTables *t);
void acpi_build_free(AcpiBuildTables *t);
/* Build and add the three fw_cfg files.  0 or -errno (reported). */
int acpi_build_fw_cfg(FWCfgState *fw_cfg, const AcpiBuildConfig *cfg);

/* bios/acpi-dsdt.dsl compiled by iasl, generated at build time */
extern const unsigned char acpi_dsdt_aml[];
extern const unsigned int acpi_dsdt_aml_len;

#endif
