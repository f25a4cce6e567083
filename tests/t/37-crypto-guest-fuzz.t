#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest scenario tests/guest/crypto-fuzz.sh, a short run: 20 s of ioctls on
# /dev/crypto from 4 processes x 2 threads, on a device in the main loop
# and one with iothread= (make fuzz runs it FUZZ_SECONDS).
cd "$(dirname "$0")/../.." || exit 1
exec scripts/scenario.sh crypto-fuzz --append "vdevkit.fuzz_seconds=20 vdevkit.fuzz_min=20000"
