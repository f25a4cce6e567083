#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build QEMU 10.0 from Debian's source package with vdevkit's devices.
#
#   $CACHE/src/qemu-VER            pristine source, Debian's patches applied
#   $QEMU_WORK/src                 copy of it + our qemu/ tree + qemu/patches
#   $QEMU_WORK/build               the build; qemu-system-x86_64, qtests
#
# A rebuild only recompiles what changed: overlay files are copied only when
# their content differs, and the tree is recreated only when the source
# version or our patches change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE/src" "$QEMU_WORK"
exec 9>"$QEMU_WORK/.lock"
flock 9

# --- 1. Debian's source package -------------------------------------------
pristine=$(debsrc "$QEMU_SRCPKG" "$QEMU_SERIES")

# --- 2. Working tree: pristine + our files + our patches ------------------
patches=$(ls "$VDEVKIT_ROOT"/qemu/patches/*.patch 2>/dev/null || true)
key="$(basename "$pristine") $(cat /dev/null $patches | sha256sum | cut -c1-16)"
work=$QEMU_WORK/src
if [ "$(cat "$work/.vdevkit-key" 2>/dev/null)" != "$key" ]; then
	say "qemu: preparing source tree ($key)"
	rm -rf "$work"
	cp -a "$pristine" "$work"
	for p in $patches; do
		patch -s -p1 -d "$work" <"$p" >"$QEMU_WORK/patch.log" 2>&1 ||
			{ cat "$QEMU_WORK/patch.log" >&2; die "qemu: $(basename "$p") does not apply"; }
	done
	echo "$key" >"$work/.vdevkit-key"
fi
# Overlay: copy a file only if it changed, so ninja sees only real changes.
# Our qemu/ tree goes to the same paths; the host crypto provider library
# (host/crypto, shared with non-QEMU host programs) to backends/hostcrypto.
overlay() {
	local from=$1 to=$2 f
	(cd "$from" && find . -type f ! -path './patches/*' ! -name '*.md') |
	while read -r f; do
		if ! cmp -s "$from/$f" "$to/$f"; then
			mkdir -p "$(dirname "$to/$f")"
			cp "$from/$f" "$to/$f"
		fi
	done
}
overlay "$VDEVKIT_ROOT/qemu" "$work"
overlay "$VDEVKIT_ROOT/host/crypto" "$work/backends/hostcrypto"

# --- 3. Configure (once per set of options) -------------------------------
cc=cc
[ -x /usr/lib/ccache/cc ] && cc=/usr/lib/ccache/cc
# Relative paths in ccache's keys, so trees in other work dirs share hits.
export CCACHE_BASEDIR=$QEMU_WORK
conf=(--python=/usr/bin/python3 --cc="$cc" --target-list=x86_64-softmmu
	--without-default-features --enable-tcg --enable-slirp --enable-fdt=system
	--enable-gnutls --enable-nettle --disable-docs --disable-install-blobs
	--enable-vhost-user --enable-vhost-crypto --disable-werror)
build=$QEMU_WORK/build
# Bump conf_rev when the way we configure changes in a way args do not show.
conf_rev=2
ckey="$(basename "$pristine") r$conf_rev ${conf[*]}"
if [ "$(cat "$build/.vdevkit-config" 2>/dev/null)" != "$ckey" ]; then
	say "qemu: configuring"
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && "$work/configure" "${conf[@]}") >"$QEMU_WORK/configure.log" 2>&1 ||
		{ tail -30 "$QEMU_WORK/configure.log" >&2; die "qemu: configure failed (log: $QEMU_WORK/configure.log)"; }
	# Option ROMs (linuxboot_dma.bin for -kernel) need a 32-bit capable gcc.
	[ -f "$build/pc-bios/optionrom/config.mak" ] ||
		die "qemu: configure found no 32-bit compiler for the option ROMs (install gcc-multilib)"
	echo "$ckey" >"$build/.vdevkit-config"
fi

# --- 4. Build, with progress -----------------------------------------------
targets=(qemu-system-x86_64)
# Our qtests: files in qemu/tests/qtest and those our patches add.
for t in "$VDEVKIT_ROOT"/qemu/tests/qtest/*-test.c \
	$(sed -n 's|^+++ b/\(tests/qtest/[^/]*-test\.c\)$|\1|p' /dev/null $patches); do
	[ -e "$t" ] || [ -e "$work/$t" ] || continue
	targets+=("tests/qtest/$(basename "$t" .c)")
done
log=$QEMU_WORK/build.log
# mawk 1.3.4-20250131 (trixie) reads a pipe in blocks, so no progress
# showed until the build ended; gawk does not know the option.
awk_lines=()
if awk -W version 2>/dev/null | grep -q '^mawk'; then awk_lines=(-W interactive); fi
set +e
ninja -C "$build" "${targets[@]}" 2>&1 | tee "$log" |
	awk "${awk_lines[@]}" -v tty="$([ -t 2 ] && echo 1)" '
		# Say something only when there is real work (not the
		# always-regenerated version header).
		/^\[[0-9]+\/[0-9]+\]/ {
			split(substr($1, 2), a, "/")
			if (a[2] + 0 < 10) next
			if (!shown) { print "vdevkit: qemu: building" > "/dev/stderr"; shown = 1 }
			pct = int(100 * a[1] / a[2])
			if (tty) { printf "\rvdevkit: qemu: %3d%% [%s/%s]", pct, a[1], a[2] > "/dev/stderr" }
			else if (pct >= nxt) { printf "vdevkit: qemu: %d%%\n", pct > "/dev/stderr"; nxt = pct + 10 }
		}
		END { if (tty && shown) print "" > "/dev/stderr" }'
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then
	grep -E -B2 -A12 'error|FAILED' "$log" | head -60 >&2
	die "qemu: build failed (log: $log)"
fi
make -s -C "$build/pc-bios/optionrom" >"$QEMU_WORK/optionrom.log" 2>&1 ||
	{ cat "$QEMU_WORK/optionrom.log" >&2; die "qemu: option ROM build failed"; }
# Firmware comes from Debian's seabios; QEMU run from its build tree looks
# in its qemu-bundle data directory.
data=$build/qemu-bundle/usr/local/share/qemu
mkdir -p "$data"
for f in /usr/share/seabios/*.bin "$build"/pc-bios/optionrom/*.bin; do
	ln -sf "$f" "$data/$(basename "$f")"
done
