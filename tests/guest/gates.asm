; tests/guest/gates.asm - control transfers between privilege levels and tasks
; (Intel SDM vol. 3, 5.8 call gates, 7.3 task switching; vol. 2 SYSENTER/
; SYSEXIT): from ring 3 (entered by IRET, TSS stack switch)
;  - a far CALL through a DPL3 32-bit call gate with 2 parameters to ring 0:
;    the frame on the TSS stack, the copied parameters, RETF 8 back to ring 3,
;    which pops the parameters and nulls a DS holding a DPL0 selector;
;  - SYSENTER/SYSEXIT with the SYSENTER_CS/ESP/EIP MSRs (both with paging on);
;  - a same-privilege far CALL/RETF in ring 0, and a far CALL to a TSS
;    (task switch with back link and NT) returned from with IRET.

%include "lib.inc"

USER_STACK  equ 0x90000
TASK_STACK  equ 0x7000
SEL_CG      equ SEL_SPARE0 | 3  ; call gate
; SYSENTER needs CS0 DS0 CS3 DS3 in a row: SEL_SPARE2..SEL_SPARE5

pm_main:
        PRINT "gates: same-privilege far call"
        call newline
        call SEL_CODE32:far_fn
        CHECK "far call/retf in ring 0: return value", eax, 0xfa11
        CHECK "far call: pushed cs", dword [far_cs], SEL_CODE32

        ; ---- far call to a TSS: task switch, IRET returns (NT) ----
        PRINT "gates: task switch by far call"
        call newline
        mov eax, SEL_TSS
        mov ebx, LIB_TSS
        call lib_set_tss
        mov ax, SEL_TSS
        ltr ax
        mov eax, SEL_TSS2
        mov ebx, LIB_TSS2
        call lib_set_tss
        mov dword [LIB_TSS2 + 32], task_fn      ; eip
        mov dword [LIB_TSS2 + 36], 0x002        ; eflags
        mov dword [LIB_TSS2 + 56], TASK_STACK   ; esp
        mov dword [LIB_TSS2 + 72], SEL_DATA32   ; es
        mov dword [LIB_TSS2 + 76], SEL_CODE32   ; cs
        mov dword [LIB_TSS2 + 80], SEL_DATA32   ; ss
        mov dword [LIB_TSS2 + 84], SEL_DATA32   ; ds
        mov dword [LIB_TSS2 + 88], SEL_DATA32   ; fs
        mov dword [LIB_TSS2 + 92], SEL_DATA32   ; gs
        mov dword [LIB_TSS2 + 40], 0x1234abcd   ; eax in the new task
        mov ebx, 0x5555
        mov eax, 0x3333
        call SEL_TSS2:0
task_back:
        CHECK "task call: the task ran (its EAX)", dword [task_seen], 0x1234abcd
        CHECK "task call: back link in the new TSS", dword [task_seen + 4], SEL_TSS
        CHECK "task call: NT set in the called task", dword [task_seen + 8], F_NT
        CHECK "task call: TR in the task", dword [task_seen + 12], SEL_TSS2
        CHECK "task call: our EBX survived the round trip", ebx, 0x5555
        CHECK "task call: our EAX restored from the old TSS", eax, 0x3333
        CHECK "task call: the task's EAX saved in its TSS by IRET", dword [LIB_TSS2 + 40], 0x600d
        str ax
        movzx eax, ax
        CHECK "task call: TR back to the old TSS", eax, SEL_TSS
        movzx eax, byte [lib_gdt + SEL_TSS2 + 5]
        and eax, 15
        CHECK "task call: returned-from TSS no longer busy", eax, 9
        pushfd
        pop eax
        and eax, F_NT
        CHECK "task call: NT clear after the return", eax, 0

        ; ---- ring 3 (paging on, all pages user): call gate, SYSENTER ----
        PRINT "gates: ring 3, call gate, sysenter"
        call newline
        call lib_paging_4k
        mov eax, cr0
        or eax, 0x80010000      ; PG, WP
        mov cr0, eax
        jmp .pg
.pg:
        mov eax, 0x80
        mov ebx, h_sys
        mov cl, 0xEE
        call lib_set_gate
        ; call gate (DPL3, 2 parameters) to cg_target
        mov dword [lib_gdt + SEL_SPARE0], cg_target
        mov word [lib_gdt + SEL_SPARE0 + 2], SEL_CODE32
        mov dword [lib_gdt + SEL_SPARE0 + 4], 0x0000EC02
        mov eax, cg_target
        shr eax, 16
        mov [lib_gdt + SEL_SPARE0 + 6], ax
        mov eax, SEL_SPARE2
        xor ebx, ebx
        mov ecx, 0xfffff
        mov dx, 0xc9a
        call lib_set_desc
        mov eax, SEL_SPARE3
        mov dx, 0xc92
        call lib_set_desc
        mov eax, SEL_SPARE4
        mov dx, 0xcfa
        call lib_set_desc
        mov eax, SEL_SPARE5
        mov dx, 0xcf2
        call lib_set_desc
        mov ecx, 0x174          ; SYSENTER_CS
        mov eax, SEL_SPARE2
        xor edx, edx
        wrmsr
        mov ecx, 0x175          ; SYSENTER_ESP
        mov eax, PM_STACK - 0x100
        wrmsr
        mov ecx, 0x176          ; SYSENTER_EIP
        mov eax, se_target
        wrmsr
        mov eax, 1
        cpuid
        and edx, 1 << 11
        CHECK "sysenter: CPUID SEP", edx, 1 << 11
        mov dword [sys_cont], after_sysenter
        push dword SEL_UDATA
        push dword USER_STACK
        push dword 0x002
        push dword SEL_UCODE
        push dword user_se
        iretd

