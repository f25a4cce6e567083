#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build OpenSSL's devcrypto engine, which Debian's openssl does not ship,
# as a loadable engine $OUT/openssl/devcrypto.so for the guest's (that is,
# the host's) openssl, from Debian's openssl source of the host's libssl
# series (bookworm 3.0, trixie 3.5):
#
#   $CACHE/src/openssl-VER             Debian's source (scripts/lib.sh debsrc)
#   $CACHE/openssl-engine/KEY/         the build, keyed on what it is made of
#
# Only engines/e_devcrypto.c is compiled: against the system's libssl-dev
# headers, OpenSSL's internal headers from the source, and our cryptodev
# ABI header linux/include/uapi/linux/cryptodev.h in the place of
# cryptodev-linux's <crypto/cryptodev.h>.  In a guest, put devcrypto.so in
# the directory `openssl version -e` names; then `openssl ... -engine
# devcrypto` loads it.  Fast when nothing changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=$(dpkg-query -W -f='${Version}' libssl-dev 2>/dev/null) ||
	die "openssl-engine: libssl-dev is not installed (run scripts/deps.sh)"
up=${ver#*:}
series=$(cut -d. -f1-2 <<<"$up")
src=$(debsrc openssl "$series" "$ver") ||
	die "openssl-engine: no Debian openssl $series source, so no devcrypto engine"
c=$src/engines/e_devcrypto.c
[ -f "$c" ] || die "openssl-engine: $c missing"
hdr=$VDEVKIT_ROOT/linux/include/uapi/linux/cryptodev.h

key=$(cat "$c" "$src/util/engines.num" "$hdr" "$0" | sha256sum | cut -c1-16)
key="$(basename "$src")-libssl$up-$key"
dir=$CACHE/openssl-engine/$key
if [ ! -f "$dir/devcrypto.so" ]; then
	say "openssl-engine: building devcrypto.so from $(basename "$src")"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/inc/crypto"
	cp "$hdr" "$dir.tmp/inc/crypto/cryptodev.h"
	# Export only what the engine's own symbol list names, as OpenSSL's
	# build does for its engines.
	awk 'BEGIN { print "{ global:" } NF && $1 !~ /^#/ { print "\t" $1 ";" }
		END { print "local: *; };" }' "$src/util/engines.num" >"$dir.tmp/devcrypto.ld"
	# OpenSSL's own strict warnings (its code leaves parameters unused).
	# -idirafter: the system's <openssl/*.h> win over the source's
	# unconfigured ones; only its internal headers come from there.
	if ! { cc -O2 -g -fPIC -Wall -Wextra -Wno-unused-parameter -Werror \
		-I"$dir.tmp/inc" -idirafter "$src/include" -c "$c" -o "$dir.tmp/e_devcrypto.o" &&
		cc -shared -Wl,--version-script="$dir.tmp/devcrypto.ld" -Wl,-z,defs \
			-o "$dir.tmp/devcrypto.so" "$dir.tmp/e_devcrypto.o" -lcrypto; } \
		>"$dir.tmp/build.log" 2>&1; then
		cat "$dir.tmp/build.log" >&2
		die "openssl-engine: build failed (log: $dir.tmp/build.log)"
	fi
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
mkdir -p "$OUT/openssl"
cmp -s "$dir/devcrypto.so" "$OUT/openssl/devcrypto.so" || cp "$dir/devcrypto.so" "$OUT/openssl/devcrypto.so"
echo "$(basename "$src") libssl-dev $ver" >"$OUT/openssl/devcrypto.version"
