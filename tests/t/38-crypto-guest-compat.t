#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-compat.sh: 32-bit programs through the compat ioctl.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-compat
