#!/bin/sh
# ACPI as an OS uses it, on pcvm's tables: tests/guest/multiboot-acpi.asm (a
# multiboot kernel booted with -kernel) finds the RSDP, checks the RSDT, FADT
# and DSDT checksums, enables ACPI mode through SMI_CMD, reads \_S5 and powers
# off through PM1a_CNT: pcvm must exit with status 0 ("acpi: guest entered
# soft-off" in the -d reset trace).  With -append reset it resets through the
# FADT's RESET_REG instead (-no-reboot turns that into exit 0 too; the trace
# says which happened).  Under KVM and the software CPU when available.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

: "${FIRMWARE_DIR:=/usr/share/seabios}"
PCVM_TIMEOUT=120                 # SeaBIOS alone takes ~8 s under this host's KVM

need_nasm
need_emulator
[ -f "$FIRMWARE_DIR/bios-256k.bin" ] || skip_all "SeaBIOS not installed ($FIRMWARE_DIR/bios-256k.bin)"
tmp=$(tap_tmp)
assemble "$top_srcdir/tests/guest/multiboot-acpi.asm" "$tmp/acpi.bin"

n=0
tap() {                          # tap OK|NOTOK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
expect_line() {                  # expect_line FILE TEXT DESCRIPTION (substring)
    if grep -qF -- "$2" "$1"; then tap OK "$3"; else tap NOTOK "$3: '$2' missing"; fi
}

ran=0
for accel in kvm tcg; do
    case $accel in
    kvm) [ -c /dev/kvm ] || { echo "# kvm skipped: no /dev/kvm"; continue; };;
    tcg) "$PCVM" -accel help 2>/dev/null | grep -qx tcg ||
             { echo "# tcg skipped: the software CPU is not built"; continue; };;
    esac
    for action in poweroff reset; do
        out=$tmp/$accel-$action.out
        timeout -k 5 "$PCVM_TIMEOUT" "$PCVM" -accel $accel -nographic -m 64 -no-reboot \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            -kernel "$tmp/acpi.bin" -append "$action" -d reset -D "$out.trace" \
            </dev/null >"$out.raw" 2>"$out.err"
        rc=$?
        tr -d '\r' <"$out.raw" >"$out"
        if accel_missing "$out"; then
            echo "# $accel skipped: $(head -n 1 "$out.err")"
            continue 2
        fi
        ran=$((ran + 1))
        t="$accel $action"
        if [ $rc -eq 0 ]; then
            tap OK "$t: pcvm exited with status 0"
        else
            tap NOTOK "$t: exit status $rc, expected 0"
            grep -v '^$' "$out" | tail -n 15 | sed 's/^/# /'
            sed 's/^/# stderr: /' "$out.err" | head -n 10
        fi
        expect_line "$out" "acpi: RSDP at 0x000f" "$t: RSDP in the BIOS area, checksum ok"
        expect_line "$out" "acpi: RSDT ok" "$t: RSDT checksum"
        expect_line "$out" "acpi: FADT ok" "$t: FADT found and checksummed"
        expect_line "$out" "acpi: ACPI mode enabled" "$t: SMI_CMD/ACPI_ENABLE sets SCI_EN"
        expect_line "$out" "acpi: PM timer counts" "$t: PM_TMR_BLK counts"
        if [ $action = poweroff ]; then
            expect_line "$out" "acpi: DSDT ok" "$t: DSDT checksum"
            expect_line "$out" "acpi: _S5 SLP_TYPa 0x00000000" "$t: \\_S5 SLP_TYPa"
            expect_line "$out.trace" "guest entered soft-off" "$t: PM1a_CNT SLP_EN powered off"
        else
            expect_line "$out.trace" "reset requested: PIIX3 RCR hard reset" \
                "$t: RESET_REG reset the machine"
        fi
    done
done

[ "$ran" -gt 0 ] || skip_all "neither KVM nor the software CPU is available here"
echo "1..$n"
