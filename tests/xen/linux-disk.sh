# SPDX-License-Identifier: GPL-2.0-or-later
# Linux domU disk test: Debian's kernel as a PVH domU with its xen-blkfront
# against dom0's blkback.  The guest writes a random pattern to xvda and
# reads it back; dom0 then checks the backing disk holds the same bytes.
# xvdb is attached read-only: the guest must be refused writes to it.
# xen-guest: linux
# xen-type: pv
# xen-memory: 128
# xen-cmdline: console=hvc0 loglevel=4 vdevkit.test=disk vdevkit.bytes=8388608
# xen-disk: xvda 64M rw
# xen-disk: xvdb 8M ro
# xen-timeout: 180

run_guest
verdict=$?
echo "# guest verdict: $verdict"
check "guest test passed (verdict $verdict)" [ "$verdict" = 0 ]
# The value is "SHA256 BYTES": split it.
# shellcheck disable=SC2046
check_guest_sha256 xvda-sha256 xvda "dom0 reads the guest's pattern from the backing disk"
tap_done
