/*
 * Direct kernel boot: parse a Linux bzImage (Documentation/x86/boot.rst, boot
 * protocol 2.00 and later) or a multiboot v1 kernel (Multiboot Specification
 * 0.6.96: ELF32 or the a.out kludge, modules, the information structure) and
 * put what the option ROM bios/linuxboot.asm needs into fw_cfg.
 */
#include "core/common.h"
#include "core/log.h"
#include "hw/kernel-loader.h"

/* Linux real-mode kernel header (boot.rst "The real-mode kernel header") */
#define LINUX_SETUP_SECTS       0x1f1
#define LINUX_BOOT_FLAG         0x1fe   /* 0xaa55 */
#define LINUX_HEADER            0x202   /* "HdrS" */
#define LINUX_VERSION           0x206
#define LINUX_TYPE_OF_LOADER    0x210
#define LINUX_LOADFLAGS         0x211
#define  LINUX_LOADED_HIGH      0x01    /* protected-mode code at 0x100000 */
#define  LINUX_CAN_USE_HEAP     0x80
#define LINUX_RAMDISK_IMAGE     0x218
#define LINUX_RAMDISK_SIZE      0x21c
#define LINUX_HEAP_END_PTR      0x224
#define LINUX_CMD_LINE_PTR      0x228
#define LINUX_INITRD_ADDR_MAX   0x22c
#define LINUX_CMDLINE_SIZE      0x238
#define LINUX_OLD_CL_MAGIC      0x020   /* protocol < 2.02: 0xa33f, then the offset */
#define LINUX_OLD_CL_OFFSET     0x022
#define  LINUX_CL_MAGIC_VALUE   0xa33f
#define LINUX_HEADER_END        0x240   /* the fields above all lie before this */
#define LINUX_LOADER_ID         0xb0    /* what QEMU says: 0xb = "Qemu" */
#define LINUX_DEFAULT_SETUP_SECTS 4
#define LINUX_DEFAULT_INITRD_MAX 0x37ffffff
#define LINUX_DEFAULT_CMDLINE_MAX 255

/* Multiboot v1 */
#define MB_HEADER_MAGIC         0x1badb002
#define MB_SEARCH               8192
#define MB_FLAG_PAGE_ALIGN      (1u << 0)
#define MB_FLAG_MEMORY_INFO     (1u << 1)
#define MB_FLAG_VIDEO_MODE      (1u << 2)
#define MB_FLAG_AOUT_KLUDGE     (1u << 16)
#define MB_SUPPORTED_REQUIRED   (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO | MB_FLAG_VIDEO_MODE)
/* information structure */
#define MBI_FLAGS               0
#define MBI_MEM_LOWER           4
#define MBI_MEM_UPPER           8
#define MBI_CMDLINE             16
#define MBI_MODS_COUNT          20
#define MBI_MODS_ADDR           24
#define MBI_MMAP_LENGTH         44
#define MBI_MMAP_ADDR           48
#define MBI_BOOT_LOADER_NAME    64
#define MBI_SIZE                0x80
#define MBI_INFO_MEMORY         (1u << 0)
#define MBI_INFO_CMDLINE        (1u << 2)
#define MBI_INFO_MODS           (1u << 3)
#define MBI_INFO_MEM_MAP        (1u << 6)
#define MBI_INFO_LOADER_NAME    (1u << 9)
#define MB_MOD_SIZE             16      /* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY_SIZE      24      /* size (20), base, length, type */
#define MB_MAX_MODULES          64

/* ELF32 */
#define EI_CLASS                4
#define EI_DATA                 5
#define ELFCLASS32              1
#define ELFCLASS64              2
#define ELFDATA2LSB             1
#define EM_386                  3
#define PT_LOAD                 1
#define ELF32_EHDR_SIZE         52
#define ELF32_PHDR_SIZE         32

/* the low-memory layout (same as QEMU's, so kernels see what they expect) */
#define LINUX_REAL_ADDR         0x10000
#define LINUX_CMDLINE_ADDR      0x20000
#define LINUX_OLD_REAL_ADDR     0x90000
#define LINUX_OLD_CMDLINE_END   0x9a000
#define LINUX_PROT_ADDR         0x100000
#define LINUX_LOW_PROT_ADDR     0x10000
#define LOW_RAM_END             0x9fc00 /* SeaBIOS's EBDA starts here */
#define HIGH_MEMORY             0x100000

