#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host's afalg provider, in a guest (this host may have no
# AF_ALG): the qtest and our QEMU, with their shared libraries, are copied
# into a guest of Debian's kernel and run there with provider=afalg.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
build=$QEMU_WORK/build
tmp=$OUT/crypto-afalg
rm -rf "$tmp"
mkdir -p "$tmp/b/opt/crypto-qtest" "$tmp/b/usr/share/seabios"
echo "1..1"
bins=("$build/qemu-system-x86_64" "$build/tests/qtest/cryptodev-host-test")
for b in "${bins[@]}"; do
	[ -x "$b" ] || { echo "not ok 1 - $b built (run make qemu)"; exit 1; }
	strip -o "$tmp/b/opt/crypto-qtest/$(basename "$b")" "$b"
done
cp /usr/share/seabios/bios-256k.bin "$tmp/b/usr/share/seabios/"
# The binaries' shared libraries and loader, at their own paths.
ldd "${bins[@]}" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' |
	sort -u | while read -r lib; do
		mkdir -p "$tmp/b$(dirname "$lib")"
		cp -L "$lib" "$tmp/b$lib"
	done
tar -czf "$tmp/crypto-qtest-bundle.tar.gz" -C "$tmp/b" .
out=$(VM_MEM=${VM_MEM:-1024} "$root/scripts/scenario.sh" crypto-backend-afalg \
	--files "$tmp/crypto-qtest-bundle.tar.gz" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^# starting QEMU' | sed 's/^/# /'
fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 6 ]; then
	echo "ok 1 - afalg provider in a guest: $oks qtest cases pass"
else
	echo "not ok 1 - afalg provider in a guest (status $rc, $oks ok, $fails failed)"
fi
[ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 6 ]
