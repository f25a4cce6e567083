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
rm -rf "$dir/b"
mkdir -p "$dir/b/opt/crypto-qtest" "$dir/b/usr/share/seabios"
bins=("$build/qemu-system-x86_64" "$build/tests/qtest/cryptodev-host-test")
for b in "${bins[@]}"; do
	[ -x "$b" ] || { echo "$b missing (run make qemu)" >&2; exit 1; }
	strip -o "$dir/b/opt/crypto-qtest/$(basename "$b")" "$b"
done
for f in "$@"; do
	cp "$f" "$dir/b/opt/crypto-qtest/"
done
cp /usr/share/seabios/bios-256k.bin "$dir/b/usr/share/seabios/"
# The binaries' shared libraries and loader, at their own paths.
ldd "${bins[@]}" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' |
	sort -u | while read -r lib; do
		mkdir -p "$dir/b$(dirname "$lib")"
		cp -L "$lib" "$dir/b$lib"
	done
tar -czf "$dir/crypto-qtest-bundle.tar.gz" -C "$dir/b" .
rm -rf "$dir/b"
