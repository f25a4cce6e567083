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
: >/tmp/bench

# fio WORKLOAD RW BS ENGINE QD TAG: dom0's direct I/O on xvda's device over
# the area the guests use.  --minimal (terse v3): field 7 read KiB/s, 8
# read IOPS, 48 write KiB/s, 49 write IOPS.
fio1() {
	_o=$(fio --name=ceiling --filename="$(disk_dev xvda)" --direct=1 \
		--rw="$2" --bs="$3" --ioengine="$4" --iodepth="$5" --size=64M \
		--time_based --runtime="$secs" --minimal 2>/tmp/fio.err) ||
		{ sed 's/^/# fio: /' /tmp/fio.err; return 1; }
	case $1 in
	seq-write-1M) echo "$_o" | awk -F';' -v w="$1" -v t="$6" '{ printf "BENCH dom0@%s %s %.2f MB/s\n", t, w, $48 * 1024 / 1e6 }' ;;
	seq-read-1M) echo "$_o" | awk -F';' -v w="$1" -v t="$6" '{ printf "BENCH dom0@%s %s %.2f MB/s\n", t, w, $7 * 1024 / 1e6 }' ;;
	*) echo "$_o" | awk -F';' -v w="$1" -v t="$6" '{ printf "BENCH dom0@%s %s %.0f IOPS\n", t, w, $8 }' ;;
	esac | tee -a /tmp/bench
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

# bench NAME: dom0's ceiling, then one guest with xvda on $XG_BACKEND; its
# BENCH lines, tagged with the backend, go to /tmp/bench.
bench() {
	guest_as "$1-$XG_BACKEND"
	ceiling "$1@$XG_BACKEND"
	note "--- $1 on $XG_BACKEND ($XG_CMDLINE)"
	run_guest
	_v=$?
	check "$1 on $XG_BACKEND ran (verdict $_v)" [ "$_v" = 0 ]
	tr -d '\r' <"$XG_LOG" | sed -n "s/^.*BENCH \([a-z]*\) \(.*\)\$/BENCH \1@$XG_BACKEND \2/p" | tee -a /tmp/bench
	tr -d '\r' <"$XG_LOG" | grep '# guest memcpy\|# prof '
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
	XG_CMDLINE="test=bench modes=$1 secs=$secs rounds=6"
	bench ours
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
	ours ours,seed
	linux
fi

# The table: each guest against the mean of the dom0 runs just before and
# just after it (copy and seed mode against our guest's on that backend).
echo "# workload: value (dom0 before/after: mean, fraction of it) for"
echo "#   ours@blkback | ours@qdisk | linux@blkback | linux@qdisk | seed@blkback | copy@blkback | copy@qdisk"
for w in seq-write-1M seq-read-1M rand-read-4k-qd1 rand-read-4k-qd32; do
	awk -v w=$w '$3 == w { v[$2] = $4; u = $5 }
	END {
		printf "# %s (%s):", w, u
		n = split("ours@blkback ours@qdisk linux@blkback linux@qdisk seed@blkback copy@blkback copy@qdisk", k, " ")
		for (i = 1; i <= n; i++) {
			c = k[i]
			sub(/^(seed|copy)/, "ours", c)
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
tap_done
