#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): virtio_cryptodev's kept pinnings on and off in
# one boot.  Path a of crypto-bench.sh (the fast-path device), crypto-bench
# -p malloc, AES-128-CBC and AES-128-GCM at 4 KiB, 64 KiB and 1 MiB,
# 5 rounds, each step run with pin_cache=4 (the default) then
# pin_cache=0 (no pages kept: the driver as before).  Lines "# pin CACHE ALG SIZE MB/s" and the
# device's counters.  Run: scripts/scenario.sh crypto-pinbench; the host's
# own figures (d) from `openssl speed -evp ALG -bytes SIZE` around it.
# vm: -m 1024
# vm: -object iothread,id=io0,poll-max-ns=32768 -object cryptodev-backend-host,id=c0,queues=4 -device virtio-crypto-pci,cryptodev=c0,iothread=io0
# timeout: 900
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

ROUNDS=5
check "virtio_cryptodev loaded" vcd_load
SIZES="4096 65536 1048576"
# Alternating at every step: the host's load moves both alike.
for r in $(seq 1 "$ROUNDS"); do
	for alg in aes-128-cbc aes-128-gcm; do
		for s in $SIZES; do
			for k in 4 0; do
				echo $k >/sys/module/virtio_cryptodev/parameters/pin_cache
				crypto-bench -a $alg -p malloc -t 2 "$s" |
					sed -n "s/^bench \([0-9]*\) \([0-9.]*\) MB\/s.*/# pin $k $alg \1 \2/p"
			done
		done
	done
done
sed 's/^/# stats: /' /sys/class/misc/cryptodev0/stats
tap_done
