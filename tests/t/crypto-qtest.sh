#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run cryptodev-host-test (QEMU qtest) cases and print their TAP.
#   crypto-qtest.sh <glib test path> ...
# Builds QEMU first if needed (a no-op when it is up to date).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"

build=$QEMU_WORK/build
log=$OUT/crypto-qtest-build.log
mkdir -p "$OUT"
if ! nice "$VDEVKIT_ROOT/scripts/qemu-build.sh" >"$log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - QEMU with cryptodev-backend-host builds (see $log)"
	tail -20 "$log" | sed 's/^/# /'
	exit 1
fi
test_bin=$build/tests/qtest/cryptodev-host-test
if [ ! -x "$test_bin" ]; then
	echo "1..1"
	echo "not ok 1 - $test_bin was built"
	exit 1
fi
args=()
for p in "$@"; do
	args+=(-p "$p")
done
cd "$build"
QTEST_QEMU_BINARY=./qemu-system-x86_64 exec "$test_bin" --tap -k "${args[@]}"
