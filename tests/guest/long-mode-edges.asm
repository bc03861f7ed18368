; tests/guest/long-mode-edges.asm - IA-32e corner cases a review found wrong
; in pcvm (each prints "name=value"; long-mode-edges.sh compares with what the
; SDM specifies, which is also what QEMU and hardware do):
;  A  4-level paging: PTE bits 62:52 are ignored, not reserved (SDM vol. 3, 4.5.4)
;  B  IRETD in compatibility mode at the same privilege pops no SS:ESP
;  C  CS.base is ignored in 64-bit mode (SDM vol. 3, 3.4.4)
;  D  MOV CR8 is the local APIC's TPR[7:4] (SDM vol. 3, 10.8.6.1)
;  E  REX.R does not extend a ModRM.reg that is an opcode extension (/digit)
; An unexpected exception prints "  exception_vector=..." and the test goes on.
%include "lib64.inc"

PD_HI4G  equ 0x30000
SEL_CB   equ SEL_SPARE1        ; 64-bit code with base 0x100000

%macro SHOW 2                  ; label string, qword mem
        lea rsi, [rel %%s]
        call puts64
        mov rax, [abs %2]
        call puthex64
        mov al, 10
        call putc64
        jmp %%e
%%s:    db %1, "=", 0
%%e:
%endmacro

bits 64
lm_main:
        lea rax, [rel recover]
        mov [rel lib64_recover], rax
        mov dword [lib_gdt + SEL_CB], 0x0000FFFF
        mov dword [lib_gdt + SEL_CB + 4], 0x00AF9A10

; ---- A: 4-level paging, PTE bits 62:52 are ignored (not reserved) ----
        lea rax, [rel tB]
        mov [rel next], rax
        mov qword [abs resA], 0xAAAA
        mov rax, [LIB64_PD + 4 * 8]
        bts rax, 52
        bts rax, 62
        mov [LIB64_PD + 4 * 8], rax
        mov rax, cr3
        mov cr3, rax
        mov rax, [0x800000]
        mov qword [abs resA], 1
        jmp tB

; ---- B: IRETD in compatibility mode, same privilege: no SS:ESP pop ----
tB:     SHOW "A_pte_bit52_62_ignored", resA
        lea rax, [rel tC]
        mov [rel next], rax
        mov qword [abs resB], 0xBBBB
        push qword SEL_CODE32
        lea rax, [rel compatB]
        push rax
        o64 retf
bits 32
compatB:
        mov [saveB], esp
        pushfd
        push cs
        push dword .after
        iretd
.after: mov eax, esp
        sub eax, [saveB]
        mov [resB], eax
        mov dword [resB + 4], 0
        jmp SEL_CODE64:tC
bits 64

; ---- C: CS.base is ignored in 64-bit mode ----
tC:     SHOW "B_compat_iretd_esp_delta", resB
        lea rax, [rel tD]
        mov [rel next], rax
        mov qword [abs resC], 0xCCCC
        mov rdi, labelC + 0x100000
        mov ecx, 8
        mov ax, 0x0b0f
        rep stosw
        mov dword [farC], labelC
        mov word [farC + 4], SEL_CB
        jmp far dword [farC]
labelC: mov qword [abs resC], 1
        push qword SEL_CODE64
        lea rax, [rel tD]
        push rax
        o64 retf

; ---- D: MOV CR8 <-> local APIC TPR ----
tD:     SHOW "C_cs_base_ignored", resC
        lea rax, [rel tE]
        mov [rel next], rax
        mov qword [abs resD1], 0xDDDD
        mov qword [abs resD2], 0xDDDD
        mov dword [LIB64_PDPT + 3 * 8], PD_HI4G | 3
        mov rdi, PD_HI4G
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PD_HI4G + 0x1f7 * 8], 0xFEE00000 | 0x9b     ; P RW PWT PCD PS
        mov rax, cr3
        mov cr3, rax
        mov ebx, 0xFEE00080
        mov eax, 0xb
        mov cr8, rax
        mov eax, [rbx]
        mov [abs resD1], rax
        mov dword [rbx], 0x50
        mov rax, cr8
        mov [abs resD2], rax
        xor eax, eax
        mov cr8, rax
        mov dword [rbx], 0
        jmp tE

tE:     SHOW "D_tpr_after_cr8_0xb", resD1
        SHOW "D_cr8_after_tpr_0x50", resD2
        lea rax, [rel tF]
        mov [rel next], rax
        mov rax, 0x100
        db 0x4c, 0x81, 0xc0            ; add rax, 0x10 with a (meaningless) REX.R
        dd 0x10
        mov [abs resE1], rax
        mov rax, 0x100
        db 0x4c, 0x83, 0xe8, 0x01      ; sub rax, 1 with REX.R (83 /5)
        mov [abs resE2], rax
        mov ecx, 0x100
        db 0x44, 0xf7, 0xc1            ; test ecx, imm32 with REX.R
        dd 0x100
        setnz al
        movzx eax, al
        mov [abs resE3], rax
tF:     SHOW "E_rexr_81_add", resE1
        SHOW "E_rexr_83_sub", resE2
        SHOW "E_rexr_f7_test", resE3
        mov al, LIB_PASS_CODE
        jmp lm_exit

recover:
        mov rsp, PM_STACK
        mov [abs excv], rdi
        mov [abs excrip], rsi
        SHOW "  exception_vector", excv
        SHOW "  exception_rip", excrip
        jmp [rel next]

align 8
next:   dq 0
resA:   dq 0
resB:   dq 0
saveB:  dq 0
resC:   dq 0
resD1:  dq 0
resD2:  dq 0
excv:   dq 0
resE1:  dq 0
resE2:  dq 0
resE3:  dq 0
excrip: dq 0
farC:   dq 0, 0

LIB_END
