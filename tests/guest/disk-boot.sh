#!/bin/sh
# SeaBIOS boots tests/guest/disk-boot.asm from an IDE hard disk (-hda, an MBR
# on a raw image) and from an ATAPI CD-ROM (-cdrom, El Torito no-emulation
# boot image in an ISO built with xorriso), under every accelerator pcvm
# lists (KVM here; the software CPU when `pcvm -accel help` has tcg).
# The guest reads a known sector through INT 13h and, on the disk, writes
# LBA 2: the test checks the image file afterwards, and that -snapshot leaves
# it untouched.  -boot order=d picks the CD when both drives are there.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

: "${PCVM_DISK_TIMEOUT:=120}"    # SeaBIOS under this host's KVM needs ~15 s a boot
PASS_RC=65                       # isa-debug-exit 0x20
SECTOR1=PCVM-DISK-SECTOR-1
WRITTEN=PCVM-WRITTEN-BY-GUEST

need_nasm
need_emulator
[ "$PCVM_TEST_EMU" = qemu ] && skip_all "pcvm-only test (uses pcvm's accelerator list)"
tmp=$(tap_tmp)

assemble "$top_srcdir/tests/guest/disk-boot.asm" "$tmp/mbr.bin"
assemble "$top_srcdir/tests/guest/disk-boot.asm" "$tmp/cd.bin" -DCDROM

# make_disk FILE: 1 MiB raw image, the MBR at LBA 0, the check string at LBA 1
make_disk() {
    { dd if=/dev/zero of="$1" bs=1024 count=1024 2>/dev/null &&
      dd if="$tmp/mbr.bin" of="$1" conv=notrunc 2>/dev/null &&
      printf '%s' "$SECTOR1" | dd of="$1" bs=512 seek=1 conv=notrunc 2>/dev/null
    } || bail "cannot build the disk image"
}

have_iso=
if command -v xorriso >/dev/null 2>&1; then
    mkdir -p "$tmp/iso"
    cp "$tmp/cd.bin" "$tmp/iso/boot.img"
    dd if=/dev/zero bs=1 count=1536 2>/dev/null >>"$tmp/iso/boot.img"
    if xorriso -as mkisofs -quiet -o "$tmp/cd.iso" -b boot.img -no-emul-boot \
            -boot-load-size 4 "$tmp/iso" >"$tmp/xorriso.log" 2>&1; then
        have_iso=1
    else
        sed 's/^/# xorriso: /' "$tmp/xorriso.log"
    fi
fi

n=0
tap() {                          # tap OK|NOTOK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
tap_skip() {
    n=$((n + 1))
    echo "ok $n # SKIP $1"
}

# boot NAME ACCEL ARGS...: run pcvm, serial output in $tmp/NAME.out; sets RC
boot() {
    _name=$1; _accel=$2; shift 2
    timeout -k 5 "$PCVM_DISK_TIMEOUT" "$PCVM" -accel "$_accel" -nographic -m 32 \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot "$@" \
        </dev/null >"$tmp/$_name.raw" 2>"$tmp/$_name.err"
    RC=$?
    tr -d '\r' <"$tmp/$_name.raw" >"$tmp/$_name.out"
}

# check NAME DESCRIPTION PATTERN: exit status and an output line
check() {
    if [ "$RC" -eq "$PASS_RC" ] && grep -q "$3" "$tmp/$1.out" && grep -qx PASS "$tmp/$1.out"; then
        tap OK "$2"
    else
        tap NOTOK "$2 (exit status $RC)"
        grep -v '^$' "$tmp/$1.out" | tail -n 15 | sed 's/^/# stdout: /'
        head -n 10 "$tmp/$1.err" | sed 's/^/# stderr: /'
    fi
}

accels=kvm
if "$PCVM" -accel help 2>/dev/null | grep -qx tcg; then
    accels="$accels tcg"
fi

ran=0
skipped=
for accel in $accels; do
    # Does this accelerator start at all here?
    make_disk "$tmp/disk.img"
    boot "$accel-hda" "$accel" -drive file="$tmp/disk.img",format=raw,if=ide,index=0
    if [ "$RC" -ne "$PASS_RC" ] && [ "$RC" -ne 124 ] &&
       grep -Eiq "not (built|compiled|available|supported)|/dev/kvm|unknown accel" "$tmp/$accel-hda.err"; then
        why=$(grep -v '^$' "$tmp/$accel-hda.err" | head -n 1)
        echo "# $accel skipped: $why"
        skipped="$skipped; $accel: $why"
        continue
    fi
    ran=$((ran + 1))

    check "$accel-hda" "$accel: SeaBIOS boots the MBR from -hda" "hard disk, drive 0x80"
    if dd if="$tmp/disk.img" bs=512 skip=2 count=1 2>/dev/null | grep -q "$WRITTEN"; then
        tap OK "$accel: the guest's INT 13h write reached the image file"
    else
        tap NOTOK "$accel: LBA 2 of the image does not hold the guest's write"
    fi

    # -hda with a probed format: the QEMU warning, and the boot still works
    make_disk "$tmp/disk.img"
    boot "$accel-probe" "$accel" -hda "$tmp/disk.img"
    check "$accel-probe" "$accel: -hda without format= boots" "hard disk"
    if grep -q "probing guessed raw" "$tmp/$accel-probe.err"; then
        tap OK "$accel: a probed raw image is announced with QEMU's warning"
    else
        tap NOTOK "$accel: no 'probing guessed raw' warning"
    fi

    # -snapshot: the guest writes, the image file stays as it was
    make_disk "$tmp/disk.img"
    before=$(cksum <"$tmp/disk.img")
    boot "$accel-snap" "$accel" -snapshot -drive file="$tmp/disk.img",format=raw
    check "$accel-snap" "$accel: boots from -hda with -snapshot" "write ok"
    if [ "$(cksum <"$tmp/disk.img")" = "$before" ]; then
        tap OK "$accel: -snapshot left the image file unchanged"
    else
        tap NOTOK "$accel: -snapshot modified the image file"
    fi

    if [ -z "$have_iso" ]; then
        tap_skip "$accel: El Torito boot (xorriso not installed)"
        tap_skip "$accel: -boot order=d (xorriso not installed)"
        tap_skip "$accel: default boot order (xorriso not installed)"
        continue
    fi
    boot "$accel-cd" "$accel" -cdrom "$tmp/cd.iso"
    check "$accel-cd" "$accel: SeaBIOS boots the El Torito image from -cdrom" "CD-ROM, drive 0xe0"

    make_disk "$tmp/disk.img"
    boot "$accel-order-d" "$accel" -drive file="$tmp/disk.img",format=raw -cdrom "$tmp/cd.iso" \
        -boot order=d
    check "$accel-order-d" "$accel: -boot order=d boots the CD with a disk present" "CD-ROM"

    make_disk "$tmp/disk.img"
    boot "$accel-order-c" "$accel" -drive file="$tmp/disk.img",format=raw -cdrom "$tmp/cd.iso"
    check "$accel-order-c" "$accel: the default boot order boots the disk before the CD" \
        "hard disk"
done

if [ "$ran" -eq 0 ]; then
    skip_all "no accelerator available here${skipped}"
fi
echo "1..$n"
