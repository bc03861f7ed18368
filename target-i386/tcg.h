/*
 * The software CPU's private state and the interfaces between its parts:
 * decoder (decode.c), interpreter (interp.c), segmentation and interrupt
 * delivery (seg.c), MMU/TLB (mmu.c), block cache (tb.c) and the loop.
 * Intel SDM vol. 2 (instruction formats) and vol. 3 (system programming).
 */
#ifndef PCVM_TARGET_I386_TCG_H
#define PCVM_TARGET_I386_TCG_H

#include <setjmp.h>
#include <stdatomic.h>
#include <string.h>

#include "core/common.h"
#include "core/memory.h"
#include "target-i386/cpu.h"

/* ---- decoded instruction record ---- */

/* DInsn.pfx bits */
#define PFX_OP32   0x01     /* operand size is 32 bits (after 66h) */
#define PFX_AD32   0x02     /* address size is 32 bits (after 67h) */
#define PFX_REP    0x04     /* F3 */
#define PFX_REPNE  0x08     /* F2 */
#define PFX_LOCK   0x10
#define PFX_SEG    0x20     /* explicit segment override */
#define PFX_66     0x40     /* 66h present (SSE mandatory prefix; PFX_OP32 has the size) */

#define EA_NONE 0xff
#define EA_RIP  0xfe        /* base of a RIP-relative operand (64-bit mode) */

/* DInsn.rex bits (64-bit mode): the REX prefix's W R X B (the decoder has
 * already applied R, X and B to reg, rm, base and index, except for registers
 * encoded in the opcode byte, which take REX_B), REX present (SPL/BPL/SIL/DIL
 * instead of AH/CH/DH/BH), and 64-bit addressing (no 67h). */
#define REX_B    0x01
#define REX_X    0x02
#define REX_R    0x04
#define REX_W    0x08
#define DX_REX   0x10
#define DX_AD64  0x20

/*
 * One decoded instruction: 24 bytes.  op is the opcode (0x000-0x0ff one-byte
 * map, 0x100-0x1ff the 0F map); the interpreter switches on it.
 */
typedef struct DInsn {
    uint16_t op;
    uint8_t len;
    uint8_t pfx;
    uint8_t mod, reg, rm;   /* ModRM fields; mod == 3: rm is a register */
    uint8_t seg;            /* segment of the memory operand */
    uint8_t base, index;    /* EA registers or EA_NONE */
    uint8_t scale;
    uint8_t rex;            /* 64-bit mode only: REX_* and DX_* bits, else 0 */
    uint32_t disp;
    uint32_t imm;
    uint16_t imm2;          /* far pointer selector, ENTER level */
    uint16_t h;             /* interpreter handler: op, or a specialised H_* form */
} DInsn;

/*
 * Specialised handlers for hot 32-bit (and 64-bit) forms, chosen by decode_specialise()
 * (decode.c).  Register operands are normalised: the destination is in rm,
 * the source in reg.  Immediates are already sign-extended.
 */
enum {
    H_FIRST = 0x200,
    H_MOV_RR32 = H_FIRST,   /* rm <- reg */
    H_LOAD32,               /* reg <- [ea] */
    H_STORE32,              /* [ea] <- reg */
    H_MOV_RI32,             /* rm <- imm */
    H_LEA32,                /* reg <- ea */
    H_TEST_RR32,
    H_INC32, H_DEC32,       /* rm */
    H_PUSH32, H_POP32,      /* rm */
    H_CALL32, H_RET32, H_JMP,
    H_ALU_RR32,             /* + ALU op (8) */
    H_ALU_RI32 = H_ALU_RR32 + 8,
    H_SHIFT_RI32 = H_ALU_RI32 + 8,
    H_JCC = H_SHIFT_RI32 + 8,   /* + condition (16) */
    H_ALU_RM32 = H_JCC + 16,    /* + ALU op: reg <- reg op [ea] */
    H_ALU_MR32 = H_ALU_RM32 + 8,/* + ALU op: [ea] <- [ea] op reg */
    H_ALU_MI32 = H_ALU_MR32 + 8,/* + ALU op: [ea] <- [ea] op imm */
    H_MOV_MI32 = H_ALU_MI32 + 8,/* [ea] <- imm */
    H_MOVZX8, H_MOVZX16,    /* reg <- zero-extended r/m */
    H_TEST_MR32,            /* [ea] & reg */
    H_IMUL32,               /* reg <- reg * r/m (0F AF) */
    H_MOV8_LOAD,            /* reg8 <- r/m8 (8A) */
    H_MOV8_STORE,           /* r/m8 <- reg8 (88) */
    H_SETCC,                /* + condition (16): r/m8 <- cc */
    H_CMOV32 = H_SETCC + 16,/* + condition (16): reg <- r/m if cc */
    H_UD = H_CMOV32 + 16,   /* invalid encoding (LOCK misuse): #UD */
    /* 64-bit mode: the default-64 stack forms and the REX.W (64-bit operand) forms */
    H_PUSH64, H_POP64,      /* rm */
    H_CALL64, H_RET64,
    H_MOV_RR64, H_LOAD64, H_STORE64, H_LEA64, H_TEST_RR64, H_TEST_MR64, H_MOV_MI64, H_IMUL64,
    H_ALU_RR64,
    H_ALU_RI64 = H_ALU_RR64 + 8,
    H_ALU_RM64 = H_ALU_RI64 + 8,
    H_ALU_MR64 = H_ALU_RM64 + 8,
    H_ALU_MI64 = H_ALU_MR64 + 8,
    H_SHIFT_RI64 = H_ALU_MI64 + 8,
    H_CMOV64 = H_SHIFT_RI64 + 8,
    H_LAST = H_CMOV64 + 16,
};

