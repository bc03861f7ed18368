; tests/guest/apic.asm - the local APIC and the I/O APIC as a guest OS uses
; them (Intel SDM vol. 3, chapter 10; 82093AA I/O APIC datasheet), in 32-bit
; protected mode with the 8259 fully masked:
;  - CPUID.1:EDX.APIC, IA32_APIC_BASE (0xfee00000, BSP, enabled), SVR enable;
;  - the LAPIC timer in one-shot mode (fires once, count ends at 0) and in
;    periodic mode (keeps firing, wakes HLT), and in TSC-deadline mode
;    (CPUID.1:ECX bit 24, IA32_TSC_DEADLINE fires once, then reads 0; QEMU's
;    TCG does not offer TSC-deadline, so under PCVM_TEST_EMU=qemu checks 9-11 fail);
;  - a self IPI through the ICR: held in IRR while IF=0, taken after STI, EOI
;    clears ISR;
;  - TPR masking: a vector in a class <= TPR waits in IRR, a higher one gets
;    through, lowering the TPR lets the waiting one in;
;  - the 8254 PIT on ISA IRQ0 = I/O APIC pin 2 routed to a vector, and a
;    masked redirection entry holding it off.

%include "lib.inc"

APIC        equ 0xfee00000
A_VER       equ 0x30
A_TPR       equ 0x80
A_EOI       equ 0xb0
A_SVR       equ 0xf0
A_ISR2      equ 0x120           ; ISR bits for vectors 0x40-0x5f
A_IRR2      equ 0x220           ; IRR bits for vectors 0x40-0x5f
A_ICRLO     equ 0x300
A_LVTT      equ 0x320
A_TICR      equ 0x380
A_TCCR      equ 0x390
A_TDCR      equ 0x3e0
IOAPIC      equ 0xfec00000
IOWIN       equ 0x10
PIT_CH0     equ 0x40
PIT_CMD     equ 0x43

V_TIMER     equ 0x40
V_IPI       equ 0x41
V_LOW       equ 0x45            ; class 4: masked by TPR 0x50
V_PIT       equ 0x60
V_HIGH      equ 0x65            ; class 6: above TPR 0x50
V_SPUR      equ 0xff

