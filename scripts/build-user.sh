#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the guest programs (user/*/Makefile, static) into $OUT/user and the
# host-side programs (vdevkit-cryptod) and unit tests (tests/host/Makefile)
# into $OUT/host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$OUT/user" "$OUT/host"
for mk in "$VDEVKIT_ROOT"/user/*/Makefile; do
	[ -e "$mk" ] || continue
	make -s -C "$(dirname "$mk")" OUT="$OUT/user" VDEVKIT_ROOT="$VDEVKIT_ROOT" ||
		die "user: $(dirname "$mk") failed to build"
done
for mk in "$VDEVKIT_ROOT"/host/cryptod/Makefile "$VDEVKIT_ROOT"/tests/host/Makefile; do
	[ -e "$mk" ] || continue
	make -s -C "$(dirname "$mk")" OUT="$OUT/host" VDEVKIT_ROOT="$VDEVKIT_ROOT" ||
		die "host: $(dirname "$mk") failed to build"
done
