/*
 * The x86 CPU state: one register layout shared by the software CPU and by
 * KVM (which syncs its registers to and from it).  Names follow the Intel SDM.
 */
#ifndef PCVM_TARGET_I386_CPU_H
#define PCVM_TARGET_I386_CPU_H

#include <stdbool.h>
#include <stdint.h>

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, R_LDTR, R_TR };

/* EFLAGS (SDM vol. 1, 3.4.3) */
#define CC_C    0x0001
#define CC_P    0x0004
#define CC_A    0x0010
#define CC_Z    0x0040
#define CC_S    0x0080
#define TF_MASK 0x00000100
#define IF_MASK 0x00000200
#define DF_MASK 0x00000400
#define CC_O    0x0800
#define IOPL_MASK 0x00003000
#define IOPL_SHIFT 12
#define NT_MASK 0x00004000
#define RF_MASK 0x00010000
#define VM_MASK 0x00020000
#define AC_MASK 0x00040000
#define VIF_MASK 0x00080000
#define VIP_MASK 0x00100000
#define ID_MASK 0x00200000
#define CC_MASK (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

/* Segment descriptor flags as kept in SegmentCache.flags: bits 8-23 of the
 * descriptor's high dword, in place (so DESC_P_MASK is bit 15, etc.). */
#define DESC_G_MASK   (1 << 23)
#define DESC_B_MASK   (1 << 22)
#define DESC_L_MASK   (1 << 21)
#define DESC_AVL_MASK (1 << 20)
#define DESC_P_MASK   (1 << 15)
#define DESC_DPL_SHIFT 13
#define DESC_DPL_MASK (3 << DESC_DPL_SHIFT)
#define DESC_S_MASK   (1 << 12)
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK (15 << DESC_TYPE_SHIFT)
#define DESC_A_MASK   (1 << 8)
#define DESC_CS_MASK  (1 << 11)   /* code if S=1 */
#define DESC_C_MASK   (1 << 10)   /* conforming code */
#define DESC_E_MASK   (1 << 10)   /* expand-down data */
#define DESC_R_MASK   (1 << 9)    /* readable code */
#define DESC_W_MASK   (1 << 9)    /* writable data */

/* CR0 / CR4 / EFER (SDM vol. 3, 2.5) */
#define CR0_PE_MASK (1u << 0)
#define CR0_MP_MASK (1u << 1)
#define CR0_EM_MASK (1u << 2)
#define CR0_TS_MASK (1u << 3)
#define CR0_ET_MASK (1u << 4)
#define CR0_NE_MASK (1u << 5)
#define CR0_WP_MASK (1u << 16)
#define CR0_AM_MASK (1u << 18)
#define CR0_NW_MASK (1u << 29)
#define CR0_CD_MASK (1u << 30)
#define CR0_PG_MASK (1u << 31)

#define CR4_VME_MASK  (1u << 0)
#define CR4_PVI_MASK  (1u << 1)
#define CR4_TSD_MASK  (1u << 2)
#define CR4_DE_MASK   (1u << 3)
#define CR4_PSE_MASK  (1u << 4)
#define CR4_PAE_MASK  (1u << 5)
#define CR4_MCE_MASK  (1u << 6)
#define CR4_PGE_MASK  (1u << 7)
#define CR4_PCE_MASK  (1u << 8)
#define CR4_OSFXSR_MASK (1u << 9)
#define CR4_OSXMMEXCPT_MASK (1u << 10)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* Exceptions */
#define EXCP00_DIVZ  0
#define EXCP01_DB    1
#define EXCP02_NMI   2
#define EXCP03_INT3  3
#define EXCP04_INTO  4
#define EXCP05_BOUND 5
#define EXCP06_ILLOP 6
#define EXCP07_PREX  7
#define EXCP08_DBLE  8
#define EXCP09_XERR  9
#define EXCP0A_TSS   10
#define EXCP0B_NOSEG 11
#define EXCP0C_STACK 12
#define EXCP0D_GPF   13
#define EXCP0E_PAGE  14
#define EXCP10_COPR  16
#define EXCP11_ALGN  17
#define EXCP12_MCHK  18
#define EXCP13_XMM   19

/* MSRs */
#define MSR_IA32_TSC            0x10
#define MSR_IA32_APICBASE       0x1b
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_IA32_MISC_ENABLE    0x1a0
#define MSR_IA32_PAT            0x277
#define MSR_MTRRcap             0xfe
#define MSR_MTRRdefType         0x2ff
#define MSR_EFER                0xc0000080
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_FMASK               0xc0000084
#define MSR_FSBASE              0xc0000100
#define MSR_GSBASE              0xc0000101
#define MSR_KERNELGSBASE        0xc0000102
#define MSR_TSC_AUX             0xc0000103

typedef struct SegmentCache {
    uint32_t selector;
    uint64_t base;
    uint32_t limit;          /* byte granular, already scaled by G */
    uint32_t flags;          /* descriptor bits 8-23 in place, see DESC_* */
} SegmentCache;

typedef union XMMReg {
    uint8_t  b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
    float    s[4];
    double   d[2];
} XMMReg;

typedef struct FPReg {
    long double d;           /* 80-bit extended on x86-64 hosts */
    uint64_t pad;
} FPReg;

#define CPU_NB_REGS 16
#define CPU_NB_MTRR_VAR 8

typedef struct CPUX86State {
    /* integer registers */
    uint64_t regs[CPU_NB_REGS];
    uint64_t eip;
    uint64_t eflags;         /* complete EFLAGS when synced (see the translator's lazy flags) */

    SegmentCache segs[6];    /* R_ES .. R_GS */
    SegmentCache ldt, tr;
    SegmentCache gdt, idt;   /* only base and limit are used */

    uint64_t cr[5];          /* cr[1] unused */
    uint64_t cr8;
    uint64_t dr[8];
    uint64_t efer;

    /* x87 / MMX / SSE */
    uint16_t fpuc, fpus;     /* control and status words (TOP is kept in fpstt) */
    unsigned fpstt;
    uint8_t fptags[8];       /* 1 = empty */
    FPReg fpregs[8];
    uint64_t fpip, fpdp;
    uint16_t fpcs, fpds, fpop;
    XMMReg xmm_regs[16];
    uint32_t mxcsr;

    /* MSRs */
    uint64_t apic_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t star, lstar, cstar, fmask, kernelgsbase;
    uint64_t tsc_aux;
    uint64_t pat;
    uint64_t misc_enable;
    uint64_t mtrr_deftype;
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_var_base[CPU_NB_MTRR_VAR], mtrr_var_mask[CPU_NB_MTRR_VAR];
    int64_t tsc_offset;      /* guest TSC = host-derived counter + offset */

    /* run state */
    bool halted;
    bool interrupt_shadow;   /* after STI / MOV SS: no interrupt before the next insn */
    bool nmi_blocked;        /* between NMI delivery and IRET */
    int cpu_index;
} CPUX86State;

/* Power-on / RESET state (SDM vol. 3, 9.1.1): CS:IP = F000:FFF0, base FFFF0000. */
void x86_cpu_reset(CPUX86State *env);

/* Pretty-print the register file (for -d cpu, crashes and triple faults). */
struct _IO_FILE;
void x86_cpu_dump_state(const CPUX86State *env, struct _IO_FILE *f);

/* Flag helpers for code outside the translator. */
static inline int x86_cpl(const CPUX86State *env)
{
    if (!(env->cr[0] & CR0_PE_MASK))
        return 0;
    if (env->eflags & VM_MASK)
        return 3;
    return env->segs[R_CS].selector & 3;
}

#endif