after_sysenter:
        CHECK "sysenter: CS from SYSENTER_CS", dword [se_seen], SEL_SPARE2
        CHECK "sysenter: SS = CS + 8", dword [se_seen + 4], SEL_SPARE3
        CHECK "sysenter: ESP from SYSENTER_ESP", dword [se_seen + 8], PM_STACK - 0x100
        CHECK "sysexit: back in ring 3 with EAX", dword [u_res], 0x5e11
        CHECK "sysexit: CS = SYSENTER_CS + 16, RPL 3", dword [u_res + 4], SEL_SPARE4 | 3
        CHECK "sysexit: SS = SYSENTER_CS + 24, RPL 3", dword [u_res + 8], SEL_SPARE5 | 3
        CHECK "sysexit: ESP from ECX", dword [u_res + 12], USER_STACK

        mov dword [sys_cont], after_cg
        push dword SEL_UDATA
        push dword USER_STACK
        push dword 0x002
        push dword SEL_UCODE
        push dword user_cg
        iretd

after_cg:
        CHECK "call gate: frame eip", dword [cg_frame], u_cg_ret
        CHECK "call gate: frame cs", dword [cg_frame + 4], SEL_UCODE
        CHECK "call gate: parameter 1 copied", dword [cg_frame + 8], 0x22220002
        CHECK "call gate: parameter 2 copied", dword [cg_frame + 12], 0x11110001
        CHECK "call gate: frame esp", dword [cg_frame + 16], USER_STACK - 8
        CHECK "call gate: frame ss", dword [cg_frame + 20], SEL_UDATA
        CHECK "call gate: ring-0 stack from the TSS", dword [cg_esp], PM_STACK - 24
        CHECK "call gate: return value", dword [u_res + 16], 0xca11
        CHECK "call gate: retf 8 to ring 3 nulls a DPL0 DS", dword [u_res + 20], 0
        CHECK "call gate: retf 8 pops the parameters", dword [u_res + 24], USER_STACK
        LIB_FINISH

; ---- ring 3 code ----
user_se:
        mov ax, SEL_UDATA
        mov ds, ax
        mov es, ax
        mov ecx, esp            ; SYSEXIT returns to EDX with ESP = ECX
        mov edx, u_after_se
        sysenter
u_after_se:
        mov [u_res], eax
        mov eax, cs
        mov [u_res + 4], eax
        mov eax, ss
        mov [u_res + 8], eax
        mov [u_res + 12], esp
        int 0x80

user_cg:
        mov ax, SEL_UDATA
        mov ds, ax
        mov es, ax
        push dword 0x11110001   ; two parameters for the call gate
        push dword 0x22220002
        call SEL_CG:0           ; to ring 0 through the DPL3 call gate
u_cg_ret:
        mov [ss:u_res + 16], eax
        mov eax, ds             ; DS held a DPL0 selector: nulled on return
        mov [ss:u_res + 20], eax
        mov [ss:u_res + 24], esp
        int 0x80

; ---- ring 0 targets ----
far_fn: mov eax, [esp + 4]
        mov [far_cs], eax
        mov eax, 0xfa11
        retf

task_fn:                        ; runs as task SEL_TSS2
        mov [task_seen], eax
        movzx ebx, word [LIB_TSS2]
        mov [task_seen + 4], ebx
        pushfd
        pop ebx
        and ebx, F_NT
        mov [task_seen + 8], ebx
        str bx
        movzx ebx, bx
        mov [task_seen + 12], ebx
        mov eax, 0x600d         ; saved into our TSS by the IRET
        iretd                   ; NT=1: return to the previous task
        jmp task_fn             ; (a task called again starts here)

; call gate target (ring 0): EIP CS param param ESP SS on the TSS stack
cg_target:
        mov [cg_esp], esp
        mov esi, esp
        mov edi, cg_frame
        mov ecx, 6
        cld
        rep movsd
        mov ax, SEL_DATA32      ; a DPL0 data selector in DS ...
        mov ds, ax
        mov eax, 0xca11
        retf 8                  ; ... is nulled by this return to ring 3

; SYSENTER target (ring 0, CS=SYSENTER_CS, SS=+8, ESP=SYSENTER_ESP)
se_target:
        mov eax, cs
        mov [se_seen], eax
        mov eax, ss
        mov [se_seen + 4], eax
        mov [se_seen + 8], esp
        mov eax, 0x5e11
        sysexit

; INT 0x80 from ring 3: continue in ring 0 at [sys_cont]
h_sys:  mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, PM_STACK
        jmp [sys_cont]

align 4
far_cs:     dd 0
task_seen:  times 4 dd 0
u_res:      times 8 dd 0
cg_frame:   times 6 dd 0
cg_esp:     dd 0
se_seen:    times 3 dd 0
sys_cont:   dd 0

LIB_END
