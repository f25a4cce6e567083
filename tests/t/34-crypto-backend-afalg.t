#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host's afalg provider, in a guest (this host may have no
# AF_ALG): the qtest and our QEMU, with their shared libraries, are copied
# into a guest of Debian's kernel and run there with provider=afalg.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
tmp=$OUT/crypto-afalg
mkdir -p "$tmp"
echo "1..1"
if ! "$root/tests/t/crypto-bundle.sh" "$tmp" >"$tmp/bundle.log" 2>&1; then
	echo "not ok 1 - bundle for the guest (see $tmp/bundle.log)"
	exit 1
fi
out=$(VM_MEM=${VM_MEM:-1024} "$root/scripts/scenario.sh" crypto-backend-afalg \
	--files "$tmp/crypto-qtest-bundle.tar.gz" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^# starting QEMU' | sed 's/^/# /'
fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 6 ]; then
	echo "ok 1 - afalg provider in a guest: $oks qtest cases pass"
	exit 0
fi
echo "not ok 1 - afalg provider in a guest (status $rc, $oks ok, $fails failed)"
exit 1
