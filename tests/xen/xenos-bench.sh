# SPDX-License-Identifier: MIT
# Benchmark (not a test) of our guest OS's blkfront against blkback:
# sequential 1 MiB writes and reads (MB/s), 4 KiB random reads at QD1 and
# QD32 (IOPS), first in our mode, then in "seed mode" (one block per
# request, one request in flight, no persistent grants). Prints BENCH lines
# and the ratios.
# xen-guest: vdevkit
# xen-type: pvh
# xen-memory: 64
# xen-cmdline: test=bench modes=ours,seed secs=3
# xen-disk: xvda 128M rw
# xen-timeout: 240

run_guest
verdict=$?
check "benchmark ran (verdict $verdict)" [ "$verdict" = 0 ]
tr -d '\r' <"$XG_LOG" | sed -n 's/^.*\(BENCH .*\)$/\1/p' >/tmp/bench
cat /tmp/bench
for w in seq-write-1M seq-read-1M rand-read-4k-qd1 rand-read-4k-qd32; do
	o=$(awk -v w=$w '$2 == "ours" && $3 == w { print $4 }' /tmp/bench)
	s=$(awk -v w=$w '$2 == "seed" && $3 == w { print $4 }' /tmp/bench)
	[ -n "$o" ] && [ -n "$s" ] &&
		awk -v w=$w -v o="$o" -v s="$s" 'BEGIN { if (s > 0) printf "# ratio ours/seed %s: %.1fx\n", w, o / s }'
done
tap_done
