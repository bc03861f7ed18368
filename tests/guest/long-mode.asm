; tests/guest/long-mode.asm - IA-32e (long) mode (Intel SDM vol. 3, 2.5, 4.5,
; 5.8.8, 6.14, 9.8.5; AMD APM vol. 2, 14.6): from 32-bit protected mode, build
; 4-level page tables, set CR4.PAE, EFER.LME/SCE/NXE and CR0.PG (LMA), far-jump
; to a 64-bit code segment, then check REX registers r8-r15 and 64-bit
; arithmetic, zero extension of 32-bit results, MOVSXD, RIP-relative loads and
; LEA, push/pop, call/ret, a 4-level mapping of a high canonical address, an
; interrupt through a 64-bit IDT gate on an IST stack with IRETQ, #UD for an
; opcode invalid in 64-bit mode, #PF with its error code and CR2,
; SYSRET to ring 3 and SYSCALL back (STAR/LSTAR/FMASK), then a far return to a
; 32-bit (compatibility mode) segment, where an interrupt goes through the
; same 64-bit IDT and the results are reported with the 32-bit CHECK macros.
; Without CPUID.80000001h:EDX.LM the guest prints "SKIP" and passes.

%include "lib.inc"

PML4    equ 0x20000
PDPT    equ 0x21000             ; PML4[0]: linear 0-512 GB
PD      equ 0x22000             ;   PDPT[0]: 0-1 GB
PT      equ 0x23000             ;     PD[0]: 4K pages 0-2 MB; PD[1]: 2 MB page
PDPT_HI equ 0x24000             ; PML4[256]: 0xFFFF800000000000
PD_HI   equ 0x25000             ;   -> 2 MB page at physical 0x200000
IDT64   equ 0x5000              ; 256 * 16 bytes
IST1_TOP equ 0x70000
USTACK  equ 0x60000
HIBUF   equ 0x200000            ; physical, identity mapped and at HI_LIN
HI_LIN  equ 0xFFFF800000000000
PF_ADDR equ 0x400123            ; PD[2] not present

SEL_KCODE64 equ 0x48
SEL_KDATA   equ 0x50
SEL_UBASE   equ 0x58            ; STAR[63:48]: user code32 0x58, data 0x60, code64 0x68
SEL_UDATA64 equ 0x60
SEL_UCODE64 equ 0x68

MSR_EFER  equ 0xC0000080
MSR_STAR  equ 0xC0000081
MSR_LSTAR equ 0xC0000082
MSR_FMASK equ 0xC0000084

%define LO(x) ((x) & 0xFFFFFFFF)
%define HI(x) (((x) >> 32) & 0xFFFFFFFF)

; CHECK64 name, qword memory, expected: two dword checks (low, high)
%macro CHECK64 3
%strcat LM_LO %1, " lo"
%strcat LM_HI %1, " hi"
        CHECK LM_LO, dword [%2], LO(%3)
        CHECK LM_HI, dword [%2 + 4], HI(%3)
%endmacro

bits 32
pm_main:
        mov eax, 0x80000000
        cpuid
        cmp eax, 0x80000001
        jb .nolm
        mov eax, 0x80000001
        cpuid
        bt edx, 29
        jc .havelm
.nolm:  PRINT "SKIP no long mode in CPUID"
        call newline
        mov al, LIB_PASS_CODE
        out DEBUG_EXIT, al
        cli
.h:     hlt
        jmp .h

.havelm:
        PRINT "long-mode: entering IA-32e mode"
        call newline
        ; GDT: 64-bit and ring-3 segments, 16-byte TSS descriptor at 0x38
        mov esi, lm_gdt_add
        mov edi, lib_gdt + 0x38
        mov ecx, (lm_gdt_add_end - lm_gdt_add) / 4
        rep movsd
        ; 64-bit TSS: RSP0, IST1, I/O map beyond the limit
        mov edi, LIB_TSS
        xor eax, eax
        mov ecx, 104 / 4
        rep stosd
        mov dword [LIB_TSS + 4], PM_STACK
        mov dword [LIB_TSS + 0x24], IST1_TOP
        mov word [LIB_TSS + 0x66], 104
        ; page tables
        mov edi, PML4
        xor eax, eax
        mov ecx, 6 * 4096 / 4
        rep stosd
        mov dword [PML4], PDPT | 7
        mov dword [PML4 + 256 * 8], PDPT_HI | 7
        mov dword [PDPT], PD | 7
        mov dword [PDPT_HI], PD_HI | 7
        mov dword [PD], PT | 7
        mov dword [PD + 8], HIBUF | 0x87            ; 2 MB page, identity
        mov dword [PD_HI], HIBUF | 0x87             ; same page, high half
        mov edi, PT
        mov eax, 7
        mov ecx, 512
