; tests/oracle/oracle64.asm - the 64-bit (long mode) integer instruction
; oracle: one source built twice, like tests/oracle/oracle.asm.
;   guest: nasm -f bin -I tests/guest/ oracle64.asm     (pcvm's CPU, entered
;          into 64-bit mode by tests/guest/lib64.inc)
;   host:  nasm -f elf64 -DHOST oracle64.asm; ld -N     (runs natively)
; Both run every instruction below over the same operand values and input
; flags and print one line per instruction: "name hash" (16 hex digits); the
; hash folds in every case's inputs, all fifteen general registers but RSP,
; the 64-byte memory operand buffer and RFLAGS & mask.  The masks keep only
; what the Intel SDM vol. 2 defines for the instruction, with oracle.asm's
; conventions (its header has the class table); for 64-bit operands the shift
; count is masked to 6 bits instead of 5.
; Assemble with -DVERBOSE to print every case instead, -DONLY=n to run
; instruction n alone.  Without long mode (CPUID.80000001h:EDX.LM) the guest
; prints "SKIP ..." and passes.  A guest exception inside an instruction
; prints "EXC name vector=... rip=..." and the oracle goes on with the next.
;
; Inputs of a case: a, b from `values` (b = unary_b for instructions that
; take no b), flags from `fvalues`, d = rol(a,32)^b;
;   RAX=a RBX=b RCX=b RDX=d RSI=~a RDI=~b RBP=rol(d,8) R8=a R9=b R10=d R11=rol(b,32)+a
;   R12=rol(a,8) R13=rol(b,16)^a R14=a+b R15=a-b
;   mbuf (16-aligned, 8 qwords) = a b d ~a a (b&~0xff) d^a a+b
; Stubs may change every register but RSP, and must leave RSP balanced.
; Nothing that depends on where the program runs (an address, RSP) may reach
; a register, the buffer or the flags at the end of a stub: see REBASE, FSUB.

%ifdef HOST
bits 64
default rel
section .text
global _start
_start:
        cld
        jmp oracle_run
oracle_done:
        call out_flush
        mov eax, 60                     ; exit(0)
        xor edi, edi
        syscall

; out_char: AL to a buffer, written to stdout with write(2) when full.
out_char:
        push rdx
        push rsi
        mov rdx, [out_len]
        lea rsi, [out_buf]
        mov [rsi + rdx], al
        inc rdx
        mov [out_len], rdx
        cmp rdx, 4096
        jb .r
        call out_flush
.r:     pop rsi
        pop rdx
        ret
out_flush:
        push rax
        push rcx
        push rdx
        push rsi
        push rdi
        push r11
        mov eax, 1                      ; write(1, out_buf, out_len)
        mov edi, 1
        lea rsi, [out_buf]
        mov rdx, [out_len]
        syscall
        mov qword [out_len], 0
        pop r11
        pop rdi
        pop rsi
        pop rdx
        pop rcx
        pop rax
        ret

%else
%include "lib64.inc"
bits 64
default rel
lm_main:
        lea rax, [oracle_fault]
        mov [lib64_recover], rax
        jmp oracle_run
oracle_done:
        lea rsi, [s_end]
        call puts64
        mov al, LIB_PASS_CODE
        jmp lm_exit
out_char:
        jmp putc64

