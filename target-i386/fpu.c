/*
 * x87 FPU of the software CPU (Intel SDM vol. 1, chapter 8; vol. 2 for each
 * instruction).  Registers are host 80-bit long doubles; arithmetic runs on
 * the host x87 with the guest's precision and rounding control loaded and
 * all exceptions masked, and the host status flags are merged into the
 * guest status word, so results and masked responses are the hardware's.
 * Unmasked exceptions set ES and are reported as #MF on the next waiting
 * instruction when CR0.NE is set (FERR#/IRQ13 is not wired).
 */
#include <math.h>

#include "target-i386/tcg.h"

/* status word (SDM vol. 1, 8.1.3) */
#define FSW_IE  0x0001
#define FSW_DE  0x0002
#define FSW_ZE  0x0004
#define FSW_OE  0x0008
#define FSW_UE  0x0010
#define FSW_PE  0x0020
#define FSW_SF  0x0040
#define FSW_ES  0x0080
#define FSW_C0  0x0100
#define FSW_C1  0x0200
#define FSW_C2  0x0400
#define FSW_TOP 0x3800
#define FSW_C3  0x4000
#define FSW_B   0x8000
#define FSW_CC  (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_EXC 0x003f

#define FPU_ST(env, i) ((env)->fpregs[((env)->fpstt + (i)) & 7].d)
#define FPU_TAG(env, i) ((env)->fptags[((env)->fpstt + (i)) & 7])

typedef struct FpuHostState {
    uint16_t saved_cw;
} FpuHostState;

/* Load the guest's PC/RC into the host FPU with every exception masked. */
static inline void fpu_host_enter(CPUX86State *env, FpuHostState *h)
{
    uint16_t cw = (env->fpuc & 0x0f00) | 0x3f;
    asm volatile("fnstcw %0" : "=m"(h->saved_cw));
    asm volatile("fnclex\n\tfldcw %0" :: "m"(cw));
}

/* Merge the host's sticky exception flags into the guest status word. */
static inline void fpu_host_leave(CPUX86State *env, FpuHostState *h)
{
    uint16_t sw;
    asm volatile("fnstsw %0" : "=m"(sw));
    asm volatile("fnclex\n\tfldcw %0" :: "m"(h->saved_cw));
    env->fpus |= sw & FSW_EXC;
    if (env->fpus & ~env->fpuc & FSW_EXC)
        env->fpus |= FSW_ES | FSW_B;
}

/* Put the guest's C0-C3 in the host status word (there is no direct load:
 * go through the environment image). */
static void fpu_host_set_cc(uint16_t cc)
{
    uint32_t envbuf[7];
    asm volatile("fnstenv %0" : "=m"(envbuf));
    envbuf[1] = (envbuf[1] & ~(uint32_t)FSW_CC) | cc;
    asm volatile("fldenv %0" :: "m"(envbuf));
}

static const long double fpu_indefinite = -__builtin_nanl("");

static void fpu_stack_fault(CPUX86State *env, bool overflow)
{
    env->fpus |= FSW_IE | FSW_SF;
    env->fpus = (env->fpus & ~FSW_C1) | (overflow ? FSW_C1 : 0);
    if (!(env->fpuc & FSW_IE))
        env->fpus |= FSW_ES | FSW_B;
}

static void fpu_push(CPUX86State *env, long double v)
{
    env->fpstt = (env->fpstt - 1) & 7;
    if (!env->fptags[env->fpstt]) {
        fpu_stack_fault(env, true);
        v = fpu_indefinite;
    }
    env->fpregs[env->fpstt].d = v;
    env->fptags[env->fpstt] = 0;
}

static void fpu_pop(CPUX86State *env)
{
    env->fptags[env->fpstt] = 1;
    env->fpstt = (env->fpstt + 1) & 7;
}

/* Read ST(i), with the stack-underflow response for an empty register. */
static long double fpu_get(CPUX86State *env, int i)
{
    if (FPU_TAG(env, i)) {
        fpu_stack_fault(env, false);
        return fpu_indefinite;
    }
    return FPU_ST(env, i);
}

static void fpu_set(CPUX86State *env, int i, long double v)
{
    FPU_ST(env, i) = v;
    FPU_TAG(env, i) = 0;
}

/* ---- arithmetic on the host x87 ---- */

