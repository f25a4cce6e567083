#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot a vdevkit guest under our QEMU (TCG) and return its verdict.
#
#   vm.sh [options] [-- extra QEMU arguments]
#     --shell            interactive shell on the console (no verdict)
#     --cmd 'CMD'        run CMD (busybox sh) in the guest
#     --script FILE      run FILE in the guest
#     --files 'F ...'    copy host files into the guest's / (by base name)
#     --append 'ARGS'    extra kernel command line
#     --timeout SEC      hard limit for the whole run (default 300)
#     --log FILE         console log (default $OUT/vm/console.log)
#     --kernel F --initrd F   another kernel or initramfs for the guest
#     --no-guest         boot --kernel with --initrd and --append exactly as
#                        given, no vdevkit guest around them (e.g. Xen, whose
#                        -initrd lists multiboot modules: "FILE ARGS,FILE")
#     --grace SEC        stop QEMU this long after the verdict if the machine
#                        has not powered off by itself (default 20)
#
# Environment: ACCEL=tcg|kvm, VM_MEM (MiB, 512), VM_SMP (1), VM_CPU,
# VM_QEMU (another QEMU binary, e.g. Debian's /usr/bin/qemu-system-x86_64;
# default: our build),
# VM_QMP (QMP socket path; default one per run), VERBOSE=1 (console
# to stderr as well).
#
# The run's output arrives on the guest's second serial port and is copied
# to stdout live.  A line "VDEVKIT-EXIT N" ends the run; lines
# "VDEVKIT-QMP {json}" are forwarded to QMP (hot-plug from inside a guest
# test).  Exit status: the guest's N; 124 on timeout; 125 when the guest
# died or never said its verdict (the console's tail is shown); 2 on
# harness errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

shell= cmd= script= files= append= timeout=300 log= kernel= initrd= noguest= grace=20
while [ $# -gt 0 ]; do
	case "$1" in
	--shell) shell=1 ;;
	--cmd) cmd=$2; shift ;;
	--script) script=$2; shift ;;
	--files) files=$2; shift ;;
	--append) append="$append $2"; shift ;;
	--timeout) timeout=$2; shift ;;
	--log) log=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--no-guest) noguest=1 ;;
	--grace) grace=$2; shift ;;
	--) shift; break ;;
	-h|--help) sed -n '3,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "vm: unknown option $1 (see --help)" ;;
	esac
	shift
done

qemu=${VM_QEMU:-$(qemu_bin)}
[ -x "$qemu" ] || die "vm: $qemu missing (run scripts/qemu-build.sh, or scripts/deps.sh for Debian's)"
kver=$(guest_kver)
run=$OUT/vm/$$
mkdir -p "$run"
# Without --log, each run logs privately and the last run's log is kept
# as build/vm/console.log.
keep=
[ -z "$log" ] && { log=$run/console.log; keep=$OUT/vm/console.log; }
mkdir -p "$(dirname "$log")"
: >"$log"
qmp=${VM_QMP:-$run/qmp.sock}
rm -f "$qmp"
trap '[ -n "$keep" ] && [ -f "$log" ] && cp "$log" "$keep"; rm -rf "$run"' EXIT
: >"$run/result"

args=(-accel "${ACCEL:-tcg}" -m "${VM_MEM:-512}" -smp "${VM_SMP:-1}"
	-nodefaults -nographic -no-reboot -nic none
	-qmp "unix:$qmp,server=on,wait=off")
[ -n "${VM_CPU:-}" ] && args+=(-cpu "$VM_CPU")

