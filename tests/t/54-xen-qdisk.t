#!/bin/bash
# SPDX-License-Identifier: MIT
# QEMU's qdisk backend in dom0 (xl backendtype=qdisk): our guest OS's I/O,
# read-only and hot-plug tests, then Linux's blkfront, in one boot
# (tests/xen/xenos-qdisk.sh).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/xen-scenario.sh
xen_scenario --xenos xenos-qdisk "qdisk backend: our guest OS (I/O, read-only, hot-plug) and Linux's blkfront"
