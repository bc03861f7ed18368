; tests/guest/disk-boot.asm - a boot sector that SeaBIOS loads from -hda (an MBR
; at 0000:7C00) or, assembled with -DCDROM, from -cdrom (El Torito, no
; emulation, loaded at 07C0:0000).  It prints on COM1, checks the INT 13h
; extensions, reads a sector through them (ATA PIO/DMA or ATAPI under the
; BIOS), writes one on the hard disk, and exits through isa-debug-exit:
; 0x20 (status 65) when everything worked, 0x21 (status 67) otherwise.
;
; The disk image the test builds holds "PCVM-DISK-SECTOR-1" at LBA 1; the
; CD's LBA 16 is the ISO 9660 primary volume descriptor ("\x01CD001").
; On the disk, LBA 2 is written with "PCVM-WRITTEN-BY-GUEST" (the test checks
; the image file afterwards, or that it did not change under -snapshot).

bits 16
org 0x7c00

COM1    equ 0x3f8
BUF     equ 0x8000

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        jmp 0:main                  ; CS:IP = 0000:7Cxx whatever the loader used

main:
        cld
        mov [drive], dl
        mov si, msg_boot
        call puts
        mov al, [drive]
        call puthex8
        call crlf

        mov ah, 0x41                ; extensions present?
        mov bx, 0x55aa
        mov dl, [drive]
        int 0x13
        jc .no_ext
        cmp bx, 0xaa55
        jne .no_ext
        mov si, msg_ext
        call puts

        mov si, dap                 ; read the check sector
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
        jc .read_err
        mov si, BUF
        mov di, expect
        mov cx, expect_len
        repe cmpsb
        jne .bad_data
        mov si, msg_read
        call puts

%ifndef CDROM
        mov si, written             ; the sector to write, padded with zeros
        mov di, BUF
        mov cx, 512
        xor al, al
        rep stosb
        mov si, written
        mov di, BUF
        mov cx, written_len
        rep movsb
        mov word [dap + 8], 2       ; LBA 2
        mov si, dap
        mov ax, 0x4300              ; extended write, no verify
        mov dl, [drive]
        int 0x13
        jc .write_err
        mov si, msg_write
        call puts
%endif
        mov si, msg_pass
        call puts
        mov al, 0x20
        out 0xf4, al
        jmp halt

.no_ext:
        mov si, msg_no_ext
        jmp fail
.read_err:
        mov si, msg_read_err
        jmp fail
.bad_data:
        mov si, msg_bad_data
        jmp fail
%ifndef CDROM
.write_err:
        mov si, msg_write_err
%endif
fail:
        call puts
        mov al, ah
        call puthex8
        call crlf
        mov al, 0x21
        out 0xf4, al
halt:
        cli
        hlt
        jmp halt

; ---- COM1 output ----
putc:                               ; al
        push dx
        push ax
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop ax
        mov dx, COM1
        out dx, al
        pop dx
        ret

puts:                               ; ds:si, NUL-terminated
        push ax
.next:  lodsb
        test al, al
        jz .done
        call putc
        jmp .next
.done:  pop ax
        ret

crlf:
        push ax
        mov al, 13
        call putc
        mov al, 10
        call putc
        pop ax
        ret

puthex8:                            ; al
        push ax
        push ax
        shr al, 4
        call .nib
        pop ax
        and al, 15
        call .nib
        pop ax
        ret
.nib:   add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '9' - 1
.out:   jmp putc

; ---- data ----
drive:  db 0
dap:    db 16, 0                    ; INT 13h AH=42h disk address packet
        dw 1                        ; one sector
        dw BUF, 0                   ; buffer 0000:8000
%ifdef CDROM
        dq 16                       ; the ISO 9660 primary volume descriptor
expect: db 1, "CD001"
%else
        dq 1
expect: db "PCVM-DISK-SECTOR-1"
%endif
expect_len equ $ - expect
written: db "PCVM-WRITTEN-BY-GUEST"
written_len equ $ - written

%ifdef CDROM
msg_boot:     db "disk-boot: CD-ROM, drive 0x", 0
%else
msg_boot:     db "disk-boot: hard disk, drive 0x", 0
%endif
msg_ext:      db "ext ok", 13, 10, 0
msg_read:     db "read ok", 13, 10, 0
msg_write:    db "write ok", 13, 10, 0
msg_pass:     db "PASS", 13, 10, 0
msg_no_ext:   db "FAIL ext ah=", 0
msg_read_err: db "FAIL read ah=", 0
msg_bad_data: db "FAIL data ah=", 0
msg_write_err: db "FAIL write ah=", 0

        times 510 - ($ - $$) db 0
        dw 0xaa55
