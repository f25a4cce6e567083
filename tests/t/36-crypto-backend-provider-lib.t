#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The host crypto provider library alone (tests/host/crypto-provider-test,
# as in 12-crypto-provider.t) inside a guest that has AF_ALG and a
# /dev/crypto (our virtio_cryptodev on cryptodev-backend-host), so that
# afalg and devcrypto run too, not only openssl.  Every provider must open
# there, and devcrypto (our driver) must offer its 12 hashes/MACs and 3
# AEADs; the guest program's cases are the TAP cases here.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
ko=${CRYPTODEV_GUEST_KO:-$OUT/modules/virtio_cryptodev.ko}
tmp=$OUT/crypto-provider-lib
mkdir -p "$tmp"
if ! "$root/tests/t/bundle.sh" -s "$tmp/crypto-provider-bundle.tar.gz" \
	"$OUT/host/crypto-provider-test:/opt/crypto-provider/crypto-provider-test" \
	"$ko:/opt/crypto-provider/virtio_cryptodev.ko" >"$tmp/bundle.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - bundle for the guest (see $tmp/bundle.log; needs make build)"
	exit 1
fi
out=$("$root/scripts/scenario.sh" crypto-provider-lib \
	--files "$tmp/crypto-provider-bundle.tar.gz" 2>&1)
rc=$?
# The guest's cases, renumbered; a skip here means a provider was missing.
printf '%s\n' "$out" | awk -v rc="$rc" '
	/^(not )?ok [0-9]+/ {
		n++
		notok = /^not /
		sub(/^(not )?ok [0-9]+/, "")
		if (/# SKIP/) { sub(/# SKIP/, "(skipped: provider missing)"); notok = 1 }
		printf "%sok %d%s\n", notok ? "not " : "", n, $0
		bad += notok
		next
	}
	/^1\.\.[0-9]+$/ { next }
	{ print "# " $0 }
	END {
		n++
		printf "%sok %d - the guest program exited with 0 (status %s)\n",
			rc == 0 ? "" : "not ", n, rc
		bad += rc != 0
		print "1.." n
		exit bad != 0
	}'
