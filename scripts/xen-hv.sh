#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The hypervisor ELF that goes with the dom0 root (scripts/xen-dom0.sh takes
# both from the Xen release's own Debian suite), plus the x86 option ROMs
# QEMU's multiboot loader needs ($CACHE/xen/roms).  Prints the ELF's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xen-lib.sh"

img=$("$VDEVKIT_ROOT/scripts/xen-dom0.sh")
hv=${img%.ext4}.xen.elf
[ -f "$hv" ] || die "xen-hv: no hypervisor $hv beside the dom0 image"

# QEMU's -kernel multiboot path loads multiboot_dma.bin from its data dirs;
# Debian's +ds source ships only the ROM sources, so build the two we use
# (with the host's gcc, -m16, as QEMU's own Makefile does) unless our QEMU
# already finds them.
qsrc=$(ls -d "$CACHE"/src/qemu-[0-9]* 2>/dev/null | sort -V | tail -1 || true)
roms=$XCACHE/roms
xen_lock roms
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
echo "$hv"
