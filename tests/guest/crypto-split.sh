#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0 -object cryptodev-backend-builtin,id=c1 -device virtio-crypto-pci,cryptodev=c1
# modules:
# append: vdevkit.noload=virtio_cryptodev
#
# Two devices and 4 KiB pieces: /dev/crypto spreads sessions over both,
# /dev/cryptodev1 reaches the second one; every operation above 4 KiB is
# split, with CBC/CTR IVs chained between pieces.
n=0
fail=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

# Our module, wherever the image put it; Debian's virtio_crypto must not
# hold the device (it is not in this image, and is unbound if present).
vcd_load() {
	if [ -d /sys/bus/virtio/drivers/virtio_crypto ]; then
		for d in /sys/bus/virtio/drivers/virtio_crypto/virtio*; do
			[ -e "$d" ] && echo "${d##*/}" >/sys/bus/virtio/drivers/virtio_crypto/unbind
		done
	fi
	modprobe virtio_cryptodev "$@" 2>/dev/null && return 0
	ko=$(find / -xdev -name virtio_cryptodev.ko 2>/dev/null | head -1)
	[ -n "$ko" ] && insmod "$ko" "$@"
}

vcd_load force_algos=0x211c max_chunk=4096; t $? "virtio_cryptodev loaded, 4 KiB pieces"
[ -c /dev/cryptodev0 ] && [ -c /dev/cryptodev1 ]; t $? "/dev/cryptodev0 and /dev/cryptodev1 exist"
crypto-test -r all kat random concurrent >/tmp/out; rc=$?
grep -v '^ok' /tmp/out | sed 's/^/# /'
t $rc "crypto-test on /dev/crypto ($(tail -1 /tmp/out | sed 's/^# //'))"
for d in 0 1; do
	crypto-test -d /dev/cryptodev$d -r all kat >/tmp/out; rc=$?
	t $rc "known answers on /dev/cryptodev$d ($(tail -1 /tmp/out | sed 's/^# //'))"
	crypto-demo -d /dev/cryptodev$d | grep driver: | sed 's/^/# /'
done
echo "1..$n"
exit $fail
