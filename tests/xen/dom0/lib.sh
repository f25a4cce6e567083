# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for dom0-side scenario scripts (sourced; /bin/sh = dash in dom0).
# The host runner (scripts/xen-run.sh) writes /vdevkit/scenario.env from the
# scenario's "# xen-..." header lines:
#   XG_NAME XG_TYPE XG_KERNEL XG_RAMDISK XG_CMDLINE XG_MEMORY XG_TIMEOUT
#   XG_DISKS  space-separated VDEV:SIZE:ro|rw[:later] ("later": not in the
#             xl config; attach it with disk_attach)
#   XG_BACKEND  blkback or qdisk
# Each disk is a fresh raw image on the host, a virtio disk in dom0 found by
# its serial "xd-VDEV", handed to blkback as a phy device, or to QEMU's
# qdisk backend (xl backendtype=qdisk: libxl starts a QEMU for the guest's
# PV backends in dom0, which opens the device itself).

. /vdevkit/scenario.env
XG_BACKEND=${XG_BACKEND:-blkback}
mkdir -p /run/vdevkit
# Name the next guest $1 (its console log and config follow the name), so
# that one boot can run several guests one after the other.
guest_as() {
	XG_NAME=$1
	XG_LOG=/var/log/xen/console/guest-$XG_NAME.log
	XG_CFG=/run/vdevkit/$XG_NAME.cfg
}
guest_as "$XG_NAME"

now() { cut -d' ' -f1 /proc/uptime; }
# Seconds (1 decimal) since $1, a value of now().
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
note() { echo "# [$(now)] $*"; }

# TAP for the scenario's own checks: the one library (guest/tap.sh);
# its tap_done ends the scenario with the verdict.
. /vdevkit/tap.sh

_disk_entry() {
	for _e in $XG_DISKS; do
		case $_e in "$1":*) echo "$_e"; return 0 ;; esac
	done
	echo "xen: no disk $1 in this scenario" >&2
	return 1
}

# The dom0 block device that backs guest disk VDEV.
disk_dev() {
	for _b in /sys/block/vd*; do
		if [ "$(cat "$_b/serial" 2>/dev/null)" = "xd-$1" ]; then
			echo "/dev/${_b##*/}"
			return 0
		fi
	done
	echo "xen: no virtio disk with serial xd-$1" >&2
	return 1
}

# xl disk spec for VDEV (see xl-disk-configuration(5)).
disk_spec() {
	_e=$(_disk_entry "$1") || return 1
	_mode=$(echo "$_e" | cut -d: -f3)
	_dev=$(disk_dev "$1") || return 1
	# target= must come last: it takes the rest of the spec.
	if [ "$XG_BACKEND" = qdisk ]; then
		# QEMU's xen-disk (7.2 and 10.0) opens a read-only disk's file
		# layer read-only but its raw layer read-write, and then fails
		# with "Block node is read-only": libxl drops the disk and the
		# guest never sees it.  Its cdrom type is read-only throughout
		# and reaches the frontend as VDISK_READONLY (plus VDISK_CDROM).
		_t=
		[ "$_mode" = ro ] && _t=devtype=cdrom,
		echo "format=raw,vdev=$1,access=$_mode,backendtype=qdisk,$_t""target=$_dev"
	else
		echo "format=raw,vdev=$1,access=$_mode,script=/vdevkit/block-fast,target=$_dev"
	fi
}

# XenStore device id of xvdX (major 202, 16 minors a disk).
disk_devid() {
	_l=$(printf '%s' "${1#xvd}" | od -An -tu1 | tr -d ' ')
	echo $((202 * 256 + (_l - 97) * 16))
}

