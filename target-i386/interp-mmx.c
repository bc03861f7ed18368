/*
 * The packed-integer instructions: MMX, their SSE/SSE2 extensions and XMM
 * (66-prefixed) forms, and SSSE3 (0F 38 00-1E, 0F 3A 0F), on 8-byte MMX or
 * 16-byte XMM operands; MOVD/MOVQ/MOVDQA/MOVDQU and the non-temporal and
 * masked integer stores.  Intel SDM vol. 2 (instruction pages), vol. 1 ch. 9
 * (MMX state and the x87 transition) and 12.
 * The lanes are computed in C, the common XMM forms with the host's own SSE2
 * (the x86-64 baseline); see interp-sse.h for how MMX registers live.
 */
#include <emmintrin.h>

#include "target-i386/interp-sse.h"

/* SDM vol. 3, table 12-1 (MMX in the x87 state): EM #UD, TS #NM, then a
 * pending unmasked x87 exception is #MF */
void mmx_check(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    if (env->cr[0] & CR0_EM_MASK)
        raise_exception(cpu, EXCP06_ILLOP);
    if (env->cr[0] & CR0_TS_MASK)
        raise_exception(cpu, EXCP07_PREX);
    fpu_check_pending(cpu);
}

void mmx_enter(CPUX86State *env)
{
    env->fpstt = 0;
    memset(env->fptags, 0, sizeof(env->fptags));
}

static int8_t mmx_sat_s8(int v) { return v > 127 ? 127 : v < -128 ? -128 : v; }
static uint8_t mmx_sat_u8(int v) { return v > 255 ? 255 : v < 0 ? 0 : v; }
static int16_t mmx_sat_s16(int v) { return v > 32767 ? 32767 : v < -32768 ? -32768 : v; }
static uint16_t mmx_sat_u16(int v) { return v > 65535 ? 65535 : v < 0 ? 0 : v; }

/* PUNPCKL/H: interleave the low (high) halves of a and b, elements of e bytes */
static void mmx_unpack(XMMReg *r, const XMMReg *a, const XMMReg *b, int e, int n, bool high)
{
    int half = n / 2, off = high ? half : 0;
    for (int i = 0; i < half / e; i++) {
        memcpy(r->b + 2 * i * e, a->b + off + i * e, e);
        memcpy(r->b + (2 * i + 1) * e, b->b + off + i * e, e);
    }
}

/* Shifts by a 64-bit count (register, memory or imm8 forms): e is the element
 * size in bytes; kind 0 logical right, 1 arithmetic right, 2 left */
static void mmx_shift(XMMReg *r, uint64_t cnt, int e, int kind, int n)
{
    int bits = e * 8;
    for (int i = 0; i < n / e; i++) {
        uint64_t v = 0;
        memcpy(&v, r->b + i * e, e);
        if (kind == 1) {
            int64_t s = (int64_t)(v << (64 - bits)) >> (64 - bits);
            v = s >> (cnt >= (uint64_t)bits ? bits - 1 : (int)cnt);
        } else if (cnt >= (uint64_t)bits) {
            v = 0;
        } else {
            v = kind == 0 ? v >> cnt : v << cnt;
        }
        memcpy(r->b + i * e, &v, e);
    }
}

/* PSRLDQ / PSLLDQ: the whole register by imm8 bytes */
static void mmx_byte_shift(XMMReg *r, unsigned cnt, bool left)
{
    XMMReg t;
    memset(&t, 0, sizeof(t));
    for (int i = 0; i < 16; i++) {
        int src = left ? i - (int)cnt : i + (int)cnt;
        if (cnt < 16 && src >= 0 && src < 16)
            t.b[i] = r->b[src];
    }
    *r = t;
}

/* The XMM forms of the SSE2 lane instructions that string and memory code
 * uses most, as the same host instruction (the results are the hardware's by
 * construction; the C below handles the MMX forms and the rest). */
