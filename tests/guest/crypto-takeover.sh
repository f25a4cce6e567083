#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# modules: virtio_crypto
# append: vdevkit.noload=virtio_cryptodev
#
# Debian's virtio_crypto.ko holds the device first (as it would in a stock
# guest); we take it over by unbinding it (the virtio bus has no
# driver_override), use it through /dev/crypto, then hand it back.
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

modprobe virtio_crypto; t $? "Debian's virtio_crypto loaded"
sleep 1
dev=$(basename "$(readlink -f /sys/bus/virtio/drivers/virtio_crypto/virtio* 2>/dev/null | head -1)")
[ -n "$dev" ] && [ -e "/sys/bus/virtio/drivers/virtio_crypto/$dev" ]; t $? "virtio_crypto bound to the device ($dev)"
vcd_load; t $? "virtio_cryptodev loaded, virtio_crypto unbound"
[ "$(basename "$(readlink "/sys/bus/virtio/devices/$dev/driver")")" = virtio_cryptodev ]; t $? "device now driven by virtio_cryptodev"
crypto-test -r aes-128-cbc kat >/tmp/out; t $? "known answers through /dev/crypto ($(tail -1 /tmp/out | sed 's/^# //'))"
echo "$dev" >/sys/bus/virtio/drivers/virtio_cryptodev/unbind; t $? "unbound from virtio_cryptodev"
echo "$dev" >/sys/bus/virtio/drivers/virtio_crypto/bind; t $? "handed back to virtio_crypto"
crypto-demo >/tmp/out 2>&1
grep -q 'No such device' /tmp/out; t $? "/dev/crypto answers ENODEV without a device"
echo "1..$n"
exit $fail
