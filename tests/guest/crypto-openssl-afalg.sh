#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop with code nobody here wrote: Debian's openssl with its afalg
# engine -> AF_ALG -> Debian's virtio_crypto driver -> our backend.
# tests/t/39-crypto-openssl-afalg.t passes in /openssl-afalg.tar.gz (host
# openssl, afalg.so, their libraries, plaintexts, the host's ciphertexts
# and the keys in /opt/openssl-afalg/params).  Each operation must move
# the device's interrupt count (a software fallback would not); the .t
# also checks the backend's byte counters (QMP query-stats, asked for
# below) against the bytes this scenario says it sent.
# vm: -object cryptodev-backend-host,id=c0 -device virtio-crypto-pci,cryptodev=c0
# modules: virtio_crypto algif_skcipher
# append: vdevkit.noload=virtio_cryptodev
# timeout: 400

. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh
vec=/opt/openssl-afalg

# Interrupts of the virtio device's virtqueues (not its config vector).
irqs() {
	awk '/virtio[0-9]+-/ && !/-config/ { s += $2 } END { print s + 0 }' /proc/interrupts
}

if ! tar -xzf /openssl-afalg.tar.gz -C / 2>/tmp/err; then
	ok 1 "unpack /openssl-afalg.tar.gz (run this through the .t)"
	sed 's/^/# /' /tmp/err
	tap_done
fi
. $vec/params
check "Debian's openssl runs in the guest ($(openssl version 2>&1))" openssl version

check "virtio_crypto and algif_skcipher loaded" \
	sh -c 'modprobe virtio_crypto && modprobe algif_skcipher'
check "kernel self-test of virtio_crypto_aes_cbc passed" \
	selftest_wait virtio_crypto_aes_cbc 120
crypto_block virtio_crypto_aes_cbc | grep -E '^(name|driver|priority|selftest)' | sed 's/^/# /'
# AF_ALG's "cbc(aes)" must resolve to the device, not to aes-generic.
best=$(awk '/^name/ { n = $3 } /^driver/ { d = $3 } /^priority/ && n == "cbc(aes)" {
	if ($3 > p) { p = $3; b = d } } END { print b }' /proc/crypto)
is "$best" virtio_crypto_aes_cbc "cbc(aes) of highest priority is the device's"
openssl engine -c -t afalg >/tmp/eng 2>&1
sed 's/^/# /' /tmp/eng
check "afalg engine available, offers AES-128/192/256-CBC" \
	sh -c 'grep -q "AES-128-CBC, AES-192-CBC, AES-256-CBC" /tmp/eng && grep -q "\[ available \]" /tmp/eng'

backend_stats before
enc=0
dec=0
for bits in 128 192 256; do
	eval key=\$K$bits
	for size in $SIZES; do
		i0=$(irqs)
		openssl enc -engine afalg -e -aes-$bits-cbc -K "$key" -iv "$IV" -nopad \
			-in $vec/pt.$size -out /tmp/ct 2>/tmp/err
		st=$?
		i1=$(irqs)
		enc=$((enc + size))
		[ $st = 0 ] && cmp -s /tmp/ct $vec/ct.$bits.$size
		ok $? "aes-$bits-cbc encrypt $size B via afalg equals the host's ciphertext"
		[ $st = 0 ] || sed 's/^/# /' /tmp/err
		[ "$i1" -gt "$i0" ]
		ok $? "aes-$bits-cbc encrypt $size B went through the device (irqs $i0 -> $i1)"
		i0=$i1
		openssl enc -engine afalg -d -aes-$bits-cbc -K "$key" -iv "$IV" -nopad \
			-in $vec/ct.$bits.$size -out /tmp/pt 2>/tmp/err
		st=$?
		i1=$(irqs)
		dec=$((dec + size))
		[ $st = 0 ] && cmp -s /tmp/pt $vec/pt.$size && [ "$i1" -gt "$i0" ]
		ok $? "aes-$bits-cbc decrypt $size B via afalg gives the plaintext back (irqs $i0 -> $i1)"
	done
done

# Negative: one key byte changed must change the ciphertext (a check that
# only compares the program's status would pass this).
size=4096
wrong=$(echo "$K128" | sed 's/^\(.\)./\1f/;t')
[ "$wrong" = "$K128" ] && wrong=$(echo "$K128" | sed 's/^\(.\)./\10/')
openssl enc -engine afalg -e -aes-128-cbc -K "$wrong" -iv "$IV" -nopad \
	-in $vec/pt.$size -out /tmp/ct 2>/tmp/err
st=$?
enc=$((enc + size))
[ $st = 0 ] && [ "$(wc -c </tmp/ct)" = $size ] && ! cmp -s /tmp/ct $vec/ct.128.$size
ok $? "wrong key gives a different ciphertext of the same length"
backend_stats after
echo "# afalg-bytes encrypt $enc decrypt $dec"
tap_done
