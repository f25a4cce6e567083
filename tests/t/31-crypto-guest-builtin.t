#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-builtin.sh: our driver against QEMU's built-in backend (CBC only advertised).
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-builtin
