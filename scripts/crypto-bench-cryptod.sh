# SPDX-License-Identifier: GPL-2.0-or-later
# Rows (e) and (e') of `make bench-cryptoguest` (issue 11), sourced by
# scripts/crypto-bench.sh, which runs them after its own guest:
#   e  guest crypto-bench -> /dev/crypto -> virtio_cryptodev -> Debian's
#      QEMU 10.0 (cryptodev-vhost-user) -> vdevkit-cryptod
#   e' guest openssl speed -engine afalg (openssl enc above 64 KiB, as b)
#      -> Debian's virtio_crypto -> Debian's QEMU 10.0 -> vdevkit-cryptod
# One boot of the stock QEMU (STOCK_QEMU, default /usr/bin/qemu-system-
# x86_64) with two virtio-crypto devices at the addresses of a's and b's,
# each on a daemon of its own (a daemon serves one front end); the guest
# is the scenario crypto-bench with AB_ONLY=1, whose a and b are e and e'
# here.  Compared with a and b of the main run: e/a and e'/b in ops/s.
# CRYPTOD_BENCH_ARGS: more options for both daemons (e.g. --poll), or
# for e's alone if CRYPTOD_BENCH_ARGS_E2 gives e''s (one spinning daemon
# is a core of its own: two on a 2-core host starve the guest).  Each
# daemon's exit log gives its interrupts and kicks and, by request size,
# its own time per request (host) and the time from a completion to the
# next request (gap: guest, front end and our wake-up); the report shows
# them beside the figures.
#   cryptod_bench_run DIR SECS ROUNDS 'SIZES' LIMIT: the run, into
#     DIR/cryptod.out (DIR/crypto-bench-openssl.tar.gz made already)
#   cryptod_bench_report DIR: the table and the goals (e >= a at every
#     size, e'/b >= 3 at 4 KiB); fails if a figure or a check is missing
. "$VDEVKIT_ROOT/tests/lib/cryptod.sh"

cryptod_bench_run() {
	local dir=$1 secs=$2 rounds=$3 sizes=$4 limit=$5 pe pb rc
	local stock=${STOCK_QEMU:-/usr/bin/qemu-system-x86_64}
	local tmp=$dir/cryptod
	mkdir -p "$tmp"
	if ! "$stock" --version 2>/dev/null | grep -q 'version 10\.0'; then
		echo "# WARNING: no Debian QEMU 10.0 at $stock (scripts/deps.sh): no e, e'" >"$dir/cryptod.out"
		return 0
	fi
	printf 'SIZES="%s"\nSECS=%s\nROUNDS=%s\nAB_ONLY=1\n' "$sizes" "$secs" "$rounds" \
		>"$tmp/crypto-bench.conf"
	# shellcheck disable=SC2086 # a list of options
	cryptod_start e ${CRYPTOD_BENCH_ARGS:-} || echo "# WARNING: daemon e did not start" >>"$tmp/e.log"
	pe=$dpid
	# shellcheck disable=SC2086 # a list of options
	cryptod_start e2 ${CRYPTOD_BENCH_ARGS_E2-${CRYPTOD_BENCH_ARGS:-}} || echo "# WARNING: daemon e' did not start" >>"$tmp/e2.log"
	pb=$dpid
	set +e
	# 1 GiB, as the scenario's own "# vm: -m 1024" (which --vm replaces)
	local VM_MEM=1024
	export VM_MEM
	VM_QEMU=$stock "$VDEVKIT_ROOT/scripts/scenario.sh" crypto-bench --vm \
		"$(cryptod_vm_args "$tmp/e.sock" "" 0 addr=0x4) $(cryptod_vm_args "$tmp/e2.sock" "" 1 addr=0x5)" \
		--timeout "$limit" --files "$dir/crypto-bench-openssl.tar.gz $tmp/crypto-bench.conf" \
		>"$dir/cryptod.out" 2>&1
	rc=$?
	echo "# guest status $rc" >>"$dir/cryptod.out"
	dpid=$pe
	cryptod_stop e >>"$dir/cryptod.out"
	dpid=$pb
	cryptod_stop e2 >>"$dir/cryptod.out"
	set -e
}

