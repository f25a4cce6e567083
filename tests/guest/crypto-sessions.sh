#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Device sessions do not outlive the driver's hold on the device.  The
# backend holds 2 sessions; two processes encrypting (one device session
# each) fill it.  The backend keeps sessions across a device reset and an
# unplug, so unless the driver destroys them when the device goes, the next
# session fails.  Cycles, each under that load: sysfs unbind/bind (3 times),
# a device marked broken then rebound, module unload/load, QMP device_del/
# device_add (twice).  And with the table full, the device's ERR gives EIO.
# Last, the shared device sessions of plain hashes: they fill the table
# until unbind, and until module unload.
# vm: -object cryptodev-backend-host,id=c0,max-sessions=2 -device virtio-crypto-pci,cryptodev=c0,id=vc0,bus=pci.0,addr=0x6
# timeout: 400
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

DRV=/sys/bus/virtio/drivers/virtio_cryptodev
dev=$(basename "$(readlink -f $DRV/virtio* | head -1)")
check "device bound to virtio_cryptodev ($dev)" test -n "$dev"

# load: two encrypting processes, each holding one device session
load() {
	for i in 1 2; do
		crypto-test stress 300 >/tmp/stress$i.out 2>&1 &
		eval "pid$i=\$!"
	done
	check "$1: two processes encrypting" wait_for 30 sh -c \
		'grep -q running /tmp/stress1.out && grep -q running /tmp/stress2.out'
	check "$1: the backend's 2 sessions are taken" wait_for 30 dsessions_are 2
}

dsessions_are() { [ "$(vcd_stat cryptodev0 device_sessions)" = "$1" ]; }

# unload WHAT: the load processes end (they see the device go), the
# device comes back, and a new session works
unload() {
	check "$1: load processes end" wait_for 60 sh -c \
		"! kill -0 $pid1 2>/dev/null && ! kill -0 $pid2 2>/dev/null"
	kill -9 "$pid1" "$pid2" 2>/dev/null
	wait "$pid1" "$pid2" 2>/dev/null
	cat /tmp/stress1.out /tmp/stress2.out | sed 's/^/# /'
	check "$1: device back" wait_for 60 test -c /dev/cryptodev0
	crypto-test once >/tmp/once.out
	is "$?" 0 "$1: a new session works (the old ones were destroyed)"
	cat /tmp/once.out
}

check "a session works at boot" crypto-test once
for cyc in 1 2 3; do
	load "unbind/bind $cyc"
	if [ $cyc = 1 ]; then
		# QEMU reports the backend's NOSPC as ERR: an honest EIO, not
		# the ENOSPC of a full table the driver cannot know about.
		crypto-test once >/tmp/once.out
		is "$?" 5 "backend full: the device's ERR status is EIO"
		cat /tmp/once.out
	fi
	echo "$dev" >$DRV/unbind
	echo "$dev" >$DRV/bind
	unload "unbind/bind $cyc"
done

load "broken device"
echo 2 >/sys/module/virtio_cryptodev/parameters/inject
check "broken device: marked broken" wait_for 30 sh -c \
	"dmesg | grep -q 'device marked broken'"
check "broken device: load processes end (EIO)" wait_for 60 sh -c \
	"! kill -0 $pid1 2>/dev/null && ! kill -0 $pid2 2>/dev/null"
echo "$dev" >$DRV/unbind
echo "$dev" >$DRV/bind
unload "broken device, rebound"

load "module unload"
kill -9 "$pid1" "$pid2"
wait "$pid1" "$pid2" 2>/dev/null
check "module unload: unloaded" wait_for 30 rmmod virtio_cryptodev
check "module unload: loaded again" modprobe virtio_cryptodev
unload "module unload"

for cyc in 1 2; do
	load "unplug/plug $cyc"
	qmp "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"vc$((cyc - 1))\"}}"
	check "unplug/plug $cyc: device gone" wait_for 60 test ! -e /dev/cryptodev0
	qmp "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"virtio-crypto-pci\", \"cryptodev\": \"c0\", \"id\": \"vc$cyc\", \"bus\": \"pci.0\", \"addr\": \"0x6\"}}"
	unload "unplug/plug $cyc"
done
# Plain hash sessions share one device session per hash, held until the
# driver lets go of the device: two hashes fill the backend's 2 sessions,
# and unbinding, or unloading the module, must destroy them.
shared_fill() {
	crypto-auth digest sha256 sha1 | sed 's/^/# /'
	is "$(vcd_stat cryptodev0 shared_sessions)" 2 "$1: two hashes hold their two shared device sessions"
	crypto-test once >/tmp/once.out
	is "$?" 5 "$1: so the backend is full: a cipher session gets EIO"
}
dev=$(basename "$(readlink -f $DRV/virtio* | head -1)")
shared_fill "shared hash sessions, unbind"
echo "$dev" >$DRV/unbind
echo "$dev" >$DRV/bind
check "shared hash sessions, unbind: device back" wait_for 60 test -c /dev/cryptodev0
crypto-test once >/tmp/once.out
is "$?" 0 "shared hash sessions, unbind: a cipher session works (they were destroyed)"
shared_fill "shared hash sessions, module unload"
check "shared hash sessions, module unload: unloaded" rmmod virtio_cryptodev
check "shared hash sessions, module unload: loaded again" modprobe virtio_cryptodev
check "shared hash sessions, module unload: device back" wait_for 60 test -c /dev/cryptodev0
crypto-test once >/tmp/once.out
is "$?" 0 "shared hash sessions, module unload: a cipher session works (they were destroyed)"
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'
tap_done
