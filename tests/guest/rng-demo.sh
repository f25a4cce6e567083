#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng demo: the driver's boot-time self-test, then the user program.
# vm: -device my_rng
# append: vdevkit.noload=my_rng
# timeout: 120

echo "== modprobe my_rng selftest=1"
modprobe my_rng selftest=1 || exit 1
dmesg | sed -n 's/^\[[ 0-9.]*\] //; /MY-RNG TEST\|Round [01] number/p'
want="286129175 1594929109 971802288 222134722 1335014133"
rc=0
for i in 1 2; do
	echo "== my-rng -s 0x42 -n 5 (run $i)"
	got=$(my-rng -s 0x42 -n 5) || rc=1
	echo "$got"
	[ "$(echo $got)" = "$want" ] || { echo "MISMATCH: want $want"; rc=1; }
done
sel=$(dmesg | sed -n 's/.*Round [01] number [0-4]: //p' | tr '\n' ' ')
[ "$sel" = "$want $want " ] || { echo "self-test lines wrong: $sel"; rc=1; }
[ $rc = 0 ] && echo "my_rng demo: PASS (self-test and user program match the seed table)" ||
	echo "my_rng demo: FAIL"
exit $rc
