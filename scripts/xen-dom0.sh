#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The dom0 root filesystem: Debian bookworm minbase + xen-utils pinned to the
# hypervisor's version, made once with debootstrap and turned into an ext4
# image without mounting (mkfs.ext4 -d).  Cached in $CACHE/xen, keyed on the
# Xen version, the package list and tests/xen/dom0/setup-root.sh.  The image
# carries no kernel modules: the stage-1 initramfs loads those, so the image
# does not depend on the kernel version.  Prints the image path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xen-lib.sh"

[ "$(id -u)" = 0 ] || die "xen-dom0: needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "xen-dom0: debootstrap missing (run scripts/deps.sh)"
ver=$(xen_version)
[ -n "$ver" ] || die "xen-dom0: apt knows no $XEN_HV_PKG"
setup=$VDEVKIT_ROOT/tests/xen/dom0/setup-root.sh
pkgs="xen-utils-$XEN_SERIES=$ver xenstore-utils kmod procps"
boot="bookworm --variant=minbase $DEBIAN_MIRROR $DEBIAN_SECURITY"
key=$(xen_key "$boot" "$pkgs" "$setup")
img=$XCACHE/dom0-root-$key.ext4
if [ -f "$img" ]; then echo "$img"; exit 0; fi

xen_lock dom0
if [ -f "$img" ]; then echo "$img"; exit 0; fi

root=$XCACHE/dom0-root-$key.tmp
log=$XCACHE/dom0-root-$key.log
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
say "xen-dom0: debootstrap bookworm minbase (log: $log)"
t0=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "xen-dom0: debootstrap failed"; }
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount -t devpts devpts "$root/dev/pts"
say "xen-dom0: installing $pkgs"
cp "$setup" "$root/setup-root.sh"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XEN_PKGS="$pkgs" \
	DEBIAN_MIRROR="$DEBIAN_MIRROR" DEBIAN_SECURITY="$DEBIAN_SECURITY" \
	chroot "$root" /bin/sh /setup-root.sh >>"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "xen-dom0: setup in chroot failed"; }
rm -f "$root/setup-root.sh"
umount_all
got=$(chroot "$root" dpkg-query -W -f='${Version}' "xen-utils-$XEN_SERIES")
[ "$got" = "$ver" ] || die "xen-dom0: xen-utils $got does not match hypervisor $ver"

# Room for logs and the toolstack's state; dom0 mounts it with QEMU's
# snapshot=on, so the cached image itself never changes.
mb=$(( $(du -sm "$root" | cut -f1) * 5 / 4 + 128 ))
rm -f "$img.tmp"
mkfs.ext4 -q -F -L dom0root -d "$root" "$img.tmp" "${mb}M" >>"$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "xen-dom0: mkfs.ext4 -d failed"; }
mv "$img.tmp" "$img"
rm -rf "$root"
say "xen-dom0: $img (${mb} MiB) made in $(( $(date +%s) - t0 )) s"
echo "$img"
