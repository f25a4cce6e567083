#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod (host/cryptod) under AddressSanitizer/UBSan, host only:
# a client plays QEMU 10.0's vhost-user sequence and a guest's virtqueue
# over a memfd: known-answer AES-CBC requests in several chain shapes,
# sessions, notification suppression both ways, a burst of big and small
# requests at once (a worker pool of 2 takes the big ones: completions in
# any order, one interrupt at the end), then malformed messages and
# descriptor chains (tests/host/cryptod-client.c).  The daemon runs under
# its seccomp filter (the default, kill mode).
. "$(dirname "$0")/../lib/cryptod.sh"
cryptod_client_exec -- --workers 2 --pool-min 4096