#define ROM_BLOCK               512
#define PNP_OFFSET_PTR          0x1a
#define PNP_HEADER_LEN          32
#define PNP_CHECKSUM            9

static uint32_t kl_ld16(const uint8_t *p) { return p[0] | (p[1] << 8); }
static uint32_t kl_ld32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void kl_st16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void kl_st32(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static int kl_read(const char *option, const char *path, uint8_t **data, size_t *size)
{
    int r = file_read_all(path, data, size);
    if (r < 0)
        error_report("%s %s: %s", option, path, strerror(-r));
    return r;
}

uint8_t *kernel_loader_rom(size_t *len)
{
    size_t size = ALIGN_UP((size_t)linuxboot_rom_len, (size_t)ROM_BLOCK);
    uint8_t *rom = xzalloc(size);
    uint8_t sum = 0;

    memcpy(rom, linuxboot_rom, linuxboot_rom_len);
    rom[2] = size / ROM_BLOCK;
    uint16_t pnp = kl_ld16(rom + PNP_OFFSET_PTR);
    if (pnp && pnp + PNP_HEADER_LEN <= size) {
        rom[pnp + PNP_CHECKSUM] = 0;
        for (int i = 0; i < PNP_HEADER_LEN; i++)
            sum += rom[pnp + i];
        rom[pnp + PNP_CHECKSUM] = -sum;
    }
    /* the whole ROM sums to 0: the last byte is padding we own */
    if (size == linuxboot_rom_len) {
        size += ROM_BLOCK;
        rom = xrealloc(rom, size);
        memset(rom + size - ROM_BLOCK, 0, ROM_BLOCK);
        rom[2] = size / ROM_BLOCK;
    }
    sum = 0;
    for (size_t i = 0; i < size - 1; i++)
        sum += rom[i];
    rom[size - 1] = -sum;
    *len = size;
    return rom;
}

static int kl_add_rom(FWCfgState *fw_cfg)
{
    /* boot it first: SeaBIOS names a genroms BEV "/rom@<file>" in bootorder */
    static const char bootorder[] = "/rom@" KERNEL_ROM_FILE "\n";
    size_t len;
    uint8_t *rom = kernel_loader_rom(&len);
    int r = fw_cfg_add_file(fw_cfg, KERNEL_ROM_FILE, rom, len);

    free(rom);
    if (!r)
        r = fw_cfg_add_file(fw_cfg, "bootorder", bootorder, sizeof(bootorder));
    if (r < 0)
        error_report("-kernel: cannot add the boot ROM to fw_cfg: %s", strerror(-r));
    return r;
}

/* Highest address (exclusive) a kernel, initrd or module may use. */
static uint64_t kl_ram_top(const KernelLoaderConfig *cfg)
{
    return cfg->below_4g > KERNEL_BIOS_RESERVE + HIGH_MEMORY ?
           cfg->below_4g - KERNEL_BIOS_RESERVE : HIGH_MEMORY;
}

/* ---- Linux ---- */

static int kl_linux(FWCfgState *fw_cfg, const KernelLoaderConfig *cfg,
                    uint8_t *kernel, size_t kernel_size)
{
    uint32_t protocol = kl_ld16(kernel + LINUX_VERSION);
    uint8_t loadflags = kernel[LINUX_LOADFLAGS];
    uint32_t real_addr, cmdline_addr, prot_addr;
    const char *append = cfg->append ? cfg->append : "";
    size_t cmdline_len = strlen(append);
    uint32_t cmdline_max = LINUX_DEFAULT_CMDLINE_MAX;
    uint8_t *initrd = NULL;
    size_t initrd_size = 0;
    int r = -EINVAL;

    if (protocol < 0x200) {
        error_report("-kernel %s: Linux boot protocol %x.%02x is too old (2.00 or later needed)",
                     cfg->kernel, protocol >> 8, protocol & 0xff);
        return -EINVAL;
    }
    if (protocol >= 0x206)
        cmdline_max = kl_ld32(kernel + LINUX_CMDLINE_SIZE);
    if (cmdline_len > cmdline_max) {
        error_report("-append: the command line is %zu bytes, this kernel takes at most %u",
                     cmdline_len, cmdline_max);
        return -EINVAL;
    }

    if (!(loadflags & LINUX_LOADED_HIGH)) {         /* zImage: everything low */
        real_addr = LINUX_OLD_REAL_ADDR;
        cmdline_addr = LINUX_OLD_CMDLINE_END - ALIGN_UP(cmdline_len + 1, 16);
        prot_addr = LINUX_LOW_PROT_ADDR;
    } else if (protocol < 0x202) {                  /* bzImage, old command line protocol */
        real_addr = LINUX_OLD_REAL_ADDR;
        cmdline_addr = LINUX_OLD_CMDLINE_END - ALIGN_UP(cmdline_len + 1, 16);
        prot_addr = LINUX_PROT_ADDR;
    } else {
        real_addr = LINUX_REAL_ADDR;
        cmdline_addr = LINUX_CMDLINE_ADDR;
        prot_addr = LINUX_PROT_ADDR;
    }

    uint32_t setup_sects = kernel[LINUX_SETUP_SECTS];
    if (!setup_sects)
        setup_sects = LINUX_DEFAULT_SETUP_SECTS;
    size_t setup_size = (setup_sects + 1) * 512;
    if (setup_size >= kernel_size || setup_size > cmdline_addr - real_addr - 0x200) {
        error_report("-kernel %s: the setup code (%zu bytes) does not fit, or nothing follows it",
                     cfg->kernel, setup_size);
        return -EINVAL;
    }
    size_t prot_size = kernel_size - setup_size;
    uint64_t ram_top = kl_ram_top(cfg);
    if (!(loadflags & LINUX_LOADED_HIGH) ? prot_addr + prot_size > real_addr
                                         : prot_addr + prot_size > ram_top) {
        error_report("-kernel %s: the kernel (%zu bytes) does not fit in RAM at 0x%x",
                     cfg->kernel, prot_size, prot_addr);
        return -EINVAL;
    }

    /* the header fields a boot loader fills (boot.rst "Details of header fields") */
    uint8_t *setup = kernel;
    setup[LINUX_TYPE_OF_LOADER] = LINUX_LOADER_ID;
    if (protocol >= 0x201) {
        setup[LINUX_LOADFLAGS] |= LINUX_CAN_USE_HEAP;
        kl_st16(setup + LINUX_HEAP_END_PTR, cmdline_addr - real_addr - 0x200);
    }
    if (protocol >= 0x202) {
        kl_st32(setup + LINUX_CMD_LINE_PTR, cmdline_addr);
    } else {
        kl_st16(setup + LINUX_OLD_CL_MAGIC, LINUX_CL_MAGIC_VALUE);
        kl_st16(setup + LINUX_OLD_CL_OFFSET, cmdline_addr - real_addr);
    }

    if (cfg->initrd) {
        uint64_t initrd_max = protocol >= 0x203 ? kl_ld32(kernel + LINUX_INITRD_ADDR_MAX)
                                                : LINUX_DEFAULT_INITRD_MAX;
        if ((r = kl_read("-initrd", cfg->initrd, &initrd, &initrd_size)) < 0)
            return r;
        initrd_max = MIN(initrd_max, ram_top - 1);
        uint64_t initrd_addr = initrd_size > initrd_max ? 0 :
                               (initrd_max + 1 - initrd_size) & ~0xfffULL;
        if (initrd_addr < prot_addr + prot_size || initrd_addr < HIGH_MEMORY) {
            error_report("-initrd %s: the initrd (%zu bytes) does not fit in RAM below 0x%llx "
                         "above the kernel (use more -m)",
                         cfg->initrd, initrd_size, (unsigned long long)initrd_max + 1);
            r = -E2BIG;
            goto out;
        }
        kl_st32(setup + LINUX_RAMDISK_IMAGE, initrd_addr);
        kl_st32(setup + LINUX_RAMDISK_SIZE, initrd_size);
        fw_cfg_add_i32(fw_cfg, FW_CFG_INITRD_ADDR, initrd_addr);
        fw_cfg_add_i32(fw_cfg, FW_CFG_INITRD_SIZE, initrd_size);
        fw_cfg_add_bytes(fw_cfg, FW_CFG_INITRD_DATA, initrd, initrd_size);
    }

    fw_cfg_add_i32(fw_cfg, FW_CFG_SETUP_ADDR, real_addr);
    fw_cfg_add_i32(fw_cfg, FW_CFG_SETUP_SIZE, setup_size);
    fw_cfg_add_bytes(fw_cfg, FW_CFG_SETUP_DATA, setup, setup_size);
    fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_ADDR, prot_addr);
    fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_SIZE, prot_size);
    fw_cfg_add_bytes(fw_cfg, FW_CFG_KERNEL_DATA, kernel + setup_size, prot_size);
    fw_cfg_add_i32(fw_cfg, FW_CFG_CMDLINE_ADDR, cmdline_addr);
    fw_cfg_add_i32(fw_cfg, FW_CFG_CMDLINE_SIZE, cmdline_len + 1);
    fw_cfg_add_string(fw_cfg, FW_CFG_CMDLINE_DATA, append);
    trace(LOG_DEV, "linux: protocol %x, setup %zu bytes at 0x%x, kernel %zu bytes at 0x%x, "
          "initrd %zu bytes\n", protocol, setup_size, real_addr, prot_size, prot_addr, initrd_size);
    r = kl_add_rom(fw_cfg);
