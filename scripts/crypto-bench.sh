#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# virtio-crypto benchmark (not a test): AES-128-CBC encryption, MB/s and
# ops/s per size, for the paths of issues 4 and 10, all in one run:
#   a  guest crypto-bench -> /dev/cryptodev1 -> virtio_cryptodev ->
#      virtio-crypto-pci,iothread=io0 (poll-max-ns=32768) ->
#      cryptodev-backend-host,queues=4 (our path, the fast path)
#   a0 the same without iothread: virtqueues in the main loop (the default)
#   b  guest openssl speed -engine afalg -> AF_ALG -> Debian's virtio_crypto
#      -> cryptodev-backend-builtin (what a user has today)
#   c  guest openssl speed, software AES in the guest
#   d  host openssl speed: Debian's libcrypto EVP, which our backend's
#      openssl provider calls (the ceiling)
# d runs first on the host, then one guest boot runs a, a0, b, c
# alternately (tests/guest/crypto-bench.sh).  Medians over the rounds; the
# ratios a/a0, a/b, a/c, a/d per size; (b) is checked to have really used its device (the
# builtin backend's request counter, QMP query-stats).
#
#   crypto-bench.sh [-t SECONDS] [-r ROUNDS] [-s 'SIZES']
#     -t  whole seconds per size, path and round (default 2)
#     -r  rounds (default 3)
#     -s  sizes in bytes (default '64 1024 4096 65536 1048576')
# Raw outputs stay in build/crypto-bench/.  Needs `make build` and
# Debian's openssl (scripts/deps.d/openssl.list).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=2 rounds=3 sizes="64 1024 4096 65536 1048576"
cmdline="scripts/crypto-bench.sh $*"
while getopts "t:r:s:h" o; do
	case $o in
	t) secs=$OPTARG ;;
	r) rounds=$OPTARG ;;
	s) sizes=$OPTARG ;;
	h) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
[[ $secs =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ && $sizes =~ ^[0-9\ ]+$ ]] ||
	die "crypto-bench: bad -t, -r or -s (see -h)"
command -v openssl >/dev/null || die "crypto-bench: no openssl (run scripts/deps.sh)"
dir=$OUT/crypto-bench
mkdir -p "$dir"
t0=$(date +%s)

# d: the host's libcrypto, same sizes, same timing method as b and c.
: >"$dir/host.out"
for ((r = 1; r <= rounds; r++)); do
	for s in $sizes; do
		openssl speed -elapsed -mr -evp aes-128-cbc -bytes "$s" -seconds "$secs" 2>&1 |
			awk -F: -v n="$s" '/^\+R:/ { printf "# res d %d %.2f %.0f %d\n", n, $2 * n / $4 / 1e6, $2 / $4, $2 }' \
			>>"$dir/host.out"
	done
done

# a, b, c: one guest boot.
"$VDEVKIT_ROOT/tests/t/bundle.sh" "$dir/crypto-bench-openssl.tar.gz" \
	/usr/bin/openssl /usr/lib/x86_64-linux-gnu/engines-3/afalg.so
printf 'SIZES="%s"\nSECS=%s\nROUNDS=%s\n' "$sizes" "$secs" "$rounds" >"$dir/crypto-bench.conf"
# Generous limit: four paths, each size takes SECONDS plus start-up.
limit=$(awk -v r="$rounds" -v t="$secs" -v n="$(wc -w <<<"$sizes")" 'BEGIN { print int(180 + r * 4 * n * (t + 4) * 2) }')
set +e
"$VDEVKIT_ROOT/scripts/scenario.sh" crypto-bench --timeout "$limit" \
	--files "$dir/crypto-bench-openssl.tar.gz $dir/crypto-bench.conf" >"$dir/guest.out" 2>&1
rc=$?
set -e
t1=$(date +%s)

python3 - "$dir/host.out" "$dir/guest.out" "$cmdline" "$rc" "$((t1 - t0))" "$sizes" <<'EOF'
import json, re, statistics, sys
host, guest, cmd, rc, took, sizes = sys.argv[1:]
sizes = [int(s) for s in sizes.split()]
lines = open(host).read().splitlines() + open(guest).read().splitlines()
res = {}
for l in lines:
    m = re.match(r'# res (\w+) (\d+) ([\d.]+) (\d+)', l)
    if m:
        res.setdefault((m[1], int(m[2])), []).append((float(m[3]), float(m[4])))
med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
       for k, v in res.items()}

