#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host driven through virtio-crypto-pci by a qtest:
# properties, probing, config space, sessions, errors, several queues,
# device reset and hot-unplug with requests still in the backend.
exec "$(dirname "$0")/crypto-qtest.sh" \
	/cryptodev-host/properties /cryptodev-host/config /cryptodev-host/auto \
	/cryptodev-host/kat /cryptodev-host/sessions /cryptodev-host/errors \
	/cryptodev-host/multiqueue /cryptodev-host/reset-inflight \
	/cryptodev-host/unplug-inflight /cryptodev-host/inflight-bound