static long double fpu_arith(CPUX86State *env, int op, long double a, long double b)
{
    FpuHostState h;
    long double r;
    fpu_host_enter(env, &h);
    /* the barriers keep the arithmetic between the control word loads */
    asm volatile("" : "+t"(a));
    asm volatile("" : "+t"(b));
    switch (op) {
    case 0: r = a + b; break;
    case 1: r = a * b; break;
    case 4: r = a - b; break;
    case 5: r = b - a; break;
    case 6: r = a / b; break;
    default: r = b / a; break;
    }
    asm volatile("" : "+t"(r));
    fpu_host_leave(env, &h);
    return r;
}

/* FCOM/FUCOM: condition codes C3 C2 C0 (SDM vol. 1, table 8-6) */
static void fpu_compare(CPUX86State *env, long double a, long double b, bool unordered_ok,
                        bool eflags, X86CPU *cpu)
{
    FpuHostState h;
    uint16_t sw;
    fpu_host_enter(env, &h);
    if (unordered_ok)
        asm volatile("fucomp %%st(1)\n\tfnstsw %0\n\tfstp %%st(0)" : "=a"(sw) : "t"(a), "u"(b) : "st", "st(1)");
    else
        asm volatile("fcomp %%st(1)\n\tfnstsw %0\n\tfstp %%st(0)" : "=a"(sw) : "t"(a), "u"(b) : "st", "st(1)");
    fpu_host_leave(env, &h);
    if (eflags) {
        uint32_t f = ((sw & FSW_C0) ? CC_C : 0) | ((sw & FSW_C2) ? CC_P : 0) |
                     ((sw & FSW_C3) ? CC_Z : 0);
        cpu->env.eflags = (cpu->env.eflags & ~(uint64_t)CC_MASK) | f;
        env->fpus &= ~FSW_C1;
    } else {
        env->fpus = (env->fpus & ~FSW_CC) | (sw & (FSW_C0 | FSW_C2 | FSW_C3));
    }
}

