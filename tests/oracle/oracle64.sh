#!/bin/sh
# The 64-bit integer-instruction oracle: tests/oracle/oracle64.asm is built
# twice, as a static x86-64 Linux program run natively on this host, which
# gives the reference from real hardware, and as a guest that
# tests/guest/lib64.inc switches to long mode on pcvm's software CPU.
# One TAP test per instruction: its line ("name hash") must be the same in
# both.  Skipped when the emulated CPU has no long mode (the guest says SKIP).
# ORACLE_VERBOSE=1 also compares every case of the failing instructions.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# Known differences of pcvm's software CPU from the hardware, one check name
# a line, reported as TODO (see tests/lib.sh); none at the moment.
TAP_TODO=""
# Known differences of QEMU's TCG (7.2) from the hardware, reported as TODO
# under PCVM_TEST_EMU=qemu: a REX prefix followed by another prefix, which
# the hardware ignores, still gives QEMU REX.W (for the flags of ADD, the
# size of STOS); CMPXCHG8B/16B after a lazily evaluated arithmetic op lose
# the flags other than ZF (the SDM says they keep them); and
# SHRD m64, r64, imm8 with a RIP-relative operand goes wrong.
QEMU_TODO="add rex 66 (rex ignored)
add rex es: (rex ignored)
rex f3 stosq (rex ignored)
cmpxchg8b
cmpxchg16b
shrd rip mem64 imm8"
oracle_todo() {
    if [ "$PCVM_TEST_EMU" = qemu ]; then
        printf '%s\n' "$QEMU_TODO" | grep -qxF -- "$1"
    else
        is_todo "$1"
    fi
}

need_nasm
need_emulator
LD=${LD_X86_64:-ld}
command -v "$LD" >/dev/null 2>&1 || skip_all "ld not found"
case $(uname -m) in
x86_64|amd64) ;;
*) skip_all "not an x86-64 host";;
esac
d=$(tap_tmp)
src=$top_srcdir/tests/oracle/oracle64.asm

host_build() {      # host_build OUT [nasm args]; 1: nasm failed, 2: ld failed
    _hb_out=$1; shift
    "$NASM" -f elf64 -DHOST "$@" -o "$_hb_out.o" "$src" 2>"$_hb_out.log" || return 1
    "$LD" -N -o "$_hb_out" "$_hb_out.o" 2>>"$_hb_out.log" || return 2
}
host_build "$d/host"
case $? in
0) ;;
1) sed 's/^/# /' "$d/host.log"; bail "cannot assemble $src";;
*) skip_all "cannot link an x86-64 program here ($(head -n 1 "$d/host.log"))";;
esac
timeout 60 "$d/host" >"$d/host.out" 2>/dev/null || skip_all "cannot run x86-64 programs on this host"
[ -s "$d/host.out" ] || bail "host oracle printed nothing"

assemble "$src" "$d/guest.bin"
run_guest "$d/guest.bin" "$d/guest.out"
if [ "$PCVM_TEST_EMU" != qemu ] && accel_missing "$d/guest.out"; then
    skip_all "-accel $PCVM_ACCEL not available: $(head -n 1 "$d/guest.out.err")"
fi
if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && grep -q '^SKIP' "$d/guest.out"; then
    skip_all "the emulated CPU does not advertise long mode"
fi

total=$(wc -l <"$d/host.out")
echo "1..$((total + 1))"
n=0
: >"$d/failed"
while read -r line; do
    n=$((n + 1))
    name=${line% *}
    got=$(grep -F -x -- "$line" "$d/guest.out" | head -n 1)
    if [ -n "$got" ]; then
        todo=
        [ "$PCVM_TEST_EMU" != qemu ] && is_todo "$name" &&
            todo=" # TODO known bug, now passes: update TAP_TODO"
        echo "ok $n - $name$todo"
    else
        other=$(awk -v n="$name" 'substr($0, 1, length(n) + 1) == n " " &&
            split(substr($0, length(n) + 2), f, " ") == 1 && length(f[1]) == 16 {
            print; exit }' "$d/guest.out")
        exc=$(grep -F -- "EXC $name vector=" "$d/guest.out" | head -n 1)
        todo=
        oracle_todo "$name" && todo=" # TODO known bug"
        if [ -n "$exc" ]; then
            echo "not ok $n - $name: host ${line##* }, guest ${exc#EXC "$name" }$todo"
        else
            echo "not ok $n - $name: host ${line##* }, guest ${other##* }$todo"
        fi
        echo "$n $name" >>"$d/failed"
    fi
done <"$d/host.out"
n=$((n + 1))
if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && grep -q '^END$' "$d/guest.out"; then
    echo "ok $n - guest ran to the end"
else
    echo "not ok $n - guest did not run to the end (exit status $GUEST_RC)"
    grep -v -E ' [0-9a-f]{16}$' "$d/guest.out" | head -n 20 | sed 's/^/# /'
    head -n 20 "$d/guest.out.err" | sed 's/^/# stderr: /'
fi

if [ -s "$d/failed" ]; then
    if [ "$ORACLE_VERBOSE" = 1 ]; then
        # every case of the first failing instructions (ORACLE_VERBOSE_MAX, 5)
        emu=pcvm
        [ "$PCVM_TEST_EMU" = qemu ] && emu=qemu
        echo "# fields: a b flags-in d | rax rbx rcx rdx rsi rdi rbp r8-r15 flags-out(masked) mem-fold"
        head -n "${ORACLE_VERBOSE_MAX:-5}" "$d/failed" | while read -r idx name; do
            host_build "$d/hostv" -DVERBOSE -DONLY="$idx" && "$d/hostv" >"$d/hostv.out"
            assemble "$src" "$d/guestv.bin" -DVERBOSE -DONLY="$idx"
            run_guest "$d/guestv.bin" "$d/guestv.out"
            cases='substr($0, 1, length(n) + 1) == n " " &&
                split(substr($0, length(n) + 2), f, " ") == 21'
            awk -v n="$name" "$cases" "$d/hostv.out" >"$d/h1"
            awk -v n="$name" "$cases" "$d/guestv.out" >"$d/g1"
            grep -F -- "EXC $name " "$d/guestv.out" | head -n 1 | sed "s/^/# $emu: /"
            echo "# $name: $(paste -d '\n' "$d/h1" "$d/g1" |
                awk 'NR % 2 == 1 { h = $0; next } h != $0 { n++ } END { print n + 0 }') of $(wc -l <"$d/h1") cases differ"
            # differing cases in pairs; the emulator's line has "=" for equal fields
            paste -d '\n' "$d/h1" "$d/g1" | awk -v max="${ORACLE_VERBOSE_LINES:-10}" -v emu=$emu '
                NR % 2 == 1 { h = $0; next }
                $0 == "" { print "# host: " h; print "# " emu ": (no case line)"; exit }
                h != $0 {
                    nh = split(h, hf, " "); ng = split($0, gf, " "); o = ""
                    for (i = ng - 20; i <= ng; i++)
                        o = o " " (i > 0 && gf[i] == hf[i - ng + nh] ? "=" : gf[i])
                    print "# host: " h; print "# " emu ":" o
                    if (++n >= max) exit
                }'
        done
    else
        echo "# run with ORACLE_VERBOSE=1 to see the differing cases"
    fi
fi
