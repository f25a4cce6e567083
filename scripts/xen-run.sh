#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run one Xen scenario: Debian's Xen under our QEMU (TCG, qemu64+npt), booted
# by scripts/vm.sh, a Debian dom0 that starts the scenario's guest with xl,
# and the scenario's dom0-side script (tests/xen/NAME.sh).  This script only
# prepares the pieces (cached hypervisor and dom0 root, a payload disk with
# the scenario and guest, the scenario's disks).  Prints the scenario's
# output (TAP); the exit status is its verdict (vm.sh's: the final
# "VDEVKIT-EXIT <rc>" on the result channel, 124 timeout, 125 none).
#
#   scripts/xen-run.sh [-v] [-k] NAME|PATH
#     -v  show the whole serial log (Xen, dom0 kernel) live
#     -k  keep the run directory (disk images, logs) even on success
#
# A scenario file is a dom0 shell script (helpers: tests/xen/dom0/lib.sh)
# whose header lines describe the guest:
#   # xen-guest: linux | vdevkit | PATH   kernel (Debian's vmlinuz with our
#                                         domU initramfs, our PVH ELF, a file)
#   # xen-type: pvh | pv                  (default pvh)
#   # xen-memory: MiB                     (default 128 linux, 16 otherwise)
#   # xen-cmdline: ...                    the guest's command line (xl extra=)
#   # xen-disk: VDEV SIZE ro|rw [later]   a fresh raw image per run; "later"
#                                         leaves it out of the xl config
#   # xen-timeout: SECONDS                guest run limit inside dom0 (120)
#   # xen-linux-bin: FILE...              (linux guest) programs for its /bin,
#                                         paths relative to the repository
#   # xen-backend: blkback | qdisk        who serves the disks: Linux's
#                                         blkback (default) or QEMU's qdisk
#   # xen-cpus: N                         CPUs for Xen (QEMU -smp; default 1)
#   # xen-also-linux: yes                 Debian's kernel and the Linux domU
#                                         initramfs in /vdevkit/linux too, for
#                                         a second guest in the same boot
# Environment: VDEVKIT_XEN selects the Xen release (4.17, the default, with
# a bookworm dom0; 4.20 with trixie); VDEVKIT_XEN_GUEST, VDEVKIT_XEN_TYPE,
# VDEVKIT_XEN_CMDLINE and VDEVKIT_XEN_BACKEND override xen-guest, xen-type,
# xen-cmdline and xen-backend (a scenario that runs guests on both
# backends, xenos-bench, then keeps to the one asked for);
# VDEVKIT_XEN_LIMIT the whole run's time limit; VDEVKIT_XEN_CPUS overrides
# xen-cpus; VDEVKIT_XEN_OPTS is handed to the scenario as XG_OPTS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xen-lib.sh"

verbose=
keep=
while getopts vk o; do
	case $o in
	v) verbose=1 ;;
	k) keep=1 ;;
	*) die "usage: xen-run.sh [-v] [-k] NAME|PATH" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || die "usage: xen-run.sh [-v] [-k] NAME|PATH"
scen=$1
[ -f "$scen" ] || scen=$VDEVKIT_ROOT/tests/xen/$1.sh
[ -f "$scen" ] || die "xen-run: no scenario '$1' (tests/xen/*.sh)"
name=$(basename "$scen" .sh)

hdr() { sed -n "s/^# xen-$1: *//p" "$scen"; }
guest=${VDEVKIT_XEN_GUEST:-$(hdr guest | tail -1)}
type=${VDEVKIT_XEN_TYPE:-$(hdr type | tail -1)}
type=${type:-pvh}
mem=$(hdr memory | tail -1)
cmdline=${VDEVKIT_XEN_CMDLINE:-$(hdr cmdline | tail -1)}
gtimeout=$(hdr timeout | tail -1)
gtimeout=${gtimeout:-120}
backend=${VDEVKIT_XEN_BACKEND:-$(hdr backend | tail -1)}
backend=${backend:-blkback}
cpus=${VDEVKIT_XEN_CPUS:-$(hdr cpus | tail -1)}
cpus=${cpus:-1}
case $backend in blkback | qdisk) ;; *) die "xen-run: $name: xen-backend must be blkback or qdisk" ;; esac
case $type in pvh | pv) ;; *) die "xen-run: $name: xen-type must be pvh or pv" ;; esac
case $gtimeout in '' | *[!0-9]*) die "xen-run: $name: bad xen-timeout" ;; esac
case $cpus in [1-9]) ;; *) die "xen-run: $name: xen-cpus must be 1 to 9" ;; esac
case $cmdline in *\"*) die "xen-run: $name: the guest command line may not hold '\"'" ;; esac

