#!/bin/bash
# SPDX-License-Identifier: MIT
# Xen scenario tests/xen/xenos-io.sh: our PVH guest OS: random-size I/O over the whole disk, checked in dom0.
# Builds the guest kernel (xen/), runs the scenario on the Xen test bed
# (Xen under QEMU TCG, Linux blkback in dom0); the scenario's TAP is shown
# as comments, its verdict is this test's result.
cd "$(dirname "$0")/../.." || exit 2
echo "1..1"
if ! log=$(nice make -s -C xen kernel 2>&1); then
	echo "not ok 1 - xen: build the guest kernel for xenos-io"
	printf '%s\n' "$log" | sed 's/^/# /'
	exit 1
fi
scripts/xen-run.sh xenos-io 2>&1 | sed -u 's/^/# /'
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then
	echo "ok 1 - xen: our PVH guest OS: random-size I/O over the whole disk, checked in dom0"
else
	echo "not ok 1 - xen: our PVH guest OS: random-size I/O over the whole disk, checked in dom0 (verdict $rc)"
fi
