#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Pack host binaries with everything they need to run in a guest (whose
# initramfs is busybox and static programs) into one tarball:
#   bundle.sh [-s] OUT.tar.gz FILE[:GUESTPATH] ...
# Each FILE goes to GUESTPATH (default: the same path) inside the guest;
# the shared libraries and loader of every ELF file among them (ldd) go to
# their own paths.  -s strips ELF executables.  Unpack in the guest with
# `tar -xzf /OUT.tar.gz -C /`.
set -euo pipefail
strip=
[ "${1:-}" = -s ] && { strip=1; shift; }
[ $# -ge 2 ] || { echo "usage: bundle.sh [-s] OUT.tar.gz FILE[:GUESTPATH] ..." >&2; exit 2; }
out=$1
shift
stage=$(mktemp -d "${out%.tar.gz}.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"  # it becomes the guest's / when unpacked
elves=()
for spec in "$@"; do
	src=${spec%%:*}
	dst=${spec#*:}
	[ "$dst" = "$spec" ] && dst=$src
	[ -e "$src" ] || { echo "bundle: $src missing" >&2; exit 1; }
	mkdir -p "$stage$(dirname "$dst")"
	elf=
	cmp -s -n 4 "$src" <(printf '\177ELF') && elf=1
	if [ -n "$strip" ] && [ -n "$elf" ] && [ -x "$src" ]; then
		strip -o "$stage$dst" "$src"
	else
		cp -L "$src" "$stage$dst"
	fi
	# ldd fails on static programs and kernel modules: nothing to add.
	[ -n "$elf" ] && ldd "$src" >/dev/null 2>&1 && elves+=("$src")
done
if [ ${#elves[@]} -gt 0 ]; then
	ldd "${elves[@]}" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' |
		sort -u | while read -r lib; do
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
fi
tar -czf "$out" -C "$stage" .
