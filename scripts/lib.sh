# SPDX-License-Identifier: GPL-2.0-or-later
# Common settings for vdevkit scripts; sourced, never run.
# Everything heavy lives in the cache, outside the clone, so a fresh clone
# reuses an earlier build keyed on what it depends on.

VDEVKIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VDEVKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vdevkit}
# Per-clone outputs (initramfs, module builds, logs) are git-ignored.
OUT=${VDEVKIT_OUT:-$VDEVKIT_ROOT/build}

# The guest kernel: Debian's 6.12 flavour (bookworm-backports or trixie).
KFLAVOUR=amd64
QEMU_SRCPKG=qemu
QEMU_SERIES=10.0

say() { printf '%s\n' "vdevkit: $*" >&2; }
die() { printf '%s\n' "vdevkit: error: $*" >&2; exit 2; }

is_bookworm() { grep -q '^12' /etc/debian_version 2>/dev/null; }

# Newest linux-image-6.12.*-amd64 package the configured archives offer.
guest_kver() {
	if [ -n "${KVER:-}" ]; then echo "$KVER"; return; fi
	if [ -f "$CACHE/guest/kver" ]; then cat "$CACHE/guest/kver"; return; fi
	apt-cache search --names-only "^linux-image-6\.12\.[0-9]+\+deb[0-9]+-$KFLAVOUR\$" |
		awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -1
}

# QEMU's patched source copy and build dir; a helper working on a branch
# may point this elsewhere so two builds never share a tree.
QEMU_WORK=${VDEVKIT_QEMU_WORK:-$CACHE/qemu}
qemu_bin() { echo "$QEMU_WORK/build/qemu-system-x86_64"; }

# debsrc PKG SERIES [PREFER]: Debian's source package PKG, an upstream
# version SERIES.*, unpacked (Debian's patches applied) as
# $CACHE/src/PKG-UPSTREAM; prints that directory.  One already unpacked is
# reused without asking apt.  Otherwise the versions apt lists are tried,
# PREFER (an exact Debian version) first, then newest first: an archive
# may list a version whose files it no longer serves, so a failed fetch
# falls through to the next.  Dies naming every version tried.
debsrc() {
	local pkg=$1 series=$2 prefer=${3:-} dir vers v got= tried=() dsc up log
	mkdir -p "$CACHE/src"
	log=$CACHE/src/$pkg-fetch.log
	(
		# Checkouts building at once share $CACHE/src.
		flock 8
		dir=$(ls -d "$CACHE/src/$pkg-$series".*/ 2>/dev/null | sort -V | tail -1 || true)
		dir=${dir%/}
		if [ -n "$dir" ] && [ -f "$dir/.vdevkit-unpacked" ]; then
			echo "$dir"
			exit 0
		fi
		vers=$(apt-cache showsrc "$pkg" 2>/dev/null |
			awk -v p="$pkg" -v s="$series." '/^Package: / { mine = $2 == p }
				mine && /^Version: / { v = $2; sub(/^[0-9]+:/, "", v)
					if (index(v, s) == 1) print $2 }' | sort -Vru || true)
		[ -n "$vers" ] || die "$pkg: no $pkg $series source package listed (run scripts/deps.sh)"
		if [ -n "$prefer" ] && grep -qxF "$prefer" <<<"$vers"; then
			vers=$(printf '%s\n' "$prefer"; grep -vxF "$prefer" <<<"$vers")
		fi
		: >"$log"
		for v in $vers; do
			say "$pkg: fetching Debian source $pkg $v"
			tried+=("$v")
			if (cd "$CACHE/src" && apt-get source -q --download-only "$pkg=$v" >>"$log" 2>&1); then
				got=$v
				break
			fi
			say "$pkg: $pkg $v is listed but could not be fetched; trying the next"
		done
		[ -n "$got" ] || { grep -E '^(E|W):' "$log" >&2
			die "$pkg: cannot fetch the $pkg $series source; tried ${tried[*]} (log: $log)"; }
		v=${got#*:}
		dsc=$CACHE/src/${pkg}_$v.dsc
		up=${v%-*}
		up=${up%%[+~]*}
		dir=$CACHE/src/$pkg-$up
		rm -rf "$dir"
		say "$pkg: unpacking $(basename "$dsc")"
		dpkg-source -x "$dsc" "$dir" >"$CACHE/src/$pkg-unpack.log" 2>&1 ||
			{ cat "$CACHE/src/$pkg-unpack.log" >&2; die "$pkg: dpkg-source failed"; }
		touch "$dir/.vdevkit-unpacked"
		echo "$dir"
	) 8>"$CACHE/src/.$pkg.lock"
}
