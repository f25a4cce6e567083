#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Xen test bed, dom0 acting during a run: a disk attached to a running
# Linux domU (xl block-attach) is found and used, detached (xl block-detach)
# it goes away, and its data is on the backing disk.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/xen-scenario.sh
xen_scenario linux-hotplug "Linux domU disk hot plug (xl block-attach/detach)"
