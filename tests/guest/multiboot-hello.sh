#!/bin/sh
# Direct kernel boot of a multiboot kernel: tests/guest/multiboot-hello.asm,
# assembled as an a.out-kludge flat binary and as an ELF32 executable, booted
# with `-kernel K -append ... -initrd "mod1 args,mod2"` through SeaBIOS and
# pcvm's option ROM, under KVM and the software CPU when this machine has them.
# The kernel checks the boot magic and prints its command line, modules and
# memory map from the multiboot information; the output is compared here.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

: "${FIRMWARE_DIR:=/usr/share/seabios}"
PCVM_TIMEOUT=120                 # SeaBIOS alone takes ~8 s under this host's KVM

need_nasm
need_emulator
[ -f "$FIRMWARE_DIR/bios-256k.bin" ] || skip_all "SeaBIOS not installed ($FIRMWARE_DIR/bios-256k.bin)"
tmp=$(tap_tmp)
assemble "$top_srcdir/tests/guest/multiboot-hello.asm" "$tmp/mb-aout.bin"
assemble "$top_srcdir/tests/guest/multiboot-hello.asm" "$tmp/mb-elf.bin" -DELF
printf 'first module\nsecond line\n' >"$tmp/mod1.txt"
printf 'second one\n' >"$tmp/mod2.txt"

n=0
tap() {                          # tap OK|NOTOK DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
expect_line() {                  # expect_line OUT LINE DESCRIPTION
    if grep -qxF -- "$2" "$1"; then tap OK "$3"; else tap NOTOK "$3: '$2' missing"; fi
}

ran=0
for accel in kvm tcg; do
    case $accel in
    kvm) [ -c /dev/kvm ] || { echo "# kvm skipped: no /dev/kvm"; continue; };;
    tcg) "$PCVM" -accel help 2>/dev/null | grep -qx tcg ||
             { echo "# tcg skipped: the software CPU is not built"; continue; };;
    esac
    for kind in aout elf; do
        k=$tmp/mb-$kind.bin
        out=$tmp/$accel-$kind.out
        timeout -k 5 "$PCVM_TIMEOUT" "$PCVM" -accel $accel -nographic -m 64 -no-reboot \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            -kernel "$k" -append "hello multiboot" \
            -initrd "$tmp/mod1.txt arg1 arg2,$tmp/mod2.txt" </dev/null >"$out.raw" 2>"$out.err"
        rc=$?
        tr -d '\r' <"$out.raw" >"$out"
        if accel_missing "$out"; then
            echo "# $accel skipped: $(head -n 1 "$out.err")"
            continue 2
        fi
        ran=$((ran + 1))
        t="$accel $kind"
        if [ $rc -eq "$GUEST_PASS" ] && grep -qx PASS "$out"; then
            tap OK "$t: kernel ran and passed its checks (exit status $rc)"
        else
            tap NOTOK "$t: exit status $rc, expected $GUEST_PASS"
            grep -v '^$' "$out" | tail -n 20 | sed 's/^/# /'
            sed 's/^/# stderr: /' "$out.err" | head -n 10
        fi
        expect_line "$out" "ok magic" "$t: EAX = 0x2BADB002"
        expect_line "$out" "cmdline: $k hello multiboot" "$t: command line is the kernel path and -append"
        expect_line "$out" "loader: pcvm" "$t: boot loader name"
        expect_line "$out" "mem_lower: 639" "$t: mem_lower 639 KiB"
        expect_line "$out" "mods: 2" "$t: two modules from -initrd a,b"
        expect_line "$out" "module: $tmp/mod1.txt arg1 arg2" "$t: module 1 string keeps its arguments"
        expect_line "$out" "data: first module" "$t: module 1 contents"
        expect_line "$out" "size: 25" "$t: module 1 size"
        expect_line "$out" "module: $tmp/mod2.txt" "$t: module 2 string"
        expect_line "$out" "data: second one" "$t: module 2 contents"
        expect_line "$out" "mmap: RAM at 1 MiB covers the kernel" "$t: memory map"
        if grep -q '^FAIL ' "$out"; then
            tap NOTOK "$t: the kernel reported failures"
            grep '^FAIL ' "$out" | sed 's/^/# /'
        else
            tap OK "$t: no check failed in the kernel"
        fi
    done
done

[ "$ran" -gt 0 ] || skip_all "neither KVM nor the software CPU is available here"
echo "1..$n"
