# SPDX-License-Identifier: GPL-2.0-or-later
# One Xen scenario as a one-test TAP file (bash, run from the repo root):
#   . tests/lib/xen-scenario.sh
#   xen_scenario [--xenos] NAME DESCRIPTION
# --xenos builds our guest kernel (xen/) first.  The scenario
# (tests/xen/NAME.sh, run by scripts/xen-run.sh on the Xen test bed) shows
# its own TAP as comments; its verdict is the test's result.  The
# environment (e.g. VDEVKIT_XEN_TYPE) passes through to xen-run.sh.
# On failure the guest's failing checks and the run's last lines also go
# to stderr, which prove shows even when not verbose (CI's log); dom0's
# failing checks are among those last lines (vm.sh lists them).
xen_scenario() {
	local xenos= log rc out
	[ "$1" = --xenos ] && { xenos=1; shift; }
	echo "1..1"
	if [ -n "$xenos" ] && ! log=$(nice make -s -C xen kernel 2>&1); then
		echo "not ok 1 - xen: build the guest kernel for $1"
		printf '%s\n' "$log" | sed 's/^/# /'
		printf '%s\n' "$log" | tail -n 25 | sed 's/^/# /' >&2
		exit 1
	fi
	out=$(mktemp)
	scripts/xen-run.sh "$1" 2>&1 | tee "$out" | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 0 ]; then
		echo "ok 1 - xen: $2"
	else
		echo "not ok 1 - xen: $2 (verdict $rc)"
		{
			echo "$1: the guest's failing checks:"
			grep -E '^guest\| not ok|FAIL|panic|timed out' "$out" | head -20
			echo "$1: last lines:"
			tail -n 25 "$out"
		} | sed 's/^/# /' >&2
	fi
	rm -f "$out"
	exit "$rc"
}
