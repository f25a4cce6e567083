#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-host.sh: our driver on cryptodev-backend-host, 4 queues.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-host
