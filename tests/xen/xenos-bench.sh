# SPDX-License-Identifier: MIT
# Benchmark (not a test), one boot: our guest OS's blkfront, then Linux's
# (PV, xbench), through QEMU's qdisk, then the same through blkback (ours
# also each workload again right after with its data copied through the
# grant pool as before zero copy, "copy", and in "seed mode": one block per
# request, one request in flight, no persistent grants); before each guest,
# the ceiling:
# dom0's own direct I/O on the device behind xvda (fio). Workloads:
# sequential 1 MiB writes and reads (MB/s), 4 KiB random reads at QD1 and
# QD32 (IOPS), over the first 64 MiB, 3 s each. Prints BENCH lines and a
# table of each against the ceiling.
# xen-guest: vdevkit
# xen-type: pvh
# xen-memory: 64
# xen-also-linux: yes
# xen-linux-bin: build/xen/xbench
# xen-cmdline: test=bench modes=ours,seed secs=3
# xen-disk: xvda 128M rw
# xen-timeout: 420

secs=3
islice=500ms	# secs / rounds
: >/tmp/bench

# dom0's CPU in jiffies (USER_HZ, 100 a second): busy (user, nice,
# system, irq, softirq), idle (idle, iowait) and steal (runnable while
# Xen ran another domain).
cpu_jiffies() {
	read -r _c _u _n _s _i _w _q _sq _st _r </proc/stat
	echo "$((_u + _n + _s + _q + _sq)) $((_i + _w)) $_st"
}
# "# dom0 cpu ..." for the jiffies $1 (cpu_jiffies before) to now over
# $2 operations ($3: their unit): where dom0's time went per operation.
cpu_per_op() {
	echo "$1 $(cpu_jiffies)" | awk -v n="$2" -v u="$3" -v t="$4" '{
		if (n < 1) n = 1
		printf "# dom0 cpu %s: per %s busy %d us, idle %d us, steal %d us\n", t, u,
			($4 - $1) * 10000 / n, ($5 - $2) * 10000 / n, ($6 - $3) * 10000 / n }'
}
# The disk's request counts (/sys/block/X/stat: reads, sectors read,
# writes, sectors written), to say how many requests a MiB became.
disk_ios() {
	_b=$(disk_dev xvda)
	read -r _r _rm _rs _rt _w _wm _ws _rest <"/sys/block/${_b#/dev/}/stat"
	echo "$_r $_rs $_w $_ws"
}
# "# dom0 disk ...": requests per MiB since disk_ios $1 (quoted).
ios_per_mib() {
	echo "$1 $(disk_ios)" | awk -v t="$2" '{
		r = $5 - $1; rs = ($6 - $2) / 2048; w = $7 - $3; ws = ($8 - $4) / 2048
		printf "# dom0 disk %s: %d reads for %.0f MiB (%.2f a MiB), %d writes for %.0f MiB (%.2f a MiB)\n",
			t, r, rs, (rs > 0 ? r / rs : 0), w, ws, (ws > 0 ? w / ws : 0) }'
}
# fio WORKLOAD RW BS ENGINE QD TAG: dom0's direct I/O on xvda's device over
# the area the guests use.  --minimal (terse v3): field 7 read KiB/s, 8
# read IOPS, 48 write KiB/s, 49 write IOPS.
fio1() {
	_j=$(cpu_jiffies)
	_k=$(disk_ios)
	_o=$(fio --name=ceiling --filename="$(disk_dev xvda)" --direct=1 \
		--rw="$2" --bs="$3" --ioengine="$4" --iodepth="$5" --size=64M \
		--time_based --runtime="$secs" --minimal 2>/tmp/fio.err) ||
		{ sed 's/^/# fio: /' /tmp/fio.err; return 1; }
	case $1 in
	seq-write-1M) echo "$_o" | awk -F';' -v w="$1" -v t="$6" '{ printf "BENCH dom0@%s %s %.2f MB/s\n", t, w, $48 * 1024 / 1e6 }' ;;
	seq-read-1M) echo "$_o" | awk -F';' -v w="$1" -v t="$6" '{ printf "BENCH dom0@%s %s %.2f MB/s\n", t, w, $7 * 1024 / 1e6 }' ;;
	*) echo "$_o" | awk -F';' -v w="$1" -v t="$6" '{ printf "BENCH dom0@%s %s %.0f IOPS\n", t, w, $8 }' ;;
	esac | tee -a /tmp/bench
	# Operations done: KiB moved (fields 6 and 47) or reads (field 6 is
	# read KiB; 4 KiB each).
	case $1 in
	*-1M) _n=$(echo "$_o" | awk -F';' '{ print int(($6 + $47) / 1024) }'); _u="MiB" ;;
	*) _n=$(echo "$_o" | awk -F';' '{ print int($6 / 4) }'); _u="read" ;;
	esac
	cpu_per_op "$_j" "$_n" "$_u" "dom0@$6 $1"
	ios_per_mib "$_k" "fio $1"
}
# The ceiling just before guest $1 (and, with "after" as $2, just after
# it): this host's speed drifts within minutes, so each guest is compared
# with the dom0 runs next to it.
ceiling() {
	fio1 seq-write-1M write 1M psync 1 "$1" &&
		fio1 seq-read-1M read 1M psync 1 "$1" &&
		fio1 rand-read-4k-qd1 randread 4k psync 1 "$1" &&
		fio1 rand-read-4k-qd32 randread 4k libaio 32 "$1"
	check "dom0's fio measured the ceiling ${2:-before} $1" [ $? = 0 ]
}
fio --version | sed 's/^/# dom0: /'
_q=/sys/block/$(basename "$(disk_dev xvda)")/queue
echo "# dom0: xvda's device: max_segments $(cat "$_q/max_segments"), max_sectors_kb $(cat "$_q/max_sectors_kb"), max_segment_size $(cat "$_q/max_segment_size")"
# What one step of the test bed's old wait loop (an xl call and the time
# check every 0.5 s) cost dom0's CPU.
case " $XG_OPTS " in *" cpu "*)
	_t=$(now)
	for _i in 1 2 3 4 5; do
		xl domid Domain-0 >/dev/null 2>&1
		[ "$(since "$_t" | cut -d. -f1)" -ge 999 ]
	done
	echo "# dom0: one old wait-loop step $(since "$_t" | awk '{ print $1 * 200 }') ms" ;;