T0=$(date +%s.%N)
el() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

hv=$("$VDEVKIT_ROOT/scripts/xen-hv.sh")
root=$("$VDEVKIT_ROOT/scripts/xen-dom0.sh")
xver=$(cat "${root%.ext4}.version")
stage1=$("$VDEVKIT_ROOT/scripts/xen-initrd.sh" dom0)
kver=$(guest_kver)
vmlinuz=$CACHE/guest/$kver/vmlinuz

run=$XOUT/run-$name${VDEVKIT_XEN_TYPE:+-$type}${VDEVKIT_XEN_BACKEND:+-$backend}${VDEVKIT_XEN:+-$XEN_SERIES}${VDEVKIT_XEN_CPUS:+-${cpus}cpu}
rm -rf "$run"
mkdir -p "$run/payload/guest"
pl=$run/payload

# Debian's kernel and the Linux domU initramfs into payload dir $1.
put_linux() {
	mkdir -p "$1"
	cp "$("$VDEVKIT_ROOT/scripts/xen-vmlinux.sh")" "$1/kernel"
	cp "$("$VDEVKIT_ROOT/scripts/xen-initrd.sh" domU)" "$1/ramdisk"
	# Extra programs for the domU's /bin ("# xen-linux-bin: FILE..."), as
	# a second archive after the cached one (the kernel unpacks both).
	bins=$(hdr linux-bin | tr '\n' ' ')
	if [ -n "${bins// /}" ]; then
		rm -rf "$run/extra"
		mkdir -p "$run/extra/bin"
		for b in $bins; do
			f=$b
			[ -f "$f" ] || f=$VDEVKIT_ROOT/$b
			[ -f "$f" ] || die "xen-run: $name: '$b' not found (build it first)"
			install -m 755 "$f" "$run/extra/bin/"
		done
		(cd "$run/extra" && find . -mindepth 1 | cpio -o -H newc --quiet) |
			gzip -1 >>"$1/ramdisk"
	fi
}

case $guest in
linux)
	put_linux "$pl/guest"
	mem=${mem:-128}
	;;
vdevkit)
	elf=$XOUT/vdevkit-xen.elf
	[ -f "$elf" ] || die "xen-run: $name needs our guest kernel $elf (build xen/ first)"
	cp "$elf" "$pl/guest/kernel"
	;;
'') die "xen-run: $name: no '# xen-guest:' line" ;;
*)
	f=$guest
	[ -f "$f" ] || f=$VDEVKIT_ROOT/$guest
	[ -f "$f" ] || die "xen-run: $name: guest kernel '$guest' not found"
	cp "$f" "$pl/guest/kernel"
	;;
esac
mem=${mem:-16}
case $mem in '' | *[!0-9]*) die "xen-run: $name: bad xen-memory" ;; esac
if [ "$(hdr also-linux | tail -1)" = yes ]; then put_linux "$pl/linux"; fi
ramdisk=
[ -f "$pl/guest/ramdisk" ] && ramdisk=/vdevkit/guest/ramdisk

# Disks: fresh sparse raw images, one virtio disk each, serial "xd-VDEV".
# queue-size 1024 lets a request have 1022 segments (QEMU's seg_max is the
# queue size - 2): with 256 (254 segments) blkback's 1 MiB of 256 grant
# pages, which never merge, went to the disk as two requests where dom0's
# own 1 MiB goes as one (docs/perf.md).
disks=()
xg_disks=
while read -r vdev size mode when; do
	[ -n "$vdev" ] || continue
	case $vdev in xvd[a-z] | xvd[a-z][a-z]) ;; *) die "xen-run: $name: bad disk name '$vdev'" ;; esac
	case $mode in ro | rw) ;; *) die "xen-run: $name: disk $vdev: mode must be ro or rw" ;; esac
	case $when in '' | later) ;; *) die "xen-run: $name: disk $vdev: unknown '$when'" ;; esac
	truncate -s "$size" "$run/disk-$vdev.img" 2>/dev/null ||
		die "xen-run: $name: disk $vdev: bad size '$size'"
	disks+=(-drive "file=$run/disk-$vdev.img,format=raw,if=none,id=d-$vdev,cache=unsafe"
		-device "virtio-blk-pci,drive=d-$vdev,serial=xd-$vdev,queue-size=1024")
	xg_disks="$xg_disks${xg_disks:+ }$vdev:$size:$mode${when:+:$when}"
