; tests/bench/loops.asm - CPU microbenchmark guest (cf. shared research notes,
; translator.md appendix A): 32-bit protected mode, paging on with 4 MB PSE
; pages, then N iterations of one loop, then isa-debug-exit.
;   -DKIND=0  xorshift ALU + read-modify-write store into a 64 KB buffer
;             (14 instructions per iteration)
;   -DKIND=1  call/ret + push/pop/xor/add (8 instructions per iteration)
;   -DN=iterations
%include "lib.inc"

%ifndef KIND
%define KIND 0
%endif
%ifndef N
%define N 1000000
%endif

BENCH_PD    equ 0x80000

pm_main:
        mov edi, BENCH_PD
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [BENCH_PD], 0x00000083        ; 0-16 MB, 4 MB pages
        mov dword [BENCH_PD + 4], 0x00400083
        mov dword [BENCH_PD + 8], 0x00800083
        mov dword [BENCH_PD + 12], 0x00c00083
        mov eax, cr4
        or eax, 0x10                            ; PSE
        mov cr4, eax
        mov eax, BENCH_PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .go
.go:    mov ecx, N
        mov eax, 1
        mov edi, 0x200000
%if KIND == 0
.loop:  mov edx, eax
        shl edx, 13
        xor eax, edx
        mov edx, eax
        shr edx, 17
        xor eax, edx
        mov edx, eax
        shl edx, 5
        xor eax, edx
        mov ebx, eax
        and ebx, 0xfffc
        add [edi + ebx], eax
        dec ecx
        jnz .loop
%else
.loop:  call fn
        dec ecx
        jnz .loop
        jmp done
fn:     add eax, ecx
        push eax
        xor eax, [esp]
        pop eax
        ret
%endif
done:   mov al, LIB_PASS_CODE
        jmp lib_exit_32

LIB_END
