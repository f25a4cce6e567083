#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU qtest of the my_rng device, in QEMU's own qtest framework.
. "$(dirname "$0")/../lib/qtest.sh"
qtest_main my_rng-test
