; tests/guest/linuxboot-hello.asm - a fake Linux "bzImage" for `pcvm -kernel`:
; a boot sector, three setup sectors with the boot protocol 2.12 header ("HdrS")
; and, as the "protected-mode kernel", a text marker.  The setup code checks
; what a boot loader must have done (Documentation/x86/boot.rst): segments,
; type_of_loader, CAN_USE_HEAP and heap_end_ptr, the command line at
; cmd_line_ptr, the initrd at ramdisk_image (read back with INT 15h AH=87h,
; as the kernel is above 1 MiB), and the kernel at code32_start; it prints
; them on COM1 and exits through isa-debug-exit: 0x20 (status 65) on success,
; 0x21 (67) if a check failed.

        bits    16
        org     0

COM1            equ 0x3f8
DEBUG_EXIT      equ 0xf4
SETUP_SECTS     equ 3

; ---- sector 0: the old boot sector, then the header from 0x1f1 ----
        jmp     short $                 ; never run
        times   0x1f1 - ($ - $$) db 0
        db      SETUP_SECTS             ; 0x1f1 setup_sects
        dw      0                       ; 0x1f2 root_flags
        dd      0                       ; 0x1f4 syssize
        dw      0                       ; 0x1f8 ram_size
        dw      0xffff                  ; 0x1fa vid_mode: normal
        dw      0                       ; 0x1fc root_dev
        dw      0xaa55                  ; 0x1fe boot_flag
; ---- 0x200: setup, entered at segment + 0x20 : 0 ----
        jmp     short setup_start       ; 0x200
        db      'HdrS'                  ; 0x202 header
        dw      0x020c                  ; 0x206 version 2.12
        dd      0                       ; 0x208 realmode_swtch
        dw      0                       ; 0x20c start_sys_seg
        dw      0                       ; 0x20e kernel_version
type_of_loader:
        db      0                       ; 0x210
loadflags:
        db      0x01                    ; 0x211 LOADED_HIGH
        dw      0                       ; 0x212 setup_move_size
code32_start:
        dd      0x100000                ; 0x214
ramdisk_image:
        dd      0                       ; 0x218
ramdisk_size:
        dd      0                       ; 0x21c
        dd      0                       ; 0x220 bootsect_kludge
heap_end_ptr:
        dw      0                       ; 0x224
        db      0                       ; 0x226 ext_loader_ver
        db      0                       ; 0x227 ext_loader_type
cmd_line_ptr:
        dd      0                       ; 0x228
        dd      0x37ffffff              ; 0x22c initrd_addr_max
        dd      0x200000                ; 0x230 kernel_alignment
        db      0                       ; 0x234 relocatable_kernel
        db      0                       ; 0x235 min_alignment
        dw      0                       ; 0x236 xloadflags
        dd      2047                    ; 0x238 cmdline_size

; offsets are from the setup segment (DS), labels from the file start: equal
setup_start:
        cli
        cld
        mov     byte [failed], 0
        mov     si, msg_hello
        call    puts

        ; DS = ES = SS = CS - 0x20
        mov     ax, cs
        sub     ax, 0x20
        mov     bx, ds
        cmp     ax, bx
        jne     .bad_seg
        mov     bx, ss
        cmp     ax, bx
        jne     .bad_seg
        mov     bx, es
        cmp     ax, bx
        je      .seg_ok
.bad_seg:
        mov     si, msg_seg
        call    fail
.seg_ok:
        mov     si, msg_loader
        call    puts
        mov     al, [type_of_loader]
        call    puthex8
        call    newline
        test    byte [loadflags], 0x80
        jnz     .heap_ok
        mov     si, msg_heap
        call    fail
.heap_ok:
        cmp     word [heap_end_ptr], 0
        jne     .heap_end_ok
        mov     si, msg_heap
        call    fail
.heap_end_ok:
        ; the stack lies above the heap end
        cmp     sp, [heap_end_ptr]
        ja      .stack_ok
        mov     si, msg_stack
        call    fail
.stack_ok:

        ; the command line, a linear address below 1 MiB
        mov     si, msg_cmdline
        call    puts
        mov     eax, [cmd_line_ptr]
        cmp     eax, 0x100000
        jae     .bad_cmdline
        push    ds
        mov     ebx, eax
        shr     ebx, 4
        mov     ds, bx
        and     ax, 0xf
        mov     si, ax
        call    puts
        pop     ds
        call    newline
        jmp     .initrd
.bad_cmdline:
        mov     si, msg_cmdline_ptr
        call    fail

.initrd:
        mov     si, msg_initrd_size
        call    puts
        mov     eax, [ramdisk_size]
        call    putdec
        call    newline
        test    dword [ramdisk_image], 0xfff
        jz      .initrd_aligned
        mov     si, msg_initrd_align
        call    fail
