#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod with our QEMU build, which lifts stock QEMU 10.0's limits
# (qemu/patches/201x; docs/vdevkit-cryptod.md):
#  - several data queues: two devices on two daemons, 4 and 20 data queues,
#    the scenario crypto-queues: every data queue of each carries requests
#    (stock QEMU hands only queue 0 to the daemon: the others never answer).
# After the guest, SIGTERM must end each daemon with status 0.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
. "$root/tests/lib/cryptod.sh"
tmp=$OUT/cryptod-ourqemu
mkdir -p "$tmp"
echo "1..3"

declare -A pids
for n in 4 20; do
	cryptod_start "q$n" --queues "$n" ||
		echo "# daemon q$n did not start: $(cat "$tmp/q$n.log")"
	pids[$n]=$dpid
done
out=$("$root/scripts/scenario.sh" crypto-queues \
	--vm "$(cryptod_vm_args "$tmp/q4.sock" queues=4) $(cryptod_vm_args "$tmp/q20.sock" queues=20 1)" \
	--append vdevkit.queues=4,20 2>&1)
rc=$?
cryptod_verdict 1 "4 and 20 data queues, each on its daemon, all used" 8
t=2
for n in 4 20; do
	dpid=${pids[$n]}
	if cryptod_stop "q$n" && printf '%s\n' "$last" | grep -q 'exiting: [1-9][0-9]* requests'; then
		echo "ok $t - daemon q$n did requests and exited 0 on SIGTERM: ${last#*: }"
	else
		echo "not ok $t - daemon q$n did requests and exited 0 on SIGTERM (status $dst)"
	fi
	t=$((t + 1))
done
