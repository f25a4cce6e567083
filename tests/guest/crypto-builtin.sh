#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Our driver against QEMU's built-in backend as it is: it advertises only
# AES-CBC, so CBC must work at every key size and every other algorithm must
# be refused at CIOCGSESSION (reported as skips by crypto-test).  The module
# is loaded by the guest's init, as any user would have it.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
. /lib/vdevkit/tap.sh

check "virtio_cryptodev loaded at boot" test -d /sys/module/virtio_cryptodev
check "/dev/crypto and /dev/cryptodev0 exist" test -c /dev/crypto -a -c /dev/cryptodev0
crypto-demo >/tmp/demo.out
ok $? "demo round trip"
sed "s/^/# /" /tmp/demo.out
tap_include crypto-test -r aes-128-cbc,aes-192-cbc,aes-256-cbc
check "unadvertised AES-ECB refused with EINVAL" grep -q 'SKIP.*aes-128-ecb not offered' /tmp/tap_include.out
# QEMU 10.0's built-in backend advertised SHA-1 and answered NOTSUPP;
# with patch 2005 it no longer advertises it.  Either way: a clean error.
crypto-auth notsupp >/tmp/notsupp.out 2>&1
ok $? "SHA-1 without a device hash: EINVAL or EOPNOTSUPP, no hang"
sed "s/^/# /" /tmp/notsupp.out
tap_done
