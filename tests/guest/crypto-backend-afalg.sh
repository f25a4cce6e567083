#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The afalg provider of cryptodev-backend-host, tested where AF_ALG exists:
# inside a guest.  tests/t/34-crypto-backend-afalg.t passes in a bundle
# (crypto-qtest-bundle.tar.gz: our qemu-system-x86_64, the qtest and their
# shared libraries); the qtest runs QEMU with -accel qtest, so no nested
# CPU emulation is involved.
# modules: algif_skcipher xts des_generic algif_hash algif_aead gcm ghash-generic ccm cmac chacha20poly1305 chacha_generic poly1305_generic
# No /dev/crypto in this guest: the devcrypto case must find none.
# append: vdevkit.noload=virtio_cryptodev
# timeout: 600

set -u
. /lib/vdevkit/crypto.sh
echo /bin/modprobe >/proc/sys/kernel/modprobe
for m in algif_skcipher xts des_generic algif_hash algif_aead gcm \
	ghash_generic ccm cmac chacha20poly1305 chacha_generic poly1305_generic; do
	modprobe "$m" || echo "# modprobe $m failed"
done
qtest_bundle
# properties: the afalg provider must now open; auto: it must pick afalg;
# openssl-equal, auth-equal: every cipher, hash, MAC and AES-GCM through
# AF_ALG equals OpenSSL.
qtest_provider afalg
