#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side of the Linux-domU hot-plug test: dom0 attaches xvdb while the
# guest runs (after "VDEVKIT-WAIT-ATTACH"), the guest writes a pattern to
# it and reads it back, then dom0 detaches it (after "VDEVKIT-WAIT-DETACH")
# and the device must go away.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# wait_for TEST-ARGS...: up to 60 s.
wait_for() {
	i=0
	until test "$@"; do
		[ $i -lt 600 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

if [ -b /dev/xvdb ]; then
	not_ok "xvdb absent before the attach"
else
	ok "xvdb absent before the attach"
fi
echo "VDEVKIT-WAIT-ATTACH"
if wait_for -b /dev/xvdb; then
	ok "xvdb appears after xl block-attach"
	head -c 1048576 /dev/urandom >/tmp/pattern
	want=$(sha256sum </tmp/pattern | cut -d' ' -f1)
	dd if=/tmp/pattern of=/dev/xvdb bs=1M oflag=direct conv=fsync 2>/dev/null
	got=$(dd if=/dev/xvdb bs=1M count=1 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		ok "1 MiB written to and read back from the attached disk"
	else
		not_ok "read back from the attached disk: $got, wrote $want"
	fi
	echo "VDEVKIT-VALUE xvdb-sha256 $want 1048576"
else
	not_ok "xvdb appears after xl block-attach"
fi
echo "VDEVKIT-WAIT-DETACH"
if wait_for ! -e /sys/block/xvdb; then
	ok "xvdb goes away after xl block-detach"
else
	not_ok "xvdb goes away after xl block-detach"
fi
echo "1..$n"
[ $failed = 0 ]
