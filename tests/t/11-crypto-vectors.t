#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The known-answer vectors in tests/vectors, transcribed from their
# standards, agree with Debian's OpenSSL (tests/host/crypto-gen checks each
# one while it writes the header the guest's crypto-test embeds).
cd "$(dirname "$0")/../.." || exit 2
. scripts/lib.sh
. guest/tap.sh
gen=$OUT/crypto-gen/crypto-gen
log=$(make -s -C user/crypto "$gen" GEN="$OUT/crypto-gen" 2>&1)
ok $? "the vector generator builds (-Wall -Wextra -Werror)"
[ -n "$log" ] && printf '%s\n' "$log" | sed 's/^/# /'
tmp=$(mktemp)
msg=$("$gen" "$tmp" tests/vectors/*.txt 2>&1)
st=$?
rm -f "$tmp"
printf '%s\n' "$msg" | sed 's/^/# /'
ok $st "every known-answer vector in tests/vectors agrees with OpenSSL"
tap_done
