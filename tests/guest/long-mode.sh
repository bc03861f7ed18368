#!/bin/sh
# tests/guest/long-mode.asm on the software CPU (see the guest for what it
# checks).  The guest prints "SKIP" and passes when CPUID has no long mode.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nasm
need_emulator
bin=$(guest_bin long-mode) || exit 99
out=$(tap_tmp)/long-mode.out
run_guest "$bin" "$out"
if [ "$PCVM_TEST_EMU" != qemu ] && accel_missing "$out"; then
    skip_all "-accel $PCVM_ACCEL not available: $(head -n 1 "$out.err")"
fi
if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && grep -q '^SKIP' "$out"; then
    skip_all "the emulated CPU does not advertise long mode"
fi
tap_report long-mode "$out"
