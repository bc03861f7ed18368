/*
 * String instructions with REP/REPE/REPNE (SDM vol. 2: MOVS, CMPS, STOS, LODS,
 * SCAS, INS, OUTS).  Each iteration commits its registers; REP MOVS/STOS with
 * DF=0 move whole page-sized runs of plain RAM at once.
 */
#include "target-i386/interp-alu.h"
#include "target-i386/interp.h"

/* string ops run at most this many iterations before letting the loop look
 * at interrupts (the instruction restarts where it stopped) */
#define REP_CHUNK 4096

/* Host pointer for [lin, lin+len) inside one page of plain RAM, or NULL. */
static uint8_t *interp_ram_span(X86CPU *cpu, uint64_t lin, int write)
{
    TLBEntry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t page = lin & ~0xfffull;
    uint64_t tag = write ? e->tag_w : e->tag_r;
    if (tag != page) {
        e = tlb_fill(cpu, lin, write, cpu->mmu_user);
        tag = write ? e->tag_w : e->tag_r;
        if (tag != page)
            return NULL;    /* MMIO, ROM or code page: element by element */
    }
    return (uint8_t *)(e->addend + lin);
}

/*
 * REP MOVS/STOS with DF=0: the elements that fit in the current source and
 * destination pages in one go.  Returns how many were done (0: let the
 * element-by-element loop take the next one, e.g. at a page-crossing element,
 * a segment limit, MMIO or a page holding code).  Faults are raised before
 * anything is written, with the registers of the first element.
 */
static uint32_t interp_rep_fast(X86CPU *cpu, const DInsn *d, int size, bool movs)
{
    CPUX86State *env = &cpu->env;
    int ad = interp_adsize(d);
    uint64_t cnt = interp_str_reg(env, R_ECX, ad), di = interp_str_reg(env, R_EDI, ad), si = 0;
    uint64_t n = cnt, lin_d, lin_s = 0;
    uint8_t *hd, *hs = NULL;

    if (ad == 2)
        n = MIN(n, (0x10000 - di) / size);
    else if (ad == 4)
        n = MIN(n, (0x100000000ull - di) / size);
    lin_d = seg_linear(cpu, R_ES, di);
    n = MIN(n, (0x1000 - (lin_d & 0xfff)) / size);
    if (movs) {
        si = interp_str_reg(env, R_ESI, ad);
        if (ad == 2)
            n = MIN(n, (0x10000 - si) / size);
        else if (ad == 4)
            n = MIN(n, (0x100000000ull - si) / size);
        lin_s = seg_linear(cpu, d->seg, si);
        n = MIN(n, (0x1000 - (lin_s & 0xfff)) / size);
    }
    if (n == 0 || !seg_range_ok(cpu, R_ES, di, n * size, 1))
        return 0;
    if (movs) {
        if (!seg_range_ok(cpu, d->seg, si, n * size, 0))
            return 0;
        hs = interp_ram_span(cpu, lin_s, 0);
        if (!hs)
            return 0;
    }
    hd = interp_ram_span(cpu, lin_d, 1);
    if (!hd)
        return 0;
    if (movs) {
        if (hd >= hs + n * size || hs >= hd + n * size || hd <= hs) {
            memmove(hd, hs, n * size);      /* forward copy semantics hold */
        } else {
            /* overlapping with the destination ahead: element by element */
            for (uint32_t i = 0; i < n; i++) {
                uint64_t t;
                memcpy(&t, hs + i * size, size);
                memcpy(hd + i * size, &t, size);
            }
        }
        interp_str_set(env, R_ESI, si + n * size, ad);
    } else {
        uint64_t v = interp_rd_reg(env, size, R_EAX);
        if (size == 1) {
            memset(hd, v, n);
        } else {
            for (uint32_t i = 0; i < n; i++)
                memcpy(hd + i * size, &v, size);
        }
    }
    interp_str_set(env, R_EDI, di + n * size, ad);
    interp_str_set(env, R_ECX, cnt - n, ad);
    return n;
}

