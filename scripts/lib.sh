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
