#!/bin/sh
# SPDX-License-Identifier: MIT
# A short run of the blkfront response fuzzer (ASan/UBSan, random seed,
# printed): random and adversarial responses from a backend played by
# hand. `make fuzz` runs the long one. XEN_FUZZ_SECONDS sets this run's
# length (default 10).
. "$(dirname "$0")/../lib/xen-host.sh"
xen_host_exec fuzz-build xen_blkfront_fuzz -t "${XEN_FUZZ_SECONDS:-10}"
