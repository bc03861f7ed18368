/*
 * Shared by the interpreter's files (interp.c, interp-sys.c, interp-str.c):
 * operand access on decoded records and the out-of-line instruction helpers.
 */
#ifndef PCVM_TARGET_I386_INTERP_H
#define PCVM_TARGET_I386_INTERP_H

#include "target-i386/tcg.h"

#define ALWAYS_INLINE __attribute__((always_inline)) inline

static ALWAYS_INLINE uint32_t interp_rd_reg(CPUX86State *env, int size, int r)
{
    if (size == 1)
        return r < 4 ? (uint8_t)env->regs[r] : (uint8_t)(env->regs[r - 4] >> 8);
    if (size == 2)
        return (uint16_t)env->regs[r];
    return (uint32_t)env->regs[r];
}

static ALWAYS_INLINE void interp_wr_reg(CPUX86State *env, int size, int r, uint32_t v)
{
    if (size == 1) {
        if (r < 4)
            env->regs[r] = (env->regs[r] & ~0xffull) | (uint8_t)v;
        else
            env->regs[r - 4] = (env->regs[r - 4] & ~0xff00ull) | ((uint64_t)(v & 0xff) << 8);
    } else if (size == 2) {
        env->regs[r] = (env->regs[r] & ~0xffffull) | (uint16_t)v;
    } else {
        env->regs[r] = v;
    }
}

static ALWAYS_INLINE uint32_t interp_ea(CPUX86State *env, const DInsn *d)
{
    uint32_t a = d->disp;
    if (d->base != EA_NONE)
        a += (uint32_t)env->regs[d->base];
    if (d->index != EA_NONE)
        a += (uint32_t)env->regs[d->index] << d->scale;
    if (!(d->pfx & PFX_AD32))
        a &= 0xffff;
    return a;
}

static ALWAYS_INLINE uint32_t interp_ld_rm(X86CPU *cpu, const DInsn *d, int size)
{
    if (d->mod == 3)
        return interp_rd_reg(&cpu->env, size, d->rm);
    return cpu_ld(cpu, d->seg, interp_ea(&cpu->env, d), size);
}

static ALWAYS_INLINE void interp_st_rm(X86CPU *cpu, const DInsn *d, int size, uint32_t v)
{
    if (d->mod == 3)
        interp_wr_reg(&cpu->env, size, d->rm, v);
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

static ALWAYS_INLINE uint32_t interp_sext(uint32_t v, int size)
{
    return size == 1 ? (uint32_t)(int8_t)v : size == 2 ? (uint32_t)(int16_t)v : v;
}

static inline void interp_jump(X86CPU *cpu, uint32_t eip)
{
    if (unlikely(eip > cpu->env.segs[R_CS].limit))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    cpu->env.eip = eip;
}

static ALWAYS_INLINE uint32_t interp_str_reg(CPUX86State *env, int r, int ad32)
{
    return ad32 ? (uint32_t)env->regs[r] : (uint16_t)env->regs[r];
}

static ALWAYS_INLINE void interp_str_set(CPUX86State *env, int r, uint32_t v, int ad32)
{
    if (ad32)
        env->regs[r] = v;
    else
        env->regs[r] = (env->regs[r] & ~0xffffull) | (uint16_t)v;
}

/* interp-sys.c: I/O, system registers, CPUID, MSRs, privilege checks */
uint32_t interp_in(X86CPU *cpu, uint16_t port, int size);
void interp_out(X86CPU *cpu, uint16_t port, uint32_t v, int size);
void interp_cpuid(CPUX86State *env);
uint64_t interp_tsc(CPUX86State *env);
void interp_rdmsr(X86CPU *cpu);
void interp_wrmsr(X86CPU *cpu);
void interp_write_eflags(X86CPU *cpu, uint32_t v, int size);
void interp_check_iopl_v86(X86CPU *cpu);
void interp_check_if_change(X86CPU *cpu);
void interp_check_cpl0(X86CPU *cpu);
void interp_mov_to_cr(X86CPU *cpu, int n, uint32_t v);
void interp_sysenter_exit(X86CPU *cpu, bool is_exit);

/* interp-str.c: MOVS CMPS STOS LODS SCAS INS OUTS, with REP */
void interp_string(X86CPU *cpu, const DInsn *d, int size);

#endif
