# SPDX-License-Identifier: GPL-2.0-or-later
# Settings shared by the Xen test-bed scripts; sourced after lib.sh.
# Everything big lives in $CACHE/xen and is keyed on what made it, so a
# fresh clone reuses it and a changed input rebuilds only what it feeds.

XEN_SERIES=4.17
XEN_HV_PKG=xen-hypervisor-$XEN_SERIES-amd64
XCACHE=$CACHE/xen
XOUT=$OUT/xen
DEBIAN_MIRROR=${VDEVKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY=${VDEVKIT_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

# The hypervisor version: the candidate of the host's apt (bookworm-security
# when configured).  xen-utils in dom0 is pinned to the same version, since
# the toolstack and the hypervisor talk an unstable ABI.
xen_version() {
	if [ -n "${XEN_VERSION:-}" ]; then echo "$XEN_VERSION"; return; fi
	apt-cache show --no-all-versions "$XEN_HV_PKG" 2>/dev/null |
		sed -n 's/^Version: //p' | head -1
}

# Short content hash of its arguments' text (files are read, words taken as is).
xen_key() {
	local a
	for a in "$@"; do
		if [ -f "$a" ]; then sha256sum <"$a"; else printf '%s\n' "$a"; fi
	done | sha256sum | cut -c1-12
}

xen_qemu() {
	if [ -n "${VDEVKIT_QEMU:-}" ]; then echo "$VDEVKIT_QEMU"; return; fi
	qemu_bin
}

# Serialise builders of one cached piece across clones and parallel runs
# (the lock is dropped when the script exits).
xen_lock() {
	mkdir -p "$XCACHE"
	exec 9>"$XCACHE/$1.lock"
	flock 9
}
