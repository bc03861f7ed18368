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

LOG         equ 0x5000          ; fault log: 16 dwords per fault
L_VEC       equ 0
L_ERR       equ 4
L_EIP       equ 8
L_CS        equ 12
L_CR2       equ 16
L_ESP       equ 20              ; handler ESP just after the CPU's pushes
L_USP       equ 24              ; pushed ESP (ring change only)
L_USS       equ 28              ; pushed SS (ring change only)
L_ECX       equ 32              ; ECX ESI EDI at the fault
L_ESI       equ 36
L_EDI       equ 40
USER_STACK  equ 0x90000
TASK_STACK  equ 0x7000          ; stack of the double-fault task
PG_NP       equ 0x300000        ; ring-0 not-present page
PG_RO       equ 0x301000        ; ring-0 read-only page (WP)
PG_STK      equ 0x302000        ; not-present page used as a stack (#DF)
PG_SUPV     equ 0x304000        ; supervisor-only page read from ring 3
PG_URO      equ 0x305000        ; read-only user page written from ring 3
PG_UNP      equ 0x306000        ; not-present page read from ring 3
PG_NP2      equ 0x307000        ; not-present page (#DF trigger)
PG_SB       equ 0x309000        ; not-present page that rep movsd runs into
PG_XB       equ 0x30b000        ; not-present page holding an instruction's tail
SRC         equ 0x6800          ; 16 dwords copied by rep movsd
PG_W2       equ 0x30d000        ; not-present page a split store runs into
PG_POP      equ 0x30e000        ; not-present page that pop [mem] writes
PG_CALL     equ 0x30f000        ; not-present page holding a called function

; EXPECT action, resume: what the handler does for the next fault
; (action: 0 or a routine; resume: 0 = retry the instruction, else new EIP)
%macro EXPECT 2
        mov eax, [nfaults]
        mov [exp_idx], eax
        mov dword [actions + eax * 4], %1
        mov dword [resumes + eax * 4], %2
%endmacro
; RESET_FAULTS n: number the next fault n again, with no action/resume set
%macro RESET_FAULTS 1
        push edi
        push ecx
        push eax
        mov dword [nfaults], %1
        mov edi, actions + (%1) * 4
        mov ecx, 32 - (%1)
        xor eax, eax
        rep stosd
        mov edi, resumes + (%1) * 4
        mov ecx, 32 - (%1)
        rep stosd
        pop eax
        pop ecx
        pop edi
%endmacro
; FAULTCHECK n, name, field, value
; (n counts from the fault the last EXPECT was for)
%macro FAULTCHECK 4
        push eax
        mov eax, [exp_idx]
        shl eax, 6
        mov eax, [LOG + eax + (%1) * 64 + %3]
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
        mov eax, 1
        mov ebx, h_vec1
        call lib_set_gate
        mov eax, 3
        mov ebx, h_vec3
        mov cl, 0xEE            ; int3/into/int 3 from any ring
        call lib_set_gate
        mov eax, 4
        mov ebx, h_vec4
        call lib_set_gate
        mov eax, 5
        mov ebx, h_vec5
        mov cl, 0x8E
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

        ; ---- traps: INT3, INT 3, INTO; #BR; single-step ----
        EXPECT 0, 0
        int3
f_bp1:  FAULTCHECK 0, "int3: vector 3", L_VEC, 3
        FAULTCHECK 0, "int3: eip after the int3 (trap)", L_EIP, f_bp1
        EXPECT 0, 0
        int 3
f_bp2:  FAULTCHECK 0, "int 3 (cd 03): eip after it", L_EIP, f_bp2
        EXPECT 0, 0
        SETF 0
        into                    ; OF=0: nothing
        SETF F_OF
        into
f_of:   SETF 0
        FAULTCHECK 0, "into with OF=1: vector 4", L_VEC, 4
        FAULTCHECK 0, "into with OF=1: eip after it", L_EIP, f_of
        CHECK "into with OF=0 did not trap", dword [nfaults], 9
        EXPECT 0, f_br_after
        mov eax, 10
        bound eax, [bnd_in]     ; 3 <= 10 <= 20: fine
        mov eax, 21
f_br:   bound eax, [bnd_in]     ; out of bounds: #BR (a fault)
f_br_after:
        FAULTCHECK 0, "bound: vector 5", L_VEC, 5
        FAULTCHECK 0, "bound: eip is the bound", L_EIP, f_br
        CHECK "bound in range did not fault", dword [nfaults], 10
        EXPECT 0, 0
        xor eax, eax
        pushfd
        or dword [esp], F_TF
        popfd                   ; TF now set: traps after each next instruction
        nop
f_ss1:  inc eax
f_ss2:  pushfd
f_ss3:  and dword [esp], ~F_TF
f_ss4:  popfd                   ; TF was set when it started: one more trap
f_ss5:  FAULTCHECK 0, "single step: #DB vector 1", L_VEC, 1
        FAULTCHECK 0, "single step: trap 1 after the nop", L_EIP, f_ss1
        FAULTCHECK 1, "single step: trap 2 after inc", L_EIP, f_ss2
        FAULTCHECK 2, "single step: trap 3 after pushfd", L_EIP, f_ss3
        FAULTCHECK 3, "single step: trap 4 after and", L_EIP, f_ss4
        FAULTCHECK 4, "single step: trap 5 after the popfd that clears TF", L_EIP, f_ss5
        CHECK "single step: 5 traps, then none", dword [nfaults], 15
        CHECK "single step: the stepped inc ran once", eax, 1
        mov eax, [dr6_seen]
        and eax, 0x4000
        CHECK "single step: DR6.BS", eax, 0x4000
        RESET_FAULTS 6

        ; ---- a segment with a non-zero base ----
        mov eax, SEL_SPARE1     ; data, base 0x6000, byte limit 0xfff
        mov ebx, 0x6000
        mov ecx, 0xfff
        mov dl, 0x92
        mov dh, 0x4
        call lib_set_desc
        mov ax, SEL_SPARE1
        mov es, ax
        mov dword [es:0x10], 0x5e6e0001
        mov ax, SEL_DATA32
        mov es, ax
        CHECK "segment base 0x6000: store lands at linear 0x6010", dword [0x6010], 0x5e6e0001
        ; (segment limit and null-selector #GP are not checked here: QEMU's
        ; TCG, which every guest must pass first, does not implement them)

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
        mov dword [LIB_PT + (PG_SB >> 12) * 4], 0
        mov dword [LIB_PT + (PG_XB >> 12) * 4], 0
        mov edi, SRC            ; source data 0x100..0x10f
        mov eax, 0x100
        mov ecx, 16
.src:   stosd
        inc eax
        dec ecx
        jnz .src
        mov byte [PG_XB - 3], 0xb8      ; mov eax, 0x12345678 across the
        mov dword [PG_XB - 2], 0x12345678 ; page boundary, then ret
        mov byte [PG_XB + 2], 0xc3
        mov dword [LIB_PT + (PG_W2 >> 12) * 4], 0
        mov dword [LIB_PT + (PG_POP >> 12) * 4], 0
        mov dword [LIB_PT + (PG_CALL >> 12) * 4], 0
        mov dword [PG_W2 - 4], 0x11111111
        mov dword [PG_W2], 0x22222222
        mov byte [PG_CALL], 0xb8        ; mov eax, 0x4321; ret
        mov dword [PG_CALL + 1], 0x4321
        mov byte [PG_CALL + 5], 0xc3
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

        ; ---- #PF in the middle of rep movsd: the registers show the progress ----
        EXPECT fix_pte, 0
        mov esi, SRC
        mov edi, PG_SB - 16     ; 4 dwords fit before the boundary
        mov ecx, 16
        cld
f8_rep: rep movsd
        mov [rep_end], ecx
        mov [rep_end + 4], edi
        FAULTCHECK 0, "#PF inside rep movsd: error code (write)", L_ERR, 2
        FAULTCHECK 0, "#PF inside rep movsd: cr2 at the boundary", L_CR2, PG_SB
        FAULTCHECK 0, "#PF inside rep movsd: eip is the rep movsd", L_EIP, f8_rep
        FAULTCHECK 0, "#PF inside rep movsd: ecx counts the rest", L_ECX, 12
        FAULTCHECK 0, "#PF inside rep movsd: edi advanced", L_EDI, PG_SB
        FAULTCHECK 0, "#PF inside rep movsd: esi advanced", L_ESI, SRC + 16
        CHECK "rep movsd resumed: ecx", dword [rep_end], 0
        CHECK "rep movsd resumed: edi", dword [rep_end + 4], PG_SB + 48
        CHECK "rep movsd resumed: last dword", dword [PG_SB + 44], 0x10f
        CHECK "rep movsd resumed: first dword", dword [PG_SB - 16], 0x100

        ; ---- #PF fetching an instruction that crosses into a missing page ----
        EXPECT fix_pte, 0
        xor eax, eax
        call PG_XB - 3
        CHECK "instruction across pages: executed after the fix", eax, 0x12345678
        FAULTCHECK 0, "instruction across pages: cr2 is the second page", L_CR2, PG_XB
        FAULTCHECK 0, "instruction across pages: eip is the instruction", L_EIP, PG_XB - 3
        FAULTCHECK 0, "instruction across pages: error code 0", L_ERR, 0

        ; ---- a store split across pages, second page missing: no partial write ----
        EXPECT 0, f9_after
        mov eax, 0xaabbccdd
f9_st:  mov [PG_W2 - 2], eax
f9_after:
        FAULTCHECK 0, "split store: cr2 is the second page", L_CR2, PG_W2
        FAULTCHECK 0, "split store: eip", L_EIP, f9_st
        FAULTCHECK 0, "split store: error code (write)", L_ERR, 2
        CHECK "split store: first page unchanged", dword [PG_W2 - 4], 0x11111111

        ; ---- pop to a missing page: ESP unchanged at the fault ----
        EXPECT fix_pte, 0
        push dword 0x5a5a0001
        mov [esp_before], esp
f10_pop:
        pop dword [PG_POP + 8]
        CHECK "pop [mem] retried: value", dword [PG_POP + 8], 0x5a5a0001
        mov eax, [esp_before]
        sub eax, esp
        CHECK "pop [mem] retried: esp", eax, -4
        FAULTCHECK 0, "pop [mem] fault: eip", L_EIP, f10_pop
        FAULTCHECK 0, "pop [mem] fault: cr2", L_CR2, PG_POP + 8
        mov ebx, [esp_before]   ; the CPU pushed EFLAGS CS EIP and the error
        sub ebx, 16             ; code below the unchanged ESP
        FAULTCHECK 0, "pop [mem] fault: esp not yet incremented", L_ESP, ebx

        ; ---- call into a missing page: the call is done, the fetch faults ----
        EXPECT fix_pte, 0
        mov [esp_before], esp
        xor eax, eax
f11_call:
        call PG_CALL
f11_ret:
        CHECK "call into missing page: function ran", eax, 0x4321
        FAULTCHECK 0, "call into missing page: eip is the target", L_EIP, PG_CALL
        FAULTCHECK 0, "call into missing page: cr2", L_CR2, PG_CALL
        FAULTCHECK 0, "call into missing page: error code 0", L_ERR, 0

        RESET_FAULTS 8          ; (keeps the fault numbers below)

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
HSTUB 3, 0
HSTUB 4, 0
HSTUB 5, 0
HSTUB 6, 0
h_vec1:                         ; #DB: also note DR6
        push eax
        mov eax, dr6
        mov [dr6_seen], eax
        pop eax
        push dword 0
        push dword 1
        jmp h_common
HSTUB 8, 1
HSTUB 11, 1
HSTUB 13, 1
HSTUB 14, 1

; log the fault, run its action, then retry or resume elsewhere
h_common:
        pushad
        mov ebp, esp
        push ds                 ; (ring 3 may have left any DS: use ours)
        push es
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ebx, [nfaults]
        shl ebx, 6
        add ebx, LOG
        mov eax, [ebp + 24]
        mov [ebx + L_ECX], eax
        mov eax, [ebp + 4]
        mov [ebx + L_ESI], eax
        mov eax, [ebp]
        mov [ebx + L_EDI], eax
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
.retry: pop es
        pop ds
        popad
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
rep_end:    dd 0, 0
esp_before: dd 0
dr6_seen:   dd 0
bnd_in:     dd 3, 20
sys_eip:    dd 0
sys_cs:     dd 0
sys_usp:    dd 0
sys_uss:    dd 0

LIB_END