/* Opcode attributes (decode.def) */
#define A_M     0x0001      /* has ModRM */
#define A_IB    0x0002      /* imm8 */
#define A_IV    0x0004      /* imm16/32 by operand size */
#define A_IW    0x0008      /* imm16 */
#define A_FAR   0x0010      /* ptr16:16/32 */
#define A_MOFS  0x0020      /* moffs by address size */
#define A_END   0x0040      /* ends the block */
#define A_INV   0x0080      /* #UD */
#define A_ENTER 0x0100      /* imm16 + imm8 */
#define A_GRP3  0x0200      /* F6/F7: imm only for TEST */
#define A_BYTE  0x0400      /* byte operand (disassembler) */
#define A_PFX   0x0800      /* prefix byte */

extern const uint16_t x86_op_attr[512];
extern const char *const x86_op_name[512];

/* MAXPHYADDR reported in CPUID 80000008h; page-table bits above it are reserved */
#define CPU_PHYS_BITS 36

/* ---- TLB ---- */

#define TLB_BITS 10
#define TLB_SIZE (1 << TLB_BITS)
#define TLB_INVALID  0x1u   /* tag bits below the page: force the slow path */
#define TLB_MMIO     0x2u
#define TLB_NOTDIRTY 0x4u   /* page holds translated code: writes check SMC */
#define TLB_ROM      0x8u   /* writes are dropped */

typedef struct TLBEntry {
    uint64_t tag_r, tag_w, tag_x;
    uint32_t phys;          /* physical page */
    uintptr_t addend;       /* host = linear + addend (RAM only) */
} TLBEntry;

/* ---- blocks ---- */

#define TB_MAX_INSNS 64
#define JC_BITS 12
#define JC_SIZE (1 << JC_BITS)

typedef struct TB {
    uint64_t pc;            /* linear address of the first byte */
    uint64_t cs_base;
    uint32_t flags;         /* mode bits the records were decoded for */
    uint32_t phys;          /* physical address of the first byte */
    uint32_t phys2;         /* physical page of the last byte if another page, else -1 */
    uint32_t size;          /* guest bytes covered */
    uint16_t n;             /* records */
    uint16_t cacheable;
    struct TB *hash_next;
    struct TB *page_next[2];
    DInsn insn[];
} TB;

#define TBF_CODE32 0x1
#define TBF_USER   0x2      /* CPL 3: code-page permissions were checked for user */
#define TBF_CODE64 0x4      /* 64-bit mode (EFER.LMA and CS.L) */

/* ---- the CPU ---- */