/*
 * One string instruction, with or without REP.  Each iteration commits its
 * registers, so a fault leaves a restartable state; after REP_CHUNK
 * iterations the instruction is re-executed from the loop.
 */
void interp_string(X86CPU *cpu, const DInsn *d, int size)
{
    CPUX86State *env = &cpu->env;
    int ad32 = interp_adsize(d);    /* address size in bytes */
    int rep = d->pfx & (PFX_REP | PFX_REPNE);
    int op = d->op & ~1;
    int step;
    bool fast;
    int n = 0;

    if ((op == 0x6c || op == 0x6e) && size == 8)
        size = 4;                   /* INS/OUTS: REX.W does not widen the port access */
    step = (env->eflags & DF_MASK) ? -size : size;
    fast = rep && step > 0 && (op == 0xa4 || op == 0xaa);

    for (;;) {
        uint64_t cnt = 0, si, di, v;
        uint32_t f;
        if (rep) {
            cnt = interp_str_reg(env, R_ECX, ad32);
            if (cnt == 0)
                return;
            if (++n > REP_CHUNK) {
                env->eip = cpu->cur_eip;
                cpu->stop = 1;
                return;
            }
            if (fast) {
                uint32_t k = interp_rep_fast(cpu, d, size, op == 0xa4);
                if (k) {
                    n += k / 16;    /* yield after ~64K elements */
                    continue;
                }
            }
        }
        si = interp_str_reg(env, R_ESI, ad32);
        di = interp_str_reg(env, R_EDI, ad32);
        switch (op) {
        case 0xa4:  /* MOVS */
            v = cpu_ld(cpu, d->seg, si, size);
            cpu_st(cpu, R_ES, di, v, size);
            interp_str_set(env, R_ESI, si + step, ad32);
            interp_str_set(env, R_EDI, di + step, ad32);
            break;
        case 0xa6:  /* CMPS */
            v = cpu_ld(cpu, d->seg, si, size);
            alu2(ALU_SUB, size, v, cpu_ld(cpu, R_ES, di, size), 0, &f);
            interp_set_cc(env, CC_MASK, f);
            interp_str_set(env, R_ESI, si + step, ad32);
            interp_str_set(env, R_EDI, di + step, ad32);
            break;
        case 0xaa:  /* STOS */
            cpu_st(cpu, R_ES, di, interp_rd_reg(env, size, R_EAX), size);
            interp_str_set(env, R_EDI, di + step, ad32);
            break;
        case 0xac:  /* LODS */
            interp_wr_reg(env, size, R_EAX, cpu_ld(cpu, d->seg, si, size));
            interp_str_set(env, R_ESI, si + step, ad32);
            break;
        case 0xae:  /* SCAS */
            alu2(ALU_SUB, size, interp_rd_reg(env, size, R_EAX), cpu_ld(cpu, R_ES, di, size), 0, &f);
            interp_set_cc(env, CC_MASK, f);
            interp_str_set(env, R_EDI, di + step, ad32);
            break;
        case 0x6c:  /* INS: check the destination before the port read */
            seg_addr(cpu, R_ES, di, size, 1);
            v = interp_in(cpu, env->regs[R_EDX], size);
            cpu_st(cpu, R_ES, di, v, size);
            interp_str_set(env, R_EDI, di + step, ad32);
            break;
        default:    /* 0x6e OUTS */
            v = cpu_ld(cpu, d->seg, si, size);
            interp_out(cpu, env->regs[R_EDX], v, size);
            interp_str_set(env, R_ESI, si + step, ad32);
            break;
        }
        if (!rep)
            return;
        interp_str_set(env, R_ECX, cnt - 1, ad32);
        if (op == 0xa6 || op == 0xae) {
            bool zf = env->eflags & CC_Z;
            if ((d->pfx & PFX_REP) ? !zf : zf)
                return;
        }
    }
}

