#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: Debian's own virtio_crypto driver against cryptodev-backend-host.
# The driver registers cbc(aes) with the guest kernel's crypto API, which
# runs its self-tests (many vectors, key sizes, scatterlist layouts) on it
# through the device and our backend.
# vm: -object cryptodev-backend-host,id=c0 -device virtio-crypto-pci,cryptodev=c0
# modules: virtio_crypto
# append: vdevkit.noload=virtio_cryptodev
# timeout: 240

. /lib/vdevkit/crypto.sh
echo "1..3"
fail=0

if modprobe virtio_crypto 2>/dev/null || grep -q '^virtio_crypto ' /proc/modules; then
	echo "ok 1 - virtio_crypto loaded"
else
	echo "not ok 1 - virtio_crypto loaded"
	fail=1
fi

# The device registers its algorithm once it is up and the kernel tests it
# through the device first (slow under TCG); allow two minutes.
selftest_wait virtio_crypto_aes_cbc 120
blk=$(crypto_block virtio_crypto_aes_cbc)
echo "$blk" | sed 's/^/# /'

if echo "$blk" | grep -q '^name *: cbc(aes)' &&
	echo "$blk" | grep -q '^module *: virtio_crypto' &&
	echo "$blk" | grep -q '^type *: skcipher'; then
	echo "ok 2 - cbc(aes) skcipher registered by virtio_crypto (driver virtio_crypto_aes_cbc)"
else
	echo "not ok 2 - cbc(aes) registered by virtio_crypto"
	grep -E '^(name|driver)' /proc/crypto | sed 's/^/# /'
	dmesg | grep -i crypt | tail -20 | sed 's/^/# /'
	fail=1
fi

if echo "$blk" | grep -q '^selftest *: passed'; then
	echo "ok 3 - guest kernel self-test passed for virtio_crypto_aes_cbc"
else
	echo "not ok 3 - guest kernel self-test passed for virtio_crypto_aes_cbc"
	dmesg | grep -iE 'alg|crypt|self' | tail -20 | sed 's/^/# /'
	fail=1
fi
exit $fail
