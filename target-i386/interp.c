/*
 * The tier-0 interpreter: runs a block of decoded records (DInsn), hot forms
 * threaded, the rest through one switch over the opcode.  Integer, BCD, bit
 * and control-transfer instructions of the 386-P6 integer set, 16/32-bit
 * (Intel SDM vol. 2); system and string instructions are in interp-sys.c and
 * interp-str.c.  Registers are committed only after every access that can
 * fault succeeded.
 */
#include "core/cpus.h"
#include "target-i386/interp-alu.h"
#include "target-i386/interp.h"

/* ---- BCD ---- */

static void interp_bcd(X86CPU *cpu, int op, uint8_t imm)
{
    CPUX86State *env = &cpu->env;
    uint32_t al = (uint8_t)env->regs[R_EAX], ah = (uint8_t)(env->regs[R_EAX] >> 8);
    uint32_t f = env->eflags & CC_MASK, old_al = al;
    bool old_cf = f & CC_C, af = f & CC_A;

    switch (op) {
    case 0x27: /* DAA */
        f &= ~(CC_C | CC_A);
        if ((al & 0xf) > 9 || af) {
            f |= CC_A | ((old_cf || al + 6 > 0xff) ? CC_C : 0);
            al = (al + 6) & 0xff;
        }
        if (old_al > 0x99 || old_cf) {
            al = (al + 0x60) & 0xff;
            f |= CC_C;
        } else {
            f &= ~CC_C;
        }
        f = (f & ~(CC_S | CC_Z | CC_P | CC_O)) | alu_szp(al, 1);
        interp_wr_reg(env, 1, R_EAX, al);
        break;
    case 0x2f: /* DAS */
        f &= ~(CC_C | CC_A);
        if ((al & 0xf) > 9 || af) {
            f |= CC_A | ((old_cf || al < 6) ? CC_C : 0);
            al = (al - 6) & 0xff;
        }
        if (old_al > 0x99 || old_cf) {
            al = (al - 0x60) & 0xff;
            f |= CC_C;
        }
        f = (f & ~(CC_S | CC_Z | CC_P | CC_O)) | alu_szp(al, 1);
        interp_wr_reg(env, 1, R_EAX, al);
        break;
    case 0x37: /* AAA */
    case 0x3f: /* AAS */ {
        uint32_t axv = (uint16_t)env->regs[R_EAX];
        if ((al & 0xf) > 9 || af) {
            axv = op == 0x37 ? axv + 0x106 : axv - 6 - 0x100;
            f |= CC_A | CC_C;
        } else {
            f &= ~(CC_A | CC_C);
        }
        axv = (axv & 0xff00) | (axv & 0x0f);
        f = (f & ~(CC_S | CC_Z | CC_P | CC_O)) | alu_szp(axv & 0xff, 1);
        interp_wr_reg(env, 2, R_EAX, axv);
        break;
    }
    case 0xd4: /* AAM */
        if (imm == 0)
            raise_exception(cpu, EXCP00_DIVZ);
        ah = al / imm;
        al = al % imm;
        interp_wr_reg(env, 2, R_EAX, (ah << 8) | al);
        f = (f & ~(CC_S | CC_Z | CC_P | CC_O | CC_A | CC_C)) | alu_szp(al, 1);
        break;
    default:   /* 0xd5 AAD */
        al = (al + ah * imm) & 0xff;
        interp_wr_reg(env, 2, R_EAX, al);
        f = (f & ~(CC_S | CC_Z | CC_P | CC_O | CC_A | CC_C)) | alu_szp(al, 1);
        break;
    }
    interp_set_cc(env, CC_MASK, f);
}

/* ---- DIV/IDIV ---- */

