#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The openssl provider's answers, for every algorithm and key size and
# sizes from 1 byte to 1 MiB, equal OpenSSL's own (computed in the test).
exec "$(dirname "$0")/crypto-qtest.sh" /cryptodev-host/openssl-equal
