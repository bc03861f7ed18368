; tests/guest/v86.asm - virtual-8086 mode (Intel SDM vol. 3, ch. 20): entered by
; IRET with EFLAGS.VM=1 from ring 0, with a TSS giving SS0:ESP0.
;  1. IOPL=0: 16-bit code computes (loop, segment arithmetic, 32-bit mul with
;     an operand-size prefix) and writes memory; INT n, CLI, OUT and HLT trap
;     to the #GP monitor, which checks the VM frame, emulates INT (returns a
;     value in AX) and resumes, and ends at HLT.
;  2. IOPL=3: CLI runs without a trap, POPF cannot change IOPL, INT n goes
;     through a DPL3 interrupt gate: the frame holds the v86 ES DS FS GS and
;     the handler starts with null data segments.

%include "lib.inc"

V86_STACK   equ 0x7000

bits 16
; v86 code and data sit below 64K: CS=DS=SS=0 in v86, offsets are linear
v86_code1:
        xor ax, ax
        mov cx, 100
.l:     add ax, cx
        loop .l                 ; 5050
        mov [v86_res], ax
        mov ax, 0x0500
        mov ds, ax
        mov word [0x10], 0xbeef ; linear 0x5010
        xor ax, ax
        mov ds, ax
        mov eax, 0x12345678
        mov ebx, 0x10
        mul ebx
        mov [v86_res + 4], eax
        mov [v86_res + 8], edx
        mov ax, 0
v86_int:
        int 0x21                ; #GP (IOPL < 3); the monitor sets AX
        mov [v86_res + 12], ax
v86_cli:
        cli
v86_out:
        out 0x80, al
v86_hlt:
        hlt
        jmp $

v86_code2:
        cli                     ; IOPL=3: no trap
        push word 0
        popf                    ; cannot clear IOPL in v86
        pushf
        pop ax
        mov [v86_res + 16], ax
        mov ax, 0x0500
        mov ds, ax
        mov ax, 0x0600
        mov es, ax
        mov ax, 0x0700
        mov fs, ax
        mov ax, 0x0800
        mov gs, ax
v86_int2:
        int 0x30
        jmp $

align 4
v86_res:    times 8 dd 0

bits 32
pm_main:
        PRINT "v86: virtual-8086 mode"
        call newline
        mov eax, SEL_TSS
        mov ebx, LIB_TSS
        call lib_set_tss
        mov ax, SEL_TSS
        ltr ax
        mov eax, 13
        mov ebx, monitor
        mov cl, 0x8E
        call lib_set_gate
        mov eax, 0x30
        mov ebx, h_int30
        mov cl, 0xEE            ; DPL3 interrupt gate
        call lib_set_gate

        ; ---- part 1: IOPL=0 ----
        push dword 0            ; gs
        push dword 0            ; fs
        push dword 0            ; ds
        push dword 0            ; es
        push dword 0            ; ss
        push dword V86_STACK    ; esp
        push dword F_VM | 0x002 ; eflags: VM, IOPL=0, IF=0
        push dword 0            ; cs
        push dword v86_code1    ; eip
        iretd

part1_done:
        movzx eax, word [v86_res]
        CHECK "v86: loop sum", eax, 5050
        movzx eax, word [0x5010]
        CHECK "v86: store through DS=0x500", eax, 0xbeef
        CHECK "v86: 32-bit mul low", dword [v86_res + 4], 0x23456780
        CHECK "v86: 32-bit mul high", dword [v86_res + 8], 1
        movzx eax, word [v86_res + 12]
        CHECK "v86: AX from the emulated INT", eax, 0x1234
        CHECK "v86: traps", dword [ntraps], 4
        movzx eax, byte [trap_op]
        CHECK "v86: trap 1 is INT", eax, 0xcd
        CHECK "v86: trap 1 int number", dword [int_no], 0x21
        CHECK "v86: trap 1 eip", dword [trap_eip], v86_int
        movzx eax, byte [trap_op + 1]
        CHECK "v86: trap 2 is CLI", eax, 0xfa
        movzx eax, byte [trap_op + 2]
        CHECK "v86: trap 3 is OUT", eax, 0xe6
        movzx eax, byte [trap_op + 3]
        CHECK "v86: trap 4 is HLT", eax, 0xf4
        CHECK "v86: #GP error codes 0", dword [trap_err_or], 0
        mov eax, [trap_eflags]
        and eax, F_VM | F_IOPL3
        CHECK "v86: pushed EFLAGS has VM, IOPL 0", eax, F_VM
        CHECK "v86: stack switched to TSS esp0", dword [trap_esp], PM_STACK - 40

        ; ---- part 2: IOPL=3 ----
        push dword 0            ; gs
        push dword 0            ; fs
        push dword 0            ; ds
        push dword 0            ; es
        push dword 0            ; ss
        push dword V86_STACK    ; esp
        push dword F_VM | F_IOPL3 | 0x002
        push dword 0            ; cs
        push dword v86_code2    ; eip
        iretd

