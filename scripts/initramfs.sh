#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make the guest's base initramfs, $OUT/initramfs.cpio.gz: busybox-static,
# our init, our modules and the Debian modules the scenarios ask for (with
# modules.dep for modprobe), and our static guest programs.  Per-run files
# travel in a second, small archive (see scripts/vm.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver=$(guest_kver)
kroot=$CACHE/guest/$kver
[ -f "$kroot/.done" ] || die "initramfs: guest kernel not unpacked (run scripts/guest-kernel.sh)"
# Debian's busybox-static installs a static /bin/busybox.
busybox=/bin/busybox
dpkg-query -W busybox-static >/dev/null 2>&1 && [ -x "$busybox" ] ||
	die "initramfs: busybox-static is not installed (run scripts/deps.sh)"

root=$OUT/initramfs.d
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,etc,proc,sys,dev,tmp,run,root,lib/modules/"$kver"/extra}
cp "$busybox" "$root/bin/busybox"
cp "$VDEVKIT_ROOT/guest/init" "$root/init"
mkdir -p "$root/lib/vdevkit"
# Shell helpers the scenarios source: /lib/vdevkit/tap.sh, crypto.sh, ...
cp "$VDEVKIT_ROOT"/guest/*.sh "$root/lib/vdevkit/"
chmod 755 "$root/init"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
printf 'export PATH=/usr/bin:/bin:/sbin\nexport PS1="vdevkit# "\n' >"$root/etc/profile"

# Debian modules named by scenarios ("# modules: a b"), with what they
# depend on.  A name the kernel does not have is an error, not a module
# silently missing from the guest.
want=$(sed -n 's/^# modules://p' "$VDEVKIT_ROOT"/tests/guest/*.sh 2>/dev/null)
mods=$(for m in $want; do
	modprobe -S "$kver" -d "$kroot" --show-depends "$m" ||
		die "initramfs: a scenario asks for module $m, which kernel $kver does not have"
done | awk '$1 == "insmod" { print $2 }' | sort -u)
for m in $mods; do
	rel=${m#"$kroot"/}
	mkdir -p "$root/$(dirname "$rel")"
	cp "$m" "$root/$rel"
done
cp "$kroot/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/" 2>/dev/null || true
cp "$OUT"/modules/*.ko "$root/lib/modules/$kver/extra/" 2>/dev/null || true
depmod -b "$root" "$kver"

cp "$OUT"/user/* "$root/usr/bin/" 2>/dev/null || true

(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) | gzip -1 >"$OUT/initramfs.cpio.gz.tmp"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
