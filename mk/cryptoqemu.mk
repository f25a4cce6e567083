# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host (QEMU side of virtio-crypto).  Its tests are
# tests/t/3*-crypto-backend-*.t, run by `make check`; this target runs
# just those.

CRYPTOQEMU_TESTS = $(sort $(wildcard tests/t/3*-crypto-backend-*.t))

.PHONY: check-cryptoqemu fuzz-cryptoqemu
check-cryptoqemu: build
	@prove -v $(CRYPTOQEMU_TESTS)

# The virtio-crypto device model and the backend under malformed requests:
# FUZZ_SECONDS in all (four cases: main loop, worker threads, iothread,
# workers on copies), at least 10^6 requests in all; the counts and rate
# are printed.
FUZZ_TARGETS += fuzz-cryptoqemu
fuzz-cryptoqemu: build
	@CRYPTODEV_FUZZ_SECONDS=$$(( $(FUZZ_SECONDS) / 4 )) \
		CRYPTODEV_FUZZ_MIN=250000 \
		prove -v tests/t/32-crypto-backend-fuzz.t
