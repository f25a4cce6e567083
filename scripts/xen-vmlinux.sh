#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ELF kernel inside Debian's bzImage, unpacked once on the host and
# cached: xl then loads it as is instead of decompressing the bzImage's
# payload in dom0, which costs seconds under TCG.  Prints the ELF's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xen-lib.sh"

kver=$(guest_kver)
bz=$CACHE/guest/$kver/vmlinuz
[ -f "$bz" ] || "$VDEVKIT_ROOT/scripts/guest-kernel.sh"
out=$XCACHE/vmlinux-$kver
if [ -f "$out" ]; then echo "$out"; exit 0; fi
xen_lock vmlinux
if [ -f "$out" ]; then echo "$out"; exit 0; fi
# Boot protocol header: setup_sects at 0x1f1, payload_offset and
# payload_length at 0x248 (offset from the protected-mode code, which
# starts after the setup sectors).
hdr=$(od -An -t u1 -j $((0x1f1)) -N 1 "$bz"; od -An -t u4 -j $((0x248)) -N 8 "$bz")
read -r sects off len <<<"$(echo $hdr)"
[ -n "$len" ] || die "xen-vmlinux: cannot read $bz"
[ "$sects" = 0 ] && sects=4
start=$(( (sects + 1) * 512 + off ))
magic=$(od -An -t x1 -j "$start" -N 4 "$bz" | tr -d ' ')
case $magic in
28b52ffd) dec=(zstd -dcq) ;;
fd377a58) dec=(xz -dcq) ;;
1f8b*) dec=(gzip -dc) ;;
*) die "xen-vmlinux: unknown payload compression (magic $magic) in $bz" ;;
esac
tail -c +$((start + 1)) "$bz" | head -c "$len" | "${dec[@]}" >"$out.tmp" 2>/dev/null || true
[ "$(od -An -c -N 4 "$out.tmp" | tr -d ' ')" = '177ELF' ] ||
	{ rm -f "$out.tmp"; die "xen-vmlinux: $bz holds no ELF payload"; }
mv "$out.tmp" "$out"
echo "$out"
