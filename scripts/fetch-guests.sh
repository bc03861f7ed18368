#!/bin/sh
# Fetch real guest software from Debian's archive into build/guests/ (no
# installation on the host: apt-get download + dpkg-deb -x) and build the
# busybox initramfs the Linux system tests boot:
#   build/guests/vmlinuz-amd64, build/guests/initrd-amd64.gz
#   build/guests/vmlinuz-686-pae, build/guests/initrd-i386.gz   (with --i386)
# The initramfs /init mounts /proc and /sys, loads the IDE driver modules from
# the kernel package, prints "pcvm-init: start", then by the command line:
# pcvm.test=1 runs /test.sh, pcvm.bench=disk runs /bench-disk.sh (dd on
# /dev/sda), each followed by power off; otherwise a shell.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/guests"
mkdir -p "$out/debs"
cd "$out/debs"

want_i386=no
[ "${1:-}" = "--i386" ] && want_i386=yes

if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi

# download PKG[:ARCH] into the current folder unless a .deb for it is there
fetch() {
    name=${1%%:*}
    ls "${name}"_*.deb >/dev/null 2>&1 && return 0
    apt-get download -q "$1" || { $SUDO apt-get update -q && apt-get download -q "$1"; }
}

# linux-image-amd64 is a metapackage: follow it to the versioned image
kernel_pkg() {
    apt-cache depends "linux-image-$1" 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1
}

# The modules ata_piix needs, in load order (modules.dep of Debian's 6.1).
MODULES="crct10dif_common crct10dif_generic crc-t10dif crc64 crc64_rocksoft_generic crc64-rocksoft
t10-pi scsi_common scsi_mod libata ata_piix sd_mod cdrom sr_mod"

build_initrd() {     # arch-suffix busybox-deb output kernel-tree
    root="$out/initrd-$1"
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/lib"
    dpkg-deb -x "$2" "$out/busybox-$1"
    cp "$out/busybox-$1/bin/busybox" "$root/bin/busybox"
    : > "$root/modules.list"
    for m in $MODULES; do
        f=$(find "$4/lib/modules" -name "$m.ko" 2>/dev/null | head -n 1)
        [ -n "$f" ] || continue          # built in on this kernel
        cp "$f" "$root/lib/$m.ko"
        echo "$m" >> "$root/modules.list"
    done
    cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /modules.list); do insmod /lib/$m.ko 2>/dev/null; done
echo "pcvm-init: start"
if grep -q "pcvm.test=1" /proc/cmdline; then
    sh /test.sh
    echo "pcvm-init: test done"
    poweroff -f
fi
if grep -q "pcvm.bench=disk" /proc/cmdline; then
    sh /bench-disk.sh
    poweroff -f
fi
exec sh
INIT
    cat > "$root/bench-disk.sh" <<'BENCH'
i=0; while [ $i -lt 100 ] && [ ! -b /dev/sda ]; do sleep 0.1; i=$((i + 1)); done
mb=$(sed -n 's/.*pcvm.bench_mb=\([0-9]*\).*/\1/p' /proc/cmdline); mb=${mb:-64}
# busybox's dd prints no rate: time it with the uptime clock
t0=$(cut -d' ' -f1 /proc/uptime)
dd if=/dev/zero of=/dev/sda bs=1M count=$mb oflag=direct 2>/dev/null
t1=$(cut -d' ' -f1 /proc/uptime)
dd if=/dev/sda of=/dev/null bs=1M count=$mb iflag=direct 2>/dev/null
t2=$(cut -d' ' -f1 /proc/uptime)
echo "bench-disk: $mb MiB write $t0 $t1 read $t1 $t2"
echo "bench-disk: done"
BENCH
    cat > "$root/test.sh" <<'TEST'
echo "arith: $((6 * 7)) $((123456789 * 1000 % 97))"
dd if=/dev/zero bs=1024 count=512 2>/dev/null | tr '\0' 'p' > /tmp/data
i=0; while [ $i -lt 64 ]; do echo "line $i $((i * i))" >> /tmp/data; i=$((i + 1)); done
echo "md5: $(md5sum /tmp/data | cut -d' ' -f1)"
gzip -c /tmp/data > /tmp/data.gz
gunzip -c /tmp/data.gz > /tmp/data2
cmp /tmp/data /tmp/data2 && echo "gzip: round trip ok $(wc -c < /tmp/data.gz)"
grep -o 'AT Translated Set 2 keyboard' /proc/bus/input/devices | sed 's/^/input: /'
TEST
    chmod +x "$root/init" "$root/test.sh" "$root/bench-disk.sh"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$3"
}

kpkg=$(kernel_pkg amd64)
[ -n "$kpkg" ] || { $SUDO apt-get update -q; kpkg=$(kernel_pkg amd64); }
[ -n "$kpkg" ] || { echo "fetch-guests: cannot resolve linux-image-amd64" >&2; exit 1; }
fetch "$kpkg"
fetch busybox-static
dpkg-deb -x "$(ls ${kpkg}_*.deb | head -n 1)" "$out/kernel-amd64"
cp "$(ls "$out"/kernel-amd64/boot/vmlinuz-* | head -n 1)" "$out/vmlinuz-amd64"
build_initrd amd64 "$(ls busybox-static_*amd64.deb | head -n 1)" "$out/initrd-amd64.gz" "$out/kernel-amd64"
echo "fetch-guests: $out/vmlinuz-amd64 ($kpkg), $out/initrd-amd64.gz"

if [ $want_i386 = yes ]; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        $SUDO dpkg --add-architecture i386
        $SUDO apt-get update -q
    fi
    kpkg=$(kernel_pkg 686-pae)
    [ -n "$kpkg" ] || { echo "fetch-guests: cannot resolve linux-image-686-pae" >&2; exit 1; }
    mkdir -p i386 && cd i386
    fetch "$kpkg:i386"
    fetch busybox-static:i386
    dpkg-deb -x "$(ls ${kpkg}_*.deb | head -n 1)" "$out/kernel-686-pae"
    cp "$(ls "$out"/kernel-686-pae/boot/vmlinuz-* | head -n 1)" "$out/vmlinuz-686-pae"
    build_initrd i386 "$(ls busybox-static_*i386.deb | head -n 1)" "$out/initrd-i386.gz" "$out/kernel-686-pae"
    echo "fetch-guests: $out/vmlinuz-686-pae ($kpkg), $out/initrd-i386.gz"
fi
