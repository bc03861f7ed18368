/*
 * SSE/SSE2 subset, FXSAVE/FXRSTOR, LDMXCSR/STMXCSR, EMMS and the CR0/CR4 rules
 * that gate them (Intel SDM vol. 1 ch. 10-11, vol. 2 instruction pages, vol. 3
 * 13.1-13.4).  FP arithmetic runs on the host's SSE unit with the guest MXCSR
 * loaded, so rounding, DAZ/FTZ, NaN choice and exception flags are the host's.
 */
#include <math.h>
#include "target-i386/interp.h"

#define MXCSR_FLAGS     0x003f      /* IE DE ZE OE UE PE */
#define MXCSR_MASKS     0x1f80
#define MXCSR_MASK_SUPP 0xffff      /* MXCSR_MASK in the FXSAVE image: DAZ supported */
#define FSW_TOP         0x3800

typedef uint8_t  v16u8 __attribute__((vector_size(16)));
typedef uint16_t v8u16 __attribute__((vector_size(16)));
typedef uint32_t v4u32 __attribute__((vector_size(16)));
typedef uint64_t v2u64 __attribute__((vector_size(16)));

/* CR0.EM or CR4.OSFXSR=0: #UD; CR0.TS: #NM (SDM vol. 3, table 13-1) */
static void sse_check(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    if ((env->cr[0] & CR0_EM_MASK) || !(env->cr[4] & CR4_OSFXSR_MASK))
        raise_exception(cpu, EXCP06_ILLOP);
    if (env->cr[0] & CR0_TS_MASK)
        raise_exception(cpu, EXCP07_PREX);
}

static XMMReg *sse_reg(CPUX86State *env, int r)
{
    return &env->xmm_regs[r & 15];
}

/* Load size (4, 8, 16) bytes of the r/m operand; align: 16-byte alignment #GP(0) */
static void sse_ld_rm(X86CPU *cpu, const DInsn *d, XMMReg *v, int size, bool align)
{
    uint32_t ea, lin;
    if (d->mod == 3) {
        *v = *sse_reg(&cpu->env, d->rm);
        return;
    }
    ea = interp_ea(&cpu->env, d);
    lin = seg_addr(cpu, d->seg, ea, size, 0);
    if (align && (lin & 15))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    memset(v, 0, sizeof(*v));
    for (int i = 0; i < size / 4; i++)
        v->l[i] = cpu_ld(cpu, d->seg, ea + 4 * i, 4);
}

static void sse_st_mem(X86CPU *cpu, const DInsn *d, const XMMReg *v, int size, bool align)
{
    uint32_t ea = interp_ea(&cpu->env, d);
    uint32_t lin = seg_addr(cpu, d->seg, ea, size, 1);
    if (align && (lin & 15))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    cpu_probe_write(cpu, d->seg, ea, size);
    for (int i = 0; i < size / 4; i++)
        cpu_st(cpu, d->seg, ea + 4 * i, v->l[i], 4);
}

/*
 * An unmasked SIMD FP exception: the flags are set, the destination is left
 * alone, and it is #XM with CR4.OSXMMEXCPT, else #UD (SDM vol. 3, 6.15, int 19).
 */
static void sse_fp_flags(X86CPU *cpu, uint32_t flags)
{
    CPUX86State *env = &cpu->env;
    env->mxcsr |= flags & MXCSR_FLAGS;
    if (flags & ~(env->mxcsr >> 7) & MXCSR_FLAGS)
        raise_exception(cpu, (env->cr[4] & CR4_OSXMMEXCPT_MASK) ? EXCP13_XMM : EXCP06_ILLOP);
}

/* Run one host SSE instruction on a copy of the operands with the guest MXCSR
 * (all exceptions masked, flags cleared) and return the flags it raised. */
#define SSE_HOST_OP(insn) \
    __asm__ volatile("stmxcsr %[save]\n\t" \
                     "ldmxcsr %[csr]\n\t" \
                     "movdqu %[dst], %%xmm0\n\t" \
                     "movdqu %[src], %%xmm1\n\t" \
                     insn " %%xmm1, %%xmm0\n\t" \
                     "movdqu %%xmm0, %[dst]\n\t" \
                     "stmxcsr %[csr]\n\t" \
                     "ldmxcsr %[save]" \
                     : [dst] "+m" (*r), [csr] "+m" (csr), [save] "=m" (save) \
                     : [src] "m" (*s) : "xmm0", "xmm1")

