#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-broken.sh: a device answering nonsense gives EIO and is marked broken.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-broken
