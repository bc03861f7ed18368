#!/bin/sh
# Set up pcvm and run its test suite (make check).  Extra arguments go to
# ./configure, e.g. scripts/test.sh --enable-sanitizers.
set -e
cd "$(dirname "$0")/.."
scripts/setup.sh "$@"
make -j"$(nproc)" check
