/*
 * x86 instruction decoder: prefixes, opcode maps, ModRM/SIB and 16/32-bit
 * addressing into a DInsn record (Intel SDM vol. 2, chapter 2 and appendix A).
 * The opcode attributes come from decode.def.
 */
#include "target-i386/tcg.h"

const uint16_t x86_op_attr[512] = {
#define X(op, name, attr) [op] = (attr),
#include "target-i386/decode.def"
#undef X
};

const char *const x86_op_name[512] = {
#define X(op, name, attr) [op] = name,
#include "target-i386/decode.def"
#undef X
};

#define NEED(n) do { if (p + (n) > avail) return p + (n) > 15 ? -2 : -1; } while (0)

static uint32_t decode_rd(const uint8_t *b, int n)
{
    uint32_t v = 0;
    memcpy(&v, b, n);
    return v;
}

/* 16-bit ModRM addressing (SDM vol. 2, table 2-1) */
static const uint8_t decode_base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
static const uint8_t decode_index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, EA_NONE, EA_NONE, EA_NONE, EA_NONE };

/* LOCK is only valid on memory-destination read-modify-write forms (SDM vol. 2, LOCK) */
static bool decode_lock_ok(const DInsn *d)
{
    int op = d->op;
    if (d->mod == 3)
        return false;
    if (op < 0x38 && (op & 7) < 2)
        return true;
    switch (op) {
    case 0x80: case 0x81: case 0x82: case 0x83: return d->reg != 7;
    case 0x86: case 0x87: return true;
    case 0xf6: case 0xf7: return d->reg == 2 || d->reg == 3;
    case 0xfe: case 0xff: return d->reg < 2;
    case 0x1ab: case 0x1b3: case 0x1bb: return true;
    case 0x1ba: return d->reg >= 5;
    case 0x1b0: case 0x1b1: case 0x1c0: case 0x1c1: return true;
    case 0x1c7: return d->reg == 1;
    }
    return false;
}

/* ModRM.reg is an opcode extension (/digit), which REX.R does not extend */
static bool decode_reg_is_opext(int op)
{
    switch (op) {
    case 0x80 ... 0x83: case 0x8f: case 0xc0: case 0xc1: case 0xc6: case 0xc7:
    case 0xd0 ... 0xd3: case 0xd8 ... 0xdf: case 0xf6: case 0xf7: case 0xfe: case 0xff:
    case 0x100: case 0x101: case 0x10d: case 0x118: case 0x171 ... 0x173: case 0x1ae: case 0x1ba:
    case 0x1c7:
        return true;
    }
    return false;
}

/* One-byte opcodes that are #UD in 64-bit mode (SDM vol. 2, appendix A.2.5):
 * segment push/pop of ES CS SS DS, BCD, PUSHA/POPA, BOUND, 82 alias,
 * far CALL/JMP ptr, LES/LDS (VEX there), INTO, AAM/AAD, SALC. */
static bool decode_invalid64(int op)
{
    switch (op) {
    case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e: case 0x1f:
    case 0x27: case 0x2f: case 0x37: case 0x3f: case 0x60: case 0x61: case 0x62:
    case 0x82: case 0x9a: case 0xc4: case 0xc5: case 0xce: case 0xd4: case 0xd5:
    case 0xd6: case 0xea:
        return true;
    }
    return false;
}

/* The hot handler families by operand width: 32-bit (also used in 64-bit
 * mode, where they zero-extend) and REX.W 64-bit */
typedef struct DecodeForms {
    uint16_t alu_rr, alu_ri, alu_rm, alu_mr, alu_mi, shift_ri, cmov;
    uint16_t mov_rr, load, store, lea, test_rr, test_mr, mov_mi, imul;
    uint8_t shift_mask;
} DecodeForms;

static const DecodeForms decode_forms[2] = {
    { H_ALU_RR32, H_ALU_RI32, H_ALU_RM32, H_ALU_MR32, H_ALU_MI32, H_SHIFT_RI32, H_CMOV32,
      H_MOV_RR32, H_LOAD32, H_STORE32, H_LEA32, H_TEST_RR32, H_TEST_MR32, H_MOV_MI32,
      H_IMUL32, 0x1f },
    { H_ALU_RR64, H_ALU_RI64, H_ALU_RM64, H_ALU_MR64, H_ALU_MI64, H_SHIFT_RI64, H_CMOV64,
      H_MOV_RR64, H_LOAD64, H_STORE64, H_LEA64, H_TEST_RR64, H_TEST_MR64, H_MOV_MI64,
      H_IMUL64, 0x3f },
};

