#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Xen test bed end to end: Xen 4.17 under QEMU TCG, Debian dom0 with
# blkback, Debian's Linux as a domU writing a pattern through xen-blkfront;
# dom0 checks the backing disk holds it.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/xen-scenario.sh
xen_scenario linux-disk "Linux domU disk test (blkfront -> blkback, checked in dom0)"
