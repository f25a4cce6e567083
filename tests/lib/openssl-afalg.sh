# SPDX-License-Identifier: GPL-2.0-or-later
# The guest scenario tests/guest/crypto-openssl-afalg.sh's input (bash):
#   . tests/lib/openssl-afalg.sh
#   afalg_bundle DIR    # -> DIR/openssl-afalg.tar.gz, or status 1
#   afalg_run DIR [scenario.sh options]   # sets $out, $rc, $oks, $fails
# The bundle: random keys and plaintexts, the expected ciphertexts made by
# the host's openssl, and openssl with its afalg engine and libraries.
afalg_bundle() {
	local tmp=$1 sizes="16 1008 4096 65584 1048576" # 1, 63, 256, 4099, 65536 blocks
	local g=/opt/openssl-afalg iv bits key size fail= files root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	rm -rf "$tmp"
	mkdir -p "$tmp/v"
	iv=$(openssl rand -hex 16)
	{
		echo "SIZES='$sizes'"
		echo "IV=$iv"
	} >"$tmp/v/params"
	files=(/usr/bin/openssl /usr/lib/x86_64-linux-gnu/engines-3/afalg.so "$tmp/v/params:$g/params")
	for bits in 128 192 256; do
		key=$(openssl rand -hex $((bits / 8)))
		echo "K$bits=$key" >>"$tmp/v/params"
		for size in $sizes; do
			[ -f "$tmp/v/pt.$size" ] || {
				head -c "$size" /dev/urandom >"$tmp/v/pt.$size"
				files+=("$tmp/v/pt.$size:$g/pt.$size")
			}
			openssl enc -e "-aes-$bits-cbc" -K "$key" -iv "$iv" -nopad \
				-in "$tmp/v/pt.$size" -out "$tmp/v/ct.$bits.$size" || fail=1
			files+=("$tmp/v/ct.$bits.$size:$g/ct.$bits.$size")
		done
	done
	[ -z "$fail" ] && "$root/tests/t/bundle.sh" "$tmp/openssl-afalg.tar.gz" "${files[@]}" \
		>"$tmp/bundle.log" 2>&1
}

afalg_run() {
	local tmp=$1 root
	shift
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	out=$("$root/scripts/scenario.sh" crypto-openssl-afalg "$@" \
		--files "$tmp/openssl-afalg.tar.gz" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
	oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
}
