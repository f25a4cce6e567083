#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-sessions.sh: no device session left behind by unbind, unplug, unload.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-sessions