out:
    free(initrd);
    return r;
}

/* ---- multiboot ---- */

/* Offset of a valid multiboot header in the first 8 KiB, or -1. */
static long kl_multiboot_header(const uint8_t *k, size_t size)
{
    for (size_t off = 0; off + 12 <= MIN(size, (size_t)MB_SEARCH); off += 4) {
        uint32_t magic = kl_ld32(k + off), flags = kl_ld32(k + off + 4);
        if (magic == MB_HEADER_MAGIC && (uint32_t)(magic + flags + kl_ld32(k + off + 8)) == 0)
            return off;
    }
    return -1;
}

typedef struct MbImage {
    uint8_t *data;              /* [base, end) of guest memory, built here */
    uint32_t base, end, cap;
} MbImage;

/* Grow the image to cover up to end (zero-filled), within [base, limit). */
static int mb_reserve(MbImage *img, uint64_t end, uint64_t limit)
{
    if (end > limit || end < img->base)
        return -E2BIG;
    if (end > img->end) {
        size_t need = end - img->base;
        if (need > img->cap) {
            img->data = xrealloc(img->data, need);
            memset(img->data + img->cap, 0, need - img->cap);
            img->cap = need;
        }
        img->end = end;
    }
    return 0;
}

/* Load an ELF32 image's PT_LOAD segments; fills [lo, hi) and entry. */
static int mb_load_elf(const KernelLoaderConfig *cfg, const uint8_t *k, size_t size,
                       MbImage *img, uint64_t limit, uint32_t *entry)
{
    if (size < ELF32_EHDR_SIZE || memcmp(k, "\177ELF", 4)) {
        error_report("-kernel %s: multiboot kernel is not ELF and has no address fields "
                     "(flag bit 16) to load it by", cfg->kernel);
        return -EINVAL;
    }
    if (k[EI_CLASS] == ELFCLASS64) {
        error_report("-kernel %s: a 64-bit ELF multiboot kernel cannot be loaded; "
                     "give a 32-bit one", cfg->kernel);
        return -EINVAL;
    }
    if (k[EI_CLASS] != ELFCLASS32 || k[EI_DATA] != ELFDATA2LSB || kl_ld16(k + 18) != EM_386) {
        error_report("-kernel %s: not a 32-bit little-endian i386 ELF file", cfg->kernel);
        return -EINVAL;
    }
    uint32_t phoff = kl_ld32(k + 28), phentsize = kl_ld16(k + 42), phnum = kl_ld16(k + 44);
    uint32_t e_entry = kl_ld32(k + 24);
    uint64_t lo = UINT64_MAX, hi = 0;

    if (phentsize < ELF32_PHDR_SIZE || phoff > size || (uint64_t)phnum * phentsize > size - phoff)
        goto bad;
    /* pass 1: the extent, so the image base is known */
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = k + phoff + i * phentsize;
        uint64_t paddr = kl_ld32(ph + 12), filesz = kl_ld32(ph + 16), memsz = kl_ld32(ph + 20);
        uint64_t offset = kl_ld32(ph + 4);
        if (kl_ld32(ph) != PT_LOAD || !memsz)
            continue;
        if (filesz > memsz || offset > size || filesz > size - offset)
            goto bad;
        lo = MIN(lo, paddr);
        hi = MAX(hi, paddr + memsz);
    }
    if (lo == UINT64_MAX)
        goto bad;
    if (lo < HIGH_MEMORY || hi > limit) {
        error_report("-kernel %s: the kernel wants 0x%llx-0x%llx; it must lie in RAM between "
                     "1 MiB and 0x%llx (use more -m?)", cfg->kernel, (unsigned long long)lo,
                     (unsigned long long)hi, (unsigned long long)limit);
        return -E2BIG;
    }
    img->base = img->end = lo;
    if (mb_reserve(img, hi, limit))
        goto bad;
    *entry = e_entry;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = k + phoff + i * phentsize;
        uint32_t offset = kl_ld32(ph + 4), vaddr = kl_ld32(ph + 8), paddr = kl_ld32(ph + 12);
        uint32_t filesz = kl_ld32(ph + 16), memsz = kl_ld32(ph + 20);
        if (kl_ld32(ph) != PT_LOAD || !memsz)
            continue;
        memcpy(img->data + (paddr - lo), k + offset, filesz);
        /* a virtual entry point inside a segment: the CPU starts without paging */
        if (e_entry >= vaddr && e_entry - vaddr < memsz)
            *entry = e_entry - vaddr + paddr;
    }
    return 0;
