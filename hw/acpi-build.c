/*
 * ACPI tables for the pc board, built at startup and handed to SeaBIOS as
 * fw_cfg files with a linker/loader script that allocates them, patches the
 * pointers between them and computes their checksums (as QEMU does).
 * ACPI 6.x chapter 5.2 (RSDP, RSDT, XSDT, FADT rev 3, FACS, MADT).
 */
#include "core/common.h"
#include "core/log.h"
#include "hw/acpi-build.h"
#include "hw/acpi-pm.h"

/* ACPI 5.2 table layouts: offsets of the fields filled here */
#define ACPI_HDR_LEN            36
#define ACPI_HDR_CHECKSUM       9
#define ACPI_OEM_ID             "PCVM  "
#define ACPI_OEM_TABLE_ID       "PCVM"
#define ACPI_CREATOR_ID         "PCVM"

#define RSDP_LEN                36      /* revision 2 */
#define RSDP_CHECKSUM           8       /* over the first 20 bytes */
#define RSDP_V1_LEN             20
#define RSDP_RSDT_ADDR          16
#define RSDP_LENGTH             20
#define RSDP_XSDT_ADDR          24
#define RSDP_EXT_CHECKSUM       32

#define FACS_LEN                64

#define FADT_REV                3
#define FADT_LEN                244
#define FADT_FIRMWARE_CTRL      36
#define FADT_DSDT               40
#define FADT_INT_MODEL          44
#define FADT_SCI_INT            46
#define FADT_SMI_CMD            48
#define FADT_ACPI_ENABLE        52
#define FADT_ACPI_DISABLE       53
#define FADT_PM1A_EVT_BLK       56
#define FADT_PM1A_CNT_BLK       64
#define FADT_PM_TMR_BLK         76
#define FADT_GPE0_BLK           80
#define FADT_PM1_EVT_LEN        88
#define FADT_PM1_CNT_LEN        89
#define FADT_PM_TMR_LEN         91
#define FADT_GPE0_BLK_LEN       92
#define FADT_P_LVL2_LAT         96
#define FADT_P_LVL3_LAT         98
#define FADT_CENTURY            108
#define FADT_IAPC_BOOT_ARCH     109
#define FADT_FLAGS              112
#define FADT_RESET_REG          116
#define FADT_RESET_VALUE        128
#define FADT_X_DSDT             140
#define FADT_X_PM1A_EVT_BLK     148
#define FADT_X_PM1A_CNT_BLK     172
#define FADT_X_PM_TMR_BLK       208
#define FADT_X_GPE0_BLK         220

/* FADT flags (5.2.9 table 5.10) and IA-PC boot architecture flags (5.2.9.3) */
#define FADT_F_WBINVD           (1u << 0)
#define FADT_F_PROC_C1          (1u << 2)
#define FADT_F_SLP_BUTTON       (1u << 5)   /* no fixed sleep button */
#define FADT_F_RTC_S4           (1u << 7)
#define FADT_F_RESET_REG_SUP    (1u << 10)
#define IAPC_LEGACY_DEVICES     (1u << 0)
#define IAPC_8042               (1u << 1)

#define GAS_SYSTEM_IO           1
#define GAS_ACCESS_BYTE         1
#define GAS_ACCESS_WORD         2
#define GAS_ACCESS_DWORD        3

#define PIIX_RCR_PORT           0xcf9
#define PIIX_RCR_RESET          0x06        /* SRST | RCPU: hard reset */
#define RTC_CENTURY_INDEX       0x32

/* MADT (5.2.12) */
#define MADT_LAPIC_ADDR         36
#define MADT_FLAGS              40
#define MADT_PCAT_COMPAT        1
#define MADT_TYPE_LAPIC         0
#define MADT_TYPE_IOAPIC        1
#define MADT_TYPE_ISO           2
#define MADT_TYPE_LAPIC_NMI     4
#define MADT_LAPIC_ENABLED      1
#define MADT_POLARITY_HIGH      0x1
#define MADT_TRIGGER_LEVEL      0xc

/* AML: NameOp NameSeg DWordPrefix, the pattern hw patches in the DSDT */
#define AML_NAME_OP             0x08
#define AML_DWORD_PREFIX        0x0c

typedef struct AcpiBuf {
    uint8_t *data;
    size_t len, cap;
} AcpiBuf;

static size_t acpi_buf_grow(AcpiBuf *b, size_t n)
{
    size_t off = b->len;

    if (b->len + n > b->cap) {
        b->cap = MAX(b->cap * 2, b->len + n + 256);
        b->data = xrealloc(b->data, b->cap);
    }
    memset(b->data + off, 0, n);
    b->len += n;
    return off;
}

/* Append n zero bytes and return where they start (valid until the next append). */
static uint8_t *acpi_buf_append(AcpiBuf *b, size_t n)
{
    size_t off = acpi_buf_grow(b, n);
    return b->data + off;
}

static size_t acpi_buf_align(AcpiBuf *b, size_t align)
{
    acpi_buf_grow(b, ALIGN_UP(b->len, align) - b->len);
    return b->len;
}

static void acpi_st(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = v >> (8 * i);
}

/* Header with a zero checksum: the loader's ADD_CHECKSUM computes it. */
static size_t acpi_table_begin(AcpiBuf *b, const char *sig, uint8_t rev)
{
    size_t off = acpi_buf_grow(b, ACPI_HDR_LEN);
    uint8_t *h = b->data + off;

    memcpy(h, sig, 4);
    h[8] = rev;
    memcpy(h + 10, ACPI_OEM_ID, 6);
    memcpy(h + 16, ACPI_OEM_TABLE_ID, 4);     /* OEM table ID: "PCVM" + signature */
    memcpy(h + 20, sig, 4);
    acpi_st(h + 24, 1, 4);                    /* OEM revision */
    memcpy(h + 28, ACPI_CREATOR_ID, 4);
    acpi_st(h + 32, 1, 4);                    /* creator revision */
    return off;
}

static void acpi_table_end(AcpiBuf *b, size_t off)
{
    acpi_st(b->data + off + 4, b->len - off, 4);
}

/* ---- the linker/loader script ---- */

static uint8_t *acpi_loader_cmd(AcpiBuf *l, uint32_t cmd)
{
    uint8_t *e = acpi_buf_append(l, BIOS_LINKER_ENTRY_SIZE);
    acpi_st(e, cmd, 4);
    return e + 4;
}

static void acpi_loader_name(uint8_t *p, const char *name)
{
    strncpy((char *)p, name, BIOS_LINKER_FILESZ - 1);
}

static void acpi_loader_alloc(AcpiBuf *l, const char *file, uint32_t align, uint8_t zone)
{
    uint8_t *p = acpi_loader_cmd(l, BIOS_LINKER_CMD_ALLOCATE);
    acpi_loader_name(p, file);
    acpi_st(p + BIOS_LINKER_FILESZ, align, 4);
    p[BIOS_LINKER_FILESZ + 4] = zone;
}

/*
 * dest[offset..offset+size) holds the offset of the target within src; the
 * loader adds src's address to it.  So write the offset first.
 */
static void acpi_loader_pointer(AcpiBuf *l, AcpiBuf *dest, const char *dest_file,
                                uint32_t offset, uint8_t size, const char *src_file,
                                uint64_t src_offset)
{
    uint8_t *p = acpi_loader_cmd(l, BIOS_LINKER_CMD_ADD_POINTER);

    acpi_st(dest->data + offset, src_offset, size);
    acpi_loader_name(p, dest_file);
    acpi_loader_name(p + BIOS_LINKER_FILESZ, src_file);
    acpi_st(p + 2 * BIOS_LINKER_FILESZ, offset, 4);
    p[2 * BIOS_LINKER_FILESZ + 4] = size;
}

static void acpi_loader_checksum(AcpiBuf *l, const char *file, uint32_t start,
                                 uint32_t length, uint32_t csum_offset)
{
    uint8_t *p = acpi_loader_cmd(l, BIOS_LINKER_CMD_ADD_CHECKSUM);

    acpi_loader_name(p, file);
    acpi_st(p + BIOS_LINKER_FILESZ, csum_offset, 4);
    acpi_st(p + BIOS_LINKER_FILESZ + 4, start, 4);
    acpi_st(p + BIOS_LINKER_FILESZ + 8, length, 4);
}

static void acpi_table_checksum(AcpiBuf *l, AcpiBuf *t, size_t off)
{
    acpi_loader_checksum(l, ACPI_BUILD_TABLE_FILE, off, t->len - off,
                         off + ACPI_HDR_CHECKSUM);
}

/* ---- tables ---- */

static void acpi_gas_io(uint8_t *p, uint16_t port, uint8_t bits, uint8_t access)
{
    p[0] = GAS_SYSTEM_IO;
    p[1] = bits;
    p[2] = 0;
    p[3] = access;
    acpi_st(p + 4, port, 8);
}

