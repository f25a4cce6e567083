# SPDX-License-Identifier: GPL-2.0-or-later
# The openssl interop tests: tests/t/39-crypto-openssl-*.t and
# 39-cryptod-stock-qemu.t (bash, after scripts/lib.sh):
#   . tests/lib/crypto-openssl.sh
#   interop_vectors DIR GDIR BITS NOPAD [PAD]  random plaintexts
#       DIR/pt.SIZE of each size in NOPAD and PAD, a random key per key
#       size in BITS (KBITS=hex appended to DIR/params, which holds IV=hex)
#       and the host openssl's AES-BITS-CBC ciphertexts DIR/ct.BITS.SIZE
#       (-nopad for the NOPAD sizes, PKCS#7 padding for the PAD ones); each
#       file is appended as FILE:GDIR/NAME to the array IO_FILES (for
#       tests/t/bundle.sh).  Fails if openssl does.
#   interop_scenario NAME FILE [scenario.sh options]  boot
#       tests/guest/NAME.sh with FILE; sets $out (its output, also shown as
#       TAP comments), $rc (its verdict), $oks and $fails (its TAP results)
#   interop_counter ID NAME  a counter of the backend, from the QMP
#       query-stats reply the guest tagged ID
#   interop_bytes N WHAT ID0 ID1 ENC DEC  TAP result N: from reply ID0 to
#       ID1 the backend's sym-encrypt-bytes and sym-decrypt-bytes grew by
#       exactly ENC and DEC (ENC > 0), the bytes the guest says WHAT sent
#   afalg_bundle DIR  DIR/openssl-afalg.tar.gz for the scenario
#       crypto-openssl-afalg (openssl, its afalg engine, the vectors), or
#       status 1 (log DIR/bundle.log)
#   afalg_run DIR [scenario.sh options]  interop_scenario of it
interop_vectors() {
	local dir=$1 g=$2 bits=$3 nopad=$4 pad=${5:-} iv b key size p
	iv=$(sed -n 's/^IV=//p' "$dir/params")
	for size in $nopad $pad; do
		head -c "$size" /dev/urandom >"$dir/pt.$size"
		IO_FILES+=("$dir/pt.$size:$g/pt.$size")
	done
	for b in $bits; do
		key=$(openssl rand -hex $((b / 8))) || return 1
		echo "K$b=$key" >>"$dir/params"
		for size in $nopad $pad; do
			p=
			[[ " $nopad " == *" $size "* ]] && p=-nopad
			openssl enc -e "-aes-$b-cbc" -K "$key" -iv "$iv" $p \
				-in "$dir/pt.$size" -out "$dir/ct.$b.$size" || return 1
			IO_FILES+=("$dir/ct.$b.$size:$g/ct.$b.$size")
		done
	done
}

interop_scenario() {
	local name=$1 file=$2
	shift 2
	out=$("$VDEVKIT_ROOT/scripts/scenario.sh" "$name" "$@" --files "$file" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
	oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
}

interop_counter() {
	printf '%s\n' "$out" | grep -F '"id": "'"$1"'"' |
		grep -o '"name": "'"$2"'", "value": [0-9]*' | grep -o '[0-9]*$' | head -1
}

interop_bytes() {
	local n=$1 what=$2 enc=$5 dec=$6 e0 e1 d0 d1
	e0=$(interop_counter "$3" sym-encrypt-bytes) e1=$(interop_counter "$4" sym-encrypt-bytes)
	d0=$(interop_counter "$3" sym-decrypt-bytes) d1=$(interop_counter "$4" sym-decrypt-bytes)
	if [ -n "$enc" ] && [ -n "$e0" ] && [ -n "$e1" ] && [ -n "$d0" ] && [ -n "$d1" ] &&
		[ $((e1 - e0)) = "$enc" ] && [ $((d1 - d0)) = "$dec" ] && [ "$enc" -gt 0 ]; then
		echo "ok $n - backend counted exactly the bytes of $what: encrypt $enc, decrypt $dec"
		return 0
	fi
	echo "not ok $n - backend byte counters grew by the bytes of $what"
	echo "#   encrypt: ${e0:-?} -> ${e1:-?}, guest sent ${enc:-?}"
	echo "#   decrypt: ${d0:-?} -> ${d1:-?}, guest sent ${dec:-?}"
	return 1
}

afalg_bundle() {
	local tmp=$1 sizes="16 1008 4096 65584 1048576" # 1, 63, 256, 4099, 65536 blocks
	local g=/opt/openssl-afalg
	rm -rf "$tmp"
	mkdir -p "$tmp/v"
	{
		echo "SIZES='$sizes'"
		echo "IV=$(openssl rand -hex 16)"
	} >"$tmp/v/params"
	IO_FILES=(/usr/bin/openssl /usr/lib/x86_64-linux-gnu/engines-3/afalg.so "$tmp/v/params:$g/params")
	interop_vectors "$tmp/v" "$g" "128 192 256" "$sizes" >"$tmp/bundle.log" 2>&1 &&
		"$VDEVKIT_ROOT/tests/t/bundle.sh" "$tmp/openssl-afalg.tar.gz" "${IO_FILES[@]}" \
			>>"$tmp/bundle.log" 2>&1
}

afalg_run() {
	local tmp=$1
	shift
	interop_scenario crypto-openssl-afalg "$tmp/openssl-afalg.tar.gz" "$@"
}
