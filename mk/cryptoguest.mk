# SPDX-License-Identifier: GPL-2.0-or-later
# virtio-crypto, guest side: virtio_cryptodev.ko (linux/virtio_cryptodev),
# guest programs (user/crypto; their build also builds and runs the host
# vector generator tests/host/crypto-gen.c against Debian's libcrypto).
# Tests: tests/t/3[0-8]-crypto-guest-*.t and 39-crypto-openssl-*.t, run by
# `make check`; `make check-cryptoguest` runs just those.
# OpenSSL's devcrypto engine (not in Debian's openssl): `make openssl-engine`
# = scripts/openssl-engine.sh, from Debian's openssl source, into
# build/openssl/devcrypto.so (39-crypto-openssl-devcrypto.t, the bench).
# Fuzzing: `make fuzz-cryptoguest` (part of `make fuzz`): crypto-fuzz's
# ioctls on /dev/crypto for FUZZ_SECONDS, at least 10^6 of them, over a
# device in the main loop and one with iothread=.
# Benchmark: `make bench-cryptoguest` = scripts/crypto-bench.sh (paths a,
# a0, a', b-d of issues 4, 9 and 10 in one run; CRYPTO_BENCH_FLAGS, e.g. "-t 1 -r 1", passed on).
# Profile: `make profile-cryptoguest` = scripts/crypto-profile.sh (where a
# request's time goes, guest and host; CRYPTO_PROFILE_FLAGS, e.g. "-s 4096").
DEMO_TARGETS += crypto-demo
BENCH_TARGETS += bench-cryptoguest
FUZZ_TARGETS += fuzz-cryptoguest
CHECK_TARGETS += openssl-engine

.PHONY: bench-cryptoguest check-cryptoguest fuzz-cryptoguest openssl-engine profile-cryptoguest
openssl-engine: deps
	@$(S)/openssl-engine.sh

bench-cryptoguest: build openssl-engine
	@$(S)/crypto-bench.sh $(CRYPTO_BENCH_FLAGS)

profile-cryptoguest: build
	@$(S)/crypto-profile.sh $(CRYPTO_PROFILE_FLAGS)

check-cryptoguest: build openssl-engine
	@prove -f $(PROVE_FLAGS) $(sort $(wildcard tests/t/3[0-8]-crypto-guest-*.t tests/t/39-crypto-openssl-*.t))

fuzz-cryptoguest: build
	@$(S)/scenario.sh crypto-fuzz --timeout $$(($(FUZZ_SECONDS) + 300)) \
		--append "vdevkit.fuzz_seconds=$(FUZZ_SECONDS) vdevkit.fuzz_min=1000000"
