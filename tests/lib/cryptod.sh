# SPDX-License-Identifier: GPL-2.0-or-later
# vdevkit-cryptod's protocol test client against the daemon built with
# AddressSanitizer and UBSan (sourced by tests/t/1x-cryptod-*.t):
#   cryptod_client_exec [CLIENT ARGS...]
# builds both and execs the client, whose TAP is the test's; a failed
# build is one failing test with its log.  Arguments after -- go to the
# daemon.
#   cryptod_build [all]: the same builds (with all: the daemon as
#     installed too, $out/vdevkit-cryptod), $top and $out set
cryptod_build() {
	top=$(cd "$(dirname "$0")/../.." && pwd)
	out=${VDEVKIT_OUT:-$top/build}/host
	mkdir -p "$out"
	if ! log=$({ nice make -s -C "$top/host/cryptod" OUT="$out" asan ${1:+all} &&
		nice make -s -C "$top/tests/host" OUT="$out" "$out/cryptod-client"; } 2>&1); then
		echo "1..1"
		echo "not ok 1 - build vdevkit-cryptod${1:+ (plain and asan)}${1:--asan} and cryptod-client"
		printf '%s\n' "$log" | sed 's/^/# /'
		exit 1
	fi
}

cryptod_client_exec() {
	cryptod_build
	exec "$out/cryptod-client" "$out/vdevkit-cryptod-asan" "$@"
}

# For guest tests (tests/t/39-cryptod-*.t), with $tmp a scratch dir:
#   cryptod_start NAME [DAEMON ARGS...]: the daemon on $tmp/NAME.sock, its
#     log $tmp/NAME.log, its pid in $dpid; fails if the socket never shows
#   cryptod_stop NAME: SIGTERM to $dpid; true if it exited 0; its status in
#     $dst and its last log line in $last; the log goes out as TAP comments
#   cryptod_vm_args SOCKET [BACKEND OPTIONS] [ID] [DEVICE OPTIONS]
#     [CHARDEV OPTIONS]: QEMU's arguments for a guest of $VM_MEM MiB with a
#     virtio-crypto device (id vcID) on the daemon
cryptod_start() {
	local name=$1
	shift
	rm -f "$tmp/$name.sock" "$tmp/$name.log"
	"$OUT/host/vdevkit-cryptod" --socket "$tmp/$name.sock" --foreground \
		--log "$tmp/$name.log" "$@" &
	dpid=$!
	for _ in $(seq 100); do
		[ -S "$tmp/$name.sock" ] && return 0
		sleep 0.1
	done
	return 1
}

cryptod_stop() {
	kill -TERM "$dpid"
	wait "$dpid"
	dst=$?
	last=$(tail -1 "$tmp/$1.log")
	sed "s/^/# $1: /" "$tmp/$1.log"
	[ "$dst" = 0 ]
}

cryptod_vm_args() {
	local id=${3:-0} mem=
	[ "$id" != 0 ] ||
		mem="-object memory-backend-memfd,id=mem,size=${VM_MEM:-512}M,share=on -machine memory-backend=mem "
	echo "$mem-chardev socket,id=cd$id,path=$1${5:+,$5}" \
		"-object cryptodev-vhost-user,id=c$id,chardev=cd$id${2:+,$2}" \
		"-device virtio-crypto-pci,cryptodev=c$id,id=vc$id${4:+,$4}"
}

# cryptod_verdict N TEXT MIN: the guest run ($rc, $out) as comments, then
# test N: ok if it passed with at least MIN checks
cryptod_verdict() {
	local fails oks
	printf '%s\n' "$out" | sed 's/^/# /'
	fails=$(printf '%s\n' "$out" | grep -c -E '^(not ok|Bail out)')
	oks=$(printf '%s\n' "$out" | grep -c -E '^ok ')
	if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -ge "$3" ]; then
		echo "ok $1 - $2: $oks checks pass"
	else
		echo "not ok $1 - $2 (status $rc, $oks ok, $fails failed)"
	fi
}
