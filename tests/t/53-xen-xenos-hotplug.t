#!/bin/bash
# SPDX-License-Identifier: MIT
# Our PVH guest OS (xen/) on the Xen test bed: disk attached, detached
# during I/O, re-attached (tests/xen/xenos-hotplug.sh).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/xen-scenario.sh
xen_scenario --xenos xenos-hotplug "our PVH guest OS: disk attached, detached during I/O, re-attached"
