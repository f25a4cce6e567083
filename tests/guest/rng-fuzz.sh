#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng under fire: my-rng-fuzz (4 processes x 2 threads) for
# vdevkit.rng_fuzz_seconds while the second card is unplugged and plugged
# again every few seconds (QMP through scripts/vm.sh).  Then: nothing
# unexpected, at least vdevkit.rng_fuzz_min calls, no oops or warning, no
# file left open, and the seed table on both cards.
# One vCPU: with two (VM_SMP=2), QEMU 10.0's TCG now and then sends an
# MMIO read of one card to another region while a hot-plug changes the
# memory map (docs/my_rng.md, "Tests and fuzzing").
# vm: -device my_rng,id=rng0 -device my_rng,id=hp0,bus=pci.0,addr=0x6
# timeout: 300
. /lib/vdevkit/tap.sh

arg() { sed -n "s/.*vdevkit\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
secs=$(arg rng_fuzz_seconds)
min=$(arg rng_fuzz_min)
want="286129175 1594929109 971802288 222134722 1335014133"
slot=/sys/bus/pci/devices/0000:00:06.0

echo "# $(nproc) CPUs, ${secs:=15} s, at least ${min:=1} calls"
my-rng-fuzz "$secs" 4 2 >/tmp/fuzz.out 2>&1 &
fpid=$!
cycles=0
lost=
while sleep 2 && kill -0 $fpid 2>/dev/null; do
	qmp "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"hp$cycles\"}}"
	wait_for 60 test ! -e $slot || { lost="unplug of hp$cycles"; break; }
	# The slot is free once QEMU has processed the guest's eject.
	sleep 0.5
	cycles=$((cycles + 1))
	qmp "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"my_rng\", \"id\": \"hp$cycles\", \"bus\": \"pci.0\", \"addr\": \"0x6\"}}"
	wait_for 60 test -c /dev/my_rng1 || { lost="plug of hp$cycles"; break; }
done
wait $fpid
rc=$?
sed 's/^/# /' /tmp/fuzz.out
is "$rc" 0 "my-rng-fuzz: every call answered as documented"
calls=$(sed -n 's/^my-rng-fuzz: \([0-9]*\) calls.*/\1/p' /tmp/fuzz.out)
check "at least $min calls (made ${calls:-none})" test "${calls:-0}" -ge "$min"
is "${lost:-none}" none "$cycles unplug/plug cycles of the second card during the run"
check "cards unplugged and plugged during the run" test "$cycles" -ge 1
check "no oops, warning or hung task in the log" \
	sh -c '! dmesg | grep -E "BUG:|WARNING:|Oops|INFO: task|general protection"'
is "$(cat /sys/module/my_rng/refcnt)" 0 "no file left open"
for d in 0 1; do
	is "$(my-rng -d /dev/my_rng$d -s 0x42 -n 5 | tr '\n' ' ')" "$want " \
		"/dev/my_rng$d gives the seed table afterwards"
done
tap_include my-rng-test unit /dev/my_rng0 /dev/my_rng1
tap_done
