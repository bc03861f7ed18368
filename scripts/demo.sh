#!/bin/sh
# Set up pcvm and boot the demo guest: SeaBIOS's power-on self test on this
# terminal.  Quit with Ctrl-a x.
set -e
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
echo "Booting SeaBIOS with no disks (it ends at 'No bootable device'); Ctrl-a x quits."
exec ./pcvm -nographic -m 128
