#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed virtio-crypto requests, a whole virtqueue per round (short
# headers, lying lengths, huge counts, bad and closed session ids, bad
# descriptor chains), on the data and control queues, for ciphers, hashes,
# MACs and AES-GCM: every request is answered with a valid status or
# breaks the device alone, QEMU stays up.  Four cases: main loop, workers,
# iothread (the backend on the guest's mapped pages, patch 2050) and
# workers on copies (x-scatter-gather=off).
# A short run; `make fuzz` runs it for FUZZ_SECONDS (at least 10^6).
# CRYPTODEV_FUZZ_SECONDS sets each case's duration (default 6 here),
# CRYPTODEV_FUZZ_MIN the requests each case must reach.
export CRYPTODEV_FUZZ_SECONDS=${CRYPTODEV_FUZZ_SECONDS:-6}
export CRYPTODEV_FUZZ_MIN=${CRYPTODEV_FUZZ_MIN:-30000}
. "$(dirname "$0")/../lib/qtest.sh"
qtest_main cryptodev-host-fuzz-test
