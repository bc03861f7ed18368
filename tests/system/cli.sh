#!/bin/sh
# Command-line behaviour users see: one-line errors, exit status 1, help, version.
PCVM=${PCVM:-./pcvm}
n=0; fail=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }

run() { out=$("$PCVM" "$@" 2>&1 </dev/null); rc=$?; lines=$(printf '%s\n' "$out" | grep -c .); }

run --bogus
t "--bogus: exit 1" '[ $rc -eq 1 ]'
t "--bogus: one line naming the option" '[ $lines -eq 1 ] && printf "%s" "$out" | grep -q -- "--bogus"'
run -m lots
t "-m lots: exit 1" '[ $rc -eq 1 ]'
t "-m lots: one line naming the option" '[ $lines -eq 1 ] && printf "%s" "$out" | grep -q -- "-m lots"'
run -hda /nonexistent
t "-hda /nonexistent: exit 1" '[ $rc -eq 1 ]'
t "-hda /nonexistent: one line with the reason" '[ $lines -eq 1 ] && printf "%s" "$out" | grep -q "/nonexistent: No such file or directory"'
run -bios /nonexistent.bin -nographic
t "-bios missing: exit 1" '[ $rc -eq 1 ]'
t "-bios missing: one line naming the file" '[ $lines -eq 1 ] && printf "%s" "$out" | grep -q "nonexistent.bin"'
run -bios not-a-bios-anywhere.bin -nographic
t "-bios name not found in the search path: exit 1" '[ $rc -eq 1 ] && [ $lines -eq 1 ]'
empty=$(mktemp); printf 'x' > "$empty"
run -bios "$empty" -nographic
t "-bios with a bad size: one line, exit 1" '[ $rc -eq 1 ] && [ $lines -eq 1 ] && printf "%s" "$out" | grep -q "multiple of 64 KiB"'
rm -f "$empty"
run -m 1G -serial bogus:x -nographic
t "-serial bogus: exit 1 naming it" '[ $rc -eq 1 ] && printf "%s" "$out" | grep -q "bogus:x"'
run -m
t "missing argument: exit 1" '[ $rc -eq 1 ] && [ $lines -eq 1 ]'
run -machine q35
t "q35: refused plainly" '[ $rc -eq 1 ] && printf "%s" "$out" | grep -q "not supported yet"'
run -netdev user,id=n0
t "networking: not supported yet" '[ $rc -eq 1 ] && printf "%s" "$out" | grep -q "not supported yet"'
run --version
t "--version: exit 0 with the version" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "pcvm version"'
run -h
t "-h: exit 0 with usage" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^usage: pcvm"'
run -d help
t "-d help lists items" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "guest_errors"'
echo "1..$n"
exit $fail
