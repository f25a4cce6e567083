#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the demo scenarios given as arguments and finish with one clear line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

failed=()
for s in "$@"; do
	printf '\n### %s\n' "$s"
	"$VDEVKIT_ROOT/scripts/scenario.sh" "$s" || failed+=("$s")
done
echo
if [ ${#failed[@]} = 0 ]; then
	echo "vdevkit demo: PASS ($*)"
else
	echo "vdevkit demo: FAIL (${failed[*]})"
	exit 1
fi
