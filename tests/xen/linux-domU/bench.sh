#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side of the Linux-domU benchmark: xbench (xen/linux-bench, added to
# /bin by the scenario's "xen-linux-bin" line) on xvda; it prints
# "BENCH linux <workload> <value> <unit>" lines.  Parameters: vdevkit.secs
# (seconds per workload, default 3).
i=0
while [ ! -b /dev/xvda ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -b /dev/xvda ]; then
	echo "not ok 1 - xvda appears"
	echo "1..1"
	exit 1
fi
if ! command -v xbench >/dev/null; then
	echo "not ok 1 - xbench in the initramfs"
	echo "1..1"
	exit 1
fi
if xbench /dev/xvda "${VDK_secs:-3}"; then
	echo "ok 1 - xbench ran"
	rc=0
else
	echo "not ok 1 - xbench ran"
	rc=1
fi
echo "1..1"
exit $rc