.pt:    mov [edi], eax
        add eax, 0x1000
        add edi, 8
        dec ecx
        jnz .pt
        ; marker in the shared 2 MB page (written before paging)
        mov dword [HIBUF], 0x89abcdef
        mov dword [HIBUF + 4], 0x01234567
        ; 64-bit IDT: every vector unexpected, then the ones under test
        xor eax, eax
.idt:   mov ebx, [unexp_table + eax * 4]
        mov cx, 0x008E
        call set_gate64
        inc eax
        cmp eax, 32
        jb .idt
.idt2:  mov ebx, unexp_other
        call set_gate64
        inc eax
        cmp eax, 256
        jb .idt2
        mov eax, 6
        mov ebx, ud_handler
        mov cx, 0x008E
        call set_gate64
        mov eax, 14
        mov ebx, pf_handler
        call set_gate64
        mov eax, 0x40
        mov ebx, int40_handler
        mov cx, 0x018E                          ; IST1
        call set_gate64
        ; enable long mode
        mov eax, cr4
        or eax, 0x20                            ; PAE
        mov cr4, eax
        mov eax, PML4
        mov cr3, eax
        mov ecx, MSR_EFER
        rdmsr
        or eax, 0x901                           ; NXE LME SCE
        wrmsr
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax                            ; LMA=1, compatibility mode
        jmp SEL_KCODE64:lm64

; set_gate64: EAX=vector, EBX=handler (below 4 GB), CL=type/attr, CH=IST
set_gate64:
        push edi
        push ebx
        mov edi, eax
        shl edi, 4
        add edi, IDT64
        mov [edi], bx
        mov word [edi + 2], SEL_KCODE64
        mov [edi + 4], ch
        mov [edi + 5], cl
        shr ebx, 16
        mov [edi + 6], bx
        mov dword [edi + 8], 0
        mov dword [edi + 12], 0
        pop ebx
        pop edi
        ret

align 8
lm_gdt_add:
        dq 0x0000890018000067       ; 0x38 64-bit TSS at LIB_TSS, limit 0x67
        dq 0                        ; 0x40 its upper half (base 63:32)
        dq 0x00AF9A000000FFFF       ; 0x48 code64 ring 0
        dq 0x00CF92000000FFFF       ; 0x50 data ring 0
        dq 0x00CFFA000000FFFF       ; 0x58 code32 ring 3
        dq 0x00CFF2000000FFFF       ; 0x60 data ring 3
        dq 0x00AFFA000000FFFF       ; 0x68 code64 ring 3
lm_gdt_add_end:

idtr64: dw 256 * 16 - 1
        dq IDT64

align 8
res_add:        dq 0
res_shl:        dq 0
res_zext:       dq 0
res_movsxd:     dq 0
res_imul:       dq 0
res_riprel:     dq 0
res_lea:        dq 0
res_pushpop:    dq 0
res_pushdelta:  dq 0
res_callret:    dq 0
res_hi:         dq 0
res_int_rsp:    dq 0
res_int_cs:     dq 0
res_int_rip:    dq 0
res_int_count:  dq 0
res_int_ss:     dq 0
res_ud:         dq 0
res_pf_err:     dq 0
res_pf_cr2:     dq 0
res_user_cs:    dq 0
res_sys_cs:     dq 0
res_sys_ss:     dq 0
res_sys_rcx:    dq 0
res_sys_r11:    dq 0
res_sys_flags:  dq 0
res_rex_byte:   dq 0
resume:         dq 0
kstack:         dq 0
qval:           dq 0xCAFEBABEDEADBEEF

