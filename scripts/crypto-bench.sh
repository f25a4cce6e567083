#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# virtio-crypto benchmark (not a test): AES-128-CBC encryption, MB/s and
# ops/s per size, for the paths of issues 4 and 10 and a' of issue 9,
# then SHA-256, HMAC-SHA256 and AES-128-GCM (issue 9) on paths a, a', c,
# d, all in one run:
#   a  guest crypto-bench -> /dev/cryptodev0 -> virtio_cryptodev ->
#      virtio-crypto-pci,iothread=io0 (poll-max-ns=500000) ->
#      cryptodev-backend-host,queues=4 (our path, the fast path)
#   a0 the same on a second device without iothread: virtqueues in QEMU's
#      main loop (the device's default; AES-CBC only)
#   a' guest openssl speed -engine devcrypto (OpenSSL's engine, built by
#      scripts/openssl-engine.sh) -> /dev/crypto (the fast path's device)
#   b  guest openssl speed -engine afalg -> AF_ALG -> Debian's virtio_crypto
#      -> cryptodev-backend-builtin (what a user has today)
#   c  guest openssl speed, software AES in the guest
#   d  host openssl speed: Debian's libcrypto EVP, which our backend's
#      openssl provider calls (the ceiling)
#   e, e' a and b through Debian's QEMU 10.0 and vdevkit-cryptod instead
#      (a second boot, scripts/crypto-bench-cryptod.sh): e/a, e'/b
# For the hashes, MAC and AEAD, a' only where OpenSSL's engine offers the
# algorithm (digests yes; MACs and GCM no: n/a).
# d runs first on the host, then one guest boot runs a, a0, a', b, c
# alternately (tests/guest/crypto-bench.sh).  Medians over the rounds; the
# ratios a/a0, a/b, a/c, a/d, a'/a per size, and issue 10's goals; (a')
# and (b) are checked to have really used their devices (the backends'
# byte counters, QMP query-stats).
#
#   crypto-bench.sh [-q] [-t SECONDS] [-r ROUNDS] [-s 'SIZES'] [-H 'SIZES'] [-p PAGES] [-k N]
#     -q  quick: a, b, e and e' only (AES-CBC; no a0, a', c, d, no hashes),
#         for work on vdevkit-cryptod; prints the e/e' table alone
#     -t  whole seconds per size, path, algorithm and round (default 2)
#     -r  rounds (default 3)
#     -s  AES-CBC sizes in bytes (default '64 1024 4096 65536 1048576')
#     -H  hash/MAC/AEAD sizes in bytes (default '64 4096 65536 1048576')
#     -p  the buffers of a and a0 (crypto-bench -p): malloc (default, as
#         the guest's kernel happens to back them), small (4 KiB pages) or
#         huge (transparent huge pages: a big request in a few descriptors)
#     -k  virtio_cryptodev's pin_cache for a, a0 and a' (default: the
#         module's, 4; 0 pins and unpins every request as before it)
# Raw outputs stay in build/crypto-bench/.  Needs `make build`, `make
# openssl-engine` and Debian's openssl (scripts/deps.d/openssl.list).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crypto-bench-cryptod.sh"

secs=2 rounds=3 sizes="64 1024 4096 65536 1048576" hsizes="64 4096 65536 1048576" pages=malloc pin=
cmdline="scripts/crypto-bench.sh $*"
quick=
while getopts "qt:r:s:H:p:k:h" o; do
	case $o in
	q) quick=1 ;;
	t) secs=$OPTARG ;;
	r) rounds=$OPTARG ;;
	s) sizes=$OPTARG ;;
	H) hsizes=$OPTARG ;;
	p) pages=$OPTARG ;;
	k) pin=$OPTARG ;;
	h) sed -n '3,42p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
[[ $secs =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ && $sizes =~ ^[0-9\ ]+$ && $hsizes =~ ^[0-9\ ]+$ &&
	$pages =~ ^(malloc|small|huge)$ && $pin =~ ^[0-9]*$ ]] ||
	die "crypto-bench: bad -t, -r, -s, -H, -p or -k (see -h)"
command -v openssl >/dev/null || die "crypto-bench: no openssl (run scripts/deps.sh)"
[ -f "$OUT/openssl/devcrypto.so" ] ||
	die "crypto-bench: no devcrypto engine (run make openssl-engine)"
engdir=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
dir=$OUT/crypto-bench
mkdir -p "$dir"
t0=$(date +%s)
load=$(cut -d' ' -f1-3 /proc/loadavg)

