# SPDX-License-Identifier: MIT
# A host program of xen/ as a TAP test (sh, sourced by tests/t/4x-xen-*.t):
#   xen_host_exec TARGET PROGRAM [ARGS...]
# builds it with `make -C xen TARGET` and execs build/xen/host/PROGRAM,
# whose TAP is the test's; a failed build is one failing test with its log.
xen_host_exec() {
	target=$1 prog=$2
	shift 2
	top=$(cd "$(dirname "$0")/../.." && pwd)
	out=${VDEVKIT_OUT:-$top/build}/xen
	if ! log=$(nice make -s -C "$top/xen" "$target" OUT="$out" 2>&1); then
		echo "1..1"
		echo "not ok 1 - build $prog (make -C xen $target)"
		printf '%s\n' "$log" | sed 's/^/# /'
		exit 1
	fi
	exec nice "$out/host/$prog" "$@"
}
