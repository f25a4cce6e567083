#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every algorithm: the built-in backend implements ECB, CTR, XTS and 3DES
# although it advertises only CBC, so the driver is told to use them
# (force_algos: virtio bits AES_ECB|AES_CBC|AES_CTR|3DES_CBC|AES_XTS).
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# append: vdevkit.noload=virtio_cryptodev
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

check "virtio_cryptodev loaded with force_algos" vcd_load force_algos=0x211c
tap_include crypto-test -r all
sed 's/^/# stats: /' /sys/class/misc/cryptodev0/stats
is "$(vcd_stat cryptodev0 device_sessions)" 0 "every device session destroyed again"
tap_done
