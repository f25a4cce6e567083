#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every data queue used: one device with 20 data queues (more than the 16
# the driver once limited itself to, when it took data queue 16 for the
# control queue) and one with 64, QEMU's maximum (MAX_CRYPTO_QUEUE_NUM).
# Both work, and every queue carries requests.  vdevkit.queues=A,B on the
# kernel command line names other counts (tests/t/39-cryptod-ourqemu.t).
# vm: -object cryptodev-backend-host,id=c0,queues=20 -device virtio-crypto-pci,cryptodev=c0,addr=0x6
# vm: -object cryptodev-backend-host,id=c1,queues=64 -device virtio-crypto-pci,cryptodev=c1,addr=0x7
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

dmesg | grep 'virtio_cryptodev virtio' | sed 's/^/# /'
want=" 20 64"
for a in $(cat /proc/cmdline); do
	case $a in vdevkit.queues=*) want=" $(echo "${a#*=}" | tr , ' ')" ;; esac
done
queues=
for d in 0 1; do
	dev=/dev/cryptodev$d
	nq=$(grep -c '^dataq\.' /sys/class/misc/cryptodev$d/stats)
	queues="$queues $nq"
	crypto-demo -d $dev >/tmp/demo.out
	ok $? "cryptodev$d ($nq data queues): demo round trip"
	sed "s/^/# /" /tmp/demo.out
	tap_include crypto-test -d $dev -r aes-128-cbc kat random
	# Small operations, one request each: enough to go round every queue.
	crypto-bench -d $dev -t 1 64 | sed 's/^/# /'
	idle=
	k=0
	while [ $k -lt "$nq" ]; do
		[ "$(vcd_stat cryptodev$d dataq.$k)" -gt 0 ] || idle="$idle $k"
		k=$((k + 1))
	done
	is "${idle:-none}" none "cryptodev$d: every one of its $nq data queues carried requests"
	is "$(vcd_stat cryptodev$d device_sessions)" 0 "cryptodev$d: every device session destroyed again"
done
is "$queues" "$want" "the driver uses all data queues:$want"
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'
tap_done
