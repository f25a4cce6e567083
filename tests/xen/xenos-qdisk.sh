# SPDX-License-Identifier: MIT
# QEMU's qdisk backend (xl backendtype=qdisk, Debian's qemu-system-xen in
# dom0) instead of blkback, four guests in one boot: our guest OS's I/O
# test (random sizes and offsets over the whole disk, past-end, flush,
# discard if offered; dom0 checks the backing disk), its read-only test,
# its hot-plug test (attach, detach under I/O, re-attach), then Linux's
# own blkfront (PV) as the reference. Prints what the backend offered.
# xen-guest: vdevkit
# xen-type: pvh
# xen-memory: 64
# xen-backend: qdisk
# xen-also-linux: yes
# xen-disk: xvda 64M rw
# xen-disk: xvdb 16M ro
# xen-disk: xvdc 16M rw later
# xen-timeout: 300

# One guest: name, its disks (entries of the scenario's XG_DISKS), command
# line; started but not waited for.
all_disks=$XG_DISKS
part() {
	guest_as "$1"
	XG_DISKS=
	for _d in $2; do
		for _e in $all_disks; do
			case $_e in "$_d":*) XG_DISKS="$XG_DISKS${XG_DISKS:+ }$_e" ;; esac
		done
	done
	XG_CMDLINE=$3
	note "--- $1 on $XG_BACKEND: $2 ($3)"
	guest_start
}
# Print what the backend of disk $1 offers, once the guest has connected.
features() { guest_log_wait "$2" 120 && backend_features "$1"; }

if part io "xvda" "test=io regions=12"; then
	features xvda '# vbd '
	guest_end
	verdict=$?
else
	verdict=1
fi
check "io: our guest OS's I/O test passed on qdisk (verdict $verdict)" [ "$verdict" = 0 ]
check_guest_sha256 xvda-sha256 xvda "io: dom0's SHA-256 of the whole disk equals the guest's"
check_regions xvda

if part ro "xvdb" "test=ro"; then
	# Done within a second or two, too soon for dom0 to read the
	# backend's nodes: the guest's own "# vbd" line shows what it got.
	guest_end
	verdict=$?
else
	verdict=1
fi
check "ro: read-only disk test passed on qdisk (verdict $verdict)" [ "$verdict" = 0 ]

if part hotplug "xvda xvdc" "test=hotplug"; then
	guest_step XENOS-WAIT-ATTACH disk_attach xvdc
	backend_features xvdc
	guest_step XENOS-WAIT-DETACH disk_detach xvdc
	guest_step XENOS-WAIT-REATTACH disk_attach xvdc
	guest_end
	verdict=$?
else
	verdict=1
fi
check "hotplug: attach, detach under I/O, re-attach on qdisk (verdict $verdict)" [ "$verdict" = 0 ]

# The reference: Debian's Linux and its xen-blkfront on the same backend.
XG_KERNEL=/vdevkit/linux/kernel
XG_RAMDISK=/vdevkit/linux/ramdisk
XG_TYPE=pv
XG_MEMORY=128
if part linux "xvda xvdb" "console=hvc0 loglevel=4 vdevkit.test=disk vdevkit.bytes=8388608"; then
	guest_end
	verdict=$?
else
	verdict=1
fi
check "linux: Linux's blkfront disk test passed on qdisk (verdict $verdict)" [ "$verdict" = 0 ]
check_guest_sha256 xvda-sha256 xvda "linux: dom0 reads the guest's pattern from the backing disk"
tap_done
