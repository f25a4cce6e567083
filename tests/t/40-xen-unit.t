#!/bin/sh
# SPDX-License-Identifier: MIT
# Unit tests of the portable blkfront core against its in-process backend
# double: builds them and passes their TAP through.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${VDEVKIT_OUT:-$top/build}/xen
if ! log=$(nice make -s -C "$top/xen" host-test OUT="$out" 2>&1); then
	echo "1..1"
	echo "not ok 1 - build the blkfront unit tests"
	printf '%s\n' "$log" | sed 's/^/# /'
	exit 1
fi
exec "$out/host/xen_blkfront_test"
