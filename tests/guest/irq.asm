; tests/guest/irq.asm - hardware interrupts as the CPU sees them (Intel SDM
; vol. 3, 6.8): 8259 PIC remapped to vectors 0x20-0x2f, 8254 PIT channel 0 in
; mode 2 on IRQ0, in 32-bit protected mode:
;  - STI; HLT waits for the timer: the pushed EIP is the instruction after HLT;
;  - the STI interrupt shadow: with IRQ0 already pending, the instruction right
;    after STI runs before the interrupt is taken, the next one does not;
;  - CLI holds a pending interrupt off; EOI lets the next one in;
;  - a long REP MOVSD with interrupts arriving copies every byte.

%include "lib.inc"

PIC1        equ 0x20
PIC2        equ 0xa0
PIT_CH0     equ 0x40
PIT_CMD     equ 0x43
SRC         equ 0x100000        ; 1 MB copied to DST by rep movsd
DST         equ 0x300000
COPY_DW     equ 0x40000

pm_main:
        PRINT "irq: PIC + PIT interrupts"
        call newline
        mov eax, 0x20
        mov ebx, irq0_handler
        mov cl, 0x8E
        call lib_set_gate
        ; local APIC (if any) in virtual-wire mode, as a BIOS leaves it: the
        ; 8259's INTR reaches the CPU through LINT0 = ExtINT (at reset the
        ; LVT entries are masked)
        mov dword [0xfee000f0], 0x1ff   ; SVR: APIC on, spurious vector 0xff
        mov dword [0xfee00350], 0x700   ; LVT LINT0: ExtINT
        mov dword [0xfee00360], 0x400   ; LVT LINT1: NMI
        ; 8259: ICW1 edge, cascade, ICW4; ICW2 vector base; ICW3; ICW4 8086
        mov al, 0x11
        out PIC1, al
        out PIC2, al
        mov al, 0x20
        out PIC1 + 1, al
        mov al, 0x28
        out PIC2 + 1, al
        mov al, 4
        out PIC1 + 1, al
        mov al, 2
        out PIC2 + 1, al
        mov al, 1
        out PIC1 + 1, al
        out PIC2 + 1, al
        mov al, 0xfe            ; only IRQ0
        out PIC1 + 1, al
        mov al, 0xff
        out PIC2 + 1, al
        ; 8254 channel 0, mode 2, lo/hi, 1193 -> about 1 kHz
        mov al, 0x34
        out PIT_CMD, al
        mov al, 1193 & 0xff
        out PIT_CH0, al
        mov al, 1193 >> 8
        out PIT_CH0, al

        ; ---- sti; hlt (counts are relative: the timer may tick while we
        ; print, and an emulator may deliver late ticks in a burst) ----
        mov dword [ticks], 0
        sti
halt1:  hlt
after_halt1:
        cli
        mov eax, [ticks]
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK "hlt woken by IRQ0", eax, 1
        CHECK "hlt: pushed eip is after the hlt", dword [last_eip], after_halt1
        mov ebx, [ticks]
        mov ecx, 4
        sti
.w:     hlt
        dec ecx
        jnz .w
        cli
        mov eax, [ticks]
        sub eax, ebx
        cmp eax, 4
        setae al
        movzx eax, al
        CHECK "hlt x4: at least four ticks", eax, 1

        ; ---- interrupt pending while IF=0, then the STI shadow ----
        mov ebx, [ticks]
        call wait_irr0          ; IRQ0 requested, not delivered (IF=0)
        mov eax, [ticks]
        sub eax, ebx
        CHECK "IF=0 holds the pending IRQ off", eax, 0
        mov eax, [ticks]
        sti
        mov ebx, [ticks]        ; in the STI shadow: no interrupt yet
..@sti_nop:
        nop                     ; the interrupt is taken before this
        mov edx, [ticks]
        cli
        sub ebx, eax
        sub edx, eax
        CHECK "sti shadow: instruction after sti runs first", ebx, 0
        cmp edx, 1
        setae dl
        movzx edx, dl
        CHECK "sti shadow: interrupt taken right after it", edx, 1
        CHECK "sti shadow: interrupted eip is the nop", dword [last_eip], ..@sti_nop

        ; ---- no EOI: no further IRQ0 ----
        mov byte [skip_eoi], 1
        call wait_irr0
        mov ebx, [ticks]
        sti
        nop
        nop
        cli
        mov eax, [ticks]
        sub eax, ebx
        CHECK "IRQ without EOI: taken once", eax, 1
        call wait_irr0
        mov ebx, [ticks]
        sti
        mov ecx, 100000         ; in service, no EOI: nothing more comes
.spin:  dec ecx
        jnz .spin
        cli
        mov eax, [ticks]
        sub eax, ebx
        CHECK "IRQ without EOI: the next one is held by the PIC", eax, 0
        mov al, 0x20            ; EOI
        out PIC1, al
        mov byte [skip_eoi], 0
        mov ebx, [ticks]
        sti
        nop
        nop
        cli
        mov eax, [ticks]
        sub eax, ebx
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK "after EOI the pending IRQ is delivered", eax, 1

        ; ---- rep movsd interrupted by the timer ----
        mov edi, SRC
        mov eax, 0x01020304
        mov ecx, COPY_DW
.fill:  stosd
        add eax, 0x01010101
        dec ecx
        jnz .fill
        mov esi, SRC
        mov edi, DST
        mov ecx, COPY_DW
        mov eax, [ticks]
        mov [ticks0], eax
        sti
        rep movsd
        cli
        CHECK "rep movsd with interrupts: ecx 0", ecx, 0
        mov esi, SRC
        mov edi, DST
        mov ecx, COPY_DW
        repe cmpsd
        CHECK "rep movsd with interrupts: copy identical", ecx, 0
        mov eax, [ticks]
        sub eax, [ticks0]
        PRINT "irq: ticks during the copy: "
        call putdec
        call newline
        LIB_FINISH

; wait until the PIC reports IRQ0 requested (IRR bit 0), IF=0
wait_irr0:
        push eax
        push ecx
        mov ecx, 100000000
.l:     mov al, 0x0a            ; OCW3: read IRR
        out PIC1, al
        in al, PIC1
        test al, 1
        jnz .r
        dec ecx
        jnz .l
.r:     pop ecx
        pop eax
        ret

irq0_handler:
        push eax
        mov eax, [esp + 4]
        mov [last_eip], eax
        inc dword [ticks]
        cmp byte [skip_eoi], 0
        jne .n
        mov al, 0x20
        out PIC1, al
.n:     pop eax
        iretd

align 4
ticks:      dd 0
ticks0:     dd 0
last_eip:   dd 0
skip_eoi:   db 0

LIB_END
