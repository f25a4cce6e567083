#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A device that answers nonsense: the driver's inject parameter corrupts one
# answer as a misbehaving device would (an impossible used length, then an
# unknown status).  The caller gets EIO, the device is marked broken (later
# calls EIO, /dev/crypto stops choosing it), nothing oopses or hangs, and
# rebinding the device starts afresh.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

EIO=5
P=/sys/module/virtio_cryptodev/parameters/inject
dev=$(basename "$(readlink -f /sys/bus/virtio/drivers/virtio_cryptodev/virtio* | head -1)")
check "device bound to virtio_cryptodev ($dev)" test -n "$dev"
for kind in 1:"impossible used length" 2:"unknown status"; do
	what=${kind#*:}
	check "operation works ($what next)" crypto-test once
	echo "${kind%%:*}" >$P
	crypto-test -d /dev/cryptodev0 once >/tmp/once.out
	is "$?" $EIO "$what: the operation gets EIO"
	cat /tmp/once.out
	crypto-test -d /dev/cryptodev0 once >/dev/null
	is "$?" $EIO "$what: the device stays broken (EIO)"
	check "kernel log says the device is broken" sh -c "dmesg | grep -q 'device marked broken'"
	is "$(vcd_stat cryptodev0 state)" broken "stats say broken"
	crypto-test once >/dev/null
	is "$?" $EIO "/dev/crypto with only a broken device: EIO"
	check "device rebound" sh -c "echo $dev >/sys/bus/virtio/drivers/virtio_cryptodev/unbind &&
		echo $dev >/sys/bus/virtio/drivers/virtio_cryptodev/bind"
done
check "works after rebinding" crypto-test once
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'
tap_done
