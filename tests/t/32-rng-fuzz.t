#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng fuzzing, short run (make fuzz runs it for FUZZ_SECONDS): hostile
# calls from 4 processes x 2 threads with concurrent seeding and hot-plug.
cd "$(dirname "$0")/../.." &&
	exec scripts/scenario.sh rng-fuzz --append "vdevkit.rng_fuzz_seconds=15 vdevkit.rng_fuzz_min=5000"