typedef struct X86CPU {
    CPUX86State env;

    /* access checks precomputed per segment on every load: valid offsets are
     * [seg_lo, seg_hi]; seg_ok bit 0 readable, bit 1 writable */
    uint32_t seg_lo[6], seg_hi[6];
    uint8_t seg_ok[6];

    uint64_t cur_eip;       /* RIP of the instruction being executed */
    int stop;               /* end the current block after this instruction */
    int code32;
    int code64;             /* 64-bit mode: EFER.LMA and CS.L */
    int mmu_user;           /* CPL == 3: the user TLB is used */
    uint32_t a20_mask;

    TLBEntry *tlb;          /* tlbs[mmu_user] */
    bool tlb_has_large;     /* some entries are pieces of 4M/2M pages */
    TLBEntry tlbs[2][TLB_SIZE];

    TB *jc[JC_SIZE];        /* linear PC -> block */

    jmp_buf jmp_env;
    int old_exception;      /* exception being delivered, -1 none (double fault) */
    bool nmi_pending;

    /* async requests from other threads */
    atomic_int exit_request;
    atomic_int flush_request;
    atomic_int intr_line;   /* mirror of cpus_intr_pending(), kept by the hook */

    uint64_t insns;         /* statistics */
} X86CPU;

extern X86CPU *tcg_cpu;

/* ---- exceptions (seg.c) ---- */
NORETURN void raise_exception(X86CPU *cpu, int excp);
NORETURN void raise_exception_err(X86CPU *cpu, int excp, int err);
/* Deliver an interrupt/exception now (called from the loop). */
void x86_do_interrupt(X86CPU *cpu, int intno, int is_sw, int err, bool has_err,
                      uint64_t next_eip);
/* The exception from raise_exception that the loop must deliver */
typedef struct PendingExcp {
    int intno, err, is_sw;
    bool has_err;
    uint64_t next_eip;
} PendingExcp;
extern __thread PendingExcp tcg_pending_excp;
NORETURN void raise_interrupt(X86CPU *cpu, int intno, int is_sw, int err, bool has_err,
                              uint64_t next_eip);

void seg_load(X86CPU *cpu, int seg, uint16_t sel);
void seg_load_cache(X86CPU *cpu, int seg, uint16_t sel, uint64_t base, uint32_t limit,
                    uint32_t flags);
void seg_update_checks(X86CPU *cpu, int seg);
void cpu_update_mode(X86CPU *cpu);
/* osz: operand size in bytes (2, 4, 8) */
void seg_far_jmp(X86CPU *cpu, uint16_t sel, uint64_t off, uint64_t next_eip);
void seg_far_call(X86CPU *cpu, uint16_t sel, uint64_t off, int osz, uint64_t next_eip);
void seg_far_ret(X86CPU *cpu, int osz, uint16_t pop_bytes);
void seg_iret(X86CPU *cpu, int osz);
void seg_syscall(X86CPU *cpu, uint64_t next_eip);
void seg_sysret(X86CPU *cpu, int osz);
void seg_lldt(X86CPU *cpu, uint16_t sel);
void seg_ltr(X86CPU *cpu, uint16_t sel);
/* LAR/LSL/VERR/VERW: returns true (ZF=1) and the value */
bool seg_lar_lsl(X86CPU *cpu, uint16_t sel, int lsl, uint32_t *val);
bool seg_verr_verw(X86CPU *cpu, uint16_t sel, int write);

/* ---- memory (mmu.c) ---- */
void mmu_init(X86CPU *cpu);
void tlb_flush(X86CPU *cpu, bool global_too);
void tlb_flush_page(X86CPU *cpu, uint64_t lin);
/* fill the TLB for lin or raise #PF; acc 0 read, 1 write, 2 exec */
TLBEntry *tlb_fill(X86CPU *cpu, uint64_t lin, int acc, int user);
/* probe without raising: 0 ok, else the #PF error code | 0x10000 */
int mmu_probe(X86CPU *cpu, uint64_t lin, int acc, int user, uint32_t *phys);
uint64_t mmu_ld_slow(X86CPU *cpu, uint64_t lin, int size, int user);
/* fault now (#PF) if any byte of [lin, lin+len) cannot be written */
void mmu_probe_write(X86CPU *cpu, uint64_t lin, uint32_t len, int user);
void mmu_st_slow(X86CPU *cpu, uint64_t lin, uint64_t val, int size, int user);
/* physical access (page walks, RAM outside the TLB) */
uint32_t phys_ldl(X86CPU *cpu, uint32_t pa);
void phys_stl(X86CPU *cpu, uint32_t pa, uint32_t val);
uint8_t *phys_ram_ptr(uint32_t pa, bool write);
void mmu_set_cr0(X86CPU *cpu, uint32_t val);
void mmu_set_cr3(X86CPU *cpu, uint64_t val);
void mmu_set_cr4(X86CPU *cpu, uint32_t val);
void mmu_listener_register(void);
void mmu_process_requests(X86CPU *cpu);

