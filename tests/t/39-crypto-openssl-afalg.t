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
rm -rf "$tmp"
mkdir -p "$tmp/v"
echo "1..3"

sizes="16 1008 4096 65584 1048576"   # 1, 63, 256, 4099 and 65536 blocks
g=/opt/openssl-afalg
iv=$(openssl rand -hex 16)
{
	echo "SIZES='$sizes'"
	echo "IV=$iv"
} >"$tmp/v/params"
IO_FILES=(/usr/bin/openssl /usr/lib/x86_64-linux-gnu/engines-3/afalg.so "$tmp/v/params:$g/params")
if ! interop_vectors "$tmp/v" "$g" "128 192 256" "$sizes" >"$tmp/bundle.log" 2>&1 ||
	! "$root/tests/t/bundle.sh" "$tmp/openssl-afalg.tar.gz" "${IO_FILES[@]}" \
	>>"$tmp/bundle.log" 2>&1; then
	echo "not ok 1 - vectors and openssl bundle made on the host (see $tmp/bundle.log)"
	exit 1
fi
echo "ok 1 - host openssl made the expected ciphertexts; bundle $(du -k "$tmp/openssl-afalg.tar.gz" | cut -f1) KiB"

interop_scenario crypto-openssl-afalg "$tmp/openssl-afalg.tar.gz"
if [ "$IO_RC" = 0 ] && [ "$IO_FAILS" = 0 ] && [ "$IO_OKS" -ge 51 ]; then
	echo "ok 2 - guest openssl -engine afalg on virtio_crypto: $IO_OKS checks pass"
else
	echo "not ok 2 - guest openssl -engine afalg on virtio_crypto (status $IO_RC, $IO_OKS ok, $IO_FAILS failed)"
fi

read -r want_enc want_dec < <(printf '%s\n' "$IO_OUT" |
	sed -n 's/^# afalg-bytes encrypt \([0-9]*\) decrypt \([0-9]*\)$/\1 \2/p')
interop_bytes 3 "the guest's afalg runs" before after "${want_enc:-}" "${want_dec:-}" || IO_RC=1
[ "$IO_RC" = 0 ] && [ "$IO_FAILS" = 0 ] && [ "$IO_OKS" -ge 51 ]
