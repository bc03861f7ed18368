; tests/guest/disk-dma.asm - a bare-metal IDE driver, run as the BIOS image:
; it programs the PIIX3 IDE function through PCI config space (BAR4, bus
; mastering) and then, as Linux's ata_piix does, moves data by bus-master DMA
; with PRD tables: WRITE DMA of 64 KiB, READ DMA back through two PRDs, READ
; DMA EXT (LBA48), PIO reads with REP INSW/INSD, an out-of-range LBA, IRQ 14
; in the 8259, and on the secondary channel an ATAPI CD-ROM: IDENTIFY PACKET
; DEVICE, INQUIRY by PIO and READ(10) by DMA.
; The disk is 1 MiB (2048 sectors); the CD is a copy of the disk image made
; before the run, whose sector 4 (CD LBA 1) starts with "PCVM-CD-SECTOR".
; The host checks the written sectors in the image file afterwards.

%include "lib.inc"

BM          equ 0xc000          ; bus master registers (BAR4)
BUF_W       equ 0x20000         ; 64 KiB written to the disk
BUF_R       equ 0x30000         ; 64 KiB read back
PRD         equ 0x40000
BUF_PIO     equ 0x50000
BUF_CD      equ 0x58000
LBA_W       equ 0x100           ; where the 64 KiB go
SPIN        equ 0x4000000

; wait until (in al, PORT) & MASK == 0, at most SPIN reads; ZF=1 on success
%macro WAIT_CLEAR 2
        mov ecx, SPIN
%%l:    mov dx, %1
        in al, dx
        test al, %2
        jz %%d
        dec ecx
        jnz %%l
        or ecx, 1                   ; ZF=0: timed out
%%d:
%endmacro

; wait until (in al, PORT) & MASK != 0; ZF=0 on success
%macro WAIT_SET 2
        mov ecx, SPIN
%%l:    mov dx, %1
        in al, dx
        test al, %2
        jnz %%d
        dec ecx
        jnz %%l
%%d:
%endmacro

%macro OUTB 2
        mov dx, %1
        mov al, %2
        out dx, al
%endmacro

; task file for LBA28: count, lba (device 0 or 1 via base)
%macro TASKFILE 3                   ; base, count, lba
        OUTB %1 + 2, %2
        OUTB %1 + 3, (%3) & 0xff
        OUTB %1 + 4, ((%3) >> 8) & 0xff
        OUTB %1 + 5, ((%3) >> 16) & 0xff
        OUTB %1 + 6, 0xe0 | (((%3) >> 24) & 0x0f)
%endmacro

pm_main:
        ; both 8259s initialised and fully masked: IRR still latches requests
        mov al, 0x11
        out 0x20, al
        out 0xa0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xa1, al
        mov al, 4
        out 0x21, al
        mov al, 2
        out 0xa1, al
        mov al, 1
        out 0x21, al
        out 0xa1, al
        mov al, 0xff
        out 0x21, al
        out 0xa1, al

        ; ---- PCI: 00:01.1 ----
        mov eax, 0x80000900
        mov dx, 0xcf8
        out dx, eax
        mov dx, 0xcfc
        in eax, dx
        CHECK "PCI 00:01.1 is 8086:7010", eax, 0x70108086
        mov eax, 0x80000920         ; BAR4
        mov dx, 0xcf8
        out dx, eax
        mov dx, 0xcfc
        mov eax, BM | 1
        out dx, eax
        mov eax, 0x80000904         ; command: I/O space + bus master
        mov dx, 0xcf8
        out dx, eax
        mov dx, 0xcfc
        mov ax, 5
        out dx, ax

        ; ---- IDENTIFY DEVICE by PIO (REP INSW) ----
        OUTB 0x1f6, 0xa0
        OUTB 0x1f7, 0xec
        WAIT_CLEAR 0x3f6, 0x80
        mov dx, 0x1f7
        in al, dx
        movzx eax, al
        CHECK "IDENTIFY: DRDY DSC DRQ", eax, 0x58
        mov edi, BUF_PIO
        mov ecx, 256
        mov dx, 0x1f0
        rep insw
        movzx eax, word [BUF_PIO]
        CHECK "IDENTIFY word 0: ATA disk", eax, 0x40
        mov eax, [BUF_PIO + 120]
        CHECK "IDENTIFY words 60-61: 2048 sectors", eax, 2048

        ; ---- WRITE DMA: 128 sectors from one 64 KiB PRD ----
        mov edi, BUF_W
        xor ecx, ecx
