#!/bin/bash
# SPDX-License-Identifier: MIT
# Our PVH guest OS (xen/) on the Xen test bed: random-size I/O over the
# whole disk, checked in dom0 (tests/xen/xenos-io.sh).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/xen-scenario.sh
xen_scenario --xenos xenos-io "our PVH guest OS: random-size I/O over the whole disk, checked in dom0"
