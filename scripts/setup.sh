#!/bin/sh
# Install what pcvm needs to build and test on Debian/Ubuntu, then configure
# and build it.  Safe to run again: it only installs what is missing.
#   scripts/setup.sh [configure options...]
set -e
cd "$(dirname "$0")/.."

PKGS="build-essential autoconf automake pkg-config libaio-dev zlib1g-dev libsdl2-dev
libslirp-dev linux-libc-dev nasm seabios acpica-tools qemu-system-x86 xorriso mtools
syslinux syslinux-common isolinux dosfstools cpio"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing:$missing"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    ./autogen.sh
fi
if [ ! -f Makefile ] || [ $# -gt 0 ]; then
    ./configure "$@"
fi
make -j"$(nproc)"
