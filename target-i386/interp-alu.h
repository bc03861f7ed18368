/*
 * Integer ALU primitives of the interpreter.  Arithmetic runs as the same
 * host instruction and the host's arithmetic flags are captured with
 * LAHF/SETO (no stack use, so the red zone is safe), which gives exact
 * x86 flags, undefined ones included, for free (SDM vol. 1, 3.4.3.1).
 */
#ifndef PCVM_TARGET_I386_INTERP_ALU_H
#define PCVM_TARGET_I386_INTERP_ALU_H

#include <stdint.h>

#define ALU_FLAGS(ax) ((((ax) >> 8) & 0xd5u) | (((ax) & 1u) << 11))

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

#define ALU_ASM(INSN, cin)                                                              \
    do {                                                                                \
        switch (size) {                                                                 \
        case 1: {                                                                       \
            uint8_t r8 = a;                                                             \
            asm("btl $0, %k[c]\n\t" INSN "b %b[b], %b[r]\n\tlahf\n\tseto %%al"          \
                : [r] "+q"(r8), "=&a"(ax) : [b] "q"((uint8_t)b), [c] "r"(cin) : "cc");  \
            res = r8;                                                                   \
            break;                                                                      \
        }                                                                               \
        case 2: {                                                                       \
            uint16_t r16 = a;                                                           \
            asm("btl $0, %k[c]\n\t" INSN "w %w[b], %w[r]\n\tlahf\n\tseto %%al"          \
                : [r] "+r"(r16), "=&a"(ax) : [b] "r"((uint16_t)b), [c] "r"(cin) : "cc");\
            res = r16;                                                                  \
            break;                                                                      \
        }                                                                               \
        case 4: {                                                                       \
            uint32_t r32 = a;                                                           \
            asm("btl $0, %k[c]\n\t" INSN "l %k[b], %k[r]\n\tlahf\n\tseto %%al"          \
                : [r] "+r"(r32), "=&a"(ax) : [b] "r"((uint32_t)b), [c] "r"(cin) : "cc");\
            res = r32;                                                                  \
            break;                                                                      \
        }                                                                               \
        default: {                                                                      \
            uint64_t r64 = a;                                                           \
            asm("btl $0, %k[c]\n\t" INSN "q %[b], %[r]\n\tlahf\n\tseto %%al"            \
                : [r] "+r"(r64), "=&a"(ax) : [b] "r"(b), [c] "r"(cin) : "cc");          \
            res = r64;                                                                  \
            break;                                                                      \
        }                                                                               \
        }                                                                               \
    } while (0)

/* Two-operand ALU op: returns the result, *fl gets OSZAPC. */
static inline __attribute__((always_inline)) uint64_t
alu2(int op, int size, uint64_t a, uint64_t b, uint32_t cf, uint32_t *fl)
{
    uint32_t ax;
    uint64_t res;
    switch (op) {
    case ALU_ADD: ALU_ASM("add", cf); break;
    case ALU_OR:  ALU_ASM("or", cf); break;
    case ALU_ADC: ALU_ASM("adc", cf); break;
    case ALU_SBB: ALU_ASM("sbb", cf); break;
    case ALU_AND: ALU_ASM("and", cf); break;
    case ALU_SUB: case ALU_CMP: ALU_ASM("sub", cf); break;
    default:      ALU_ASM("xor", cf); break;
    }
    *fl = ALU_FLAGS(ax);
    return res;
}

#define ALU1_ASM(INSN)                                                                  \
    do {                                                                                \
        switch (size) {                                                                 \
        case 1: { uint8_t r8 = a;                                                       \
            asm(INSN "b %b[r]\n\tlahf\n\tseto %%al" : [r] "+q"(r8), "=&a"(ax) :: "cc"); \
            res = r8; break; }                                                          \
        case 2: { uint16_t r16 = a;                                                     \
            asm(INSN "w %w[r]\n\tlahf\n\tseto %%al" : [r] "+r"(r16), "=&a"(ax) :: "cc");\
            res = r16; break; }                                                         \
        case 4: { uint32_t r32 = a;                                                     \
            asm(INSN "l %k[r]\n\tlahf\n\tseto %%al" : [r] "+r"(r32), "=&a"(ax) :: "cc");\
            res = r32; break; }                                                         \
        default: { uint64_t r64 = a;                                                    \
            asm(INSN "q %[r]\n\tlahf\n\tseto %%al" : [r] "+r"(r64), "=&a"(ax) :: "cc");  \
            res = r64; break; }                                                         \
        }                                                                               \
    } while (0)

enum { ALU1_INC, ALU1_DEC, ALU1_NEG };

