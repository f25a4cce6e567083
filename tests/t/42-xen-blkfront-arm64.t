#!/bin/bash
# SPDX-License-Identifier: MIT
# The blkfront core is portable: clang builds it for arm64 with -Werror,
# and there its ring barriers are real instructions (dmb ish for the full
# and release fences, ldar for the acquire load of rsp_prod), where x86
# needs none of them but the full barrier.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/guest/tap.sh"
out=${VDEVKIT_OUT:-$top/build}/xen
s=$out/blkfront-arm64.s
rm -f "$s"
log=$(nice make -s -C "$top/xen" arm64-check OUT="$out" 2>&1)
result $? "clang builds the blkfront core for arm64 with -Werror" "$log"
dmb=$(grep -cE '^[[:space:]]*dmb[[:space:]]+ish$' "$s" 2>/dev/null)
[ "${dmb:-0}" -ge 3 ]
result $? "full and release fences are dmb ish (${dmb:-0}, want >= 3)"
ldar=$(grep -cE '^[[:space:]]*ldar[[:space:]]' "$s" 2>/dev/null)
[ "${ldar:-0}" -ge 1 ]
result $? "rsp_prod is read with a load-acquire, ldar (${ldar:-0})"
tap_done
