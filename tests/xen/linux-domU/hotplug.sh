#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side of the Linux-domU hot-plug test: dom0 attaches xvdb while the
# guest runs (after "VDEVKIT-WAIT-ATTACH"), the guest writes a pattern to
# it and reads it back, then dom0 detaches it (after "VDEVKIT-WAIT-DETACH")
# and the device must go away.
. /lib/vdevkit/tap.sh
# wait_test TEST-ARGS...: up to 60 s.
wait_test() {
	i=0
	until test "$@"; do
		[ $i -lt 600 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

if [ -b /dev/xvdb ]; then
	ok 1 "xvdb absent before the attach"
else
	ok 0 "xvdb absent before the attach"
fi
echo "VDEVKIT-WAIT-ATTACH"
if wait_test -b /dev/xvdb; then
	ok 0 "xvdb appears after xl block-attach"
	head -c 1048576 /dev/urandom >/tmp/pattern
	want=$(sha256sum </tmp/pattern | cut -d' ' -f1)
	dd if=/tmp/pattern of=/dev/xvdb bs=1M oflag=direct conv=fsync 2>/dev/null
	got=$(dd if=/dev/xvdb bs=1M count=1 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		ok 0 "1 MiB written to and read back from the attached disk"
	else
		ok 1 "read back from the attached disk: $got, wrote $want"
	fi
	echo "VDEVKIT-VALUE xvdb-sha256 $want 1048576"
else
	ok 1 "xvdb appears after xl block-attach"
fi
echo "VDEVKIT-WAIT-DETACH"
if wait_test ! -e /sys/block/xvdb; then
	ok 0 "xvdb goes away after xl block-detach"
else
	ok 1 "xvdb goes away after xl block-detach"
fi
tap_done
