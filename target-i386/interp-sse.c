/*
 * SSE, SSE2 and SSE3 floating point and data movement, FXSAVE/FXRSTOR,
 * LDMXCSR/STMXCSR, EMMS, the fences and CLFLUSH, and the dispatcher of the
 * 0F-map and three-byte-map SIMD opcodes (the packed-integer ones are in
 * interp-mmx.c).  Intel SDM vol. 1 ch. 10-12, vol. 2 instruction pages,
 * vol. 3 13.1-13.4.  FP arithmetic and conversions run as the same host SSE
 * instruction with the guest MXCSR loaded (exceptions masked), so rounding,
 * DAZ/FTZ, NaN choice, RCP/RSQRT approximations and flags are the host's.
 */
#include "target-i386/interp-sse.h"

#define MXCSR_FLAGS     0x003f      /* IE DE ZE OE UE PE */
#define MXCSR_MASKS     0x1f80
#define MXCSR_MASK_SUPP 0xffff      /* MXCSR_MASK in the FXSAVE image: DAZ supported */
#define FSW_TOP         0x3800

/* ---- checks and operand access (interp-sse.h) ---- */

void sse_ud(X86CPU *cpu)
{
    raise_exception(cpu, EXCP06_ILLOP);
}

/* CR0.EM or CR4.OSFXSR=0: #UD; CR0.TS: #NM (SDM vol. 3, table 13-1) */
void sse_check(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    if ((env->cr[0] & CR0_EM_MASK) || !(env->cr[4] & CR4_OSFXSR_MASK))
        raise_exception(cpu, EXCP06_ILLOP);
    if (env->cr[0] & CR0_TS_MASK)
        raise_exception(cpu, EXCP07_PREX);
}

/* The linear address i bytes into an access that seg_addr() checked as a
 * whole: outside 64-bit mode linear addresses wrap at 4 GB. */
static uint64_t sse_lin(X86CPU *cpu, uint64_t lin, int i)
{
    return cpu->code64 ? lin + i : (uint32_t)(lin + i);
}

/* One segment check for the whole operand, then 4-byte pieces through the TLB
 * (a piece crossing a page is split by the slow path) */
void sse_ld_mem(X86CPU *cpu, const DInsn *d, void *buf, int n, bool align)
{
    uint64_t ea = interp_ea(&cpu->env, d);
    uint64_t lin = seg_addr(cpu, d->seg, ea, n, 0);
    uint8_t *b = buf;
    uint32_t v;

    if (align && (lin & 15))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if (n < 4) {
        v = cpu_ld_lin(cpu, lin, n);
        memcpy(b, &v, n);
        return;
    }
    for (int i = 0; i < n; i += 4) {
        v = cpu_ld_lin(cpu, sse_lin(cpu, lin, i), 4);
        memcpy(b + i, &v, 4);
    }
}

/* Every byte is checked writable before the first store, so a fault leaves
 * memory untouched */
void sse_st_mem(X86CPU *cpu, const DInsn *d, const void *buf, int n, bool align)
{
    uint64_t ea = interp_ea(&cpu->env, d);
    uint64_t lin = seg_addr(cpu, d->seg, ea, n, 1);
    const uint8_t *b = buf;
    uint32_t v;

    if (align && (lin & 15))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    mmu_probe_write(cpu, lin, n, cpu->mmu_user);
    for (int i = 0; i < n; i += 4) {
        memcpy(&v, b + i, 4);
        cpu_st_lin(cpu, sse_lin(cpu, lin, i), v, 4);
    }
}

/* The r/m source of an XMM instruction: a register, or n bytes of memory
 * (zero-extended) */
static void sse_src(X86CPU *cpu, const DInsn *d, XMMReg *v, int n, bool align)
{
    if (d->mod == 3) {
        *v = *sse_reg(&cpu->env, d->rm);
        return;
    }
    memset(v, 0, sizeof(*v));
    sse_ld_mem(cpu, d, v, n, align);
}

