#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed virtio-crypto requests for a bounded time (short headers,
# lying lengths, huge counts, bad session ids): QEMU stays up, answers
# errors, and still computes correctly afterwards.
# CRYPTODEV_FUZZ_SECONDS sets the duration (default 8).
exec "$(dirname "$0")/crypto-qtest.sh" /cryptodev-host/fuzz
