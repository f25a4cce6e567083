# SPDX-License-Identifier: GPL-2.0-or-later
# Linux domU hot plug: dom0 attaches a second disk to the running guest
# (xl block-attach), the guest uses it, dom0 detaches it (xl block-detach)
# and the guest must see it go; dom0 then checks the guest's data reached
# the backing disk.  Shows the dom0-side actions a scenario can take.
# xen-guest: linux
# xen-type: pv
# xen-memory: 128
# xen-cmdline: console=hvc0 loglevel=4 vdevkit.test=hotplug
# xen-disk: xvda 8M rw
# xen-disk: xvdb 16M rw later
# xen-timeout: 180

# step MARKER CMD...: run CMD once the guest printed MARKER; TAP for both.
step() {
	_m=$1
	shift
	if guest_log_wait "^$_m" 120; then
		_t=$(now)
		if "$@" >/tmp/step.log 2>&1; then
			ok 0 "$* ($(since "$_t") s)"
		else
			ok 1 "$*: $(tail -1 /tmp/step.log)"
		fi
	else
		ok 1 "guest printed $_m"
	fi
}

guest_start || { ok 1 "xl create"; tap_done; exit 1; }
step VDEVKIT-WAIT-ATTACH disk_attach xvdb
step VDEVKIT-WAIT-DETACH disk_detach xvdb
guest_end
verdict=$?
check "guest test passed (verdict $verdict)" [ "$verdict" = 0 ]
check_guest_sha256 xvdb-sha256 xvdb "dom0 reads the guest's pattern from the detached disk"
tap_done
