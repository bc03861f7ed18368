# tests/lib.sh - shared helpers for pcvm's TAP test scripts (sourced by sh/bash).
# Runs pcvm (or QEMU, for checking a guest) under a timeout, decides when a test
# must be skipped, and turns a test guest's serial output into TAP.
#
# Environment (set by `make check`): PCVM, NASM, top_srcdir, top_builddir.
# Knobs:
#   PCVM_ACCEL     accelerator passed as -accel (default: tcg)
#   PCVM_TIMEOUT   seconds before a run counts as hung (default: 60)
#   PCVM_TEST_EMU  "qemu" runs the guests under qemu-system-x86_64 instead of
#                  pcvm (to check that a guest itself is correct)
#   QEMU           qemu-system-x86_64 binary (default: from PATH)

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PCVM:=$top_builddir/pcvm}"
: "${NASM:=$(command -v nasm 2>/dev/null)}"
: "${PCVM_ACCEL:=tcg}"
: "${PCVM_TIMEOUT:=60}"
: "${QEMU:=qemu-system-x86_64}"

# Exit statuses of a guest through isa-debug-exit ((value << 1) | 1), as set by
# tests/guest/lib.inc.
GUEST_PASS=65
GUEST_FAIL=67
GUEST_EXC=69

tap_tmpdir=
tap_cleanup() { [ -n "$tap_tmpdir" ] && rm -rf "$tap_tmpdir"; }
trap tap_cleanup EXIT
tap_tmp() {
    if [ -z "$tap_tmpdir" ]; then
        tap_tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/pcvm-test.XXXXXX") || exit 99
    fi
    echo "$tap_tmpdir"
}

# skip_all REASON: the whole script is skipped.
skip_all() {
    echo "1..0 # SKIP $*"
    exit 0
}

# bail REASON: an error in the test setup itself (not the emulator).
bail() {
    echo "Bail out! $*"
    exit 99
}

need_nasm() {
    [ -n "$NASM" ] && [ -x "$(command -v "$NASM" 2>/dev/null)" ] || skip_all "nasm not found"
}

# need_emulator: skip unless the emulator under test exists.
need_emulator() {
    if [ "$PCVM_TEST_EMU" = qemu ]; then
        command -v "$QEMU" >/dev/null 2>&1 || skip_all "$QEMU not found"
    else
        [ -x "$PCVM" ] || skip_all "pcvm binary not built ($PCVM)"
    fi
}

# assemble SRC.asm OUT.bin [nasm args]: nasm -f bin with the guest include path.
assemble() {
    _as_src=$1; _as_out=$2; shift 2
    "$NASM" -f bin -I"$top_srcdir/tests/guest/" "$@" -o "$_as_out" "$_as_src" 2>"$_as_out.log" || {
        sed 's/^/# /' "$_as_out.log"
        bail "cannot assemble $_as_src"
    }
}

# guest_bin NAME: print the path of tests/guest/NAME.bin, assembling it into a
# temporary directory when the build tree does not have it.
guest_bin() {
    if [ -f "$top_builddir/tests/guest/$1.bin" ] &&
       [ "$top_builddir/tests/guest/$1.bin" -nt "$top_srcdir/tests/guest/$1.asm" ] &&
       [ "$top_builddir/tests/guest/$1.bin" -nt "$top_srcdir/tests/guest/lib.inc" ]; then
        echo "$top_builddir/tests/guest/$1.bin"
        return
    fi
    _gb_d=$(tap_tmp)
    assemble "$top_srcdir/tests/guest/$1.asm" "$_gb_d/$1.bin" >&2
    echo "$_gb_d/$1.bin"
}

# run_guest BIN OUTFILE [extra emulator args]: run a flat-binary guest as the
# BIOS image; serial output (CR stripped) goes to OUTFILE, stderr to
# OUTFILE.err.  Sets GUEST_RC (124 = timed out).
run_guest() {
    _rg_bin=$1; _rg_out=$2; shift 2
    if [ "$PCVM_TEST_EMU" = qemu ]; then
        set -- "$QEMU" -accel tcg -nographic -m 32 -bios "$_rg_bin" \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot "$@"
    else
        set -- "$PCVM" -accel "$PCVM_ACCEL" -nographic -m 32 -bios "$_rg_bin" \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot "$@"
    fi
    timeout -k 5 "$PCVM_TIMEOUT" "$@" </dev/null >"$_rg_out.raw" 2>"$_rg_out.err"
    GUEST_RC=$?
    tr -d '\r' <"$_rg_out.raw" >"$_rg_out"
}

