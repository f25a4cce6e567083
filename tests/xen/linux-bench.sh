# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): Debian's Linux as a domU, its xen-blkfront against
# the same dom0 blkback our guest OS is measured on (tests/xen/xenos-bench.sh):
# sequential 1 MiB writes and reads, 4 KiB random reads at QD1 and QD32,
# O_DIRECT, by xbench (build it first: make -C xen xbench).  PV, because
# Debian's 6.12 kernel does not boot as PVH here (docs/xen-testbed.md).
# xen-guest: linux
# xen-type: pv
# xen-memory: 128
# xen-cmdline: console=hvc0 loglevel=4 vdevkit.test=bench vdevkit.secs=3
# xen-linux-bin: build/xen/xbench
# xen-disk: xvda 128M rw
# xen-timeout: 240

run_guest
verdict=$?
check "benchmark ran (verdict $verdict)" [ "$verdict" = 0 ]
tr -d '\r' <"$XG_LOG" | sed -n 's/^.*\(BENCH .*\)$/\1/p'
tap_done
