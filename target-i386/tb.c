/*
 * The block cache: straight-line runs of decoded instructions keyed by
 * (physical address, linear PC, CS base, mode bits), found through a
 * direct-mapped jump cache on the linear PC and a hash on the physical PC.
 * Writes to pages holding blocks (CPU stores via the TLB's NOTDIRTY flag,
 * DMA via the memory listener) invalidate the blocks they overlap.
 */
#include <sys/mman.h>

#include "target-i386/tcg.h"

#define TB_HASH_BITS   15
#define TB_HASH_SIZE   (1 << TB_HASH_BITS)
#define TB_ARENA_SIZE  (64u << 20)
#define TB_NPAGES      (1u << 20)      /* 4 GiB of physical pages */
#define TB_TOUCHED_MAX 65536

static TB *tb_hash[TB_HASH_SIZE];
static uint8_t *tb_arena;
static size_t tb_arena_used;
static TB **tb_pages;                  /* per physical page: blocks touching it */
static uint64_t *tb_lines;             /* per physical page: 64-byte lines holding code */
static uint32_t *tb_touched;           /* pages with a list, for a cheap flush */
static uint32_t tb_ntouched;
static bool tb_touched_overflow;

/* scratch block for code that is not in RAM (never cached) */
static union {
    TB tb;
    uint8_t space[sizeof(TB) + sizeof(DInsn) * 1];
} tb_scratch;

static inline uint32_t tb_hash_fn(uint32_t phys, uint64_t pc)
{
    uint32_t h = phys ^ ((uint32_t)(pc ^ (pc >> 32)) * 0x9e3779b1u);
    return (h ^ (h >> TB_HASH_BITS)) & (TB_HASH_SIZE - 1);
}

void tb_init(void)
{
    if (tb_arena)
        return;
    tb_arena = mmap(NULL, TB_ARENA_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (tb_arena == MAP_FAILED)
        fatal("cannot allocate the translation cache: %s", strerror(errno));
    tb_pages = mmap(NULL, TB_NPAGES * sizeof(TB *), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (tb_pages == MAP_FAILED)
        fatal("cannot allocate the translation page table: %s", strerror(errno));
    tb_lines = mmap(NULL, TB_NPAGES * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (tb_lines == MAP_FAILED)
        fatal("cannot allocate the translation line map: %s", strerror(errno));
    tb_touched = xzalloc(TB_TOUCHED_MAX * sizeof(uint32_t));
}

void tb_jc_flush(X86CPU *cpu)
{
    memset(cpu->jc, 0, sizeof(cpu->jc));
}

void tb_flush_all(X86CPU *cpu)
{
    trace(LOG_EXEC, "tb flush (%zu bytes of blocks)\n", tb_arena_used);
    memset(tb_hash, 0, sizeof(tb_hash));
    if (tb_touched_overflow) {
        memset(tb_pages, 0, TB_NPAGES * sizeof(TB *));
        memset(tb_lines, 0, TB_NPAGES * sizeof(uint64_t));
    } else {
        for (uint32_t i = 0; i < tb_ntouched; i++) {
            tb_pages[tb_touched[i]] = NULL;
            tb_lines[tb_touched[i]] = 0;
        }
    }
    tb_ntouched = 0;
    tb_touched_overflow = false;
    tb_arena_used = 0;
    tb_jc_flush(cpu);
    cpu->stop = 1;
}

bool tb_page_has_code(uint32_t phys_page)
{
    return tb_pages && phys_page < TB_NPAGES && tb_pages[phys_page];
}

static inline int tb_page_slot(const TB *tb, uint32_t page)
{
    return (tb->phys >> 12) == page ? 0 : 1;
}

/* Bits for the 64-byte lines of [off, off+len) within one page */
static uint64_t tb_line_mask(uint32_t off, uint32_t len)
{
    uint32_t first = off >> 6, last = (off + len - 1) >> 6;
    uint64_t hi = last >= 63 ? ~0ull : ((1ull << (last + 1)) - 1);
    return hi & ~((1ull << first) - 1);
}

static void tb_page_add(X86CPU *cpu, TB *tb, uint32_t page, int slot)
{
    if (page >= TB_NPAGES)
        return;
    if (!tb_pages[page]) {
        if (tb_ntouched < TB_TOUCHED_MAX)
            tb_touched[tb_ntouched++] = page;
        else
            tb_touched_overflow = true;
        /* first code in the page: make TLB writes to it take the slow path */
        for (int u = 0; u < 2; u++) {
            for (int i = 0; i < TLB_SIZE; i++) {
                TLBEntry *e = &cpu->tlbs[u][i];
                if ((e->phys >> 12) == page && !(e->tag_w & (TLB_INVALID | TLB_MMIO | TLB_ROM)))
                    e->tag_w |= TLB_NOTDIRTY;
            }
        }
    }
    tb->page_next[slot] = tb_pages[page];
    tb_pages[page] = tb;
    {
        uint32_t first_len = MIN(tb->size, 0x1000 - (tb->phys & 0xfff));
        if (slot == 0)
            tb_lines[page] |= tb_line_mask(tb->phys & 0xfff, first_len);
        else
            tb_lines[page] |= tb_line_mask(0, tb->size - first_len);
    }
}

static void tb_page_remove(TB *tb, uint32_t page)
{
    TB **pp = &tb_pages[page];
    while (*pp) {
        TB *t = *pp;
        int slot = tb_page_slot(t, page);
        if (t == tb) {
            *pp = t->page_next[slot];
            return;
        }
        pp = &t->page_next[slot];
    }
}

static void tb_remove(X86CPU *cpu, TB *tb)
{
    TB **pp = &tb_hash[tb_hash_fn(tb->phys, tb->pc)];
    uint32_t j;

    while (*pp) {
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
        pp = &(*pp)->hash_next;
    }
    tb_page_remove(tb, tb->phys >> 12);
    if (tb->phys2 != 0xffffffffu && (tb->phys2 >> 12) != (tb->phys >> 12))
        tb_page_remove(tb, tb->phys2 >> 12);
    j = tb_jc_hash(tb->pc);
    if (cpu->jc[j] == tb)
        cpu->jc[j] = NULL;
}

/* Does tb hold any byte of physical [start, end)? */
static bool tb_overlaps(const TB *tb, uint32_t start, uint32_t end)
{
    uint32_t first_len = MIN(tb->size, 0x1000 - (tb->phys & 0xfff));
    if (start < tb->phys + first_len && end > tb->phys)
        return true;
    if (tb->phys2 != 0xffffffffu) {
        uint32_t rest = tb->size - first_len;
        if (start < tb->phys2 + rest && end > tb->phys2)
            return true;
    }
    return false;
}

void tb_invalidate_phys_range(X86CPU *cpu, uint32_t start, uint32_t len)
{
    uint32_t end = start + len, page;

    if (!tb_pages || len == 0)
        return;
    if (end < start)
        end = 0xffffffffu;
    for (page = start >> 12; page <= ((end - 1) >> 12) && page < TB_NPAGES; page++) {
        uint32_t lo = page == (start >> 12) ? (start & 0xfff) : 0;
        uint32_t hi = page == ((end - 1) >> 12) ? ((end - 1) & 0xfff) : 0xfff;
        TB *tb = tb_pages[page];
        /* a write that touches no line with code (data next to code) is cheap */
        if (!(tb_lines[page] & tb_line_mask(lo, hi - lo + 1)))
            continue;
        while (tb) {
            TB *next = tb->page_next[tb_page_slot(tb, page)];
            if (tb_overlaps(tb, start, end)) {
                trace(LOG_EXEC, "tb invalidate %08x (write %08x+%u)\n", tb->phys, start, len);
                tb_remove(cpu, tb);
                cpu->stop = 1;
            }
            tb = next;
        }
    }
}

static void *tb_alloc(X86CPU *cpu, size_t size)
{
    void *p;
    size = ALIGN_UP(size, 16);
    if (tb_arena_used + size > TB_ARENA_SIZE)
        tb_flush_all(cpu);
    p = tb_arena + tb_arena_used;
    tb_arena_used += size;
    return p;
}

static void tb_log_asm(TB *tb, const uint8_t *buf)
{
    uint64_t eip = tb->pc - tb->cs_base;
    uint32_t off = 0;
    char text[96];

    log_printf("IN: %08llx (phys %08x)%s\n", (unsigned long long)tb->pc, tb->phys,
               (tb->flags & TBF_CODE64) ? " [64-bit]" :
               (tb->flags & TBF_CODE32) ? "" : " [16-bit]");
    for (int i = 0; i < tb->n; i++) {
        const DInsn *d = &tb->insn[i];
        disas_insn(d, eip + off, text, sizeof(text));
        log_printf("0x%08llx:  ", (unsigned long long)(tb->pc + off));
        for (int k = 0; k < 8; k++)
            log_printf(k < d->len ? "%02x " : "   ", buf[off + k]);
        log_printf(" %s\n", text);
        off += d->len;
    }
    log_printf("\n");
}

/* One instruction read through the slow path (code in MMIO or straddling
 * into a page that is not RAM), in the scratch block: never cached. */
/* the decoder's mode argument for a block's flags */
static int tb_decode_mode(uint32_t flags)
{
    return (flags & TBF_CODE64) ? DECODE_64 : (flags & TBF_CODE32) ? 1 : 0;
}

static TB *tb_gen_single(X86CPU *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                         uint32_t phys)
{
    uint8_t buf[16];
    DInsn d;
    int len = -1;
    TB *tb;

    for (int i = 0; i < 16; i++) {
        /* fetch only what the decoder needs: a fault on a later byte that
         * the instruction does not use must not be raised */
        buf[i] = mmu_ld_slow(cpu, pc + i, 1, cpu->mmu_user);
        len = decode_insn_buf(buf, i + 1, tb_decode_mode(flags), &d);
        if (len >= 0)
            break;
        if (len == -2)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
    }
    if (len < 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    tb = &tb_scratch.tb;
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->phys = phys;
    tb->phys2 = 0xffffffffu;
    tb->size = len;
    tb->n = 1;
    tb->cacheable = 0;
    tb->insn[0] = d;
    if (trace_enabled(LOG_IN_ASM))
        tb_log_asm(tb, buf);
    return tb;
}

/* Build a block at linear pc (physical phys).  Raises #PF for the first
 * instruction's bytes; later instructions that cannot be fetched end it. */
static TB *tb_gen(X86CPU *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags, uint32_t phys)
{
    uint8_t buf[4096 + 16];
    DInsn insns[TB_MAX_INSNS];
    const uint8_t *host = phys_ram_ptr(phys, false);
    uint32_t page_left = 0x1000 - (pc & 0xfff);
    uint32_t avail, off = 0, phys2 = 0xffffffffu, next_phys = 0;
    bool next_ok = false;
    int n = 0, code32 = flags & TBF_CODE32, mode = tb_decode_mode(flags);
    uint64_t cs_left;
    TB *tb;

    /* the rest of the page must be one host span (one RAM region) */
    if (!host || phys_ram_ptr(phys + page_left - 1, false) != host + page_left - 1)
        return tb_gen_single(cpu, pc, cs_base, flags, phys);
    memcpy(buf, host, page_left);
    avail = page_left;
    if (page_left < 16) {
        uint32_t np;
        if (mmu_probe(cpu, pc + page_left, 2, cpu->mmu_user, &np) == 0) {
            const uint8_t *h2 = phys_ram_ptr(np, false);
            if (h2 && phys_ram_ptr(np + 15, false) == h2 + 15) {
                memcpy(buf + page_left, h2, 16);
                avail += 16;
                next_ok = true;
                next_phys = np & ~0xfffu;
            }
        }
    }
    /* Bytes up to the CS limit, and 16-bit IP wraps at 64K: a block never
     * runs past either (the next lookup then faults or wraps). */
    if (flags & TBF_CODE64) {
        cs_left = 0x1000;           /* no limit in 64-bit mode */
    } else {
        uint32_t lim = cpu->env.segs[R_CS].limit, eip0 = pc - cs_base;
        if (!code32 && lim > 0xffff)
            lim = 0xffff;
        cs_left = eip0 <= lim ? (uint64_t)lim - eip0 + 1 : 0;
    }
    while (n < TB_MAX_INSNS && off < page_left && off < cs_left) {
        DInsn *d = &insns[n];
        int len = decode_insn_buf(buf + off, avail - off, mode, d);
        if (len == -1) {
            if (n == 0) {
                /* the first instruction runs into the next page: #PF if it
                 * is not mapped, else it is MMIO/ROM-device code */
                tlb_fill(cpu, pc + page_left, 2, cpu->mmu_user);
                return tb_gen_single(cpu, pc, cs_base, flags, phys);
            }
            break;
        }
        if (len == -2) {
            if (n == 0)
                raise_exception_err(cpu, EXCP0D_GPF, 0);
            break;
        }
        if (off + len > cs_left) {
            if (n == 0)
                raise_exception_err(cpu, EXCP0D_GPF, 0);    /* straddles the limit */
            break;
        }
        if (off + len > page_left && next_ok)
            phys2 = next_phys;
        off += len;
        n++;
        if (x86_op_attr[d->op] & A_END)
            break;
    }
    tb = tb_alloc(cpu, sizeof(TB) + n * sizeof(DInsn));
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->phys = phys;
    tb->phys2 = phys2;
    tb->size = off;
    tb->n = n;
    tb->cacheable = 1;
    memcpy(tb->insn, insns, n * sizeof(DInsn));
    if (trace_enabled(LOG_IN_ASM))
        tb_log_asm(tb, buf);
    {
        uint32_t h = tb_hash_fn(phys, pc);
        tb->hash_next = tb_hash[h];
        tb_hash[h] = tb;
    }
    tb->page_next[0] = tb->page_next[1] = NULL;
    tb_page_add(cpu, tb, phys >> 12, 0);
    if (phys2 != 0xffffffffu) {
        if ((phys2 >> 12) != (phys >> 12)) {
            tb_page_add(cpu, tb, phys2 >> 12, 1);
        } else if ((phys >> 12) < TB_NPAGES) {
            /* both linear pages map the same physical page: one list entry,
             * but the lines of both parts hold code */
            uint32_t first_len = MIN(tb->size, 0x1000 - (tb->phys & 0xfff));
            tb_lines[phys >> 12] |= tb_line_mask(0, tb->size - first_len);
        }
    }
    return tb;
}

/* Translate the code address through the TLB (raising #PF as a fetch would). */
static uint32_t tb_code_phys(X86CPU *cpu, uint64_t pc)
{
    TLBEntry *e = &cpu->tlb[(pc >> 12) & (TLB_SIZE - 1)];
    if ((e->tag_x & ~(uint64_t)TLB_MMIO) != (pc & ~0xfffull))
        e = tlb_fill(cpu, pc, 2, cpu->mmu_user);
    return (e->phys & ~0xfffu) | (pc & 0xfff);
}

TB *tb_find(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    uint64_t cs_base = env->segs[R_CS].base;
    uint64_t pc = cpu_pc(cpu);
    uint32_t flags = cpu_tb_flags(cpu);
    uint32_t j = tb_jc_hash(pc), phys;
    TB *tb = cpu->jc[j];

    if (likely(tb && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags))
        return tb;
    /* fetch faults (#PF, #GP) report this instruction */
    cpu->cur_eip = env->eip;
    if (cpu->code64) {
        if (unlikely(!cpu_canonical(pc)))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
    } else if (unlikely((uint32_t)env->eip > env->segs[R_CS].limit)) {
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    }
    phys = tb_code_phys(cpu, pc);
    for (tb = tb_hash[tb_hash_fn(phys, pc)]; tb; tb = tb->hash_next) {
        if (tb->phys == phys && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags) {
            if (tb->phys2 != 0xffffffffu) {
                uint32_t p2;
                if (mmu_probe(cpu, (pc & ~0xfffull) + 0x1000, 2, cpu->mmu_user, &p2) != 0 ||
                    (p2 & ~0xfffu) != tb->phys2)
                    continue;
            }
            break;
        }
    }
    if (!tb) {
        tb = tb_gen(cpu, pc, cs_base, flags, phys);
        if (!tb->cacheable)
            return tb;
    }
    cpu->jc[j] = tb;
    return tb;
}