/* One-operand ST(0) functions, D9 E0-FF */
static void fpu_d9_reg(X86CPU *cpu, int modrm_low)
{
    CPUX86State *env = &cpu->env;
    FpuHostState h;
    long double a, b, r, r2;
    uint16_t sw;

    switch (modrm_low) {
    case 0x20: fpu_set(env, 0, -fpu_get(env, 0)); return;            /* FCHS */
    case 0x21: fpu_set(env, 0, __builtin_fabsl(fpu_get(env, 0))); return;  /* FABS */
    case 0x24:                                                        /* FTST */
        fpu_compare(env, fpu_get(env, 0), 0.0L, false, false, cpu);
        return;
    case 0x25: {                                                      /* FXAM */
        uint16_t c;
        a = FPU_ST(env, 0);
        if (FPU_TAG(env, 0)) {
            c = FSW_C3 | FSW_C0;
        } else {
            switch (__builtin_fpclassify(FP_NAN, FP_INFINITE, FP_NORMAL, FP_SUBNORMAL,
                                         FP_ZERO, a)) {
            case FP_NAN: c = FSW_C0; break;
            case FP_INFINITE: c = FSW_C2 | FSW_C0; break;
            case FP_ZERO: c = FSW_C3; break;
            case FP_SUBNORMAL: c = FSW_C3 | FSW_C2; break;
            default: c = FSW_C2; break;
            }
        }
        if (__builtin_signbit(a))
            c |= FSW_C1;
        env->fpus = (env->fpus & ~FSW_CC) | c;
        return;
    }
    case 0x28: fpu_push(env, 1.0L); return;
    case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
        /* the constants are rounded per the control word's RC */
        fpu_host_enter(env, &h);
        switch (modrm_low) {
        case 0x29: asm volatile("fldl2t" : "=t"(r)); break;
        case 0x2a: asm volatile("fldl2e" : "=t"(r)); break;
        case 0x2b: asm volatile("fldpi" : "=t"(r)); break;
        case 0x2c: asm volatile("fldlg2" : "=t"(r)); break;
        default: asm volatile("fldln2" : "=t"(r)); break;
        }
        fpu_host_leave(env, &h);
        fpu_push(env, r);
        return;
    case 0x2e: fpu_push(env, 0.0L); return;
    case 0x36: env->fpstt = (env->fpstt - 1) & 7; env->fpus &= ~FSW_C1; return;  /* FDECSTP */
    case 0x37: env->fpstt = (env->fpstt + 1) & 7; env->fpus &= ~FSW_C1; return;  /* FINCSTP */
    default:
        break;
    }
    a = fpu_get(env, 0);
    fpu_host_enter(env, &h);
    switch (modrm_low) {
    case 0x30: asm volatile("f2xm1" : "=t"(r) : "0"(a)); fpu_host_leave(env, &h); fpu_set(env, 0, r); return;
    case 0x3a: asm volatile("fsqrt" : "=t"(r) : "0"(a)); fpu_host_leave(env, &h); fpu_set(env, 0, r); return;
    case 0x3c: asm volatile("frndint" : "=t"(r) : "0"(a)); fpu_host_leave(env, &h); fpu_set(env, 0, r); return;
    case 0x3e: case 0x3f:
        if (modrm_low == 0x3e)
            asm volatile("fsin\n\tfnstsw %1" : "=t"(r), "=a"(sw) : "0"(a));
        else
            asm volatile("fcos\n\tfnstsw %1" : "=t"(r), "=a"(sw) : "0"(a));
        fpu_host_leave(env, &h);
        env->fpus = (env->fpus & ~FSW_C2) | (sw & FSW_C2);
        if (!(sw & FSW_C2))
            fpu_set(env, 0, r);
        return;
    case 0x32:      /* FPTAN */
        asm volatile("fptan\n\tfnstsw %2" : "=t"(r2), "=u"(r), "=a"(sw) : "0"(a));
        fpu_host_leave(env, &h);
        env->fpus = (env->fpus & ~FSW_C2) | (sw & FSW_C2);
        if (!(sw & FSW_C2)) {
            fpu_set(env, 0, r);
            fpu_push(env, r2);
        }
        return;
    case 0x3b:      /* FSINCOS */
        asm volatile("fsincos\n\tfnstsw %2" : "=t"(r2), "=u"(r), "=a"(sw) : "0"(a));
        fpu_host_leave(env, &h);
        env->fpus = (env->fpus & ~FSW_C2) | (sw & FSW_C2);
        if (!(sw & FSW_C2)) {
            fpu_set(env, 0, r);         /* sin */
            fpu_push(env, r2);          /* cos */
        }
        return;
    case 0x34:      /* FXTRACT */
        asm volatile("fxtract" : "=t"(r2), "=u"(r) : "0"(a));
        fpu_host_leave(env, &h);
        fpu_set(env, 0, r);             /* exponent */
        fpu_push(env, r2);              /* significand */
        return;
    default:
        break;
    }
    /* two-operand: ST(0) op ST(1) */
    b = fpu_get(env, 1);
    switch (modrm_low) {
    case 0x31:      /* FYL2X: ST1 = ST1 * log2(ST0), pop */
        asm volatile("fyl2x" : "=t"(r) : "0"(a), "u"(b) : "st(1)");
        fpu_host_leave(env, &h);
        fpu_set(env, 1, r);
        fpu_pop(env);
        return;
    case 0x39:      /* FYL2XP1 */
        asm volatile("fyl2xp1" : "=t"(r) : "0"(a), "u"(b) : "st(1)");
        fpu_host_leave(env, &h);
        fpu_set(env, 1, r);
        fpu_pop(env);
        return;
    case 0x33:      /* FPATAN: ST1 = atan(ST1/ST0), pop */
        asm volatile("fpatan" : "=t"(r) : "0"(a), "u"(b) : "st(1)");
        fpu_host_leave(env, &h);
        fpu_set(env, 1, r);
        fpu_pop(env);
        return;
    case 0x35: case 0x38:   /* FPREM1 / FPREM */
        /* NaN and invalid operands leave C0-C3 as they were: start the host
         * from the guest's condition codes */
        fpu_host_set_cc(env->fpus & FSW_CC);
        if (modrm_low == 0x35)
            asm volatile("fprem1\n\tfnstsw %1" : "=t"(r), "=a"(sw) : "0"(a), "u"(b));
        else
            asm volatile("fprem\n\tfnstsw %1" : "=t"(r), "=a"(sw) : "0"(a), "u"(b));
        fpu_host_leave(env, &h);
        env->fpus = (env->fpus & ~FSW_CC) | (sw & FSW_CC);
        fpu_set(env, 0, r);
        return;
    case 0x3d:      /* FSCALE */
        asm volatile("fscale" : "=t"(r) : "0"(a), "u"(b));
        fpu_host_leave(env, &h);
        fpu_set(env, 0, r);
        return;
    default:
        fpu_host_leave(env, &h);
        raise_exception(cpu, EXCP06_ILLOP);
    }
}

/* ---- memory operands ---- */

