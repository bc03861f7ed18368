#!/bin/sh
# Integer instruction semantics (tests/guest/int-ops.asm) on the software CPU.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
guest_tap int-ops
