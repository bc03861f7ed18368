#!/bin/sh
# Debian's 32-bit PAE kernel (linux-image-686-pae) + busybox under the software CPU.
exec sh "${top_srcdir:-.}/tests/system/linux-boot.sh" 686-pae
