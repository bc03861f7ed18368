#!/bin/sh
# tests/guest/hello-real.bin (a real-mode guest loaded as the BIOS) under every
# accelerator pcvm has here: KVM with its in-kernel irqchip, KVM with the
# board's PIC/PIT (kernel-irqchip=off), and the software CPU.  Each prints
# through the 16550 (byte by byte and with REP OUTSB), reads the RTC, takes
# PIT interrupts through the 8259 and exits through isa-debug-exit with 0x21
# (status 67); the outputs must agree.  tests/guest/smp-real.bin then checks
# that a second vCPU starts (-smp 2).
# An accelerator that is missing here (no /dev/kvm, translator not built) is
# skipped with the reason pcvm gives.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

EXPECT_RC=67                     # (0x21 << 1) | 1

need_nasm
need_emulator
bin=$(guest_bin hello-real) || exit 99
tmp=$(tap_tmp)

n=0
ran=0
skipped=
first_out=

# cannot_run OUTFILE: the run failed because this build or host cannot do it
# (accelerator missing, /dev/kvm unusable, -smp not supported yet): skip it.
cannot_run() {
    accel_missing "$1" && return 0
    case $GUEST_RC in $GUEST_PASS|$GUEST_FAIL|$GUEST_EXC|124|137) return 1;; esac
    head -n 3 "$1.err" 2>/dev/null | grep -Eq \
        "pcvm: (KVM is not (available|usable)|permission denied on /dev/kvm|-smp [0-9]+: .*not supported yet)"
}

tap() {                          # tap OK|NOTOK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

for variant in kvm kvm-userspace-irqchip tcg; do
    case $variant in
    kvm) PCVM_ACCEL=kvm; set --;;
    kvm-userspace-irqchip) PCVM_ACCEL=kvm; set -- -machine kernel-irqchip=off;;
    tcg) PCVM_ACCEL=tcg; set --;;
    esac
    out=$tmp/$variant.out
    run_guest "$bin" "$out" "$@"
    if cannot_run "$out"; then
        why=$(grep -v '^$' "$out.err" | head -n 1)
        why=${why:-accelerator not available}
        skipped="$skipped; $variant: $why"
        echo "# $variant skipped: $why"
        continue
    fi
    ran=$((ran + 1))

    if [ "$GUEST_RC" -eq "$EXPECT_RC" ]; then
        tap OK "$variant: exit status $EXPECT_RC through isa-debug-exit"
    else
        tap NOTOK "$variant: exit status $GUEST_RC, expected $EXPECT_RC"
        sed 's/^/# stdout: /' "$out" | head -n 20
        sed 's/^/# stderr: /' "$out.err" | head -n 30
    fi
    if grep -qx 'hello from real mode' "$out"; then
        tap OK "$variant: byte-by-byte output"
    else
        tap NOTOK "$variant: 'hello from real mode' missing"
    fi
    if grep -qx 'rep outsb ok' "$out"; then
        tap OK "$variant: REP OUTSB output"
    else
        tap NOTOK "$variant: 'rep outsb ok' missing (string I/O)"
    fi
    if grep -Eqx 'RTC seconds: [0-5][0-9]' "$out"; then
        tap OK "$variant: RTC seconds are BCD 00-59"
    else
        tap NOTOK "$variant: RTC seconds line wrong: $(grep 'RTC' "$out")"
    fi
    if grep -qx 'timer: 5 ticks' "$out"; then
        tap OK "$variant: PIT interrupts through the 8259 wake HLT"
    else
        tap NOTOK "$variant: timer interrupts: $(grep 'timer' "$out")"
    fi
    if grep -qx 'bye' "$out"; then
        tap OK "$variant: guest ran to the end"
    else
        tap NOTOK "$variant: 'bye' missing"
    fi

    # Every accelerator must print the same thing (the seconds may differ).
    sed 's/^RTC seconds: .*/RTC seconds: NN/' "$out" >"$out.norm"
    if [ -z "$first_out" ]; then
        first_out=$out.norm
        first_variant=$variant
    elif cmp -s "$first_out" "$out.norm"; then
        tap OK "$variant: output identical to $first_variant"
    else
        tap NOTOK "$variant: output differs from $first_variant"
        diff "$first_out" "$out.norm" | sed 's/^/# /'
    fi
done

# Two vCPUs: CPU 0 starts CPU 1 with INIT/STARTUP IPIs (tests/guest/smp-real.asm).
smp_bin=$(guest_bin smp-real) || exit 99
for PCVM_ACCEL in kvm tcg; do
    variant=$PCVM_ACCEL-smp2
    out=$tmp/$variant.out
    run_guest "$smp_bin" "$out" -smp 2
    if cannot_run "$out"; then
        why=$(grep -v '^$' "$out.err" | head -n 1)
        why=${why:-accelerator not available}
        skipped="$skipped; $variant: $why"
        echo "# $variant skipped: $why"
        continue
    fi
    ran=$((ran + 1))
    if [ "$GUEST_RC" -eq "$EXPECT_RC" ] && grep -qx 'smp: cpu 1 started' "$out"; then
        tap OK "$variant: CPU 1 started by INIT/STARTUP IPIs"
    else
        tap NOTOK "$variant: exit status $GUEST_RC: $(grep '^smp:' "$out" | tail -n 1)"
        sed 's/^/# stderr: /' "$out.err" | head -n 30
    fi
done

if [ "$ran" -eq 0 ]; then
    skip_all "no accelerator available here${skipped}"
fi
echo "1..$n"