bits 64
lm64:
        mov esp, PM_STACK
        lidt [idtr64]
        mov ax, SEL_TSS
        ltr ax
        ; arithmetic with REX registers
        mov r8, 0x123456789abcdef0
        mov r9, 0x1111111111111111
        add r8, r9
        mov [res_add], r8
        shl r9, 4
        mov [res_shl], r9
        mov r15, -1
        mov r15d, 0x80000000                    ; 32-bit writes zero-extend
        mov [res_zext], r15
        mov eax, 0x80000000
        movsxd r11, eax
        mov [res_movsxd], r11
        mov r12, 0x100000001
        mov r13, 0x300000003
        imul r12, r13
        mov [res_imul], r12
        mov r14, 0x1122334455667788
        mov sil, r14b                           ; REX byte register
        mov byte [res_rex_byte], sil
        ; RIP-relative
        mov rax, [rel qval]
        mov [rel res_riprel], rax
        lea rbx, [rel qval]
        mov [res_lea], rbx
        ; push/pop are 8 bytes
        mov r12, 0x0102030405060708
        push r12
        pop r13
        mov [res_pushpop], r13
        mov rax, rsp
        push rax
        sub rax, rsp
        mov [res_pushdelta], rax
        pop rax
        call func64
.after_call:
        lea rbx, [rel .after_call]
        sub rax, rbx                            ; 0 when call pushed the full RIP
        mov [res_callret], rax
        ; high canonical address through PML4[256]
        mov rax, HI_LIN
        mov rdx, [rax]
        mov [res_hi], rdx
        ; interrupt through a 64-bit gate on IST1
        int 0x40
        ; #UD: PUSH ES is invalid in 64-bit mode
        lea rax, [rel .ud_done]
        mov [resume], rax
        db 0x06
.ud_done:
        ; #PF: supervisor write to a not-present page
        lea rax, [rel .pf_done]
        mov [resume], rax
        mov byte [PF_ADDR], 1
.pf_done:
        ; SYSRET to ring 3, SYSCALL back
        mov ecx, MSR_STAR
        xor eax, eax
        mov edx, (SEL_UBASE << 16) | SEL_KCODE64
        wrmsr
        mov ecx, MSR_LSTAR
        mov eax, syscall_entry
        xor edx, edx
        wrmsr
        mov ecx, MSR_FMASK
        mov eax, F_CF | F_DF
        xor edx, edx
        wrmsr
        mov [kstack], rsp
        lea rcx, [rel user64]
        mov r11d, 0x2 | F_CF                    ; user RFLAGS: CF set, IF clear
        mov esp, USTACK
        o64 sysret

user64:                                         ; ring 3, 64-bit
        mov ax, cs
        mov [res_user_cs], ax
        syscall
.back:

syscall_entry:                                  ; ring 0 again, user RSP
        mov [res_sys_rcx], rcx
        mov [res_sys_r11], r11
        mov ax, cs
        mov [res_sys_cs], ax
        mov ax, ss
        mov [res_sys_ss], ax
        pushfq
        pop rax
        mov [res_sys_flags], rax
        mov rsp, [kstack]
        ; far return to a 32-bit code segment: compatibility mode
        push qword SEL_CODE32
        lea rax, [rel compat]
        push rax
        o64 retf

func64:
        mov rax, [rsp]
        ret

int40_handler:
        mov [res_int_rsp], rsp
        mov rax, [rsp]
        mov [res_int_rip], rax
        mov rax, [rsp + 8]
        mov [res_int_cs], rax
        mov rax, [rsp + 32]
        mov [res_int_ss], rax
        inc qword [res_int_count]
        iretq

ud_handler:
        mov qword [res_ud], 6
        mov rax, [resume]
        mov [rsp], rax
        iretq

pf_handler:
        pop rax
        mov [res_pf_err], rax
        mov rax, cr2
        mov [res_pf_cr2], rax
        mov rax, [resume]
        mov [rsp], rax
        iretq

; unexpected exceptions in long mode: print the vector and RIP, exit 69
%assign v 0
%rep 32
unexp_ %+ v:
%if v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21
        add rsp, 8
