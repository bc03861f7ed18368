#!/bin/sh
# Set up pcvm and boot the demo guest: Debian's Linux kernel (the 32-bit PAE
# build, fetched from the Debian archive into build/guests/) with a busybox
# initramfs, on this terminal, to a shell.  Ctrl-a x quits (or type poweroff).
set -e
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scripts/fetch-guests.sh --i386 >/dev/null
echo "Booting Debian Linux (686-pae) with a busybox shell on the software CPU."
echo "This takes about a minute; Ctrl-a x quits, 'poweroff -f' powers off."
exec ./pcvm -nographic -m 512 -kernel build/guests/vmlinuz-686-pae \
    -initrd build/guests/initrd-i386.gz -append "console=ttyS0 quiet"