# d: the host's libcrypto, same sizes, same timing method as b and c.
: >"$dir/host.out"
[ -z "$quick" ] || hsizes=
for ((r = 1; r <= rounds && !quick; r++)); do
	for s in $sizes; do
		openssl speed -elapsed -mr -evp aes-128-cbc -bytes "$s" -seconds "$secs" 2>&1 |
			awk -F: -v n="$s" '/^\+R:/ { printf "# res d %d %.2f %.0f %d\n", n, $2 * n / $4 / 1e6, $2 / $4, $2 }' \
			>>"$dir/host.out"
	done
	for alg in sha256 hmac-sha256 aes-128-gcm; do
		case $alg in
		sha256) evp="-evp sha256" ;;
		hmac-sha256) evp="-hmac sha256" ;;
		aes-128-gcm) evp="-evp aes-128-gcm" ;;
		esac
		for s in $hsizes; do
			# shellcheck disable=SC2086 # evp is a list of options
			openssl speed -elapsed -mr $evp -bytes "$s" -seconds "$secs" 2>&1 |
				awk -F: -v a="$alg" -v n="$s" '/^\+R:/ { printf "# hres %s d %d %.2f %.0f %d\n", a, n, $2 * n / $4 / 1e6, $2 / $4, $2 }' \
				>>"$dir/host.out"
		done
	done
done

# a, b, c: one guest boot.
"$VDEVKIT_ROOT/tests/t/bundle.sh" "$dir/crypto-bench-openssl.tar.gz" \
	/usr/bin/openssl "$engdir/afalg.so" "$OUT/openssl/devcrypto.so:$engdir/devcrypto.so"
printf 'SIZES="%s"\nHSIZES="%s"\nSECS=%s\nROUNDS=%s\nAB_ONLY=%s\nPAGES=%s\nPIN_CACHE=%s\n' "$sizes" \
	"$hsizes" "$secs" "$rounds" "$quick" "$pages" "$pin" >"$dir/crypto-bench.conf"
# Generous limit: five paths, each size takes SECONDS plus start-up; then
# at most seven algorithm-paths for the hashes.
limit=$(awk -v r="$rounds" -v t="$secs" -v n="$(wc -w <<<"$sizes")" -v h="$(wc -w <<<"$hsizes")" \
	'BEGIN { print int(240 + r * (5 * n + 7 * h) * (t + 4) * 2) }')
set +e
"$VDEVKIT_ROOT/scripts/scenario.sh" crypto-bench --timeout "$limit" \
	--files "$dir/crypto-bench-openssl.tar.gz $dir/crypto-bench.conf" >"$dir/guest.out" 2>&1
rc=$?
set -e
cryptod_bench_run "$dir" "$secs" "$rounds" "$sizes" "$limit"
t1=$(date +%s)

st=0
if [ -n "$quick" ]; then
	echo "# command: $cmdline; host load average at start: $load; guest status $rc; whole run $((t1 - t0)) s"
	cryptod_bench_report "$dir" || st=1
	[ "$rc" = 0 ] || st=1
	exit "$st"
fi
python3 - "$dir/host.out" "$dir/guest.out" "$cmdline" "$rc" "$((t1 - t0))" "$sizes" "$hsizes" "$load" <<'EOF' || st=$?
import json, re, statistics, sys
host, guest, cmd, rc, took, sizes, hsizes, load = sys.argv[1:]
sizes = [int(s) for s in sizes.split()]
hsizes = [int(s) for s in hsizes.split()]
lines = open(host).read().splitlines() + open(guest).read().splitlines()
res = {}
for l in lines:
    m = re.match(r"# res (\w+'?) (\d+) ([\d.]+) (\d+)", l)
    if m:
        res.setdefault((m[1], int(m[2])), []).append((float(m[3]), float(m[4])))
med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
       for k, v in res.items()}

print(f"# command: {cmd}   (make bench-cryptoguest); host load average at start: {load}")
print(f"# AES-128-CBC encrypt; medians of the rounds; MB = 10^6 B; guest: one vCPU, QEMU TCG")
print("# a: crypto-bench, virtio_cryptodev, virtio-crypto-pci,iothread=io0 (poll-max-ns=500000), "
      "cryptodev-backend-host,queues=4 (the fast path)")
