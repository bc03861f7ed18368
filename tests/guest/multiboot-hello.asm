; tests/guest/multiboot-hello.asm - a tiny multiboot (v1) kernel for
; `pcvm -kernel`.  Checks the boot loader magic in EAX, then reports what the
; multiboot information structure (EBX) holds on COM1: command line, boot
; loader name, modules (their strings, page alignment and first line of
; data), memory sizes and the memory map; exits through isa-debug-exit
; (port 0xf4): 0x20 (status 65) when every check passed, 0x21 (67) if not.
;
; Default: a flat binary with the a.out kludge address fields (flag bit 16).
; With -DELF: an ELF32 executable (hand-made headers, one PT_LOAD segment whose
; virtual address differs from the physical one, so the loader must translate
; the entry point), and no address fields.

        bits    32

LOAD            equ 0x100000
VIRT            equ 0xc0100000          ; ELF link address (paging is off)
MB_MAGIC        equ 0x1badb002
BOOT_MAGIC      equ 0x2badb002
COM1            equ 0x3f8
DEBUG_EXIT      equ 0xf4

%ifdef ELF
MB_FLAGS        equ 0x00000003          ; page-aligned modules, memory info
%else
MB_FLAGS        equ 0x00010003          ; ... and the a.out kludge
%endif

        org     LOAD
file_start:

%ifdef ELF
ehdr:
        db      0x7f, 'ELF', 1, 1, 1, 0 ; 32-bit, little-endian, version 1
        times   8 db 0
        dw      2                       ; ET_EXEC
        dw      3                       ; EM_386
        dd      1
        dd      start - LOAD + VIRT     ; e_entry: virtual
        dd      phdr - file_start       ; e_phoff
        dd      0                       ; e_shoff
        dd      0                       ; e_flags
        dw      52                      ; e_ehsize
        dw      32                      ; e_phentsize
        dw      1                       ; e_phnum
        dw      40                      ; e_shentsize
        dw      0, 0                    ; e_shnum, e_shstrndx
phdr:
        dd      1                       ; PT_LOAD
        dd      0                       ; p_offset
        dd      VIRT                    ; p_vaddr
        dd      LOAD                    ; p_paddr
        dd      file_end - file_start   ; p_filesz
        dd      bss_end - file_start    ; p_memsz
        dd      7                       ; RWX
        dd      0x1000
%endif

        align   4
mb_header:
        dd      MB_MAGIC
        dd      MB_FLAGS
        dd      -(MB_MAGIC + MB_FLAGS)
        dd      mb_header               ; header_addr
        dd      LOAD                    ; load_addr
        dd      file_end                ; load_end_addr
        dd      bss_end                 ; bss_end_addr
        dd      start                   ; entry_addr

; ---- output ----
putc:                                   ; al
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

puts:                                   ; esi: NUL-terminated
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

putdec:                                 ; eax, unsigned decimal
        pushad
        mov     ecx, 10
        xor     ebx, ebx
.div:   xor     edx, edx
        div     ecx
        push    edx
        inc     ebx
        test    eax, eax
        jnz     .div
.out:   pop     eax
        add     al, '0'
        call    putc
        dec     ebx
        jnz     .out
        popad
        ret

newline:
        push    eax
        mov     al, 10
        call    putc
        pop     eax
        ret

%macro PRINT 1
        push    esi
        mov     esi, %1
        call    puts
        pop     esi
%endmacro

fail:                                   ; esi: what failed
        PRINT   msg_fail
        call    puts
        call    newline
        mov     byte [failed], 1
        ret

; ---- the kernel ----
start:
        mov     esp, stack_top
        mov     [boot_eax], eax
        mov     [boot_ebx], ebx
        cld
        mov     byte [failed], 0
        PRINT   msg_hello

        cmp     dword [boot_eax], BOOT_MAGIC
        je      .magic_ok
        mov     esi, msg_magic
        call    fail
        jmp     finish
.magic_ok:
        PRINT   msg_ok_magic
        mov     ebx, [boot_ebx]
        mov     ebp, [ebx]                      ; flags

        test    ebp, 1 << 2                     ; cmdline
        jz      .no_cmdline
        PRINT   msg_cmdline
        mov     esi, [ebx + 16]
        call    puts
        call    newline
        jmp     .loader