static inline __attribute__((always_inline)) uint64_t
alu1(int op, int size, uint64_t a, uint32_t *fl)
{
    uint32_t ax;
    uint64_t res;
    switch (op) {
    case ALU1_INC: ALU1_ASM("inc"); break;
    case ALU1_DEC: ALU1_ASM("dec"); break;
    default:       ALU1_ASM("neg"); break;
    }
    *fl = ALU_FLAGS(ax);
    return res;
}

#define SHIFT_ASM(INSN)                                                                 \
    do {                                                                                \
        switch (size) {                                                                 \
        case 1: { uint8_t r8 = a;                                                       \
            asm("btl $0, %k[c]\n\t" INSN "b %%cl, %b[r]\n\tlahf\n\tseto %%al"           \
                : [r] "+q"(r8), "=&a"(ax) : "c"(cnt), [c] "r"(cf) : "cc");              \
            res = r8; break; }                                                          \
        case 2: { uint16_t r16 = a;                                                     \
            asm("btl $0, %k[c]\n\t" INSN "w %%cl, %w[r]\n\tlahf\n\tseto %%al"           \
                : [r] "+r"(r16), "=&a"(ax) : "c"(cnt), [c] "r"(cf) : "cc");             \
            res = r16; break; }                                                         \
        case 4: { uint32_t r32 = a;                                                     \
            asm("btl $0, %k[c]\n\t" INSN "l %%cl, %k[r]\n\tlahf\n\tseto %%al"           \
                : [r] "+r"(r32), "=&a"(ax) : "c"(cnt), [c] "r"(cf) : "cc");             \
            res = r32; break; }                                                         \
        default: { uint64_t r64 = a;                                                    \
            asm("btl $0, %k[c]\n\t" INSN "q %%cl, %[r]\n\tlahf\n\tseto %%al"            \
                : [r] "+r"(r64), "=&a"(ax) : "c"(cnt), [c] "r"(cf) : "cc");             \
            res = r64; break; }                                                         \
        }                                                                               \
    } while (0)

/*
 * Group-2 shift/rotate with a non-zero masked count.  *fl gets the flags the
 * host produced; rotates change only CF and OF, the caller merges.
 */
static inline __attribute__((always_inline)) uint64_t
alu_shift(int op, int size, uint64_t a, uint32_t cnt, uint32_t cf, uint32_t *fl)
{
    uint32_t ax;
    uint64_t res;
    uint8_t c8 = cnt;
    (void)c8;
    switch (op) {
    case 0: SHIFT_ASM("rol"); break;
    case 1: SHIFT_ASM("ror"); break;
    case 2: SHIFT_ASM("rcl"); break;
    case 3: SHIFT_ASM("rcr"); break;
    case 4: case 6: SHIFT_ASM("shl"); break;
    case 5: SHIFT_ASM("shr"); break;
    default: SHIFT_ASM("sar"); break;
    }
    *fl = ALU_FLAGS(ax);
    return res;
}

/* SHLD/SHRD with a non-zero count, 16, 32 or 64 bits */
static inline uint64_t alu_shd(int right, int size, uint64_t a, uint64_t b, uint32_t cnt,
                               uint32_t *fl)
{
    uint32_t ax;
    uint64_t res;
    if (size == 2) {
        uint16_t r16 = a;
        if (right)
            asm("shrdw %%cl, %w[b], %w[r]\n\tlahf\n\tseto %%al"
                : [r] "+r"(r16), "=&a"(ax) : [b] "r"((uint16_t)b), "c"(cnt) : "cc");
        else
            asm("shldw %%cl, %w[b], %w[r]\n\tlahf\n\tseto %%al"
                : [r] "+r"(r16), "=&a"(ax) : [b] "r"((uint16_t)b), "c"(cnt) : "cc");
        res = r16;
    } else if (size == 4) {
        uint32_t r32 = a;
        if (right)
            asm("shrdl %%cl, %k[b], %k[r]\n\tlahf\n\tseto %%al"
                : [r] "+r"(r32), "=&a"(ax) : [b] "r"((uint32_t)b), "c"(cnt) : "cc");
        else
            asm("shldl %%cl, %k[b], %k[r]\n\tlahf\n\tseto %%al"
                : [r] "+r"(r32), "=&a"(ax) : [b] "r"((uint32_t)b), "c"(cnt) : "cc");
        res = r32;
    } else {
        uint64_t r64 = a;
        if (right)
            asm("shrdq %%cl, %[b], %[r]\n\tlahf\n\tseto %%al"
                : [r] "+r"(r64), "=&a"(ax) : [b] "r"(b), "c"(cnt) : "cc");
        else
            asm("shldq %%cl, %[b], %[r]\n\tlahf\n\tseto %%al"
                : [r] "+r"(r64), "=&a"(ax) : [b] "r"(b), "c"(cnt) : "cc");
        res = r64;
    }
    *fl = ALU_FLAGS(ax);
    return res;
}

