#!/bin/sh
# SPDX-License-Identifier: MIT
# Linux domU side of the block benchmark: xbench on xvda.
i=0
while [ ! -b /dev/xvda ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
if /bin/xbench /dev/xvda "${VDK_secs:-3}"; then
	echo "ok 1 - xbench ran"
	echo "1..1"
else
	echo "not ok 1 - xbench ran"
	echo "1..1"
	exit 1
fi
