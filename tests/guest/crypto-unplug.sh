#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# modules:
# append: vdevkit.noload=virtio_cryptodev
#
# Hot-unplug under load: a process is inside CIOCCRYPT (256 KiB operations in
# a loop) when the PCI device is removed.  It must get ENODEV, its session
# must keep answering ENODEV, nothing may stay referenced (the module
# unloads), and a rescanned device works again.  Also: the module refuses
# to unload while /dev/crypto is open, and killing processes that wait for
# the device leaves it working.

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

# The virtio crypto device (1af4:1054) on the PCI bus.
vcd_pci() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1054 ] &&
			{ basename "$d"; return 0; }
	done
	return 1
}

vcd_load; t $? "module loaded"
crypto-demo >/dev/null; t $? "demo works before unplug"

# A process killed while it waits for the device: its request is abandoned
# and freed when the device answers; nothing else notices.
for i in 1 2 3; do
	crypto-test stress 30 >/dev/null 2>&1 &
	k=$!
	sleep 1
	kill -9 $k
	wait $k 2>/dev/null
done
crypto-test once >/dev/null; t $? "device works after 3 processes were killed mid-operation"

crypto-test stress 60 >/tmp/stress.out 2>&1 &
pid=$!
sleep 2
grep -q running /tmp/stress.out; t $? "stress process is running"
bdf=$(vcd_pci); t $? "found the device ($bdf)"
echo 1 >"/sys/bus/pci/devices/$bdf/remove"; t $? "PCI device removed under load"
wait $pid
rc=$?
sed 's/^/# /' /tmp/stress.out
t $rc "CIOCCRYPT in flight returned ENODEV, later calls ENODEV too"
[ ! -e /dev/cryptodev0 ]; t $? "/dev/cryptodev0 is gone"
crypto-demo >/tmp/demo.out 2>&1
grep -q 'No such device' /tmp/demo.out; t $? "new session without a device: ENODEV"

exec 3<>/dev/crypto
rmmod virtio_cryptodev 2>/dev/null
[ $? != 0 ]; t $? "module refuses to unload while /dev/crypto is open"
exec 3<&-
rmmod virtio_cryptodev; t $? "module unloads afterwards (nothing left referenced)"

echo 1 >/sys/bus/pci/rescan
vcd_load; t $? "module reloaded"
sleep 1
crypto-demo >/dev/null; t $? "rescanned device works"
dmesg | grep -E 'BUG|WARNING|Oops|leak' | sed 's/^/# /'
! dmesg | grep -qE 'BUG|WARNING:|Oops'; t $? "no kernel warnings"
echo "1..$n"
exit $fail
