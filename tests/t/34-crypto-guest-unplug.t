#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-unplug.sh: hot-unplug under load, module unload with open files.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-unplug