static long double fpu_ld_mem(X86CPU *cpu, int seg, uint64_t ea, int kind)
{
    CPUX86State *env = &cpu->env;
    FpuHostState h;
    long double r;
    union { uint32_t u; float f; } f32;
    union { uint64_t u; double d; } f64;

    switch (kind) {
    case 0:     /* m32fp */
        f32.u = cpu_ld(cpu, seg, ea, 4);
        fpu_host_enter(env, &h);
        r = f32.f;
        fpu_host_leave(env, &h);
        return r;
    case 1:     /* m32int */
        return (int32_t)cpu_ld(cpu, seg, ea, 4);
    case 2:     /* m64fp */
        f64.u = cpu_ld(cpu, seg, ea, 4) | ((uint64_t)cpu_ld(cpu, seg, ea + 4, 4) << 32);
        fpu_host_enter(env, &h);
        r = f64.d;
        fpu_host_leave(env, &h);
        return r;
    case 3:     /* m16int */
        return (int16_t)cpu_ld(cpu, seg, ea, 2);
    case 4: {   /* m64int */
        uint64_t v = cpu_ld(cpu, seg, ea, 4) | ((uint64_t)cpu_ld(cpu, seg, ea + 4, 4) << 32);
        return (long double)(int64_t)v;
    }
    default: {  /* m80fp */
        uint8_t b[16] = { 0 };
        uint32_t lo = cpu_ld(cpu, seg, ea, 4), hi = cpu_ld(cpu, seg, ea + 4, 4);
        uint16_t ex = cpu_ld(cpu, seg, ea + 8, 2);
        memcpy(b, &lo, 4);
        memcpy(b + 4, &hi, 4);
        memcpy(b + 8, &ex, 2);
        memcpy(&r, b, sizeof(r));
        return r;
    }
    }
}

static void fpu_st80(X86CPU *cpu, int seg, uint64_t ea, long double v)
{
    uint8_t b[16] = { 0 };
    uint32_t lo, hi;
    uint16_t ex;
    memcpy(b, &v, 10);
    memcpy(&lo, b, 4);
    memcpy(&hi, b + 4, 4);
    memcpy(&ex, b + 8, 2);
    cpu_probe_write(cpu, seg, ea, 10);
    cpu_st(cpu, seg, ea, lo, 4);
    cpu_st(cpu, seg, ea + 4, hi, 4);
    cpu_st(cpu, seg, ea + 8, ex, 2);
}

/* Store ST(0) in memory format kind (see fpu_ld_mem); conversion and integer
 * rounding follow the guest control word on the host FPU. */
static void fpu_st_mem(X86CPU *cpu, int seg, uint64_t ea, int kind, long double v)
{
    CPUX86State *env = &cpu->env;
    FpuHostState h;

    switch (kind) {
    case 0: {
        union { uint32_t u; float f; } f32;
        seg_addr(cpu, seg, ea, 4, 1);
        fpu_host_enter(env, &h);
        asm volatile("fsts %0" : "=m"(f32.f) : "t"(v));
        fpu_host_leave(env, &h);
        cpu_st(cpu, seg, ea, f32.u, 4);
        break;
    }
    case 1: {
        int32_t i;
        seg_addr(cpu, seg, ea, 4, 1);
        fpu_host_enter(env, &h);
        asm volatile("fistl %0" : "=m"(i) : "t"(v));
        fpu_host_leave(env, &h);
        cpu_st(cpu, seg, ea, i, 4);
        break;
    }
    case 2: {
        union { uint64_t u; double d; } f64;
        cpu_probe_write(cpu, seg, ea, 8);
        fpu_host_enter(env, &h);
        asm volatile("fstl %0" : "=m"(f64.d) : "t"(v));
        fpu_host_leave(env, &h);
        cpu_st(cpu, seg, ea, (uint32_t)f64.u, 4);
        cpu_st(cpu, seg, ea + 4, (uint32_t)(f64.u >> 32), 4);
        break;
    }
    case 3: {
        int16_t i;
        seg_addr(cpu, seg, ea, 2, 1);
        fpu_host_enter(env, &h);
        asm volatile("fists %0" : "=m"(i) : "t"(v));
        fpu_host_leave(env, &h);
        cpu_st(cpu, seg, ea, (uint16_t)i, 2);
        break;
    }
    case 4: {
        int64_t i;
        cpu_probe_write(cpu, seg, ea, 8);
        fpu_host_enter(env, &h);
        asm volatile("fistpll %0" : "=m"(i) : "t"(v) : "st");
        fpu_host_leave(env, &h);
        cpu_st(cpu, seg, ea, (uint32_t)i, 4);
        cpu_st(cpu, seg, ea + 4, (uint32_t)((uint64_t)i >> 32), 4);
        break;
    }
    default:
        fpu_st80(cpu, seg, ea, v);
        break;
    }
}

