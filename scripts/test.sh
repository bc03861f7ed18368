#!/bin/sh
# Set up pcvm and run its test suite (make check).  Extra arguments go to
# ./configure, e.g. scripts/test.sh --enable-sanitizers.
set -e
cd "$(dirname "$0")/.."
scripts/setup.sh "$@"
# Real guests (Debian kernels, busybox) for the system tests; they skip without.
scripts/fetch-guests.sh --i386 || echo "test: could not fetch the guest kernels; their tests will skip"
make -j"$(nproc)" check
