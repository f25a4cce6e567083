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
. "$root/tests/lib/crypto-provider.sh"
ko=${CRYPTODEV_GUEST_KO:-$OUT/modules/virtio_cryptodev.ko}
if [ ! -f "$ko" ]; then
	echo "1..1"
	echo "not ok 1 - $ko exists (the guest driver, linux/virtio_cryptodev)"
	exit 1
fi
provider_in_guest devcrypto "devcrypto provider on the guest's /dev/crypto" "$ko"
