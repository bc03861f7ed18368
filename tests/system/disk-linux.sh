#!/bin/sh
# Linux's own IDE driver on pcvm's disks: the Debian kernel boots a busybox
# initramfs that loads libata, ata_piix, sd_mod and sr_mod from the kernel
# package, reads the first disk and the CD-ROM (md5 against the host), writes
# a pattern to the second disk (bus-master DMA), syncs and powers off.  The
# host then checks the image file, and that -snapshot leaves it untouched.
# Every kernel in build/guests (amd64, 686-pae: scripts/fetch-guests.sh) runs
# under every accelerator pcvm lists; a variant whose kernel never reaches
# its /init (the CPU cannot boot that kernel yet) is skipped, not failed.
# PCVM_TEST_EMU=qemu runs the same under QEMU to check the test itself.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

: "${DISK_LINUX_TIMEOUT:=900}"         # one boot, to power off
: "${DISK_LINUX_INIT_TIMEOUT:=240}"    # to the initramfs' /init
guests=${DISK_LINUX_GUESTS:-${top_builddir:-.}/build/guests}
tmp=$(tap_tmp)

need_emulator
command -v cpio >/dev/null 2>&1 || skip_all "cpio not found"

# The modules ata_piix needs, in load order (as modules.dep of Debian's 6.1).
MODULES="crct10dif_common crct10dif_generic crc-t10dif crc64 crc64_rocksoft_generic crc64-rocksoft
t10-pi scsi_common scsi_mod libata ata_piix sd_mod cdrom sr_mod"

# build_initrd ARCH BUSYBOX MODDIR OUT
build_initrd() {
    root=$tmp/initrd-$1
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/lib"
    cp "$2" "$root/bin/busybox"
    : >"$root/modules.list"
    for m in $MODULES; do
        f=$(find "$3" -name "$m.ko" | head -n 1)
        [ -n "$f" ] || continue          # built in, or not needed on this kernel
        cp "$f" "$root/lib/$m.ko"
        echo "$m" >>"$root/modules.list"
    done
    cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "disk-linux: init"
for m in $(cat /modules.list); do
    insmod /lib/$m.ko 2>/dev/null || echo "disk-linux: insmod $m failed"
done
i=0
while [ $i -lt 150 ] && ! { [ -b /dev/sda ] && [ -b /dev/sdb ] && [ -b /dev/sr0 ]; }; do
    sleep 0.2
    i=$((i + 1))
done
echo "disk-linux: devices $(ls /dev | grep -E '^(sd[a-z]|sr[0-9])$' | tr '\n' ' ')"
# sd names follow probe order, which may vary: the data disk is the one that says so
src=sda dst=sdb
if [ "$(dd if=/dev/sdb bs=11 count=1 2>/dev/null)" = "sda 0000000" ]; then src=sdb dst=sda; fi
echo "disk-linux: sda md5 $(dd if=/dev/$src bs=65536 count=16 2>/dev/null | md5sum | cut -d' ' -f1)"
echo "disk-linux: sr0 md5 $(dd if=/dev/sr0 bs=2048 count=256 2>/dev/null | md5sum | cut -d' ' -f1)"
i=0
while [ $i -lt 4096 ]; do echo "pcvm disk line $i $((i * i))"; i=$((i + 1)); done >/tmp/pattern
dd if=/tmp/pattern of=/dev/$dst bs=4096 conv=fsync 2>/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
n=$(wc -c </tmp/pattern)
echo "disk-linux: wrote $n bytes, read back md5 $(dd if=/dev/$dst bs=$n count=1 2>/dev/null | md5sum | cut -d' ' -f1)"
for d in /sys/class/ata_device/*; do
    [ -f "$d/xfer_mode" ] && echo "disk-linux: ${d##*/} xfer_mode $(cat $d/xfer_mode)"
done
echo "disk-linux: done"
poweroff -f
INIT
    chmod +x "$root/init"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$4"
}

# Disk contents, made the way the guest makes its pattern.
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "sda %07d %s\n", i, (i * 7919) % 100003 }' \
    | head -c 4194304 >"$tmp/sda.img"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "cdrom sector text %07d\n", i }' \
    | head -c 1048576 >"$tmp/cd.img"
i=0; while [ $i -lt 4096 ]; do echo "pcvm disk line $i $((i * i))"; i=$((i + 1)); done >"$tmp/pattern"
sda_md5=$(head -c 1048576 "$tmp/sda.img" | md5sum | cut -d' ' -f1)
sr0_md5=$(head -c 524288 "$tmp/cd.img" | md5sum | cut -d' ' -f1)
pat_md5=$(md5sum <"$tmp/pattern" | cut -d' ' -f1)
pat_len=$(wc -c <"$tmp/pattern")

