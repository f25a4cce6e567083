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
. "$root/tests/lib/openssl-afalg.sh"
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

# A counter from the query-stats reply tagged ID: counter ID NAME
counter() {
	printf '%s\n' "$out" | grep -F '"id": "'"$1"'"' |
		grep -o '"name": "'"$2"'", "value": [0-9]*' | grep -o '[0-9]*$' | head -1
}
read -r want_enc want_dec < <(printf '%s\n' "$out" |
	sed -n 's/^# afalg-bytes encrypt \([0-9]*\) decrypt \([0-9]*\)$/\1 \2/p')
e0=$(counter before sym-encrypt-bytes) e1=$(counter after sym-encrypt-bytes)
d0=$(counter before sym-decrypt-bytes) d1=$(counter after sym-decrypt-bytes)
if [ -n "${want_enc:-}" ] && [ -n "$e0" ] && [ -n "$e1" ] && [ -n "$d0" ] && [ -n "$d1" ] &&
	[ $((e1 - e0)) = "$want_enc" ] && [ $((d1 - d0)) = "$want_dec" ] && [ "$want_enc" -gt 0 ]; then
	echo "ok 3 - backend counted exactly the guest's bytes: encrypt $want_enc, decrypt $want_dec"
else
	echo "not ok 3 - backend byte counters grew by the guest's bytes"
	echo "#   encrypt: ${e0:-?} -> ${e1:-?}, guest sent ${want_enc:-?}"
	echo "#   decrypt: ${d0:-?} -> ${d1:-?}, guest sent ${want_dec:-?}"
	rc=1
fi
[ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 51 ]
