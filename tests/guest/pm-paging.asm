; tests/guest/pm-paging.asm - 32-bit paging in its three forms (Intel SDM vol. 3,
; ch. 4): (a) 2-level 4K pages, (b) CR4.PSE 4 MB pages, (c) PAE with a 4K page
; table and a 2 MB page.  In each, a buffer is mapped at two linear addresses;
; a xorshift32 stream is written through one mapping and a checksum is read
; back through the other, then compared with the checksum nasm's preprocessor
; computed at assembly time (no CPU involved).  Also checks the accessed/dirty
; bits the CPU sets in the paging entries and that INVLPG and a CR3 reload make
; a remapping visible.

%include "lib.inc"

NDW     equ 4096                ; dwords per checksum pass

; expected checksum of NDW xorshift32 values from SEED, folded with rol 5 / xor
%macro EXPECTED_SUM 2           ; name, seed
%assign xs_x %2
%assign xs_cs 0
%rep NDW
%assign xs_x (xs_x ^ (xs_x << 13)) & 0xFFFFFFFF
%assign xs_x xs_x ^ (xs_x >> 17)
%assign xs_x (xs_x ^ (xs_x << 5)) & 0xFFFFFFFF
%assign xs_cs ((((xs_cs << 5) | (xs_cs >> 27)) & 0xFFFFFFFF) ^ xs_x)
%endrep
%1 equ xs_cs
%endmacro
EXPECTED_SUM SUM_A, 1
EXPECTED_SUM SUM_B, 2
EXPECTED_SUM SUM_C, 3

; (a) 4K pages
A_PD    equ 0x20000
A_PT0   equ 0x21000             ; identity 0-4 MB
A_PT1   equ 0x22000             ; linear 0x40000000: buffer pages 0..3
A_PT2   equ 0x23000             ; linear 0x80000000: buffer pages swapped in pairs
A_BUF   equ 0x100000
A_MARK  equ 0x110000            ; page with a marker for the remap checks
; (b) 4 MB pages
B_PD    equ 0x24000
B_BUF   equ 0x400000
; (c) PAE
C_PDPT  equ 0x25000
C_PD0   equ 0x26000
C_PT0   equ 0x27000             ; identity 0-2 MB
C_PD1   equ 0x28000             ; linear 0x40000000 ->
C_PT1   equ 0x29000             ;   4K pages of the buffer
C_PD2   equ 0x2a000             ; linear 0x80000000 -> 2 MB page of the buffer
C_BUF   equ 0x1000000
C_MARK  equ 0x1100000

PTE_P   equ 1
PTE_RW  equ 2
PTE_A   equ 0x20
PTE_D   equ 0x40
PTE_PS  equ 0x80

pm_main:
        PRINT "pm-paging: 2-level 4K pages"
        call newline
        ; ---------------- (a) ----------------
        mov edi, A_PD
        xor eax, eax
        mov ecx, 4096           ; PD + 3 PTs
        rep stosd
        mov edi, A_PT0
        mov eax, PTE_P | PTE_RW
        mov ecx, 1024
.a_id:  stosd
        add eax, 0x1000
        dec ecx
        jnz .a_id
        xor ecx, ecx            ; PT1[i] = buf page i, PT2[i] = buf page i^1
.a_al:  mov eax, ecx
        shl eax, 12
        add eax, A_BUF | PTE_P | PTE_RW
        mov [A_PT1 + ecx * 4], eax
        mov eax, ecx
        xor eax, 1
        shl eax, 12
        add eax, A_BUF | PTE_P | PTE_RW
        mov [A_PT2 + ecx * 4], eax
        inc ecx
        cmp ecx, 4
        jb .a_al
        mov dword [A_PD], A_PT0 | PTE_P | PTE_RW
        mov dword [A_PD + 256 * 4], A_PT1 | PTE_P | PTE_RW
        mov dword [A_PD + 512 * 4], A_PT2 | PTE_P | PTE_RW
        mov eax, A_PD
        mov cr3, eax
        call paging_on

        ; write through 0x40000000 (linear order)
        mov edi, 0x40000000
        mov eax, 1
        mov ecx, NDW
.a_w:   call xorshift
        stosd
        dec ecx
        jnz .a_w
        ; read through 0x80000000 (pages swapped in pairs)
        xor ecx, ecx
        xor edx, edx
