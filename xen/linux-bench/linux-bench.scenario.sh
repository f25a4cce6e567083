# SPDX-License-Identifier: MIT
# Benchmark (not a test): Debian's Linux as a domU, its xen-blkfront against
# the same blkback, running xbench (xen/linux-bench/xbench.c) on xvda: the
# Linux column of docs/xen-guest.md's table. To hook into the test bed:
#   - this file as tests/xen/linux-bench.sh,
#   - domU-bench.sh as tests/xen/linux-domU/bench.sh,
#   - scripts/xen-initrd.sh domU: build `make -C xen xbench` and install
#     $OUT/xen/xbench as /bin/xbench in the domU initramfs.
# Linux runs as PV: as PVH it stays silent on this bed.
# xen-guest: linux
# xen-type: pv
# xen-memory: 128
# xen-cmdline: console=hvc0 loglevel=4 vdevkit.test=bench vdevkit.secs=3
# xen-disk: xvda 128M rw
# xen-timeout: 240
run_guest
verdict=$?
check "benchmark ran (verdict $verdict)" [ "$verdict" = 0 ]
tr -d '\r' <"$XG_LOG" | sed -n 's/^.*\(BENCH .*\)$/\1/p'
tap_done
