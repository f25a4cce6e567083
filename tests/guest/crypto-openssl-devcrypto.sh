#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop with code nobody here wrote: stock openssl commands with
# OpenSSL's own devcrypto engine (built from Debian's source by
# scripts/openssl-engine.sh) -> /dev/crypto -> virtio_cryptodev ->
# cryptodev-backend-host.  tests/t/39-crypto-openssl-devcrypto.t passes in
# /openssl-devcrypto.tar.gz: the host's openssl, its libraries, the engine
# in openssl's engine directory, plaintexts, the host's ciphertexts and
# digests, the keys in /opt/openssl-devcrypto/params.  The .t checks the
# backend's byte counters (QMP query-stats, asked for below) against the
# bytes this scenario says it had encrypted and decrypted.
# vm: -object cryptodev-backend-host,id=c0 -device virtio-crypto-pci,cryptodev=c0
# timeout: 400

. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh
vec=/opt/openssl-devcrypto

# dgst through the engine, for files the host hashed too: the engine must
# offer each digest and give the host's result, and the device must have
# carried requests.  Needs hashes in virtio_cryptodev (CIOCGSESSION with
# mac, COP_FLAG_UPDATE/FINAL, CIOCCPHASH): the .t turns this on.
digest_checks() {
	for d in sha1 sha256 sha512; do
		u=$(echo "$d" | tr a-z A-Z)
		check "devcrypto engine offers $u" grep -qE "[[ ]$u[],]" /tmp/eng
		for size in $PAD $NOPAD; do
			r0=$(vcd_reqs cryptodev0)
			got=$(openssl dgst -engine devcrypto "-$d" -r $vec/pt.$size 2>/tmp/err | cut -d' ' -f1)
			r1=$(vcd_reqs cryptodev0)
			eval want=\$H_${d}_$size
			[ -n "$got" ] && [ "$got" = "$want" ] && [ "$r1" -gt "$r0" ]
			ok $? "openssl dgst -engine devcrypto -$d of $size B equals the host's (requests $r0 -> $r1)"
			[ -n "$got" ] || sed 's/^/# /' /tmp/err
		done
	done
	# The engine opens and closes a session per digest; unkeyed hash
	# sessions share one device session per hash.  A few more are made
	# (cipher sessions of OpenSSL's own, e.g. its random generator's: 18
	# in a 1 s run here), not one per digest as before.
	c0=$(vcd_stat cryptodev0 device_session_creates)
	openssl speed -engine devcrypto -elapsed -mr -evp sha256 -bytes 64 -seconds 2 \
		>/tmp/speed.out 2>&1
	n=$(sed -n 's/^+R:\([0-9]*\):.*/\1/p' /tmp/speed.out | head -1)
	c1=$(vcd_stat cryptodev0 device_session_creates)
	[ "${n:-0}" -ge 100 ] && [ -n "$c0" ] && [ -n "$c1" ] && [ $(((c1 - c0) * 10)) -lt "$n" ]
	ok $? "openssl speed -engine devcrypto -evp sha256: ${n:-no} digests, $((${c1:-0} - ${c0:-0})) device sessions created (fewer than 1 in 10)"
	[ "${n:-0}" -ge 100 ] || sed 's/^/# /' /tmp/speed.out
}

if ! tar -xzf /openssl-devcrypto.tar.gz -C / 2>/tmp/err; then
	ok 1 "unpack /openssl-devcrypto.tar.gz (run this through the .t)"
	sed 's/^/# /' /tmp/err
	tap_done
fi
. $vec/params
check "Debian's openssl runs in the guest ($(openssl version 2>&1))" openssl version
check "/dev/crypto is virtio_cryptodev's" test -c /dev/crypto -a -e /sys/class/misc/cryptodev0/stats

openssl engine -t -c devcrypto >/tmp/eng 2>&1
sed 's/^/# /' /tmp/eng
check "devcrypto engine loads from openssl's engine directory and is available" \
	grep -q '\[ available \]' /tmp/eng