.a_r:   mov eax, ecx
        shr eax, 10
        xor eax, 1
        shl eax, 12
        mov ebx, ecx
        and ebx, 1023
        lea eax, [eax + ebx * 4 + 0x80000000]
        rol edx, 5
        xor edx, [eax]
        inc ecx
        cmp ecx, NDW
        jb .a_r
        CHECK "4K: checksum written via one alias, read via the other", edx, SUM_A
        ; accessed/dirty bits
        mov eax, [A_PT1 + 2 * 4]
        and eax, PTE_A | PTE_D
        CHECK "4K: written PTE has A and D", eax, PTE_A | PTE_D
        mov eax, [A_PT2 + 2 * 4]
        and eax, PTE_A | PTE_D
        CHECK "4K: read-only-accessed PTE has A, not D", eax, PTE_A
        mov eax, [A_PD + 512 * 4]
        and eax, PTE_A
        CHECK "4K: PDE accessed bit", eax, PTE_A
        mov eax, [A_PT0 + 0x200 * 4]     ; linear 0x200000 never touched
        and eax, PTE_A | PTE_D
        CHECK "4K: untouched PTE has neither", eax, 0
        ; remap alias page 0 to the marker page: INVLPG makes it visible
        mov dword [A_MARK], 0xcafe0001
        mov dword [A_MARK + 0x1000], 0xcafe0002
        mov eax, [0x80000000]   ; load the old translation into the TLB
        mov dword [A_PT2], A_MARK | PTE_P | PTE_RW
        invlpg [0x80000000]
        CHECK "4K: INVLPG shows the new mapping", dword [0x80000000], 0xcafe0001
        mov dword [A_PT2], (A_MARK + 0x1000) | PTE_P | PTE_RW
        mov eax, cr3
        mov cr3, eax
        CHECK "4K: CR3 reload shows the new mapping", dword [0x80000000], 0xcafe0002
        ; a write through the alias lands in the marker page
        mov dword [0x80000004], 0x12345678
        CHECK "4K: write through remapped alias", dword [A_MARK + 0x1004], 0x12345678
        call paging_off

        ; ---------------- (b) ----------------
        PRINT "pm-paging: 4 MB pages (PSE)"
        call newline
        mov edi, B_PD
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [B_PD], 0 | PTE_P | PTE_RW | PTE_PS
        mov dword [B_PD + 256 * 4], B_BUF | PTE_P | PTE_RW | PTE_PS
        mov dword [B_PD + 768 * 4], B_BUF | PTE_P | PTE_RW | PTE_PS
        mov dword [B_PD + 769 * 4], (B_BUF + 0x400000) | PTE_P | PTE_RW | PTE_PS
        mov eax, cr4
        or eax, 0x10            ; PSE
        mov cr4, eax
        mov eax, B_PD
        mov cr3, eax
        call paging_on
        mov edi, 0x40000000
        mov eax, 2
        mov ecx, NDW
.b_w:   call xorshift
        mov [edi], eax
        add edi, 1020           ; spread over the whole 4 MB page
        dec ecx
        jnz .b_w
        mov esi, 0xc0000000
        xor edx, edx
        mov ecx, NDW
.b_r:   rol edx, 5
        xor edx, [esi]
        add esi, 1020
        dec ecx
        jnz .b_r
        CHECK "4M: checksum written via one alias, read via the other", edx, SUM_B
        mov eax, [B_PD + 256 * 4]
        and eax, PTE_A | PTE_D
        CHECK "4M: written PDE has A and D", eax, PTE_A | PTE_D
        mov eax, [B_PD + 768 * 4]
        and eax, PTE_A | PTE_D
        CHECK "4M: read PDE has A, not D", eax, PTE_A
        ; physical addresses above 4 MB: the next 4 MB page
        mov dword [0xc0400000 + 0x3ffffc], 0x600dcafe
        CHECK "4M: second 4M page physical", dword [0xc0400000 + 0x3ffffc], 0x600dcafe
        mov eax, [B_PD + 256 * 4]  ; 0x40000000 -> phys 8 MB - 4 after INVLPG
        mov dword [B_PD + 256 * 4], (B_BUF + 0x400000) | PTE_P | PTE_RW | PTE_PS
        invlpg [0x40000000 + 0x3ffffc]
        CHECK "4M: INVLPG of a large page", dword [0x40000000 + 0x3ffffc], 0x600dcafe
        call paging_off
        mov eax, cr4
        and eax, ~0x10
        mov cr4, eax
        ; the same physical bytes without paging
        CHECK "4M: physical memory after paging off", dword [B_BUF + 0x400000 + 0x3ffffc], 0x600dcafe

        ; ---------------- (c) ----------------
        PRINT "pm-paging: PAE, 4K and 2 MB pages"
        call newline
        mov edi, C_PDPT
        xor eax, eax
        mov ecx, (C_PD2 + 0x1000 - C_PDPT) / 4
        rep stosd
        mov dword [C_PDPT + 0 * 8], C_PD0 | PTE_P
        mov dword [C_PDPT + 1 * 8], C_PD1 | PTE_P
        mov dword [C_PDPT + 2 * 8], C_PD2 | PTE_P
        mov dword [C_PD0], C_PT0 | PTE_P | PTE_RW
        mov edi, C_PT0
        mov eax, PTE_P | PTE_RW
        mov ecx, 512
