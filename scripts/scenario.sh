#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run one guest scenario, tests/guest/NAME.sh, and return its verdict.
#
#   scenario.sh NAME [--vm 'QEMU ARGS'] [extra vm.sh options]
#
# --vm replaces the scenario's own "# vm:" arguments (the same guest test
# on another device set-up, e.g. a vhost-user back end).
#
# A scenario is a busybox sh script run by the guest's init.  Header lines
# configure its boot:
#   # vm: QEMU arguments (devices); may repeat
#   # append: extra kernel command line (e.g. vdevkit.noload=my_rng)
#   # timeout: seconds (default 300)
#   # modules: Debian modules to put into the initramfs
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: scenario.sh NAME [--vm ARGS] [vm.sh options]"
name=$1
shift
vm_over=
if [ "${1:-}" = --vm ]; then
	vm_over=$2
	shift 2
fi
file=$VDEVKIT_ROOT/tests/guest/$name.sh
[ -f "$file" ] || die "scenario: no such scenario: $name (see tests/guest/)"

hdr() { sed -n "s/^# $1: *//p" "$file" | tr '\n' ' ' | sed 's/ *$//'; }
if [ -n "$vm_over" ]; then
	read -r -a vmargs <<<"$vm_over"
else
	read -r -a vmargs <<<"$(hdr vm)"
fi
append=$(hdr append)
timeout=$(hdr timeout)
mkdir -p "$OUT/logs"
exec "$VDEVKIT_ROOT/scripts/vm.sh" --script "$file" --append "$append" \
	--timeout "${timeout:-300}" --log "$OUT/logs/$name.console.log" \
	"$@" -- "${vmargs[@]}"
