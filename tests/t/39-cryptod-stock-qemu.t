#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod with Debian's own QEMU 10.0 (/usr/bin/qemu-system-x86_64,
# qemu-system-x86 from trixie or bookworm-backports: scripts/deps.d/
# cryptod.bpo), guest RAM a shared memfd, the device's data queue and
# sessions handed to the daemon over vhost-user.  Two guests:
#  - our virtio_cryptodev: the scenario crypto-builtin (stock QEMU's
#    vhost-user back end advertises AES-CBC only, as its built-in one does):
#    vectors, round trips, several processes, ECB refused;
#  - Debian's virtio_crypto with the guest's openssl -engine afalg: the
#    scenario crypto-openssl-afalg; the daemon must have done exactly the
#    bytes the guest says it sent.  This daemon has a worker pool of 2 for
#    requests of 4 KiB and more, which must have done some of them, and
#    runs as nobody (as root).
# After each, SIGTERM must end the daemon with status 0.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib.sh"
. "$root/tests/lib/crypto-openssl.sh"
. "$root/tests/lib/cryptod.sh"
stock=${STOCK_QEMU:-/usr/bin/qemu-system-x86_64}
tmp=$OUT/cryptod-stock
mkdir -p "$tmp"
echo "1..6"

if ! "$stock" --version 2>/dev/null | grep -q 'version 10\.0'; then
	echo "not ok 1 - Debian's QEMU 10.0 at $stock (run scripts/deps.sh)"
	exit 1
fi
echo "ok 1 - $("$stock" --version | head -1)"

export VM_QEMU=$stock
cryptod_start drv || echo "# daemon did not start: $(cat "$tmp/drv.log")"
out=$("$root/scripts/scenario.sh" crypto-builtin --vm "$(cryptod_vm_args "$tmp/drv.sock")" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 10 ]; then
	echo "ok 2 - our virtio_cryptodev via stock QEMU and the daemon: $oks checks pass"
else
	echo "not ok 2 - our virtio_cryptodev via stock QEMU and the daemon (status $rc, $oks ok, $fails failed)"
fi
if cryptod_stop drv && printf '%s\n' "$last" | grep -q 'exiting: [1-9][0-9]* requests'; then
	echo "ok 3 - daemon did the requests and exited 0 on SIGTERM: ${last#*: }"
else
	echo "not ok 3 - daemon did the requests and exited 0 on SIGTERM (status $dst)"
fi

if ! afalg_bundle "$tmp/afalg"; then
	echo "not ok 4 - openssl afalg bundle (see $tmp/afalg/bundle.log)"
	exit 1
fi
user=
[ "$(id -u)" != 0 ] || user="--user nobody"
# shellcheck disable=SC2086 # user is one option and its value, or nothing
cryptod_start afalg --workers 2 --pool-min 4096 $user || echo "# daemon did not start: $(cat "$tmp/afalg.log")"
afalg_run "$tmp/afalg" --vm "$(cryptod_vm_args "$tmp/afalg.sock")"
if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge 51 ]; then
	echo "ok 4 - Debian's virtio_crypto + openssl -engine afalg via stock QEMU and the daemon: $oks checks pass"
else
	echo "not ok 4 - Debian's virtio_crypto + openssl afalg via stock QEMU and the daemon (status $rc, $oks ok, $fails failed)"
fi
read -r want_enc want_dec < <(printf '%s\n' "$out" |
	sed -n 's/^# afalg-bytes encrypt \([0-9]*\) decrypt \([0-9]*\)$/\1 \2/p')
cryptod_stop afalg
st=$?
read -r got_enc got_dec < <(printf '%s\n' "$last" |
	sed -n 's/.*bytes encrypted \([0-9]*\) decrypted \([0-9]*\)$/\1 \2/p')
pooled=$(printf '%s\n' "$last" | sed -n 's/.*requests (\([0-9]*\) in the worker pool).*/\1/p')
if [ "$st" = 0 ] && [ "${pooled:-0}" -gt 0 ]; then
	echo "ok 5 - daemon exited 0 on SIGTERM; $pooled requests done by its worker pool"
else
	echo "not ok 5 - daemon exited 0 on SIGTERM (status $dst), requests done by its worker pool: ${pooled:-none}"
fi
# The kernel's self-test of virtio_crypto_aes_cbc runs through the
# device too: the daemon may have done more, never less.
if [ -n "${want_enc:-}" ] && [ -n "${got_enc:-}" ] && [ "$want_enc" -gt 0 ] &&
	[ "$got_enc" -ge "$want_enc" ] && [ "$got_dec" -ge "$want_dec" ] &&
	[ $((got_enc - want_enc)) -lt 65536 ] && [ $((got_dec - want_dec)) -lt 65536 ]; then
	echo "ok 6 - the daemon did the guest's bytes: encrypt $got_enc >= $want_enc, decrypt $got_dec >= $want_dec"
else
	echo "not ok 6 - the daemon did the guest's bytes (encrypt ${got_enc:-?} vs ${want_enc:-?}, decrypt ${got_dec:-?} vs ${want_dec:-?})"
fi
