; tests/guest/multiboot-acpi.asm - a multiboot kernel that does what an OS does
; with pcvm's ACPI tables: find the RSDP in the BIOS area, check every table's
; checksum on the way RSDP -> RSDT -> FADT -> DSDT, switch to ACPI mode through
; SMI_CMD/ACPI_ENABLE and wait for SCI_EN, read SLP_TYPa of \_S5 from the DSDT,
; then power off by writing SLP_TYP | SLP_EN to PM1a_CNT (pcvm must exit with
; status 0).  With "reset" on the command line it resets through the FADT's
; RESET_REG instead.  It prints each step on COM1; if it is still running
; afterwards it exits through isa-debug-exit with 0x21 (status 67).

        bits    32

LOAD            equ 0x100000
MB_MAGIC        equ 0x1badb002
MB_FLAGS        equ 0x00010002          ; memory info, a.out kludge
COM1            equ 0x3f8
DEBUG_EXIT      equ 0xf4
SLP_EN          equ 1 << 13
SCI_EN          equ 1

        org     LOAD
mb_header:
        dd      MB_MAGIC
        dd      MB_FLAGS
        dd      -(MB_MAGIC + MB_FLAGS)
        dd      mb_header, LOAD, file_end, bss_end, start

putc:
        push    edx
        push    eax
        mov     dx, COM1 + 5
.wait:  in      al, dx
        test    al, 0x20
        jz      .wait
        pop     eax
        mov     dx, COM1
        out     dx, al
        pop     edx
        ret

puts:
        push    eax
        push    esi
.next:  lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     .next
.done:  pop     esi
        pop     eax
        ret

puthex:                                 ; eax, 8 digits
        pushad
        mov     ecx, 8
.dig:   rol     eax, 4
        push    eax
        and     al, 0xf
        add     al, '0'
        cmp     al, '9'
        jbe     .out
        add     al, 'a' - '0' - 10
.out:   call    putc
        pop     eax
        loop    .dig
        popad
        ret

%macro SAY 1                            ; preserves every register
        push    esi
        mov     esi, %1
        call    puts
        pop     esi
%endmacro

die:                                    ; esi: reason
        SAY     msg_fail
        call    puts
        mov     al, 10
        call    putc
        mov     al, 0x21
        out     DEBUG_EXIT, al
.h:     cli
        hlt
        jmp     .h

; table_ok(esi = table): ZF=1 when its bytes sum to 0 (length at +4)
table_ok:
        push    ecx
        push    esi
        mov     ecx, [esi + 4]
        cmp     ecx, 36
        jb      .bad
        xor     al, al
.sum:   add     al, [esi]
        inc     esi
        loop    .sum
        test    al, al
        jmp     .out
.bad:   or      esp, esp                ; ZF=0
.out:   pop     esi
        pop     ecx
        ret

start:
        mov     esp, stack_top
        cld
        mov     [mbi], ebx

        ; the RSDP lies on a 16-byte boundary in 0xe0000-0xfffff
        mov     esi, 0xe0000
.scan:  cmp     dword [esi], 'RSD '
        jne     .next
        cmp     dword [esi + 4], 'PTR '
        jne     .next
        xor     al, al
        xor     ecx, ecx
.rsum:  add     al, [esi + ecx]
        inc     ecx
        cmp     ecx, 20
        jb      .rsum
        test    al, al
        jz      .found
.next:  add     esi, 16
        cmp     esi, 0x100000
        jb      .scan
        mov     esi, msg_no_rsdp
        jmp     die
.found:
        SAY     msg_rsdp
        mov     eax, esi
        call    puthex
        mov     al, 10
        call    putc

        mov     esi, [esi + 16]         ; RSDT
        cmp     dword [esi], 'RSDT'
        jne     .bad_rsdt
        call    table_ok
        jz      .rsdt_ok
.bad_rsdt:
        mov     esi, msg_bad_rsdt
        jmp     die
.rsdt_ok:
        SAY     msg_rsdt_ok
        mov     ecx, [esi + 4]
        sub     ecx, 36
        shr     ecx, 2
        lea     edi, [esi + 36]
.entry: jecxz   .no_fadt
        mov     esi, [edi]
        cmp     dword [esi], 'FACP'
        je      .fadt
        add     edi, 4
        dec     ecx
        jmp     .entry
.no_fadt:
        mov     esi, msg_no_fadt
        jmp     die
.fadt:
        call    table_ok
        jz      .fadt_ok
        mov     esi, msg_bad_fadt
        jmp     die
.fadt_ok:
        mov     [fadt], esi
        SAY     msg_fadt_ok

        ; into ACPI mode: ACPI_ENABLE to SMI_CMD, then SCI_EN shows in PM1a_CNT
        mov     ebx, [fadt]
        mov     edx, [ebx + 48]         ; SMI_CMD
        mov     al, [ebx + 52]          ; ACPI_ENABLE
        out     dx, al
        mov     edx, [ebx + 64]         ; PM1a_CNT_BLK
        mov     ecx, 1000000
.poll:  in      ax, dx
        test    ax, SCI_EN
        jnz     .enabled
        loop    .poll
        mov     esi, msg_no_sci_en
        jmp     die
