#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-auth.sh: hashes, HMACs, AES-GCM, TLS and SRTP modes on cryptodev-backend-host.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-auth