.fill:  imul eax, ecx, 0x9e3779b1
        add eax, 0x12345678
        stosd
        inc ecx
        cmp ecx, 16384
        jb .fill
        mov dword [PRD], BUF_W
        mov dword [PRD + 4], 0x80000000  ; count 0 = 64 KiB, EOT
        mov dx, BM + 4
        mov eax, PRD
        out dx, eax
        OUTB BM + 2, 0x06           ; clear interrupt and error
        OUTB BM, 0                  ; direction: memory -> disk
        TASKFILE 0x1f0, 128, LBA_W
        OUTB 0x1f7, 0xca
        OUTB BM, 1                  ; start
        WAIT_SET BM + 2, 0x04
        movzx eax, al
        and eax, 7
        CHECK "WRITE DMA: bus master interrupt, table done", eax, 4
        OUTB BM, 0
        mov dx, 0x1f7
        in al, dx
        movzx eax, al
        CHECK "WRITE DMA: drive ready", eax, 0x50

        ; ---- READ DMA back through two 32 KiB PRDs ----
        mov edi, BUF_R
        mov ecx, 16384
        xor eax, eax
        rep stosd
        mov dword [PRD], BUF_R
        mov dword [PRD + 4], 0x8000
        mov dword [PRD + 8], BUF_R + 0x8000
        mov dword [PRD + 12], 0x80008000
        OUTB BM + 2, 0x06
        OUTB BM, 8                  ; direction: disk -> memory
        TASKFILE 0x1f0, 128, LBA_W
        OUTB 0x1f7, 0xc8
        OUTB BM, 9
        WAIT_SET BM + 2, 0x04
        movzx eax, al
        and eax, 7
        CHECK "READ DMA: bus master interrupt, table done", eax, 4
        mov al, 0x0a                ; OCW3: read IRR
        out 0xa0, al
        in al, 0xa0
        movzx eax, al
        and eax, 0x40
        CHECK "IRQ 14 requested at the slave 8259", eax, 0x40
        OUTB BM, 0
        mov dx, 0x1f7
        in al, dx
        movzx eax, al
        CHECK "READ DMA: drive ready", eax, 0x50
        mov esi, BUF_W
        mov edi, BUF_R
        mov ecx, 16384
        repe cmpsd
        CHECK "READ DMA returns what WRITE DMA wrote (dwords left)", ecx, 0

        ; ---- PIO READ SECTORS with REP INSD ----
        TASKFILE 0x1f0, 2, LBA_W + 1
        OUTB 0x1f7, 0x20
        mov edi, BUF_PIO
        mov ebx, 2
