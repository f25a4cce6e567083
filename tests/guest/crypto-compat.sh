#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 32-bit programs on the 64-bit guest kernel: crypto-test built with -m32
# goes through the driver's compat ioctl (pointers in session_op and
# crypt_op are 32 bits wide there), for every algorithm.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# append: vdevkit.noload=virtio_cryptodev
. /lib/vdevkit/tap.sh
# Our module, wherever the image put it, with options; Debian's
# virtio_crypto must not hold the device (unbound if it does).
vcd_load() {
	for d in /sys/bus/virtio/drivers/virtio_crypto/virtio*; do
		[ -e "$d" ] && echo "${d##*/}" >/sys/bus/virtio/drivers/virtio_crypto/unbind
	done
	modprobe virtio_cryptodev "$@"
}
# "N passed, M failed" from crypto-test output in /tmp/out
summary() { tail -1 /tmp/out | sed "s/^# //"; }

check "virtio_cryptodev loaded with force_algos" vcd_load force_algos=0x211c
check "crypto-test32 is a 32-bit program" sh -c "head -c 5 /usr/bin/crypto-test32 | od -An -tx1 | grep -q '7f 45 4c 46 01'"
tap_include crypto-test32 -r all kat random errors
tap_done
