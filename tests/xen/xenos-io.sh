# SPDX-License-Identifier: MIT
# Our PVH guest OS and its blkfront against dom0's blkback: random-size
# writes (512 B .. 4 MiB) at random sectors across the disk, read back;
# the whole disk re-read and hashed; past-end I/O; flush; many requests in
# flight. dom0 then checks the backing disk: whole-image SHA-256 and each
# region's SHA-256 must equal what the guest reported.
# xen-guest: vdevkit
# xen-type: pvh
# xen-memory: 64
# xen-cmdline: test=io regions=12
# xen-disk: xvda 64M rw
# xen-timeout: 300

run_guest
verdict=$?
check "guest test passed (verdict $verdict)" [ "$verdict" = 0 ]
check_guest_sha256 xvda-sha256 xvda "dom0's SHA-256 of the whole disk equals the guest's"
check_regions xvda
tap_done
