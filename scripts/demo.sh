#!/bin/sh
# Set up pcvm and boot the demo guest: Debian's 64-bit Linux kernel (fetched
# from the Debian archive into build/guests/) with a busybox initramfs, on
# this terminal, to a shell.  Ctrl-a x quits (or type poweroff -f).
set -e
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scripts/fetch-guests.sh >/dev/null
echo "Booting Debian Linux (amd64) with a busybox shell on the software CPU."
echo "This takes about a minute; Ctrl-a x quits, 'poweroff -f' powers off."
exec ./pcvm -nographic -m 512 -kernel build/guests/vmlinuz-amd64 \
    -initrd build/guests/initrd-amd64.gz -append "console=ttyS0 quiet"
