#!/bin/sh
# tests/guest/faults.asm on the software CPU (see the guest for what it checks).
# (Known bugs can be listed in TAP_TODO, one check name a line: see tests/lib.sh.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
guest_tap faults
