#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test): AES-128-CBC encryption, then SHA-256, HMAC-SHA256
# and AES-128-GCM, guest side of scripts/crypto-bench.sh (`make
# bench-cryptoguest`), which passes in /crypto-bench-openssl.tar.gz
# (Debian's openssl, its afalg engine, OpenSSL's devcrypto engine, their
# libraries) and /crypto-bench.conf (SIZES, HSIZES, SECS, ROUNDS,
# PIN_CACHE: virtio_cryptodev's pin_cache if set, PAGES:
# crypto-bench -p for a and a0).  Paths:
#   a: crypto-bench -> /dev/cryptodev0 -> virtio_cryptodev -> c0 (our
#      backend; the device's virtqueues in iothread io0: the fast path)
#   a0: the same on c2, /dev/cryptodev1, virtqueues in the main loop (the
#      device's default: today's path)
#   a': openssl speed -engine devcrypto -> /dev/crypto (cryptodev0 mounted
#      over it, so the fast path alone) and c0
#   b: openssl speed -engine afalg -> AF_ALG -> Debian's virtio_crypto ->
#      c1 (QEMU's builtin backend)
#   c: openssl speed, the guest's own software AES
# and for the hashes, MAC and AEAD ("# hres ALG PATH SIZE ..." lines) a, a'
# (only where the engine offers the algorithm: it offers digests and
# ciphers, no MACs, no GCM) and c, at HSIZES.
# The devices match both drivers (virtio id 20): virtio_crypto takes them
# all first, then gives up 00:04.0 (c0, cryptodev0) and 00:06.0 (c2,
# cryptodev1) to virtio_cryptodev.  Each result is a line "# res PATH SIZE
# MB/s OPS/s [COUNT]"; "# irq ..." lines give the virtqueue interrupts of
# each device, and QMP query-stats (ids p0/p1 around a', b0/b1/c1 around
# the b and c runs) let the host check which backend did the work.
# AB_ONLY=1 in the conf: paths a and b only, AES-CBC only, no device at
# 00:06.0 (the rows e and e' of scripts/crypto-bench-cryptod.sh: the same
# guest on other devices).
# 1 GiB: below 512 MiB the guest kernel keeps transparent huge pages off,
# unlike a typical VM (they let our driver send contiguous pages in one
# descriptor).
# vm: -m 1024
# vm: -object iothread,id=io0,poll-max-ns=500000 -object cryptodev-backend-host,id=c0,queues=4 -device virtio-crypto-pci,cryptodev=c0,iothread=io0,addr=0x4
# vm: -object cryptodev-backend-builtin,id=c1 -device virtio-crypto-pci,cryptodev=c1,addr=0x5
# vm: -object cryptodev-backend-host,id=c2,queues=4 -device virtio-crypto-pci,cryptodev=c2,addr=0x6
# modules: virtio_crypto algif_skcipher
# append: vdevkit.noload=virtio_cryptodev
# timeout: 600
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

SIZES="64 1024 4096 65536 1048576"
HSIZES="64 4096 65536 1048576"
SECS=2
ROUNDS=1
PAGES=malloc
PIN_CACHE=
AB_ONLY=
[ -f /crypto-bench.conf ] && . /crypto-bench.conf
ours=0000:00:04.0
theirs=0000:00:05.0
slow=0000:00:06.0

