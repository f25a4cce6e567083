# SPDX-License-Identifier: MIT
# Our guest OS with a read-only disk: blkfront sees VDISK_READONLY and
# refuses writes itself; a write forced past that check is refused by
# blkback; reads work.
# xen-guest: vdevkit
# xen-type: pvh
# xen-memory: 32
# xen-cmdline: test=ro
# xen-disk: xvda 16M ro
# xen-timeout: 120

run_guest
verdict=$?
check "guest test passed (verdict $verdict)" [ "$verdict" = 0 ]
tap_done
