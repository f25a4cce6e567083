#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run one guest scenario, tests/guest/NAME.sh, and return its verdict.
#
#   scenario.sh NAME [extra vm.sh options]
#
# A scenario is a busybox sh script run by the guest's init.  Header lines
# configure its boot:
#   # vm: QEMU arguments (devices); may repeat
#   # append: extra kernel command line (e.g. vdevkit.noload=my_rng)
#   # timeout: seconds (default 300)
#   # modules: Debian modules to put into the initramfs
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: scenario.sh NAME [vm.sh options]"
name=$1
shift
file=$VDEVKIT_ROOT/tests/guest/$name.sh
[ -f "$file" ] || die "scenario: no such scenario: $name (see tests/guest/)"

hdr() { sed -n "s/^# $1: *//p" "$file" | tr '\n' ' ' | sed 's/ *$//'; }
read -r -a vmargs <<<"$(hdr vm)"
append=$(hdr append)
timeout=$(hdr timeout)
mkdir -p "$OUT/logs"
exec "$VDEVKIT_ROOT/scripts/vm.sh" --script "$file" --append "$append" \
	--timeout "${timeout:-300}" --log "$OUT/logs/$name.console.log" \
	"$@" -- "${vmargs[@]}"