part2_done:
        CHECK "v86 IOPL3: no #GP traps", dword [ntraps], 4
        movzx eax, word [v86_res + 16]
        and eax, F_IOPL3
        CHECK "v86 IOPL3: popf keeps IOPL", eax, F_IOPL3
        CHECK "v86 IOPL3: INT frame eip", dword [i30_frame], v86_int2 + 2
        CHECK "v86 IOPL3: INT frame cs", dword [i30_frame + 4], 0
        mov eax, [i30_frame + 8]
        and eax, F_VM | F_IOPL3
        CHECK "v86 IOPL3: INT frame eflags VM IOPL3", eax, F_VM | F_IOPL3
        CHECK "v86 IOPL3: INT frame esp", dword [i30_frame + 12], V86_STACK
        CHECK "v86 IOPL3: INT frame es", dword [i30_frame + 20], 0x0600
        CHECK "v86 IOPL3: INT frame ds", dword [i30_frame + 24], 0x0500
        CHECK "v86 IOPL3: INT frame fs", dword [i30_frame + 28], 0x0700
        CHECK "v86 IOPL3: INT frame gs", dword [i30_frame + 32], 0x0800
        CHECK "v86 IOPL3: handler DS ES FS GS null", dword [i30_segs], 0
        LIB_FINISH

; #GP monitor: [esp] err, eip, cs, eflags, esp, ss, es, ds, fs, gs
monitor:
        pushad
        mov ebp, esp
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        test dword [ebp + 32 + 12], F_VM
        jz .bad
        mov [trap_esp], ebp
        add dword [trap_esp], 32
        mov eax, [ebp + 32]
        or [trap_err_or], eax
        mov eax, [ebp + 32 + 12]
        mov [trap_eflags], eax
        movzx esi, word [ebp + 32 + 8]  ; cs
        shl esi, 4
        movzx eax, word [ebp + 32 + 4]  ; ip
        add esi, eax
        mov ebx, [ntraps]
        cmp ebx, 8
        jae .bad
        mov al, [esi]
        mov [trap_op + ebx], al
        inc dword [ntraps]
        cmp al, 0xcd
        je .int
        cmp al, 0xfa
        je .skip1
        cmp al, 0xe6
        je .skip2
        cmp al, 0xf4
        je .hlt
.bad:   PRINT "v86: unexpected #GP"
        call newline
        mov al, LIB_FAIL_CODE
        jmp lib_exit_32
.int:   movzx eax, byte [esi + 1]
        mov [int_no], eax
        mov eax, [ebp + 32 + 4]
        mov [trap_eip], eax
        mov word [ebp + 28], 0x1234     ; AX in the pushad frame
.skip2: inc dword [ebp + 32 + 4]
.skip1: inc dword [ebp + 32 + 4]
        popad
        add esp, 4
        iretd
.hlt:   mov esp, PM_STACK
        jmp part1_done

; INT 0x30 from v86 with IOPL=3: eip, cs, eflags, esp, ss, es, ds, fs, gs
h_int30:
        mov eax, ds
        mov ebx, es
        or eax, ebx
        mov ebx, fs
        or eax, ebx
        mov ebx, gs
        or eax, ebx
        mov bx, SEL_DATA32
        mov ds, bx
        mov es, bx
        mov fs, bx
        mov gs, bx
        mov [i30_segs], eax
        mov esi, esp
        mov edi, i30_frame
        mov ecx, 9
        cld
        rep movsd
        mov esp, PM_STACK
        jmp part2_done

align 4
ntraps:         dd 0
trap_op:        times 8 db 0
trap_err_or:    dd 0
trap_eflags:    dd 0
trap_eip:       dd 0
trap_esp:       dd 0
int_no:         dd 0
i30_segs:       dd 0xffffffff
i30_frame:      times 9 dd 0

LIB_END
