#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# modules:
# append: vdevkit.noload=virtio_cryptodev
#
# A device that answers nonsense: the driver's inject parameter corrupts one
# answer as a misbehaving device would (an impossible used length, then an
# unknown status).  The caller gets EIO, the device is marked broken (later
# calls EIO, /dev/crypto stops choosing it), nothing oopses or hangs, and
# rebinding the device starts afresh.
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

EIO=5
ENODEV=19
P=/sys/module/virtio_cryptodev/parameters/inject
vcd_load; t $? "virtio_cryptodev loaded"
dev=$(basename "$(readlink -f /sys/bus/virtio/drivers/virtio_cryptodev/virtio* | head -1)")
for kind in 1:"impossible used length" 2:"unknown status"; do
	crypto-test once >/dev/null; t $? "operation works (${kind#*:} next)"
	echo "${kind%%:*}" >$P
	crypto-test -d /dev/cryptodev0 once >/tmp/out
	r=$?
	sed 's/^/# /' /tmp/out
	[ "$r" = $EIO ]; t $? "${kind#*:}: the operation gets EIO (got $r)"
	r=$(crypto-test -d /dev/cryptodev0 once >/dev/null; echo $?)
	[ "$r" = $EIO ]; t $? "${kind#*:}: device stays broken, EIO (got $r)"
	dmesg | grep -q 'device marked broken'; t $? "kernel log says the device is broken"
	r=$(crypto-test once >/dev/null; echo $?)
	[ "$r" = $EIO ]; t $? "/dev/crypto: only a broken device left, EIO (got $r)"
	echo "$dev" >/sys/bus/virtio/drivers/virtio_cryptodev/unbind &&
		echo "$dev" >/sys/bus/virtio/drivers/virtio_cryptodev/bind
	t $? "device rebound"
done
crypto-test once >/dev/null; t $? "works after rebinding"
! dmesg | grep -qE 'BUG|WARNING:|Oops'; t $? "no kernel warnings"
echo "1..$n"
exit $fail
