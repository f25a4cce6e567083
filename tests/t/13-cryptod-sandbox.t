#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod confined (host only; the daemon as installed, not the
# ASan build of 13-cryptod-proto.t, whose filter lets the leak check run):
# the protocol client's whole run (tests/host/cryptod-client.c) under the
# seccomp filter in kill mode, as user nobody (as root; else as ourselves),
# with a worker pool; then a data queue's thread that, once running, tries
# execve, open, socket(AF_INET) or fork (--x-escape): the daemon dies of
# SIGSYS; with --seccomp errno the call fails with EPERM and it goes on.
. "$(dirname "$0")/../lib/cryptod.sh"
cryptod_build all
. "$top/guest/tap.sh"
c=$out/cryptod-client d=$out/vdevkit-cryptod
if [ "$(id -u)" = 0 ]; then
	uid=$(id -u nobody)
	tap_include "$c" "$d" --expect-uid "$uid" -- --seccomp kill --user nobody \
		--workers 2 --pool-min 4096
else
	tap_include "$c" "$d" --expect-uid "$(id -u)" -- --seccomp kill \
		--user "$(id -u)" --workers 2 --pool-min 4096
fi
for e in execve open socket fork; do
	tap_include "$c" "$d" --escape $e
done
tap_include "$c" "$d" --escape-errno socket
tap_done