/* MUL/IMUL (one operand form): returns the flags; lo and hi get the double-width result */
static inline uint32_t alu_mul(int is_signed, int size, uint64_t a, uint64_t b, uint64_t *lo,
                               uint64_t *hi)
{
    uint32_t ax, l, h;
    switch (size) {
    case 1: {
        uint16_t r = (uint8_t)a;
        if (is_signed)
            asm("imulb %b[b]\n\tmov %%ax, %w[r]\n\tlahf\n\tseto %%al"
                : "+a"(r), [r] "=&r"(l) : [b] "q"((uint8_t)b) : "cc");
        else
            asm("mulb %b[b]\n\tmov %%ax, %w[r]\n\tlahf\n\tseto %%al"
                : "+a"(r), [r] "=&r"(l) : [b] "q"((uint8_t)b) : "cc");
        ax = r;
        l &= 0xffff;
        *lo = l & 0xff;
        *hi = l >> 8;
        break;
    }
    case 2: {
        uint16_t ra = a, rd;
        if (is_signed)
            asm("imulw %w[b]\n\tmov %%ax, %w[r]\n\tlahf\n\tseto %%al"
                : "+a"(ra), "=d"(rd), [r] "=&r"(l) : [b] "r"((uint16_t)b) : "cc");
        else
            asm("mulw %w[b]\n\tmov %%ax, %w[r]\n\tlahf\n\tseto %%al"
                : "+a"(ra), "=d"(rd), [r] "=&r"(l) : [b] "r"((uint16_t)b) : "cc");
        ax = ra;
        *lo = l & 0xffff;
        *hi = rd;
        break;
    }
    case 4: {
        uint32_t ra = a;
        if (is_signed)
            asm("imull %k[b]\n\tmov %%eax, %k[r]\n\tlahf\n\tseto %%al"
                : "+a"(ra), "=d"(h), [r] "=&r"(l) : [b] "r"((uint32_t)b) : "cc");
        else
            asm("mull %k[b]\n\tmov %%eax, %k[r]\n\tlahf\n\tseto %%al"
                : "+a"(ra), "=d"(h), [r] "=&r"(l) : [b] "r"((uint32_t)b) : "cc");
        ax = ra;
        *lo = l;
        *hi = h;
        break;
    }
    default: {
        uint64_t ra = a, rd, l64;
        if (is_signed)
            asm("imulq %[b]\n\tmov %%rax, %[r]\n\tlahf\n\tseto %%al"
                : "+a"(ra), "=d"(rd), [r] "=&r"(l64) : [b] "r"(b) : "cc");
        else
            asm("mulq %[b]\n\tmov %%rax, %[r]\n\tlahf\n\tseto %%al"
                : "+a"(ra), "=d"(rd), [r] "=&r"(l64) : [b] "r"(b) : "cc");
        ax = ra;
        *lo = l64;
        *hi = rd;
        break;
    }
    }
    return ALU_FLAGS(ax);
}

/* IMUL r, r/m(, imm): truncated signed product */
static inline uint64_t alu_imul2(int size, uint64_t a, uint64_t b, uint32_t *fl)
{
    uint32_t ax;
    uint64_t res;
    if (size == 2) {
        uint16_t r = a;
        asm("imulw %w[b], %w[r]\n\tlahf\n\tseto %%al"
            : [r] "+r"(r), "=&a"(ax) : [b] "r"((uint16_t)b) : "cc");
        res = r;
    } else if (size == 4) {
        uint32_t r = a;
        asm("imull %k[b], %k[r]\n\tlahf\n\tseto %%al"
            : [r] "+r"(r), "=&a"(ax) : [b] "r"((uint32_t)b) : "cc");
        res = r;
    } else {
        uint64_t r = a;
        asm("imulq %[b], %[r]\n\tlahf\n\tseto %%al"
            : [r] "+r"(r), "=&a"(ax) : [b] "r"(b) : "cc");
        res = r;
    }
    *fl = ALU_FLAGS(ax);
    return res;
}

/* BSF/BSR with a non-zero source */
static inline uint32_t alu_bsf_bsr(int rev, uint64_t v)
{
    return rev ? 63 - __builtin_clzll(v) : __builtin_ctzll(v);
}

static inline uint32_t alu_szp(uint64_t v, int size)
{
    uint64_t m = size == 1 ? 0xff : size == 2 ? 0xffff : size == 4 ? 0xffffffffu : ~0ull;
    uint32_t f = 0;
    v &= m;
    if (!v)
        f |= 0x40;
    if (v & ((m >> 1) + 1))
        f |= 0x80;
    if (!__builtin_parity(v & 0xff))
        f |= 0x04;
    return f;
}

#endif
