#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Busybox initramfs images for the Xen test bed, built from Debian's 6.12
# kernel modules (scripts/guest-kernel.sh) and cached, keyed on their inputs:
#   xen-initrd.sh dom0   stage 1 of dom0: loads virtio-blk, ext4 and the Xen
#                        backend modules, mounts the dom0 root and the run's
#                        payload disk, switch_root to the payload's init
#   xen-initrd.sh domU   the Linux comparison guest: xen-blkfront and the
#                        guest-side tests in tests/xen/linux-domU/
# Prints the image path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xen-lib.sh"

kind=${1:-}
kver=$(guest_kver)
kdir=$CACHE/guest/$kver
[ -f "$kdir/.done" ] || "$VDEVKIT_ROOT/scripts/guest-kernel.sh"
bb=$(command -v busybox) || die "xen-initrd: busybox-static missing (run scripts/deps.sh)"
file -L "$bb" 2>/dev/null | grep -q 'statically linked' ||
	[ -x /bin/busybox ] || die "xen-initrd: need a static busybox"

case $kind in
dom0)
	mods="virtio_blk ext4 xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback loop"
	files=("$VDEVKIT_ROOT/tests/xen/dom0/stage1-init")
	;;
domU)
	mods="xen-blkfront"
	files=("$VDEVKIT_ROOT"/tests/xen/linux-domU/*)
	;;
*) die "usage: xen-initrd.sh dom0|domU" ;;
esac

key=$(xen_key "$kind" "$kver" "$mods" "$(command -v busybox)" "${files[@]}" "$VDEVKIT_ROOT/guest/tap.sh")
img=$XCACHE/initrd-$kind-$key.cpio.gz
if [ -f "$img" ]; then echo "$img"; exit 0; fi

mkdir -p "$XCACHE"
tmp=$(mktemp -d "$XCACHE/initrd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,tmp,newroot,lib/modules}
cp "$bb" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
# Load order from the kernel's own dependency data; crc32c-intel needs
# SSE4.2, which TCG's qemu64 CPU lacks (crc32c_generic serves instead).
: >"$tmp/lib/modules/load-order"
for m in $mods; do
	modprobe -d "$kdir" -S "$kver" --show-depends "$m" | while read -r what path _; do
		[ "$what" = insmod ] || continue
		case $path in *crc32c-intel*) continue ;; esac
		b=$(basename "$path")
		grep -qx "$b" "$tmp/lib/modules/load-order" && continue
		cp "$path" "$tmp/lib/modules/$b"
		echo "$b" >>"$tmp/lib/modules/load-order"
	done
done
if [ "$kind" = dom0 ]; then
	install -m 755 "$VDEVKIT_ROOT/tests/xen/dom0/stage1-init" "$tmp/init"
else
	install -m 755 "$VDEVKIT_ROOT/tests/xen/linux-domU/init" "$tmp/init"
	mkdir -p "$tmp/tests" "$tmp/lib/vdevkit"
	install -m 644 "$VDEVKIT_ROOT/guest/tap.sh" "$tmp/lib/vdevkit/tap.sh"
	for f in "${files[@]}"; do
		[ "$(basename "$f")" = init ] && continue
		install -m 755 "$f" "$tmp/tests/"
	done
fi
(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$img.tmp"
mv "$img.tmp" "$img"
echo "$img"
