#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod's life with our QEMU build (qemu/patches/204x;
# docs/vdevkit-cryptod.md), one guest, scenario crypto-cryptod:
#  - the device config and HASH/MAC/AEAD sessions come from the daemon
#    (crypto-auth through it);
#  - the daemon is killed (SIGKILL) while the guest runs and started again:
#    requests fail cleanly meanwhile, QEMU reconnects (reconnect-ms) and
#    requests work again;
#  - the driver unbound with a process running requests, and the device
#    unplugged under load.
# The guest asks for each host step with a "# cryptod: STEP" line; after
# each stage the daemon's session count (SIGUSR1) must be 0: no session
# outlives its guest.  At the end SIGTERM must end the daemon with status 0.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
. "$root/tests/lib/cryptod.sh"
tmp=$OUT/cryptod-life
mkdir -p "$tmp"
: >"$tmp/out"
echo "1..7"

daemon() { # the daemon on $tmp/life.sock, its log $tmp/life.log
	cryptod_start life --queues 2 </dev/null || echo "# the daemon did not start"
}
# stats TAG [N]: SIGUSR1, then the daemon's new "stats:" line as stat[TAG];
# the guest says N, the hash device sessions its driver keeps (else 0)
declare -A stat want
stats() {
	want[$1]=${2:-0}
	local n k
	n=$(grep -c 'stats: ' "$tmp/life.log")
	kill -USR1 "$dpid"
	for k in $(seq 50); do
		[ "$(grep -c 'stats: ' "$tmp/life.log")" -gt "$n" ] && break
		sleep 0.1
	done
	stat[$1]=$(grep 'stats: ' "$tmp/life.log" | tail -1)
	echo "# host: $1: ${stat[$1]#*stats: }"
}

daemon
"$root/scripts/scenario.sh" crypto-cryptod \
	--vm "$(cryptod_vm_args "$tmp/life.sock" "" 0 "" reconnect-ms=300)" \
	>"$tmp/out" 2>&1 &
spid=$!
seen=0
# Act on the guest's requests as its lines come.  The guest waits only a
# few seconds after each request, so new lines are read in one pass (a
# process per line fell seconds behind on a loaded host); a last line
# without its newline yet is left for the next pass.
while :; do
	alive=0
	kill -0 "$spid" 2>/dev/null && alive=1
	while IFS= read -r line; do
		seen=$((seen + 1))
		case $line in
		"# cryptod: kill")
			kill -KILL "$dpid"
			wait "$dpid" 2>/dev/null
			echo "# host: daemon killed" ;;
		"# cryptod: start")
			sed 's/^/# life (killed): /' "$tmp/life.log"
			daemon
			echo "# host: daemon started again" ;;
		"# cryptod: stats "*)
			# shellcheck disable=SC2086 # TAG and N
			stats ${line#\# cryptod: stats } ;;
		esac
	done < <(tail -n +"$((seen + 1))" "$tmp/out" | tr -d '\0')
	[ "$alive" = 1 ] || break
	sleep 0.2
done
wait "$spid"
rc=$?
out=$(cat "$tmp/out")
cryptod_verdict 1 "guest: config, hashes/MACs/AEAD, daemon restart, unbind, unplug through the daemon" 20
t=2
for k in after-auth after-restart after-unbind after-unplug; do
	n=${want[$k]:-0}
	if printf '%s\n' "${stat[$k]:-}" | grep -q "sessions open $n (cipher 0 hash $n mac 0 aead 0)"; then
		echo "ok $t - $k: no session left in the daemon but the driver's $n shared hash sessions"
	else
		echo "not ok $t - $k: no session left in the daemon but the driver's $n shared hash sessions (${stat[$k]:-no stats line})"
	fi
	t=$((t + 1))
done
# crypto-auth's hash, MAC and GCM sessions were the daemon's
created=$(printf '%s\n' "${stat[after-auth]:-}" | sed -n 's/.*created \([0-9]*\),.*/\1/p')
if [ "${created:-0}" -ge 20 ]; then
	echo "ok 6 - the daemon made the guest's sessions: $created"
else
	echo "not ok 6 - the daemon made the guest's sessions (${created:-none})"
fi
if cryptod_stop life; then
	echo "ok 7 - daemon exited 0 on SIGTERM: ${last#*: }"
else
	echo "not ok 7 - daemon exited 0 on SIGTERM (status $dst)"
fi
