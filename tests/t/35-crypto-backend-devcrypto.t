#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host's devcrypto provider against our own guest
# /dev/crypto (same ABI as cryptodev-linux): a guest with virtio-crypto-pci
# on the host backend (openssl) loads virtio_cryptodev.ko; inside it, the
# qtest runs our QEMU with provider=devcrypto, whose ioctls go through the
# guest driver to the outer device.  Needs linux/virtio_cryptodev (built by
# `make modules`; CRYPTODEV_GUEST_KO may name another build of it).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
tmp=$OUT/crypto-devcrypto
mkdir -p "$tmp"
echo "1..1"
ko=${CRYPTODEV_GUEST_KO:-$OUT/modules/virtio_cryptodev.ko}
if [ ! -f "$ko" ]; then
	echo "not ok 1 - $ko exists (the guest driver, linux/virtio_cryptodev)"
	exit 1
fi
if ! "$root/tests/t/crypto-bundle.sh" "$tmp" "$ko" >"$tmp/bundle.log" 2>&1; then
	echo "not ok 1 - bundle for the guest (see $tmp/bundle.log)"
	exit 1
fi
out=$(VM_MEM=${VM_MEM:-1024} "$root/scripts/scenario.sh" crypto-backend-devcrypto \
	--files "$tmp/crypto-qtest-bundle.tar.gz" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^# starting QEMU' | sed 's/^/# /'
fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 6 ]; then
	echo "ok 1 - devcrypto provider on the guest's /dev/crypto: $oks qtest cases pass"
	exit 0
fi
echo "not ok 1 - devcrypto provider on the guest's /dev/crypto (status $rc, $oks ok, $fails failed)"
exit 1
