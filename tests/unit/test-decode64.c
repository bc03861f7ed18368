/*
 * The software CPU's decoder in 64-bit mode (Intel SDM vol. 2, 2.2.1 REX
 * prefixes, RIP-relative addressing, 64-bit immediates and offsets, opcodes
 * invalid in 64-bit mode), and that 32-bit decoding is unchanged by it.
 */
#include <stdarg.h>
#include <string.h>

#include "target-i386/tcg.h"
#include "tests/unit/tap.h"

static int dec(int mode, DInsn *d, const char *what, int n, ...)
{
    uint8_t b[16];
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++)
        b[i] = va_arg(ap, int);
    va_end(ap);
    int len = decode_insn_buf(b, n, mode, d);
    is_int(len, n, "%s: length", what);
    return len;
}

int main(void)
{
    DInsn d;

    /* 4C 01 C8: add rax, r9 (REX.WR; ModRM 11 001 000) */
    dec(DECODE_64, &d, "add rax,r9", 3, 0x4c, 0x01, 0xc8);
    is_int(d.op, 0x01, "add rax,r9: opcode");
    is_int(d.reg, 9, "add rax,r9: reg = r9 (REX.R)");
    is_int(d.rm, 0, "add rax,r9: rm = rax");
    ok(d.rex & REX_W, "add rax,r9: REX.W");
    is_int(d.h, H_ALU_RR64 + 0, "add rax,r9: the 64-bit ALU reg/reg handler");

    /* 01 C8: add eax, ecx in 64-bit mode: the 32-bit form (zero-extends) */
    dec(DECODE_64, &d, "add eax,ecx", 2, 0x01, 0xc8);
    is_int(d.h, H_ALU_RR32 + 0, "add eax,ecx: the 32-bit ALU reg/reg handler");

    /* 41 50: push r8 is 64-bit by default */
    dec(DECODE_64, &d, "push r8", 2, 0x41, 0x50);
    is_int(d.h, H_PUSH64, "push r8: the 64-bit push handler");
    is_int(d.rm, 8, "push r8: register r8 (REX.B)");

    /* 66 50: push ax (66h) stays generic */
    dec(DECODE_64, &d, "push ax", 2, 0x66, 0x50);
    is_int(d.h, 0x50, "push ax: generic handler");

    /* 40 88 F0: mov al, sil (REX without W: SIL, not DH) */
    dec(DECODE_64, &d, "mov al,sil", 3, 0x40, 0x88, 0xf0);
    ok(d.rex & DX_REX, "mov al,sil: REX present");
    is_int(d.reg, 6, "mov al,sil: reg 6 (SIL with REX)");

    /* 4D 8B 44 D5 08: mov r8, [r13 + rdx*8 + 8] (REX.WRB) */
    dec(DECODE_64, &d, "mov r8,[r13+rdx*8+8]", 5, 0x4d, 0x8b, 0x44, 0xd5, 0x08);
    is_int(d.reg, 8, "mov r8,[...]: reg r8");
    is_int(d.base, 13, "mov r8,[...]: base r13 (REX.B)");
    is_int(d.index, R_EDX, "mov r8,[...]: index rdx");
    is_int(d.scale, 3, "mov r8,[...]: scale 8");
    is_int(d.disp, 8, "mov r8,[...]: disp");
    ok(d.rex & DX_AD64, "mov r8,[...]: 64-bit addressing");

    /* 4A 8B 04 24: mov rax, [rsp + r12*1] (REX.X makes index 4 = r12) */
    dec(DECODE_64, &d, "mov rax,[rsp+r12]", 4, 0x4a, 0x8b, 0x04, 0x24);
    is_int(d.index, 12, "mov rax,[rsp+r12]: index r12");
    is_int(d.base, R_ESP, "mov rax,[rsp+r12]: base rsp");
    /* 48 8B 04 24: mov rax, [rsp] (no index) */
    dec(DECODE_64, &d, "mov rax,[rsp]", 4, 0x48, 0x8b, 0x04, 0x24);
    is_int(d.index, EA_NONE, "mov rax,[rsp]: no index");

    /* 48 8B 05 10 00 00 00: mov rax, [rip + 0x10] */
    dec(DECODE_64, &d, "mov rax,[rip+16]", 7, 0x48, 0x8b, 0x05, 0x10, 0, 0, 0);
    is_int(d.base, EA_RIP, "mov rax,[rip+16]: RIP-relative");
    is_int(d.disp, 0x10, "mov rax,[rip+16]: disp");
    /* the same bytes without REX in 32-bit code: absolute disp32 */
    dec(1, &d, "mov eax,[0x10] (32-bit)", 6, 0x8b, 0x05, 0x10, 0, 0, 0);
    is_int(d.base, EA_NONE, "32-bit [disp32]: no base");
    /* SIB with no base and no index in 64-bit mode is absolute, not RIP */
    dec(DECODE_64, &d, "mov eax,[abs32]", 7, 0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12);
    is_int(d.base, EA_NONE, "[disp32] via SIB: no base");
    is_int(d.disp, 0x12345678, "[disp32] via SIB: disp");

    /* 49 BA imm64: mov r10, 0x1122334455667788 */
    dec(DECODE_64, &d, "mov r10,imm64", 10, 0x49, 0xba, 0x88, 0x77, 0x66, 0x55,
        0x44, 0x33, 0x22, 0x11);
    is_int(d.imm, 0x55667788, "mov r10,imm64: low half");
    is_int(d.disp, 0x11223344, "mov r10,imm64: high half");
    ok((d.rex & REX_B) && (d.op & 7) == 2, "mov r10,imm64: register from opcode + REX.B");
    /* 48 C7 C0 imm32: mov rax, simm32 (4 bytes, not 8) */
    dec(DECODE_64, &d, "mov rax,simm32", 7, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff);
    /* 48 A1 moffs64: mov rax, [0x0000000100000000] */
    dec(DECODE_64, &d, "mov rax,moffs64", 10, 0x48, 0xa1, 0, 0, 0, 0, 1, 0, 0, 0);
    is_int(d.disp, 0, "moffs64: low half");
    is_int(d.imm, 1, "moffs64: high half");
    /* 67 A1 moffs32 in 64-bit mode */
    dec(DECODE_64, &d, "mov eax,moffs32 (67h)", 6, 0x67, 0xa1, 4, 3, 2, 1);
    ok(!(d.rex & DX_AD64), "67h: 32-bit addressing");

    /* 40 is REX, not INC; 40 88 F0: mov al, sil (REX makes rm 6 = SIL) */
    dec(DECODE_64, &d, "mov al,sil", 3, 0x40, 0x88, 0xf0);
    ok(d.rex & DX_REX, "mov al,sil: REX present");
    is_int(d.reg, 6, "mov al,sil: reg 6");
    /* a REX followed by a legacy prefix is ignored: 48 66 01 C8 = add ax,cx */
    dec(DECODE_64, &d, "REX then 66h", 4, 0x48, 0x66, 0x01, 0xc8);
    is_int(d.rex & ~DX_AD64, 0, "REX before 66h ignored");
    ok(!(d.pfx & PFX_OP32), "66h: 16-bit operand");

    /* 66 48 81 C0 imm32: REX.W wins over 66h, so imm32 (add rax, simm32) */
    dec(DECODE_64, &d, "66 REX.W add rax,imm32", 8, 0x66, 0x48, 0x81, 0xc0, 1, 0, 0, 0);
    ok((d.rex & REX_W) && (d.pfx & PFX_66), "66 REX.W: W set, 66h still recorded");

    /* 66 E8 rel32: Intel ignores 66h on near branches in 64-bit mode */
    dec(DECODE_64, &d, "66 call rel32", 6, 0x66, 0xe8, 4, 0, 0, 0);
    /* 0F 85 rel32 */
    dec(DECODE_64, &d, "jnz rel32", 6, 0x0f, 0x85, 0x10, 0, 0, 0);
    is_int(d.op, 0x185, "jnz rel32: opcode");

    /* invalid in 64-bit mode: push es, pusha, daa, far jmp, into */
    dec(DECODE_64, &d, "push es", 1, 0x06);
    is_int(d.h, H_UD, "push es: #UD in 64-bit mode");
    dec(DECODE_64, &d, "pusha", 1, 0x60);
    is_int(d.h, H_UD, "pusha: #UD");
    dec(DECODE_64, &d, "daa", 1, 0x27);
    is_int(d.h, H_UD, "daa: #UD");
    dec(DECODE_64, &d, "into", 1, 0xce);
    is_int(d.h, H_UD, "into: #UD");
    dec(1, &d, "push es (32-bit)", 1, 0x06);
    is_int(d.h, 0x06, "push es: valid in 32-bit code");
    /* 63 /r is MOVSXD in 64-bit mode (same length as ARPL) */
    dec(DECODE_64, &d, "movsxd r11,eax", 3, 0x4c, 0x63, 0xd8);
    is_int(d.reg, 11, "movsxd: reg r11");
    is_int(d.h, 0x63, "movsxd: opcode 63 valid");

    /* 32-bit decoding untouched: 40 is INC EAX, 8B 44 D5 08 as before */
    dec(1, &d, "inc eax (32-bit)", 1, 0x40);
    is_int(d.op, 0x40, "32-bit: 40 is INC");
    is_int(d.rex, 0, "32-bit: no REX bits");
    dec(1, &d, "mov eax,[ebp+edx*8+8] (32-bit)", 4, 0x8b, 0x44, 0xd5, 0x08);
    is_int(d.base, R_EBP, "32-bit: base ebp");
    is_int(d.seg, R_SS, "32-bit: [ebp] defaults to SS");
    return done_testing();
}