print(f"# command: {cmd}   (make bench-cryptoguest)")
print(f"# AES-128-CBC encrypt; medians of the rounds; MB = 10^6 B; guest: one vCPU, QEMU TCG")
print("# a: crypto-bench, virtio_cryptodev, virtio-crypto-pci,iothread (poll-max-ns=32768), "
      "cryptodev-backend-host,queues=4")
print("# a0: the same without iothread (virtqueues in the main loop)")
print("# b: openssl speed -engine afalg, Debian virtio_crypto, cryptodev-backend-builtin")
print("# c: openssl speed in the guest (software)   d: openssl speed on the host")
paths = ["a", "a0", "b", "c", "d"]
hdr = f"{'size':>8} |" + "".join(f" {p+' MB/s':>9} {p+' ops/s':>9} |" for p in paths) + \
    "".join(f" {'a/' + p:>6}" for p in paths[1:])
print(hdr)
print("-" * len(hdr))

def fmt(v, w=9):
    if v is None:
        return f"{'-':>{w}}"
    return f"{v:>{w},.2f}" if v < 100 else f"{v:>{w},.0f}"

enc = {int(l.split()[3]) for l in lines if l.startswith("# res b ") and l.endswith(" enc")}
for s in sizes:
    row = f"{str(s) + ('*' if s in enc else ''):>8} |"
    for p in paths:
        mb, ops = med.get((p, s), (None, None))
        row += f" {fmt(mb)} {fmt(ops)} |"
    a = med.get(("a", s))
    for p in paths[1:]:
        o = med.get((p, s))
        row += f" {a[1] / o[1]:>6.2f}" if a and o and o[1] else f" {'-':>6}"
    print(row)
s0 = sizes[0]
if ("a", s0) in med and ("b", s0) in med:
    print(f"# ops/s at {s0} B: a {med['a', s0][1]:,.0f}, b {med['b', s0][1]:,.0f}, "
          f"a/b {med['a', s0][1] / med['b', s0][1]:.2f}")
    if ("a0", s0) in med:
        print(f"# ops/s at {s0} B: a0 {med['a0', s0][1]:,.0f}, "
              f"a0/b {med['a0', s0][1] / med['b', s0][1]:.2f}")

# Did b really go through its device, and c not?  Counters of the builtin
# backend (c1) from the query-stats replies the guest asked for.
stats = {}
for l in lines:
    m = re.match(r'# qmp: .* -> (\{.*\})$', l)
    if not m:
        continue
    try:
        j = json.loads(m[1])
    except ValueError:
        continue
    for dev in j.get("return", []):
        if dev.get("qom-path") == "/objects/c1":
            stats[j.get("id")] = {x["name"]: x["value"] for x in dev["stats"]}
n = len(sizes)
bres = [l.split() for l in lines if l.startswith("# res b ")][:n]
bbytes = sum(int(x[3]) * int(x[6]) for x in bres)
ok = True
if all(k in stats for k in ("b0", "b1", "c1")):
    db = stats["b1"]["sym-encrypt-bytes"] - stats["b0"]["sym-encrypt-bytes"]
    dc = stats["c1"]["sym-encrypt-ops"] - stats["b1"]["sym-encrypt-ops"]
    print(f"# check b: builtin backend encrypted {db:,} B in round 1 of b, "
          f"openssl reported {bbytes:,} B; requests to it during c: {dc}")
    if not (bbytes > 0 and db >= bbytes and dc == 0):
        print("# WARNING: b did not (only) use its device, or c did: figures not comparable")
        ok = False
else:
    print("# WARNING: no device counters for b (QMP replies missing): b unverified")
    ok = False
big = [x[3] for x in bres if x[-1] == "enc"]
if big:
    print(f"# * b at {', '.join(big)} B: a request that big kills the device of Debian's "
          "virtio_crypto (tests/guest/crypto-bench.sh), so b is openssl enc -engine afalg "
          "over 16 MiB, which sends 4 KiB requests")
for l in lines:
    if l.startswith("# irq "):
        print(f"# guest virtqueue interrupts, {l[6:]}")
for l in lines:
    if l.startswith("not ok") or "WARNING" in l or "error" in l.lower():
        print(f"# guest: {l}")
print(f"# guest status {rc}; whole run {took} s; raw output in build/crypto-bench/")
missing = [(p, s) for p in paths for s in sizes if (p, s) not in med]
if missing:
    print(f"# WARNING: missing results: {missing}")
sys.exit(0 if rc == "0" and ok and not missing else 1)
EOF
