#!/bin/sh
# Boot loaders nobody here wrote, through SeaBIOS and pcvm's IDE: a raw disk
# image with syslinux's MBR, a FAT partition and syslinux (built without
# mounting: mkfs.vfat -h, mtools, syslinux --install) boots the Debian kernel and
# a busybox initramfs from -hda; an isolinux ISO (xorriso) boots the same from
# -cdrom.  The initramfs prints the kernel command line and powers off (a
# power off that does not come is noted, not failed: that is not the disk).
# Every kernel in build/guests runs under every accelerator pcvm lists; one
# that never reaches its /init (that CPU cannot run it yet) is skipped.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

: "${SYSLINUX_TIMEOUT:=600}"
: "${SYSLINUX_INIT_TIMEOUT:=300}"
guests=${DISK_LINUX_GUESTS:-${top_builddir:-.}/build/guests}
tmp=$(tap_tmp)

need_emulator
for tool in syslinux mcopy mkfs.vfat xorriso cpio; do
    command -v $tool >/dev/null 2>&1 || skip_all "$tool not found (packages syslinux mtools dosfstools xorriso cpio)"
done
MBR_BIN=/usr/lib/syslinux/mbr/mbr.bin
ISOLINUX_BIN=/usr/lib/ISOLINUX/isolinux.bin
LDLINUX_C32=/usr/lib/syslinux/modules/bios/ldlinux.c32
for f in $MBR_BIN $ISOLINUX_BIN $LDLINUX_C32; do
    [ -f "$f" ] || skip_all "$f not found (packages syslinux-common isolinux)"
done

# build_initrd BUSYBOX OUT: /init prints its command line and powers off
build_initrd() {
    root=$tmp/initrd
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
    cp "$1" "$root/bin/busybox"
    cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
echo "disk-syslinux: init $(cat /proc/cmdline)"
poweroff -f
INIT
    chmod +x "$root/init"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$2"
}

# The disk: syslinux MBR, one active FAT16 partition from 1 MiB to 48 MiB.
build_disk() {     # KERNEL INITRD OUT
    part_start=2048
    part_sectors=96256
    dd if=/dev/zero of="$3" bs=1M count=48 2>/dev/null
    dd if=$MBR_BIN of="$3" conv=notrunc 2>/dev/null
    # partition entry 1: active, type 06, LBA start and size (little-endian)
    le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
    { printf '\200\376\377\377\006\376\377\377'; le32 $part_start; le32 $part_sectors; } |
        dd of="$3" bs=1 seek=446 conv=notrunc 2>/dev/null
    printf '\125\252' | dd of="$3" bs=1 seek=510 conv=notrunc 2>/dev/null
    rm -f "$tmp/part.img"
    mkfs.vfat -C -F 16 -h $part_start -n PCVM "$tmp/part.img" $((part_sectors / 2)) >/dev/null || return 1
    cat >"$tmp/syslinux.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0 loglevel=1 panic=-1 pcvm.boot=syslinux-hda
CFG
    mcopy -i "$tmp/part.img" "$1" ::/vmlinuz &&
    mcopy -i "$tmp/part.img" "$2" ::/initrd.gz &&
    mcopy -i "$tmp/part.img" "$tmp/syslinux.cfg" ::/syslinux.cfg || return 1
    syslinux --install "$tmp/part.img" || return 1
    dd if="$tmp/part.img" of="$3" bs=512 seek=$part_start conv=notrunc 2>/dev/null
}

build_iso() {      # KERNEL INITRD OUT
    d=$tmp/iso
    rm -rf "$d"
    mkdir -p "$d/isolinux"
    cp $ISOLINUX_BIN $LDLINUX_C32 "$d/isolinux/"
    cp "$1" "$d/vmlinuz"
    cp "$2" "$d/initrd.gz"
    sed 's/pcvm.boot=syslinux-hda/pcvm.boot=isolinux-cdrom/' "$tmp/syslinux.cfg" >"$d/isolinux/isolinux.cfg"
    xorriso -as mkisofs -quiet -o "$3" -b isolinux/isolinux.bin -c isolinux/boot.cat \
        -no-emul-boot -boot-load-size 4 -boot-info-table "$d" >"$tmp/xorriso.log" 2>&1
}

