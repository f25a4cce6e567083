#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): AES-128-CBC through /dev/crypto at 64 B .. 1 MiB.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
. /lib/vdevkit/tap.sh

crypto-bench -t 2 | sed 's/^/# /'
ok $? "benchmark ran"
tap_done
