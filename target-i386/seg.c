/*
 * Segmentation and control transfers of the software CPU: segment register
 * loads with their protection checks, far JMP/CALL/RET through call gates,
 * interrupt and exception delivery in real, v8086 and protected mode, IRET
 * and task switches (Intel SDM vol. 3, chapters 3, 5, 6 and 7).
 */
#include "core/mainloop.h"
#include "target-i386/tcg.h"

/* system descriptor types (SDM vol. 3, table 3-2) */
#define SYS_TSS16_AVAIL  1
#define SYS_LDT          2
#define SYS_TSS16_BUSY   3
#define SYS_CALLGATE16   4
#define SYS_TASKGATE     5
#define SYS_INTGATE16    6
#define SYS_TRAPGATE16   7
#define SYS_TSS32_AVAIL  9
#define SYS_TSS32_BUSY   11
#define SYS_CALLGATE32   12
#define SYS_INTGATE32    14
#define SYS_TRAPGATE32   15

/* why a task switch happens (SDM vol. 3, 7.3) */
#define TS_JMP  0
#define TS_CALL 1
#define TS_IRET 2

__thread PendingExcp tcg_pending_excp;

NORETURN void raise_interrupt(X86CPU *cpu, int intno, int is_sw, int err, bool has_err,
                              uint64_t next_eip)
{
    tcg_pending_excp.intno = intno;
    tcg_pending_excp.is_sw = is_sw;
    tcg_pending_excp.err = err;
    tcg_pending_excp.has_err = has_err;
    tcg_pending_excp.next_eip = next_eip;
    cpu->env.eip = cpu->cur_eip;
    longjmp(cpu->jmp_env, 1);
}

NORETURN void raise_exception_err(X86CPU *cpu, int excp, int err)
{
    raise_interrupt(cpu, excp, 0, err, true, 0);
}

NORETURN void raise_exception(X86CPU *cpu, int excp)
{
    raise_interrupt(cpu, excp, 0, 0, false, 0);
}

/* ---- segment caches ---- */

void seg_update_checks(X86CPU *cpu, int seg)
{
    CPUX86State *env = &cpu->env;
    SegmentCache *s = &env->segs[seg];

    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        cpu->seg_lo[seg] = 0;
        cpu->seg_hi[seg] = s->limit;
        cpu->seg_ok[seg] = 3;
        return;
    }
    if (!(s->flags & DESC_P_MASK) || (seg != R_CS && seg != R_SS && (s->selector & ~3) == 0)) {
        cpu->seg_lo[seg] = 1;
        cpu->seg_hi[seg] = 0;
        cpu->seg_ok[seg] = 0;
        return;
    }
    if (s->flags & DESC_CS_MASK) {
        cpu->seg_ok[seg] = (s->flags & DESC_R_MASK) ? 1 : 0;
        if (seg == R_CS)
            cpu->seg_ok[seg] = 1;   /* fetches are checked elsewhere */
    } else {
        cpu->seg_ok[seg] = 1 | ((s->flags & DESC_W_MASK) ? 2 : 0);
    }
    if (!(s->flags & DESC_CS_MASK) && (s->flags & DESC_E_MASK)) {
        cpu->seg_lo[seg] = s->limit + 1;
        cpu->seg_hi[seg] = (s->flags & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
        if (cpu->seg_lo[seg] == 0)
            cpu->seg_lo[seg] = 0xffffffffu;
    } else {
        cpu->seg_lo[seg] = 0;
        cpu->seg_hi[seg] = s->limit;
    }
}

void cpu_update_mode(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    bool pm = (env->cr[0] & CR0_PE_MASK) && !(env->eflags & VM_MASK);

    cpu->code64 = pm && (env->efer & EFER_LMA) && (env->segs[R_CS].flags & DESC_L_MASK);
    cpu->code32 = pm && !cpu->code64 && (env->segs[R_CS].flags & DESC_B_MASK);
    cpu->mmu_user = x86_cpl(env) == 3;
    cpu->tlb = cpu->tlbs[cpu->mmu_user];
    for (int i = 0; i < 6; i++)
        seg_update_checks(cpu, i);
}

void seg_load_cache(X86CPU *cpu, int seg, uint16_t sel, uint64_t base, uint32_t limit,
                    uint32_t flags)
{
    SegmentCache *s = &cpu->env.segs[seg];
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->flags = flags;
    if (seg == R_CS || seg == R_SS)
        cpu_update_mode(cpu);
    else
        seg_update_checks(cpu, seg);
}

static uint32_t seg_desc_base(uint32_t e1, uint32_t e2)
{
    return (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000u);
}

static uint32_t seg_desc_limit(uint32_t e1, uint32_t e2)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000u);
    if (e2 & DESC_G_MASK)
        limit = (limit << 12) | 0xfff;
    return limit;
}

static void seg_load_desc_cache(X86CPU *cpu, int seg, uint16_t sel, uint32_t e1, uint32_t e2)
{
    seg_load_cache(cpu, seg, sel, seg_desc_base(e1, e2), seg_desc_limit(e1, e2),
                   e2 & 0x00ffff00u);
}

/* Read the descriptor for sel from the GDT or LDT; false if beyond the limit. */
static bool seg_read_desc(X86CPU *cpu, uint16_t sel, uint32_t *e1, uint32_t *e2)
{
    SegmentCache *dt = (sel & 4) ? &cpu->env.ldt : &cpu->env.gdt;
    uint32_t idx = sel & ~7u;

    if ((sel & 4) && !(cpu->env.ldt.flags & DESC_P_MASK) && (cpu->env.ldt.selector & ~3) == 0)
        return false;
    if (idx + 7 > dt->limit)
        return false;
    *e1 = cpu_ld_kernel(cpu, dt->base + idx, 4);
    *e2 = cpu_ld_kernel(cpu, dt->base + idx + 4, 4);
    return true;
}

static void seg_set_accessed(X86CPU *cpu, uint16_t sel, uint32_t e2)
{
    SegmentCache *dt = (sel & 4) ? &cpu->env.ldt : &cpu->env.gdt;
    if (!(e2 & DESC_A_MASK))
        cpu_st_kernel(cpu, dt->base + (sel & ~7u) + 4, e2 | DESC_A_MASK, 4);
}

/* MOV/POP/LxS to a data segment register or SS (SDM vol. 3, 5.5 - 5.7) */
void seg_load(X86CPU *cpu, int seg, uint16_t sel)
{
    CPUX86State *env = &cpu->env;
    uint32_t e1, e2;
    int cpl, dpl, rpl;

    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        SegmentCache *s = &env->segs[seg];
        uint32_t flags = s->flags;
        uint32_t limit = s->limit;
        if (env->eflags & VM_MASK) {
            flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | (3 << DESC_DPL_SHIFT);
            limit = 0xffff;
        }
        seg_load_cache(cpu, seg, sel, (uint32_t)sel << 4, limit, flags);
        return;
    }
    cpl = cpu_cpl(cpu);
    rpl = sel & 3;
    if ((sel & ~3) == 0) {
        /* a null SS is allowed in 64-bit mode below CPL 3 (SDM vol. 3, 5.8.6) */
        if (seg == R_SS && (!cpu->code64 || cpl == 3 || rpl != cpl))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        seg_load_cache(cpu, seg, sel, 0, 0, seg == R_SS ? (uint32_t)cpl << DESC_DPL_SHIFT : 0);
        return;
    }
    if (!seg_read_desc(cpu, sel, &e1, &e2))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    if (!(e2 & DESC_S_MASK))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0C_STACK, sel & ~3);
    } else {
        if ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (!(e2 & DESC_CS_MASK) || !(e2 & DESC_C_MASK)) {
            if (dpl < cpl || dpl < rpl)
                raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        }
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
    }
    seg_set_accessed(cpu, sel, e2);
    seg_load_desc_cache(cpu, seg, sel, e1, e2 | DESC_A_MASK);
}