/* Pick a specialised handler for the hot forms (see H_* in tcg.h). */
static void decode_specialise(DInsn *d, bool mode64)
{
    int op = d->op, op32 = d->pfx & PFX_OP32;
    const DecodeForms *f = &decode_forms[(d->rex & REX_W) ? 1 : 0];
    uint8_t t;

    if (d->pfx & (PFX_REP | PFX_REPNE | PFX_LOCK))
        return;
    if (op >= 0x70 && op <= 0x7f) {
        d->imm = (int8_t)d->imm;
        d->h = H_JCC + (op & 15);
        return;
    }
    if (op >= 0x180 && op <= 0x18f) {
        if (!op32)
            d->imm = (int16_t)d->imm;
        d->h = H_JCC + (op & 15);
        return;
    }
    if (op == 0xeb) {
        d->imm = (int8_t)d->imm;
        d->h = H_JMP;
        return;
    }
    if (op == 0xe9) {
        if (!op32)
            d->imm = (int16_t)d->imm;
        d->h = H_JMP;
        return;
    }
    if (op == 0x8a) {
        d->h = H_MOV8_LOAD;
        return;
    }
    if (op == 0x88) {
        d->h = H_MOV8_STORE;
        return;
    }
    if (op >= 0x190 && op <= 0x19f) {
        d->h = H_SETCC + (op & 15);
        return;
    }
    if (!op32)
        return;
    /* register-in-opcode, stack and near call/ret forms: in 64-bit mode the
     * stack and branches are 64-bit (the 66h forms returned above) */
    switch (op) {
    case 0x40 ... 0x47:
        d->rm = op & 7;
        d->h = H_INC32;
        return;
    case 0x48 ... 0x4f:
        d->rm = op & 7;
        d->h = H_DEC32;
        return;
    case 0x50 ... 0x57:
        d->rm = (op & 7) | (d->rex & REX_B) << 3;
        d->h = mode64 ? H_PUSH64 : H_PUSH32;
        return;
    case 0x58 ... 0x5f:
        d->rm = (op & 7) | (d->rex & REX_B) << 3;
        d->h = mode64 ? H_POP64 : H_POP32;
        return;
    case 0xe8:
        d->h = mode64 ? H_CALL64 : H_CALL32;
        return;
    case 0xc3:
        d->h = mode64 ? H_RET64 : H_RET32;
        return;
    case 0xb8 ... 0xbf:
        if (!(d->rex & REX_W)) {        /* with REX.W: imm64, generic */
            d->rm = (op & 7) | (d->rex & REX_B) << 3;
            d->h = H_MOV_RI32;
        }
        return;
    }
    /* the forms with a 32-bit and a 64-bit family */
    if (op < 0x40 && (op & 7) < 4 && (op & 1)) {
        if (d->mod != 3) {
            d->h = ((op & 2) ? f->alu_rm : f->alu_mr) + (op >> 3);
            return;
        }
        /* ALU Ev,Gv (01) / Gv,Ev (03) register forms */
        if (op & 2) {
            t = d->rm;
            d->rm = d->reg;
            d->reg = t;
        }
        d->h = f->alu_rr + (op >> 3);
        return;
    }
    switch (op) {
    case 0x89: case 0x8b:
        if (d->mod == 3) {
            if (op == 0x8b) {
                t = d->rm;
                d->rm = d->reg;
                d->reg = t;
            }
            d->h = f->mov_rr;
        } else {
            d->h = op == 0x8b ? f->load : f->store;
        }
        break;
    case 0x8d:
        if (d->mod != 3)
            d->h = f->lea;
        break;
    case 0x85:
        d->h = d->mod == 3 ? f->test_rr : f->test_mr;
        break;
    case 0x81: case 0x83:
        if (op == 0x83)
            d->imm = (int8_t)d->imm;
        d->h = (d->mod == 3 ? f->alu_ri : f->alu_mi) + d->reg;
        break;
    case 0xc7:
        if (d->mod != 3 && d->reg == 0)
            d->h = f->mov_mi;
        break;
    case 0x1b6:
        d->h = H_MOVZX8;
        break;
    case 0x1b7:
        d->h = H_MOVZX16;
        break;
    case 0x1af:
        d->h = f->imul;
        break;
    case 0x140 ... 0x14f:
        d->h = f->cmov + (op & 15);
        break;
    case 0xc1:
        if (d->mod == 3 && (d->imm & f->shift_mask)) {
            d->imm &= f->shift_mask;
            d->h = f->shift_ri + d->reg;
        }
        break;
    }
}

