#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host driven through virtio-crypto-pci by a qtest, every
# case of it: properties, probing, config space, sessions, errors, several
# queues, device reset and hot-unplug with requests still in the backend,
# and every algorithm and size equal to OpenSSL (worker threads, main loop
# and both).  Then QEMU's cryptodev backend properties (cryptodev-test,
# from qemu/patches/2004; 2010 and 2011 add cryptodev-vhost-user cases: the
# guest's queue_id bounded, every data queue handed over).
. "$(dirname "$0")/../lib/qtest.sh"
qtest_main cryptodev-host-test cryptodev-test