/*
 * After a host operation: merge its flags into MXCSR.  An unmasked one
 * leaves the destination alone and is #XM with CR4.OSXMMEXCPT, else #UD
 * (SDM vol. 3, 6.15, interrupt 19).
 */
static void sse_fp_flags(X86CPU *cpu, uint32_t flags)
{
    CPUX86State *env = &cpu->env;
    env->mxcsr |= flags & MXCSR_FLAGS;
    if (flags & ~(env->mxcsr >> 7) & MXCSR_FLAGS)
        raise_exception(cpu, (env->cr[4] & CR4_OSXMMEXCPT_MASK) ? EXCP13_XMM : EXCP06_ILLOP);
}

/* ---- host SSE ---- */

/* Run host SSE code on copies of the operands (xmm0 = *r, xmm1 = *s) with
 * the guest MXCSR (flags cleared, exceptions masked); csr gets the flags. */
#define SSE_HOST(insn) \
    __asm__ volatile("stmxcsr %[save]\n\t" \
                     "ldmxcsr %[csr]\n\t" \
                     "movdqu %[dst], %%xmm0\n\t" \
                     "movdqu %[src], %%xmm1\n\t" \
                     insn "\n\t" \
                     "movdqu %%xmm0, %[dst]\n\t" \
                     "stmxcsr %[csr]\n\t" \
                     "ldmxcsr %[save]" \
                     : [dst] "+m" (*r), [csr] "+m" (csr), [save] "=m" (save) \
                     : [src] "m" (*s) : "xmm0", "xmm1")

#define HOP(op8, form) ((op8) << 2 | (form))

static uint32_t sse_host_csr(uint32_t mxcsr)
{
    return (mxcsr & ~MXCSR_FLAGS) | MXCSR_MASKS;
}

/* r = r op s for the opcode byte op8 in the given mandatory-prefix form */
static uint32_t sse_host_op(int op8, int form, XMMReg *r, const XMMReg *s, uint32_t mxcsr)
{
    uint32_t csr = sse_host_csr(mxcsr), save;
#define FP4(o, name) \
    case HOP(o, SSE_NP): SSE_HOST(name "ps %%xmm1, %%xmm0"); break; \
    case HOP(o, SSE_66): SSE_HOST(name "pd %%xmm1, %%xmm0"); break; \
    case HOP(o, SSE_F3): SSE_HOST(name "ss %%xmm1, %%xmm0"); break; \
    case HOP(o, SSE_F2): SSE_HOST(name "sd %%xmm1, %%xmm0"); break;
#define H1(o, f, text) case HOP(o, f): SSE_HOST(text " %%xmm1, %%xmm0"); break;
    switch (HOP(op8, form)) {
    FP4(0x51, "sqrt")
    FP4(0x58, "add")
    FP4(0x59, "mul")
    FP4(0x5c, "sub")
    FP4(0x5d, "min")
    FP4(0x5e, "div")
    FP4(0x5f, "max")
    H1(0x52, SSE_NP, "rsqrtps")
    H1(0x52, SSE_F3, "rsqrtss")
    H1(0x53, SSE_NP, "rcpps")
    H1(0x53, SSE_F3, "rcpss")
    H1(0x5a, SSE_NP, "cvtps2pd")
    H1(0x5a, SSE_66, "cvtpd2ps")
    H1(0x5a, SSE_F3, "cvtss2sd")
    H1(0x5a, SSE_F2, "cvtsd2ss")
    H1(0x5b, SSE_NP, "cvtdq2ps")
    H1(0x5b, SSE_66, "cvtps2dq")
    H1(0x5b, SSE_F3, "cvttps2dq")
    H1(0xe6, SSE_66, "cvttpd2dq")
    H1(0xe6, SSE_F3, "cvtdq2pd")
    H1(0xe6, SSE_F2, "cvtpd2dq")
    H1(0xd0, SSE_66, "addsubpd")
    H1(0xd0, SSE_F2, "addsubps")
    H1(0x7c, SSE_66, "haddpd")
    H1(0x7c, SSE_F2, "haddps")
    H1(0x7d, SSE_66, "hsubpd")
    H1(0x7d, SSE_F2, "hsubps")
    }
#undef FP4
#undef H1
    return csr & MXCSR_FLAGS;
}

