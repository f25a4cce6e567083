#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# virtio_cryptodev: clean under Linux checkpatch --strict, builds against the
# guest kernel's headers without a warning (W=1), host vector generator
# confirms every transcribed known answer with OpenSSL, guest programs build
# with -Wall -Wextra -Werror.
set -u
cd "$(dirname "$0")/../.." || exit 1
. scripts/lib.sh
n=0
fail=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

cp_dir=$OUT/checkpatch
if [ ! -f "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$cp_dir" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
for f in linux/virtio_cryptodev/virtio_cryptodev.c linux/virtio_cryptodev/Kbuild \
	linux/include/uapi/linux/cryptodev.h; do
	out=$(perl "$cp_dir/scripts/checkpatch.pl" --strict --no-tree -f "$f" 2>&1)
	echo "$out" | grep -q 'total: 0 errors, 0 warnings, 0 checks'
	r=$?
	[ $r = 0 ] || echo "$out" | sed 's/^/# /'
	t $r "checkpatch --strict: $f"
done

kver=$(guest_kver)
bdir=$OUT/cryptoguest-kbuild
rm -rf "$bdir"
mkdir -p "$bdir/virtio_cryptodev" "$bdir/include"
cp linux/virtio_cryptodev/* "$bdir/virtio_cryptodev/"
cp -r linux/include/uapi "$bdir/include/"
log=$(nice make -C "/usr/src/linux-headers-$kver" M="$bdir/virtio_cryptodev" W=1 2>&1)
r=$?
echo "$log" | grep -E 'warning|error' | sed 's/^/# /'
[ $r = 0 ] && ! echo "$log" | grep -qE 'warning|error' && [ -f "$bdir/virtio_cryptodev/virtio_cryptodev.ko" ]
t $? "module builds against linux-headers-$kver with W=1 and no warnings"

log=$(nice make -s -C user/crypto OUT="$OUT/cryptoguest-user" GEN="$OUT/crypto-gen" 2>&1)
r=$?
[ -z "$log" ] || echo "$log" | sed 's/^/# /'
t $r "guest programs and host vectors build (-Wall -Wextra -Werror, static)"
tmp=$(mktemp)
msg=$("$OUT/crypto-gen/crypto-gen" "$tmp" tests/vectors/*.txt 2>&1)
r=$?
rm -f "$tmp"
echo "$msg" | sed 's/^/# /'
t $r "known-answer vectors in tests/vectors agree with OpenSSL"
echo "1..$n"
exit $fail
