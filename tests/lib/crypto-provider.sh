# SPDX-License-Identifier: GPL-2.0-or-later
# A provider of cryptodev-backend-host tested inside a guest, as a one-test
# TAP file (bash):
#   . tests/lib/crypto-provider.sh
#   provider_in_guest NAME DESCRIPTION [FILE ...]
# Packs our QEMU, the cryptodev-host qtest and their libraries (plus the
# FILEs) with tests/t/crypto-bundle.sh, boots the guest scenario
# tests/guest/crypto-backend-NAME.sh with them and passes when its qtest
# cases (at least six) all pass.
provider_in_guest() {
	local name=$1 what=$2 root tmp out rc fails oks
	shift 2
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	. "$root/scripts/lib.sh"
	tmp=$OUT/crypto-$name
	mkdir -p "$tmp"
	echo "1..1"
	if ! "$root/tests/t/crypto-bundle.sh" "$tmp" "$@" >"$tmp/bundle.log" 2>&1; then
		echo "not ok 1 - bundle for the guest (see $tmp/bundle.log)"
		exit 1
	fi
	out=$(VM_MEM=${VM_MEM:-1024} "$root/scripts/scenario.sh" "crypto-backend-$name" \
		--files "$tmp/crypto-qtest-bundle.tar.gz" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^# starting QEMU' | sed 's/^/# /'
	fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
	oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
	if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 6 ]; then
		echo "ok 1 - $what: $oks qtest cases pass"
		exit 0
	fi
	echo "not ok 1 - $what (status $rc, $oks ok, $fails failed)"
	exit 1
}