static uint32_t sse_host_fp(int op, int form, XMMReg *r, const XMMReg *s, uint32_t mxcsr)
{
    uint32_t csr = (mxcsr & ~MXCSR_FLAGS) | MXCSR_MASKS, save;
#define FP4(opc, name) \
    case opc: \
        switch (form) { \
        case 0: SSE_HOST_OP(name "ps"); break; \
        case 1: SSE_HOST_OP(name "pd"); break; \
        case 2: SSE_HOST_OP(name "ss"); break; \
        default: SSE_HOST_OP(name "sd"); break; \
        } \
        break;
    switch (op) {
    FP4(0x151, "sqrt")
    FP4(0x158, "add")
    FP4(0x159, "mul")
    FP4(0x15c, "sub")
    FP4(0x15d, "min")
    FP4(0x15e, "div")
    FP4(0x15f, "max")
    }
#undef FP4
    return csr & MXCSR_FLAGS;
}

/* ---- FXSAVE / FXRSTOR (SDM vol. 2, FXSAVE, table 3-53: 32-bit format) ---- */

static void sse_fxsave(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;
    uint8_t img[512];
    uint32_t ea = interp_ea(env, d), lin = seg_addr(cpu, d->seg, ea, 512, 1);
    uint16_t fsw = (env->fpus & ~FSW_TOP) | ((env->fpstt & 7) << 11);
    uint8_t ftw = 0;
    uint32_t v;

    if (lin & 15)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    memset(img, 0, sizeof(img));
    for (int i = 0; i < 8; i++)
        if (!env->fptags[i])
            ftw |= 1 << i;
    memcpy(img + 0, &env->fpuc, 2);
    memcpy(img + 2, &fsw, 2);
    img[4] = ftw;
    memcpy(img + 6, &env->fpop, 2);
    v = (uint32_t)env->fpip;
    memcpy(img + 8, &v, 4);
    memcpy(img + 12, &env->fpcs, 2);
    v = (uint32_t)env->fpdp;
    memcpy(img + 16, &v, 4);
    memcpy(img + 20, &env->fpds, 2);
    memcpy(img + 24, &env->mxcsr, 4);
    v = MXCSR_MASK_SUPP;
    memcpy(img + 28, &v, 4);
    for (int i = 0; i < 8; i++)      /* ST(i), 80 bits each in a 16-byte slot */
        memcpy(img + 32 + 16 * i, &env->fpregs[(env->fpstt + i) & 7].d, 10);
    for (int i = 0; i < 8; i++)
        memcpy(img + 160 + 16 * i, &env->xmm_regs[i], 16);
    cpu_probe_write(cpu, d->seg, ea, 512);
    for (int i = 0; i < 512; i += 4) {
        memcpy(&v, img + i, 4);
        cpu_st(cpu, d->seg, ea + i, v, 4);
    }
}

static void sse_fxrstor(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;
    uint8_t img[512];
    uint32_t ea = interp_ea(env, d), lin = seg_addr(cpu, d->seg, ea, 512, 0);
    uint32_t v, mxcsr;
    uint16_t fsw;

    if (lin & 15)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    for (int i = 0; i < 512; i += 4) {
        v = cpu_ld(cpu, d->seg, ea + i, 4);
        memcpy(img + i, &v, 4);
    }
    memcpy(&mxcsr, img + 24, 4);
    if (mxcsr & ~MXCSR_MASK_SUPP)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    /* everything is read and checked: commit */
    memcpy(&env->fpuc, img + 0, 2);
    memcpy(&fsw, img + 2, 2);
    env->fpstt = (fsw >> 11) & 7;
    env->fpus = fsw & ~FSW_TOP;
    for (int i = 0; i < 8; i++)
        env->fptags[i] = !(img[4] & (1 << i));
    memcpy(&env->fpop, img + 6, 2);
    env->fpop &= 0x7ff;
    memcpy(&v, img + 8, 4);
    env->fpip = v;
    memcpy(&env->fpcs, img + 12, 2);
    memcpy(&v, img + 16, 4);
    env->fpdp = v;
    memcpy(&env->fpds, img + 20, 2);
    env->mxcsr = mxcsr;
    for (int i = 0; i < 8; i++) {
        FPReg *f = &env->fpregs[(env->fpstt + i) & 7];
        memset(f, 0, sizeof(*f));
        memcpy(&f->d, img + 32 + 16 * i, 10);
    }
    for (int i = 0; i < 8; i++)
        memcpy(&env->xmm_regs[i], img + 160 + 16 * i, 16);
}

