#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's virtio_crypto.ko holds the device first (as it would in a stock
# guest); we take it over by unbinding it (the virtio bus has no
# driver_override), use it through /dev/crypto, and let it go again.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# modules: virtio_crypto
# append: vdevkit.noload=virtio_cryptodev
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

check "Debian's virtio_crypto loaded" modprobe virtio_crypto
wait_for 10 sh -c 'ls /sys/bus/virtio/drivers/virtio_crypto/ | grep -q virtio'
dev=$(basename "$(readlink -f /sys/bus/virtio/drivers/virtio_crypto/virtio* 2>/dev/null | head -1)")
check "virtio_crypto bound to the device ($dev)" test -n "$dev" -a -e "/sys/bus/virtio/drivers/virtio_crypto/$dev"
# Its cbc(aes) must be done with the kernel's self-test first: unbinding
# while the test holds the algorithm makes virtio_crypto warn and leak it.
check "virtio_crypto's cbc(aes) passed the kernel self-test" wait_for 60 sh -c \
	"grep -A5 'virtio_crypto_aes_cbc' /proc/crypto | grep -q 'selftest.*passed'"
sleep 2
check "virtio_cryptodev loaded, virtio_crypto unbound" vcd_load
is "$(basename "$(readlink "/sys/bus/virtio/devices/$dev/driver")")" virtio_cryptodev \
	"device now driven by virtio_cryptodev"
w0=$(dmesg | grep -cE "BUG:|WARNING:|Oops")
[ "$w0" = 0 ] || echo "# Debian's virtio_crypto warned when unbound (its own race with the crypto manager)"
tap_include crypto-test -r aes-128-cbc kat
check "unbound from virtio_cryptodev" sh -c "echo $dev >/sys/bus/virtio/drivers/virtio_cryptodev/unbind"
check "device left without a driver" test ! -e "/sys/bus/virtio/devices/$dev/driver"
is "$(dmesg | grep -cE "BUG:|WARNING:|Oops")" "$w0" "no oops or warning from virtio_cryptodev"
crypto-demo >/tmp/demo.out 2>&1
check "/dev/crypto answers ENODEV without a device" grep -q 'No such device' /tmp/demo.out
tap_done
