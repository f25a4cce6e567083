#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The devcrypto provider of cryptodev-backend-host, against our guest
# /dev/crypto: tests/t/35-crypto-backend-devcrypto.t passes in a bundle
# (our QEMU, the qtest, their libraries, virtio_cryptodev.ko).  The inner
# QEMU runs with -accel qtest; its crypto goes /dev/crypto -> this guest's
# virtio_cryptodev -> the outer virtio-crypto-pci -> the outer backend.
# vm: -object cryptodev-backend-host,id=c0,provider=openssl -device virtio-crypto-pci,cryptodev=c0
# append: vdevkit.noload=virtio_cryptodev
# timeout: 900

set -u
. /lib/vdevkit/crypto.sh
qtest_bundle
lsmod | grep -q '^virtio_cryptodev ' || insmod ./virtio_cryptodev.ko || exit 1
i=0
while [ ! -c /dev/crypto ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ls -l /dev/crypto | sed 's/^/# /'
# every request crosses two virtio-crypto hops under TCG: keep sizes small
export CRYPTODEV_TEST_MAX_LEN=65536
qtest_provider devcrypto
