#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Xen test bed: the Linux domU disk test with Debian's Linux as a PVH guest
# (nested paging).  Needs qemu/patches/3001 (SVM intercepts of CR reads):
# without it the guest dies in early boot.  The scenario's TAP is shown as
# comments; its verdict is this test's result.
cd "$(dirname "$0")/../.." || exit 2
echo "1..1"
VDEVKIT_XEN_TYPE=pvh scripts/xen-run.sh linux-disk 2>&1 | sed -u 's/^/# /'
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then
	echo "ok 1 - xen: Linux PVH domU disk test"
else
	echo "not ok 1 - xen: Linux PVH domU disk test (verdict $rc)"
fi