static void interp_div(X86CPU *cpu, int is_signed, int size, uint64_t src)
{
    CPUX86State *env = &cpu->env;

    if (src == 0)
        raise_exception(cpu, EXCP00_DIVZ);
    if (size == 1) {
        uint32_t n = (uint16_t)env->regs[R_EAX], q, r;
        if (is_signed) {
            int32_t sn = (int16_t)n, sd = (int8_t)src, sq = sn / sd;
            if (sq != (int8_t)sq)
                raise_exception(cpu, EXCP00_DIVZ);
            q = sq & 0xff;
            r = (sn % sd) & 0xff;
        } else {
            q = n / (uint8_t)src;
            if (q > 0xff)
                raise_exception(cpu, EXCP00_DIVZ);
            r = n % (uint8_t)src;
        }
        interp_wr_reg(env, 2, R_EAX, (r << 8) | q);
    } else if (size == 2) {
        uint32_t n = ((uint32_t)(uint16_t)env->regs[R_EDX] << 16) | (uint16_t)env->regs[R_EAX];
        uint32_t q, r;
        if (is_signed) {
            int32_t sn = (int32_t)n, sd = (int16_t)src, sq;
            if (sn == INT32_MIN && sd == -1)
                raise_exception(cpu, EXCP00_DIVZ);
            sq = sn / sd;
            if (sq != (int16_t)sq)
                raise_exception(cpu, EXCP00_DIVZ);
            q = sq & 0xffff;
            r = (sn % sd) & 0xffff;
        } else {
            q = n / (uint16_t)src;
            if (q > 0xffff)
                raise_exception(cpu, EXCP00_DIVZ);
            r = n % (uint16_t)src;
        }
        interp_wr_reg(env, 2, R_EAX, q);
        interp_wr_reg(env, 2, R_EDX, r);
    } else if (size == 8) {
        unsigned __int128 n = ((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX];
        uint64_t q, r;
        if (is_signed) {
            __int128 sn = (__int128)n, sd = (int64_t)src, sq;
            if ((int64_t)src == -1 && n == (unsigned __int128)1 << 127)
                raise_exception(cpu, EXCP00_DIVZ);      /* INT128_MIN / -1 */
            sq = sn / sd;
            if (sq != (int64_t)sq)
                raise_exception(cpu, EXCP00_DIVZ);
            q = (uint64_t)sq;
            r = (uint64_t)(sn % sd);
        } else {
            unsigned __int128 uq = n / src;
            if (uq >> 64)
                raise_exception(cpu, EXCP00_DIVZ);
            q = (uint64_t)uq;
            r = (uint64_t)(n % src);
        }
        env->regs[R_EAX] = q;
        env->regs[R_EDX] = r;
    } else {
        uint64_t n = ((uint64_t)(uint32_t)env->regs[R_EDX] << 32) | (uint32_t)env->regs[R_EAX];
        uint32_t q, r;
        src = (uint32_t)src;
        if (is_signed) {
            int64_t sn = (int64_t)n, sd = (int32_t)(uint32_t)src, sq;
            if (sn == INT64_MIN && sd == -1)
                raise_exception(cpu, EXCP00_DIVZ);
            sq = sn / sd;
            if (sq != (int32_t)sq)
                raise_exception(cpu, EXCP00_DIVZ);
            q = (uint32_t)sq;
            r = (uint32_t)(sn % sd);
        } else {
            uint64_t uq = n / src;
            if (uq > 0xffffffffull)
                raise_exception(cpu, EXCP00_DIVZ);
            q = uq;
            r = n % src;
        }
        env->regs[R_EAX] = q;
        env->regs[R_EDX] = r;
    }
}

/* ---- group 2 ---- */

static ALWAYS_INLINE void interp_shift(X86CPU *cpu, const DInsn *d, int size, uint32_t cnt)
{
    CPUX86State *env = &cpu->env;
    uint64_t lin = 0, v, r;
    uint32_t f;
    int op = d->reg;

    cnt &= size == 8 ? 0x3f : 0x1f;
    if (d->mod == 3) {
        v = interp_rd_reg_x(env, size, d->rm, d->rex);
    } else {
        lin = seg_addr(cpu, d->seg, interp_ea(env, d), size, 1);
        v = cpu_ld_lin(cpu, lin, size);
    }
    if (cnt == 0) {
        /* no flags change and no memory write (the access checks ran); a
         * 32-bit register is still written, so 64-bit mode zero-extends it */
        if (d->mod == 3 && size == 4)
            interp_wr_reg_x(env, 4, d->rm, v, d->rex);
        return;
    }
    r = alu_shift(op, size, v, cnt, env->eflags & CC_C, &f);
    if (d->mod == 3)
        interp_wr_reg_x(env, size, d->rm, r, d->rex);
    else
        cpu_st_lin(cpu, lin, r, size);
    if (op < 4)
        interp_set_cc(env, CC_C | CC_O, f);
    else
        interp_set_cc(env, CC_MASK, f);
}

/* ---- bit tests ---- */

static void interp_bt(X86CPU *cpu, const DInsn *d, int size, int op, uint64_t bit, bool imm)
{
    CPUX86State *env = &cpu->env;
    uint64_t v, lin = 0, mask;

    if (d->mod == 3) {
        bit &= size * 8 - 1;
        v = interp_rd_reg_x(env, size, d->rm, d->rex);
    } else {
        uint64_t off = interp_ea(env, d);
        if (imm) {
            bit &= size * 8 - 1;
        } else {
            /* the bit offset is signed and selects a size-aligned unit */
            int64_t sbit = (int64_t)interp_sext(bit, size);
            int ad = interp_adsize(d);
            off += (uint64_t)((sbit >> (size == 2 ? 4 : size == 4 ? 5 : 6)) * size);
            off = ad == 8 ? off : ad == 4 ? (uint32_t)off : (uint16_t)off;
            bit = sbit & (size * 8 - 1);
        }
        lin = seg_addr(cpu, d->seg, off, size, op != 0);
        v = cpu_ld_lin(cpu, lin, size);
    }
    mask = 1ull << bit;
    if (op) {
        uint64_t nv = op == 1 ? (v | mask) : op == 2 ? (v & ~mask) : (v ^ mask);
        if (d->mod == 3)
            interp_wr_reg_x(env, size, d->rm, nv, d->rex);
        else
            cpu_st_lin(cpu, lin, nv, size);
    }
    interp_set_cc(env, CC_C, (v & mask) ? CC_C : 0);
}

/* ---- far pointers from memory ---- */

static void interp_load_far(X86CPU *cpu, const DInsn *d, int osz, uint64_t *off, uint16_t *sel)
{
    uint64_t ea = interp_ea(&cpu->env, d);
    uint64_t ea2 = ea + osz;
    int ad = interp_adsize(d);
    ea2 = ad == 8 ? ea2 : ad == 4 ? (uint32_t)ea2 : (uint16_t)ea2;
    *off = cpu_ld(cpu, d->seg, ea, osz);
    *sel = cpu_ld(cpu, d->seg, ea2, 2);
}

/* ---- ENTER ---- */

static void interp_enter(X86CPU *cpu, uint32_t frame, int level, int osz)
{
    CPUX86State *env = &cpu->env;
    uint64_t m = sp_mask(cpu);
    uint64_t sp = env->regs[R_ESP], bp = env->regs[R_EBP], frame_ptr;

    level &= 31;
    sp -= osz;
    cpu_st(cpu, R_SS, sp & m, bp, osz);
    frame_ptr = sp;
    if (level > 0) {
        for (int i = 1; i < level; i++) {
            bp -= osz;
            sp -= osz;
            cpu_st(cpu, R_SS, sp & m, cpu_ld(cpu, R_SS, bp & m, osz), osz);
        }
        sp -= osz;
        cpu_st(cpu, R_SS, sp & m, frame_ptr, osz);
    }
    sp -= frame;
    /* commit */
    if (osz == 2)
        interp_wr_reg(env, 2, R_EBP, frame_ptr);
    else if (m == 0xffffffffu)
        env->regs[R_EBP] = (uint32_t)frame_ptr;
    else
        env->regs[R_EBP] = (env->regs[R_EBP] & ~m) | (frame_ptr & m);
    set_esp(cpu, sp);
}

/* ---- the interpreter ---- */

/* operand size; SSZ for the stack and near branches, 64-bit by default in
 * 64-bit mode (66h: 16) */
#define OSZ ((d->rex & REX_W) ? 8 : (d->pfx & PFX_OP32) ? 4 : 2)
#define SSZ (cpu->code64 ? ((d->pfx & PFX_OP32) ? 8 : 2) : OSZ)
/* an imm16/32 operand sign-extended for 64-bit operations */
#define IMMV ((uint64_t)(int64_t)(int32_t)d->imm)
#define IMM8 ((uint64_t)(int8_t)d->imm)
/* general registers of the record (REX-aware byte registers) */
#define RD(size, r) interp_rd_reg_x(env, size, r, d->rex)
#define WR(size, r, v) interp_wr_reg_x(env, size, r, v, d->rex)
#define UD() raise_exception(cpu, EXCP06_ILLOP)

/* A relative near branch: the target wraps to the operand size outside 64-bit mode */
static ALWAYS_INLINE void interp_jrel(X86CPU *cpu, const DInsn *d, int64_t rel)
{
    uint64_t t = cpu->env.eip + rel;
    if (!cpu->code64)
        t = (d->pfx & PFX_OP32) ? (uint32_t)t : (uint16_t)t;
    interp_jump(cpu, t);
}

static ALWAYS_INLINE void interp_alu_rm(X86CPU *cpu, const DInsn *d, int op, int size,
                                        uint64_t src)
{
    CPUX86State *env = &cpu->env;
    uint64_t lin = 0, v, r;
    uint32_t f;

    if (d->mod == 3) {
        v = RD(size, d->rm);
    } else if (op == ALU_CMP) {
        v = cpu_ld(cpu, d->seg, interp_ea(env, d), size);
    } else {
        lin = seg_addr(cpu, d->seg, interp_ea(env, d), size, 1);
        v = cpu_ld_lin(cpu, lin, size);
    }
    r = alu2(op, size, v, src, env->eflags & CC_C, &f);
    if (op != ALU_CMP) {
        if (d->mod == 3)
            WR(size, d->rm, r);
        else
            cpu_st_lin(cpu, lin, r, size);
    }
    interp_set_cc(env, CC_MASK, f);
}

static ALWAYS_INLINE void interp_one(X86CPU *cpu, const DInsn *d);

static ALWAYS_INLINE void interp_one(X86CPU *cpu, const DInsn *d)
{
    CPUX86State *env = &cpu->env;
    uint32_t op = d->op, f;
    uint64_t v, r, lin;
    int size;

    switch (d->h) {
    case H_UD:
        UD();

    /* ---- generic forms, by opcode ---- */
    /* ALU r/m, reg / reg, r/m / acc, imm */
    case 0x00: case 0x01: case 0x08: case 0x09: case 0x10: case 0x11: case 0x18: case 0x19:
    case 0x20: case 0x21: case 0x28: case 0x29: case 0x30: case 0x31: case 0x38: case 0x39:
        size = (op & 1) ? OSZ : 1;
        interp_alu_rm(cpu, d, op >> 3, size, RD(size, d->reg));
        break;
    case 0x02: case 0x03: case 0x0a: case 0x0b: case 0x12: case 0x13: case 0x1a: case 0x1b:
    case 0x22: case 0x23: case 0x2a: case 0x2b: case 0x32: case 0x33: case 0x3a: case 0x3b:
        size = (op & 1) ? OSZ : 1;
        v = interp_ld_rm(cpu, d, size);
        r = alu2(op >> 3, size, RD(size, d->reg), v, env->eflags & CC_C, &f);
        if ((op >> 3) != ALU_CMP)
            WR(size, d->reg, r);
        interp_set_cc(env, CC_MASK, f);
        break;
    case 0x04: case 0x05: case 0x0c: case 0x0d: case 0x14: case 0x15: case 0x1c: case 0x1d:
    case 0x24: case 0x25: case 0x2c: case 0x2d: case 0x34: case 0x35: case 0x3c: case 0x3d:
        size = (op & 1) ? OSZ : 1;
        r = alu2(op >> 3, size, RD(size, R_EAX), IMMV, env->eflags & CC_C, &f);
        if ((op >> 3) != ALU_CMP)
            WR(size, R_EAX, r);
        interp_set_cc(env, CC_MASK, f);
        break;
    case 0x80: case 0x82:
        interp_alu_rm(cpu, d, d->reg, 1, d->imm);
        break;
    case 0x81:
        interp_alu_rm(cpu, d, d->reg, OSZ, IMMV);
        break;
    case 0x83:
        interp_alu_rm(cpu, d, d->reg, OSZ, IMM8);
        break;

    /* segment push/pop */
    case 0x06: case 0x0e: case 0x16: case 0x1e:
        cpu_push(cpu, env->segs[op >> 3].selector, OSZ);
        break;
    case 0x1a0: case 0x1a8:
        cpu_push(cpu, env->segs[op == 0x1a0 ? R_FS : R_GS].selector, SSZ);
        break;
    case 0x07: case 0x17: case 0x1f: case 0x1a1: case 0x1a9: {
        int s = op == 0x1a1 ? R_FS : op == 0x1a9 ? R_GS : (int)(op >> 3);
        uint64_t sp = env->regs[R_ESP];
        v = cpu_ld(cpu, R_SS, sp & sp_mask(cpu), SSZ);
        seg_load(cpu, s, v);
        set_esp(cpu, sp + SSZ);
        if (s == R_SS) {
            env->interrupt_shadow = true;
            cpu->stop = 1;
        }
        break;
    }

    case 0x27: case 0x2f: case 0x37: case 0x3f:
        interp_bcd(cpu, op, 0);
        break;
    case 0xd4: case 0xd5:
        interp_bcd(cpu, op, d->imm);
        break;

    case 0x40 ... 0x47:
        r = alu1(ALU1_INC, OSZ, RD(OSZ, op & 7), &f);
        WR(OSZ, op & 7, r);
        interp_set_cc(env, CC_MASK & ~CC_C, f);
        break;
    case 0x48 ... 0x4f:
        r = alu1(ALU1_DEC, OSZ, RD(OSZ, op & 7), &f);
        WR(OSZ, op & 7, r);
        interp_set_cc(env, CC_MASK & ~CC_C, f);
        break;
    case 0x50 ... 0x57:
        cpu_push(cpu, RD(SSZ, (op & 7) | (d->rex & REX_B) << 3), SSZ);
        break;
    case 0x58 ... 0x5f:
        v = cpu_pop(cpu, SSZ);
        WR(SSZ, (op & 7) | (d->rex & REX_B) << 3, v);
        break;
    case 0x60: {    /* PUSHA */
        uint64_t m = sp_mask(cpu), sp = env->regs[R_ESP];
        int s = OSZ;
        for (int i = 0; i < 8; i++)
            cpu_st(cpu, R_SS, (sp - (i + 1) * s) & m,
                   i == R_ESP ? sp : RD(s, i), s);
        set_esp(cpu, sp - 8 * s);
        break;
    }
    case 0x61: {    /* POPA */
        uint64_t m = sp_mask(cpu), sp = env->regs[R_ESP], vals[8];
        int s = OSZ;
        for (int i = 0; i < 8; i++)
            vals[7 - i] = cpu_ld(cpu, R_SS, (sp + i * s) & m, s);
        for (int i = 0; i < 8; i++)
            if (i != R_ESP)
                WR(s, i, vals[i]);
        set_esp(cpu, sp + 8 * s);
        break;
    }
    case 0x62: {    /* BOUND */
        int s = OSZ;
        uint64_t ea = interp_ea(env, d), lo, hi;
        int32_t idx;
        if (d->mod == 3)
            UD();
        lo = cpu_ld(cpu, d->seg, ea, s);
        hi = cpu_ld(cpu, d->seg, (ea + s) & ((d->pfx & PFX_AD32) ? ~0u : 0xffff), s);
        idx = interp_sext(RD(s, d->reg), s);
        if (idx < (int32_t)interp_sext(lo, s) || idx > (int32_t)interp_sext(hi, s))
            raise_exception(cpu, EXCP05_BOUND);
        break;
    }
    case 0x63: {    /* ARPL; MOVSXD in 64-bit mode */
        if (cpu->code64) {
            WR(OSZ, d->reg, interp_sext(interp_ld_rm(cpu, d, 4), 4));
            break;
        }
        if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK))
            UD();
        lin = 0;
        if (d->mod == 3) {
            v = RD(2, d->rm);
        } else {
            lin = seg_addr(cpu, d->seg, interp_ea(env, d), 2, 1);
            v = cpu_ld_lin(cpu, lin, 2);
        }
        r = RD(2, d->reg);
        if ((v & 3) < (r & 3)) {
            v = (v & ~3u) | (r & 3);
            if (d->mod == 3)
                WR(2, d->rm, v);
            else
                cpu_st_lin(cpu, lin, v, 2);
            interp_set_cc(env, CC_Z, CC_Z);
        } else {
            interp_set_cc(env, CC_Z, 0);
        }
        break;
    }
    case 0x68:
        cpu_push(cpu, IMMV, SSZ);
        break;
    case 0x6a:
        cpu_push(cpu, IMM8, SSZ);
        break;
    case 0x69: case 0x6b: case 0x1af: {
        int s = OSZ;
        uint64_t b = op == 0x69 ? IMMV : op == 0x6b ? IMM8 : RD(s, d->reg);
        if (op == 0x1af) {
            r = alu_imul2(s, b, interp_ld_rm(cpu, d, s), &f);
        } else {
            r = alu_imul2(s, interp_ld_rm(cpu, d, s), b, &f);
        }
        WR(s, d->reg, r);
        interp_set_cc(env, CC_MASK, f);
        break;
    }
    case 0x6c: case 0x6e: case 0xa4: case 0xa6: case 0xaa: case 0xac: case 0xae:
        interp_string(cpu, d, 1);
        break;
    case 0x6d: case 0x6f: case 0xa5: case 0xa7: case 0xab: case 0xad: case 0xaf:
        interp_string(cpu, d, OSZ);
        break;

    case 0x70 ... 0x7f:
        if (interp_cond(env->eflags, op & 15))
            interp_jrel(cpu, d, (int8_t)d->imm);
        break;
    case 0x180 ... 0x18f:
        if (interp_cond(env->eflags, op & 15))
            interp_jrel(cpu, d, (d->pfx & PFX_OP32) ? (int32_t)d->imm : (int16_t)d->imm);
        break;

    case 0x84: case 0x85:
        size = (op & 1) ? OSZ : 1;
        alu2(ALU_AND, size, interp_ld_rm(cpu, d, size), RD(size, d->reg), 0, &f);
        interp_set_cc(env, CC_MASK, f);
        break;
    case 0xa8: case 0xa9:
        size = (op & 1) ? OSZ : 1;
        alu2(ALU_AND, size, RD(size, R_EAX), IMMV, 0, &f);
        interp_set_cc(env, CC_MASK, f);
        break;
    case 0x86: case 0x87:
        size = (op & 1) ? OSZ : 1;
        if (d->mod == 3) {
            v = RD(size, d->rm);
            WR(size, d->rm, RD(size, d->reg));
        } else {
            lin = seg_addr(cpu, d->seg, interp_ea(env, d), size, 1);
            v = cpu_ld_lin(cpu, lin, size);
            cpu_st_lin(cpu, lin, RD(size, d->reg), size);
        }
        WR(size, d->reg, v);
        break;
    case 0x88: case 0x89:
        size = (op & 1) ? OSZ : 1;
        interp_st_rm(cpu, d, size, RD(size, d->reg));
        break;
    case 0x8a: case 0x8b:
        size = (op & 1) ? OSZ : 1;
        WR(size, d->reg, interp_ld_rm(cpu, d, size));
        break;
    case 0x8c:
        if (d->reg > 5)
            UD();
        v = env->segs[d->reg].selector;
        if (d->mod == 3)
            WR(OSZ, d->rm, v);
        else
            interp_st_rm(cpu, d, 2, v);
        break;
    case 0x8d:
        if (d->mod == 3)
            UD();
        WR(OSZ, d->reg, interp_ea(env, d));
        break;
    case 0x8e:
        if (d->reg > 5 || d->reg == R_CS)
            UD();
        seg_load(cpu, d->reg, interp_ld_rm(cpu, d, 2));
        if (d->reg == R_SS) {
            env->interrupt_shadow = true;
            cpu->stop = 1;
        }
        break;
    case 0x8f: {    /* POP r/m: ESP is incremented before the EA is computed */
        uint64_t sp = env->regs[R_ESP];
        int s = SSZ;
        v = cpu_ld(cpu, R_SS, sp & sp_mask(cpu), s);
        set_esp(cpu, sp + s);
        if (d->mod == 3) {
            WR(s, d->rm, v);
        } else {
            uint64_t ea = interp_ea(env, d);
            uint64_t saved_sp = env->regs[R_ESP];
            /* restore ESP if the store faults */
            env->regs[R_ESP] = (env->regs[R_ESP] & ~sp_mask(cpu)) | (sp & sp_mask(cpu));
            lin = seg_addr(cpu, d->seg, ea, s, 1);
            env->regs[R_ESP] = saved_sp;
            {
                TLBEntry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
                if (!(e->tag_w == (lin & ~0xfffull) && (lin & 0xfff) <= 0x1000u - s)) {
                    /* take a possible #PF with ESP restored */
                    uint64_t saved = env->regs[R_ESP];
                    env->regs[R_ESP] = (env->regs[R_ESP] & ~(uint64_t)sp_mask(cpu)) |
                                       (sp & sp_mask(cpu));
                    tlb_fill(cpu, lin, 1, cpu->mmu_user);
                    if ((lin & 0xfff) > 0x1000u - s)
                        tlb_fill(cpu, (lin + s - 1) & ~0xfffu, 1, cpu->mmu_user);
                    env->regs[R_ESP] = saved;
                }
            }
            cpu_st_lin(cpu, lin, v, s);
        }
        break;
    }

    case 0x90:
        if (!(d->rex & REX_B)) {        /* 90 is NOP, but 41 90 is XCHG R8, RAX */
            if (d->pfx & PFX_REP)
                __builtin_ia32_pause();
            break;
        }
        /* fall through */
    case 0x91 ... 0x97: {
        int rr = (op & 7) | (d->rex & REX_B) << 3;
        size = OSZ;
        v = RD(size, rr);
        WR(size, rr, RD(size, R_EAX));
        WR(size, R_EAX, v);
        break;
    }
    case 0x98:      /* CBW CWDE CDQE */
        WR(OSZ, R_EAX, interp_sext(env->regs[R_EAX], OSZ / 2));
        break;
    case 0x99:      /* CWD CDQ CQO */
        WR(OSZ, R_EDX, (interp_sext(env->regs[R_EAX], OSZ) >> 63) ? ~0ull : 0);
        break;
    case 0x9a:
        seg_far_call(cpu, d->imm2, d->imm, OSZ, env->eip);
        break;
    case 0x9b:      /* FWAIT */
        if ((env->cr[0] & (CR0_TS_MASK | CR0_MP_MASK)) == (CR0_TS_MASK | CR0_MP_MASK))
            raise_exception(cpu, EXCP07_PREX);
        fpu_check_pending(cpu);
        break;
    case 0x9c:
        interp_check_iopl_v86(cpu);
        cpu_push(cpu, env->eflags & ~(VM_MASK | RF_MASK), SSZ);
        break;
    case 0x9d: {
        uint64_t sp = env->regs[R_ESP];
        interp_check_iopl_v86(cpu);
        v = cpu_ld(cpu, R_SS, sp & sp_mask(cpu), SSZ);
        interp_write_eflags(cpu, v, SSZ);
        set_esp(cpu, sp + SSZ);
        cpu->stop = 1;
        break;
    }
    case 0x9e:
        interp_set_cc(env, CC_S | CC_Z | CC_A | CC_P | CC_C, (uint8_t)(env->regs[R_EAX] >> 8));
        break;
    case 0x9f:
        WR(1, 4, (env->eflags & 0xd5) | 2);
        break;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
        /* moffs: 64-bit in 64-bit mode (high half in imm) */
        uint64_t a = (d->rex & DX_AD64) ? d->disp | (uint64_t)d->imm << 32 : d->disp;
        size = (op & 1) ? OSZ : 1;
        if (op < 0xa2)
            WR(size, R_EAX, cpu_ld(cpu, d->seg, a, size));
        else
            cpu_st(cpu, d->seg, a, RD(size, R_EAX), size);
        break;
    }
    case 0xb0 ... 0xb7:
        WR(1, (op & 7) | (d->rex & REX_B) << 3, d->imm);
        break;
    case 0xb8 ... 0xbf:     /* with REX.W: imm64, high half in disp */
        WR(OSZ, (op & 7) | (d->rex & REX_B) << 3, d->imm | (uint64_t)d->disp << 32);
        break;

    case 0xc0: case 0xc1:
        interp_shift(cpu, d, (op & 1) ? OSZ : 1, d->imm);
        break;
    case 0xd0: case 0xd1:
        interp_shift(cpu, d, (op & 1) ? OSZ : 1, 1);
        break;
    case 0xd2: case 0xd3:
        interp_shift(cpu, d, (op & 1) ? OSZ : 1, (uint8_t)env->regs[R_ECX]);
        break;

    case 0xc2: case 0xc3: {
        uint64_t sp = env->regs[R_ESP];
        int s = SSZ;
        v = cpu_ld(cpu, R_SS, sp & sp_mask(cpu), s);
        interp_jump(cpu, v);
        set_esp(cpu, sp + s + (op == 0xc2 ? d->imm : 0));
        break;
    }
    case 0xc4: case 0xc5: case 0x1b2: case 0x1b4: case 0x1b5: {
        uint64_t off;
        uint16_t sel;
        int s = op == 0xc4 ? R_ES : op == 0xc5 ? R_DS : op == 0x1b2 ? R_SS
                : op == 0x1b4 ? R_FS : R_GS;
        if (d->mod == 3)
            UD();
        interp_load_far(cpu, d, OSZ, &off, &sel);
        seg_load(cpu, s, sel);
        WR(OSZ, d->reg, off);
        break;
    }
    case 0xc6: case 0xc7:
        size = (op & 1) ? OSZ : 1;
        interp_st_rm(cpu, d, size, IMMV);
        break;
    case 0xc8:
        interp_enter(cpu, d->imm, d->imm2, SSZ);
        break;
    case 0xc9: {
        uint64_t m = sp_mask(cpu), bp = env->regs[R_EBP];
        v = cpu_ld(cpu, R_SS, bp & m, SSZ);
        set_esp(cpu, bp + SSZ);
        WR(SSZ, R_EBP, v);
        break;
    }
    case 0xca: case 0xcb:
        seg_far_ret(cpu, OSZ, op == 0xca ? d->imm : 0);
        break;
    case 0xcc:
        raise_interrupt(cpu, EXCP03_INT3, 1, 0, false, env->eip);
    case 0xcd:
        raise_interrupt(cpu, d->imm, 1, 0, false, env->eip);
    case 0xce:
        if (env->eflags & CC_O)
            raise_interrupt(cpu, EXCP04_INTO, 1, 0, false, env->eip);
        break;
    case 0xcf:
        seg_iret(cpu, OSZ);
        break;
    case 0xd6:
        WR(1, R_EAX, (env->eflags & CC_C) ? 0xff : 0);
        break;
    case 0xd7: {
        int ad = interp_adsize(d);
        uint64_t a = env->regs[R_EBX] + (uint8_t)env->regs[R_EAX];
        a = ad == 8 ? a : ad == 4 ? (uint32_t)a : (uint16_t)a;
        WR(1, R_EAX, cpu_ld(cpu, d->seg, a, 1));
        break;
    }
    case 0xd8 ... 0xdf:     /* x87 escape */
        if (env->cr[0] & (CR0_EM_MASK | CR0_TS_MASK))
            raise_exception(cpu, EXCP07_PREX);
        fpu_exec(cpu, d, d->mod == 3 ? 0 : interp_ea(env, d));
        break;

    case 0xe0: case 0xe1: case 0xe2: case 0xe3: {
        int ad = interp_adsize(d);
        uint64_t c = interp_str_reg(env, R_ECX, ad);
        bool take;
        if (op != 0xe3) {
            c--;
            interp_str_set(env, R_ECX, c, ad);
            c = interp_str_reg(env, R_ECX, ad);
            take = c != 0;
            if (op == 0xe0)
                take = take && !(env->eflags & CC_Z);
            else if (op == 0xe1)
                take = take && (env->eflags & CC_Z);
        } else {
            take = c == 0;
        }
        if (take)
            interp_jrel(cpu, d, (int8_t)d->imm);
        break;
    }
    case 0xe4: case 0xe5:       /* IN/OUT: REX.W does not widen the port access */
        size = (op & 1) ? MIN(OSZ, 4) : 1;
        WR(size, R_EAX, interp_in(cpu, d->imm, size));
        break;
    case 0xe6: case 0xe7:
        size = (op & 1) ? MIN(OSZ, 4) : 1;
        interp_out(cpu, d->imm, RD(size, R_EAX), size);
        break;
    case 0xec: case 0xed:
        size = (op & 1) ? MIN(OSZ, 4) : 1;
        WR(size, R_EAX, interp_in(cpu, env->regs[R_EDX], size));
        break;
    case 0xee: case 0xef:
        size = (op & 1) ? MIN(OSZ, 4) : 1;
        interp_out(cpu, env->regs[R_EDX], RD(size, R_EAX), size);
        break;
    case 0xe8: {
        uint64_t ret = env->eip;
        /* target checked first; a faulting push restores RIP (raise_interrupt) */
        interp_jrel(cpu, d, (d->pfx & PFX_OP32) ? (int32_t)d->imm : (int16_t)d->imm);
        cpu_push(cpu, ret, SSZ);
        break;
    }
    case 0xe9: case 0xeb:
        interp_jrel(cpu, d, op == 0xeb ? (int8_t)d->imm
                            : (d->pfx & PFX_OP32) ? (int32_t)d->imm : (int16_t)d->imm);
        break;
    case 0xea:
        seg_far_jmp(cpu, d->imm2, d->imm, env->eip);
        break;
    case 0xf1:
        raise_interrupt(cpu, EXCP01_DB, 1, 0, false, env->eip);
    case 0xf4:
        interp_check_cpl0(cpu);
        env->halted = true;
        cpu->stop = 1;
        break;
    case 0xf5:
        env->eflags ^= CC_C;
        break;
    case 0xf6: case 0xf7: {
        size = (op & 1) ? OSZ : 1;
        switch (d->reg) {
        case 0: case 1:
            alu2(ALU_AND, size, interp_ld_rm(cpu, d, size), IMMV, 0, &f);
            interp_set_cc(env, CC_MASK, f);
            break;
        case 2: case 3:
            if (d->mod == 3) {
                v = RD(size, d->rm);
                lin = 0;
            } else {
                lin = seg_addr(cpu, d->seg, interp_ea(env, d), size, 1);
                v = cpu_ld_lin(cpu, lin, size);
            }
            if (d->reg == 2) {
                r = ~v;
                f = env->eflags;
            } else {
                r = alu1(ALU1_NEG, size, v, &f);
            }
            if (d->mod == 3)
                WR(size, d->rm, r);
            else
                cpu_st_lin(cpu, lin, r, size);
            if (d->reg == 3)
                interp_set_cc(env, CC_MASK, f);
            break;
        case 4: case 5: {
            uint64_t lo, hi;
            f = alu_mul(d->reg == 5, size, RD(size, R_EAX), interp_ld_rm(cpu, d, size),
                        &lo, &hi);
            if (size == 1) {
                WR(2, R_EAX, (hi << 8) | lo);
            } else {
                WR(size, R_EAX, lo);
                WR(size, R_EDX, hi);
            }
            interp_set_cc(env, CC_MASK, f);
            break;
        }
        default:
            interp_div(cpu, d->reg == 7, size, interp_ld_rm(cpu, d, size));
            break;
        }
        break;
    }
    case 0xf8: env->eflags &= ~(uint64_t)CC_C; break;
    case 0xf9: env->eflags |= CC_C; break;
    case 0xfa:
        interp_check_if_change(cpu);
        env->eflags &= ~(uint64_t)IF_MASK;
        break;
    case 0xfb:
        interp_check_if_change(cpu);
        if (!(env->eflags & IF_MASK)) {
            env->eflags |= IF_MASK;
            env->interrupt_shadow = true;
        }
        cpu->stop = 1;
        break;
    case 0xfc: env->eflags &= ~(uint64_t)DF_MASK; break;
    case 0xfd: env->eflags |= DF_MASK; break;
    case 0xfe: case 0xff:
        size = (op & 1) ? OSZ : 1;
        if (d->reg < 2) {
            if (d->mod == 3) {
                v = RD(size, d->rm);
                lin = 0;
            } else {
                lin = seg_addr(cpu, d->seg, interp_ea(env, d), size, 1);
                v = cpu_ld_lin(cpu, lin, size);
            }
            r = alu1(d->reg ? ALU1_DEC : ALU1_INC, size, v, &f);
            if (d->mod == 3)
                WR(size, d->rm, r);
            else
                cpu_st_lin(cpu, lin, r, size);
            interp_set_cc(env, CC_MASK & ~CC_C, f);
            break;
        }
        if (op == 0xfe)
            UD();
        switch (d->reg) {
        case 2: {   /* CALL near indirect */
            uint64_t t = interp_ld_rm(cpu, d, SSZ), ret = env->eip;
            interp_jump(cpu, t);
            cpu_push(cpu, ret, SSZ);
            break;
        }
        case 3: case 5: {
            uint64_t off;
            uint16_t sel;
            if (d->mod == 3)
                UD();
            interp_load_far(cpu, d, size, &off, &sel);
            if (d->reg == 3)
                seg_far_call(cpu, sel, off, size, env->eip);
            else
                seg_far_jmp(cpu, sel, off, env->eip);
            break;
        }
        case 4:
            interp_jump(cpu, interp_ld_rm(cpu, d, SSZ));
            break;
        case 6:
            cpu_push(cpu, interp_ld_rm(cpu, d, SSZ), SSZ);
            break;
        default:
            UD();
        }
        break;

    /* ---- 0F map ---- */
    case 0x100: {   /* group 6 */
        if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK))
            UD();
        switch (d->reg) {
        case 0: case 1:
            v = d->reg == 0 ? env->ldt.selector : env->tr.selector;
            if (d->mod == 3)
                WR(OSZ, d->rm, v);
            else
                interp_st_rm(cpu, d, 2, v);
            break;
        case 2: case 3:
            interp_check_cpl0(cpu);
            v = interp_ld_rm(cpu, d, 2);
            if (d->reg == 2)
                seg_lldt(cpu, v);
            else
                seg_ltr(cpu, v);
            break;
        case 4: case 5:
            v = interp_ld_rm(cpu, d, 2);
            interp_set_cc(env, CC_Z, seg_verr_verw(cpu, v, d->reg == 5) ? CC_Z : 0);
            break;
        default:
            UD();
        }
        break;
    }
    case 0x101: {   /* group 7 */
        switch (d->reg) {
        case 0: case 1: {   /* SGDT SIDT: 6 bytes, 10 in 64-bit mode */
            SegmentCache *t = d->reg == 0 ? &env->gdt : &env->idt;
            uint64_t ea = interp_ea(env, d), base = t->base;
            int bsz = cpu->code64 ? 8 : 4, ad = interp_adsize(d);
            uint64_t ea2 = ea + 2;
            if (d->mod == 3)
                UD();
            ea2 = ad == 8 ? ea2 : ad == 4 ? (uint32_t)ea2 : (uint16_t)ea2;
            if (OSZ == 2 && !cpu->code64)
                base &= 0xffffff;
            cpu_probe_write(cpu, d->seg, ea, 2 + bsz);
            cpu_st(cpu, d->seg, ea, t->limit, 2);
            cpu_st(cpu, d->seg, ea2, base, bsz);
            break;
        }
        case 2: case 3: {   /* LGDT LIDT */
            SegmentCache *t = d->reg == 2 ? &env->gdt : &env->idt;
            uint64_t ea = interp_ea(env, d), lim, base, ea2 = ea + 2;
            int ad = interp_adsize(d);
            if (d->mod == 3)
                UD();
            interp_check_cpl0(cpu);
            if (env->eflags & VM_MASK)
                raise_exception_err(cpu, EXCP0D_GPF, 0);
            ea2 = ad == 8 ? ea2 : ad == 4 ? (uint32_t)ea2 : (uint16_t)ea2;
            lim = cpu_ld(cpu, d->seg, ea, 2);
            base = cpu_ld(cpu, d->seg, ea2, cpu->code64 ? 8 : 4);
            if (cpu->code64 && !cpu_canonical(base))
                raise_exception_err(cpu, EXCP0D_GPF, 0);
            if (OSZ == 2 && !cpu->code64)
                base &= 0xffffff;
            t->limit = lim;
            t->base = base;
            break;
        }
        case 4:
            v = env->cr[0];
            if (d->mod == 3)
                WR(OSZ, d->rm, v);
            else
                interp_st_rm(cpu, d, 2, v);
            break;
        case 6:
            interp_check_cpl0(cpu);
            v = interp_ld_rm(cpu, d, 2);
            /* LMSW: PE can be set but not cleared */
            v = (env->cr[0] & ~0xeu) | (v & 0xf) | (env->cr[0] & CR0_PE_MASK);
            mmu_set_cr0(cpu, v);
            cpu->stop = 1;
            break;
        case 7:
            if (d->mod == 3) {
                uint64_t t;
                if (d->rm != 0 || !cpu->code64)     /* 0F 01 F8: SWAPGS */
                    UD();
                interp_check_cpl0(cpu);
                t = env->segs[R_GS].base;
                env->segs[R_GS].base = env->kernelgsbase;
                env->kernelgsbase = t;
                break;
            }
            interp_check_cpl0(cpu);
            /* INVLPG never faults: the linear address without checks */
            tlb_flush_page(cpu, seg_linear(cpu, d->seg, interp_ea(env, d)));
            cpu->stop = 1;
            break;
        default:
            UD();
        }
        break;
    }
    case 0x102: case 0x103: {
        uint32_t val;
        if (!(env->cr[0] & CR0_PE_MASK) || (env->eflags & VM_MASK))
            UD();
        v = interp_ld_rm(cpu, d, 2);
        if (seg_lar_lsl(cpu, v, op == 0x103, &val)) {
            WR(OSZ, d->reg, val);
            interp_set_cc(env, CC_Z, CC_Z);
        } else {
            interp_set_cc(env, CC_Z, 0);
        }
        break;
    }
    case 0x105:
        seg_syscall(cpu, env->eip);
        break;
    case 0x107:
        seg_sysret(cpu, OSZ);
        break;
    case 0x106:
        interp_check_cpl0(cpu);
        env->cr[0] &= ~(uint64_t)CR0_TS_MASK;
        break;
    case 0x108: case 0x109:
        interp_check_cpl0(cpu);
        break;
    case 0x10b:
        UD();
    case 0x10d: case 0x118 ... 0x11f:
        break;      /* hint NOPs */
    case 0x120: case 0x121:
        interp_check_cpl0(cpu);
        if (env->eflags & VM_MASK)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        if (op == 0x120) {
            interp_mov_from_cr(cpu, d->reg, &v);
        } else {
            int n = d->reg;
            if (n > 7)
                UD();
            if ((n == 4 || n == 5) && !(env->cr[4] & CR4_DE_MASK))
                n += 2;
            else if (n == 4 || n == 5)
                UD();
            v = env->dr[n];
            if (n == 6)
                v |= 0xffff0ff0u;
            if (n == 7)
                v |= 0x400;
        }
        WR(cpu->code64 ? 8 : 4, d->rm, v);
        break;
    case 0x122: case 0x123:
        interp_check_cpl0(cpu);
        if (env->eflags & VM_MASK)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        v = RD(cpu->code64 ? 8 : 4, d->rm);
        if (op == 0x122) {
            interp_mov_to_cr(cpu, d->reg, v);
        } else {
            int n = d->reg;
            if (n > 7)
                UD();
            if ((n == 4 || n == 5) && !(env->cr[4] & CR4_DE_MASK))
                n += 2;
            else if (n == 4 || n == 5)
                UD();
            env->dr[n] = v;
            if (n == 7 && (v & 0xff))
                trace(LOG_UNIMP, "hardware breakpoints enabled in DR7 (not implemented)\n");
        }
        break;
    case 0x130:
        interp_wrmsr(cpu);
        cpu->stop = 1;
        break;
    case 0x131:
        if ((env->cr[4] & CR4_TSD_MASK) && cpu_cpl(cpu) != 0)
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        {
            uint64_t t = interp_tsc(env);
            env->regs[R_EAX] = (uint32_t)t;
            env->regs[R_EDX] = (uint32_t)(t >> 32);
        }
        break;
    case 0x132:
        interp_rdmsr(cpu);
        break;
    case 0x134: case 0x135:
        interp_sysenter_exit(cpu, op == 0x135, OSZ);
        break;
    case 0x140 ... 0x14f:
        v = interp_ld_rm(cpu, d, OSZ);
        if (interp_cond(env->eflags, op & 15))
            WR(OSZ, d->reg, v);
        else if (OSZ == 4)
            WR(4, d->reg, RD(4, d->reg));   /* 64-bit mode: zero-extends anyway */
        break;
    case 0x190 ... 0x19f:
        interp_st_rm(cpu, d, 1, interp_cond(env->eflags, op & 15));
        break;
    case 0x1a2:
        interp_cpuid(env);
        break;
    case 0x1a3:
        interp_bt(cpu, d, OSZ, 0, RD(OSZ, d->reg), false);
        break;
    case 0x1ab:
        interp_bt(cpu, d, OSZ, 1, RD(OSZ, d->reg), false);
        break;
    case 0x1b3:
        interp_bt(cpu, d, OSZ, 2, RD(OSZ, d->reg), false);
        break;
    case 0x1bb:
        interp_bt(cpu, d, OSZ, 3, RD(OSZ, d->reg), false);
        break;
    case 0x1ba:
        if (d->reg < 4)
            UD();
        interp_bt(cpu, d, OSZ, d->reg - 4, d->imm, true);
        break;
    case 0x1a4: case 0x1a5: case 0x1ac: case 0x1ad: {
        int s = OSZ;
        uint32_t cnt = ((op & 1) ? (uint8_t)env->regs[R_ECX] : d->imm) & (s == 8 ? 0x3f : 0x1f);
        lin = 0;
        if (d->mod == 3) {
            v = RD(s, d->rm);
        } else {
            lin = seg_addr(cpu, d->seg, interp_ea(env, d), s, 1);
            v = cpu_ld_lin(cpu, lin, s);
        }
        if (!cnt) {
            if (d->mod == 3 && s == 4)
                WR(4, d->rm, v);    /* zero-extends in 64-bit mode */
            break;
        }
        r = alu_shd(op >= 0x1ac, s, v, RD(s, d->reg), cnt, &f);
        if (d->mod == 3)
            WR(s, d->rm, r);
        else
            cpu_st_lin(cpu, lin, r, s);
        interp_set_cc(env, CC_MASK, f);
        break;
    }
    case 0x1b0: case 0x1b1: {
        size = (op & 1) ? OSZ : 1;
        lin = 0;
        if (d->mod == 3) {
            v = RD(size, d->rm);
        } else {
            lin = seg_addr(cpu, d->seg, interp_ea(env, d), size, 1);
            v = cpu_ld_lin(cpu, lin, size);
        }
        alu2(ALU_SUB, size, RD(size, R_EAX), v, 0, &f);
        if (f & CC_Z) {
            r = RD(size, d->reg);
            if (d->mod == 3)
                WR(size, d->rm, r);
            else
                cpu_st_lin(cpu, lin, r, size);
        } else {
            /* the destination is written back with its own value */
            if (d->mod != 3)
                cpu_st_lin(cpu, lin, v, size);
            WR(size, R_EAX, v);
        }
        interp_set_cc(env, CC_MASK, f);
        break;
    }
    case 0x1b6: case 0x1b7:
        v = interp_ld_rm(cpu, d, op == 0x1b6 ? 1 : 2);
        WR(OSZ, d->reg, v);
        break;
    case 0x1be: case 0x1bf:
        v = interp_ld_rm(cpu, d, op == 0x1be ? 1 : 2);
        WR(OSZ, d->reg, interp_sext(v, op == 0x1be ? 1 : 2));
        break;
    case 0x1bc: case 0x1bd: {
        int s = OSZ;
        v = interp_ld_rm(cpu, d, s);
        if (v == 0) {
            interp_set_cc(env, CC_Z, CC_Z);
        } else {
            WR(s, d->reg, alu_bsf_bsr(op == 0x1bd, v));
            interp_set_cc(env, CC_Z, 0);
        }
        break;
    }
    case 0x1c0: case 0x1c1: {
        size = (op & 1) ? OSZ : 1;
        lin = 0;
        if (d->mod == 3) {
            v = RD(size, d->rm);
        } else {
            lin = seg_addr(cpu, d->seg, interp_ea(env, d), size, 1);
            v = cpu_ld_lin(cpu, lin, size);
        }
        r = alu2(ALU_ADD, size, v, RD(size, d->reg), 0, &f);
        if (d->mod == 3) {
            WR(size, d->reg, v);
            WR(size, d->rm, r);
        } else {
            cpu_st_lin(cpu, lin, r, size);
            WR(size, d->reg, v);
        }
        interp_set_cc(env, CC_MASK, f);
        break;
    }
    case 0x1c7: {   /* CMPXCHG8B; CMPXCHG16B with REX.W (16-byte aligned) */
        int h = (d->rex & REX_W) ? 8 : 4;
        uint64_t lo, hi, m = h == 8 ? ~0ull : 0xffffffffu;
        if (d->reg != 1 || d->mod == 3)
            UD();
        lin = seg_addr(cpu, d->seg, interp_ea(env, d), 2 * h, 1);
        if (h == 8 && (lin & 15))
            raise_exception_err(cpu, EXCP0D_GPF, 0);
        mmu_probe_write(cpu, lin, 2 * h, cpu->mmu_user);
        lo = cpu_ld_lin(cpu, lin, h);
        hi = cpu_ld_lin(cpu, lin + h, h);
        if (lo == (env->regs[R_EAX] & m) && hi == (env->regs[R_EDX] & m)) {
            cpu_st_lin(cpu, lin, env->regs[R_EBX], h);
            cpu_st_lin(cpu, lin + h, env->regs[R_ECX], h);
            interp_set_cc(env, CC_Z, CC_Z);
        } else {
            cpu_st_lin(cpu, lin, lo, h);
            cpu_st_lin(cpu, lin + h, hi, h);
            env->regs[R_EAX] = lo;
            env->regs[R_EDX] = hi;
            interp_set_cc(env, CC_Z, 0);
        }
        break;
    }
    case 0x1c8 ... 0x1cf: {
        int rr = (op & 7) | (d->rex & REX_B) << 3;
        if (OSZ == 8)
            env->regs[rr] = __builtin_bswap64(env->regs[rr]);
        else if (OSZ == 4)
            env->regs[rr] = __builtin_bswap32((uint32_t)env->regs[rr]);
        else
            interp_wr_reg(env, 2, rr, 0);
        break;
    }

    /* SIMD: MOVUPS..MOVAPS, the 5x ALU rows, 6x/7x, EMMS, group 15, Dx-Fx,
     * the three-byte maps 0F 38 / 0F 3A */
    case 0x110 ... 0x117: case 0x128 ... 0x12f: case 0x150 ... 0x177: case 0x17c ... 0x17f:
    case 0x1ae: case 0x1c2 ... 0x1c6: case 0x1d0 ... 0x1ff: case 0x138: case 0x13a:
        sse_exec(cpu, d);
        break;

    default:
        trace(LOG_UNIMP, "invalid opcode %s%02x at %04x:%08llx\n", op >= 0x100 ? "0f " : "",
              op & 0xff, env->segs[R_CS].selector, (unsigned long long)cpu->cur_eip);
        UD();
    }
}

