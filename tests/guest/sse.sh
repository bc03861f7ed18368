#!/bin/sh
# tests/guest/sse.asm on the software CPU: #UD/#NM/#GP/#XM rules of SSE,
# FXSAVE/FXRSTOR and MXCSR (see the guest for what it checks).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
guest_tap sse
