# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit: virtual devices for QEMU and Xen, with guest drivers and tests.
#
#   make demo       build everything, boot a guest, show the devices work
#   make check      every test (host, qtest, guest, style); TAP summary
#   make run        a guest shell with the devices (DEVICES="..." to change)
#   make vm-run FILES="./prog" CMD="/prog -v"   run your program in a guest
#   make bench      benchmarks (figures go to docs/perf.md by hand)
#   make fuzz       long fuzzing runs (a short run of each is in make check)
#   make clean      remove build/ (the QEMU/kernel cache stays)
#
# Subsystems add their own rules in mk/*.mk, tests in tests/t/*.t, and
# append to CHECK_TARGETS (made before the tests run), BENCH_TARGETS and
# FUZZ_TARGETS (make targets) and DEMO_TARGETS (guest scenarios).

SHELL := /bin/bash
OUT := $(CURDIR)/build
export VDEVKIT_OUT := $(OUT)
S := $(CURDIR)/scripts

# Devices for `make run` / `make vm-run`.
DEVICES ?= -device my_rng -device my_rng

.PHONY: all deps qemu kernel modules user initramfs build run vm-run demo \
	check bench fuzz clean help

all: build

help:
	@awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' Makefile

deps:
	@$(S)/deps.sh

# Each build step is a script that is fast when there is nothing to do.
qemu: deps
	@$(S)/qemu-build.sh

kernel: deps
	@$(S)/guest-kernel.sh

modules: deps
	@$(S)/build-modules.sh

user: deps
	@$(S)/build-user.sh

initramfs: kernel modules user
	@$(S)/initramfs.sh

build: qemu initramfs

run: build
	@$(S)/vm.sh --shell -- $(DEVICES)

vm-run: build
	@$(S)/vm.sh --files "$(FILES)" --cmd "$(CMD)" -- $(DEVICES)

CHECK_TARGETS :=
BENCH_TARGETS :=
FUZZ_TARGETS :=
DEMO_TARGETS :=
include $(sort $(wildcard mk/*.mk))

demo: build
	@$(S)/demo.sh $(DEMO_TARGETS)

# prove runs every tests/t/*.t (each prints TAP) and prints the summary
# line CI reads; the style checks are tests too.
check: build $(CHECK_TARGETS)
	@cd $(CURDIR) && prove -f $(PROVE_FLAGS) $(sort $(wildcard tests/t/*.t))

bench: build $(BENCH_TARGETS)

# Each fuzz target is bounded in time (FUZZ_SECONDS each) and prints its
# counts; make check runs a short run of each.
FUZZ_SECONDS ?= 600
export FUZZ_SECONDS
fuzz: build $(FUZZ_TARGETS)

clean:
	rm -rf $(OUT)
