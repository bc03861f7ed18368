/*
 * Shared by the interpreter's files (interp.c, interp-sys.c, interp-str.c):
 * operand access on decoded records and the out-of-line instruction helpers.
 */
#ifndef PCVM_TARGET_I386_INTERP_H
#define PCVM_TARGET_I386_INTERP_H

#include "target-i386/tcg.h"

#define ALWAYS_INLINE __attribute__((always_inline)) inline

/*
 * General registers by operand size.  Byte registers 4-7 are AH CH DH BH,
 * except with a REX prefix (64-bit mode), where they are SPL BPL SIL DIL:
 * the _x forms take the record's rex bits (DInsn.rex) for that.
 */
static ALWAYS_INLINE uint64_t interp_rd_reg_x(CPUX86State *env, int size, int r, int rex)
{
    switch (size) {
    case 1:
        if (r < 4 || r >= 8 || (rex & DX_REX))
            return (uint8_t)env->regs[r];
        return (uint8_t)(env->regs[r - 4] >> 8);
    case 2: return (uint16_t)env->regs[r];
    case 4: return (uint32_t)env->regs[r];
    default: return env->regs[r];
    }
}

/* 32-bit writes zero-extend to 64 bits; 8- and 16-bit writes merge */
static ALWAYS_INLINE void interp_wr_reg_x(CPUX86State *env, int size, int r, uint64_t v, int rex)
{
    switch (size) {
    case 1:
        if (r < 4 || r >= 8 || (rex & DX_REX))
            env->regs[r] = (env->regs[r] & ~0xffull) | (uint8_t)v;
        else
            env->regs[r - 4] = (env->regs[r - 4] & ~0xff00ull) | ((uint64_t)(v & 0xff) << 8);
        break;
    case 2: env->regs[r] = (env->regs[r] & ~0xffffull) | (uint16_t)v; break;
    case 4: env->regs[r] = (uint32_t)v; break;
    default: env->regs[r] = v; break;
    }
}

/* without REX (decoded records outside 64-bit mode, fixed registers) */
static ALWAYS_INLINE uint64_t interp_rd_reg(CPUX86State *env, int size, int r)
{
    return interp_rd_reg_x(env, size, r, 0);
}

static ALWAYS_INLINE void interp_wr_reg(CPUX86State *env, int size, int r, uint64_t v)
{
    interp_wr_reg_x(env, size, r, v, 0);
}

/* Effective address: 64-bit (RIP-relative allowed), 32-bit or 16-bit by the
 * address size.  env->eip already points at the next instruction. */
static ALWAYS_INLINE uint64_t interp_ea(CPUX86State *env, const DInsn *d)
{
    uint64_t a = (uint64_t)(int64_t)(int32_t)d->disp;
    if (d->base != EA_NONE)
        a += unlikely(d->base == EA_RIP) ? env->eip : env->regs[d->base];
    if (d->index != EA_NONE)
        a += env->regs[d->index] << d->scale;
    if (likely(!(d->rex & DX_AD64)))
        a = (d->pfx & PFX_AD32) ? (uint32_t)a : (uint16_t)a;
    return a;
}

static ALWAYS_INLINE uint64_t interp_ld_rm(X86CPU *cpu, const DInsn *d, int size)
{
    if (d->mod == 3)
        return interp_rd_reg_x(&cpu->env, size, d->rm, d->rex);
    return cpu_ld(cpu, d->seg, interp_ea(&cpu->env, d), size);
}

static ALWAYS_INLINE void interp_st_rm(X86CPU *cpu, const DInsn *d, int size, uint64_t v)
{
    if (d->mod == 3)
        interp_wr_reg_x(&cpu->env, size, d->rm, v, d->rex);
    else
        cpu_st(cpu, d->seg, interp_ea(&cpu->env, d), v, size);
}

static ALWAYS_INLINE bool interp_cond(uint32_t f, int cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = f & CC_O; break;
    case 1: r = f & CC_C; break;
    case 2: r = f & CC_Z; break;
    case 3: r = f & (CC_C | CC_Z); break;
    case 4: r = f & CC_S; break;
    case 5: r = f & CC_P; break;
    case 6: r = !(f & CC_S) != !(f & CC_O); break;
    default: r = (f & CC_Z) || (!(f & CC_S) != !(f & CC_O)); break;
    }
    return r ^ (cc & 1);
}

static ALWAYS_INLINE void interp_set_cc(CPUX86State *env, uint32_t mask, uint32_t f)
{
    env->eflags = (env->eflags & ~(uint64_t)mask) | (f & mask);
}

static ALWAYS_INLINE uint64_t interp_sext(uint64_t v, int size)
{
    switch (size) {
    case 1: return (uint64_t)(int8_t)v;
    case 2: return (uint64_t)(int16_t)v;
    case 4: return (uint64_t)(int32_t)v;
    default: return v;
    }
}

/* Near jump target check: the CS limit, or canonical form in 64-bit mode */
static inline void interp_jump(X86CPU *cpu, uint64_t eip)
{
    if (cpu->code64) {
        if (unlikely(!cpu_canonical(eip)))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
    } else if (unlikely(eip > cpu->env.segs[R_CS].limit)) {
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    }
    cpu->env.eip = eip;
}

/* String and LOOP count/index registers by address size (PFX_AD32, DX_AD64) */
static ALWAYS_INLINE uint64_t interp_str_reg(CPUX86State *env, int r, int ad)
{
    return ad == 8 ? env->regs[r] : ad == 4 ? (uint32_t)env->regs[r] : (uint16_t)env->regs[r];
}

static ALWAYS_INLINE void interp_str_set(CPUX86State *env, int r, uint64_t v, int ad)
{
    if (ad == 8)
        env->regs[r] = v;
    else if (ad == 4)
        env->regs[r] = (uint32_t)v;
    else
        env->regs[r] = (env->regs[r] & ~0xffffull) | (uint16_t)v;
}

/* address size in bytes of a record */
static ALWAYS_INLINE int interp_adsize(const DInsn *d)
{
    return (d->rex & DX_AD64) ? 8 : (d->pfx & PFX_AD32) ? 4 : 2;
}

/* interp-sys.c: I/O, system registers, CPUID, MSRs, privilege checks */
uint32_t interp_in(X86CPU *cpu, uint16_t port, int size);
void interp_out(X86CPU *cpu, uint16_t port, uint32_t v, int size);
void interp_cpuid(CPUX86State *env);
uint64_t interp_tsc(CPUX86State *env);
void interp_rdmsr(X86CPU *cpu);
void interp_wrmsr(X86CPU *cpu);
void interp_write_eflags(X86CPU *cpu, uint32_t v, int size);
void interp_mov_from_cr(X86CPU *cpu, int n, uint64_t *v);
void interp_check_iopl_v86(X86CPU *cpu);
void interp_check_if_change(X86CPU *cpu);
void interp_check_cpl0(X86CPU *cpu);
void interp_mov_to_cr(X86CPU *cpu, int n, uint64_t v);
void interp_sysenter_exit(X86CPU *cpu, bool is_exit, int osz);

/* interp-str.c: MOVS CMPS STOS LODS SCAS INS OUTS, with REP */
void interp_string(X86CPU *cpu, const DInsn *d, int size);

#endif
