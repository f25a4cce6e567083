#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Unpack Debian's guest kernel into the cache (never into the host's /boot):
#   $CACHE/guest/$KVER/vmlinuz and .../lib/modules/$KVER with modules.dep.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver=$(guest_kver)
[ -n "$kver" ] || die "guest-kernel: unknown kernel version (run scripts/deps.sh)"
dir=$CACHE/guest/$kver
[ -f "$dir/.done" ] && exit 0

mkdir -p "$CACHE/src"
deb=$(ls "$CACHE"/src/linux-image-"$kver"_*.deb 2>/dev/null | tail -1 || true)
if [ -z "$deb" ]; then
	say "guest-kernel: downloading linux-image-$kver"
	(cd "$CACHE/src" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1) ||
		die "guest-kernel: apt-get download linux-image-$kver failed"
	deb=$(ls "$CACHE"/src/linux-image-"$kver"_*.deb | tail -1)
fi
say "guest-kernel: unpacking $(basename "$deb")"
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/x"
dpkg-deb -x "$deb" "$dir.tmp/x"
cp "$dir.tmp/x/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz"
mkdir -p "$dir.tmp/lib"
mv "$dir.tmp/x/lib/modules" "$dir.tmp/lib/modules" 2>/dev/null ||
	mv "$dir.tmp/x/usr/lib/modules" "$dir.tmp/lib/modules"
rm -rf "$dir.tmp/x"
# The package's postinst normally makes modules.dep; busybox's modprobe
# wants it and cannot read .ko.xz, so decompress everything once here.
find "$dir.tmp/lib/modules/$kver" -name '*.ko.xz' -print0 | xargs -0 -r -P"$(nproc)" -n64 xz -d
depmod -b "$dir.tmp" "$kver"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
touch "$dir/.done"