static bool mmx_binop_sse2(int key, XMMReg *r, const XMMReg *a, const XMMReg *b)
{
    __m128i x = _mm_loadu_si128((const __m128i *)a);
    __m128i y = _mm_loadu_si128((const __m128i *)b);
    __m128i z;

    switch (key) {
    case 0x160: z = _mm_unpacklo_epi8(x, y); break;
    case 0x161: z = _mm_unpacklo_epi16(x, y); break;
    case 0x162: z = _mm_unpacklo_epi32(x, y); break;
    case 0x16c: z = _mm_unpacklo_epi64(x, y); break;
    case 0x168: z = _mm_unpackhi_epi8(x, y); break;
    case 0x169: z = _mm_unpackhi_epi16(x, y); break;
    case 0x16a: z = _mm_unpackhi_epi32(x, y); break;
    case 0x16d: z = _mm_unpackhi_epi64(x, y); break;
    case 0x163: z = _mm_packs_epi16(x, y); break;
    case 0x167: z = _mm_packus_epi16(x, y); break;
    case 0x16b: z = _mm_packs_epi32(x, y); break;
    case 0x164: z = _mm_cmpgt_epi8(x, y); break;
    case 0x165: z = _mm_cmpgt_epi16(x, y); break;
    case 0x166: z = _mm_cmpgt_epi32(x, y); break;
    case 0x174: z = _mm_cmpeq_epi8(x, y); break;
    case 0x175: z = _mm_cmpeq_epi16(x, y); break;
    case 0x176: z = _mm_cmpeq_epi32(x, y); break;
    case 0x1d4: z = _mm_add_epi64(x, y); break;
    case 0x1d5: z = _mm_mullo_epi16(x, y); break;
    case 0x1d8: z = _mm_subs_epu8(x, y); break;
    case 0x1d9: z = _mm_subs_epu16(x, y); break;
    case 0x1da: z = _mm_min_epu8(x, y); break;
    case 0x1db: z = _mm_and_si128(x, y); break;
    case 0x1dc: z = _mm_adds_epu8(x, y); break;
    case 0x1dd: z = _mm_adds_epu16(x, y); break;
    case 0x1de: z = _mm_max_epu8(x, y); break;
    case 0x1df: z = _mm_andnot_si128(x, y); break;
    case 0x1e0: z = _mm_avg_epu8(x, y); break;
    case 0x1e3: z = _mm_avg_epu16(x, y); break;
    case 0x1e4: z = _mm_mulhi_epu16(x, y); break;
    case 0x1e5: z = _mm_mulhi_epi16(x, y); break;
    case 0x1e8: z = _mm_subs_epi8(x, y); break;
    case 0x1e9: z = _mm_subs_epi16(x, y); break;
    case 0x1ea: z = _mm_min_epi16(x, y); break;
    case 0x1eb: z = _mm_or_si128(x, y); break;
    case 0x1ec: z = _mm_adds_epi8(x, y); break;
    case 0x1ed: z = _mm_adds_epi16(x, y); break;
    case 0x1ee: z = _mm_max_epi16(x, y); break;
    case 0x1ef: z = _mm_xor_si128(x, y); break;
    case 0x1f4: z = _mm_mul_epu32(x, y); break;
    case 0x1f5: z = _mm_madd_epi16(x, y); break;
    case 0x1f6: z = _mm_sad_epu8(x, y); break;
    case 0x1f8: z = _mm_sub_epi8(x, y); break;
    case 0x1f9: z = _mm_sub_epi16(x, y); break;
    case 0x1fa: z = _mm_sub_epi32(x, y); break;
    case 0x1fb: z = _mm_sub_epi64(x, y); break;
    case 0x1fc: z = _mm_add_epi8(x, y); break;
    case 0x1fd: z = _mm_add_epi16(x, y); break;
    case 0x1fe: z = _mm_add_epi32(x, y); break;
    default:
        return false;
    }
    _mm_storeu_si128((__m128i *)r, z);
    return true;
}

