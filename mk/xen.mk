# SPDX-License-Identifier: GPL-2.0-or-later
# The Xen test bed (docs/xen-testbed.md).
#
#   make xen-prep             hypervisor, dom0 root image, initramfs images
#                             (cached in ~/.cache/vdevkit/xen; first time
#                             about 1.5 min, then instant)
#   VDEVKIT_XEN=4.20 make ... Xen 4.20 with a trixie dom0 instead of 4.17
#                             with a bookworm one (the default)
#   make xen-check            every Xen scenario test (tests/t/5x-xen-*.t)
#   make xen-run XEN=NAME     one scenario, tests/xen/NAME.sh (V=1: full log)
#   make xen-releases         our guest OS's I/O test, on blkback and on
#                             qdisk, on every Xen release the test bed
#                             knows (XEN_RELEASES)
#   make xen-bench-linux      the Linux domU side of the Xen block benchmark
#                             (PVH, then PV)

.PHONY: xen-prep xen-check xen-run xen-releases xen-bench-linux

xen-prep: deps kernel qemu
	@$(S)/xen-hv.sh >/dev/null
	@$(S)/xen-dom0.sh >/dev/null
	@$(S)/xen-initrd.sh dom0 >/dev/null
	@$(S)/xen-initrd.sh domU >/dev/null
	@$(S)/xen-vmlinux.sh >/dev/null

xen-check: qemu xen-prep
	@prove -f $(PROVE_FLAGS) $(sort $(wildcard tests/t/5?-xen-*.t))

xen-run: qemu xen-prep
	@$(S)/xen-run.sh $(if $(V),-v) $(XEN)

XEN_RELEASES := 4.17 4.20
xen-releases: qemu xen-prep
	@set -e; for x in $(XEN_RELEASES); do echo "# Xen $$x"; \
		VDEVKIT_XEN=$$x prove -f $(PROVE_FLAGS) tests/t/51-xen-xenos-io.t \
			tests/t/54-xen-qdisk.t; done

# xbench is built by xen/Makefile (the guest OS side of the project).
xen-bench-linux: qemu xen-prep
	@nice $(MAKE) -s -C xen xbench OUT=$(OUT)/xen
	@$(S)/xen-run.sh linux-bench
	@VDEVKIT_XEN_TYPE=pv $(S)/xen-run.sh linux-bench

# `make check` runs tests/t/*.t itself (the Xen ones included); it needs
# the cached pieces ready.
CHECK_TARGETS += xen-prep
BENCH_TARGETS += xen-bench-linux