/*
 * Decode one instruction from buf[0..avail).  Returns its length, -1 if it
 * needs more bytes than available, -2 if it would exceed 15 bytes (#GP).
 */
int decode_insn_buf(const uint8_t *buf, int avail, int code32, DInsn *d)
{
    int p = 0, op, seg = -1, rex_end = -1;
    bool mode64 = code32 == DECODE_64;
    uint8_t pfx = code32 ? (PFX_OP32 | PFX_AD32) : 0, rex = 0;
    uint16_t attr;

    memset(d, 0, sizeof(*d));
    d->base = d->index = EA_NONE;
    d->mod = 3;
    for (;;) {
        NEED(1);
        op = buf[p++];
        if (mode64 && (op & 0xf0) == 0x40) {
            rex = DX_REX | (op & 15);
            rex_end = p;
            continue;
        }
        switch (op) {
        case 0x26: seg = R_ES; continue;
        case 0x2e: seg = R_CS; continue;
        case 0x36: seg = R_SS; continue;
        case 0x3e: seg = R_DS; continue;
        case 0x64: seg = R_FS; continue;
        case 0x65: seg = R_GS; continue;
        case 0x66: pfx ^= (pfx & 0x40) ? 0 : PFX_OP32; pfx |= 0x40; continue;
        case 0x67: pfx ^= (pfx & 0x80) ? 0 : PFX_AD32; pfx |= 0x80; continue;
        case 0xf0: pfx |= PFX_LOCK; continue;
        case 0xf2: pfx = (pfx & ~PFX_REP) | PFX_REPNE; continue;
        case 0xf3: pfx = (pfx & ~PFX_REPNE) | PFX_REP; continue;
        }
        break;
    }
    if (mode64) {
        /* a REX prefix counts only right before the opcode; 64-bit
         * addressing unless 67h (then 32-bit); SDM vol. 2, 2.2.1 */
        if (rex_end != p - 1)
            rex = 0;
        if (rex & REX_W)
            pfx |= PFX_OP32;        /* REX.W wins over 66h: 64-bit, imm32 */
        if (pfx & PFX_AD32)
            rex |= DX_AD64;
        pfx |= PFX_AD32;
    }
    pfx &= 0x3f | PFX_66;
    if (op == 0x0f) {
        NEED(1);
        op = 0x100 | buf[p++];
        if (op == 0x138 || op == 0x13a) {
            NEED(1);                /* three-byte maps: the third byte in imm2 */
            d->imm2 = buf[p++];
        }
    }
    attr = x86_op_attr[op];
    d->op = op;
    if (seg >= 0)
        pfx |= PFX_SEG;
    d->seg = seg >= 0 ? seg : R_DS;

    if (attr & A_M) {
        int modrm, mod, rm;
        NEED(1);
        modrm = buf[p++];
        mod = modrm >> 6;
        rm = modrm & 7;
        d->mod = mod;
        d->reg = ((modrm >> 3) & 7) | (decode_reg_is_opext(op) ? 0 : (rex & REX_R) << 1);
        d->rm = rm | ((rex & REX_B) << 3);
        if (mod != 3) {
            if (pfx & PFX_AD32) {
                d->scale = 0;
                if (rm == 4) {
                    int sib, base;
                    NEED(1);
                    sib = buf[p++];
                    base = sib & 7;
                    d->scale = sib >> 6;
                    d->index = (((sib >> 3) & 7) | ((rex & REX_X) << 2)) == 4 ? EA_NONE :
                               (((sib >> 3) & 7) | ((rex & REX_X) << 2));
                    if (base == 5 && mod == 0) {
                        NEED(4);
                        d->disp = decode_rd(buf + p, 4);
                        p += 4;
                    } else {
                        d->base = base | ((rex & REX_B) << 3);
                    }
                } else if (rm == 5 && mod == 0) {
                    NEED(4);
                    d->disp = decode_rd(buf + p, 4);
                    p += 4;
                    if (mode64)
                        d->base = EA_RIP;   /* relative to the next instruction */
                } else {
                    d->base = rm | ((rex & REX_B) << 3);
                }
                if (mod == 1) {
                    NEED(1);
                    d->disp = (int8_t)buf[p++];
                } else if (mod == 2) {
                    NEED(4);
                    d->disp = decode_rd(buf + p, 4);
                    p += 4;
                }
                if (seg < 0 && (d->base == R_ESP || d->base == R_EBP))
                    d->seg = R_SS;
            } else {
                if (mod == 0 && rm == 6) {
                    NEED(2);
                    d->disp = decode_rd(buf + p, 2);
                    p += 2;
                } else {
                    d->base = decode_base16[rm];
                    d->index = decode_index16[rm];
                    if (seg < 0 && d->base == R_EBP)
                        d->seg = R_SS;
                }
                if (mod == 1) {
                    NEED(1);
                    d->disp = (uint16_t)(int16_t)(int8_t)buf[p++];
                } else if (mod == 2) {
                    NEED(2);
                    d->disp = decode_rd(buf + p, 2);
                    p += 2;
                }
            }
        }
    }

    if (mode64 && (op == 0xe8 || op == 0xe9 || (op >= 0x180 && op <= 0x18f)))
        pfx |= PFX_OP32;            /* rel32 always: Intel ignores 66h here */
    if (attr & A_IB) {
        NEED(1);
        d->imm = buf[p++];
    } else if ((attr & A_IV) && (rex & REX_W) && op >= 0xb8 && op <= 0xbf) {
        NEED(8);                    /* MOV r64, imm64: high half in disp */
        d->imm = decode_rd(buf + p, 4);
        d->disp = decode_rd(buf + p + 4, 4);
        p += 8;
    } else if (attr & A_IV) {
        int n = (pfx & PFX_OP32) ? 4 : 2;
        NEED(n);
        d->imm = decode_rd(buf + p, n);
        p += n;
    } else if (attr & A_IW) {
        NEED(2);
        d->imm = decode_rd(buf + p, 2);
        p += 2;
    } else if (attr & A_FAR) {
        int n = (pfx & PFX_OP32) ? 4 : 2;
        NEED(n + 2);
        d->imm = decode_rd(buf + p, n);
        d->imm2 = decode_rd(buf + p + n, 2);
        p += n + 2;
    } else if ((attr & A_MOFS) && (rex & DX_AD64)) {
        NEED(8);                    /* moffs64: high half in imm */
        d->disp = decode_rd(buf + p, 4);
        d->imm = decode_rd(buf + p + 4, 4);
        p += 8;
    } else if (attr & A_MOFS) {
        int n = (pfx & PFX_AD32) ? 4 : 2;
        NEED(n);
        d->disp = decode_rd(buf + p, n);
        p += n;
    } else if (attr & A_ENTER) {
        NEED(3);
        d->imm = decode_rd(buf + p, 2);
        d->imm2 = buf[p + 2];
        p += 3;
    } else if ((attr & A_GRP3) && d->reg < 2) {
        int n = (op & 1) ? ((pfx & PFX_OP32) ? 4 : 2) : 1;
        NEED(n);
        d->imm = decode_rd(buf + p, n);
        p += n;
    }
    if (p > 15)
        return -2;
    d->pfx = pfx;
    d->rex = rex;
    d->len = p;
    d->h = op;
    if ((pfx & PFX_LOCK) && !decode_lock_ok(d))
        d->h = H_UD;
    else if (mode64 && decode_invalid64(op))
        d->h = H_UD;
    else
        decode_specialise(d, mode64);
    return p;
}
