#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Xen test bed end to end: Xen 4.17 under QEMU TCG, Debian dom0 with
# blkback, Debian's Linux as a domU writing a pattern through xen-blkfront;
# dom0 checks the backing disk holds it.  The scenario's own TAP is shown
# as comments; its verdict is this test's result.
cd "$(dirname "$0")/../.." || exit 2
echo "1..1"
scripts/xen-run.sh linux-disk 2>&1 | sed -u 's/^/# /'
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then
	echo "ok 1 - xen: Linux domU disk test (blkfront -> blkback, checked in dom0)"
else
	echo "not ok 1 - xen: Linux domU disk test (verdict $rc)"
fi
