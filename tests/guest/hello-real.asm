; A tiny real-mode guest, loaded as the BIOS image (-bios hello-real.bin):
; 64 KiB mapped at the top of 4 GiB, entered at F000:FFF0 with CS base
; FFFF0000.  It programs the 16550 at 0x3f8, prints a line byte by byte,
; prints another with one REP OUTSB, reads the RTC seconds (MC146818 register
; 0, BCD), takes 5 timer interrupts (PIT channel 0 -> 8259 -> INTR, HLT in
; between) and leaves through isa-debug-exit at 0xf4 with EXIT_VALUE, so pcvm
; exits with status (EXIT_VALUE << 1) | 1.
;
; Up to the timer part it touches no RAM and never reloads CS: code and data
; are fetched through the reset CS.  The interrupt handler runs from the ROM's
; alias at F0000 and keeps the IVT, stack and tick count in low RAM.

        bits 16
        org 0                   ; offsets within the segment based at FFFF0000

COM1            equ 0x3f8
UART_THR        equ 0           ; transmit holding register (DLAB=0)
UART_DLL        equ 0           ; divisor latch low (DLAB=1)
UART_DLM        equ 1           ; divisor latch high (DLAB=1)
UART_IER        equ 1
UART_FCR        equ 2
UART_LCR        equ 3
UART_MCR        equ 4
UART_LSR        equ 5
UART_LSR_THRE   equ 0x20
UART_LSR_TEMT   equ 0x40
UART_LCR_DLAB   equ 0x80
UART_LCR_8N1    equ 0x03

RTC_INDEX       equ 0x70
RTC_DATA        equ 0x71
RTC_SECONDS     equ 0x00
RTC_REG_A       equ 0x0a
RTC_REG_A_UIP   equ 0x80
NMI_DISABLE     equ 0x80

PIC1_CMD        equ 0x20            ; 8259A master
PIC1_DATA       equ 0x21
PIC2_CMD        equ 0xa0            ; 8259A slave
PIC2_DATA       equ 0xa1
ICW1_INIT_ICW4  equ 0x11            ; edge triggered, cascade, ICW4 follows
ICW4_8086       equ 0x01
OCW2_EOI        equ 0x20            ; non-specific EOI

PIT_CH0         equ 0x40            ; 8254
PIT_MODE        equ 0x43
PIT_CH0_RATE    equ 0x34            ; SC=0, RW=lobyte/hibyte, mode 2
PIT_DIVISOR     equ 11932           ; 1193182 Hz / 100

TICKS           equ 0x500           ; RAM: tick count
STACK_TOP       equ 0x7000
WANT_TICKS      equ 5

DEBUG_EXIT      equ 0xf4
EXIT_VALUE      equ 0x21            ; pcvm exits with 0x43 = 67

; Write an immediate byte to a UART register.
%macro uart_out 2
        mov dx, COM1 + %1
        mov al, %2
        out dx, al
%endmacro

; Send AL to the UART once the transmitter has room (BL preserved).
%macro putc_al 0
        mov ah, al
%%wait: mov dx, COM1 + UART_LSR
        in al, dx
        test al, UART_LSR_THRE
        jz %%wait
        mov al, ah
        mov dx, COM1 + UART_THR
        out dx, al
%endmacro

start:
        cli
        cld                     ; data is read with CS overrides: DS is unused

        uart_out UART_IER, 0x00
        uart_out UART_LCR, UART_LCR_DLAB
        uart_out UART_DLL, 0x01         ; 115200 baud
        uart_out UART_DLM, 0x00
        uart_out UART_LCR, UART_LCR_8N1
        uart_out UART_FCR, 0x07         ; FIFO on, both cleared
        uart_out UART_MCR, 0x03         ; DTR, RTS

        ; line 1, a byte at a time with THRE polling
        mov si, msg_hello
.next:  cs lodsb
        test al, al
        jz .done
        putc_al
        jmp .next
.done:

        ; line 2 with one string instruction: KVM exits once with count > 1.
        ; Shorter than the 16-byte FIFO, sent once the FIFO is empty.
.thre:  mov dx, COM1 + UART_LSR
        in al, dx
        test al, UART_LSR_THRE
        jz .thre
        mov si, msg_rep
        mov cx, msg_rep_len
        mov dx, COM1 + UART_THR
        cs rep outsb

        ; RTC seconds: wait for the update cycle to be over, then read
        mov cx, 0xffff
