#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host driven through virtio-crypto-pci by a qtest, every
# case of it: properties, probing, config space, sessions, errors, several
# queues, device reset and hot-unplug with requests still in the backend,
# and every algorithm and size equal to OpenSSL (worker threads, main loop
# and both); hashes, MACs and AES-GCM: known answers, equal to OpenSSL,
# every bound; the guest's mapped pages (patch 2050) byte-identical to
# copies for random sizes, odd descriptor boundaries and in-place
# requests, with and without iothread.  Then QEMU's cryptodev-test
# (qemu/patches/2004-2050): the queues property, what builtin advertises
# and answers for HASH/MAC/AEAD, throttled requests that the backend
# refuses, builtin with and without copies, and cryptodev-vhost-user (the
# guest's queue_id bounded, every data queue handed over, the config from
# the back end, HASH/MAC/AEAD sessions forwarded, a back end restart,
# sessions closed at reset).
. "$(dirname "$0")/../lib/qtest.sh"
qtest_main cryptodev-host-test cryptodev-test
