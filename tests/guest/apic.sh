#!/bin/sh
# tests/guest/apic.asm on the software CPU (see the guest for what it checks).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
guest_tap apic
