# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the virtio-crypto guest scenarios (busybox sh):
# . /lib/vdevkit/crypto.sh

# A line of /sys/class/misc/cryptodevN/stats: stat DEV KEY
stat() { sed -n "s/^$2 //p" "/sys/class/misc/$1/stats"; }

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
