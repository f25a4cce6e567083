# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host (QEMU side of virtio-crypto).  Its tests are
# tests/t/3*-crypto-backend-*.t, run by `make check`; this target runs
# just those.

CRYPTOQEMU_TESTS = $(sort $(wildcard tests/t/3*-crypto-backend-*.t))

.PHONY: check-cryptoqemu fuzz-cryptoqemu
check-cryptoqemu: build
	@prove -v $(CRYPTOQEMU_TESTS)

# The virtio-crypto device model and the backend under malformed requests:
# FUZZ_SECONDS in all (two cases: main loop and worker threads), at least
# 10^6 requests; the counts and rate are printed.
FUZZ_TARGETS += fuzz-cryptoqemu
fuzz-cryptoqemu: build
	@CRYPTODEV_FUZZ_SECONDS=$$(( $(FUZZ_SECONDS) / 2 )) \
		CRYPTODEV_FUZZ_MIN=500000 \
		prove -v tests/t/32-crypto-backend-fuzz.t
