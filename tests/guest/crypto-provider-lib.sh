#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The host crypto provider library's test (tests/host/crypto-provider-test)
# where all three providers exist: AF_ALG from Debian's kernel, and
# /dev/crypto from our virtio_cryptodev on a virtio-crypto-pci whose
# backend (outside) is cryptodev-backend-host with OpenSSL.
# tests/t/36-crypto-backend-provider-lib.t passes in the bundle (the test,
# its libcrypto, virtio_cryptodev.ko); its TAP is the verdict.
# vm: -object cryptodev-backend-host,id=c0,provider=openssl -device virtio-crypto-pci,cryptodev=c0
# modules: algif_skcipher xts des_generic algif_hash algif_aead gcm ghash-generic ccm cmac chacha20poly1305 chacha_generic poly1305_generic
# append: vdevkit.noload=virtio_cryptodev
# timeout: 600

set -u
tar -xzf /crypto-provider-bundle.tar.gz -C / || exit 1
cd /opt/crypto-provider || exit 1
echo /bin/modprobe >/proc/sys/kernel/modprobe
for m in algif_skcipher xts des_generic algif_hash algif_aead gcm \
	ghash_generic ccm cmac chacha20poly1305 chacha_generic poly1305_generic; do
	modprobe "$m" || echo "# modprobe $m failed"
done
insmod ./virtio_cryptodev.ko || exit 1
i=0
while [ ! -c /dev/crypto ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
./crypto-provider-test --all
