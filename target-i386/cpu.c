/*
 * x86 CPU state shared by both accelerators: the power-on (RESET) state of
 * Intel SDM vol. 3, 9.1.1 (table 9-1) and a register dump in the layout of
 * QEMU's "info registers", so traces from pcvm and QEMU can be compared.
 */
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "target-i386/cpu.h"

/*
 * EDX after RESET holds the processor signature (CPUID.1:EAX).  A family 6
 * part; KVM overwrites it with the host's real signature.
 */
#define X86_RESET_SIGNATURE     0x00000663

/* SDM 9.1.1: CR0 = 60000010H (CD, NW, ET) */
#define X86_RESET_CR0           (CR0_CD_MASK | CR0_NW_MASK | CR0_ET_MASK)
#define X86_RESET_DR6           0xffff0ff0
#define X86_RESET_DR7           0x00000400
/* SDM 11.12.4: PAT after reset */
#define X86_RESET_PAT           0x0007040600070406ULL
/* SDM 10.4.4: IA32_APIC_BASE = FEE00000H, enabled (bit 11), BSP flag (bit 8) */
#define APIC_DEFAULT_BASE       0xfee00000ULL
#define MSR_IA32_APICBASE_BSP   (1ULL << 8)
#define MSR_IA32_APICBASE_ENABLE (1ULL << 11)
/* IA32_MISC_ENABLE: fast strings enabled, as firmware leaves it */
#define MSR_IA32_MISC_ENABLE_FASTSTRING 1ULL
/* x87 control word after FINIT, and MXCSR after reset (SDM vol. 1, 10.2.3.1) */
#define X86_RESET_FPUC          0x037f
#define X86_RESET_MXCSR         0x1f80

static void x86_cpu_reset_seg(SegmentCache *sc, uint32_t selector, uint64_t base,
                              uint32_t type)
{
    sc->selector = selector;
    sc->base = base;
    sc->limit = 0xffff;
    sc->flags = DESC_P_MASK | (type << DESC_TYPE_SHIFT);
}

void x86_cpu_reset(CPUX86State *env)
{
    int index = env->cpu_index;

    memset(env, 0, sizeof(*env));
    env->cpu_index = index;

    env->regs[R_EDX] = X86_RESET_SIGNATURE;
    env->eip = 0xfff0;
    env->eflags = 0x2;                    /* bit 1 is reserved and always set */

    /*
     * CS = F000 with base FFFF0000 so the first fetch is at FFFFFFF0 (the top
     * of the flash), the others selector 0 base 0; all limit FFFF, present,
     * read/write (code: execute/read), accessed.  S=1 (code/data).
     */
    x86_cpu_reset_seg(&env->segs[R_CS], 0xf000, 0xffff0000,
                      (DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK) >> DESC_TYPE_SHIFT);
    env->segs[R_CS].flags |= DESC_S_MASK;
    for (int i = 0; i < 6; i++) {
        if (i == R_CS)
            continue;
        x86_cpu_reset_seg(&env->segs[i], 0, 0,
                          (DESC_W_MASK | DESC_A_MASK) >> DESC_TYPE_SHIFT);
        env->segs[i].flags |= DESC_S_MASK;
    }
    /* LDTR: an LDT descriptor (type 2); TR: a busy 32-bit TSS (type 11). */
    x86_cpu_reset_seg(&env->ldt, 0, 0, 2);
    x86_cpu_reset_seg(&env->tr, 0, 0, 11);
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;

    env->cr[0] = X86_RESET_CR0;
    env->dr[6] = X86_RESET_DR6;
    env->dr[7] = X86_RESET_DR7;

    env->fpuc = X86_RESET_FPUC;
    for (int i = 0; i < 8; i++)
        env->fptags[i] = 1;               /* all empty */
    env->mxcsr = X86_RESET_MXCSR;

    env->apic_base = APIC_DEFAULT_BASE | MSR_IA32_APICBASE_ENABLE;
    if (index == 0)
        env->apic_base |= MSR_IA32_APICBASE_BSP;
    env->pat = X86_RESET_PAT;
    env->misc_enable = MSR_IA32_MISC_ENABLE_FASTSTRING;
}

