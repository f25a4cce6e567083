# SPDX-License-Identifier: GPL-2.0-or-later
# The one TAP library (POSIX sh: busybox in guests and dom0, bash on the
# host).  Guest scenarios: . /lib/vdevkit/tap.sh; host tests/t/*.t:
# . guest/tap.sh.  One plan per script, printed last by tap_done; programs
# that print TAP are folded in with tap_include, which renumbers them.

TAP_N=0
TAP_FAIL=0

# ok STATUS DESCRIPTION...: STATUS 0 passes.
# Variables here start with _tap_: scripts that source this keep theirs.
ok() {
	_tap_st=$1
	shift
	TAP_N=$((TAP_N + 1))
	if [ "$_tap_st" = 0 ]; then
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
	_tap_d=$1
	shift
	if "$@"; then ok 0 "$_tap_d"; else ok 1 "$_tap_d"; fi
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
	_tap_rc=$?
	_tap_seen=0
	_tap_plan=
	_tap_fail0=$TAP_FAIL
	while IFS= read -r _tap_line; do
		case "$_tap_line" in
		"ok "*) _tap_seen=$((_tap_seen + 1)); ok 0 "${_tap_line#ok * - }" ;;
		"not ok "*) _tap_seen=$((_tap_seen + 1)); ok 1 "${_tap_line#not ok * - }" ;;
		1..*) _tap_plan=${_tap_line#1..} ;;
		*) echo "# $_tap_line" ;;
		esac
	done </tmp/tap_include.out
	if [ "$_tap_rc" != 0 ] && [ "$TAP_FAIL" = "$_tap_fail0" ]; then
		ok 1 "$1 exited with status $_tap_rc"
	fi
	if [ -z "$_tap_plan" ] || [ "$_tap_plan" != "$_tap_seen" ]; then
		ok 1 "$1 printed $_tap_seen results for a plan of '${_tap_plan:-none}'"
	fi
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_for() {
	_tap_w=$(($1 * 10))
	shift
	while [ $_tap_w -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_tap_w=$((_tap_w - 1))
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
