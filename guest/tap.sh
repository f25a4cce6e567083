# SPDX-License-Identifier: GPL-2.0-or-later
# The one TAP library (POSIX sh: busybox in guests and dom0, bash on the
# host).  Guest scenarios: . /lib/vdevkit/tap.sh; host tests/t/*.t:
# . guest/tap.sh.  One plan per script, printed last by tap_done; programs
# that print TAP are folded in with tap_include, which renumbers them.

TAP_N=0
TAP_FAIL=0

# ok STATUS DESCRIPTION...: STATUS 0 passes.
ok() {
	st=$1
	shift
	TAP_N=$((TAP_N + 1))
	if [ "$st" = 0 ]; then
		echo "ok $TAP_N - $*"
	else
		echo "not ok $TAP_N - $*"
		TAP_FAIL=$((TAP_FAIL + 1))
	fi
}

# result STATUS DESCRIPTION DIAGNOSTICS: ok, and on failure the
# diagnostics (e.g. a command's output) shown as comments.
result() {
	ok "$1" "$2"
	[ "$1" = 0 ] || [ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
}

# check DESCRIPTION COMMAND...: passes if COMMAND succeeds.
check() {
	d=$1
	shift
	if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

# tap_include COMMAND...: run a TAP-printing program, fold its results in.
# A crash, a non-zero exit or a result count short of its plan fails.
tap_include() {
	"$@" >/tmp/tap_include.out 2>&1
	rc=$?
	seen=0
	plan=
	fail0=$TAP_FAIL
	while IFS= read -r line; do
		case "$line" in
		"ok "*) seen=$((seen + 1)); ok 0 "${line#ok * - }" ;;
		"not ok "*) seen=$((seen + 1)); ok 1 "${line#not ok * - }" ;;
		1..*) plan=${line#1..} ;;
		*) echo "# $line" ;;
		esac
	done </tmp/tap_include.out
	if [ "$rc" != 0 ] && [ "$TAP_FAIL" = "$fail0" ]; then
		ok 1 "$1 exited with status $rc"
	fi
	if [ -z "$plan" ] || [ "$plan" != "$seen" ]; then
		ok 1 "$1 printed $seen results for a plan of '${plan:-none}'"
	fi
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_for() {
	n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# qmp JSON: ask the host to run a QMP command (see scripts/vm.sh).
qmp() {
	echo "VDEVKIT-QMP $*"
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAIL" = 0 ]
	exit $?
}
