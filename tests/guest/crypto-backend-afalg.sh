#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The afalg provider of cryptodev-backend-host, tested where AF_ALG exists:
# inside a guest.  tests/t/34-crypto-backend-afalg.t passes in a bundle
# (crypto-qtest-bundle.tar.gz: our qemu-system-x86_64, the qtest and their
# shared libraries); the qtest runs QEMU with -accel qtest, so no nested
# CPU emulation is involved.
# modules: algif_skcipher xts des_generic
# timeout: 600

set -u
echo /bin/modprobe >/proc/sys/kernel/modprobe
for m in algif_skcipher xts des_generic; do
	modprobe "$m" || echo "# modprobe $m failed"
done
if [ ! -f /crypto-qtest-bundle.tar.gz ]; then
	echo "1..1"
	echo "not ok 1 - /crypto-qtest-bundle.tar.gz was passed in (use the .t)"
	exit 1
fi
tar -xzf /crypto-qtest-bundle.tar.gz -C / || exit 1
cd /opt/crypto-qtest || exit 1
export QTEST_QEMU_BINARY=./qemu-system-x86_64
export CRYPTODEV_TEST_PROVIDER=afalg
# properties: the afalg provider must now open; auto: it must pick afalg;
# openssl-equal: every algorithm through AF_ALG equals OpenSSL.
exec ./cryptodev-host-test --tap -k \
	-p /x86_64/cryptodev-host/properties -p /x86_64/cryptodev-host/auto \
	-p /x86_64/cryptodev-host/kat -p /x86_64/cryptodev-host/errors \
	-p /x86_64/cryptodev-host/multiqueue \
	-p /x86_64/cryptodev-host/openssl-equal
