#!/bin/sh
# Sequential disk throughput inside the guest: Debian's kernel (686-pae) with
# the busybox initramfs runs dd with oflag=direct / iflag=direct on /dev/sda
# (ata_piix, bus-master DMA) under pcvm's software CPU and under QEMU TCG, on
# the same raw image, in the same run; prints MB/s and the pcvm/QEMU ratios.
#   tests/bench/disk-io.sh [MiB]       (default 64)
top=$(cd "$(dirname "$0")/../.." && pwd)
PCVM=${PCVM:-$top/pcvm}
QEMU=${QEMU:-qemu-system-x86_64}
mb=${1:-64}
g=$top/build/guests
[ -f "$g/vmlinuz-686-pae" ] || "$top/scripts/fetch-guests.sh" --i386 >/dev/null || exit 1
img=$(mktemp --suffix=.img)
trap 'rm -f "$img" "$img.out"' EXIT
truncate -s $((mb + 16))M "$img"

# run EMU...: prints "write_MBps read_MBps"
run() {
    timeout 900 "$@" -m 256 -nographic -no-reboot -kernel "$g/vmlinuz-686-pae" \
        -initrd "$g/initrd-i386.gz" -append "console=ttyS0 quiet pcvm.bench=disk pcvm.bench_mb=$mb" \
        -drive file="$img",format=raw,if=ide,index=0 </dev/null >"$img.out" 2>&1
    # "bench-disk: 64 MiB write T0 T1 read T1 T2" (guest uptime seconds)
    sed -n 's/^bench-disk: \([0-9]*\) MiB write \([0-9.]*\) \([0-9.]*\) read \([0-9.]*\) \([0-9.]*\).*/\1 \2 \3 \4 \5/p' "$img.out" |
        awk 'NF == 5 && $3 > $2 && $5 > $4 { printf "%.1f %.1f\n", $1 / ($3 - $2), $1 / ($5 - $4); ok = 1 }
             END { if (!ok) print "nan nan" }'
}

q=$(run $QEMU -accel tcg)
p=$(run $PCVM -accel tcg)
echo "sequential $mb MiB, O_DIRECT in the guest (MiB/s):  write   read"
echo "$q" | awk '{ printf "  QEMU TCG                                  %6s %6s\n", $1, $2 }'
echo "$p" | awk '{ printf "  pcvm -accel tcg                           %6s %6s\n", $1, $2 }'
echo "$p $q" | awk '{ if ($3 > 0 && $4 > 0) printf "  pcvm/QEMU ratio                           %6.2f %6.2f\n", $1 / $3, $2 / $4 }'
