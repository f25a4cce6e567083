#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# modules:
#
# Benchmark (not a test): AES-128-CBC through /dev/crypto at 64 B .. 1 MiB.
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
crypto-bench -t "${CRYPTO_BENCH_SECS:-2}" | sed 's/^/# /'; t $? "benchmark ran"
echo "1..$n"
exit $fail