/*
 * r = a op b for the two-operand lane instructions; n is 8 (MMX) or 16.
 * Returns false for a key that is not one of them.
 */
static bool mmx_binop(int key, XMMReg *r, const XMMReg *a, const XMMReg *b, int n)
{
    int nw = n / 2, nd = n / 4, nq = n / 8;

    if (n == 16 && mmx_binop_sse2(key, r, a, b))
        return true;
    *r = *a;
    switch (key) {
    case 0x160: mmx_unpack(r, a, b, 1, n, false); break;   /* punpcklbw */
    case 0x161: mmx_unpack(r, a, b, 2, n, false); break;
    case 0x162: mmx_unpack(r, a, b, 4, n, false); break;
    case 0x16c: mmx_unpack(r, a, b, 8, n, false); break;
    case 0x168: mmx_unpack(r, a, b, 1, n, true); break;    /* punpckhbw */
    case 0x169: mmx_unpack(r, a, b, 2, n, true); break;
    case 0x16a: mmx_unpack(r, a, b, 4, n, true); break;
    case 0x16d: mmx_unpack(r, a, b, 8, n, true); break;
    case 0x163:     /* packsswb */
        for (int i = 0; i < nw; i++) {
            r->b[i] = mmx_sat_s8((int16_t)a->w[i]);
            r->b[nw + i] = mmx_sat_s8((int16_t)b->w[i]);
        }
        break;
    case 0x167:     /* packuswb */
        for (int i = 0; i < nw; i++) {
            r->b[i] = mmx_sat_u8((int16_t)a->w[i]);
            r->b[nw + i] = mmx_sat_u8((int16_t)b->w[i]);
        }
        break;
    case 0x16b:     /* packssdw */
        for (int i = 0; i < nd; i++) {
            r->w[i] = mmx_sat_s16((int32_t)a->l[i]);
            r->w[nd + i] = mmx_sat_s16((int32_t)b->l[i]);
        }
        break;
    case 0x164:
        for (int i = 0; i < n; i++)
            r->b[i] = (int8_t)a->b[i] > (int8_t)b->b[i] ? 0xff : 0;
        break;
    case 0x165:
        for (int i = 0; i < nw; i++)
            r->w[i] = (int16_t)a->w[i] > (int16_t)b->w[i] ? 0xffff : 0;
        break;
    case 0x166:
        for (int i = 0; i < nd; i++)
            r->l[i] = (int32_t)a->l[i] > (int32_t)b->l[i] ? ~0u : 0;
        break;
    case 0x174:
        for (int i = 0; i < n; i++)
            r->b[i] = a->b[i] == b->b[i] ? 0xff : 0;
        break;
    case 0x175:
        for (int i = 0; i < nw; i++)
            r->w[i] = a->w[i] == b->w[i] ? 0xffff : 0;
        break;
    case 0x176:
        for (int i = 0; i < nd; i++)
            r->l[i] = a->l[i] == b->l[i] ? ~0u : 0;
        break;
    case 0x1d1: mmx_shift(r, b->q[0], 2, 0, n); break;      /* psrlw */
    case 0x1d2: mmx_shift(r, b->q[0], 4, 0, n); break;
    case 0x1d3: mmx_shift(r, b->q[0], 8, 0, n); break;
    case 0x1e1: mmx_shift(r, b->q[0], 2, 1, n); break;      /* psraw */
    case 0x1e2: mmx_shift(r, b->q[0], 4, 1, n); break;
    case 0x1f1: mmx_shift(r, b->q[0], 2, 2, n); break;      /* psllw */
    case 0x1f2: mmx_shift(r, b->q[0], 4, 2, n); break;
    case 0x1f3: mmx_shift(r, b->q[0], 8, 2, n); break;
    case 0x1d4:
        for (int i = 0; i < nq; i++)
            r->q[i] = a->q[i] + b->q[i];
        break;
    case 0x1fb:
        for (int i = 0; i < nq; i++)
            r->q[i] = a->q[i] - b->q[i];
        break;
    case 0x1d5:     /* pmullw */
        for (int i = 0; i < nw; i++)
            r->w[i] = (uint16_t)((int16_t)a->w[i] * (int16_t)b->w[i]);
        break;
    case 0x1e5:     /* pmulhw */
        for (int i = 0; i < nw; i++)
            r->w[i] = (uint32_t)((int16_t)a->w[i] * (int16_t)b->w[i]) >> 16;
        break;
    case 0x1e4:     /* pmulhuw */
        for (int i = 0; i < nw; i++)
            r->w[i] = ((uint32_t)a->w[i] * b->w[i]) >> 16;
        break;
    case 0x1d8: case 0x1dc: case 0x1e8: case 0x1ec:        /* psubusb paddusb psubsb paddsb */
        for (int i = 0; i < n; i++) {
            bool sub = key == 0x1d8 || key == 0x1e8;
            if (key < 0x1e0)
                r->b[i] = mmx_sat_u8(sub ? a->b[i] - b->b[i] : a->b[i] + b->b[i]);
            else
                r->b[i] = mmx_sat_s8(sub ? (int8_t)a->b[i] - (int8_t)b->b[i]
                                         : (int8_t)a->b[i] + (int8_t)b->b[i]);
        }
        break;
    case 0x1d9: case 0x1dd: case 0x1e9: case 0x1ed:        /* the word forms */
        for (int i = 0; i < nw; i++) {
            bool sub = key == 0x1d9 || key == 0x1e9;
            if (key < 0x1e0)
                r->w[i] = mmx_sat_u16(sub ? a->w[i] - b->w[i] : a->w[i] + b->w[i]);
            else
                r->w[i] = mmx_sat_s16(sub ? (int16_t)a->w[i] - (int16_t)b->w[i]
                                          : (int16_t)a->w[i] + (int16_t)b->w[i]);
        }
        break;
    case 0x1da:
        for (int i = 0; i < n; i++)
            r->b[i] = a->b[i] < b->b[i] ? a->b[i] : b->b[i];
        break;
    case 0x1de:
        for (int i = 0; i < n; i++)
            r->b[i] = a->b[i] > b->b[i] ? a->b[i] : b->b[i];
        break;
    case 0x1ea:
        for (int i = 0; i < nw; i++)
            r->w[i] = (int16_t)a->w[i] < (int16_t)b->w[i] ? a->w[i] : b->w[i];
        break;
    case 0x1ee:
        for (int i = 0; i < nw; i++)
            r->w[i] = (int16_t)a->w[i] > (int16_t)b->w[i] ? a->w[i] : b->w[i];
        break;
    case 0x1db: case 0x1df: case 0x1eb: case 0x1ef:
        for (int i = 0; i < nq; i++)
            r->q[i] = key == 0x1db ? a->q[i] & b->q[i] : key == 0x1df ? ~a->q[i] & b->q[i] :
                      key == 0x1eb ? a->q[i] | b->q[i] : a->q[i] ^ b->q[i];
        break;
    case 0x1e0:
        for (int i = 0; i < n; i++)
            r->b[i] = (a->b[i] + b->b[i] + 1) >> 1;
        break;
    case 0x1e3:
        for (int i = 0; i < nw; i++)
            r->w[i] = ((uint32_t)a->w[i] + b->w[i] + 1) >> 1;
        break;
    case 0x1f4:     /* pmuludq */
        for (int i = 0; i < nq; i++)
            r->q[i] = (uint64_t)a->l[2 * i] * b->l[2 * i];
        break;
    case 0x1f5:     /* pmaddwd */
        for (int i = 0; i < nd; i++)
            r->l[i] = (uint32_t)((int16_t)a->w[2 * i] * (int16_t)b->w[2 * i]) +
                      (uint32_t)((int16_t)a->w[2 * i + 1] * (int16_t)b->w[2 * i + 1]);
        break;
    case 0x1f6:     /* psadbw */
        for (int i = 0; i < nq; i++) {
            uint64_t s = 0;
            for (int j = 8 * i; j < 8 * i + 8; j++)
                s += a->b[j] > b->b[j] ? a->b[j] - b->b[j] : b->b[j] - a->b[j];
            r->q[i] = s;
        }
        break;
    case 0x1f8:
        for (int i = 0; i < n; i++)
            r->b[i] = a->b[i] - b->b[i];
        break;
    case 0x1f9:
        for (int i = 0; i < nw; i++)
            r->w[i] = a->w[i] - b->w[i];
        break;
    case 0x1fa:
        for (int i = 0; i < nd; i++)
            r->l[i] = a->l[i] - b->l[i];
        break;
    case 0x1fc:
        for (int i = 0; i < n; i++)
            r->b[i] = a->b[i] + b->b[i];
        break;
    case 0x1fd:
        for (int i = 0; i < nw; i++)
            r->w[i] = a->w[i] + b->w[i];
        break;
    case 0x1fe:
        for (int i = 0; i < nd; i++)
            r->l[i] = a->l[i] + b->l[i];
        break;

    /* ---- SSSE3, 0F 38 ---- */
    case 0x200:     /* pshufb */
        for (int i = 0; i < n; i++)
            r->b[i] = (b->b[i] & 0x80) ? 0 : a->b[b->b[i] & (n - 1)];
        break;
    case 0x201: case 0x203: case 0x205: case 0x207:         /* phaddw phaddsw phsubw phsubsw */
        for (int i = 0; i < nw / 2; i++) {
            for (int k = 0; k < 2; k++) {
                const XMMReg *s = k ? b : a;
                int x = (int16_t)s->w[2 * i], y = (int16_t)s->w[2 * i + 1];
                int v = key >= 0x205 ? x - y : x + y;
                r->w[k * nw / 2 + i] = (key & 2) ? (uint16_t)mmx_sat_s16(v) : (uint16_t)v;
            }
        }
        break;
    case 0x202: case 0x206:                                 /* phaddd phsubd */
        for (int i = 0; i < nd / 2; i++) {
            r->l[i] = key == 0x202 ? a->l[2 * i] + a->l[2 * i + 1] : a->l[2 * i] - a->l[2 * i + 1];
            r->l[nd / 2 + i] = key == 0x202 ? b->l[2 * i] + b->l[2 * i + 1]
                                            : b->l[2 * i] - b->l[2 * i + 1];
        }
        break;
    case 0x204:     /* pmaddubsw: unsigned bytes of a times signed bytes of b */
        for (int i = 0; i < nw; i++)
            r->w[i] = mmx_sat_s16(a->b[2 * i] * (int8_t)b->b[2 * i] +
                                  a->b[2 * i + 1] * (int8_t)b->b[2 * i + 1]);
        break;
    case 0x208:
        for (int i = 0; i < n; i++)
            r->b[i] = (int8_t)b->b[i] < 0 ? -a->b[i] : b->b[i] ? a->b[i] : 0;
        break;
    case 0x209:
        for (int i = 0; i < nw; i++)
            r->w[i] = (int16_t)b->w[i] < 0 ? -a->w[i] : b->w[i] ? a->w[i] : 0;
        break;
    case 0x20a:
        for (int i = 0; i < nd; i++)
            r->l[i] = (int32_t)b->l[i] < 0 ? -a->l[i] : b->l[i] ? a->l[i] : 0;
        break;
    case 0x20b:     /* pmulhrsw */
        for (int i = 0; i < nw; i++)
            r->w[i] = ((((int32_t)(int16_t)a->w[i] * (int16_t)b->w[i]) >> 14) + 1) >> 1;
        break;
    case 0x21c:
        for (int i = 0; i < n; i++)
            r->b[i] = (int8_t)b->b[i] < 0 ? -b->b[i] : b->b[i];
        break;
    case 0x21d:
        for (int i = 0; i < nw; i++)
            r->w[i] = (int16_t)b->w[i] < 0 ? -b->w[i] : b->w[i];
        break;
    case 0x21e:
        for (int i = 0; i < nd; i++)
            r->l[i] = (int32_t)b->l[i] < 0 ? -b->l[i] : b->l[i];
        break;
    default:
        return false;
    }
    return true;
}

static void mmx_rd(CPUX86State *env, bool xmm, int r, XMMReg *v)
{
    if (xmm) {
        *v = *sse_reg(env, r);
    } else {
        memset(v, 0, sizeof(*v));
        v->q[0] = mmx_get(env, r);
    }
}

static void mmx_wr(CPUX86State *env, bool xmm, int r, const XMMReg *v)
{
    if (xmm)
        *sse_reg(env, r) = *v;
    else
        mmx_set(env, r, v->q[0]);
}

/* The r/m source: a register, or n bytes of memory (aligned if an XMM m128) */
static void mmx_src(X86CPU *cpu, const DInsn *d, bool xmm, XMMReg *v, int n)
{
    if (d->mod == 3) {
        mmx_rd(&cpu->env, xmm, d->rm, v);
    } else {
        memset(v, 0, sizeof(*v));
        sse_ld_mem(cpu, d, v, n, xmm && n == 16);
    }
}

/* MASKMOVQ / MASKMOVDQU: the bytes of reg whose mask byte (rm) has bit 7
 * set go to [DS:rDI] (segment override allowed) */
static void mmx_maskmov(X86CPU *cpu, const DInsn *d, bool xmm)
{
    CPUX86State *env = &cpu->env;
    XMMReg v, m;
    int n = xmm ? 16 : 8;
    uint64_t ea = env->regs[R_EDI];
    bool any = false;

    if (!(d->rex & DX_AD64))
        ea = (d->pfx & PFX_AD32) ? (uint32_t)ea : (uint16_t)ea;
    mmx_rd(env, xmm, d->reg, &v);
    mmx_rd(env, xmm, d->rm, &m);
    for (int i = 0; i < n; i++)
        any |= m.b[i] >> 7;
    if (!any)
        return;
    cpu_probe_write(cpu, d->seg, ea, n);
    for (int i = 0; i < n; i++)
        if (m.b[i] & 0x80)
            cpu_st(cpu, d->seg, ea + i, v.b[i], 1);
}

