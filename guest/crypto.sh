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

# The /proc/crypto entry of one driver, skipping "larval" entries
# (placeholders that exist while the algorithm is being registered/tested).
crypto_block() {
	awk -v drv="$1" '
		/^name/ { blk = ""; mine = 0; larval = 0 }
		{ blk = blk $0 "\n" }
		/^driver/ && $3 == drv { mine = 1 }
		/^type/ && $3 == "larval" { larval = 1 }
		/^$/ { if (mine && !larval) { printf "%s", blk; done = 1; exit } }
		END { if (!done && mine && !larval) printf "%s", blk }' /proc/crypto
}

# selftest_wait DRIVER SECONDS: until the kernel's self-test of DRIVER's
# algorithm has passed (it runs through the device: slow under TCG).
# Fails on timeout or when dmesg reports the test failed.
selftest_wait() {
	n=$(($2 * 5))
	while [ $n -gt 0 ]; do
		crypto_block "$1" | grep -q '^selftest *: passed' && return 0
		dmesg | grep -q "alg: .*$1" && return 1
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}
