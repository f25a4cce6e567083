#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Xen test bed, dom0 acting during a run: a disk attached to a running
# Linux domU (xl block-attach) is found and used, detached (xl block-detach)
# it goes away, and its data is on the backing disk.  The scenario's TAP is
# shown as comments; its verdict is this test's result.
cd "$(dirname "$0")/../.." || exit 2
echo "1..1"
scripts/xen-run.sh linux-hotplug 2>&1 | sed -u 's/^/# /'
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ]; then
	echo "ok 1 - xen: Linux domU disk hot plug (xl block-attach/detach)"
else
	echo "not ok 1 - xen: Linux domU disk hot plug (verdict $rc)"
fi
