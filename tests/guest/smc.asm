; tests/guest/smc.asm - self-modifying code (Intel SDM vol. 3, 8.1.3): stores
; into code that was already executed (so a translating CPU has translated it)
; must take effect on the next execution: an immediate ahead in the same
; block, the very next instruction, a function in another page, code copied
; to RAM (by rep movsb) then overwritten, and, with paging, code rewritten
; through a second linear mapping of the same physical page.

%include "lib.inc"

CODEBUF     equ 0x50000         ; RAM for copied code
ALIAS       equ 0x40000000      ; second linear mapping of CODEBUF (paging)
PT_ALIAS    equ 0x21000

pm_main:
        PRINT "smc: self-modifying code"
        call newline

        ; ---- patch an immediate ahead, in the same block, in a loop ----
        xor ecx, ecx
.l1:    mov ebx, [vals + ecx * 4]
        mov [..@p1 + 1], ebx       ; the imm32 of the mov below
..@p1:     mov eax, 0x11111111
        mov [res + ecx * 4], eax
        inc ecx
        cmp ecx, 4
        jb .l1
        CHECK "same block imm, pass 1", dword [res], 0xa0000001
        CHECK "same block imm, pass 2", dword [res + 4], 0xa0000002
        CHECK "same block imm, pass 3", dword [res + 8], 0xa0000003
        CHECK "same block imm, pass 4", dword [res + 12], 0xa0000004

        ; ---- patch the very next instruction's opcode ----
        xor eax, eax
        xor ecx, ecx
.l2:    mov byte [..@p2], 0x90     ; nop ...
        cmp ecx, 1
        jne .n2
        mov byte [..@p2], 0x40     ; ... or inc eax on the second pass
.n2:
..@p2:     nop
        inc ecx
        cmp ecx, 3
        jb .l2
        CHECK "next instruction patched once of three", eax, 1

        ; ---- a function in another page ----
        call far_fn
        mov [res], eax
        mov dword [far_fn + 1], 0xb0000002
        call far_fn
        mov [res + 4], eax
        mov byte [far_fn + 5], 0x40     ; ret -> inc eax, falls into the next ret
        call far_fn
        mov [res + 8], eax
        CHECK "other page: original", dword [res], 0xb0000001
        CHECK "other page: patched immediate", dword [res + 4], 0xb0000002
        CHECK "other page: patched opcode", dword [res + 8], 0xb0000003

        ; ---- copied to RAM, run, overwritten, run again ----
        mov esi, tmpl_a
        mov edi, CODEBUF
        mov ecx, tmpl_a_end - tmpl_a
        rep movsb
        call CODEBUF
        CHECK "copied code a", eax, 0x3333
        mov esi, tmpl_b
        mov edi, CODEBUF
        mov ecx, tmpl_b_end - tmpl_b
        rep movsb
        call CODEBUF
        CHECK "overwritten by rep movsb: code b", eax, 35
        mov esi, tmpl_a         ; back to a, with dword stores
        mov edi, CODEBUF
        mov ecx, (tmpl_a_end - tmpl_a + 3) / 4
.cp:    mov eax, [esi]
        mov [edi], eax
        add esi, 4
        add edi, 4
        dec ecx
        jnz .cp
        call CODEBUF
        CHECK "overwritten by mov: code a again", eax, 0x3333

        ; ---- paging: rewrite through another linear address ----
        call lib_paging_4k
        mov edi, PT_ALIAS
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PT_ALIAS], CODEBUF | 7
        mov dword [LIB_PD + (ALIAS >> 22) * 4], PT_ALIAS | 7
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .pg
.pg:    call CODEBUF
        CHECK "paging: code a at identity address", eax, 0x3333
        call ALIAS
        CHECK "paging: same code at alias address", eax, 0x3333
        mov esi, tmpl_b
        mov edi, ALIAS          ; write through the alias ...
        mov ecx, tmpl_b_end - tmpl_b
        rep movsb
        call CODEBUF            ; ... run through the identity mapping
        CHECK "paging: rewritten through alias, run at identity", eax, 35
        mov dword [CODEBUF + 1], 6      ; b's immediate: 6 * 7
        call ALIAS
        CHECK "paging: patched at identity, run at alias", eax, 42
        LIB_FINISH

tmpl_a: mov eax, 0x1111
        add eax, 0x2222
        ret
tmpl_a_end:
tmpl_b: mov eax, 5
        imul eax, eax, 7
        ret
tmpl_b_end:

vals:   dd 0xa0000001, 0xa0000002, 0xa0000003, 0xa0000004
res:    times 4 dd 0

align 4096
far_fn: mov eax, 0xb0000001     ; b8 imm32 (5 bytes), then ret
        ret
        ret

LIB_END
