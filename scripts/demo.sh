#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the demo scenarios given as arguments and finish with one clear line.
# NAME is a guest scenario (tests/guest/NAME.sh, scripts/scenario.sh);
# xen:NAME a Xen test-bed scenario (tests/xen/NAME.sh, scripts/xen-run.sh).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

failed=()
for s in "$@"; do
	printf '\n### %s\n' "$s"
	case $s in
	xen:*)
		# What it shows: the scenario's own header comment.
		sed -n '/^# SPDX/d; /^# xen-/q; s/^# \{0,1\}//p' "$VDEVKIT_ROOT/tests/xen/${s#xen:}.sh"
		"$VDEVKIT_ROOT/scripts/xen-run.sh" "${s#xen:}"
		;;
	*) "$VDEVKIT_ROOT/scripts/scenario.sh" "$s" ;;
	esac || failed+=("$s")
done
echo
if [ ${#failed[@]} = 0 ]; then
	echo "vdevkit demo: PASS ($*)"
else
	echo "vdevkit demo: FAIL (${failed[*]})"
	exit 1
fi
