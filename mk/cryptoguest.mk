# SPDX-License-Identifier: GPL-2.0-or-later
# virtio-crypto, guest side: virtio_cryptodev.ko (linux/virtio_cryptodev),
# guest programs (user/crypto), host vector generator (tests/host/crypto-gen.c).
# Tests are tests/t/3[0-6]-crypto-guest-*.t (run by `make check` via prove);
# check-cryptoguest runs just those.

CHECK_TARGETS += check-cryptoguest-prereq
BENCH_TARGETS += bench-cryptoguest
DEMO_TARGETS += demo-cryptoguest

.PHONY: check-cryptoguest-prereq check-cryptoguest bench-cryptoguest demo-cryptoguest

# The guest test program embeds vectors checked against the host's OpenSSL.
check-cryptoguest-prereq:
	$(MAKE) -s -C user/crypto

check-cryptoguest: check-cryptoguest-prereq
	prove -v tests/t/3[0-6]-crypto-guest-*.t

bench-cryptoguest:
	scripts/scenario.sh crypto-bench

demo-cryptoguest:
	scripts/scenario.sh crypto-demo
