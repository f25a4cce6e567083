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

step() {
	if guest_log_wait "$1" 120; then
		_t=$(now)
		if "$@" >/tmp/step.log 2>&1; then :; fi
		shift
		note "$* took $(since "$_t") s"
		sed 's/^/#   /' /tmp/step.log
	else
		note "guest never printed $1"
	fi
}
at() { shift; "$@"; }

guest_start || { not_ok "xl create"; tap_done; exit 1; }
step XENOS-WAIT-ATTACH at disk_attach xvdb
step XENOS-WAIT-DETACH at disk_detach xvdb
step XENOS-WAIT-REATTACH at disk_attach xvdb
guest_wait
w=$?
guest_console
verdict=99
[ $w = 0 ] && { guest_verdict; verdict=$?; }
check "guest test passed (verdict $verdict)" [ "$verdict" = 0 ]
tap_done
