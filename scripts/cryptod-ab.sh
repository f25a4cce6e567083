#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two vdevkit-cryptod binaries against each other in ONE boot of Debian's
# QEMU 10.0 (a benchmark, not a test; for work on the daemon):
#
#   cryptod-ab.sh DAEMON_A DAEMON_B ['SIZES'] [ROUNDS] ['DAEMON OPTIONS']
#
# The guest of `make bench-cryptoguest` (tests/guest/crypto-bench.sh,
# defaults '64 4096 65536', 3 rounds of 2 s) runs crypto-bench on
# cryptodev0 (00:04.0, on A) and cryptodev1 (00:06.0, on B) in turns,
# which of them first alternating by round; 00:05.0 (Debian's
# virtio_crypto, openssl -engine afalg) is on a third daemon, A's binary.
# On a loaded host only figures of one boot compare.  Prints each
# daemon's exit log (interrupts, kicks, timing by size), the guest's
# results and interrupt counts, and the medians A/B.  Needs what
# scripts/crypto-bench.sh needs, and its bundle of the guest's openssl
# (build/crypto-bench/crypto-bench-openssl.tar.gz, made by a first run).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] || die "usage: cryptod-ab.sh DAEMON_A DAEMON_B ['SIZES'] [ROUNDS] ['OPTIONS']"
A=$(realpath "$1") B=$(realpath "$2") sizes=${3:-"64 4096 65536"} rounds=${4:-3} opts=${5:-}
stock=${STOCK_QEMU:-/usr/bin/qemu-system-x86_64}
bundle=$OUT/crypto-bench/crypto-bench-openssl.tar.gz
[ -f "$bundle" ] || die "cryptod-ab: no $bundle (run scripts/crypto-bench.sh -q once)"
tmp=$OUT/cryptod-ab
rm -rf "$tmp"
mkdir -p "$tmp"
. "$VDEVKIT_ROOT/tests/lib/cryptod.sh"
printf 'SIZES="%s"\nHSIZES="64"\nSECS=2\nROUNDS=%s\n' "$sizes" "$rounds" >"$tmp/crypto-bench.conf"
pids=()
start() {
	rm -f "$tmp/$1.sock"
	# shellcheck disable=SC2086 # a list of options
	"$2" --socket "$tmp/$1.sock" --foreground --log "$tmp/$1.log" $opts &
	pids+=($!)
	for _ in $(seq 100); do [ -S "$tmp/$1.sock" ] && return 0; sleep 0.1; done
	die "cryptod-ab: daemon $1 did not start"
}
export VM_MEM=1024
start A "$A"
start E2 "$A"
start B "$B"
load=$(cut -d' ' -f1-3 /proc/loadavg)
set +e
VM_QEMU=$stock "$VDEVKIT_ROOT/scripts/scenario.sh" crypto-bench --vm \
	"$(cryptod_vm_args "$tmp/A.sock" "" 0 addr=0x4) $(cryptod_vm_args "$tmp/E2.sock" "" 1 addr=0x5) $(cryptod_vm_args "$tmp/B.sock" "" 2 addr=0x6)" \
	--timeout 1800 --files "$bundle $tmp/crypto-bench.conf" >"$tmp/guest.out" 2>&1
echo "# guest status $? (its hash rows fail: stock QEMU offers AES-CBC only)"
set -e
for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
echo "# host load average at start: $load; A $A; B $B; options '$opts'"
for n in A B E2; do sed -n "s/^vdevkit-cryptod: \(interrupts\|timing\|exiting\)/# $n: \1/p" "$tmp/$n.log"; done
grep -E "^# (res|irq) (a|a0|b) " "$tmp/guest.out" || true
python3 - "$tmp/guest.out" <<'PY'
import re, statistics, sys
r, irq, reqs, cur = {}, {}, {}, {}
for l in open(sys.argv[1]):
    m = re.match(r"# res (a0|a) (\d+) ([\d.]+) (\d+)", l)
    if m:
        r.setdefault((m[1], int(m[2])), []).append(float(m[4]))
        cur[m[1]] = cur.get(m[1], 0) + float(m[4])
    m = re.match(r"# irq (a0|a) \S+ (\d+) (\d+)", l)
    if m:
        irq[m[1]] = irq.get(m[1], 0) + int(m[3]) - int(m[2])
        reqs[m[1]] = reqs.get(m[1], 0) + cur.pop(m[1], 0)
for s in sorted({k[1] for k in r}):
    a, b = r.get(("a", s)), r.get(("a0", s))
    if a and b:
        print(f"# {s:>7} B: A {statistics.median(a):>8,.0f} ops/s, B {statistics.median(b):>8,.0f} ops/s, "
              f"A/B {statistics.median(a) / statistics.median(b):.2f} (rounds A {a}, B {b})")
for p, n in (("a", "A"), ("a0", "B")):
    if reqs.get(p):
        print(f"# {n}: {irq[p]:,} guest interrupts for about {reqs[p]:,.0f} requests per second of runs "
              f"(ops/s summed over sizes and rounds): {irq[p] / reqs[p] / 2:.2f} per request at 2 s a run")
PY