.c_id:  mov [edi], eax
        mov dword [edi + 4], 0
        add edi, 8
        add eax, 0x1000
        dec ecx
        jnz .c_id
        mov dword [C_PD1], C_PT1 | PTE_P | PTE_RW
        xor ecx, ecx
.c_al:  mov eax, ecx
        shl eax, 12
        add eax, C_BUF | PTE_P | PTE_RW
        mov [C_PT1 + ecx * 8], eax
        inc ecx
        cmp ecx, 4
        jb .c_al
        mov dword [C_PD2], C_BUF | PTE_P | PTE_RW | PTE_PS
        mov eax, cr4
        or eax, 0x20            ; PAE
        mov cr4, eax
        mov dword [C_MARK], 0xcafe0003   ; not mapped once paging is on
        mov eax, C_PDPT
        mov cr3, eax
        call paging_on
        mov edi, 0x40000000
        mov eax, 3
        mov ecx, NDW
.c_w:   call xorshift
        stosd
        dec ecx
        jnz .c_w
        mov esi, 0x80000000
        xor edx, edx
        mov ecx, NDW
.c_r:   rol edx, 5
        xor edx, [esi]
        add esi, 4
        dec ecx
        jnz .c_r
        CHECK "PAE: checksum written via 4K pages, read via a 2M page", edx, SUM_C
        mov eax, [C_PT1 + 3 * 8]
        and eax, PTE_A | PTE_D
        CHECK "PAE: written PTE has A and D", eax, PTE_A | PTE_D
        mov eax, [C_PD2]
        and eax, PTE_A | PTE_D
        CHECK "PAE: read 2M PDE has A, not D", eax, PTE_A
        mov eax, [0x40000000]
        mov dword [C_PT1], C_MARK | PTE_P | PTE_RW
        invlpg [0x40000000]
        CHECK "PAE: INVLPG shows the new mapping", dword [0x40000000], 0xcafe0003
        ; physical address above 4 GiB is not present here: PTE high dword
        CHECK "PAE: PTE high dword untouched", dword [C_PT1 + 4], 0

        ; ---- PAE with EFER.NXE: executing an XD page faults (I/D bit) ----
        mov eax, 0x80000001
        cpuid
        and edx, 1 << 20
        CHECK "PAE: CPUID 80000001 EDX.NX", edx, 1 << 20
        mov ecx, 0xc0000080     ; EFER
        rdmsr
        or eax, 1 << 11         ; NXE
        wrmsr
        rdmsr
        and eax, 1 << 11
        CHECK "PAE: EFER.NXE set and read back", eax, 1 << 11
        mov byte [0x80001000], 0xb8     ; (through the writable 2M alias)
        mov dword [0x80001001], 0x77
        mov byte [0x80001005], 0xc3
        mov dword [C_PT1 + 1 * 8 + 4], 0x80000000       ; XD
        invlpg [0x40001000]
        mov eax, [0x40001001]   ; reading an XD page is fine
        CHECK "PAE: read from an XD page", eax, 0x77
        mov eax, 14
        mov ebx, pf_handler
        mov cl, 0x8E
        call lib_set_gate
        xor eax, eax
        call 0x40001000         ; #PF; the handler clears XD; retried
        CHECK "PAE: XD page runs once XD is cleared", eax, 0x77
        CHECK "PAE: execute XD #PF error code (P, I/D)", dword [pf_err], 0x11
        CHECK "PAE: execute XD #PF cr2", dword [pf_cr2], 0x40001000
        CHECK "PAE: execute XD #PF eip", dword [pf_eip], 0x40001000
        CHECK "PAE: one #PF", dword [pf_count], 1
        call paging_off
        mov eax, cr4
        and eax, ~0x20
        mov cr4, eax
        LIB_FINISH

pf_handler:
        push eax
        mov eax, [esp + 4]
        mov [pf_err], eax
        mov eax, [esp + 8]
        mov [pf_eip], eax
        mov eax, cr2
        mov [pf_cr2], eax
        inc dword [pf_count]
        mov dword [C_PT1 + 1 * 8 + 4], 0        ; clear XD
        invlpg [eax]
        pop eax
        add esp, 4
        iretd

align 4
pf_err:     dd 0
pf_eip:     dd 0
pf_cr2:     dd 0
pf_count:   dd 0

paging_on:
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .flush              ; (a jump after setting PG, as the SDM asks)
.flush: ret

paging_off:
        mov eax, cr0
        and eax, 0x7fffffff
        mov cr0, eax
        jmp .flush
.flush: ret

; xorshift32: EAX = next(EAX); clobbers EBX.
xorshift:
        mov ebx, eax
        shl ebx, 13
        xor eax, ebx
        mov ebx, eax
        shr ebx, 17
        xor eax, ebx
        mov ebx, eax
        shl ebx, 5
        xor eax, ebx
        ret

LIB_END
