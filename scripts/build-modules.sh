#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build every guest module (linux/*/Kbuild) against Debian's headers for the
# guest kernel.  Kbuild writes objects next to the sources, so build in a
# copy under $OUT/linux and keep the tree clean.  Modules land in
# $OUT/modules/*.ko.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver=$(guest_kver)
kdir=/usr/src/linux-headers-$kver
[ -d "$kdir" ] || die "modules: $kdir missing (run scripts/deps.sh)"
mkdir -p "$OUT/linux" "$OUT/modules"
# Copy changed files only, so make rebuilds only what changed.
(cd "$VDEVKIT_ROOT/linux" && find . -type f ! -name '*.md') | while read -r f; do
	if ! cmp -s "$VDEVKIT_ROOT/linux/$f" "$OUT/linux/$f"; then
		mkdir -p "$(dirname "$OUT/linux/$f")"
		cp "$VDEVKIT_ROOT/linux/$f" "$OUT/linux/$f"
	fi
done
rm -f "$OUT"/modules/*.ko
for kb in "$VDEVKIT_ROOT"/linux/*/Kbuild; do
	[ -e "$kb" ] || continue
	name=$(basename "$(dirname "$kb")")
	# W=1 and warnings as errors: the modules must build clean.
	make -s -C "$kdir" M="$OUT/linux/$name" W=1 KCFLAGS=-Werror modules \
		>"$OUT/linux/$name.log" 2>&1 ||
		{ cat "$OUT/linux/$name.log" >&2; die "modules: $name failed to build"; }
	if grep -q 'warning:' "$OUT/linux/$name.log"; then
		cat "$OUT/linux/$name.log" >&2
		die "modules: $name built with warnings"
	fi
	cp "$OUT/linux/$name"/*.ko "$OUT/modules/"
done
