#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host unit tests: the my_rng generator against the C library's rand().
cd "$(dirname "$0")/../.." && exec build/host/my-rng-gen-test