esac

# The test bed's guest_wait before 2026-11-28: an xl call and a time check
# every 0.5 s (VDEVKIT_XEN_OPTS=oldwait: ours again, with this loop
# running in the background until the guest ends).
old_wait() {
	_t=$(now)
	while guest_running; do
		[ "$(since "$_t" | cut -d. -f1)" -lt "$XG_TIMEOUT" ] || return 1
		sleep 0.5
	done
}
# VDEVKIT_XEN_OPTS=inter: our guest pauses after each round of a workload
# (data/bench-pause = "W.N"), dom0 runs the same workload for one slice
# and lets it go on (data/bench-go); "BENCH dom0@inter..." is dom0's rate
# over all its slices, taken in turn with the guest's.
inter_slices() {
	_id=$(xl domid "$XG_NAME" 2>/dev/null) || return 0
	_d=/local/domain/$_id/data
	_last=
	: >"/tmp/inter-$XG_NAME"
	while :; do
		_v=$(xenstore-read "$_d/bench-pause" 2>/dev/null)
		if [ -z "$_v" ] || [ "$_v" = "$_last" ]; then
			guest_running || break
			timeout 10 xenstore-watch -n 2 "$_d/bench-pause" >/dev/null 2>&1
			continue
		fi
		_last=$_v
		case ${_v%%.*} in
		0) set -- write 1M psync 1 ;;
		1) set -- read 1M psync 1 ;;
		2) set -- randread 4k psync 1 ;;
		*) set -- randread 4k libaio 32 ;;
		esac
		# terse v3: 6/47 read/write KiB, 9/50 their runtime in ms.
		fio --name=inter --filename="$(disk_dev xvda)" --direct=1 \
			--rw="$1" --bs="$2" --ioengine="$3" --iodepth="$4" \
			--size=64M --time_based --runtime="$islice" --minimal 2>/dev/null |
			awk -F';' -v w="${_v%%.*}" '{ print w, $6 + $47, $9 + $50 }' >>"/tmp/inter-$XG_NAME"
		xenstore-write "$_d/bench-go" "$_v"
	done
	awk -v t="dom0@inter$XG_NAME" 'BEGIN { split("seq-write-1M seq-read-1M rand-read-4k-qd1 rand-read-4k-qd32", n, " ") }
	{ k[$1] += $2; ms[$1] += $3 }
	END { for (w = 0; w < 4; w++) if (ms[w] > 0) {
		if (w < 2) printf "BENCH %s %s %.2f MB/s\n", t, n[w + 1], k[w] * 1024 / ms[w] / 1000
		else printf "BENCH %s %s %.0f IOPS\n", t, n[w + 1], k[w] / 4 / ms[w] * 1000 } }' "/tmp/inter-$XG_NAME" | tee -a /tmp/bench
}
# bench NAME: dom0's ceiling, then one guest with xvda on $XG_BACKEND; its
# BENCH lines, tagged with the backend, go to /tmp/bench.
bench() {
	guest_as "$1-$XG_BACKEND"
	ceiling "$1@$XG_BACKEND"
	note "--- $1 on $XG_BACKEND ($XG_CMDLINE)"
	# dom0's CPU while the guest runs: a sample every 0.5 s with the
	# console's line count, so a workload's samples are those between
	# its "# time" line and the one before.
	# Only with VDEVKIT_XEN_OPTS=cpu: the sampler's own forks cost dom0
	# CPU too.
	_sp=
	_k=$(disk_ios)
	case " $XG_OPTS " in *" cpu "*)
		(while :; do
			_l=$(wc -l <"$XG_LOG" 2>/dev/null)
			echo "${_l:-0} $(cpu_jiffies)"
			sleep 1
		done) >"/tmp/cpu-$XG_NAME" &
		_sp=$! ;;
	esac
	if guest_start; then
		_ow=
		if [ "$1" = oldwait ]; then old_wait & _ow=$!; fi
		# VDEVKIT_XEN_OPTS=trace: Xen's scheduler and HVM trace for 2 s
		# of the guest's sequential writes, then of its reads, summed
		# up by xenalyze.
		case " $XG_OPTS " in *" trace "*)
			for _w in start:writes seq-write-1M:reads; do
				guest_log_wait "# mark ours ${_w%:*}" 120 || continue
				sleep 1
				xentrace -D -e 0x0008f000 -e 0x0002f000 -T 2 "/tmp/trace-$XG_NAME.bin" >/dev/null 2>&1
				xenalyze --summary "/tmp/trace-$XG_NAME.bin" >"/tmp/xa-$XG_NAME.txt" 2>&1
				note "xenalyze summary of 2 s of $XG_NAME's sequential ${_w#*:}:"
				sed "s/^/#xa-${_w#*:} /" "/tmp/xa-$XG_NAME.txt" | head -300
			done ;;
		esac
		case " $XG_CMDLINE " in *" ceil=1 "*) inter_slices ;; esac
		guest_wait
		_v=$?
		[ -z "$_ow" ] || wait "$_ow"
		guest_console
		[ "$_v" = 0 ] && { guest_verdict; _v=$?; }
	else
		_v=1
	fi
	[ -z "$_sp" ] || kill "$_sp"
	ios_per_mib "$_k" "$XG_NAME, all workloads"
	check "$1 on $XG_BACKEND ran (verdict $_v)" [ "$_v" = 0 ]
	tr -d '\r' <"$XG_LOG" | sed -n "s/^.*BENCH \([a-z0-9]*\) \(.*\)\$/BENCH \1@$XG_BACKEND \2/p" |
		if [ "$1" = oldwait ]; then sed 's/^BENCH /BENCH oldwait-/'; else cat; fi | tee -a /tmp/bench
	tr -d '\r' <"$XG_LOG" | grep '# guest memcpy\|# prof \|# time \|# spin'
	# Per workload (both of its modes together): dom0's busy, idle and
	# steal share of the time, from the samples between the guest's
	# "# mark" lines.
	tr -d '\r' <"$XG_LOG" | grep -n '# mark ' | sed 's/:.*# mark / /' >/tmp/marks
	[ -z "$_sp" ] || awk 'NR == FNR { m[++k] = $1; n[k] = $2 " " $3; next }
	{ for (w = 1; w <= k && $1 >= m[w]; w++) ;
	  if (w == 1 || w > k) next
	  if (!(w in f)) { f[w] = $2; g[w] = $3; h[w] = $4 }
	  b[w] = $2; i[w] = $3; s[w] = $4 }
	END { for (w = 2; w <= k; w++) { t = (b[w] - f[w]) + (i[w] - g[w]) + (s[w] - h[w])
	    if (t > 0) printf "# dom0 cpu during %s: busy %.2f, idle %.2f, steal %.2f\n", n[w],
		(b[w] - f[w]) / t, (i[w] - g[w]) / t, (s[w] - h[w]) / t } }' /tmp/marks "/tmp/cpu-$XG_NAME"
	ceiling "$1@$XG_BACKEND+after" after
}
# Each backend's pair back to back (ours, then Linux): this host's speed
# drifts within minutes.
ours() {
	XG_KERNEL=/vdevkit/guest/kernel
	XG_RAMDISK=
	XG_TYPE=pvh
	XG_MEMORY=64
	# Each 3 s of in-place and of copy in 6 slices taken in turn.
	XG_CMDLINE="test=bench modes=$1 secs=$secs rounds=6 $XG_OPTS"
	case " $XG_OPTS " in *" inter "*) XG_CMDLINE="$XG_CMDLINE ceil=1" ;; esac
	bench "${2:-ours}"
}
linux() {
	XG_KERNEL=/vdevkit/linux/kernel
	XG_RAMDISK=/vdevkit/linux/ramdisk
	XG_TYPE=pv
	XG_MEMORY=128
	XG_CMDLINE="console=hvc0 loglevel=4 vdevkit.test=bench vdevkit.secs=$secs"
	bench linux
}
# qdisk's QEMU is started by xl create with the guest: its first seconds
# of I/O are several times slower (measured: 0.8 then 5.8 and 5.4 MB/s of
# 1 MiB writes in three passes), and Linux boots for 15-40 s before
# xbench runs.  Our guest makes two passes; the table takes the last.
# VDEVKIT_XEN_BACKEND=qdisk|blkback (XG_BACKEND_ASKED): that backend only.
if [ "${XG_BACKEND_ASKED:-qdisk}" = qdisk ]; then
	XG_BACKEND=qdisk
	ours ours,ours
	linux