bad:
    error_report("-kernel %s: malformed ELF program headers", cfg->kernel);
    return -EINVAL;
}

/* The a.out kludge: the header's own address fields say where the file goes. */
static int mb_load_aout(const KernelLoaderConfig *cfg, const uint8_t *k, size_t size,
                        long hdr, MbImage *img, uint64_t limit, uint32_t *entry)
{
    if ((size_t)hdr + 32 > size)
        goto bad;
    uint32_t header_addr = kl_ld32(k + hdr + 12), load_addr = kl_ld32(k + hdr + 16);
    uint32_t load_end = kl_ld32(k + hdr + 20), bss_end = kl_ld32(k + hdr + 24);
    uint32_t entry_addr = kl_ld32(k + hdr + 28);

    if (header_addr < load_addr || header_addr - load_addr > (uint32_t)hdr)
        goto bad;
    uint32_t file_off = hdr - (header_addr - load_addr);
    uint64_t load_size = load_end ? (uint64_t)load_end - load_addr : size - file_off;
    if (load_end && load_end < load_addr)
        goto bad;
    if (load_size > size - file_off)
        goto bad;
    uint64_t end = (uint64_t)load_addr + load_size;
    if (bss_end) {
        if (bss_end < end)
            goto bad;
        end = bss_end;
    }
    if (load_addr < HIGH_MEMORY || end > limit) {
        error_report("-kernel %s: the kernel wants 0x%x-0x%llx; it must lie in RAM between "
                     "1 MiB and 0x%llx (use more -m?)", cfg->kernel, load_addr,
                     (unsigned long long)end, (unsigned long long)limit);
        return -E2BIG;
    }
    img->base = img->end = load_addr;
    if (mb_reserve(img, end, limit))
        goto bad;
    memcpy(img->data, k + file_off, load_size);
    *entry = entry_addr;
    return 0;
bad:
    error_report("-kernel %s: inconsistent multiboot address fields", cfg->kernel);
    return -EINVAL;
}