; an exception inside an instruction under test (lib64.inc's hook): report
; it and go on with the next instruction
oracle_fault:
        mov rsp, [ins_rsp]
        push qword 2
        popfq
        cld
        mov [fault_rip], rsi
        lea rsi, [s_exc]
        call out_str
        mov rsi, [cur_ins]
        mov rsi, [rsi + 8]
        call out_str
        lea rsi, [s_vec]
        call out_str
        mov eax, edi
        call out_hex
        lea rsi, [s_rip]
        call out_str
        mov rax, [fault_rip]
        call out_hex
        mov al, 10
        call out_char
        jmp oracle_run.next
s_end:  db "END", 10, 0
s_exc:  db "EXC ", 0
s_vec:  db " vector=", 0
s_rip:  db " rip=", 0
%endif

; ---------------------------------------------------------------------------
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
N_FIELDS equ 21                 ; qwords folded per case: in_a .. r_mem

%macro CLASS 5                  ; name, kind, size, mask, fixed count
%1:     dq %2, %3, %4, %5
%endmacro
CLASS c_arith, K_PLAIN, 64, 0x8d5, -1
CLASS c_logic, K_PLAIN, 64, 0x8c5, -1
CLASS c_unary, K_PLAIN | K_UNARY, 64, 0x8d5, -1
%macro SHCLASSES 2              ; prefix, kind
CLASS c_%1 %+ 8, %2, 8, 0, -1
CLASS c_%1 %+ 16, %2, 16, 0, -1
CLASS c_%1 %+ 32, %2, 32, 0, -1
CLASS c_%1 %+ 64, %2, 64, 0, -1
CLASS c_%1 %+ 64_1, %2 | K_UNARY, 64, 0, 1
CLASS c_%1 %+ 64_40, %2 | K_UNARY, 64, 0, 40
CLASS c_%1 %+ 32_20, %2 | K_UNARY, 32, 0, 20
%endmacro
SHCLASSES sh, K_SHIFT
SHCLASSES rot, K_ROT
SHCLASSES rc, K_RC
CLASS c_sh32_0, K_SHIFT | K_UNARY, 32, 0, 0
CLASS c_rot32_0, K_ROT | K_UNARY, 32, 0, 0
CLASS c_sh64_6, K_SHIFT | K_UNARY, 64, 0, 6
CLASS c_shd16, K_SHD, 16, 0, -1
CLASS c_shd32, K_SHD, 32, 0, -1
CLASS c_shd64, K_SHD, 64, 0, -1
CLASS c_shd64_37, K_SHD | K_UNARY, 64, 0, 37
CLASS c_shd64_1, K_SHD | K_UNARY, 64, 0, 1
CLASS c_shd32_9, K_SHD | K_UNARY, 32, 0, 9
CLASS c_shd32_0, K_SHD | K_UNARY, 32, 0, 0
CLASS c_mul,  K_PLAIN, 64, 0x801, -1
CLASS c_div8,  K_DIV, 8, 0, -1
CLASS c_div16, K_DIV, 16, 0, -1
CLASS c_div32, K_DIV, 32, 0, -1
CLASS c_div64, K_DIV, 64, 0, -1
CLASS c_idiv8,  K_IDIV, 8, 0, -1
CLASS c_idiv16, K_IDIV, 16, 0, -1
CLASS c_idiv32, K_IDIV, 32, 0, -1
CLASS c_idiv64, K_IDIV, 64, 0, -1
CLASS c_bt,   K_PLAIN, 64, 0x001, -1
CLASS c_btu,  K_PLAIN | K_UNARY, 64, 0x001, -1
CLASS c_bsf16, K_BSF, 16, 0x040, -1
CLASS c_bsf32, K_BSF, 32, 0x040, -1
CLASS c_bsf64, K_BSF, 64, 0x040, -1

%assign n_ins 0
; INS name, class, instruction
%macro INS 3+
%assign n_ins n_ins + 1
ins_%[n_ins]:
        %3
        ret
ins_name_%[n_ins]: db %1, 0
%xdefine ins_class_%[n_ins] %2
%endmacro
; STUB name, class / lines / ENDSTUB: a sequence
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
; FSUB dst, src, tmp: dst -= src, with the flags unchanged (the flags of a
; SUB of addresses would depend on where the program runs); tmp ends as 0
%macro FSUB 3
        mov %3, %2
        not %3
        lea %1, [%1 + %3 + 1]
        mov %3, 0
%endmacro
; REBASE reg...: addresses in mbuf as offsets, the same on host and guest
; (flags unchanged)
%macro REBASE 1-*
        push rax
        lea rax, [mbuf]
        not rax                 ; -mbuf - 1
%rep %0
        lea %1, [%1 + rax + 1]
%rotate 1
%endrep
        pop rax
%endmacro

; constants before the stubs: RIP-relative loads with a negative displacement
qneg:   dq 0x8877665544332211, 0x00ff00ff00ff00ff

;  ALU: register, REX and legacy byte registers, memory, immediates
%macro ALU 2                    ; mnemonic, class
INS %str(%1 64), %2, %1 rax, rbx
INS %str(%1 32), %2, %1 eax, ebx
INS %str(%1 16), %2, %1 ax, bx
INS %str(%1 8), %2, %1 al, bl
INS %str(%1 64 r8 r9), %2, %1 r8, r9
INS %str(%1 32 r10d r11d), %2, %1 r10d, r11d
INS %str(%1 16 r12w r13w), %2, %1 r12w, r13w
INS %str(%1 8 ah bh), %2, %1 ah, bh
INS %str(%1 8 dh ch), %2, %1 dh, ch
INS %str(%1 8 sil dil), %2, %1 sil, dil
INS %str(%1 8 r14b bpl), %2, %1 r14b, bpl
INS %str(%1 64 mem reg), %2, %1 [mbuf], rbx
INS %str(%1 64 reg mem), %2, %1 rax, [mbuf + 8]
INS %str(%1 64 imm8), %2, %1 rax, -3
INS %str(%1 64 imm32), %2, %1 rax, -0x7ffffff0
INS %str(%1 64 r15 imm32), %2, %1 r15, 0x7fff8001
INS %str(%1 64 mem imm32), %2, %1 qword [mbuf], -0x12345678
%endmacro
ALU add, c_arith
ALU adc, c_arith
ALU sub, c_arith
ALU sbb, c_arith
ALU cmp, c_arith
ALU and, c_logic
ALU or, c_logic
ALU xor, c_logic
INS "test 64", c_logic, test rax, rbx
INS "test 32", c_logic, test eax, ebx
INS "test 16", c_logic, test ax, bx
INS "test 8 ah bh", c_logic, test ah, bh
INS "test 8 sil r9b", c_logic, test sil, r9b
INS "test 64 r8 r9", c_logic, test r8, r9
INS "test 64 mem reg", c_logic, test [mbuf + 8], rax
INS "test 64 imm32", c_logic, test rax, -0x7ffffff0
INS "test 64 mem imm32", c_logic, test qword [mbuf], 0x40000001
INS "test 8 ah imm", c_logic, test ah, 0x81
INS "add 32 mem imm32", c_arith, add dword [mbuf + 4], 0x12345678
INS "and 16 mem imm8", c_logic, and word [mbuf + 2], -0x70
INS "add 64 abs mem reg", c_arith, add [abs mbuf], rbx
INS "sub 8 rip mem imm", c_arith, sub byte [mbuf + 5], 0x81
INS "xor 32 self", c_logic, xor eax, eax
INS "mov 32 self", c_arith, mov eax, eax
INS "add 66 rex.w", c_arith, db 0x66, 0x48, 0x01, 0xd8
INS "add rex 66 (rex ignored)", c_arith, db 0x48, 0x66, 0x01, 0xd8
INS "add 8 two rex", c_arith, db 0x48, 0x40, 0x00, 0xfe
INS "add al imm8 (04)", c_arith, add al, 0x85
INS "sbb ax imm16 (66 1d)", c_arith, sbb ax, 0x8001
INS "cmp eax imm32 (3d)", c_arith, cmp eax, 0x80000000
INS "test al imm8 (a8)", c_logic, test al, 0x41
INS "test rax imm32 (48 a9)", c_logic, test rax, -0x7fffffff
INS "add rex es: (rex ignored)", c_arith, db 0x48, 0x26, 0x01, 0xd8
INS "xchg rax rax (48 90)", c_arith, db 0x48, 0x90
INS "nop m64 (0f 1f, no access)", c_arith, db 0x48, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
INS "nop m16 (66 0f 1f, no access)", c_arith, db 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00
; the same register as source and destination (read before write)
INS "shl rcx cl", c_sh64, shl rcx, cl
INS "shld rcx rcx cl", c_shd64, shld rcx, rcx, cl
INS "xadd rax rax", c_arith, xadd rax, rax
INS "cmpxchg rax rax", c_arith, cmpxchg rax, rax
INS "imul rax rax", c_mul, imul rax, rax
INS "mul rdx", c_mul, mul rdx
INS "bts rbx rbx", c_bt, bts rbx, rbx
STUB "bsr rbx rbx", c_bsf64
        bsr rbx, rbx
        mov rax, rbx            ; (masked when b = 0)
        mov rbx, r9
ENDSTUB
; memory through REX base and index registers, RBP and RSP
STUB "mem r12 r13 r8+r9*8", c_arith
        lea r12, [mbuf]
        lea r13, [mbuf + 16]
        lea r8, [mbuf]
        pushfq
        and r9d, 7
        popfq
        add rax, [r12 + 8]
        sub rax, [r13]
        adc rax, [r13 + r9 * 4 - 16]
        xor [r8 + r9 * 8], rax
        mov rcx, [r12]
        REBASE r12, r13, r8
ENDSTUB
STUB "mem rbp rsp", c_arith
        push rax
        push rbx
        mov rbp, rsp
        mov rcx, [rbp + 8]
        add rcx, [rsp]
        sbb rcx, [rbp]
        pop rdx
        pop rdx
        mov ebp, 0
ENDSTUB
STUB "add spl bl", c_arith
        mov [spl_save], rsp
        mov rsp, rax
        add spl, bl
        mov rax, rsp
        mov rsp, [spl_save]
ENDSTUB

;  inc dec neg not
%macro UNARY 2
INS %str(%1 64), %2, %1 rax
INS %str(%1 32), %2, %1 eax
INS %str(%1 16), %2, %1 ax
INS %str(%1 8), %2, %1 al
INS %str(%1 8 ah), %2, %1 ah
INS %str(%1 8 dil), %2, %1 dil
INS %str(%1 64 r8), %2, %1 r8
INS %str(%1 32 r13d), %2, %1 r13d
INS %str(%1 16 r9w), %2, %1 r9w
INS %str(%1 64 mem), %2, %1 qword [mbuf]
INS %str(%1 32 mem), %2, %1 dword [mbuf + 4]
%endmacro
UNARY inc, c_unary
UNARY dec, c_unary
UNARY neg, c_unary
UNARY not, c_unary

;  shifts and rotates
%macro SHIFT 2                  ; mnemonic, class prefix
INS %str(%1 64), c_%2 %+ 64, %1 rax, cl
INS %str(%1 32), c_%2 %+ 32, %1 eax, cl
INS %str(%1 16), c_%2 %+ 16, %1 ax, cl
INS %str(%1 8), c_%2 %+ 8, %1 al, cl
INS %str(%1 8 ah), c_%2 %+ 8, %1 ah, cl
INS %str(%1 8 sil), c_%2 %+ 8, %1 sil, cl
INS %str(%1 64 r9), c_%2 %+ 64, %1 r9, cl
INS %str(%1 64 mem), c_%2 %+ 64, %1 qword [mbuf], cl
INS %str(%1 32 mem), c_%2 %+ 32, %1 dword [mbuf + 4], cl
INS %str(%1 64 by 1), c_%2 %+ 64_1, %1 rax, 1
INS %str(%1 64 imm 40), c_%2 %+ 64_40, %1 rax, 40
INS %str(%1 32 imm 20), c_%2 %+ 32_20, %1 r11d, 20
%endmacro
SHIFT shl, sh
SHIFT shr, sh
SHIFT sar, sh
SHIFT rol, rot
SHIFT ror, rot
SHIFT rcl, rc
SHIFT rcr, rc
; counts that mask to 0 still write (zero-extend) a 32-bit register
INS "shl 32 imm 0", c_sh32_0, db 0xc1, 0xe0, 0x00
INS "shr 32 imm 32 (masked: 0)", c_sh32_0, db 0xc1, 0xe8, 0x20
INS "rol 32 imm 0", c_rot32_0, db 0xc1, 0xc0, 0x00
INS "rcr 32 r9d imm 32 (masked: 0)", c_rot32_0, db 0x41, 0xc1, 0xd9, 0x20
INS "shld 32 imm 0", c_shd32_0, db 0x0f, 0xa4, 0xd0, 0x00
INS "shl 64 imm 70 (masked: 6)", c_sh64_6, db 0x48, 0xc1, 0xe0, 70
INS "shld 64", c_shd64, shld rax, rdx, cl
INS "shrd 64", c_shd64, shrd rax, rdx, cl
INS "shld 32", c_shd32, shld eax, edx, cl
INS "shrd 32", c_shd32, shrd eax, edx, cl
INS "shld 16", c_shd16, shld ax, dx, cl
INS "shrd 16", c_shd16, shrd ax, dx, cl
INS "shld 64 r8 r10", c_shd64, shld r8, r10, cl
INS "shrd 64 mem", c_shd64, shrd [mbuf], rdx, cl
INS "shld 64 mem", c_shd64, shld [mbuf], rdx, cl
INS "shld 64 imm 37", c_shd64_37, shld rax, rdx, 37
INS "shrd 64 imm 1", c_shd64_1, shrd rax, rdx, 1
INS "shrd 32 imm 9", c_shd32_9, shrd r12d, r13d, 9

;  multiply and divide (div/idiv inputs are made non-faulting by run_case)
INS "mul 64", c_mul, mul rbx
INS "mul 64 r9", c_mul, mul r9
INS "mul 64 mem", c_mul, mul qword [mbuf + 8]
INS "imul 64", c_mul, imul rbx
INS "imul 64 r15", c_mul, imul r15
INS "imul 64 r,r", c_mul, imul rax, rbx
INS "imul 64 r8,r9", c_mul, imul r8, r9
INS "imul 64 r,mem", c_mul, imul rax, [mbuf + 8]
INS "imul 64 r,r,imm8", c_mul, imul rax, rbx, -3
INS "imul 64 r,r,imm32", c_mul, imul rax, rbx, 0x12345678
INS "imul 64 r,r,-2^31", c_mul, imul rcx, rbx, -0x80000000
INS "imul 64 r10,mem,imm32", c_mul, imul r10, [mbuf + 8], 0x7ffffff
INS "mul 32", c_mul, mul ebx
INS "imul 32", c_mul, imul ebx
INS "imul 32 r,r", c_mul, imul eax, ebx
INS "imul 32 r,r,imm", c_mul, imul r11d, ebx, -7
INS "mul 16", c_mul, mul bx
INS "imul 16 r,r", c_mul, imul ax, bx
INS "mul 8", c_mul, mul bl
INS "imul 8 ah", c_mul, imul ah
INS "div 64", c_div64, div rbx
INS "div 64 r9", c_div64, div r9
INS "div 64 mem", c_div64, div qword [mbuf + 8]
INS "div 32", c_div32, div ebx
INS "div 16", c_div16, div bx
INS "div 8", c_div8, div bl
INS "idiv 64", c_idiv64, idiv rbx
INS "idiv 64 r9", c_idiv64, idiv r9
INS "idiv 64 mem", c_idiv64, idiv qword [mbuf + 8]
INS "idiv 32", c_idiv32, idiv ebx
INS "idiv 16", c_idiv16, idiv bx
INS "idiv 8", c_idiv8, idiv bl
INS "div 8 r9b", c_div8, div r9b
INS "idiv 8 r9b", c_idiv8, idiv r9b
INS "mul 8 r9b", c_mul, mul r9b
INS "imul 8 sil", c_mul, imul sil

;  sign and zero extension, byte swap, moves and immediates (a only)
INS "movsx r64 r8", c_unary, movsx rcx, al
INS "movsx r64 r16", c_unary, movsx rcx, ax
INS "movsx r32 ah", c_unary, movsx ecx, ah
INS "movsx r16 r8", c_unary, movsx cx, al
INS "movsx r64 m8", c_unary, movsx rcx, byte [mbuf + 7]
INS "movsx r64 m16", c_unary, movsx r9, word [mbuf + 6]
INS "movzx r64 r8", c_unary, movzx rcx, al
INS "movzx r64 r16", c_unary, movzx rcx, ax
INS "movzx r32 r8", c_unary, movzx ecx, al
INS "movzx r16 r8", c_unary, movzx cx, al
INS "movzx r64 sil", c_unary, movzx r9, sil
INS "movzx r32 bh", c_unary, movzx ecx, bh
INS "movzx r64 m8", c_unary, movzx r11, byte [mbuf + 7]
INS "movzx r64 m16", c_unary, movzx r12, word [mbuf + 6]
INS "movsxd", c_unary, movsxd rcx, eax
INS "movsxd r15 r8d", c_unary, movsxd r15, r8d
INS "movsxd mem", c_unary, movsxd rcx, dword [mbuf + 4]
INS "movsxd 32 (no rex.w)", c_unary, db 0x63, 0xc8
INS "cdqe", c_unary, cdqe
INS "cqo", c_unary, cqo
INS "cwde", c_unary, cwde
INS "cdq", c_unary, cdq
INS "cbw", c_unary, cbw
INS "cwd", c_unary, cwd
INS "bswap 64", c_unary, bswap rax
INS "bswap 32", c_unary, bswap eax
INS "bswap r9", c_unary, bswap r9
INS "bswap r12d", c_unary, bswap r12d
INS "mov 32", c_unary, mov ecx, eax
INS "mov 16", c_unary, mov cx, ax
INS "mov 8 ch ah", c_unary, mov ch, ah
INS "mov 8 r9b sil", c_unary, mov r9b, sil
INS "mov r64 imm64", c_unary, mov rcx, strict qword 0x8000000000000001
INS "mov r9 imm64", c_unary, mov r9, strict qword 0x123456789abcdef0
INS "mov r64 imm32 sx", c_unary, mov rcx, -5
INS "mov r32 imm32", c_unary, mov ecx, 0xfffffffe
INS "mov r16 imm16", c_unary, mov r10w, 0x8001
INS "mov r8 imm8 r14b", c_unary, mov r14b, 0x81
INS "mov mem imm32 sx", c_unary, mov qword [mbuf + 8], -0x12345678
INS "mov mem32 imm32", c_unary, mov dword [mbuf + 12], 0x87654321
INS "mov rax moffs64", c_unary, mov rax, [abs qword mbuf + 8]
INS "mov moffs64 eax", c_unary, mov [abs qword mbuf + 4], eax
INS "mov moffs64 al", c_unary, mov [abs qword mbuf + 3], al
INS "mov r64 abs disp32", c_unary, mov rcx, [abs mbuf + 16]
INS "mov r64 a32 disp32", c_unary, a32 mov rcx, [abs mbuf + 24]

;  bit tests: registers, immediates, memory with small and large offsets
%macro BTOPS 1
INS %str(%1 64), c_bt, %1 rax, rbx
INS %str(%1 32), c_bt, %1 eax, ebx
INS %str(%1 16), c_bt, %1 ax, bx
INS %str(%1 64 r8 r9), c_bt, %1 r8, r9
INS %str(%1 64 imm 45), c_btu, %1 rax, 45
INS %str(%1 64 mem imm 50), c_btu, %1 qword [mbuf + 8], 50
INS %str(%1 32 mem imm 35), c_btu, %1 dword [mbuf + 8], 35
STUB %str(%1 64 mem reg), c_bt      ; offset -256..255 bits from mbuf+32
        mov rdx, rbx
        shl rdx, 55
        sar rdx, 55
        %1 [mbuf + 32], rdx
ENDSTUB
STUB %str(%1 32 mem reg), c_bt
        mov rdx, rbx
        shl rdx, 55
        sar rdx, 55
        %1 dword [mbuf + 32], edx
ENDSTUB
STUB %str(%1 16 mem reg), c_bt
        mov rdx, rbx
        shl rdx, 55
        sar rdx, 55
        %1 word [mbuf + 32], dx
ENDSTUB
STUB %str(%1 64 mem reg large), c_bt ; any offset: base moved back
        mov rsi, rbx
        sar rsi, 6
        shl rsi, 3
        lea rdi, [mbuf + 32]
        sub rdi, rsi
        %1 [rdi], rbx
        REBASE rdi
ENDSTUB
STUB %str(%1 32 mem reg large), c_bt
        movsxd rsi, ebx
        sar rsi, 5
        shl rsi, 2
        lea rdi, [mbuf + 32]
        sub rdi, rsi
        %1 dword [rdi], ebx
        REBASE rdi
ENDSTUB
STUB %str(%1 16 mem reg large), c_bt
        movsx rsi, bx
        sar rsi, 4
        shl rsi, 1
        lea rdi, [mbuf + 32]
        sub rdi, rsi
        %1 word [rdi], bx
        REBASE rdi
ENDSTUB
%endmacro
BTOPS bt
BTOPS bts
BTOPS btr
BTOPS btc

INS "bsf 64", c_bsf64, bsf rax, rbx
INS "bsr 64", c_bsf64, bsr rax, rbx
INS "bsf 32", c_bsf32, bsf eax, ebx
INS "bsr 32", c_bsf32, bsr eax, ebx
INS "bsf 16", c_bsf16, bsf ax, bx
INS "bsr 16", c_bsf16, bsr ax, bx
INS "bsf 64 mem", c_bsf64, bsf rax, [mbuf + 8]
INS "bsr 64 mem", c_bsf64, bsr rax, [mbuf + 8]
STUB "bsf 64 r8 r9", c_bsf64    ; destination moved to RAX (masked when b=0)
        bsf r8, r9
        mov rax, r8
        mov r8d, 0
ENDSTUB
STUB "bsr 64 r8 r9", c_bsf64
        bsr r8, r9
        mov rax, r8
        mov r8d, 0
ENDSTUB

;  setcc, cmovcc, jcc after cmp rax, rbx (all conditions)
%assign c 0
%rep 16
%substr cdig "0123456789abcdef" c + 1
STUB {"setcc ", cdig}, c_arith
        cmp rax, rbx
        db 0x0f, 0x90 + c, 0xc1         ; setcc cl
ENDSTUB
STUB {"cmovcc 64 ", cdig}, c_arith
        cmp rax, rbx
        db 0x48, 0x0f, 0x40 + c, 0xca   ; cmovcc rcx, rdx
ENDSTUB
STUB {"cmovcc 32 ", cdig}, c_arith
        cmp rax, rbx
        db 0x0f, 0x40 + c, 0xca         ; cmovcc ecx, edx: zero-extends
ENDSTUB
STUB {"jcc short ", cdig}, c_arith
        cmp rax, rbx
        db 0x70 + c, .t - ($ + 2)       ; jcc short
        mov ecx, 0
        ret
.t:     mov ecx, 1
ENDSTUB
%assign c c + 1
%endrep
%macro CCVAR 3+                  ; condition, name, code
STUB {%str(%1), " ", %2}, c_arith
        cmp rax, rbx
        %3
ENDSTUB
%endmacro
CCVAR setl, "sil", setl sil
CCVAR setb, "r9b", setb r9b
CCVAR setc, "bpl", setc bpl
CCVAR seto, "ah", seto ah
CCVAR setg, "mem", setg byte [mbuf + 3]
CCVAR cmovl, "16", cmovl cx, dx
CCVAR cmovbe, "64 mem", cmovbe rcx, [mbuf + 16]
CCVAR cmovs, "32 mem", cmovs ecx, [mbuf + 16]
CCVAR cmovp, "r15 r8", cmovp r15, r8
STUB "jl near", c_arith
        cmp rax, rbx
        jl near .t
        mov ecx, 0
        ret
        times 200 nop
.t:     mov ecx, 1
ENDSTUB
STUB "ja near", c_arith
        cmp rax, rbx
        ja near .t
        mov ecx, 0
        ret
        times 200 nop
.t:     mov ecx, 1
ENDSTUB

;  exchange and compare-exchange
INS "xchg 64", c_arith, xchg rax, rbx
INS "xchg 64 rcx rdx", c_arith, xchg rcx, rdx
INS "xchg r8 rax (49 90)", c_arith, db 0x49, 0x90
INS "xchg r8d eax (41 90)", c_arith, db 0x41, 0x90
INS "nop 90 (no zero-extension)", c_arith, db 0x90
INS "xchg 32 eax ebx", c_arith, xchg eax, ebx
INS "xchg 32 87", c_arith, xchg ecx, edx
INS "xchg 32 self 87", c_arith, xchg eax, eax
INS "xchg 16", c_arith, xchg cx, dx
INS "xchg 8 ah bl", c_arith, xchg ah, bl
INS "xchg 8 sil r9b", c_arith, xchg sil, r9b
INS "xchg 64 mem", c_arith, xchg [mbuf], rbx
INS "xchg 32 mem", c_arith, xchg [mbuf + 4], ebx
INS "xadd 64", c_arith, xadd rbx, rax
INS "xadd 64 r9 r8", c_arith, xadd r9, r8
INS "xadd 32", c_arith, xadd ebx, eax
INS "xadd 16", c_arith, xadd bx, ax
INS "xadd 8 dil sil", c_arith, xadd dil, sil
INS "xadd 64 mem", c_arith, xadd [mbuf + 8], rax
INS "lock xadd 32 mem", c_arith, lock xadd [mbuf + 8], eax
INS "lock add 64 mem", c_arith, lock add [mbuf], rbx
INS "cmpxchg 64", c_arith, cmpxchg rbx, rdx
INS "cmpxchg 64 r9 r10", c_arith, cmpxchg r9, r10
INS "cmpxchg 32", c_arith, cmpxchg ebx, edx
INS "cmpxchg 16", c_arith, cmpxchg bx, dx
INS "cmpxchg 8", c_arith, cmpxchg bl, dl
INS "cmpxchg 8 sil", c_arith, cmpxchg dil, sil
INS "cmpxchg 64 mem", c_arith, cmpxchg [mbuf + 8], rdx
INS "cmpxchg 32 mem", c_arith, cmpxchg [mbuf + 8], edx
INS "lock cmpxchg 64 mem", c_arith, lock cmpxchg [mbuf + 8], r10
STUB "cmpxchg8b", c_arith       ; m64 = d.lo:b.lo, equal when a.lo = b.lo
        mov r8d, ebx
        mov r9, r10
        shl r9, 32
        or r8, r9
        mov [mbuf + 16], r8
        cmp rax, rbx            ; flags: those of an arithmetic op
        cmpxchg8b [mbuf + 16]
ENDSTUB
STUB "cmpxchg16b", c_arith      ; m128 = d:b, equal when a = b
        mov [mbuf + 16], rbx
        mov [mbuf + 24], rdx
        sub r15, r14
        cmpxchg16b [mbuf + 16]
ENDSTUB
STUB "lock cmpxchg16b ne", c_arith
        lock cmpxchg16b [mbuf + 16]
ENDSTUB

;  addresses: LEA forms, RIP-relative and 32-bit address size (67h)
INS "lea b+i*4+d32", c_arith, lea rax, [rbx + rcx*4 + 0x12345678]
INS "lea 32 b+i*8-2^31", c_arith, lea eax, [rbx + rcx*8 - 0x80000000]
INS "lea 16", c_arith, lea ax, [rbx + rcx*2 + 0x1234]
INS "lea a32", c_arith, lea rax, [ebx + ecx*2 + 7]
INS "lea a32 32", c_arith, lea eax, [ebx + ecx - 1]
INS "lea a32 16", c_arith, lea ax, [ebx + ecx*8 + 0x7ffffff0]
INS "lea r12 r9", c_arith, lea rax, [r12 + r9]
INS "lea r13", c_arith, lea rax, [r13]
INS "lea r12", c_arith, lea rax, [r12]
INS "lea rbp r12*8", c_arith, lea rax, [rbp + r12*8]
INS "lea index only", c_arith, lea rax, [rcx*8 + 5]
INS "lea r15 r14 r15*2", c_arith, lea r15, [r14 + r15*2 - 1]
INS "lea r13 rsi disp8", c_arith, lea r11, [r13 + rsi - 0x80]
STUB "lea rip", c_arith
        lea rax, [.x]
.x:     mov rdx, .x
        FSUB rax, rdx, rdx
        mov edx, 0
ENDSTUB
STUB "lea rip disp", c_arith
        lea rax, [.x + 0x1234]
.x:     mov rdx, .x
        FSUB rax, rdx, rdx
        mov edx, 0
ENDSTUB
STUB "lea rip a32", c_arith
        a32 lea rax, [.x]
.x:     mov edx, .x
        FSUB rax, rdx, rdx
        mov edx, 0
ENDSTUB
INS "mov rip load", c_arith, mov rax, [qconst]
INS "mov rip load a32", c_arith, a32 mov rax, [qconst + 8]
INS "add rip load negative disp", c_arith, add rax, [qneg]
INS "and rip load negative disp", c_logic, and rbx, [qneg + 8]
INS "add rip load", c_arith, add rax, [qconst + 8]
INS "cmp rip mem imm8", c_arith, cmp qword [mbuf], -5
INS "add rip mem32 imm32", c_arith, add dword [mbuf + 4], 0x7fff1234
INS "test rip mem8 imm8", c_logic, test byte [mbuf + 3], 0x81
INS "mov rip mem imm32", c_arith, mov qword [mbuf + 8], 0x12345678
; RIP-relative with an immediate after the displacement: RIP is the end of
; the whole instruction
INS "mov rip mem16 imm16", c_arith, mov word [mbuf + 6], 0x8765
INS "test rip mem16 imm16", c_logic, test word [mbuf + 2], 0x8001
INS "imul rip mem16 imm16", c_mul, imul cx, [mbuf + 2], 0x1234
INS "shl rip mem64 imm8", c_sh64_6, shl qword [mbuf], 6
INS "shrd rip mem64 imm8", c_shd64_37, shrd [mbuf + 8], rdx, 37
INS "bts rip mem16 imm8", c_btu, bts word [mbuf + 4], 13
INS "mov fs: load", c_arith, mov rax, [fs:mbuf + 8]
INS "add gs: mem reg", c_arith, add [gs:mbuf], rbx
STUB "mov cs: store", c_arith   ; no write check on CS in 64-bit mode
        db 0x2e
        mov [mbuf + 8], rax
ENDSTUB
STUB "xor es: ss: load", c_logic
        db 0x26, 0x36, 0x48, 0x33, 0x05 ; xor rax, [es: ss: rel mbuf + 16]
        dd mbuf + 16 - ($ + 4)
ENDSTUB
STUB "mov a32 mem", c_logic
        mov edx, mbuf
        and ebx, 7
        mov rax, [edx + ebx*8]
        mov edx, 0
ENDSTUB
STUB "xlatb", c_arith
        lea rbx, [mbuf]
        xlatb
        REBASE rbx
ENDSTUB

;  stack
STUB "push pop 64", c_arith
        push rax
        push rbx
        pop rcx
        pop rdx
ENDSTUB
STUB "push pop r8 r15", c_arith
        push r8
        push r15
        pop r9
        pop r10
ENDSTUB
STUB "push pop 16", c_arith
        mov r8, rsp
        push ax
        push bx
        mov r9, r8
        FSUB r9, rsp, r10
        pop cx
        pop r11w
        mov r8d, 0
ENDSTUB
STUB "push imm", c_arith
        push -5
        push 0x7fffffff
        push -0x80000000
        push word 0x8001
        push word -3
        pop r8w
        pop cx
        pop rax
        pop rbx
        pop rdx
ENDSTUB
STUB "push pop mem", c_arith
        push qword [mbuf]
        pop qword [mbuf + 16]
        push qword [mbuf + 8]
        pop rax
        push word [mbuf + 24]
        pop word [mbuf + 32]
ENDSTUB
STUB "pop [rsp]", c_arith      ; the address is computed after the pop
        push rax
        push rbx
        pop qword [rsp]
        pop rcx
ENDSTUB
STUB "push [rsp]", c_arith
        push rax
        push qword [rsp]
        pop rcx
        pop rdx
ENDSTUB
STUB "pop [rsp+8] 16", c_arith
        push rax
        push rbx
        pop word [rsp + 8]
        pop rcx
        lea rsp, [rsp + 6]
ENDSTUB
STUB "push rsp", c_arith
        push rsp
        pop rax
        FSUB rax, rsp, rdx
ENDSTUB
STUB "pushfq", c_logic
        pushfq
        pop rcx
        and ecx, 0x8d5
ENDSTUB
STUB "popfq", c_arith
        mov rdx, rax
        and rdx, 0x8d5
        or rdx, 2
        push rdx
        popfq
ENDSTUB
STUB "pushf popf 16", c_logic
        mov dx, ax
        and dx, 0x8d5
        or dx, 2
        push dx
        popfw
        pushfw
        pop cx
        and ecx, 0x8d5
ENDSTUB
STUB "call ret", c_arith
        mov r8, rsp
        call .f
        mov r8d, 0
        ret
.f:     mov r9, r8
        FSUB r9, rsp, r10
        mov r10d, 0
ENDSTUB
STUB "call ret imm", c_arith
        mov r8, rsp
        push rax
        call .f
        FSUB r8, rsp, r9
        ret
.f:     ret 8
ENDSTUB
STUB "call reg", c_arith
        lea r10, [.f]
        call r10
        mov r10d, 0
        ret
.f:     mov r11, rax
        add r11, 3
ENDSTUB
STUB "call mem jmp mem", c_arith
        call [.p]
        jmp [.q]
.p:     dq .f
.q:     dq .e
.e:     inc rbx
        ret
.f:     add rax, rbx
ENDSTUB
STUB "enter leave", c_arith
        mov r8, rsp
        enter 32, 0
        mov r9, r8
        FSUB r9, rsp, r11
        mov r10, rbp
        FSUB r10, rsp, r11
        mov r11d, 0
        leave
        mov r8d, 0
ENDSTUB

;  string instructions (the count masking keeps the input flags)
%macro SETCNT 1
        pushfq
        and ecx, %1
        popfq
%endmacro
STUB "rep movsq", c_arith
        lea rsi, [mbuf]
        lea rdi, [mbuf + 32]
        SETCNT 3
        rep movsq
        REBASE rsi, rdi
ENDSTUB
STUB "rep movsq df", c_arith
        lea rsi, [mbuf + 24]
        lea rdi, [mbuf + 56]
        SETCNT 3
        std
        rep movsq
        cld
        REBASE rsi, rdi
ENDSTUB
STUB "rep movsb", c_arith
        lea rsi, [mbuf + 3]
        lea rdi, [mbuf + 33]
        SETCNT 15
        rep movsb
        REBASE rsi, rdi
ENDSTUB
STUB "movsd movsw", c_arith
        lea rsi, [mbuf + 4]
        lea rdi, [mbuf + 41]
        movsd
        movsw
        REBASE rsi, rdi
ENDSTUB
STUB "rep stosq", c_arith
        lea rdi, [mbuf + 8]
        SETCNT 7
        rep stosq
        REBASE rdi
ENDSTUB
STUB "rex f3 stosq (rex ignored)", c_arith
        lea rdi, [mbuf + 4]
        SETCNT 15
        db 0x48, 0xf3, 0xab     ; REX is not last: rep stosd
        REBASE rdi
ENDSTUB
STUB "movsq a32", c_arith
        lea rsi, [mbuf]
        lea rdi, [mbuf + 32]
        a32 movsq
        REBASE rsi, rdi
ENDSTUB
STUB "rep stosd", c_arith
        lea rdi, [mbuf + 4]
        SETCNT 15
        rep stosd
        REBASE rdi
ENDSTUB
STUB "rep stosw a32", c_arith   ; ECX and EDI; the upper halves set
        mov rdi, 0xffff000100000000
        lea rdx, [mbuf]
        or rdi, rdx
        mov r8, 0x8000000500000000
        SETCNT 15
        or rcx, r8
        a32 rep stosw
        REBASE rdi
        mov edx, 0
ENDSTUB
STUB "lodsq lodsb", c_arith
        lea rsi, [mbuf + 8]
        lodsq
        lodsb
        REBASE rsi
ENDSTUB
STUB "lodsd", c_arith
        lea rsi, [mbuf + 4]
        lodsd
        REBASE rsi
ENDSTUB
STUB "lodsw df", c_arith
        lea rsi, [mbuf + 4]
        std
        lodsw
        cld
        REBASE rsi
ENDSTUB
STUB "repne scasq", c_arith
        lea rdi, [mbuf + 8]
        SETCNT 3
        add ecx, 4
        repne scasq
        REBASE rdi
ENDSTUB
STUB "repe scasb", c_arith
        lea rdi, [mbuf]
        SETCNT 15
        repe scasb
        REBASE rdi
ENDSTUB
STUB "repe scasd", c_arith
        lea rdi, [mbuf + 32]
        SETCNT 7
        repe scasd
        REBASE rdi
ENDSTUB
STUB "repe cmpsq", c_arith
        lea rsi, [mbuf]
        lea rdi, [mbuf + 32]
        SETCNT 3
        repe cmpsq
        REBASE rsi, rdi
ENDSTUB
STUB "repne cmpsd", c_arith
        lea rsi, [mbuf]
        lea rdi, [mbuf + 32]
        SETCNT 7
        repne cmpsd
        REBASE rsi, rdi
ENDSTUB
STUB "repe cmpsb df", c_arith
        lea rsi, [mbuf + 15]
        lea rdi, [mbuf + 47]
        SETCNT 15
        std
        repe cmpsb
        cld
        REBASE rsi, rdi
ENDSTUB
STUB "cmpsq", c_arith
        lea rsi, [mbuf + 8]
        lea rdi, [mbuf + 40]
        cmpsq
        REBASE rsi, rdi
ENDSTUB

;  flags: lahf/sahf, loops and sequences (lazy flag evaluation)
INS "sahf", c_arith, sahf
INS "lahf", c_arith, lahf
STUB "seq cmp;lahf", c_arith
        cmp rax, rbx
        lahf
ENDSTUB
STUB "seq add;sahf", c_arith
        add rax, rbx
        sahf
ENDSTUB
STUB "seq add;inc;adc", c_arith
        add rax, rbx
        inc rcx
        adc rdx, 0
ENDSTUB
STUB "seq sub;dec;sbb", c_arith
        sub rax, rbx
        dec r9
        sbb rdx, rdx
ENDSTUB
STUB "seq add32;adc64", c_arith
        add eax, ebx
        adc rdx, rcx
ENDSTUB
STUB "seq shl;inc;adc", c_arith
        shl rax, cl
        inc rdx
        adc rcx, 0
ENDSTUB
STUB "seq sub;rol cl", c_rot64
        sub rax, rbx
        rol rdx, cl
ENDSTUB
STUB "seq neg;rcl 1", c_arith
        neg rax
        rcl rdx, 1
ENDSTUB
STUB "seq imul;seto;setc", c_mul
        imul rax, rbx
        seto cl
        setc ch
ENDSTUB
STUB "seq bt;adc", c_arith
        bt rax, rbx
        adc rcx, 0
ENDSTUB
STUB "seq xor;setz;sets", c_logic
        xor rax, rbx
        setz cl
        sets ch
ENDSTUB
STUB "seq test;cmovs;cmovp", c_logic
        test rax, rbx
        cmovs rcx, rdx
        cmovp rbx, rax
ENDSTUB
STUB "seq cmc;stc;clc", c_arith
        cmc
        setc cl
        stc
        adc ch, 0
        clc
        setc dl
ENDSTUB
; lazy flags of one operand size read after an op of another
STUB "seq sub8;sbb64", c_arith
        sub al, bl
        sbb rcx, rdx
ENDSTUB
STUB "seq add64;jo;jc", c_arith
        add rax, rbx
        mov ecx, 0
        jno .a
        or ecx, 1
.a:     jnc .b
        lea ecx, [rcx + 2]
.b:
ENDSTUB
STUB "seq inc64;setc;seto", c_arith
        inc rax
        setc cl
        seto ch
ENDSTUB
STUB "seq neg32;sets;setl", c_arith
        neg eax
        sets cl
        setl dl
ENDSTUB
STUB "seq sub64;setbe;setg;setp", c_arith
        sub rax, rbx
        setbe cl
        setg dl
        setp r8b
ENDSTUB
STUB "seq shr64 cl;jc", c_arith
        shr rax, cl
        mov edx, 0
        jnc .t
        mov edx, 1
.t:     add rcx, rdx
ENDSTUB
STUB "seq imul32;seto", c_mul
        imul eax, ebx
        seto cl
ENDSTUB
STUB "seq dec16;adc64", c_arith
        dec bx
        adc rax, rbx
ENDSTUB
STUB "seq xadd64;cmovo;cmovs", c_arith
        xadd rax, rbx
        cmovo rcx, rdx
        cmovs r8, rax
ENDSTUB
STUB "seq cmp64;lahf;sahf;adc", c_arith
        cmp rax, rbx
        lahf
        xor ah, 1               ; flip CF in AH
        sahf
        adc rcx, rdx
ENDSTUB
STUB "loop", c_arith
        SETCNT 7
        inc ecx
        mov edx, 0
.l:     add rdx, rax
        loop .l
ENDSTUB
STUB "loop a32", c_arith        ; ECX counts; RCX's upper half set
        SETCNT 7
        inc ecx
        mov r8, 0xffffffff00000000
        or rcx, r8
        mov edx, 0
.l:     add rdx, rax
        a32 loop .l
ENDSTUB
STUB "loopz", c_arith
        SETCNT 15
        inc ecx
.l:     add rax, rbx
        cmp rax, rbx
        loopz .l
ENDSTUB
STUB "loopnz", c_arith
        SETCNT 15
        inc ecx
.l:     shr rax, 1
        cmp rax, 3
        loopnz .l
ENDSTUB
STUB "jrcxz", c_arith
        jrcxz .t
        mov edx, 7
.t:
ENDSTUB
STUB "jecxz", c_arith
        jecxz .t
        mov edx, 7
.t:
ENDSTUB

; the table: stub, name, class
align 8
ins_table:
%assign i 1
%rep n_ins
        dq ins_%[i], ins_name_%[i], ins_class_%[i]
%assign i i + 1
%endrep
        dq 0, 0, 0

qconst: dq 0x0123456789abcdef, 0xfedcba9876543210
values:
        dq 0, 1, 2, 7, 31, 32, 33, 63, 64, 65
        dq 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff
        dq 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000
        dq 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001
        dq 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffff00000000
        dq 0x123456789abcdef0, 0xfedcba9876543210
unary_b:                        ; b of the unary instructions
        dq 0xdeadbeef0badf00d
        dq 0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0x00000001ffff8001
N_VALUES equ ($ - values) / 8
UNARY_J equ (unary_b - values) / 8
fvalues:                        ; input RFLAGS
        dq 0x002, 0x8d7, 0x003, 0x012
N_FVALUES equ ($ - fvalues) / 8

; oracle_run: every instruction; entered with jmp, leaves to oracle_done
; (so that no return address on the stack can be lost to a broken stub)
oracle_run:
        lea rax, [ins_table]
        mov [cur_ins], rax
        mov qword [cur_idx], 0
.ins:   mov [ins_rsp], rsp
        mov rsi, [cur_ins]
        cmp qword [rsi], 0
        je .done
        inc qword [cur_idx]
%ifdef ONLY                     ; -DONLY=n: instruction n (1-based) alone
        cmp qword [cur_idx], ONLY
        jne .next
%endif
        mov rax, [rsi]
        mov [cur_stub], rax
        mov rbx, [rsi + 16]
        mov rax, [rbx]
        mov [cur_kind], rax
        mov rax, [rbx + 8]
        mov [cur_size], rax
        mov rax, [rbx + 16]
        mov [cur_mask], rax
        mov rax, [rbx + 24]
        mov [cur_cnt], rax
        mov rax, 0xcbf29ce484222325
        mov [hash], rax
        mov qword [vi], 0
.li:    xor eax, eax
        test qword [cur_kind], K_UNARY
        jz .j0
        mov eax, UNARY_J
.j0:    mov [vj], rax
.lj:    mov qword [vf], 0
.lf:    call run_case
        inc qword [vf]
        cmp qword [vf], N_FVALUES
        jb .lf
        test qword [cur_kind], K_UNARY
        jnz .nj
        inc qword [vj]
        cmp qword [vj], N_VALUES
        jb .lj
.nj:    inc qword [vi]
        cmp qword [vi], N_VALUES
        jb .li
%ifndef VERBOSE
        mov rsi, [cur_ins]
        mov rsi, [rsi + 8]
        call out_str
        mov al, ' '
        call out_char
        mov rax, [hash]
        call out_hex
        mov al, 10
        call out_char
%endif
.next:  add qword [cur_ins], 24
        jmp .ins
.done:  jmp oracle_done

; one case: inputs from vi vj vf
run_case:
        lea rsi, [values]
        mov rax, [vi]
        mov rax, [rsi + rax * 8]
        mov [in_a], rax
        mov rbx, [vj]
        mov rbx, [rsi + rbx * 8]
        mov [in_b], rbx
        lea rsi, [fvalues]
        mov rcx, [vf]
        mov rcx, [rsi + rcx * 8]
        mov [in_f], rcx
        rol rax, 32
        xor rax, rbx
        mov [in_d], rax
        mov rax, [cur_kind]
        and eax, 0xff
        cmp eax, K_DIV
        je .div
        cmp eax, K_IDIV
        je .idiv
        jmp .run
        ; div: high half = (rol(a,16) & m) mod divisor, so no overflow
.div:   call size_mask          ; RDX = mask
        mov rcx, [in_b]
        and rcx, rdx
        jz .skip
        mov r8, rdx
        mov rax, [in_a]
        rol rax, 16
        and rax, rdx
        xor edx, edx
        div rcx
        cmp qword [cur_size], 8
        jne .div1
        mov rax, [in_a]         ; AH
        and rax, -0xff01
        shl rdx, 8
        or rax, rdx
        mov [in_a], rax
        jmp .run
.div1:  mov rax, [in_d]         ; the part of RDX the size uses
        not r8
        and rax, r8
        or rax, rdx
        mov [in_d], rax
        jmp .run
        ; idiv: sign extension of the low part (skipping min / -1), or for
        ; 64 bits b * (a sar 2) + (d mod |b|), whose quotient always fits
.idiv:  call size_mask
        mov rcx, [in_b]
        and rcx, rdx
        jz .skip
        cmp qword [cur_size], 64
        je .idiv64
        cmp rcx, rdx            ; divisor -1 and dividend minimum overflows
        jne .idiv1
        mov rax, [in_a]
        and rax, rdx
        shr rdx, 1
        inc rdx                 ; sign bit alone
        cmp rax, rdx
        je .skip
.idiv1: mov rax, [in_a]
        mov rdx, [cur_size]
        cmp edx, 8
        jne .idiv16
        movsx ax, al
        mov [in_a], rax
        jmp .run
.idiv16:
        mov rdx, [in_d]
        cmp qword [cur_size], 16
        jne .idiv32
        cwd
        mov [in_d], rdx
        jmp .run
.idiv32:
        mov r8, rdx
        cdq
        shr r8, 32
        shl r8, 32
        or rdx, r8
        mov [in_d], rdx
        jmp .run
.idiv64:
        mov rax, [in_a]
        sar rax, 2
        imul rcx
        mov r8, rax
        mov r9, rdx
        mov r10, rcx
        test r10, r10
        jns .pos
        neg r10
.pos:   mov rax, [in_d]
        xor edx, edx
        div r10
        add r8, rdx
        adc r9, 0
        mov [in_a], r8
        mov [in_d], r9
        jmp .run
.skip:  ret

.run:   mov rax, [in_a]
        mov rbx, [in_b]
        mov rdx, [in_d]
        lea rdi, [mbuf]
        mov [rdi], rax
        mov [rdi + 8], rbx
        mov [rdi + 16], rdx
        mov rcx, rax
        not rcx
        mov [rdi + 24], rcx
        mov [rdi + 32], rax
        mov rcx, rbx
        mov cl, 0
        mov [rdi + 40], rcx
        mov rcx, rdx
        xor rcx, rax
        mov [rdi + 48], rcx
        mov rcx, rax
        add rcx, rbx
        mov [rdi + 56], rcx
        mov rcx, rbx
        mov rsi, rax
        not rsi
        mov rdi, rbx
        not rdi
        mov rbp, rdx
        rol rbp, 8
        mov r8, rax
        mov r9, rbx
        mov r10, rdx
        mov r11, rbx
        rol r11, 32
        add r11, rax
        mov r12, rax
        rol r12, 8
        mov r13, rbx
        rol r13, 16
        xor r13, rax
        mov r14, rax
        add r14, rbx
        mov r15, rax
        sub r15, rbx
        push qword [in_f]
        popfq
        call [cur_stub]
        pushfq
        mov [r_rax], rax
        mov [r_rbx], rbx
        mov [r_rcx], rcx
        mov [r_rdx], rdx
        mov [r_rsi], rsi
        mov [r_rdi], rdi
        mov [r_rbp], rbp
        mov [r_r8], r8
        mov [r_r9], r9
        mov [r_r10], r10
        mov [r_r11], r11
        mov [r_r12], r12
        mov [r_r13], r13
        mov [r_r14], r14
        mov [r_r15], r15
        pop rax
        mov [r_fl], rax
        push qword 0x002
        popfq
        cld
        mov rax, [mbuf]         ; the memory buffer, folded into one qword
%assign k 1
%rep 7
        rol rax, 7
        xor rax, [mbuf + k * 8]
%assign k k + 1
%endrep
        mov [r_mem], rax
        call case_mask          ; RAX = flag mask, may clear results
        and [r_fl], rax
        mov rdx, [hash]         ; fold the case into the hash
        mov r8, 0x9e3779b97f4a7c15
%assign k 0
%rep N_FIELDS
        rol rdx, 5
        xor rdx, [in_a + k * 8]
        add rdx, r8
%assign k k + 1
%endrep
        mov [hash], rdx
%ifdef VERBOSE
        mov rsi, [cur_ins]
        mov rsi, [rsi + 8]
        call out_str
        lea rbx, [in_a]
        mov ecx, N_FIELDS
.v:     mov al, ' '
        call out_char
        mov rax, [rbx]
        call out_hex
        add rbx, 8
        dec ecx
        jnz .v
        mov al, 10
        call out_char
%endif
        ret

; RDX = all-ones mask of the operand size
size_mask:
        mov edx, 0xff
        cmp qword [cur_size], 8
        je .r
        mov edx, 0xffff
        cmp qword [cur_size], 16
        je .r
        mov edx, 0xffffffff
        cmp qword [cur_size], 32
        je .r
        mov rdx, -1
.r:     ret

; RAX = defined-flags mask of the current case; clears undefined results.
case_mask:
        mov rcx, [cur_cnt]      ; count: fixed, or b & 31 (b & 63 for 64 bits)
        cmp rcx, -1
        jne .c
        mov rcx, [in_b]
        and ecx, 63
        cmp qword [cur_size], 64
        je .c
        and ecx, 31
.c:     mov rdx, [cur_kind]
        and edx, 0xff
        mov rax, [cur_mask]
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
        cmp rcx, [cur_size]
        jae .of
        or eax, 0x001
        jmp .of
.shd:   cmp rcx, [cur_size]
        jbe .shd1
        xor eax, eax            ; count > size: result and flags undefined
        mov [r_rax], rax
        mov [r_mem], rax
        ret
.shd1:  mov eax, 0x0c5
.of:    cmp ecx, 1
        jne .r
        or eax, 0x800
.r:     ret
.bsf:   call size_mask
        test [in_b], rdx
        jnz .r
        mov qword [r_rax], 0    ; source 0: destination undefined
        ret

out_str:
        push rax
        push rsi
.l:     lodsb
        test al, al
        jz .e
        call out_char
        jmp .l
.e:     pop rsi
        pop rax
        ret

out_hex:                        ; RAX, 16 digits
        push rcx
        push rax
        mov ecx, 16
.l:     rol rax, 4
        push rax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .d
        add al, 'a' - '0' - 10
.d:     call out_char
        pop rax
        dec ecx
        jnz .l
        pop rax
        pop rcx
        ret

; variables in a page of their own: writes next to code would look like
; self-modifying code to a translating CPU and slow it down a lot
align 4096
mbuf:     times 8 dq 0          ; 16-aligned (cmpxchg16b)
in_a:     dq 0                  ; in_a .. r_mem: the folded fields, in order
in_b:     dq 0
in_f:     dq 0
in_d:     dq 0
r_rax:    dq 0
r_rbx:    dq 0
r_rcx:    dq 0
r_rdx:    dq 0
r_rsi:    dq 0
r_rdi:    dq 0
r_rbp:    dq 0
r_r8:     dq 0
r_r9:     dq 0
r_r10:    dq 0
r_r11:    dq 0
r_r12:    dq 0
r_r13:    dq 0
r_r14:    dq 0
r_r15:    dq 0
r_fl:     dq 0
r_mem:    dq 0
        times N_FIELDS * 8 - ($ - in_a) db 0    ; (fails if a field is added)
cur_ins:  dq 0
cur_idx:  dq 0
cur_stub: dq 0
cur_kind: dq 0
cur_size: dq 0
cur_mask: dq 0
cur_cnt:  dq 0
vi:       dq 0
vj:       dq 0
vf:       dq 0
hash:     dq 0
ins_rsp:  dq 0
spl_save: dq 0
fault_rip: dq 0
%ifdef HOST
out_len:  dq 0
out_buf:  times 4096 db 0
%endif

%ifndef HOST
LIB_END
%endif
