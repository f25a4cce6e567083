# SPDX-License-Identifier: MIT
# The Xen guest OS (xen/): unit tests of blkfront and the PVH kernel.
XEN_OUT := $(CURDIR)/build/xen

.PHONY: xen-unit xen-kernel
xen-unit:
	nice $(MAKE) -C xen check-host OUT=$(XEN_OUT)
xen-kernel:
	nice $(MAKE) -C xen kernel OUT=$(XEN_OUT)

CHECK_TARGETS += xen-unit