n=0
tap() {                          # tap OK|NOTOK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
t() {                            # t DESCRIPTION GREP-PATTERN
    if grep -q "$2" "$out"; then tap OK "$v: $1"; else tap NOTOK "$v: $1"; fi
}

# run VARIANT KERNEL INITRD ACCEL SNAPSHOT: boot; output in $out
run() {
    out=$tmp/$1.out
    dd if=/dev/zero of="$tmp/sdb.img" bs=1024 count=1024 2>/dev/null
    set -- "$2" "$3" "$4" "$5"
    snap=
    [ "$4" = yes ] && snap=-snapshot
    if [ "$PCVM_TEST_EMU" = qemu ]; then
        emu="$QEMU -accel tcg"
    else
        emu="$PCVM -accel $3"
    fi
    # shellcheck disable=SC2086
    timeout -k 5 "$DISK_LINUX_TIMEOUT" $emu -m 256 -nographic -no-reboot $snap \
        -kernel "$1" -initrd "$2" -append "console=ttyS0 quiet panic=-1" \
        -drive file="$tmp/sda.img",format=raw,index=0 \
        -drive file="$tmp/sdb.img",format=raw,index=1 \
        -drive file="$tmp/cd.img",format=raw,media=cdrom,index=2 \
        </dev/null 2>"$out.err" >"$out.raw" &
    pid=$!
    # A kernel that has not reached /init in time will not (this CPU cannot
    # run it yet): stop waiting for the full timeout.
    # Once the script is done, power off gets a minute (its data is synced).
    waited=0 limit=$DISK_LINUX_INIT_TIMEOUT phase=init
    while kill -0 "$pid" 2>/dev/null; do
        if [ $phase = init ] && grep -q "disk-linux: init" "$out.raw" 2>/dev/null; then
            phase=run limit=$DISK_LINUX_TIMEOUT
        fi
        if [ $phase = run ] && grep -q "disk-linux: done" "$out.raw" 2>/dev/null; then
            phase=off limit=$((waited + 60))
        fi
        grep -q "requires an x86-64 CPU" "$out.raw" 2>/dev/null && waited=$limit
        if [ "$waited" -ge "$limit" ]; then
            kill "$pid" 2>/dev/null
            break
        fi
        sleep 2
        waited=$((waited + 2))
    done
    wait "$pid" 2>/dev/null
    tr -d '\r' <"$out.raw" >"$out"
}

ran=0
skipped=
if [ "$PCVM_TEST_EMU" = qemu ]; then
    accels=tcg
else
    accels=$(os_accels)     # this machine's KVM may not run Linux at all
fi
accels=${DISK_LINUX_ACCELS:-$accels}
for arch in amd64 686-pae; do
    case $arch in
    amd64) bb=$guests/busybox-amd64/bin/busybox;;
    686-pae) bb=$guests/busybox-i386/bin/busybox;;
    esac
    kernel=$guests/vmlinuz-$arch
    moddir=$(ls -d "$guests/kernel-$arch"/lib/modules/* 2>/dev/null | head -n 1)
    if [ ! -f "$kernel" ] || [ ! -x "$bb" ] || [ -z "$moddir" ]; then
        skipped="$skipped; $arch: no kernel in $guests (scripts/fetch-guests.sh)"
        continue
    fi
    build_initrd "$arch" "$bb" "$moddir" "$tmp/initrd-$arch.gz"
    for accel in $accels; do
        v=$arch-$accel
        run "$v" "$kernel" "$tmp/initrd-$arch.gz" "$accel" no
        if ! grep -q "disk-linux: init" "$out"; then
            why=$(grep -v '^$' "$out.err" | head -n 1)
            skipped="$skipped; $v: the kernel did not reach /init${why:+ ($why)}"
            echo "# $v skipped: the kernel did not reach /init${why:+ ($why)}"
            continue
        fi
        ran=$((ran + 1))
        t "libata finds the two disks and the CD-ROM" "disk-linux: devices sda sdb sr0"
        t "reads the first disk (md5 matches the host)" "disk-linux: sda md5 $sda_md5"
        t "reads the CD-ROM (md5 matches the host)" "disk-linux: sr0 md5 $sr0_md5"
        t "reads its write back after dropping caches" "disk-linux: wrote $pat_len bytes, read back md5 $pat_md5"
        t "the disks run in a DMA mode" "disk-linux: dev1.0 xfer_mode .*DMA"
        t "the CD-ROM runs in a DMA mode" "disk-linux: dev2.0 xfer_mode .*DMA"
        t "the guest script ran to the end" "disk-linux: done"
        if cmp -s -n "$pat_len" "$tmp/pattern" "$tmp/sdb.img"; then
            tap OK "$v: the pattern reached the second disk's image file"
        else
            tap NOTOK "$v: the second disk's image does not hold the pattern"
            tail -n 30 "$out" | sed 's/^/# /'
        fi
        run "$v-snapshot" "$kernel" "$tmp/initrd-$arch.gz" "$accel" yes
        t "with -snapshot: the guest still reads its write back" \
            "disk-linux: wrote $pat_len bytes, read back md5 $pat_md5"
        if [ "$(tr -d '\0' <"$tmp/sdb.img" | wc -c)" -eq 0 ]; then
            tap OK "$v: with -snapshot the image file stays all zeros"
        else
            tap NOTOK "$v: -snapshot changed the image file"
        fi
    done
done

if [ "$ran" -eq 0 ]; then
    skip_all "nothing could boot Linux here${skipped}"
fi
echo "1..$n"