# Virtqueue interrupts of the device at PCI address $1.
irqs() {
	awk -v a="$1" 'index($0, a) && /virtio/ && !/-config/ { s += $2 } END { print s + 0 }' /proc/interrupts
}
vdev() { basename "$(ls -d /sys/bus/pci/devices/$1/virtio* 2>/dev/null)"; }
# "+R:COUNT:NAME:SECONDS" of openssl speed -mr -> "# $res PATH SIZE MB/s
# OPS/s COUNT"; the algorithm is $EVP's (openssl speed options).
res=res
EVP="-evp aes-128-cbc"
speed() {
	p=$1 size=$2
	shift 2
	# shellcheck disable=SC2086 # EVP is a list of options
	openssl speed "$@" -elapsed -mr $EVP -bytes "$size" -seconds "$SECS" \
		>/tmp/speed.out 2>&1
	awk -F: -v r="$res" -v p="$p" -v n="$size" '/^\+R:/ && $4 > 0 {
		printf "# %s %s %d %.2f %.0f %d\n", r, p, n, $2 * n / $4 / 1e6, $2 / $4, $2 }' /tmp/speed.out
	grep -iE 'error|invalid' /tmp/speed.out | sed 's/^/# /'
}
# Path b above BIG bytes: one AF_ALG request of 1 MiB through Debian's
# virtio_crypto makes QEMU stop the device ("virtio: too many write
# descriptors in indirect table"): the driver passes every entry of its
# scatterlists to virtqueue_add_sgs() as a list of its own, which is
# walked to the end, so N pages become about N*N/2 descriptors (QEMU takes
# 1024).  64 KiB still fits.  So there b is what a user can do: `openssl
# enc`, whose cipher BIO hands the engine 4 KiB at a time (the device
# counts 4096 requests per 16 MiB, -bufsize or not); it encrypts a 16 MiB
# file again and again for SECS.
BIG=65536
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
enc() {
	size=$1 n=0
	t0=$(uptime_cs)
	while :; do
		openssl enc -engine afalg -e -aes-128-cbc -K 000102030405060708090a0b0c0d0e0f \
			-iv 000102030405060708090a0b0c0d0e0f -nopad -in /tmp/big -out /dev/null \
			2>/tmp/enc.err || { sed 's/^/# /' /tmp/enc.err; return 1; }
		n=$((n + 16777216 / size))
		t=$(($(uptime_cs) - t0))
		[ $t -ge $((${SECS%.*} * 100)) ] && break
	done
	awk -v n="$n" -v s="$size" -v t="$t" 'BEGIN {
		printf "# res b %d %.2f %.0f %d enc\n", s, n * s / (t / 100) / 1e6, n / (t / 100), n }'
}