/* ---- environment (FSTENV/FLDENV/FSAVE/FRSTOR), SDM vol. 1, 8.1.10 ---- */

static uint16_t fpu_full_tags(CPUX86State *env)
{
    uint16_t t = 0;
    for (int i = 0; i < 8; i++) {
        int tag;
        if (env->fptags[i]) {
            tag = 3;
        } else {
            long double v = env->fpregs[i].d;
            int c = __builtin_fpclassify(FP_NAN, FP_INFINITE, FP_NORMAL, FP_SUBNORMAL,
                                         FP_ZERO, v);
            tag = c == FP_ZERO ? 1 : c == FP_NORMAL ? 0 : 2;
        }
        t |= tag << (2 * i);
    }
    return t;
}

static uint16_t fpu_status(CPUX86State *env)
{
    return (env->fpus & ~FSW_TOP) | ((env->fpstt & 7) << 11);
}

static void fpu_stenv(X86CPU *cpu, int seg, uint64_t ea, int op32)
{
    CPUX86State *env = &cpu->env;
    if (op32) {
        cpu_probe_write(cpu, seg, ea, 28);
        cpu_st(cpu, seg, ea, env->fpuc | 0xffff0000u, 4);
        cpu_st(cpu, seg, ea + 4, fpu_status(env) | 0xffff0000u, 4);
        cpu_st(cpu, seg, ea + 8, fpu_full_tags(env) | 0xffff0000u, 4);
        cpu_st(cpu, seg, ea + 12, env->fpip, 4);
        cpu_st(cpu, seg, ea + 16, env->fpcs | ((uint32_t)(env->fpop & 0x7ff) << 16), 4);
        cpu_st(cpu, seg, ea + 20, env->fpdp, 4);
        cpu_st(cpu, seg, ea + 24, env->fpds | 0xffff0000u, 4);
    } else {
        cpu_probe_write(cpu, seg, ea, 14);
        cpu_st(cpu, seg, ea, env->fpuc, 2);
        cpu_st(cpu, seg, ea + 2, fpu_status(env), 2);
        cpu_st(cpu, seg, ea + 4, fpu_full_tags(env), 2);
        cpu_st(cpu, seg, ea + 6, env->fpip, 2);
        cpu_st(cpu, seg, ea + 8, env->fpcs, 2);
        cpu_st(cpu, seg, ea + 10, env->fpdp, 2);
        cpu_st(cpu, seg, ea + 12, env->fpds, 2);
    }
}

static void fpu_ldenv(X86CPU *cpu, int seg, uint64_t ea, int op32)
{
    CPUX86State *env = &cpu->env;
    uint16_t cw, sw, tw;
    if (op32) {
        cw = cpu_ld(cpu, seg, ea, 2);
        sw = cpu_ld(cpu, seg, ea + 4, 2);
        tw = cpu_ld(cpu, seg, ea + 8, 2);
        env->fpip = cpu_ld(cpu, seg, ea + 12, 4);
        env->fpcs = cpu_ld(cpu, seg, ea + 16, 2);
        env->fpdp = cpu_ld(cpu, seg, ea + 20, 4);
        env->fpds = cpu_ld(cpu, seg, ea + 24, 2);
    } else {
        cw = cpu_ld(cpu, seg, ea, 2);
        sw = cpu_ld(cpu, seg, ea + 2, 2);
        tw = cpu_ld(cpu, seg, ea + 4, 2);
        env->fpip = cpu_ld(cpu, seg, ea + 6, 2);
        env->fpcs = cpu_ld(cpu, seg, ea + 8, 2);
        env->fpdp = cpu_ld(cpu, seg, ea + 10, 2);
        env->fpds = cpu_ld(cpu, seg, ea + 12, 2);
    }
    env->fpuc = cw;
    env->fpstt = (sw >> 11) & 7;
    env->fpus = sw & ~FSW_TOP;
    if (env->fpus & ~env->fpuc & FSW_EXC)
        env->fpus |= FSW_ES | FSW_B;
    else
        env->fpus &= ~(FSW_ES | FSW_B);
    for (int i = 0; i < 8; i++)
        env->fptags[i] = ((tw >> (2 * i)) & 3) == 3;
}

