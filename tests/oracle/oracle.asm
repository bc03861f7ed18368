; tests/oracle/oracle.asm - the instruction oracle (integer, x87, SSE/SSE2 subset): one source built twice.
;   guest: nasm -f bin -I tests/guest/ oracle.asm       (runs on pcvm's CPU)
;   host:  nasm -f elf32 -DHOST oracle.asm; ld -m elf_i386 -N  (runs natively)
; Both run every instruction below over the same operand values and input
; flags and print one line per instruction: "name hash", where the hash folds
; in every case's inputs, EAX EBX ECX EDX and EFLAGS & mask.  The masks keep
; only the flags (and results) the Intel SDM vol. 2 defines for that
; instruction and operand; the TAP test compares the lines of the two runs.
; Assemble with -DVERBOSE to print every case instead (to find the operands
; that differ), and -DONLY=n to run instruction n alone.
;
; Masks (class table below, F = OF SF ZF AF PF CF = 0x8d5):
;   add adc sub sbb cmp inc dec neg xadd cmpxchg    F
;   and or xor test                                F - AF
;   not cbw cwde cwd cdq bswap setcc                F (must be unchanged)
;   shl shr sar    count 0: F; else SF ZF PF, CF if count < size, OF if count 1
;   rol ror        count 0: F; else CF SF ZF AF PF (SZAP unchanged), OF if 1
;   rcl rcr        as rol ror (count masked to 5 bits before the mod 9/17)
;   shld shrd      count 0: F; count > size: nothing (result undefined too);
;                  else SF ZF PF CF, OF if count 1
;   mul imul       CF OF
;   div idiv       none (faulting inputs are skipped)
;   bt bts btr btc CF
;   bsf bsr        ZF; destination ignored when the source is 0
;   daa das        CF AF SF ZF PF;  aaa aas: CF AF;  aam aad: SF ZF PF
;   x87            result, stored value and status word, less DE and C1
;                  (QEMU does not model them) and, after arithmetic, C0 C2
;                  C3; fcomi/fucomi: ZF PF CF (AMD clears OF SF AF, QEMU
;                  keeps them).  fprem1 and fscale with NaN operands are left
;                  out: QEMU gets their quotient bits and NaN choice wrong.

%ifdef HOST
bits 32
section .text
global _start
_start:
        cld
        call oracle_run
        call out_flush
        mov eax, 1              ; exit(0)
        xor ebx, ebx
        int 0x80

; out_char: AL to a buffer, written to stdout with write(2) when full.
out_char:
        pushad
        mov edi, [out_len]
        mov [out_buf + edi], al
        inc edi
        mov [out_len], edi
        cmp edi, 4096
        jb .r
        call out_flush
.r:     popad
        ret
out_flush:
        pushad
        mov eax, 4
        mov ebx, 1
        mov ecx, out_buf
        mov edx, [out_len]
        int 0x80
        mov dword [out_len], 0
        popad
        ret
out_len: dd 0
out_buf: times 4096 db 0

%else
%include "lib.inc"
pm_main:
        mov eax, cr4            ; SSE on: CR4.OSFXSR OSXMMEXCPT
        or eax, 0x600
        mov cr4, eax
        call oracle_run
        PRINT "END"
        call newline
        LIB_FINISH
out_char:
        jmp putc_32
%endif

; ---------------------------------------------------------------------------
; The instructions.  Inputs: EAX=a, EBX=b, ECX=b (shift count in CL),
; EDX = rol(a,16) ^ b (second source for shld/shrd, cmpxchg), EFLAGS = one of
; four input patterns.  Stubs must not touch ESI EDI EBP ESP.

; classes: kind, size, mask, fixed count (-1: count from b)
K_PLAIN equ 0
K_SHIFT equ 1
K_ROT   equ 2
K_RC    equ 3
K_SHD   equ 4
K_DIV   equ 5
K_IDIV  equ 6
K_BSF   equ 7
K_UNARY equ 0x100               ; ORed in: b is not an input (one b value)

%macro CLASS 5                  ; name, kind, size, mask, fixed count
%1:     dd %2, %3, %4, %5
%endmacro
CLASS c_arith, K_PLAIN, 32, 0x8d5, -1
CLASS c_logic, K_PLAIN, 32, 0x8c5, -1
CLASS c_unary, K_PLAIN | K_UNARY, 32, 0x8d5, -1
CLASS c_sh8,  K_SHIFT, 8, 0, -1
CLASS c_sh16, K_SHIFT, 16, 0, -1
CLASS c_sh32, K_SHIFT, 32, 0, -1
CLASS c_sh32_1, K_SHIFT | K_UNARY, 32, 0, 1
CLASS c_rot8, K_ROT, 8, 0, -1
CLASS c_rot16, K_ROT, 16, 0, -1
CLASS c_rot32, K_ROT, 32, 0, -1
CLASS c_rc8,  K_RC, 8, 0, -1
CLASS c_rc16, K_RC, 16, 0, -1
CLASS c_rc32, K_RC, 32, 0, -1
CLASS c_rc32_1, K_RC | K_UNARY, 32, 0, 1
CLASS c_shd16, K_SHD, 16, 0, -1
CLASS c_shd32, K_SHD, 32, 0, -1
CLASS c_shd32_7, K_SHD, 32, 0, 7
CLASS c_shd16_3, K_SHD, 16, 0, 3
CLASS c_mul,  K_PLAIN, 32, 0x801, -1
CLASS c_div8,  K_DIV, 8, 0, -1
CLASS c_div16, K_DIV, 16, 0, -1
CLASS c_div32, K_DIV, 32, 0, -1
CLASS c_idiv8,  K_IDIV, 8, 0, -1
CLASS c_idiv16, K_IDIV, 16, 0, -1
CLASS c_idiv32, K_IDIV, 32, 0, -1
CLASS c_bt,   K_PLAIN, 32, 0x001, -1
CLASS c_bsf16, K_BSF, 16, 0x040, -1
CLASS c_bsf32, K_BSF, 32, 0x040, -1
CLASS c_daa,  K_PLAIN | K_UNARY, 8, 0x0d5, -1
CLASS c_aaa,  K_PLAIN | K_UNARY, 8, 0x011, -1
CLASS c_aam,  K_PLAIN | K_UNARY, 8, 0x0c4, -1
CLASS c_fpu,  K_PLAIN, 32, 0x8d5, -1
CLASS c_fpu1, K_PLAIN | K_UNARY, 32, 0x8d5, -1
CLASS c_fcomi, K_PLAIN, 32, 0x045, -1

%assign n_ins 0
; INS name, class, instruction(s)...
%macro INS 3+
%assign n_ins n_ins + 1
ins_%[n_ins]:
        %3
        ret
ins_name_%[n_ins]: db %1, 0
%endmacro

; ALU r, r in three sizes
%macro ALU3 2                   ; mnemonic, class
INS %str(%1 8), %2, %1 al, bl
INS %str(%1 16), %2, %1 ax, bx
INS %str(%1 32), %2, %1 eax, ebx
%endmacro

; the class of instruction number n, recorded for the table
%macro INSC 3+                  ; name, class, code
INS %1, %2, %3
%xdefine ins_class_%[n_ins] %2
%endmacro
%macro ALU3C 2
INSC %str(%1 8), %2, %1 al, bl
INSC %str(%1 16), %2, %1 ax, bx
INSC %str(%1 32), %2, %1 eax, ebx
%endmacro

ALU3C add, c_arith
ALU3C adc, c_arith
ALU3C sub, c_arith
ALU3C sbb, c_arith
ALU3C cmp, c_arith
ALU3C and, c_logic
ALU3C or, c_logic
ALU3C xor, c_logic
ALU3C test, c_logic
INSC "add 32 imm8", c_arith, add eax, -3
INSC "adc 8 imm", c_arith, adc al, 0x7f
INSC "sbb 16 imm", c_arith, sbb ax, 0x8000
INSC "inc 8", c_unary, inc al
INSC "inc 16", c_unary, inc ax
INSC "inc 32", c_unary, inc eax
INSC "dec 8", c_unary, dec al
INSC "dec 16", c_unary, dec ax
INSC "dec 32", c_unary, dec eax
INSC "neg 8", c_unary, neg al
INSC "neg 16", c_unary, neg ax
INSC "neg 32", c_unary, neg eax
INSC "not 8", c_unary, not al
INSC "not 16", c_unary, not ax
INSC "not 32", c_unary, not eax
INSC "shl 8", c_sh8, shl al, cl
INSC "shl 16", c_sh16, shl ax, cl
INSC "shl 32", c_sh32, shl eax, cl
INSC "shr 8", c_sh8, shr al, cl
INSC "shr 16", c_sh16, shr ax, cl
INSC "shr 32", c_sh32, shr eax, cl
INSC "sar 8", c_sh8, sar al, cl
INSC "sar 16", c_sh16, sar ax, cl
INSC "sar 32", c_sh32, sar eax, cl
INSC "shl 32 by 1", c_sh32_1, shl eax, 1
INSC "shr 32 by 1", c_sh32_1, shr eax, 1
INSC "sar 32 by 1", c_sh32_1, sar eax, 1
INSC "rol 8", c_rot8, rol al, cl
INSC "rol 16", c_rot16, rol ax, cl
INSC "rol 32", c_rot32, rol eax, cl
INSC "ror 8", c_rot8, ror al, cl
INSC "ror 16", c_rot16, ror ax, cl
INSC "ror 32", c_rot32, ror eax, cl
INSC "rcl 8", c_rc8, rcl al, cl
INSC "rcl 16", c_rc16, rcl ax, cl
INSC "rcl 32", c_rc32, rcl eax, cl
INSC "rcr 8", c_rc8, rcr al, cl
INSC "rcr 16", c_rc16, rcr ax, cl
INSC "rcr 32", c_rc32, rcr eax, cl
INSC "rcl 32 by 1", c_rc32_1, rcl eax, 1
INSC "rcr 32 by 1", c_rc32_1, rcr eax, 1
INSC "shld 16", c_shd16, shld ax, dx, cl
INSC "shld 32", c_shd32, shld eax, edx, cl
INSC "shrd 16", c_shd16, shrd ax, dx, cl
INSC "shrd 32", c_shd32, shrd eax, edx, cl
INSC "shld 32 imm 7", c_shd32_7, shld eax, edx, 7
INSC "shrd 16 imm 3", c_shd16_3, shrd ax, dx, 3
INSC "mul 8", c_mul, mul bl
INSC "mul 16", c_mul, mul bx
INSC "mul 32", c_mul, mul ebx
INSC "imul 8", c_mul, imul bl
INSC "imul 16", c_mul, imul bx
INSC "imul 32", c_mul, imul ebx
INSC "imul 16 r,r", c_mul, imul ax, bx
INSC "imul 32 r,r", c_mul, imul eax, ebx
INSC "imul 16 r,r,7", c_mul, imul ax, bx, 7
INSC "imul 32 r,r,-3", c_mul, imul eax, ebx, -3
INSC "imul 32 r,r,imm32", c_mul, imul eax, ebx, 0x12345
INSC "div 8", c_div8, div bl
INSC "div 16", c_div16, div bx
INSC "div 32", c_div32, div ebx
INSC "idiv 8", c_idiv8, idiv bl
INSC "idiv 16", c_idiv16, idiv bx
INSC "idiv 32", c_idiv32, idiv ebx
INSC "bt 16", c_bt, bt ax, bx
INSC "bt 32", c_bt, bt eax, ebx
INSC "bts 16", c_bt, bts ax, bx
INSC "bts 32", c_bt, bts eax, ebx
INSC "btr 16", c_bt, btr ax, bx
INSC "btr 32", c_bt, btr eax, ebx
INSC "btc 16", c_bt, btc ax, bx
INSC "btc 32", c_bt, btc eax, ebx
INSC "bt 32 imm", c_bt, bt eax, 31
INSC "btc 32 imm", c_bt, btc eax, 7
INSC "bsf 16", c_bsf16, bsf ax, bx
INSC "bsf 32", c_bsf32, bsf eax, ebx
INSC "bsr 16", c_bsf16, bsr ax, bx
INSC "bsr 32", c_bsf32, bsr eax, ebx
INSC "daa", c_daa, daa
INSC "das", c_daa, das
INSC "aaa", c_aaa, aaa
INSC "aas", c_aaa, aas
INSC "aam 10", c_aam, aam
INSC "aam 16", c_aam, aam 16
INSC "aad 10", c_aam, aad
INSC "aad 7", c_aam, aad 7
INSC "cbw", c_unary, cbw
INSC "cwde", c_unary, cwde
INSC "cwd", c_unary, cwd
INSC "cdq", c_unary, cdq
INSC "bswap", c_unary, bswap eax
INSC "xadd 8", c_arith, xadd bl, al
INSC "xadd 16", c_arith, xadd bx, ax
INSC "xadd 32", c_arith, xadd ebx, eax
INSC "cmpxchg 8", c_arith, cmpxchg bl, dl
INSC "cmpxchg 16", c_arith, cmpxchg bx, dx
INSC "cmpxchg 32", c_arith, cmpxchg ebx, edx
%assign c 0
%rep 16                         ; setcc cl after cmp eax, ebx, all conditions
%assign n_ins n_ins + 1
ins_%[n_ins]:
        cmp eax, ebx
        db 0x0f, 0x90 + c, 0xc1
        ret
%substr cdig "0123456789abcdef" c + 1
ins_name_%[n_ins]: db "setcc ", cdig, 0
%xdefine ins_class_%[n_ins] c_arith
%assign c c + 1
%endrep

; memory-destination forms: [scratch] starts as a (the dword), EAX is reloaded
; from it afterwards
%macro INSM 3+
%assign n_ins n_ins + 1
ins_%[n_ins]:
        mov [scratch], eax
        %3
        mov eax, [scratch]
        ret
ins_name_%[n_ins]: db %1, 0
%xdefine ins_class_%[n_ins] %2
%endmacro
INSM "add 32 mem,reg", c_arith, add [scratch], ebx
INSM "sub 16 mem,reg", c_arith, sub [scratch], bx
INSM "adc 8 mem,reg", c_arith, adc [scratch], bl
INSM "sbb 32 reg,mem", c_arith, sbb ebx, [scratch]
INSM "and 32 mem,reg", c_logic, and [scratch], ebx
INSM "or 8 mem,imm", c_logic, or byte [scratch], 0x81
INSM "cmp 16 mem,imm8", c_arith, cmp word [scratch], -2
INSM "neg 32 mem", c_unary, neg dword [scratch]
INSM "inc 16 mem", c_unary, inc word [scratch]
INSM "not 8 mem", c_unary, not byte [scratch]
INSM "shl 32 mem", c_sh32, shl dword [scratch], cl
INSM "sar 8 mem", c_sh8, sar byte [scratch], cl
INSM "shr 16 mem", c_sh16, shr word [scratch], cl
INSM "rcr 16 mem", c_rc16, rcr word [scratch], cl
INSM "rol 32 mem", c_rot32, rol dword [scratch], cl
INSM "shld 32 mem", c_shd32, shld [scratch], edx, cl
INSM "shrd 16 mem", c_shd16, shrd [scratch], dx, cl
INSM "xadd 32 mem", c_arith, xadd [scratch], ebx
INSM "xadd 8 mem", c_arith, xadd [scratch], bl
INSM "mul 32 mem", c_mul, mul dword [scratch]
INSM "imul 32 reg,mem", c_mul, imul ebx, [scratch]
INSM "imul 16 reg,mem,imm", c_mul, imul bx, [scratch], 300
; cmpxchg with memory: [scratch] = b, compared with EAX = a
%assign n_ins n_ins + 1
ins_%[n_ins]:
        mov [scratch], ebx
        cmpxchg [scratch], edx
        mov ebx, [scratch]
        ret
ins_name_%[n_ins]: db "cmpxchg 32 mem", 0
%xdefine ins_class_%[n_ins] c_arith
; bit string ops on memory: offset b & 63 into [scratch] (a) : [scratch+4] (b)
%macro INSBT 2
%assign n_ins n_ins + 1
ins_%[n_ins]:
        mov [scratch], eax
        mov [scratch + 4], ebx
        and ebx, 63             ; (flags: only CF is compared, set by the op)
        %2 [scratch], ebx
        mov eax, [scratch]
        mov edx, [scratch + 4]
        ret
ins_name_%[n_ins]: db %1, 0
%xdefine ins_class_%[n_ins] c_bt
%endmacro
INSBT "bt 32 mem,reg", bt
INSBT "bts 32 mem,reg", bts
INSBT "btr 32 mem,reg", btr
INSBT "btc 32 mem,reg", btc

;  conditional branches (short and near), cmovcc, after cmp eax, ebx: ECX = taken
%macro JCC 1
%assign n_ins n_ins + 1
ins_%[n_ins]:
        cmp eax, ebx
        j%1 short %%t
        mov ecx, 0
        ret
%%t:    mov ecx, 1
        ret
ins_name_%[n_ins]: db "j", %str(%1), " short", 0
%xdefine ins_class_%[n_ins] c_arith
%assign n_ins n_ins + 1
ins_%[n_ins]:
        cmp eax, ebx
        j%1 near %%n
        mov ecx, 0
        ret
        times 200 nop
%%n:    mov ecx, 1
        ret
ins_name_%[n_ins]: db "j", %str(%1), " near", 0
%xdefine ins_class_%[n_ins] c_arith
%assign n_ins n_ins + 1
ins_%[n_ins]:
        cmp eax, ebx
        cmov%1 ecx, edx
        ret
ins_name_%[n_ins]: db "cmov", %str(%1), 0
%xdefine ins_class_%[n_ins] c_arith
%endmacro
%macro JCC_ALL 1-*
%rep %0
JCC %1
%rotate 1
%endrep
%endmacro
JCC_ALL o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g

;  flags that live across other instructions (lazy flag evaluation pitfalls),
; loops: each stub is a short sequence; its class describes the flags that are
; defined at its end (and every register result is defined)
%macro STUB 2
%assign n_ins n_ins + 1
%xdefine ins_class_%[n_ins] %2
%define CUR_NAME %1
ins_%[n_ins]:
%endmacro
%macro ENDSTUB 0
        ret
ins_name_%[n_ins]: db CUR_NAME, 0
%endmacro
STUB "seq add;inc;adc", c_arith
        add eax, ebx
        inc ecx
        adc edx, 0
ENDSTUB
STUB "seq sub;dec;sbb", c_arith
        sub eax, ebx
        dec ecx
        sbb edx, edx
ENDSTUB
STUB "seq shl;inc;adc", c_arith
        shl eax, cl
        inc edx
        adc ecx, 0
ENDSTUB
STUB "seq add;shl cl", c_sh32
        add eax, ebx
        shl edx, cl
ENDSTUB
STUB "seq sub;rol cl", c_rot32
        sub eax, ebx
        rol edx, cl
ENDSTUB
STUB "seq neg;rcl 1", c_arith
        neg eax
        rcl edx, 1
ENDSTUB
STUB "seq cmp;lahf", c_arith
        cmp eax, ebx
        lahf
ENDSTUB
STUB "seq add;pushfd", c_logic
        add eax, ebx
        pushfd
        pop ecx
        and ecx, 0x8d5
ENDSTUB
STUB "seq imul;seto;setc", c_mul
        imul eax, ebx
        seto cl
        setc ch
ENDSTUB
STUB "seq bt;adc", c_arith
        bt eax, ebx
        adc ecx, 0
ENDSTUB
STUB "seq xor;setz;sets", c_logic
        xor eax, ebx
        setz cl
        sets ch
ENDSTUB
STUB "seq test;cmovs;cmovp", c_logic
        test eax, ebx
        cmovs ecx, edx
        cmovp ebx, eax
ENDSTUB
STUB "seq sar cl;setc", c_sh32
        sar eax, cl
        setc dl
ENDSTUB
STUB "seq and;jbe", c_logic
        and eax, ebx
        jbe .t
        mov ecx, 5
.t:
ENDSTUB
STUB "seq inc;jo", c_unary
        inc eax
        jo .t
        mov ecx, 5
.t:
ENDSTUB
STUB "seq cmc;stc;clc", c_arith
        cmc
        setc cl
        stc
        adc ch, 0
        clc
        setc dl
ENDSTUB
STUB "seq dec;jnz loop", c_arith
        and ecx, 7
        inc ecx
        mov edx, 0
.l:     add edx, eax
        dec ecx
        jnz .l
ENDSTUB
STUB "loop", c_arith
        and ecx, 7
        inc ecx
        mov edx, 0
.l:     add edx, eax
        loop .l
ENDSTUB
STUB "loopz", c_arith
        and ecx, 15
        inc ecx
.l:     add eax, ebx
        cmp eax, ebx
        loopz .l
ENDSTUB
STUB "loopnz", c_arith
        and ecx, 15
        inc ecx
.l:     shr eax, 1
        cmp eax, 3
        loopnz .l
ENDSTUB
STUB "jecxz", c_arith
        and ecx, 1
        jecxz .t
        mov edx, 7
.t:
ENDSTUB

;  x87: operands are a and b loaded as 32-bit integers (fild) or as float32
; bit patterns (fld dword: zeros, denormals, NaNs, infinities among them); the
; four input-flag variants pick the control word: round to nearest, down,
; toward zero (64-bit precision), and round to nearest with 53-bit precision.
; Out: EAX EBX ECX = st0 as 80 bits, EDX = status word (masked, see
; FSW_MASK), EFLAGS as the integer instructions leave them (all defined).
; DE (denormal operand) and C1 (rounded up) are masked: QEMU, on which the
; guest side was checked, does not model them (assemble with -DFPU_STRICT to
; compare them too).
%ifdef FPU_STRICT
FSW_MASK equ 0xffff
%else
FSW_MASK equ 0xffff & ~0x0202
%endif
%macro FPU2 3+                  ; name, operand load (fild/fld), code
%assign n_ins n_ins + 1
ins_%[n_ins]:
        call fpu_in
        %2 dword [fscr + 4]     ; st1 = b
        %2 dword [fscr]         ; st0 = a
        %3
        jmp FPU_OUT
ins_name_%[n_ins]: db %1, 0
%xdefine ins_class_%[n_ins] FPU_CLASS
%endmacro
%macro FPU1 3+                  ; name, operand load, code
%assign n_ins n_ins + 1
ins_%[n_ins]:
        call fpu_in
        fld1                    ; st1 = 1: a popping store leaves st0 valid
        %2 dword [fscr]
        %3
        jmp FPU_OUT
ins_name_%[n_ins]: db %1, 0
%xdefine ins_class_%[n_ins] c_fpu1
%endmacro
%macro FPU2BOTH 2+              ; name, code: integer and float32 operands
FPU2 {%1, " int"}, fild, %2
FPU2 {%1, " f32"}, fld, %2
%endmacro
%macro FPU1BOTH 2+
FPU1 {%1, " int"}, fild, %2
FPU1 {%1, " f32"}, fld, %2
%endmacro
%define FPU_OUT fpu_out          ; arithmetic: C0 C2 C3 undefined
%define FPU_CLASS c_fpu
FPU2BOTH "fadd", fadd st0, st1
FPU2BOTH "fsub", fsub st0, st1
FPU2BOTH "fsubr", fsubr st0, st1
FPU2BOTH "fmul", fmul st0, st1
FPU2BOTH "fdiv", fdiv st0, st1
FPU2BOTH "fdivr", fdivr st0, st1
FPU2BOTH "faddp", faddp st1, st0
FPU2 "fscale int", fild, fscale
%define FPU_OUT fpu_out_cc       ; compares and fprem: condition codes defined
FPU2BOTH "fprem", fprem
FPU2BOTH "fcom", fcom st1
FPU2BOTH "fucom", fucom st1
%define FPU_CLASS c_fcomi        ; OF SF AF: cleared by AMD, kept by QEMU
FPU2BOTH "fcomi", fcomi st0, st1
FPU2BOTH "fucomi", fucomi st0, st1
%define FPU_CLASS c_fpu
%define FPU_OUT fpu_out
FPU2BOTH "fxch", fxch st1
FPU2 "fadd m32 f32", fld, fadd dword [fscr + 4]
FPU2 "fmul m32int int", fild, fimul dword [fscr + 4]
FPU2 "fdiv m64 int", fild, fdiv qword [fscr]
FPU1BOTH "fsqrt", fsqrt
FPU1BOTH "fabs", fabs
FPU1BOTH "fchs", fchs
FPU1BOTH "frndint", frndint
FPU1BOTH "fxtract", fxtract
%define FPU_OUT fpu_out_cc
FPU1BOTH "ftst", ftst
FPU1BOTH "fxam", fxam
%define FPU_OUT fpu_out
FPU1 "fist m32 f32", fld, fist dword [fscr + 8]
FPU1 "fistp m16 f32", fld, fistp word [fscr + 8]
FPU1 "fistp m64 f32", fld, fistp qword [fscr + 8]
FPU1 "fist m32 int", fild, fist dword [fscr + 8]
FPU1 "fst m32 int", fild, fst dword [fscr + 8]
FPU1 "fst m64 f32", fld, fst qword [fscr + 8]
FPU1 "fldpi", fld, fldpi
FPU1 "fld1", fld, fld1
FPU1 "fldz", fld, fldz

;  SSE/SSE2: xmm0 = {a, b, ~a, rol(a,16)} and xmm1 = {b, a, rol(b,8), ~b}
; (as float32s: zeros, denormals, NaNs, infinities among them; as float64s:
; pairs of them); the four input-flag variants pick MXCSR: round to nearest,
; down, toward zero with FTZ+DAZ, up (all exceptions masked, flags clear).
; Out: EAX EBX ECX EDX = xmm0, EDX also XORed with MXCSR rotated left 16
; (so the exception flags count); EFLAGS must be unchanged.
%macro SSEOP 2+                 ; name, code (destination xmm0, source xmm1)
%assign n_ins n_ins + 1
ins_%[n_ins]:
        call sse_in
        %2
        jmp sse_out
ins_name_%[n_ins]: db %1, 0
%xdefine ins_class_%[n_ins] c_fpu
%endmacro
%macro SSESTUB 1                ; a sequence: SSESTUB name ... ENDSSE
%assign n_ins n_ins + 1
%xdefine ins_class_%[n_ins] c_fpu
%define CUR_NAME %1
ins_%[n_ins]:
        call sse_in
%endmacro
%macro ENDSSE 0
        jmp sse_out
ins_name_%[n_ins]: db CUR_NAME, 0
%endmacro
%macro SSESTUB1 1               ; as SSESTUB, over a alone (b = 0)
SSESTUB %1
%xdefine ins_class_%[n_ins] c_fpu1
%endmacro
%macro SSEFP 1                  ; ps pd ss sd forms, register and memory source
SSEOP %str(%1 ps), %1ps xmm0, xmm1
SSEOP %str(%1 pd), %1pd xmm0, xmm1
SSEOP %str(%1 ss), %1ss xmm0, xmm1
SSEOP %str(%1 sd), %1sd xmm0, xmm1
SSEOP %str(%1 ps m128), %1ps xmm0, [sse_scr + 16]
SSEOP %str(%1 ss m32), %1ss xmm0, [sse_scr + 16]
SSEOP %str(%1 sd m64), %1sd xmm0, [sse_scr + 16]
%endmacro
SSEFP add
SSEFP sub
SSEFP mul
SSEFP div
SSEFP min
SSEFP max
SSEFP sqrt
SSEOP "andps", andps xmm0, xmm1
SSEOP "andnpd", andnpd xmm0, xmm1
SSEOP "orps", orps xmm0, xmm1
SSEOP "xorpd", xorpd xmm0, [sse_scr + 16]
SSEOP "movaps", movaps xmm0, xmm1
SSEOP "movupd m128", movupd xmm0, [sse_scr + 17]
SSEOP "movss", movss xmm0, xmm1
SSEOP "movss m32", movss xmm0, [sse_scr + 20]
SSEOP "movsd", movsd xmm0, xmm1
SSEOP "movsd m64", movsd xmm0, [sse_scr + 20]
SSEOP "movss store", movss [sse_scr], xmm1
SSEOP "movsd store", movsd [sse_scr + 4], xmm1
SSEOP "movups store", movups [sse_scr + 1], xmm1
SSEOP "movdqa", movdqa xmm0, [sse_scr + 16]
SSEOP "movdqu", movdqu xmm0, [sse_scr + 19]
SSEOP "movdqu store", movdqu [sse_scr + 3], xmm1
SSEOP "movd xmm r32", movd xmm0, ebx
SSEOP "movd r32 xmm", movd eax, xmm1
SSEOP "movq xmm xmm", movq xmm0, xmm1
SSEOP "movq xmm m64", movq xmm0, [sse_scr + 20]
SSEOP "movq m64 xmm", movq [sse_scr + 4], xmm1
SSEOP "pshufd 1b", pshufd xmm0, xmm1, 0x1b
SSEOP "pshufd e4 m128", pshufd xmm0, [sse_scr + 16], 0x72
SSEOP "pcmpeqb", pcmpeqb xmm0, xmm1
SSEOP "pcmpeqw", pcmpeqw xmm0, xmm1
SSEOP "pcmpeqd self", pcmpeqd xmm0, xmm0
SSEOP "paddb", paddb xmm0, xmm1
SSEOP "paddw", paddw xmm0, xmm1
SSEOP "paddd", paddd xmm0, xmm1
SSEOP "paddq", paddq xmm0, xmm1
SSEOP "psubb", psubb xmm0, xmm1
SSEOP "psubw", psubw xmm0, [sse_scr + 16]
SSEOP "psubd", psubd xmm0, xmm1
SSEOP "psubq", psubq xmm0, xmm1
SSEOP "pand", pand xmm0, xmm1
SSEOP "pandn", pandn xmm0, xmm1
SSEOP "por", por xmm0, xmm1
SSEOP "pxor", pxor xmm0, xmm1

; more SSE/SSE2 floating point: approximations, compares (every predicate),
; (u)comis (EFLAGS), conversions in every form
SSEOP "rsqrtps", rsqrtps xmm0, xmm1
SSEOP "rsqrtss m32", rsqrtss xmm0, [sse_scr + 16]
SSEOP "rcpps m128", rcpps xmm0, [sse_scr + 16]
SSEOP "rcpss", rcpss xmm0, xmm1
%assign p 0
%rep 8
SSEOP %strcat("cmpps ", %str(p)), cmpps xmm0, xmm1, p
SSEOP %strcat("cmppd ", %str(p)), cmppd xmm0, xmm1, p
SSEOP %strcat("cmpss ", %str(p)), cmpss xmm0, xmm1, p
SSEOP %strcat("cmpsd ", %str(p)), cmpsd xmm0, xmm1, p
%assign p p + 1
%endrep
SSEOP "cmpps m128 1", cmpps xmm0, [sse_scr + 16], 1
SSEOP "cmpsd m64 3", cmpsd xmm0, [sse_scr + 16], 3
SSEOP "comiss", comiss xmm0, xmm1
SSEOP "ucomiss", ucomiss xmm0, xmm1
SSEOP "comisd", comisd xmm0, xmm1
SSEOP "ucomisd", ucomisd xmm0, xmm1
SSEOP "comiss m32", comiss xmm0, [sse_scr + 16]
SSEOP "ucomisd m64", ucomisd xmm0, [sse_scr + 16]
SSEOP "cvtps2pd", cvtps2pd xmm0, xmm1
SSEOP "cvtps2pd m64", cvtps2pd xmm0, [sse_scr + 20]
SSEOP "cvtpd2ps", cvtpd2ps xmm0, xmm1
SSEOP "cvtss2sd", cvtss2sd xmm0, xmm1
SSEOP "cvtss2sd m32", cvtss2sd xmm0, [sse_scr + 16]
SSEOP "cvtsd2ss", cvtsd2ss xmm0, xmm1
SSEOP "cvtdq2ps", cvtdq2ps xmm0, xmm1
SSEOP "cvtps2dq", cvtps2dq xmm0, xmm1
SSEOP "cvttps2dq", cvttps2dq xmm0, xmm1
SSEOP "cvtdq2pd", cvtdq2pd xmm0, xmm1
SSEOP "cvtdq2pd m64", cvtdq2pd xmm0, [sse_scr + 20]
SSEOP "cvtpd2dq", cvtpd2dq xmm0, xmm1
SSEOP "cvttpd2dq m128", cvttpd2dq xmm0, [sse_scr + 16]
SSEOP "cvtsi2ss", cvtsi2ss xmm0, eax
SSEOP "cvtsi2ss m32", cvtsi2ss xmm0, [sse_scr + 16]
SSEOP "cvtsi2sd", cvtsi2sd xmm0, ebx
SSEOP "cvtss2si", cvtss2si eax, xmm1
SSEOP "cvttss2si m32", cvttss2si eax, [sse_scr + 16]
SSEOP "cvtsd2si", cvtsd2si eax, xmm1
SSEOP "cvttsd2si", cvttsd2si eax, xmm1
SSEOP "cvtsd2si m64", cvtsd2si eax, [sse_scr + 16]

; SSE/SSE2 data movement and shuffles
SSEOP "movhps load", movhps xmm0, [sse_scr + 20]
SSEOP "movlps load", movlps xmm0, [sse_scr + 20]
SSEOP "movhpd load", movhpd xmm0, [sse_scr + 20]
SSEOP "movlpd load", movlpd xmm0, [sse_scr + 20]
SSEOP "movhps store", movhps [sse_scr + 4], xmm1
SSEOP "movlpd store", movlpd [sse_scr + 4], xmm1
SSEOP "movhlps", movhlps xmm0, xmm1
SSEOP "movlhps", movlhps xmm0, xmm1
SSEOP "movmskps", movmskps eax, xmm1
SSEOP "movmskpd", movmskpd eax, xmm0
SSEOP "unpcklps", unpcklps xmm0, xmm1
SSEOP "unpckhps m128", unpckhps xmm0, [sse_scr + 16]
SSEOP "unpcklpd", unpcklpd xmm0, xmm1
SSEOP "unpckhpd", unpckhpd xmm0, xmm1
SSEOP "shufps 1b", shufps xmm0, xmm1, 0x1b
SSEOP "shufps e4 m128", shufps xmm0, [sse_scr + 16], 0xe4
SSEOP "shufps 9c", shufps xmm0, xmm1, 0x9c
SSEOP "shufpd 1", shufpd xmm0, xmm1, 1
SSEOP "shufpd 2", shufpd xmm0, xmm1, 2
SSEOP "movntps", movntps [sse_scr], xmm1
SSEOP "movntdq", movntdq [sse_scr], xmm1
SSEOP "movnti", movnti [sse_scr + 4], ebx
SSEOP "movapd store", movapd [sse_scr], xmm1
SSEOP "movdqa store", movdqa [sse_scr], xmm1
SSESTUB "maskmovdqu"
        push edi
        mov edi, sse_scr + 2
        maskmovdqu xmm1, xmm0
        pop edi
ENDSSE
SSEOP "andnps m128", andnps xmm0, [sse_scr + 16]

; SSE2 integer (66 forms)
%macro SSEINT 1
SSEOP %str(%1), %1 xmm0, xmm1
%endmacro
%macro SSEINTM 1                ; also a memory source
SSEOP %str(%1), %1 xmm0, xmm1
SSEOP %str(%1 m128), %1 xmm0, [sse_scr + 16]
%endmacro
SSEINTM punpcklbw
SSEINT punpcklwd
SSEINT punpckldq
SSEINT punpcklqdq
SSEINTM punpckhbw
SSEINT punpckhwd
SSEINT punpckhdq
SSEINT punpckhqdq
SSEINTM packsswb
SSEINT packssdw
SSEINTM packuswb
SSEINT pcmpgtb
SSEINT pcmpgtw
SSEINTM pcmpgtd
SSEINT pcmpeqd
SSEINT pmullw
SSEINTM pmulhw
SSEINT pmulhuw
SSEINT pmuludq
SSEINTM pmaddwd
SSEINT psadbw
SSEINT paddsb
SSEINT paddsw
SSEINT paddusb
SSEINTM paddusw
SSEINT psubsb
SSEINTM psubsw
SSEINT psubusb
SSEINT psubusw
SSEINT pminub
SSEINT pmaxub
SSEINT pminsw
SSEINTM pmaxsw
SSEINT pavgb
SSEINT pavgw
%macro SSESH 1                  ; shift by a count in xmm2 (b: 0..33 and big)
SSESTUB %str(%1 xmm)
        movd xmm2, ecx
        %1 xmm0, xmm2
ENDSSE
%endmacro
SSESH psrlw
SSESH psrld
SSESH psrlq
SSESH psraw
SSESH psrad
SSESH psllw
SSESH pslld
SSESH psllq
SSEOP "psllq m128", psllq xmm0, [sse_scr + 16]
SSEOP "psrlw 3", psrlw xmm0, 3
SSEOP "psrld 31", psrld xmm0, 31
SSEOP "psrlq 40", psrlq xmm0, 40
SSEOP "psraw 15", psraw xmm0, 15
SSEOP "psraw 200", psraw xmm0, 200
SSEOP "psrad 7", psrad xmm0, 7
SSEOP "psllw 9", psllw xmm0, 9
SSEOP "pslld 16", pslld xmm0, 16
SSEOP "psllq 1", psllq xmm0, 1
SSEOP "psllq 64", psllq xmm0, 64
SSEOP "psrldq 3", psrldq xmm0, 3
SSEOP "psrldq 16", psrldq xmm0, 16
SSEOP "pslldq 5", pslldq xmm0, 5
SSEOP "pslldq 15", pslldq xmm0, 15
SSEOP "pshufhw 1b", pshufhw xmm0, xmm1, 0x1b
SSEOP "pshuflw 4e m128", pshuflw xmm0, [sse_scr + 16], 0x4e
SSEOP "pshufd 00", pshufd xmm0, xmm1, 0x00
SSEOP "pshufd ff", pshufd xmm0, xmm1, 0xff
SSEOP "pinsrw 5", pinsrw xmm0, ebx, 5
SSEOP "pinsrw m16 0", pinsrw xmm0, [sse_scr + 18], 0
SSEOP "pextrw 3", pextrw eax, xmm1, 3
SSEOP "pextrw 7", pextrw eax, xmm0, 7
SSEOP "pmovmskb", pmovmskb eax, xmm1
SSEOP "movq xmm store reg", movq xmm0, xmm1
SSEOP "movd xmm m32", movd xmm0, [sse_scr + 20]
SSEOP "movd m32 xmm", movd [sse_scr + 8], xmm1

; SSE3
SSEOP "addsubps", addsubps xmm0, xmm1
SSEOP "addsubpd", addsubpd xmm0, xmm1
SSEOP "haddps", haddps xmm0, xmm1
SSEOP "haddpd m128", haddpd xmm0, [sse_scr + 16]
SSEOP "hsubps", hsubps xmm0, xmm1
SSEOP "hsubpd", hsubpd xmm0, xmm1
SSEOP "movddup", movddup xmm0, xmm1
SSEOP "movddup m64", movddup xmm0, [sse_scr + 20]
SSEOP "movshdup", movshdup xmm0, xmm1
SSEOP "movsldup m128", movsldup xmm0, [sse_scr + 16]
SSEOP "lddqu", lddqu xmm0, [sse_scr + 19]

; SSSE3, XMM forms
SSEINTM pshufb
SSEINT phaddw
SSEINT phaddd
SSEINT phaddsw
SSEINT phsubw
SSEINTM phsubd
SSEINT phsubsw
SSEINTM pmaddubsw
SSEINT pmulhrsw
SSEINT psignb
SSEINT psignw
SSEINTM psignd
SSEINT pabsb
SSEINT pabsw
SSEINTM pabsd
SSEOP "palignr 0", palignr xmm0, xmm1, 0
SSEOP "palignr 5", palignr xmm0, xmm1, 5
SSEOP "palignr 17", palignr xmm0, xmm1, 17
SSEOP "palignr 32", palignr xmm0, xmm1, 32
SSEOP "palignr 9 m128", palignr xmm0, [sse_scr + 16], 9

;  32 imm8 values of each shuffle, shift and insert (selectors: a
; permutation's first 32, so every field takes every value; shifts: 0-23 and
; the edges 31 32 33 63 64 65 128 255); each result is folded into xmm3
; (rotate the lanes, add), over a alone
%macro IMMALL 3-6               ; name, kind (0 selector, 1 count), 1-4 insns using IMM
SSESTUB1 %1
        pxor xmm3, xmm3
%assign I 0
%rep 32
%if %2 == 0
%assign IMM (I * 0x9d + 0x1b) & 0xff
%elif I < 24
%assign IMM I
%else
%assign IMM I == 24 ? 31 : I == 25 ? 32 : I == 26 ? 33 : I == 27 ? 63 : I == 28 ? 64 : I == 29 ? 65 : I == 30 ? 128 : 255
%endif
        %3
%if %0 >= 4
        %4
%endif
%if %0 >= 5
        %5
%endif
%if %0 >= 6
        %6
%endif
        pshufd xmm3, xmm3, 0x39
        paddd xmm3, xmm2
%assign I I + 1
%endrep
%undef IMM                      ; undefined again at the next use: NASM
        movdqa xmm0, xmm3       ; expands a defined IMM in the arguments
ENDSSE
%endmacro
IMMALL "pshufd imm8", 0, {pshufd xmm2, xmm0, IMM}
IMMALL "pshufhw imm8", 0, {pshufhw xmm2, xmm0, IMM}
IMMALL "pshuflw imm8", 0, {pshuflw xmm2, xmm0, IMM}
IMMALL "shufps imm8", 0, {movdqa xmm2, xmm0}, {shufps xmm2, xmm1, IMM}
IMMALL "shufpd imm8", 0, {movdqa xmm2, xmm1}, {shufpd xmm2, xmm0, IMM}
IMMALL "cmpps imm8", 0, {movdqa xmm2, xmm0}, {cmpps xmm2, xmm1, IMM & 7}
IMMALL "palignr imm8", 1, {movdqa xmm2, xmm0}, {palignr xmm2, xmm1, IMM}
IMMALL "psrldq imm8", 1, {movdqa xmm2, xmm0}, {psrldq xmm2, IMM}
IMMALL "pslldq imm8", 1, {movdqa xmm2, xmm0}, {pslldq xmm2, IMM}
IMMALL "psraw imm8", 1, {movdqa xmm2, xmm0}, {psraw xmm2, IMM}
IMMALL "psrld imm8", 1, {movdqa xmm2, xmm0}, {psrld xmm2, IMM}
IMMALL "psllq imm8", 1, {movdqa xmm2, xmm0}, {psllq xmm2, IMM}
IMMALL "pinsrw imm8", 1, {movdqa xmm2, xmm0}, {pinsrw xmm2, eax, IMM}
IMMALL "pextrw imm8", 1, {pextrw ebx, xmm0, IMM}, {movd xmm2, ebx}
IMMALL "mmx pshufw imm8", 0, {pshufw mm2, [sse_scr], IMM}, {movq2dq xmm2, mm2}, emms
IMMALL "mmx palignr imm8", 1, {movq mm2, [sse_scr]}, {palignr mm2, [sse_scr + 16], IMM}, {movq2dq xmm2, mm2}, emms
IMMALL "mmx psrlw imm8", 1, {movq mm2, [sse_scr]}, {psrlw mm2, IMM}, {movq2dq xmm2, mm2}, emms

;  MMX (and SSE/SSE2/SSSE3 on MMX registers): mm0 = {a, b}, mm1 = {b, a};
; out as SSEOP with xmm0 = {mm0, 0} after EMMS
%macro MMXOP 2+                 ; name, code (destination mm0, source mm1)
%assign n_ins n_ins + 1
ins_%[n_ins]:
        call sse_in
        movq mm0, [sse_scr]
        movq mm1, [sse_scr + 16]
        %2
        jmp mmx_out
ins_name_%[n_ins]: db %1, 0
%xdefine ins_class_%[n_ins] c_fpu
%endmacro
%macro MMXSTUB 1
%assign n_ins n_ins + 1
%xdefine ins_class_%[n_ins] c_fpu
%define CUR_NAME %1
ins_%[n_ins]:
        call sse_in
        movq mm0, [sse_scr]
        movq mm1, [sse_scr + 16]
%endmacro
%macro ENDMMX 0
        jmp mmx_out
ins_name_%[n_ins]: db CUR_NAME, 0
%endmacro
%macro MMXINT 1
MMXOP %str(mmx %1), %1 mm0, mm1
%endmacro
%macro MMXINTM 1
MMXOP %str(mmx %1), %1 mm0, mm1
MMXOP %str(mmx %1 m64), %1 mm0, [sse_scr + 16]
%endmacro
MMXINTM paddb
MMXINT paddw
MMXINT paddd
MMXINT paddq
MMXINT psubb
MMXINT psubw
MMXINTM psubd
MMXINT psubq
MMXINT paddsb
MMXINT paddsw
MMXINT paddusb
MMXINT paddusw
MMXINT psubsb
MMXINT psubsw
MMXINT psubusb
MMXINTM psubusw
MMXINT pand
MMXINT pandn
MMXINT por
MMXINTM pxor
MMXINT pcmpeqb
MMXINT pcmpeqw
MMXINT pcmpeqd
MMXINT pcmpgtb
MMXINT pcmpgtw
MMXINT pcmpgtd
MMXINT pmullw
MMXINT pmulhw
MMXINT pmulhuw
MMXINT pmuludq
MMXINTM pmaddwd
MMXINT psadbw
MMXINT pminub
MMXINT pmaxub
MMXINT pminsw
MMXINT pmaxsw
MMXINT pavgb
MMXINT pavgw
MMXINTM punpcklbw
MMXINT punpcklwd
MMXINTM punpckldq
MMXINT punpckhbw
MMXINT punpckhwd
MMXINTM punpckhdq
MMXINT packsswb
MMXINT packssdw
MMXINTM packuswb
%macro MMXSH 1
MMXSTUB %str(mmx %1 mm)
        movd mm2, ecx
        %1 mm0, mm2
ENDMMX
%endmacro
MMXSH psrlw
MMXSH psrld
MMXSH psrlq
MMXSH psraw
MMXSH psrad
MMXSH psllw
MMXSH pslld
MMXSH psllq
MMXOP "mmx psrlw 4", psrlw mm0, 4
MMXOP "mmx psrad 20", psrad mm0, 20
MMXOP "mmx psllq 33", psllq mm0, 33
MMXOP "mmx pslld m64", pslld mm0, [sse_scr + 16]
MMXOP "mmx pshufw 1b", pshufw mm0, mm1, 0x1b
MMXOP "mmx pshufw m64 c6", pshufw mm0, [sse_scr + 16], 0xc6
MMXOP "mmx pinsrw 2", pinsrw mm0, ebx, 2
MMXOP "mmx pextrw 1", pextrw eax, mm1, 1
MMXOP "mmx pmovmskb", pmovmskb eax, mm1
MMXOP "mmx movd mm r32", movd mm0, ebx
MMXOP "mmx movd r32 mm", movd eax, mm1
MMXOP "mmx movd mm m32", movd mm0, [sse_scr + 20]
MMXOP "mmx movd m32 mm", movd [sse_scr + 4], mm1
MMXOP "mmx movq mm mm", movq mm0, mm1
MMXOP "mmx movq m64 mm", movq [sse_scr + 4], mm1
MMXOP "mmx movntq", movntq [sse_scr + 8], mm1
MMXSTUB "mmx maskmovq"
        push edi
        mov edi, sse_scr + 3
        maskmovq mm1, mm0
        pop edi
ENDMMX
MMXSTUB "mmx movq2dq"           ; the whole of xmm0 through memory
        movq2dq xmm0, mm1
        movdqu [sse_scr + 40], xmm0
        movq mm0, [sse_scr + 40]
        pxor mm0, [sse_scr + 48]
ENDMMX
MMXOP "mmx movdq2q", movdq2q mm0, xmm1
%macro MMXCVT 1+                ; conversions into xmm0: its halves XORed into mm0
MMXSTUB %str(mmx %1)
        %1
        movdqu [sse_scr + 40], xmm0
        movq mm0, [sse_scr + 40]
        pxor mm0, [sse_scr + 48]
ENDMMX
%endmacro
MMXCVT cvtpi2ps xmm0, mm1
MMXCVT cvtpi2pd xmm0, mm1
MMXCVT cvtpi2ps xmm0, [sse_scr + 16]
MMXOP "mmx cvtps2pi", cvtps2pi mm0, xmm1
MMXOP "mmx cvttps2pi", cvttps2pi mm0, xmm1
MMXOP "mmx cvtpd2pi", cvtpd2pi mm0, xmm1
MMXOP "mmx cvttpd2pi m128", cvttpd2pi mm0, [sse_scr + 16]
MMXINTM pshufb
MMXINT phaddw
MMXINT phaddd
MMXINT phaddsw
MMXINT phsubw
MMXINT phsubd
MMXINT phsubsw
MMXINTM pmaddubsw
MMXINT pmulhrsw
MMXINT psignb
MMXINT psignw
MMXINT psignd
MMXINT pabsb
MMXINT pabsw
MMXINTM pabsd
MMXOP "mmx palignr 3", palignr mm0, mm1, 3
MMXOP "mmx palignr 12", palignr mm0, mm1, 12
MMXOP "mmx palignr 16", palignr mm0, mm1, 16

sse_in:
        mov [sse_scr], eax
        mov [sse_scr + 4], ebx
        mov [sse_scr + 20], eax
        mov [sse_scr + 16], ebx
        not eax
        mov [sse_scr + 8], eax
        not eax
        rol eax, 16
        mov [sse_scr + 12], eax
        ror eax, 16
        rol ebx, 8
        mov [sse_scr + 24], ebx
        ror ebx, 8
        not ebx
        mov [sse_scr + 28], ebx
        not ebx
        mov [sse_scr + 32], ebx
        mov [sse_scr + 36], eax
        movdqu xmm0, [sse_scr]
        movdqu xmm1, [sse_scr + 16]
        mov edx, [vf]
        ldmxcsr [sse_csr + edx * 4]
        ret
sse_out:
        pushfd
        movdqu [sse_scr + 48], xmm0
        stmxcsr [sse_scr + 64]
        mov ecx, [sse_scr]      ; stores land in the low half: fold it in
        xor ecx, [sse_scr + 4]
        xor ecx, [sse_scr + 8]
        xor ecx, [sse_scr + 12]
        xor ecx, [sse_scr + 16]
        xor ecx, [sse_scr + 20]
        xor eax, ecx
        mov ebx, [sse_scr + 52]
        mov ecx, [sse_scr + 56]
        mov edx, [sse_scr + 64]
        rol edx, 16
        xor edx, [sse_scr + 60]
        xor eax, [sse_scr + 48]
        popfd
        ret
mmx_out:                        ; mm0 to xmm0 = {mm0, 0}; back to the x87 state
        movq [sse_scr + 72], mm0
        emms
        movq xmm0, [sse_scr + 72]
        jmp sse_out
sse_csr: dd 0x1f80, 0x3f80, 0x7fc0, 0x5f80

; set up the FPU for a case: FNINIT, control word from the flags variant,
; a and b stored for loading (flags are not changed)
fpu_in:
        fninit
        mov [fscr], eax
        mov [fscr + 4], ebx
        mov dword [fscr + 8], 0
        mov dword [fscr + 12], 0
        mov edx, [vf]
        fldcw [fpu_cw + edx * 2]
        ret
; results: EAX EBX = st0's significand, each XORed with what a store to
; memory left at fscr+8 (0 otherwise), ECX = st0's sign and exponent, EDX =
; the status word: all of it after compares/fprem/ftst/fxam (fpu_out_cc),
; without C0 C2 C3 after arithmetic (fpu_out: the SDM leaves them undefined)
fpu_out:
        mov word [fscr + 34], ~0x4500 & 0xffff
        jmp fpu_out2
fpu_out_cc:
        mov word [fscr + 34], 0xffff
fpu_out2:
        pushfd                  ; keep the flags the instruction left (fcomi)
        fnstsw [fscr + 32]
        fstp tword [fscr + 16]
        mov eax, [fscr + 16]
        xor eax, [fscr + 8]
        mov ebx, [fscr + 20]
        xor ebx, [fscr + 12]
        movzx ecx, word [fscr + 24]
        movzx edx, word [fscr + 32]
        and dx, [fscr + 34]     ; per-instruction mask, and FSW_MASK below
        and edx, FSW_MASK
        popfd
        ret
fpu_cw: dw 0x037f, 0x077f, 0x0f7f, 0x027f

; the table: stub, name, class
ins_table:
%assign i 1
%rep n_ins
        dd ins_%[i], ins_name_%[i], ins_class_%[i]
%assign i i + 1
%endrep
        dd 0, 0, 0

values:
        dd 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33
        dd 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000
        dd 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff
        dd 0x12345678, 0x9abcdef0, 0xdeadbeef, 0x0badf00d
        dd 0x55555555, 0xaaaaaaaa, 0x000000f9, 0x00008ff6
        dd 0x99, 0x9a, 0x0a, 0x3f6
        dd 0x7f800000, 0x3f800000, 0xfff00000, 0x4f000000
N_VALUES equ ($ - values) / 4
fvalues:                        ; input EFLAGS
        dd 0x002, 0x8d7, 0x003, 0x012
N_FVALUES equ ($ - fvalues) / 4

oracle_run:
        mov dword [cur_ins], ins_table
        mov dword [cur_idx], 0
.ins:   mov esi, [cur_ins]
        cmp dword [esi], 0
        je .done
        inc dword [cur_idx]
%ifdef ONLY                     ; -DONLY=n: instruction n (1-based) alone
        cmp dword [cur_idx], ONLY
        jne .next
%endif
        mov ebx, [esi + 8]
        mov eax, [ebx]
        mov [cur_kind], eax
        mov eax, [ebx + 4]
        mov [cur_size], eax
        mov eax, [ebx + 8]
        mov [cur_mask], eax
        mov eax, [ebx + 12]
        mov [cur_cnt], eax
        mov dword [hash], 0x811c9dc5
        mov dword [vi], 0
.li:    mov dword [vj], 0
.lj:    mov dword [vf], 0
.lf:    call run_case
        inc dword [vf]
        cmp dword [vf], N_FVALUES
        jb .lf
        test dword [cur_kind], K_UNARY
        jnz .nj
        inc dword [vj]
        cmp dword [vj], N_VALUES
        jb .lj
.nj:    inc dword [vi]
        cmp dword [vi], N_VALUES
        jb .li
%ifndef VERBOSE
        mov esi, [cur_ins]
        mov esi, [esi + 4]
        call out_str
        mov al, ' '
        call out_char
        mov eax, [hash]
        call out_hex
        mov al, 10
        call out_char
%endif
.next:  add dword [cur_ins], 12
        jmp .ins
.done:  ret

; one case: inputs from vi vj vf
run_case:
        mov eax, [vi]
        mov eax, [values + eax * 4]
        mov [in_a], eax
        mov ebx, [vj]
        mov ebx, [values + ebx * 4]
        mov [in_b], ebx
        mov ecx, [vf]
        mov ecx, [fvalues + ecx * 4]
        mov [in_f], ecx
        rol eax, 16
        xor eax, ebx
        mov [in_edx], eax
        mov dword [skip], 0
        mov eax, [cur_kind]
        and eax, 0xff
        cmp eax, K_DIV
        je .div
        cmp eax, K_IDIV
        je .idiv
        jmp .run
.div:   call size_mask          ; EDX = mask
        mov ecx, [in_b]
        and ecx, edx
        jz .skip
        mov eax, [in_a]         ; high half = (rol(a,16) & m) mod divisor < divisor
        rol eax, 16
        and eax, edx
        xor edx, edx
        div ecx
        cmp dword [cur_size], 8
        jne .div1
        mov eax, [in_a]
        and eax, 0xffff00ff
        shl edx, 8
        or eax, edx
        mov [in_a], eax
        jmp .run
.div1:  mov [in_edx], edx
        jmp .run
.idiv:  call size_mask
        mov ecx, [in_b]
        and ecx, edx
        jz .skip
        cmp ecx, edx            ; divisor -1 and dividend minimum overflows
        jne .idiv1
        mov eax, [in_a]
        and eax, edx
        shr edx, 1
        inc edx                 ; sign bit alone
        cmp eax, edx
        je .skip
.idiv1: mov eax, [in_a]         ; dividend = sign extension of the low part
        mov edx, [cur_size]
        cmp edx, 8
        jne .idiv16
        movsx ax, al
        mov [in_a], eax
        jmp .run
.idiv16:
        cmp edx, 16
        jne .idiv32
        cwd
        movzx edx, dx
        mov [in_edx], edx
        jmp .run
.idiv32:
        cdq
        mov [in_edx], edx
        jmp .run
.skip:  ret

.run:   mov esi, [cur_ins]
        mov esi, [esi]
        mov eax, [in_a]
        mov ebx, [in_b]
        mov ecx, ebx
        mov edx, [in_edx]
        push dword [in_f]
        popfd
        call esi
        pushfd
        mov [r_eax], eax
        mov [r_ebx], ebx
        mov [r_ecx], ecx
        mov [r_edx], edx
        pop eax
        mov [r_fl], eax
        push dword 0x002
        popfd
        cld
        call case_mask          ; EAX = flag mask, may clear results
        and [r_fl], eax
        ; fold the case into the hash
        mov eax, [in_a]
        call fold
        mov eax, [in_b]
        call fold
        mov eax, [in_f]
        call fold
        mov eax, [r_eax]
        call fold
        mov eax, [r_ebx]
        call fold
        mov eax, [r_ecx]
        call fold
        mov eax, [r_edx]
        call fold
        mov eax, [r_fl]
        call fold
%ifdef VERBOSE
        mov esi, [cur_ins]
        mov esi, [esi + 4]
        call out_str
        mov esi, in_a
        mov ecx, 9
.v:     mov al, ' '
        call out_char
        lodsd
        call out_hex
        dec ecx
        jnz .v
        mov al, 10
        call out_char
%endif
        ret

fold:   mov edx, [hash]
        rol edx, 5
        xor edx, eax
        add edx, 0x9e3779b9
        mov [hash], edx
        ret

; EDX = all-ones mask of the operand size
size_mask:
        mov edx, 0xff
        cmp dword [cur_size], 8
        je .r
        mov edx, 0xffff
        cmp dword [cur_size], 16
        je .r
        mov edx, 0xffffffff
.r:     ret

; EAX = defined-flags mask of the current case; clears undefined results.
case_mask:
        mov ecx, [cur_cnt]      ; count: fixed, or b & 31
        cmp ecx, -1
        jne .c
        mov ecx, [in_b]
        and ecx, 31
.c:     mov edx, [cur_kind]
        and edx, 0xff
        mov eax, [cur_mask]
        cmp edx, K_BSF
        je .bsf
        cmp edx, K_SHIFT
        jb .r
        cmp edx, K_SHD
        ja .r
        mov eax, 0x8d5          ; count 0: nothing changes
        test ecx, ecx
        jz .r
        cmp edx, K_SHIFT
        je .shift
        cmp edx, K_SHD
        je .shd
        mov eax, 0x0d5          ; rotates: CF, SZAP unchanged
        jmp .of
.shift: mov eax, 0x0c4
        cmp ecx, [cur_size]
        jae .of
        or eax, 0x001
        jmp .of
.shd:   cmp ecx, [cur_size]
        jbe .shd1
        xor eax, eax            ; count > size: result and flags undefined
        mov [r_eax], eax
        ret
.shd1:  mov eax, 0x0c5
.of:    cmp ecx, 1
        jne .r
        or eax, 0x800
.r:     ret
.bsf:   call size_mask
        test [in_b], edx
        jnz .r
        mov dword [r_eax], 0    ; source 0: destination undefined
        ret

out_str:
        push eax
        push esi
.l:     lodsb
        test al, al
        jz .e
        call out_char
        jmp .l
.e:     pop esi
        pop eax
        ret

out_hex:
        push ecx
        push eax
        mov ecx, 8
.l:     rol eax, 4
        push eax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .d
        add al, 'a' - '0' - 10
.d:     call out_char
        pop eax
        dec ecx
        jnz .l
        pop eax
        pop ecx
        ret

; variables in a page of their own: writes next to code would look like
; self-modifying code to a translating CPU and slow it down a lot
align 4096
sse_scr:  times 20 dd 0         ; 16-aligned: movdqa/movaps operands
scratch:  dd 0, 0
fscr:     times 10 dd 0
cur_ins:  dd 0
cur_idx:  dd 0
cur_kind: dd 0
cur_size: dd 0
cur_mask: dd 0
cur_cnt:  dd 0
vi:       dd 0
vj:       dd 0
vf:       dd 0
in_a:     dd 0
in_b:     dd 0
in_f:     dd 0
in_edx:   dd 0
r_eax:    dd 0
r_ebx:    dd 0
r_ecx:    dd 0
r_edx:    dd 0
r_fl:     dd 0
hash:     dd 0
skip:     dd 0


%ifndef HOST
LIB_END
%endif
