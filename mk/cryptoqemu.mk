# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host (QEMU side of virtio-crypto).  Its tests are
# tests/t/3[0-3]-crypto-backend-*.t, run by `make check`; this target runs
# just those.

CRYPTOQEMU_TESTS = $(sort $(wildcard tests/t/3*-crypto-backend-*.t))

.PHONY: check-cryptoqemu
check-cryptoqemu: build
	@prove -v $(CRYPTOQEMU_TESTS)