/* Overwrite the value of "Name (NAME, 0x........)" in the AML; -ENOENT if absent. */
static int acpi_dsdt_patch(uint8_t *aml, size_t len, const char *name, uint32_t val)
{
    for (size_t i = ACPI_HDR_LEN; i + 10 <= len; i++) {
        if (aml[i] == AML_NAME_OP && !memcmp(aml + i + 1, name, 4) &&
            aml[i + 5] == AML_DWORD_PREFIX) {
            acpi_st(aml + i + 6, val, 4);
            return 0;
        }
    }
    return -ENOENT;
}

uint32_t acpi_pci_window_start(uint64_t below_4g)
{
    /* SeaBIOS places the i440FX window at the first of these above RAM */
    if (below_4g <= 0x80000000ULL)
        return 0x80000000u;
    if (below_4g <= 0xc0000000ULL)
        return 0xc0000000u;
    return 0xe0000000u;
}

static int acpi_build_dsdt(AcpiBuf *t, const AcpiBuildConfig *cfg)
{
    size_t off;
    uint8_t *aml;

    if (acpi_dsdt_aml_len < ACPI_HDR_LEN || memcmp(acpi_dsdt_aml, "DSDT", 4))
        return -EINVAL;
    off = acpi_buf_grow(t, acpi_dsdt_aml_len);
    aml = t->data + off;
    memcpy(aml, acpi_dsdt_aml, acpi_dsdt_aml_len);
    aml[ACPI_HDR_CHECKSUM] = 0;
    if (acpi_dsdt_patch(aml, acpi_dsdt_aml_len, "PMIN", acpi_pci_window_start(cfg->below_4g)) ||
        acpi_dsdt_patch(aml, acpi_dsdt_aml_len, "PMAX", ACPI_PCI_HOLE_END - 1) ||
        acpi_dsdt_patch(aml, acpi_dsdt_aml_len, "SERM", cfg->serial_mask))
        return -EINVAL;
    return 0;
}

static void acpi_build_fadt(AcpiBuf *t, AcpiBuf *l, const AcpiBuildConfig *cfg,
                            size_t facs, size_t dsdt, size_t fadt)
{
    uint8_t *f;

    acpi_buf_grow(t, FADT_LEN - ACPI_HDR_LEN);
    f = t->data + fadt;
    f[FADT_INT_MODEL] = 1;                      /* ACPI 1.0 field: APIC model */
    acpi_st(f + FADT_SCI_INT, ACPI_SCI_IRQ, 2);
    acpi_st(f + FADT_SMI_CMD, ACPI_APM_CNT_PORT, 4);
    f[FADT_ACPI_ENABLE] = ACPI_ENABLE_CMD;
    f[FADT_ACPI_DISABLE] = ACPI_DISABLE_CMD;
    acpi_st(f + FADT_PM1A_EVT_BLK, cfg->pm_base + ACPI_PM1_EVT_OFFSET, 4);
    acpi_st(f + FADT_PM1A_CNT_BLK, cfg->pm_base + ACPI_PM1_CNT_OFFSET, 4);
    acpi_st(f + FADT_PM_TMR_BLK, cfg->pm_base + ACPI_PM_TMR_OFFSET, 4);
    f[FADT_PM1_EVT_LEN] = 4;
    f[FADT_PM1_CNT_LEN] = 2;
    f[FADT_PM_TMR_LEN] = 4;
    if (cfg->gpe0_base) {
        acpi_st(f + FADT_GPE0_BLK, cfg->gpe0_base, 4);
        f[FADT_GPE0_BLK_LEN] = ACPI_GPE0_LEN;
        acpi_gas_io(f + FADT_X_GPE0_BLK, cfg->gpe0_base, ACPI_GPE0_LEN * 8, GAS_ACCESS_BYTE);
    }
    /* latencies above 100/1000 us: C2 and C3 are not supported */
    acpi_st(f + FADT_P_LVL2_LAT, 0xfff, 2);
    acpi_st(f + FADT_P_LVL3_LAT, 0xfff, 2);
    f[FADT_CENTURY] = RTC_CENTURY_INDEX;
    acpi_st(f + FADT_IAPC_BOOT_ARCH, IAPC_LEGACY_DEVICES | IAPC_8042, 2);
    acpi_st(f + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON |
            FADT_F_RTC_S4 | FADT_F_RESET_REG_SUP, 4);
    /* reset through the PIIX3 reset control register */
    acpi_gas_io(f + FADT_RESET_REG, PIIX_RCR_PORT, 8, GAS_ACCESS_BYTE);
    f[FADT_RESET_VALUE] = PIIX_RCR_RESET;
    acpi_gas_io(f + FADT_X_PM1A_EVT_BLK, cfg->pm_base + ACPI_PM1_EVT_OFFSET, 32, GAS_ACCESS_WORD);
    acpi_gas_io(f + FADT_X_PM1A_CNT_BLK, cfg->pm_base + ACPI_PM1_CNT_OFFSET, 16, GAS_ACCESS_WORD);
    acpi_gas_io(f + FADT_X_PM_TMR_BLK, cfg->pm_base + ACPI_PM_TMR_OFFSET, 32, GAS_ACCESS_DWORD);
    acpi_table_end(t, fadt);

    /* FIRMWARE_CTRL (32-bit) only: X_FIRMWARE_CTRL stays 0, as the spec asks
     * when the 32-bit one is used; both DSDT pointers, which then agree */
    acpi_loader_pointer(l, t, ACPI_BUILD_TABLE_FILE, fadt + FADT_FIRMWARE_CTRL, 4,
                        ACPI_BUILD_TABLE_FILE, facs);
    acpi_loader_pointer(l, t, ACPI_BUILD_TABLE_FILE, fadt + FADT_DSDT, 4,
                        ACPI_BUILD_TABLE_FILE, dsdt);
    acpi_loader_pointer(l, t, ACPI_BUILD_TABLE_FILE, fadt + FADT_X_DSDT, 8,
                        ACPI_BUILD_TABLE_FILE, dsdt);
    acpi_table_checksum(l, t, fadt);
}

