# SPDX-License-Identifier: MIT
# Reproducer of a QEMU bug, not a test of ours (docs/blkfront.md, "QEMU
# bug: an access=ro qdisk disk never reaches the guest"): a read-only disk
# served by qdisk the usual way, xl access=ro without the test bed's
# devtype=cdrom.  It passes while QEMU still has the bug: the guest gets no
# disk and QEMU's log says "Block node is read-only".  Once it fails, QEMU
# is fixed and disk_spec's workaround can go.
#   make xen-run XEN=qdisk-ro-bug            (Xen 4.17: QEMU 7.2)
#   VDEVKIT_XEN=4.20 make xen-run XEN=qdisk-ro-bug   (QEMU 10.0)
# xen-guest: vdevkit
# xen-type: pvh
# xen-memory: 32
# xen-cmdline: test=ro
# xen-disk: xvda 16M ro
# xen-backend: qdisk
# xen-timeout: 120

dpkg-query -W qemu-system-xen | sed 's/^/# dom0: /'
# lib.sh's spec without the workaround.
disk_spec() {
	_dev=$(disk_dev "$1") || return 1
	echo "format=raw,vdev=$1,access=ro,backendtype=qdisk,target=$_dev"
}
run_guest
verdict=$?
check "the guest did not get its read-only disk (verdict $verdict)" [ "$verdict" != 0 ]
for _f in /var/log/xen/qemu-dm-"$XG_NAME".log; do
	sed 's/^/# qemu: /' "$_f"
done
check "QEMU refused the disk: Block node is read-only" \
	grep -q 'Block node is read-only' /var/log/xen/qemu-dm-"$XG_NAME".log
tap_done
