#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod (host/cryptod) under AddressSanitizer/UBSan, host only:
# a client plays QEMU 10.0's vhost-user sequence and a guest's virtqueue
# over a memfd: known-answer AES-CBC requests in several chain shapes,
# sessions, notification suppression both ways, then malformed messages
# and descriptor chains (tests/host/cryptod-client.c).
. "$(dirname "$0")/../lib/cryptod.sh"
cryptod_client_exec