pm_main:
        PRINT "apic: local APIC timer, IPI, TPR; I/O APIC"
        call newline
        mov eax, V_TIMER
        mov ebx, timer_isr
        mov cl, 0x8E
        call lib_set_gate
        mov eax, V_IPI
        mov ebx, ipi_isr
        call lib_set_gate
        mov eax, V_LOW
        mov ebx, low_isr
        call lib_set_gate
        mov eax, V_HIGH
        mov ebx, high_isr
        call lib_set_gate
        mov eax, V_PIT
        mov ebx, pit_isr
        call lib_set_gate
        mov eax, V_SPUR
        mov ebx, spur_isr
        call lib_set_gate
        mov al, 0xff                    ; 8259: everything masked
        out 0x21, al
        out 0xa1, al

        ; ---- discovery ----
        mov eax, 1
        cpuid
        shr edx, 9
        and edx, 1
        CHECK "cpuid.1:edx.apic", edx, 1
        mov ecx, 0x1b
        rdmsr
        and eax, 0xfffff900
        CHECK "IA32_APIC_BASE: 0xfee00000, BSP, enabled", eax, 0xfee00900
        mov dword [APIC + A_SVR], 0x100 | V_SPUR
        mov eax, [APIC + A_SVR]
        and eax, 0x1ff
        CHECK "SVR reads back enabled", eax, 0x100 | V_SPUR
        mov eax, [APIC + A_VER]
        and eax, 0xf0
        CHECK "version: integrated APIC (0x1x)", eax, 0x10

        ; ---- LAPIC timer, one-shot ----
        mov dword [APIC + A_TDCR], 0xb  ; divide by 1
        mov dword [APIC + A_LVTT], V_TIMER
        mov dword [timer_cnt], 0
        mov dword [APIC + A_TICR], 1000000
        sti
        mov ebx, timer_cnt
        mov edx, 1
        call wait_count
        mov ecx, 20000000               ; another 20 ms (at 1 GHz TSC)
        call wait_tsc
        cli
        CHECK "one-shot timer fires once", dword [timer_cnt], 1
        CHECK "one-shot timer: current count 0", dword [APIC + A_TCCR], 0

        ; ---- LAPIC timer, periodic ----
        mov dword [timer_cnt], 0
        mov dword [APIC + A_LVTT], V_TIMER | 0x20000
        mov dword [APIC + A_TICR], 500000
        sti
        mov ebx, timer_cnt
        mov edx, 5
        call wait_count
        mov ebx, [timer_cnt]
        hlt
        mov ecx, [timer_cnt]
        cli
        cmp eax, 5
        setae al
        movzx eax, al
        CHECK "periodic timer: five ticks", eax, 1
        sub ecx, ebx
        cmp ecx, 1
        setae cl
        movzx ecx, cl
        CHECK "hlt woken by the LAPIC timer", ecx, 1
        mov dword [APIC + A_LVTT], V_TIMER | 0x30000   ; masked
        mov dword [APIC + A_TICR], 0                   ; stopped
        mov ecx, 2000000
        call wait_tsc                   ; (an interrupt may sit in IRR: take it)
        sti
        nop
        cli

        ; ---- LAPIC timer, TSC-deadline mode ----
        mov eax, 1
        cpuid
        shr ecx, 24
        and ecx, 1
        CHECK "cpuid.1:ecx.tsc-deadline", ecx, 1
        mov dword [timer_cnt], 0
        mov dword [APIC + A_LVTT], V_TIMER | 0x40000
        rdtsc                           ; far away first: read it back
        add edx, 0x100                  ; (2^40 cycles: minutes, even when
        mov ebx, edx                    ;  the host is slow)
        mov ecx, 0x6e0
        wrmsr
        rdmsr
        sub edx, ebx
        CHECK "IA32_TSC_DEADLINE reads back", edx, 0
        rdtsc
        add eax, 1000000                ; then 1 ms (at 1 GHz) from now
        adc edx, 0
        wrmsr
        sti
        mov ebx, timer_cnt
        mov edx, 1
        call wait_count
        mov ecx, 5000000
        call wait_tsc
        cli
        CHECK "TSC-deadline timer fires once", dword [timer_cnt], 1
        mov ecx, 0x6e0
        rdmsr
        or eax, edx
        CHECK "IA32_TSC_DEADLINE reads 0 after firing", eax, 0
        mov dword [APIC + A_LVTT], V_TIMER | 0x10000   ; masked, one-shot

        ; ---- self IPI ----
        mov dword [APIC + A_ICRLO], 0x40000 | V_IPI    ; shorthand self, fixed
        mov eax, [APIC + A_IRR2]
        shr eax, V_IPI - 0x40
        and eax, 1
        CHECK "self IPI: in IRR while IF=0", eax, 1
        CHECK "self IPI: not taken while IF=0", dword [ipi_cnt], 0
        sti
        nop
        nop
        cli
        CHECK "self IPI: taken after sti", dword [ipi_cnt], 1
        CHECK "after EOI: ISR clear", dword [APIC + A_ISR2], 0

        ; ---- TPR ----
        mov dword [APIC + A_TPR], 0x50
        mov dword [APIC + A_ICRLO], 0x40000 | V_LOW
        mov dword [APIC + A_ICRLO], 0x40000 | V_HIGH
        sti
        mov ecx, 1000000
        call wait_tsc
        cli
        CHECK "TPR 0x50: vector 0x45 held", dword [low_cnt], 0
        CHECK "TPR 0x50: vector 0x65 taken", dword [high_cnt], 1
        mov eax, [APIC + A_IRR2]
        shr eax, V_LOW - 0x40
        and eax, 1
        CHECK "TPR 0x50: vector 0x45 waits in IRR", eax, 1
        mov dword [APIC + A_TPR], 0
        sti
        nop
        nop
        cli
        CHECK "TPR 0: vector 0x45 taken", dword [low_cnt], 1

        ; ---- PIT through the I/O APIC ----
        mov dword [IOAPIC], 1
        mov eax, [IOAPIC + IOWIN]
        shr eax, 16
        and eax, 0xff
        CHECK "I/O APIC: 24 redirection entries", eax, 23
        mov dword [IOAPIC], 0x10 + 2 * 2 + 1
        mov dword [IOAPIC + IOWIN], 0   ; destination APIC ID 0
        mov dword [IOAPIC], 0x10 + 2 * 2
        mov dword [IOAPIC + IOWIN], V_PIT   ; fixed, physical, edge, high, unmasked
        mov al, 0x34                    ; channel 0, mode 2, lo/hi: ~1 kHz
        out PIT_CMD, al
        mov al, 1193 & 0xff
        out PIT_CH0, al
        mov al, 1193 >> 8
        out PIT_CH0, al
        sti
        mov ebx, pit_cnt
        mov edx, 5
        call wait_count
        cli
        cmp eax, 5
        setae al
        movzx eax, al
        CHECK "PIT via I/O APIC pin 2: five interrupts", eax, 1
        mov dword [IOAPIC], 0x10 + 2 * 2
        mov dword [IOAPIC + IOWIN], V_PIT | 0x10000    ; masked
        sti
        mov ecx, 2000000                ; let one already sent arrive
        call wait_tsc
        mov ebx, [pit_cnt]
        mov ecx, 20000000
        call wait_tsc
        cli
        mov eax, [pit_cnt]
        sub eax, ebx
        CHECK "masked redirection entry holds the PIT off", eax, 0
        LIB_FINISH

; wait_tsc: spin for ECX TSC cycles.  Preserves registers.
wait_tsc:
        push eax
        push edx
        push ebx
        rdtsc
        mov ebx, eax
.l:     rdtsc
        sub eax, ebx
        cmp eax, ecx
        jb .l
        pop ebx
        pop edx
        pop eax
        ret

; wait_count: spin (interrupts as they are) until dword [EBX] >= EDX or about
; 2 s of TSC; returns EAX = [EBX].
wait_count:
        push ecx
        push esi
        push edx
        rdtsc
        mov esi, eax
        pop edx
.l:     cmp [ebx], edx
        jae .d
        push edx
        rdtsc
        sub eax, esi
        pop edx
        cmp eax, 2000000000
        jb .l
.d:     mov eax, [ebx]
        pop esi
        pop ecx
        ret

timer_isr:
        inc dword [timer_cnt]
        mov dword [APIC + A_EOI], 0
        iretd
ipi_isr:
        inc dword [ipi_cnt]
        mov dword [APIC + A_EOI], 0
        iretd
low_isr:
        inc dword [low_cnt]
        mov dword [APIC + A_EOI], 0
        iretd
high_isr:
        inc dword [high_cnt]
        mov dword [APIC + A_EOI], 0
        iretd
pit_isr:
        inc dword [pit_cnt]
        mov dword [APIC + A_EOI], 0
        iretd
spur_isr:                               ; spurious: no EOI
        iretd

align 4
timer_cnt:  dd 0
ipi_cnt:    dd 0
low_cnt:    dd 0
high_cnt:   dd 0
pit_cnt:    dd 0

LIB_END
