#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 32-bit programs on the 64-bit guest kernel: crypto-test built with -m32
# goes through the driver's compat ioctl (pointers in session_op and
# crypt_op are 32 bits wide there), for every algorithm.
# vm: -object cryptodev-backend-builtin,id=c0 -device virtio-crypto-pci,cryptodev=c0
# append: vdevkit.noload=virtio_cryptodev
. /lib/vdevkit/tap.sh
. /lib/vdevkit/crypto.sh

check "virtio_cryptodev loaded with force_algos" vcd_load force_algos=0x211c
check "crypto-test32 is a 32-bit program" sh -c "head -c 5 /usr/bin/crypto-test32 | od -An -tx1 | grep -q '7f 45 4c 46 01'"
tap_include crypto-test32 -r all kat random errors
tap_done