static void acpi_madt_iso(AcpiBuf *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = acpi_buf_append(t, 10);
    e[0] = MADT_TYPE_ISO;
    e[1] = 10;
    e[2] = 0;                                   /* bus: ISA */
    e[3] = irq;
    acpi_st(e + 4, gsi, 4);
    acpi_st(e + 8, flags, 2);
}

static void acpi_build_madt(AcpiBuf *t, AcpiBuf *l, const AcpiBuildConfig *cfg, size_t madt)
{
    uint8_t *e;

    acpi_buf_grow(t, 8);
    acpi_st(t->data + madt + MADT_LAPIC_ADDR, ACPI_LAPIC_ADDR, 4);
    acpi_st(t->data + madt + MADT_FLAGS, MADT_PCAT_COMPAT, 4);
    for (int i = 0; i < cfg->nr_cpus; i++) {
        e = acpi_buf_append(t, 8);
        e[0] = MADT_TYPE_LAPIC;
        e[1] = 8;
        e[2] = i;                               /* ACPI processor UID */
        e[3] = i;                               /* APIC ID */
        acpi_st(e + 4, MADT_LAPIC_ENABLED, 4);
    }
    e = acpi_buf_append(t, 12);
    e[0] = MADT_TYPE_IOAPIC;
    e[1] = 12;
    e[2] = 0;                                   /* IOAPIC ID */
    acpi_st(e + 4, ACPI_IOAPIC_ADDR, 4);
    acpi_st(e + 8, 0, 4);                       /* GSI base */
    /* the PIT is wired to IOAPIC pin 2 (pin 0 is the 8259's INTR) */
    acpi_madt_iso(t, 0, 2, 0);
    /* SCI and the PCI link IRQs (5, 10, 11) are level, active high on this board */
    static const uint8_t level_irqs[] = { 5, ACPI_SCI_IRQ, 10, 11 };
    for (size_t i = 0; i < ARRAY_SIZE(level_irqs); i++)
        acpi_madt_iso(t, level_irqs[i], level_irqs[i], MADT_POLARITY_HIGH | MADT_TRIGGER_LEVEL);
    /* LINT1 of every CPU is NMI */
    e = acpi_buf_append(t, 6);
    e[0] = MADT_TYPE_LAPIC_NMI;
    e[1] = 6;
    e[2] = 0xff;                                /* all processors */
    acpi_st(e + 3, 0, 2);
    e[5] = 1;                                   /* LINT1 */
    acpi_table_end(t, madt);
    acpi_table_checksum(l, t, madt);
}

