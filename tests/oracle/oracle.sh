#!/bin/sh
# The integer-instruction oracle: tests/oracle/oracle.asm is built twice, as a
# static i386 Linux program run natively on this (x86) host, which gives the
# reference from real hardware, and as a guest run on pcvm's software CPU.
# One TAP test per instruction: its line ("name hash") must be the same in both.
# ORACLE_VERBOSE=1 also compares every case of the failing instructions.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# Known differences of pcvm's software CPU from the hardware, one check name
# a line, reported as TODO (see tests/lib.sh); none at the moment.
TAP_TODO=""

need_nasm
need_emulator
LD=${LD_I386:-ld}
command -v "$LD" >/dev/null 2>&1 || skip_all "ld not found"
d=$(tap_tmp)
src=$top_srcdir/tests/oracle/oracle.asm

host_build() {      # host_build OUT [nasm args]; 1: nasm failed, 2: ld failed
    _hb_out=$1; shift
    "$NASM" -f elf32 -DHOST "$@" -o "$_hb_out.o" "$src" 2>"$_hb_out.log" || return 1
    "$LD" -m elf_i386 -N -o "$_hb_out" "$_hb_out.o" 2>>"$_hb_out.log" || return 2
}
host_build "$d/host"
case $? in
0) ;;
1) sed 's/^/# /' "$d/host.log"; bail "cannot assemble $src";;
*) skip_all "cannot link an i386 program here ($(head -n 1 "$d/host.log"))";;
esac
timeout 60 "$d/host" >"$d/host.out" 2>/dev/null || skip_all "cannot run i386 programs on this host"
[ -s "$d/host.out" ] || bail "host oracle printed nothing"

assemble "$src" "$d/guest.bin"
run_guest "$d/guest.bin" "$d/guest.out"
if [ "$PCVM_TEST_EMU" != qemu ] && accel_missing "$d/guest.out"; then
    skip_all "-accel $PCVM_ACCEL not available: $(head -n 1 "$d/guest.out.err")"
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
        is_todo "$name" && todo=" # TODO known bug, now passes: update TAP_TODO"
        echo "ok $n - $name$todo"
    else
        other=$(grep -F -- "$name " "$d/guest.out" | grep -E "^$name [0-9a-f]{8}\$" | head -n 1)
        todo=
        is_todo "$name" && todo=" # TODO known bug"
        echo "not ok $n - $name: host ${line##* }, guest ${other##* }$todo"
        echo "$n $name" >>"$d/failed"
    fi
done <"$d/host.out"
n=$((n + 1))
if [ "$GUEST_RC" -eq "$GUEST_PASS" ] && grep -q '^END$' "$d/guest.out"; then
    echo "ok $n - guest ran to the end"
else
    echo "not ok $n - guest did not run to the end (exit status $GUEST_RC)"
    grep -v -E '^[a-z].* [0-9a-f]{8}$' "$d/guest.out" | head -n 20 | sed 's/^/# /'
    head -n 20 "$d/guest.out.err" | sed 's/^/# stderr: /'
fi

if [ -s "$d/failed" ]; then
    if [ "$ORACLE_VERBOSE" = 1 ]; then
        # every case of the first failing instructions:
        echo "# fields: a b flags-in edx-in | eax ebx ecx edx flags-out (masked)"
        head -n 5 "$d/failed" | while read -r idx name; do
            host_build "$d/hostv" -DVERBOSE -DONLY="$idx" && "$d/hostv" >"$d/hostv.out"
            assemble "$src" "$d/guestv.bin" -DVERBOSE -DONLY="$idx"
            run_guest "$d/guestv.bin" "$d/guestv.out"
            re="^$name( [0-9a-f]{8}){9}\$"
            grep -E -- "$re" "$d/hostv.out" >"$d/h1"
            grep -E -- "$re" "$d/guestv.out" >"$d/g1"
            diff "$d/h1" "$d/g1" | grep '^[<>]' | head -n 10 |
                sed 's/^</# host: /; s/^>/# pcvm: /'
        done
    else
        echo "# run with ORACLE_VERBOSE=1 to see the differing cases"
    fi
fi
