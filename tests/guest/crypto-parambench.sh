#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): one virtio_cryptodev module parameter at several
# values in one boot.  Path a of crypto-bench.sh (the fast-path device),
# crypto-bench -p malloc, ROUNDS rounds, each size and algorithm run at
# every value in turn, so that the host's load moves them alike.  Lines
# "# PARAM VALUE ALG SIZE MB/s" and the device's counters.  Defaults:
# pin_cache at 4 (the default) and 0 (no pages kept), AES-128-CBC and
# AES-128-GCM at 4 KiB, 64 KiB and 1 MiB, 5 rounds; a file
# /crypto-parambench.conf (scenario.sh --files) may set PARAM, VALUES,
# ALGS, SIZES, ROUNDS.  Run: scripts/scenario.sh crypto-parambench; the
# host's own figures (d) from `openssl speed -evp ALG -bytes SIZE` around it.
# vm: -m 1024
# vm: -object iothread,id=io0,poll-max-ns=500000 -object cryptodev-backend-host,id=c0,queues=4 -device virtio-crypto-pci,cryptodev=c0,iothread=io0
# timeout: 900
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

PARAM=pin_cache
VALUES="4 0"
ALGS="aes-128-cbc aes-128-gcm"
SIZES="4096 65536 1048576"
ROUNDS=5
[ -f /crypto-parambench.conf ] && . /crypto-parambench.conf
p=/sys/module/virtio_cryptodev/parameters/$PARAM
check "virtio_cryptodev loaded" vcd_load
check "$PARAM is a parameter of virtio_cryptodev" test -w "$p"
for r in $(seq 1 "$ROUNDS"); do
	for alg in $ALGS; do
		for s in $SIZES; do
			for v in $VALUES; do
				echo "$v" >"$p"
				crypto-bench -a "$alg" -p malloc -t 2 "$s" |
					sed -n "s/^bench \([0-9]*\) \([0-9.]*\) MB\/s.*/# $PARAM $v $alg \1 \2/p"
			done
		done
	done
done
sed 's/^/# stats: /' /sys/class/misc/cryptodev0/stats
tap_done
