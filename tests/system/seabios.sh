#!/bin/sh
# SeaBIOS from the Debian package boots to "No bootable device" on the serial
# console, under every accelerator this machine has.
PCVM=${PCVM:-./pcvm}
FIRMWARE_DIR=${FIRMWARE_DIR:-/usr/share/seabios}
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT

# wait_for FILE STRING SECONDS PID: 0 when STRING appears in FILE in time
wait_for() {
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || { grep -q "$2" "$1" 2>/dev/null; return $?; }
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

if [ ! -f "$FIRMWARE_DIR/bios-256k.bin" ]; then
    echo "1..0 # SKIP SeaBIOS not installed ($FIRMWARE_DIR/bios-256k.bin; apt-get install seabios)"
    exit 0
fi

n=0; fail=0
for accel in kvm tcg; do
    log="$out_dir/$accel.out"
    why=""
    if [ $accel = kvm ] && [ ! -c /dev/kvm ]; then why="no /dev/kvm on this machine"; fi
    if [ $accel = tcg ] && ! "$PCVM" -accel help | grep -qx tcg; then
        why="the software CPU is not built yet"
    fi
    if [ -n "$why" ]; then
        n=$((n + 1)); echo "ok $n - $accel: SeaBIOS banner # SKIP $why"
        n=$((n + 1)); echo "ok $n - $accel: No bootable device # SKIP $why"
        continue
    fi
    start=$(date +%s.%N)
    "$PCVM" -accel $accel -nographic -m 128 </dev/null >"$log" 2>&1 &
    pid=$!
    # KVM on hosts without hardware virtualization emulates real mode slowly.
    wait_for "$log" "No bootable device" 120 $pid
    found=$?
    end=$(date +%s.%N)
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
    n=$((n + 1))
    if grep -q "SeaBIOS (version" "$log"; then echo "ok $n - $accel: SeaBIOS banner"
    else echo "not ok $n - $accel: SeaBIOS banner"; fail=1; fi
    n=$((n + 1))
    if [ $found -eq 0 ]; then
        echo "ok $n - $accel: No bootable device"
        echo "# $accel: reached 'No bootable device' in $(awk "BEGIN { printf \"%.2f\", $end - $start }") s"
    else
        echo "not ok $n - $accel: No bootable device"; fail=1
        sed 's/^/# /' "$log" | tail -20
    fi
done
echo "1..$n"
exit $fail
