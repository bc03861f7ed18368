/*
 * The software CPU's memory path: a software TLB per privilege (supervisor,
 * user), 2-level / PSE / PAE page walks with A/D bits, CR0.WP, NX and global
 * pages (Intel SDM vol. 3, chapter 4), A20 masking, MMIO dispatch and the
 * translator's private copy of the guest-physical map.
 */
#include <pthread.h>

#include "core/mainloop.h"
#include "target-i386/tcg.h"

/* Page table entry bits (SDM vol. 3, 4.3 / 4.4) */
#define PG_P    0x001u
#define PG_RW   0x002u
#define PG_US   0x004u
#define PG_A    0x020u
#define PG_D    0x040u
#define PG_PS   0x080u
#define PG_G    0x100u
#define PG_NX   (1ull << 63)

/* #PF error code */
#define PFERR_P    0x01
#define PFERR_W    0x02
#define PFERR_U    0x04
#define PFERR_RSVD 0x08
#define PFERR_I    0x10

#define TLB_PHYS_GLOBAL 0x1u

/* ---- our copy of the physical map ---- */

typedef struct PhysMap {
    int nr;
    FlatRange fr[];          /* copies; mem_io_* get pointers into here */
} PhysMap;

static _Atomic(PhysMap *) mmu_map;
static PhysMap *mmu_retired[64];
static int mmu_nretired;
static pthread_mutex_t mmu_lock = PTHREAD_MUTEX_INITIALIZER;

