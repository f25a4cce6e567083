#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /dev/crypto under random and boundary ioctls (user/crypto/crypto-fuzz.c)
# from 3 processes x 2 threads, and 1 x 2 of its 32-bit build (compat
# ioctls), for vdevkit.fuzz_seconds (default 20; make fuzz: FUZZ_SECONDS).
# Then: every ioctl answered with an errno a caller can cause, at least
# vdevkit.fuzz_min ioctls, no oops or warning, no session, device session
# or pinned page left once the processes are gone, the device still ok,
# and the known answers and random cases right in the same boot (ciphers,
# hashes, HMACs, AES-GCM, TLS).
# Two devices: cryptodev0 served in QEMU's main loop, cryptodev1 in an
# iothread (the fast path); /dev/crypto gives each new session to the next
# device, so both take the fuzz and crypto-test in one boot; crypto-auth
# runs on each by name.
# vm: -smp 2 -object cryptodev-backend-host,id=c0,queues=4,max-sessions=4096 -device virtio-crypto-pci,cryptodev=c0
# vm: -object iothread,id=io0 -object cryptodev-backend-host,id=c1,queues=4,max-sessions=4096 -device virtio-crypto-pci,cryptodev=c1,iothread=io0
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

secs=$(vcd_boot_arg fuzz_seconds 20)
min=$(vcd_boot_arg fuzz_min 0)
crypto-fuzz32 -p 1 -t 2 "$secs" >/tmp/fuzz32.out 2>&1 &
pid32=$!
crypto-fuzz -p 3 -t 2 "$secs" >/tmp/fuzz.out 2>&1
ok $? "crypto-fuzz (64-bit): only errnos a caller can cause"
wait $pid32
ok $? "crypto-fuzz32 (compat ioctls): only errnos a caller can cause"
sed 's/^/# /' /tmp/fuzz.out /tmp/fuzz32.out
n=$(sed -n 's/^crypto-fuzz: \([0-9]*\) ioctls in.*/\1/p' /tmp/fuzz.out /tmp/fuzz32.out |
	awk '{ s += $1 } END { print s + 0 }')
echo "crypto-fuzz: $n ioctls in all, in $secs s"
check "at least $min ioctls ($n)" test "$n" -ge "$min"
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'
for d in cryptodev0 cryptodev1; do
	sed "s/^/# $d stats: /" /sys/class/misc/$d/stats
	is "$(vcd_stat $d state)" ok "$d: not marked broken"
	check "$d: took fuzzed data requests ($(vcd_reqs $d))" test "$(vcd_reqs $d)" -gt 0
	for c in sessions device_sessions pinned_pages pin_cache_pages hash_held_bytes; do
		is "$(vcd_stat $d $c)" 0 "$d: no $c left"
	done
done
tap_include crypto-test -r aes-128-cbc kat random errors
# crypto-auth on each device by name: its zero-copy checks read the
# device's own page counters.
for d in cryptodev0 cryptodev1; do
	tap_include crypto-auth -d /dev/$d kat gcm tls errors
done
for d in cryptodev0 cryptodev1; do
	for c in sessions device_sessions pinned_pages pin_cache_pages hash_held_bytes; do
		is "$(vcd_stat $d $c)" 0 "$d: no $c left after the correctness tests"
	done
done
tap_done