print("# a0: the same without iothread (virtqueues in QEMU's main loop: today's path)")
print("# a': openssl speed -engine devcrypto, the same driver and device as a")
print("# b: openssl speed -engine afalg, Debian virtio_crypto, cryptodev-backend-builtin")
print("# c: openssl speed in the guest (software)   d: openssl speed on the host")
paths = ["a", "a0", "a'", "b", "c", "d"]
ratio = "a'/a"
hdr = f"{'size':>8} |" + "".join(f" {p+' MB/s':>9} {p+' ops/s':>9} |" for p in paths) + \
    f" {'a/a0':>6} {'a/b':>6} {'a/c':>6} {'a/d':>6} {ratio:>6}"
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
    for p in ("a0", "b", "c", "d"):
        o = med.get((p, s))
        row += f" {a[1] / o[1]:>6.2f}" if a and o and o[1] else f" {'-':>6}"
    o = med.get(("a'", s))
    row += f" {o[1] / a[1]:>6.2f}" if a and o and a[1] else f" {'-':>6}"
    print(row)
s0 = sizes[0]
if ("a", s0) in med and ("b", s0) in med:
    print(f"# ops/s at {s0} B: a {med['a', s0][1]:,.0f}, b {med['b', s0][1]:,.0f}, "
          f"a/b {med['a', s0][1] / med['b', s0][1]:.2f}")

# Issue 10's goals (reported, not asserted), in ops/s of the same size.
def goal10(name, p, want, at):
    xs, bad = [], 0
    for s in at:
        a, o = med.get(("a", s)), med.get((p, s))
        if a and o and o[1]:
            xs.append(f"{s} B: {a[1] / o[1]:.2f}")
            bad += a[1] / o[1] < want
    state = "not measured" if not xs else ("met" if not bad else f"NOT met ({bad} of {len(xs)})")
    print(f"# goal a/{p} >= {want} at {name}: {state}; {'; '.join(xs)}")

goal10("4 KiB", "c", 2, [4096])
goal10("64 B and 4 KiB", "b", 3, [64, 4096])
goal10("1 MiB", "d", 0.8, [1048576])

pa = [med["a'", s][1] / med["a", s][1] for s in sizes if ("a'", s) in med and ("a", s) in med]
if pa:
    print(f"# a'/a in ops/s: {min(pa):.2f} to {max(pa):.2f} (goal: at least 0.8)")

# Did a' and b really go through their devices, and c not?  Counters of
# our backend (c0) and the builtin one (c1) from the query-stats replies
# the guest asked for.
stats = {}
ours = {}
slow = {}
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
        if dev.get("qom-path") == "/objects/c0":
            ours[j.get("id")] = {x["name"]: x["value"] for x in dev["stats"]}
        if dev.get("qom-path") == "/objects/c2":
            slow[j.get("id")] = {x["name"]: x["value"] for x in dev["stats"]}
ok = True
n = len(sizes)
pres = [l.split() for l in lines if l.startswith("# res a' ")][:n]
pbytes = sum(int(x[3]) * int(x[6]) for x in pres)
if all(k in ours for k in ("p0", "p1")):
    dp = ours["p1"]["sym-encrypt-bytes"] - ours["p0"]["sym-encrypt-bytes"]
    # At least: openssl's own random generator runs AES through the engine too.
    print(f"# check a': our backend encrypted {dp:,} B in round 1 of a', "
          f"openssl reported {pbytes:,} B")
    if not (pbytes > 0 and dp >= pbytes):
        print("# WARNING: a' did not use our device: figures not comparable")
        ok = False
    if all(k in slow for k in ("p0", "p1")):
        ds = slow["p1"]["sym-encrypt-ops"] - slow["p0"]["sym-encrypt-ops"]
        print(f"# check a': requests to a0's device (no iothread) during a': {ds}")
        if ds:
            print("# WARNING: a' did not use the fast path only: figures not comparable")
            ok = False
else:
    print("# WARNING: no device counters for a' (QMP replies missing): a' unverified")
    ok = False
bres = [l.split() for l in lines if l.startswith("# res b ")][:n]
bbytes = sum(int(x[3]) * int(x[6]) for x in bres)
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
# SHA-256, HMAC-SHA256, AES-128-GCM: "# hres ALG PATH SIZE MB/s OPS/s COUNT".
hres = {}
for l in lines:
    m = re.match(r"# hres ([\w-]+) (\w'?) (\d+) ([\d.]+) (\d+)", l)
    if m:
        hres.setdefault((m[1], m[2], int(m[3])), []).append((float(m[4]), float(m[5])))
hmed = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
        for k, v in hres.items()}
