#!/bin/sh
# Time the Debian kernel + busybox initramfs to the /init marker under pcvm's
# software CPU and under QEMU TCG, in the same run, and print the ratio.
# Host CPU (user+system of the emulator process) and wall time, median of N runs.
#   tests/bench/linux-boot.sh [runs]
top=$(cd "$(dirname "$0")/../.." && pwd)
PCVM=${PCVM:-$top/pcvm}
QEMU=${QEMU:-qemu-system-x86_64}
runs=${1:-3}
g=$top/build/guests
[ -f "$g/vmlinuz-amd64" ] || "$top/scripts/fetch-guests.sh" >/dev/null || exit 1
hz=$(getconf CLK_TCK)

# boot_once CMD...: prints "cpu_seconds wall_seconds" when the marker shows up
boot_once() {
    log=$(mktemp)
    start=$(date +%s.%N)
    "$@" </dev/null >"$log" 2>&1 &
    pid=$!
    cpu=""
    i=0
    while [ $i -lt 6000 ]; do
        if grep -q "pcvm-init: start" "$log"; then
            end=$(date +%s.%N)
            cpu=$(awk -v hz=$hz '{ printf "%.2f", ($14 + $15) / hz }' /proc/$pid/stat)
            break
        fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
        i=$((i + 1))
    done
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
    rm -f "$log"
    [ -n "$cpu" ] && awk -v c=$cpu -v s=$start -v e=$end 'BEGIN { printf "%s %.2f\n", c, e - s }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "nan" }'; }

args="-m 512 -nographic -no-reboot -kernel $g/vmlinuz-amd64 -initrd $g/initrd-amd64.gz"
for emu in qemu pcvm; do
    : > /tmp/bench-$emu.txt
    for r in $(seq $runs); do
        if [ $emu = qemu ]; then
            boot_once $QEMU -accel tcg $args -append "console=ttyS0 quiet" >> /tmp/bench-$emu.txt
        else
            boot_once $PCVM -accel tcg $args -append "console=ttyS0 quiet" >> /tmp/bench-$emu.txt
        fi
    done
done
qc=$(cut -d' ' -f1 /tmp/bench-qemu.txt | median); qw=$(cut -d' ' -f2 /tmp/bench-qemu.txt | median)
pc=$(cut -d' ' -f1 /tmp/bench-pcvm.txt | median); pw=$(cut -d' ' -f2 /tmp/bench-pcvm.txt | median)
echo "Linux boot to /init (median of $runs): QEMU TCG ${qc}s CPU ${qw}s wall; pcvm ${pc}s CPU ${pw}s wall"
awk -v q=$qc -v p=$pc 'BEGIN { if (q > 0 && p > 0) printf "pcvm/QEMU CPU ratio: %.2f\n", p / q; else print "pcvm/QEMU CPU ratio: n/a (a run did not reach /init)" }'