/* CMPPS/PD/SS/SD: legacy encodings use predicates imm8[2:0] */
static uint32_t sse_host_cmp(int form, int pred, XMMReg *r, const XMMReg *s, uint32_t mxcsr)
{
    uint32_t csr = sse_host_csr(mxcsr), save;
#define CMP4(p) \
    case HOP(p, SSE_NP): SSE_HOST("cmpps $" #p ", %%xmm1, %%xmm0"); break; \
    case HOP(p, SSE_66): SSE_HOST("cmppd $" #p ", %%xmm1, %%xmm0"); break; \
    case HOP(p, SSE_F3): SSE_HOST("cmpss $" #p ", %%xmm1, %%xmm0"); break; \
    case HOP(p, SSE_F2): SSE_HOST("cmpsd $" #p ", %%xmm1, %%xmm0"); break;
    switch (HOP(pred & 7, form)) {
    CMP4(0) CMP4(1) CMP4(2) CMP4(3) CMP4(4) CMP4(5) CMP4(6) CMP4(7)
    }
#undef CMP4
    return csr & MXCSR_FLAGS;
}

/* CVTSI2SS/SD xmm, r/m32 or r/m64 (w) */
static uint32_t sse_host_cvtsi(int form, bool w, uint64_t v, XMMReg *r, uint32_t mxcsr)
{
    uint32_t csr = sse_host_csr(mxcsr), save;
#define CVTSI(text) \
    __asm__ volatile("stmxcsr %[save]\n\t" \
                     "ldmxcsr %[csr]\n\t" \
                     "movdqu %[dst], %%xmm0\n\t" \
                     text "\n\t" \
                     "movdqu %%xmm0, %[dst]\n\t" \
                     "stmxcsr %[csr]\n\t" \
                     "ldmxcsr %[save]" \
                     : [dst] "+m" (*r), [csr] "+m" (csr), [save] "=m" (save) \
                     : [v] "r" (v) : "xmm0")
    if (form == SSE_F3) {
        if (w)
            CVTSI("cvtsi2ssq %q[v], %%xmm0");
        else
            CVTSI("cvtsi2ssl %k[v], %%xmm0");
    } else {
        if (w)
            CVTSI("cvtsi2sdq %q[v], %%xmm0");
        else
            CVTSI("cvtsi2sdl %k[v], %%xmm0");
    }
#undef CVTSI
    return csr & MXCSR_FLAGS;
}

/* CVT(T)SS2SI / CVT(T)SD2SI r32/r64, xmm: trunc is opcode 2C */
static uint32_t sse_host_cvt2si(int form, bool trunc, bool w, const XMMReg *s, uint64_t *out,
                                uint32_t mxcsr)
{
    uint32_t csr = sse_host_csr(mxcsr), save;
    uint64_t o = 0;
#define CVT2SI(text) \
    __asm__ volatile("stmxcsr %[save]\n\t" \
                     "ldmxcsr %[csr]\n\t" \
                     "movdqu %[src], %%xmm1\n\t" \
                     text "\n\t" \
                     "stmxcsr %[csr]\n\t" \
                     "ldmxcsr %[save]" \
                     : [o] "+r" (o), [csr] "+m" (csr), [save] "=m" (save) \
                     : [src] "m" (*s) : "xmm1")
    switch ((form == SSE_F3) << 2 | trunc << 1 | w) {
    case 0: CVT2SI("cvtsd2si %%xmm1, %k[o]"); break;
    case 1: CVT2SI("cvtsd2si %%xmm1, %q[o]"); break;
    case 2: CVT2SI("cvttsd2si %%xmm1, %k[o]"); break;
    case 3: CVT2SI("cvttsd2si %%xmm1, %q[o]"); break;
    case 4: CVT2SI("cvtss2si %%xmm1, %k[o]"); break;
    case 5: CVT2SI("cvtss2si %%xmm1, %q[o]"); break;
    case 6: CVT2SI("cvttss2si %%xmm1, %k[o]"); break;
    default: CVT2SI("cvttss2si %%xmm1, %q[o]"); break;
    }
#undef CVT2SI
    *out = o;
    return csr & MXCSR_FLAGS;
}

/* (U)COMISS/SD: ZF PF CF from the host comparison */
static uint32_t sse_host_comi(int op8, int form, const XMMReg *a, const XMMReg *b,
                              uint32_t *eflags, uint32_t mxcsr)
{
    uint32_t csr = sse_host_csr(mxcsr), save;
    bool z, p, c;
#define COMI(text) \
    __asm__ volatile("stmxcsr %[save]\n\t" \
                     "ldmxcsr %[csr]\n\t" \
                     "movdqu %[a], %%xmm0\n\t" \
                     "movdqu %[b], %%xmm1\n\t" \
                     text " %%xmm1, %%xmm0\n\t" \
                     "stmxcsr %[csr]\n\t" \
                     "ldmxcsr %[save]" \
                     : "=@ccz" (z), "=@ccp" (p), "=@ccc" (c), [csr] "+m" (csr), \
                       [save] "=m" (save) \
                     : [a] "m" (*a), [b] "m" (*b) : "xmm0", "xmm1")
    switch ((op8 == 0x2f) << 1 | (form == SSE_66)) {
    case 0: COMI("ucomiss"); break;
    case 1: COMI("ucomisd"); break;
    case 2: COMI("comiss"); break;
    default: COMI("comisd"); break;
    }
#undef COMI
    *eflags = (z ? CC_Z : 0) | (p ? CC_P : 0) | (c ? CC_C : 0);
    return csr & MXCSR_FLAGS;
}

/* ---- FXSAVE / FXRSTOR (SDM vol. 2, FXSAVE, tables 3-53 and 3-56) ---- */

/* In 64-bit mode XMM8-15 are in the image too, and REX.W (FXSAVE64) stores
 * the FPU IP and DP as 64-bit offsets without the CS/DS selectors. */
static void sse_fxsave(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;
    uint8_t img[512];
    uint64_t ea = interp_ea(env, d), lin = seg_addr(cpu, d->seg, ea, 512, 1);
    uint16_t fsw = (env->fpus & ~FSW_TOP) | ((env->fpstt & 7) << 11);
    uint8_t ftw = 0;
    uint32_t v;
    int nxmm = cpu->code64 ? 16 : 8;

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
    if (cpu->code64 && (d->rex & REX_W)) {
        memcpy(img + 8, &env->fpip, 8);
        memcpy(img + 16, &env->fpdp, 8);
    } else {
        v = (uint32_t)env->fpip;
        memcpy(img + 8, &v, 4);
        memcpy(img + 12, &env->fpcs, 2);
        v = (uint32_t)env->fpdp;
        memcpy(img + 16, &v, 4);
        memcpy(img + 20, &env->fpds, 2);
    }
    memcpy(img + 24, &env->mxcsr, 4);
    v = MXCSR_MASK_SUPP;
    memcpy(img + 28, &v, 4);
    for (int i = 0; i < 8; i++)      /* ST(i), 80 bits each in a 16-byte slot */
        memcpy(img + 32 + 16 * i, &env->fpregs[(env->fpstt + i) & 7].d, 10);
    for (int i = 0; i < nxmm; i++)
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
    uint64_t ea = interp_ea(env, d), lin = seg_addr(cpu, d->seg, ea, 512, 0);
    uint32_t v, mxcsr;
    uint16_t fsw;
    int nxmm = cpu->code64 ? 16 : 8;

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
    if (cpu->code64 && (d->rex & REX_W)) {
        memcpy(&env->fpip, img + 8, 8);
        memcpy(&env->fpdp, img + 16, 8);
        env->fpcs = env->fpds = 0;
    } else {
        memcpy(&v, img + 8, 4);
        env->fpip = v;
        memcpy(&env->fpcs, img + 12, 2);
        memcpy(&v, img + 16, 4);
        env->fpdp = v;
        memcpy(&env->fpds, img + 20, 2);
    }
    env->mxcsr = mxcsr;
    for (int i = 0; i < 8; i++) {
        FPReg *f = &env->fpregs[(env->fpstt + i) & 7];
        memset(f, 0, sizeof(*f));
        memcpy(&f->d, img + 32 + 16 * i, 10);
    }
    for (int i = 0; i < nxmm; i++)
        memcpy(&env->xmm_regs[i], img + 160 + 16 * i, 16);
}

/* 0F AE: FXSAVE FXRSTOR LDMXCSR STMXCSR CLFLUSH / LFENCE MFENCE SFENCE */
static void sse_grp15(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;

    if (d->mod == 3) {
        if (d->reg < 5 || (d->pfx & (PFX_66 | PFX_REP | PFX_REPNE)))
            sse_ud(cpu);
        return;     /* fences: the interpreter is in order */
    }
    if (d->pfx & (PFX_REP | PFX_REPNE))
        sse_ud(cpu);
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
        sse_ld_mem(cpu, d, &v, 4, false);
        if (v & ~MXCSR_MASK_SUPP)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        env->mxcsr = v;
        break;
    }
    case 3:
        sse_check(cpu);
        sse_st_mem(cpu, d, &env->mxcsr, 4, false);
        break;
    case 7: {       /* CLFLUSH: nothing is cached; the access is checked like a load */
        uint8_t b;
        if (d->pfx & PFX_66)
            sse_ud(cpu);
        sse_ld_mem(cpu, d, &b, 1, false);
        break;
    }
    default:
        sse_ud(cpu);
    }
}

/* ---- the floating-point and data-movement opcodes ---- */

/* r/m64 or r/m32 (REX.W) integer source of CVTSI2SS/SD */
static uint64_t sse_ld_int(X86CPU *cpu, const DInsn *d)
{
    uint64_t v = 0;
    if (!(d->rex & REX_W))
        return interp_ld_rm(cpu, d, 4);
    if (d->mod == 3)
        return cpu->env.regs[d->rm];
    sse_ld_mem(cpu, d, &v, 8, false);
    return v;
}

static void sse_wr_int(X86CPU *cpu, const DInsn *d, uint64_t v)
{
    if (d->rex & REX_W)
        cpu->env.regs[d->reg] = v;
    else
        interp_wr_reg(&cpu->env, 4, d->reg, (uint32_t)v);
}

/* Valid mandatory-prefix forms of each opcode byte (bits SSE_NP SSE_66 SSE_F3 SSE_F2) */
static unsigned sse_fp_forms(int op8, int mod)
{
    switch (op8) {
    case 0x10: case 0x11: case 0x51: case 0x58: case 0x59: case 0x5a: case 0x5c:
    case 0x5d: case 0x5e: case 0x5f: case 0x2a: case 0x2c: case 0x2d: case 0xc2:
        return 0xf;
    case 0x12: return mod == 3 ? 0xd : 0xf;     /* movhlps: no 66 form */
    case 0x16: return mod == 3 ? 0x5 : 0x7;     /* movlhps: no 66 form; F3 movshdup */
    case 0x13: case 0x17: case 0x2b:
        return mod == 3 ? 0 : 0x3;
    case 0x14: case 0x15: case 0x28: case 0x29: case 0x2e: case 0x2f: case 0x54: case 0x55:
    case 0x56: case 0x57: case 0xc6:
        return 0x3;
    case 0x50: return mod == 3 ? 0x3 : 0;
    case 0x52: case 0x53: return 1u << SSE_NP | 1u << SSE_F3;
    case 0x5b: return 0x7;
    case 0x7c: case 0x7d: case 0xd0: return 1u << SSE_66 | 1u << SSE_F2;
    case 0xe6: return 0xe;
    case 0xf0: return mod == 3 ? 0 : 1u << SSE_F2;
    }
    return 0;
}

static void sse_fp_exec(X86CPU *cpu, const DInsn *d, int form)
{
    CPUX86State *env = &cpu->env;
    int op8 = d->op & 0xff;
    bool packed = form <= SSE_66;
    int fpsize = form == SSE_F3 ? 4 : form == SSE_F2 ? 8 : 16;  /* arithmetic operand */
    XMMReg s, t, *r = sse_reg(env, d->reg);
    uint32_t flags;

    if (!(sse_fp_forms(op8, d->mod) & (1u << form)))
        sse_ud(cpu);
    sse_check(cpu);

    switch (op8) {
    case 0x10:      /* movups movupd movss movsd xmm, xmm/m */
        if (!packed && d->mod == 3) {
            memcpy(r, sse_reg(env, d->rm), fpsize);
        } else {
            sse_src(cpu, d, &s, fpsize, false);
            *r = s;             /* from memory the upper part is zeroed */
        }
        break;
    case 0x11:      /* movups movupd movss movsd xmm/m, xmm */
        if (d->mod == 3)
            memcpy(sse_reg(env, d->rm), r, fpsize);
        else
            sse_st_mem(cpu, d, r, fpsize, false);
        break;
    case 0x28:      /* movaps movapd */
        sse_src(cpu, d, &s, 16, true);
        *r = s;
        break;
    case 0x29:
        if (d->mod == 3)
            *sse_reg(env, d->rm) = *r;
        else
            sse_st_mem(cpu, d, r, 16, true);
        break;
    case 0x2b:      /* movntps movntpd */
        sse_st_mem(cpu, d, r, 16, true);
        break;
    case 0x12:
        if (form == SSE_F2) {           /* movddup */
            sse_src(cpu, d, &s, 8, false);
            r->q[1] = r->q[0] = s.q[0];
        } else if (form == SSE_F3) {    /* movsldup */
            sse_src(cpu, d, &s, 16, true);
            t.l[0] = t.l[1] = s.l[0];
            t.l[2] = t.l[3] = s.l[2];
            *r = t;
        } else if (d->mod == 3) {       /* movhlps */
            r->q[0] = sse_reg(env, d->rm)->q[1];
        } else {                        /* movlps movlpd */
            sse_ld_mem(cpu, d, &s, 8, false);
            r->q[0] = s.q[0];
        }
        break;
    case 0x16:
        if (form == SSE_F3) {           /* movshdup */
            sse_src(cpu, d, &s, 16, true);
            t.l[0] = t.l[1] = s.l[1];
            t.l[2] = t.l[3] = s.l[3];
            *r = t;
        } else if (d->mod == 3) {       /* movlhps */
            r->q[1] = sse_reg(env, d->rm)->q[0];
        } else {                        /* movhps movhpd */
            sse_ld_mem(cpu, d, &s, 8, false);
            r->q[1] = s.q[0];
        }
        break;
    case 0x13:      /* movlps movlpd m64, xmm */
        sse_st_mem(cpu, d, &r->q[0], 8, false);
        break;
    case 0x17:      /* movhps movhpd m64, xmm */
        sse_st_mem(cpu, d, &r->q[1], 8, false);
        break;
    case 0x14: case 0x15:   /* unpcklps/pd unpckhps/pd */
        sse_src(cpu, d, &s, 16, true);
        if (form == SSE_NP) {
            int h = op8 == 0x15 ? 2 : 0;
            t.l[0] = r->l[h];
            t.l[1] = s.l[h];
            t.l[2] = r->l[h + 1];
            t.l[3] = s.l[h + 1];
        } else {
            int h = op8 == 0x15;
            t.q[0] = r->q[h];
            t.q[1] = s.q[h];
        }
        *r = t;
        break;
    case 0xc6:      /* shufps shufpd */
        sse_src(cpu, d, &s, 16, true);
        if (form == SSE_NP) {
            t.l[0] = r->l[d->imm & 3];
            t.l[1] = r->l[(d->imm >> 2) & 3];
            t.l[2] = s.l[(d->imm >> 4) & 3];
            t.l[3] = s.l[(d->imm >> 6) & 3];
        } else {
            t.q[0] = r->q[d->imm & 1];
            t.q[1] = s.q[(d->imm >> 1) & 1];
        }
        *r = t;
        break;
    case 0x50: {    /* movmskps movmskpd r32, xmm */
        const XMMReg *x = sse_reg(env, d->rm);
        uint32_t m = 0;
        if (form == SSE_NP)
            for (int i = 0; i < 4; i++)
                m |= (x->l[i] >> 31) << i;
        else
            m = (uint32_t)(x->q[0] >> 63) | (uint32_t)(x->q[1] >> 63) << 1;
        interp_wr_reg(env, 4, d->reg, m);
        break;
    }
    case 0x54: case 0x55: case 0x56: case 0x57:     /* and andn or xor ps/pd */
        sse_src(cpu, d, &s, 16, true);
        for (int i = 0; i < 2; i++)
            r->q[i] = op8 == 0x54 ? r->q[i] & s.q[i] : op8 == 0x55 ? ~r->q[i] & s.q[i] :
                      op8 == 0x56 ? r->q[i] | s.q[i] : r->q[i] ^ s.q[i];
        break;
    case 0x2e: case 0x2f: {     /* ucomiss comiss ucomisd comisd */
        uint32_t f;
        sse_src(cpu, d, &s, form == SSE_NP ? 4 : 8, false);
        flags = sse_host_comi(op8, form, r, &s, &f, env->mxcsr);
        sse_fp_flags(cpu, flags);
        interp_set_cc(env, CC_O | CC_S | CC_Z | CC_A | CC_P | CC_C, f);
        break;
    }
    case 0x2a:
        if (form >= SSE_F3) {           /* cvtsi2ss cvtsi2sd */
            uint64_t v = sse_ld_int(cpu, d);
            t = *r;
            flags = sse_host_cvtsi(form, d->rex & REX_W, v, &t, env->mxcsr);
        } else {                        /* cvtpi2ps cvtpi2pd xmm, mm/m64 */
            memset(&s, 0, sizeof(s));
            if (d->mod == 3) {
                fpu_check_pending(cpu);
                s.q[0] = mmx_get(env, d->rm);
            } else {
                sse_ld_mem(cpu, d, &s, 8, false);
            }
            memset(&t, 0, sizeof(t));
            flags = sse_host_op(form == SSE_NP ? 0x5b : 0xe6,
                                form == SSE_NP ? SSE_NP : SSE_F3, &t, &s, env->mxcsr);
            if (form == SSE_NP)
                t.q[1] = r->q[1];
        }
        sse_fp_flags(cpu, flags);
        *r = t;
        if (form <= SSE_66 && d->mod == 3)
            mmx_enter(env);
        break;
    case 0x2c: case 0x2d:
        if (form >= SSE_F3) {           /* cvt(t)ss2si cvt(t)sd2si */
            uint64_t v;
            sse_src(cpu, d, &s, fpsize, false);
            flags = sse_host_cvt2si(form, op8 == 0x2c, d->rex & REX_W, &s, &v, env->mxcsr);
            sse_fp_flags(cpu, flags);
            sse_wr_int(cpu, d, v);
        } else {                        /* cvt(t)ps2pi cvt(t)pd2pi mm, xmm/m */
            fpu_check_pending(cpu);
            sse_src(cpu, d, &s, form == SSE_NP ? 8 : 16, form == SSE_66);
            if (form == SSE_NP)
                s.q[1] = 0;             /* two singles only: no flags from the rest */
            memset(&t, 0, sizeof(t));
            flags = sse_host_op(form == SSE_NP ? 0x5b : 0xe6,
                                form == SSE_NP ? (op8 == 0x2c ? SSE_F3 : SSE_66)
                                               : (op8 == 0x2c ? SSE_66 : SSE_F2),
                                &t, &s, env->mxcsr);
            sse_fp_flags(cpu, flags);
            mmx_set(env, d->reg, t.q[0]);
            mmx_enter(env);
        }
        break;
    case 0xc2:      /* cmpps cmppd cmpss cmpsd */
        sse_src(cpu, d, &s, fpsize, packed);
        t = *r;
        flags = sse_host_cmp(form, d->imm, &t, &s, env->mxcsr);
        sse_fp_flags(cpu, flags);
        *r = t;
        break;
    case 0xf0:      /* lddqu */
        sse_ld_mem(cpu, d, &s, 16, false);
        *r = s;
        break;
    default: {      /* arithmetic and conversions on the host */
        int n = fpsize;
        bool align = packed;
        if (op8 == 0x5a && form == SSE_NP)
            n = 8, align = false;       /* cvtps2pd xmm, xmm/m64 */
        else if (op8 == 0x5b || (op8 >= 0x7c && op8 <= 0xe6))
            n = 16, align = true;
        if (op8 == 0xe6 && form == SSE_F3)
            n = 8, align = false;       /* cvtdq2pd xmm, xmm/m64 */
        sse_src(cpu, d, &s, n, align);
        t = *r;
        flags = sse_host_op(op8, form, &t, &s, env->mxcsr);
        sse_fp_flags(cpu, flags);
        *r = t;
        break;
    }
    }
}

/*
 * The SIMD opcodes routed here by interp_one(): the 0F map's and the
 * three-byte maps 0F 38 / 0F 3A (op 0x138 / 0x13a, third byte in imm2).
 * The mandatory prefix picks the form: none (PS / MMX), 66 (PD / XMM
 * integer), F3 (SS), F2 (SD).  Not implemented: SSE4 and later (#UD, not
 * advertised), MONITOR/MWAIT.
 */
void sse_exec(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;
    int op = d->op, form = sse_form(d);
    int key = op == 0x138 ? 0x200 | (d->imm2 & 0xff) : op == 0x13a ? 0x300 | (d->imm2 & 0xff) : op;

    switch (op) {
    case 0x1ae:
        sse_grp15(cpu, d);
        return;
    case 0x177:     /* EMMS: every x87 tag empty */
        if (form || (env->cr[0] & CR0_EM_MASK))
            sse_ud(cpu);
        if (env->cr[0] & CR0_TS_MASK)
            raise_exception(cpu, EXCP07_PREX);
        fpu_check_pending(cpu);
        memset(env->fptags, 1, sizeof(env->fptags));
        return;
    case 0x1c3:     /* MOVNTI m32/m64, r: an integer store */
        if (form || d->mod == 3)
            sse_ud(cpu);
        if (d->rex & REX_W)
            sse_st_mem(cpu, d, &env->regs[d->reg], 8, false);
        else
            interp_st_rm(cpu, d, 4, (uint32_t)env->regs[d->reg]);
        return;
    case 0x138: case 0x13a:
        if (form >= SSE_F3)
            sse_ud(cpu);
        break;
    }
    if (mmx_exec(cpu, d, key, form))
        return;
    if (key >= 0x200) {
        trace(LOG_UNIMP, "unimplemented SIMD opcode 0f %02x %02x at %08llx\n",
              op & 0xff, d->imm2 & 0xff, (unsigned long long)cpu->cur_eip);
        sse_ud(cpu);
    }
    sse_fp_exec(cpu, d, form);
}
