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
files=(/usr/bin/openssl /usr/lib/x86_64-linux-gnu/engines-3/afalg.so "$tmp/v/params:$g/params")
fail=
for bits in 128 192 256; do
	key=$(openssl rand -hex $((bits / 8)))
	echo "K$bits=$key" >>"$tmp/v/params"
	for size in $sizes; do
		[ -f "$tmp/v/pt.$size" ] || {
			head -c "$size" /dev/urandom >"$tmp/v/pt.$size"
			files+=("$tmp/v/pt.$size:$g/pt.$size")
		}
		openssl enc -e "-aes-$bits-cbc" -K "$key" -iv "$iv" -nopad \
			-in "$tmp/v/pt.$size" -out "$tmp/v/ct.$bits.$size" || fail=1
		files+=("$tmp/v/ct.$bits.$size:$g/ct.$bits.$size")
	done
done
if [ -n "$fail" ] || ! "$root/tests/t/bundle.sh" "$tmp/openssl-afalg.tar.gz" "${files[@]}" \
	>"$tmp/bundle.log" 2>&1; then
	echo "not ok 1 - vectors and openssl bundle made on the host (see $tmp/bundle.log)"
	exit 1
fi
echo "ok 1 - host openssl made the expected ciphertexts; bundle $(du -k "$tmp/openssl-afalg.tar.gz" | cut -f1) KiB"

out=$("$root/scripts/scenario.sh" crypto-openssl-afalg \
	--files "$tmp/openssl-afalg.tar.gz" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
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
