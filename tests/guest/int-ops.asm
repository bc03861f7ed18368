; tests/guest/int-ops.asm - integer instruction semantics in real mode and in
; 32-bit protected mode: string ops (REP/REPE/REPNE, DF=0/1, 16/32-bit address
; size), BCD, shifts/rotates (counts 0, 1, n), mul/imul/div/idiv and #DE,
; bit ops, cmpxchg/cmpxchg8b/xadd/bswap, setcc/cmovcc, lahf/sahf, pushf/popf,
; enter/leave, xlat, cpuid.  Expected values are worked out from the Intel SDM
; vol. 2 definitions; only flags the SDM defines for the instruction are
; compared (masks below).  The host oracle (tests/oracle) covers value sweeps.

%define LIB_REAL_MAIN
%include "lib.inc"

BUF     equ 0x6000          ; scratch buffers below 64K (real-mode reachable)
BUF2    equ 0x6100
BUF3    equ 0x6200

bits 16
real_main:
        PRINT16 "int-ops: real mode"
        call newline_16

        ; ---- rep movsb, DF=0, 16-bit addresses ----
        cld
        mov si, rm_abc
        mov di, BUF
        mov cx, 8
        rep movsb
        CHECK16 "rm rep movsb data lo", dword [BUF], 0x44434241
        CHECK16 "rm rep movsb data hi", dword [BUF + 4], 0x48474645
        movzx eax, si
        CHECK16 "rm rep movsb si", eax, rm_abc + 8
        movzx eax, di
        CHECK16 "rm rep movsb di", eax, BUF + 8
        movzx eax, cx
        CHECK16 "rm rep movsb cx", eax, 0

        ; ---- rep movsw, DF=1 ----
        std
        mov si, rm_abc + 6
        mov di, BUF2 + 6
        mov cx, 4
        rep movsw
        cld
        CHECK16 "rm std rep movsw data", dword [BUF2 + 4], 0x48474645
        movzx eax, si
        CHECK16 "rm std rep movsw si", eax, rm_abc - 2
        movzx eax, di
        CHECK16 "rm std rep movsw di", eax, BUF2 - 2

        ; ---- repe cmpsb stops at first difference ----
        mov si, rm_hello
        mov di, rm_helpo
        mov cx, 5
        repe cmpsb
        ; last compare 'L'(4c) - 'P'(50) = fc: CF=1 PF=1 SF=1 ZF=0 OF=0 AF=0
        CHECKF16 "rm repe cmpsb flags", F_ARITH, F_CF | F_PF | F_SF
        movzx eax, cx
        CHECK16 "rm repe cmpsb cx", eax, 1
        movzx eax, si
        CHECK16 "rm repe cmpsb si", eax, rm_hello + 4

        ; ---- repne scasb finds 'D' ----
        mov di, rm_abc
        mov al, 'D'
        mov cx, 8
        repne scasb
        CHECKF16 "rm repne scasb zf", F_ZF, F_ZF
        movzx eax, cx
        CHECK16 "rm repne scasb cx", eax, 4
        movzx eax, di
        CHECK16 "rm repne scasb di", eax, rm_abc + 4

        ; ---- lodsw ----
        mov si, rm_abc + 2
        lodsw
        movzx eax, ax
        CHECK16 "rm lodsw", eax, 0x4443

        ; ---- rep stosb wraps DI at 64K with 16-bit addressing ----
        mov ax, 0x3000
        mov es, ax
        mov dword [es:0x0000], 0x00110000
        mov di, 0xfffe
        mov cx, 4
        mov al, 0x5a
        rep stosb
        xor ax, ax
        mov es, ax
        movzx eax, di
        CHECK16 "rm stosb wrap di", eax, 2
        mov ax, 0x3000
        mov fs, ax
        mov eax, [fs:0]
        CHECK16 "rm stosb wrap low", eax, 0x00115a5a
        movzx eax, word [fs:0xfffe]
        CHECK16 "rm stosb wrap high", eax, 0x5a5a

        ; ---- BCD ----
        mov al, 0x15
        add al, 0x27            ; 3c
        daa                     ; 42, AF=1
        movzx eax, al
        CHECKRF16 "rm daa", eax, 0x42, F_CF | F_PF | F_AF | F_ZF | F_SF, F_AF | F_PF
        mov al, 0x99
        add al, 0x01            ; 9a
        daa                     ; 00, CF=1 AF=1
        movzx eax, al
        CHECKRF16 "rm daa carry", eax, 0x00, F_CF | F_PF | F_AF | F_ZF | F_SF, F_CF | F_PF | F_AF | F_ZF
        mov al, 0x42
        sub al, 0x15            ; 2d, AF=1
        das                     ; 27
        movzx eax, al
        CHECKRF16 "rm das", eax, 0x27, F_CF | F_PF | F_AF | F_ZF | F_SF, F_AF | F_PF
        mov ax, 0x0009
        add al, 3
        aaa                     ; 0102
        movzx eax, ax
        CHECKRF16 "rm aaa", eax, 0x0102, F_CF | F_AF, F_CF | F_AF
        mov ax, 0x0203
        sub al, 5
        aas                     ; 0108
        movzx eax, ax
        CHECKRF16 "rm aas", eax, 0x0108, F_CF | F_AF, F_CF | F_AF
        mov ax, 0x004f
        aam                     ; 0709
        movzx eax, ax
        CHECKRF16 "rm aam", eax, 0x0709, F_SF | F_ZF | F_PF, F_PF
        mov ax, 0x004f
        aam 16                  ; 040f
        movzx eax, ax
        CHECKRF16 "rm aam 16", eax, 0x040f, F_SF | F_ZF | F_PF, F_PF
        mov ax, 0x0709
        aad                     ; 004f
        movzx eax, ax
        CHECKRF16 "rm aad", eax, 0x004f, F_SF | F_ZF | F_PF, 0

        ; ---- pushf/popf (16-bit) ----
        push word 0xfcd5        ; bit 15 reads 0, IF/TF left clear
        popf
        pushf
        pop ax
        push word 0x0002
        popf
        movzx eax, ax
        CHECK16 "rm popf/pushf", eax, 0x7cd7

        ; ---- enter/leave (16-bit) ----
        mov bp, 0x1234
        mov [rm_sp0], sp
        enter 8, 0
        mov ax, [rm_sp0]
        sub ax, bp
        movzx eax, ax
        CHECK16 "rm enter bp", eax, 2
        mov ax, [rm_sp0]
        sub ax, sp
        movzx eax, ax
        CHECK16 "rm enter sp", eax, 10
        movzx eax, word [bp]
        CHECK16 "rm enter saved bp", eax, 0x1234
        leave
        movzx eax, bp
        CHECK16 "rm leave bp", eax, 0x1234
        mov ax, [rm_sp0]
        sub ax, sp
        movzx eax, ax
        CHECK16 "rm leave sp", eax, 0

        ; ---- xlat ----
        mov bx, rm_abc
        mov al, 5
        xlatb
        movzx eax, al
        CHECK16 "rm xlat", eax, 'F'

        ; ---- 16-bit mul/div ----
        mov ax, 0x1234
        mov bx, 0x0100
        mul bx
        push ax
        movzx eax, dx
        CHECKRF16 "rm mul16 dx", eax, 0x0012, F_CF | F_OF, F_CF | F_OF
        pop ax
        movzx eax, ax
        CHECK16 "rm mul16 ax", eax, 0x3400
        mov dx, 0x0012
        mov ax, 0x3400
        div bx
        shl edx, 16
        mov dx, ax
        CHECK16 "rm div16 dx:ax", edx, 0x00001234

        ; ---- #DE in real mode: IVT vector 0, IP points at the div ----
        mov word [0], rm_de_handler
        mov word [2], 0
        mov ax, 100
        xor bl, bl
