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
# qtest_add_func() puts the target architecture first in the test path
for p in "$@"; do
	args+=(-p "/x86_64$p")
done
cd "$build"
# GLib prints a plan per -p path and "Bail out!" when an assertion aborts
# the run; turn that into one TAP stream with one plan for prove.
set +e
QTEST_QEMU_BINARY=./qemu-system-x86_64 "$test_bin" --tap -k "${args[@]}" 2>&1 |
awk '
	/^1\.\.[0-9]+$/ { next }
	/^(not )?ok [0-9]+/ {
		n++
		not = ($1 == "not")
		sub(/^(not )?ok [0-9]+/, "")
		printf "%sok %d%s\n", not ? "not " : "", n, $0
		if (not) bad++
		next
	}
	/^Bail out!/ { n++; bad++; printf "not ok %d - %s\n", n, $0; next }
	/^#/ { print; next }
	{ print "# " $0 }
	END {
		if (n == 0) { n = 1; bad++; print "not ok 1 - no test ran" }
		printf "1..%d\n", n
		exit bad ? 1 : 0
	}'
rc=("${PIPESTATUS[@]}")
[ "${rc[0]}" = 0 ] && [ "${rc[1]}" = 0 ]