cryptod_bench_report() {
	python3 - "$1/guest.out" "$1/cryptod.out" <<'EOF'
import re, statistics, sys
main, cd = (open(f).read().splitlines() for f in sys.argv[1:3])

def medians(lines, paths):
    r = {}
    for l in lines:
        m = re.match(r"# res (\w'?) (\d+) ([\d.]+) (\d+)", l)
        if m and m[1] in paths:
            r.setdefault((paths[m[1]], int(m[2])), []).append((float(m[3]), float(m[4])))
    return {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
            for k, v in r.items()}

med = medians(main, {"a": "a", "b": "b"})
med.update(medians(cd, {"a": "e", "b": "e'"}))
sizes = sorted({s for p, s in med})
print()
print("# e: crypto-bench, virtio_cryptodev, Debian's QEMU 10.0, vdevkit-cryptod")
print("# e': openssl speed -engine afalg (enc above 64 KiB, as b), Debian's virtio_crypto,")
print("#     Debian's QEMU 10.0, vdevkit-cryptod   (a, b: the main run above)")
paths = ["a", "e", "b", "e'"]
pairs = (("e", "a"), ("e", "b"), ("e'", "b"))
hdr = f"{'size':>8} |" + "".join(f" {p+' MB/s':>9} {p+' ops/s':>9} |" for p in paths) + \
    "".join(f" {x + '/' + y:>6}" for x, y in pairs)
print(hdr)
print("-" * len(hdr))

def fmt(v):
    if v is None:
        return f"{'-':>9}"
    return f"{v:>9,.2f}" if v < 100 else f"{v:>9,.0f}"

def ratio(x, y, s):
    a, b = med.get((x, s)), med.get((y, s))
    return a[1] / b[1] if a and b and b[1] else None

for s in sizes:
    row = f"{s:>8} |"
    for p in paths:
        mb, ops = med.get((p, s), (None, None))
        row += f" {fmt(mb)} {fmt(ops)} |"
    for x, y in pairs:
        v = ratio(x, y, s)
        row += f" {v:>6.2f}" if v is not None else f" {'-':>6}"
    print(row)
for want in (64, 4096, 65536, 1048576):
    ea, eb = ratio("e", "a", want), ratio("e'", "b", want)
    if ea is not None or eb is not None:
        print(f"# at {want} B: e/a {ea if ea is None else f'{ea:.2f}'}, "
              f"e'/b {eb if eb is None else f'{eb:.2f}'}")
ea = [(s, ratio("e", "a", s)) for s in sizes if ratio("e", "a", s) is not None]
bad = [f"{s}: {v:.2f}" for s, v in ea if v < 1]
print(f"# goal e >= a at every size: {'no figures' if not ea else 'NOT met at ' + ', '.join(bad) if bad else 'met'}")
v = ratio("e'", "b", 4096)
print(f"# goal e'/b >= 3 at 4 KiB: {'no figures' if v is None else ('met' if v >= 3 else 'NOT met')}"
      f"{'' if v is None else f' ({v:.2f})'}")
# The daemons' own view: interrupts and kicks, and per size the time a
# request spends in the daemon (host) and between a completion and the
# next request (gap), against the interval the median rate gives.
for tag, row in (("e", "e"), ("e2", "e'")):
    for l in cd:
        m = re.match(rf"# {tag}: vdevkit-cryptod: interrupts (\d+) \(write ([\d.]+) us each\), kicks (\d+)$", l)
        if m:
            print(f"# {row}: its daemon sent {int(m[1]):,} interrupts (their write() {m[2]} us each) "
                  f"and had {int(m[3]):,} kicks")
    for l in cd:
        m = re.match(rf"# {tag}: vdevkit-cryptod: timing: (\d+) B: (\d+) requests, host ([\d.]+) us, "
                     rf"gap ([\d.]+) us over (\d+), (\d+) after a sleep$", l)
        if not m or int(m[1]) not in sizes:
            continue
        ops = med.get((row, int(m[1])), (None, None))[1]
        iv = f"{1e6 / ops:.1f} us" if ops else "-"
        print(f"# {row} at {m[1]} B: {int(m[2]):,} requests, {m[3]} us each in the daemon, "
              f"{m[4]} us from a completion to the next request ({int(m[6]):,} after a sleep); "
              f"1/(median ops/s) {iv}")
# The daemons' byte counts cover what openssl says it sent (first round).
ok = True
n = len(sizes)
for tag, name, row in (("a", "e", "e"), ("b", "e2", "e'")):
    rep = [l.split() for l in cd if l.startswith(f"# res {tag} ")][:n]
    sent = sum(int(x[3]) * int(x[6]) for x in rep if len(x) > 6)
    got = [int(m[1]) for m in (re.search(rf"^# {name}: .*bytes encrypted (\d+)", l)
                               for l in cd) if m]
    # crypto-bench prints no count: e's daemon must just have worked
    if not got or got[-1] < sent or not got[-1]:
        ok = False
        print(f"# WARNING: {row}: its daemon encrypted {got[-1] if got else '?'} B, "
              f"less than the guest's {sent} B of round 1")
    else:
        print(f"# check {row}: its daemon encrypted {got[-1]:,} B" +
              (f", the guest's openssl reported {sent:,} B in round 1" if sent else ""))
for l in cd:
    if l.startswith("not ok") or "WARNING" in l or "Bail out" in l:
        print(f"# guest/daemon: {l}")
missing = [(p, s) for p in paths for s in sizes if (p, s) not in med]
if missing:
    print(f"# WARNING: missing results: {missing}")
gs = [l for l in cd if l.startswith("# guest status ")]
sys.exit(0 if ok and not missing and gs and gs[-1].endswith(" 0") else 1)
EOF
}
