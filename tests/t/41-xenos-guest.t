#!/bin/bash
# SPDX-License-Identifier: MIT
# Our PVH guest OS and its blkfront on real Xen (under QEMU TCG) against
# dom0's Linux blkback: one TAP test point per scenario in tests/xen/xenos-*
# (the benchmark excepted), each scenario's own output as diagnostics.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${VDEVKIT_OUT:-$top/build}/xen
scen=(xenos-io xenos-ro xenos-hotplug)
echo "1..$(( ${#scen[@]} + 1 ))"
if log=$(nice make -s -C "$top/xen" kernel OUT="$out" 2>&1); then
	echo "ok 1 - build the guest kernel ($out/vdevkit-xen.elf)"
else
	echo "not ok 1 - build the guest kernel"
	printf '%s\n' "$log" | sed 's/^/# /'
	for s in "${scen[@]}"; do echo "not ok - $s (no kernel)"; done
	exit 1
fi
n=1
fail=0
for s in "${scen[@]}"; do
	n=$((n + 1))
	if res=$("$top/scripts/xen-run.sh" "$s" 2>&1); then
		echo "ok $n - Xen scenario $s"
	else
		echo "not ok $n - Xen scenario $s"
		fail=1
	fi
	printf '%s\n' "$res" | sed 's/^/# /'
done
exit $fail
