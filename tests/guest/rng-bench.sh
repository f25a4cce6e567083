#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# my_rng benchmark (not a test): read() of 64 KiB buffers against the
# driver's raw kernel-space MMIO loop on the same card, same boot.
# vm: -device my_rng
# timeout: 600
exec my-rng-bench /dev/my_rng0 1048576
