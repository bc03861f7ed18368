#!/bin/sh
# tests/guest/sse.asm on the software CPU: #UD/#NM/#GP/#XM/#MF rules of SSE
# and MMX, FXSAVE/FXRSTOR, MXCSR, the MMX/x87 aliasing and the CPUID bits
# (see the guest for what it checks).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
# QEMU's default CPU model has no SSSE3 (and then #UDs it): ask for it.
if [ "$PCVM_TEST_EMU" = qemu ]; then
    guest_tap sse -cpu qemu64,+ssse3
else
    guest_tap sse
fi
