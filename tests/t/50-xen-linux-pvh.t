#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Xen test bed: the Linux domU disk test with Debian's Linux as a PVH guest
# (nested paging).  Needs qemu/patches/3001 (SVM intercepts of CR reads):
# without it the guest dies in early boot.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/xen-scenario.sh
VDEVKIT_XEN_TYPE=pvh xen_scenario linux-disk "Linux PVH domU disk test"
