#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cryptodev-backend-host's afalg provider, in a guest (this host may have no
# AF_ALG): the qtest and our QEMU, with their shared libraries, are copied
# into a guest of Debian's kernel and run there with provider=afalg.
set -uo pipefail
. "$(dirname "$0")/../lib/crypto-provider.sh"
provider_in_guest afalg "afalg provider in a guest"