rm_div0:
        div bl                  ; 2 bytes: f6 f3
        movzx eax, word [rm_de_ip]
        CHECK16 "rm #DE ip", eax, rm_div0
        CHECK16 "rm #DE count", dword [rm_de_count], 1

        ; ---- 16-bit ModRM addressing: defaults (DS vs SS), overrides, wrap ----
        mov ax, 0x2000
        mov ds, ax              ; DS base 0x20000, SS base 0
        mov word [0x7200], 0xd5d5       ; DS:7200 = linear 0x27200
        mov word [ss:0x7200], 0x55aa    ; SS:7200 = linear 0x7200
        mov bx, 0x7000
        mov bp, 0x7000
        mov si, 0x0200
        mov di, 0x0100
        xor eax, eax
        mov ax, [bx + si]
        mov cx, [bp + si]
        mov dx, [bx + di + 0x100]
        shl ecx, 16
        or eax, ecx
        movzx ecx, word [bp + di + 0x100]
        shl edx, 16
        or edx, ecx
        xor cx, cx
        mov ds, cx
        CHECK16 "rm [bx+si] DS, [bp+si] SS", eax, 0x55aad5d5
        CHECK16 "rm [bx+di+d16] DS, [bp+di+d16] SS", edx, 0xd5d555aa
        mov ax, 0x2000
        mov ds, ax
        mov ax, [si + 0x7000]
        mov cx, [bp + 0x200]
        shl ecx, 16
        mov cx, ax
        mov ax, [di + 0x7100]
        mov dx, [0x7200]
        shl edx, 16
        mov dx, ax
        mov ax, [ss:bx + si]
        mov bx, 0xfff0          ; bx+si wraps at 64K
        mov si, 0x7210
        mov bx, [bx + si]
        shl ebx, 16
        mov bx, ax
        push ebx
        mov si, 0x0200
        mov ax, [ds:bp + si]
        push ax
        mov bx, 0x7210
        mov ax, [bx - 0x10]     ; disp8 sign-extended
        push ax
        mov ebx, 0x7000
        mov esi, 0x100
        mov ax, [dword ebx + esi * 2]   ; 32-bit addressing in real mode
        xor di, di
        mov ds, di
        CHECK16 "rm [si+d16] DS, [bp+d16] SS", ecx, 0x55aad5d5
        CHECK16 "rm [di+d16] DS, [d16] DS", edx, 0xd5d5d5d5
        movzx eax, ax
        pop cx                  ; (the two words pushed above)
        pop dx
        pop ebx
        push dx
        push cx
        CHECK16 "rm a32 [ebx+esi*2]", eax, 0xd5d5
        CHECK16 "rm [ss:bx+si] override, [bx+si] wraps at 64K", ebx, 0xd5d555aa
        pop ax
        movzx eax, ax
        CHECK16 "rm [bx+disp8 negative]", eax, 0xd5d5
        pop ax
        movzx eax, ax
        CHECK16 "rm [ds:bp+si] override", eax, 0xd5d5

        jmp lib_enter_pm