static void x86_cpu_dump_seg(FILE *f, const char *name, const SegmentCache *sc, bool lma)
{
    fprintf(f, "%-3s=%04x ", name, sc->selector);
    if (lma)
        fprintf(f, "%016llx ", (unsigned long long)sc->base);
    else
        fprintf(f, "%08x ", (uint32_t)sc->base);
    fprintf(f, "%08x %08x", sc->limit, sc->flags);

    if (!(sc->flags & DESC_P_MASK)) {
        fprintf(f, " NP\n");
        return;
    }
    fprintf(f, " DPL=%d", (sc->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT);
    if (sc->flags & DESC_S_MASK) {
        if (sc->flags & DESC_CS_MASK)
            fprintf(f, " %s %s%s", (sc->flags & DESC_L_MASK) ? "CS64" :
                    (sc->flags & DESC_B_MASK) ? "CS32" : "CS16",
                    (sc->flags & DESC_C_MASK) ? "C" : "-",
                    (sc->flags & DESC_R_MASK) ? "R" : "-");
        else
            fprintf(f, " %s  %s%s", (sc->flags & DESC_B_MASK) ? "DS  " : "DS16",
                    (sc->flags & DESC_E_MASK) ? "E" : "-",
                    (sc->flags & DESC_W_MASK) ? "W" : "-");
        fprintf(f, "%s", (sc->flags & DESC_A_MASK) ? " A" : "");
    } else {
        static const char *const sys_type[16] = {
            "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate",
            "IntGate16", "TrapGate16", "Reserved", "TSS32-avl", "Reserved",
            "TSS32-busy", "CallGate32", "Reserved", "IntGate32", "TrapGate32",
        };
        fprintf(f, " %s", sys_type[(sc->flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT]);
    }
    fputc('\n', f);
}

void x86_cpu_dump_state(const CPUX86State *env, FILE *f)
{
    static const char *const seg_name[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    bool lma = env->efer & EFER_LMA;
    uint32_t fl = env->eflags;

    fprintf(f, "CPU#%d\n", env->cpu_index);
    if (lma) {
        static const char *const reg_name[16] = {
            "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
            "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
        };
        static const int order[16] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI,
                                       R_EBP, R_ESP, 8, 9, 10, 11, 12, 13, 14, 15 };
        for (int i = 0; i < 16; i++)
            fprintf(f, "%-3s=%016llx%c", reg_name[order[i]],
                    (unsigned long long)env->regs[order[i]], (i & 3) == 3 ? '\n' : ' ');
        fprintf(f, "RIP=%016llx", (unsigned long long)env->eip);
    } else {
        fprintf(f, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"
                "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n"
                "EIP=%08x",
                (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_EBX],
                (uint32_t)env->regs[R_ECX], (uint32_t)env->regs[R_EDX],
                (uint32_t)env->regs[R_ESI], (uint32_t)env->regs[R_EDI],
                (uint32_t)env->regs[R_EBP], (uint32_t)env->regs[R_ESP],
                (uint32_t)env->eip);
    }
    fprintf(f, " EFL=%08x [%c%c%c%c%c%c%c] CPL=%d II=%d HLT=%d\n", fl,
            fl & DF_MASK ? 'D' : '-', fl & CC_O ? 'O' : '-', fl & CC_S ? 'S' : '-',
            fl & CC_Z ? 'Z' : '-', fl & CC_A ? 'A' : '-', fl & CC_P ? 'P' : '-',
            fl & CC_C ? 'C' : '-', x86_cpl(env), env->interrupt_shadow, env->halted);

    for (int i = 0; i < 6; i++)
        x86_cpu_dump_seg(f, seg_name[i], &env->segs[i], lma);
    x86_cpu_dump_seg(f, "LDT", &env->ldt, lma);
    x86_cpu_dump_seg(f, "TR", &env->tr, lma);
    if (lma) {
        fprintf(f, "GDT=     %016llx %08x\n", (unsigned long long)env->gdt.base, env->gdt.limit);
        fprintf(f, "IDT=     %016llx %08x\n", (unsigned long long)env->idt.base, env->idt.limit);
        fprintf(f, "CR0=%08x CR2=%016llx CR3=%016llx CR4=%08x\n", (uint32_t)env->cr[0],
                (unsigned long long)env->cr[2], (unsigned long long)env->cr[3],
                (uint32_t)env->cr[4]);
        for (int i = 0; i < 4; i++)
            fprintf(f, "DR%d=%016llx ", i, (unsigned long long)env->dr[i]);
    } else {
        fprintf(f, "GDT=     %08x %08x\n", (uint32_t)env->gdt.base, env->gdt.limit);
        fprintf(f, "IDT=     %08x %08x\n", (uint32_t)env->idt.base, env->idt.limit);
        fprintf(f, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", (uint32_t)env->cr[0],
                (uint32_t)env->cr[2], (uint32_t)env->cr[3], (uint32_t)env->cr[4]);
        for (int i = 0; i < 4; i++)
            fprintf(f, "DR%d=%08x ", i, (uint32_t)env->dr[i]);
    }
    fprintf(f, "\nDR6=%08x DR7=%08x\n", (uint32_t)env->dr[6], (uint32_t)env->dr[7]);
    fprintf(f, "EFER=%016llx APICBASE=%016llx CR8=%llx\n", (unsigned long long)env->efer,
            (unsigned long long)env->apic_base, (unsigned long long)env->cr8);
    fprintf(f, "FCW=%04x FSW=%04x [ST=%u] FTW=", env->fpuc,
            (env->fpus & ~0x3800) | (env->fpstt & 7) << 11, env->fpstt & 7);
    for (int i = 0; i < 8; i++)
        fputc(env->fptags[i] ? '-' : 'v', f);
    fprintf(f, " MXCSR=%08x\n", env->mxcsr);
}