/* 0F AE: FXSAVE FXRSTOR LDMXCSR STMXCSR / LFENCE MFENCE SFENCE */
static void sse_grp15(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;

    if (d->mod == 3) {
        if (d->reg < 5 || (d->pfx & (PFX_66 | PFX_REP | PFX_REPNE)))
            raise_exception(cpu, EXCP06_ILLOP);
        return;     /* fences: the interpreter is in order */
    }
    if (d->pfx & (PFX_REP | PFX_REPNE))
        raise_exception(cpu, EXCP06_ILLOP);
    switch (d->reg) {
    case 0: case 1:
        if (env->cr[0] & (CR0_EM_MASK | CR0_TS_MASK))
            raise_exception(cpu, EXCP07_PREX);
        if (d->reg == 0)
            sse_fxsave(cpu, d);
        else
            sse_fxrstor(cpu, d);
        break;
    case 2: {
        uint32_t v;
        sse_check(cpu);
        v = cpu_ld(cpu, d->seg, interp_ea(env, d), 4);
        if (v & ~MXCSR_MASK_SUPP)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        env->mxcsr = v;
        break;
    }
    case 3:
        sse_check(cpu);
        cpu_st(cpu, d->seg, interp_ea(env, d), env->mxcsr, 4);
        break;
    case 7:         /* CLFLUSH: nothing is cached */
        cpu_ld(cpu, d->seg, interp_ea(env, d), 1);
        break;
    default:
        raise_exception(cpu, EXCP06_ILLOP);
    }
}

/*
 * The 0F-map SIMD opcodes routed here by interp_one().  The mandatory prefix
 * picks the form: none (PS / MMX), 66 (PD / XMM integer), F3 (SS), F2 (SD).
 * Forms not implemented (MMX, most of SSE2/SSE3) are #UD and not advertised.
 */