check "devcrypto engine offers AES-128-CBC and AES-256-CBC" \
	sh -c 'grep -q "AES-128-CBC" /tmp/eng && grep -q "AES-256-CBC" /tmp/eng'

backend_stats before
enc=0
dec=0
for bits in 128 256; do
	eval key=\$K$bits
	for size in $NOPAD $PAD; do
		case " $NOPAD " in *" $size "*) pad=-nopad ;; *) pad= ;; esac
		r0=$(vcd_reqs cryptodev0)
		openssl enc -engine devcrypto -e -aes-$bits-cbc -K "$key" -iv "$IV" $pad \
			-in $vec/pt.$size -out /tmp/ct 2>/tmp/err
		st=$?
		r1=$(vcd_reqs cryptodev0)
		n=$(wc -c </tmp/ct)
		enc=$((enc + n))
		[ $st = 0 ] && cmp -s /tmp/ct $vec/ct.$bits.$size && [ "$r1" -gt "$r0" ]
		ok $? "enc -aes-$bits-cbc $pad of $size B equals the host's, through the device (requests $r0 -> $r1)"
		[ $st = 0 ] || sed 's/^/# /' /tmp/err
		openssl enc -engine devcrypto -d -aes-$bits-cbc -K "$key" -iv "$IV" $pad \
			-in $vec/ct.$bits.$size -out /tmp/pt 2>/tmp/err
		st=$?
		r2=$(vcd_reqs cryptodev0)
		dec=$((dec + $(wc -c <$vec/ct.$bits.$size)))
		[ $st = 0 ] && cmp -s /tmp/pt $vec/pt.$size && [ "$r2" -gt "$r1" ]
		ok $? "enc -d -aes-$bits-cbc $pad of the host's $size B gives the plaintext back (requests $r1 -> $r2)"
		[ $st = 0 ] || sed 's/^/# /' /tmp/err
	done
done
# One key byte changed must change the ciphertext (a check of the status
# alone would pass this).
wrong=$(echo "$K128" | sed 's/^\(.\)./\1f/;t')
[ "$wrong" = "$K128" ] && wrong=$(echo "$K128" | sed 's/^\(.\)./\10/')
openssl enc -engine devcrypto -e -aes-128-cbc -K "$wrong" -iv "$IV" -nopad \
	-in $vec/pt.4096 -out /tmp/ct 2>/tmp/err
st=$?
enc=$((enc + 4096))
[ $st = 0 ] && [ "$(wc -c </tmp/ct)" = 4096 ] && ! cmp -s /tmp/ct $vec/ct.128.4096
ok $? "a wrong key gives a different ciphertext of the same length"
backend_stats enc
echo "# devcrypto-bytes encrypt $enc decrypt $dec"

# openssl speed through the engine: "+R:COUNT:NAME:SECONDS" (-mr).  Its
# alarm is set before its set-up (sessions, a random key from its
# generator, which runs on the engine too), which on a loaded host took
# all of a 1 s run; its count is checked against the device's by the .t
# (it counts failed calls too).
openssl speed -engine devcrypto -elapsed -mr -evp aes-128-cbc -bytes 16384 -seconds 3 \
	>/tmp/speed.out 2>&1
st=$?
count=$(sed -n 's/^+R:\([0-9]*\):.*/\1/p' /tmp/speed.out | head -1)
[ $st = 0 ] && [ "${count:-0}" -gt 0 ]
ok $? "openssl speed -engine devcrypto -evp aes-128-cbc ran (${count:-no} operations of 16384 B)"
[ $st = 0 ] && [ "${count:-0}" -gt 0 ] || sed 's/^/# /' /tmp/speed.out
backend_stats speed
echo "# devcrypto-speed-bytes $((${count:-0} * 16384))"

if [ "$DIGESTS" = 1 ]; then
	digest_checks
else
	echo "# digests not checked (the .t's devcrypto_digests); the engine offers:"
	grep -E '^ *\[' /tmp/eng | sed 's/^/#   /'
fi
tap_done