%endif
        push qword v
        jmp unexp_common
%assign v v + 1
%endrep
unexp_other:
        push qword 0xff
unexp_common:
        lea rsi, [rel s_unexp]
        call puts64
        mov rax, [rsp]
        call puthex64
        lea rsi, [rel s_rip]
        call puts64
        mov rax, [rsp + 8]
        call puthex64
        mov al, 10
        call putc64
        mov al, LIB_EXC_CODE
        out DEBUG_EXIT, al
.h:     hlt
        jmp .h

putc64:
        push rdx
        mov dx, COM1
        out dx, al
        pop rdx
        ret
puts64:
        push rax
.l:     lodsb
        test al, al
        jz .e
        call putc64
        jmp .l
.e:     pop rax
        ret
puthex64:
        push rcx
        push rax
        mov rcx, 16
.l:     rol rax, 4
        push rax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .d
        add al, 'a' - '9' - 1
.d:     call putc64
        pop rax
        dec rcx
        jnz .l
        pop rax
        pop rcx
        ret
s_unexp: db "UNEXPECTED in long mode: vector=", 0
s_rip:   db " rip=", 0

bits 32
unexp_table:
%assign v 0
%rep 32
        dd unexp_ %+ v
%assign v v + 1
%endrep

compat:                                         ; CS.L=0, D=1, still LMA
        mov ax, SEL_DATA32
        mov ss, ax
        mov eax, esp
        push eax
        sub eax, esp
        pop ebx
        mov [res_pushdelta + 4], eax            ; 4 in compatibility mode
        int 0x40                                ; through the 64-bit IDT
        mov ecx, MSR_EFER
        rdmsr
        CHECK "EFER LMA LME NXE SCE", eax, 0xD01
        mov eax, cr0
        and eax, 0x80000001
        CHECK "CR0 PG PE", eax, 0x80000001
        CHECK "compat push is 4 bytes", dword [res_pushdelta + 4], 4
        CHECK64 "add r8 r9", res_add, 0x23456789ABCDF001
        CHECK64 "shl r9", res_shl, 0x1111111111111110
        CHECK64 "32-bit write zero-extends", res_zext, 0x80000000
        CHECK64 "movsxd", res_movsxd, 0xFFFFFFFF80000000
        CHECK64 "imul r12 r13", res_imul, 0x0000000600000003
        CHECK "mov sil r14b", dword [res_rex_byte], 0x88
        CHECK64 "rip-relative load", res_riprel, 0xCAFEBABEDEADBEEF
        CHECK "rip-relative lea lo", dword [res_lea], qval
        CHECK "rip-relative lea hi", dword [res_lea + 4], 0
        CHECK64 "push pop", res_pushpop, 0x0102030405060708
        CHECK "push is 8 bytes", dword [res_pushdelta], 8
        CHECK64 "call ret", res_callret, 0
        CHECK64 "4-level high mapping", res_hi, 0x0123456789abcdef
        CHECK "int count", dword [res_int_count], 2
        CHECK64 "int IST rsp", res_int_rsp, IST1_TOP - 40
        CHECK "int frame cs (compat)", dword [res_int_cs], SEL_CODE32
        CHECK "int frame ss (compat)", dword [res_int_ss], SEL_DATA32
        CHECK "#UD for push es", dword [res_ud], 6
        CHECK64 "#PF error code", res_pf_err, 2
        CHECK64 "#PF cr2", res_pf_cr2, PF_ADDR
        CHECK "ring 3 cs", dword [res_user_cs], SEL_UCODE64 | 3
        CHECK "syscall cs", dword [res_sys_cs], SEL_KCODE64
        CHECK "syscall ss", dword [res_sys_ss], SEL_KDATA
        CHECK "syscall rcx lo", dword [res_sys_rcx], user64.back
        CHECK "syscall rcx hi", dword [res_sys_rcx + 4], 0
        CHECK64 "syscall r11", res_sys_r11, 0x2 | F_CF
        CHECK64 "syscall fmask", res_sys_flags, 0x2
        LIB_FINISH

LIB_END
