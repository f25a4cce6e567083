# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod, the vhost-user back end for virtio-crypto (host/cryptod;
# docs/vdevkit-cryptod.md).  scripts/build-user.sh builds it into
# build/host; its tests are tests/t/1[34]-cryptod-*.t.

.PHONY: check-cryptod fuzz-cryptod
check-cryptod: user
	@prove -v tests/t/13-cryptod-proto.t tests/t/13-cryptod-sandbox.t tests/t/14-cryptod-fuzz.t

# Random malformed requests at the daemon (ASan/UBSan) for FUZZ_SECONDS,
# and at least 10^6 of them.
FUZZ_TARGETS += fuzz-cryptod
fuzz-cryptod: user
	@CRYPTOD_FUZZ_SECONDS=$(FUZZ_SECONDS) CRYPTOD_FUZZ_MIN=1000000 prove -v tests/t/14-cryptod-fuzz.t