if [ -z "$noguest" ]; then
	kernel=${kernel:-$CACHE/guest/$kver/vmlinuz}
	initrd=${initrd:-$OUT/initramfs.cpio.gz}
	[ -f "$kernel" ] || die "vm: no guest kernel (run scripts/guest-kernel.sh)"
	[ -f "$initrd" ] || die "vm: no initramfs (run scripts/initramfs.sh)"
	# A second archive carries this run's command and files.
	if [ -z "$shell" ]; then
		mkdir -p "$run/root/vdevkit"
		if [ -n "$script" ]; then
			cp "$script" "$run/root/vdevkit/run"
		else
			printf '#!/bin/sh\n%s\n' "${cmd:-true}" >"$run/root/vdevkit/run"
		fi
		chmod 755 "$run/root/vdevkit/run"
		for f in $files; do
			[ -e "$f" ] || die "vm: no such file: $f"
			cp -a "$f" "$run/root/"
		done
		(cd "$run/root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$run/extra.cpio.gz"
		cat "$initrd" "$run/extra.cpio.gz" >"$run/initrd"
		initrd=$run/initrd
	fi
	# oops=panic + panic=-1 + -no-reboot: a guest oops ends the run at once.
	# no_timer_check: on a loaded host TCG may not deliver the timer's
	# interrupts within the kernel's boot-time test, which then panics
	# ("IO-APIC + timer doesn't work!"); QEMU's timer is known to work.
	args+=(-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0,115200 loglevel=4 oops=panic panic=-1 no_timer_check $append")
else
	[ -n "$kernel" ] && args+=(-kernel "$kernel" -append "${append# }")
	[ -n "$initrd" ] && args+=(-initrd "$initrd")
fi

if [ -n "$shell" ]; then
	exec "$qemu" "${args[@]}" -serial mon:stdio "$@"
fi

# ttyS0: console to the log; ttyS1: the run's output to our stdout.
args+=(-serial "file:$log" -chardev stdio,id=res,signal=off -serial chardev:res)
[ -n "${VERBOSE:-}" ] && { tail -F "$log" 2>/dev/null >&2 & }

qmp_send() { # one command, after the capabilities handshake
	printf '{"execute":"qmp_capabilities"}\n%s\n' "$1" |
		socat -t 5 - "UNIX-CONNECT:$qmp" | tail -n +3 | head -1
}

set +e
# Read line by line as it comes (no buffering program in between), so QMP
# requests are served while the guest waits for them.  After the verdict,
# reads time out each second so that a machine which does not power off
# (a hung shutdown) is stopped over QMP once the grace time is over.
stop_at=
timeout -k 5 "$timeout" "$qemu" "${args[@]}" "$@" </dev/null |
	while :; do
		if [ -z "$stop_at" ]; then
			IFS= read -r line || break
		else
			IFS= read -r -t 1 line
			r=$?
			[ "$r" -gt 128 ] && [ "$SECONDS" -ge "$stop_at" ] && {
				echo "vdevkit: QEMU still up ${grace}s after the verdict: stopping it" >&2
				qmp_send '{"execute":"quit"}' >/dev/null 2>&1
				stop_at=$((SECONDS + timeout))
			}
			[ "$r" -gt 128 ] && continue
			[ "$r" = 0 ] || break
		fi
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$run/result"
		case "$line" in
		VDEVKIT-QMP\ *)
			reply=$(qmp_send "${line#VDEVKIT-QMP }" 2>&1)
			echo "# qmp: ${line#VDEVKIT-QMP } -> ${reply:-no reply}" >&2
			;;
		VDEVKIT-EXIT\ *) stop_at=$((SECONDS + grace)) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
qrc=${PIPESTATUS[0]}
set -e
[ -n "${VERBOSE:-}" ] && kill %1 2>/dev/null

verdict=$(sed -n 's/^VDEVKIT-EXIT \([0-9]*\)$/\1/p' "$run/result" | tail -1)
if [ -n "$verdict" ]; then
	# prove shows stderr even when not verbose: name what failed there.
	if [ "$verdict" != 0 ]; then
		echo "vdevkit: verdict $verdict; failing checks:" >&2
		grep -E '^ *not ok' "$run/result" | head -20 | sed 's/^/  | /' >&2 || :
	fi
	exit "$verdict"
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vdevkit: guest timed out after ${timeout}s; console tail (${keep:-$log}):" >&2
	rc=124
else
	echo "vdevkit: guest ended without a verdict (QEMU status $qrc); console tail (${keep:-$log}):" >&2
	rc=125
fi
tail -n 40 "$log" | sed 's/^/  | /' >&2
exit $rc
