#!/bin/bash
# SPDX-License-Identifier: MIT
# Our PVH guest OS (xen/) on the Xen test bed: a read-only disk refuses
# writes (tests/xen/xenos-ro.sh).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/xen-scenario.sh
xen_scenario --xenos xenos-ro "our PVH guest OS: read-only disk refused writes"
