#!/bin/sh
# tests/guest/long-mode-edges.asm on the software CPU: IA-32e corner cases
# (see the guest), each line compared with the architected value.  The guest
# prints "SKIP" and passes when CPUID has no long mode.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need_nasm
need_emulator
bin=$(guest_bin long-mode-edges) || exit 99
out=$(tap_tmp)/long-mode-edges.out
run_guest "$bin" "$out"
if [ "$PCVM_TEST_EMU" != qemu ] && accel_missing "$out"; then
    skip_all "-accel $PCVM_ACCEL not available: $(head -n 1 "$out.err")"
fi
if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && grep -q '^SKIP' "$out"; then
    skip_all "the emulated CPU does not advertise long mode"
fi
n=0 fail=0
expect() {      # expect NAME VALUE
    n=$((n + 1))
    got=$(tr -d '\r' <"$out" | sed -n "s/^$1=//p" | head -n 1)
    if [ "$got" = "$2" ]; then
        echo "ok $n - long-mode-edges: $1"
    else
        echo "not ok $n - long-mode-edges: $1: got '${got:-nothing}', want $2"
        fail=1
    fi
}
expect A_pte_bit52_62_ignored 0000000000000001
expect B_compat_iretd_esp_delta 0000000000000000
expect C_cs_base_ignored 0000000000000001
expect D_tpr_after_cr8_0xb 00000000000000b0
expect D_cr8_after_tpr_0x50 0000000000000005
expect E_rexr_81_add 0000000000000110
expect E_rexr_83_sub 00000000000000ff
expect E_rexr_f7_test 0000000000000001
n=$((n + 1))
if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && ! grep -q "exception_vector" "$out"; then
    echo "ok $n - long-mode-edges: no unexpected exception, pass status"
else
    echo "not ok $n - long-mode-edges: exit status $GUEST_RC"
    sed 's/^/# /' "$out"
    fail=1
fi
echo "1..$n"
exit $fail