int acpi_build(const AcpiBuildConfig *cfg, AcpiBuildTables *out)
{
    AcpiBuf t = { 0 }, r = { 0 }, l = { 0 };
    size_t facs, dsdt, fadt, madt = 0, rsdt, xsdt;
    size_t entries[2];
    int n = 0, err;

    memset(out, 0, sizeof(*out));
    if (cfg->nr_cpus < 1 || cfg->nr_cpus > 255)
        return -EINVAL;

    acpi_loader_alloc(&l, ACPI_BUILD_TABLE_FILE, 64, BIOS_LINKER_ZONE_HIGH);
    acpi_loader_alloc(&l, ACPI_BUILD_RSDP_FILE, 16, BIOS_LINKER_ZONE_FSEG);

    /* FACS first: it must be 64-byte aligned, and the file is */
    facs = acpi_buf_grow(&t, FACS_LEN);
    memcpy(t.data + facs, "FACS", 4);
    acpi_st(t.data + facs + 4, FACS_LEN, 4);
    t.data[facs + 32] = 1;                      /* version */

    dsdt = t.len;
    err = acpi_build_dsdt(&t, cfg);
    if (err)
        goto err_free;
    acpi_table_checksum(&l, &t, dsdt);

    fadt = acpi_table_begin(&t, "FACP", FADT_REV);
    acpi_build_fadt(&t, &l, cfg, facs, dsdt, fadt);
    entries[n++] = fadt;

    if (cfg->apic) {
        madt = acpi_table_begin(&t, "APIC", 1);
        acpi_build_madt(&t, &l, cfg, madt);
        entries[n++] = madt;
    }

    rsdt = acpi_table_begin(&t, "RSDT", 1);
    for (int i = 0; i < n; i++) {
        size_t o = acpi_buf_grow(&t, 4);
        acpi_loader_pointer(&l, &t, ACPI_BUILD_TABLE_FILE, o, 4, ACPI_BUILD_TABLE_FILE, entries[i]);
    }
    acpi_table_end(&t, rsdt);
    acpi_table_checksum(&l, &t, rsdt);

    acpi_buf_align(&t, 8);
    xsdt = acpi_table_begin(&t, "XSDT", 1);
    for (int i = 0; i < n; i++) {
        size_t o = acpi_buf_grow(&t, 8);
        acpi_loader_pointer(&l, &t, ACPI_BUILD_TABLE_FILE, o, 8, ACPI_BUILD_TABLE_FILE, entries[i]);
    }
    acpi_table_end(&t, xsdt);
    acpi_table_checksum(&l, &t, xsdt);

    /* RSDP: both checksums, the 20-byte one first (the extended one covers it) */
    acpi_buf_grow(&r, RSDP_LEN);
    memcpy(r.data, "RSD PTR ", 8);
    memcpy(r.data + 9, ACPI_OEM_ID, 6);
    r.data[15] = 2;                             /* revision: ACPI 2.0+ */
    acpi_st(r.data + RSDP_LENGTH, RSDP_LEN, 4);
    acpi_loader_pointer(&l, &r, ACPI_BUILD_RSDP_FILE, RSDP_RSDT_ADDR, 4,
                        ACPI_BUILD_TABLE_FILE, rsdt);
    acpi_loader_pointer(&l, &r, ACPI_BUILD_RSDP_FILE, RSDP_XSDT_ADDR, 8,
                        ACPI_BUILD_TABLE_FILE, xsdt);
    acpi_loader_checksum(&l, ACPI_BUILD_RSDP_FILE, 0, RSDP_V1_LEN, RSDP_CHECKSUM);
    acpi_loader_checksum(&l, ACPI_BUILD_RSDP_FILE, 0, RSDP_LEN, RSDP_EXT_CHECKSUM);

    out->tables = t.data;
    out->tables_len = t.len;
    out->rsdp = r.data;
    out->rsdp_len = r.len;
    out->loader = l.data;
    out->loader_len = l.len;
    return 0;

err_free:
    free(t.data);
    free(r.data);
    free(l.data);
    return err;
}

void acpi_build_free(AcpiBuildTables *t)
{
    free(t->tables);
    free(t->rsdp);
    free(t->loader);
    memset(t, 0, sizeof(*t));
}

int acpi_build_fw_cfg(FWCfgState *fw_cfg, const AcpiBuildConfig *cfg)
{
    AcpiBuildTables t;
    int r = acpi_build(cfg, &t);

    if (r < 0) {
        error_report("cannot build the ACPI tables: %s", strerror(-r));
        return r;
    }
    /* the loader script last: SeaBIOS looks for it, then the files it names */
    r = fw_cfg_add_file(fw_cfg, ACPI_BUILD_TABLE_FILE, t.tables, t.tables_len);
    if (!r)
        r = fw_cfg_add_file(fw_cfg, ACPI_BUILD_RSDP_FILE, t.rsdp, t.rsdp_len);
    if (!r)
        r = fw_cfg_add_file(fw_cfg, ACPI_BUILD_LOADER_FILE, t.loader, t.loader_len);
    if (r < 0)
        error_report("cannot add the ACPI tables to fw_cfg: %s", strerror(-r));
    trace(LOG_DEV, "acpi: %zu bytes of tables, %zu loader commands\n", t.tables_len,
          t.loader_len / BIOS_LINKER_ENTRY_SIZE);
    acpi_build_free(&t);
    return r;
}
