# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng: demo scenario and benchmark.
DEMO_TARGETS += rng-demo
BENCH_TARGETS += bench-rng

.PHONY: bench-rng
bench-rng: build
	@$(S)/scenario.sh rng-bench

# The long fuzzing run: at least 10^5 calls in FUZZ_SECONDS.
FUZZ_TARGETS += fuzz-rng
.PHONY: fuzz-rng
fuzz-rng: build
	@$(S)/scenario.sh rng-fuzz --timeout $$(($(FUZZ_SECONDS) + 300)) \
		--append "vdevkit.rng_fuzz_seconds=$(FUZZ_SECONDS) vdevkit.rng_fuzz_min=100000"
