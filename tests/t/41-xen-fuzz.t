#!/bin/sh
# SPDX-License-Identifier: MIT
# A short run of the blkfront response fuzzer (ASan/UBSan, random seed,
# printed): random and adversarial responses from a backend played by
# hand. `make fuzz` runs the long one. XEN_FUZZ_SECONDS sets this run's
# length (default 10).
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${VDEVKIT_OUT:-$top/build}/xen
if ! log=$(nice make -s -C "$top/xen" fuzz-build OUT="$out" 2>&1); then
	echo "1..1"
	echo "not ok 1 - build the blkfront fuzzer"
	printf '%s\n' "$log" | sed 's/^/# /'
	exit 1
fi
exec nice "$out/host/xen_blkfront_fuzz" -t "${XEN_FUZZ_SECONDS:-10}"