# What the backend of the running guest's disk $1 offers: its XenStore
# nodes that a frontend reads (features, ring order, size, mode), on one
# line "backend-features VDEV KIND key=value...".
backend_features() {
	_id=$(xl domid "$XG_NAME" 2>/dev/null) || return 1
	_be=$(xenstore-read "/local/domain/$_id/device/vbd/$(disk_devid "$1")/backend" 2>/dev/null) || return 1
	_kv=
	for _k in feature-persistent feature-max-indirect-segments \
		max-ring-page-order feature-flush-cache feature-barrier \
		feature-discard discard-secure sector-size info mode; do
		_v=$(xenstore-read "$_be/$_k" 2>/dev/null) || _v=-
		_kv="$_kv $_k=$_v"
	done
	_kind=${_be#/local/domain/0/backend/}
	echo "backend-features $1 ${_kind%%/*}$_kv"
}

guest_config() {
	_disks=
	for _e in $XG_DISKS; do
		case $_e in *:later) continue ;; esac
		_s=$(disk_spec "${_e%%:*}") || return 1
		_disks="$_disks${_disks:+, }'$_s'"
	done
	{
		echo "name = \"$XG_NAME\""
		echo "type = \"$XG_TYPE\""
		echo "kernel = \"$XG_KERNEL\""
		[ -n "$XG_RAMDISK" ] && echo "ramdisk = \"$XG_RAMDISK\""
		echo "extra = \"$XG_CMDLINE\""
		echo "memory = $XG_MEMORY"
		echo "vcpus = 1"
		echo "disk = [ $_disks ]"
		echo 'on_poweroff = "destroy"'
		echo 'on_reboot = "destroy"'
		echo 'on_crash = "destroy"'
	} >"$XG_CFG"
}

# Create the guest (not waiting for it).  Extra xl config lines may be given
# as arguments, e.g. guest_start 'vcpus = 2'.
guest_start() {
	guest_config || return 1
	for _l in "$@"; do echo "$_l" >>"$XG_CFG"; done
	_t=$(now)
	if ! xl create "$XG_CFG" >/tmp/xl-create.log 2>&1; then
		echo "# xl create failed:"
		sed 's/^/#   /' /tmp/xl-create.log "$XG_CFG"
		return 1
	fi
	XG_STARTED=$(now)
	note "xl create took $(since "$_t") s"
}

guest_running() { xl domid "$XG_NAME" >/dev/null 2>&1; }

# Wait for the guest to end (it powers off, or crashes); destroy it after
# $1 seconds (default XG_TIMEOUT).  Returns 1 on timeout.  Sleeps in a
# XenStore watch on @releaseDomain (fired when a domain dies; the first
# event is the watch's own), not in a poll: on the test bed's one CPU,
# checking with xl every 0.5 s took dom0 CPU time from the guest's I/O
# (docs/perf.md).  The 5 s bound covers a death between the check and
# the watch; a watch that fails sleeps as the old poll did.
guest_wait() {
	_limit=${1:-$XG_TIMEOUT}
	_t=$(now)
	while guest_running; do
		if [ "$(since "$_t" | cut -d. -f1)" -ge "$_limit" ]; then
			note "guest still running after ${_limit}s: destroying it"
			xl destroy "$XG_NAME" >/dev/null 2>&1
			return 1
		fi
		timeout 5 xenstore-watch -n 2 @releaseDomain >/dev/null 2>&1 ||
			sleep 0.5
	done
	note "guest ended $(since "${XG_STARTED:-$_t}") s after create"
	# xenconsoled may still hold the last output.
	sleep 0.3
}

# Wait until the guest console shows a line matching the extended regex $1
# (timeout $2 s, default 60).  For scenarios that act mid-run.
guest_log_wait() {
	_t=$(now)
	until grep -Eq -- "$1" "$XG_LOG" 2>/dev/null; do
		guest_running || { grep -Eq -- "$1" "$XG_LOG" 2>/dev/null; return; }
		[ "$(since "$_t" | cut -d. -f1)" -lt "${2:-60}" ] || return 1
		sleep 0.2
	done
}

