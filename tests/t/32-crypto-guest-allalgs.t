#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-allalgs.sh: every algorithm, KAT + OpenSSL random + 8x16 concurrent + errors + leaks.
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-allalgs
