#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng driver end to end: contract, errors, two cards, one million
# numbers against the host reference, self-test, unload and reload.
# vm: -device my_rng -device my_rng
# append: vdevkit.noload=my_rng
# timeout: 400
. /lib/vdevkit/tap.sh

arg() { sed -n "s/.*vdevkit\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
want="286129175 1594929109 971802288 222134722 1335014133"

# Self-test at probe, before the nodes appear, and the card left reset.
dmesg -c >/dev/null
check "modprobe my_rng selftest=1" modprobe my_rng selftest=1
sel=$(dmesg | sed -n 's/.*Round \([01]\) number [0-4]: /\1:/p' | tr '\n' ' ')
# One self-test per card.
is "$sel" "$(for c in 0 1; do for r in 0 1; do for v in $want; do printf '%s:%s ' $r $v; done; done; done)" \
	"selftest prints Round 0 and Round 1 of the seed table for each card"
check "selftest prints BEGIN before END" \
	sh -c 'dmesg | grep -q "BEGIN MY-RNG TEST" && dmesg | grep -A11 "BEGIN MY-RNG TEST" | grep -q "END MY-RNG TEST"'
is "$(my-rng -n 2 | tr '\n' ' ')" "1804289383 846930886 " \
	"after the self-test the card reads as rand() without srand()"
check "both cards have nodes" test -c /dev/my_rng0 -a -c /dev/my_rng1
cards=$(grep -l 0x1234 $(grep -l 0xcafe /sys/bus/pci/devices/*/device | sed 's/device$/vendor/'))
is "$(for c in $cards; do cat "${c%vendor}class"; done | tr '\n' ' ')" "0x00ff00 0x00ff00 " \
	"both cards have class 0x00ff00 (PCI_CLASS_OTHERS as the seed: lspci 'Unclassified device [00ff]')"

# The user program.
is "$(my-rng -s 0x42 -n 5 | tr '\n' ' ')" "$want " "my-rng -s 0x42 -n 5 gives the table"
is "$(my-rng -s 66 -n 5 | tr '\n' ' ')" "$want " "decimal seed 66 equals 0x42"
is "$(my-rng -s 0x42 -n 1 -x)" "0x110dfc17" "-x prints hex"
is "$(my-rng -d /dev/my_rng1 -s 0x42 -n 5 | tr '\n' ' ')" "$want " "-d selects the second card"
check "--help exits 0 and shows usage" sh -c 'my-rng --help | grep -q Usage'
for bad in "-s 0x100000000" "-s -1" "-s abc" "-n x" "-q" "extra"; do
	my-rng $bad >/tmp/out 2>/tmp/err
	rc=$?
	check "bad argument '$bad' exits 2 with a message" test $rc = 2 -a -s /tmp/err
done
my-rng -d /dev/nonexistent >/tmp/out 2>/tmp/err
check "missing device exits 1 with a message" test $? = 1 -a -s /tmp/err

# The driver contract through raw syscalls, and two cards.
tap_include my-rng-test unit /dev/my_rng0 /dev/my_rng1

# One million numbers through read() against the host reference.
expect=$(arg rng_sha)
got=$(my-rng-test dump 0xdecafbad 1000000 /dev/my_rng0 | sha256sum | cut -d' ' -f1)
is "$got" "${expect:-missing vdevkit.rng_sha}" "1000000 numbers equal the host reference (sha256)"

# Unload with a file open is refused; after close it unloads and reloads.
my-rng-test holder /dev/my_rng0 >/tmp/holder.out &
hpid=$!
wait_for 10 grep -q open /tmp/holder.out
rmmod my_rng 2>/dev/null
check "rmmod refused while a file is open" test -c /dev/my_rng0
kill $hpid
wait $hpid
for i in 1 2 3; do
	check "rmmod (round $i)" rmmod my_rng
	check "nodes gone after rmmod (round $i)" test ! -e /dev/my_rng0 -a ! -e /dev/my_rng1
	check "modprobe (round $i)" modprobe my_rng
	is "$(my-rng -d /dev/my_rng1 -s 0x42 -n 5 | tr '\n' ' ')" "$want " "reloaded driver works (round $i)"
done
tap_done
