/*
 * A small disassembler for -d in_asm, driven by the same opcode table
 * (decode.def) and decoded record as the interpreter.  It names the opcode
 * and prints its ModRM operand, register and immediate in Intel order-ish;
 * exact AT&T/Intel syntax is not the goal, recognisable traces are.
 */
#include "target-i386/tcg.h"

static const char *const disas_reg64[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const disas_reg32[16] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };
static const char *const disas_reg16[16] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" };
static const char *const disas_reg8[16] = {
    "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh",
    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" };
static const char *const disas_seg[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* r is 0-15 (64-bit mode: REX.R/REX.B already applied by the decoder) */
static const char *disas_reg(int r, int size)
{
    r &= 15;
    return size == 1 ? disas_reg8[r] : size == 2 ? disas_reg16[r] :
           size == 8 ? disas_reg64[r] : disas_reg32[r];
}

static int disas_mem(const DInsn *d, char *buf, size_t len)
{
    const char *const *names = (d->rex & DX_AD64) ? disas_reg64 :
                               (d->pfx & PFX_AD32) ? disas_reg32 : disas_reg16;
    int n = snprintf(buf, len, "%s:[", disas_seg[d->seg % 6]);
    const char *plus = "";
    if (d->base == EA_RIP) {
        n += snprintf(buf + n, len - n, "rip");
        plus = "+";
    } else if (d->base != EA_NONE) {
        n += snprintf(buf + n, len - n, "%s", names[d->base & 15]);
        plus = "+";
    }
    if (d->index != EA_NONE) {
        n += snprintf(buf + n, len - n, "%s%s*%d", plus, names[d->index & 15], 1 << d->scale);
        plus = "+";
    }
    if (d->disp || !*plus)
        n += snprintf(buf + n, len - n, "%s0x%x", plus, d->disp);
    n += snprintf(buf + n, len - n, "]");
    return n;
}

/* Opcodes whose ModRM reg field selects the operation, not a register */
static bool disas_is_group(int op)
{
    switch (op) {
    case 0x80 ... 0x83: case 0x8f: case 0xc0: case 0xc1: case 0xc6: case 0xc7:
    case 0xd0 ... 0xdf: case 0xf6: case 0xf7: case 0xfe: case 0xff:
    case 0x100: case 0x101: case 0x10d: case 0x118 ... 0x11f: case 0x120 ... 0x123:
    case 0x190 ... 0x19f: case 0x1ba: case 0x1c7:
        return true;
    }
    return false;
}

/* The SSSE3 opcodes of the three-byte maps (0F 38 00-1E, 0F 3A 0F) */
static const char *disas_name_0f38(int b)
{
    static const char *const names[0x1f] = {
        "pshufb", "phaddw", "phaddd", "phaddsw", "pmaddubsw", "phsubw", "phsubd",
        "phsubsw", "psignb", "psignw", "psignd", "pmulhrsw",
        [0x1c] = "pabsb", "pabsw", "pabsd",
    };
    return b < 0x1f && names[b] ? names[b] : "(0f38)";
}

/* 0F-map SIMD opcodes: their ModRM operands are MMX/XMM registers, or a
 * general register for the few listed in disas_insn() */
static bool disas_is_simd(int op)
{
    return (op >= 0x110 && op <= 0x117) || (op >= 0x128 && op <= 0x12f) || op == 0x138 ||
           op == 0x13a || (op >= 0x150 && op <= 0x17f && op != 0x177) ||
           op == 0x1c2 || (op >= 0x1c4 && op <= 0x1c6) || op >= 0x1d0;
}

static int disas_simd_reg(const DInsn *d, int r, char *buf, size_t len)
{
    bool xmm = (d->pfx & (PFX_66 | PFX_REP | PFX_REPNE)) ||
               (d->op >= 0x110 && d->op <= 0x117) || (d->op >= 0x128 && d->op <= 0x12f) ||
               (d->op >= 0x150 && d->op <= 0x15f) || d->op == 0x1c2 || d->op == 0x1c6;
    return snprintf(buf, len, xmm ? "xmm%d" : "mm%d", xmm ? r : r & 7);
}

void disas_insn(const DInsn *d, uint32_t eip, char *buf, size_t len)
{
    uint16_t attr = x86_op_attr[d->op];
    int size = (attr & A_BYTE) ? 1 : (d->rex & REX_W) ? 8 : (d->pfx & PFX_OP32) ? 4 : 2;
    int n = 0;
    bool simd = disas_is_simd(d->op);

    if (simd) {     /* mandatory prefixes */
        if (d->pfx & (PFX_REP | PFX_REPNE))
            n += snprintf(buf + n, len - n, (d->pfx & PFX_REP) ? "f3 " : "f2 ");
        else if (d->pfx & PFX_66)
            n += snprintf(buf + n, len - n, "66 ");
    } else if (d->pfx & PFX_REP) {
        n += snprintf(buf + n, len - n, "rep ");
    } else if (d->pfx & PFX_REPNE) {
        n += snprintf(buf + n, len - n, "repne ");
    }
    if (d->pfx & PFX_LOCK)
        n += snprintf(buf + n, len - n, "lock ");
    if (d->op == 0x138)
        n += snprintf(buf + n, len - n, "%-7s", disas_name_0f38(d->imm2));
    else if (d->op == 0x13a)
        n += snprintf(buf + n, len - n, "%-7s", d->imm2 == 0x0f ? "palignr" : "(0f3a)");
    else
        n += snprintf(buf + n, len - n, "%-7s", x86_op_name[d->op]);
    if (simd && (attr & A_M)) {
        char regtxt[8], rmtxt[48];
        bool fs = d->pfx & (PFX_REP | PFX_REPNE);
        /* general-register operands: r/m of movd/movq, cvtsi2ss/sd and
         * pinsrw; reg of cvt(t)ss2si/sd2si, movmskps/pd, pextrw, pmovmskb */
        bool gpr_rm = d->op == 0x16e || (d->op == 0x17e && !(d->pfx & PFX_REP)) ||
                      (d->op == 0x12a && fs) || d->op == 0x1c4;
        bool gpr_reg = ((d->op == 0x12c || d->op == 0x12d) && fs) || d->op == 0x150 ||
                       d->op == 0x1c5 || d->op == 0x1d7;
        int gsize = (d->rex & REX_W) ? 8 : 4;
        if (gpr_reg)
            snprintf(regtxt, sizeof(regtxt), "%s", disas_reg(d->reg, gsize));
        else
            disas_simd_reg(d, d->reg, regtxt, sizeof(regtxt));
        if (d->mod != 3)
            disas_mem(d, rmtxt, sizeof(rmtxt));
        else if (gpr_rm)
            snprintf(rmtxt, sizeof(rmtxt), "%s", disas_reg(d->rm, gsize));
        else
            disas_simd_reg(d, d->rm, rmtxt, sizeof(rmtxt));
        /* stores (r/m is the destination): movups/ss, movlps, movhps,
         * movaps, movntps, movd/movq r/m, movdqa/u, movq, movntq/dq */
        bool store = d->op == 0x111 || d->op == 0x113 || d->op == 0x117 || d->op == 0x129 ||
                     d->op == 0x12b || (d->op == 0x17e && !(d->pfx & PFX_REP)) ||
                     d->op == 0x17f || d->op == 0x1d6 || d->op == 0x1e7;
        if (d->op >= 0x171 && d->op <= 0x173)
            n += snprintf(buf + n, len - n, " /%d %s", d->reg, rmtxt);
        else if (store)
            n += snprintf(buf + n, len - n, " %s, %s", rmtxt, regtxt);
        else
            n += snprintf(buf + n, len - n, " %s, %s", regtxt, rmtxt);
        if (attr & A_IB)
            n += snprintf(buf + n, len - n, ", 0x%x", d->imm);
        return;
    }
    if ((d->op >= 0x40 && d->op < 0x60) || (d->op >= 0x91 && d->op < 0x98) ||
        (d->op >= 0xb8 && d->op < 0xc0) || (d->op >= 0x1c8 && d->op < 0x1d0))
        n += snprintf(buf + n, len - n, " %s", disas_reg(d->op & 7, size));
    else if (d->op >= 0xb0 && d->op < 0xb8)
        n += snprintf(buf + n, len - n, " %s", disas_reg8[d->op & 7]);
    if (attr & A_M) {
        char rmtxt[48];
        bool group = disas_is_group(d->op);
        /* specialised forms hold the destination in rm; otherwise bit 1 of
         * the classic opcodes says the reg field is the destination */
        bool normalised = d->h == H_MOV_RR32 || d->h == H_TEST_RR32 ||
                          (d->h >= H_ALU_RR32 && d->h < H_ALU_RR32 + 8);
        bool reg_dst = !group && !normalised && d->op < 0x100 && (d->op & 2) &&
                       d->op < 0x8c;
        const char *regname = d->op == 0x8c || d->op == 0x8e ? disas_seg[d->reg % 6]
                              : disas_reg(d->reg, size);
        if (d->mod == 3)
            snprintf(rmtxt, sizeof(rmtxt), "%s", disas_reg(d->rm, size));
        else
            disas_mem(d, rmtxt, sizeof(rmtxt));
        if (group)
            n += snprintf(buf + n, len - n, " /%d %s", d->reg, rmtxt);
        else if (reg_dst || d->op == 0x8e || (d->op >= 0x100 && d->op != 0x1a3 &&
                 d->op != 0x1ab && d->op != 0x1b3 && d->op != 0x1bb && d->op != 0x1a4 &&
                 d->op != 0x1a5 && d->op != 0x1ac && d->op != 0x1ad && d->op < 0x1b0))
            n += snprintf(buf + n, len - n, " %s, %s", regname, rmtxt);
        else
            n += snprintf(buf + n, len - n, " %s, %s", rmtxt, regname);
    }
    if (attr & A_MOFS) {
        n += snprintf(buf + n, len - n, " ");
        n += disas_mem(d, buf + n, len - n);
    }
    if ((attr & A_END) && (attr & (A_IB | A_IV)) && d->op != 0xcd) {
        uint32_t t = eip + d->len + ((attr & A_IB) ? (uint32_t)(int8_t)d->imm : d->imm);
        if (!(d->pfx & PFX_OP32))
            t &= 0xffff;
        n += snprintf(buf + n, len - n, " 0x%x", t);
    } else if (attr & A_FAR) {
        n += snprintf(buf + n, len - n, " 0x%x:0x%x", d->imm2, d->imm);
    } else if (attr & (A_IB | A_IV | A_IW | A_ENTER) || ((attr & A_GRP3) && d->reg < 2)) {
        n += snprintf(buf + n, len - n, "%s0x%x", (attr & A_M) ? ", " : " ", d->imm);
    }
    (void)n;
}