done < <(hdr disk)

for f in init lib.sh block-fast; do
	install -m 755 "$VDEVKIT_ROOT/tests/xen/dom0/$f" "$pl/$f"
done
install -m 644 "$VDEVKIT_ROOT/guest/tap.sh" "$pl/tap.sh"
install -m 755 "$scen" "$pl/scenario.sh"
{
	echo "XG_NAME=guest"
	echo "XG_TYPE=$type"
	echo "XG_KERNEL=/vdevkit/guest/kernel"
	echo "XG_RAMDISK=$ramdisk"
	echo "XG_CMDLINE=\"$cmdline\""
	echo "XG_MEMORY=$mem"
	echo "XG_TIMEOUT=$gtimeout"
	echo "XG_DISKS=\"$xg_disks\""
	echo "XG_BACKEND=$backend"
	# Set only when asked for: a scenario serving both may keep to it.
	echo "XG_BACKEND_ASKED=${VDEVKIT_XEN_BACKEND:-}"
	# Words for the scenario to interpret (xenos-bench: alt=, spin=).
	echo "XG_OPTS=\"${VDEVKIT_XEN_OPTS:-}\""
	echo "XG_CPUS=$cpus"
} >"$pl/scenario.env"
mb=$(( $(du -sm "$pl" | cut -f1) + 8 ))
mkfs.ext4 -q -F -L payload -d "$pl" "$run/payload.ext4" "${mb}M" >/dev/null ||
	die "xen-run: cannot make the payload image"
tprep=$(el "$T0")

xen_cmd="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 loglvl=all guest_loglvl=all"
# QEMU splits -initrd at commas: no comma in the dom0 command line.
dom0_cmd="console=hvc0 earlyprintk=xen loglevel=4"
log=$run/serial.log
# Boot allowance on top of the guest's own limit.
limit=${VDEVKIT_XEN_LIMIT:-$((gtimeout + 180))}
T1=$(date +%s.%N)
say "xen-run: $name: booting Xen $xver (limit ${limit}s, log $log)"
# scripts/vm.sh runs QEMU: its COM1 log is Xen's console (Xen, dom0 kernel,
# dom0 init), its COM2 result channel carries the scenario's output and
# verdict, which dom0's init writes to ttyS1; timeout and QMP as for every
# guest.  Multiboot: Xen is the kernel, dom0's kernel and stage 1 modules.
set +e
VM_MEM=1024 VM_SMP=$cpus VM_CPU=qemu64,+npt VERBOSE=$verbose \
	"$VDEVKIT_ROOT/scripts/vm.sh" --no-guest --timeout "$limit" --log "$log" \
	--kernel "$hv" --append "$xen_cmd" --initrd "$vmlinuz $dom0_cmd,$stage1" -- \
	-M pc -L "$XCACHE/roms" -L /usr/share/seabios \
	-drive "file=$root,format=raw,if=none,id=root,snapshot=on" \
	-device virtio-blk-pci,drive=root,serial=dom0root \
	-drive "file=$run/payload.ext4,format=raw,if=none,id=payload,readonly=on" \
	-device virtio-blk-pci,drive=payload,serial=payload \
	"${disks[@]}"
rc=$?
set -e
echo "# xen-run $name: verdict $rc; prep ${tprep}s, QEMU ran $(el "$T1")s, total $(el "$T0")s"
if [ "$rc" = 0 ] && [ -z "$keep" ]; then
	rm -f "$run"/disk-*.img "$run/payload.ext4"
	rm -rf "$pl"
fi
exit "$rc"