/*
 * Run up to max records of tb.  The hot specialised forms are dispatched
 * threaded-code style (each ends with its own indirect jump to the next
 * record's handler, which predicts far better than one shared switch);
 * everything else goes through interp_one()'s switch.
 */
__attribute__((optimize("no-crossjumping")))
void interp_exec_tb(X86CPU *cpu, TB *tb, int max)
{
    static const void *const hot[H_LAST - H_FIRST] = {
        [H_MOV_RR32 - H_FIRST] = &&l_h_mov_rr32,
        [H_LOAD32 - H_FIRST] = &&l_h_load32,
        [H_STORE32 - H_FIRST] = &&l_h_store32,
        [H_MOV_RI32 - H_FIRST] = &&l_h_mov_ri32,
        [H_LEA32 - H_FIRST] = &&l_h_lea32,
        [H_TEST_RR32 - H_FIRST] = &&l_h_test_rr32,
        [H_INC32 - H_FIRST] = &&l_h_inc32,
        [H_DEC32 - H_FIRST] = &&l_h_dec32,
        [H_PUSH32 - H_FIRST] = &&l_h_push32,
        [H_POP32 - H_FIRST] = &&l_h_pop32,
        [H_CALL32 - H_FIRST] = &&l_h_call32,
        [H_RET32 - H_FIRST] = &&l_h_ret32,
        [H_JMP - H_FIRST] = &&l_h_jmp,
        [H_ALU_RR32 + 0 - H_FIRST] = &&l_alu_rr32_0,
        [H_ALU_RI32 + 0 - H_FIRST] = &&l_alu_ri32_0,
        [H_SHIFT_RI32 + 0 - H_FIRST] = &&l_shift_ri32_0,
        [H_ALU_RR32 + 1 - H_FIRST] = &&l_alu_rr32_1,
        [H_ALU_RI32 + 1 - H_FIRST] = &&l_alu_ri32_1,
        [H_SHIFT_RI32 + 1 - H_FIRST] = &&l_shift_ri32_1,
        [H_ALU_RR32 + 2 - H_FIRST] = &&l_alu_rr32_2,
        [H_ALU_RI32 + 2 - H_FIRST] = &&l_alu_ri32_2,
        [H_SHIFT_RI32 + 2 - H_FIRST] = &&l_shift_ri32_2,
        [H_ALU_RR32 + 3 - H_FIRST] = &&l_alu_rr32_3,
        [H_ALU_RI32 + 3 - H_FIRST] = &&l_alu_ri32_3,
        [H_SHIFT_RI32 + 3 - H_FIRST] = &&l_shift_ri32_3,
        [H_ALU_RR32 + 4 - H_FIRST] = &&l_alu_rr32_4,
        [H_ALU_RI32 + 4 - H_FIRST] = &&l_alu_ri32_4,
        [H_SHIFT_RI32 + 4 - H_FIRST] = &&l_shift_ri32_4,
        [H_ALU_RR32 + 5 - H_FIRST] = &&l_alu_rr32_5,
        [H_ALU_RI32 + 5 - H_FIRST] = &&l_alu_ri32_5,
        [H_SHIFT_RI32 + 5 - H_FIRST] = &&l_shift_ri32_5,
        [H_ALU_RR32 + 6 - H_FIRST] = &&l_alu_rr32_6,
        [H_ALU_RI32 + 6 - H_FIRST] = &&l_alu_ri32_6,
        [H_SHIFT_RI32 + 6 - H_FIRST] = &&l_shift_ri32_6,
        [H_ALU_RR32 + 7 - H_FIRST] = &&l_alu_rr32_7,
        [H_ALU_RI32 + 7 - H_FIRST] = &&l_alu_ri32_7,
        [H_SHIFT_RI32 + 7 - H_FIRST] = &&l_shift_ri32_7,
        [H_JCC + 0 - H_FIRST] = &&l_jcc_0,
        [H_JCC + 1 - H_FIRST] = &&l_jcc_1,
        [H_JCC + 2 - H_FIRST] = &&l_jcc_2,
        [H_JCC + 3 - H_FIRST] = &&l_jcc_3,
        [H_JCC + 4 - H_FIRST] = &&l_jcc_4,
        [H_JCC + 5 - H_FIRST] = &&l_jcc_5,
        [H_JCC + 6 - H_FIRST] = &&l_jcc_6,
        [H_JCC + 7 - H_FIRST] = &&l_jcc_7,
        [H_JCC + 8 - H_FIRST] = &&l_jcc_8,
        [H_JCC + 9 - H_FIRST] = &&l_jcc_9,
        [H_JCC + 10 - H_FIRST] = &&l_jcc_10,
        [H_JCC + 11 - H_FIRST] = &&l_jcc_11,
        [H_JCC + 12 - H_FIRST] = &&l_jcc_12,
        [H_JCC + 13 - H_FIRST] = &&l_jcc_13,
        [H_JCC + 14 - H_FIRST] = &&l_jcc_14,
        [H_JCC + 15 - H_FIRST] = &&l_jcc_15,
        [H_ALU_RM32 + 0 - H_FIRST] = &&l_alu_rm32_0,
        [H_ALU_MR32 + 0 - H_FIRST] = &&l_alu_mr32_0,
        [H_ALU_MI32 + 0 - H_FIRST] = &&l_alu_mi32_0,
        [H_ALU_RM32 + 1 - H_FIRST] = &&l_alu_rm32_1,
        [H_ALU_MR32 + 1 - H_FIRST] = &&l_alu_mr32_1,
        [H_ALU_MI32 + 1 - H_FIRST] = &&l_alu_mi32_1,
        [H_ALU_RM32 + 2 - H_FIRST] = &&l_alu_rm32_2,
        [H_ALU_MR32 + 2 - H_FIRST] = &&l_alu_mr32_2,
        [H_ALU_MI32 + 2 - H_FIRST] = &&l_alu_mi32_2,
        [H_ALU_RM32 + 3 - H_FIRST] = &&l_alu_rm32_3,
        [H_ALU_MR32 + 3 - H_FIRST] = &&l_alu_mr32_3,
        [H_ALU_MI32 + 3 - H_FIRST] = &&l_alu_mi32_3,
        [H_ALU_RM32 + 4 - H_FIRST] = &&l_alu_rm32_4,
        [H_ALU_MR32 + 4 - H_FIRST] = &&l_alu_mr32_4,
        [H_ALU_MI32 + 4 - H_FIRST] = &&l_alu_mi32_4,
        [H_ALU_RM32 + 5 - H_FIRST] = &&l_alu_rm32_5,
        [H_ALU_MR32 + 5 - H_FIRST] = &&l_alu_mr32_5,
        [H_ALU_MI32 + 5 - H_FIRST] = &&l_alu_mi32_5,
        [H_ALU_RM32 + 6 - H_FIRST] = &&l_alu_rm32_6,
        [H_ALU_MR32 + 6 - H_FIRST] = &&l_alu_mr32_6,
        [H_ALU_MI32 + 6 - H_FIRST] = &&l_alu_mi32_6,
        [H_ALU_RM32 + 7 - H_FIRST] = &&l_alu_rm32_7,
        [H_ALU_MR32 + 7 - H_FIRST] = &&l_alu_mr32_7,
        [H_ALU_MI32 + 7 - H_FIRST] = &&l_alu_mi32_7,
        [H_MOV_MI32 - H_FIRST] = &&l_h_mov_mi32,
        [H_MOVZX8 - H_FIRST] = &&l_h_movzx8,
        [H_MOVZX16 - H_FIRST] = &&l_h_movzx16,
        [H_TEST_MR32 - H_FIRST] = &&l_h_test_mr32,
        [H_IMUL32 - H_FIRST] = &&l_h_imul32,
        [H_MOV8_LOAD - H_FIRST] = &&l_h_mov8_load,
        [H_MOV8_STORE - H_FIRST] = &&l_h_mov8_store,
        [H_SETCC + 0 - H_FIRST] = &&l_setcc_0,
        [H_CMOV32 + 0 - H_FIRST] = &&l_cmov32_0,
        [H_SETCC + 1 - H_FIRST] = &&l_setcc_1,
        [H_CMOV32 + 1 - H_FIRST] = &&l_cmov32_1,
        [H_SETCC + 2 - H_FIRST] = &&l_setcc_2,
        [H_CMOV32 + 2 - H_FIRST] = &&l_cmov32_2,
        [H_SETCC + 3 - H_FIRST] = &&l_setcc_3,
        [H_CMOV32 + 3 - H_FIRST] = &&l_cmov32_3,
        [H_SETCC + 4 - H_FIRST] = &&l_setcc_4,
        [H_CMOV32 + 4 - H_FIRST] = &&l_cmov32_4,
        [H_SETCC + 5 - H_FIRST] = &&l_setcc_5,
        [H_CMOV32 + 5 - H_FIRST] = &&l_cmov32_5,
        [H_SETCC + 6 - H_FIRST] = &&l_setcc_6,
        [H_CMOV32 + 6 - H_FIRST] = &&l_cmov32_6,
        [H_SETCC + 7 - H_FIRST] = &&l_setcc_7,
        [H_CMOV32 + 7 - H_FIRST] = &&l_cmov32_7,
        [H_SETCC + 8 - H_FIRST] = &&l_setcc_8,
        [H_CMOV32 + 8 - H_FIRST] = &&l_cmov32_8,
        [H_SETCC + 9 - H_FIRST] = &&l_setcc_9,
        [H_CMOV32 + 9 - H_FIRST] = &&l_cmov32_9,
        [H_SETCC + 10 - H_FIRST] = &&l_setcc_10,
        [H_CMOV32 + 10 - H_FIRST] = &&l_cmov32_10,
        [H_SETCC + 11 - H_FIRST] = &&l_setcc_11,
        [H_CMOV32 + 11 - H_FIRST] = &&l_cmov32_11,
        [H_SETCC + 12 - H_FIRST] = &&l_setcc_12,
        [H_CMOV32 + 12 - H_FIRST] = &&l_cmov32_12,
        [H_SETCC + 13 - H_FIRST] = &&l_setcc_13,
        [H_CMOV32 + 13 - H_FIRST] = &&l_cmov32_13,
        [H_SETCC + 14 - H_FIRST] = &&l_setcc_14,
        [H_CMOV32 + 14 - H_FIRST] = &&l_cmov32_14,
        [H_SETCC + 15 - H_FIRST] = &&l_setcc_15,
        [H_CMOV32 + 15 - H_FIRST] = &&l_cmov32_15,
        [H_UD - H_FIRST] = &&l_generic,
        [H_PUSH64 - H_FIRST] = &&l_h_push64,
        [H_POP64 - H_FIRST] = &&l_h_pop64,
        [H_CALL64 - H_FIRST] = &&l_h_call64,
        [H_RET64 - H_FIRST] = &&l_h_ret64,
        [H_MOV_RR64 - H_FIRST] = &&l_h_mov_rr64,
        [H_LOAD64 - H_FIRST] = &&l_h_load64,
        [H_STORE64 - H_FIRST] = &&l_h_store64,
        [H_LEA64 - H_FIRST] = &&l_h_lea64,
        [H_TEST_RR64 - H_FIRST] = &&l_h_test_rr64,
        [H_TEST_MR64 - H_FIRST] = &&l_h_test_mr64,
        [H_MOV_MI64 - H_FIRST] = &&l_h_mov_mi64,
        [H_IMUL64 - H_FIRST] = &&l_h_imul64,
#define HOT_ALU64(n)                                                \
        [H_ALU_RR64 + n - H_FIRST] = &&l_alu_rr64_##n,              \
        [H_ALU_RI64 + n - H_FIRST] = &&l_alu_ri64_##n,              \
        [H_ALU_RM64 + n - H_FIRST] = &&l_alu_rm64_##n,              \
        [H_ALU_MR64 + n - H_FIRST] = &&l_alu_mr64_##n,              \
        [H_ALU_MI64 + n - H_FIRST] = &&l_alu_mi64_##n,              \
        [H_SHIFT_RI64 + n - H_FIRST] = &&l_shift_ri64_##n,
        HOT_ALU64(0) HOT_ALU64(1) HOT_ALU64(2) HOT_ALU64(3)
        HOT_ALU64(4) HOT_ALU64(5) HOT_ALU64(6) HOT_ALU64(7)
#define HOT_CMOV64(n) [H_CMOV64 + n - H_FIRST] = &&l_cmov64_##n,
        HOT_CMOV64(0) HOT_CMOV64(1) HOT_CMOV64(2) HOT_CMOV64(3)
        HOT_CMOV64(4) HOT_CMOV64(5) HOT_CMOV64(6) HOT_CMOV64(7)
        HOT_CMOV64(8) HOT_CMOV64(9) HOT_CMOV64(10) HOT_CMOV64(11)
        HOT_CMOV64(12) HOT_CMOV64(13) HOT_CMOV64(14) HOT_CMOV64(15)
    };
    CPUX86State *env = &cpu->env;
    const DInsn *d = tb->insn, *end = tb->insn + (tb->n < max ? tb->n : max);
    uint64_t ip_mask = cpu->code64 ? ~0ull : cpu->code32 ? 0xffffffffu : 0xffffu;
    uint64_t v, r;
    uint32_t f;
    int chain = 256;        /* blocks run here before the loop looks again */

#define DISPATCH()                                                  \
    do {                                                            \
        uint64_t eip_ = env->eip;                                   \
        cpu->cur_eip = eip_;                                        \
        env->eip = (eip_ + d->len) & ip_mask;                       \
        if (d->h >= H_FIRST)                                        \
            goto *hot[d->h - H_FIRST];                              \
        goto l_generic;                                             \
    } while (0)
#define NEXT()                                                      \
    do {                                                            \
        d++;                                                        \
        if (unlikely(d >= end || cpu->stop))                        \
            goto out;                                               \
        DISPATCH();                                                 \
    } while (0)

    cpu->stop = 0;
    if (d >= end)
        goto out;
    DISPATCH();

l_generic:
    interp_one(cpu, d);
    NEXT();

l_h_mov_rr32:
    env->regs[d->rm] = (uint32_t)env->regs[d->reg];
    NEXT();
l_h_load32:
    env->regs[d->reg] = cpu_ld(cpu, d->seg, interp_ea(env, d), 4);
    NEXT();
l_h_store32:
    cpu_st(cpu, d->seg, interp_ea(env, d), env->regs[d->reg], 4);
    NEXT();
l_h_mov_ri32:
    env->regs[d->rm] = d->imm;
    NEXT();
l_h_lea32:
    env->regs[d->reg] = (uint32_t)interp_ea(env, d);
    NEXT();
l_h_test_rr32:
    alu2(ALU_AND, 4, env->regs[d->rm], env->regs[d->reg], 0, &f);
    interp_set_cc(env, CC_MASK, f);
    NEXT();
l_h_inc32:
l_h_dec32:
    r = alu1(d->h == H_INC32 ? ALU1_INC : ALU1_DEC, 4, env->regs[d->rm], &f);
    env->regs[d->rm] = r;
    interp_set_cc(env, CC_MASK & ~CC_C, f);
    NEXT();
l_h_push32:
    cpu_push(cpu, env->regs[d->rm], 4);
    NEXT();
l_h_pop32:
    v = cpu_pop(cpu, 4);
    env->regs[d->rm] = v;
    NEXT();
l_h_call32: {
    uint32_t t = env->eip + d->imm;
    if (unlikely(t > env->segs[R_CS].limit))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    cpu_push(cpu, env->eip, 4);
    env->eip = t;
    NEXT();
    }
l_h_ret32:
    v = cpu_ld(cpu, R_SS, (uint32_t)env->regs[R_ESP] & sp_mask(cpu), 4);
    interp_jump(cpu, v);
    set_esp(cpu, env->regs[R_ESP] + 4);
    NEXT();
l_h_jmp:
    interp_jrel(cpu, d, (int32_t)d->imm);
    NEXT();

/* 64-bit mode: the default-64 stack forms and the REX.W forms */
l_h_push64:
    cpu_push(cpu, env->regs[d->rm], 8);
    NEXT();
l_h_pop64:
    v = cpu_pop(cpu, 8);
    env->regs[d->rm] = v;
    NEXT();
l_h_call64: {
    uint64_t t = env->eip + (int64_t)(int32_t)d->imm;
    if (unlikely(!cpu_canonical(t)))
        raise_exception_err(cpu, EXCP0D_GPF, 0);
    cpu_push(cpu, env->eip, 8);
    env->eip = t;
    NEXT();
    }
l_h_ret64:
    v = cpu_ld(cpu, R_SS, env->regs[R_ESP], 8);
    interp_jump(cpu, v);
    env->regs[R_ESP] += 8;
    NEXT();
l_h_mov_rr64:
    env->regs[d->rm] = env->regs[d->reg];
    NEXT();
l_h_load64:
    env->regs[d->reg] = cpu_ld(cpu, d->seg, interp_ea(env, d), 8);
    NEXT();
l_h_store64:
    cpu_st(cpu, d->seg, interp_ea(env, d), env->regs[d->reg], 8);
    NEXT();
l_h_lea64:
    env->regs[d->reg] = interp_ea(env, d);
    NEXT();
l_h_test_rr64:
    alu2(ALU_AND, 8, env->regs[d->rm], env->regs[d->reg], 0, &f);
    interp_set_cc(env, CC_MASK, f);
    NEXT();
l_h_test_mr64:
    v = cpu_ld(cpu, d->seg, interp_ea(env, d), 8);
    alu2(ALU_AND, 8, v, env->regs[d->reg], 0, &f);
    interp_set_cc(env, CC_MASK, f);
    NEXT();
l_h_mov_mi64:
    cpu_st(cpu, d->seg, interp_ea(env, d), (uint64_t)(int64_t)(int32_t)d->imm, 8);
    NEXT();
l_h_imul64:
    r = alu_imul2(8, env->regs[d->reg], interp_ld_rm(cpu, d, 8), &f);
    env->regs[d->reg] = r;
    interp_set_cc(env, CC_MASK, f);
    NEXT();

/*
 * The ALU, shift and CMOVcc forms for 32-bit (W 32) and 64-bit (W 64)
 * operands: the same code with the operand size W / 8; 32-bit results are
 * zero-extended into the 64-bit register, as 64-bit mode requires.
 * Immediates were sign-extended to 32 bits by the decoder, and are to 64 here.
 */
#define IMM_SX ((uint64_t)(int64_t)(int32_t)d->imm)
#define INTERP_ALU(n, W)                                                             \
l_alu_rr##W##_##n:                                                               \
    r = alu2(n, W / 8, env->regs[d->rm], env->regs[d->reg], env->eflags & CC_C, &f); \
    if (n != ALU_CMP)                                                            \
        env->regs[d->rm] = r;                                                    \
    interp_set_cc(env, CC_MASK, f);                                              \
    NEXT();                                                                      \
l_alu_ri##W##_##n:                                                               \
    r = alu2(n, W / 8, env->regs[d->rm], IMM_SX, env->eflags & CC_C, &f);        \
    if (n != ALU_CMP)                                                            \
        env->regs[d->rm] = r;                                                    \
    interp_set_cc(env, CC_MASK, f);                                              \
    NEXT();                                                                      \
l_alu_rm##W##_##n:                                                               \
    v = cpu_ld(cpu, d->seg, interp_ea(env, d), W / 8);                           \
    r = alu2(n, W / 8, env->regs[d->reg], v, env->eflags & CC_C, &f);            \
    if (n != ALU_CMP)                                                            \
        env->regs[d->reg] = r;                                                   \
    interp_set_cc(env, CC_MASK, f);                                              \
    NEXT();                                                                      \
l_alu_mr##W##_##n:                                                               \
    if (n == ALU_CMP) {                                                          \
        v = cpu_ld(cpu, d->seg, interp_ea(env, d), W / 8);                       \
        alu2(n, W / 8, v, env->regs[d->reg], 0, &f);                             \
    } else {                                                                     \
        uint64_t lin_ = seg_addr(cpu, d->seg, interp_ea(env, d), W / 8, 1);      \
        v = cpu_ld_lin(cpu, lin_, W / 8);                                        \
        r = alu2(n, W / 8, v, env->regs[d->reg], env->eflags & CC_C, &f);        \
        cpu_st_lin(cpu, lin_, r, W / 8);                                         \
    }                                                                            \
    interp_set_cc(env, CC_MASK, f);                                              \
    NEXT();                                                                      \
l_alu_mi##W##_##n:                                                               \
    if (n == ALU_CMP) {                                                          \
        v = cpu_ld(cpu, d->seg, interp_ea(env, d), W / 8);                       \
        alu2(n, W / 8, v, IMM_SX, 0, &f);                                        \
    } else {                                                                     \
        uint64_t lin_ = seg_addr(cpu, d->seg, interp_ea(env, d), W / 8, 1);      \
        v = cpu_ld_lin(cpu, lin_, W / 8);                                        \
        r = alu2(n, W / 8, v, IMM_SX, env->eflags & CC_C, &f);                   \
        cpu_st_lin(cpu, lin_, r, W / 8);                                         \
    }                                                                            \
    interp_set_cc(env, CC_MASK, f);                                              \
    NEXT();                                                                      \
l_shift_ri##W##_##n:                                                             \
    r = alu_shift(n, W / 8, env->regs[d->rm], d->imm, env->eflags & CC_C, &f);   \
    env->regs[d->rm] = r;                                                        \
    interp_set_cc(env, n < 4 ? (CC_C | CC_O) : CC_MASK, f);                      \
    NEXT();
#define INTERP_ALU_ALL(W)                                                        \
    INTERP_ALU(0, W) INTERP_ALU(1, W) INTERP_ALU(2, W) INTERP_ALU(3, W)          \
    INTERP_ALU(4, W) INTERP_ALU(5, W) INTERP_ALU(6, W) INTERP_ALU(7, W)
    INTERP_ALU_ALL(32)
    INTERP_ALU_ALL(64)

#define INTERP_JCC(n)                                                                \
l_jcc_##n:                                                                       \
    if (interp_cond(env->eflags, n))                                             \
        interp_jrel(cpu, d, (int32_t)d->imm);                                    \
    NEXT();
    INTERP_JCC(0) INTERP_JCC(1) INTERP_JCC(2) INTERP_JCC(3)
    INTERP_JCC(4) INTERP_JCC(5) INTERP_JCC(6) INTERP_JCC(7)
    INTERP_JCC(8) INTERP_JCC(9) INTERP_JCC(10) INTERP_JCC(11)
    INTERP_JCC(12) INTERP_JCC(13) INTERP_JCC(14) INTERP_JCC(15)

l_h_mov_mi32:
    cpu_st(cpu, d->seg, interp_ea(env, d), d->imm, 4);
    NEXT();
l_h_movzx8:
    env->regs[d->reg] = d->mod == 3 ? interp_rd_reg_x(env, 1, d->rm, d->rex)
                                    : cpu_ld(cpu, d->seg, interp_ea(env, d), 1);
    NEXT();
l_h_movzx16:
    env->regs[d->reg] = d->mod == 3 ? interp_rd_reg(env, 2, d->rm)
                                    : cpu_ld(cpu, d->seg, interp_ea(env, d), 2);
    NEXT();
l_h_test_mr32:
    v = cpu_ld(cpu, d->seg, interp_ea(env, d), 4);
    alu2(ALU_AND, 4, v, env->regs[d->reg], 0, &f);
    interp_set_cc(env, CC_MASK, f);
    NEXT();
l_h_imul32:
    r = alu_imul2(4, env->regs[d->reg], interp_ld_rm(cpu, d, 4), &f);
    env->regs[d->reg] = r;
    interp_set_cc(env, CC_MASK, f);
    NEXT();
l_h_mov8_load:
    interp_wr_reg_x(env, 1, d->reg, interp_ld_rm(cpu, d, 1), d->rex);
    NEXT();
l_h_mov8_store:
    interp_st_rm(cpu, d, 1, interp_rd_reg_x(env, 1, d->reg, d->rex));
    NEXT();
#define INTERP_CC(n)                                                                     \
l_setcc_##n:                                                                             \
    interp_st_rm(cpu, d, 1, interp_cond(env->eflags, n));                                \
    NEXT();                                                                              \
l_cmov32_##n:                                                                            \
    v = interp_ld_rm(cpu, d, 4);                                                         \
    /* a 32-bit CMOV writes (zero-extends) its destination even when false */           \
    env->regs[d->reg] = interp_cond(env->eflags, n) ? v : (uint32_t)env->regs[d->reg];   \
    NEXT();                                                                              \
l_cmov64_##n:                                                                            \
    v = interp_ld_rm(cpu, d, 8);                                                         \
    if (interp_cond(env->eflags, n))                                                     \
        env->regs[d->reg] = v;                                                           \
    NEXT();
    INTERP_CC(0) INTERP_CC(1) INTERP_CC(2) INTERP_CC(3)
    INTERP_CC(4) INTERP_CC(5) INTERP_CC(6) INTERP_CC(7)
    INTERP_CC(8) INTERP_CC(9) INTERP_CC(10) INTERP_CC(11)
    INTERP_CC(12) INTERP_CC(13) INTERP_CC(14) INTERP_CC(15)

out:
    cpu->insns += d - tb->insn;
    /*
     * Chain: when the block simply ran to its end, go on with the next one
     * here instead of returning to the loop, as long as the loop has nothing
     * to do (no request, no deliverable interrupt, no single-step or shadow;
     * instructions that change those set cpu->stop).
     */
    if (likely(d == tb->insn + tb->n && !cpu->stop && max == TB_MAX_INSNS && --chain > 0 &&
               !atomic_load_explicit(&cpu->exit_request, memory_order_relaxed) &&
               !(env->eflags & TF_MASK) && !env->interrupt_shadow &&
               !trace_enabled(LOG_EXEC | LOG_CPU) &&
               (!(env->eflags & IF_MASK) ||
                !atomic_load_explicit(&cpu->intr_line, memory_order_relaxed)))) {
        uint64_t cs_base = env->segs[R_CS].base;
        uint64_t pc = cpu_pc(cpu);
        TB *next = cpu->jc[tb_jc_hash(pc)];
        if (next && next->pc == pc && next->cs_base == cs_base &&
            next->flags == cpu_tb_flags(cpu)) {
            tb = next;
            d = tb->insn;
            end = tb->insn + tb->n;
            ip_mask = cpu->code64 ? ~0ull : cpu->code32 ? 0xffffffffu : 0xffffu;
            DISPATCH();
        }
    }
#undef DISPATCH
#undef NEXT
}
