#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's recipe for vdevkit-cryptod with Debian's QEMU under libvirt:
# its domain XML passes libvirt's own schema (virt-xml-validate, from
# scripts/deps.d/cryptod.list), shares the guest's RAM as a memfd, and
# passes QEMU the -chardev/-object/-device arguments of the README's QEMU
# command line (the one tests/t/39-cryptod-stock-qemu.t runs).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/guest/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
readme=$top/README.md
# the first xml block, and the shell block holding qemu-system-x86_64
sed -n '/^```xml$/,/^```$/{/^```/d;p}' "$readme" | sed '/^<\/domain>$/q' >"$tmp/domain.xml"
awk '/^```$/ { inb = !inb; if (!inb && hit) exit; if (inb) { buf = ""; hit = 0 } next }
     inb { buf = buf $0 "\n"; if ($0 ~ /^qemu-system-x86_64 /) hit = 1 }
     END { printf "%s", buf }' "$readme" >"$tmp/cmdline"

if command -v virt-xml-validate >/dev/null; then
	out=$(virt-xml-validate "$tmp/domain.xml" domain 2>&1)
	result $? "README's libvirt domain XML passes virt-xml-validate" "$out"
else
	ok 1 "virt-xml-validate (libvirt-clients) installed: run scripts/deps.sh"
fi
check "the XML shares guest RAM as a memfd" \
	grep -q "<source type='memfd'/>" "$tmp/domain.xml"
check "... with shared access" grep -q "<access mode='shared'/>" "$tmp/domain.xml"
check "the README's QEMU command line shares a memfd" \
	grep -q 'memory-backend-memfd,.*share=on' "$tmp/cmdline"
args=$(sed -n "s/.*<qemu:arg value='\([^']*\)'\/>.*/\1/p" "$tmp/domain.xml" |
	paste -d' ' - -)
n=0
while read -r opt val; do
	[ -n "$opt" ] || continue
	n=$((n + 1))
	check "XML passes '$opt $val', as the README's command line does" \
		grep -qF -- "$opt $val" "$tmp/cmdline"
done <<EOT
$args
EOT
is "$n" 3 "the XML passes three options (chardev, object, device)"
tap_done
