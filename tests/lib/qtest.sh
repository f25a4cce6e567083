# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU qtests as TAP for tests/t/*.t (bash):  . tests/lib/qtest.sh
#
#   qtest_main NAME...    build QEMU if needed, run each qtest binary
#                         (tests/qtest/NAME in our QEMU build) whole, as
#                         QEMU's meson does, and print one TAP stream;
#                         exits non-zero unless every case passed
#   qtest_tap BINARY < glib-tap    (used by qtest_main and for qtests run
#                         elsewhere, e.g. in a guest) turn one run's GLib
#                         TAP into ours; see there
#
# Run whole, a GLib test prints its plan first ("1..N", every registered
# case).  A case that fails an assertion aborts the binary ("Bail out!"),
# so the cases after it never report: those are one failure here, and so
# is a skipped or "incomplete" (TODO) case, a binary that ran no case,
# and a non-zero exit status.  The combined plan comes last.

QTEST_N=0
QTEST_FAIL=0

# Reads GLib TAP on stdin, prints results numbered from QTEST_N + 1 and
# the other lines as comments, and "COUNT FAILURES" on fd 3.  $1 names
# the binary in messages; $2 is its exit status when known.
qtest_tap() {
	awk -v bin="$1" -v status="${2:-0}" -v n="$QTEST_N" '
		function res(ok, text) {
			n++
			got++
			if (!ok) {
				bad++
			}
			printf "%sok %d - %s\n", ok ? "" : "not ", n, text
		}
		# A whole run has one plan, first.  With -p, GLib prints one
		# after each path, counting the cases run so far.
		/^1\.\.[0-9]+/ {
			if (substr($1, 4) + 0 > plan) {
				plan = substr($1, 4) + 0
			}
			planned = 1
			next
		}
		/^(not )?ok [0-9]+/ {
			ok = ($1 == "ok")
			sub(/^(not )?ok [0-9]+ */, "")
			# a case not run is no pass, whatever the reason
			if (sub(/# *(SKIP|TODO)/, "(not run:")) {
				ok = 0
				$0 = $0 ")"
			}
			res(ok, bin " " $0)
			next
		}
		/^Bail out!/ { res(0, bin ": " $0); next }
		/^#/ { print; next }
		{ print "# " $0 }
		END {
			# a "Bail out!" stands for the case that aborted
			missing = plan - got
			if (!planned || plan == 0) {
				res(0, bin ": ran no case")
			} else if (missing > 0) {
				res(0, bin ": " missing " of " plan " cases did not report")
			}
			if (status != 0 && !bad) {
				res(0, bin ": exit status " status)
			}
			printf "%d %d\n", n, bad > "/dev/fd/3"
		}'
}

# Runs one qtest binary of our QEMU build and adds its results.
qtest_run() {
	local name=$1 build=$QEMU_WORK/build out st n bad
	out=$(mktemp)
	(cd "$build" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
		"./tests/qtest/$name" --tap -k >"$out" 2>&1)
	st=$?
	qtest_tap "$name" "$st" <"$out" 3>"$out.n"
	read -r n bad <"$out.n"
	rm -f "$out" "$out.n"
	QTEST_N=$n
	QTEST_FAIL=$((QTEST_FAIL + bad))
}

qtest_main() {
	local root log name
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	. "$root/scripts/lib.sh"
	log=$OUT/qtest-build.log
	mkdir -p "$OUT"
	if ! nice "$root/scripts/qemu-build.sh" >"$log" 2>&1; then
		echo "1..1"
		echo "not ok 1 - QEMU and its qtests build (see $log)"
		tail -20 "$log" | sed 's/^/# /'
		exit 1
	fi
	for name in "$@"; do
		if [ -x "$QEMU_WORK/build/tests/qtest/$name" ]; then
			qtest_run "$name"
		else
			QTEST_N=$((QTEST_N + 1))
			QTEST_FAIL=$((QTEST_FAIL + 1))
			echo "not ok $QTEST_N - tests/qtest/$name was built"
		fi
	done
	echo "1..$QTEST_N"
	[ "$QTEST_FAIL" = 0 ]
	exit $?
}