.uip:   mov al, NMI_DISABLE | RTC_REG_A
        out RTC_INDEX, al
        in al, RTC_DATA
        test al, RTC_REG_A_UIP
        loopnz .uip
        mov al, NMI_DISABLE | RTC_SECONDS
        out RTC_INDEX, al
        in al, RTC_DATA
        mov bl, al              ; BCD seconds

        mov si, msg_rtc
.next2: cs lodsb
        test al, al
        jz .done2
        putc_al
        jmp .next2
.done2:
        mov al, bl
        shr al, 4
        add al, '0'
        putc_al
        mov al, bl
        and al, 0x0f
        add al, '0'
        putc_al
        mov al, 13
        putc_al
        mov al, 10
        putc_al

        ; Timer interrupts: PIT channel 0 at 100 Hz through the 8259 (the
        ; kernel's under KVM by default, the board's with kernel-irqchip=off),
        ; IRQ 0 -> vector 8.  The IVT, the tick count and the stack are in RAM.
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, STACK_TOP
        mov word [TICKS], 0
        mov word [8 * 4], timer_handler
        mov word [8 * 4 + 2], 0xf000    ; the ROM's alias below 1 MiB

        mov al, ICW1_INIT_ICW4          ; master: vectors 0x08-0x0f
        out PIC1_CMD, al
        mov al, 0x08
        out PIC1_DATA, al
        mov al, 0x04                    ; slave on IR2
        out PIC1_DATA, al
        mov al, ICW4_8086
        out PIC1_DATA, al
        mov al, 0xfe                    ; only IRQ 0
        out PIC1_DATA, al
        mov al, ICW1_INIT_ICW4          ; slave: vectors 0x70-0x77, all masked
        out PIC2_CMD, al
        mov al, 0x70
        out PIC2_DATA, al
        mov al, 0x02
        out PIC2_DATA, al
        mov al, ICW4_8086
        out PIC2_DATA, al
        mov al, 0xff
        out PIC2_DATA, al

        mov al, PIT_CH0_RATE            ; channel 0, lobyte/hibyte, mode 2
        out PIT_MODE, al
        mov al, PIT_DIVISOR & 0xff
        out PIT_CH0, al
        mov al, PIT_DIVISOR >> 8
        out PIT_CH0, al

        mov cx, 1000                    ; bounded: a lost timer fails, not hangs
        sti
.tick:  hlt
        cmp word [TICKS], WANT_TICKS
        jae .ticked
        loop .tick
.ticked:
        cli
        mov si, msg_timer_bad
        cmp word [TICKS], WANT_TICKS
        jb .tmsg
        mov si, msg_timer_ok
.tmsg:  cs lodsb
        test al, al
        jz .tdone
        putc_al
        jmp .tmsg
.tdone:

        mov si, msg_bye
.next3: cs lodsb
        test al, al
        jz .done3
        putc_al
        jmp .next3
.done3:
        ; let the transmitter drain (TEMT) before pulling the plug, bounded
        mov cx, 0xffff
.drain: mov dx, COM1 + UART_LSR
        in al, dx
        test al, UART_LSR_TEMT
        loopz .drain

        mov al, EXIT_VALUE
        out DEBUG_EXIT, al

        ; not reached when isa-debug-exit is there
.halt:  hlt
        jmp .halt

; IRQ 0: count and acknowledge.  Entered with CS = F000 (base F0000).
timer_handler:
        push ax
        inc word [TICKS]
        mov al, OCW2_EOI
        out PIC1_CMD, al
        pop ax
        iret

msg_hello:      db "hello from real mode", 13, 10, 0
msg_rep:        db "rep outsb ok", 13, 10
msg_rep_len     equ $ - msg_rep
msg_rtc:        db "RTC seconds: ", 0
msg_timer_ok:   db "timer: 5 ticks", 13, 10, 0
msg_timer_bad:  db "timer: no ticks", 13, 10, 0
msg_bye:        db "bye", 13, 10, 0

        times 0xfff0 - ($ - $$) db 0xff

; The reset vector, FFFF:FFF0 physical FFFFFFF0: a near jump back to start
; (the 16-bit displacement wraps around the 64 KiB segment).
reset_vector:
        db 0xe9
        dw (start - (reset_vector + 3)) & 0xffff
        times 0x10000 - ($ - $$) db 0xff