.initrd_aligned:
        mov     si, msg_initrd_data
        call    puts
        mov     eax, [ramdisk_image]
        call    peek_high
        call    newline

        mov     si, msg_kernel_data
        call    puts
        mov     eax, [code32_start]
        call    peek_high
        call    newline

        cmp     byte [failed], 0
        jne     .fail
        mov     si, msg_pass
        call    puts
        mov     al, 0x20
        out     DEBUG_EXIT, al
        jmp     .halt                   ; the exit takes effect asynchronously
.fail:
        mov     si, msg_failed
        call    puts
        mov     al, 0x21
        out     DEBUG_EXIT, al
.halt:  hlt
        jmp     .halt

; peek_high(eax = linear address): copy 32 bytes from there with INT 15h
; AH=87h and print them up to the first newline
peek_high:
        pushad
        mov     [gdt_src + 2], ax               ; base 15:0
        shr     eax, 16
        mov     [gdt_src + 4], al               ; base 23:16
        mov     [gdt_src + 7], ah               ; base 31:24
        xor     eax, eax
        mov     ax, ds
        shl     eax, 4
        add     eax, peek_buf
        mov     [gdt_dst + 2], ax
        shr     eax, 16
        mov     [gdt_dst + 4], al
        mov     [gdt_dst + 7], ah
        push    es
        push    ds
        pop     es
        mov     si, move_gdt
        mov     cx, 16                          ; words
        mov     ah, 0x87
        int     0x15
        pop     es
        jc      .err
        mov     si, peek_buf
        mov     cx, 32
.byte:  lodsb
        cmp     al, 10
        je      .done
        call    putc
        loop    .byte
.done:  popad
        ret
.err:   mov     si, msg_int15
        call    fail
        popad
        ret

putc:
        push    dx
        push    ax
        mov     dx, COM1 + 5
.wait:  in      al, dx
        test    al, 0x20
        jz      .wait
        pop     ax
        mov     dx, COM1
        out     dx, al
        pop     dx
        ret

puts:                                           ; ds:si
        push    ax
        push    si
.next:  lodsb
        test    al, al
        jz      .done
        call    putc
        jmp     .next
.done:  pop     si
        pop     ax
        ret

newline:
        push    ax
        mov     al, 10
        call    putc
        pop     ax
        ret

puthex8:
        push    ax
        push    bx
        mov     bx, hexdigits
        push    ax
        shr     al, 4
        xlatb
        call    putc
        pop     ax
        and     al, 0x0f
        xlatb
        call    putc
        pop     bx
        pop     ax
        ret

putdec:                                         ; eax
        pushad
        mov     ecx, 10
        xor     bx, bx
.div:   xor     edx, edx
        div     ecx
        push    dx
        inc     bx
        test    eax, eax
        jnz     .div
.out:   pop     ax
        add     al, '0'
        call    putc
        dec     bx
        jnz     .out
        popad
        ret

fail:                                           ; si: what failed
        push    si
        mov     si, msg_fail
        call    puts
        pop     si
        call    puts
        call    newline
        mov     byte [failed], 1
        ret

hexdigits:      db '0123456789abcdef'
msg_hello:      db 'linuxboot-hello: setup started', 10, 0
msg_fail:       db 'FAIL ', 0
msg_seg:        db 'DS/ES/SS are not CS - 0x20', 0
msg_loader:     db 'type_of_loader: ', 0
msg_heap:       db 'CAN_USE_HEAP/heap_end_ptr not set', 0
msg_stack:      db 'stack below heap_end_ptr', 0
msg_cmdline:    db 'cmdline: ', 0
msg_cmdline_ptr: db 'cmd_line_ptr not below 1 MiB', 0
msg_initrd_size: db 'initrd size: ', 0
msg_initrd_align: db 'initrd not page-aligned', 0
msg_initrd_data: db 'initrd data: ', 0
msg_kernel_data: db 'kernel data: ', 0
msg_int15:      db 'INT 15h AH=87h failed', 0
msg_pass:       db 'PASS', 10, 0
msg_failed:     db 'FAILED', 10, 0
failed:         db 0

        align   8
; INT 15h AH=87h descriptor table: dummy, GDT, source, destination, BIOS x2
move_gdt:
        dq      0
        dq      0
gdt_src:
        dw      0xffff, 0
        db      0, 0x93, 0, 0
gdt_dst:
        dw      0xffff, 0
        db      0, 0x93, 0, 0
        dq      0
        dq      0
peek_buf:
        times   34 db 0

        times   (SETUP_SECTS + 1) * 512 - ($ - $$) db 0
; ---- the "protected-mode kernel", loaded at code32_start ----
        db      'fake kernel payload', 10
        times   4096 db 0x90
