; tests/guest/sse64.asm - SSE in 64-bit mode (Intel SDM vol. 2 2.2.1 REX,
; the FXSAVE page tables 3-56/3-57): XMM8-15 through REX.R/REX.B in the 0F,
; 0F 38 and 0F 3A maps, the REX.W forms (MOVQ xmm<->r64, CVTSI2SD/SS r64,
; CVTTSD2SI r64, MOVNTI m64), RIP-relative m128 operands, and FXSAVE/FXRSTOR
; in 64-bit mode: XMM8-15 are in the image, and with REX.W (FXSAVE64) the FPU
; IP is a 64-bit field.  QEMU 7.2 (PCVM_TEST_EMU=qemu) does not keep the FPU
; IP and CS through FXRSTOR: the four FIP/FCS checks fail there, the rest pass.

%include "lib64.inc"

FXBUF   equ 0x6000              ; 512-byte FXSAVE areas (16-aligned)
FXBUF2  equ 0x6400

; CHECK64 name, expected: RAX == expected (RBX is clobbered)
%macro CHECK64 2
%assign LIB_NCHECKS LIB_NCHECKS + 1
        mov rbx, %2
        lea rsi, [%%name]
        call check64
        jmp %%skip
%%name: db %1, 0
%%skip:
%endmacro

bits 64
default rel
lm_main:
        lea rsi, [s_title]
        call puts64
        mov rax, cr0
        and eax, ~0xC           ; EM=0 TS=0
        or eax, 0x22            ; MP NE
        mov cr0, rax
        mov rax, cr4
        or eax, 0x600           ; OSFXSR OSXMMEXCPT
        mov cr4, rax
        fninit

        ; ---- REX.W MOVQ, XMM8-15 ----
        mov rax, 0x123456789abcdef0
        movq xmm8, rax
        movq rcx, xmm8
        mov rax, rcx
        CHECK64 "movq xmm8, rax / rcx, xmm8", 0x123456789abcdef0
        pshufd xmm15, xmm8, 0x4e
        movq rax, xmm15
        CHECK64 "pshufd xmm15, xmm8: low half", 0
        psrldq xmm15, 8
        movq rax, xmm15
        CHECK64 "psrldq xmm15: high half down", 0x123456789abcdef0
        movdqa xmm9, [rel pat16]        ; RIP-relative m128
        movq rax, xmm9
        CHECK64 "movdqa xmm9, [rip+x]", 0x0706050403020100
        movdqa xmm12, [rel shuf16]
        pshufb xmm9, xmm12              ; 0F 38 with REX.R and REX.B
        movq rax, xmm9
        CHECK64 "pshufb xmm9, xmm12", 0x08090a0b0c0d0e0f
        movdqa xmm13, [rel pat16]
        movdqa xmm14, [rel shuf16]
        palignr xmm13, xmm14, 12        ; 0F 3A with REX
        movq rax, xmm13
        CHECK64 "palignr xmm13, xmm14, 12", 0x030201008fff8180
        mov rax, 1 << 40
        cvtsi2sd xmm10, rax
        cvttsd2si rax, xmm10
        CHECK64 "cvtsi2sd/cvttsd2si r64", 1 << 40
        mov rax, -1
        cvtsi2ss xmm11, rax
        movd eax, xmm11
        CHECK64 "cvtsi2ss xmm11, r64 -1", 0xbf800000
        mov eax, 0x7f800000             ; +inf: the 64-bit integer indefinite
        movd xmm0, eax
        cvttss2si rax, xmm0
        CHECK64 "cvttss2si rax, +inf", 0x8000000000000000
        mov rax, -1
        cvttsd2si eax, xmm10            ; 2^40 overflows: 0x80000000, zero-extended
        CHECK64 "cvttsd2si eax: indefinite, zero-extended", 0x80000000
        mov rax, 0x1122334455667788
        movnti [rel qv], rax
        mov rax, [rel qv]
        CHECK64 "movnti m64, r64", 0x1122334455667788
        mov rax, 0xffffffffffffffff
        movd eax, xmm8                  ; 32-bit GPR writes zero-extend
        CHECK64 "movd eax, xmm8 zero-extends", 0x9abcdef0
        mov r9, 0xffffffffffffffff
        pmovmskb r9d, xmm12
        mov rax, r9
        CHECK64 "pmovmskb r9d, xmm12", 0xf000

        ; ---- FXSAVE in 64-bit mode: XMM8-15 ----
        fxsave [abs FXBUF]
        mov rax, [abs FXBUF + 160 + 16 * 8]
        CHECK64 "fxsave: xmm8 in the image", 0x123456789abcdef0
        mov rax, [abs FXBUF + 160 + 16 * 13]
        CHECK64 "fxsave: xmm13 in the image", 0x030201008fff8180
        pxor xmm8, xmm8
        pxor xmm13, xmm13
        fxrstor [abs FXBUF]
        movq rax, xmm8
        CHECK64 "fxrstor: xmm8 back", 0x123456789abcdef0
        movq rax, xmm13
        CHECK64 "fxrstor: xmm13 back", 0x030201008fff8180

        ; ---- FXSAVE64/FXRSTOR64: the FPU IP is 64 bits ----
        mov rax, 0x1122334455667788
        mov [abs FXBUF + 8], rax
        o64 fxrstor [abs FXBUF]
        o64 fxsave [abs FXBUF2]
        mov rax, [abs FXBUF2 + 8]
        CHECK64 "fxsave64 FIP after fxrstor64", 0x1122334455667788
        fxsave [abs FXBUF2]
        mov eax, [abs FXBUF2 + 8]
        CHECK64 "fxsave FIP (32-bit format)", 0x55667788
        mov dword [abs FXBUF + 8], 0xdeadbeef
        mov dword [abs FXBUF + 12], 0x1234
        fxrstor [abs FXBUF]
        fxsave [abs FXBUF2]
        movzx eax, word [abs FXBUF2 + 12]
        CHECK64 "fxsave FCS (32-bit format)", 0x1234
        o64 fxsave [abs FXBUF2]
        mov rax, [abs FXBUF2 + 8]
        CHECK64 "fxsave64 FIP after fxrstor", 0xdeadbeef

        cmp dword [fails], 0
        jne .fail
        lea rsi, [s_pass]
        call puts64
        mov al, LIB_PASS_CODE
        jmp lm_exit