.pio:   WAIT_CLEAR 0x3f6, 0x80
        mov ecx, 128
        mov dx, 0x1f0
        rep insd
        dec ebx
        jnz .pio
        mov esi, BUF_W + 512
        mov edi, BUF_PIO
        mov ecx, 256
        repe cmpsd
        CHECK "PIO READ SECTORS (REP INSD) matches", ecx, 0
        mov dx, 0x1f7
        in al, dx

        ; ---- READ DMA EXT (LBA48 task file) of the last written sector ----
        mov dword [PRD], BUF_PIO
        mov dword [PRD + 4], 0x80000200
        OUTB BM + 2, 0x06
        OUTB BM, 8
        OUTB 0x1f2, 0               ; previous (high) bytes first
        OUTB 0x1f3, 0
        OUTB 0x1f4, 0
        OUTB 0x1f5, 0
        OUTB 0x1f2, 1
        OUTB 0x1f3, (LBA_W + 127) & 0xff
        OUTB 0x1f4, (LBA_W + 127) >> 8
        OUTB 0x1f5, 0
        OUTB 0x1f6, 0xe0
        OUTB 0x1f7, 0x25
        OUTB BM, 9
        WAIT_SET BM + 2, 0x04
        OUTB BM, 0
        mov dx, 0x1f7
        in al, dx
        mov esi, BUF_W + 127 * 512
        mov edi, BUF_PIO
        mov ecx, 128
        repe cmpsd
        CHECK "READ DMA EXT of LBA 0x17f", ecx, 0

        ; ---- an LBA past the end ----
        TASKFILE 0x1f0, 1, 2048
        OUTB 0x1f7, 0x20
        WAIT_CLEAR 0x3f6, 0x80
        mov dx, 0x1f7
        in al, dx
        movzx eax, al
        CHECK "READ past the end: ERR", eax, 0x41
        mov dx, 0x1f1
        in al, dx
        movzx eax, al
        CHECK "READ past the end: IDNF", eax, 0x10

        ; ---- ATAPI on the secondary master ----
        OUTB 0x176, 0xa0
        mov dx, 0x174
        in al, dx
        mov ah, al
        mov dx, 0x175
        in al, dx
        xchg al, ah
        movzx eax, ax
        CHECK "secondary master has the ATAPI signature", eax, 0xeb14
        OUTB 0x177, 0xa1
        WAIT_CLEAR 0x376, 0x80
        mov edi, BUF_PIO
        mov ecx, 256
        mov dx, 0x170
        rep insw
        movzx eax, word [BUF_PIO]
        CHECK "IDENTIFY PACKET DEVICE word 0", eax, 0x85c0

        ; INQUIRY by PIO: byte count limit 0xfffe
        OUTB 0x171, 0
        OUTB 0x174, 0xfe
        OUTB 0x175, 0xff
        OUTB 0x177, 0xa0
        WAIT_SET 0x376, 0x08        ; DRQ for the packet
        mov esi, cdb_inquiry
        mov ecx, 6
        mov dx, 0x170
        rep outsw
        WAIT_CLEAR 0x376, 0x80
        mov dx, 0x174
        in al, dx
        movzx eax, al
        CHECK "INQUIRY: byte count 36", eax, 36
        mov edi, BUF_PIO
        mov ecx, 18
        mov dx, 0x170
        rep insw
        movzx eax, byte [BUF_PIO]
        CHECK "INQUIRY: CD/DVD device", eax, 5
        mov dx, 0x177
        in al, dx
        movzx eax, al
        CHECK "INQUIRY: completion status", eax, 0x50

        ; READ(10) of CD LBA 1 by DMA on the secondary bus master
        mov dword [PRD + 16], BUF_CD
        mov dword [PRD + 20], 0x80000800
        mov dx, BM + 8 + 4
        mov eax, PRD + 16
        out dx, eax
        OUTB BM + 8 + 2, 0x06
        OUTB BM + 8, 8
        OUTB 0x171, 1               ; DMA
        OUTB 0x177, 0xa0
        WAIT_SET 0x376, 0x08
        mov esi, cdb_read10
        mov ecx, 6
        mov dx, 0x170
        rep outsw
        OUTB BM + 8, 9
        WAIT_SET BM + 8 + 2, 0x04
        OUTB BM + 8, 0
        mov dx, 0x177
        in al, dx
        movzx eax, al
        CHECK "ATAPI DMA READ(10): completion status", eax, 0x50
        mov esi, cd_expect
        mov edi, BUF_CD
        mov ecx, cd_expect_len
        repe cmpsb
        CHECK "ATAPI DMA READ(10): the CD's LBA 1", ecx, 0

        LIB_FINISH

cdb_inquiry:    db 0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0
cdb_read10:     db 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0
cd_expect:      db "PCVM-CD-SECTOR"
cd_expect_len   equ $ - cd_expect

LIB_END