static const FlatRange *mmu_lookup(uint32_t pa)
{
    PhysMap *m = atomic_load_explicit(&mmu_map, memory_order_acquire);
    int lo = 0, hi;

    if (!m)
        return NULL;
    hi = m->nr - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const FlatRange *r = &m->fr[mid];
        if (pa < r->start)
            hi = mid - 1;
        else if (pa >= r->end)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

static void mmu_commit(MemListener *l, const FlatView *old, const FlatView *nv)
{
    PhysMap *m = xmalloc(sizeof(*m) + sizeof(FlatRange) * (nv ? nv->nr : 0));
    PhysMap *prev;

    m->nr = nv ? nv->nr : 0;
    if (m->nr)
        memcpy(m->fr, nv->ranges, sizeof(FlatRange) * m->nr);
    pthread_mutex_lock(&mmu_lock);
    prev = atomic_exchange(&mmu_map, m);
    if (prev) {
        if (mmu_nretired < (int)ARRAY_SIZE(mmu_retired))
            mmu_retired[mmu_nretired++] = prev;
        /* else leak: only a map-change storm gets here */
    }
    pthread_mutex_unlock(&mmu_lock);
    if (tcg_cpu) {
        atomic_store(&tcg_cpu->flush_request, 1);
        atomic_store(&tcg_cpu->exit_request, 1);
        tcg_cpu->stop = 1;
    }
}

/* DMA into RAM: invalidate translated code there (done on the CPU thread) */
#define DMA_RANGES 32
static struct { uint32_t start, len; } mmu_dma[DMA_RANGES];
static int mmu_ndma;
static bool mmu_dma_overflow;

static void mmu_ram_written(MemListener *l, uint64_t gpa, uint64_t len)
{
    if (gpa >= (1ull << 32))
        return;
    pthread_mutex_lock(&mmu_lock);
    if (mmu_ndma < DMA_RANGES) {
        mmu_dma[mmu_ndma].start = gpa;
        mmu_dma[mmu_ndma].len = MIN(len, (1ull << 32) - gpa);
        mmu_ndma++;
    } else {
        mmu_dma_overflow = true;
    }
    pthread_mutex_unlock(&mmu_lock);
    if (tcg_cpu)
        atomic_store(&tcg_cpu->exit_request, 1);
}

static MemListener mmu_listener = {
    .commit = mmu_commit,
    .ram_written = mmu_ram_written,
};

void mmu_listener_register(void)
{
    static bool done;
    if (!done) {
        done = true;
        mem_listener_add(&mmu_listener);
        /* the map may already exist */
        if (mem_flatview())
            mmu_commit(&mmu_listener, NULL, mem_flatview());
    }
}

/* Called by the CPU thread between blocks. */
void mmu_process_requests(X86CPU *cpu)
{
    int i, n;
    struct { uint32_t start, len; } dma[DMA_RANGES];
    bool overflow;

    if (atomic_exchange(&cpu->flush_request, 0)) {
        pthread_mutex_lock(&mmu_lock);
        for (i = 0; i < mmu_nretired; i++)
            free(mmu_retired[i]);
        mmu_nretired = 0;
        pthread_mutex_unlock(&mmu_lock);
        tlb_flush(cpu, true);
        tb_flush_all(cpu);
    }
    pthread_mutex_lock(&mmu_lock);
    n = mmu_ndma;
    memcpy(dma, mmu_dma, sizeof(dma[0]) * n);
    overflow = mmu_dma_overflow;
    mmu_ndma = 0;
    mmu_dma_overflow = false;
    pthread_mutex_unlock(&mmu_lock);
    if (overflow) {
        tb_flush_all(cpu);
    } else {
        for (i = 0; i < n; i++)
            tb_invalidate_phys_range(cpu, dma[i].start, dma[i].len);
    }
}

/* ---- physical access ---- */

uint8_t *phys_ram_ptr(uint32_t pa, bool write)
{
    const FlatRange *r = mmu_lookup(pa);
    if (!r || r->mr->type != MEM_RAM || (write && r->mr->readonly))
        return NULL;
    return r->mr->host + r->mr_offset + (pa - r->start);
}

static uint64_t mmu_io_read(const FlatRange *r, uint32_t pa, int size)
{
    uint64_t v;
    bql_lock();
    v = mem_io_read(r, pa, size);
    bql_unlock();
    return v;
}

static void mmu_io_write(const FlatRange *r, uint32_t pa, uint32_t val, int size)
{
    bql_lock();
    mem_io_write(r, pa, val, size);
    bql_unlock();
}

uint32_t phys_ldl(X86CPU *cpu, uint32_t pa)
{
    const FlatRange *r;
    uint32_t v;

    pa &= cpu->a20_mask;
    r = mmu_lookup(pa);
    if (!r || pa + 3 >= r->end)
        return 0xffffffff;
    if (r->mr->type == MEM_RAM) {
        memcpy(&v, r->mr->host + r->mr_offset + (pa - r->start), 4);
        return v;
    }
    return mmu_io_read(r, pa, 4);
}

void phys_stl(X86CPU *cpu, uint32_t pa, uint32_t val)
{
    uint8_t *p;

    pa &= cpu->a20_mask;
    p = phys_ram_ptr(pa, true);
    /* both ends in the same region (adjacent regions are not adjacent on the host) */
    if (p && phys_ram_ptr(pa + 3, true) == p + 3) {
        memcpy(p, &val, 4);
        if (tb_page_has_code(pa >> 12))
            tb_invalidate_phys_range(cpu, pa, 4);
    }
}

/* ---- TLB ---- */

void tlb_flush(X86CPU *cpu, bool global_too)
{
    for (int u = 0; u < 2; u++) {
        for (int i = 0; i < TLB_SIZE; i++) {
            TLBEntry *e = &cpu->tlbs[u][i];
            if (!global_too && (e->phys & TLB_PHYS_GLOBAL) && !(e->tag_r & TLB_INVALID))
                continue;
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        }
    }
    if (global_too)
        cpu->tlb_has_large = false;
    tb_jc_flush(cpu);
    trace(LOG_MMU, "tlb flush%s\n", global_too ? " (global)" : "");
}

void tlb_flush_page(X86CPU *cpu, uint64_t lin)
{
    /* Entries hold 4K pieces; a large page (4M/2M) has many of them, all
     * invalidated by one INVLPG.  While the TLB holds any, flush it all. */
    if (cpu->tlb_has_large) {
        tlb_flush(cpu, true);
        return;
    }
    for (int u = 0; u < 2; u++) {
        TLBEntry *e = &cpu->tlbs[u][(lin >> 12) & (TLB_SIZE - 1)];
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
    }
    tb_jc_flush(cpu);
}

static NORETURN void mmu_raise_pf(X86CPU *cpu, uint64_t lin, int err)
{
    cpu->env.cr[2] = lin;
    trace(LOG_MMU, "#PF lin=%08llx err=%x eip=%08llx\n", (unsigned long long)lin, err,
          (unsigned long long)cpu->cur_eip);
    raise_exception_err(cpu, EXCP0E_PAGE, err);
}

/*
 * Walk the page tables for lin: 2-level (4K, PSE 4M), PAE (PDPTEs, 4K/2M)
 * or, under EFER.LMA, 4-level (PML4, PDPT with 1G pages, PD with 2M, PT).
 * Returns 0 and fills *phys (the physical address of lin) and *prot (bit 0
 * read, 1 write allowed now, 2 exec, 3 global, 4 large page), or a #PF error
 * code | 0x10000.  Sets the A bits, and D on a write, as the hardware does.
 * "Write allowed now" is clear while D is clear, so the first write through
 * the TLB walks again and sets D.
 */
#define PG_ADDR_MASK 0x000ffffffffff000ull
#define PG_RSVD_HI   (~((1ull << CPU_PHYS_BITS) - 1) & ~PG_NX)

static int mmu_walk(X86CPU *cpu, uint64_t lin, int acc, int user, uint32_t *phys, int *prot)
{
    CPUX86State *env = &cpu->env;
    bool wp = env->cr[0] & CR0_WP_MASK;
    bool nxe = env->efer & EFER_NXE;
    bool pae = env->cr[4] & CR4_PAE_MASK;
    bool lma = env->efer & EFER_LMA;
    int err = (acc == 1 ? PFERR_W : 0) | (user ? PFERR_U : 0);
    uint64_t ent_pa[4], ent[4], page_pa, off_mask;
    int nlev = 0, levels, shift;
    bool rw = true, us = true, nx = false, w_ok, large = false;
    uint64_t rsvd = PG_RSVD_HI;     /* PAE: 62:MAXPHYADDR reserved */

    if (!(env->cr[0] & CR0_PG_MASK)) {
        *phys = lin;
        *prot = 7;
        return 0;
    }
    if (acc == 2 && nxe)
        err |= PFERR_I;
    if (lma) {
        rsvd = PG_RSVD_HI & ((1ull << 52) - 1);    /* 62:52 ignored (SDM vol. 3, 4.5.4) */
        levels = 4;
        shift = 39;
        ent_pa[0] = (env->cr[3] & PG_ADDR_MASK) + ((lin >> 39) & 0x1ff) * 8;
    } else if (pae) {
        /* the 4 PDPTEs: no access rights, no A bits (SDM vol. 3, 4.4.1) */
        uint32_t pa = (env->cr[3] & ~0x1fu) + ((lin >> 30) & 3) * 8;
        uint64_t pdpte = phys_ldl(cpu, pa) | ((uint64_t)phys_ldl(cpu, pa + 4) << 32);
        if (!(pdpte & PG_P))
            return err | 0x10000;
        if (pdpte & PG_RSVD_HI)
            return err | PFERR_P | PFERR_RSVD | 0x10000;
        levels = 2;
        shift = 21;
        ent_pa[0] = (pdpte & PG_ADDR_MASK) + ((lin >> 21) & 0x1ff) * 8;
    } else {
        levels = 2;
        shift = 22;
        ent_pa[0] = (env->cr[3] & ~0xfffu) + ((lin >> 22) & 0x3ff) * 4;
    }
    for (;;) {
        uint32_t pa = ent_pa[nlev];
        uint64_t e = phys_ldl(cpu, pa);
        if (pae)
            e |= (uint64_t)phys_ldl(cpu, pa + 4) << 32;
        ent[nlev] = e;
        if (!(e & PG_P))
            return err | 0x10000;
        if (pae && (e & rsvd))
            return err | PFERR_P | PFERR_RSVD | 0x10000;
        if (pae && (e & PG_NX)) {
            if (!nxe)
                return err | PFERR_P | PFERR_RSVD | 0x10000;
            nx = true;
        }
        rw &= !!(e & PG_RW);
        us &= !!(e & PG_US);
        nlev++;
        if (nlev == levels)
            break;
        /* PS: a 4M/2M page in a PDE, a 1G page in a PDPTE; reserved in a PML4E */
        if (e & PG_PS) {
            if (lma && nlev == 1)
                return err | PFERR_P | PFERR_RSVD | 0x10000;
            if (pae || (env->cr[4] & CR4_PSE_MASK)) {
                large = true;
                break;
            }
        }
        shift -= pae ? 9 : 10;
        ent_pa[nlev] = (pae ? (e & PG_ADDR_MASK) : (e & 0xfffff000u)) +
                       (pae ? ((lin >> shift) & 0x1ff) * 8 : ((lin >> shift) & 0x3ff) * 4);
    }
    if (user && !us)
        return err | PFERR_P | 0x10000;
    w_ok = rw || (!user && !wp);
    if (acc == 1 && !w_ok)
        return err | PFERR_P | 0x10000;
    if (acc == 2 && nx)
        return err | PFERR_P | 0x10000;
    /* accessed / dirty bits */
    for (int i = 0; i < nlev; i++) {
        uint32_t lo = (uint32_t)ent[i], nlo = lo | PG_A;
        if (i == nlev - 1 && acc == 1)
            nlo |= PG_D;
        if (nlo != lo) {
            phys_stl(cpu, ent_pa[i], nlo);
            ent[i] = (ent[i] & ~0xffffffffull) | nlo;
        }
    }
    {
        uint64_t leaf = ent[nlev - 1];
        off_mask = large ? (1ull << shift) - 1 : 0xfff;
        page_pa = (pae ? leaf & PG_ADDR_MASK : leaf & 0xfffff000u) & ~off_mask;
        *phys = page_pa | (lin & off_mask);
        *prot = (large ? 16 : 0) | 1 | (w_ok && (leaf & PG_D) ? 2 : 0) | (nx ? 0 : 4) |
                ((leaf & PG_G) && (env->cr[4] & CR4_PGE_MASK) ? 8 : 0);
    }
    return 0;
}

int mmu_probe(X86CPU *cpu, uint64_t lin, int acc, int user, uint32_t *phys)
{
    int prot;
    int r = mmu_walk(cpu, lin, acc, user, phys, &prot);
    if (r)
        return r;
    *phys &= cpu->a20_mask;
    return 0;
}

TLBEntry *tlb_fill(X86CPU *cpu, uint64_t lin, int acc, int user)
{
    uint64_t page = lin & ~0xfffull;
    uint32_t phys;
    int prot, r;
    bool writable;
    TLBEntry *e = &cpu->tlbs[user][(lin >> 12) & (TLB_SIZE - 1)];
    const FlatRange *fr;

    r = mmu_walk(cpu, lin, acc, user, &phys, &prot);
    if (r)
        mmu_raise_pf(cpu, lin, r & 0xffff);
    writable = prot & 2;
    phys &= cpu->a20_mask;
    phys &= ~0xfffu;
    fr = mmu_lookup(phys);
    e->phys = phys | ((prot & 8) ? TLB_PHYS_GLOBAL : 0);
    if (prot & 16)
        cpu->tlb_has_large = true;
    if (fr && fr->mr->type == MEM_RAM && phys + 0x1000 <= fr->end) {
        e->addend = (uintptr_t)(fr->mr->host + fr->mr_offset + (phys - fr->start)) - page;
        e->tag_r = page;
        e->tag_x = (prot & 4) ? page : TLB_INVALID;
        if (!writable)
            e->tag_w = TLB_INVALID;
        else if (fr->mr->readonly)
            e->tag_w = page | TLB_ROM;
        else if (tb_page_has_code(phys >> 12))
            e->tag_w = page | TLB_NOTDIRTY;
        else
            e->tag_w = page;
    } else {
        e->addend = 0;
        e->tag_r = page | TLB_MMIO;
        e->tag_x = (prot & 4) ? (page | TLB_MMIO) : TLB_INVALID;
        e->tag_w = writable ? (page | TLB_MMIO) : TLB_INVALID;
    }
    return e;
}

static inline bool tlb_tag_match(uint64_t tag, uint64_t page)
{
    return (tag & ~0xfffull) == page && !(tag & TLB_INVALID);
}

uint64_t mmu_ld_slow(X86CPU *cpu, uint64_t lin, int size, int user)
{
    uint64_t page = lin & ~0xfffull;
    TLBEntry *e;

    if ((lin & 0xfff) + size > 0x1000) {
        uint64_t v = 0;
        for (int i = 0; i < size; i++)
            v |= mmu_ld_slow(cpu, lin + i, 1, user) << (8 * i);
        return v;
    }
    e = &cpu->tlbs[user][(lin >> 12) & (TLB_SIZE - 1)];
    if (!tlb_tag_match(e->tag_r, page))
        e = tlb_fill(cpu, lin, 0, user);
    if (e->tag_r & TLB_MMIO) {
        uint32_t pa = (e->phys & ~0xfffu) | (lin & 0xfff);
        const FlatRange *fr = mmu_lookup(pa);
        if (!fr) {
            trace(LOG_MMIO, "unassigned read %08x\n", pa);
            return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
        }
        if (pa + size > fr->end || size == 8) {
            uint64_t v = 0;
            if (size == 8 && pa + 8 <= fr->end)     /* two 4-byte device accesses */
                return mmu_io_read(fr, pa, 4) | (mmu_io_read(fr, pa + 4, 4) << 32);
            for (int i = 0; i < size; i++)
                v |= mmu_ld_slow(cpu, lin + i, 1, user) << (8 * i);
            return v;
        }
        return mmu_io_read(fr, pa, size);
    }
    {
        uint64_t v = 0;
        memcpy(&v, (uint8_t *)(e->addend + lin), size);
        return v;
    }
}

void mmu_st_slow(X86CPU *cpu, uint64_t lin, uint64_t val, int size, int user)
{
    uint64_t page = lin & ~0xfffull;
    TLBEntry *e;

    if ((lin & 0xfff) + size > 0x1000) {
        /* both pages must be writable before any byte is written */
        uint64_t last = lin + size - 1;
        TLBEntry *e2 = &cpu->tlbs[user][(last >> 12) & (TLB_SIZE - 1)];
        e = &cpu->tlbs[user][(lin >> 12) & (TLB_SIZE - 1)];
        if (!tlb_tag_match(e->tag_w, page))
            tlb_fill(cpu, lin, 1, user);
        if (!tlb_tag_match(e2->tag_w, last & ~0xfffull))
            tlb_fill(cpu, last & ~0xfffull, 1, user);  /* CR2: first byte on that page */
        for (int i = 0; i < size; i++)
            mmu_st_slow(cpu, lin + i, val >> (8 * i), 1, user);
        return;
    }
    e = &cpu->tlbs[user][(lin >> 12) & (TLB_SIZE - 1)];
    if (!tlb_tag_match(e->tag_w, page))
        e = tlb_fill(cpu, lin, 1, user);
    if (e->tag_w & TLB_MMIO) {
        uint32_t pa = (e->phys & ~0xfffu) | (lin & 0xfff);
        const FlatRange *fr = mmu_lookup(pa);
        if (!fr) {
            trace(LOG_MMIO, "unassigned write %08x\n", pa);
            return;
        }
        if (size == 8 && pa + 8 <= fr->end) {
            mmu_io_write(fr, pa, val, 4);
            mmu_io_write(fr, pa + 4, val >> 32, 4);
            return;
        }
        if (pa + size > fr->end) {
            for (int i = 0; i < size; i++)
                mmu_st_slow(cpu, lin + i, val >> (8 * i), 1, user);
            return;
        }
        mmu_io_write(fr, pa, val, size);
        return;
    }
    if (e->tag_w & TLB_ROM)
        return;
    if (e->tag_w & TLB_NOTDIRTY) {
        uint32_t pa = (e->phys & ~0xfffu) | (lin & 0xfff);
        tb_invalidate_phys_range(cpu, pa, size);
        if (!tb_page_has_code(pa >> 12))
            e->tag_w = page;
    }
    memcpy((uint8_t *)(e->addend + lin), &val, size);
}

void mmu_probe_write(X86CPU *cpu, uint64_t lin, uint32_t len, int user)
{
    uint64_t page = lin & ~0xfffull, last = (lin + len - 1) & ~0xfffull;
    for (;;) {
        TLBEntry *e = &cpu->tlbs[user][(page >> 12) & (TLB_SIZE - 1)];
        if (!tlb_tag_match(e->tag_w, page))
            tlb_fill(cpu, page == (lin & ~0xfffull) ? lin : page, 1, user);
        if (page == last)
            break;
        page += 0x1000;
    }
}

/* ---- control registers ---- */

void mmu_set_cr0(X86CPU *cpu, uint32_t val)
{
    CPUX86State *env = &cpu->env;
    uint32_t old = env->cr[0];

    val |= CR0_ET_MASK;
    env->cr[0] = val;
    if ((old ^ val) & (CR0_PG_MASK | CR0_WP_MASK | CR0_PE_MASK))
        tlb_flush(cpu, true);
    cpu_update_mode(cpu);
}

void mmu_set_cr3(X86CPU *cpu, uint64_t val)
{
    cpu->env.cr[3] = val;
    if (cpu->env.cr[0] & CR0_PG_MASK)
        tlb_flush(cpu, false);
}

void mmu_set_cr4(X86CPU *cpu, uint32_t val)
{
    uint32_t old = cpu->env.cr[4];
    cpu->env.cr[4] = val;
    if ((old ^ val) & (CR4_PGE_MASK | CR4_PAE_MASK | CR4_PSE_MASK))
        tlb_flush(cpu, true);
}

void mmu_init(X86CPU *cpu)
{
    cpu->a20_mask = 0xffffffffu;
    tlb_flush(cpu, true);
}