offer = next((l.split(":", 1)[1].split() for l in lines
              if l.startswith("# devcrypto engine offers:")), None)
engname = {"sha256": ["sha256"], "hmac-sha256": [],
           "aes-128-gcm": ["aes-128-gcm", "id-aes128-gcm"]}
if offer is not None:
    offer = [o.lower() for o in offer]
algs = ["sha256", "hmac-sha256", "aes-128-gcm"]
hmissing = []
goals = {"a/c": [], "a/d": [], "a'/a": []}
print()
print("# SHA-256 and HMAC-SHA256 (one-shot digests), AES-128-GCM encrypt (no AAD);")
print("# a: crypto-bench -a ALG   a': openssl speed -engine devcrypto -evp ALG")
print("# c: openssl speed -evp ALG (-hmac sha256) in the guest   d: the same on the host")
hp = ["a", "a'", "c", "d"]
hdr = f"{'alg':>11} {'size':>8} |" + "".join(f" {p+' MB/s':>9} {p+' ops/s':>9} |" for p in hp) + \
    f" {'a/c':>6} {'a/d':>6} {ratio:>6}"
print(hdr)
print("-" * len(hdr))
for alg in algs:
    na = (offer is not None and not set(engname[alg]) & set(offer)
          and not any((alg, "a'", s) in hmed for s in hsizes))
    for s in hsizes:
        row = f"{alg:>11} {s:>8} |"
        for p in hp:
            if p == "a'" and na:
                row += f" {'n/a':>9} {'n/a':>9} |"
                continue
            mb, ops = hmed.get((alg, p, s), (None, None))
            if mb is None:
                hmissing.append((alg, p, s))
            row += f" {fmt(mb)} {fmt(ops)} |"
        a = hmed.get((alg, "a", s))
        for p, key in (("c", "a/c"), ("d", "a/d")):
            o = hmed.get((alg, p, s))
            if a and o and o[1]:
                row += f" {a[1] / o[1]:>6.2f}"
                goals[key].append((alg, s, a[1] / o[1]))
            else:
                row += f" {'-':>6}"
        o = hmed.get((alg, "a'", s))
        if a and o and a[1]:
            row += f" {o[1] / a[1]:>6.2f}"
            goals["a'/a"].append((alg, s, o[1] / a[1]))
        else:
            row += f" {'n/a' if na else '-':>6}"
        print(row)
if offer is not None:
    print(f"# a' n/a: the devcrypto engine offers no {', '.join(a for a in algs if not set(engname[a]) & set(offer))} "
          "(OpenSSL's engine has digests and ciphers only; no MACs, no AEAD)")

def goal(name, key, pred, text):
    xs = [f"{a} {s}: {v:.2f}" for a, s, v in goals[key] if pred(s)]
    bad = [1 for a, s, v in goals[key] if pred(s) and not text(v)]
    state = "no figures" if not xs else ("met" if not bad else f"NOT met ({len(bad)} of {len(xs)})")
    print(f"# goal {name}: {state}; {'; '.join(xs)}")

goal("a >= 2c at 64 KiB and above", "a/c", lambda s: s >= 65536, lambda v: v >= 2)
goal("a/d >= 0.6 at 1 MiB", "a/d", lambda s: s >= 1048576, lambda v: v >= 0.6)
goal("a'/a >= 0.8", "a'/a", lambda s: True, lambda v: v >= 0.8)
# a' of SHA-256 went through our device: backend counters around round 1.
for alg in algs:
    q0, q1 = ours.get(f"q0-{alg}"), ours.get(f"q1-{alg}")
    if not (q0 and q1):
        continue
    d = q1["sym-encrypt-bytes"] - q0["sym-encrypt-bytes"]
    rep_ = [l.split() for l in lines if l.startswith(f"# hres {alg} a' ")][:len(hsizes)]
    nb = sum(int(x[4]) * int(x[7]) for x in rep_)
    print(f"# check a' {alg}: our backend hashed {d:,} B in round 1, openssl reported {nb:,} B")
    if not (nb > 0 and d >= nb):
        print(f"# WARNING: a' {alg} did not use our device: figures not comparable")
        ok = False
print(f"# guest status {rc}; whole run {took} s; raw output in build/crypto-bench/")
missing = [(p, s) for p in paths for s in sizes if (p, s) not in med] + hmissing
if missing:
    print(f"# WARNING: missing results: {missing}")
sys.exit(0 if rc == "0" and ok and not missing else 1)
EOF
cryptod_bench_report "$dir" || st=1
exit "$st"