check "virtio_crypto loaded" sh -c 'modprobe virtio_crypto && modprobe algif_skcipher'
check "virtio_crypto's cbc(aes) passed its self-test" selftest_wait virtio_crypto_aes_cbc 120
sleep 2   # see crypto-takeover.sh: never unbind while the test holds it
a=$(vdev $ours)
check "$ours ($a) given from virtio_crypto to virtio_cryptodev" sh -c \
	"echo $a >/sys/bus/virtio/drivers/virtio_crypto/unbind && modprobe virtio_cryptodev &&
	[ \"\$(basename \"\$(readlink /sys/bus/virtio/devices/$a/driver)\")\" = virtio_cryptodev ]"
if [ -n "$PIN_CACHE" ]; then
	echo "$PIN_CACHE" >/sys/module/virtio_cryptodev/parameters/pin_cache
	echo "# pin_cache $(cat /sys/module/virtio_cryptodev/parameters/pin_cache)"
fi
paths="a:0 a0:1"
[ -z "$AB_ONLY" ] || paths=a:0
s=$(vdev $slow)
[ -n "$AB_ONLY" ] || check "$slow ($s) given from virtio_crypto to virtio_cryptodev as cryptodev1" sh -c \
	"echo $s >/sys/bus/virtio/drivers/virtio_crypto/unbind &&
	echo $s >/sys/bus/virtio/drivers/virtio_cryptodev/bind &&
	[ \"\$(basename \"\$(readlink /sys/bus/virtio/devices/$s/driver)\")\" = virtio_cryptodev ] &&
	[ \"\$(basename \"\$(readlink /sys/class/misc/cryptodev1/device)\")\" = $s ]"
# /dev/crypto picks a device per session, round robin: OpenSSL's engine
# opens /dev/crypto, so a' gets the fast path's node mounted over it.
check "/dev/crypto is cryptodev0 (the fast path) for a'" mount --bind /dev/cryptodev0 /dev/crypto
b=$(vdev $theirs)
is "$(basename "$(readlink /sys/bus/virtio/devices/$b/driver)")" virtio_crypto \
	"$theirs ($b) stays with virtio_crypto"

have_ossl=
if [ -f /crypto-bench-openssl.tar.gz ] && tar -xzf /crypto-bench-openssl.tar.gz -C / &&
	openssl engine -t afalg | grep -q available &&
	openssl engine -t devcrypto | grep -q available; then
	have_ossl=1
else
	echo "# no openssl bundle (run scripts/crypto-bench.sh): path a only"
fi
# AF_ALG takes a request in one sendmsg; openssl speed sends a whole
# buffer at once, which may be more than the default socket buffer holds.
echo 4194304 >/proc/sys/net/core/wmem_default
echo 4194304 >/proc/sys/net/core/wmem_max
if [ -n "$have_ossl" ]; then
	head -c 16777216 /dev/zero >/tmp/big
	# The first AF_ALG run after boot reports 0 operations; not measured.
	speed warmup 16 -engine afalg
fi

echo "# $SECS s per size and path, $ROUNDS round(s), paths alternating"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	# a and a0 take turns to go first: the first after b and c runs warm.
	order=$paths
	[ $((r % 2)) = 0 ] && [ -z "$AB_ONLY" ] && order="a0:1 a:0"
	for p in $order; do
		addr=$ours
		[ "${p%:*}" = a0 ] && addr=$slow
		i0=$(irqs $addr)
		crypto-bench -d "/dev/cryptodev${p#*:}" -p "$PAGES" -t "$SECS" $SIZES >/tmp/a.out 2>&1
		ok $? "round $r: ${p%:*} (crypto-bench on cryptodev${p#*:}) ran"
		sed -n "s/^bench \([0-9]*\) \([0-9.]*\) MB\/s \([0-9]*\) ops\/s\$/# res ${p%:*} \1 \2 \3/p" /tmp/a.out
		grep -v '^bench' /tmp/a.out | sed 's/^/# /'
		echo "# irq ${p%:*} $addr $i0 $(irqs $addr)"
	done
	[ -n "$have_ossl" ] || continue
	if [ -z "$AB_ONLY" ]; then
		[ $r = 1 ] && backend_stats p0
		for s in $SIZES; do speed "a'" "$s" -engine devcrypto; done
		[ $r = 1 ] && backend_stats p1
	fi
	[ $r = 1 ] && backend_stats b0
	i0=$(irqs $theirs)
	for s in $SIZES; do
		if [ "$s" -le $BIG ]; then speed b "$s" -engine afalg; else enc "$s"; fi
	done
	echo "# irq b $theirs $i0 $(irqs $theirs)"
	[ $r = 1 ] && backend_stats b1
	[ -z "$AB_ONLY" ] || continue
	i0=$(irqs $theirs)
	for s in $SIZES; do speed c "$s"; done
	echo "# irq c $theirs $i0 $(irqs $theirs)"
	[ $r = 1 ] && backend_stats c1
done

[ -z "$AB_ONLY" ] || tap_done
# SHA-256, HMAC-SHA256, AES-128-GCM (issue 9).  crypto-bench's GCM
# requests have no AAD; openssl speed -evp aes-128-gcm (no -aead) runs
# EVP_EncryptUpdate only, GHASH included, no final tag.
engine=
[ -n "$have_ossl" ] && engine=$(openssl engine -c devcrypto | sed 1d | tr -d '[]' | tr ',\n' '  ')
echo "# devcrypto engine offers:$engine"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for alg in sha256 hmac-sha256 aes-128-gcm; do
		i0=$(irqs $ours) q0=$(vcd_reqs cryptodev0)
		crypto-bench -d /dev/cryptodev0 -a $alg -p "$PAGES" -t "$SECS" $HSIZES >/tmp/a.out 2>&1
		ok $? "round $r: a $alg (crypto-bench on virtio_cryptodev) ran"
		echo "# irq $alg a $ours $i0 $(irqs $ours), $(($(vcd_reqs cryptodev0) - q0)) requests"
		sed -n "s/^bench \([0-9]*\) \([0-9.]*\) MB\/s \([0-9]*\) ops\/s$/# hres $alg a \1 \2 \3/p" /tmp/a.out
		grep -v '^bench' /tmp/a.out | sed 's/^/# /'
		[ -n "$have_ossl" ] || continue
		res="hres $alg"
		case $alg in
		sha256) EVP="-evp sha256" name=SHA256 ;;
		hmac-sha256) EVP="-hmac sha256" name=none ;;
		aes-128-gcm) EVP="-evp aes-128-gcm" name="AES-128-GCM|id-aes128-GCM" ;;
		esac
		if echo " $engine " | grep -qiE " ($name) "; then
			[ $r = 1 ] && backend_stats "q0-$alg"
			i0=$(irqs $ours) q0=$(vcd_reqs cryptodev0)
			for s in $HSIZES; do speed "a'" "$s" -engine devcrypto; done
			echo "# irq $alg a' $ours $i0 $(irqs $ours), $(($(vcd_reqs cryptodev0) - q0)) requests"
			[ $r = 1 ] && backend_stats "q1-$alg"
		fi
		for s in $HSIZES; do speed c "$s"; done
		res=res EVP="-evp aes-128-cbc"
	done
done
tap_done
