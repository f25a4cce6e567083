#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The dom0 root filesystem and the hypervisor that goes with it: Debian
# minbase of the Xen release's suite (VDEVKIT_XEN: 4.17 bookworm, 4.20
# trixie) with its xen-utils and xen-hypervisor installed by one apt run
# inside the root, so toolstack and hypervisor always match and nothing
# depends on the host's release or apt lists.  Made once with debootstrap
# and turned into an ext4 image without mounting (mkfs.ext4 -d); the
# hypervisor is unpacked next to it as an ELF, which QEMU's multiboot loader
# takes.  Cached in $CACHE/xen, keyed on the suite, mirrors, package list and
# tests/xen/dom0/setup-root.sh.  The image carries no kernel modules: the
# stage-1 initramfs loads those, so the image does not depend on the kernel
# version.  Prints the image path; the hypervisor is IMAGE without .ext4
# plus .xen.elf, its Debian version in .version.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xen-lib.sh"

setup=$VDEVKIT_ROOT/tests/xen/dom0/setup-root.sh
pkgs="xen-hypervisor-$XEN_SERIES-amd64 xen-utils-$XEN_SERIES xenstore-utils kmod procps qemu-system-xen fio"
boot="$XEN_SUITE --variant=minbase $DEBIAN_MIRROR $DEBIAN_SECURITY"
key=$(xen_key "$boot" "$pkgs" "$setup")
base=$XCACHE/dom0-$XEN_SERIES-$key
img=$base.ext4
done_() { [ -f "$img" ] && [ -f "$base.xen.elf" ] && [ -f "$base.version" ]; }
if done_; then echo "$img"; exit 0; fi

[ "$(id -u)" = 0 ] || die "xen-dom0: needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "xen-dom0: debootstrap missing (run scripts/deps.sh)"
xen_lock dom0
if done_; then echo "$img"; exit 0; fi

root=$base.tmp
log=$base.log
umount_all() {
	local m
	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
	return 0
}
trap umount_all EXIT
umount_all
rm -rf "$root"
say "xen-dom0: Xen $XEN_SERIES: debootstrap $XEN_SUITE minbase (log: $log)"
t0=$(date +%s)
debootstrap --variant=minbase "$XEN_SUITE" "$root" "$DEBIAN_MIRROR" >"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "xen-dom0: debootstrap $XEN_SUITE failed"; }
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount -t devpts devpts "$root/dev/pts"
say "xen-dom0: installing $pkgs"
cp "$setup" "$root/setup-root.sh"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XEN_PKGS="$pkgs" XEN_SUITE="$XEN_SUITE" \
	DEBIAN_MIRROR="$DEBIAN_MIRROR" DEBIAN_SECURITY="$DEBIAN_SECURITY" \
	chroot "$root" /bin/sh /setup-root.sh >>"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "xen-dom0: setup in chroot failed"; }
rm -f "$root/setup-root.sh"
umount_all
# The toolstack and the hypervisor talk an unstable interface: one
# source version for both.
q() { chroot "$root" dpkg-query -W -f='${Version}' "$1"; }
ver=$(q "xen-hypervisor-$XEN_SERIES-amd64")
got=$(q "xen-utils-$XEN_SERIES")
[ -n "$ver" ] && [ "$got" = "$ver" ] ||
	die "xen-dom0: xen-utils $got does not match hypervisor $ver"
gz=$(ls "$root"/boot/xen-*.gz 2>/dev/null | head -1 || true)
[ -f "$gz" ] || die "xen-dom0: no boot/xen-*.gz from xen-hypervisor-$XEN_SERIES-amd64"
zcat "$gz" >"$base.xen.elf.tmp"
# dom0 never boots Xen itself: the image needs no copy.
rm -f "$root"/boot/xen*

# Room for logs and the toolstack's state; dom0 mounts it with QEMU's
# snapshot=on, so the cached image itself never changes.
mb=$(( $(du -sm "$root" | cut -f1) * 5 / 4 + 128 ))
rm -f "$img.tmp"
mkfs.ext4 -q -F -L dom0root -d "$root" "$img.tmp" "${mb}M" >>"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "xen-dom0: mkfs.ext4 -d failed"; }
mv "$base.xen.elf.tmp" "$base.xen.elf"
echo "$ver" >"$base.version"
mv "$img.tmp" "$img"
rm -rf "$root"
say "xen-dom0: $img (${mb} MiB, Xen $ver) made in $(( $(date +%s) - t0 )) s"
echo "$img"
