; tests/guest/faults.asm - exception delivery (Intel SDM vol. 3, ch. 6 and 7):
; #DE and #UD with the faulting EIP; #GP/#NP with selector error codes for bad
; segment loads; #PF error codes and CR2 for not-present, write-protect
; (CR0.WP) and user/supervisor faults, with the handler fixing the PTE and the
; instruction retried; ring 3 entered through IRET, with the TSS stack switch
; on the way back (INT 0x80 through a DPL3 gate) and #GP for CLI and for INT
; through a DPL0 gate; double faults through an interrupt gate (#GP while the
; #GP and #NP gates are not present) and through a task gate (#PF while
; pushing onto a not-present stack during #PF delivery).

%include "lib.inc"

LOG         equ 0x5000          ; fault log: 8 dwords per fault
L_VEC       equ 0
L_ERR       equ 4
L_EIP       equ 8
L_CS        equ 12
L_CR2       equ 16
L_ESP       equ 20              ; handler ESP just after the CPU's pushes
L_USP       equ 24              ; pushed ESP (ring change only)
L_USS       equ 28              ; pushed SS (ring change only)
USER_STACK  equ 0x90000
TASK_STACK  equ 0x7000          ; stack of the double-fault task
PG_NP       equ 0x300000        ; ring-0 not-present page
PG_RO       equ 0x301000        ; ring-0 read-only page (WP)
PG_STK      equ 0x302000        ; not-present page used as a stack (#DF)
PG_SUPV     equ 0x304000        ; supervisor-only page read from ring 3
PG_URO      equ 0x305000        ; read-only user page written from ring 3
PG_UNP      equ 0x306000        ; not-present page read from ring 3
PG_NP2      equ 0x307000        ; not-present page (#DF trigger)

; EXPECT action, resume: what the handler does for the next fault
; (action: 0 or a routine; resume: 0 = retry the instruction, else new EIP)
%macro EXPECT 2
        mov eax, [nfaults]
        mov [exp_idx], eax
        mov dword [actions + eax * 4], %1
        mov dword [resumes + eax * 4], %2
%endmacro
; FAULTCHECK n, name, field, value
; (n counts from the fault the last EXPECT was for)
%macro FAULTCHECK 4
        push eax
        mov eax, [exp_idx]
        shl eax, 5
        mov eax, [LOG + eax + (%1) * 32 + %3]
        CHECK %2, eax, %4
        pop eax
%endmacro

pm_main:
        PRINT "faults: handlers for vectors 0 6 8 11 13 14, 0x80 (DPL3)"
        call newline
        mov eax, 0
        mov ebx, h_vec0
        mov cl, 0x8E
        call lib_set_gate
        mov eax, 6
        mov ebx, h_vec6
        call lib_set_gate
        mov eax, 8
        mov ebx, h_vec8
        call lib_set_gate
        mov eax, 11
        mov ebx, h_vec11
        call lib_set_gate
        mov eax, 13
        mov ebx, h_vec13
        call lib_set_gate
        mov eax, 14
        mov ebx, h_vec14
        call lib_set_gate
        mov eax, 0x80
        mov ebx, h_sys
        mov cl, 0xEE            ; DPL3 interrupt gate
        call lib_set_gate
        mov eax, 0x81
        mov ebx, h_sys
        mov cl, 0x8E            ; DPL0: INT 0x81 from ring 3 is a #GP
        call lib_set_gate

        ; ---- #DE, #UD ----
        EXPECT 0, f0_after
f0:     xor edx, edx
        mov eax, 1
        xor ecx, ecx
f0_div: div ecx
f0_after:
        FAULTCHECK 0, "#DE vector", L_VEC, 0
        FAULTCHECK 0, "#DE eip is the div", L_EIP, f0_div
        EXPECT 0, f1_after
f1_ud:  ud2
f1_after:
        FAULTCHECK 0, "#UD ud2 vector", L_VEC, 6
        FAULTCHECK 0, "#UD ud2 eip", L_EIP, f1_ud
        EXPECT 0, f2_after
f2_ud:  db 0xf0, 0x01, 0xd8     ; lock add eax, ebx (register destination)
f2_after:
        FAULTCHECK 0, "#UD lock add reg vector", L_VEC, 6
        FAULTCHECK 0, "#UD lock add reg eip", L_EIP, f2_ud

        ; ---- #GP / #NP on segment loads ----
        EXPECT 0, f3_after
        mov ax, 0x400           ; beyond the GDT limit
f3_ld:  mov ds, ax
f3_after:
        FAULTCHECK 0, "#GP selector beyond GDT limit vector", L_VEC, 13
        FAULTCHECK 0, "#GP selector beyond GDT limit error code", L_ERR, 0x400
        FAULTCHECK 0, "#GP selector beyond GDT limit eip", L_EIP, f3_ld
        EXPECT 0, f4_after
        mov ax, SEL_CODE32
f4_ld:  mov ss, ax              ; code segment into SS
f4_after:
        FAULTCHECK 0, "#GP code selector into SS error code", L_ERR, SEL_CODE32
        mov eax, SEL_SPARE0     ; data segment, present bit clear
        xor ebx, ebx
        mov ecx, 0xfffff
        mov dl, 0x12            ; P=0, S=1, data read/write
        mov dh, 0xc
        call lib_set_desc
        EXPECT 0, f5_after
        mov ax, SEL_SPARE0
f5_ld:  mov es, ax
f5_after:
        FAULTCHECK 0, "#NP not-present segment vector", L_VEC, 11
        FAULTCHECK 0, "#NP not-present segment error code", L_ERR, SEL_SPARE0
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        CHECK "6 faults so far", dword [nfaults], 6

        ; ---- paging: #PF in ring 0 ----
        PRINT "faults: paging, #PF"
        call newline
        call lib_paging_4k
        mov dword [PG_NP + 0x10], 0x1234abcd    ; (paging is still off)
        mov dword [PG_SUPV], 0x5e5e0001
        mov dword [PG_UNP + 8], 0x5e5e0003
        mov dword [LIB_PT + (PG_NP >> 12) * 4], 0
        mov dword [LIB_PT + (PG_RO >> 12) * 4], PG_RO | 1
        mov dword [LIB_PT + (PG_STK >> 12) * 4], 0
        mov dword [LIB_PT + (PG_SUPV >> 12) * 4], PG_SUPV | 3
        mov dword [LIB_PT + (PG_URO >> 12) * 4], PG_URO | 5
        mov dword [LIB_PT + (PG_UNP >> 12) * 4], 0
        mov dword [LIB_PT + (PG_NP2 >> 12) * 4], 0
        mov eax, cr0
        or eax, 0x80000000      ; PG, WP still clear
        mov cr0, eax
        jmp .pg
.pg:    EXPECT fix_pte, 0       ; handler maps the page, instruction retried
f6_ld:  mov eax, [PG_NP + 0x10]
        CHECK "#PF not present: retried load", eax, 0x1234abcd
        FAULTCHECK 0, "#PF not present vector", L_VEC, 14
        FAULTCHECK 0, "#PF not present error code", L_ERR, 0
        FAULTCHECK 0, "#PF not present cr2", L_CR2, PG_NP + 0x10
        FAULTCHECK 0, "#PF not present eip", L_EIP, f6_ld
        ; CR0.WP=0: a supervisor write to a read-only page just works
        mov dword [PG_RO + 0x20], 5
        CHECK "WP=0: supervisor write to read-only page", dword [nfaults], 7
        mov eax, cr0
        or eax, 0x10000         ; WP
        mov cr0, eax
        mov dword [LIB_PT + (PG_RO >> 12) * 4], PG_RO | 1
        invlpg [PG_RO]
        EXPECT fix_pte, 0
f7_st:  mov dword [PG_RO + 0x24], 6
        CHECK "#PF write protect: retried store", dword [PG_RO + 0x24], 6
        FAULTCHECK 0, "#PF write protect error code", L_ERR, 3
        FAULTCHECK 0, "#PF write protect cr2", L_CR2, PG_RO + 0x24
        FAULTCHECK 0, "#PF write protect eip", L_EIP, f7_st

        ; ---- ring 3 ----
        PRINT "faults: ring 3"
        call newline
        mov eax, SEL_TSS
        mov ebx, LIB_TSS
        call lib_set_tss
        mov ax, SEL_TSS
        ltr ax
        EXPECT fix_pte, 0       ; fault 8: user read of a supervisor page
        mov eax, [nfaults]
        mov dword [actions + eax * 4 + 4], fix_pte      ; 9: write to RO user page
        mov dword [resumes + eax * 4 + 4], 0
        mov dword [actions + eax * 4 + 8], fix_pte      ; 10: not-present page
        mov dword [resumes + eax * 4 + 8], 0
        mov dword [actions + eax * 4 + 12], 0           ; 11: cli -> #GP
        mov dword [resumes + eax * 4 + 12], u_after_cli
        mov dword [actions + eax * 4 + 16], 0           ; 12: int 0x81 -> #GP
        mov dword [resumes + eax * 4 + 16], u_after_int
        push dword SEL_UDATA
        push dword USER_STACK
        push dword 0x002        ; IF=0, IOPL=0
        push dword SEL_UCODE
        push dword user_code
        iretd

user_code:
        mov ax, SEL_UDATA
        mov ds, ax
        mov es, ax
u_pf1:  mov eax, [PG_SUPV]
        mov [u_res], eax
u_pf2:  mov dword [PG_URO + 4], 0x5e5e0002
u_pf3:  mov eax, [PG_UNP + 8]
        mov [u_res + 4], eax
u_cli:  cli
u_after_cli:
u_int:  int 0x81
u_after_int:
        mov dword [u_res + 8], 0x600d
u_sys:  int 0x80
        jmp $

h_sys:  ; INT 0x80 from ring 3: look at the frame, then go on in ring 0
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov [sys_esp], esp
        mov eax, [esp]
        mov [sys_eip], eax
        mov eax, [esp + 4]
        mov [sys_cs], eax
        mov eax, [esp + 12]
        mov [sys_usp], eax
        mov eax, [esp + 16]
        mov [sys_uss], eax
        mov esp, PM_STACK
        jmp back_in_ring0

back_in_ring0:
        CHECK "ring 3: read through supervisor page after fix", dword [u_res], 0x5e5e0001
        CHECK "ring 3: store to read-only page after fix", dword [PG_URO + 4], 0x5e5e0002
        CHECK "ring 3: read of not-present page after fix", dword [u_res + 4], 0x5e5e0003
        CHECK "ring 3: ran to the end", dword [u_res + 8], 0x600d
        FAULTCHECK 0, "ring 3 #PF supervisor page error code", L_ERR, 5
        FAULTCHECK 0, "ring 3 #PF supervisor page cr2", L_CR2, PG_SUPV
        FAULTCHECK 0, "ring 3 #PF supervisor page eip", L_EIP, u_pf1
        FAULTCHECK 0, "ring 3 #PF pushed cs", L_CS, SEL_UCODE
        FAULTCHECK 0, "ring 3 #PF pushed ss", L_USS, SEL_UDATA
        FAULTCHECK 0, "ring 3 #PF pushed esp", L_USP, USER_STACK
        FAULTCHECK 0, "ring 3 #PF handler stack from TSS esp0", L_ESP, PM_STACK - 24
        FAULTCHECK 1, "ring 3 #PF write read-only error code", L_ERR, 7
        FAULTCHECK 1, "ring 3 #PF write read-only cr2", L_CR2, PG_URO + 4
        FAULTCHECK 2, "ring 3 #PF not present error code", L_ERR, 4
        FAULTCHECK 2, "ring 3 #PF not present cr2", L_CR2, PG_UNP + 8
        FAULTCHECK 3, "ring 3 cli: #GP", L_VEC, 13
        FAULTCHECK 3, "ring 3 cli: error code 0", L_ERR, 0
        FAULTCHECK 3, "ring 3 cli: eip", L_EIP, u_cli
        FAULTCHECK 4, "ring 3 int via DPL0 gate: #GP", L_VEC, 13
        FAULTCHECK 4, "ring 3 int via DPL0 gate: error code (0x81 << 3) | IDT", L_ERR, 0x81 * 8 + 2
        FAULTCHECK 4, "ring 3 int via DPL0 gate: eip", L_EIP, u_int
        CHECK "int 0x80: pushed eip", dword [sys_eip], u_sys + 2
        CHECK "int 0x80: pushed cs", dword [sys_cs], SEL_UCODE
        CHECK "int 0x80: pushed ss", dword [sys_uss], SEL_UDATA
        CHECK "int 0x80: pushed esp", dword [sys_usp], USER_STACK
        CHECK "int 0x80: stack from TSS esp0", dword [sys_esp], PM_STACK - 20
        CHECK "13 faults so far", dword [nfaults], 13

        ; ---- double fault through an interrupt gate ----
        PRINT "faults: double faults"
        call newline
        mov byte [LIB_IDT + 13 * 8 + 5], 0x0E   ; #GP gate not present
        mov byte [LIB_IDT + 11 * 8 + 5], 0x0E   ; #NP gate not present
        EXPECT 0, f13_after
        mov ax, 0x400
f13_ld: mov ds, ax              ; #GP -> #NP (gate 13 absent) -> #DF
f13_after:
        mov byte [LIB_IDT + 13 * 8 + 5], 0x8E
        mov byte [LIB_IDT + 11 * 8 + 5], 0x8E
        FAULTCHECK 0, "#DF via interrupt gate: vector", L_VEC, 8
        FAULTCHECK 0, "#DF via interrupt gate: error code 0", L_ERR, 0
        CHECK "#DF via interrupt gate: one fault logged", dword [nfaults], 14

        ; ---- double fault through a task gate ----
        mov eax, SEL_TSS2
        mov ebx, LIB_TSS2
        call lib_set_tss
        mov eax, cr3
        mov [LIB_TSS2 + 28], eax
        mov dword [LIB_TSS2 + 32], df_task
        mov dword [LIB_TSS2 + 36], 0x002
        mov dword [LIB_TSS2 + 56], TASK_STACK
        mov dword [LIB_TSS2 + 72], SEL_DATA32   ; es
        mov dword [LIB_TSS2 + 76], SEL_CODE32   ; cs
        mov dword [LIB_TSS2 + 80], SEL_DATA32   ; ss
        mov dword [LIB_TSS2 + 84], SEL_DATA32   ; ds
        mov dword [LIB_TSS2 + 88], SEL_DATA32   ; fs
        mov dword [LIB_TSS2 + 92], SEL_DATA32   ; gs
        mov eax, 8
        mov bx, SEL_TSS2
        call lib_set_task_gate
        mov esp, PG_STK + 0x1000               ; not-present stack
f14_ld: mov eax, [PG_NP2]       ; #PF, whose delivery faults: #DF
        mov esp, PM_STACK
        PRINT "FAIL #DF through the task gate did not happen"
        call newline
        mov al, LIB_FAIL_CODE
        jmp lib_exit_32

df_task:
        mov eax, [esp]
        CHECK "#DF task: error code 0 on the new task's stack", eax, 0
        mov eax, esp
        CHECK "#DF task: stack from the TSS", eax, TASK_STACK - 4
        str ax
        movzx eax, ax
        CHECK "#DF task: TR is the new TSS", eax, SEL_TSS2
        movzx eax, word [LIB_TSS2]
        CHECK "#DF task: back link to the old TSS", eax, SEL_TSS
        pushfd
        pop eax
        and eax, F_NT
        CHECK "#DF task: NT set", eax, F_NT
        movzx eax, byte [lib_gdt + SEL_TSS2 + 5]
        and eax, 15
        CHECK "#DF task: new TSS busy", eax, 0xb
        movzx eax, byte [lib_gdt + SEL_TSS + 5]
        and eax, 15
        CHECK "#DF task: old TSS still busy", eax, 0xb
        mov eax, [LIB_TSS + 56]
        CHECK "#DF task: old task's ESP saved", eax, PG_STK + 0x1000
        mov eax, cr2
        and eax, 0xfffff000
        CHECK "#DF task: cr2 in the stack page", eax, PG_STK
        LIB_FINISH

; fix_pte: map the page at CR2 (P RW US) and flush it
fix_pte:
        mov eax, cr2
        shr eax, 12
        mov ebx, eax
        shl ebx, 12
        or ebx, 7
        mov [LIB_PT + eax * 4], ebx
        mov eax, cr2
        invlpg [eax]
        ret

%macro HSTUB 2                  ; vector, CPU pushes an error code
h_vec%1:
%if %2 == 0
        push dword 0
%endif
        push dword %1
        jmp h_common
%endmacro
HSTUB 0, 0
HSTUB 6, 0
HSTUB 8, 1
HSTUB 11, 1
HSTUB 13, 1
HSTUB 14, 1

; log the fault, run its action, then retry or resume elsewhere
h_common:
        pushad
        mov ebp, esp
        mov ebx, [nfaults]
        shl ebx, 5
        add ebx, LOG
        mov eax, [ebp + 32]
        mov [ebx + L_VEC], eax
        mov eax, [ebp + 36]
        mov [ebx + L_ERR], eax
        mov eax, [ebp + 40]
        mov [ebx + L_EIP], eax
        mov eax, [ebp + 44]
        mov [ebx + L_CS], eax
        mov eax, cr2
        mov [ebx + L_CR2], eax
        lea eax, [ebp + 36]     ; ESP after the CPU's pushes
        mov [ebx + L_ESP], eax
        mov eax, [ebp + 52]
        mov [ebx + L_USP], eax
        mov eax, [ebp + 56]
        mov [ebx + L_USS], eax
        mov esi, [nfaults]
        inc dword [nfaults]
        cmp esi, 32
        jae .stop
        mov eax, [actions + esi * 4]
        test eax, eax
        jz .noact
        call eax
.noact: mov eax, [resumes + esi * 4]
        test eax, eax
        jz .retry
        mov [ebp + 40], eax
.retry: popad
        add esp, 8
        iretd
.stop:  PRINT "faults: fault loop"
        call newline
        mov al, LIB_FAIL_CODE
        jmp lib_exit_32

align 4
nfaults:    dd 0
exp_idx:    dd 0
actions:    times 32 dd 0
resumes:    times 32 dd 0
u_res:      times 4 dd 0
sys_esp:    dd 0
sys_eip:    dd 0
sys_cs:     dd 0
sys_usp:    dd 0
sys_uss:    dd 0

LIB_END