rm_de_handler:
        push bp
        mov bp, sp
        mov ax, [bp + 2]        ; faulting IP
        mov [rm_de_ip], ax
        add word [bp + 2], 2    ; skip the 2-byte div
        inc dword [rm_de_count]
        pop bp
        iret

rm_abc:     db "ABCDEFGH"
rm_hello:   db "HELLO"
rm_helpo:   db "HELPO"
rm_sp0:     dw 0
rm_de_ip:   dw 0
align 4
rm_de_count: dd 0

; =====================================================================
bits 32
pm_main:
        PRINT "int-ops: 32-bit protected mode"
        call newline

        ; ---- a16 rep movsb in 32-bit code: only SI/DI/CX are used ----
        cld
        mov dword [BUF3], 0x04030201
        mov dword [BUF3 + 0x40], 0
        mov esi, 0xabcd0000 + BUF3
        mov edi, 0x55550000 + BUF3 + 0x40
        mov ecx, 0xffff0004
        a16 rep movsb
        CHECK "a16 rep movsb data", dword [BUF3 + 0x40], 0x04030201
        CHECK "a16 rep movsb ecx", ecx, 0xffff0000
        CHECK "a16 rep movsb esi", esi, 0xabcd0000 + BUF3 + 4
        CHECK "a16 rep movsb edi", edi, 0x55550000 + BUF3 + 0x44

        ; ---- std rep stosd ----
        std
        mov edi, BUF + 12
        mov ecx, 4
        mov eax, 0xa5a5f00d
        rep stosd
        cld
        CHECK "std rep stosd first", dword [BUF], 0xa5a5f00d
        CHECK "std rep stosd last", dword [BUF + 12], 0xa5a5f00d
        CHECK "std rep stosd edi", edi, BUF - 4

        ; ---- repe cmpsd on equal data, rep with ecx=0 ----
        mov esi, BUF
        mov edi, BUF + 4
        mov ecx, 3
        repe cmpsd
        CHECKF "repe cmpsd equal zf", F_ZF, F_ZF
        CHECK "repe cmpsd equal ecx", ecx, 0
        SETF F_ARITH
        mov ecx, 0
        mov esi, BUF
        mov edi, BUF2
        repe cmpsb              ; ecx=0: no compare, flags unchanged
        CHECKF "rep ecx=0 flags kept", F_ARITH, F_ARITH
        CHECK "rep ecx=0 esi", esi, BUF
        SETF 0

        ; ---- repne scasw ----
        mov dword [BUF], 0x00020001
        mov dword [BUF + 4], 0x00040003
        mov edi, BUF
        mov ax, 3
        mov ecx, 10
        repne scasw
        CHECK "repne scasw edi", edi, BUF + 6
        CHECK "repne scasw ecx", ecx, 7

        ; ---- lodsd with DF=1 ----
        std
        mov esi, BUF + 4
        lodsd
        cld
        CHECK "std lodsd eax", eax, 0x00040003
        CHECK "std lodsd esi", esi, BUF

        ; ---- shifts ----
        SETF F_ARITH
        mov eax, 0x12345678
        mov ecx, 0
        shl eax, cl             ; count 0: nothing changes
        CHECKRF "shl count 0", eax, 0x12345678, F_ARITH, F_ARITH
        SETF 0
        mov eax, 0x80000001
        shl eax, 1
        CHECKRF "shl 1", eax, 2, F_OF | F_SF | F_ZF | F_PF | F_CF, F_CF | F_OF
        mov eax, 0x12345678
        shl eax, 4
        CHECKRF "shl 4", eax, 0x23456780, F_SF | F_ZF | F_PF | F_CF, F_CF
        mov eax, 0x80000001
        shr eax, 1
        CHECKRF "shr 1", eax, 0x40000000, F_OF | F_SF | F_ZF | F_PF | F_CF, F_OF | F_PF | F_CF
        mov eax, 0x80000001
        sar eax, 1
        CHECKRF "sar 1", eax, 0xc0000000, F_OF | F_SF | F_ZF | F_PF | F_CF, F_SF | F_PF | F_CF
        mov eax, 0x80000001
        mov cl, 33              ; masked to 1
        sar eax, cl
        CHECKRF "sar cl=33", eax, 0xc0000000, F_OF | F_SF | F_ZF | F_PF | F_CF, F_SF | F_PF | F_CF
        mov eax, 0xabcd8001
        mov cl, 16
        shl ax, cl
        CHECKRF "shl ax,16", eax, 0xabcd0000, F_SF | F_ZF | F_PF, F_ZF | F_PF
        mov eax, 0x000000f0
        mov cl, 3
        sar al, cl              ; f0 >> 3 = fe, CF = bit 2 = 0
        CHECKRF "sar al,3", eax, 0xfe, F_SF | F_ZF | F_PF | F_CF, F_SF

        ; ---- rotates: SF ZF AF PF are not touched ----
        SETF 0
        mov eax, 0x80000001
        rol eax, 1
        CHECKRF "rol 1", eax, 3, F_ARITH, F_CF | F_OF
        SETF F_ZF
        mov eax, 0x12345678
        ror eax, 4
        CHECKRF "ror 4", eax, 0x81234567, F_CF | F_PF | F_AF | F_ZF | F_SF, F_ZF | F_CF
        SETF F_CF
        mov eax, 0x80000000
        rcl eax, 1
        CHECKRF "rcl 1", eax, 1, F_ARITH, F_CF | F_OF
        SETF 0
        mov eax, 1
        rcr eax, 1
        CHECKRF "rcr 1", eax, 0, F_ARITH, F_CF
        SETF F_CF
        mov eax, 0x00000001
        mov cl, 3
        rcr ax, cl              ; 17-bit rotate: 8000 c000 6000
        CHECKRF "rcr ax,3", eax, 0x6000, F_CF | F_PF | F_AF | F_ZF | F_SF, 0
        SETF 0
        mov eax, 0x000000c3
        mov cl, 4
        rol al, cl              ; 3c, CF = lsb = 0
        CHECKRF "rol al,4", eax, 0x3c, F_CF, 0

        ; ---- shld/shrd ----
        mov eax, 0x12345678
        mov ebx, 0x9abcdef0
        shld eax, ebx, 4
        CHECKRF "shld 4", eax, 0x23456789, F_SF | F_ZF | F_PF | F_CF, F_CF
        mov eax, 0x12345678
        mov ebx, 0x9abcdef0
        mov cl, 8
        shrd eax, ebx, cl
        CHECKRF "shrd cl=8", eax, 0xf0123456, F_SF | F_ZF | F_PF | F_CF, F_SF | F_PF
        mov eax, 1
        xor ebx, ebx
        shrd eax, ebx, 1
        CHECKRF "shrd 1", eax, 0, F_OF | F_SF | F_ZF | F_PF | F_CF, F_ZF | F_PF | F_CF
        SETF F_ARITH
        mov eax, 0x1234
        mov ebx, 0xffff
        mov ecx, 0
        shld ax, bx, cl
        CHECKRF "shld count 0", eax, 0x1234, F_ARITH, F_ARITH
        SETF 0

        ; ---- mul/imul ----
        mov eax, 0xffffffff
        mov ebx, 0xffffffff
        mul ebx
        CHECKRF "mul32 edx", edx, 0xfffffffe, F_CF | F_OF, F_CF | F_OF
        CHECK "mul32 eax", eax, 1
        mov eax, 0x12345610
        mov bl, 0x0f
        mul bl
        CHECKRF "mul8", eax, 0x123400f0, F_CF | F_OF, 0
        mov eax, -2
        mov ebx, 3
        imul ebx
        CHECKRF "imul1 edx", edx, 0xffffffff, F_CF | F_OF, 0
        CHECK "imul1 eax", eax, -6
        mov eax, 0x10000
        mov ebx, 0x10000
        imul eax, ebx
        CHECKRF "imul2 overflow", eax, 0, F_CF | F_OF, F_CF | F_OF
        mov ebx, 0x40000000
        imul eax, ebx, -3
        CHECKRF "imul3 overflow", eax, 0x40000000, F_CF | F_OF, F_CF | F_OF
        mov eax, 0xdead0000
        mov bx, 0x1000
        imul ax, bx, 7
        CHECKRF "imul3 16-bit", eax, 0xdead7000, F_CF | F_OF, 0
        mov eax, 0x00000080
        mov bl, 0xff
        imul bl                 ; -128 * -1 = 128: AX=0080, does not fit in AL
        CHECKRF "imul8", eax, 0x0080, F_CF | F_OF, F_CF | F_OF

        ; ---- div/idiv ----
        mov edx, 1
        xor eax, eax
        mov ebx, 0x10
        div ebx
        CHECK "div32 eax", eax, 0x10000000
        CHECK "div32 edx", edx, 0
        mov eax, 0x0101
        mov cl, 3
        div cl
        CHECK "div8", eax, 0x0255
        mov eax, -7
        cdq
        mov ebx, 2
        idiv ebx
        CHECK "idiv32 eax", eax, -3
        CHECK "idiv32 edx", edx, -1
        mov ax, -100
        mov bl, 7
        idiv bl                 ; -14 rem -2
        movzx eax, ax
        CHECK "idiv8", eax, 0xfef2

        ; ---- #DE: divide by zero, quotient overflow (div and idiv) ----
        mov eax, 0
        mov ebx, de_handler
        mov cl, 0x8E
        call lib_set_gate
        mov dword [de_resume], de_1
        xor edx, edx
        mov eax, 1
        xor ebx, ebx
