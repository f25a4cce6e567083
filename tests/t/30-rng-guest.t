#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng in a guest: driver contract, user program, one million numbers
# against the host reference, self-test, unload/reload.
cd "$(dirname "$0")/../.." || exit 2
sha=$(build/host/my-rng-ref 0xdecafbad 1000000 | sha256sum | cut -d' ' -f1)
exec scripts/scenario.sh rng-basic --append "vdevkit.rng_sha=$sha"
