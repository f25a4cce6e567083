# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the virtio-crypto guest scenarios (busybox sh):
# . /lib/vdevkit/crypto.sh

# A line of /sys/class/misc/cryptodevN/stats: vcd_stat DEV KEY
# (not "stat": that would hide busybox's stat)
vcd_stat() { sed -n "s/^$2 //p" "/sys/class/misc/$1/stats"; }

# Virtqueue interrupts (not the config vector's) of cryptodevN $1 so far.
vcd_irqs() {
	awk -v a="$(basename "$(readlink -f "/sys/class/misc/$1/device/..")")" \
		'index($0, a) && /virtio/ && !/-config/ {
			for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i	# every CPU
		} END { print s + 0 }' /proc/interrupts
}

# Requests queued on the data queues of cryptodevN $1 so far.
vcd_reqs() { awk '/^dataq\./ { s += $2 } END { print s + 0 }' "/sys/class/misc/$1/stats"; }

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

# The provider tests (tests/guest/crypto-backend-*.sh): unpack the bundle of
# tests/t/crypto-bundle.sh and enter it, or fail the scenario.
qtest_bundle() {
	if [ ! -f /crypto-qtest-bundle.tar.gz ]; then
		echo "1..1"
		echo "not ok 1 - /crypto-qtest-bundle.tar.gz was passed in (use the .t)"
		exit 1
	fi
	tar -xzf /crypto-qtest-bundle.tar.gz -C / || exit 1
	cd /opt/crypto-qtest || exit 1
}

# Run the bundled qtest's cases for provider $1 (its TAP is the verdict):
# properties (the provider opens), auto (it is picked), known answers,
# errors, several queues, and every algorithm equal to OpenSSL: ciphers,
# and the hashes, MACs and AES-GCM the provider offers.
qtest_provider() {
	export QTEST_QEMU_BINARY=./qemu-system-x86_64
	export CRYPTODEV_TEST_PROVIDER="$1"
	exec ./cryptodev-host-test --tap -k \
		-p /x86_64/cryptodev-host/properties -p /x86_64/cryptodev-host/auto \
		-p /x86_64/cryptodev-host/kat -p /x86_64/cryptodev-host/errors \
		-p /x86_64/cryptodev-host/multiqueue \
		-p /x86_64/cryptodev-host/openssl-equal \
		-p /x86_64/cryptodev-host/auth-equal
}

# backend_stats ID: ask the host for the cryptodev backends' counters (QMP
# query-stats; the reply, tagged ID, is in the host's log only), and give
# it time to be served before the counters move again.
backend_stats() {
	qmp '{"execute":"query-stats","arguments":{"target":"cryptodev"},"id":"'"$1"'"}'
	sleep 3
}

# vcd_boot_arg NAME DEFAULT: vdevkit.NAME=VALUE from the kernel command line
# (make targets pass settings that way, e.g. the fuzzer's duration).
vcd_boot_arg() {
	v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^vdevkit\.$1=//p" | tail -1)
	echo "${v:-$2}"
}
