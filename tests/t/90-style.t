#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Style: Linux checkpatch --strict on linux/, QEMU's checkpatch on qemu/
# (files and patches) and host/crypto/ (built into QEMU), and an SPDX line
# in every tracked file.  Warnings in our C are errors where it is built
# (modules with W=1, programs with -Wall -Wextra -Werror), so the build
# that make check starts with fails on them; this file is the one place
# checkpatch runs.
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$VDEVKIT_ROOT" || exit 2
. guest/tap.sh

# Linux's checkpatch comes from Debian's linux-source package.
lcp=$CACHE/checkpatch/linux-source-6.12/scripts/checkpatch.pl
if [ ! -f "$lcp" ]; then
	mkdir -p "$CACHE/checkpatch"
	tar -C "$CACHE/checkpatch" -xf /usr/src/linux-source-6.12.tar.xz --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
fi
while IFS= read -r f; do
	out=$(perl "$lcp" --strict --no-tree --quiet --show-types -f "$f" 2>&1)
	result $? "Linux checkpatch --strict: $f" "$out"
done < <(find linux -name '*.[ch]' | sort)

qcp=$QEMU_WORK/src/scripts/checkpatch.pl
while IFS= read -r f; do
	# Run from qemu/ so paths look like QEMU's own (tests/ rules apply).
	out=$(cd qemu && perl "$qcp" --no-tree --terse "${f#qemu/}" 2>&1 | grep -v '^total: 0 errors, 0 warnings')
	st=$?
	result $((st == 0)) "QEMU checkpatch: $f" "$out"
done < <(find qemu -name '*.[ch]' -o -name '*.patch' | sort)
# The crypto provider library is built into QEMU too: QEMU's style.
while IFS= read -r f; do
	out=$(perl "$qcp" --no-tree --terse "$f" 2>&1 | grep -v '^total: 0 errors, 0 warnings')
	st=$?
	result $((st == 0)) "QEMU checkpatch: $f" "$out"
done < <(find host/crypto -name '*.[ch]' | sort)

missing=$(git ls-files | grep -v -E '^\.gitignore$|\.(json|txt|vec|bin)$' |
	while IFS= read -r f; do
		[ -f "$f" ] && ! head -n 15 "$f" | grep -q 'SPDX-License-Identifier' && echo "$f"
	done)
result "$([ -z "$missing" ]; echo $?)" "every tracked file has an SPDX line" "$missing"

tap_done
