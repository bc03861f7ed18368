#!/bin/sh
# Direct kernel boot of a Linux bzImage: tests/guest/linuxboot-hello.asm is a
# fake bzImage (boot protocol 2.12 header, setup code that checks what the boot
# loader did, a text marker as the "kernel").  Booted with -kernel/-initrd/
# -append through SeaBIOS and pcvm's option ROM under KVM and the software CPU
# when available; plus the command-line errors for -kernel, which need no CPU.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

: "${FIRMWARE_DIR:=/usr/share/seabios}"
PCVM_TIMEOUT=120                 # SeaBIOS alone takes ~8 s under this host's KVM

need_nasm
need_emulator
tmp=$(tap_tmp)
assemble "$top_srcdir/tests/guest/linuxboot-hello.asm" "$tmp/bzImage"
printf 'initrd magic 12345\nmore\n' >"$tmp/initrd"

n=0
tap() {                          # tap OK|NOTOK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
expect_line() {                  # expect_line OUT LINE DESCRIPTION
    if grep -qxF -- "$2" "$1"; then tap OK "$3"; else tap NOTOK "$3: '$2' missing"; fi
}
# expect_error DESCRIPTION MESSAGE ARGS...: pcvm exits 1 printing exactly one line
expect_error() {
    desc=$1; msg=$2; shift 2
    "$PCVM" -nographic "$@" </dev/null >"$tmp/err.out" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && [ "$(grep -c . "$tmp/err.out")" -eq 1 ] &&
       grep -qF -- "$msg" "$tmp/err.out"; then
        tap OK "$desc"
    else
        tap NOTOK "$desc (status $rc)"
        sed 's/^/# /' "$tmp/err.out" | head -n 5
    fi
}

expect_error "missing -kernel file" "pcvm: -kernel $tmp/nope: No such file or directory" \
    -kernel "$tmp/nope"
expect_error "-kernel of something else" "-kernel $tmp/initrd: not a Linux bzImage" \
    -kernel "$tmp/initrd"
expect_error "missing -initrd file" "pcvm: -initrd $tmp/nope: No such file or directory" \
    -accel tcg:kvm -kernel "$tmp/bzImage" -initrd "$tmp/nope"
expect_error "-append without -kernel" "-append only allowed with -kernel" -append x
long=$(head -c 3000 /dev/zero | tr '\0' x)
expect_error "-append longer than the kernel's cmdline_size" "this kernel takes at most 2047" \
    -accel tcg:kvm -kernel "$tmp/bzImage" -append "$long"

ran=0
if [ ! -f "$FIRMWARE_DIR/bios-256k.bin" ]; then
    echo "# boot skipped: SeaBIOS not installed ($FIRMWARE_DIR/bios-256k.bin)"
    ran=-1
fi
for accel in kvm tcg; do
    [ $ran -ge 0 ] || break
    case $accel in
    kvm) [ -c /dev/kvm ] || { echo "# kvm skipped: no /dev/kvm"; continue; };;
    tcg) "$PCVM" -accel help 2>/dev/null | grep -qx tcg ||
             { echo "# tcg skipped: the software CPU is not built"; continue; };;
    esac
    out=$tmp/$accel.out
    timeout -k 5 "$PCVM_TIMEOUT" "$PCVM" -accel $accel -nographic -m 64 -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$tmp/bzImage" -initrd "$tmp/initrd" -append "console=ttyS0 hello=world" \
        </dev/null >"$out.raw" 2>"$out.err"
    rc=$?
    tr -d '\r' <"$out.raw" >"$out"
    if accel_missing "$out"; then
        echo "# $accel skipped: $(head -n 1 "$out.err")"
        continue
    fi
    ran=$((ran + 1))
    if [ $rc -eq "$GUEST_PASS" ] && grep -qx PASS "$out"; then
        tap OK "$accel: setup ran and passed its checks (exit status $rc)"
    else
        tap NOTOK "$accel: exit status $rc, expected $GUEST_PASS"
        grep -v '^$' "$out" | tail -n 20 | sed 's/^/# /'
        sed 's/^/# stderr: /' "$out.err" | head -n 10
    fi
    # SeaBIOS's "Booting from ROM.." has no newline: match inside the line
    if grep -qF "linuxboot-hello: setup started" "$out"; then
        tap OK "$accel: the option ROM jumped to setup"
    else
        tap NOTOK "$accel: the option ROM never reached setup"
    fi
    expect_line "$out" "type_of_loader: b0" "$accel: type_of_loader 0xb0"
    expect_line "$out" "cmdline: console=ttyS0 hello=world" "$accel: command line at cmd_line_ptr"
    expect_line "$out" "initrd size: 24" "$accel: ramdisk_size"
    expect_line "$out" "initrd data: initrd magic 12345" "$accel: initrd loaded at ramdisk_image"
    expect_line "$out" "kernel data: fake kernel payload" "$accel: kernel loaded at code32_start"
    if grep -q '^FAIL ' "$out"; then
        tap NOTOK "$accel: the setup code reported failures"
        grep '^FAIL ' "$out" | sed 's/^/# /'
    else
        tap OK "$accel: no check failed in the setup code"
    fi
done
echo "1..$n"
