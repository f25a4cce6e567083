#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo: a message encrypted and decrypted through /dev/crypto.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
. /lib/vdevkit/tap.sh

crypto-demo "Hello from the guest, encrypted by the host!"
ok $? "demo round trip"
tap_done
