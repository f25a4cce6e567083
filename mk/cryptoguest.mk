# SPDX-License-Identifier: GPL-2.0-or-later
# virtio-crypto, guest side: virtio_cryptodev.ko (linux/virtio_cryptodev),
# guest programs (user/crypto; their build also builds and runs the host
# vector generator tests/host/crypto-gen.c against Debian's libcrypto).
# Tests: tests/t/3[0-8]-crypto-guest-*.t, run by `make check`;
# `make check-cryptoguest` runs just those.
DEMO_TARGETS += crypto-demo
BENCH_TARGETS += bench-cryptoguest

.PHONY: bench-cryptoguest check-cryptoguest
bench-cryptoguest: build
	@$(S)/scenario.sh crypto-bench

check-cryptoguest: build
	@prove -f $(PROVE_FLAGS) $(sort $(wildcard tests/t/3[0-8]-crypto-guest-*.t))