de_div0:
        div ebx
        jmp de_fail
de_1:   CHECK "#DE div by 0 eip", dword [de_eip], de_div0
        mov dword [de_resume], de_2
        mov edx, 2
        mov ebx, 2
de_ovf:
        div ebx                 ; quotient >= 2^32
        jmp de_fail
de_2:   CHECK "#DE div overflow eip", dword [de_eip], de_ovf
        mov dword [de_resume], de_3
        mov ax, 0xff80          ; -128 / -1 = 128 does not fit in AL
        mov bl, 0xff
de_iovf:
        idiv bl
        jmp de_fail
de_3:   CHECK "#DE idiv overflow eip", dword [de_eip], de_iovf
        CHECK "#DE count", dword [de_count], 3
        jmp de_done
de_fail:
        inc dword [de_missed]
        jmp de_done
de_handler:
        mov eax, [esp]
        mov [de_eip], eax
        inc dword [de_count]
        mov eax, [de_resume]
        mov [esp], eax
        iretd
de_done:
        CHECK "#DE none missed", dword [de_missed], 0
        mov eax, 0
        mov ebx, lib_exc_0
        mov cl, 0x8E
        call lib_set_gate

        ; ---- bit test ops ----
        mov eax, 0x20
        bt eax, 5
        CHECKF "bt imm", F_CF, F_CF
        mov dword [BUF], 0
        mov dword [BUF + 4], 0
        mov dword [BUF - 4], 0
        mov eax, 35
        bts [BUF], eax          ; bit string: dword BUF+4, bit 3
        CHECKF "bts mem old bit", F_CF, 0
        CHECK "bts mem reg offset 35", dword [BUF + 4], 8
        mov eax, -1
        bts [BUF], eax          ; bit 31 of dword BUF-4
        CHECK "bts mem reg offset -1", dword [BUF - 4], 0x80000000
        mov eax, 35
        btr [BUF], eax
        CHECKF "btr old bit", F_CF, F_CF
        CHECK "btr mem", dword [BUF + 4], 0
        mov eax, 0xf0
        btc eax, 4
        CHECKRF "btc reg", eax, 0xe0, F_CF, F_CF
        mov eax, 0x8000
        mov ecx, 47             ; register bit offset is taken mod 32
        btr eax, ecx
        CHECKRF "btr reg mod 32", eax, 0, F_CF, F_CF

        mov ebx, 0x00010100
        bsf eax, ebx
        CHECKRF "bsf", eax, 8, F_ZF, 0
        bsr eax, ebx
        CHECKRF "bsr", eax, 16, F_ZF, 0
        xor ebx, ebx
        bsf eax, ebx
        CHECKF "bsf zero zf", F_ZF, F_ZF

        ; ---- cmpxchg, cmpxchg8b, xadd, bswap ----
        mov dword [BUF], 5
        mov eax, 5
        mov ecx, 9
        cmpxchg [BUF], ecx
        CHECKF "cmpxchg equal zf", F_ZF, F_ZF
        CHECK "cmpxchg equal mem", dword [BUF], 9
        mov eax, 4
        cmpxchg [BUF], ecx
        CHECKRF "cmpxchg differ eax", eax, 9, F_ARITH, F_CF | F_SF | F_AF
        mov dword [BUF], 0x11111111
        mov dword [BUF + 4], 0x22222222
        mov eax, 0x11111111
        mov edx, 0x22222222
        mov ebx, 0x33333333
        mov ecx, 0x44444444
        cmpxchg8b [BUF]
        CHECKF "cmpxchg8b equal zf", F_ZF, F_ZF
        CHECK "cmpxchg8b equal lo", dword [BUF], 0x33333333
        CHECK "cmpxchg8b equal hi", dword [BUF + 4], 0x44444444
        xor eax, eax
        xor edx, edx
        cmpxchg8b [BUF]
        CHECKF "cmpxchg8b differ zf", F_ZF, 0
        CHECK "cmpxchg8b differ eax", eax, 0x33333333
        CHECK "cmpxchg8b differ edx", edx, 0x44444444
        mov dword [BUF], 10
        mov eax, 3
        xadd [BUF], eax
        CHECKRF "xadd old", eax, 10, F_ARITH, 0
        CHECK "xadd sum", dword [BUF], 13
        mov eax, 0x12345678
        bswap eax
        CHECK "bswap", eax, 0x78563412

        ; ---- setcc / cmovcc over all 16 conditions ----
        mov eax, 1
        mov ebx, 2
        call cond_masks         ; cmp 1,2: CF SF PF AF
        CHECK "setcc after cmp 1,2", esi, 0x5566
        CHECK "cmovcc after cmp 1,2", edi, 0x5566
        mov eax, 0x80000000
        mov ebx, 1
        call cond_masks         ; cmp: 7fffffff, OF
        CHECK "setcc after cmp min,1", esi, 0x56a9
        CHECK "cmovcc after cmp min,1", edi, 0x56a9
        mov eax, 7
        mov ebx, 7
        call cond_masks         ; equal: ZF PF
        CHECK "setcc after cmp 7,7", esi, 0x665a
        CHECK "cmovcc after cmp 7,7", edi, 0x665a

        ; ---- lahf/sahf ----
        SETF F_ARITH
        lahf
        movzx eax, ah
        CHECK "lahf", eax, 0xd7
        mov ah, 0
        sahf                    ; OF is not loaded
        CHECKF "sahf", F_ARITH, F_OF
        SETF 0

        ; ---- pushfd/popfd: AC and ID toggle, VM ignored, bit 1 set ----
        push dword 0x00267cd5
        popfd
        pushfd
        pop eax
        SETF 0
        CHECK "popfd/pushfd", eax, 0x00247cd7

        ; ---- inc/dec keep CF, adc/sbb/neg ----
        SETF F_CF
        mov eax, 0x7fffffff
        inc eax
        CHECKRF "inc keeps cf", eax, 0x80000000, F_ARITH, F_CF | F_OF | F_SF | F_AF | F_PF
        SETF 0
        mov eax, 0
        dec eax
        CHECKRF "dec", eax, 0xffffffff, F_ARITH, F_SF | F_AF | F_PF
        SETF F_CF
        mov eax, 0xffffffff
        adc eax, 0
        CHECKRF "adc", eax, 0, F_ARITH, F_CF | F_ZF | F_AF | F_PF
        SETF F_CF
        mov eax, 0
        sbb eax, 0
        CHECKRF "sbb", eax, 0xffffffff, F_ARITH, F_CF | F_SF | F_AF | F_PF
        mov eax, 0x80000000
        neg eax
        CHECKRF "neg min", eax, 0x80000000, F_ARITH, F_CF | F_OF | F_SF | F_PF
        mov ax, 0x8000
        movsx ebx, ax
        CHECK "movsx", ebx, 0xffff8000
        movzx ebx, ax
        CHECK "movzx", ebx, 0x8000

        ; ---- enter/leave with nesting level ----
        mov ebp, BUF + 0x80
        mov dword [BUF + 0x7c], 0xaaaa0001
        mov [esp0], esp
        enter 8, 2
        mov eax, [esp0]
        sub eax, ebp
        CHECK "enter 8,2 ebp", eax, 4
        mov eax, [esp0]
        sub eax, esp
        CHECK "enter 8,2 esp", eax, 20
        mov eax, [esp0]
        mov ebx, [eax - 8]
        CHECK "enter 8,2 copied frame ptr", ebx, 0xaaaa0001
        mov ebx, [eax - 12]
        sub eax, ebx
        CHECK "enter 8,2 new frame ptr", eax, 4
        leave
        CHECK "leave ebp", ebp, BUF + 0x80
        mov eax, [esp0]
        sub eax, esp
        CHECK "leave esp", eax, 0

        ; ---- xlat ----
        mov ebx, rm_abc
        mov eax, 0xffffff07
        xlatb
        CHECK "xlat", eax, 0xffffff48

        ; ---- cpuid sanity ----
        xor eax, eax
        cpuid
        mov [cpuid_vendor], ebx
        mov [cpuid_vendor + 4], edx
        mov [cpuid_vendor + 8], ecx
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK "cpuid max leaf >= 1", eax, 1
        mov esi, cpuid_vendor
        mov ecx, 12
        xor edx, edx
