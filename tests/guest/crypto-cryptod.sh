#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Our QEMU with vdevkit-cryptod (run by tests/t/39-cryptod-life.t, which
# gives the device and acts on the "# cryptod:" lines): the device config
# comes from the daemon; hashes, HMACs and AES-GCM through the daemon
# (all of crypto-auth: known answers, random messages against host
# OpenSSL, CIOCCPHASH, combined sessions, TLS and SRTP modes, errors,
# concurrent processes); the daemon killed mid-run (requests fail, none
# hangs) and started again (requests work again, QEMU reconnected); the
# driver unbound with a process running requests, then bound again; the
# device unplugged under load.  The host side checks the daemon's session count
# (SIGUSR1) after each step.
# vm: -object cryptodev-backend-host,id=c0 -device virtio-crypto-pci,cryptodev=c0,id=vc0
# timeout: 600
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

# host: ask the .t to act, then wait for it (it writes nothing back: the
# guest sees the result in what the device does)
host() { echo "# cryptod: $*"; sleep "${HOST_WAIT:-2}"; }
# one 64 KiB request, bounded: 124 if it hung
once() { timeout 30 crypto-test once >/tmp/once.out 2>&1; }

dev=$(ls -d /sys/bus/virtio/drivers/virtio_cryptodev/virtio* | head -1)
dev=${dev##*/}
line=$(dmesg | grep 'virtio_cryptodev.*data queues' | tail -1)
echo "# $line"
# stock QEMU: "ciphers 0x8, hashes 0x0, macs 0x0, aead 0x0" (AES-CBC)
for f in "ciphers 0x8," "hashes 0x0," "macs 0x0," "aead 0x0,"; do
	case $line in *"$f"*) bad="$bad $f" ;; esac
done
is "${bad:-none}" none "the device config is the daemon's (none of stock QEMU's fixed masks)"

# 1. HASH, MAC, AEAD through the daemon (our QEMU forwards the sessions):
# every section of crypto-auth, as 38-crypto-guest-hash runs it
tap_include crypto-auth
is "$(vcd_stat cryptodev0 device_sessions)" 0 "every device session destroyed"
# the driver keeps one device session per plain hash algorithm for reuse:
# the daemon must hold those and nothing else
host stats after-auth "$(vcd_stat cryptodev0 shared_sessions)"

# 2. The daemon killed while the guest runs, then back
check "cipher requests work before" once
host kill
once
rc=$?
sed 's/^/# /' /tmp/once.out
check "while the daemon is away: a request fails (status $rc), none hangs" \
	test "$rc" != 0 -a "$rc" != 124
once
rc=$?
check "and again, still no hang (status $rc)" test "$rc" != 0 -a "$rc" != 124
host start
check "requests work again once the daemon is back" wait_for 60 once
sed 's/^/# /' /tmp/once.out
host stats after-restart
# The driver's shared hash sessions named the old daemon's sessions: the
# daemon answers INVSESS, and the driver makes new ones for the same
# request, so the known answers pass without a rebind.
tap_include crypto-auth kat

# 3. The driver unbound (device reset) while a process holds sessions
crypto-test stress 60 >/tmp/stress.out 2>&1 &
pid=$!
check "a process is running requests" wait_for 30 grep -q running /tmp/stress.out
echo "$dev" >/sys/bus/virtio/drivers/virtio_cryptodev/unbind
check "the process stops: its session is gone with the device" \
	wait_for 60 sh -c "! kill -0 $pid 2>/dev/null"
wait $pid
sed 's/^/# /' /tmp/stress.out
host stats after-unbind
echo "$dev" >/sys/bus/virtio/drivers/virtio_cryptodev/bind
check "bound again: requests work" wait_for 30 once
tap_include crypto-auth kat

# 4. Unplug under load
crypto-test stress 120 >/tmp/stress.out 2>&1 &
pid=$!
check "a process is running requests" wait_for 30 grep -q running /tmp/stress.out
qmp '{"execute": "device_del", "arguments": {"id": "vc0"}}'
check "/dev/cryptodev0 disappears after device_del" \
	wait_for 60 test ! -e /dev/cryptodev0
check "the process ends" wait_for 60 sh -c "! kill -0 $pid 2>/dev/null"
wait $pid
sed 's/^/# /' /tmp/stress.out
host stats after-unplug
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'
tap_done