/* ---- TSS and task switch ---- */

static void seg_tss_stack(X86CPU *cpu, int dpl, uint16_t *ss, uint32_t *esp)
{
    SegmentCache *tr = &cpu->env.tr;
    int type = (tr->flags >> DESC_TYPE_SHIFT) & 0xf;
    int shift = (type & 8) ? 1 : 0;
    uint32_t idx = (dpl * 4 + 2) << shift;

    if (!(tr->flags & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0A_TSS, tr->selector & ~3);
    if (idx + (4 << shift) - 1 > tr->limit)
        raise_exception_err(cpu, EXCP0A_TSS, tr->selector & ~3);
    if (shift) {
        *esp = cpu_ld_kernel(cpu, tr->base + idx, 4);
        *ss = cpu_ld_kernel(cpu, tr->base + idx + 4, 2);
    } else {
        *esp = cpu_ld_kernel(cpu, tr->base + idx, 2);
        *ss = cpu_ld_kernel(cpu, tr->base + idx + 2, 2);
    }
}

/* Load CS/SS/data segments from a new task or an outer return, checking them
 * the way SDM vol. 3, 7.3 step 12 describes (faults are #TS). */
static void seg_load_task_seg(X86CPU *cpu, int seg, uint16_t sel)
{
    uint32_t e1, e2;
    if ((sel & ~3) == 0) {
        if (seg == R_CS || seg == R_SS)
            raise_exception_err(cpu, EXCP0A_TSS, sel & ~3);
        seg_load_cache(cpu, seg, sel, 0, 0, 0);
        return;
    }
    if (!seg_read_desc(cpu, sel, &e1, &e2) || !(e2 & DESC_S_MASK))
        raise_exception_err(cpu, EXCP0A_TSS, sel & ~3);
    if (!(e2 & DESC_P_MASK))
        raise_exception_err(cpu, seg == R_SS ? EXCP0C_STACK : EXCP0B_NOSEG, sel & ~3);
    if (seg == R_CS && !(e2 & DESC_CS_MASK))
        raise_exception_err(cpu, EXCP0A_TSS, sel & ~3);
    seg_load_desc_cache(cpu, seg, sel, e1, e2);
}

/* TSS layouts (SDM vol. 3, figures 7-2 and 7-11) */
typedef struct TSSLayout {
    uint8_t eip, eflags, regs, segs, ldt, cr3;   /* offsets; cr3 0: none */
    uint8_t rsz, ssz;                             /* register size, segment slot size */
    uint8_t nsegs;                                /* ES CS SS DS (FS GS) */
    uint8_t min_limit;
} TSSLayout;

static const TSSLayout seg_tss32 = { 0x20, 0x24, 0x28, 0x48, 0x60, 0x1c, 4, 4, 6, 103 };
static const TSSLayout seg_tss16 = { 14, 16, 18, 34, 42, 0, 2, 2, 4, 43 };

static void seg_task_switch(X86CPU *cpu, uint16_t tss_sel, uint32_t e1, uint32_t e2,
                            int source, uint32_t next_eip)
{
    CPUX86State *env = &cpu->env;
    int type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
    uint32_t nbase = seg_desc_base(e1, e2), nlimit = seg_desc_limit(e1, e2);
    uint32_t obase = env->tr.base;
    uint32_t eflags, neip, nflags, ncr3 = env->cr[3], regs[8];
    uint16_t nsegs[6] = { 0 }, nldt, old_sel = env->tr.selector;
    const TSSLayout *nl = (type & 8) ? &seg_tss32 : &seg_tss16;
    const TSSLayout *ol = ((env->tr.flags >> DESC_TYPE_SHIFT) & 8) ? &seg_tss32 : &seg_tss16;
    int i;

    trace(LOG_PCALL, "task switch %04x -> %04x (%s)\n", old_sel, tss_sel,
          source == TS_JMP ? "jmp" : source == TS_CALL ? "call" : "iret");
    if (!(e2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, tss_sel & ~3);
    if (nlimit < nl->min_limit)
        raise_exception_err(cpu, EXCP0A_TSS, tss_sel & ~3);

    /* read the new state first: a fault here leaves the old task intact */
    if (nl->cr3)
        ncr3 = cpu_ld_kernel(cpu, nbase + nl->cr3, 4);
    neip = cpu_ld_kernel(cpu, nbase + nl->eip, nl->rsz);
    nflags = cpu_ld_kernel(cpu, nbase + nl->eflags, nl->rsz);
    for (i = 0; i < 8; i++) {
        regs[i] = cpu_ld_kernel(cpu, nbase + nl->regs + i * nl->rsz, nl->rsz);
        if (nl->rsz == 2)
            regs[i] |= (uint32_t)env->regs[i] & 0xffff0000u;
    }
    for (i = 0; i < nl->nsegs; i++)
        nsegs[i] = cpu_ld_kernel(cpu, nbase + nl->segs + i * nl->ssz, 2);
    nldt = cpu_ld_kernel(cpu, nbase + nl->ldt, 2);

    /* clear the old busy bit for JMP/IRET */
    if (source == TS_JMP || source == TS_IRET) {
        uint32_t a = env->gdt.base + (old_sel & ~7u) + 4;
        cpu_st_kernel(cpu, a, cpu_ld_kernel(cpu, a, 4) & ~(2u << DESC_TYPE_SHIFT), 4);
    }
    eflags = env->eflags;
    if (source == TS_IRET)
        eflags &= ~NT_MASK;
    /* save the old state */
    cpu_st_kernel(cpu, obase + ol->eip, next_eip, ol->rsz);
    cpu_st_kernel(cpu, obase + ol->eflags, eflags, ol->rsz);
    for (i = 0; i < 8; i++)
        cpu_st_kernel(cpu, obase + ol->regs + i * ol->rsz, env->regs[i], ol->rsz);
    for (i = 0; i < ol->nsegs; i++)
        cpu_st_kernel(cpu, obase + ol->segs + i * ol->ssz, env->segs[i].selector, 2);

    if (source == TS_CALL) {
        cpu_st_kernel(cpu, nbase, old_sel, 2);
        nflags |= NT_MASK;
    }
    if (source == TS_JMP || source == TS_CALL) {
        uint32_t a = env->gdt.base + (tss_sel & ~7u) + 4;
        cpu_st_kernel(cpu, a, cpu_ld_kernel(cpu, a, 4) | (2u << DESC_TYPE_SHIFT), 4);
        e2 |= 2u << DESC_TYPE_SHIFT;
    }
    env->tr.selector = tss_sel;
    env->tr.base = nbase;
    env->tr.limit = nlimit;
    env->tr.flags = e2 & 0x00ffff00u;
    env->cr[0] |= CR0_TS_MASK;

    if (nl->cr3) {
        if (env->cr[0] & CR0_PG_MASK)
            mmu_set_cr3(cpu, ncr3);
        else
            env->cr[3] = ncr3;
    }
    env->eflags = (nflags & ~0x2u) | 0x2;
    env->eip = neip;
    for (i = 0; i < 8; i++)
        env->regs[i] = regs[i];
    /* selectors first, so a fault in a descriptor load sees the new task */
    for (i = 0; i < 6; i++)
        env->segs[i].selector = nsegs[i];
    env->ldt.selector = nldt;
    if (env->eflags & VM_MASK) {
        for (i = 0; i < 6; i++)
            seg_load_cache(cpu, i, nsegs[i], (uint32_t)nsegs[i] << 4, 0xffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                           (i == R_CS ? DESC_CS_MASK | DESC_R_MASK : 0) |
                           (3 << DESC_DPL_SHIFT));
        cpu_update_mode(cpu);
        return;
    }
    /* LDT */
    if ((nldt & ~3) == 0) {
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
    } else {
        uint32_t l1, l2;
        if (nldt & 4)
            raise_exception_err(cpu, EXCP0A_TSS, nldt & ~3);
        if (!seg_read_desc(cpu, nldt, &l1, &l2) ||
            ((l2 >> DESC_TYPE_SHIFT) & 0xf) != SYS_LDT || (l2 & DESC_S_MASK))
            raise_exception_err(cpu, EXCP0A_TSS, nldt & ~3);
        env->ldt.base = seg_desc_base(l1, l2);
        env->ldt.limit = seg_desc_limit(l1, l2);
        env->ldt.flags = l2 & 0x00ffff00u;
    }
    seg_load_task_seg(cpu, R_CS, nsegs[R_CS]);
    seg_load_task_seg(cpu, R_SS, nsegs[R_SS]);
    for (i = 0; i < 6; i++)
        if (i != R_CS && i != R_SS)
            seg_load_task_seg(cpu, i, nsegs[i]);
    cpu_update_mode(cpu);
    if (env->eip > env->segs[R_CS].limit)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
}

static void seg_task_gate(X86CPU *cpu, uint16_t sel, int source, uint32_t next_eip)
{
    uint32_t e1, e2;
    int type;
    if (sel & 4)
        raise_exception_err(cpu, EXCP0A_TSS, sel & ~3);
    if (!seg_read_desc(cpu, sel, &e1, &e2))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
    if ((e2 & DESC_S_MASK) || (type != SYS_TSS32_AVAIL && type != SYS_TSS16_AVAIL))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    seg_task_switch(cpu, sel, e1, e2, source, next_eip);
}

/* ---- interrupts ---- */

static bool seg_excp_has_err(int intno)
{
    return intno == 8 || (intno >= 10 && intno <= 14) || intno == 17;
}

static void seg_do_interrupt_real(X86CPU *cpu, int intno, uint64_t next_eip)
{
    CPUX86State *env = &cpu->env;
    uint32_t off = intno * 4, ip, cs;

    if (off + 3 > env->idt.limit)
        raise_exception_err(cpu, EXCP0D_GPF, intno * 8 + 2);
    ip = cpu_ld_kernel(cpu, env->idt.base + off, 2);
    cs = cpu_ld_kernel(cpu, env->idt.base + off + 2, 2);
    cpu_push(cpu, env->eflags, 2);
    cpu_push(cpu, env->segs[R_CS].selector, 2);
    cpu_push(cpu, next_eip, 2);
    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    seg_load_cache(cpu, R_CS, cs, cs << 4, env->segs[R_CS].limit, env->segs[R_CS].flags);
    env->eip = ip;
}

typedef struct StackPtr {
    uint64_t base, mask, sp;
    int user;
} StackPtr;

static uint64_t seg_stack_lin(const StackPtr *s)
{
    uint64_t lin = s->base + (s->sp & s->mask);
    return s->mask == ~0ull ? lin : (uint32_t)lin;
}

static void seg_push_on(X86CPU *cpu, StackPtr *s, uint64_t val, int size)
{
    s->sp -= size;
    mmu_st_slow(cpu, seg_stack_lin(s), val, size, s->user);
}

static uint64_t seg_pop_from(X86CPU *cpu, StackPtr *s, int size)
{
    uint64_t v = mmu_ld_slow(cpu, seg_stack_lin(s), size, s->user);
    s->sp += size;
    return v;
}

static void seg_do_interrupt_pm(X86CPU *cpu, int intno, int is_sw, int err, bool has_err,
                                uint64_t next_eip)
{
    CPUX86State *env = &cpu->env;
    uint32_t e1, e2, g1, g2, off, new_esp = 0;
    int type, dpl, cpl = cpu_cpl(cpu), shift, ext = is_sw ? 0 : 1;
    uint16_t sel, new_ss = 0;
    bool inner, from_vm = env->eflags & VM_MASK;
    StackPtr st;
    uint32_t old_eflags, old_ss, old_esp;

    if (is_sw)
        has_err = false;
    if (intno * 8 + 7 > env->idt.limit)
        raise_exception_err(cpu, EXCP0D_GPF, intno * 8 + 2 + ext);
    g1 = cpu_ld_kernel(cpu, env->idt.base + intno * 8, 4);
    g2 = cpu_ld_kernel(cpu, env->idt.base + intno * 8 + 4, 4);
    type = (g2 >> DESC_TYPE_SHIFT) & 0x1f;   /* includes S */
    switch (type) {
    case SYS_TASKGATE:
    case SYS_INTGATE16: case SYS_TRAPGATE16:
    case SYS_INTGATE32: case SYS_TRAPGATE32:
        break;
    default:
        raise_exception_err(cpu, EXCP0D_GPF, intno * 8 + 2 + ext);
    }
    dpl = (g2 >> DESC_DPL_SHIFT) & 3;
    if (is_sw && dpl < cpl)
        raise_exception_err(cpu, EXCP0D_GPF, intno * 8 + 2);
    if (!(g2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, intno * 8 + 2 + ext);
    if (type == SYS_TASKGATE) {
        seg_task_gate(cpu, g1 >> 16, TS_CALL, is_sw ? next_eip : env->eip);
        if (has_err) {
            int sz = (env->tr.flags & (8 << DESC_TYPE_SHIFT)) ? 4 : 2;
            cpu_push(cpu, err, sz);
        }
        return;
    }
    shift = (type & 8) ? 1 : 0;
    sel = g1 >> 16;
    off = (g2 & 0xffff0000u) | (g1 & 0xffff);
    if ((sel & ~3) == 0)
        raise_exception_err(cpu, EXCP0D_GPF, ext);
    if (!seg_read_desc(cpu, sel, &e1, &e2))
        raise_exception_err(cpu, EXCP0D_GPF, (sel & ~3) + ext);
    if (!(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK))
        raise_exception_err(cpu, EXCP0D_GPF, (sel & ~3) + ext);
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if (dpl > cpl)
        raise_exception_err(cpu, EXCP0D_GPF, (sel & ~3) + ext);
    if (!(e2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, (sel & ~3) + ext);
    inner = !(e2 & DESC_C_MASK) && dpl < cpl;
    if (from_vm && (!inner || dpl != 0))
        raise_exception_err(cpu, EXCP0D_GPF, (sel & ~3) + ext);

    old_eflags = env->eflags;
    old_ss = env->segs[R_SS].selector;
    old_esp = env->regs[R_ESP];
    if (inner) {
        uint32_t s1, s2;
        seg_tss_stack(cpu, dpl, &new_ss, &new_esp);
        if ((new_ss & ~3) == 0 || (new_ss & 3) != dpl)
            raise_exception_err(cpu, EXCP0A_TSS, (new_ss & ~3) + ext);
        if (!seg_read_desc(cpu, new_ss, &s1, &s2) || !(s2 & DESC_S_MASK) ||
            (s2 & DESC_CS_MASK) || !(s2 & DESC_W_MASK) ||
            ((s2 >> DESC_DPL_SHIFT) & 3) != dpl)
            raise_exception_err(cpu, EXCP0A_TSS, (new_ss & ~3) + ext);
        if (!(s2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0C_STACK, (new_ss & ~3) + ext);
        st.base = seg_desc_base(s1, s2);
        st.mask = (s2 & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
        st.sp = new_esp;
        st.user = dpl == 3;
        if (from_vm) {
            seg_push_on(cpu, &st, env->segs[R_GS].selector, 2 << shift);
            seg_push_on(cpu, &st, env->segs[R_FS].selector, 2 << shift);
            seg_push_on(cpu, &st, env->segs[R_DS].selector, 2 << shift);
            seg_push_on(cpu, &st, env->segs[R_ES].selector, 2 << shift);
        }
        seg_push_on(cpu, &st, old_ss, 2 << shift);
        seg_push_on(cpu, &st, old_esp, 2 << shift);
        seg_push_on(cpu, &st, old_eflags, 2 << shift);
        seg_push_on(cpu, &st, env->segs[R_CS].selector, 2 << shift);
        seg_push_on(cpu, &st, is_sw ? next_eip : env->eip, 2 << shift);
        if (has_err)
            seg_push_on(cpu, &st, err, 2 << shift);
        /* commit */
        if (from_vm) {
            for (int i = 0; i < 6; i++)
                if (i != R_CS && i != R_SS)
                    seg_load_cache(cpu, i, 0, 0, 0, 0);
        }
        env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
        if (!(type & 1))
            env->eflags &= ~IF_MASK;
        seg_load_desc_cache(cpu, R_SS, (new_ss & ~3) | dpl, s1, s2);
        set_esp(cpu, st.sp);
    } else {
        st.base = env->segs[R_SS].base;
        st.mask = sp_mask(cpu);
        st.sp = env->regs[R_ESP];
        st.user = cpl == 3;
        seg_push_on(cpu, &st, old_eflags, 2 << shift);
        seg_push_on(cpu, &st, env->segs[R_CS].selector, 2 << shift);
        seg_push_on(cpu, &st, is_sw ? next_eip : env->eip, 2 << shift);
        if (has_err)
            seg_push_on(cpu, &st, err, 2 << shift);
        set_esp(cpu, st.sp);
        env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
        if (!(type & 1))
            env->eflags &= ~IF_MASK;
        dpl = cpl;
    }
    seg_set_accessed(cpu, sel, e2);
    seg_load_desc_cache(cpu, R_CS, (sel & ~3) | dpl, e1, e2 | DESC_A_MASK);
    env->eip = shift ? off : (off & 0xffff);
}

/*
 * Interrupt and exception delivery in IA-32e mode (SDM vol. 3, 6.14): 16-byte
 * interrupt/trap gates to 64-bit code, SS:RSP always pushed, 8-byte slots,
 * the new RSP aligned to 16, RSPn or ISTn from the 64-bit TSS, and a null SS
 * with RPL = new CPL when the privilege changes.
 */
static uint64_t seg_tss64_rsp(X86CPU *cpu, int slot, int ext)
{
    /* slot 0-2: RSP0-2 at 4 + 8n; slot 3 + n: ISTn (n = 1-7) at 0x24 + 8(n-1) */
    SegmentCache *tr = &cpu->env.tr;
    uint32_t off = slot < 3 ? 4 + 8 * slot : 0x24 + 8 * (slot - 4);
    if (!(tr->flags & DESC_P_MASK) || off + 7 > tr->limit)
        raise_exception_err(cpu, EXCP0A_TSS, (tr->selector & ~3) + ext);
    return cpu_ld_kernel(cpu, tr->base + off, 8);
}

static void seg_do_interrupt_64(X86CPU *cpu, int intno, int is_sw, int err, bool has_err,
                                uint64_t next_eip)
{
    CPUX86State *env = &cpu->env;
    uint32_t g1, g2, g3, e1, e2;
    int type, dpl, cpl = cpu_cpl(cpu), ext = is_sw ? 0 : 1, ist;
    uint16_t sel;
    uint64_t off, new_rsp;
    StackPtr st;
    bool inner;

    if (is_sw)
        has_err = false;
    if (intno * 16 + 15 > env->idt.limit)
        raise_exception_err(cpu, EXCP0D_GPF, intno * 8 + 2 + ext);
    g1 = cpu_ld_kernel(cpu, env->idt.base + intno * 16, 4);
    g2 = cpu_ld_kernel(cpu, env->idt.base + intno * 16 + 4, 4);
    g3 = cpu_ld_kernel(cpu, env->idt.base + intno * 16 + 8, 4);
    type = (g2 >> DESC_TYPE_SHIFT) & 0x1f;
    if (type != SYS_INTGATE32 && type != SYS_TRAPGATE32)
        raise_exception_err(cpu, EXCP0D_GPF, intno * 8 + 2 + ext);
    dpl = (g2 >> DESC_DPL_SHIFT) & 3;
    if (is_sw && dpl < cpl)
        raise_exception_err(cpu, EXCP0D_GPF, intno * 8 + 2);
    if (!(g2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, intno * 8 + 2 + ext);
    sel = g1 >> 16;
    off = (g2 & 0xffff0000u) | (g1 & 0xffff) | ((uint64_t)g3 << 32);
    ist = g2 & 7;
    if ((sel & ~3) == 0)
        raise_exception_err(cpu, EXCP0D_GPF, ext);
    if (!seg_read_desc(cpu, sel, &e1, &e2))
        raise_exception_err(cpu, EXCP0D_GPF, (sel & ~3) + ext);
    if (!(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK) || !(e2 & DESC_L_MASK) ||
        (e2 & DESC_B_MASK))
        raise_exception_err(cpu, EXCP0D_GPF, (sel & ~3) + ext);
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if (dpl > cpl)
        raise_exception_err(cpu, EXCP0D_GPF, (sel & ~3) + ext);
    if (!(e2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, (sel & ~3) + ext);
    if (!cpu_canonical(off))
        raise_exception_err(cpu, EXCP0D_GPF, ext);
    inner = !(e2 & DESC_C_MASK) && dpl < cpl;
    if (!inner)
        dpl = cpl;
    if (ist)
        new_rsp = seg_tss64_rsp(cpu, 3 + ist, ext);
    else if (inner)
        new_rsp = seg_tss64_rsp(cpu, dpl, ext);
    else
        new_rsp = env->regs[R_ESP];
    if (!cpu_canonical(new_rsp))
        raise_exception_err(cpu, EXCP0C_STACK, ext);
    st.base = 0;
    st.mask = ~0ull;
    st.sp = new_rsp & ~0xfull;
    st.user = dpl == 3;
    seg_push_on(cpu, &st, env->segs[R_SS].selector, 8);
    seg_push_on(cpu, &st, env->regs[R_ESP], 8);
    seg_push_on(cpu, &st, env->eflags, 8);
    seg_push_on(cpu, &st, env->segs[R_CS].selector, 8);
    seg_push_on(cpu, &st, is_sw ? next_eip : env->eip, 8);
    if (has_err)
        seg_push_on(cpu, &st, (uint32_t)err, 8);
    /* commit */
    if (inner)
        seg_load_cache(cpu, R_SS, dpl, 0, 0, (uint32_t)dpl << DESC_DPL_SHIFT);
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1))
        env->eflags &= ~(uint64_t)IF_MASK;
    seg_set_accessed(cpu, sel, e2);
    seg_load_desc_cache(cpu, R_CS, (sel & ~3) | dpl, e1, e2 | DESC_A_MASK);
    env->regs[R_ESP] = st.sp;
    env->eip = off;
}

void x86_do_interrupt(X86CPU *cpu, int intno, int is_sw, int err, bool has_err,
                      uint64_t next_eip)
{
    CPUX86State *env = &cpu->env;

    if (!is_sw)
        has_err = has_err && seg_excp_has_err(intno);
    if (trace_enabled(LOG_INT)) {
        log_printf("%s %02x: eip=%08llx cs=%04x err=%x cpl=%d pe=%d eflags=%08x esp=%08llx "
                   "cr2=%08llx\n", is_sw ? "int" : "exception/irq", intno,
                   (unsigned long long)env->eip, env->segs[R_CS].selector, err, cpu_cpl(cpu),
                   (int)(env->cr[0] & CR0_PE_MASK), (uint32_t)env->eflags,
                   (unsigned long long)env->regs[R_ESP], (unsigned long long)env->cr[2]);
    }
    env->halted = false;
    if (env->efer & EFER_LMA) {
        seg_do_interrupt_64(cpu, intno, is_sw, err, has_err, next_eip);
    } else if (!(env->cr[0] & CR0_PE_MASK)) {
        seg_do_interrupt_real(cpu, intno, is_sw ? next_eip : env->eip);
    } else if ((env->eflags & VM_MASK) && is_sw && intno != 3 && intno != 4 &&
               ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) < 3) {
        /* INT n in v8086 mode with IOPL < 3 (no VME): #GP(0) */
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    } else {
        seg_do_interrupt_pm(cpu, intno, is_sw, err, has_err, next_eip);
    }
}

/* ---- far transfers ---- */

/* a code segment's offset check: the limit, or canonical form for a 64-bit segment */
static bool seg_code_off_ok(X86CPU *cpu, uint32_t e1, uint32_t e2, uint64_t off)
{
    if ((cpu->env.efer & EFER_LMA) && (e2 & DESC_L_MASK))
        return cpu_canonical(off);
    return off <= seg_desc_limit(e1, e2);
}

void seg_far_jmp(X86CPU *cpu, uint16_t sel, uint64_t off, uint64_t next_eip)
{
    CPUX86State *env = &cpu->env;
    uint32_t e1, e2;
    int cpl, dpl, rpl, type;

    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        seg_load_cache(cpu, R_CS, sel, (uint32_t)sel << 4, env->segs[R_CS].limit,
                       env->segs[R_CS].flags);
        env->eip = off;
        return;
    }
    if ((sel & ~3) == 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if (!seg_read_desc(cpu, sel, &e1, &e2))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    cpl = cpu_cpl(cpu);
    rpl = sel & 3;
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if (e2 & DESC_S_MASK) {
        if (!(e2 & DESC_CS_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (e2 & DESC_C_MASK) {
            if (dpl > cpl)
                raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        } else if (rpl > cpl || dpl != cpl) {
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        }
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
        if (!seg_code_off_ok(cpu, e1, e2, off))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        seg_set_accessed(cpu, sel, e2);
        seg_load_desc_cache(cpu, R_CS, (sel & ~3) | cpl, e1, e2 | DESC_A_MASK);
        env->eip = off;
        return;
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
    if (env->efer & EFER_LMA) {
        /* no task switches in IA-32e mode; 16-byte call gates are not implemented */
        trace(LOG_UNIMP, "far jmp through system descriptor %04x in long mode\n", sel);
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    }
    switch (type) {
    case SYS_TSS16_AVAIL: case SYS_TSS32_AVAIL:
        if (dpl < cpl || dpl < rpl)
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        seg_task_switch(cpu, sel, e1, e2, TS_JMP, next_eip);
        return;
    case SYS_TASKGATE:
        if (dpl < cpl || dpl < rpl)
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
        seg_task_gate(cpu, e1 >> 16, TS_JMP, next_eip);
        return;
    case SYS_CALLGATE16: case SYS_CALLGATE32: {
        uint16_t gsel = e1 >> 16;
        uint32_t goff = (e1 & 0xffff) | (type == SYS_CALLGATE32 ? (e2 & 0xffff0000u) : 0);
        uint32_t c1, c2;
        int cdpl;
        if (dpl < cpl || dpl < rpl)
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
        if (!seg_read_desc(cpu, gsel, &c1, &c2) || !(c2 & DESC_S_MASK) || !(c2 & DESC_CS_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, gsel & ~3);
        cdpl = (c2 >> DESC_DPL_SHIFT) & 3;
        if ((c2 & DESC_C_MASK) ? cdpl > cpl : cdpl != cpl)
            raise_exception_err(cpu, EXCP0D_GPF, gsel & ~3);
        if (!(c2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, gsel & ~3);
        if (goff > seg_desc_limit(c1, c2))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        seg_load_desc_cache(cpu, R_CS, (gsel & ~3) | cpl, c1, c2);
        env->eip = goff;
        return;
    }
    default:
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    }
}

void seg_far_call(X86CPU *cpu, uint16_t sel, uint64_t off, int osz, uint64_t next_eip)
{
    CPUX86State *env = &cpu->env;
    uint32_t e1, e2;
    int cpl, dpl, rpl, type, sz = osz;

    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        uint64_t m = sp_mask(cpu), sp = env->regs[R_ESP];
        cpu_st(cpu, R_SS, (sp - sz) & m, env->segs[R_CS].selector, sz);
        cpu_st(cpu, R_SS, (sp - 2 * sz) & m, next_eip, sz);
        set_esp(cpu, sp - 2 * sz);
        seg_load_cache(cpu, R_CS, sel, (uint32_t)sel << 4, env->segs[R_CS].limit,
                       env->segs[R_CS].flags);
        env->eip = off;
        return;
    }
    if ((sel & ~3) == 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if (!seg_read_desc(cpu, sel, &e1, &e2))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    cpl = cpu_cpl(cpu);
    rpl = sel & 3;
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if (e2 & DESC_S_MASK) {
        uint64_t m = sp_mask(cpu), sp = env->regs[R_ESP];
        if (!(e2 & DESC_CS_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (e2 & DESC_C_MASK) {
            if (dpl > cpl)
                raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        } else if (rpl > cpl || dpl != cpl) {
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        }
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
        if (!seg_code_off_ok(cpu, e1, e2, off))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        cpu_st(cpu, R_SS, (sp - sz) & m, env->segs[R_CS].selector, sz);
        cpu_st(cpu, R_SS, (sp - 2 * sz) & m, next_eip, sz);
        set_esp(cpu, sp - 2 * sz);
        seg_set_accessed(cpu, sel, e2);
        seg_load_desc_cache(cpu, R_CS, (sel & ~3) | cpl, e1, e2 | DESC_A_MASK);
        env->eip = off;
        return;
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
    if (env->efer & EFER_LMA) {
        trace(LOG_UNIMP, "far call through system descriptor %04x in long mode\n", sel);
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    }
    switch (type) {
    case SYS_TSS16_AVAIL: case SYS_TSS32_AVAIL:
        if (dpl < cpl || dpl < rpl)
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        seg_task_switch(cpu, sel, e1, e2, TS_CALL, next_eip);
        return;
    case SYS_TASKGATE:
        if (dpl < cpl || dpl < rpl)
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
        seg_task_gate(cpu, e1 >> 16, TS_CALL, next_eip);
        return;
    case SYS_CALLGATE16: case SYS_CALLGATE32:
        break;
    default:
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    }
    /* call gate (SDM vol. 3, 5.8.5) */
    {
        int shift = type == SYS_CALLGATE32, gsz = shift ? 4 : 2;
        uint16_t gsel = e1 >> 16;
        uint32_t goff = (e1 & 0xffff) | (shift ? (e2 & 0xffff0000u) : 0);
        int nparam = e2 & 0x1f;
        uint32_t c1, c2;
        int cdpl;
        StackPtr st;

        if (dpl < cpl || dpl < rpl)
            raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
        if (!(e2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
        if ((gsel & ~3) == 0)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if (!seg_read_desc(cpu, gsel, &c1, &c2) || !(c2 & DESC_S_MASK) ||
            !(c2 & DESC_CS_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, gsel & ~3);
        cdpl = (c2 >> DESC_DPL_SHIFT) & 3;
        if (cdpl > cpl)
            raise_exception_err(cpu, EXCP0D_GPF, gsel & ~3);
        if (!(c2 & DESC_P_MASK))
            raise_exception_err(cpu, EXCP0B_NOSEG, gsel & ~3);
        if (goff > seg_desc_limit(c1, c2))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if (!(c2 & DESC_C_MASK) && cdpl < cpl) {
            uint16_t new_ss;
            uint32_t new_esp, s1, s2, old_ss = env->segs[R_SS].selector;
            uint32_t old_esp = env->regs[R_ESP], old_base = env->segs[R_SS].base;
            uint32_t old_mask = sp_mask(cpu);
            uint32_t params[32];
            seg_tss_stack(cpu, cdpl, &new_ss, &new_esp);
            if ((new_ss & 3) != cdpl || !seg_read_desc(cpu, new_ss, &s1, &s2) ||
                !(s2 & DESC_S_MASK) || (s2 & DESC_CS_MASK) || !(s2 & DESC_W_MASK) ||
                ((s2 >> DESC_DPL_SHIFT) & 3) != cdpl)
                raise_exception_err(cpu, EXCP0A_TSS, new_ss & ~3);
            if (!(s2 & DESC_P_MASK))
                raise_exception_err(cpu, EXCP0C_STACK, new_ss & ~3);
            for (int i = 0; i < nparam; i++)
                params[i] = cpu_ld_lin(cpu, old_base + ((old_esp + i * gsz) & old_mask), gsz);
            st.base = seg_desc_base(s1, s2);
            st.mask = (s2 & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
            st.sp = new_esp;
            st.user = cdpl == 3;
            seg_push_on(cpu, &st, old_ss, gsz);
            seg_push_on(cpu, &st, old_esp, gsz);
            for (int i = nparam - 1; i >= 0; i--)
                seg_push_on(cpu, &st, params[i], gsz);
            seg_push_on(cpu, &st, env->segs[R_CS].selector, gsz);
            seg_push_on(cpu, &st, next_eip, gsz);
            seg_load_desc_cache(cpu, R_SS, new_ss, s1, s2);
            set_esp(cpu, st.sp);
            seg_load_desc_cache(cpu, R_CS, (gsel & ~3) | cdpl, c1, c2);
        } else {
            uint64_t m = sp_mask(cpu), sp = env->regs[R_ESP];
            cpu_st(cpu, R_SS, (sp - gsz) & m, env->segs[R_CS].selector, gsz);
            cpu_st(cpu, R_SS, (sp - 2 * gsz) & m, next_eip, gsz);
            set_esp(cpu, sp - 2 * gsz);
            seg_load_desc_cache(cpu, R_CS, (gsel & ~3) | cpl, c1, c2);
        }
        env->eip = goff;
        trace(LOG_PCALL, "call gate %04x -> %04x:%08x cpl=%d\n", sel, gsel, goff,
              cpu_cpl(cpu));
    }
}

/* After a return to an outer level, data segments the new CPL may not use
 * are nulled (SDM vol. 3, 5.8.6). */
static void seg_validate_data_segs(X86CPU *cpu)
{
    int cpl = cpu_cpl(cpu);
    for (int i = 0; i < 6; i++) {
        SegmentCache *s;
        int dpl;
        if (i == R_CS || i == R_SS)
            continue;
        s = &cpu->env.segs[i];
        dpl = (s->flags >> DESC_DPL_SHIFT) & 3;
        if ((s->selector & ~3) && (!(s->flags & DESC_CS_MASK) || !(s->flags & DESC_C_MASK)) &&
            dpl < cpl)      /* in IA-32e mode FS/GS keep their base */
            seg_load_cache(cpu, i, 0, (cpu->env.efer & EFER_LMA) && i >= R_FS ? s->base : 0,
                           0, 0);
    }
}

/* Common tail of RETF and IRET in protected mode. */
/*
 * Common tail of RETF and IRET in protected mode and IA-32e mode.  In IA-32e
 * mode IRET always pops SS:RSP, a return to a 64-bit code segment checks the
 * offset for canonical form instead of the limit, and a null SS is allowed
 * for a 64-bit target below CPL 3 (SDM vol. 2, IRET and RET).
 */
static void seg_pm_return(X86CPU *cpu, int sz, uint16_t pop_bytes, bool is_iret)
{
    CPUX86State *env = &cpu->env;
    StackPtr st = { cpu->code64 ? 0 : env->segs[R_SS].base, sp_mask(cpu), env->regs[R_ESP],
                    cpu->mmu_user };
    uint64_t new_eip, new_eflags = 0, new_esp = 0;
    uint32_t new_cs, e1, e2, new_ss = 0, s1 = 0, s2 = 0;
    int cpl = cpu_cpl(cpu), rpl, dpl;
    bool lma = env->efer & EFER_LMA, from64 = cpu->code64, to64;

    new_eip = seg_pop_from(cpu, &st, sz);
    new_cs = seg_pop_from(cpu, &st, sz) & 0xffff;
    if (is_iret) {
        new_eflags = seg_pop_from(cpu, &st, sz);
        if (from64) {
            new_esp = seg_pop_from(cpu, &st, sz);
            new_ss = seg_pop_from(cpu, &st, sz) & 0xffff;
        } else if (lma) {
            /* compatibility mode: SS:ESP only at an outer return, below */
        } else if (sz == 4 && (new_eflags & VM_MASK) && cpl == 0) {
            /* return to v8086 mode (SDM vol. 3, 20.3.3) */
            uint32_t vesp = seg_pop_from(cpu, &st, 4);
            uint32_t vss = seg_pop_from(cpu, &st, 4);
            uint32_t ves = seg_pop_from(cpu, &st, 4);
            uint32_t vds = seg_pop_from(cpu, &st, 4);
            uint32_t vfs = seg_pop_from(cpu, &st, 4);
            uint32_t vgs = seg_pop_from(cpu, &st, 4);
            uint32_t vflags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                              (3 << DESC_DPL_SHIFT);
            env->eflags = (new_eflags & 0x3f7fd7) | 2;
            seg_load_cache(cpu, R_CS, new_cs, new_cs << 4, 0xffff,
                           vflags | DESC_CS_MASK | DESC_R_MASK);
            seg_load_cache(cpu, R_SS, vss, (vss & 0xffff) << 4, 0xffff, vflags);
            seg_load_cache(cpu, R_ES, ves, (ves & 0xffff) << 4, 0xffff, vflags);
            seg_load_cache(cpu, R_DS, vds, (vds & 0xffff) << 4, 0xffff, vflags);
            seg_load_cache(cpu, R_FS, vfs, (vfs & 0xffff) << 4, 0xffff, vflags);
            seg_load_cache(cpu, R_GS, vgs, (vgs & 0xffff) << 4, 0xffff, vflags);
            env->regs[R_ESP] = vesp;
            env->eip = new_eip & 0xffff;
            cpu_update_mode(cpu);
            return;
        }
    }
    if ((new_cs & ~3) == 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if (!seg_read_desc(cpu, new_cs, &e1, &e2) || !(e2 & DESC_S_MASK) ||
        !(e2 & DESC_CS_MASK))
        raise_exception_err(cpu, EXCP0D_GPF, new_cs & ~3);
    rpl = new_cs & 3;
    if (rpl < cpl)
        raise_exception_err(cpu, EXCP0D_GPF, new_cs & ~3);
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if ((e2 & DESC_C_MASK) ? dpl > rpl : dpl != rpl)
        raise_exception_err(cpu, EXCP0D_GPF, new_cs & ~3);
    if (!(e2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, new_cs & ~3);
    to64 = lma && (e2 & DESC_L_MASK);
    if (lma && (e2 & DESC_L_MASK) && (e2 & DESC_B_MASK))
        raise_exception_err(cpu, EXCP0D_GPF, new_cs & ~3);
    st.sp += pop_bytes;
    if (!seg_code_off_ok(cpu, e1, e2, new_eip))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if (rpl == cpl && !(is_iret && from64)) {
        seg_load_desc_cache(cpu, R_CS, new_cs, e1, e2);
        set_esp(cpu, st.sp);
    } else {
        if (!is_iret || !from64) {
            new_esp = seg_pop_from(cpu, &st, sz);
            new_ss = seg_pop_from(cpu, &st, sz) & 0xffff;
        }
        if ((new_ss & ~3) == 0 && to64 && rpl != 3) {
            s1 = 0;
            s2 = 0;     /* null SS for a 64-bit target below CPL 3 */
        } else {
            if ((new_ss & ~3) == 0 || (new_ss & 3) != rpl)
                raise_exception_err(cpu, EXCP0D_GPF, new_ss & ~3);
            if (!seg_read_desc(cpu, new_ss, &s1, &s2) || !(s2 & DESC_S_MASK) ||
                (s2 & DESC_CS_MASK) || !(s2 & DESC_W_MASK) ||
                ((s2 >> DESC_DPL_SHIFT) & 3) != rpl)
                raise_exception_err(cpu, EXCP0D_GPF, new_ss & ~3);
            if (!(s2 & DESC_P_MASK))
                raise_exception_err(cpu, EXCP0C_STACK, new_ss & ~3);
        }
        seg_load_desc_cache(cpu, R_CS, new_cs, e1, e2);
        if (s2)
            seg_load_desc_cache(cpu, R_SS, new_ss, s1, s2);
        else
            seg_load_cache(cpu, R_SS, new_ss, 0, 0, (uint32_t)rpl << DESC_DPL_SHIFT);
        if (to64)
            env->regs[R_ESP] = new_esp + (is_iret ? 0 : pop_bytes);
        else
            set_esp(cpu, new_esp + (is_iret ? 0 : pop_bytes));
        if (rpl != cpl)
            seg_validate_data_segs(cpu);
    }
    env->eip = to64 ? new_eip : (uint32_t)new_eip;
    if (is_iret) {
        uint32_t mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK |
                        0x2;
        if (cpl == 0)
            mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
        if (cpl <= (int)((env->eflags & IOPL_MASK) >> IOPL_SHIFT))
            mask |= IF_MASK;
        if (sz == 2)
            mask &= 0xffff;
        env->eflags = (env->eflags & ~mask) | (new_eflags & mask) | 2;
    }
    cpu_update_mode(cpu);
}

void seg_far_ret(X86CPU *cpu, int osz, uint16_t pop_bytes)
{
    CPUX86State *env = &cpu->env;
    int sz = osz;

    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        uint32_t m = sp_mask(cpu), sp = env->regs[R_ESP];
        uint32_t ip = cpu_ld(cpu, R_SS, sp & m, sz);
        uint32_t cs = cpu_ld(cpu, R_SS, (sp + sz) & m, sz) & 0xffff;
        set_esp(cpu, sp + 2 * sz + pop_bytes);
        seg_load_cache(cpu, R_CS, cs, cs << 4, env->segs[R_CS].limit, env->segs[R_CS].flags);
        env->eip = ip;
        return;
    }
    seg_pm_return(cpu, sz, pop_bytes, false);
}

void seg_iret(X86CPU *cpu, int osz)
{
    CPUX86State *env = &cpu->env;
    int sz = osz;

    env->nmi_blocked = false;
    if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK)) {
        uint32_t m = sp_mask(cpu), sp = env->regs[R_ESP], ip, cs, fl, mask;
        if ((env->eflags & VM_MASK) && ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) != 3)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        ip = cpu_ld(cpu, R_SS, sp & m, sz);
        cs = cpu_ld(cpu, R_SS, (sp + sz) & m, sz) & 0xffff;
        fl = cpu_ld(cpu, R_SS, (sp + 2 * sz) & m, sz);
        set_esp(cpu, sp + 3 * sz);
        mask = CC_MASK | TF_MASK | IF_MASK | DF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK;
        if (env->eflags & VM_MASK)
            mask &= ~(IOPL_MASK);
        else
            mask |= IOPL_MASK;
        if (sz == 2)
            mask &= 0xffff;
        env->eflags = (env->eflags & ~mask) | (fl & mask) | 2;
        seg_load_cache(cpu, R_CS, cs, cs << 4, env->segs[R_CS].limit, env->segs[R_CS].flags);
        env->eip = ip;
        return;
    }
    if ((env->eflags & NT_MASK) && (env->efer & EFER_LMA))
        raise_exception_err(cpu, EXCP0D_GPF, 0);    /* no task return in IA-32e mode */
    if (env->eflags & NT_MASK) {
        uint16_t back = cpu_ld_kernel(cpu, env->tr.base, 2);
        uint32_t e1, e2;
        if ((back & 4) || !seg_read_desc(cpu, back, &e1, &e2) || (e2 & DESC_S_MASK) ||
            (((e2 >> DESC_TYPE_SHIFT) & 0xf) != SYS_TSS32_BUSY &&
             ((e2 >> DESC_TYPE_SHIFT) & 0xf) != SYS_TSS16_BUSY))
            raise_exception_err(cpu, EXCP0A_TSS, back & ~3);
        seg_task_switch(cpu, back, e1, e2, TS_IRET, env->eip);
        return;
    }
    seg_pm_return(cpu, sz, 0, true);
}

/* ---- LDTR / TR / LAR / LSL / VERR / VERW ---- */

/* In IA-32e mode LDT and TSS descriptors are 16 bytes: base bits 63:32 follow
 * (SDM vol. 3, 7.2.3); the upper type field must be 0. */
static uint64_t seg_desc_base_hi(X86CPU *cpu, uint16_t sel)
{
    CPUX86State *env = &cpu->env;
    uint32_t idx = sel & ~7u, hi, e4;
    if (!(env->efer & EFER_LMA))
        return 0;
    if (idx + 15 > env->gdt.limit)
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    hi = cpu_ld_kernel(cpu, env->gdt.base + idx + 8, 4);
    e4 = cpu_ld_kernel(cpu, env->gdt.base + idx + 12, 4);
    if ((e4 >> 8) & 0x1f)
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    return (uint64_t)hi << 32;
}

void seg_lldt(X86CPU *cpu, uint16_t sel)
{
    CPUX86State *env = &cpu->env;
    uint32_t e1, e2;

    if ((sel & ~3) == 0) {
        env->ldt.selector = sel;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        return;
    }
    if ((sel & 4) || !seg_read_desc(cpu, sel, &e1, &e2) || (e2 & DESC_S_MASK) ||
        ((e2 >> DESC_TYPE_SHIFT) & 0xf) != SYS_LDT)
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    if (!(e2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
    env->ldt.selector = sel;
    env->ldt.base = seg_desc_base(e1, e2) | seg_desc_base_hi(cpu, sel);
    env->ldt.limit = seg_desc_limit(e1, e2);
    env->ldt.flags = e2 & 0x00ffff00u;
}

void seg_ltr(X86CPU *cpu, uint16_t sel)
{
    CPUX86State *env = &cpu->env;
    uint32_t e1, e2;
    int type;

    if ((sel & ~3) == 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if ((sel & 4) || !seg_read_desc(cpu, sel, &e1, &e2) || (e2 & DESC_S_MASK))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
    if (type != SYS_TSS32_AVAIL && (type != SYS_TSS16_AVAIL || (env->efer & EFER_LMA)))
        raise_exception_err(cpu, EXCP0D_GPF, sel & ~3);
    if (!(e2 & DESC_P_MASK))
        raise_exception_err(cpu, EXCP0B_NOSEG, sel & ~3);
    {
        uint64_t hi = seg_desc_base_hi(cpu, sel);  /* may fault: before the busy bit */
        e2 |= 2u << DESC_TYPE_SHIFT;
        cpu_st_kernel(cpu, env->gdt.base + (sel & ~7u) + 4, e2, 4);
        env->tr.base = seg_desc_base(e1, e2) | hi;
    }
    env->tr.selector = sel;
    env->tr.limit = seg_desc_limit(e1, e2);
    env->tr.flags = e2 & 0x00ffff00u;
}

static bool seg_visible(X86CPU *cpu, uint16_t sel, uint32_t e2)
{
    int cpl = cpu_cpl(cpu), dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if ((e2 & DESC_S_MASK) && (e2 & DESC_CS_MASK) && (e2 & DESC_C_MASK))
        return true;
    return dpl >= cpl && dpl >= (sel & 3);
}

bool seg_lar_lsl(X86CPU *cpu, uint16_t sel, int lsl, uint32_t *val)
{
    uint32_t e1, e2;
    if ((sel & ~3) == 0 || !seg_read_desc(cpu, sel, &e1, &e2))
        return false;
    if (!(e2 & DESC_S_MASK)) {
        int type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
        static const uint16_t ok_lar = 0x1a3e;  /* 1,2,3,4,5,9,11,12 */
        static const uint16_t ok_lsl = 0x0a0e;  /* 1,2,3,9,11 */
        if (!(((lsl ? ok_lsl : ok_lar) >> type) & 1))
            return false;
    }
    if (!seg_visible(cpu, sel, e2))
        return false;
    *val = lsl ? seg_desc_limit(e1, e2) : (e2 & 0x00f0ff00u);
    return true;
}

bool seg_verr_verw(X86CPU *cpu, uint16_t sel, int write)
{
    uint32_t e1, e2;
    if ((sel & ~3) == 0 || !seg_read_desc(cpu, sel, &e1, &e2) || !(e2 & DESC_S_MASK))
        return false;
    if (!seg_visible(cpu, sel, e2))
        return false;
    if (e2 & DESC_CS_MASK)
        return !write && (e2 & DESC_R_MASK);
    return !write || (e2 & DESC_W_MASK);
}

/* ---- SYSCALL / SYSRET (SDM vol. 2; AMD APM vol. 2, 6.1.1) ---- */

#define SEG_FLAT_CODE (DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | \
                       DESC_A_MASK)
#define SEG_FLAT_DATA (DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | \
                       DESC_A_MASK)

void seg_syscall(X86CPU *cpu, uint64_t next_eip)
{
    CPUX86State *env = &cpu->env;
    uint16_t sel = (env->star >> 32) & 0xfffc;

    if (!(env->efer & EFER_SCE) || !(env->cr[0] & CR0_PE_MASK))
        raise_exception(cpu, EXCP06_ILLOP);
    if (env->efer & EFER_LMA) {
        bool from64 = cpu->code64;
        env->regs[R_ECX] = next_eip;
        env->regs[11] = env->eflags & ~(uint64_t)RF_MASK;
        env->eflags &= ~(env->fmask | RF_MASK);
        seg_load_cache(cpu, R_CS, sel, 0, 0xffffffffu, SEG_FLAT_CODE | DESC_L_MASK);
        seg_load_cache(cpu, R_SS, sel + 8, 0, 0xffffffffu, SEG_FLAT_DATA);
        env->eip = from64 ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)next_eip;
        env->eflags &= ~(uint64_t)(IF_MASK | RF_MASK | VM_MASK);
        seg_load_cache(cpu, R_CS, sel, 0, 0xffffffffu, SEG_FLAT_CODE | DESC_B_MASK);
        seg_load_cache(cpu, R_SS, sel + 8, 0, 0xffffffffu, SEG_FLAT_DATA);
        env->eip = (uint32_t)env->star;
    }
    cpu->stop = 1;
}

void seg_sysret(X86CPU *cpu, int osz)
{
    CPUX86State *env = &cpu->env;
    uint16_t sel = (env->star >> 48) & 0xfffc;
    uint32_t user = 3 << DESC_DPL_SHIFT;

    if (!(env->efer & EFER_SCE))
        raise_exception(cpu, EXCP06_ILLOP);
    if (!(env->cr[0] & CR0_PE_MASK) || cpu_cpl(cpu) != 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if (env->efer & EFER_LMA) {
        uint64_t rip = osz == 8 ? env->regs[R_ECX] : (uint32_t)env->regs[R_ECX];
        if (!cpu_canonical(rip))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        env->eflags = (env->regs[11] & 0x3c7fd7) | 2;
        if (osz == 8)
            seg_load_cache(cpu, R_CS, (sel + 16) | 3, 0, 0xffffffffu,
                           SEG_FLAT_CODE | DESC_L_MASK | user);
        else
            seg_load_cache(cpu, R_CS, sel | 3, 0, 0xffffffffu,
                           SEG_FLAT_CODE | DESC_B_MASK | user);
        env->eip = rip;
    } else {
        env->eflags |= IF_MASK;
        seg_load_cache(cpu, R_CS, sel | 3, 0, 0xffffffffu, SEG_FLAT_CODE | DESC_B_MASK | user);
        env->eip = (uint32_t)env->regs[R_ECX];
    }
    seg_load_cache(cpu, R_SS, (sel + 8) | 3, 0, 0xffffffffu, SEG_FLAT_DATA | user);
    cpu->stop = 1;
}
