# SPDX-License-Identifier: MIT
# Hot plug with our guest OS: a second disk attached at run time
# (xl block-attach) is found and used; detached (xl block-detach) while the
# guest writes to it, the in-flight I/O fails with an error; attached again,
# blkfront reconnects and I/O works. The guest prints XENOS-WAIT-* lines
# when it is ready for each step.
# xen-guest: vdevkit
# xen-type: pvh
# xen-memory: 32
# xen-cmdline: test=hotplug
# xen-disk: xvda 16M rw
# xen-disk: xvdb 16M rw later
# xen-timeout: 240

guest_start || { ok 1 "xl create"; tap_done; exit 1; }
guest_step XENOS-WAIT-ATTACH disk_attach xvdb
guest_step XENOS-WAIT-DETACH disk_detach xvdb
guest_step XENOS-WAIT-REATTACH disk_attach xvdb
guest_end
verdict=$?
check "guest test passed (verdict $verdict)" [ "$verdict" = 0 ]
tap_done
