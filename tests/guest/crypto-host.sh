#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: -object cryptodev-backend-host,id=c0,queues=4 -device virtio-crypto-pci,cryptodev=c0
# modules:
#
# Our driver against vdevkit's host backend (branch cryptoqemu): four data
# queues served by worker threads, whatever algorithms its provider
# advertises (AES-CBC must be one), all test sections, on two vCPUs' worth
# of concurrency when the VM has them.
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

vcd_load; t $? "virtio_cryptodev loaded"
dmesg | grep 'virtio_cryptodev virtio' | sed 's/^/# /'
dmesg | grep -q 'virtio_cryptodev virtio.*: /dev/cryptodev0: 4 data queues'; t $? "4 data queues in use"
crypto-demo | sed 's/^/# /'; t $? "demo round trip"
crypto-test -r aes-128-cbc >/tmp/out; rc=$?
grep -v '^ok' /tmp/out | sed 's/^/# /'
t $rc "crypto-test, advertised algorithms ($(tail -1 /tmp/out | sed 's/^# //'))"
crypto-bench -t 1 | sed 's/^/# /'
echo "1..$n"
exit $fail
