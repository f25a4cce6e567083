#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The harness itself: run a user's own static program and script in a
# guest, get their output and exit status back; a guest that panics or
# hangs fails with the console's tail.
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. guest/tap.sh
# t STATUS DESCRIPTION: the run's stderr is the diagnostics on failure.
t() { result "$1" "$2" "$(cat "$tmp/err")"; }

cat >"$tmp/mytest.c" <<'EOC'
#include <stdio.h>
int main(int argc, char **argv)
{
	printf("hello from the guest, %d args, first %s\n", argc - 1, argc > 1 ? argv[1] : "-");
	return 3;
}
EOC
gcc -Wall -Wextra -Werror -static -o "$tmp/mytest" "$tmp/mytest.c" || exit 2
printf '#!/bin/sh\necho "script sees $(ls /dev/my_rng0)"\nexit 0\n' >"$tmp/my.sh"
chmod +x "$tmp/my.sh"

out=$(scripts/vm.sh --timeout 120 --files "$tmp/mytest $tmp/my.sh" \
	--cmd '/mytest -v; rc=$?; /my.sh; echo "not ok 9 - a check that failed"; exit $rc' \
	-- -device my_rng 2>"$tmp/err")
rc=$?
t "$([ "$rc" = 3 ]; echo $?)" "the guest's exit status comes back (got $rc)"
t "$(grep -q '| not ok 9 - a check that failed' "$tmp/err"; echo $?)" "a failed run names its failing checks on stderr"
t "$(grep -qx 'hello from the guest, 1 args, first -v' <<<"$out"; echo $?)" "the program's output comes back"
t "$(grep -qx 'script sees /dev/my_rng0' <<<"$out"; echo $?)" "a script runs and sees the device"

out=$(scripts/vm.sh --timeout 120 --cmd 'echo c > /proc/sysrq-trigger; sleep 100' 2>"$tmp/err")
rc=$?
t "$([ "$rc" = 125 ]; echo $?)" "a guest that panics fails with status 125 (got $rc)"
t "$(grep -q 'console tail' "$tmp/err"; echo $?)" "... and the console's tail is shown"

out=$(scripts/vm.sh --timeout 25 --cmd 'sleep 1000' 2>"$tmp/err")
rc=$?
t "$([ "$rc" = 124 ]; echo $?)" "a guest that hangs is stopped by the timeout (got $rc)"

# A machine that hangs after giving its verdict (a stuck shutdown) is
# stopped once the grace time is over, and its verdict counts.
t0=$SECONDS
out=$(scripts/vm.sh --timeout 200 --grace 5 \
	--cmd 'echo "VDEVKIT-EXIT 7" >/dev/ttyS1; sleep 1000' 2>"$tmp/err")
rc=$?
el=$((SECONDS - t0))
t "$([ "$rc" = 7 ] && [ "$el" -lt 150 ]; echo $?)" "a guest hanging after its verdict is stopped, verdict kept (status $rc after ${el}s)"

out=$(make -s vm-run FILES="$tmp/mytest" CMD="/mytest make" DEVICES= 2>&1)
rc=$?
t "$([ "$rc" != 0 ] && grep -q 'first make' <<<"$out"; echo $?)" "make vm-run runs it too (status $rc, non-zero passed on)"
tap_done
