#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: the guest runs Debian's openssl with its afalg engine on Debian's
# virtio_crypto driver against cryptodev-backend-host (scenario
# tests/guest/crypto-openssl-afalg.sh).  Here: random keys and plaintexts,
# the expected ciphertexts made by the host's openssl, all shipped in with
# openssl and its libraries; afterwards the backend's own counters (QMP
# query-stats, before/after) must have grown by exactly the bytes the
# guest says it encrypted and decrypted, which a software fallback in the
# guest would not do.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
. "$root/tests/lib/crypto-openssl.sh"
tmp=$OUT/crypto-openssl-afalg
echo "1..3"

if ! afalg_bundle "$tmp"; then
	echo "not ok 1 - vectors and openssl bundle made on the host (see $tmp/bundle.log)"
	exit 1
fi
echo "ok 1 - host openssl made the expected ciphertexts; bundle $(du -k "$tmp/openssl-afalg.tar.gz" | cut -f1) KiB"

afalg_run "$tmp"
if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 51 ]; then
	echo "ok 2 - guest openssl -engine afalg on virtio_crypto: $oks checks pass"
else
	echo "not ok 2 - guest openssl -engine afalg on virtio_crypto (status $rc, $oks ok, $fails failed)"
fi

read -r want_enc want_dec < <(printf '%s\n' "$out" |
	sed -n 's/^# afalg-bytes encrypt \([0-9]*\) decrypt \([0-9]*\)$/\1 \2/p')
interop_bytes 3 "the guest's afalg runs" before after "${want_enc:-}" "${want_dec:-}" || rc=1
[ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 51 ]
