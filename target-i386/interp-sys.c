/*
 * The interpreter's system instructions: port I/O with the IOPL / TSS bitmap
 * checks (SDM vol. 1, 18.5), CPUID, RDTSC, RDMSR/WRMSR, EFLAGS writes,
 * control registers, SYSENTER/SYSEXIT (SDM vol. 2 and vol. 3).
 */
#include "core/clock.h"
#include "core/cpus.h"
#include "core/ioport.h"
#include "core/mainloop.h"
#include "target-i386/interp.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0

/* CPUID (SDM vol. 2, CPUID): what this CPU implements, nothing more */
#define CPUID_FPU   (1u << 0)
#define CPUID_PSE   (1u << 3)
#define CPUID_TSC   (1u << 4)
#define CPUID_MSR   (1u << 5)
#define CPUID_PAE   (1u << 6)
#define CPUID_CX8   (1u << 8)
#define CPUID_APIC  (1u << 9)
#define CPUID_SEP   (1u << 11)
#define CPUID_MTRR  (1u << 12)
#define CPUID_PGE   (1u << 13)
#define CPUID_CMOV  (1u << 15)
#define CPUID_PAT   (1u << 16)
#define CPUID_CLFSH (1u << 19)   /* CLFLUSH; line size in CPUID.1:EBX[15:8] */
#define CPUID_MMX   (1u << 23)   /* interp-mmx.c */
#define CPUID_FXSR  (1u << 24)   /* FXSAVE/FXRSTOR, CR4.OSFXSR: interp-sse.c */
#define CPUID_SSE   (1u << 25)
#define CPUID_SSE2  (1u << 26)
#define CPUID_EXT_SSE3  (1u << 0)   /* CPUID.1:ECX */
#define CPUID_EXT_SSSE3 (1u << 9)
#define CPUID_CLFLUSH_LINE (8u << 8)    /* CPUID.1:EBX[15:8]: 64-byte lines, in qwords */
#define CPUID_EXT_SYSCALL (1u << 11)  /* CPUID.80000001h:EDX */
#define CPUID_EXT_NX (1u << 20)
#define CPUID_EXT_LM (1u << 29)
#define CPUID_EXT_LAHF_LM (1u << 0)     /* CPUID.80000001h:ECX */
#define CPUID_EXT_PREFETCHW (1u << 8)   /* 0F 0D (runs as a hint NOP) */
#define CPUID_EXT_CX16 (1u << 13)       /* CPUID.1:ECX: CMPXCHG16B */
#define CPUID_PHYS_BITS CPU_PHYS_BITS
#define CPUID_EXT_TSC_DEADLINE (1u << 24)   /* CPUID.1:ECX */

#define CPUID_FEATURES (CPUID_FPU | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_PAE | CPUID_CX8 | \
                        CPUID_SEP | CPUID_MTRR | CPUID_PGE | CPUID_CMOV | CPUID_PAT | \
                        CPUID_FXSR | CPUID_CLFSH | CPUID_MMX | CPUID_SSE | CPUID_SSE2)
#define CPUID_SIGNATURE 0x0663     /* family 6, model 6, stepping 3: as EDX after RESET */

#define MSR_MTRRfix64K_00000 0x250
#define MSR_MTRRfix16K_80000 0x258
#define MSR_MTRRfix16K_A0000 0x259
#define MSR_MTRRfix4K_C0000  0x268
#define MSR_MTRRphysBase0    0x200
/* model-specific MSRs that P6-family code reads without a #GP guard (Linux's
 * microcode and errata code): read as 0, writes ignored */
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_EBL_CR_POWERON   0x2a
#define MSR_IA32_UCODE_WRITE 0x79
#define MSR_IA32_UCODE_REV   0x8b
#define MSR_IA32_MCG_CAP     0x179
#define MSR_IA32_MCG_STATUS  0x17a

/* ---- I/O ---- */

/* I/O permission: IOPL, then the TSS bitmap (SDM vol. 1, 18.5) */
static void interp_check_io(X86CPU *cpu, uint16_t port, int size)
{
    CPUX86State *env = &cpu->env;
    uint32_t iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
    uint32_t base, off;

    if (!(env->cr[0] & CR0_PE_MASK))
        return;
    if (!(env->eflags & VM_MASK) && cpu_cpl(cpu) <= (int)iopl)
        return;
    if (!(env->tr.flags & DESC_P_MASK) || ((env->tr.flags >> DESC_TYPE_SHIFT) & 9) != 9 ||
        env->tr.limit < 103)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    base = cpu_ld_kernel(cpu, env->tr.base + 0x66, 2);
    off = base + (port >> 3);
    if (off + 1 > env->tr.limit)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if ((cpu_ld_kernel(cpu, env->tr.base + off, 2) >> (port & 7)) & ((1u << size) - 1))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
}

