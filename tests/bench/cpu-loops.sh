#!/bin/bash
# tests/bench/cpu-loops.sh - software-CPU speed, pcvm -accel tcg vs QEMU TCG.
# Runs tests/bench/loops.asm (KIND 0: xorshift ALU + store loop, 14
# instructions per iteration; KIND 1: call/ret loop, 8 per iteration) at two
# iteration counts under each emulator, measures host user CPU time, and
# prints MIPS as the slope between the two counts (boot cost cancels), then
# the wall time of SeaBIOS POST up to "No bootable device".  Not part of
# make check.
#
# Knobs: N1 N2 (default 20000000 200000000), REPS (best of, default 1),
# PCVM QEMU NASM top_srcdir, SKIP_POST=1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PCVM:=$top_builddir/pcvm}"
: "${QEMU:=qemu-system-x86_64}"
: "${NASM:=nasm}"
: "${N1:=20000000}"
: "${N2:=200000000}"
: "${REPS:=1}"
: "${TIMEOUT:=600}"
: "${SKIP_POST:=0}"

command -v "$NASM" >/dev/null || { echo "nasm not found" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcvm-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

emu_cmd() {   # emu_cmd pcvm|qemu -> the command line prefix (without -bios)
    case $1 in
    pcvm) echo "$PCVM -accel tcg -nographic -m 64 -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04";;
    qemu) echo "$QEMU -accel tcg -nographic -m 64 -no-reboot -nic none -device isa-debug-exit,iobase=0xf4,iosize=0x04";;
    esac
}

# available pcvm|qemu: can it run the software CPU at all?
available() {
    if [ "$1" = qemu ]; then
        command -v "$QEMU" >/dev/null 2>&1 || { why="$QEMU not found"; return 1; }
        return 0
    fi
    [ -x "$PCVM" ] || { why="pcvm not built ($PCVM)"; return 1; }
    # the guest exits with 65 when it ran; anything else: not usable yet
    timeout 60 $(emu_cmd pcvm) -bios "$tmp/k0-small.bin" </dev/null >"$tmp/probe.out" 2>&1
    rc=$?
    [ $rc -eq 65 ] && return 0
    why="pcvm -accel tcg did not run the guest (exit $rc: $(grep -v '^PLAN' "$tmp/probe.out" | head -n 1))"
    return 1
}

# utime EMU BIN: prints user CPU seconds of one run (best of REPS), or "fail"
utime() {
    best=
    for _ in $(seq "$REPS"); do
        /usr/bin/time -f '%U %S' -o "$tmp/time" timeout "$TIMEOUT" $(emu_cmd "$1") -bios "$2" \
            </dev/null >/dev/null 2>"$tmp/err"
        rc=$?
        if [ $rc -ne 65 ]; then echo fail; return; fi
        t=$(tail -n 1 "$tmp/time" | awk '{print $1}')
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
    done
    echo "$best"
}

for k in 0 1; do
    for n in "$N1" "$N2"; do
        "$NASM" -f bin -I"$top_srcdir/tests/guest/" -DKIND=$k -DN=$n \
            -o "$tmp/k$k-$n.bin" "$top_srcdir/tests/bench/loops.asm" || exit 1
    done
done
"$NASM" -f bin -I"$top_srcdir/tests/guest/" -DKIND=0 -DN=1000 \
    -o "$tmp/k0-small.bin" "$top_srcdir/tests/bench/loops.asm" || exit 1

emus=
for e in pcvm qemu; do
    if available $e; then emus="$emus $e"; else echo "# $e skipped: $why"; fi
done

declare -A mips
names=("xorshift+store loop (14 insn/iter)" "call/ret loop (8 insn/iter)")
ipi=(14 8)
printf '%-38s %-6s %10s %10s %10s\n' "benchmark" "emu" "t($N1)" "t($N2)" "MIPS"
for k in 0 1; do
    for e in $emus; do
        t1=$(utime $e "$tmp/k$k-$N1.bin")
        t2=$(utime $e "$tmp/k$k-$N2.bin")
        if [ "$t1" = fail ] || [ "$t2" = fail ]; then
            m=fail
        else
            m=$(awk -v a="$t1" -v b="$t2" -v n1="$N1" -v n2="$N2" -v i="${ipi[$k]}" \
                'BEGIN { d = b - a; if (d <= 0) print "n/a"; else printf "%.0f", i * (n2 - n1) / d / 1e6 }')
        fi
        mips[$k,$e]=$m
        printf '%-38s %-6s %10s %10s %10s\n' "${names[$k]}" "$e" "$t1" "$t2" "$m"
    done
    p=${mips[$k,pcvm]:-}; q=${mips[$k,qemu]:-}
    if [[ $p =~ ^[0-9]+$ && $q =~ ^[0-9]+$ && $q -gt 0 ]]; then
        awk -v p="$p" -v q="$q" -v n="${names[$k]}" \
            'BEGIN { printf "%-38s pcvm/qemu MIPS ratio %.2f\n", n, p / q }'
    fi
done

# SeaBIOS POST: wall time until "No bootable device" on the serial console
post_time() {   # post_time pcvm|qemu
    case $1 in
    pcvm) cmd="$PCVM -accel tcg -nographic -m 64 -no-reboot";;
    qemu) cmd="$QEMU -accel tcg -nographic -m 64 -no-reboot -nic none";;
    esac
    out=$tmp/post-$1.out
    : >"$out"
    start=$(date +%s%N)
    $cmd </dev/null >"$out" 2>&1 &
    pid=$!
    while kill -0 $pid 2>/dev/null; do
        if grep -aq "No bootable device" "$out"; then
            end=$(date +%s%N)
            kill $pid 2>/dev/null; wait $pid 2>/dev/null
            awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'
            return
        fi
        if [ $(( ($(date +%s%N) - start) / 1000000000 )) -ge 60 ]; then
            kill $pid 2>/dev/null; wait $pid 2>/dev/null
            echo timeout; return
        fi
        sleep 0.01
    done
    wait $pid 2>/dev/null
    echo "fail"
}
if [ "$SKIP_POST" != 1 ]; then
    for e in $emus; do
        printf '%-38s %-6s %10s s\n' "SeaBIOS POST to 'No bootable device'" "$e" "$(post_time $e)"
    done
fi
