/*
 * The ACPI tables as an OS sees them after SeaBIOS ran the linker/loader
 * script: a small simulation of SeaBIOS's romfile_loader places the files at
 * made-up addresses, patches pointers and checksums, then the test walks
 * RSDP -> RSDT/XSDT -> FADT/MADT -> FACS/DSDT and checks what Linux reads.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "core/common.h"
#include "hw/acpi-build.h"
#include "hw/acpi-pm.h"
#include "tests/unit/tap.h"

/* guest-physical addresses the simulated firmware gives the two files */
#define SIM_TABLES_ADDR 0x07fe0000u
#define SIM_RSDP_ADDR   0x000f5a00u

typedef struct SimFile {
    const char *name;
    uint8_t *data;
    size_t len;
    uint64_t addr;
    bool allocated;
} SimFile;

static SimFile sim[2];

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static SimFile *sim_file(const uint8_t *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(sim); i++)
        if (!strncmp((const char *)name, sim[i].name, BIOS_LINKER_FILESZ))
            return &sim[i];
    return NULL;
}

/* What SeaBIOS's romfile_loader_execute does; returns the number of errors. */
static int sim_loader(const uint8_t *script, size_t len)
{
    int errors = 0;

    for (size_t off = 0; off + BIOS_LINKER_ENTRY_SIZE <= len; off += BIOS_LINKER_ENTRY_SIZE) {
        const uint8_t *e = script + off;
        const uint8_t *p = e + 4;
        uint32_t cmd = le(e, 4);
        SimFile *f = sim_file(p), *src;

        switch (cmd) {
        case BIOS_LINKER_CMD_ALLOCATE: {
            uint32_t align = le(p + BIOS_LINKER_FILESZ, 4);
            uint8_t zone = p[BIOS_LINKER_FILESZ + 4];
            if (!f || f->allocated || (align & (align - 1)) ||
                (f->addr & (align - 1)) ||
                zone != (f == &sim[1] ? BIOS_LINKER_ZONE_FSEG : BIOS_LINKER_ZONE_HIGH))
                errors++;
            else
                f->allocated = true;
            break;
        }
        case BIOS_LINKER_CMD_ADD_POINTER: {
            uint32_t o = le(p + 2 * BIOS_LINKER_FILESZ, 4);
            uint8_t size = p[2 * BIOS_LINKER_FILESZ + 4];
            src = sim_file(p + BIOS_LINKER_FILESZ);
            if (!f || !src || !f->allocated || !src->allocated ||
                (size != 1 && size != 2 && size != 4 && size != 8) || o + size > f->len) {
                errors++;
                break;
            }
            uint64_t v = le(f->data + o, size) + src->addr;
            for (int i = 0; i < size; i++)
                f->data[o + i] = v >> (8 * i);
            break;
        }
        case BIOS_LINKER_CMD_ADD_CHECKSUM: {
            uint32_t o = le(p + BIOS_LINKER_FILESZ, 4);
            uint32_t start = le(p + BIOS_LINKER_FILESZ + 4, 4);
            uint32_t length = le(p + BIOS_LINKER_FILESZ + 8, 4);
            if (!f || !f->allocated || o >= f->len || start > f->len || length > f->len - start) {
                errors++;
                break;
            }
            uint8_t sum = 0;
            for (uint32_t i = 0; i < length; i++)
                sum += f->data[start + i];
            f->data[o] -= sum;
            break;
        }
        default:
            errors++;
        }
    }
    return errors;
}

/* guest-physical -> pointer into the simulated files */
static uint8_t *sim_ptr(uint64_t addr, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(sim); i++)
        if (addr >= sim[i].addr && addr + len <= sim[i].addr + sim[i].len)
            return sim[i].data + (addr - sim[i].addr);
    return NULL;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

/* A table at addr: signature, length inside the file, checksum 0. */
static uint8_t *check_table(uint64_t addr, const char *sig)
{
    uint8_t *t = sim_ptr(addr, 36);
    if (!ok(t != NULL, "%s: pointer 0x%llx lands in a loaded file", sig, (unsigned long long)addr))
        return NULL;
    ok(!memcmp(t, sig, 4), "%s: signature", sig);
    uint32_t len = le(t + 4, 4);
    if (!ok(len >= 36 && sim_ptr(addr, len), "%s: length %u fits", sig, len))
        return NULL;
    is_int(sum8(t, len), 0, "%s: checksum", sig);
    return t;
}

static void run_iasl_disassembler(const uint8_t *dsdt, size_t len)
{
    char dir[] = "/tmp/pcvm-test-acpi.XXXXXX";
    char path[128], cmd[512];

    if (system("command -v iasl >/dev/null 2>&1") != 0) {
        ok(1, "# SKIP iasl not installed: DSDT not disassembled");
        return;
    }
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof(path), "%s/dsdt.aml", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(dsdt, 1, len, f);
        fclose(f);
    }
    snprintf(cmd, sizeof(cmd),
             "cd %s && iasl -d dsdt.aml >iasl.log 2>&1 && grep -q 'PNP0A03' dsdt.dsl && "
             "grep -q '_S5_' dsdt.dsl && grep -q 'PMIN, 0x80000000' dsdt.dsl", dir);
    int st = system(cmd);
    ok(st == 0, "iasl -d disassembles the patched DSDT (PCI0, _S5, PCI window)");
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
}

