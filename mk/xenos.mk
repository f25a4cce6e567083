# SPDX-License-Identifier: MIT
# The Xen guest OS (xen/): blkfront unit tests, the PVH kernel, its Xen
# scenarios (tests/xen/xenos-*.sh, run by scripts/xen-run.sh) and benchmark.
XEN_OUT := $(CURDIR)/build/xen

.PHONY: xen-unit xen-kernel xen-guest-tests xen-bench
xen-unit:
	nice $(MAKE) -C xen check-host OUT=$(XEN_OUT)
xen-kernel:
	@nice $(MAKE) -s -C xen kernel OUT=$(XEN_OUT)
# The Xen scenarios are also tests/t/5x-xen-xenos-*.t (make xen-check).
xen-guest-tests: qemu xen-prep xen-kernel
	prove -f tests/t/5?-xen-xenos-*.t
# One boot: dom0's own direct I/O (the ceiling), then ours (and seed mode)
# and Linux's blkfront through blkback and through qdisk (docs/perf.md).
xen-bench: qemu xen-prep xen-kernel
	@nice $(MAKE) -s -C xen xbench OUT=$(XEN_OUT)
	scripts/xen-run.sh xenos-bench

BENCH_TARGETS += xen-bench

# The blkfront fuzzer: FUZZ_SECONDS and at least 10^6 responses.
.PHONY: xen-fuzz
xen-fuzz:
	nice $(MAKE) -C xen fuzz OUT=$(XEN_OUT)

FUZZ_TARGETS += xen-fuzz

# The demo's Xen part: our guest OS's disk I/O through dom0's blkback.
DEMO_TARGETS += xen:xenos-io
demo: xen-prep xen-kernel
