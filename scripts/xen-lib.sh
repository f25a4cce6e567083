# SPDX-License-Identifier: GPL-2.0-or-later
# Settings shared by the Xen test-bed scripts; sourced after lib.sh.
# Everything big lives in $CACHE/xen and is keyed on what made it, so a
# fresh clone reuses it and a changed input rebuilds only what it feeds.

# The Xen release under test, VDEVKIT_XEN: its hypervisor and dom0
# toolstack both come from one Debian release's archive, installed into the
# dom0 root (scripts/xen-dom0.sh), never from the host's apt lists, so the
# test bed is the same on any host release.
XEN_SERIES=${VDEVKIT_XEN:-4.17}
case $XEN_SERIES in
4.17) XEN_SUITE=bookworm ;;
4.20) XEN_SUITE=trixie ;;
*) die "VDEVKIT_XEN=$XEN_SERIES: the test bed knows Xen 4.17 (bookworm) and 4.20 (trixie)" ;;
esac
XCACHE=$CACHE/xen
XOUT=$OUT/xen
DEBIAN_MIRROR=${VDEVKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY=${VDEVKIT_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

# Short content hash of its arguments' text (files are read, words taken as is).
xen_key() {
	local a
	for a in "$@"; do
		if [ -f "$a" ]; then sha256sum <"$a"; else printf '%s\n' "$a"; fi
	done | sha256sum | cut -c1-12
}

# Serialise builders of one cached piece across clones and parallel runs
# (the lock is dropped when the script exits).
xen_lock() {
	mkdir -p "$XCACHE"
	exec 9>"$XCACHE/$1.lock"
	flock 9
}