.no_cmdline:
        mov     esi, msg_cmdline
        call    fail

.loader:
        test    ebp, 1 << 9
        jz      .mem
        PRINT   msg_loader
        mov     esi, [ebx + 64]
        call    puts
        call    newline

.mem:
        test    ebp, 1 << 0
        jnz     .mem_ok
        mov     esi, msg_mem
        call    fail
        jmp     .mods
.mem_ok:
        PRINT   msg_mem_lower
        mov     eax, [ebx + 4]
        call    putdec
        call    newline
        cmp     dword [ebx + 8], 1024           ; at least 1 MiB above 1 MiB
        ja      .mods
        mov     esi, msg_mem_upper
        call    fail

.mods:
        test    ebp, 1 << 3
        jz      .mmap
        PRINT   msg_mods
        mov     eax, [ebx + 20]
        call    putdec
        call    newline
        mov     ecx, [ebx + 20]
        mov     edi, [ebx + 24]
        jecxz   .mmap
.mod:
        PRINT   msg_module
        mov     esi, [edi + 8]
        call    puts
        call    newline
        test    dword [edi], 0xfff
        jz      .aligned
        mov     esi, msg_align
        call    fail
.aligned:
        PRINT   msg_size
        mov     eax, [edi + 4]
        sub     eax, [edi]
        call    putdec
        call    newline
        PRINT   msg_data                        ; its first line
        mov     esi, [edi]
        mov     edx, [edi + 4]
.byte:  cmp     esi, edx
        jae     .eol
        lodsb
        cmp     al, 10
        je      .eol
        call    putc
        jmp     .byte
.eol:   call    newline
        add     edi, 16
        loop    .mod

.mmap:
        test    ebp, 1 << 6
        jz      .no_mmap
        mov     esi, [ebx + 48]                 ; first entry
        mov     edx, esi
        add     edx, [ebx + 44]                 ; end
.entry: cmp     esi, edx
        jae     .no_mmap
        cmp     dword [esi + 20], 1             ; RAM
        jne     .skip
        cmp     dword [esi + 4], LOAD           ; based at 1 MiB
        jne     .skip
        cmp     dword [esi + 8], 0
        jne     .skip
        mov     eax, [esi + 12]                 ; its length covers this kernel
        cmp     eax, bss_end - LOAD
        jb      .skip
        PRINT   msg_mmap_ok
        jmp     finish
.skip:  add     esi, [esi]
        add     esi, 4
        jmp     .entry
.no_mmap:
        mov     esi, msg_mmap
        call    fail

finish:
        cmp     byte [failed], 0
        jne     .bad
        PRINT   msg_pass
        mov     al, 0x20
        out     DEBUG_EXIT, al
        jmp     .halt                   ; the exit takes effect asynchronously
.bad:
        PRINT   msg_failed
        mov     al, 0x21
        out     DEBUG_EXIT, al
.halt:  cli
        hlt
        jmp     .halt

msg_hello:      db 'multiboot-hello: started', 10, 0
msg_ok_magic:   db 'ok magic', 10, 0
msg_magic:      db 'EAX is not the multiboot magic', 0
msg_fail:       db 'FAIL ', 0
msg_cmdline:    db 'cmdline: ', 0
msg_loader:     db 'loader: ', 0
msg_mem:        db 'no memory information', 0
msg_mem_lower:  db 'mem_lower: ', 0
msg_mem_upper:  db 'mem_upper is too small', 0
msg_mods:       db 'mods: ', 0
msg_module:     db 'module: ', 0
msg_align:      db 'module not page-aligned', 0
msg_size:       db 'size: ', 0
msg_data:       db 'data: ', 0
msg_mmap_ok:    db 'mmap: RAM at 1 MiB covers the kernel', 10, 0
msg_mmap:       db 'no memory map entry for RAM at 1 MiB', 0
msg_pass:       db 'PASS', 10, 0
msg_failed:     db 'FAILED', 10, 0

        align   4
file_end:

; ---- bss: must come back zeroed ----
        absolute file_end
boot_eax:       resd 1
boot_ebx:       resd 1
failed:         resb 1
        alignb  16
                resb 4096
stack_top:
bss_end:
