# SPDX-License-Identifier: GPL-2.0-or-later
# A provider of cryptodev-backend-host tested inside a guest (bash):
#   . tests/lib/crypto-provider.sh
#   provider_in_guest NAME DESCRIPTION [FILE ...]
# Packs our QEMU, the cryptodev-host qtest and their libraries (plus the
# FILEs) with tests/t/crypto-bundle.sh, boots the guest scenario
# tests/guest/crypto-backend-NAME.sh with them and prints the qtest's
# cases as TAP (tests/lib/qtest.sh): every case the guest asked for must
# report and pass.
provider_in_guest() {
	local name=$1 what=$2 root tmp out rc n bad
	shift 2
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	. "$root/scripts/lib.sh"
	. "$root/tests/lib/qtest.sh"
	tmp=$OUT/crypto-$name
	mkdir -p "$tmp"
	if ! "$root/tests/t/crypto-bundle.sh" "$tmp" "$@" >"$tmp/bundle.log" 2>&1; then
		echo "1..1"
		echo "not ok 1 - $what: bundle for the guest (see $tmp/bundle.log)"
		exit 1
	fi
	out=$(VM_MEM=${VM_MEM:-1024} "$root/scripts/scenario.sh" "crypto-backend-$name" \
		--files "$tmp/crypto-qtest-bundle.tar.gz" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^# starting QEMU' |
		qtest_tap "$what:" "$rc" 3>"$tmp/counts"
	read -r n bad <"$tmp/counts"
	echo "1..$n"
	[ "$bad" = 0 ]
	exit $?
}
