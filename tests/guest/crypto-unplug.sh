#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hot-unplug (QMP device_del) while a process is inside CIOCCRYPT (256 KiB
# operations in a loop): it gets ENODEV, its session keeps answering ENODEV,
# nothing stays referenced; a hot-plugged device works.  Also: processes
# killed while waiting for the device leave it working, the module refuses
# to unload while /dev/crypto is open and unloads cleanly afterwards.
# The hot-plugged device serves its virtqueues in an iothread, and is
# unplugged under load too.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0,id=vc0,bus=pci.0,addr=0x6
# vm: -object iothread,id=io0
# timeout: 300
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

check "demo works before unplug" crypto-test once
# Killed while waiting: the request is abandoned, freed when it comes back.
for i in 1 2 3; do
	crypto-test stress 30 >/dev/null 2>&1 &
	k=$!
	sleep 1
	kill -9 $k
	wait $k 2>/dev/null
done
check "device works after 3 processes were killed mid-operation" crypto-test once
is "$(vcd_stat cryptodev0 device_sessions)" 0 "killed processes' device sessions destroyed"

# Unplug device $1 (the only one, /dev/cryptodev0) under load; $2 names it.
unplug_under_load() {
	crypto-test stress 120 >/tmp/stress.out 2>&1 &
	pid=$!
	check "$2: stress process is running" wait_for 20 grep -q running /tmp/stress.out
	sleep 1
	qmp '{"execute": "device_del", "arguments": {"id": "'"$1"'"}}'
	check "$2: /dev/cryptodev0 disappears after device_del" wait_for 60 test ! -e /dev/cryptodev0
	check "$2: stress process finishes" wait_for 30 sh -c "! kill -0 $pid 2>/dev/null"
	kill -9 $pid 2>/dev/null
	wait $pid
	is "$?" 0 "$2: CIOCCRYPT in flight got ENODEV, and later calls too"
	sed 's/^/# /' /tmp/stress.out
}

unplug_under_load vc0 "main loop device"
crypto-test once >/dev/null
is "$?" 19 "new session without a device: ENODEV"
is "$(cat /sys/module/virtio_cryptodev/refcnt)" 0 "no file references left"

exec 3<>/dev/crypto
check "module refuses to unload while /dev/crypto is open" sh -c '! rmmod virtio_cryptodev 2>/dev/null'
exec 3<&-
check "module unloads afterwards" rmmod virtio_cryptodev
check "module loads again" modprobe virtio_cryptodev

qmp '{"execute": "device_add", "arguments": {"driver": "virtio-crypto-pci", "cryptodev": "c0", "id": "vc1", "bus": "pci.0", "addr": "0x7", "iothread": "io0"}}'
check "hot-plugged device (iothread) gets a node" wait_for 60 test -c /dev/cryptodev0
check "hot-plugged device works" crypto-test once
unplug_under_load vc1 "iothread device"
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'
tap_done
