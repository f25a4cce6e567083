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
if [ ! -f /crypto-qtest-bundle.tar.gz ]; then
	echo "1..1"
	echo "not ok 1 - /crypto-qtest-bundle.tar.gz was passed in (use the .t)"
	exit 1
fi
tar -xzf /crypto-qtest-bundle.tar.gz -C / || exit 1
cd /opt/crypto-qtest || exit 1
lsmod | grep -q '^virtio_cryptodev ' || insmod ./virtio_cryptodev.ko || exit 1
i=0
while [ ! -c /dev/crypto ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ls -l /dev/crypto | sed 's/^/# /'
export QTEST_QEMU_BINARY=./qemu-system-x86_64
export CRYPTODEV_TEST_PROVIDER=devcrypto
# every request crosses two virtio-crypto hops under TCG: keep sizes small
export CRYPTODEV_TEST_MAX_LEN=65536
exec ./cryptodev-host-test --tap -k \
	-p /x86_64/cryptodev-host/properties -p /x86_64/cryptodev-host/auto \
	-p /x86_64/cryptodev-host/kat -p /x86_64/cryptodev-host/errors \
	-p /x86_64/cryptodev-host/multiqueue \
	-p /x86_64/cryptodev-host/openssl-equal
