#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's Xen hypervisor, unpacked into the cache (never installed on the
# host), plus the x86 option ROMs QEMU's multiboot loader needs.
# Prints the directory holding xen.elf and roms/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xen-lib.sh"

ver=$(xen_version)
[ -n "$ver" ] || die "xen-hv: apt knows no $XEN_HV_PKG (is bookworm in sources.list?)"
dir=$XCACHE/hv-$ver
xen_lock hv
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/x" "$XCACHE/debs"
	deb=$(ls "$XCACHE"/debs/"${XEN_HV_PKG}_${ver//:/%3a}"_*.deb 2>/dev/null | tail -1 || true)
	if [ -z "$deb" ]; then
		say "xen-hv: downloading $XEN_HV_PKG $ver"
		(cd "$XCACHE/debs" && apt-get download -q "$XEN_HV_PKG=$ver" >/dev/null 2>&1) ||
			die "xen-hv: apt-get download $XEN_HV_PKG=$ver failed"
		deb=$(ls "$XCACHE"/debs/"${XEN_HV_PKG}"_*.deb | tail -1)
	fi
	dpkg-deb -x "$deb" "$dir.tmp/x"
	gz=$(ls "$dir.tmp"/x/boot/xen-*.gz | head -1)
	[ -f "$gz" ] || die "xen-hv: no boot/xen-*.gz in $deb"
	# QEMU's multiboot loader takes an ELF, not the gzip'd file.
	zcat "$gz" >"$dir.tmp/xen.elf"
	rm -rf "$dir.tmp/x"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	touch "$dir/.done"
fi

# QEMU's -kernel multiboot path loads multiboot_dma.bin from its data dirs;
# Debian's +ds source ships only the ROM sources, so build the two we use
# (with the host's gcc, -m16, as QEMU's own Makefile does) unless our QEMU
# already finds them.
qsrc=$(ls -d "$CACHE"/src/qemu-[0-9]* 2>/dev/null | sort -V | tail -1 || true)
roms=$XCACHE/roms
if [ ! -f "$roms/multiboot_dma.bin" ]; then
	[ -n "$qsrc" ] && [ -f "$qsrc/pc-bios/optionrom/Makefile" ] ||
		die "xen-hv: QEMU source not unpacked (run scripts/qemu-build.sh)"
	rm -rf "$roms.tmp"
	mkdir -p "$roms.tmp"
	cp "$qsrc/pc-bios/optionrom/Makefile" "$roms.tmp/"
	printf 'TOPSRC_DIR=%s\nCC=gcc\nOBJCOPY=objcopy\nPYTHON=python3\n' "$qsrc" >"$roms.tmp/config.mak"
	make -s -C "$roms.tmp" multiboot_dma.bin linuxboot_dma.bin >"$roms.tmp/build.log" 2>&1 ||
		{ cat "$roms.tmp/build.log" >&2; die "xen-hv: option ROM build failed"; }
	rm -rf "$roms"
	mkdir -p "$roms"
	cp "$roms.tmp"/*.bin "$roms/"
	rm -rf "$roms.tmp"
fi
echo "$dir"
