#!/bin/sh
# SPDX-License-Identifier: MIT
# Unit tests of the portable blkfront core against its in-process backend
# double: builds them and passes their TAP through.
. "$(dirname "$0")/../lib/xen-host.sh"
xen_host_exec host-test xen_blkfront_test