.enabled:
        SAY     msg_enabled

        ; the PM timer runs
        mov     edx, [ebx + 76]         ; PM_TMR_BLK
        in      eax, dx
        mov     edi, eax
        mov     ecx, 10000000
.tmr:   in      eax, dx
        cmp     eax, edi
        jne     .ticks
        loop    .tmr
        mov     esi, msg_no_tmr
        jmp     die
.ticks:
        SAY     msg_tmr

        ; reset instead of power-off when asked
        mov     eax, [mbi]
        mov     esi, [eax + 16]         ; command line
.word:  lodsb
        test    al, al
        jz      .poweroff
        cmp     dword [esi - 1], 'rese'
        jne     .word
        SAY     msg_reset
        test    dword [ebx + 112], 1 << 10      ; RESET_REG_SUP
        jz      .no_reset
        cmp     byte [ebx + 116], 1             ; system I/O
        jne     .no_reset
        mov     edx, [ebx + 120]
        mov     al, [ebx + 128]                 ; RESET_VALUE
        out     dx, al
        mov     ecx, 10000000
.wait_reset:
        loop    .wait_reset
        mov     esi, msg_no_reset
        jmp     die
.no_reset:
        mov     esi, msg_no_reset_reg
        jmp     die

.poweroff:
        ; \_S5: NameOp "_S5_" PackageOp PkgLength NumElements SLP_TYPa ...
        mov     esi, [ebx + 40]         ; DSDT
        cmp     dword [esi], 'DSDT'
        jne     .bad_dsdt
        call    table_ok
        jz      .dsdt_ok
.bad_dsdt:
        mov     esi, msg_bad_dsdt
        jmp     die
.dsdt_ok:
        SAY     msg_dsdt_ok
        mov     ecx, [esi + 4]
        sub     ecx, 8
        add     esi, 36
.find:  cmp     dword [esi], '_S5_'
        jne     .fnext
        cmp     byte [esi - 1], 0x08    ; NameOp
        jne     .fnext
        cmp     byte [esi + 4], 0x12    ; PackageOp
        je      .s5
.fnext: inc     esi
        loop    .find
        mov     esi, msg_no_s5
        jmp     die
.s5:
        movzx   eax, byte [esi + 5]     ; PkgLength: 1 byte when bits 7:6 are 0
        test    al, 0xc0
        jnz     .bad_s5
        mov     al, [esi + 7]           ; first element
        cmp     al, 0x00                ; ZeroOp
        je      .typ
        cmp     al, 0x01                ; OneOp
        je      .typ
        cmp     al, 0x0a                ; BytePrefix
        jne     .bad_s5
        mov     al, [esi + 8]
.typ:   movzx   eax, al
        mov     [slp_typ], eax
        SAY     msg_s5
        mov     eax, [slp_typ]
        call    puthex
        mov     al, 10
        call    putc

        SAY     msg_off
        mov     edx, [ebx + 64]         ; PM1a_CNT_BLK
        in      ax, dx
        and     ax, ~(7 << 10)
        mov     ecx, [slp_typ]
        shl     ecx, 10
        or      ax, cx
        or      ax, SLP_EN
        out     dx, ax
        mov     ecx, 10000000
.wait_off:
        loop    .wait_off
        mov     esi, msg_still_on
        jmp     die
.bad_s5:
        mov     esi, msg_bad_s5
        jmp     die

msg_fail:       db 'FAIL ', 0
msg_no_rsdp:    db 'no RSDP in 0xe0000-0xfffff', 0
msg_rsdp:       db 'acpi: RSDP at 0x', 0
msg_bad_rsdt:   db 'RSDT signature or checksum', 0
msg_rsdt_ok:    db 'acpi: RSDT ok', 10, 0
msg_no_fadt:    db 'no FACP in the RSDT', 0
msg_bad_fadt:   db 'FADT checksum', 0
msg_fadt_ok:    db 'acpi: FADT ok', 10, 0
msg_no_sci_en:  db 'SCI_EN never set after ACPI_ENABLE', 0
msg_enabled:    db 'acpi: ACPI mode enabled', 10, 0
msg_no_tmr:     db 'PM timer does not count', 0
msg_tmr:        db 'acpi: PM timer counts', 10, 0
msg_bad_dsdt:   db 'DSDT signature or checksum', 0
msg_dsdt_ok:    db 'acpi: DSDT ok', 10, 0
msg_no_s5:      db 'no \_S5 package in the DSDT', 0
msg_bad_s5:     db '\_S5 package not understood', 0
msg_s5:         db 'acpi: _S5 SLP_TYPa 0x', 0
msg_off:        db 'acpi: powering off', 10, 0
msg_still_on:   db 'still running after SLP_EN', 0
msg_reset:      db 'acpi: resetting through RESET_REG', 10, 0
msg_no_reset:   db 'still running after RESET_REG write', 0
msg_no_reset_reg: db 'FADT has no usable RESET_REG', 0

        align   4
file_end:
        absolute file_end
mbi:            resd 1
fadt:           resd 1
slp_typ:        resd 1
        alignb  16
                resb 4096
stack_top:
bss_end:
