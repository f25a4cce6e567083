#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-queues.sh: 20 and 64 (QEMU's maximum) data queues, all used.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-queues