# The guest's console so far, each line prefixed so that its own verdict
# line is never taken for the scenario's.
guest_console() {
	echo "# --- guest console ($XG_LOG) ---"
	tr -d '\r' 2>/dev/null <"$XG_LOG" | sed 's/^/guest| /'
	echo "# --- end of guest console ---"
}

# The guest's verdict: the number on its last "VDEVKIT-EXIT N" line, or 99
# when it printed none.
guest_verdict() {
	_v=$(tr -d '\r' 2>/dev/null <"$XG_LOG" | sed -n 's/^.*VDEVKIT-EXIT \([0-9][0-9]*\).*$/\1/p' | tail -1)
	return "${_v:-99}"
}

# Value(s) the guest reported on a "VDEVKIT-VALUE KEY V..." line.
guest_value() {
	tr -d '\r' 2>/dev/null <"$XG_LOG" | sed -n "s/^.*VDEVKIT-VALUE $1 //p" | tail -1
}

# SHA-256 of the first $2 bytes of guest disk $1 as dom0 sees it, read with
# O_DIRECT so that dom0's page cache cannot answer instead of the disk.
disk_sha256() {
	_dev=$(disk_dev "$1") || return 1
	dd if="$_dev" bs=1M count="$2" iflag=direct,count_bytes status=none | sha256sum | cut -d' ' -f1
}

disk_attach() {
	_s=$(disk_spec "$1") || return 1
	xl block-attach "$XG_NAME" "$_s"
}

disk_detach() { xl block-detach "$XG_NAME" "$1"; }

# The whole run for scenarios that need nothing special: start, wait, show
# the console, return the guest's verdict.
run_guest() {
	guest_start || return 1
	guest_end
}

# The rest of run_guest, for scenarios that act while the guest runs.
guest_end() {
	guest_wait
	_w=$?
	guest_console
	[ $_w = 0 ] || return 1
	guest_verdict
}

# The guest reported "SHA256 BYTES" as value $1; dom0 must read the same
# from the first BYTES of guest disk $2.  $3 describes the check.
check_guest_sha256() {
	# shellcheck disable=SC2046
	set -- "$1" "$2" "$3" $(guest_value "$1")
	if [ $# = 5 ]; then
		check "$3" [ "$(disk_sha256 "$2" "$5")" = "$4" ]
	else
		ok 1 "guest reported the checksum of its pattern ($1)"
	fi
}

# Every "XENOS-REGION SECTOR BYTES SHA256" line of our guest OS's I/O test:
# dom0 must read each region of guest disk $1 with the guest's checksum.
check_regions() {
	_dev=$(disk_dev "$1") || return 1
	_n=0
	_bad=0
	for _r in $(tr -d '\r' <"$XG_LOG" | sed -n 's/^.*XENOS-REGION \([0-9]*\) \([0-9]*\) \([0-9a-f]*\)$/\1:\2:\3/p'); do
		_s=${_r%%:*}; _rest=${_r#*:}; _len=${_rest%%:*}; _sum=${_rest#*:}
		_got=$(dd if="$_dev" bs=512 skip="$_s" count=$((_len / 512)) iflag=direct status=none | sha256sum | cut -d' ' -f1)
		_n=$((_n + 1))
		[ "$_got" = "$_sum" ] || { _bad=$((_bad + 1)); note "region at sector $_s ($_len bytes): dom0 $_got guest $_sum"; }
	done
	check "dom0 sees each of the guest's $_n regions with the guest's checksum ($_bad differ)" [ "$_n" -gt 0 -a "$_bad" = 0 ]
}

# guest_step MARKER CMD...: run CMD once the guest has printed MARKER
# (within 120 s); for scenarios that act while the guest runs.
guest_step() {
	_m=$1
	shift
	if guest_log_wait "$_m" 120; then
		_t=$(now)
		"$@" >/tmp/step.log 2>&1
		note "$* (rc $?) took $(since "$_t") s"
		sed 's/^/#   /' /tmp/step.log
	else
		note "guest never printed $_m"
	fi
}
