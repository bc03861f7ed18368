#!/bin/sh
# tests/guest/disk-dma.asm (a bare-metal ata_piix-like driver run as the BIOS
# image) drives the IDE disk and the ATAPI CD-ROM with bus-master DMA and PIO
# under every accelerator pcvm has here: KVM with the in-kernel irqchip, KVM
# with the board's 8259s, and the software CPU when `pcvm -accel help` lists
# it.  The host then checks what the guest's WRITE DMA left in the image.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

need_nasm
need_emulator
[ "$PCVM_TEST_EMU" = qemu ] && skip_all "pcvm-only test"
bin=$(guest_bin disk-dma) || exit 99
tmp=$(tap_tmp)

n=0
tap() {                          # tap OK|NOTOK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

variants="kvm kvm-userspace-irqchip"
if "$PCVM" -accel help 2>/dev/null | grep -qx tcg; then
    variants="$variants tcg"
fi

ran=0
skipped=
for variant in $variants; do
    case $variant in
    kvm) PCVM_ACCEL=kvm; set --;;
    kvm-userspace-irqchip) PCVM_ACCEL=kvm; set -- -machine kernel-irqchip=off;;
    tcg) PCVM_ACCEL=tcg; set --;;
    esac
    # 1 MiB disk; the CD is a copy whose LBA 1 (disk sector 4) starts with a marker
    dd if=/dev/zero of="$tmp/disk.img" bs=1024 count=1024 2>/dev/null
    printf 'PCVM-CD-SECTOR' | dd of="$tmp/disk.img" bs=512 seek=4 conv=notrunc 2>/dev/null
    cp "$tmp/disk.img" "$tmp/cd.img"
    out=$tmp/$variant.out
    run_guest "$bin" "$out" "$@" -drive file="$tmp/disk.img",format=raw,index=0 \
        -drive file="$tmp/cd.img",format=raw,media=cdrom,index=2
    if accel_missing "$out"; then
        why=$(grep -v '^$' "$out.err" | head -n 1)
        skipped="$skipped; $variant: ${why:-not available}"
        echo "# $variant skipped: ${why:-not available}"
        continue
    fi
    ran=$((ran + 1))

    plan=$(sed -n 's/^PLAN \([0-9][0-9]*\)$/\1/p' "$out" | head -n 1)
    got=0
    while IFS= read -r line; do
        case $line in
        "ok "*) got=$((got + 1)); tap OK "$variant: ${line#ok }";;
        "FAIL "*) got=$((got + 1)); tap NOTOK "$variant: ${line#FAIL }";;
        esac
    done <<EOF
$(grep -E '^(ok |FAIL )' "$out")
EOF
    if [ -n "$plan" ] && [ "$got" -eq "$plan" ] && [ "$GUEST_RC" -eq "$GUEST_PASS" ] &&
       grep -qx PASS "$out"; then
        tap OK "$variant: guest ran all $plan checks and exited with the pass status"
    else
        tap NOTOK "$variant: guest stopped after $got of ${plan:-?} checks, exit status $GUEST_RC"
        tail -n 20 "$out" | sed 's/^/# stdout: /'
        head -n 20 "$out.err" | sed 's/^/# stderr: /'
    fi

    # dword k of the 64 KiB at LBA 0x100 is k * 0x9e3779b1 + 0x12345678
    first=$(od -An -tx4 -j $((0x100 * 512)) -N 4 "$tmp/disk.img" | tr -d ' ')
    last=$(od -An -tx4 -j $((0x100 * 512 + 65532)) -N 4 "$tmp/disk.img" | tr -d ' ')
    want_last=$(printf '%08x' $(( (16383 * 0x9e3779b1 + 0x12345678) & 0xffffffff )))
    if [ "$first" = 12345678 ] && [ "$last" = "$want_last" ]; then
        tap OK "$variant: WRITE DMA data is in the image file"
    else
        tap NOTOK "$variant: image holds $first..$last, want 12345678..$want_last"
    fi
    if cmp -s "$tmp/cd.img" "$tmp/disk.img"; then
        tap NOTOK "$variant: the disk image did not change"
    fi
done

if [ "$ran" -eq 0 ]; then
    skip_all "no accelerator available here${skipped}"
fi
echo "1..$n"