.vend:  lodsb
        cmp al, 0x20
        jb .bad
        cmp al, 0x7e
        jbe .good
.bad:   inc edx
.good:  dec ecx
        jnz .vend
        CHECK "cpuid vendor printable", edx, 0
        mov eax, 1
        cpuid
        and edx, (1 << 3) | (1 << 4) | (1 << 6) | (1 << 8)
        CHECK "cpuid 1 edx PSE TSC PAE CX8", edx, (1 << 3) | (1 << 4) | (1 << 6) | (1 << 8)

        ; ---- stack corner cases ----
        mov [esp0], esp
        push esp
        pop eax
        CHECK "push esp pushes the value before the push", eax, dword [esp0]
        mov ecx, [esp0]
        sub ecx, 0x40
        push ecx
        pop esp
        mov ebx, esp
        mov esp, [esp0]
        CHECK "pop esp loads the popped value", ebx, ecx
        push dword 0xaaaa
        push dword 0xbbbb
        pop dword [esp]         ; address computed after the increment
        mov ebx, esp
        pop eax
        CHECK "pop [esp] stores above the popped slot", eax, 0xbbbb
        mov ecx, [esp0]
        sub ecx, 4
        CHECK "pop [esp] esp", ebx, ecx
        push dword 0xcccc
        push dword [esp]        ; read before the decrement
        pop eax
        pop ebx
        CHECK "push [esp]", eax, 0xcccc
        mov eax, 0x11
        mov ebx, 0x22
        mov ecx, 0x33
        mov edx, 0x44
        mov esi, 0x55
        mov edi, 0x66
        mov ebp, 0x77
        pushad
        mov dword [esp + 12], 0xdead    ; the ESP slot: ignored by popad
        mov dword [esp + 28], 0x99      ; EAX slot
        popad
        mov ecx, esp
        CHECK "popad loads eax", eax, 0x99
        CHECK "popad leaves esp", ecx, dword [esp0]
        CHECK "popad loads ebp", ebp, 0x77
        push dword 1
        push dword 2
        call ret8_fn
        mov ecx, esp
        CHECK "ret 8 releases the arguments", ecx, dword [esp0]
        mov dword [BUF], 5
        mov eax, 9
        xchg eax, [BUF]
        CHECK "xchg mem: eax", eax, 5
        CHECK "xchg mem: mem", dword [BUF], 9

        ; ---- 32-bit addressing: SIB forms, defaults, 16-bit lea ----
        mov dword [BUF + 0x300], 0x51b00001
        mov dword [BUF + 0x304], 0x51b00002
        mov ebx, BUF
        mov ecx, 0x40
        mov eax, [ebx + ecx * 8 + 0x100]
        CHECK "[base+index*8+disp32]", eax, 0x51b00001
        mov eax, [ecx * 8 + BUF + 0x104]
        CHECK "[index*8+disp32] no base", eax, 0x51b00002
        mov ebp, BUF + 0x300
        mov eax, [ebp]
        CHECK "[ebp] (mod 01 disp 0)", eax, 0x51b00001
        mov edx, 2
        mov eax, [ebp + edx * 2]
        CHECK "[ebp+index*2]", eax, 0x51b00002
        mov [esp - 8], eax
        mov ebx, [esp - 8]
        CHECK "[esp-8] (SIB with esp base)", ebx, 0x51b00002
        lea eax, [ecx + ecx * 4 + 7]
        CHECK "lea [ecx+ecx*4+7]", eax, 0x147
        mov ebx, 0x1234ffff
        mov esi, 0x2
        mov eax, 0xffffffff
        lea eax, [bx + si]      ; 16-bit address: wraps, zero-extended
        CHECK "lea a16 [bx+si] wraps", eax, 1
        lea ax, [ecx * 2 + 0x12345]     ; 16-bit destination: truncated
        CHECK "lea 16-bit destination", eax, 0x2345 + 0x80
        mov ebx, 0x80000000
        mov eax, 0x80000000
        mov ecx, [ebx + eax + BUF + 0x300]   ; address wraps at 4 GB
        CHECK "address wraps at 4 GB", ecx, 0x51b00001

        ; ---- back to real mode, keeping DS's 4 GB limit ("unreal" mode) ----
        mov dword [0x200000], 0x0a0b0c0d
        mov word [0x50 * 4], rm_int50   ; real-mode IVT entry for INT 0x50
        mov word [0x50 * 4 + 2], 0
        jmp SEL_CODE16:pm16

