#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Two devices and 4 KiB pieces: /dev/crypto spreads sessions over both,
# /dev/cryptodev1 reaches the second one; every operation above 4 KiB is
# split, with CBC/CTR IVs chained between pieces.  The second device
# serves its virtqueues in an iothread (the fast path): QEMU's builtin
# backend with and without one, the same tests.  Last, device 1 is
# unbound while a process holds pages kept pinned through it.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# vm: -object iothread,id=io0 -object cryptodev-backend-builtin,id=c1 -device virtio-crypto-pci,cryptodev=c1,iothread=io0
# append: vdevkit.noload=virtio_cryptodev
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

check "virtio_cryptodev loaded, 4 KiB pieces" vcd_load force_algos=0x211c max_chunk=4096
check "/dev/cryptodev0 and /dev/cryptodev1 exist" test -c /dev/cryptodev0 -a -c /dev/cryptodev1
tap_include crypto-test -r all kat random concurrent
for d in 0 1; do
	sed "s/^/# cryptodev$d: /" /sys/class/misc/cryptodev$d/stats
	check "/dev/crypto used device $d" test "$(vcd_stat cryptodev$d dataq.0)" -gt 0
done
for d in 0 1; do
	tap_include crypto-test -d /dev/cryptodev$d -r all kat
	is "$(crypto-demo -d /dev/cryptodev$d | sed -n 's/^driver: *//p')" \
		"virtio_cryptodev-cryptodev$d (offloaded, not done by this CPU)" \
		"/dev/cryptodev$d is served by device $d"
done
for d in 0 1; do
	is "$(vcd_stat cryptodev$d device_sessions)" 0 "device $d: every device session destroyed again"
done
# A removed device takes the pages kept pinned with it, though the file
# that pinned them stays open.
crypto-test -d /dev/cryptodev1 hold 120 >/tmp/hold.out 2>&1 &
hp=$!
check "a process holds a pinning kept on device 1" wait_for 30 grep -q held /tmp/hold.out
check "kept: $(vcd_stat cryptodev0 pin_cache_pages) pages" test "$(vcd_stat cryptodev0 pin_cache_pages)" -gt 0
d1=$(basename "$(readlink -f /sys/class/misc/cryptodev1/device)")
echo "$d1" >/sys/bus/virtio/drivers/virtio_cryptodev/unbind
is "$(vcd_stat cryptodev0 pin_cache_pages)" 0 "device 1 ($d1) unbound: the kept pages released, file still open"
kill $hp
wait $hp
tap_done
