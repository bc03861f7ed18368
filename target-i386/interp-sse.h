/*
 * Shared by interp-sse.c (SSE/SSE2/SSE3 moves and floating point, FXSAVE,
 * the dispatcher) and interp-mmx.c (the packed-integer set of MMX, SSE2 and
 * SSSE3 on 8-byte MMX and 16-byte XMM registers): operand access and the
 * CR0/CR4 checks of Intel SDM vol. 3, 13.1-13.4 and vol. 1, ch. 9-12.
 *
 * MMX registers are the 64-bit significands of the physical x87 registers
 * (env->fpregs[i].d, not relative to TOP); writing one sets the sign and
 * exponent to all ones, as the hardware does (SDM vol. 1, 9.5.1).  So FSAVE,
 * FXSAVE and x87 loads see exactly what they would on a real CPU, and there
 * is no second copy to keep in sync.
 */
#ifndef PCVM_TARGET_I386_INTERP_SSE_H
#define PCVM_TARGET_I386_INTERP_SSE_H

#include "target-i386/interp.h"

/* The mandatory-prefix form of a 0F-map SIMD opcode */
enum { SSE_NP, SSE_66, SSE_F3, SSE_F2 };

static inline int sse_form(const DInsn *d)
{
    return (d->pfx & PFX_REP) ? SSE_F3 : (d->pfx & PFX_REPNE) ? SSE_F2 :
           (d->pfx & PFX_66) ? SSE_66 : SSE_NP;
}

static inline XMMReg *sse_reg(CPUX86State *env, int r)
{
    return &env->xmm_regs[r & 15];
}

static inline uint64_t mmx_get(CPUX86State *env, int r)
{
    uint64_t v;
    memcpy(&v, &env->fpregs[r & 7].d, 8);
    return v;
}

static inline void mmx_set(CPUX86State *env, int r, uint64_t v)
{
    uint8_t *p = (uint8_t *)&env->fpregs[r & 7].d;
    memcpy(p, &v, 8);
    p[8] = 0xff;            /* sign and exponent all ones */
    p[9] = 0xff;
}

/* interp-sse.c */
NORETURN void sse_ud(X86CPU *cpu);
/* SSE instruction: CR0.EM or !CR4.OSFXSR #UD, CR0.TS #NM */
void sse_check(X86CPU *cpu);
/* n (1, 2, 4, 8, 16) bytes of the memory operand; align: #GP(0) unless the
 * linear address is 16-byte aligned (legacy SSE m128 operands) */
void sse_ld_mem(X86CPU *cpu, const DInsn *d, void *buf, int n, bool align);
void sse_st_mem(X86CPU *cpu, const DInsn *d, const void *buf, int n, bool align);

/* interp-mmx.c */
/* MMX instruction: CR0.EM #UD, CR0.TS #NM, pending x87 exception #MF */
void mmx_check(X86CPU *cpu);
/* the x87-to-MMX transition: TOP = 0, every tag valid */
void mmx_enter(CPUX86State *env);
/* The packed-integer and integer-move opcodes (key: 0x1xx the 0F map, 0x2xx
 * 0F 38, 0x3xx 0F 3A) in their MMX (SSE_NP) and XMM (SSE_66, and the F3/F2
 * moves and shuffles) forms; false if key is not one of them. */
bool mmx_exec(X86CPU *cpu, const DInsn *d, int key, int form);

#endif
