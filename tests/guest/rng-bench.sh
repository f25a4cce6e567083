#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng benchmark (not a test): read() of 64 KiB buffers against the
# driver's raw kernel-space MMIO loop on the same card, same boot.
# vm: -device my_rng
# timeout: 600
for i in 1 2 3; do
	echo "== run $i"
	my-rng-bench /dev/my_rng0 2097152 || exit 1
done