.fail:  lea rsi, [s_fail]
        call puts64
        mov al, LIB_FAIL_CODE
        jmp lm_exit

; RAX got, RBX want, RSI name: print "ok name" or "FAIL name got= want="
check64:
        push rsi
        cmp rax, rbx
        jne .f
        lea rsi, [s_ok]
        call puts64
        pop rsi
        call puts64
        jmp .nl
.f:     inc dword [fails]
        lea rsi, [s_failc]
        call puts64
        pop rsi
        call puts64
        lea rsi, [s_got]
        call puts64
        call puthex64
        lea rsi, [s_want]
        call puts64
        push rax
        mov rax, rbx
        call puthex64
        pop rax
.nl:    push rax
        mov al, 10
        call putc64
        pop rax
        ret

s_title: db "sse64: REX forms, XMM8-15, FXSAVE64", 10, 0
s_ok:    db "ok ", 0
s_failc: db "FAIL ", 0
s_got:   db " got=", 0
s_want:  db " want=", 0
s_pass:  db "PASS", 10, 0
s_fail:  db "FAIL", 10, 0
align 16
pat16:   db 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
shuf16:  db 15, 14, 13, 12, 11, 10, 9, 8, 3, 2, 1, 0, 0x80, 0x81, 0xff, 0x8f
qv:      dq 0
fails:   dd 0

LIB_END