bits 16
pm16:   mov ax, SEL_DATA16      ; 64K-limit SS for real mode
        mov ss, ax
        mov eax, cr0
        and al, 0xfe
        mov cr0, eax
        jmp 0:rm_back
rm_back:
        xor ax, ax
        mov ss, ax
        mov sp, RM_STACK
        o32 lidt [lib_rm_idtr]
        mov eax, [dword 0x200000]       ; DS base 0, limit still 4 GB
        CHECK16 "unreal: read above 1 MB", eax, 0x0a0b0c0d
        mov dword [dword 0x200004], 0x11223344
        mov eax, [dword 0x200004]
        CHECK16 "unreal: write above 1 MB", eax, 0x11223344
        mov word [rm_int_seen], 0
        int 0x50
        movzx eax, word [rm_int_seen]
        CHECK16 "real mode again: INT through the IVT", eax, 0x50
        mov ax, 0x1000
        mov es, ax
        mov word [es:0x10], 0x7777      ; linear 0x10010
        xor ax, ax
        mov es, ax
        mov eax, [dword 0x10010]
        and eax, 0xffff
        CHECK16 "real mode again: segment base = selector * 16", eax, 0x7777
        jmp lib_finish_16
rm_int50:
        mov word [rm_int_seen], 0x50
        iret
rm_int_seen: dw 0
rm_back_end:
        times 0 - ((rm_back_end - $$) >= 0x10000 - LIB_LOAD) db 0 ; (real-mode code below 64K)
bits 32

ret8_fn:
        ret 8

; cond_masks: cmp eax, ebx, then ESI = bit n set when setcc n is true and
; EDI = the same through cmovcc.
cond_masks:
        xor esi, esi
        xor edi, edi
%assign c 0
%rep 16
        cmp eax, ebx
        db 0x0f, 0x90 + c, 0xc2        ; setcc dl
        movzx edx, dl
        shl edx, c
        or esi, edx
        xor ecx, ecx
        mov edx, 1 << c
        cmp eax, ebx
        db 0x0f, 0x40 + c, 0xca        ; cmovcc ecx, edx
        or edi, ecx
%assign c c + 1
%endrep
        ret

align 4
de_eip:         dd 0
de_count:       dd 0
de_missed:      dd 0
de_resume:      dd 0
esp0:           dd 0
cpuid_vendor:   times 12 db 0

LIB_END
