#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU qtest of the my_rng device, in QEMU's own qtest framework.
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$QEMU_WORK/build" &&
	QTEST_QEMU_BINARY=./qemu-system-x86_64 exec ./tests/qtest/my_rng-test --tap -q