static void fpu_init(CPUX86State *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fpstt = 0;
    for (int i = 0; i < 8; i++)
        env->fptags[i] = 1;
    env->fpip = env->fpdp = 0;
    env->fpcs = env->fpds = env->fpop = 0;
}

/* ---- dispatch ---- */

/* FWAIT and waiting x87 instructions: report a pending unmasked exception. */
void fpu_check_pending(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    if ((env->fpus & FSW_ES) && (env->cr[0] & CR0_NE_MASK))
        raise_exception(cpu, EXCP10_COPR);
}

/* The arithmetic op index (0 add, 1 mul, 2 com, 3 comp, 4 sub, 5 subr, 6 div, 7 divr) */
static void fpu_arith_st0(X86CPU *cpu, int op, long double src)
{
    CPUX86State *env = &cpu->env;
    long double a = fpu_get(env, 0);
    if (op == 2 || op == 3) {
        fpu_compare(env, a, src, false, false, cpu);
        if (op == 3)
            fpu_pop(env);
        return;
    }
    fpu_set(env, 0, fpu_arith(env, op, a, src));
}

void fpu_exec(X86CPU *cpu, const DInsn *d, uint64_t ea)
{
    CPUX86State *env = &cpu->env;
    int esc = d->op & 7, reg = d->reg, rm = d->rm & 7;   /* REX.B does not apply to ST(i) */
    int modrm_low = 0xc0 | (reg << 3) | rm;   /* the ModRM byte for reg forms */
    bool control;
    long double v;

    /* control instructions do not wait for pending exceptions */
    control = (esc == 1 && d->mod != 3 && reg >= 4) ||
              (esc == 3 && d->mod == 3 && (modrm_low == 0xe2 || modrm_low == 0xe3)) ||
              (esc == 5 && d->mod != 3 && reg >= 6) || (esc == 5 && d->mod != 3 && reg == 4) ||
              (esc == 7 && d->mod == 3 && modrm_low == 0xe0);
    if (!control)
        fpu_check_pending(cpu);
    if (!control) {
        env->fpip = cpu->cur_eip;
        env->fpcs = env->segs[R_CS].selector;
        env->fpop = ((d->op & 7) << 8) | (d->mod << 6) | (reg << 3) | rm;
        if (d->mod != 3) {
            env->fpdp = ea;
            env->fpds = env->segs[d->seg].selector;
        }
    }

    if (d->mod != 3) {
        int seg = d->seg;
        switch (esc) {
        case 0: fpu_arith_st0(cpu, reg, fpu_ld_mem(cpu, seg, ea, 0)); return;
        case 2: fpu_arith_st0(cpu, reg, fpu_ld_mem(cpu, seg, ea, 1)); return;
        case 4: fpu_arith_st0(cpu, reg, fpu_ld_mem(cpu, seg, ea, 2)); return;
        case 6: fpu_arith_st0(cpu, reg, fpu_ld_mem(cpu, seg, ea, 3)); return;
        case 1:
            switch (reg) {
            case 0: fpu_push(env, fpu_ld_mem(cpu, seg, ea, 0)); return;
            case 2: fpu_st_mem(cpu, seg, ea, 0, fpu_get(env, 0)); return;
            case 3: fpu_st_mem(cpu, seg, ea, 0, fpu_get(env, 0)); fpu_pop(env); return;
            case 4: fpu_ldenv(cpu, seg, ea, d->pfx & PFX_OP32); return;
            case 5: env->fpuc = cpu_ld(cpu, seg, ea, 2);
                if (env->fpus & ~env->fpuc & FSW_EXC)
                    env->fpus |= FSW_ES | FSW_B;
                else
                    env->fpus &= ~(FSW_ES | FSW_B);
                return;
            case 6: fpu_stenv(cpu, seg, ea, d->pfx & PFX_OP32); env->fpuc |= 0x3f; return;
            case 7: cpu_st(cpu, seg, ea, env->fpuc, 2); return;
            }
            break;
        case 3:
            switch (reg) {
            case 0: fpu_push(env, fpu_ld_mem(cpu, seg, ea, 1)); return;
            case 2: fpu_st_mem(cpu, seg, ea, 1, fpu_get(env, 0)); return;
            case 3: fpu_st_mem(cpu, seg, ea, 1, fpu_get(env, 0)); fpu_pop(env); return;
            case 5: fpu_push(env, fpu_ld_mem(cpu, seg, ea, 5)); return;
            case 7: fpu_st_mem(cpu, seg, ea, 5, fpu_get(env, 0)); fpu_pop(env); return;
            }
            break;
        case 5:
            switch (reg) {
            case 0: fpu_push(env, fpu_ld_mem(cpu, seg, ea, 2)); return;
            case 2: fpu_st_mem(cpu, seg, ea, 2, fpu_get(env, 0)); return;
            case 3: fpu_st_mem(cpu, seg, ea, 2, fpu_get(env, 0)); fpu_pop(env); return;
            case 4: {   /* FRSTOR */
                int esz = (d->pfx & PFX_OP32) ? 28 : 14;
                long double regs[8];
                for (int i = 0; i < 8; i++)
                    regs[i] = fpu_ld_mem(cpu, seg, ea + esz + i * 10, 5);
                fpu_ldenv(cpu, seg, ea, d->pfx & PFX_OP32);
                for (int i = 0; i < 8; i++)
                    FPU_ST(env, i) = regs[i];
                return;
            }
            case 6: {   /* FNSAVE */
                int esz = (d->pfx & PFX_OP32) ? 28 : 14;
                cpu_probe_write(cpu, seg, ea, esz + 80);
                fpu_stenv(cpu, seg, ea, d->pfx & PFX_OP32);
                for (int i = 0; i < 8; i++)
                    fpu_st80(cpu, seg, ea + esz + i * 10, FPU_ST(env, i));
                fpu_init(env);
                return;
            }
            case 7: cpu_st(cpu, seg, ea, fpu_status(env), 2); return;
            }
            break;
        case 7:
            switch (reg) {
            case 0: fpu_push(env, fpu_ld_mem(cpu, seg, ea, 3)); return;
            case 2: fpu_st_mem(cpu, seg, ea, 3, fpu_get(env, 0)); return;
            case 3: fpu_st_mem(cpu, seg, ea, 3, fpu_get(env, 0)); fpu_pop(env); return;
            case 4: {   /* FBLD: 18 BCD digits + sign */
                long double r = 0;
                uint8_t b[10];
                for (int i = 0; i < 10; i++)
                    b[i] = cpu_ld(cpu, seg, ea + i, 1);
                for (int i = 8; i >= 0; i--)
                    r = r * 100 + (b[i] >> 4) * 10 + (b[i] & 0xf);
                fpu_push(env, (b[9] & 0x80) ? -r : r);
                return;
            }
            case 5: fpu_push(env, fpu_ld_mem(cpu, seg, ea, 4)); return;
            case 6: {   /* FBSTP */
                FpuHostState h;
                long double r = fpu_get(env, 0);
                int64_t iv;
                uint64_t u;
                cpu_probe_write(cpu, seg, ea, 10);
                fpu_host_enter(env, &h);
                asm volatile("fistpll %0" : "=m"(iv) : "t"(r) : "st");
                fpu_host_leave(env, &h);
                u = iv < 0 ? -(uint64_t)iv : (uint64_t)iv;
                for (int i = 0; i < 9; i++) {
                    uint8_t lo = u % 10, hi = (u / 10) % 10;
                    u /= 100;
                    cpu_st(cpu, seg, ea + i, (hi << 4) | lo, 1);
                }
                cpu_st(cpu, seg, ea + 9, iv < 0 ? 0x80 : 0, 1);
                fpu_pop(env);
                return;
            }
            case 7: fpu_st_mem(cpu, seg, ea, 4, fpu_get(env, 0)); fpu_pop(env); return;
            }
            break;
        }
        raise_exception(cpu, EXCP06_ILLOP);
    }

    /* register forms */
    switch (esc) {
    case 0:
        fpu_arith_st0(cpu, reg, fpu_get(env, rm));
        return;
    case 1:
        switch (reg) {
        case 0: v = fpu_get(env, rm); fpu_push(env, v); return;     /* FLD ST(i) */
        case 1: {                                                   /* FXCH */
            long double a = fpu_get(env, 0), b = fpu_get(env, rm);
            fpu_set(env, 0, b);
            fpu_set(env, rm, a);
            env->fpus &= ~FSW_C1;
            return;
        }
        case 2:
            if (rm == 0)
                return;                                             /* FNOP */
            break;
        case 3:                                                     /* FSTP1 alias */
            fpu_set(env, rm, fpu_get(env, 0));
            fpu_pop(env);
            return;
        default:
            fpu_d9_reg(cpu, modrm_low & 0x3f);
            return;
        }
        break;
    case 2:
        if (reg < 4) {                                              /* FCMOVcc */
            static const uint32_t m[4] = { CC_C, CC_Z, CC_C | CC_Z, CC_P };
            if (env->eflags & m[reg])
                fpu_set(env, 0, fpu_get(env, rm));
            return;
        }
        if (modrm_low == 0xe9) {                                    /* FUCOMPP */
            fpu_compare(env, fpu_get(env, 0), fpu_get(env, 1), true, false, cpu);
            fpu_pop(env);
            fpu_pop(env);
            return;
        }
        break;
    case 3:
        if (reg < 4) {                                              /* FCMOVNcc */
            static const uint32_t m[4] = { CC_C, CC_Z, CC_C | CC_Z, CC_P };
            if (!(env->eflags & m[reg]))
                fpu_set(env, 0, fpu_get(env, rm));
            return;
        }
        switch (modrm_low) {
        case 0xe0: case 0xe1: case 0xe4: return;                    /* FENI/FDISI/FSETPM */
        case 0xe2: env->fpus &= ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B); return;  /* FNCLEX */
        case 0xe3: fpu_init(env); return;                          /* FNINIT */
        }
        if (reg == 5 || reg == 6) {                                 /* FUCOMI / FCOMI */
            fpu_compare(env, fpu_get(env, 0), fpu_get(env, rm), reg == 5, true, cpu);
            return;
        }
        break;
    case 4: case 6: {
        /* ST(i) = ST(i) op ST(0); sub/div forms are reversed (SDM vol. 2, FSUB) */
        static const int swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };
        if (esc == 6 && reg == 3) {
            if (rm != 1)
                break;
            fpu_compare(env, fpu_get(env, 0), fpu_get(env, 1), false, false, cpu);  /* FCOMPP */
            fpu_pop(env);
            fpu_pop(env);
            return;
        }
        if (reg == 2 || reg == 3) {                                 /* FCOM/FCOMP aliases */
            fpu_compare(env, fpu_get(env, 0), fpu_get(env, rm), false, false, cpu);
            if (reg == 3 || esc == 6)
                fpu_pop(env);
            return;
        }
        {
            long double a = fpu_get(env, rm), b = fpu_get(env, 0);
            fpu_set(env, rm, fpu_arith(env, swap[reg], a, b));
        }
        if (esc == 6)
            fpu_pop(env);
        return;
    }
    case 5:
        switch (reg) {
        case 0: env->fptags[(env->fpstt + rm) & 7] = 1; return;      /* FFREE */
        case 1: {                                                   /* FXCH alias */
            long double a = fpu_get(env, 0), b = fpu_get(env, rm);
            fpu_set(env, 0, b);
            fpu_set(env, rm, a);
            return;
        }
        case 2: fpu_set(env, rm, fpu_get(env, 0)); return;          /* FST ST(i) */
        case 3: fpu_set(env, rm, fpu_get(env, 0)); fpu_pop(env); return;  /* FSTP ST(i) */
        case 4: case 5:                                             /* FUCOM / FUCOMP */
            fpu_compare(env, fpu_get(env, 0), fpu_get(env, rm), true, false, cpu);
            if (reg == 5)
                fpu_pop(env);
            return;
        }
        break;
    case 7:
        if (modrm_low == 0xe0) {                                    /* FNSTSW AX */
            env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | fpu_status(env);
            return;
        }
        if (reg == 0) {                                             /* FFREEP */
            env->fptags[(env->fpstt + rm) & 7] = 1;
            fpu_pop(env);
            return;
        }
        if (reg == 5 || reg == 6) {                                 /* FUCOMIP / FCOMIP */
            fpu_compare(env, fpu_get(env, 0), fpu_get(env, rm), reg == 5, true, cpu);
            fpu_pop(env);
            return;
        }
        if (reg == 1) {                                             /* FXCH alias */
            long double a = fpu_get(env, 0), b = fpu_get(env, rm);
            fpu_set(env, 0, b);
            fpu_set(env, rm, a);
            return;
        }
        if (reg == 2 || reg == 3) {                                 /* FSTP aliases */
            fpu_set(env, rm, fpu_get(env, 0));
            fpu_pop(env);
            return;
        }
        break;
    }
    raise_exception(cpu, EXCP06_ILLOP);
}
