#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Pack our qemu-system-x86_64, the cryptodev-host qtest, their shared
# libraries and the BIOS into DIR/crypto-qtest-bundle.tar.gz, for running
# the qtest inside a guest (tests/guest/crypto-backend-{afalg,devcrypto}.sh).
#   crypto-bundle.sh DIR [extra files for /opt/crypto-qtest ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"
dir=$1
shift
build=$QEMU_WORK/build
files=()
for b in "$build/qemu-system-x86_64" "$build/tests/qtest/cryptodev-host-test"; do
	[ -x "$b" ] || { echo "$b missing (run make qemu)" >&2; exit 1; }
	files+=("$b:/opt/crypto-qtest/$(basename "$b")")
done
for f in "$@"; do
	files+=("$f:/opt/crypto-qtest/$(basename "$f")")
done
files+=(/usr/share/seabios/bios-256k.bin)
mkdir -p "$dir"
"$here/bundle.sh" -s "$dir/crypto-qtest-bundle.tar.gz" "${files[@]}"
