#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages vdevkit needs; idempotent and quiet when all
# is present.  Package lists live in scripts/deps.d/*.list (one name per
# line, '#' comments) so each subsystem owns its own list.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "deps: run as root (it installs Debian packages)"
[ -r /etc/debian_version ] || die "deps: this is not a Debian system"

export DEBIAN_FRONTEND=noninteractive
updated=

apt_update() {
	[ -n "$updated" ] && return
	say "deps: apt-get update"
	apt-get update -q >"$CACHE/apt-update.log" 2>&1 ||
		{ cat "$CACHE/apt-update.log" >&2; die "deps: apt-get update failed"; }
	updated=1
}

mkdir -p "$CACHE"
src=/etc/apt/sources.list.d
# Bookworm needs backports for meson >= 1.5; QEMU 10.0's source package is
# taken from trixie on both releases (deb-src only, nothing is installed
# from trixie).
if is_bookworm && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list $src; then
	cat >$src/vdevkit-backports.sources <<'EOT'
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	updated=
	apt_update
fi
# Every archive that may hold QEMU 10.0's source is configured, whatever is
# listed already: an archive can list a version whose files it no longer
# serves (bookworm-backports did), and qemu-build.sh falls back from one
# listed version to the next.
if ! grep -rqs '^Suites: trixie trixie-updates' $src/vdevkit-trixie-src.sources; then
	cat >$src/vdevkit-trixie-src.sources <<'EOT'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	updated=
	apt_update
fi
# The host release's own sources, with its security updates: OpenSSL's
# devcrypto engine is built from the source of the host's libssl
# (scripts/openssl-engine.sh), which bookworm's security archive may hold.
rel=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$rel" ] || die "deps: /etc/os-release names no release (VERSION_CODENAME)"
if ! grep -rqs "^Suites: $rel-security" $src/vdevkit-host-src.sources; then
	main="$rel $rel-updates"
	# trixie and trixie-updates are listed above already.
	[ "$rel" = trixie ] && main=
	{
		[ -z "$main" ] || printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
			"Suites: $main" 'Components: main' \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' ''
		printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian-security' \
			"Suites: $rel-security" 'Components: main' \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
	} >$src/vdevkit-host-src.sources
	updated=
	apt_update
fi

want=$(sed -e 's/#.*//' "$VDEVKIT_ROOT"/scripts/deps.d/*.list | tr -s ' \t' '\n' | sort -u | grep . || true)
missing=()
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
# scripts/deps.d/*.bpo: packages bookworm takes from bookworm-backports
# and trixie from main, one a line, with the oldest version that will do
# if any ("meson 1.5").
bpo=()
while read -r p v; do
	cur=$(dpkg-query -W -f='${Status} ${Version}\n' "$p" 2>/dev/null |
		sed -n 's/^install ok installed //p' || true)
	if [ -n "$cur" ] && { [ -z "$v" ] || dpkg --compare-versions "$cur" ge "$v"; }; then
		continue
	fi
	if is_bookworm; then bpo+=("$p"); else missing+=("$p"); fi
done < <(sed -e 's/#.*//' "$VDEVKIT_ROOT"/scripts/deps.d/*.bpo | grep -v '^[[:space:]]*$')
if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	say "deps: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >"$CACHE/apt-install.log" 2>&1 ||
		{ tail -20 "$CACHE/apt-install.log" >&2; die "deps: apt-get install failed"; }
	# ccache's links are made for the compilers present when its postinst
	# ran; installed in one go with gcc, /usr/lib/ccache/cc may be missing
	# until a later install, and QEMU would be configured twice.
	if command -v update-ccache-symlinks >/dev/null; then update-ccache-symlinks; fi
fi
# After the main archive's packages, so that what they need is already
# there from bookworm: with -t, apt takes every new dependency from
# backports (libelf1 from there broke libelf-dev on a fresh bookworm).
if [ ${#bpo[@]} -gt 0 ]; then
	apt_update
	say "deps: installing from bookworm-backports: ${bpo[*]}"
	apt-get install -y -q -t bookworm-backports --no-install-recommends "${bpo[@]}" >"$CACHE/apt-install.log" 2>&1 ||
		{ tail -20 "$CACHE/apt-install.log" >&2; die "deps: apt-get install failed"; }
fi

# The guest kernel's headers must match the image we boot.
kver=$(guest_kver)
[ -n "$kver" ] || { apt_update; kver=$(guest_kver); }
[ -n "$kver" ] || die "deps: no linux-image-6.12 package in the configured archives"
if ! dpkg-query -W -f='${Status}\n' "linux-headers-$kver" 2>/dev/null | grep -q 'ok installed'; then
	apt_update
	say "deps: installing linux-headers-$kver"
	apt-get install -y -q --no-install-recommends "linux-headers-$kver" >"$CACHE/apt-install.log" 2>&1 ||
		{ tail -20 "$CACHE/apt-install.log" >&2; die "deps: cannot install linux-headers-$kver"; }
fi
mkdir -p "$CACHE/guest"
echo "$kver" >"$CACHE/guest/kver"
