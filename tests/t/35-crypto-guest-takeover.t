#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-takeover.sh: Debian virtio_crypto unbound, device taken over and handed back.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-takeover
