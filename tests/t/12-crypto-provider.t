#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The host crypto provider library (host/crypto) alone, linked with
# Debian's libcrypto as a non-QEMU program would: every provider this host
# has against OpenSSL (tests/host/crypto-provider-test.c; a provider the
# host lacks is named in a comment and not tested here: 36 runs all three
# in a guest).
cd "$(dirname "$0")/../.." || exit 2
. scripts/lib.sh
exec "$OUT/host/crypto-provider-test"
