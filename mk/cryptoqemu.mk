# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host (QEMU side of virtio-crypto): build and host tests.
# The tests themselves are tests/t/3[0-2]-crypto-backend-*.t, run by
# `make check`; this file adds a shortcut and the build step.

CRYPTOQEMU_TESTS := $(wildcard tests/t/3*-crypto-backend-*.t)

CHECK_TARGETS += cryptoqemu-build

.PHONY: cryptoqemu-build check-cryptoqemu

cryptoqemu-build:
	nice scripts/qemu-build.sh

check-cryptoqemu: cryptoqemu-build
	prove -v $(CRYPTOQEMU_TESTS)
