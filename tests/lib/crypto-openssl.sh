# SPDX-License-Identifier: GPL-2.0-or-later
# The openssl interop tests, tests/t/39-crypto-openssl-*.t (bash, after
# scripts/lib.sh):
#   . tests/lib/crypto-openssl.sh
#   interop_vectors DIR GDIR BITS NOPAD [PAD]  random plaintexts
#       DIR/pt.SIZE of each size in NOPAD and PAD, a random key per key
#       size in BITS (KBITS=hex appended to DIR/params, which holds IV=hex)
#       and the host openssl's AES-BITS-CBC ciphertexts DIR/ct.BITS.SIZE
#       (-nopad for the NOPAD sizes, PKCS#7 padding for the PAD ones); each
#       file is appended as FILE:GDIR/NAME to the array IO_FILES (for
#       tests/t/bundle.sh).  Fails if openssl does.
#   interop_scenario NAME FILE...  boot tests/guest/NAME.sh with FILEs;
#       sets IO_OUT (its output, also shown as TAP comments), IO_RC (its
#       verdict), IO_OKS and IO_FAILS (its TAP results)
#   interop_counter ID NAME  a counter of the backend, from the QMP
#       query-stats reply the guest tagged ID
#   interop_bytes N WHAT ID0 ID1 ENC DEC  TAP result N: from reply ID0 to
#       ID1 the backend's sym-encrypt-bytes and sym-decrypt-bytes grew by
#       exactly ENC and DEC (ENC > 0), the bytes the guest says WHAT sent
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
	local name=$1
	shift
	IO_OUT=$("$VDEVKIT_ROOT/scripts/scenario.sh" "$name" --files "$*" 2>&1)
	IO_RC=$?
	printf '%s\n' "$IO_OUT" | sed 's/^/# /'
	IO_FAILS=$(printf '%s\n' "$IO_OUT" | grep -c -E '^(not ok|Bail out)')
	IO_OKS=$(printf '%s\n' "$IO_OUT" | grep -c -E '^ok ')
}

interop_counter() {
	printf '%s\n' "$IO_OUT" | grep -F '"id": "'"$1"'"' |
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
