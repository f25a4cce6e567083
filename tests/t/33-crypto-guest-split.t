#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-split.sh: two devices, 4 KiB pieces with IV chaining.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-split
