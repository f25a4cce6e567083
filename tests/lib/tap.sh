# SPDX-License-Identifier: GPL-2.0-or-later
# TAP helpers for host-side tests/t/*.t scripts (bash): . tests/lib/tap.sh
TAP_N=0
TAP_FAIL=0

# result STATUS DESCRIPTION [DIAGNOSTICS]: STATUS 0 passes; diagnostics
# are shown, commented, only on failure.
result() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAIL=$((TAP_FAIL + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
	return 0
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAIL" = 0 ]
	exit $?
}
