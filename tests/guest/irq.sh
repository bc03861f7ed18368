#!/bin/sh
# tests/guest/irq.asm on the software CPU (see the guest for what it checks).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
guest_tap irq
