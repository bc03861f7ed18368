; pcvm's boot option ROM for -kernel: SeaBIOS runs it from fw_cfg
; "genroms/linuxboot.bin" and boots it through its PnP bootstrap entry vector.
; It copies what pcvm prepared (hw/kernel-loader.c) out of fw_cfg with the DMA
; interface and starts it:
;  - a Linux kernel (boot protocol, Documentation/x86/boot.rst): setup, kernel,
;    initrd and command line go where the FW_CFG_*_ADDR keys say, then a jump
;    to the real-mode setup at segment + 0x20 with DS = ES = SS = segment;
;  - a multiboot kernel (FW_CFG_KERNEL_ENTRY != 0): one image at KERNEL_ADDR
;    holding the kernel, modules and the multiboot information at INITRD_ADDR;
;    enter 32-bit protected mode, EAX = 0x2BADB002, EBX = info, jump to entry.
; pcvm fills in the size byte and both checksums when it adds the ROM.

        bits    16
        org     0

FW_CFG_CTL              equ 0x510
FW_CFG_DATA             equ 0x511
FW_CFG_DMA_HIGH         equ 0x514       ; big-endian 64-bit address, high half
FW_CFG_DMA_LOW          equ 0x518       ; writing the low half starts the transfer

FW_CFG_KERNEL_ADDR      equ 0x07
FW_CFG_KERNEL_SIZE      equ 0x08
FW_CFG_INITRD_ADDR      equ 0x0a
FW_CFG_INITRD_SIZE      equ 0x0b
FW_CFG_KERNEL_ENTRY     equ 0x10
FW_CFG_KERNEL_DATA      equ 0x11
FW_CFG_INITRD_DATA      equ 0x12
FW_CFG_CMDLINE_ADDR     equ 0x13
FW_CFG_CMDLINE_SIZE     equ 0x14
FW_CFG_CMDLINE_DATA     equ 0x15
FW_CFG_SETUP_ADDR       equ 0x16
FW_CFG_SETUP_SIZE       equ 0x17
FW_CFG_SETUP_DATA       equ 0x18

FW_CFG_DMA_CTL_ERROR    equ 0x01
FW_CFG_DMA_CTL_READ     equ 0x02
FW_CFG_DMA_CTL_SELECT   equ 0x08

LINUX_HEAP_END_PTR      equ 0x224       ; in the setup header
MULTIBOOT_BOOTLOADER_MAGIC equ 0x2BADB002
PORT_A20                equ 0x92        ; system control port A: bit 1 = A20

; ---- option ROM header (legacy) and PnP expansion header ----
rom_header:
        db      0x55, 0xaa
        db      0                       ; size in 512-byte blocks (pcvm)
        retf                            ; init entry: nothing to set up
        times   0x18 - ($ - $$) db 0
        dw      0                       ; no PCI data structure
        dw      pnp_header

        align   16
pnp_header:
        db      '$PnP'
        db      1                       ; structure revision
        db      2                       ; length in 16-byte units
        dw      0                       ; next header: none
        db      0                       ; reserved
        db      0                       ; checksum of these 32 bytes (pcvm)
        dd      0                       ; device identifier
        dw      manufacturer
        dw      product
        db      0, 0, 0                 ; device type code
        db      0x14                    ; indicators: IPL device, read cacheable
        dw      0                       ; boot connection vector
        dw      0                       ; disconnect vector
        dw      boot                    ; bootstrap entry vector
        dw      0                       ; reserved
        dw      0                       ; static resource information vector

manufacturer:
        db      'pcvm', 0
product:
        db      'pcvm direct kernel boot', 0

; eax = fw_cfg_read32(ax = key): a little-endian 32-bit item through the data port
fw_read32:
        push    dx
        mov     dx, FW_CFG_CTL
        out     dx, ax
        mov     dx, FW_CFG_DATA
        xor     eax, eax
        in      al, dx
        ror     eax, 8
        in      al, dx
        ror     eax, 8
        in      al, dx
        ror     eax, 8
        in      al, dx
        ror     eax, 8
        pop     dx
        ret