/* Append bytes at the end of the image; their guest address, or 0 on overflow. */
static uint32_t mb_append(MbImage *img, const void *data, size_t len, uint32_t align,
                          uint64_t limit)
{
    uint64_t at = ALIGN_UP((uint64_t)img->end, (uint64_t)align);
    if (mb_reserve(img, at + len, limit))
        return 0;
    if (data)
        memcpy(img->data + (at - img->base), data, len);
    return at;
}

static uint32_t mb_append_str(MbImage *img, const char *s, uint64_t limit)
{
    return mb_append(img, s, strlen(s) + 1, 1, limit);
}

static void mb_mmap_entry(uint8_t *e, uint64_t base, uint64_t len, uint32_t type)
{
    kl_st32(e, MB_MMAP_ENTRY_SIZE - 4);
    kl_st32(e + 4, base);
    kl_st32(e + 8, base >> 32);
    kl_st32(e + 12, len);
    kl_st32(e + 16, len >> 32);
    kl_st32(e + 20, type);
}

static int kl_multiboot(FWCfgState *fw_cfg, const KernelLoaderConfig *cfg,
                        const uint8_t *k, size_t size, long hdr)
{
    uint32_t flags = kl_ld32(k + hdr + 4);
    uint64_t limit = kl_ram_top(cfg);
    MbImage img = { 0 };
    uint32_t entry = 0;
    int r;

    if (flags & 0xffff & ~MB_SUPPORTED_REQUIRED) {
        error_report("-kernel %s: the multiboot header asks for features pcvm does not have "
                     "(flags 0x%x)", cfg->kernel, flags);
        return -EINVAL;
    }
    if (flags & MB_FLAG_AOUT_KLUDGE)
        r = mb_load_aout(cfg, k, size, hdr, &img, limit, &entry);
    else
        r = mb_load_elf(cfg, k, size, &img, limit, &entry);
    if (r < 0)
        goto out;
    if (!entry || entry < img.base || entry >= img.end) {
        error_report("-kernel %s: entry point 0x%x is outside the loaded image", cfg->kernel,
                     entry);
        r = -EINVAL;
        goto out;
    }

    /* modules: -initrd "file args,file2 args2" (",," is a literal comma) */
    char *mods[MB_MAX_MODULES];
    uint32_t mod_start[MB_MAX_MODULES], mod_end[MB_MAX_MODULES];
    int nr_mods = 0;
    if (cfg->initrd) {
        const char *p = cfg->initrd;
        while (*p) {
            char *m = xzalloc(strlen(p) + 1), *q = m;
            for (; *p; p++) {
                if (*p == ',' && p[1] == ',') {
                    *q++ = ',';
                    p++;
                } else if (*p == ',') {
                    p++;
                    break;
                } else {
                    *q++ = *p;
                }
            }
            if (nr_mods == MB_MAX_MODULES) {
                free(m);
                error_report("-initrd: at most %d multiboot modules", MB_MAX_MODULES);
                r = -E2BIG;
                goto out_mods;
            }
            mods[nr_mods++] = m;
        }
    }
    for (int i = 0; i < nr_mods; i++) {
        char *path = xstrdup(mods[i]);
        char *sp = strchr(path, ' ');
        uint8_t *data;
        size_t len;
        if (sp)
            *sp = '\0';
        r = kl_read("-initrd", path, &data, &len);
        free(path);
        if (r < 0)
            goto out_mods;
        /* page-aligned whatever the kernel asked: it is allowed and simpler */
        mod_start[i] = mb_append(&img, data, len, 4096, limit);
        mod_end[i] = mod_start[i] + len;
        free(data);
        if (!mod_start[i])
            goto too_big;
    }

    /* the information structure and what it points to */
    char *cmdline = xzalloc(strlen(cfg->kernel) + (cfg->append ? strlen(cfg->append) : 0) + 2);
    sprintf(cmdline, "%s%s%s", cfg->kernel, cfg->append ? " " : "",
            cfg->append ? cfg->append : "");
    uint32_t cmdline_addr = mb_append_str(&img, cmdline, limit);
    free(cmdline);
    uint32_t name_addr = mb_append_str(&img, "pcvm", limit);
    uint32_t mod_str[MB_MAX_MODULES];
    for (int i = 0; i < nr_mods; i++)
        mod_str[i] = mb_append_str(&img, mods[i], limit);
    uint32_t mods_addr = mb_append(&img, NULL, MB_MOD_SIZE * MAX(nr_mods, 1), 4, limit);

    /* the e820 map SeaBIOS will report, less the top of RAM it keeps */
    uint8_t mmap[6 * MB_MMAP_ENTRY_SIZE];
    int n = 0;
    mb_mmap_entry(mmap + n++ * MB_MMAP_ENTRY_SIZE, 0, LOW_RAM_END, E820_RAM);
    mb_mmap_entry(mmap + n++ * MB_MMAP_ENTRY_SIZE, LOW_RAM_END, 0xa0000 - LOW_RAM_END,
                  E820_RESERVED);
    mb_mmap_entry(mmap + n++ * MB_MMAP_ENTRY_SIZE, 0xf0000, 0x10000, E820_RESERVED);
    mb_mmap_entry(mmap + n++ * MB_MMAP_ENTRY_SIZE, HIGH_MEMORY, limit - HIGH_MEMORY, E820_RAM);
    mb_mmap_entry(mmap + n++ * MB_MMAP_ENTRY_SIZE, limit, cfg->below_4g - limit, E820_RESERVED);
    if (cfg->above_4g)
        mb_mmap_entry(mmap + n++ * MB_MMAP_ENTRY_SIZE, 4 * GiB, cfg->above_4g, E820_RAM);
    uint32_t mmap_addr = mb_append(&img, mmap, n * MB_MMAP_ENTRY_SIZE, 4, limit);
    uint32_t mbi = mb_append(&img, NULL, MBI_SIZE, 4, limit);
    if (!cmdline_addr || !name_addr || !mods_addr || !mmap_addr || !mbi)
        goto too_big;
    for (int i = 0; i < nr_mods; i++) {
        uint8_t *m = img.data + (mods_addr - img.base) + i * MB_MOD_SIZE;
        if (!mod_str[i])
            goto too_big;
        kl_st32(m, mod_start[i]);
        kl_st32(m + 4, mod_end[i]);
        kl_st32(m + 8, mod_str[i]);
    }
    uint8_t *info = img.data + (mbi - img.base);
    kl_st32(info + MBI_FLAGS, MBI_INFO_MEMORY | MBI_INFO_CMDLINE | MBI_INFO_MODS |
            MBI_INFO_MEM_MAP | MBI_INFO_LOADER_NAME);
    kl_st32(info + MBI_MEM_LOWER, LOW_RAM_END / KiB);
    kl_st32(info + MBI_MEM_UPPER, (limit - HIGH_MEMORY) / KiB);
    kl_st32(info + MBI_CMDLINE, cmdline_addr);
    kl_st32(info + MBI_MODS_COUNT, nr_mods);
    kl_st32(info + MBI_MODS_ADDR, mods_addr);
    kl_st32(info + MBI_MMAP_LENGTH, n * MB_MMAP_ENTRY_SIZE);
    kl_st32(info + MBI_MMAP_ADDR, mmap_addr);
    kl_st32(info + MBI_BOOT_LOADER_NAME, name_addr);

    fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_ENTRY, entry);
    fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_ADDR, img.base);
    fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_SIZE, img.end - img.base);
    fw_cfg_add_bytes(fw_cfg, FW_CFG_KERNEL_DATA, img.data, img.end - img.base);
    fw_cfg_add_i32(fw_cfg, FW_CFG_INITRD_ADDR, mbi);
    trace(LOG_DEV, "multiboot: image 0x%x-0x%x, entry 0x%x, info at 0x%x, %d modules\n",
          img.base, img.end, entry, mbi, nr_mods);
    r = kl_add_rom(fw_cfg);
    goto out_mods;

