#!/bin/sh
# tests/guest/sse64.asm on the software CPU: SSE with REX prefixes, XMM8-15
# and FXSAVE64 in 64-bit mode (see the guest for what it checks).  The guest
# prints "SKIP" and passes when CPUID has no long mode.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nasm
need_emulator
bin=$(guest_bin sse64) || exit 99
out=$(tap_tmp)/sse64.out
if [ "$PCVM_TEST_EMU" = qemu ]; then
    run_guest "$bin" "$out" -cpu qemu64,+ssse3
else
    run_guest "$bin" "$out"
fi
if [ "$PCVM_TEST_EMU" != qemu ] && accel_missing "$out"; then
    skip_all "-accel $PCVM_ACCEL not available: $(head -n 1 "$out.err")"
fi
if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && grep -q '^SKIP' "$out"; then
    skip_all "the emulated CPU does not advertise long mode"
fi
tap_report sse64 "$out"
