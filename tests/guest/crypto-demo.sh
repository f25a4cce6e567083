#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo: a message encrypted and decrypted through /dev/crypto, done on
# the host by cryptodev-backend-host; the host names its provider (QMP).
# vm: -object cryptodev-backend-host,id=c0 -device virtio-crypto-pci,cryptodev=c0
. /lib/vdevkit/tap.sh

echo "host backend: cryptodev-backend-host; its provider, asked over QMP:"
qmp '{"execute": "qom-get", "arguments": {"path": "/objects/c0", "property": "active-provider"}}'
sleep 1
crypto-demo "Hello from the guest, encrypted by the host!"
ok $? "demo round trip"
tap_done
