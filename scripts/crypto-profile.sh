#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where a virtio-crypto request's time goes, both sides (a profile, not a
# test): one guest boot (tests/guest/crypto-profile.sh) with a device on
# the fast path (iothread) runs crypto-bench at one size; the guest counts
# requests, notifies and interrupts and profiles itself with Debian's perf;
# meanwhile the host runs, on that QEMU,
#   perf stat --per-thread -e task-clock,context-switches   (SECONDS)
#   perf record -e cpu-clock -g                             (SECONDS)
#   perf record -e sched:sched_waking                       (SECONDS)
# (before that, the guest records its own interrupts, switches and system
# calls with tracefs), and prints each QEMU thread's CPU time and context
# switches per request,
# the chain of wake-ups from one queue notify to the next (which thread
# wakes which, and how long each step takes), the guest's steps from the
# device's interrupt to its next request, and the hottest symbols.
#
#   crypto-profile.sh [-s SIZE] [-t SECONDS] [-a ALG] [-p PAGES]
#     -s  request size in bytes (default 64)
#     -t  seconds per measurement (default 4)
#     -a  aes-128-cbc (default), sha256, hmac-sha256 or aes-128-gcm
#     -p  crypto-bench's buffers: malloc (default), small (4 KiB pages) or
#         huge (transparent huge pages): how many descriptors a request takes
# Raw outputs stay in build/crypto-profile/.  Needs `make build` and
# Debian's perf (scripts/deps.d/perf.list).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

size=64 secs=4 alg=aes-128-cbc pages=malloc
while getopts "s:t:a:p:h" o; do
	case $o in
	s) size=$OPTARG ;;
	t) secs=$OPTARG ;;
	a) alg=$OPTARG ;;
	p) pages=$OPTARG ;;
	h) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
[[ $size =~ ^[1-9][0-9]*$ && $secs =~ ^[1-9][0-9]*$ && $alg =~ ^[a-z0-9-]+$ &&
	$pages =~ ^(malloc|small|huge)$ ]] ||
	die "crypto-profile: bad -s, -t, -a or -p (see -h)"
command -v perf >/dev/null || die "crypto-profile: no perf (run scripts/deps.sh)"
dir=$OUT/crypto-profile
mkdir -p "$dir"
rm -f "$dir/host.data" "$dir/stat.out"
"$VDEVKIT_ROOT/tests/t/bundle.sh" "$dir/crypto-profile-perf.tar.gz" "$(command -v perf)"
printf 'SIZE=%s\nSECS=%s\nALG=%s\nPAGES=%s\n' "$size" "$secs" "$alg" "$pages" >"$dir/crypto-profile.conf"
load=$(cut -d' ' -f1-3 /proc/loadavg)

# The QMP socket's path, unique to this run, finds our QEMU among others.
export VM_QMP=$dir/qmp.sock
"$VDEVKIT_ROOT/scripts/scenario.sh" crypto-profile \
	--files "$dir/crypto-profile-perf.tar.gz $dir/crypto-profile.conf" >"$dir/guest.out" 2>&1 &
vm=$!
until grep -q '^# host-profile-start' "$dir/guest.out" 2>/dev/null; do
	kill -0 "$vm" 2>/dev/null || { wait "$vm" || true; cat "$dir/guest.out"; die "crypto-profile: the guest stopped early"; }
	sleep 0.5
done
pid=$(pgrep -f "^/[^ ]*qemu-system-x86_64 .*unix:$VM_QMP," | head -1)
[ -n "$pid" ] || die "crypto-profile: QEMU not found"
sleep 1
perf stat --per-thread -p "$pid" -e task-clock,context-switches -- sleep "$secs" 2>"$dir/stat.out"
perf record -q -e cpu-clock -F 2000 -g -p "$pid" -o "$dir/host.data" -- sleep "$secs" 2>/dev/null
# Each QEMU thread's part, by name (-name ...,debug-threads=on).
for t in /proc/"$pid"/task/*; do
	case $(cat "$t/comm") in
	"CPU "*) r=vcpu ;;
	"IO "*) r=io ;;
	cryptodev-host) r=worker ;;
	*) if [ "${t##*/}" = "$pid" ]; then r=main; else r=other; fi ;;
	esac
	echo "${t##*/} $r"
done >"$dir/threads"
# Who wakes whom (sched_waking runs in the waker): the request's path.
perf record -q -e sched:sched_waking -p "$pid" -o "$dir/sched.data" -- sleep "$secs" 2>/dev/null
perf script -i "$dir/sched.data" -F tid,time,trace 2>/dev/null >"$dir/sched.txt"
rc=0
wait "$vm" || rc=$?

echo "# command: scripts/crypto-profile.sh -s $size -t $secs -a $alg -p $pages; host load average at start: $load"
grep '^# ' "$dir/guest.out" | grep -v '^# qmp' || true
python3 - "$dir/stat.out" "$dir/guest.out" "$secs" <<'PY'
import re, sys
stat, guest, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
rate = None
for l in open(guest):
    m = re.match(r"# count host window: \d+ [\d.]+ MB/s (\d+) ops/s", l)
    if m:
        rate = float(m[1])
th = {}
for l in open(stat):
    m = re.match(r"\s*(.+)-(\d+)\s+([\d,.]+)\s+(msec task-clock|context-switches)", l)
    if m:
        t = th.setdefault((m[1].strip(), m[2]), {})
        t[m[4]] = float(m[3].replace(",", ""))
