#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hashes, HMACs and AEAD through our driver on cryptodev-backend-host (its
# OpenSSL provider): crypto-auth's known answers (FIPS 180-4, RFC 2202,
# RFC 4231, the GCM spec), random messages of 0 B .. 1 MiB in random
# UPDATE parts against host OpenSSL, CIOCCPHASH mid-stream, combined
# sessions, TLS and SRTP records against a host reference, every error,
# 8 processes x 16 mixed sessions, session numbers and the per-file
# limit, and most of it again as a 32-bit program; small requests polled
# for; no xarray node allocated per session in an open-digest-close loop;
# then the module unloaded with partial hashes held, and the device
# unplugged during a multi-part hash.
# vm: -m 1024 -smp 2 -object cryptodev-backend-host,id=c0,queues=2 -device virtio-crypto-pci,cryptodev=c0,id=vc0,bus=pci.0,addr=0x6
# timeout: 600
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

dmesg | grep 'virtio_cryptodev virtio' | sed 's/^/# /'
tap_include crypto-auth
# The same as a 32-bit program: the compat ioctls (crypt_op.mac,
# crypt_auth_op's pointers).
tap_include crypto-auth32 kat random cphash combined gcm tls srtp errors
sed 's/^/# stats: /' /sys/class/misc/cryptodev0/stats
is "$(vcd_stat cryptodev0 device_sessions)" 0 "every device session destroyed again"
is "$(vcd_stat cryptodev0 hash_held_bytes)" 0 "no multi-part message held after the processes closed"
is "$(vcd_stat cryptodev0 sessions)" 0 "no session left"

# Small hash, HMAC and GCM requests are polled for with the queue's
# interrupt off, as small cipher requests are (poll_small_us).  Raised here
# so that a loaded host's slow answers do not turn polling off; with
# polling off (0) each request takes its interrupt, which shows they are
# counted.
p=/sys/module/virtio_cryptodev/parameters/poll_small_us
old_poll=$(cat $p)
for us in 0 100000; do
	echo $us >$p
	for alg in sha256 hmac-sha256 aes-128-gcm; do
		r0=$(vcd_reqs cryptodev0) i0=$(vcd_irqs cryptodev0)
		crypto-bench -d /dev/cryptodev0 -a $alg -t 1 64 >/dev/null
		r=$(($(vcd_reqs cryptodev0) - r0)) i=$(($(vcd_irqs cryptodev0) - i0))
		if [ $us = 0 ]; then
			check "$alg, 64 B, not polled: $r requests, $i interrupts" \
				test "$r" -ge 20 -a $((2 * i)) -ge "$r"
		else
			check "$alg, 64 B, polled for: $r requests, $i interrupts" \
				test "$r" -ge 20 -a $((2 * i)) -lt "$r"
		fi
	done
done
echo "$old_poll" >$p

# A session per digest (OpenSSL's devcrypto engine): the driver's session
# table keeps its node, so opening and closing allocate no xarray node (a
# radix_tree_node, freed after an RCU grace period: over a third of the
# two ioctls' time when every session took a new one).  Counted with the
# kmem_cache_alloc trace event for the benchmark's process alone.
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T
ev=$T/events/kmem/kmem_cache_alloc
echo 'name == "radix_tree_node"' >$ev/filter
echo >$T/trace
echo 1 >$ev/enable
r0=$(vcd_reqs cryptodev0)
sh -c "echo \$\$ >$T/set_event_pid; exec crypto-bench -d /dev/cryptodev0 -a sha256 -o -t 1 64" >/dev/null
r=$(($(vcd_reqs cryptodev0) - r0))
echo 0 >$ev/enable
echo >$T/set_event_pid
echo 0 >$ev/filter
n=$(grep -c 'kmem_cache_alloc:' $T/trace)
echo >$T/trace
check "a session per digest: $r digests, $n xarray nodes allocated" \
	test "$r" -ge 200 -a $((8 * n)) -lt "$r"

# Module unload while processes hold partial hashes: refused, then clean.
crypto-auth hold 8 >/tmp/hold.out 2>&1 &
pid=$!
check "a process holds 8 partial hashes" wait_for 30 grep -q held /tmp/hold.out
check "held bytes counted: $(vcd_stat cryptodev0 hash_held_bytes)" \
	test "$(vcd_stat cryptodev0 hash_held_bytes)" -ge 800000
check "module refuses to unload while they are held" sh -c '! rmmod virtio_cryptodev 2>/dev/null'
kill -9 $pid
wait $pid 2>/dev/null
is "$(vcd_stat cryptodev0 hash_held_bytes)" 0 "the killed process's messages freed"
check "module unloads afterwards" rmmod virtio_cryptodev
check "module loads again" modprobe virtio_cryptodev
check "hashes work after reloading" sh -c 'crypto-auth kat >/tmp/kat2.out 2>&1'
# Only one-shot hashes of user memory reach data_pages in that run.
check "one-shot hashes named the caller's pages (zero copy): $(vcd_stat cryptodev0 data_pages) pages" \
	test "$(vcd_stat cryptodev0 data_pages)" -gt 0

# Unplug during a multi-part hash: later parts get ENODEV, nothing hangs.
crypto-auth unplug >/tmp/unplug.out 2>&1 &
pid=$!
check "a multi-part hash is under way" wait_for 30 grep -q ready /tmp/unplug.out
qmp '{"execute": "device_del", "arguments": {"id": "vc0"}}'
check "/dev/cryptodev0 disappears after device_del" wait_for 60 test ! -e /dev/cryptodev0
touch /tmp/unplugged
check "the hash process finishes" wait_for 30 sh -c "! kill -0 $pid 2>/dev/null"
wait $pid
is "$?" 0 "UPDATE and FINAL after unplug: ENODEV"
sed 's/^/# /' /tmp/unplug.out
is "$(cat /sys/module/virtio_cryptodev/refcnt)" 0 "no file references left"
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'
tap_done