fi
if [ "${XG_BACKEND_ASKED:-blkback}" = blkback ]; then
	XG_BACKEND=blkback
	# VDEVKIT_XEN_OPTS=quick: ours only, without seed mode or Linux.
	case " $XG_OPTS " in
	*" quick "*) ours ours ;;
	*) ours ours,seed; linux ;;
	esac
	case " $XG_OPTS " in *" oldwait "*) ours ours oldwait ;; esac
fi

# The table: each guest against the mean of the dom0 runs just before and
# just after it (copy and seed mode against our guest's on that backend).
echo "# workload: value (dom0 before/after: mean, fraction of it) for"
echo "#   ours@blkback | ours@qdisk | linux@blkback | linux@qdisk | seed@blkback | copy@blkback | copy@qdisk | oldwait-ours@blkback"
for w in seq-write-1M seq-read-1M rand-read-4k-qd1 rand-read-4k-qd32; do
	awk -v w=$w '$3 == w { v[$2] = $4; u = $5 }
	END {
		printf "# %s (%s):", w, u
		n = split("ours@blkback ours@qdisk linux@blkback linux@qdisk seed@blkback copy@blkback copy@qdisk oldwait-ours@blkback", k, " ")
		for (i = 1; i <= n; i++) {
			c = k[i]
			sub(/^(seed|copy)/, "ours", c)
			sub(/^oldwait-ours/, "oldwait", c)
			b = v["dom0@" c]
			a = v["dom0@" c "+after"]
			c = a > 0 ? (b + a) / 2 : b
			if (k[i] in v)
				printf " %s %s (%s/%s: %.1f, %.2f)", (i > 1 ? "|" : ""), v[k[i]], b, (a > 0 ? a : "-"), c, (c > 0 ? v[k[i]] / c : 0)
			else
				printf " %s -", (i > 1 ? "|" : "")
		}
		printf "\n"
	}' /tmp/bench
done
# With "inter": each of our guest's modes against dom0's slices taken in
# turn with them.
for w in seq-write-1M seq-read-1M rand-read-4k-qd1 rand-read-4k-qd32; do
	awk -v w=$w '$3 == w && $2 ~ /^dom0@inter/ { c[$2] = $4 }
	$3 == w && $2 !~ /^dom0@/ { v[$2] = $4 }
	END { for (g in c) { split(g, p, "@inter"); split(p[2], q, "-")
		for (k in v) { split(k, r, "@"); t = (r[1] ~ /^oldwait-/) ? "oldwait" : "ours"
			if (r[2] == q[2] && t == q[1] && c[g] > 0)
				printf "# %s %s: %s against dom0 taken in turn %s: %.2f\n", w, k, v[k], c[g], v[k] / c[g] } } }' /tmp/bench
done
tap_done
