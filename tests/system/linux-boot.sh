#!/bin/sh
# The Debian kernel with a busybox initramfs boots to /init under the software
# CPU, runs a script whose results are checked against the host, and powers
# off through ACPI: pcvm exits 0.  Guests come from scripts/fetch-guests.sh
# (scripts/test.sh runs it before make check).
#   linux-boot.sh [amd64|686-pae]
PCVM=${PCVM:-./pcvm}
top=${top_srcdir:-.}
arch=${1:-amd64}
guests=$top/build/guests
case $arch in
    amd64) kernel=$guests/vmlinuz-amd64; initrd=$guests/initrd-amd64.gz; fetch= ;;
    686-pae) kernel=$guests/vmlinuz-686-pae; initrd=$guests/initrd-i386.gz; fetch=--i386 ;;
esac
if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
    echo "1..0 # SKIP no Debian $arch kernel in $guests (run scripts/fetch-guests.sh $fetch)"
    exit 0
fi

# Expected values, computed here the way the guest's /test.sh computes them.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
dd if=/dev/zero bs=1024 count=512 2>/dev/null | tr '\0' 'p' > "$tmp/data"
i=0; while [ $i -lt 64 ]; do echo "line $i $((i * i))" >> "$tmp/data"; i=$((i + 1)); done
md5=$(md5sum "$tmp/data" | cut -d' ' -f1)

out=$tmp/out
timeout 600 "$PCVM" -accel tcg -m 512 -nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 quiet pcvm.test=1" </dev/null >"$out" 2>&1
rc=$?
n=0; fail=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $arch: $1"; else echo "not ok $n - $arch: $1"; fail=1; fi; }
t "reaches /init" 'grep -q "pcvm-init: start" "$out"'
t "shell arithmetic" 'grep -q "arith: 42 $((123456789 * 1000 % 97))" "$out"'
t "md5sum matches the host" 'grep -q "md5: $md5" "$out"'
t "gzip round trip" 'grep -q "gzip: round trip ok" "$out"'
t "Linux's i8042 driver finds the PS/2 keyboard" 'grep -q "input: AT Translated Set 2 keyboard" "$out"'
t "powers off through ACPI, exit status 0" '[ $rc -eq 0 ] && grep -q "pcvm-init: test done" "$out"'
[ $fail -eq 0 ] || tail -30 "$out" | sed 's/^/# /'
echo "1..$n"
exit $fail