if not rate:
    sys.exit("crypto-profile: no request rate from the guest")
n = rate * secs
print(f"# host: {rate:,.0f} requests/s, {1e6 / rate:.1f} us each; per request, by QEMU thread:")
print(f"# {'thread':<24} {'CPU us':>8} {'switches':>9}")
for (name, tid), t in sorted(th.items(), key=lambda x: -x[1].get("msec task-clock", 0)):
    if "msec task-clock" in t:
        print(f"# {name + '-' + tid:<24} {t['msec task-clock'] * 1000 / n:>8.1f} "
              f"{t.get('context-switches', 0) / n:>9.2f}")
PY
python3 - "$dir/threads" "$dir/sched.txt" <<'PY'
import re, sys
# A request's critical path from one queue notify to the next, by the
# wake-ups between QEMU's threads; a step missing from a cycle (a thread
# already awake, a request run inline) puts the cycle in another shape.
role = dict(l.split() for l in open(sys.argv[1]))
ev = []
for l in open(sys.argv[2]):
    m = re.match(r"\s*(\d+)\s+([\d.]+):.*\bpid=(\d+)", l)
    if m:
        ev.append((float(m[2]), role.get(m[1], "other"), role.get(m[3], "other")))
steps = {("vcpu", "io"): "the notify wakes the iothread",
         ("io", "worker"): "the iothread hands it to a worker",
         ("worker", "io"): "the worker is done, wakes the iothread",
         ("io", "main"): "the iothread signals the main loop",
         ("main", "vcpu"): "the main loop wakes the vCPU",
         # patch 2052: the iothread raises the interrupt itself
         ("io", "vcpu"): "the iothread wakes the vCPU"}
notify = [i for i, e in enumerate(ev) if (e[1], e[2]) == ("vcpu", "io")]
shapes = {}
for a, b in zip(notify, notify[1:]):
    seen, t = [], []
    for e in ev[a:b]:
        k = (e[1], e[2])
        if k in steps and k not in seen:
            seen.append(k)
            t.append(e[0])
    t.append(ev[b][0])
    d = shapes.setdefault(tuple(seen), [])
    d.append([(t[i + 1] - t[i]) * 1e6 for i in range(len(seen))])
print(f"# host wake-ups: {len(notify) - 1} cycles from one queue notify to the next")
for shape, rows in sorted(shapes.items(), key=lambda x: -len(x[1]))[:3]:
    print(f"# {len(rows)} cycles of this shape; median (mean) us from each wake-up to the next:")
    for i, k in enumerate(shape):
        col = sorted(r[i] for r in rows)
        last = i == len(shape) - 1
        print(f"#   {steps[k]:<40} {col[len(col) // 2]:8.1f} ({sum(col) / len(col):8.1f})"
              f"{'   then the guest, to its next notify' if last else ''}")
PY
python3 - "$dir/guest.out" <<'PY'
import re, sys
# The guest's part of a request the device's interrupt ends: from the
# interrupt to the caller's next system call and on until it sleeps again.
ev = []
for l in open(sys.argv[1]):
    m = re.match(r"#gtrace .*\s([\d.]+): (\w+):(.*)", l)
    if m:
        ev.append((float(m[1]), m[2], m[3]))
want = ["sched_wakeup", "irq_handler_exit", "sched_switch", "sys_exit", "sys_enter", "sched_switch"]
names = ["the interrupt handler, to the waiter's wake-up", "the rest of the handler",
         "leaving idle, to the caller running", "the caller, back to user space",
         "user space, to the next system call", "the next request, until it sleeps"]
d = [[] for _ in names]
i = 0
while i < len(ev):
    if ev[i][1] != "irq_handler_entry" or "virtio" not in ev[i][2]:
        i += 1
        continue
    t, j = [ev[i][0]], i + 1
    for w in want:
        while j < len(ev) and ev[j][1] != w:
            j += 1
        if j == len(ev):
            break
        t.append(ev[j][0])
        j += 1
    if len(t) == len(want) + 1:
        for k in range(len(names)):
            d[k].append((t[k + 1] - t[k]) * 1e6)
    i = j
if not d[0]:
    print("# guest events: no request ended by an interrupt (polled, or no tracefs)")
else:
    print(f"# guest events: {len(d[0])} requests ended by the device's interrupt; median (mean) us of each step:")
    for k, n in enumerate(names):
        s = sorted(d[k])
        print(f"#   {n:<48} {s[len(s) // 2]:8.1f} ({sum(s) / len(s):8.1f})")
PY
for c in $(perf report -i "$dir/host.data" --no-children --sort comm -g none --stdio -q 2>/dev/null |
	awk '$1 + 0 >= 5 { $1 = ""; sub(/^ /, ""); print }' | tr ' ' '@'); do
	c=${c//@/ }
	echo "# host thread '$c', hottest symbols (share of its samples):"
	perf report -i "$dir/host.data" --no-children --comm "$c" --percentage relative \
		--sort dso,sym -g none --stdio -q --percent-limit 3 2>/dev/null | grep . | sed 's/^/#   /' | head -12
done
echo "# guest status $rc; raw output in build/crypto-profile/"
exit "$rc"