uint32_t interp_in(X86CPU *cpu, uint16_t port, int size)
{
    uint32_t v;
    interp_check_io(cpu, port, size);
    bql_lock();
    v = ioport_read(port, size);
    bql_unlock();
    cpu->stop = 1;
    return v;
}

void interp_out(X86CPU *cpu, uint16_t port, uint32_t v, int size)
{
    interp_check_io(cpu, port, size);
    bql_lock();
    ioport_write(port, v, size);
    bql_unlock();
    cpu->stop = 1;
}

/* ---- system helpers ---- */

void interp_cpuid(CPUX86State *env)
{
    uint32_t leaf = env->regs[R_EAX], a = 0, b = 0, c = 0, d = 0;
    switch (leaf) {
    case 0:
        a = 1;
        b = 0x756e6547; d = 0x49656e69; c = 0x6c65746e;   /* GenuineIntel */
        break;
    case 1:
        a = CPUID_SIGNATURE;
        b = (uint32_t)env->cpu_index << 24 | CPUID_CLFLUSH_LINE;
        d = CPUID_FEATURES;
        c = CPUID_EXT_CX16 | CPUID_EXT_SSE3 | CPUID_EXT_SSSE3;
        {
            /* an APIC only if the board gave us one, and while it is
             * enabled in IA32_APIC_BASE (SDM vol. 3, 10.4.3) */
            void *opaque;
            if (cpus_irqchip(env->cpu_index, &opaque)) {
                c |= CPUID_EXT_TSC_DEADLINE;
                if (env->apic_base & (1u << 11))
                    d |= CPUID_APIC;
            }
        }
        break;
    case 0x80000000:
        a = 0x80000008;
        break;
    case 0x80000001:
        d = CPUID_EXT_NX | CPUID_EXT_SYSCALL | CPUID_EXT_LM;
        c = CPUID_EXT_LAHF_LM | CPUID_EXT_PREFETCHW;
        break;
    case 0x80000008:
        a = CPUID_PHYS_BITS | (48 << 8);   /* physical, linear address bits */
        break;
    default:
        break;
    }
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

uint64_t interp_tsc(CPUX86State *env)
{
    /* 1 GHz guest TSC derived from the virtual clock */
    return (uint64_t)clock_ns(CLOCK_VIRTUAL) + env->tsc_offset;
}

/*
 * IA32_APIC_BASE and IA32_TSC_DEADLINE live in the local APIC when the board
 * registered one (core/cpus.h); without it APIC_BASE is a plain register and
 * TSC_DEADLINE does not exist (#GP).
 */
static uint64_t interp_msr_irqchip(X86CPU *cpu, uint32_t idx, bool write, uint64_t v)
{
    CPUX86State *env = &cpu->env;
    void *opaque;
    const CpuIrqChip *ic;
    int r = 0;

    bql_lock();
    ic = cpus_irqchip(env->cpu_index, &opaque);
    if (!ic) {
        if (idx == MSR_IA32_APICBASE && write)
            env->apic_base = v;
        else if (idx == MSR_IA32_APICBASE)
            v = env->apic_base;
        else
            r = -EINVAL;
    } else if (idx == MSR_IA32_APICBASE) {
        if (write && (r = ic->set_apic_base(opaque, v)) == 0)
            env->apic_base = v;
        v = ic->get_apic_base(opaque);
    } else if (write) {
        ic->set_tsc_deadline(opaque, v);
    } else {
        v = ic->get_tsc_deadline(opaque);
    }
    bql_unlock();
    if (r < 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    return v;
}

void interp_rdmsr(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    uint32_t idx = env->regs[R_ECX];
    uint64_t v;

    if (cpu_cpl(cpu) != 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    switch (idx) {
    case MSR_IA32_TSC: v = interp_tsc(env); break;
    case MSR_IA32_APICBASE: case MSR_IA32_TSC_DEADLINE:
        v = interp_msr_irqchip(cpu, idx, false, 0);
        break;
    case MSR_IA32_SYSENTER_CS: v = env->sysenter_cs; break;
    case MSR_IA32_SYSENTER_ESP: v = env->sysenter_esp; break;
    case MSR_IA32_SYSENTER_EIP: v = env->sysenter_eip; break;
    case MSR_IA32_PAT: v = env->pat; break;
    case MSR_IA32_MISC_ENABLE: v = env->misc_enable; break;
    case MSR_MTRRcap: v = 0x500 | CPU_NB_MTRR_VAR; break;   /* fixed + WC, 8 var */
    case MSR_MTRRdefType: v = env->mtrr_deftype; break;
    case MSR_MTRRfix64K_00000: v = env->mtrr_fixed[0]; break;
    case MSR_MTRRfix16K_80000: v = env->mtrr_fixed[1]; break;
    case MSR_MTRRfix16K_A0000: v = env->mtrr_fixed[2]; break;
    case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_C0000 + 7:
        v = env->mtrr_fixed[3 + idx - MSR_MTRRfix4K_C0000];
        break;
    case MSR_MTRRphysBase0 ... MSR_MTRRphysBase0 + 2 * CPU_NB_MTRR_VAR - 1:
        v = (idx & 1) ? env->mtrr_var_mask[(idx - MSR_MTRRphysBase0) / 2]
                      : env->mtrr_var_base[(idx - MSR_MTRRphysBase0) / 2];
        break;
    case MSR_EFER: v = env->efer; break;
    case MSR_STAR: v = env->star; break;
    case MSR_LSTAR: v = env->lstar; break;
    case MSR_CSTAR: v = env->cstar; break;
    case MSR_FMASK: v = env->fmask; break;
    case MSR_FSBASE: v = env->segs[R_FS].base; break;
    case MSR_GSBASE: v = env->segs[R_GS].base; break;
    case MSR_KERNELGSBASE: v = env->kernelgsbase; break;
    case MSR_IA32_PLATFORM_ID: case MSR_EBL_CR_POWERON: case MSR_IA32_UCODE_REV:
    case MSR_IA32_MCG_CAP: case MSR_IA32_MCG_STATUS:
        v = 0;
        break;
    default:
        trace(LOG_UNIMP, "rdmsr %08x\n", idx);
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    }
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = (uint32_t)(v >> 32);
}

void interp_wrmsr(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    uint32_t idx = env->regs[R_ECX];
    uint64_t v = (uint32_t)env->regs[R_EAX] | ((uint64_t)(uint32_t)env->regs[R_EDX] << 32);

    if (cpu_cpl(cpu) != 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    switch (idx) {
    case MSR_IA32_TSC: env->tsc_offset = v - (uint64_t)clock_ns(CLOCK_VIRTUAL); break;
    case MSR_IA32_APICBASE: case MSR_IA32_TSC_DEADLINE:
        interp_msr_irqchip(cpu, idx, true, v);
        break;
    case MSR_IA32_SYSENTER_CS: env->sysenter_cs = v; break;
    case MSR_IA32_SYSENTER_ESP: env->sysenter_esp = v; break;
    case MSR_IA32_SYSENTER_EIP: env->sysenter_eip = v; break;
    case MSR_IA32_PAT: env->pat = v; break;
    case MSR_IA32_MISC_ENABLE: env->misc_enable = v; break;
    case MSR_MTRRdefType: env->mtrr_deftype = v; break;
    case MSR_MTRRfix64K_00000: env->mtrr_fixed[0] = v; break;
    case MSR_MTRRfix16K_80000: env->mtrr_fixed[1] = v; break;
    case MSR_MTRRfix16K_A0000: env->mtrr_fixed[2] = v; break;
    case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_C0000 + 7:
        env->mtrr_fixed[3 + idx - MSR_MTRRfix4K_C0000] = v;
        break;
    case MSR_MTRRphysBase0 ... MSR_MTRRphysBase0 + 2 * CPU_NB_MTRR_VAR - 1:
        if (idx & 1)
            env->mtrr_var_mask[(idx - MSR_MTRRphysBase0) / 2] = v;
        else
            env->mtrr_var_base[(idx - MSR_MTRRphysBase0) / 2] = v;
        break;
    case MSR_EFER:
        /* LMA is read-only; LME cannot change while paging is on (SDM vol. 3, 9.8.5) */
        if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if (((v ^ env->efer) & EFER_LME) && (env->cr[0] & CR0_PG_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        v = (v & ~(uint64_t)EFER_LMA) | (env->efer & EFER_LMA);
        if ((v ^ env->efer) & EFER_NXE)
            tlb_flush(cpu, true);
        env->efer = v;
        break;
    case MSR_STAR: env->star = v; break;
    case MSR_LSTAR: case MSR_CSTAR: case MSR_FSBASE: case MSR_GSBASE: case MSR_KERNELGSBASE:
        if (!cpu_canonical(v))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if (idx == MSR_LSTAR)
            env->lstar = v;
        else if (idx == MSR_CSTAR)
            env->cstar = v;
        else if (idx == MSR_FSBASE)
            env->segs[R_FS].base = v;
        else if (idx == MSR_GSBASE)
            env->segs[R_GS].base = v;
        else
            env->kernelgsbase = v;
        break;
    case MSR_FMASK: env->fmask = (uint32_t)v; break;
    case MSR_IA32_UCODE_WRITE: case MSR_IA32_UCODE_REV: case MSR_IA32_MCG_STATUS:
        break;
    default:
        trace(LOG_UNIMP, "wrmsr %08x <- %016llx\n", idx, (unsigned long long)v);
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    }
}

void interp_write_eflags(X86CPU *cpu, uint32_t v, int size)
{
    CPUX86State *env = &cpu->env;
    uint32_t mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | AC_MASK | ID_MASK;
    int cpl = cpu_cpl(cpu);
    int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;

    if (!(env->cr[0] & CR0_PE_MASK)) {
        mask |= IOPL_MASK | IF_MASK;
    } else if (env->eflags & VM_MASK) {
        mask |= IF_MASK;            /* IOPL == 3 checked by the caller */
    } else {
        if (cpl == 0)
            mask |= IOPL_MASK;
        if (cpl <= iopl)
            mask |= IF_MASK;
    }
    if (size == 2)
        mask &= 0xffff;
    env->eflags = (env->eflags & ~(uint64_t)mask) | (v & mask) | 2;
    env->eflags &= ~(uint64_t)RF_MASK;
}

void interp_check_iopl_v86(X86CPU *cpu)
{
    if ((cpu->env.eflags & VM_MASK) && ((cpu->env.eflags & IOPL_MASK) >> IOPL_SHIFT) != 3)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
}

/* CLI/STI permission (no VME/PVI) */
void interp_check_if_change(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
    if (!(env->cr[0] & CR0_PE_MASK))
        return;
    if (env->eflags & VM_MASK) {
        if (iopl != 3)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
    } else if (cpu_cpl(cpu) > iopl) {
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    }
}

void interp_check_cpl0(X86CPU *cpu)
{
    if (cpu_cpl(cpu) != 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
}

/* MOV from CR0/2/3/4/8 */
void interp_mov_from_cr(X86CPU *cpu, int n, uint64_t *v)
{
    CPUX86State *env = &cpu->env;
    switch (n) {
    case 0: case 2: case 3: case 4:
        *v = env->cr[n];
        break;
    case 8:
        if (!cpu->code64)
            raise_exception(cpu, EXCP06_ILLOP);
        {
            void *opaque;
            const CpuIrqChip *ic = cpus_irqchip(env->cpu_index, &opaque);
            if (ic && ic->get_cr8) {
                bql_lock();
                env->cr8 = ic->get_cr8(opaque);
                bql_unlock();
            }
        }
        *v = env->cr8 & 15;
        break;
    default:
        raise_exception(cpu, EXCP06_ILLOP);
    }
}

/*
 * MOV to CR0/2/3/4/8.  Long mode is activated by CR0.PG with EFER.LME and
 * CR4.PAE, and left by clearing PG (SDM vol. 3, 9.8.5); reserved bits #GP.
 */
void interp_mov_to_cr(X86CPU *cpu, int n, uint64_t v)
{
    CPUX86State *env = &cpu->env;
    switch (n) {
    case 0:
        if (v >> 32)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if ((v & CR0_PG_MASK) && !(v & CR0_PE_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if ((v & CR0_NW_MASK) && !(v & CR0_CD_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if ((v & CR0_PG_MASK) && !(env->cr[0] & CR0_PG_MASK) && (env->efer & EFER_LME)) {
            if (!(env->cr[4] & CR4_PAE_MASK))
                raise_exception_err(cpu, EXCP0D_GPF, 0);
            env->efer |= EFER_LMA;
        }
        if (!(v & CR0_PG_MASK) && (env->efer & EFER_LMA)) {
            if (cpu->code64)        /* paging may only be turned off in compatibility mode */
                raise_exception_err(cpu, EXCP0D_GPF, 0);
            env->efer &= ~(uint64_t)EFER_LMA;
        }
        mmu_set_cr0(cpu, v);
        break;
    case 2:
        env->cr[2] = v;
        break;
    case 3:
        if (v >> CPUID_PHYS_BITS)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        mmu_set_cr3(cpu, (env->efer & EFER_LMA) ? v : (uint32_t)v);
        break;
    case 8:
        if (!cpu->code64 || (v & ~15ull))
            raise_exception(cpu, cpu->code64 ? EXCP0D_GPF : EXCP06_ILLOP);
        env->cr8 = v;
        {
            /* CR8 is TPR[7:4] of the local APIC (SDM vol. 3, 10.8.6.1) */
            void *opaque;
            const CpuIrqChip *ic = cpus_irqchip(env->cpu_index, &opaque);
            if (ic && ic->set_cr8) {
                bql_lock();
                ic->set_cr8(opaque, v);
                bql_unlock();
            }
        }
        break;
    case 4:
        if (v & ~(uint64_t)(CR4_VME_MASK | CR4_PVI_MASK | CR4_TSD_MASK | CR4_DE_MASK |
                            CR4_PSE_MASK | CR4_PAE_MASK | CR4_MCE_MASK | CR4_PGE_MASK |
                            CR4_PCE_MASK | CR4_OSFXSR_MASK | CR4_OSXMMEXCPT_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if ((env->efer & EFER_LMA) && !(v & CR4_PAE_MASK))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if (v & (CR4_VME_MASK | CR4_PVI_MASK))
            trace(LOG_UNIMP, "CR4.VME/PVI set (not implemented)\n");
        mmu_set_cr4(cpu, v);
        break;
    default:
        raise_exception(cpu, EXCP06_ILLOP);
    }
    cpu->stop = 1;
}

/*
 * SYSENTER / SYSEXIT: flat segments derived from IA32_SYSENTER_CS (SDM vol. 2).
 * In IA-32e mode SYSENTER enters 64-bit code, and SYSEXIT with REX.W (osz 8)
 * returns to 64-bit user code at CS + 32, without it to compatibility mode.
 */
void interp_sysenter_exit(X86CPU *cpu, bool is_exit, int osz)
{
    CPUX86State *env = &cpu->env;
    uint16_t cs = env->sysenter_cs & 0xfffc;
    bool lma = env->efer & EFER_LMA;
    uint32_t code = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                    DESC_R_MASK | DESC_A_MASK;
    uint32_t code64 = (code & ~DESC_B_MASK) | DESC_L_MASK;
    uint32_t data = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_W_MASK |
                    DESC_A_MASK;
    uint32_t user = 3 << DESC_DPL_SHIFT;

    if (!(env->cr[0] & CR0_PE_MASK) || cs == 0)
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    if (!is_exit) {
        env->eflags &= ~(uint64_t)(VM_MASK | IF_MASK | RF_MASK);
        seg_load_cache(cpu, R_CS, cs, 0, 0xffffffffu, lma ? code64 : code);
        seg_load_cache(cpu, R_SS, cs + 8, 0, 0xffffffffu, data);
        env->regs[R_ESP] = lma ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
        env->eip = lma ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    } else {
        if (cpu_cpl(cpu) != 0)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if (lma && osz == 8) {
            if (!cpu_canonical(env->regs[R_EDX]) || !cpu_canonical(env->regs[R_ECX]))
                raise_exception_err(cpu, EXCP0D_GPF, 0);
            seg_load_cache(cpu, R_CS, (cs + 32) | 3, 0, 0xffffffffu, code64 | user);
            seg_load_cache(cpu, R_SS, (cs + 40) | 3, 0, 0xffffffffu, data | user);
            env->regs[R_ESP] = env->regs[R_ECX];
            env->eip = env->regs[R_EDX];
        } else {
            seg_load_cache(cpu, R_CS, (cs + 16) | 3, 0, 0xffffffffu, code | user);
            seg_load_cache(cpu, R_SS, (cs + 24) | 3, 0, 0xffffffffu, data | user);
            env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
            env->eip = (uint32_t)env->regs[R_EDX];
        }
    }
    cpu->stop = 1;
}

