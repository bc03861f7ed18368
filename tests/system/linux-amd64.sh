#!/bin/sh
# Debian's 64-bit kernel (linux-image-amd64) + busybox under the software CPU:
# long mode, SYSCALL, SSE2 in glibc's string functions.
exec sh "${top_srcdir:-.}/tests/system/linux-boot.sh" amd64