# accel_missing OUTFILE: true when the run failed because the accelerator is
# not available in this build or on this host (then the test is skipped).
# Only pcvm's first lines of stderr are looked at, and only a message about the
# accelerator itself counts, so that a guest-triggered error never skips.
accel_missing() {
    case $GUEST_RC in $GUEST_PASS|$GUEST_FAIL|$GUEST_EXC|124|137) return 1;; esac
    head -n 5 "$1.err" 2>/dev/null | grep -Eiq \
        "(accel|tcg|kvm|translator|software cpu).*(not (built|compiled|available|supported)|unavailable|missing|cannot open|permission denied|no such file)|unknown accel|invalid accel|no such accel"
}

# guest_tap NAME [extra emulator args]: run tests/guest/NAME.bin and report it
# as TAP: one test per "ok X"/"FAIL X" line the guest prints (the guest's
# "PLAN n" line says how many to expect), plus one for its exit status.
guest_tap() {
    name=$1; shift
    need_nasm
    need_emulator
    bin=$(guest_bin "$name") || exit 99
    out=$(tap_tmp)/$name.out
    run_guest "$bin" "$out" "$@"
    if [ "$PCVM_TEST_EMU" != qemu ] && accel_missing "$out"; then
        skip_all "-accel $PCVM_ACCEL not available: $(head -n 1 "$out.err")"
    fi
    tap_report "$name" "$out"
}

# TAP_TODO: check names (one per line, exactly as the guest prints them) that
# are known to fail: reported as "not ok ... # TODO" (XFAIL); if one passes it
# becomes XPASS, which make check counts as a failure, so the list gets
# updated when the bug is fixed.
is_todo() {
    [ "$PCVM_TEST_EMU" != qemu ] && [ -n "${TAP_TODO:-}" ] && printf '%s\n' "$TAP_TODO" | grep -qxF -- "$1"
}

# tap_report NAME OUTFILE: the TAP part of guest_tap (uses GUEST_RC).
tap_report() {
    name=$1; out=$2
    unknown_fail=0
    plan=$(sed -n 's/^PLAN \([0-9][0-9]*\)$/\1/p' "$out" | head -n 1)
    [ -n "$plan" ] || plan=0
    echo "1..$((plan + 1))"
    n=0
    grep -E '^(ok |FAIL )' "$out" | head -n "$plan" >"$out.checks"
    while IFS= read -r line; do
        n=$((n + 1))
        case $line in
        "ok "*)
            todo=
            is_todo "${line#ok }" && todo=" # TODO known bug, now passes: update TAP_TODO"
            echo "ok $n - $name: ${line#ok }$todo";;
        *)
            check=${line#FAIL }
            check=${check%% got=*}
            if is_todo "$check"; then
                echo "not ok $n - $name: ${line#FAIL } # TODO known bug"
            else
                echo "not ok $n - $name: ${line#FAIL }"
                unknown_fail=1
            fi;;
        esac
    done <"$out.checks"
    while [ "$n" -lt "$plan" ]; do
        n=$((n + 1))
        echo "not ok $n - $name: check $n never reported (guest stopped early)"
    done
    n=$((n + 1))
    if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && grep -q '^PASS$' "$out"; then
        echo "ok $n - $name: guest exited with pass status"
    elif [ "$GUEST_RC" -eq "$GUEST_FAIL" ] && [ $unknown_fail = 0 ] &&
         [ "$(grep -c -E '^(ok |FAIL )' "$out")" -eq "$plan" ]; then
        echo "ok $n - $name: guest ran to the end (failing only known-bug checks)"
    else
        case $GUEST_RC in
        124|137) why="timed out after ${PCVM_TIMEOUT}s";;
        $GUEST_FAIL) why="guest reported failures";;
        $GUEST_EXC) why="unexpected exception or interrupt";;
        *) why="exit status $GUEST_RC";;
        esac
        echo "not ok $n - $name: $why"
        grep -v -E '^(ok |PLAN )' "$out" | head -n 40 | sed 's/^/# /'
        head -n 20 "$out.err" | sed 's/^/# stderr: /'
    fi
}

# kvm_hw_backed: true when /dev/kvm is hardware virtualization (kvm_intel or
# kvm_amd), which runs whole operating systems at speed.  A KVM that emulates
# privileged code in software (kvm_pvm) is only good for tiny guests.
kvm_hw_backed() {
    [ -c /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] &&
        { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }
}

# os_accels: the accelerators to boot a full operating system with
os_accels() {
    _a=
    kvm_hw_backed && _a=kvm
    "$PCVM" -accel help 2>/dev/null | grep -qx tcg && _a="$_a tcg"
    echo $_a
}
