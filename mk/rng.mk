# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng: demo scenario and benchmark.
DEMO_TARGETS += rng-demo
BENCH_TARGETS += bench-rng

.PHONY: bench-rng
bench-rng: build
	@$(S)/scenario.sh rng-bench
