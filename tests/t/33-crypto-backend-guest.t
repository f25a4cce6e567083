#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop in a guest: Debian's virtio_crypto driver on cryptodev-backend-host;
# the guest kernel's crypto self-test of the device's cbc(aes) must pass.
# (tests/guest/crypto-backend-selftest.sh; needs `make build`.)
root=$(cd "$(dirname "$0")/../.." && pwd)
echo "1..1"
out=$("$root/scripts/scenario.sh" crypto-backend-selftest 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
if [ "$rc" = 0 ]; then
	echo "ok 1 - Debian virtio_crypto passes the kernel self-test on cryptodev-backend-host"
else
	echo "not ok 1 - Debian virtio_crypto passes the kernel self-test on cryptodev-backend-host (status $rc)"
fi
[ "$rc" = 0 ]
