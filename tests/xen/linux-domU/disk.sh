#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side of the Linux-domU disk test: write a random pattern to the rw
# disk (xvda) with O_DIRECT, read it back, compare checksums, and report the
# checksum so that dom0 can compare it with the backing image; check that
# the ro disk (xvdb), when present, reads but refuses writes.
# Parameters (kernel command line): vdevkit.bytes (default 16 MiB).
. /lib/vdevkit/tap.sh

wait_dev() {
	i=0
	while [ ! -b "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	[ -b "$1" ]
}
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

bytes=${VDK_bytes:-16777216}
mib=$((bytes / 1048576))
if ! wait_dev /dev/xvda; then
	ok 1 "xvda appears"
	tap_done
fi
ok 0 "xvda appears"
size=$(blockdev --getsize64 /dev/xvda)
if [ "$size" -ge "$bytes" ] && [ $((bytes % 1048576)) = 0 ]; then
	ok 0 "xvda holds $bytes bytes (size $size)"
else
	ok 1 "xvda holds $bytes whole MiB (size $size)"
	tap_done
fi

head -c "$bytes" /dev/urandom >/tmp/pattern
want=$(sha256sum </tmp/pattern | cut -d' ' -f1)
t=$(ms)
if dd if=/tmp/pattern of=/dev/xvda bs=1M oflag=direct conv=fsync 2>/tmp/dd.err; then
	ok 0 "write $mib MiB with O_DIRECT ($(( $(ms) - t )) ms)"
else
	ok 1 "write $mib MiB: $(tail -1 /tmp/dd.err)"
fi
rm -f /tmp/pattern
echo 3 >/proc/sys/vm/drop_caches
t=$(ms)
got=$(dd if=/dev/xvda bs=1M count="$mib" iflag=direct 2>/tmp/dd.err | sha256sum | cut -d' ' -f1)
el=$(( $(ms) - t ))
if [ "$got" = "$want" ]; then
	ok 0 "read back $mib MiB with O_DIRECT matches ($el ms)"
else
	ok 1 "read back: sha256 $got, wrote $want"
fi
echo "VDEVKIT-VALUE xvda-sha256 $want $bytes"

if wait_dev /dev/xvdb; then
	if dd if=/dev/xvdb of=/dev/null bs=1M count=1 iflag=direct 2>/dev/null; then
		ok 0 "xvdb (read-only) reads"
	else
		ok 1 "xvdb (read-only) reads"
	fi
	# blkfront marks the disk read-only; the open for writing must fail.
	if dd if=/dev/zero of=/dev/xvdb bs=4096 count=1 oflag=direct 2>/dev/null; then
		ok 1 "write to read-only xvdb refused"
	else
		ok 0 "write to read-only xvdb refused"
	fi
fi
tap_done
