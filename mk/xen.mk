# SPDX-License-Identifier: GPL-2.0-or-later
# The Xen test bed (docs/xen-testbed.md).
#
#   make xen-prep             hypervisor, dom0 root image, initramfs images
#                             (cached in ~/.cache/vdevkit/xen; first time
#                             about 1.5 min, then instant)
#   make xen-check            every Xen scenario test (tests/t/5x-xen-*.t)
#   make xen-run XEN=NAME     one scenario, tests/xen/NAME.sh (V=1: full log)

.PHONY: xen-prep xen-check xen-run

xen-prep: deps kernel
	@$(S)/xen-hv.sh >/dev/null
	@$(S)/xen-dom0.sh >/dev/null
	@$(S)/xen-initrd.sh dom0 >/dev/null
	@$(S)/xen-initrd.sh domU >/dev/null
	@$(S)/xen-vmlinux.sh >/dev/null

xen-check: qemu xen-prep
	@prove -f $(PROVE_FLAGS) $(sort $(wildcard tests/t/5?-xen-*.t))

xen-run: qemu xen-prep
	@$(S)/xen-run.sh $(if $(V),-v) $(XEN)

# `make check` runs tests/t/*.t itself (the Xen ones included); it needs
# the cached pieces ready.
CHECK_TARGETS += xen-prep