too_big:
    error_report("-kernel %s: the kernel, its modules and the boot information do not fit "
                 "in RAM below 0x%llx (use more -m)", cfg->kernel, (unsigned long long)limit);
    r = -E2BIG;
out_mods:
    for (int i = 0; i < nr_mods; i++)
        free(mods[i]);
out:
    free(img.data);
    return r;
}

static bool kl_is_linux(const uint8_t *k, size_t size)
{
    return size >= LINUX_HEADER_END && !memcmp(k + LINUX_HEADER, "HdrS", 4) &&
           kl_ld16(k + LINUX_BOOT_FLAG) == 0xaa55;
}

static void kl_not_a_kernel(const char *path)
{
    error_report("-kernel %s: not a Linux bzImage (no \"HdrS\" boot header) nor a "
                 "multiboot kernel (no multiboot header in the first 8 KiB)", path);
}

int kernel_loader_probe(const char *path)
{
    uint8_t *k;
    size_t size;
    int r = kl_read("-kernel", path, &k, &size);

    if (r < 0)
        return r;
    if (!kl_is_linux(k, size) && kl_multiboot_header(k, size) < 0) {
        kl_not_a_kernel(path);
        r = -ENOEXEC;
    }
    free(k);
    return r;
}

int kernel_loader_setup(FWCfgState *fw_cfg, const KernelLoaderConfig *cfg)
{
    uint8_t *kernel;
    size_t size;
    long mb;
    int r = kl_read("-kernel", cfg->kernel, &kernel, &size);

    if (r < 0)
        return r;
    if (kl_is_linux(kernel, size)) {
        r = kl_linux(fw_cfg, cfg, kernel, size);
    } else if ((mb = kl_multiboot_header(kernel, size)) >= 0) {
        r = kl_multiboot(fw_cfg, cfg, kernel, size, mb);
    } else {
        kl_not_a_kernel(cfg->kernel);
        r = -ENOEXEC;
    }
    free(kernel);
    return r;
}
