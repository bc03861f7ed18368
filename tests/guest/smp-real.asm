; A tiny SMP guest for -smp 2, loaded as the BIOS image like hello-real.asm:
; the bootstrap processor copies a trampoline to RAM at 0x8000, puts its
; local APIC in x2APIC mode (its registers become MSRs, reachable from real
; mode without touching FEE00000), wakes CPU 1 with INIT + STARTUP IPIs (SDM
; vol. 3, 10.12.9 and 8.4.4), waits for it to check in, prints the result on
; COM1 and exits through isa-debug-exit at 0xf4 with 0x21 (pcvm status 67)
; if CPU 1 ran, 0x22 (status 69) if it did not, 0x23 (71) without x2APIC.

        bits 16
        org 0                   ; offsets within the segment based at FFFF0000

COM1            equ 0x3f8
UART_LSR        equ 5
UART_LSR_THRE   equ 0x20

CPUID_1_ECX_X2APIC equ 1 << 21
MSR_IA32_APICBASE equ 0x1b
APICBASE_EXTD   equ 1 << 10     ; x2APIC mode
APICBASE_EN     equ 1 << 11
MSR_X2APIC_SVR  equ 0x80f       ; spurious vector register: bit 8 enables
MSR_X2APIC_ICR  equ 0x830       ; interrupt command (64-bit: EDX = dest)
ICR_INIT        equ 0x00004500  ; INIT, level assert
ICR_STARTUP     equ 0x00004600  ; STARTUP, vector = page of the entry point

TRAMPOLINE      equ 0x8000      ; the AP starts at 0800:0000
CHECKIN         equ 0x600       ; RAM: the AP increments this
STACK_TOP       equ 0x7000
DEBUG_EXIT      equ 0xf4

; Send AL to the UART once the transmitter has room.
%macro putc_al 0
        mov ah, al
%%wait: mov dx, COM1 + UART_LSR
        in al, dx
        test al, UART_LSR_THRE
        jz %%wait
        mov al, ah
        mov dx, COM1
        out dx, al
%endmacro

%macro puts 1
        mov si, %1
%%next: cs lodsb
        test al, al
        jz %%done
        putc_al
        jmp %%next
%%done:
%endmacro

start:
        cli
        cld
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, STACK_TOP
        mov byte [CHECKIN], 0

        ; the AP's code goes to RAM: a STARTUP IPI can only point below 1 MiB
        mov si, ap_code
        mov di, TRAMPOLINE
        mov cx, ap_code_len
        cs rep movsb

        puts msg_start

        mov eax, 1
        cpuid
        test ecx, CPUID_1_ECX_X2APIC
        jnz .x2apic
        puts msg_no_x2apic
        mov al, 0x23
        out DEBUG_EXIT, al
        jmp .halt

        ; x2APIC mode: the APIC registers are MSRs, reachable from real mode
.x2apic:
        mov ecx, MSR_IA32_APICBASE
        rdmsr
        or eax, APICBASE_EN | APICBASE_EXTD
        wrmsr
        mov ecx, MSR_X2APIC_SVR
        xor edx, edx
        mov eax, 0x1ff                  ; APIC software enable, vector 0xff
        wrmsr
        mov ecx, MSR_X2APIC_ICR         ; EDX = destination x2APIC ID
        mov edx, 1
        mov eax, ICR_INIT
        wrmsr
        call delay
        mov eax, ICR_STARTUP | (TRAMPOLINE >> 12)
        mov edx, 1
        wrmsr

        ; wait for the check-in; a second STARTUP halfway, as the SDM's
        ; universal start-up algorithm does
        mov ebx, 0x40000
.poll:  cmp byte [CHECKIN], 0
        jne .up
        cmp ebx, 0x20000
        jne .no_sipi
        mov ecx, MSR_X2APIC_ICR
        mov edx, 1
        mov eax, ICR_STARTUP | (TRAMPOLINE >> 12)
        wrmsr
.no_sipi:
        dec ebx
        jnz .poll

        puts msg_down
        mov al, 0x22
        out DEBUG_EXIT, al
        jmp .halt

.up:    puts msg_up
        mov al, 0x21
        out DEBUG_EXIT, al
.halt:  hlt
        jmp .halt

; The SDM's 10 ms between INIT and STARTUP: a bounded spin is enough, an
; emulated APIC delivers INIT at once.
delay:
        push ecx
        mov ecx, 0x10000
.d:     dec ecx
        jnz .d
        pop ecx
        ret

; Runs on CPU 1 at 0800:0000, copied there by the BSP.
ap_code:
        xor ax, ax
        mov ds, ax
        lock inc byte [CHECKIN]
.ap_halt:
        cli
        hlt
        jmp .ap_halt                    ; relative: runs anywhere
ap_code_len     equ $ - ap_code

msg_start:      db "smp: waking cpu 1", 13, 10, 0
msg_up:         db "smp: cpu 1 started", 13, 10, 0
msg_down:       db "smp: cpu 1 did not start", 13, 10, 0
msg_no_x2apic:  db "smp: no x2APIC", 13, 10, 0

        times 0xfff0 - ($ - $$) db 0xff

reset_vector:
        db 0xe9
        dw (start - (reset_vector + 3)) & 0xffff
        times 0x10000 - ($ - $$) db 0xff