/* ---- blocks (tb.c) ---- */
void tb_init(void);
TB *tb_find(X86CPU *cpu);
void tb_flush_all(X86CPU *cpu);
void tb_invalidate_phys_range(X86CPU *cpu, uint32_t start, uint32_t len);
bool tb_page_has_code(uint32_t phys_page);
void tb_jc_flush(X86CPU *cpu);

/* The mode bits a block is keyed on */
static inline uint32_t cpu_tb_flags(const X86CPU *cpu)
{
    return (cpu->code32 ? TBF_CODE32 : 0) | (cpu->mmu_user ? TBF_USER : 0) |
           (cpu->code64 ? TBF_CODE64 : 0);
}

static inline uint32_t tb_jc_hash(uint64_t pc)
{
    return (pc ^ (pc >> JC_BITS)) & (JC_SIZE - 1);
}

/* CS.base + RIP: 32-bit wrap outside 64-bit mode */
static inline uint64_t cpu_pc(const X86CPU *cpu)
{
    if (cpu->code64)
        return cpu->env.eip;    /* CS.base is ignored (SDM vol. 3, 3.4.4) */
    return (uint32_t)(cpu->env.segs[R_CS].base + cpu->env.eip);
}

/* The jump-cache fast path of tb_find(). */
static inline TB *tb_lookup(X86CPU *cpu)
{
    uint64_t cs_base = cpu->env.segs[R_CS].base;
    uint64_t pc = cpu_pc(cpu);
    TB *tb = cpu->jc[tb_jc_hash(pc)];
    if (likely(tb && tb->pc == pc && tb->cs_base == cs_base &&
               tb->flags == cpu_tb_flags(cpu)))
        return tb;
    return tb_find(cpu);
}

/* ---- decoder (decode.c), disassembler (disas.c) ---- */
/* decode from buf[0..avail): length, -1 if more bytes are needed, -2 if > 15 bytes.
 * code32: 0 16-bit code, 1 32-bit code, DECODE_64 64-bit mode (CS.L under EFER.LMA) */
#define DECODE_64 2
int decode_insn_buf(const uint8_t *buf, int avail, int code32, DInsn *d);
void disas_insn(const DInsn *d, uint32_t eip, char *buf, size_t len);

/* ---- x87 (fpu.c) ---- */
void fpu_exec(X86CPU *cpu, const DInsn *d, uint64_t ea);
void fpu_check_pending(X86CPU *cpu);

/* ---- SSE, FXSAVE/FXRSTOR, MXCSR (interp-sse.c) ---- */
void sse_exec(X86CPU *cpu, const DInsn *d);

/* ---- the loop (cpu-exec.c): returns true when halted ---- */
bool cpu_exec(X86CPU *cpu);

/* ---- interpreter (interp.c) ---- */
void interp_exec_tb(X86CPU *cpu, TB *tb, int max);

/* ---- inline fast paths ---- */

static inline uint64_t cpu_ld_lin(X86CPU *cpu, uint64_t lin, int size)
{
    TLBEntry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_r == (lin & ~0xfffull) && (lin & 0xfff) <= 0x1000u - size)) {
        const uint8_t *p = (const uint8_t *)(e->addend + lin);
        switch (size) {
        case 1: return *p;
        case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
        default: { uint64_t v; memcpy(&v, p, 8); return v; }
        }
    }
    return mmu_ld_slow(cpu, lin, size, cpu->mmu_user);
}

static inline void cpu_st_lin(X86CPU *cpu, uint64_t lin, uint64_t val, int size)
{
    TLBEntry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_w == (lin & ~0xfffull) && (lin & 0xfff) <= 0x1000u - size)) {
        uint8_t *p = (uint8_t *)(e->addend + lin);
        switch (size) {
        case 1: *p = val; return;
        case 2: { uint16_t v = val; memcpy(p, &v, 2); return; }
        case 4: { uint32_t v = val; memcpy(p, &v, 4); return; }
        default: memcpy(p, &val, 8); return;
        }
    }
    mmu_st_slow(cpu, lin, val, size, cpu->mmu_user);
}

/* Implicit supervisor accesses (descriptor tables, TSS) ignore CPL. */
static inline uint64_t cpu_ld_kernel(X86CPU *cpu, uint64_t lin, int size)
{
    TLBEntry *e = &cpu->tlbs[0][(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_r == (lin & ~0xfffull) && (lin & 0xfff) <= 0x1000u - size)) {
        const uint8_t *p = (const uint8_t *)(e->addend + lin);
        uint64_t v = 0;
        memcpy(&v, p, size);
        return v;
    }
    return mmu_ld_slow(cpu, lin, size, 0);
}

static inline void cpu_st_kernel(X86CPU *cpu, uint64_t lin, uint64_t val, int size)
{
    mmu_st_slow(cpu, lin, val, size, 0);
}

static inline bool cpu_canonical(uint64_t lin)
{
    return (uint64_t)((int64_t)(lin << 16) >> 16) == lin;
}

/*
 * Segment:offset to linear.  Outside 64-bit mode: the limit and type checks
 * of SDM vol. 3, 5.3, and 32-bit wrap-around.  In 64-bit mode only FS and GS
 * have a base, there are no limits, and the address must be canonical (3.3.7.1).
 * seg_linear gives the address without checks (INVLPG, the REP fast path),
 * seg_range_ok the checks, seg_addr both, raising #GP/#SS.
 */
static inline uint64_t seg_linear(const X86CPU *cpu, int seg, uint64_t off)
{
    if (cpu->code64)
        return off + (seg >= R_FS ? cpu->env.segs[seg].base : 0);
    return (uint32_t)(cpu->env.segs[seg].base + off);
}

/* [off, off + size) passes the checks above (the part of seg_addr that faults) */
static inline bool seg_range_ok(const X86CPU *cpu, int seg, uint64_t off, uint64_t size,
                                int write)
{
    if (cpu->code64) {
        uint64_t lin = seg_linear(cpu, seg, off);
        return cpu_canonical(lin) && cpu_canonical(lin + size - 1);
    }
    return off >= cpu->seg_lo[seg] && off + size - 1 <= cpu->seg_hi[seg] &&
           (cpu->seg_ok[seg] & (write ? 2 : 1));
}

static inline uint64_t seg_addr(X86CPU *cpu, int seg, uint64_t off, int size, int write)
{
    if (unlikely(!seg_range_ok(cpu, seg, off, size, write)))
        raise_exception_err(cpu, seg == R_SS ? EXCP0C_STACK : EXCP0D_GPF, 0);
    return seg_linear(cpu, seg, off);
}

/* Check a multi-store destination completely before the first store, so a
 * fault leaves memory untouched (FSAVE, SGDT, CMPXCHG8B, ...). */
static inline void cpu_probe_write(X86CPU *cpu, int seg, uint64_t off, uint32_t len)
{
    uint64_t lin = seg_addr(cpu, seg, off, len, 1);
    mmu_probe_write(cpu, lin, len, cpu->mmu_user);
}

static inline uint64_t cpu_ld(X86CPU *cpu, int seg, uint64_t off, int size)
{
    return cpu_ld_lin(cpu, seg_addr(cpu, seg, off, size, 0), size);
}

static inline void cpu_st(X86CPU *cpu, int seg, uint64_t off, uint64_t val, int size)
{
    cpu_st_lin(cpu, seg_addr(cpu, seg, off, size, 1), val, size);
}

/* Stack helpers: RSP in 64-bit mode, else SS.B selects ESP or SP. */
static inline uint64_t sp_mask(X86CPU *cpu)
{
    if (cpu->code64)
        return ~0ull;
    return (cpu->env.segs[R_SS].flags & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
}

static inline void set_esp(X86CPU *cpu, uint64_t v)
{
    uint64_t m = sp_mask(cpu);
    if (m == 0xffffffffu)
        cpu->env.regs[R_ESP] = (uint32_t)v;     /* 32-bit writes zero-extend */
    else
        cpu->env.regs[R_ESP] = (cpu->env.regs[R_ESP] & ~m) | (v & m);
}

static inline void cpu_push(X86CPU *cpu, uint64_t val, int size)
{
    uint64_t m = sp_mask(cpu);
    uint64_t sp = (cpu->env.regs[R_ESP] - size) & m;
    cpu_st(cpu, R_SS, sp, val, size);
    set_esp(cpu, sp);
}

static inline uint64_t cpu_pop(X86CPU *cpu, int size)
{
    uint64_t m = sp_mask(cpu);
    uint64_t sp = cpu->env.regs[R_ESP] & m;
    uint64_t v = cpu_ld(cpu, R_SS, sp, size);
    set_esp(cpu, sp + size);
    return v;
}

static inline int cpu_cpl(X86CPU *cpu)
{
    return x86_cpl(&cpu->env);
}

#endif
