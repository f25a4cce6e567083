#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A short run of vdevkit-cryptod's request fuzzer (ASan/UBSan, random seed,
# printed): random descriptor chains and request headers with good
# requests mixed in and checked, rings run wild and set up again, bursts
# of random vhost-user messages; the daemon polls (--poll), 13 has it sleep.
# `make fuzz-cryptod` runs the long one; CRYPTOD_FUZZ_SECONDS sets this
# run's length (default 5), CRYPTOD_FUZZ_MIN the fewest requests.
. "$(dirname "$0")/../lib/cryptod.sh"
cryptod_client_exec --fuzz "${CRYPTOD_FUZZ_SECONDS:-5}" --min "${CRYPTOD_FUZZ_MIN:-10000}" --poll