n=0
tap() {
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# boot NAME ACCEL ARGS...: output in $out, exit status in $rc; gives up early
# when the kernel does not reach /init
boot() {
    out=$tmp/$1.out
    _accel=$2
    shift 2
    timeout -k 5 "$SYSLINUX_TIMEOUT" "$PCVM" -accel "$_accel" -m 256 -nographic -no-reboot "$@" \
        </dev/null >"$out.raw" 2>"$out.err" &
    pid=$!
    waited=0 limit=$SYSLINUX_INIT_TIMEOUT seen=
    while kill -0 "$pid" 2>/dev/null; do
        if [ -z "$seen" ] && grep -q "disk-syslinux: init" "$out.raw" 2>/dev/null; then
            seen=1 limit=$((waited + 60))    # then a minute to power off
        fi
        grep -q "requires an x86-64 CPU\|features not present" "$out.raw" 2>/dev/null && waited=$limit
        if [ "$waited" -ge "$limit" ]; then
            kill "$pid" 2>/dev/null
            break
        fi
        sleep 2
        waited=$((waited + 2))
    done
    wait "$pid"
    rc=$?
    tr -d '\r' <"$out.raw" >"$out"
}

accels=$(os_accels)     # this machine's KVM may not run Linux at all
accels=${SYSLINUX_ACCELS:-$accels}
ran=0
skipped=
for arch in 686-pae amd64; do
    case $arch in
    amd64) bb=$guests/busybox-amd64/bin/busybox;;
    686-pae) bb=$guests/busybox-i386/bin/busybox;;
    esac
    kernel=$guests/vmlinuz-$arch
    if [ ! -f "$kernel" ] || [ ! -x "$bb" ]; then
        skipped="$skipped; $arch: no kernel in $guests (scripts/fetch-guests.sh)"
        continue
    fi
    build_initrd "$bb" "$tmp/initrd-$arch.gz"
    build_disk "$kernel" "$tmp/initrd-$arch.gz" "$tmp/disk-$arch.img" ||
        bail "cannot build the syslinux disk image"
    build_iso "$kernel" "$tmp/initrd-$arch.gz" "$tmp/cd-$arch.iso" || {
        sed 's/^/# /' "$tmp/xorriso.log"
        bail "cannot build the isolinux ISO"
    }
    for accel in $accels; do
        v=$arch-$accel
        boot "$v-hda" "$accel" -drive file="$tmp/disk-$arch.img",format=raw
        if ! grep -q "disk-syslinux: init" "$out"; then
            why=$(grep -v '^$' "$out.err" | head -n 1)
            # The kernel's setup code talking means syslinux loaded it from
            # the disk: what fails after that is the CPU, not the disk path;
            # so is an accelerator that stops on code it cannot run.
            if ! grep -q "Probing EDD\|requires an x86-64\|features not present" "$out" &&
               ! grep -q "internal error\|not supported\|not implemented" "$out.err"; then
                # syslinux never loaded the kernel: that is the disk path failing
                tap NOTOK "$v: syslinux did not load the kernel from -hda"
                tail -n 20 "$out" | sed 's/^/# stdout: /'
                head -n 10 "$out.err" | sed 's/^/# stderr: /'
                ran=$((ran + 1))
                continue
            fi
            skipped="$skipped; $v: no /init${why:+ ($why)}"
            echo "# $v skipped: the guest stopped before /init, not in the disk path${why:+ ($why)}"
            continue
        fi
        ran=$((ran + 1))
        if grep -q "disk-syslinux: init.*pcvm.boot=syslinux-hda" "$out"; then
            tap OK "$v: syslinux on -hda boots the kernel and initramfs"
        else
            tap NOTOK "$v: wrong command line from -hda"
        fi
        [ "$rc" -eq 0 ] || echo "# $v: no clean power off after /init (exit status $rc)"
        boot "$v-cdrom" "$accel" -cdrom "$tmp/cd-$arch.iso"
        if grep -q "disk-syslinux: init.*pcvm.boot=isolinux-cdrom" "$out"; then
            tap OK "$v: isolinux on -cdrom boots the kernel and initramfs"
        else
            tap NOTOK "$v: isolinux on -cdrom did not boot the kernel"
            tail -n 20 "$out" | sed 's/^/# /'
        fi
    done
done

if [ "$ran" -eq 0 ]; then
    skip_all "nothing could boot Linux here${skipped}"
fi
echo "1..$n"
