#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Profile (not a test): guest side of scripts/crypto-profile.sh (`make
# profile-cryptoguest`), which passes in /crypto-profile-perf.tar.gz
# (Debian's perf and its libraries) and /crypto-profile.conf (SIZE, SECS,
# ALG, PAGES: crypto-bench -p).  One device on the fast path (iothread io0).  In order:
#   - two crypto-bench runs of SIZE with the device's counters around them:
#     "# count ..." lines (requests, notifies, virtqueue interrupts);
#   - the same from 4 processes at once (do notifies coalesce?);
#   - perf record -a in the guest during a run: "# guest ..." lines;
#   - tracefs events (interrupts, wake-ups, switches, system calls) during
#     a 1 s run: "#gtrace ..." lines;
#   - a run of 3 * SECS + 4 s between "# host-profile-start" and
#     "# host-profile-end", during which the host profiles QEMU.
# -name ...,debug-threads=on names QEMU's threads for the host's profile.
# vm: -name vdevkit-profile,debug-threads=on -m 1024
# vm: -object iothread,id=io0,poll-max-ns=500000 -object cryptodev-backend-host,id=c0,queues=4 -device virtio-crypto-pci,cryptodev=c0,iothread=io0
# timeout: 600
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

SIZE=64
SECS=4
ALG=aes-128-cbc
PAGES=malloc
[ -f /crypto-profile.conf ] && . /crypto-profile.conf
d=cryptodev0
irqs() { vcd_irqs $d; }
st() { awk -v k="$1" 'index($1, k) == 1 { s += $2 } END { print s + 0 }' /sys/class/misc/$d/stats; }
bench() { crypto-bench -d /dev/$d -a "$ALG" -p "$PAGES" -t "$1" "$SIZE" | sed -n 's/^bench //p'; }
# count WHAT CMD...: CMD's output and the device's counters around it.
count() {
	what=$1
	shift
	i0=$(irqs) r0=$(st dataq.) n0=$(st notifies) s0=$(st data_segments)
	out=$("$@" | tr '\n' ' ')
	i1=$(irqs) r1=$(st dataq.) n1=$(st notifies) s1=$(st data_segments)
	echo "# count $what: $out; requests $((r1 - r0)), notifies $((n1 - n0)), interrupts $((i1 - i0)), data descriptors $((s1 - s0))"
}
for v in /sys/bus/virtio/devices/virtio*; do
	echo "# $(basename "$v"): features $(cat "$v/features") (EVENT_IDX, bit 29: $(cut -c30 "$v/features"))"
done
echo "# poll_us $(cat /sys/module/virtio_cryptodev/parameters/poll_us)"
count "one process" bench "$SECS"
count "one process" bench "$SECS"
four() { for i in 1 2 3 4; do bench "$SECS" >/tmp/four.$i & done; wait; cat /tmp/four.*; }
count "four processes" four

if [ -f /crypto-profile-perf.tar.gz ] && tar -xzf /crypto-profile-perf.tar.gz -C / &&
	perf version >/dev/null 2>&1; then
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	perf record -q -e cpu-clock -F 4000 -a -g -o /tmp/p.data -- \
		crypto-bench -d /dev/$d -a "$ALG" -p "$PAGES" -t "$SECS" "$SIZE" >/tmp/p.out 2>&1
	echo "# guest perf run: $(sed -n 's/^bench //p' /tmp/p.out)"
	perf report -q -i /tmp/p.data --no-children --sort sym -g none --percent-limit 0.5 \
		--stdio 2>/dev/null | grep . | sed 's/^/# guest self: /' | head -30
	perf report -q -i /tmp/p.data --children --sort sym -g none --percent-limit 2 \
		--stdio 2>/dev/null | grep . | sed 's/^/# guest children: /' | head -40
else
	echo "# no perf in the guest (run scripts/crypto-profile.sh): guest profile skipped"
fi

# The guest's part of an interrupt-driven request, from kernel events
# (lines "#gtrace ...", analysed by scripts/crypto-profile.sh).
T=/sys/kernel/tracing
events="sched/sched_switch sched/sched_wakeup irq/irq_handler_entry
	irq/irq_handler_exit raw_syscalls/sys_enter raw_syscalls/sys_exit"
if [ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null; then
	echo 4096 >$T/buffer_size_kb
	for e in $events; do echo 1 >$T/events/$e/enable; done
	echo 1 >$T/tracing_on
	crypto-bench -d /dev/$d -a "$ALG" -p "$PAGES" -t 1 "$SIZE" >/dev/null
	echo 0 >$T/tracing_on
	# Off again: the host's window below runs without the probes.
	for e in $events; do echo 0 >$T/events/$e/enable; done
	grep -v '^#' $T/trace | tail -4000 | sed 's/^/#gtrace /'
	echo >$T/trace
fi

echo "# host-profile-start"
count "host window" bench $((3 * SECS + 4))
echo "# host-profile-end"
ok 0 "profile runs done"
tap_done
