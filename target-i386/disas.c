/*
 * A small disassembler for -d in_asm, driven by the same opcode table
 * (decode.def) and decoded record as the interpreter.  It names the opcode
 * and prints its ModRM operand, register and immediate in Intel order-ish;
 * exact AT&T/Intel syntax is not the goal, recognisable traces are.
 */
#include "target-i386/tcg.h"

static const char *const disas_reg32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const disas_reg16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const disas_reg8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const disas_seg[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

static const char *disas_reg(int r, int size)
{
    return size == 1 ? disas_reg8[r] : size == 2 ? disas_reg16[r] : disas_reg32[r];
}

static int disas_mem(const DInsn *d, char *buf, size_t len)
{
    const char *const *names = (d->pfx & PFX_AD32) ? disas_reg32 : disas_reg16;
    int n = snprintf(buf, len, "%s:[", disas_seg[d->seg]);
    const char *plus = "";
    if (d->base != EA_NONE) {
        n += snprintf(buf + n, len - n, "%s", names[d->base]);
        plus = "+";
    }
    if (d->index != EA_NONE) {
        n += snprintf(buf + n, len - n, "%s%s*%d", plus, names[d->index], 1 << d->scale);
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

void disas_insn(const DInsn *d, uint32_t eip, char *buf, size_t len)
{
    uint16_t attr = x86_op_attr[d->op];
    int size = (attr & A_BYTE) ? 1 : (d->pfx & PFX_OP32) ? 4 : 2;
    int n = 0;

    if (d->pfx & PFX_REP)
        n += snprintf(buf + n, len - n, "rep ");
    if (d->pfx & PFX_REPNE)
        n += snprintf(buf + n, len - n, "repne ");
    if (d->pfx & PFX_LOCK)
        n += snprintf(buf + n, len - n, "lock ");
    n += snprintf(buf + n, len - n, "%-7s", x86_op_name[d->op]);
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