static void test_config(int cpus, bool apic, uint64_t ram)
{
    AcpiBuildConfig cfg = {
        .nr_cpus = cpus, .below_4g = ram, .pm_base = ACPI_PM_BASE_SEABIOS,
        .gpe0_base = ACPI_GPE0_BASE_DEFAULT, .apic = apic, .serial_mask = 1,
    };
    AcpiBuildTables t;

    printf("# %d CPUs, apic %d, %llu MiB\n", cpus, apic, (unsigned long long)(ram >> 20));
    is_int(acpi_build(&cfg, &t), 0, "acpi_build");
    is_int(t.loader_len % BIOS_LINKER_ENTRY_SIZE, 0, "loader script is whole 128-byte commands");
    is_int(t.rsdp_len, 36, "RSDP is 36 bytes (revision 2)");

    sim[0] = (SimFile){ ACPI_BUILD_TABLE_FILE, t.tables, t.tables_len, SIM_TABLES_ADDR, false };
    sim[1] = (SimFile){ ACPI_BUILD_RSDP_FILE, t.rsdp, t.rsdp_len, SIM_RSDP_ADDR, false };
    is_int(sim_loader(t.loader, t.loader_len), 0, "every loader command is valid");

    uint8_t *rsdp = t.rsdp;
    ok(!memcmp(rsdp, "RSD PTR ", 8), "RSDP signature");
    is_int(sum8(rsdp, 20), 0, "RSDP checksum (first 20 bytes)");
    is_int(sum8(rsdp, 36), 0, "RSDP extended checksum");
    is_int(rsdp[15], 2, "RSDP revision 2");

    uint8_t *rsdt = check_table(le(rsdp + 16, 4), "RSDT");
    uint8_t *xsdt = check_table(le(rsdp + 24, 8), "XSDT");
    if (!rsdt || !xsdt)
        goto out;
    int n = (le(rsdt + 4, 4) - 36) / 4;
    is_int(n, apic ? 2 : 1, "RSDT entries");
    is_int((le(xsdt + 4, 4) - 36) / 8, n, "XSDT has as many entries as RSDT");
    uint8_t *fadt = NULL, *madt = NULL;
    for (int i = 0; i < n; i++) {
        uint64_t a = le(rsdt + 36 + 4 * i, 4);
        is_int(le(xsdt + 36 + 8 * i, 8), a, "XSDT entry %d equals RSDT entry", i);
        uint8_t *h = sim_ptr(a, 4);
        if (h && !memcmp(h, "FACP", 4))
            fadt = check_table(a, "FACP");
        else if (h && !memcmp(h, "APIC", 4))
            madt = check_table(a, "APIC");
        else
            ok(0, "RSDT entry %d is FACP or APIC", i);
    }
    if (!ok(fadt != NULL, "FADT found through the RSDT"))
        goto out;

    /* FADT fields */
    is_int(le(fadt + 4, 4), 244, "FADT length (revision 3)");
    is_int(le(fadt + 46, 2), 9, "FADT SCI_INT 9");
    is_int(le(fadt + 48, 4), 0xb2, "FADT SMI_CMD 0xb2");
    is_int(fadt[52], ACPI_ENABLE_CMD, "FADT ACPI_ENABLE");
    is_int(fadt[53], ACPI_DISABLE_CMD, "FADT ACPI_DISABLE");
    is_int(le(fadt + 56, 4), 0x600, "FADT PM1a_EVT_BLK at the PMBASE SeaBIOS assigns");
    is_int(le(fadt + 64, 4), 0x604, "FADT PM1a_CNT_BLK");
    is_int(le(fadt + 76, 4), 0x608, "FADT PM_TMR_BLK");
    is_int(le(fadt + 80, 4), 0xafe0, "FADT GPE0_BLK");
    is_int(fadt[88], 4, "FADT PM1_EVT_LEN");
    is_int(fadt[89], 2, "FADT PM1_CNT_LEN");
    is_int(fadt[91], 4, "FADT PM_TMR_LEN");
    is_int(fadt[92], 4, "FADT GPE0_BLK_LEN");
    ok(le(fadt + 112, 4) & (1u << 10), "FADT RESET_REG_SUP");
    ok(!(le(fadt + 112, 4) & (1u << 8)), "FADT: PM timer is 24-bit (TMR_VAL_EXT clear)");
    ok(le(fadt + 109, 2) & 2, "FADT IAPC_BOOT_ARCH says there is an 8042");
    is_int(fadt[116], 1, "FADT RESET_REG is in system I/O");
    is_int(le(fadt + 120, 8), 0xcf9, "FADT RESET_REG address 0xcf9");
    is_int(fadt[128], 6, "FADT RESET_VALUE 0x06");
    is_int(le(fadt + 148 + 4, 8), 0x600, "FADT X_PM1a_EVT_BLK");
    is_int(le(fadt + 172 + 4, 8), 0x604, "FADT X_PM1a_CNT_BLK");
    is_int(le(fadt + 208 + 4, 8), 0x608, "FADT X_PM_TMR_BLK");

    uint64_t facs_addr = le(fadt + 36, 4);
    uint8_t *facs = sim_ptr(facs_addr, 64);
    ok(facs && !memcmp(facs, "FACS", 4) && le(facs + 4, 4) == 64, "FACS via FIRMWARE_CTRL");
    is_int(facs_addr & 63, 0, "FACS is 64-byte aligned");
    is_int(le(fadt + 140, 8), le(fadt + 40, 4), "X_DSDT equals DSDT");
    uint8_t *dsdt = check_table(le(fadt + 40, 4), "DSDT");

    if (dsdt) {
        /* the patched Names, and \_S5 with SLP_TYP = the one hw/acpi-pm.c powers off on */
        uint32_t dlen = le(dsdt + 4, 4);
        uint64_t pmin = 0, pmax = 0, serm = ~0ull;
        int s5 = -1;
        for (uint32_t i = 36; i + 10 <= dlen; i++) {
            if (dsdt[i] == 0x08 && dsdt[i + 5] == 0x0c) {
                if (!memcmp(dsdt + i + 1, "PMIN", 4)) pmin = le(dsdt + i + 6, 4);
                if (!memcmp(dsdt + i + 1, "PMAX", 4)) pmax = le(dsdt + i + 6, 4);
                if (!memcmp(dsdt + i + 1, "SERM", 4)) serm = le(dsdt + i + 6, 4);
            }
            /* Name (_S5, Package (4) { SLP_TYPa, ... }): 08 _S5_ 12 len 04 <value> */
            if (dsdt[i] == 0x08 && !memcmp(dsdt + i + 1, "_S5_", 4) && dsdt[i + 5] == 0x12) {
                uint8_t v = dsdt[i + 8];
                s5 = v == 0x00 ? 0 : v == 0x01 ? 1 : v == 0x0a ? dsdt[i + 9] : -2;
            }
        }
        is_int(pmin, acpi_pci_window_start(ram), "DSDT PCI window start patched");
        ok(pmin >= ram, "PCI window starts above RAM");
        is_int(pmax, 0xfebfffff, "DSDT PCI window end patched");
        is_int(serm, 1, "DSDT serial port mask patched");
        is_int(s5, ACPI_SLP_TYP_S5, "DSDT \\_S5 SLP_TYP is what acpi-pm powers off on");
        if (cpus == 1)
            run_iasl_disassembler(dsdt, dlen);
    }

    if (apic && ok(madt != NULL, "MADT present")) {
        uint32_t mlen = le(madt + 4, 4);
        int lapics = 0, ioapics = 0, iso0 = 0, iso9 = 0, nmi = 0, bad = 0;
        is_int(le(madt + 36, 4), 0xfee00000, "MADT local APIC address");
        is_int(le(madt + 40, 4) & 1, 1, "MADT PCAT_COMPAT (8259s present)");
        for (uint32_t o = 44; o < mlen; ) {
            uint8_t type = madt[o], l = madt[o + 1];
            if (l < 2 || o + l > mlen) {
                bad++;
                break;
            }
            if (type == 0 && l == 8) {
                if (madt[o + 3] != lapics || !(le(madt + o + 4, 4) & 1))
                    bad++;
                lapics++;
            } else if (type == 1 && l == 12) {
                ioapics++;
                if (madt[o + 2] != 0 || le(madt + o + 4, 4) != 0xfec00000 || le(madt + o + 8, 4) != 0)
                    bad++;
            } else if (type == 2 && l == 10) {
                if (madt[o + 3] == 0 && le(madt + o + 4, 4) == 2)
                    iso0++;
                if (madt[o + 3] == 9 && le(madt + o + 4, 4) == 9 && le(madt + o + 8, 2) == 0xd)
                    iso9++;
            } else if (type == 4 && l == 6) {
                nmi++;
            }
            o += l;
        }
        is_int(bad, 0, "MADT entries well-formed");
        is_int(lapics, cpus, "MADT: one enabled local APIC per CPU, IDs in order");
        is_int(ioapics, 1, "MADT: one IOAPIC, ID 0 at 0xfec00000, GSI base 0");
        is_int(iso0, 1, "MADT: IRQ0 -> GSI 2 override");
        is_int(iso9, 1, "MADT: SCI (IRQ 9) level, active high");
        is_int(nmi, 1, "MADT: LINT1 NMI");
    }
out:
    acpi_build_free(&t);
}

int main(void)
{
    test_config(1, true, 128 * MiB);
    test_config(4, true, 3 * GiB);
    test_config(1, false, 2 * GiB);

    AcpiBuildConfig bad = { .nr_cpus = 0 };
    AcpiBuildTables t;
    ok(acpi_build(&bad, &t) < 0, "0 CPUs is refused");
    return done_testing();
}
