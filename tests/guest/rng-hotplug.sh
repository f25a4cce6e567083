#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng hot-unplug while a process reads and another holds the device
# open, then hot-plug of a new card (QMP through scripts/vm.sh).
# vm: -device my_rng,id=rng0 -device my_rng,id=rng1,bus=pci.0,addr=0x6
# timeout: 300
. /lib/vdevkit/tap.sh

want="286129175 1594929109 971802288 222134722 1335014133"
check "two cards" test -c /dev/my_rng0 -a -c /dev/my_rng1

my-rng-test reader /dev/my_rng1 >/tmp/reader.out &
rpid=$!
my-rng-test holder /dev/my_rng1 >/tmp/holder.out &
hpid=$!
wait_for 10 grep -q started /tmp/reader.out
wait_for 10 grep -q open /tmp/holder.out
sleep 1
qmp '{"execute": "device_del", "arguments": {"id": "rng1"}}'
check "node disappears after device_del" wait_for 60 test ! -e /dev/my_rng1
check "reader finishes" wait_for 30 sh -c "! kill -0 $rpid 2>/dev/null"
kill -9 $rpid 2>/dev/null
wait $rpid
is "$(tail -1 /tmp/reader.out)" "reader: ENODEV" "blocked reader gets ENODEV"
check "holder finishes" wait_for 30 sh -c "! kill -0 $hpid 2>/dev/null"
kill -9 $hpid 2>/dev/null
wait $hpid
is "$(tail -1 /tmp/holder.out)" "holder: read=ENODEV seed=ENODEV" \
	"process holding it open gets ENODEV for read and seed"
is "$(cat /sys/module/my_rng/refcnt)" "0" "no file references left"
is "$(my-rng -d /dev/my_rng0 -s 0x42 -n 5 | tr '\n' ' ')" "$want " "other card unaffected"
check "no oops or warning in the log" sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops"'

qmp '{"execute": "device_add", "arguments": {"driver": "my_rng", "id": "rng2", "bus": "pci.0", "addr": "0x7"}}'
check "hot-plugged card gets a node" wait_for 60 test -c /dev/my_rng1
is "$(my-rng -d /dev/my_rng1 -s 0x42 -n 5 | tr '\n' ' ')" "$want " "hot-plugged card works"
check "rmmod after hot-plug/unplug" rmmod my_rng
check "modprobe again" modprobe my_rng
check "both nodes back" test -c /dev/my_rng0 -a -c /dev/my_rng1
tap_done