/* Valid mandatory-prefix forms: bit SSE_NP (MMX), SSE_66 (XMM), SSE_F3, SSE_F2 */
static unsigned mmx_forms(int key, const DInsn *d)
{
    switch (key) {
    case 0x16c: case 0x16d: return 1u << SSE_66;
    case 0x16f: case 0x17f: return 1u << SSE_NP | 1u << SSE_66 | 1u << SSE_F3;
    case 0x17e: return 1u << SSE_NP | 1u << SSE_66 | 1u << SSE_F3;
    case 0x170: return 0xf;
    case 0x1d6: return 1u << SSE_66 | 1u << SSE_F3 | 1u << SSE_F2;
    case 0x173:     /* psrldq pslldq are XMM only */
        return (d->reg == 3 || d->reg == 7) ? 1u << SSE_66 : 1u << SSE_NP | 1u << SSE_66;
    }
    return 1u << SSE_NP | 1u << SSE_66;
}

bool mmx_exec(X86CPU *cpu, const DInsn *d, int key, int form)
{
    CPUX86State *env = &cpu->env;
    bool xmm = form != SSE_NP, touches_mmx = form == SSE_NP;
    int n = xmm ? 16 : 8;
    XMMReg a, b, r;

    switch (key) {
    case 0x160 ... 0x176: case 0x17e: case 0x17f: case 0x1c4: case 0x1c5:
    case 0x1d1 ... 0x1ff:
        if (key == 0x1e6 || key == 0x1f0 || key == 0x1ff)   /* cvt*dq, lddqu, (bad) */
            return false;
        break;
    case 0x200 ... 0x20b: case 0x21c ... 0x21e: case 0x30f:
        break;
    default:
        return false;
    }
    if (!(mmx_forms(key, d) & (1u << form)))
        sse_ud(cpu);
    if (key == 0x1d6 && form != SSE_66)     /* movq2dq movdq2q: both kinds of state */
        touches_mmx = true;
    if (xmm)
        sse_check(cpu);
    else
        mmx_check(cpu);
    if (touches_mmx && xmm)
        fpu_check_pending(cpu);

    switch (key) {
    case 0x16e:     /* movd/movq mm/xmm, r/m32 (r/m64 with REX.W) */
        memset(&r, 0, sizeof(r));
        if (d->rex & REX_W) {
            if (d->mod == 3)
                r.q[0] = env->regs[d->rm];
            else
                sse_ld_mem(cpu, d, &r, 8, false);
        } else {
            r.l[0] = interp_ld_rm(cpu, d, 4);
        }
        mmx_wr(env, xmm, d->reg, &r);
        break;
    case 0x17e:
        if (form == SSE_F3) {   /* movq xmm, xmm/m64 */
            memset(&r, 0, sizeof(r));
            if (d->mod == 3)
                r.q[0] = sse_reg(env, d->rm)->q[0];
            else
                sse_ld_mem(cpu, d, &r, 8, false);
            *sse_reg(env, d->reg) = r;
            break;
        }
        mmx_rd(env, xmm, d->reg, &r);
        if (!(d->rex & REX_W))
            interp_st_rm(cpu, d, 4, r.l[0]);
        else if (d->mod == 3)
            env->regs[d->rm] = r.q[0];
        else
            sse_st_mem(cpu, d, &r, 8, false);
        break;
    case 0x16f:     /* movq mm, mm/m64; movdqa movdqu */
        if (form == SSE_F3 && d->mod != 3)
            sse_ld_mem(cpu, d, &r, 16, false);
        else
            mmx_src(cpu, d, xmm, &r, n);
        mmx_wr(env, xmm, d->reg, &r);
        break;
    case 0x17f:     /* movq mm/m64, mm; movdqa movdqu */
        mmx_rd(env, xmm, d->reg, &r);
        if (d->mod == 3)
            mmx_wr(env, xmm, d->rm, &r);
        else
            sse_st_mem(cpu, d, &r, n, form == SSE_66);
        break;
    case 0x1e7:     /* movntq movntdq: memory only */
        if (d->mod == 3)
            sse_ud(cpu);
        mmx_rd(env, xmm, d->reg, &r);
        sse_st_mem(cpu, d, &r, n, xmm);
        break;
    case 0x1d6:
        if (form == SSE_66) {           /* movq xmm/m64, xmm */
            r = *sse_reg(env, d->reg);
            if (d->mod == 3) {
                r.q[1] = 0;
                *sse_reg(env, d->rm) = r;
            } else {
                sse_st_mem(cpu, d, &r, 8, false);
            }
            break;
        }
        if (d->mod != 3)
            sse_ud(cpu);
        if (form == SSE_F3) {           /* movq2dq xmm, mm */
            memset(&r, 0, sizeof(r));
            r.q[0] = mmx_get(env, d->rm);
            *sse_reg(env, d->reg) = r;
        } else {                        /* movdq2q mm, xmm */
            mmx_set(env, d->reg, sse_reg(env, d->rm)->q[0]);
        }
        break;
    case 0x170: {   /* pshufw pshufd pshufhw pshuflw */
        unsigned imm = d->imm;
        mmx_src(cpu, d, xmm, &b, n);
        r = b;
        if (form == SSE_NP) {
            for (int i = 0; i < 4; i++)
                r.w[i] = b.w[(imm >> (2 * i)) & 3];
        } else if (form == SSE_66) {
            for (int i = 0; i < 4; i++)
                r.l[i] = b.l[(imm >> (2 * i)) & 3];
        } else {
            int base = form == SSE_F3 ? 4 : 0;
            for (int i = 0; i < 4; i++)
                r.w[base + i] = b.w[base + ((imm >> (2 * i)) & 3)];
        }
        mmx_wr(env, xmm, d->reg, &r);
        break;
    }
    case 0x171: case 0x172: case 0x173: {   /* shift groups by imm8 */
        static const int16_t grp_key[3][8] = {
            { -1, -1, 0x1d1, -1, 0x1e1, -1, 0x1f1, -1 },
            { -1, -1, 0x1d2, -1, 0x1e2, -1, 0x1f2, -1 },
            { -1, -1, 0x1d3, 3, -1, -1, 0x1f3, 7 },
        };
        int k = grp_key[key - 0x171][d->reg & 7];
        if (d->mod != 3 || k < 0)
            sse_ud(cpu);
        mmx_rd(env, xmm, d->rm, &a);
        if (k == 3 || k == 7) {
            mmx_byte_shift(&a, d->imm & 0xff, k == 7);
            r = a;
        } else {
            memset(&b, 0, sizeof(b));
            b.q[0] = d->imm & 0xff;
            mmx_binop(k, &r, &a, &b, n);
        }
        mmx_wr(env, xmm, d->rm, &r);
        break;
    }
    case 0x1c4: {   /* pinsrw mm/xmm, r32/m16, imm8 */
        uint16_t v;
        if (d->mod == 3)
            v = env->regs[d->rm];
        else
            sse_ld_mem(cpu, d, &v, 2, false);
        mmx_rd(env, xmm, d->reg, &r);
        r.w[d->imm & (n / 2 - 1)] = v;
        mmx_wr(env, xmm, d->reg, &r);
        break;
    }
    case 0x1c5:     /* pextrw r32, mm/xmm, imm8 */
        if (d->mod != 3)
            sse_ud(cpu);
        mmx_rd(env, xmm, d->rm, &a);
        interp_wr_reg(env, 4, d->reg, a.w[d->imm & (n / 2 - 1)]);
        break;
    case 0x1d7: {   /* pmovmskb r32, mm/xmm */
        uint32_t m = 0;
        if (d->mod != 3)
            sse_ud(cpu);
        mmx_rd(env, xmm, d->rm, &a);
        if (xmm) {
            m = _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)&a));
        } else {
            for (int i = 0; i < n; i++)
                m |= (uint32_t)(a.b[i] >> 7) << i;
        }
        interp_wr_reg(env, 4, d->reg, m);
        break;
    }
    case 0x1f7:
        if (d->mod != 3)
            sse_ud(cpu);
        mmx_maskmov(cpu, d, xmm);
        break;
    case 0x30f: {   /* palignr: (reg:rm) >> imm8 bytes */
        uint8_t t[32];
        mmx_src(cpu, d, xmm, &b, n);
        mmx_rd(env, xmm, d->reg, &a);
        memcpy(t, b.b, n);
        memcpy(t + n, a.b, n);
        memset(&r, 0, sizeof(r));
        for (int i = 0; i < n; i++)
            if ((unsigned)i + (d->imm & 0xff) < 2u * n)
                r.b[i] = t[i + (d->imm & 0xff)];
        mmx_wr(env, xmm, d->reg, &r);
        break;
    }
    default:
        /* MMX punpckl* read only 32 bits of memory */
        mmx_src(cpu, d, xmm, &b, !xmm && key >= 0x160 && key <= 0x162 ? 4 : n);
        mmx_rd(env, xmm, d->reg, &a);
        if (!mmx_binop(key, &r, &a, &b, n))
            sse_ud(cpu);
        mmx_wr(env, xmm, d->reg, &r);
        break;
    }
    if (touches_mmx)
        mmx_enter(env);
    return true;
}