; fw_dma_read(ax = key, edi = guest-physical destination, ecx = length):
; one DMA read with a descriptor on the stack.  CF set on error.
fw_dma_read:
        push    eax
        push    edx
        push    bp
        sub     sp, 16
        mov     bp, sp
        movzx   eax, ax
        shl     eax, 16
        or      eax, FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ
        bswap   eax
        mov     [bp], eax               ; control: key, select, read
        mov     eax, ecx
        bswap   eax
        mov     [bp + 4], eax           ; length
        mov     dword [bp + 8], 0       ; address, high half
        mov     eax, edi
        bswap   eax
        mov     [bp + 12], eax          ; address, low half
        xor     eax, eax
        mov     ax, ss
        shl     eax, 4
        movzx   edx, bp
        add     eax, edx                ; descriptor's physical address
        bswap   eax
        push    eax
        xor     eax, eax
        mov     dx, FW_CFG_DMA_HIGH
        out     dx, eax
        pop     eax
        mov     dx, FW_CFG_DMA_LOW
        out     dx, eax
.wait:                                  ; done when the control word is 0 or ERROR
        mov     eax, [bp]
        bswap   eax
        test    eax, ~FW_CFG_DMA_CTL_ERROR
        jnz     .wait
        test    eax, FW_CFG_DMA_CTL_ERROR
        jz      .ok
        stc
        jmp     .out
.ok:
        clc
.out:
        lea     sp, [bp + 16]
        pop     bp
        pop     edx
        pop     eax
        ret

; load(ax = ADDR key): read ADDR, SIZE (key + 1) and DATA (data_key in bx)
; edi = address on return.  CF on error.
load_item:
        push    ax
        call    fw_read32
        mov     edi, eax
        pop     ax
        inc     ax
        call    fw_read32
        mov     ecx, eax
        jecxz   .empty
        mov     ax, bx
        jmp     fw_dma_read
.empty:
        clc
        ret

; ---- bootstrap entry: SeaBIOS far-calls it when this is the boot device ----
boot:
        cli
        cld
        mov     ax, FW_CFG_KERNEL_ENTRY
        call    fw_read32
        test    eax, eax
        jnz     multiboot

; -- Linux --
        mov     ax, FW_CFG_KERNEL_ADDR
        mov     bx, FW_CFG_KERNEL_DATA
        call    load_item
        jc      fail
        mov     ax, FW_CFG_INITRD_ADDR
        mov     bx, FW_CFG_INITRD_DATA
        call    load_item
        jc      fail
        mov     ax, FW_CFG_CMDLINE_ADDR
        mov     bx, FW_CFG_CMDLINE_DATA
        call    load_item
        jc      fail
        mov     ax, FW_CFG_SETUP_ADDR   ; last: it may overwrite our stack's neighbours
        mov     bx, FW_CFG_SETUP_DATA
        call    load_item
        jc      fail
        mov     eax, edi
        shr     eax, 4                  ; real-mode kernel segment
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        ; the stack ends where the heap does plus its 512 bytes (pcvm put the
        ; command line right above)
        mov     sp, [LINUX_HEAP_END_PTR]
        add     sp, 0x200 - 0x10
        add     ax, 0x20
        push    ax
        push    word 0
        xor     eax, eax
        xor     ebx, ebx
        xor     ecx, ecx
        xor     edx, edx
        xor     esi, esi
        xor     edi, edi
        xor     ebp, ebp
        retf                            ; setup at segment + 0x20 : 0

; -- multiboot --
multiboot:
        mov     esi, eax                ; entry point
        mov     ax, FW_CFG_KERNEL_ADDR
        mov     bx, FW_CFG_KERNEL_DATA
        call    load_item
        jc      fail
        mov     ax, FW_CFG_INITRD_ADDR
        call    fw_read32
        mov     ebx, eax                ; the multiboot information
        in      al, PORT_A20
        or      al, 0x02
        and     al, 0xfe                ; not the reset bit
        out     PORT_A20, al
        xor     edx, edx
        mov     dx, cs
        shl     edx, 4                  ; this ROM's linear address
        lea     eax, [edx + gdt]
        push    eax                     ; GDTR: base
        push    word gdt_end - gdt - 1  ; limit
        mov     bp, sp
        o32 lgdt [bp]
        add     sp, 6
        mov     eax, cr0
        or      al, 1                   ; PE
        mov     cr0, eax
        lea     eax, [edx + pm32]
        push    dword 0x08
        push    eax
        o32 retf

        bits    32
pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     eax, MULTIBOOT_BOOTLOADER_MAGIC
        jmp     esi
        bits    16

; a transfer failed: give SeaBIOS the next boot device
fail:
        sti
        retf

        align   8
; flat 4 GiB segments, accessed bit preset: the CPU never writes this read-only copy
gdt:
        dq      0
        dq      0x00cf9b000000ffff      ; 0x08: 32-bit code
        dq      0x00cf93000000ffff      ; 0x10: data
gdt_end:
