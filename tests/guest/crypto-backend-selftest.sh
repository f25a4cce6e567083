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

echo "1..3"
fail=0

if modprobe virtio_crypto 2>/dev/null || grep -q '^virtio_crypto ' /proc/modules; then
	echo "ok 1 - virtio_crypto loaded"
else
	echo "not ok 1 - virtio_crypto loaded"
	fail=1
fi

# Print the /proc/crypto entry of one driver, skipping "larval" entries
# (placeholders that exist while the algorithm is being registered/tested).
crypto_block() {
	awk -v drv="$1" '
		/^name/ { blk = ""; mine = 0; larval = 0 }
		{ blk = blk $0 "\n" }
		/^driver/ && $3 == drv { mine = 1 }
		/^type/ && $3 == "larval" { larval = 1 }
		/^$/ { if (mine && !larval) { printf "%s", blk; done = 1; exit } }
		END { if (!done && mine && !larval) printf "%s", blk }' /proc/crypto
}

# The device registers its algorithm once it is up and the kernel tests it
# through the device first (slow under TCG); allow two minutes.
blk=
i=0
while [ $i -lt 600 ]; do
	blk=$(crypto_block virtio_crypto_aes_cbc)
	echo "$blk" | grep -q '^selftest *: passed' && break
	dmesg | grep -q 'alg: .*virtio_crypto_aes_cbc' && break
	sleep 0.2
	i=$((i + 1))
done
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
