# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod's protocol test client against the daemon built with
# AddressSanitizer and UBSan (sourced by tests/t/1x-cryptod-*.t):
#   cryptod_client_exec [CLIENT ARGS...]
# builds both and execs the client, whose TAP is the test's; a failed
# build is one failing test with its log.
cryptod_client_exec() {
	top=$(cd "$(dirname "$0")/../.." && pwd)
	out=${VDEVKIT_OUT:-$top/build}/host
	mkdir -p "$out"
	if ! log=$({ nice make -s -C "$top/host/cryptod" OUT="$out" asan &&
		nice make -s -C "$top/tests/host" OUT="$out" "$out/cryptod-client"; } 2>&1); then
		echo "1..1"
		echo "not ok 1 - build vdevkit-cryptod-asan and cryptod-client"
		printf '%s\n' "$log" | sed 's/^/# /'
		exit 1
	fi
	exec "$out/cryptod-client" "$out/vdevkit-cryptod-asan" "$@"
}
