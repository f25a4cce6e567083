#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): AES-128-CBC through /dev/crypto at 64 B .. 1 MiB,
# path (a) of the issue: our driver on our host backend (4 data queues).
# vm: -object cryptodev-backend-host,id=c0,queues=4 -device virtio-crypto-pci,cryptodev=c0
. /lib/vdevkit/tap.sh

crypto-bench -t 2 | sed 's/^/# /'
ok $? "benchmark ran"
tap_done