void sse_exec(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;
    int op = d->op;
    int form = (d->pfx & PFX_REP) ? 2 : (d->pfx & PFX_REPNE) ? 3 : (d->pfx & PFX_66) ? 1 : 0;
    XMMReg s, *r = sse_reg(env, d->reg);
    uint32_t flags;

    if (op == 0x1ae) {
        sse_grp15(cpu, d);
        return;
    }
    if (op == 0x177) {              /* EMMS: every x87 tag empty */
        if (form || (env->cr[0] & CR0_EM_MASK))
            raise_exception(cpu, EXCP06_ILLOP);
        if (env->cr[0] & CR0_TS_MASK)
            raise_exception(cpu, EXCP07_PREX);
        fpu_check_pending(cpu);
        memset(env->fptags, 1, sizeof(env->fptags));
        return;
    }
    if (form == 0 && op >= 0x160)   /* MMX forms */
        raise_exception(cpu, EXCP06_ILLOP);
    sse_check(cpu);

    switch (op) {
    case 0x110:     /* movups movupd movss movsd xmm, xmm/m */
        if (form >= 2) {
            int n = form == 2 ? 4 : 8;
            sse_ld_rm(cpu, d, &s, n, false);
            if (d->mod == 3)
                memcpy(r, &s, n);
            else
                *r = s;         /* from memory the upper part is zeroed */
        } else {
            sse_ld_rm(cpu, d, &s, 16, false);
            *r = s;
        }
        break;
    case 0x111:     /* movups movupd movss movsd xmm/m, xmm */
    case 0x129:     /* movaps movapd xmm/m, xmm */
    case 0x17f:     /* movdqa movdqu xmm/m, xmm */
    case 0x1d6: {   /* movq xmm/m64, xmm */
        int n = 16;
        if (op == 0x111 && form >= 2)
            n = form == 2 ? 4 : 8;
        if (op == 0x129 && form >= 2)
            raise_exception(cpu, EXCP06_ILLOP);
        if (op == 0x17f && form == 3)
            raise_exception(cpu, EXCP06_ILLOP);
        if (op == 0x1d6) {
            if (form != 1)
                raise_exception(cpu, EXCP06_ILLOP);
            n = 8;
        }
        if (d->mod == 3) {
            XMMReg *dst = sse_reg(env, d->rm);
            if (op == 0x1d6) {
                dst->q[0] = r->q[0];
                dst->q[1] = 0;
            } else {
                memcpy(dst, r, n);
            }
        } else {
            sse_st_mem(cpu, d, r, n, op == 0x129 || (op == 0x17f && form == 1));
        }
        break;
    }
    case 0x128:     /* movaps movapd */
    case 0x16f:     /* movdqa movdqu */
        if (form >= 2 && !(op == 0x16f && form == 2))
            raise_exception(cpu, EXCP06_ILLOP);
        sse_ld_rm(cpu, d, &s, 16, op == 0x128 || form == 1);
        *r = s;
        break;
    case 0x16e:     /* movd xmm, r/m32 */
        if (form != 1)
            raise_exception(cpu, EXCP06_ILLOP);
        memset(&s, 0, sizeof(s));
        s.l[0] = interp_ld_rm(cpu, d, 4);
        *r = s;
        break;
    case 0x17e:
        if (form == 1) {            /* movd r/m32, xmm */
            interp_st_rm(cpu, d, 4, r->l[0]);
        } else if (form == 2) {     /* movq xmm, xmm/m64 */
            sse_ld_rm(cpu, d, &s, 8, false);
            r->q[0] = s.q[0];
            r->q[1] = 0;
        } else {
            raise_exception(cpu, EXCP06_ILLOP);
        }
        break;
    case 0x154: case 0x155: case 0x156: case 0x157:     /* and andn or xor ps/pd */
        if (form >= 2)
            raise_exception(cpu, EXCP06_ILLOP);
        sse_ld_rm(cpu, d, &s, 16, true);
        {
            v2u64 a, b;
            memcpy(&a, r, 16);
            memcpy(&b, &s, 16);
            a = op == 0x154 ? (a & b) : op == 0x155 ? (~a & b) : op == 0x156 ? (a | b) : (a ^ b);
            memcpy(r, &a, 16);
        }
        break;
    case 0x151: case 0x158: case 0x159: case 0x15c: case 0x15d: case 0x15e: case 0x15f: {
        XMMReg t = *r;
        sse_ld_rm(cpu, d, &s, form == 2 ? 4 : form == 3 ? 8 : 16, form < 2);
        flags = sse_host_fp(op, form, &t, &s, env->mxcsr);
        sse_fp_flags(cpu, flags);
        *r = t;
        break;
    }
    case 0x170: {   /* pshufd xmm, xmm/m128, imm8 */
        XMMReg t;
        if (form != 1)
            raise_exception(cpu, EXCP06_ILLOP);
        sse_ld_rm(cpu, d, &s, 16, true);
        for (int i = 0; i < 4; i++)
            t.l[i] = s.l[(d->imm >> (2 * i)) & 3];
        *r = t;
        break;
    }
    case 0x174: case 0x175: case 0x176:
    case 0x1d4: case 0x1db: case 0x1df: case 0x1eb: case 0x1ef:
    case 0x1f8: case 0x1f9: case 0x1fa: case 0x1fb: case 0x1fc: case 0x1fd: case 0x1fe: {
        v16u8 a8, b8;
        v8u16 a16, b16;
        v4u32 a32, b32;
        v2u64 a64, b64;
        if (form != 1)
            raise_exception(cpu, EXCP06_ILLOP);
        sse_ld_rm(cpu, d, &s, 16, true);
        memcpy(&a8, r, 16); memcpy(&b8, &s, 16);
        memcpy(&a16, r, 16); memcpy(&b16, &s, 16);
        memcpy(&a32, r, 16); memcpy(&b32, &s, 16);
        memcpy(&a64, r, 16); memcpy(&b64, &s, 16);
        switch (op) {
        case 0x174: a8 = (v16u8)(a8 == b8); memcpy(r, &a8, 16); break;
        case 0x175: a16 = (v8u16)(a16 == b16); memcpy(r, &a16, 16); break;
        case 0x176: a32 = (v4u32)(a32 == b32); memcpy(r, &a32, 16); break;
        case 0x1d4: a64 += b64; memcpy(r, &a64, 16); break;
        case 0x1db: a64 &= b64; memcpy(r, &a64, 16); break;
        case 0x1df: a64 = ~a64 & b64; memcpy(r, &a64, 16); break;
        case 0x1eb: a64 |= b64; memcpy(r, &a64, 16); break;
        case 0x1ef: a64 ^= b64; memcpy(r, &a64, 16); break;
        case 0x1f8: a8 -= b8; memcpy(r, &a8, 16); break;
        case 0x1f9: a16 -= b16; memcpy(r, &a16, 16); break;
        case 0x1fa: a32 -= b32; memcpy(r, &a32, 16); break;
        case 0x1fb: a64 -= b64; memcpy(r, &a64, 16); break;
        case 0x1fc: a8 += b8; memcpy(r, &a8, 16); break;
        case 0x1fd: a16 += b16; memcpy(r, &a16, 16); break;
        default: a32 += b32; memcpy(r, &a32, 16); break;
        }
        break;
    }
    default:
        trace(LOG_UNIMP, "unimplemented SIMD opcode %03x (prefix form %d) at %08llx\n",
              op, form, (unsigned long long)cpu->cur_eip);
        raise_exception(cpu, EXCP06_ILLOP);
    }
}
